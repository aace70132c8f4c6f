// Whole passes over remote sources served by a real HTTP server, run in-process with a frozen
// clock: what reaches out/ (and out/status.json), what a failing source does to the others,
// backoff, Retry-After, conditional GET, politeness, and hostile documents end to end.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { VERSION } from '../src/version.js';
import { runPass, type PassSummary } from '../src/worker/pass.js';
import { delay, delayed, fixture, islandPageSource, redirect, send, sendFixture, startFixtureServer, streamBytes, type FixtureServer, type Handler } from './support/http-fixture-server.js';

const SITE_URL = 'https://feeds.example/';
const T0 = Date.parse('2026-03-01T12:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const RSS = 'application/rss+xml';
const ATOM = 'application/atom+xml';

let server: FixtureServer;
const temps: string[] = [];
const stores: SqliteStore[] = [];

beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(async () => {
  for (const store of stores) store.close();
  await server.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface LogLine {
  level: number;
  msg: string;
  source?: string;
  [field: string]: unknown;
}

interface Workspace {
  root: string;
  sources: string;
  out: string;
  store: SqliteStore;
  /** Path of the state file when the store is on disk. */
  stateFile?: string;
}

function workspace(options: { siteExtra?: string; onDisk?: boolean } = {}): Workspace {
  const root = mkdtempSync(path.join(tmpdir(), 'feedloom-remote-'));
  temps.push(root);
  const sources = path.join(root, 'sources');
  mkdirSync(sources);
  writeFileSync(
    path.join(sources, 'site.yaml'),
    ['title: Remote Desk', `url: ${SITE_URL}`, 'language: en', 'timezone: UTC', options.siteExtra ?? ''].join('\n'),
  );
  const stateFile = options.onDisk ? path.join(root, 'state', 'feedloom.db') : undefined;
  const store = SqliteStore.open(stateFile ?? ':memory:');
  stores.push(store);
  return { root, sources, out: path.join(root, 'out'), store, ...(stateFile ? { stateFile } : {}) };
}

/** Writes sources/<id>.yaml. */
function source(ws: Workspace, id: string, lines: string[]): void {
  writeFileSync(path.join(ws.sources, `${id}.yaml`), `${lines.join('\n')}\n`);
}

function feedSource(ws: Workspace, id: string, pathname: string, ...extra: string[]): void {
  source(ws, id, ['kind: feed', `url: ${server.url(pathname)}`, ...extra]);
}

async function pass(ws: Workspace, nowMs: number): Promise<{ summary: PassSummary; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const summary = await runPass({ sourcesDir: ws.sources, outDir: ws.out, store: ws.store, logger: pino({ level: 'debug' }, sink), now: () => new Date(nowMs) });
  return { summary, logs };
}

/** Every file under out/, relative name -> text. */
function outFiles(ws: Workspace): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(ws.out, { recursive: true }) as string[]) {
    const file = path.join(ws.out, name);
    if (statSync(file).isFile()) files.set(name.split(path.sep).join('/'), readFileSync(file, 'utf8'));
  }
  return files;
}

function read(ws: Workspace, name: string): string {
  return readFileSync(path.join(ws.out, name), 'utf8');
}

interface Health {
  source: string;
  kind: string;
  status: 'ok' | 'failed';
  entries: number;
  last_error: string | null;
  url: string | null;
  last_success: string | null;
  consecutive_failures: number;
  next_attempt: string | null;
}

function status(ws: Workspace): Map<string, Health> {
  const parsed = JSON.parse(read(ws, 'status.json')) as { sources: Health[] };
  return new Map(parsed.sources.map((health) => [health.source, health]));
}

function health(ws: Workspace, id: string): Health {
  const found = status(ws).get(id);
  if (!found) throw new Error(`no status for ${id}`);
  return found;
}

interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** Parses with saxes, which throws on anything not well-formed, into a small tree. */
function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser();
  const root: XmlNode = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  parser.on('opentag', (tag) => {
    const node: XmlNode = { name: tag.name, attributes: tag.attributes as Record<string, string>, children: [], text: '' };
    stack.at(-1)!.children.push(node);
    stack.push(node);
  });
  parser.on('text', (text) => {
    stack.at(-1)!.text += text;
  });
  parser.on('cdata', (text) => {
    stack.at(-1)!.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  return root;
}

function elements(node: XmlNode, name: string): XmlNode[] {
  return node.children.flatMap((child) => [...(child.name === name ? [child] : []), ...elements(child, name)]);
}

function child(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((candidate) => candidate.name === name);
}

/** Every XML file in out/ must be well-formed, and feed.json must be JSON. */
function expectWellFormed(ws: Workspace): void {
  const files = outFiles(ws);
  const xml = [...files.keys()].filter((name) => name.endsWith('.xml'));
  expect(xml.length).toBeGreaterThanOrEqual(2);
  for (const name of xml) expect(() => parseXml(files.get(name)!), name).not.toThrow();
  for (const name of [...files.keys()].filter((file) => file.endsWith('.json'))) expect(() => JSON.parse(files.get(name)!), name).not.toThrow();
}

interface JsonItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  date_published: string;
  image?: string;
  tags?: string[];
  authors?: { name: string; url?: string }[];
  attachments?: { url: string; mime_type: string; size_in_bytes?: number }[];
}

function jsonItems(ws: Workspace): JsonItem[] {
  return (JSON.parse(read(ws, 'feed.json')) as { items: JsonItem[] }).items;
}

function rssItems(ws: Workspace): XmlNode[] {
  return elements(parseXml(read(ws, 'rss.xml')), 'item');
}

function rssTitles(ws: Workspace): string[] {
  return rssItems(ws).map((item) => child(item, 'title')!.text);
}

function atomEntries(ws: Workspace): XmlNode[] {
  return elements(parseXml(read(ws, 'atom.xml')), 'entry');
}

function byTitle<T>(items: T[], title: string, titleOf: (item: T) => string): T {
  const found = items.filter((item) => titleOf(item) === title);
  expect(found, title).toHaveLength(1);
  return found[0]!;
}

describe('a pass over feeds in every format', () => {
  const ws = workspace();
  let summary: PassSummary;
  let logs: LogLine[];

  beforeAll(async () => {
    server.route('/pass/harbour.xml', sendFixture('rss2.xml', RSS));
    server.route('/pass/valley.rdf', sendFixture('rss1.xml', 'application/rdf+xml'));
    server.route('/pass/science.atom', sendFixture('atom.xml', ATOM));
    server.route('/pass/radio.json', sendFixture('feed.json', 'application/feed+json'));
    feedSource(ws, 'harbour', '/pass/harbour.xml', 'timezone: Europe/Kyiv');
    feedSource(ws, 'valley', '/pass/valley.rdf');
    feedSource(ws, 'science', '/pass/science.atom');
    feedSource(ws, 'radio', '/pass/radio.json', 'title: Fjord Radio');
    ({ summary, logs } = await pass(ws, T0));
  });

  it('reads every source and publishes every item', () => {
    expect(summary.failures).toEqual([]);
    expect(summary).toMatchObject({ sourcesOk: 4, sourcesFailed: 0, entriesNew: 12 });
    expect(logs.filter((line) => line.level >= 50)).toEqual([]);
    expect(jsonItems(ws)).toHaveLength(12);
    expect(rssItems(ws)).toHaveLength(12);
    expect(atomEntries(ws)).toHaveLength(12);
  });

  it('writes well-formed XML', () => {
    expectWellFormed(ws);
  });

  it('keeps enclosures (url, type, length) in RSS <enclosure>, Atom rel="enclosure" and JSON attachments', () => {
    const dredging = byTitle(rssItems(ws), 'Harbour dredging starts in March', (item) => child(item, 'title')!.text);
    expect(child(dredging, 'enclosure')?.attributes).toEqual({ url: 'https://media.news.example/audio/dredging.mp3', type: 'audio/mpeg', length: '1234567' });
    const seals = byTitle(rssItems(ws), 'Seals return to the north beach', (item) => child(item, 'title')!.text);
    expect(child(seals, 'enclosure')?.attributes).toEqual({ url: 'https://cdn.atom.example/seals.ogg', type: 'audio/ogg', length: '2048000' });

    const atomNets = byTitle(atomEntries(ws), 'Episode 101: Mending nets', (entry) => child(entry, 'title')!.text);
    const enclosures = atomNets.children.filter((node) => node.name === 'link' && node.attributes.rel === 'enclosure');
    expect(enclosures.map((link) => link.attributes)).toEqual([{ rel: 'enclosure', href: 'https://radio.example/audio/101.mp3', type: 'audio/mpeg', length: '31457280' }]);
    const atomDredging = byTitle(atomEntries(ws), 'Harbour dredging starts in March', (entry) => child(entry, 'title')!.text);
    expect(atomDredging.children.filter((node) => node.name === 'link' && node.attributes.rel === 'enclosure').map((link) => link.attributes.length)).toEqual(['1234567']);

    const jsonNets = byTitle(jsonItems(ws), 'Episode 101: Mending nets', (item) => item.title);
    expect(jsonNets.attachments).toEqual([{ url: 'https://radio.example/audio/101.mp3', mime_type: 'audio/mpeg', size_in_bytes: 31457280 }]);
    const jsonSeals = byTitle(jsonItems(ws), 'Seals return to the north beach', (item) => item.title);
    expect(jsonSeals.attachments).toEqual([{ url: 'https://cdn.atom.example/seals.ogg', mime_type: 'audio/ogg', size_in_bytes: 2048000 }]);
  });

  it('keeps item images, authors, categories, clean links and dates', () => {
    const items = jsonItems(ws);
    const dredging = byTitle(items, 'Harbour dredging starts in March', (item) => item.title);
    expect(dredging).toMatchObject({
      url: 'https://news.example/harbour/dredging?id=42',
      image: 'https://news.example/img/dredge.jpg',
      tags: ['Port', 'Shipping'],
      authors: [{ name: 'Mara Jensen' }],
      date_published: '2026-02-28T08:30:00Z',
    });
    const rssDredging = byTitle(rssItems(ws), 'Harbour dredging starts in March', (item) => child(item, 'title')!.text);
    expect(child(rssDredging, 'media:thumbnail')?.attributes.url).toBe('https://news.example/img/dredge.jpg');
    // No zone, read in the source's Europe/Kyiv.
    expect(byTitle(items, 'New ferry timetable from Monday', (item) => item.title).date_published).toBe('2026-02-27T16:00:00Z');
    // No zone, read in the site's UTC (the atom source names no time zone).
    expect(byTitle(items, 'Kelp forest survey', (item) => item.title).date_published).toBe('2026-02-26T08:00:00Z');
    // No date: the fetch time (three items have it; the store keeps instants unique by whole seconds).
    const dateless = Date.parse(byTitle(items, 'Fish market moves indoors', (item) => item.title).date_published);
    expect(dateless - T0).toBeGreaterThanOrEqual(0);
    expect(dateless - T0).toBeLessThanOrEqual(2 * SECOND);
    for (const item of items) expect(item.url).not.toMatch(/utm_|fbclid|gclid|mc_eid/);
  });

  it('records every source as fine in out/status.json', () => {
    const all = status(ws);
    expect([...all.keys()]).toEqual(['harbour', 'radio', 'science', 'valley']);
    expect(all.get('harbour')).toEqual({
      source: 'harbour',
      kind: 'feed',
      status: 'ok',
      entries: 5,
      last_error: null,
      url: server.url('/pass/harbour.xml'),
      last_success: '2026-03-01T12:00:00.000Z',
      consecutive_failures: 0,
      next_attempt: null,
    });
    expect(all.get('radio')?.entries).toBe(3);
  });

  it('reads the same documents again as unchanged, writing nothing', async () => {
    const before = outFiles(ws);
    const again = await pass(ws, T0 + 15 * MINUTE);
    expect(again.summary).toMatchObject({ sourcesOk: 4, sourcesUnchanged: 4, entriesNew: 0, entriesUpdated: 0 });
    const after = outFiles(ws);
    for (const [name, text] of before) if (name !== 'status.json') expect(after.get(name), name).toBe(text);
  });
});

describe('first-seen dates', () => {
  it('keeps the fetch time of the first sighting for an item without a usable date', async () => {
    const ws = workspace();
    let document = fixture('rss2.xml').toString('utf8');
    server.route('/first-seen/harbour.xml', (request, response, recorded) => send(document, { 'content-type': RSS })(request, response, recorded));
    feedSource(ws, 'harbour', '/first-seen/harbour.xml');
    await pass(ws, T0);
    const dateOf = (title: string) => byTitle(jsonItems(ws), title, (item) => item.title).date_published;
    const firstSeen = [dateOf('Fish market moves indoors'), dateOf('Tide table correction')];
    // Both at the fetch time; the store keeps dates unique per instant, so one may move on a second.
    for (const date of firstSeen) expect(Date.parse(date) - T0).toBeGreaterThanOrEqual(0);
    for (const date of firstSeen) expect(Date.parse(date) - T0).toBeLessThanOrEqual(SECOND);

    // Two hours later the document changes (one item's text), so it is read again.
    document = document.replace('The Saturday fish market moves into the old net loft.', 'The Saturday fish market moves into the old net loft by the quay.');
    const { summary } = await pass(ws, T0 + 2 * 60 * MINUTE);
    expect(summary).toMatchObject({ sourcesOk: 1, sourcesUnchanged: 0, entriesUpdated: 1, entriesNew: 0 });
    expect([dateOf('Fish market moves indoors'), dateOf('Tide table correction')]).toEqual(firstSeen);
  });
});

describe('conditional GET in a pass', () => {
  it('sends the ETag, takes a 304 as unchanged, and keeps the entries', async () => {
    const ws = workspace();
    server.route('/etag/science.atom', (request, response) => {
      if (request.headers['if-none-match'] === 'W/"science-1"') {
        response.writeHead(304, { etag: 'W/"science-1"' });
        response.end();
      } else {
        response.writeHead(200, { 'content-type': ATOM, etag: 'W/"science-1"' });
        response.end(fixture('atom.xml'));
      }
    });
    feedSource(ws, 'science', '/etag/science.atom');
    const first = await pass(ws, T0);
    expect(first.summary).toMatchObject({ sourcesOk: 1, entriesNew: 2 });
    const rssBefore = read(ws, 'rss.xml');

    const second = await pass(ws, T0 + 15 * MINUTE);
    const requests = server.requestsTo('/etag/science.atom');
    expect(requests).toHaveLength(2);
    expect(requests[0]!.headers['if-none-match']).toBeUndefined();
    expect(requests[1]!.headers['if-none-match']).toBe('W/"science-1"');
    expect(second.summary).toMatchObject({ sourcesOk: 1, sourcesUnchanged: 1, sourcesFailed: 0, entriesNew: 0, entriesUpdated: 0, entriesUnchanged: 2 });
    expect(read(ws, 'rss.xml')).toBe(rssBefore);
    expect(rssTitles(ws)).toEqual(['Seals return to the north beach', 'Kelp forest survey']);
    expect(health(ws, 'science')).toMatchObject({ status: 'ok', entries: 2, consecutive_failures: 0, last_success: '2026-03-01T12:15:00.000Z' });

    // A third pass still sends the validator it was given the first time.
    await pass(ws, T0 + 30 * MINUTE);
    expect(server.requestsTo('/etag/science.atom')[2]!.headers['if-none-match']).toBe('W/"science-1"');
  });
});

describe('a source that fails and recovers', () => {
  const ws = workspace();
  let mode: 'v1' | 'down' | 'v2' = 'v1';
  const lighthouse = () => server.requestsTo('/backoff/lighthouse.xml').length;
  const steady = () => server.requestsTo('/backoff/steady.atom').length;
  const attempts: { at: number; next: string | null; failures: number }[] = [];

  beforeAll(() => {
    server.route('/backoff/lighthouse.xml', (request, response, recorded) => {
      if (mode === 'down') return send('upstream error', { 'content-type': 'text/plain' }, 500)(request, response, recorded);
      return sendFixture(mode === 'v1' ? 'lighthouse-v1.xml' : 'lighthouse-v2.xml', RSS)(request, response, recorded);
    });
    server.route('/backoff/steady.atom', sendFixture('atom.xml', ATOM));
    feedSource(ws, 'lighthouse', '/backoff/lighthouse.xml');
    feedSource(ws, 'steady', '/backoff/steady.atom');
  });

  async function failingPass(at: number, expectedFailures: number) {
    const before = lighthouse();
    const result = await pass(ws, at);
    expect(lighthouse(), 'the failing source is fetched when due').toBe(before + 1);
    const lh = health(ws, 'lighthouse');
    expect(lh).toMatchObject({ status: 'failed', consecutive_failures: expectedFailures, entries: 2, last_success: '2026-03-01T12:00:00.000Z' });
    expect(lh.last_error).toContain(`HTTP 500 from ${server.url('/backoff/lighthouse.xml')}`);
    attempts.push({ at, next: lh.next_attempt, failures: lh.consecutive_failures });
    // Its published entries stay; the other source is fine.
    expect(rssTitles(ws)).toEqual(expect.arrayContaining(['Lamp room repainted', 'Fog signal tested', 'Seals return to the north beach']));
    expect(result.summary.failures.map((failure) => failure.source)).toEqual(['lighthouse']);
    expect(result.summary.sourcesOk).toBe(1);
    const error = result.logs.find((line) => line.level === 50 && line.source === 'lighthouse');
    expect(error?.msg).toContain('source failed: ingest: HTTP 500');
    expect(error?.consecutive_failures).toBe(expectedFailures);
    expectWellFormed(ws);
    return result;
  }

  it('publishes the first time', async () => {
    const { summary } = await pass(ws, T0);
    expect(summary).toMatchObject({ sourcesOk: 2, sourcesFailed: 0, entriesNew: 4 });
    expect(health(ws, 'lighthouse')).toMatchObject({ status: 'ok', entries: 2, consecutive_failures: 0, next_attempt: null });
  });

  it('fails on a 500, keeps its entries, and waits a minute', async () => {
    mode = 'down';
    const t1 = T0 + 15 * MINUTE;
    await failingPass(t1, 1);
    expect(attempts.at(-1)!.next).toBe(new Date(t1 + MINUTE).toISOString());
  });

  it('is not fetched while backing off, and the pass reports it as failing with a log line', async () => {
    const before = lighthouse();
    const steadyBefore = steady();
    const { summary, logs } = await pass(ws, T0 + 15 * MINUTE + 30 * SECOND);
    expect(lighthouse()).toBe(before);
    expect(steady(), 'the other source is still read').toBe(steadyBefore + 1);
    expect(summary.failures).toEqual([{ source: 'lighthouse', reason: expect.stringMatching(/^still failing, next attempt 2026-03-01T12:16:00\.000Z: ingest: HTTP 500/) }]);
    expect(summary.sourcesFailed).toBe(1);
    expect(summary.sourcesOk).toBe(1);
    const line = logs.find((entry) => entry.level >= 40 && entry.source === 'lighthouse');
    expect(line?.msg).toMatch(/^source skipped: still failing/);
    expect(health(ws, 'lighthouse')).toMatchObject({ status: 'failed', consecutive_failures: 1 });
    expect(rssTitles(ws)).toEqual(expect.arrayContaining(['Lamp room repainted', 'Fog signal tested']));
  });

  it('backs off longer after each failure in a row', async () => {
    const t2 = T0 + 16 * MINUTE;
    await failingPass(t2, 2);
    const t3 = Date.parse(attempts.at(-1)!.next!);
    // Just before it is due: not fetched.
    const before = lighthouse();
    await pass(ws, t3 - SECOND);
    expect(lighthouse()).toBe(before);
    await failingPass(t3, 3);
    const gaps = attempts.map((attempt) => Date.parse(attempt.next!) - attempt.at);
    expect(gaps).toEqual([MINUTE, 2 * MINUTE, 4 * MINUTE]);
    expect(attempts.map((attempt) => attempt.failures)).toEqual([1, 2, 3]);
  });

  it('recovers when due: fine again, changed items updated, new ones added', async () => {
    mode = 'v2';
    const t4 = Date.parse(attempts.at(-1)!.next!);
    const { summary } = await pass(ws, t4);
    expect(summary.failures).toEqual([]);
    expect(summary).toMatchObject({ sourcesOk: 2, sourcesFailed: 0, entriesNew: 1, entriesUpdated: 1 });
    expect(health(ws, 'lighthouse')).toMatchObject({ status: 'ok', consecutive_failures: 0, last_error: null, next_attempt: null, entries: 3, last_success: new Date(t4).toISOString() });
    const titles = rssTitles(ws);
    expect(titles).toContain('Lamp room repainted in white and red');
    expect(titles).toContain('Storm damage to the gallery rail');
    expect(titles).not.toContain('Lamp room repainted');
    expect(titles.filter((title) => title.startsWith('Lamp room'))).toHaveLength(1);
    const lamp = byTitle(jsonItems(ws), 'Lamp room repainted in white and red', (item) => item.title) as JsonItem & { date_modified: string };
    expect(lamp.date_published).toBe('2026-02-27T10:00:00Z');
    expect(Date.parse(lamp.date_modified)).toBeGreaterThanOrEqual(t4);
    expectWellFormed(ws);
  });
});

describe('Retry-After', () => {
  it('is not fetched again before the time the server asked for', async () => {
    const ws = workspace();
    let busy = true;
    server.route('/retry/busy.xml', (request, response, recorded) =>
      busy ? send('busy', { 'retry-after': '3600' }, 503)(request, response, recorded) : sendFixture('lighthouse-v1.xml', RSS)(request, response, recorded),
    );
    feedSource(ws, 'busy', '/retry/busy.xml');
    const first = await pass(ws, T0);
    expect(first.summary.failures[0]?.reason).toContain('HTTP 503');
    expect(health(ws, 'busy')).toMatchObject({ status: 'failed', consecutive_failures: 1, next_attempt: new Date(T0 + 3600 * SECOND).toISOString() });

    busy = false;
    // Past the one-minute backoff, before Retry-After.
    await pass(ws, T0 + 2 * MINUTE);
    await pass(ws, T0 + 59 * MINUTE);
    expect(server.requestsTo('/retry/busy.xml')).toHaveLength(1);
    expect(health(ws, 'busy').status).toBe('failed');

    const due = await pass(ws, T0 + 60 * MINUTE);
    expect(server.requestsTo('/retry/busy.xml')).toHaveLength(2);
    expect(due.summary).toMatchObject({ sourcesOk: 1, sourcesFailed: 0, entriesNew: 2 });
  });

  it('waits at most a day, whatever Retry-After asks', async () => {
    const ws = workspace();
    server.route('/retry/forever.xml', send('go away', { 'retry-after': String(30 * 24 * 3600) }, 503));
    feedSource(ws, 'forever', '/retry/forever.xml');
    await pass(ws, T0);
    expect(health(ws, 'forever').next_attempt).toBe(new Date(T0 + 24 * 60 * MINUTE).toISOString());
  });

  it('never shortens the backoff when Retry-After is shorter', async () => {
    const ws = workspace();
    server.route('/retry/brief.xml', send('busy', { 'retry-after': '5' }, 429));
    feedSource(ws, 'brief', '/retry/brief.xml');
    await pass(ws, T0);
    expect(health(ws, 'brief').next_attempt).toBe(new Date(T0 + MINUTE).toISOString());
  });
});

describe('politeness', () => {
  it('has at most 2 requests in flight to one host, and names feedloom and its version', async () => {
    const ws = workspace();
    for (let n = 1; n <= 8; n++) {
      const document = fixture('numbered-template.xml').toString('utf8').replaceAll('{{N}}', String(n));
      server.route(`/polite/buoy-${n}.xml`, delayed(150, send(document, { 'content-type': RSS })));
      feedSource(ws, `buoy-${n}`, `/polite/buoy-${n}.xml`);
    }
    await delay(20);
    server.resetCounters();
    const started = performance.now();
    const { summary } = await pass(ws, T0);
    expect(summary).toMatchObject({ sourcesOk: 8, sourcesFailed: 0, entriesNew: 8 });
    expect(server.inFlight.max).toBe(2);
    // Four rounds of two.
    expect(performance.now() - started).toBeGreaterThanOrEqual(4 * 150 - 20);
    const requests = server.requests.filter((request) => request.path.startsWith('/polite/buoy-'));
    expect(requests).toHaveLength(8);
    const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(VERSION).toBe(version);
    for (const request of requests) {
      expect(request.headers['user-agent']).toContain(`feedloom/${version}`);
      expect(request.headers['user-agent']).toContain(SITE_URL);
    }
  });

  it('follows fetch.per_host from site.yaml', async () => {
    const ws = workspace({ siteExtra: 'fetch:\n  per_host: 3\n' });
    for (let n = 1; n <= 6; n++) {
      const document = fixture('numbered-template.xml').toString('utf8').replaceAll('{{N}}', String(n));
      server.route(`/polite3/buoy-${n}.xml`, delayed(120, send(document, { 'content-type': RSS })));
      feedSource(ws, `buoy-${n}`, `/polite3/buoy-${n}.xml`);
    }
    await delay(20);
    server.resetCounters();
    const { summary } = await pass(ws, T0);
    expect(summary.sourcesOk).toBe(6);
    expect(server.inFlight.max).toBe(3);
  });

  it('sends the headers a source names', async () => {
    const ws = workspace();
    server.route('/polite/private.xml', sendFixture('lighthouse-v1.xml', RSS));
    feedSource(ws, 'private', '/polite/private.xml', 'headers:', '  X-Api-Key: sesame-42');
    await pass(ws, T0);
    expect(server.requestsTo('/polite/private.xml')[0]!.headers['x-api-key']).toBe('sesame-42');
  });
});

describe('source files', () => {
  const ws = workspace();
  let summary: PassSummary;
  let logs: LogLine[];

  beforeAll(async () => {
    server.route('/config/good.xml', sendFixture('lighthouse-v1.xml', RSS));
    server.route('/config/off.xml', sendFixture('rss2.xml', RSS));
    server.route('/config/bad-key.xml', sendFixture('rss2.xml', RSS));
    feedSource(ws, 'good', '/config/good.xml');
    feedSource(ws, 'bad-key', '/config/bad-key.xml', 'colour: blue');
    source(ws, 'bad-kind', ['kind: podcast', `url: ${server.url('/config/bad-key.xml')}`]);
    source(ws, 'not-yaml', ['kind: [feed', 'url: "unterminated']);
    feedSource(ws, 'off', '/config/off.xml', 'enabled: false');
    ({ summary, logs } = await pass(ws, T0));
  });

  it('fails each invalid file on its own, naming the file, the key and the reason', () => {
    const reasons = new Map(summary.failures.map((failure) => [failure.source, failure.reason]));
    expect([...reasons.keys()].sort()).toEqual(['bad-key.yaml', 'bad-kind.yaml', 'not-yaml.yaml']);
    expect(reasons.get('bad-key.yaml')).toMatch(/^config: bad-key\.yaml: key "colour": unknown key \(allowed: kind, url, /);
    expect(reasons.get('bad-kind.yaml')).toBe('config: bad-kind.yaml: key "kind": "podcast" must be "feed" or "page"');
    expect(reasons.get('not-yaml.yaml')).toMatch(/^config: not-yaml\.yaml: not valid YAML/);
    for (const file of reasons.keys()) {
      const line = logs.find((entry) => entry.level === 50 && entry.source === file);
      expect(line?.msg, file).toMatch(/^source skipped: config: /);
      expect(line?.file).toBe(file);
    }
    expect(summary.sourcesFailed).toBe(3);
  });

  it('still publishes the good source', () => {
    expect(summary.sourcesOk).toBe(1);
    expect(rssTitles(ws)).toEqual(['Lamp room repainted', 'Fog signal tested']);
    expect(health(ws, 'good').status).toBe('ok');
    expectWellFormed(ws);
  });

  it('keeps the entries of a source whose file turns invalid, and reports it in the pass', async () => {
    const later = workspace();
    server.route('/config/later.xml', sendFixture('lighthouse-v1.xml', RSS));
    feedSource(later, 'later', '/config/later.xml');
    await pass(later, T0);
    expect(rssTitles(later)).toEqual(['Lamp room repainted', 'Fog signal tested']);
    feedSource(later, 'later', '/config/later.xml', 'max_entries: 0');
    const { summary } = await pass(later, T0 + 15 * MINUTE);
    expect(summary.failures).toEqual([{ source: 'later.yaml', reason: 'config: later.yaml: key "max_entries": must be a whole number of at least 1' }]);
    expect(server.requestsTo('/config/later.xml')).toHaveLength(1);
    expect(rssTitles(later)).toEqual(['Lamp room repainted', 'Fog signal tested']);
    // Its health says so too, with its entries still counted.
    expect(health(later, 'later')).toMatchObject({ status: 'failed', entries: 2, consecutive_failures: 1, last_error: expect.stringContaining('max_entries') });
  });

  it('never fetches an invalid or disabled source', () => {
    expect(server.requestsTo('/config/off.xml')).toHaveLength(0);
    expect(server.requestsTo('/config/bad-key.xml')).toHaveLength(0);
    expect([...status(ws).keys()]).toEqual(['good']);
  });
});

describe('the same story from two sources', () => {
  it('appears once in every feed format', async () => {
    const ws = workspace();
    server.route('/dup/coastwatch.xml', sendFixture('whale-a.xml', RSS));
    server.route('/dup/wire.json', sendFixture('whale-b.json', 'application/feed+json'));
    feedSource(ws, 'coastwatch', '/dup/coastwatch.xml');
    feedSource(ws, 'wire', '/dup/wire.json');
    const { summary } = await pass(ws, T0);
    expect(summary).toMatchObject({ sourcesOk: 2, sourcesFailed: 0 });
    const whale = 'https://story.example/news/whale';
    const json = jsonItems(ws);
    expect(json.filter((item) => item.url === whale)).toHaveLength(1);
    expect(json.map((item) => item.url).sort()).toEqual(['https://coastwatch.example/seal-pup', 'https://story.example/news/tides', whale]);
    expect(rssItems(ws).filter((item) => child(item, 'link')?.text === whale)).toHaveLength(1);
    expect(rssItems(ws)).toHaveLength(3);
    expect(atomEntries(ws).filter((entry) => entry.children.some((node) => node.name === 'link' && node.attributes.href === whale))).toHaveLength(1);
    expect(atomEntries(ws)).toHaveLength(3);
    expectWellFormed(ws);
  });
});

describe('hostile documents end to end', () => {
  it('sanitizes HTML in the stored entries and in every output file', async () => {
    const ws = workspace();
    server.route('/hostile/dirty.xml', sendFixture('dirty-html.xml', RSS));
    feedSource(ws, 'dirty', '/hostile/dirty.xml');
    const { summary } = await pass(ws, T0);
    expect(summary).toMatchObject({ sourcesOk: 1, entriesNew: 2 });
    const stored = await ws.store.feedEntries({}, 100, () => true);
    expect(stored).toHaveLength(2);
    const files = outFiles(ws);
    // The item without a link has an entry page of its own.
    const pages = [...files.keys()].filter((name) => name.startsWith('entries/'));
    expect(pages).toHaveLength(1);
    expect(files.get(pages[0]!)).toContain('Second notice text.');
    const texts: [string, string][] = [...[...files].map(([name, text]): [string, string] => [name, text]), ['store', JSON.stringify(stored)]];
    for (const [name, text] of texts) {
      for (const bad of ['<script', '&lt;script', 'XSS-', 'xss-style-marker', 'onerror', 'onclick', 'onload', 'javascript:', 'vbscript:', 'srcset', '<iframe', '&lt;iframe', '<svg', '<object', 'evil.example', 'position:fixed', 'data:text/html', 'data:image/svg', '<form', '&lt;form']) {
        expect(text, `${name} contains ${bad}`).not.toContain(bad);
      }
    }
    const jsonContent = jsonItems(ws).map((item) => item.content_html).join('\n');
    for (const [name, text] of [...['rss.xml', 'atom.xml'].map((file): [string, string] => [file, files.get(file)!]), ['feed.json content_html', jsonContent]]) {
      expect(text, name).toContain('The council published the <strong>harbour plan</strong> on Friday.');
      expect(text, name).toContain('href="https://dirty.example/docs/plan.pdf"');
      expect(text, name).toContain('src="https://dirty.example/img/harbour.jpg"');
      expect(text, name).toContain('src="data:image/png;base64,iVBORw0KGgo');
    }
    expectWellFormed(ws);
  });

  it('expands no entity and reads no local file, and the pass finishes quickly', async () => {
    const ws = workspace({ onDisk: true });
    const secretFile = path.join(ws.root, 'secret.txt');
    writeFileSync(secretFile, 'XXE-SECRET-51c0ffee\n');
    server.route('/hostile/laughs.xml', sendFixture('billion-laughs.xml', RSS));
    server.route('/hostile/xxe.xml', send(fixture('external-entity.xml').toString('utf8').replaceAll('{{SECRET_PATH}}', secretFile), { 'content-type': RSS }));
    server.route('/hostile/fine.xml', sendFixture('lighthouse-v1.xml', RSS));
    feedSource(ws, 'laughs', '/hostile/laughs.xml');
    feedSource(ws, 'xxe', '/hostile/xxe.xml');
    feedSource(ws, 'fine', '/hostile/fine.xml');
    const started = performance.now();
    const { summary } = await pass(ws, T0);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(summary.failures).toEqual([]);
    expect(summary.sourcesOk).toBe(3);
    const files = outFiles(ws);
    let total = 0;
    for (const [name, text] of files) {
      total += text.length;
      expect(text, name).not.toContain('XXE-SECRET');
      expect(text, name).not.toContain('lollol');
    }
    expect(total).toBeLessThan(200_000);
    ws.store.close();
    stores.splice(stores.indexOf(ws.store), 1);
    for (const name of readdirSync(path.dirname(ws.stateFile!))) {
      expect(readFileSync(path.join(path.dirname(ws.stateFile!), name)).includes('XXE-SECRET'), name).toBe(false);
    }
    // The entity reference is left as the text it is.
    expect(rssTitles(ws)).toContain('Leak: &xxe;');
  });
});

describe('failing sources beside a good one', () => {
  const ws = workspace({ siteExtra: 'fetch:\n  timeout: 0.5\n' });
  let summary: PassSummary;
  let logs: LogLine[];
  let elapsed = 0;
  let stallClosed: Promise<void> | undefined;

  beforeAll(async () => {
    const routes: [string, Handler][] = [
      ['/mixed/good.atom', sendFixture('atom.xml', ATOM)],
      [
        '/mixed/stall.xml',
        (_request, response, recorded) => {
          stallClosed = recorded.socketClosed;
          response.writeHead(200, { 'content-type': RSS });
          response.write('<?xml version="1.0"?><rss version="2.0"><channel>');
        },
      ],
      ['/mixed/huge.xml', (_request, response) => {
        response.writeHead(200, { 'content-type': RSS });
        void streamBytes(response, 50 * 1024 * 1024);
      }],
      ['/mixed/bomb.xml', send(gzipSync(Buffer.alloc(6 * 1024 * 1024, 0x20)), { 'content-type': RSS, 'content-encoding': 'gzip' })],
      ['/mixed/broken.xml', sendFixture('broken.xml', RSS)],
      ['/mixed/loop-a', redirect('/mixed/loop-b')],
      ['/mixed/loop-b', redirect('/mixed/loop-a')],
      ['/mixed/html.xml', send('<!doctype html><html><body><p>Not a feed</p></body></html>', { 'content-type': 'text/html' })],
    ];
    for (const [pathname, handler] of routes) server.route(pathname, handler);
    feedSource(ws, 'good', '/mixed/good.atom');
    feedSource(ws, 'stall', '/mixed/stall.xml');
    feedSource(ws, 'huge', '/mixed/huge.xml');
    feedSource(ws, 'bomb', '/mixed/bomb.xml');
    feedSource(ws, 'broken', '/mixed/broken.xml');
    feedSource(ws, 'loop', '/mixed/loop-a');
    feedSource(ws, 'missing', '/mixed/missing.xml');
    feedSource(ws, 'html', '/mixed/html.xml');
    const started = performance.now();
    ({ summary, logs } = await pass(ws, T0));
    elapsed = performance.now() - started;
  });

  it('finishes in about the fetch timeout, with the good source published', () => {
    expect(elapsed).toBeLessThan(3000);
    expect(summary.sourcesOk).toBe(1);
    expect(rssTitles(ws)).toEqual(['Seals return to the north beach', 'Kelp forest survey']);
    expect(health(ws, 'good')).toMatchObject({ status: 'ok', entries: 2 });
    expectWellFormed(ws);
  });

  it('fails each bad source with its own reason, logged and in status.json', () => {
    const reasons = new Map(summary.failures.map((failure) => [failure.source, failure.reason]));
    expect([...reasons.keys()].sort()).toEqual(['bomb', 'broken', 'html', 'huge', 'loop', 'missing', 'stall']);
    expect(reasons.get('stall')).toContain('timed out');
    expect(reasons.get('huge')).toContain('larger than 5242880 bytes');
    expect(reasons.get('bomb')).toContain('larger than 5242880 bytes');
    expect(reasons.get('broken')).toContain('feed is not readable XML');
    expect(reasons.get('loop')).toContain('redirect loop');
    expect(reasons.get('missing')).toContain('HTTP 404');
    for (const [id, reason] of reasons) {
      expect(health(ws, id), id).toMatchObject({ status: 'failed', consecutive_failures: 1, last_error: reason, entries: 0, last_success: null });
      expect(logs.some((line) => line.level === 50 && line.source === id && line.msg === `source failed: ${reason}`), id).toBe(true);
    }
  });

  it('hangs up on the stalled server', async () => {
    await expect(Promise.race([stallClosed!.then(() => 'closed'), delay(1000).then(() => 'still open')])).resolves.toBe('closed');
  });
});

describe('pages in a pass', () => {
  it('publishes the lead and the briefs of an HTML page, with entry pages for the briefs', async () => {
    const ws = workspace();
    server.route('/pages/island.html', sendFixture('island-times.html', 'text/html; charset=utf-8'));
    source(ws, 'island', islandPageSource(server.url('/pages/island.html')));
    const { summary } = await pass(ws, T0);
    expect(summary).toMatchObject({ sourcesOk: 1, sourcesFailed: 0, entriesNew: 4 });
    const items = jsonItems(ws);
    expect(items.map((item) => [item.title.split(':')[0], item.date_published])).toEqual([
      ['Storm closes the causeway to Holm Island', '2026-03-01T12:00:00Z'],
      ['Transport', '2026-03-01T11:30:00Z'],
      ['Weather', '2026-03-01T00:05:00Z'],
      ['Harbour', '2026-02-28T14:10:00Z'],
    ]);
    expect(items[0]!.url).toBe(server.url('/pages/island.html'));
    for (const brief of items.slice(1)) {
      expect(brief.url).toMatch(/^https:\/\/feeds\.example\/entries\/[0-9a-f-]{36}\.html$/);
      expect(existsSync(path.join(ws.out, brief.url.slice(SITE_URL.length))), brief.url).toBe(true);
    }
    expect(health(ws, 'island')).toMatchObject({ kind: 'page', status: 'ok', entries: 4 });
    expectWellFormed(ws);
  });
});
