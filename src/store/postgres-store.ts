// The state in PostgreSQL, for several workers sharing one database: the same contract and the
// same behaviour as SqliteStore (test/store-contract.ts holds both to it). Writes are batched and
// transactional; see postgres-entries.ts for how concurrent writers are kept apart.
import pg from 'pg';
import { redactUrl } from '../shared/url-secrets.js';
import { describeError, LockError, StoreError } from '../errors.js';
import type { Entry, FeedFilter, StoredEntry } from '../model.js';
import { passRecordFrom, SOURCE_COLUMNS, type SourceColumnHolds, type StorableEntry, storableEntry, storedEntry, type EntryRow } from './entry-row.js';
import { FEED_PAGE_ROWS, feedWhere, newestFirst, notArchivedFor, oldestFirst, positionOf, readFeed, type SqlDialect } from './feed-query.js';
import { startPass, writeEntryBatch, type PassProgress } from './postgres-entries.js';
import { checkOut } from './postgres-client.js';
import { migrate, PASS_LOCK, SCHEMA_KEY } from './postgres-schema.js';
import type { EntryCounts, PageStamp, PassRecord, PassWriter, ReleasePassLock, SourceRecord, Store } from './store.js';

/** A pass holds one connection for its lock and uses the others; a few cover a pass and a scrape. */
const POOL_SIZE = 4;
/** PostgreSQL compares text by its collation unless told otherwise; categories are jsonb. */
const POSTGRES: SqlDialect = {
  placeholder: (n) => `$${n}`,
  idInByteOrder: 'id COLLATE "C"',
  // jsonb ?| : the entry has any of these categories (the GIN index answers it).
  anyCategory: (categories, params) => `categories ?| $${params.push(categories)}::text[]`,
};

const INT8_OID = 20;
/** bigint columns hold epoch milliseconds and counts, well inside a double's exact range. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

/** The type of each kind of source column's array for unnest. */
const SOURCE_TYPES: Record<SourceColumnHolds, string> = { text: 'text', count: 'integer', 'whole number': 'bigint', 'fractional number': 'double precision' };

const UPSERT_SOURCES = `INSERT INTO sources (${SOURCE_COLUMNS.map(([, column]) => column).join(', ')})
  SELECT * FROM unnest(${SOURCE_COLUMNS.map(([, , holds], index) => `$${index + 1}::${SOURCE_TYPES[holds]}[]`).join(', ')})
  ON CONFLICT (source) DO UPDATE SET ${SOURCE_COLUMNS.slice(1).map(([, column]) => `${column} = excluded.${column}`).join(', ')}`;

const SELECT_SOURCES = `SELECT ${SOURCE_COLUMNS.map(([field, column]) => `${column} AS "${field}"`).join(', ')} FROM sources`;

export class PostgresStore implements Store {
  private closed = false;
  /** Pass locks held, released by close() (the pool cannot end while their connections are out). */
  private readonly locks = new Set<ReleasePassLock>();

  private constructor(
    private readonly pool: pg.Pool,
    /** The location as messages may show it. */
    private readonly where: string,
  ) {}

  /** Connects, and brings the schema up to date. A search_path in the URL's `options` picks the schema. */
  static async open(url: string): Promise<PostgresStore> {
    const where = redactUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types: TYPES, application_name: 'feedloom', keepAlive: true });
    // An idle connection that breaks (a server restart) must not end the process; the next
    // query gets a fresh connection, or fails with a StoreError saying why.
    pool.on('error', () => undefined);
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreError(`cannot open PostgreSQL state ${where}: ${describeError(error)}`, { cause: error });
    }
    return new PostgresStore(pool, where);
  }

  async sourceRecords(): Promise<Map<string, SourceRecord>> {
    const rows = await this.rows<Record<string, unknown>>('read sources', SELECT_SOURCES);
    return new Map(rows.map((row) => [row.source as string, sourceRecordFrom(row)]));
  }

  async sourceRecord(source: string): Promise<SourceRecord | undefined> {
    const rows = await this.rows<Record<string, unknown>>('read a source', `${SELECT_SOURCES} WHERE source = $1`, [source]);
    return rows[0] ? sourceRecordFrom(rows[0]) : undefined;
  }

  async pageStamps(kind: string, fingerprint: string): Promise<Map<string, PageStamp>> {
    const rows = await this.rows<PageStamp & { source: string }>(
      'read page stamps',
      `SELECT source, size, mtime_ms AS "mtimeMs", entries FROM sources WHERE kind = $1 AND status = 'ok' AND fingerprint = $2`,
      [kind, fingerprint],
    );
    return new Map(rows.map(({ source, size, mtimeMs, entries }) => [source, { size, mtimeMs, entries }]));
  }

  beginPass(nowMs: number): PassWriter {
    const pass = startPass(nowMs);
    return {
      storeEntries: (entries) => this.storeBatch(pass, entries),
      end: async (sources) => {
        await this.upsertSources(sources);
        return { ...pass.counts };
      },
    };
  }

  async applyPass(entries: readonly Entry[], sources: readonly SourceRecord[], nowMs: number): Promise<EntryCounts> {
    const pass = this.beginPass(nowMs);
    await pass.storeEntries(entries.map(storableEntry));
    return pass.end(sources);
  }

  private async storeBatch(pass: PassProgress, entries: readonly StorableEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const done = await this.transaction('store entries', (client) => writeEntryBatch(client, pass, entries));
    for (const [id, capturedMs] of done.seen) pass.seen.set(id, capturedMs);
    for (const key of ['new', 'updated', 'unchanged'] as const) pass.counts[key] += done.counts[key];
  }

  private async upsertSources(sources: readonly SourceRecord[]): Promise<void> {
    if (sources.length === 0) return;
    // One row per source, the last given winning, as SQLite's one-by-one upserts leave it;
    // in key order, so two workers' upserts lock rows in the same order.
    const last = new Map(sources.map((record) => [record.source, record]));
    const records = [...last.values()].sort((a, b) => Buffer.compare(Buffer.from(a.source), Buffer.from(b.source)));
    const params = SOURCE_COLUMNS.map(([field]) => records.map((record) => record[field] ?? null));
    await this.rows('store sources', UPSERT_SOURCES, params);
  }

  async feedEntries(filter: FeedFilter, limit: number, matchesSource: (source: string) => boolean): Promise<StoredEntry[]> {
    return readFeed(
      async (after) => {
        const { where, params } = feedWhere(POSTGRES, filter, after);
        return this.rows<EntryRow>('read a feed', `SELECT * FROM entries ${where} ${newestFirst(POSTGRES)} LIMIT ${FEED_PAGE_ROWS}`, params);
      },
      limit,
      matchesSource,
    );
  }

  async unarchivedEntriesAfter(feed: string, filter: FeedFilter, matchesSource: (source: string) => boolean, last: StoredEntry): Promise<StoredEntry[]> {
    const { where, params } = feedWhere(POSTGRES, filter, positionOf(last), notArchivedFor(POSTGRES, feed));
    const rows = await this.rows<EntryRow>('read entries to archive', `SELECT * FROM entries ${where} ${oldestFirst(POSTGRES)}`, params);
    return rows.filter((row) => matchesSource(row.source)).map(storedEntry);
  }

  async archivePageCount(feed: string): Promise<number> {
    const rows = await this.rows<{ n: number }>('read archive pages', 'SELECT coalesce(max(number), 0)::integer AS n FROM archive_pages WHERE feed = $1', [feed]);
    return rows[0]!.n;
  }

  async settleWithoutArchiving(feed: string, entryIds: readonly string[]): Promise<void> {
    await this.rows('settle archived entries', 'INSERT INTO archived_entries (feed, entry_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [feed, entryIds]);
  }

  async addArchivePage(feed: string, number: number, entryIds: readonly string[]): Promise<void> {
    await this.transaction('add an archive page', async (client) => {
      await client.query('INSERT INTO archive_pages (feed, number, entry_ids) VALUES ($1, $2, $3)', [feed, number, JSON.stringify(entryIds)]);
      await client.query('INSERT INTO archived_entries (feed, entry_id) SELECT $1, unnest($2::text[])', [feed, entryIds]);
    });
  }

  async archivePageEntryIds(feed: string, number: number): Promise<string[] | undefined> {
    const rows = await this.rows<{ entry_ids: string }>('read an archive page', 'SELECT entry_ids FROM archive_pages WHERE feed = $1 AND number = $2', [feed, number]);
    return rows[0] ? (JSON.parse(rows[0].entry_ids) as string[]) : undefined;
  }

  async meta(key: string): Promise<string | undefined> {
    const rows = await this.rows<{ value: string }>('read meta', 'SELECT value FROM meta WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setMeta(key: string, value: string | undefined): Promise<void> {
    if (value === undefined) {
      await this.rows('forget meta', 'DELETE FROM meta WHERE key = $1', [key]);
      return;
    }
    await this.rows('write meta', 'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async passCount(): Promise<number> {
    return (await this.rows<{ n: number }>('count passes', 'SELECT count(*) AS n FROM passes'))[0]!.n;
  }

  async entryCount(): Promise<number> {
    return (await this.rows<{ n: number }>('count entries', 'SELECT count(*) AS n FROM entries'))[0]!.n;
  }

  async entry(id: string): Promise<StoredEntry | undefined> {
    const rows = await this.rows<EntryRow>('read an entry', 'SELECT * FROM entries WHERE id = $1', [id]);
    return rows[0] ? storedEntry(rows[0]) : undefined;
  }

  async recordPass(pass: PassRecord): Promise<void> {
    await this.rows(
      'record a pass',
      `INSERT INTO passes (started_ms, duration_ms, sources_ok, sources_failed, sources_unchanged, entries_new, entries_updated, entries_unchanged, files_written, files_unchanged)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [pass.startedMs, pass.durationMs, pass.sourcesOk, pass.sourcesFailed, pass.sourcesUnchanged, pass.entriesNew, pass.entriesUpdated, pass.entriesUnchanged, pass.filesWritten, pass.filesUnchanged],
    );
  }

  async lastPass(): Promise<(PassRecord & { id: number }) | undefined> {
    const rows = await this.rows<Record<string, number>>('read the last pass', 'SELECT * FROM passes ORDER BY id DESC LIMIT 1');
    return rows[0] ? passRecordFrom(rows[0]) : undefined;
  }

  /**
   * A session advisory lock on a connection kept for the pass. The server drops it when the
   * connection ends, so a worker that dies (even by kill -9) never leaves it held, with no pid to
   * check and no file to share between machines.
   */
  async lockPasses(onLost?: (reason: string) => void): Promise<ReleasePassLock> {
    // An advisory lock lives as long as its connection: when the server ends it, the lock is gone.
    let lost: Error | undefined;
    const client = await this.connect('take the pass lock', (error) => {
      if (lost) return;
      lost = error;
      onLost?.(`the connection holding it to ${this.where} ended: ${describeError(error)}`);
    });
    let locked: boolean;
    try {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, ${SCHEMA_KEY}) AS locked`, [PASS_LOCK]);
      locked = rows[0]!.locked;
    } catch (error) {
      client.release(error as Error);
      throw new StoreError(`cannot take the pass lock on ${this.where}: ${describeError(error)}`, { cause: error });
    }
    if (!locked) {
      client.release();
      throw new LockError(`another feedloom pass holds the pass lock on ${this.where}`);
    }
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      this.locks.delete(release);
      if (lost) {
        client.release(lost);
        return;
      }
      try {
        await client.query(`SELECT pg_advisory_unlock($1, ${SCHEMA_KEY})`, [PASS_LOCK]);
        client.release();
      } catch (error) {
        // Destroying the connection ends its lock just the same.
        client.release(error as Error);
      }
    };
    this.locks.add(release);
    return release;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const release of [...this.locks]) await release();
    await this.pool.end();
  }

  private async connect(what: string, onLost?: (error: Error) => void): Promise<pg.PoolClient> {
    try {
      return await checkOut(this.pool, onLost);
    } catch (error) {
      throw new StoreError(`cannot ${what}: cannot connect to ${this.where}: ${describeError(error)}`, { cause: error });
    }
  }

  private async rows<Row extends pg.QueryResultRow>(what: string, sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.pool.query<Row>(sql, params)).rows;
    } catch (error) {
      throw new StoreError(`cannot ${what} in ${this.where}: ${describeError(error)}`, { cause: error });
    }
  }

  /** Runs `work` in a transaction on one connection; a failure is a StoreError with the cause. */
  private async transaction<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect(what);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is not given back to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw new StoreError(`cannot ${what} in ${this.where}: ${describeError(error)}`, { cause: error });
    } finally {
      client.release(broken);
    }
  }
}

/** SQL NULL is a field the record does not have. */
function sourceRecordFrom(row: Record<string, unknown>): SourceRecord {
  for (const field in row) if (row[field] === null) delete row[field];
  return row as unknown as SourceRecord;
}
