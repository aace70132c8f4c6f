// The state contract: what a pass, the publisher and the server need from wherever the state is
// kept. Two backends implement it, SQLite (one process, the default) and PostgreSQL (several
// workers sharing one database); test/store-contract.ts holds both to the same behaviour.
// Methods return promises because a database server answers asynchronously. Types only: the
// backends are loaded by kind in open-store.ts.
import type { Entry, FeedFilter, StoredEntry } from '../model.js';
import type { StorableEntry } from './entry-row.js';

export interface SourceRecord {
  source: string;
  kind: string;
  url?: string;
  size?: number;
  mtimeMs?: number;
  bytesHash?: string;
  /** Settings the source was normalized with; when they change, it is read again. */
  fingerprint?: string;
  status: 'ok' | 'failed';
  error?: string;
  entries: number;
  lastAttemptMs: number;
  lastSuccessMs?: number;
  /** Validators of the last fetched document, for a conditional GET. */
  etag?: string;
  lastModified?: string;
  /** Failures in a row; reset by a success. */
  failures: number;
  /** Not fetched again before this time (backoff, Retry-After, own schedule). */
  nextAttemptMs?: number;
  /** An HTML page read without selectors: the briefs its lists gave when it was last read. */
  briefs?: number;
  /** The labels of those lists, one per line. */
  briefLists?: string;
  /** Set while a page that gave this many briefs gives none: what it shows is no longer found. */
  degradedFrom?: number;
}

/** What tells that a page file is unchanged since it was last read fine. */
export interface PageStamp {
  size: number;
  mtimeMs: number;
  entries: number;
}

export interface EntryCounts {
  new: number;
  updated: number;
  unchanged: number;
}

export interface PassRecord {
  startedMs: number;
  durationMs: number;
  sourcesOk: number;
  sourcesFailed: number;
  sourcesUnchanged: number;
  entriesNew: number;
  entriesUpdated: number;
  entriesUnchanged: number;
  filesWritten: number;
  filesUnchanged: number;
}

/** Ends a pass lock; idempotent. */
export type ReleasePassLock = () => Promise<void>;

/** One pass's way into the store: its own counts and the entries it has met. */
export interface PassWriter {
  /** Entries as storableEntry (entry-row.ts) makes them, wherever they were read. */
  storeEntries(entries: readonly StorableEntry[]): Promise<void>;
  /** Records the sources' results; the counts of the whole pass. */
  end(sources: readonly SourceRecord[]): Promise<EntryCounts>;
}

export interface Store {
  /** Every source's last result, by source id. */
  sourceRecords(): Promise<Map<string, SourceRecord>>;
  sourceRecord(source: string): Promise<SourceRecord | undefined>;
  /**
   * Size, modification time and entry count of every source of `kind` last read fine with these
   * settings (fingerprint): all a pass needs to tell a page file is unchanged, without whole records.
   */
  pageStamps(kind: string, fingerprint: string): Promise<Map<string, PageStamp>>;

  /**
   * A pass stores entries as it reads them: beginPass gives it a handle of its own, storeEntries
   * once per batch, end with the sources' results. Counts are per entry id: the same entry met
   * twice in one pass counts once, and the newest capture's version is kept. An older capture
   * never replaces a newer one; `updated` moves only when an entry's text changes; dates are the
   * source's, and entries may share one (the rules are in entry-rules.ts). Several passes may be
   * open on one store at once (a worker's concurrent jobs): each batch is its own transaction.
   */
  beginPass(nowMs: number): PassWriter;
  /** beginPass, storeEntries and end in one call, for entries as normalize gives them. */
  applyPass(entries: readonly Entry[], sources: readonly SourceRecord[], nowMs: number): Promise<EntryCounts>;

  /** Newest first (published, then id in byte order); one entry per link, the newest copy. */
  feedEntries(filter: FeedFilter, limit: number, matchesSource: (source: string) => boolean): Promise<StoredEntry[]>;
  /** A feed's entries after `last` in its newest-first order, not archived yet, oldest first. */
  unarchivedEntriesAfter(feed: string, filter: FeedFilter, matchesSource: (source: string) => boolean, last: StoredEntry): Promise<StoredEntry[]>;
  archivePageCount(feed: string): Promise<number>;
  /** Marks entries as done with for a feed's archives without putting them in a page. */
  settleWithoutArchiving(feed: string, entryIds: readonly string[]): Promise<void>;
  addArchivePage(feed: string, number: number, entryIds: readonly string[]): Promise<void>;
  /** The ids an archive page was written with, oldest first; undefined for a page never written. */
  archivePageEntryIds(feed: string, number: number): Promise<string[] | undefined>;

  meta(key: string): Promise<string | undefined>;
  /** Sets a fact, or forgets it when `value` is undefined. */
  setMeta(key: string, value: string | undefined): Promise<void>;
  passCount(): Promise<number>;
  entryCount(): Promise<number>;
  entry(id: string): Promise<StoredEntry | undefined>;
  recordPass(pass: PassRecord): Promise<void>;
  lastPass(): Promise<(PassRecord & { id: number }) | undefined>;

  /**
   * One pass at a time per state, across processes: a cron line that fires while the previous
   * pass still runs, or `run` beside a running `start`, must not interleave writes to out/.
   * Throws LockError while another process holds it. `onLost` is told if the lock ends before
   * it is released (a PostgreSQL lock ends with its connection): another pass may then start.
   */
  lockPasses(onLost?: (reason: string) => void): Promise<ReleasePassLock>;
  close(): Promise<void>;
}
