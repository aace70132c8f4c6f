// Versioned migrations of the PostgreSQL state. They run at open, in one transaction, under an
// advisory lock, so two workers starting at once never both create a table (CREATE TABLE IF NOT
// EXISTS alone races on the catalog) and a failed migration leaves the schema as it was.
import type pg from 'pg';
import { isEntryPageUrl } from '../layout.js';
import { checkOut } from './postgres-client.js';

/** Advisory lock classes (the first key); the second key is the schema, so one database can hold several states. */
export const MIGRATION_LOCK = 0x6c6f6f6d; // "loom"
export const PASS_LOCK = 0x70617373; // "pass"

/** The lock key of the current schema: states in two schemas of a database never block each other. */
export const SCHEMA_KEY = 'hashtext(current_schema())';

/** A step is SQL, or code for what SQL alone cannot say; it runs inside the migration's transaction. */
type Migration = string | ((client: pg.PoolClient) => Promise<void>);

const MIGRATIONS: readonly Migration[] = [
  // The shape the SQLite state has reached, in PostgreSQL's types. Ids compare in byte order
  // (COLLATE "C") as SQLite's do, whatever the database's locale: feeds break ties in published
  // time by id, and both stores must write the same feeds. (Its unique `updated` instant is gone
  // since version 2.)
  `CREATE TABLE entries (
     id            text COLLATE "C" PRIMARY KEY,
     source        text NOT NULL,
     kind          text NOT NULL,
     categories    jsonb NOT NULL,
     link          text NOT NULL,
     page_url      text,
     published_ms  bigint NOT NULL,
     updated_ms    bigint NOT NULL,
     first_seen_ms bigint NOT NULL,
     captured_ms   bigint NOT NULL,
     content_hash  text NOT NULL,
     body          text NOT NULL
   );
   CREATE INDEX entries_newest_first ON entries (published_ms DESC, id);
   ALTER TABLE entries ADD CONSTRAINT entries_updated_unique UNIQUE (updated_ms) DEFERRABLE INITIALLY DEFERRED;
   CREATE INDEX entries_by_category ON entries USING gin (categories);
   CREATE TABLE sources (
     source          text COLLATE "C" PRIMARY KEY,
     kind            text NOT NULL,
     url             text,
     size            bigint,
     mtime_ms        double precision,
     bytes_hash      text,
     fingerprint     text,
     status          text NOT NULL,
     error           text,
     entries         integer NOT NULL DEFAULT 0,
     last_attempt_ms bigint NOT NULL,
     last_success_ms bigint,
     etag            text,
     last_modified   text,
     failures        integer NOT NULL DEFAULT 0,
     next_attempt_ms bigint
   );
   CREATE TABLE passes (
     id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     started_ms        bigint NOT NULL,
     duration_ms       bigint NOT NULL,
     sources_ok        integer NOT NULL,
     sources_failed    integer NOT NULL,
     sources_unchanged integer NOT NULL,
     entries_new       integer NOT NULL,
     entries_updated   integer NOT NULL,
     entries_unchanged integer NOT NULL,
     files_written     integer NOT NULL,
     files_unchanged   integer NOT NULL
   );
   CREATE TABLE archive_pages (
     feed      text NOT NULL,
     number    integer NOT NULL,
     entry_ids text NOT NULL,
     PRIMARY KEY (feed, number)
   );
   CREATE TABLE archived_entries (
     feed     text NOT NULL,
     entry_id text COLLATE "C" NOT NULL,
     PRIMARY KEY (feed, entry_id)
   );
   CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);`,
  // Dates as the source gives them: entries may share an `updated` instant. Earlier versions
  // moved a taken instant on by whole seconds (the database refused a shared one); every source
  // is read again on the next pass (no stamp, no validators, no page listing), and the entry
  // rules give each entry its source's date back.
  `ALTER TABLE entries DROP CONSTRAINT entries_updated_unique;
   UPDATE sources SET size = NULL, mtime_ms = NULL, bytes_hash = NULL, fingerprint = NULL, etag = NULL, last_modified = NULL;
   DELETE FROM meta WHERE key = 'page_listing';`,
  // An entry's link is its own page or nothing: earlier versions stored the URL of the page
  // publish writes for an entry without one (out/entries/...), which ties the state to the site's
  // address and to the layout of out/. The column may be NULL now, and those URLs are cleared.
  async (client) => {
    await client.query('ALTER TABLE entries ALTER COLUMN link DROP NOT NULL');
    const { rows } = await client.query<{ id: string; link: string }>("SELECT id, link FROM entries WHERE link LIKE '%.html'");
    const published = rows.filter((row) => isEntryPageUrl(row.link, row.id)).map((row) => row.id);
    if (published.length > 0) await client.query('UPDATE entries SET link = NULL WHERE id = ANY($1::text[])', [published]);
  },
  // HTML pages read without selectors: what their lists gave, to tell when that stops.
  `ALTER TABLE sources ADD COLUMN briefs integer;
   ALTER TABLE sources ADD COLUMN brief_lists text;
   ALTER TABLE sources ADD COLUMN degraded_from integer;`,
];

/** The schema version this feedloom writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the schema up to date; throws if the database is newer than this feedloom. */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await checkOut(pool);
  try {
    await client.query('BEGIN');
    // Held to the end of the transaction: a second process waits here, then finds nothing to do.
    await client.query(`SELECT pg_advisory_xact_lock($1, ${SCHEMA_KEY})`, [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ version: number }>('SELECT coalesce(max(version), 0)::integer AS version FROM schema_migrations');
    const current = rows[0]!.version;
    if (current > SCHEMA_VERSION) {
      throw new Error(`the database is at schema version ${current}, newer than this feedloom's ${SCHEMA_VERSION}; upgrade feedloom`);
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      const step = MIGRATIONS[version]!;
      if (typeof step === 'string') await client.query(step);
      else await step(client);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
