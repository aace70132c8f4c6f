// `feedloom start --serve` and `feedloom serve` as the built command line, run as child
// processes: serving after the first pass, max-age from the schedule, SIGTERM exiting 0, and
// layouts where --out and --state are one folder once symlinks are followed.
import { appendFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from './support/built-cli.js';
import { spawnCli } from './support/cli-process.js';
import { freePort, get, rawGet } from './support/http-client.js';
import { writePageCorpus } from './support/page-corpus.js';
import { parsePrometheus, sample } from './support/prometheus.js';
import { pagesWorkspace, publishedPages, servedSite, SQLITE_MAGIC } from './support/served-site.js';

const published = publishedPages();
beforeAll(() => buildIfStale(), 120_000);

describe('feedloom start --serve', () => {
  it('serves the feeds after the first pass, and SIGTERM exits 0', async () => {
    const folders = pagesWorkspace('start');
    const port = await freePort();
    const child = spawnCli(['start', '--serve', '--port', String(port), '--schedule', '* * * * * *', '--sources', folders.sources, '--out', folders.out, '--state', folders.state]);
    const serving = await child.waitForLog('serving feeds');
    expect(serving.url).toBe(`http://127.0.0.1:${port}/`);
    await child.waitForLog('pass finished');
    const origin = `http://127.0.0.1:${port}/`;

    const rss = await get(origin, '/rss.xml');
    expect(rss.status).toBe(200);
    expect(rss.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(rss.body.toString('utf8')).toContain('<rss version="2.0"');
    expect(rss.body.equals(readFileSync(path.join(folders.out, 'rss.xml')))).toBe(true);
    const json = await get(origin, '/desk/feed.json', { 'Accept-Encoding': 'br' });
    expect(json.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(brotliDecompressSync(json.body).toString('utf8')).version).toBe('https://jsonfeed.org/version/1.1');
    // A schedule of every second: readers may keep files for the minimum, one minute.
    expect(rss.headers['cache-control']).toBe('public, max-age=60');
    expect((await get(origin, '/healthz')).status).toBe(200);
    const { samples } = parsePrometheus((await get(origin, '/metrics')).body.toString('utf8'));
    expect(sample(samples, 'feedloom_passes_total')).toBeGreaterThanOrEqual(1);
    expect(sample(samples, 'feedloom_pass_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(samples, 'feedloom_entries')).toBe(14);
    expect((await rawGet(origin, '/../state/state.db')).status).toBe(404);

    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.logs.at(-1)?.msg).toBe('stopped');
    expect(child.logs.filter((line) => line.level >= 50)).toEqual([]);
    // Stopped means stopped: nothing listens any more.
    await expect(get(origin, '/rss.xml')).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});

/** Layouts where --out and --state look apart but are one folder once symlinks are followed. */
const linkedLayouts: [string, (root: string) => { out: string; state: string }][] = [
  [
    '--out is a symlink to the folder that holds the state',
    (root) => {
      mkdirSync(path.join(root, 'data'));
      symlinkSync(path.join(root, 'data'), path.join(root, 'public'));
      return { out: path.join(root, 'public'), state: path.join(root, 'data', 'state.db') };
    },
  ],
  [
    "the state's folder is a symlink into --out",
    (root) => {
      mkdirSync(path.join(root, 'out'));
      symlinkSync(path.join(root, 'out'), path.join(root, 'private'));
      return { out: path.join(root, 'out'), state: path.join(root, 'private', 'state.db') };
    },
  ],
  [
    'neither exists yet and a parent of --out is a symlink to where the state will be',
    (root) => {
      mkdirSync(path.join(root, 'data'));
      symlinkSync(path.join(root, 'data'), path.join(root, 'link'));
      return { out: path.join(root, 'link', 'pub'), state: path.join(root, 'data', 'pub', 'state.db') };
    },
  ],
];

describe('feedloom serve', () => {
  it('serves an existing out/ and SIGTERM exits 0', async () => {
    const site = await servedSite(published());
    const port = await freePort();
    const child = spawnCli(['serve', '--port', String(port), '--out', site.out, '--state', site.state, '--sources', site.sources]);
    await child.waitForLog('serving feeds');
    const origin = `http://127.0.0.1:${port}/`;
    const atom = await get(origin, '/atom.xml', { 'Accept-Encoding': 'gzip' });
    expect(atom.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(gunzipSync(atom.body).equals(site.file('atom.xml'))).toBe(true);
    // The site.yaml schedule (*/10) sets max-age here: this process reads sources/site.yaml.
    expect(atom.headers['cache-control']).toBe('public, max-age=600');
    expect((await get(origin, '/healthz')).status).toBe(200);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 30_000);

  it.each(linkedLayouts)('never publishes the state file when %s', async (_name, layout) => {
    // path.resolve does not see through links; only the real paths tell.
    const folders = pagesWorkspace('linked');
    const { out, state } = layout(folders.root);
    const port = await freePort();
    const child = spawnCli(['start', '--serve', '--port', String(port), '--schedule', '0 0 1 1 *', '--sources', folders.sources, '--out', out, '--state', state]);
    const passed = child.waitForLog('pass finished').then(
      () => 'passed' as const,
      () => 'no pass' as const,
    );
    const outcome = await Promise.race([child.exited.then((code) => ({ exited: code })), passed.then((what) => ({ exited: what === 'passed' ? undefined : -1 }))]);
    if (outcome.exited === undefined) {
      // It started anyway: then the state must not be reachable over HTTP.
      const origin = `http://127.0.0.1:${port}/`;
      await child.waitForLog('serving feeds');
      for (const name of ['state.db', 'state.db-wal', 'state.db-shm', 'state.db.lock']) {
        const response = await rawGet(origin, `/${name}`);
        expect([400, 404], `/${name} must not be served, got ${response.statusLine} (${response.headers['content-length']} bytes)`).toContain(response.status);
        expect(response.raw.toString('latin1').includes(SQLITE_MAGIC), `/${name}`).toBe(false);
      }
      child.process.kill('SIGTERM');
      await child.exited;
    } else {
      // Refused: exit 1 with a reason naming the state and out/, and nothing published.
      expect(outcome.exited).toBe(1);
      expect(child.logs.some((line) => line.level === 60 && /--state .* is inside --out/.test(line.msg))).toBe(true);
      expect(existsSync(path.join(out, 'rss.xml'))).toBe(false);
    }
  }, 30_000);
});

describe('feedloom serve over a state it cannot read', () => {
  it('serves out/ and reports the state through /healthz (503) and /metrics', async () => {
    const site = await servedSite(published());
    const corrupt = path.join(site.root, 'corrupt.db');
    writeFileSync(corrupt, 'this is not a SQLite database, it was cut short or overwritten\n');
    const port = await freePort();
    const child = spawnCli(['serve', '--port', String(port), '--sources', site.sources, '--out', site.out, '--state', corrupt]);
    await child.waitForLog('serving feeds');
    const origin = `http://127.0.0.1:${port}/`;
    const rss = await get(origin, '/rss.xml');
    expect(rss.status).toBe(200);
    expect(rss.body.equals(site.file('rss.xml'))).toBe(true);
    const health = await get(origin, '/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body.toString()).reason).toMatch(/^the state cannot be read: store: cannot open state file .*corrupt\.db: file is not a database/);
    const { samples } = parsePrometheus((await get(origin, '/metrics')).body.toString('utf8'));
    expect(sample(samples, 'feedloom_state_readable')).toBe(0);
    expect(child.logs.find((line) => line.level === 50)?.msg).toMatch(/state cannot be read, serving out\/ without it/);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 30_000);
});

describe('feedloom start --serve with a long first pass', () => {
  it('listens before the pass, so /healthz answers 503 while it runs', async () => {
    const folders = pagesWorkspace('slow-first');
    // Thousands of new pages make a first pass of a few seconds, all of it on the process's own
    // thread (no parse threads): the pass must still let the server answer.
    writePageCorpus(folders.sources, 4000);
    appendFileSync(path.join(folders.sources, 'site.yaml'), 'fetch:\n  parse_threads: 0\n');
    const port = await freePort();
    const child = spawnCli(['start', '--serve', '--port', String(port), '--sources', folders.sources, '--out', folders.out, '--state', folders.state]);
    await child.waitForLog('serving feeds');
    // Listening comes first: no line of the pass is logged before the server's.
    const serving = child.logs.findIndex((line) => line.msg === 'serving feeds');
    expect(child.logs.slice(0, serving).filter((line) => line.pass !== undefined)).toEqual([]);
    const origin = `http://127.0.0.1:${port}/`;
    const asked = performance.now();
    const during = await get(origin, '/healthz');
    // Answered while the pass runs, and promptly: the pass gives the server its turn.
    expect(child.logs.some((line) => line.msg === 'pass finished')).toBe(false);
    expect(performance.now() - asked).toBeLessThan(1000);
    expect(during.status).toBe(503);
    expect(JSON.parse(during.body.toString()).reason).toBe('no pass has finished yet');
    await child.waitForLog('pass finished');
    expect((await get(origin, '/healthz')).status).toBe(200);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 120_000);
});
