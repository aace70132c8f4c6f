// WebSub: with `hub:` in site.yaml every feed names the hub, and a pass that changed feeds
// posts hub.mode=publish for each changed feed file to a real (local) hub, retrying failures;
// a hub that fails never fails the pass.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import {
  ATOM_NS,
  childrenNamed,
  LEVEL,
  memoryStore,
  parseXml,
  passWithLogs,
  TempDirs,
  writePage,
  type PassRun,
  type XmlNode,
} from './support/feed-site.js';

const SITE_URL = 'https://websub.example.test/town/';
const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;
const NOW = new Date('2026-03-01T12:00:00Z');

const temps = new TempDirs();
const stores: SqliteStore[] = [];
const hubs: Hub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
  for (const store of stores.splice(0)) store.close();
});
afterAll(() => temps.cleanup());

interface HubPost {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  form: URLSearchParams;
  at: number;
}

interface Hub {
  url: string;
  posts: HubPost[];
  close(): Promise<void>;
}

/**
 * A WebSub hub on 127.0.0.1 that records every request. `status` picks the answer from the
 * request and how many requests for the same hub.url came before it.
 */
async function startHub(status: (post: HubPost, earlierForSameUrl: number) => number = () => 204): Promise<Hub> {
  const posts: HubPost[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const post: HubPost = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body, form: new URLSearchParams(body), at: performance.now() };
      const earlier = posts.filter((other) => other.form.get('hub.url') === post.form.get('hub.url')).length;
      posts.push(post);
      response.writeHead(status(post, earlier), { 'content-type': 'text/plain' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const hub: Hub = {
    url: `http://127.0.0.1:${port}/hub`,
    posts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  hubs.push(hub);
  return hub;
}

/** A URL on 127.0.0.1 where nothing listens: a port that was just free. */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hub`;
}

interface Site {
  sources: string;
  out: string;
  store: SqliteStore;
  passes: number;
}

/** Two pages (leads with briefs), a default feed and a `briefs` feed of briefs only. */
function makeSite(hub: string | undefined): Site {
  const root = temps.make('websub');
  const sources = path.join(root, 'sources');
  writePage(sources, 'harbour.txt', {
    url: 'https://websub.example.test/town/stories/harbour',
    captured: '2026-02-20T18:00:00+00:00',
    lead: 'The harbour wall repairs will start in April and take six weeks.',
    paragraphs: ['The council approved the contract on Tuesday.'],
    briefs: [
      { time: '17:30', topic: 'Port', text: 'The evening ferry left twenty minutes late.' },
      { time: '16:05', topic: 'Weather', text: 'Fog is expected along the coast tonight.' },
    ],
  });
  writePage(sources, 'school.txt', {
    captured: '2026-02-21T09:00:00+00:00',
    lead: 'The primary school on Mill Lane gets a new roof this summer.',
    briefs: [{ time: '08:40', topic: 'Roads', text: 'Mill Lane is closed for resurfacing until noon.' }],
  });
  const hubLine = hub ? `hub: ${hub}\n` : '';
  writeFileSync(
    path.join(sources, 'site.yaml'),
    `title: Town Crier\nurl: ${SITE_URL}\n${hubLine}feeds:\n  - id: briefs\n    title: Town Crier briefs\n    kind: brief\n`,
  );
  const store = memoryStore();
  stores.push(store);
  return { sources, out: path.join(root, 'out'), store, passes: 0 };
}

function pass(site: Site, hubRetry?: { attempts?: number; firstRetryMs?: number }): Promise<PassRun> {
  // Each pass starts a quarter of an hour after the one before, as on a schedule.
  const now = new Date(NOW.getTime() + site.passes++ * 15 * 60_000);
  return passWithLogs({ sourcesDir: site.sources, outDir: site.out, store: site.store, now: () => now, ...(hubRetry ? { hubRetry } : {}) });
}

/** Public URLs of the three files of each feed folder ('' is the default feed). */
function feedUrls(folders: string[]): string[] {
  return folders.flatMap((folder) => FEED_FILES.map((file) => `${SITE_URL}${folder}${file}`)).sort();
}

function linksWithRel(parent: XmlNode, rel: string): XmlNode[] {
  return childrenNamed(parent, ATOM_NS, 'link').filter((link) => link.attributes.rel === rel);
}

describe('feeds name the hub', () => {
  it('RSS (atom:link), Atom and JSON Feed carry the hub and their own URL', async () => {
    const hub = await startHub();
    const site = makeSite(hub.url);
    await pass(site);
    for (const folder of ['', 'briefs/']) {
      const rss = parseXml(readFileSync(path.join(site.out, folder, 'rss.xml'), 'utf8'));
      const channel = rss.root.children.find((child) => child.local === 'channel' && child.uri === '')!;
      expect(channel, `${folder}rss.xml has a channel`).toBeDefined();
      // RSS has no link relations of its own: the hub and self links are Atom elements.
      expect(linksWithRel(channel, 'hub').map((link) => link.attributes.href)).toEqual([hub.url]);
      expect(linksWithRel(channel, 'self').map((link) => link.attributes.href)).toEqual([`${SITE_URL}${folder}rss.xml`]);

      const atom = parseXml(readFileSync(path.join(site.out, folder, 'atom.xml'), 'utf8'));
      expect(atom.root.uri).toBe(ATOM_NS);
      expect(linksWithRel(atom.root, 'hub').map((link) => link.attributes.href)).toEqual([hub.url]);
      expect(linksWithRel(atom.root, 'self').map((link) => link.attributes.href)).toEqual([`${SITE_URL}${folder}atom.xml`]);

      const json = JSON.parse(readFileSync(path.join(site.out, folder, 'feed.json'), 'utf8')) as { hubs?: unknown; feed_url?: string };
      expect(json.hubs).toEqual([{ type: 'WebSub', url: hub.url }]);
      expect(json.feed_url).toBe(`${SITE_URL}${folder}feed.json`);
    }
  });

  it('without a hub, no feed names one', async () => {
    const site = makeSite(undefined);
    await pass(site);
    for (const folder of ['', 'briefs/']) {
      expect(readFileSync(path.join(site.out, folder, 'rss.xml'), 'utf8')).not.toContain('rel="hub"');
      expect(readFileSync(path.join(site.out, folder, 'atom.xml'), 'utf8')).not.toContain('rel="hub"');
      expect(JSON.parse(readFileSync(path.join(site.out, folder, 'feed.json'), 'utf8'))).not.toHaveProperty('hubs');
    }
  });
});

describe('publish notifications', () => {
  it('posts hub.mode=publish once per changed feed file, and nothing when nothing changed', async () => {
    const hub = await startHub();
    const site = makeSite(hub.url);

    // First pass: every feed is new.
    const first = await pass(site);
    expect(first.summary.sourcesFailed).toBe(0);
    expect(hub.posts.map((post) => post.form.get('hub.url')).sort()).toEqual(feedUrls(['', 'briefs/']));
    for (const post of hub.posts) {
      expect(post.method).toBe('POST');
      expect(post.path).toBe('/hub');
      expect(post.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/);
      expect(post.headers['user-agent']).toMatch(/^feedloom\/\S+/);
      expect(post.form.get('hub.mode')).toBe('publish');
      expect([...post.form.keys()].sort()).toEqual(['hub.mode', 'hub.url']);
    }

    // A lead without briefs changes the default feed only: the briefs feed must not be announced.
    hub.posts.length = 0;
    writePage(site.sources, 'market.txt', {
      captured: '2026-02-22T07:00:00+00:00',
      lead: 'The Saturday market moves to the quay for the spring.',
    });
    const second = await pass(site);
    expect(second.summary.entriesNew).toBe(1);
    expect(hub.posts.map((post) => post.form.get('hub.url')).sort()).toEqual(feedUrls(['']));

    // Nothing changed: nothing to announce.
    hub.posts.length = 0;
    const third = await pass(site);
    expect(third.summary.entriesNew + third.summary.entriesUpdated).toBe(0);
    expect(hub.posts).toEqual([]);
  });

  it('retries a hub that answers 500 twice, then 204, and the pass succeeds', async () => {
    const hub = await startHub((_post, earlier) => (earlier < 2 ? 500 : 204));
    const site = makeSite(hub.url);
    const { summary, logs } = await pass(site, { attempts: 3, firstRetryMs: 10 });
    expect(summary.sourcesFailed).toBe(0);
    expect(summary.failures).toEqual([]);
    const expected = feedUrls(['', 'briefs/']);
    for (const url of expected) {
      const attempts = hub.posts.filter((post) => post.form.get('hub.url') === url);
      expect(attempts, url).toHaveLength(3);
      // Backoff: 10 ms before the second attempt, 20 ms before the third (timers may fire a little early).
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(8);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(18);
    }
    expect(hub.posts).toHaveLength(expected.length * 3);
    // Every feed got through in the end: nothing to warn about.
    expect(logs.filter((line) => line.level >= LEVEL.warn)).toEqual([]);
  });

  it('a hub that always fails is logged per feed URL and never fails the pass', async () => {
    const hub = await startHub(() => 500);
    const site = makeSite(hub.url);
    const { summary, logs } = await pass(site, { attempts: 3, firstRetryMs: 10 });

    // The same sources without a hub give the same summary.
    const plain = makeSite(undefined);
    const baseline = await pass(plain);
    expect(summary.sourcesFailed).toBe(0);
    expect(summary.failures).toEqual([]);
    expect({ ok: summary.sourcesOk, new: summary.entriesNew, written: summary.filesWritten }).toEqual({
      ok: baseline.summary.sourcesOk,
      new: baseline.summary.entriesNew,
      written: baseline.summary.filesWritten,
    });

    const expected = feedUrls(['', 'briefs/']);
    expect(hub.posts).toHaveLength(expected.length * 3);
    const warnings = logs.filter((line) => line.level === LEVEL.warn);
    expect(warnings.map((line) => line.feed_url).sort()).toEqual(expected);
    for (const line of warnings) {
      expect(line.hub).toBe(hub.url);
      expect(line.msg).toContain('500');
    }
    expect(logs.some((line) => line.level >= LEVEL.error)).toBe(false);
    expect(logs.find((line) => line.msg === 'pass finished')).toMatchObject({ sources_failed: 0 });
  });

  it('a hub that refuses connections is logged per feed URL and never fails the pass', async () => {
    const url = await refusingUrl();
    const site = makeSite(url);
    const { summary, logs } = await pass(site, { attempts: 2, firstRetryMs: 10 });
    expect(summary.sourcesFailed).toBe(0);
    expect(summary.failures).toEqual([]);
    expect(summary.entriesNew).toBe(5); // two leads, three briefs
    // The feeds were still written, hub link included.
    expect(readFileSync(path.join(site.out, 'atom.xml'), 'utf8')).toContain(`<link rel="hub" href="${url}"/>`);
    const warnings = logs.filter((line) => line.level === LEVEL.warn);
    expect(warnings.map((line) => line.feed_url).sort()).toEqual(feedUrls(['', 'briefs/']));
    for (const line of warnings) expect(line.hub).toBe(url);
    expect(logs.some((line) => line.level >= LEVEL.error)).toBe(false);
  });
});
