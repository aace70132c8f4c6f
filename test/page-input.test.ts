// Captured pages of a size or shape a pass must not take at its word, each through a whole pass:
// a capture time days ahead, two briefs at one time and topic, a page too large to read, an
// entry too long to publish whole.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSiteConfig } from '../src/config/site.js';
import { parseJsonFeed } from '../src/ingest/json-feed-document.js';
import { feedToEntries } from '../src/normalize/feed-items.js';
import { jsonItems } from './support/feed-output.js';
import { LEVEL, memoryStore, pageText, passWithLogs, TempDirs } from './support/feed-site.js';

const temps = new TempDirs();
afterEach(() => temps.cleanup());

const NOW = new Date('2026-03-10T12:00:00Z');
const SITE_YAML = 'title: Harbour Desk\nurl: https://harbour.example/\nlanguage: en\ntimezone: UTC\n';

function desk(siteExtra = ''): { sources: string; out: string } {
  const root = temps.make('page-input');
  const sources = path.join(root, 'sources');
  mkdirSync(sources);
  writeFileSync(path.join(sources, 'site.yaml'), SITE_YAML + siteExtra);
  return { sources, out: path.join(root, 'out') };
}

async function pass(where: { sources: string; out: string }) {
  const store = memoryStore();
  try {
    return await passWithLogs({ sourcesDir: where.sources, outDir: where.out, store, now: () => NOW });
  } finally {
    store.close();
  }
}

describe('a capture time more than a day ahead of the pass', () => {
  it('is taken as the time of the pass, with a warning naming the page', async () => {
    const where = desk();
    writeFileSync(
      path.join(where.sources, 'ahead.txt'),
      pageText({ captured: '2026-03-14T09:00:00Z', lead: 'The new lighthouse lamp is lit for the first time tonight.', briefs: [{ time: '08:30', topic: 'Port', text: 'The pilot boat is back in service.' }] }),
    );
    // A day ahead is believed: the site's clock or zone may be off by that much.
    writeFileSync(path.join(where.sources, 'near.txt'), pageText({ captured: '2026-03-11T11:00:00Z', lead: 'The quay cafe opens its terrace for the season on Friday.' }));
    const { summary, logs } = await pass(where);
    expect(summary).toMatchObject({ sourcesOk: 2, sourcesFailed: 0 });
    const warned = logs.filter((line) => line.level === LEVEL.warn && line.code === 'CAPTURE_IN_FUTURE');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ source: 'ahead.txt', reason: expect.stringContaining('2026-03-14T09:00:00.000Z is more than a day ahead') });
    const items = jsonItems(where.out);
    const dateOf = (title: string) => items.find((item) => item.title.startsWith(title))?.date_published;
    expect(dateOf('The new lighthouse lamp')).toBe('2026-03-10T12:00:00Z');
    // The brief is dated by the time of the pass too: 08:30 that day.
    expect(dateOf('Port:')).toBe('2026-03-10T08:30:00Z');
    expect(dateOf('The quay cafe')).toBe('2026-03-11T11:00:00Z');
  });
});

describe('two briefs at the same time and topic with different texts', () => {
  it('are both published, and the pass says so', async () => {
    const where = desk();
    writeFileSync(
      path.join(where.sources, 'port.txt'),
      pageText({
        captured: '2026-03-10T10:00:00Z',
        lead: 'The harbour wall repairs begin on Monday and last a month.',
        briefs: [
          { time: '09:10', topic: 'Port', text: 'The morning ferry was cancelled because of fog.' },
          { time: '09:10', topic: 'Port', text: 'The afternoon ferry will run an hour late.' },
        ],
      }),
    );
    const { logs } = await pass(where);
    const titles = jsonItems(where.out).map((item) => item.title);
    expect(titles).toContain('Port: The morning ferry was cancelled because of fog.');
    expect(titles).toContain('Port: The afternoon ferry will run an hour late.');
    expect(logs.filter((line) => line.code === 'BRIEFS_SHARE_TIME_AND_TOPIC')).toEqual([expect.objectContaining({ level: LEVEL.warn, source: 'port.txt' })]);
  });
});

const WORDS = 'the tide came in over the harbour wall and the boats rode high at their moorings ';

describe('page size', () => {
  it('a page larger than max_page_bytes (5 MB by default) fails with a line naming it; the others publish', async () => {
    const where = desk();
    const huge = pageText({ captured: '2026-03-10T10:00:00Z', lead: `A storm story. ${WORDS.repeat(Math.ceil((5 * 1024 * 1024) / WORDS.length))}` });
    writeFileSync(path.join(where.sources, 'huge.txt'), huge);
    writeFileSync(path.join(where.sources, 'small.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: 'The quay cafe opens its terrace for the season on Friday.' }));
    const { summary, logs } = await pass(where);
    expect(summary).toMatchObject({ sourcesOk: 1, sourcesFailed: 1 });
    expect(summary.failures).toEqual([{ source: 'huge.txt', reason: expect.stringMatching(new RegExp(`page is ${Buffer.byteLength(huge)} bytes, more than max_page_bytes \\(5242880\\): not read`)) }]);
    expect(logs.find((line) => line.source === 'huge.txt')).toMatchObject({ level: LEVEL.error, code: 'SOURCE_TOO_LARGE' });
    expect(jsonItems(where.out).map((item) => item.title)).toEqual(['The quay cafe opens its terrace for the season on Friday.']);
  });

  it('max_page_bytes in site.yaml sets the cap', async () => {
    const where = desk('max_page_bytes: 200\n');
    writeFileSync(path.join(where.sources, 'long.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: WORDS.repeat(4) }));
    writeFileSync(path.join(where.sources, 'short.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: 'Short.' }));
    const { summary } = await pass(where);
    expect(summary.failures.map((failure) => failure.source)).toEqual(['long.txt']);
  });
});

describe('what one entry carries', () => {
  it('is capped, so a page just under the size cap cannot blow up a feed', async () => {
    const where = desk();
    const paragraphs = Array.from({ length: 30 }, (_, n) => `Paragraph ${n}: ${WORDS.repeat(1000)}`);
    const briefText = `Huge brief. ${WORDS.repeat(10_000)}`;
    const page = pageText({ captured: '2026-03-10T10:00:00Z', lead: `Standfirst. ${WORDS.repeat(10_000)}`, paragraphs, briefs: [{ time: '09:00', topic: 'Port', text: briefText }] });
    expect(Buffer.byteLength(page)).toBeGreaterThan(3.5 * 1024 * 1024);
    expect(Buffer.byteLength(page)).toBeLessThan(5 * 1024 * 1024);
    writeFileSync(path.join(where.sources, 'big.txt'), page);
    const { summary } = await pass(where);
    expect(summary).toMatchObject({ sourcesOk: 1, entriesNew: 2 });
    const feed = JSON.parse(readFileSync(path.join(where.out, 'feed.json'), 'utf8')) as { items: { summary: string; content_text?: string; content_html: string }[] };
    for (const item of feed.items) {
      expect(item.summary.length).toBeLessThanOrEqual(2_000);
      expect(item.content_html.length).toBeLessThan(120_000);
      expect(item.summary.endsWith('…')).toBe(true);
    }
    for (const file of ['feed.json', 'rss.xml', 'atom.xml']) expect(statSync(path.join(where.out, file)).size, file).toBeLessThan(1024 * 1024);
  });
});

describe('what one remote item carries', () => {
  it('is capped the same way, its HTML cut at a tag and closed by the sanitizer', () => {
    const site = readSiteConfig({ url: 'https://harbour.example/', timezone: 'UTC' }, 'site.yaml');
    const html = `<div><p>${'<b>bold</b> words and more words '.repeat(60_000)}</p></div>`;
    const feed = parseJsonFeed(
      JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Wire', items: [{ id: 'big', content_html: html, summary: WORDS.repeat(100), content_text: WORDS.repeat(5_000) }] }),
      'wire',
    );
    const [entry] = feedToEntries(feed, { source: 'wire', site, documentUrl: 'https://wire.example/feed.json', fetchedAt: NOW });
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(entry!.contentHtml.length).toBeLessThan(110_000);
    expect(entry!.contentHtml).toMatch(/<\/p><\/div>\n<p>…<\/p>$/);
    expect(entry!.summary.length).toBeLessThanOrEqual(2_000);
    expect(entry!.contentText.length).toBeLessThanOrEqual(100_000);
  });
});

describe('the counts of a cold pass and of the unchanged pass after it', () => {
  it('add up to the same entries when one brief is on two pages', async () => {
    const where = desk();
    const shared = { time: '09:10', topic: 'Port', text: 'The morning ferry was cancelled because of fog.' };
    writeFileSync(path.join(where.sources, 'a.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: 'The harbour wall repairs begin on Monday.', briefs: [shared] }));
    writeFileSync(path.join(where.sources, 'b.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: 'The quay cafe opens its terrace on Friday.', briefs: [shared] }));
    const store = memoryStore();
    try {
      const cold = await passWithLogs({ sourcesDir: where.sources, outDir: where.out, store, now: () => NOW });
      const again = await passWithLogs({ sourcesDir: where.sources, outDir: where.out, store, now: () => new Date(NOW.getTime() + 60_000) });
      const total = (summary: typeof cold.summary) => summary.entriesNew + summary.entriesUpdated + summary.entriesUnchanged;
      expect(cold.summary).toMatchObject({ entriesNew: 3, entriesUnchanged: 1 });
      expect(again.summary).toMatchObject({ entriesNew: 0, entriesUnchanged: 4 });
      expect(total(cold.summary)).toBe(total(again.summary));
      expect(jsonItems(where.out)).toHaveLength(3);
    } finally {
      store.close();
    }
  });
});
