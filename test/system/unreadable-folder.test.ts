// A folder under sources/ that the pass cannot list fails only its own pages: the other pages
// publish, the folder's pages keep their entries, the pass exits 2. Root reads any folder, so the
// pass runs as the unprivileged user nobody (setpriv), on files that user owns; this needs root,
// as CI runs it.
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, CLI } from '../support/built-cli.js';
import { pageText, TempDirs } from '../support/feed-site.js';

const NOBODY = 65534;
const temps = new TempDirs();
let root: string;
let sources: string;

function chownTree(target: string): void {
  chownSync(target, NOBODY, NOBODY);
  if (statSync(target).isDirectory()) for (const name of readdirSync(target)) chownTree(path.join(target, name));
}

function runAsNobody() {
  return spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, CLI, 'run', '--sources', sources, '--out', path.join(root, 'out'), '--state', path.join(root, 'state.db')], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
}

function feedTitles(): string[] {
  const feed = JSON.parse(readFileSync(path.join(root, 'out', 'feed.json'), 'utf8')) as { items: { title: string }[] };
  return feed.items.map((item) => item.title).sort();
}

function statusOf(source: string): { status: string; last_error: string | null; entries: number } | undefined {
  const status = JSON.parse(readFileSync(path.join(root, 'out', 'status.json'), 'utf8')) as { sources: { source: string; status: string; last_error: string | null; entries: number }[] };
  return status.sources.find((entry) => entry.source === source);
}

beforeAll(() => {
  buildIfStale();
  root = temps.make('unreadable');
  chmodSync(root, 0o755);
  sources = path.join(root, 'sources');
  mkdirSync(path.join(sources, 'politics'), { recursive: true });
  mkdirSync(path.join(sources, 'sport'), { recursive: true });
  writeFileSync(path.join(sources, 'site.yaml'), 'title: Desk\nurl: https://desk.example/\ntimezone: UTC\n');
  writeFileSync(path.join(sources, 'front.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: 'The harbour wall repairs begin on Monday.' }));
  writeFileSync(path.join(sources, 'politics', 'council.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: 'The council votes on the ferry subsidy tonight.' }));
  writeFileSync(path.join(sources, 'sport', 'regatta.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: 'The winter regatta is moved to Sunday.' }));
  chownTree(root);
}, 300_000);

afterAll(() => {
  if (sources) for (const folder of ['politics', 'sport']) chmodSync(path.join(sources, folder), 0o755);
  temps.cleanup();
});

describe('a folder under sources/ that cannot be read', () => {
  it('fails only the pages known in it, which keep their entries, and the pass exits 2', () => {
    expect(runAsNobody().status).toBe(0);
    expect(feedTitles()).toHaveLength(3);

    chmodSync(path.join(sources, 'politics'), 0o000);
    const run = runAsNobody();
    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout).toContain('"code":"SOURCE_FOLDER_UNREADABLE"');
    expect(run.stdout).toContain('folder politics/ cannot be read (EACCES)');
    // Its entries stay in the feeds; the other pages are read as usual.
    expect(feedTitles()).toEqual(['The council votes on the ferry subsidy tonight.', 'The harbour wall repairs begin on Monday.', 'The winter regatta is moved to Sunday.']);
    expect(statusOf('politics/council.txt')).toMatchObject({ status: 'failed', entries: 1, last_error: expect.stringContaining('folder politics/ cannot be read (EACCES)') });
    expect(statusOf('front.txt')).toMatchObject({ status: 'ok' });
    // status.json, which is public, does not name where sources/ is.
    expect(readFileSync(path.join(root, 'out', 'status.json'), 'utf8')).not.toContain(root);
  });

  it('fails the folder itself when none of its pages is known yet', () => {
    writeFileSync(path.join(sources, 'front.txt'), pageText({ captured: '2026-03-11T10:00:00Z', lead: 'The harbour wall repairs begin on Tuesday instead.' }));
    chownSync(path.join(sources, 'front.txt'), NOBODY, NOBODY);
    chmodSync(path.join(sources, 'sport'), 0o000);
    mkdirSync(path.join(sources, 'weather'));
    writeFileSync(path.join(sources, 'weather', 'storm.txt'), pageText({ captured: '2026-03-11T10:00:00Z', lead: 'A storm warning is issued for the estuary.' }));
    chownTree(path.join(sources, 'weather'));
    chmodSync(path.join(sources, 'weather'), 0o000);
    const run = runAsNobody();
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('folder weather/ cannot be read (EACCES)');
    expect(statusOf('sport/regatta.txt')).toMatchObject({ status: 'failed', entries: 1 });
    expect(feedTitles()).toContain('The harbour wall repairs begin on Tuesday instead.');
    chmodSync(path.join(sources, 'weather'), 0o755);
  });
});
