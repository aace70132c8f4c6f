// out/index.html (every feed, its last update, newest entries, subscribe links, autodiscovery,
// no external assets), and the feeds' xml-stylesheet instruction with out/feed.xsl.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore, parseXml, passWithLogs, TempDirs, writePage, XSLT_NS, type PageSpec } from './support/feed-site.js';

const SITE_URL = 'https://kettle.example.test/gazette/';
const SITE_TITLE = 'Kettle & <Co> Gazette';
const NOW = new Date('2026-03-01T12:00:00Z');
const LATER = new Date('2026-03-01T12:15:00Z');

interface FeedSpec {
  folder: string;
  id: string;
  title: string;
}

const FEEDS: FeedSpec[] = [
  { folder: '', id: '', title: SITE_TITLE },
  { folder: 'briefs/', id: 'briefs', title: 'Briefs & <more>' },
  { folder: 'roads/', id: 'roads', title: 'Roads "live"' },
  // Matches nothing: a feed with no entries yet is still listed.
  { folder: 'sport/', id: 'sport', title: 'Sport' },
];

const MILL: PageSpec = {
  url: 'https://kettle.example.test/gazette/stories/mill',
  captured: '2026-01-10T21:00:00+00:00',
  lead: 'Profits & losses at the <Old Mill> co-operative were read out at the meeting.',
  paragraphs: ['Members voted to keep the shop open on Sundays.'],
  briefs: [
    { time: '20:15', topic: 'Roads', text: 'The ford at Kettle Bottom is closed after heavy rain & flooding.' },
    { time: '19:40', topic: 'Weather', text: 'More rain is forecast for <Thursday>.' },
    { time: '18:05', topic: 'Roads', text: 'Temporary lights on the Mill Road until Friday.' },
    { time: '17:30', topic: 'Market', text: 'The winter market opens on Saturday at nine.' },
    { time: '16:00', topic: 'Roads', text: 'Gritters are out on the hill roads tonight.' },
    { time: '15:10', topic: 'School', text: 'The school choir sings at the church on Sunday.' },
  ],
};

// A lead that lives on another site: its link is the only other origin the page may name.
const REGATTA: PageSpec = {
  url: 'https://news.other.example/regatta',
  captured: '2026-01-12T09:00:00+00:00',
  lead: 'The spring regatta returns to Kettle Water after two years.',
  paragraphs: ['Entries close on Friday.'],
};

const temps = new TempDirs();
afterAll(() => temps.cleanup());

let out = '';
let html = '';
let $: cheerio.CheerioAPI;

interface JsonFeed {
  title: string;
  items: { id: string; url: string; title: string; date_modified: string; date_published: string }[];
}

function jsonFeed(feed: FeedSpec): JsonFeed {
  return JSON.parse(readFileSync(path.join(out, feed.folder, 'feed.json'), 'utf8')) as JsonFeed;
}

beforeAll(async () => {
  const root = temps.make('index');
  const sources = path.join(root, 'sources');
  out = path.join(root, 'out');
  writePage(sources, 'mill.txt', MILL);
  writePage(sources, 'regatta.txt', REGATTA);
  writeFileSync(
    path.join(sources, 'site.yaml'),
    [
      `title: '${SITE_TITLE}'`,
      `url: ${SITE_URL}`,
      'description: News & notices from Kettle <and> around',
      'feeds:',
      '  - id: briefs',
      "    title: 'Briefs & <more>'",
      '    kind: brief',
      '  - id: roads',
      `    title: 'Roads "live"'`,
      '    category: Roads',
      '  - id: sport',
      '    title: Sport',
      '    category: Sport',
      '',
    ].join('\n'),
  );
  const store = memoryStore();
  try {
    expect((await passWithLogs({ sourcesDir: sources, outDir: out, store, now: () => NOW })).summary.sourcesFailed).toBe(0);
    // A later capture of the regatta page with an edited paragraph: the default feed's newest
    // change is now this update, later than any entry's publication.
    writePage(sources, 'regatta.txt', { ...REGATTA, captured: '2026-01-15T08:00:00+00:00', paragraphs: ['Entries close on Friday; late entries are welcome.'] });
    const second = await passWithLogs({ sourcesDir: sources, outDir: out, store, now: () => LATER });
    expect(second.summary.entriesUpdated).toBe(1);
  } finally {
    store.close();
  }
  html = readFileSync(path.join(out, 'index.html'), 'utf8');
  $ = cheerio.load(html);
});

function section(feed: FeedSpec) {
  const sections = $('section').filter((_, element) => $(element).find('h2').first().text() === feed.title);
  expect(sections.length, `one section titled ${feed.title}`).toBe(1);
  return sections.first();
}

describe('out/index.html', () => {
  it('lists every feed by title, in order, under the site title', () => {
    expect($('h1').text()).toBe(SITE_TITLE);
    expect($('title').text()).toContain(SITE_TITLE);
    expect($('section h2').map((_, element) => $(element).text()).get()).toEqual(FEEDS.map((feed) => feed.title));
  });

  it("shows each feed's last update: its newest entry change", () => {
    // The default feed's newest change is the edit of the mill lead, not a publication date.
    const defaultItems = jsonFeed(FEEDS[0]!).items;
    const newestPublished = Math.max(...defaultItems.map((item) => Date.parse(item.date_published)));
    const newestChange = Math.max(...defaultItems.map((item) => Date.parse(item.date_modified)));
    expect(newestChange).toBeGreaterThan(newestPublished);
    for (const feed of FEEDS) {
      const items = jsonFeed(feed).items;
      const meta = section(feed).find('.meta');
      if (items.length === 0) {
        expect(meta.text()).toMatch(/no entries/i);
        expect(meta.find('time').length).toBe(0);
        continue;
      }
      const newest = new Date(Math.max(...items.map((item) => Date.parse(item.date_modified))));
      const time = meta.find('time');
      expect(time.length, `${feed.title} shows when it was last updated`).toBe(1);
      expect(Date.parse(time.attr('datetime')!)).toBe(newest.getTime());
      // People read the text: the same minute, in UTC.
      expect(time.text()).toBe(`${newest.toISOString().slice(0, 10)} ${newest.toISOString().slice(11, 16)} UTC`);
    }
    expect(Date.parse(section(FEEDS[0]!).find('.meta time').attr('datetime')!)).toBe(Date.parse('2026-01-15T08:00:00Z'));
  });

  it('links the titles of the newest entries of each feed, newest first', () => {
    for (const feed of FEEDS) {
      const items = jsonFeed(feed).items;
      const links = section(feed)
        .find('li a')
        .map((_, element) => ({ title: $(element).text(), href: $(element).attr('href') }))
        .get();
      expect(links.length, `${feed.title} shows its newest entries`).toBe(Math.min(5, items.length));
      expect(links).toEqual(items.slice(0, links.length).map((item) => ({ title: item.title, href: item.url })));
    }
    // Eight entries in the default feed: only the five newest are shown.
    expect(jsonFeed(FEEDS[0]!).items.length).toBe(8);
  });

  it('has subscribe links that resolve to the feed files', () => {
    const pageUrl = `${SITE_URL}index.html`;
    for (const feed of FEEDS) {
      const hrefs = section(feed)
        .find('.subscribe a')
        .map((_, element) => $(element).attr('href'))
        .get();
      const resolved = hrefs.map((href) => new URL(href, pageUrl).href);
      expect(resolved).toEqual(['rss.xml', 'atom.xml', 'feed.json'].map((file) => `${SITE_URL}${feed.folder}${file}`));
      for (const url of resolved) expect(existsSync(path.join(out, url.slice(SITE_URL.length))), url).toBe(true);
      // The same links work when the page is served as the folder's index.
      expect(hrefs.map((href) => new URL(href, SITE_URL).href)).toEqual(resolved);
    }
  });

  it('has autodiscovery links for every feed in all three formats, with absolute URLs', () => {
    const alternates = $('head link[rel="alternate"]')
      .map((_, element) => ({ type: $(element).attr('type'), href: $(element).attr('href'), title: $(element).attr('title') }))
      .get();
    const expected = FEEDS.flatMap((feed) => [
      { type: 'application/rss+xml', href: `${SITE_URL}${feed.folder}rss.xml` },
      { type: 'application/atom+xml', href: `${SITE_URL}${feed.folder}atom.xml` },
      { type: 'application/feed+json', href: `${SITE_URL}${feed.folder}feed.json` },
    ]);
    expect(alternates.map(({ type, href }) => ({ type, href }))).toEqual(expected);
    for (const alternate of alternates) {
      expect(new URL(alternate.href!).href).toBe(alternate.href);
      expect(existsSync(path.join(out, alternate.href!.slice(SITE_URL.length)))).toBe(true);
    }
    // Titles keep the feed's own text, escapes resolved.
    expect(alternates.filter((alternate) => alternate.title?.startsWith('Briefs & <more>'))).toHaveLength(3);
    expect(alternates.filter((alternate) => alternate.title?.startsWith('Roads "live"'))).toHaveLength(3);
  });

  it('loads nothing from elsewhere: no scripts, no external assets, links only to the site and to entries', () => {
    expect(html).not.toMatch(/<script/i);
    expect($('script, iframe, img, object, embed, link[rel="stylesheet"], link[rel="preload"], link[rel="icon"]').length).toBe(0);
    expect(html).not.toMatch(/@import|url\(/i);
    const entryLinks = new Set(FEEDS.flatMap((feed) => jsonFeed(feed).items.map((item) => item.url)));
    const base = new URL(SITE_URL);
    for (const element of $('[src], [href]').toArray()) {
      const node = $(element);
      for (const attribute of ['src', 'href']) {
        const value = node.attr(attribute);
        if (value === undefined) continue;
        const url = new URL(value, `${SITE_URL}index.html`);
        const onSite = url.origin === base.origin && url.pathname.startsWith(base.pathname);
        expect(onSite || (element.tagName === 'a' && entryLinks.has(url.href)), `${element.tagName} ${attribute}="${value}"`).toBe(true);
      }
    }
    // The one link to another origin is the regatta story's own page.
    expect($(`a[href="${REGATTA.url}"]`).length).toBeGreaterThan(0);
  });

  it('escapes & and < in titles and texts', () => {
    for (const raw of ['<Co>', '<more>', '<Old Mill>', '<Thursday>', '<and>', 'Profits & losses', 'rain & flooding']) expect(html).not.toContain(raw);
    expect(html).toContain('Kettle &amp; &lt;Co&gt; Gazette');
    expect(html).toContain('Profits &amp; losses at the &lt;Old Mill&gt;');
    // And the parsed page reads back the original text.
    expect($('a').filter((_, element) => $(element).text() === MILL.lead).length).toBeGreaterThan(0);
    expect($('meta[name="description"]').attr('content')).toBe('News & notices from Kettle <and> around');
  });

  it('is a mobile-friendly HTML5 page in the site language', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect($('meta[name="viewport"]').attr('content')).toMatch(/width=device-width/);
    expect($('meta[charset]').attr('charset')?.toLowerCase()).toBe('utf-8');
    expect($('html').attr('lang')).toBe('en');
  });

  it('gives every element id once', () => {
    const ids = $('[id]')
      .map((_, element) => $(element).attr('id'))
      .get();
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('feed stylesheet', () => {
  it('RSS and Atom files start with the XML declaration, then an xml-stylesheet instruction for feed.xsl', () => {
    for (const feed of FEEDS) {
      for (const file of ['rss.xml', 'atom.xml']) {
        const xml = readFileSync(path.join(out, feed.folder, file), 'utf8');
        expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>'), `${feed.folder}${file} starts with the declaration`).toBe(true);
        const document = parseXml(xml);
        expect(document.declaration?.version).toBe('1.0');
        expect(document.prolog.map((pi) => pi.target)).toEqual(['xml-stylesheet']);
        // Nothing but whitespace between the declaration and the instruction.
        expect(xml).toMatch(/^<\?xml [^?]*\?>\s*<\?xml-stylesheet /);
        const body = document.prolog[0]!.body;
        const href = /\bhref="([^"]*)"/.exec(body)?.[1];
        expect(href).toBe(feed.folder === '' ? 'feed.xsl' : '../feed.xsl');
        expect(/\btype="([^"]*)"/.exec(body)?.[1]).toBe('text/xsl');
        const feedUrl = `${SITE_URL}${feed.folder}${file}`;
        expect(new URL(href!, feedUrl).href).toBe(`${SITE_URL}feed.xsl`);
      }
    }
  });

  it('out/feed.xsl is a well-formed XSLT 1.0 stylesheet with templates for RSS and Atom', () => {
    const xsl = readFileSync(path.join(out, 'feed.xsl'), 'utf8');
    const { root } = parseXml(xsl);
    expect(root.uri).toBe(XSLT_NS);
    expect(root.local).toBe('stylesheet');
    expect(root.attributes.version).toBe('1.0');
    const templates = root.children.filter((child) => child.uri === XSLT_NS && child.local === 'template').map((child) => child.attributes.match);
    expect(templates).toContain('/');
    expect(templates).toContain('channel');
    expect(templates.some((match) => /^[a-z]+:feed$/.test(match ?? ''))).toBe(true);
    // The Atom template's prefix is bound to the Atom namespace.
    expect(xsl).toMatch(/xmlns:atom="http:\/\/www\.w3\.org\/2005\/Atom"/);
    // XSLT 1.0 only: no instructions from later versions.
    for (const later of ['xsl:function', 'xsl:for-each-group', 'xsl:sequence', 'xsl:result-document', 'xsl:analyze-string']) expect(xsl).not.toContain(later);
  });
});

describe('out/index.html with a feed whose id is "main"', () => {
  it('still gives every element id once (the default feed is not "main" twice)', async () => {
    const root = temps.make('index-main');
    const sources = path.join(root, 'sources');
    const outDir = path.join(root, 'out');
    writePage(sources, 'regatta.txt', REGATTA);
    writeFileSync(path.join(sources, 'site.yaml'), `title: Kettle\nurl: ${SITE_URL}\nfeeds:\n  - id: main\n    title: Main Street\n`);
    const store = memoryStore();
    try {
      expect((await passWithLogs({ sourcesDir: sources, outDir, store, now: () => NOW })).summary.sourcesFailed).toBe(0);
    } finally {
      store.close();
    }
    const page = cheerio.load(readFileSync(path.join(outDir, 'index.html'), 'utf8'));
    expect(page('section h2').map((_, element) => page(element).text()).get()).toEqual(['Kettle', 'Main Street']);
    const ids = page('[id]')
      .map((_, element) => page(element).attr('id'))
      .get();
    expect(ids.filter((id, index) => ids.indexOf(id) !== index), 'duplicate element ids').toEqual([]);
  });
});
