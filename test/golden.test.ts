// Golden feeds: one pass over test/fixtures/pages must write exactly the files under
// test/golden/. The golden files are the spec; they were read and checked by hand.
// Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { SaxesParser } from 'saxes';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { runPass, type PassSummary } from '../src/worker/pass.js';
import { TempDirs, type LogLine } from './support/feed-site.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PAGES = path.join(here, 'fixtures', 'pages');
const GOLDEN = path.join(here, 'golden');
/** What of test/golden/ this file owns: the default feed, the `desk` feed, the entry pages and the sources' health. */
const GOLDEN_PARTS = ['rss.xml', 'atom.xml', 'feed.json', 'desk', 'entries', 'status.json', 'index.html', 'feeds.opml', 'feed.xsl', 'feed.html'];
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const FROZEN_NOW = '2026-03-01T12:00:00Z';

const temps = new TempDirs();
afterAll(() => {
  temps.cleanup();
});

function tempDir(): string {
  return temps.make('golden');
}


async function passInto(outDir: string, nowIso: string): Promise<{ summary: PassSummary; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const store = SqliteStore.open(':memory:');
  try {
    const summary = await runPass({ sourcesDir: PAGES, outDir, store, logger: pino({ level: 'info' }, sink), now: () => new Date(nowIso) });
    return { summary, logs };
  } finally {
    store.close();
  }
}

/** Every file under `dir`, relative, "/"-separated, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

function goldenFiles(): string[] {
  return filesUnder(GOLDEN).filter((name) => GOLDEN_PARTS.includes(name.split('/')[0]!));
}

function writeGolden(outDir: string): void {
  for (const part of GOLDEN_PARTS) rmSync(path.join(GOLDEN, part), { recursive: true, force: true });
  for (const name of filesUnder(outDir)) {
    mkdirSync(path.dirname(path.join(GOLDEN, name)), { recursive: true });
    writeFileSync(path.join(GOLDEN, name), readFileSync(path.join(outDir, name)));
  }
}

interface JsonItem {
  id: string;
  url: string;
  title: string;
  summary: string;
  content_html: string;
  date_published: string;
  date_modified: string;
  tags?: string[];
  authors?: { name: string }[];
  language?: string;
}

interface JsonFeed {
  version: string;
  title: string;
  feed_url: string;
  items: JsonItem[];
}

/** Text of every element named `name` (entities and CDATA resolved), and whether the XML parsed. */
function xmlTexts(xml: string, name: string, attribute?: string): string[] {
  const parser = new SaxesParser();
  const found: string[] = [];
  let depth = 0;
  let text = '';
  parser.on('opentag', (tag) => {
    if (tag.name !== name) return;
    if (attribute !== undefined) {
      const value = tag.attributes[attribute];
      if (typeof value === 'string') found.push(value);
      return;
    }
    depth++;
    text = '';
  });
  parser.on('text', (value) => {
    if (depth > 0) text += value;
  });
  parser.on('cdata', (value) => {
    if (depth > 0) text += value;
  });
  parser.on('closetag', (tag) => {
    if (tag.name === name && attribute === undefined && depth > 0) {
      depth--;
      found.push(text);
    }
  });
  parser.write(xml).close();
  return found;
}

describe('golden feeds from test/fixtures/pages', () => {
  it('writes exactly the golden files, byte for byte', async () => {
    const out = tempDir();
    const { summary, logs } = await passInto(out, FROZEN_NOW);
    if (UPDATE) writeGolden(out);

    expect(logs.filter((line) => line.level >= 40)).toEqual([]);
    expect(summary).toMatchObject({ sourcesOk: 4, sourcesFailed: 0, entriesNew: 14, entriesUpdated: 0 });
    const written = filesUnder(out);
    expect(written).toEqual(goldenFiles());
    expect(summary.filesWritten).toBe(written.length);
    // The default feed and one extra feed (each with its page for people), the sources' health,
    // the index page, the OPML list, the feeds' stylesheet, and one page per entry without a
    // page of its own.
    expect(written.filter((name) => !name.startsWith('entries/'))).toEqual([
      'atom.xml',
      'desk/atom.xml',
      'desk/feed.html',
      'desk/feed.json',
      'desk/rss.xml',
      'feed.html',
      'feed.json',
      'feed.xsl',
      'feeds.opml',
      'index.html',
      'rss.xml',
      'status.json',
    ]);
    for (const name of written) {
      const actual = readFileSync(path.join(out, name));
      const golden = readFileSync(path.join(GOLDEN, name));
      expect(actual.toString('utf8'), name).toBe(golden.toString('utf8'));
      expect(actual.equals(golden), `${name} differs in its bytes`).toBe(true);
    }
  });

  it('writes the same bytes whatever the clock says, from fresh state each time', async () => {
    const first = tempDir();
    const second = tempDir();
    await passInto(first, '2026-03-01T00:30:00Z');
    await passInto(second, '2031-07-15T18:45:12.345Z');
    const files = filesUnder(first);
    expect(filesUnder(second)).toEqual(files);
    for (const name of files) {
      expect(readFileSync(path.join(second, name)).equals(readFileSync(path.join(first, name))), name).toBe(true);
    }
    // The feed dates come from the newest entry (the night desk lead, captured 01:20 in Berlin).
    const rss = readFileSync(path.join(first, 'rss.xml'), 'utf8');
    expect(xmlTexts(rss, 'lastBuildDate')).toEqual(['Sun, 01 Mar 2026 00:20:00 GMT']);
    const atom = readFileSync(path.join(first, 'atom.xml'), 'utf8');
    expect(xmlTexts(atom, 'updated')[0]).toBe('2026-03-01T00:20:00.000Z');
  });
});

describe('what the golden feeds say', () => {
  const golden = (name: string) => readFileSync(path.join(GOLDEN, name), 'utf8');
  const items = () => (JSON.parse(golden('feed.json')) as JsonFeed).items;
  const item = (titleStart: string) => {
    const found = items().filter((entry) => entry.title.startsWith(titleStart));
    expect(found, titleStart).toHaveLength(1);
    return found[0]!;
  };

  it('dates briefs in the page time zone, across midnight and the month end', () => {
    // night-desk.txt: captured 2026-03-01 01:20 in Europe/Berlin (UTC+1), "H:MM" times.
    expect(item('Roads: The valley road is expected').date_published).toBe('2026-03-01T00:05:00Z');
    expect(item('Power: About 600 homes').date_published).toBe('2026-02-28T23:40:00Z');
    expect(item('Roads: A fallen beech').date_published).toBe('2026-02-28T22:55:00Z');
    expect(item('Weather: The weather service').date_published).toBe('2026-02-28T21:10:00Z');
    // ferry-strike.txt (CRLF) names Europe/London, UTC+0 in February.
    expect(item('Transport: The water taxi').date_published).toBe('2026-02-28T09:10:00Z');
    expect(item('Health: The island surgery').date_published).toBe('2026-02-28T08:45:00Z');
    // A lead is dated by `published:` when the page has it, else by `captured:`.
    expect(item('Town hall agrees budget').date_published).toBe('2026-02-27T15:15:00Z');
    expect(item('Night desk: storm closes').date_published).toBe('2026-03-01T00:20:00Z');
    for (const entry of items()) expect(entry.date_modified, entry.title).toBe(entry.date_published);
  });

  it('lists entries newest first, each with a stable urn:uuid id and its own link', () => {
    const all = items();
    expect(all).toHaveLength(14);
    const published = all.map((entry) => Date.parse(entry.date_published));
    expect(published).toEqual([...published].sort((a, b) => b - a));
    for (const entry of all) expect(entry.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(all.map((entry) => entry.id)).size).toBe(all.length);
    expect(new Set(all.map((entry) => entry.url)).size).toBe(all.length);
    // The page's URL without its #comments fragment; pages without a URL get a permalink.
    expect(item('Town hall agrees budget').url).toBe('https://gazette.example/millbrook/news/2026/02/town-hall-budget');
    expect(item('Ferry crews on the Millbrook').url).toMatch(/^https:\/\/gazette\.example\/millbrook\/entries\/[0-9a-f-]{36}\.html$/);
    for (const entry of all.filter((candidate) => candidate.url.includes('/entries/'))) {
      expect(goldenFiles()).toContain(`entries/${entry.id.replace('urn:uuid:', '')}.html`);
    }
  });

  it('drops comment prompts and site boilerplate, and keeps the CRLF page readable', () => {
    // The fixture itself must still have its CRLF line endings (see test/fixtures/.gitattributes).
    expect(readFileSync(path.join(PAGES, 'ferry-strike.txt'), 'utf8').split('\r\n')).toHaveLength(17);
    const text = items()
      .map((entry) => `${entry.title}\n${entry.summary}\n${entry.content_html}`)
      .join('\n');
    for (const furniture of ['What is your opinion', 'Leave a comment', 'Leave the first comment', 'Share this article', 'Sign up for the morning briefing', '\r']) {
      expect(text).not.toContain(furniture);
    }
  });

  it('escapes "&" and "<" once in every format and reads back as the original text', () => {
    const arts = item('Arts & Culture: The Smith & Daughters print works');
    expect(arts.tags).toEqual(['Arts & Culture']);
    expect(arts.content_html).toBe(
      '<p>The Smith &amp; Daughters print works opens its doors for a weekend of letterpress workshops, with places for children on Sunday morning.</p>',
    );
    expect(item('Youth sport (<18): Millbrook Rovers').tags).toEqual(['Youth sport (<18)']);

    const rss = golden('rss.xml');
    const atom = golden('atom.xml');
    const titles = items().map((entry) => entry.title);
    expect(xmlTexts(rss, 'title').slice(1)).toEqual(titles);
    expect(xmlTexts(atom, 'title').slice(1)).toEqual(titles);
    expect(xmlTexts(rss, 'category')).toContain('Arts & Culture');
    expect(xmlTexts(rss, 'category')).toContain('Youth sport (<18)');
    expect(xmlTexts(atom, 'category', 'term')).toContain('Youth sport (<18)');
    expect(xmlTexts(atom, 'category', 'term')).toContain('Arts & Culture');
    expect(xmlTexts(rss, 'description')[0]).toBe('News & notices from Millbrook and the valley villages.');
    expect(rss).not.toContain('&amp;amp;');
    expect(atom).not.toContain('&amp;amp;');
  });

  it('gives a lead without a URL an entry page that carries its whole text', () => {
    // ferry-strike.txt has no url: its entry page is the only page the story has. The title is
    // the standfirst cut at 120 characters, so the page must show the standfirst in full too.
    const ferry = item('Ferry crews on the Millbrook');
    expect(ferry.title.endsWith('…')).toBe(true);
    const page = golden(`entries/${ferry.id.replace('urn:uuid:', '')}.html`);
    expect(page).toContain('<html lang="en-GB">');
    expect(page).toContain('<p>The operator said it was disappointed and would run extra sailings on Sunday so islanders can stock up.</p>');
    expect(page).toContain('leaving island residents with only the twice-daily water taxi.');
  });

  it('keeps the five newest briefs, and only briefs, in the desk feed', () => {
    const desk = JSON.parse(golden('desk/feed.json')) as JsonFeed;
    expect(desk.title).toBe('Millbrook Valley Gazette live desk');
    expect(desk.feed_url).toBe('https://gazette.example/millbrook/desk/feed.json');
    const briefs = items().filter((entry) => entry.tags !== undefined);
    expect(desk.items.map((entry) => entry.id)).toEqual(briefs.slice(0, 5).map((entry) => entry.id));
  });
});
