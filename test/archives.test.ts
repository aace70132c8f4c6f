// RFC 5005 archives (archive: true): entries that fall out of a feed's window go to
// out/archive/<feed>/<n>.xml, pages that are written once and never change, linked so that
// walking prev-archive from the current feed visits every entry ever published exactly once.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import {
  ageFiles,
  ATOM_NS,
  briefTitle,
  childrenNamed,
  FEED_HISTORY_NS,
  filesUnder,
  memoryStore,
  parseXml,
  passWithLogs,
  snapshot,
  TempDirs,
  writePage,
  type BriefSpec,
  type FileState,
  type PageSpec,
  type PassRun,
  type XmlDocument,
  type XmlNode,
} from './support/feed-site.js';
import { send, startFixtureServer, type FixtureServer } from './support/http-fixture-server.js';

const SITE_URL = 'https://archive.example.test/news/';
const BRIEFS_LIMIT = 3;
/** The default feed's window; site.yaml cannot change it. */
const DEFAULT_LIMIT = 50;
const PAGE_SIZE = 100;
const NOW = new Date('2026-03-01T12:00:00Z');

const temps = new TempDirs();
afterAll(() => temps.cleanup());

function siteYaml(archive: boolean | undefined): string {
  return [
    'title: Archive Herald',
    `url: ${SITE_URL}`,
    ...(archive === undefined ? [] : [`archive: ${archive}`]),
    'feeds:',
    '  - id: briefs',
    '    title: Archive Herald briefs',
    '    kind: brief',
    `    limit: ${BRIEFS_LIMIT}`,
    '',
  ].join('\n');
}

const TOPICS = ['Port', 'Roads', 'Weather', 'Council'];

/** `count` briefs, ten minutes apart from 00:00, each with its own text. */
function briefs(page: string, count: number): BriefSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const minutes = index * 10;
    const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    return { time, topic: TOPICS[index % TOPICS.length]!, text: `Item ${index + 1} of page ${page}.` };
  });
}

/** A page captured late on `day`, so every brief time falls on that day. */
function page(name: string, day: string, briefCount: number): PageSpec {
  return {
    url: `${SITE_URL}stories/${name}`,
    captured: `${day}T23:30:00+00:00`,
    lead: `Lead story of page ${name}, captured on ${day}.`,
    briefs: briefs(name, briefCount),
  };
}

function titlesOf(specs: PageSpec[], kind: 'all' | 'brief'): string[] {
  return specs.flatMap((spec) => [...(kind === 'all' ? [spec.lead] : []), ...(spec.briefs ?? []).map(briefTitle)]);
}

interface FeedEntry {
  id: string;
  title: string;
  link: string;
  published: number;
}

function atomEntries(document: XmlDocument): FeedEntry[] {
  return childrenNamed(document.root, ATOM_NS, 'entry').map((entry) => ({
    id: childrenNamed(entry, ATOM_NS, 'id')[0]!.text,
    title: childrenNamed(entry, ATOM_NS, 'title')[0]!.text,
    link: childrenNamed(entry, ATOM_NS, 'link').find((link) => (link.attributes.rel ?? 'alternate') === 'alternate')?.attributes.href ?? '',
    published: Date.parse(childrenNamed(entry, ATOM_NS, 'published')[0]!.text),
  }));
}

function atomLinks(node: XmlNode, rel: string): string[] {
  return childrenNamed(node, ATOM_NS, 'link')
    .filter((link) => link.attributes.rel === rel)
    .map((link) => link.attributes.href!);
}

function fileOfUrl(out: string, url: string): string {
  expect(url.startsWith(SITE_URL), `${url} is under the site URL`).toBe(true);
  return path.join(out, url.slice(SITE_URL.length));
}

interface Walk {
  current: FeedEntry[];
  /** Archive pages from newest to oldest, as visited. */
  pages: { url: string; entries: FeedEntry[] }[];
}

/** Follows prev-archive from the current Atom feed to the first archive page. */
function walk(out: string, folder: string): Walk {
  const currentUrl = `${SITE_URL}${folder}atom.xml`;
  const current = parseXml(readFileSync(fileOfUrl(out, currentUrl), 'utf8'));
  const result: Walk = { current: atomEntries(current), pages: [] };
  let next = atomLinks(current.root, 'prev-archive');
  const seen = new Set<string>();
  while (next.length > 0) {
    expect(next, 'one prev-archive link').toHaveLength(1);
    const url = next[0]!;
    expect(seen.has(url), `archive walk loops at ${url}`).toBe(false);
    seen.add(url);
    const document = parseXml(readFileSync(fileOfUrl(out, url), 'utf8'));
    result.pages.push({ url, entries: atomEntries(document) });
    next = atomLinks(document.root, 'prev-archive');
  }
  return result;
}

/** Checks one archive page against RFC 5005 and feedloom's layout. */
function checkArchivePage(out: string, key: string, number: number, currentAtomUrl: string): void {
  const url = `${SITE_URL}archive/${key}/${number}.xml`;
  const xml = readFileSync(fileOfUrl(out, url), 'utf8');
  const document = parseXml(xml);
  const { root } = document;
  expect(root.uri).toBe(ATOM_NS);
  expect(root.local).toBe('feed');
  expect(childrenNamed(root, FEED_HISTORY_NS, 'archive'), `${key}/${number}.xml is marked fh:archive`).toHaveLength(1);
  expect(atomLinks(root, 'current')).toEqual([currentAtomUrl]);
  expect(atomLinks(root, 'self')).toEqual([url]);
  if (number === 1) {
    expect(atomLinks(root, 'prev-archive')).toEqual([]);
    expect(atomLinks(root, 'next-archive')).toEqual([`${SITE_URL}archive/${key}/2.xml`]);
  } else {
    expect(atomLinks(root, 'prev-archive')).toEqual([`${SITE_URL}archive/${key}/${number - 1}.xml`]);
  }
  const entries = atomEntries(document);
  expect(entries.length).toBeGreaterThan(0);
  expect(entries.length).toBeLessThanOrEqual(PAGE_SIZE);
  // The stylesheet instruction must reach out/feed.xsl from two folders down.
  const stylesheet = document.prolog.find((pi) => pi.target === 'xml-stylesheet');
  const href = /href="([^"]+)"/.exec(stylesheet?.body ?? '')?.[1];
  expect(href && new URL(href, url).href).toBe(`${SITE_URL}feed.xsl`);
}

function checkWalk(out: string, folder: string, key: string, expectedTitles: string[], pageCount: number): Walk {
  const walked = walk(out, folder);
  const currentAtomUrl = `${SITE_URL}${folder}atom.xml`;
  // Newest page first, down to page 1, with no page skipped.
  expect(walked.pages.map((visited) => visited.url)).toEqual(Array.from({ length: pageCount }, (_, index) => `${SITE_URL}archive/${key}/${pageCount - index}.xml`));
  for (let number = 1; number <= pageCount; number++) checkArchivePage(out, key, number, currentAtomUrl);
  expect(existsSync(path.join(out, 'archive', key, `${pageCount + 1}.xml`))).toBe(false);

  const archived = walked.pages.flatMap((visited) => visited.entries);
  const archivedIds = archived.map((entry) => entry.id);
  expect(new Set(archivedIds).size, 'no entry twice in the archives').toBe(archivedIds.length);
  const all = [...walked.current, ...archived];
  expect(new Set(all.map((entry) => entry.id)).size, 'no archived entry still in the current feed').toBe(all.length);
  expect(all.map((entry) => entry.title).sort()).toEqual([...expectedTitles].sort());

  // Oldest first: each page's entries are no newer than the next page's, and the current
  // window is newer than every archived entry.
  const chronological = [...walked.pages].reverse().map((visited) => visited.entries);
  chronological.push(walked.current);
  for (let index = 1; index < chronological.length; index++) {
    const before = Math.max(...chronological[index - 1]!.map((entry) => entry.published));
    const after = Math.min(...chronological[index]!.map((entry) => entry.published));
    expect(before, `archive page ${index} is older than what follows it`).toBeLessThanOrEqual(after);
  }
  return walked;
}

/** The RSS feed's prev-archive: an atom:link in the Atom namespace. */
function rssPrevArchive(out: string, folder: string): string[] {
  const rss = parseXml(readFileSync(path.join(out, folder, 'rss.xml'), 'utf8'));
  const channel = rss.root.children.find((child) => child.local === 'channel')!;
  return atomLinks(channel, 'prev-archive');
}

function currentIds(out: string, folder: string): string[] {
  return (JSON.parse(readFileSync(path.join(out, folder, 'feed.json'), 'utf8')) as { items: { id: string }[] }).items.map((item) => item.id);
}

function expectUnchanged(before: Map<string, FileState>, out: string, names: string[]): void {
  const after = snapshot(out);
  for (const name of names) {
    const was = before.get(name);
    const now = after.get(name);
    expect(now, `${name} still exists`).toBeDefined();
    expect(now!.bytes.equals(was!.bytes), `${name} kept its bytes`).toBe(true);
    expect(now!.mtimeMs, `${name} kept its mtime`).toBe(was!.mtimeMs);
  }
}

describe('archive: true, over several passes', () => {
  const specs: PageSpec[] = [];
  let sources = '';
  let out = '';
  let store: SqliteStore;
  const runs: PassRun[] = [];
  const windows: string[][] = [];

  async function passWith(newPages: [string, PageSpec][]): Promise<PassRun> {
    for (const [name, spec] of newPages) {
      writePage(sources, `${name}.txt`, spec);
      specs.push(spec);
    }
    // Each pass starts a quarter of an hour after the one before, as on a schedule.
    const now = new Date(NOW.getTime() + runs.length * 15 * 60_000);
    const run = await passWithLogs({ sourcesDir: sources, outDir: out, store, now: () => now });
    expect(run.summary.sourcesFailed).toBe(0);
    runs.push(run);
    windows.push(currentIds(out, 'briefs'));
    return run;
  }

  beforeAll(() => {
    const root = temps.make('archives');
    sources = path.join(root, 'sources');
    out = path.join(root, 'out');
    // Pages are added pass by pass below.
    mkdirSync(sources, { recursive: true });
    writeFileSync(path.join(sources, 'site.yaml'), siteYaml(true));
    store = memoryStore();
  });
  afterAll(() => store.close());

  // The steps share one site and build on each other: one step per test, run in order.
  let afterFirst: Map<string, FileState>;

  it('pass 1: briefs beyond the window of 3 go to archive/briefs/1.xml; the default feed is within its window', async () => {
    await passWith([
      ['p1', page('p1', '2026-01-10', 4)],
      ['p2', page('p2', '2026-01-11', 4)],
    ]);
    expect(filesUnder(path.join(out, 'archive'))).toEqual(['briefs/1.xml']);
    expect(windows[0]).toHaveLength(BRIEFS_LIMIT);
    const walked = checkWalk(out, 'briefs/', 'briefs', titlesOf(specs, 'brief'), 1);
    expect(walked.pages[0]!.entries).toHaveLength(8 - BRIEFS_LIMIT);
    expect(rssPrevArchive(out, 'briefs')).toEqual([`${SITE_URL}archive/briefs/1.xml`]);
    // The default feed holds all ten entries: nothing to archive, no prev-archive link.
    expect(currentIds(out, '')).toHaveLength(10);
    expect(existsSync(path.join(out, 'archive', 'default'))).toBe(false);
    expect(readFileSync(path.join(out, 'atom.xml'), 'utf8')).not.toContain('prev-archive');
    expect(readFileSync(path.join(out, 'rss.xml'), 'utf8')).not.toContain('prev-archive');
    ageFiles(out);
    afterFirst = snapshot(out);
  });

  it('pass 2: what leaves the window becomes page 2; page 1 keeps its bytes and mtime', async () => {
    await passWith([['p3', page('p3', '2026-01-12', 2)]]);
    expect(filesUnder(path.join(out, 'archive'))).toEqual(['briefs/1.xml', 'briefs/2.xml']);
    expectUnchanged(afterFirst, out, ['archive/briefs/1.xml']);
    const walked = checkWalk(out, 'briefs/', 'briefs', titlesOf(specs, 'brief'), 2);
    // Page 2 holds exactly the entries that were in the window after pass 1 and are not now.
    const left = windows[0]!.filter((id) => !windows[1]!.includes(id));
    expect(walked.pages[0]!.entries.map((entry) => entry.id).sort()).toEqual(left.sort());
    expect(rssPrevArchive(out, 'briefs')).toEqual([`${SITE_URL}archive/briefs/2.xml`]);
  });

  it('pass 3: nothing changed, nothing is written', async () => {
    ageFiles(out);
    const before = snapshot(out);
    const run = await passWith([]);
    expect(run.summary.filesWritten).toBe(0);
    const after = snapshot(out);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expectUnchanged(before, out, [...before.keys()]);
  });

  it('pass 4: a page of 110 briefs fills two new briefs pages and starts the default feed archive; old pages never change', async () => {
    ageFiles(out);
    const before = snapshot(out);
    await passWith([['p4', page('p4', '2026-01-13', 110)]]);
    expectUnchanged(before, out, ['archive/briefs/1.xml', 'archive/briefs/2.xml']);
    // 3 entries left the window and 107 of the new ones never entered it: 110, one full page and ten.
    expect(filesUnder(path.join(out, 'archive'))).toEqual(['briefs/1.xml', 'briefs/2.xml', 'briefs/3.xml', 'briefs/4.xml', 'default/1.xml']);
    const briefsWalk = checkWalk(out, 'briefs/', 'briefs', titlesOf(specs, 'brief'), 4);
    expect(briefsWalk.pages.map((visited) => visited.entries.length)).toEqual([10, PAGE_SIZE, 2, 5]);

    const total = titlesOf(specs, 'all');
    expect(total).toHaveLength(124);
    const defaultWalk = checkWalk(out, '', 'default', total, 1);
    expect(defaultWalk.current).toHaveLength(DEFAULT_LIMIT);
    expect(defaultWalk.pages[0]!.entries).toHaveLength(total.length - DEFAULT_LIMIT);
    expect(rssPrevArchive(out, '')).toEqual([`${SITE_URL}archive/default/1.xml`]);
  });

  it('pass 5: nothing changed after archiving, nothing is written', async () => {
    ageFiles(out);
    const before = snapshot(out);
    const run = await passWith([]);
    expect(run.summary.filesWritten).toBe(0);
    expectUnchanged(before, out, [...before.keys()]);
  });
});

describe('archive off', () => {
  for (const setting of [undefined, false]) {
    it(`archive ${setting === undefined ? 'absent' : 'false'}: no archive folder and no prev-archive link`, async () => {
      const root = temps.make('no-archive');
      const sources = path.join(root, 'sources');
      const out = path.join(root, 'out');
      writePage(sources, 'p1.txt', page('p1', '2026-01-10', 8));
      writeFileSync(path.join(sources, 'site.yaml'), siteYaml(setting));
      const store = memoryStore();
      try {
        const { summary } = await passWithLogs({ sourcesDir: sources, outDir: out, store, now: () => NOW });
        expect(summary.sourcesFailed).toBe(0);
      } finally {
        store.close();
      }
      // Eight briefs, three in the window: five would be archived with archive: true.
      expect(currentIds(out, 'briefs')).toHaveLength(BRIEFS_LIMIT);
      expect(existsSync(path.join(out, 'archive'))).toBe(false);
      for (const file of ['rss.xml', 'atom.xml', 'briefs/rss.xml', 'briefs/atom.xml']) {
        expect(readFileSync(path.join(out, file), 'utf8')).not.toMatch(/prev-archive|fh:archive/);
      }
    });
  }
});

describe('archive: true with the same story from two sources', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(() => server.close());

  it('the copy the current feed leaves out as a duplicate link is not archived while the feed is within its window', async () => {
    // A captured page and a remote wire feed carry the same story (one canonical link). The
    // default feed (window of 50) shows it once, from the newest copy; nothing has fallen out
    // of its window, so there is nothing to archive, and no archive may repeat the story.
    const storyUrl = 'https://news.example.test/story/bridge';
    server.route(
      '/wire.xml',
      send(
        [
          '<?xml version="1.0" encoding="utf-8"?>',
          '<rss version="2.0"><channel><title>Wire</title><link>https://news.example.test/</link><description>Wire copy</description>',
          `<item><title>Bridge reopens Monday</title><link>${storyUrl}</link><guid isPermaLink="false">wire-bridge-1</guid>`,
          '<pubDate>Sat, 10 Jan 2026 09:00:00 GMT</pubDate><description>The bridge reopens on Monday.</description></item>',
          '</channel></rss>',
        ].join('\n'),
        { 'content-type': 'application/rss+xml' },
      ),
    );
    const root = temps.make('archive-dup');
    const sources = path.join(root, 'sources');
    const out = path.join(root, 'out');
    writePage(sources, 'bridge.txt', { url: storyUrl, captured: '2026-01-10T10:00:00+00:00', lead: 'The bridge reopens on Monday after three weeks of repairs.' });
    writeFileSync(path.join(sources, 'wire.yaml'), `kind: feed\nurl: ${server.url('/wire.xml')}\n`);
    writeFileSync(path.join(sources, 'site.yaml'), `title: Archive Herald\nurl: ${SITE_URL}\narchive: true\n`);
    const store = memoryStore();
    try {
      const { summary } = await passWithLogs({ sourcesDir: sources, outDir: out, store, now: () => NOW });
      expect(summary.sourcesFailed).toBe(0);
      expect(await store.entryCount()).toBe(2);
    } finally {
      await store.close();
    }
    const current = JSON.parse(readFileSync(path.join(out, 'feed.json'), 'utf8')) as { items: { url: string }[] };
    expect(current.items.map((item) => item.url)).toEqual([storyUrl]);
    // Walking the history must not meet the story a second time.
    const walked = walk(out, '');
    const archivedTitles = walked.pages.flatMap((visited) => visited.entries.map((entry) => entry.title));
    expect(archivedTitles, 'entries in archives although the feed holds 1 of at most 50').toEqual([]);
    expect(existsSync(path.join(out, 'archive', 'default'))).toBe(false);
  });

  it('a story the current feed shows is not repeated in an archive through another source\'s copy', async () => {
    // The window (2) is full: the newest lead and the ferry story, from its captured page. The
    // wire's older copy of the bridge story is left out of the current feed as the same story;
    // archiving it would give a reader walking the history the story twice.
    const storyUrl = 'https://news.example.test/story/ferry';
    server.route(
      '/wire-ferry.xml',
      send(
        [
          '<?xml version="1.0" encoding="utf-8"?>',
          '<rss version="2.0"><channel><title>Wire</title><link>https://news.example.test/</link><description>Wire copy</description>',
          `<item><title>Ferry timetable cut</title><link>${storyUrl}</link><guid isPermaLink="false">wire-ferry-1</guid>`,
          '<pubDate>Sat, 10 Jan 2026 09:00:00 GMT</pubDate><description>The ferry runs twice a day from Monday.</description></item>',
          '</channel></rss>',
        ].join('\n'),
        { 'content-type': 'application/rss+xml' },
      ),
    );
    const root = temps.make('archive-dup-full');
    const sources = path.join(root, 'sources');
    const out = path.join(root, 'out');
    writePage(sources, 'ferry.txt', { url: storyUrl, captured: '2026-01-10T10:00:00+00:00', lead: 'The island ferry will run two crossings a day from Monday.' });
    writePage(sources, 'library.txt', { url: 'https://news.example.test/story/library', captured: '2026-01-12T10:00:00+00:00', lead: 'The library reopens after its refit.' });
    writeFileSync(path.join(sources, 'wire.yaml'), `kind: feed\nurl: ${server.url('/wire-ferry.xml')}\n`);
    writeFileSync(path.join(sources, 'site.yaml'), `title: Archive Herald\nurl: ${SITE_URL}\narchive: true\nfeeds:\n  - id: all\n    title: All stories\n    limit: 2\n`);
    const store = memoryStore();
    try {
      const { summary } = await passWithLogs({ sourcesDir: sources, outDir: out, store, now: () => NOW });
      expect(summary.sourcesFailed).toBe(0);
      expect(await store.entryCount()).toBe(3);
    } finally {
      await store.close();
    }
    const walked = walk(out, 'all/');
    expect(walked.current.map((entry) => entry.link)).toEqual(['https://news.example.test/story/library', storyUrl]);
    const links = [...walked.current, ...walked.pages.flatMap((visited) => visited.entries)].map((entry) => entry.link);
    expect(links.filter((link, index) => links.indexOf(link) !== index), 'stories met twice walking the history').toEqual([]);
  });
});
