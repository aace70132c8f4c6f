// The worker's memory: every entry ever published, each source's last result, each pass.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import type { Entry, FeedFilter, StoredEntry } from '../model.js';
import { ENTRY_COLUMNS, type EntryRow, passRecordFrom, readEntry, REPLACED_COLUMNS, SOURCE_COLUMNS, type StorableEntry, storableEntry, storedEntry, writtenRow } from './entry-row.js';
import { decideEntry, type StoredDates } from './entry-rules.js';
import { FEED_PAGE_ROWS, feedWhere, newestFirst, notArchivedFor, oldestFirst, positionOf, readFeed, type SqlDialect } from './feed-query.js';
import { acquireFileLock, passLockFile } from './file-lock.js';
import { migrate } from './schema.js';
import type { EntryCounts, PageStamp, PassRecord, PassWriter, ReleasePassLock, SourceRecord, Store } from './store.js';

export type { EntryCounts, PageStamp, PassRecord, SourceRecord } from './store.js';

/** SQLite compares text byte by byte (its BINARY collation), and takes categories as JSON text. */
const SQLITE: SqlDialect = {
  placeholder: () => '?',
  idInByteOrder: 'id',
  anyCategory: (categories, params) => {
    params.push(...categories);
    return `EXISTS (SELECT 1 FROM json_each(categories) WHERE value IN (${categories.map(() => '?').join(', ')}))`;
  },
};

const WAL_CHECKPOINT_BYTES = 64 * 1024 * 1024;

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements;

  private constructor(db: Database.Database, private readonly file: string) {
    this.db = db;
    this.statements = {
      entry: db.prepare<[string], EntryRow>('SELECT * FROM entries WHERE id = ?'),
      entryState: db.prepare<[string], StoredDates>(
        'SELECT published_ms, updated_ms, captured_ms, first_seen_ms, content_hash FROM entries WHERE id = ?',
      ),
      // Positional parameters: binding twelve named ones per row costs more than the insert.
      insertEntry: db.prepare(`INSERT INTO entries (${ENTRY_COLUMNS.join(', ')}) VALUES (${ENTRY_COLUMNS.map(() => '?').join(', ')})`),
      replaceEntry: db.prepare(`UPDATE entries SET ${REPLACED_COLUMNS.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`),
      touchEntry: db.prepare('UPDATE entries SET captured_ms = ?, content_hash = ? WHERE id = ?'),
      sources: db.prepare(`SELECT ${SOURCE_COLUMNS.map(([, column]) => column).join(', ')} FROM sources`).raw(true),
      source: db.prepare(`SELECT ${SOURCE_COLUMNS.map(([, column]) => column).join(', ')} FROM sources WHERE source = ?`).raw(true),
      pageStamps: db.prepare<[string, string], PageStamp & { source: string }>(
        `SELECT source, size, mtime_ms AS mtimeMs, entries FROM sources WHERE kind = ? AND status = 'ok' AND fingerprint = ?`,
      ),
      upsertSource: db.prepare(
        `INSERT INTO sources (${SOURCE_COLUMNS.map(([, column]) => column).join(', ')})
         VALUES (${SOURCE_COLUMNS.map(([field]) => `@${field}`).join(', ')})
         ON CONFLICT (source) DO UPDATE SET ${SOURCE_COLUMNS.slice(1).map(([, column]) => `${column} = excluded.${column}`).join(', ')}`,
      ),
      insertPass: db.prepare(
        `INSERT INTO passes (started_ms, duration_ms, sources_ok, sources_failed, sources_unchanged, entries_new, entries_updated,
           entries_unchanged, files_written, files_unchanged)
         VALUES (@startedMs, @durationMs, @sourcesOk, @sourcesFailed, @sourcesUnchanged, @entriesNew, @entriesUpdated,
           @entriesUnchanged, @filesWritten, @filesUnchanged)`,
      ),
      lastPass: db.prepare('SELECT * FROM passes ORDER BY id DESC LIMIT 1'),
    };
  }

  /** Opens (creating if needed) the state file and brings its schema up to date. */
  static open(file: string): SqliteStore {
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      const db = new Database(file);
      // First: another process may be creating the same file, and every step below waits for it.
      db.pragma('busy_timeout = 5000');
      // 16 KB pages for a new file (an existing one keeps its own): a first pass over thousands of
      // pages writes each index page it touches once per transaction, and with larger pages there
      // are a quarter as many to write. It must come before WAL mode, which fixes the page size.
      db.pragma('page_size = 16384');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Checkpoint the log at about 64 MB rather than SQLite's 1,000 pages: a first pass over
      // thousands of pages then copies its writes into the database once or twice, not at every
      // batch it commits.
      db.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_CHECKPOINT_BYTES / (db.pragma('page_size', { simple: true }) as number))}`);
      migrate(db);
      return new SqliteStore(db, file);
    } catch (error) {
      throw new StoreError(`cannot open state file ${file}: ${(error as Error).message}`, { cause: error });
    }
  }

  async sourceRecords(): Promise<Map<string, SourceRecord>> {
    const records = new Map<string, SourceRecord>();
    for (const row of this.statements.sources.all() as unknown[][]) records.set(row[0] as string, sourceRecordFrom(row));
    return records;
  }

  async sourceRecord(source: string): Promise<SourceRecord | undefined> {
    const row = this.statements.source.get(source) as unknown[] | undefined;
    return row ? sourceRecordFrom(row) : undefined;
  }

  /**
   * Size, modification time and entry count of every source of `kind` last read fine with these
   * settings: all a pass needs to tell that a page file is unchanged, without whole records.
   */
  async pageStamps(kind: string, fingerprint: string): Promise<Map<string, PageStamp>> {
    const stamps = new Map<string, PageStamp>();
    // Each row is its own stamp (its extra `source` field does no harm): one object per page.
    for (const row of this.statements.pageStamps.all(kind, fingerprint)) stamps.set(row.source, row);
    return stamps;
  }

  /**
   * Stores what a pass read, in one transaction: entries (new, changed or unchanged) and the
   * sources' results. A version from an older capture never replaces a newer one.
   */
  async applyPass(entries: readonly Entry[], sources: readonly SourceRecord[], nowMs: number): Promise<EntryCounts> {
    const pass = this.beginPass(nowMs);
    await pass.storeEntries(entries.map(storableEntry));
    return pass.end(sources);
  }

  /**
   * A pass stores its entries as it reads them, a batch at a time, so it never holds every
   * page's entries in memory at once. The same entry met twice in one pass (a brief on two
   * pages) counts once by what was done with it and then as unchanged, so a pass's counts add up
   * to the entries its pages carry (as a pass over unchanged pages counts them); the newest
   * capture's version is the one kept. Each batch is one
   * transaction, run to its end before another pass's batch starts.
   */
  beginPass(nowMs: number): PassWriter {
    const seen = new Map<string, number>();
    const counts: EntryCounts = { new: 0, updated: 0, unchanged: 0 };
    const { db } = this;
    const { upsertSource } = this.statements;
    return {
      storeEntries: async (entries) => {
        this.db.transaction(() => {
          for (const entry of entries) {
            const { capturedMs } = entry;
            const seenMs = seen.get(entry.id);
            // Met again in this pass: counted as unchanged (see the comment above).
            if (seenMs !== undefined) counts.unchanged++;
            if (seenMs !== undefined && capturedMs <= seenMs) continue;
            const outcome = this.applyEntry(entry, nowMs, seenMs !== undefined);
            if (seenMs === undefined) counts[outcome]++;
            seen.set(entry.id, capturedMs);
          }
        })();
      },
      // Named, so a profile of a pass shows where its sources were recorded.
      end: async function endPass(sources) {
        db.transaction(() => {
          for (const record of sources) upsertSource.run(sourceRow(record));
        })();
        return { ...counts };
      },
    };
  }

  private applyEntry(entry: StorableEntry, nowMs: number, storedThisPass = false): keyof EntryCounts {
    const existing = this.statements.entryState.get(entry.id);
    const { count, write } = decideEntry(readEntry(entry), existing, { nowMs, storedThisPass });
    if (write.kind === 'insert') {
      const row = writtenRow(entry, write);
      this.statements.insertEntry.run(...ENTRY_COLUMNS.map((column) => row[column]));
    } else if (write.kind === 'replace') {
      const row = writtenRow(entry, write);
      this.statements.replaceEntry.run(...REPLACED_COLUMNS.map((column) => row[column]), row.id);
    } else if (write.kind === 'touch') {
      // Remember the capture so an older one cannot win later (and the hash in today's form,
      // when an earlier version stored the row).
      this.statements.touchEntry.run(entry.capturedMs, entry.contentHash, entry.id);
    }
    return count;
  }

  /**
   * Newest entries first (by publication date, then id), filtered as a feed asks. The same story
   * from two sources (one canonical link) appears once: the newest copy stands for it.
   */
  async feedEntries(filter: FeedFilter, limit: number, matchesSource: (source: string) => boolean): Promise<StoredEntry[]> {
    return readFeed(
      (after) => {
        const { where, params } = feedWhere(SQLITE, filter, after);
        return this.db.prepare<unknown[], EntryRow>(`SELECT * FROM entries ${where} ${newestFirst(SQLITE)} LIMIT ${FEED_PAGE_ROWS}`).all(...params);
      },
      limit,
      matchesSource,
    );
  }

  async unarchivedEntriesAfter(feed: string, filter: FeedFilter, matchesSource: (source: string) => boolean, last: StoredEntry): Promise<StoredEntry[]> {
    const { where, params } = feedWhere(SQLITE, filter, positionOf(last), notArchivedFor(SQLITE, feed));
    const rows = this.db.prepare<unknown[], EntryRow>(`SELECT * FROM entries ${where} ${oldestFirst(SQLITE)}`).all(...params);
    return rows.filter((row) => matchesSource(row.source)).map(storedEntry);
  }

  async archivePageCount(feed: string): Promise<number> {
    return (this.db.prepare('SELECT coalesce(max(number), 0) AS n FROM archive_pages WHERE feed = ?').get(feed) as { n: number }).n;
  }

  /** Marks entries as done with for a feed's archives without putting them in a page. */
  async settleWithoutArchiving(feed: string, entryIds: readonly string[]): Promise<void> {
    const insertEntry = this.db.prepare('INSERT OR IGNORE INTO archived_entries (feed, entry_id) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const id of entryIds) insertEntry.run(feed, id);
    })();
  }

  async addArchivePage(feed: string, number: number, entryIds: readonly string[]): Promise<void> {
    const insertEntry = this.db.prepare('INSERT INTO archived_entries (feed, entry_id) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO archive_pages (feed, number, entry_ids) VALUES (?, ?, ?)').run(feed, number, JSON.stringify(entryIds));
      for (const id of entryIds) insertEntry.run(feed, id);
    })();
  }

  async archivePageEntryIds(feed: string, number: number): Promise<string[] | undefined> {
    const ids = this.db.prepare('SELECT entry_ids FROM archive_pages WHERE feed = ? AND number = ?').pluck().get(feed, number) as string | undefined;
    return ids === undefined ? undefined : (JSON.parse(ids) as string[]);
  }

  async meta(key: string): Promise<string | undefined> {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined;
  }

  async setMeta(key: string, value: string | undefined): Promise<void> {
    if (value === undefined) {
      this.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
      return;
    }
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async passCount(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM passes').get() as { n: number }).n;
  }

  async entryCount(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
  }

  async entry(id: string): Promise<StoredEntry | undefined> {
    const row = this.statements.entry.get(id);
    return row ? storedEntry(row) : undefined;
  }

  async recordPass(pass: PassRecord): Promise<void> {
    this.statements.insertPass.run(pass);
  }

  async lastPass(): Promise<(PassRecord & { id: number }) | undefined> {
    const row = this.statements.lastPass.get() as Record<string, number> | undefined;
    return row ? passRecordFrom(row) : undefined;
  }

  /** A lock file beside the state file; an in-memory state belongs to one process already. */
  async lockPasses(): Promise<ReleasePassLock> {
    if (this.file === ':memory:') return async () => {};
    const release = acquireFileLock(passLockFile(this.file));
    return async () => release();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/**
 * One value from the meta table of a state file that may or may not be the one in use: read
 * without opening it as a store, so nothing is created, migrated or written, and a file that
 * cannot be read (another version's, a broken one) reads as nothing.
 */
export function peekMeta(file: string, key: string): string | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return (db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/** SQL for a feed's kind and category filters (source globs are matched in code). */
/** A row as an array, copied into a record field by field; SQL NULL is a field it does not have. */
function sourceRecordFrom(row: unknown[]): SourceRecord {
  const record: Record<string, unknown> = {};
  for (let column = 0; column < SOURCE_COLUMNS.length; column++) {
    if (row[column] !== null) record[SOURCE_COLUMNS[column]![0]] = row[column];
  }
  return record as unknown as SourceRecord;
}

function sourceRow(record: SourceRecord): Record<string, unknown> {
  return Object.fromEntries(SOURCE_COLUMNS.map(([field]) => [field, record[field] ?? null]));
}
