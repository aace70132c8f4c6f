// The PostgreSQL server the service tests use, named by FEEDLOOM_TEST_POSTGRES_URL (.ci/run starts
// one), and a fresh schema in it for every state a test needs: tests never see each other's rows
// or locks, and the role needs no right to create databases.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function postgresUrl(): string {
  const url = process.env.FEEDLOOM_TEST_POSTGRES_URL;
  if (!url) throw new Error('FEEDLOOM_TEST_POSTGRES_URL is not set: point it at a PostgreSQL database (.ci/run starts one)');
  return url;
}

/** `url` with its connections' search_path set to `schema`: how an operator picks a schema too. */
export function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.href;
}

export class TestSchemas {
  private readonly admin = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
  private readonly made: string[] = [];

  /** A location holding nothing yet: the server's URL with a new, empty schema. */
  async fresh(): Promise<string> {
    const schema = `feedloom_test_${randomBytes(6).toString('hex')}`;
    await this.admin.query(`CREATE SCHEMA ${schema}`);
    this.made.push(schema);
    return urlWithSchema(postgresUrl(), schema);
  }

  async query<Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.admin.query<Row>(sql, params)).rows;
  }

  async dropAll(): Promise<void> {
    for (const schema of this.made.splice(0)) await this.admin.query(`DROP SCHEMA ${schema} CASCADE`);
  }

  async end(): Promise<void> {
    await this.dropAll();
    await this.admin.end();
  }
}

/** The schema a location made by fresh() names. */
export function schemaOf(location: string): string {
  const options = new URL(location).searchParams.get('options') ?? '';
  const schema = /search_path=(\w+)/.exec(options)?.[1];
  if (!schema) throw new Error(`no schema in ${location}`);
  return schema;
}
