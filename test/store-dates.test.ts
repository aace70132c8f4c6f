// Dates and links are what the source says: entries that share a minute keep it, a state an
// earlier version wrote with moved dates gets the source's dates back, links an earlier version
// pointed into out/ are cleared, and a new state file opened by several processes at once is
// created once.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { entryPageUrl } from '../src/layout.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { ROOT } from './support/built-cli.js';
import { filesUnder, passWithLogs, TempDirs, writePage, type PageSpec } from './support/feed-site.js';

const temps = new TempDirs();
afterAll(() => temps.cleanup());

const NOW = new Date('2026-03-02T12:00:00Z');
const PAGE: PageSpec = {
  captured: '2026-03-02T09:30:00+00:00',
  lead: 'The ferry timetable changes on Monday for the winter months.',
  briefs: [
    { time: '08:50', topic: 'Port', text: 'The north quay reopens to small boats after the storm repairs.' },
    { time: '08:50', topic: 'Roads', text: 'The coast road is closed at the bridge until noon for resurfacing.' },
    { time: '08:50', topic: 'Weather', text: 'A gale warning holds for the headland until the evening.' },
    { time: '08:41', topic: 'Council', text: 'The harbour committee meets on Thursday to discuss mooring fees.' },
  ],
};

function site(): { sourcesDir: string; outDir: string; stateFile: string } {
  const dir = temps.make('dates');
  const sourcesDir = path.join(dir, 'sources');
  writePage(sourcesDir, 'harbour.txt', PAGE);
  writeFileSync(path.join(sourcesDir, 'site.yaml'), 'title: Harbour Desk\nurl: https://desk.example.test/\ntimezone: UTC\n');
  return { sourcesDir, outDir: path.join(dir, 'out'), stateFile: path.join(dir, 'state.db') };
}

async function pass(where: ReturnType<typeof site>) {
  const store = SqliteStore.open(where.stateFile);
  try {
    return (await passWithLogs({ sourcesDir: where.sourcesDir, outDir: where.outDir, store, now: () => NOW })).summary;
  } finally {
    await store.close();
  }
}

function feedFiles(outDir: string): Map<string, string> {
  const names = filesUnder(outDir).filter((name) => /(^|\/)(rss\.xml|atom\.xml|feed\.json)$/.test(name));
  return new Map(names.map((name) => [name, readFileSync(path.join(outDir, name), 'utf8')]));
}

function storedDates(stateFile: string): string[] {
  const db = new Database(stateFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT published_ms, updated_ms FROM entries ORDER BY published_ms, id').all() as { published_ms: number; updated_ms: number }[];
    return rows.map((row) => `${new Date(row.published_ms).toISOString()} ${new Date(row.updated_ms).toISOString()}`);
  } finally {
    db.close();
  }
}

function storedLinks(stateFile: string): string[] {
  const db = new Database(stateFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, link FROM entries ORDER BY id').all() as { id: string; link: string | null }[];
    return rows.map((row) => `${row.id} ${row.link}`);
  } finally {
    db.close();
  }
}

/** Schema versions of earlier releases: the one before dates were kept as given, the one before links were. */
const BEFORE_DATES_AS_GIVEN = 4;
const BEFORE_LINKS_AS_GIVEN = 5;
/** Columns later steps add, which a state of an earlier version did not have. */
const ADDED_LATER: Record<number, string[]> = { 6: ['sources.briefs', 'sources.brief_lists', 'sources.degraded_from'] };

/** Makes a state this version wrote look as one an earlier version left: its version, without the columns added since. */
function asSchemaVersion(db: Database.Database, version: number): void {
  for (const [step, columns] of Object.entries(ADDED_LATER)) {
    if (Number(step) < version) continue;
    for (const column of columns) {
      const [table, name] = column.split('.');
      db.exec(`ALTER TABLE ${table} DROP COLUMN ${name}`);
    }
  }
  db.pragma(`user_version = ${version}`);
}

/** Links as earlier versions stored them for entries without a page of their own: into out/. */
function linksIntoOut(db: Database.Database): void {
  const ids = db.prepare('SELECT id FROM entries WHERE link IS NULL').pluck().all() as string[];
  for (const id of ids) db.prepare('UPDATE entries SET link = ? WHERE id = ?').run(entryPageUrl('https://desk.example.test/', id), id);
}

describe('dates as the source gives them', () => {
  it('publishes three briefs at 08:50 all at 08:50:00, in every format', async () => {
    const where = site();
    expect((await pass(where)).entriesNew).toBe(5);
    expect(storedDates(where.stateFile).filter((line) => line.startsWith('2026-03-02T08:50:00.000Z 2026-03-02T08:50:00.000Z'))).toHaveLength(3);
    const feeds = feedFiles(where.outDir);
    expect(feeds.get('atom.xml')!.match(/<updated>2026-03-02T08:50:00.000Z<\/updated>/g)).toHaveLength(3);
    expect(feeds.get('rss.xml')!.match(/<pubDate>Mon, 02 Mar 2026 08:50:00 GMT<\/pubDate>/g)).toHaveLength(3);
    expect(feeds.get('rss.xml')).not.toMatch(/08:50:0[1-9]/);
  });

  it('gives a state an earlier version wrote, with dates moved by seconds, the source dates back on the next pass', async () => {
    const clean = site();
    await pass(clean);
    const upgraded = site();
    await pass(upgraded);
    // What an earlier version left: the three 08:50 briefs at :00, :01 and :02, the unique
    // instant index, its schema version, and the stamps that say every source is unchanged.
    const db = new Database(upgraded.stateFile);
    const moved = db.prepare("SELECT id FROM entries WHERE published_ms = ? ORDER BY id").pluck().all(Date.parse('2026-03-02T08:50:00Z')) as string[];
    moved.forEach((id, index) => db.prepare('UPDATE entries SET published_ms = published_ms + ?, updated_ms = updated_ms + ? WHERE id = ?').run(index * 1000, index * 1000, id));
    db.exec('CREATE INDEX entries_by_updated ON entries (updated_ms)');
    linksIntoOut(db);
    asSchemaVersion(db, BEFORE_DATES_AS_GIVEN);
    db.close();
    expect(storedDates(upgraded.stateFile)).toContain('2026-03-02T08:50:02.000Z 2026-03-02T08:50:02.000Z');

    const summary = await pass(upgraded);
    expect(summary.entriesUpdated).toBe(2);
    expect(storedDates(upgraded.stateFile)).toEqual(storedDates(clean.stateFile));
    expect(storedLinks(upgraded.stateFile)).toEqual(storedLinks(clean.stateFile));
    expect(feedFiles(upgraded.outDir)).toEqual(feedFiles(clean.outDir));
    // And the pass after that has nothing left to repair.
    expect((await pass(upgraded)).entriesUpdated).toBe(0);
  });
});

describe('links as the source gives them', () => {
  it('stores no link for a brief, and clears the links into out/ an earlier version stored', async () => {
    const clean = site();
    await pass(clean);
    expect(new Set(storedLinks(clean.stateFile).map((line) => line.split(' ')[1]))).toEqual(new Set(['null']));
    const upgraded = site();
    await pass(upgraded);
    // What an earlier version left: a link column that may not be empty, holding the URL of the
    // page out/ has for each entry without a page of its own.
    const db = new Database(upgraded.stateFile);
    const columns = db.prepare("SELECT group_concat(name, ', ') FROM pragma_table_info('entries')").pluck().get() as string;
    db.exec(`CREATE TABLE entries_then (id TEXT PRIMARY KEY, source TEXT NOT NULL, kind TEXT NOT NULL, categories TEXT NOT NULL, link TEXT NOT NULL, page_url TEXT,
      published_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, first_seen_ms INTEGER NOT NULL, captured_ms INTEGER NOT NULL, content_hash TEXT NOT NULL, body TEXT NOT NULL)`);
    linksIntoOut(db);
    db.exec(`INSERT INTO entries_then (${columns}) SELECT ${columns} FROM entries; DROP TABLE entries; ALTER TABLE entries_then RENAME TO entries`);
    asSchemaVersion(db, BEFORE_LINKS_AS_GIVEN);
    db.close();
    expect(storedLinks(upgraded.stateFile).every((line) => line.includes(' https://desk.example.test/entries/'))).toBe(true);

    const summary = await pass(upgraded);
    expect(summary.entriesUpdated).toBe(0);
    expect(storedLinks(upgraded.stateFile)).toEqual(storedLinks(clean.stateFile));
    expect(filesUnder(upgraded.outDir).filter((name) => name !== 'status.json').map((name) => [name, readFileSync(path.join(upgraded.outDir, name), 'utf8')])).toEqual(
      filesUnder(clean.outDir).filter((name) => name !== 'status.json').map((name) => [name, readFileSync(path.join(clean.outDir, name), 'utf8')]),
    );
    // A new brief after the upgrade is published with its page too.
    writePage(upgraded.sourcesDir, 'harbour.txt', { ...PAGE, captured: '2026-03-02T10:30:00+00:00', briefs: [{ time: '10:05', topic: 'Port', text: 'The dredger leaves the harbour mouth at high tide.' }, ...PAGE.briefs!] });
    expect((await pass(upgraded)).entriesNew).toBe(1);
    expect(filesUnder(upgraded.outDir).filter((name) => name.startsWith('entries/'))).toHaveLength(6);
  });
});

describe('a new state file opened by several processes at once', () => {
  const execFileAsync = promisify(execFile);
  const opener = [
    `const { SqliteStore } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'store', 'sqlite-store.js'))});`,
    'const store = SqliteStore.open(process.argv[1]);',
    'console.log(await store.entryCount());',
    'await store.close();',
  ].join('\n');

  it('is created once, and every process opens it', async () => {
    for (let trial = 0; trial < 6; trial++) {
      const file = path.join(temps.make('race'), 'state.db');
      const opened = await Promise.allSettled(Array.from({ length: 5 }, () => execFileAsync(process.execPath, ['--input-type=module', '-e', opener, file])));
      const failures = opened.flatMap((result) => (result.status === 'rejected' ? [String((result.reason as { stderr?: string }).stderr ?? result.reason)] : []));
      expect(failures).toEqual([]);
      expect(opened.map((result) => (result.status === 'fulfilled' ? result.value.stdout.trim() : ''))).toEqual(['0', '0', '0', '0', '0']);
    }
  }, 60_000);
});
