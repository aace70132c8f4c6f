// The built command line, run as an operator would: exit codes, JSON log lines, files in out/.
// Every test works on its own temporary copy of test/fixtures/pages.
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, CLI, ROOT } from './support/built-cli.js';
import type { LogLine } from './support/feed-site.js';
import { acquireFileLock, passLockFile } from '../src/store/file-lock.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PAGES = path.join(here, 'fixtures', 'pages');
const BAD_PAGES = path.join(here, 'fixtures', 'bad-pages');
const LATER_PAGES = path.join(here, 'fixtures', 'later-pages');
const GOOD_PAGE_COUNT = 4;
const TEMP_FILE = /\.tmp$/;

const LEVEL = { info: 30, warn: 40, error: 50, fatal: 60 } as const;

beforeAll(buildIfStale, 120_000);

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface Workspace {
  root: string;
  sources: string;
  out: string;
  state: string;
}

function workspace(): Workspace {
  const root = mkdtempSync(path.join(tmpdir(), 'feedloom-cli-'));
  temps.push(root);
  const sources = path.join(root, 'sources');
  cpSync(PAGES, sources, { recursive: true });
  return { root, sources, out: path.join(root, 'out'), state: path.join(root, 'state', 'feedloom.db') };
}


interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  logs: LogLine[];
}

/** Stdout is JSON lines when it is not a terminal; a line that is not JSON fails the test. */
function parseLogs(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

function cli(args: string[], cwd = ROOT): RunResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' },
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, logs: [] };
}

function run(ws: Workspace, extra: string[] = []): RunResult {
  const result = cli(['run', '--sources', ws.sources, '--out', ws.out, '--state', ws.state, ...extra]);
  return { ...result, logs: parseLogs(result.stdout) };
}

function summaryOf(result: RunResult): LogLine {
  const summaries = result.logs.filter((line) => line.msg === 'pass finished');
  expect(summaries, result.stdout).toHaveLength(1);
  return summaries[0]!;
}

/** Every file under `dir`, relative, "/"-separated, sorted; [] when `dir` does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

interface FileState {
  bytes: string;
  mtimeMs: number;
}

function snapshot(dir: string): Record<string, FileState> {
  const files: Record<string, FileState> = {};
  for (const name of filesUnder(dir)) {
    const file = path.join(dir, name);
    files[name] = { bytes: readFileSync(file).toString('base64'), mtimeMs: statSync(file).mtimeMs };
  }
  return files;
}

interface JsonItem {
  id: string;
  url: string;
  title: string;
  date_published: string;
  date_modified: string;
  tags?: string[];
}

function feedItems(ws: Workspace, feed = 'feed.json'): JsonItem[] {
  return (JSON.parse(readFileSync(path.join(ws.out, feed), 'utf8')) as { items: JsonItem[] }).items;
}

/** The bad pages, the two binary ones written here so that no binary file lives in git. */
function writeBadPages(sources: string): string[] {
  cpSync(BAD_PAGES, sources, { recursive: true, filter: (file) => !file.endsWith('.md') });
  // A photo saved under a page name: PNG signature and header, NUL bytes included.
  writeFileSync(path.join(sources, 'binary.txt'), Buffer.from('89504e470d0a1a0a0000000d4948445200000280000001e008060000', 'hex'));
  // A page saved as Windows-1252: "Café" and "£" as single bytes are not UTF-8.
  writeFileSync(
    path.join(sources, 'latin1.txt'),
    Buffer.concat([
      Buffer.from('---\ncaptured: 2026-02-28T13:00:00+01:00\n---\nThe Caf', 'latin1'),
      Buffer.from([0xe9]),
      Buffer.from(' on the Quay now charges ', 'latin1'),
      Buffer.from([0xa3]),
      Buffer.from('1 for a refill of tap water.\n', 'latin1'),
    ]),
  );
  return ['bad-time.txt', 'binary.txt', 'empty.txt', 'latin1.txt', 'no-lead.txt'];
}

describe('feedloom run', () => {
  it('a second pass over unchanged pages writes nothing and touches no file', () => {
    const ws = workspace();
    const first = run(ws);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(summaryOf(first)).toMatchObject({ sources_ok: GOOD_PAGE_COUNT, sources_failed: 0, entries_new: 14 });
    expect(summaryOf(first).files_written).toBe(filesUnder(ws.out).length);
    const before = snapshot(ws.out);
    expect(Object.keys(before)).toContain('feed.json');

    const second = run(ws);
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(summaryOf(second)).toMatchObject({
      sources_unchanged: GOOD_PAGE_COUNT,
      sources_failed: 0,
      entries_new: 0,
      entries_updated: 0,
      files_written: 0,
      files_unchanged: Object.keys(before).length,
    });
    expect(snapshot(ws.out)).toEqual(before);
  });

  it('a page touched without an edit is not an update', () => {
    const ws = workspace();
    expect(run(ws).status).toBe(0);
    const before = snapshot(ws.out);
    const page = path.join(ws.sources, 'night-desk.txt');
    writeFileSync(page, readFileSync(page));

    const second = run(ws);
    expect(second.status).toBe(0);
    expect(summaryOf(second)).toMatchObject({ entries_new: 0, entries_updated: 0, files_written: 0 });
    expect(snapshot(ws.out)).toEqual(before);
  });

  it('an edit to a brief below every feed\'s window is stored and rewrites no file; one inside rewrites the feeds', () => {
    const ws = workspace();
    // One page with more briefs than the default feed's 50, all newer than the fixtures'.
    const briefTimes = Array.from({ length: 55 }, (_, index) => 17 * 60 + 59 - index);
    const briefs = briefTimes.map((minutes, index) => `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}\nWeir works\nSluice ${index} was checked by the river crew.\n`);
    const page = path.join(ws.sources, 'weir-log.txt');
    const pageText = `---\ncaptured: 2026-03-10T18:00:00+01:00\n---\nThe weir log for the day, kept by the river crew as they went.\n\nRead next\n\n${briefs.join('\n')}`;
    writeFileSync(page, pageText);
    expect(run(ws).status).toBe(0);
    const before = snapshot(ws.out);
    expect(feedItems(ws)).toHaveLength(50);

    writeFileSync(page, pageText.replace('Sluice 54 was checked', 'Sluice 54 was oiled and checked'));
    const below = run(ws);
    expect(below.status).toBe(0);
    expect(summaryOf(below)).toMatchObject({ entries_updated: 1, files_written: 0 });
    expect(snapshot(ws.out)).toEqual(before);

    writeFileSync(page, pageText.replace('Sluice 0 was checked', 'Sluice 0 was repaired'));
    const inside = run(ws);
    expect(inside.status).toBe(0);
    expect(summaryOf(inside).entries_updated).toBe(2);
    expect(summaryOf(inside).files_written).toBeGreaterThan(0);
    expect(feedItems(ws).some((item) => item.title.includes('Sluice 0 was repaired'))).toBe(true);
  });

  it('an edited site.yaml takes effect on the next pass, and then passes write nothing again', () => {
    const ws = workspace();
    expect(run(ws).status).toBe(0);
    expect(run(ws).status).toBe(0);
    const site = path.join(ws.sources, 'site.yaml');
    writeFileSync(site, readFileSync(site, 'utf8').replace('title: Millbrook Valley Gazette\n', 'title: Millbrook Valley Courier\n'));

    const edited = run(ws);
    expect(edited.status).toBe(0);
    expect(summaryOf(edited).files_written).toBeGreaterThan(0);
    expect((JSON.parse(readFileSync(path.join(ws.out, 'feed.json'), 'utf8')) as { title: string }).title).toBe('Millbrook Valley Courier');
    const again = run(ws);
    expect(summaryOf(again)).toMatchObject({ files_written: 0, entries_updated: 0 });
    // A flag is part of the settings too.
    const rebased = run(ws, ['--base-url', 'https://courier.example/']);
    expect(summaryOf(rebased).files_written).toBeGreaterThan(0);
    expect(readFileSync(path.join(ws.out, 'rss.xml'), 'utf8')).toContain('https://courier.example/rss.xml');
  });

  it('a page added later adds its entries and leaves every earlier entry as it was', () => {
    const ws = workspace();
    expect(run(ws).status).toBe(0);
    const earlier = feedItems(ws);

    copyFileSync(path.join(LATER_PAGES, 'market-day.txt'), path.join(ws.sources, 'market-day.txt'));
    const second = run(ws);
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(summaryOf(second)).toMatchObject({ sources_failed: 0, sources_unchanged: GOOD_PAGE_COUNT, entries_new: 3, entries_updated: 0 });

    const now = feedItems(ws);
    const byId = new Map(now.map((item) => [item.id, item]));
    for (const item of earlier) {
      const later = byId.get(item.id);
      expect(later, item.title).toBeDefined();
      expect({ title: later!.title, published: later!.date_published, modified: later!.date_modified }, item.id).toEqual({
        title: item.title,
        published: item.date_published,
        modified: item.date_modified,
      });
    }
    const added = now.filter((item) => !earlier.some((old) => old.id === item.id));
    expect(added.map((item) => [item.title.slice(0, 40), item.date_published])).toEqual([
      ['Sunday market moves to the station squar', '2026-03-01T09:30:00Z'],
      ['Roads: The valley road reopened to traff', '2026-03-01T08:45:00Z'],
      ['Power: Power has been restored to all bu', '2026-03-01T07:15:00Z'],
    ]);
    // The newest briefs lead the desk feed now.
    expect(feedItems(ws, 'desk/feed.json').slice(0, 2).map((item) => item.tags)).toEqual([['Roads'], ['Power']]);
  });

  it('a new entry at the same minute as an earlier one keeps that minute, and the earlier one keeps its own', () => {
    const ws = workspace();
    expect(run(ws).status).toBe(0);
    const earlier = feedItems(ws);
    const frost = earlier.find((item) => item.title.startsWith('Weather: Forecasters expect'))!;
    expect(frost.date_published).toBe('2026-02-27T15:50:00Z');

    // Another desk posted a brief at 16:50 Berlin time on the same Friday.
    writeFileSync(
      path.join(ws.sources, 'friday-desk.txt'),
      [
        '---',
        'url: https://gazette.example/millbrook/live/friday-desk',
        'captured: 2026-02-27T17:00:00+01:00',
        '---',
        'Gritters will treat the ridge road and the school lanes from 18:00 after the forecast of a hard frost.',
        'Read next',
        '16:50',
        'Roads',
        'The footbridge by the old tannery is closed for the evening while the ice is cleared.',
        '',
      ].join('\n'),
    );
    const second = run(ws);
    expect(second.status).toBe(0);
    expect(summaryOf(second)).toMatchObject({ entries_new: 2 });
    const now = feedItems(ws);
    const footbridge = now.find((item) => item.title.startsWith('Roads: The footbridge'))!;
    // Both carry the minute their pages give; neither is moved to keep the instants apart.
    expect(footbridge.date_published).toBe('2026-02-27T15:50:00Z');
    expect(frost.date_published).toBe('2026-02-27T15:50:00Z');
    const frostNow = now.find((item) => item.id === frost.id)!;
    expect({ published: frostNow.date_published, modified: frostNow.date_modified }).toEqual({
      published: frost.date_published,
      modified: frost.date_modified,
    });
  });

  it('publishes the good pages beside bad ones, logs each bad one, exits 2 and loses nothing', () => {
    const ws = workspace();
    const first = run(ws);
    expect(first.status).toBe(0);
    const earlier = feedItems(ws);

    const bad = writeBadPages(ws.sources);
    // A page that was fine in the first pass comes back as a failed, empty capture.
    truncateSync(path.join(ws.sources, 'library-reopens.txt'), 0);
    const second = run(ws);
    expect(second.status, second.stdout + second.stderr).toBe(2);

    const errors = second.logs.filter((line) => line.level >= LEVEL.error);
    const failed = [...bad, 'library-reopens.txt'].sort();
    expect(errors.map((line) => line.source).sort()).toEqual(failed);
    const reasons = Object.fromEntries(errors.map((line) => [line.source as string, line.reason as string]));
    expect(reasons['empty.txt']).toMatch(/empty \(0 bytes\)/);
    expect(reasons['library-reopens.txt']).toMatch(/empty \(0 bytes\)/);
    expect(reasons['binary.txt']).toMatch(/binary.*NUL/);
    expect(reasons['latin1.txt']).toMatch(/not valid UTF-8/);
    expect(reasons['no-lead.txt']).toMatch(/no lead story.*"Read next" heading on line 5/);
    expect(reasons['bad-time.txt']).toMatch(/impossible time "25:99" on line 7/);
    for (const line of errors) {
      expect(line.file).toBe(path.join(ws.sources, line.source as string));
      expect(line.msg).toContain(line.reason as string);
    }
    expect(summaryOf(second)).toMatchObject({ sources_failed: failed.length, sources_unchanged: GOOD_PAGE_COUNT - 1, entries_new: 0 });

    // Nothing lost from the state: every entry of the first pass, the emptied page's included.
    const now = feedItems(ws);
    expect(now.map((item) => item.id)).toEqual(earlier.map((item) => item.id));
    expect(now.some((item) => item.title.startsWith('The Millbrook library reopens'))).toBe(true);
    expect(now.some((item) => item.title.startsWith('Business: The bakery on Church Lane'))).toBe(true);

    // Still broken next time: still reported. Mended: exit 0 and the same entries.
    const third = run(ws);
    expect(third.status).toBe(2);
    expect(third.logs.filter((line) => line.level >= LEVEL.error)).toHaveLength(failed.length);
    for (const name of bad) rmSync(path.join(ws.sources, name));
    copyFileSync(path.join(PAGES, 'library-reopens.txt'), path.join(ws.sources, 'library-reopens.txt'));
    const fourth = run(ws);
    expect(fourth.status, fourth.stdout).toBe(0);
    expect(summaryOf(fourth)).toMatchObject({ sources_failed: 0, entries_new: 0, entries_updated: 0 });
    expect(feedItems(ws)).toEqual(earlier);
  });

  it('publishes the good pages and exits 2 when bad pages are there from the first pass', () => {
    const ws = workspace();
    const bad = writeBadPages(ws.sources);
    const result = run(ws);
    expect(result.status).toBe(2);
    expect(result.logs.filter((line) => line.level >= LEVEL.error).map((line) => line.source).sort()).toEqual(bad);
    expect(summaryOf(result)).toMatchObject({ sources_ok: GOOD_PAGE_COUNT, sources_failed: bad.length, entries_new: 14 });
    expect(feedItems(ws)).toHaveLength(14);
  });

  it('refuses a site.yaml with an unknown key, exits 1 and creates nothing', () => {
    const ws = workspace();
    const site = path.join(ws.sources, 'site.yaml');
    writeFileSync(site, readFileSync(site, 'utf8').replace('timezone: Europe/Berlin', 'timzone: Europe/Berlin'));
    const result = run(ws);
    expect(result.status).toBe(1);
    const fatal = result.logs.filter((line) => line.level >= LEVEL.error);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ level: LEVEL.fatal, stage: 'config' });
    expect(fatal[0]!.msg).toContain(site);
    expect(fatal[0]!.msg).toContain('key "timzone"');
    expect(fatal[0]!.msg).toContain('unknown key');
    expect(existsSync(ws.out)).toBe(false);
    expect(existsSync(ws.state)).toBe(false);
  });

  it('refuses a site.yaml with a bad time zone, exits 1 and leaves out/ as it was', () => {
    const ws = workspace();
    expect(run(ws).status).toBe(0);
    const before = snapshot(ws.out);
    const site = path.join(ws.sources, 'site.yaml');
    writeFileSync(site, readFileSync(site, 'utf8').replace('timezone: Europe/Berlin', 'timezone: Europe/Millbrook'));
    // Edit a page too: a pass that went ahead anyway would rewrite the feeds.
    copyFileSync(path.join(LATER_PAGES, 'market-day.txt'), path.join(ws.sources, 'market-day.txt'));

    const result = run(ws);
    expect(result.status).toBe(1);
    const fatal = result.logs.filter((line) => line.level >= LEVEL.error);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ level: LEVEL.fatal, stage: 'config' });
    expect(fatal[0]!.msg).toContain(site);
    expect(fatal[0]!.msg).toContain('key "timezone"');
    expect(fatal[0]!.msg).toContain('"Europe/Millbrook" is not an IANA time zone');
    expect(result.logs.some((line) => line.msg === 'pass finished')).toBe(false);
    expect(snapshot(ws.out)).toEqual(before);
  });

  it('exits 1 and leaves out/ as it was while another pass holds the lock', () => {
    const ws = workspace();
    expect(run(ws).status).toBe(0);
    const before = snapshot(ws.out);
    copyFileSync(path.join(LATER_PAGES, 'market-day.txt'), path.join(ws.sources, 'market-day.txt'));
    // This test process takes the lock, as a running pass would.
    const release = acquireFileLock(passLockFile(ws.state));
    try {
      const result = run(ws);
      expect(result.status).toBe(1);
      expect(result.logs.find((line) => line.level === LEVEL.fatal)?.msg).toContain(`another feedloom pass holds ${passLockFile(ws.state)}`);
      expect(snapshot(ws.out)).toEqual(before);
    } finally {
      release();
    }
    expect(run(ws).status).toBe(0);
  });

  it('exits 1 and creates nothing when the sources folder is missing', () => {
    const ws = workspace();
    const result = run(ws, ['--sources', path.join(ws.root, 'no-such-folder')]);
    expect(result.status).toBe(1);
    expect(result.logs.find((line) => line.level === LEVEL.fatal)).toMatchObject({ stage: 'config' });
    expect(existsSync(ws.out)).toBe(false);
  });

  it('exits 1 when out/ cannot be created', () => {
    const ws = workspace();
    const blocker = path.join(ws.root, 'not-a-folder');
    writeFileSync(blocker, 'a regular file where a folder should be\n');
    const result = run(ws, ['--out', path.join(blocker, 'out')]);
    expect(result.status).toBe(1);
    const fatal = result.logs.filter((line) => line.level === LEVEL.fatal);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ stage: 'publish' });
    expect(fatal[0]!.msg).toMatch(/not writable/);
    expect(readFileSync(blocker, 'utf8')).toBe('a regular file where a folder should be\n');
  });

  it('prints usage for --help and exits 0', () => {
    for (const command of ['run', 'start']) {
      const result = cli([command, '--help']);
      expect(result.status, command).toBe(0);
      expect(result.stdout).toContain(`Usage: feedloom ${command}`);
      expect(result.stdout).toContain('--sources DIR');
      expect(result.stdout).toContain('--state FILE');
    }
    expect(cli(['start', '--help']).stdout).toContain('--schedule CRON');
    expect(cli(['run', '--help']).stdout).toMatch(/Exit status: 0 .*; 2 .*; 1 /s);
  });

  it('keeps the state file out of out/', () => {
    const ws = workspace();
    const inside = run(ws, ['--state', path.join(ws.out, 'state.db')]);
    expect(inside.status).toBe(1);
    expect(inside.logs.find((line) => line.level === LEVEL.fatal)?.msg).toMatch(/--state .* is inside --out/);
    expect(existsSync(ws.out)).toBe(false);

    // With the default paths, from the folder an operator would run it in.
    const defaults = cli(['run'], ws.root);
    expect(defaults.status, defaults.stdout + defaults.stderr).toBe(0);
    expect(existsSync(path.join(ws.root, '.feedloom', 'state.db'))).toBe(true);
    expect(filesUnder(ws.out)).toContain('feed.json');
    expect(filesUnder(ws.out).filter((name) => /\.db|state|\.lock|-wal|-shm/.test(name))).toEqual([]);
  });

  it('takes the state from site.yaml unless --state names one, and refuses a location it cannot use', () => {
    const ws = workspace();
    const fromSite = path.join(ws.root, 'site-state', 'state.db');
    appendFileSync(path.join(ws.sources, 'site.yaml'), `state: ${fromSite}\n`);
    expect(run(ws).status).toBe(0);
    expect(existsSync(ws.state)).toBe(true);
    expect(existsSync(fromSite)).toBe(false);

    const bySite = cli(['run', '--sources', ws.sources, '--out', ws.out]);
    expect(bySite.status, bySite.stdout + bySite.stderr).toBe(0);
    expect(existsSync(fromSite)).toBe(true);

    const wrong = run(ws, ['--state', 'redis://feedloom:hunter2@127.0.0.1:6379']);
    expect(wrong.status).toBe(1);
    const fatal = wrong.logs.find((line) => line.level === LEVEL.fatal)?.msg;
    expect(fatal).toContain('--state: "redis://feedloom:***@127.0.0.1:6379" must be a file path or a postgres:// URL');
    expect(wrong.stdout).not.toContain('hunter2');
  });

  it('without --state, finds the settings it remembered in the default state, and moves to a state site.yaml names without writing to the default one', () => {
    const ws = workspace();
    const rememberedIn = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare("SELECT value FROM meta WHERE key = 'site_config'").pluck().get() as string | undefined;
      } finally {
        db.close();
      }
    };
    const runHere = () => {
      const result = cli(['run'], ws.root);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      return summaryOf({ ...result, logs: parseLogs(result.stdout) });
    };
    runHere();
    const defaultState = path.join(ws.root, '.feedloom', 'state.db');
    const remembered = rememberedIn(defaultState);
    expect(remembered).toBeDefined();
    expect(runHere()).toMatchObject({ sources_unchanged: GOOD_PAGE_COUNT, files_written: 0 });

    const fromSite = path.join(ws.root, 'site-state', 'state.db');
    appendFileSync(path.join(ws.sources, 'site.yaml'), `state: ${fromSite}\n`);
    expect(runHere()).toMatchObject({ sources_failed: 0 });
    expect((JSON.parse(rememberedIn(fromSite)!) as { site: { state: string } }).site.state).toBe(fromSite);
    expect(rememberedIn(defaultState)).toBe(remembered);
    expect(runHere()).toMatchObject({ sources_unchanged: GOOD_PAGE_COUNT, entries_new: 0 });

    // A default file that is not a state at all is only looked into, and changes nothing.
    writeFileSync(defaultState, 'not a database');
    for (const extra of ['-wal', '-shm']) rmSync(`${defaultState}${extra}`, { force: true });
    expect(runHere()).toMatchObject({ sources_failed: 0, sources_unchanged: GOOD_PAGE_COUNT });
    expect(readFileSync(defaultState, 'utf8')).toBe('not a database');
  });

  it('keeps a state that site.yaml names out of out/ too', () => {
    const ws = workspace();
    appendFileSync(path.join(ws.sources, 'site.yaml'), `state: ${path.join(ws.out, 'state.db')}\n`);
    const inside = cli(['run', '--sources', ws.sources, '--out', ws.out]);
    expect(inside.status).toBe(1);
    expect(parseLogs(inside.stdout).find((line) => line.level === LEVEL.fatal)?.msg).toMatch(/state in .*site\.yaml .* is inside --out/);
    expect(existsSync(ws.out)).toBe(false);
  });

  it('removes temporary files a killed pass left behind, and nothing else', () => {
    const ws = workspace();
    expect(run(ws).status).toBe(0);
    const rss = readFileSync(path.join(ws.out, 'rss.xml'));
    // What kill -9 in the middle of a write leaves: the old file whole, a partial temp beside it.
    const stale = ['.rss.xml.feedloom-424242-0.tmp', 'desk/.feed.json.feedloom-424242-4.tmp', 'entries/.0957f576.html.feedloom-424242-9.tmp'];
    for (const name of stale) writeFileSync(path.join(ws.out, name), '<?xml version="1.0" encoding="utf-8"?>\n<rss ver');
    writeFileSync(path.join(ws.out, '.htaccess'), 'AddType application/rss+xml .xml\n');

    const result = run(ws);
    expect(result.status).toBe(0);
    expect(filesUnder(ws.out).filter((name) => TEMP_FILE.test(name))).toEqual([]);
    expect(readFileSync(path.join(ws.out, '.htaccess'), 'utf8')).toBe('AddType application/rss+xml .xml\n');
    expect(readFileSync(path.join(ws.out, 'rss.xml')).equals(rss)).toBe(true);
    expect(summaryOf(result)).toMatchObject({ files_written: 0 });
  });
});

describe('feedloom start', () => {
  it('runs a pass at once and stops cleanly on SIGTERM', async () => {
    const ws = workspace();
    const child = spawn(process.execPath, [CLI, 'start', '--sources', ws.sources, '--out', ws.out, '--state', ws.state, '--schedule', '* * * * * *'], {
      cwd: ROOT,
      env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (!signalled && stdout.includes('"msg":"pass finished"')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (...args) => resolve(args)));
    clearTimeout(guard);

    expect({ code, signal, signalled }, stdout + stderr).toEqual({ code: 0, signal: null, signalled: true });
    const logs = parseLogs(stdout);
    expect(logs.map((line) => line.msg)).toContain('schedule started');
    expect(logs.at(-1)?.msg).toBe('stopped');
    // A tick every second: on a busy machine one may come while the first pass still runs, and is
    // rightly skipped with a warning. Nothing else may warn.
    const skippedTick = (line: { msg?: unknown; trigger?: unknown }) => line.msg === 'previous pass still running; this one is skipped' && line.trigger === 'schedule';
    expect(logs.filter((line) => line.level >= LEVEL.warn && !skippedTick(line))).toEqual([]);
    expect(feedItems(ws)).toHaveLength(14);
    expect(filesUnder(ws.out)).toEqual(expect.arrayContaining(['rss.xml', 'atom.xml', 'feed.json', 'desk/rss.xml', 'desk/atom.xml', 'desk/feed.json']));
    expect(filesUnder(ws.out).filter((name) => TEMP_FILE.test(name))).toEqual([]);
    // The lock went with the process: another pass takes it at once.
    acquireFileLock(passLockFile(ws.state))();
  }, 20_000);
});

describe('errors that name the flag', () => {
  it('a --port that is not a port number, on serve and start --serve', () => {
    const ws = workspace();
    expect(run(ws).status).toBe(0);
    for (const args of [
      ['serve', '--port', 'abc', '--sources', ws.sources, '--out', ws.out, '--state', ws.state],
      ['start', '--serve', '--port', '70000', '--sources', ws.sources, '--out', ws.out, '--state', ws.state],
    ]) {
      const result = cli(args);
      expect(result.status, args.join(' ')).toBe(1);
      const fatal = parseLogs(result.stdout).find((line) => line.level === LEVEL.fatal);
      expect(fatal?.msg, result.stdout).toMatch(/^config: --port: "(abc|70000)" is not a port number \(0 to 65535\)$/);
    }
  });

  it('a bad --schedule is the flag\'s, not site.yaml\'s', () => {
    const ws = workspace();
    const result = cli(['start', '--schedule', 'every hour', '--sources', ws.sources, '--out', ws.out, '--state', ws.state]);
    expect(result.status).toBe(1);
    const fatal = parseLogs(result.stdout).find((line) => line.level === LEVEL.fatal);
    expect(fatal?.msg).toBe('config: --schedule: "every hour" is not a cron expression (such as "*/15 * * * *")');
  });
});
