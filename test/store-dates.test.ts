// Dates are what the source says: entries that share a minute keep it, a state an earlier
// version wrote with moved dates gets the source's dates back, and a new state file opened by
// several processes at once is created once.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
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
    const version = db.pragma('user_version', { simple: true }) as number;
    const moved = db.prepare("SELECT id FROM entries WHERE published_ms = ? ORDER BY id").pluck().all(Date.parse('2026-03-02T08:50:00Z')) as string[];
    moved.forEach((id, index) => db.prepare('UPDATE entries SET published_ms = published_ms + ?, updated_ms = updated_ms + ? WHERE id = ?').run(index * 1000, index * 1000, id));
    db.exec('CREATE INDEX entries_by_updated ON entries (updated_ms)');
    db.pragma(`user_version = ${version - 1}`);
    db.close();
    expect(storedDates(upgraded.stateFile)).toContain('2026-03-02T08:50:02.000Z 2026-03-02T08:50:02.000Z');

    const summary = await pass(upgraded);
    expect(summary.entriesUpdated).toBe(2);
    expect(storedDates(upgraded.stateFile)).toEqual(storedDates(clean.stateFile));
    expect(feedFiles(upgraded.outDir)).toEqual(feedFiles(clean.outDir));
    // And the pass after that has nothing left to repair.
    expect((await pass(upgraded)).entriesUpdated).toBe(0);
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
