// Versioned migrations of the SQLite state. Each runs once, in order, inside a transaction.
import type Database from 'better-sqlite3';
import { isEntryPageUrl } from '../layout.js';

/** Forgets what tells a source is unchanged, so the next pass reads each one again (page_listing: WATERMARKS.pageListing). */
export const READ_EVERY_SOURCE_AGAIN = `UPDATE sources SET size = NULL, mtime_ms = NULL, bytes_hash = NULL, fingerprint = NULL, etag = NULL, last_modified = NULL;
   DELETE FROM meta WHERE key = 'page_listing';`;

/** A step is SQL, or code for what SQL alone cannot say. */
type Migration = string | ((db: Database.Database) => void);

const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE entries (
     id            TEXT PRIMARY KEY,
     source        TEXT NOT NULL,
     kind          TEXT NOT NULL,
     categories    TEXT NOT NULL,
     link          TEXT NOT NULL,
     page_url      TEXT,
     published_ms  INTEGER NOT NULL,
     updated_ms    INTEGER NOT NULL,
     first_seen_ms INTEGER NOT NULL,
     captured_ms   INTEGER NOT NULL,
     content_hash  TEXT NOT NULL,
     body          TEXT NOT NULL
   );
   CREATE INDEX entries_newest_first ON entries (published_ms DESC, id);
   CREATE INDEX entries_by_updated ON entries (updated_ms);
   CREATE TABLE sources (
     source          TEXT PRIMARY KEY,
     kind            TEXT NOT NULL,
     size            INTEGER,
     mtime_ms        REAL,
     bytes_hash      TEXT,
     fingerprint     TEXT,
     status          TEXT NOT NULL,
     error           TEXT,
     entries         INTEGER NOT NULL DEFAULT 0,
     last_attempt_ms INTEGER NOT NULL,
     last_success_ms INTEGER
   ) WITHOUT ROWID;
   CREATE TABLE passes (
     id                INTEGER PRIMARY KEY AUTOINCREMENT,
     started_ms        INTEGER NOT NULL,
     duration_ms       INTEGER NOT NULL,
     sources_ok        INTEGER NOT NULL,
     sources_failed    INTEGER NOT NULL,
     sources_unchanged INTEGER NOT NULL,
     entries_new       INTEGER NOT NULL,
     entries_updated   INTEGER NOT NULL,
     entries_unchanged INTEGER NOT NULL,
     files_written     INTEGER NOT NULL,
     files_unchanged   INTEGER NOT NULL
   );`,
  // Remote sources: conditional GET validators and backoff.
  `ALTER TABLE sources ADD COLUMN url TEXT;
   ALTER TABLE sources ADD COLUMN etag TEXT;
   ALTER TABLE sources ADD COLUMN last_modified TEXT;
   ALTER TABLE sources ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE sources ADD COLUMN next_attempt_ms INTEGER;`,
  // RFC 5005 archives: which entries each feed has archived, in which page.
  `CREATE TABLE archive_pages (
     feed      TEXT NOT NULL,
     number    INTEGER NOT NULL,
     entry_ids TEXT NOT NULL,
     PRIMARY KEY (feed, number)
   ) WITHOUT ROWID;
   CREATE TABLE archived_entries (
     feed     TEXT NOT NULL,
     entry_id TEXT NOT NULL,
     PRIMARY KEY (feed, entry_id)
   ) WITHOUT ROWID;`,
  // Small facts about the last publish.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
  // Dates as the source gives them: entries may share an `updated` instant, and nothing looks
  // them up by it any more. Earlier versions moved a taken instant on by whole seconds; every
  // source is read again on the next pass (no stamp, no validators, no page listing), and the
  // entry rules give each entry its source's date back.
  `DROP INDEX entries_by_updated;
   ${READ_EVERY_SOURCE_AGAIN}`,
  // An entry's link is its own page or nothing: earlier versions stored the URL of the page
  // publish writes for an entry without one (out/entries/...), which ties the state to the site's
  // address and to the layout of out/. The column may be NULL now, and those URLs are cleared.
  (db) => {
    db.exec(`CREATE TABLE entries_next (
       id            TEXT PRIMARY KEY,
       source        TEXT NOT NULL,
       kind          TEXT NOT NULL,
       categories    TEXT NOT NULL,
       link          TEXT,
       page_url      TEXT,
       published_ms  INTEGER NOT NULL,
       updated_ms    INTEGER NOT NULL,
       first_seen_ms INTEGER NOT NULL,
       captured_ms   INTEGER NOT NULL,
       content_hash  TEXT NOT NULL,
       body          TEXT NOT NULL
     );
     INSERT INTO entries_next SELECT id, source, kind, categories, link, page_url, published_ms, updated_ms, first_seen_ms, captured_ms, content_hash, body FROM entries;
     DROP TABLE entries;
     ALTER TABLE entries_next RENAME TO entries;
     CREATE INDEX entries_newest_first ON entries (published_ms DESC, id);`);
    const clear = db.prepare('UPDATE entries SET link = NULL WHERE id = ?');
    for (const { id, link } of db.prepare("SELECT id, link FROM entries WHERE link LIKE '%.html'").all() as { id: string; link: string }[]) {
      if (isEntryPageUrl(link, id)) clear.run(id);
    }
  },
  // HTML pages read without selectors: what their lists gave, to tell when that stops.
  `ALTER TABLE sources ADD COLUMN briefs INTEGER;
   ALTER TABLE sources ADD COLUMN brief_lists TEXT;
   ALTER TABLE sources ADD COLUMN degraded_from INTEGER;`,
];

/**
 * Brings the schema up to date. Each step runs in an IMMEDIATE transaction, which takes the
 * file's write lock first and reads the version under it: two processes opening a new state at
 * once take turns, and the second finds the step done.
 */
export function migrate(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  while (version() < MIGRATIONS.length) {
    db.transaction(() => {
      const current = version();
      if (current >= MIGRATIONS.length) return;
      const step = MIGRATIONS[current]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${current + 1}`);
    }).immediate();
  }
}
