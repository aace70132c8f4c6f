// Remote documents as served by a real HTTP server -> entries: RSS 2.0, RSS 1.0, Atom, JSON
// Feed, charsets, broken XML, hostile XML and HTML, and HTML/text pages read as sources.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryUrl } from '../src/layout.js';
import { readRemoteSource } from '../src/config/remote-sources.js';
import { readSiteConfig } from '../src/config/site.js';
import { decodeDocument, detectCharset } from '../src/ingest/charset.js';
import { parseFeedDocument } from '../src/ingest/feed-document.js';
import { repairXml } from '../src/ingest/xml-repair.js';
import { DEFAULT_FETCH_POLICY, Fetcher } from '../src/ingest/fetch.js';
import type { Entry } from '../src/model.js';
import { feedToEntries, type RemoteFeedContext } from '../src/normalize/feed-items.js';
import { briefId, leadId, urnUuid } from '../src/shared/ids.js';
import { readRemoteSources } from '../src/worker/read-remote.js';
import { fixture, islandPageSource, send, sendFixture, startFixtureServer, type FixtureServer } from './support/http-fixture-server.js';

const SITE = readSiteConfig({ url: 'https://feeds.example/', timezone: 'UTC' }, 'site.yaml');
const FETCHED = new Date('2026-03-01T12:00:00Z');
const SOURCE = 'remote';
const silent = pino({ level: 'silent' });

let server: FixtureServer;
let fetcher: Fetcher;
const temps: string[] = [];

beforeAll(async () => {
  server = await startFixtureServer();
  fetcher = new Fetcher({ ...DEFAULT_FETCH_POLICY, userAgent: 'feedloom-test/0' });
});
afterAll(async () => {
  await fetcher.close();
  await server.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface Read {
  entries: Entry[];
  documentUrl: string;
  skipped: string[];
}

/** Fetches `pathname` from the fixture server and reads it the way a pass does. */
async function readFeed(pathname: string, context: Partial<RemoteFeedContext> = {}): Promise<Read> {
  const fetched = await fetcher.fetch({ source: SOURCE, url: server.url(pathname) });
  if (fetched.notModified) throw new Error('unexpected 304');
  const feed = await parseFeedDocument(decodeDocument(fetched.body, fetched.contentType), SOURCE);
  const entries = feedToEntries(feed, { source: SOURCE, site: SITE, documentUrl: fetched.url, fetchedAt: FETCHED, timezone: 'Europe/Kyiv', ...context });
  return { entries, documentUrl: fetched.url, skipped: feed.skipped };
}

function byTitle(entries: Entry[], title: string): Entry {
  const found = entries.filter((entry) => entry.title === title);
  expect(found.map((entry) => entry.title), title).toEqual([title]);
  return found[0]!;
}

const iso = (entry: Entry) => entry.published.toISOString();

describe('RSS 2.0', () => {
  let read: Read;
  beforeAll(async () => {
    server.route('/feeds/rss2.xml', sendFixture('rss2.xml', 'application/rss+xml; charset=utf-8'));
    read = await readFeed('/feeds/rss2.xml');
  });

  it('reads every item', () => {
    expect(read.entries.map((entry) => entry.title)).toEqual([
      'Harbour dredging starts in March',
      'New ferry timetable from Monday',
      'Fish market moves indoors',
      'Tide table correction',
      'Lifeboat open evening tonight',
    ]);
    expect(read.entries.every((entry) => entry.kind === 'item' && entry.source === SOURCE)).toBe(true);
  });

  it('takes the id from the guid, else the canonical link, else a content hash', () => {
    const { entries } = read;
    // A guid that is not a URI becomes a name-based id under the site and source.
    expect(byTitle(entries, 'Harbour dredging starts in March').id).toBe(urnUuid(SITE.url, 'item', SOURCE, 'harbour-2026-0042'));
    // A guid that is a URI is the id as it is.
    expect(byTitle(entries, 'New ferry timetable from Monday').id).toBe('https://news.example/stories/ferry-timetable');
    // No guid: the link without its tracking parameters.
    expect(byTitle(entries, 'Fish market moves indoors').id).toBe('https://news.example/stories/market');
    // Neither: a hash of the content, stable from one read to the next.
    const tide = byTitle(entries, 'Tide table correction').id;
    expect(tide).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(entries.length);
  });

  it('gives the same content-hash id on every read, and another one when the text changes', async () => {
    const again = await readFeed('/feeds/rss2.xml');
    expect(byTitle(again.entries, 'Tide table correction').id).toBe(byTitle(read.entries, 'Tide table correction').id);
    server.route('/feeds/rss2-edited.xml', send(fixture('rss2.xml').toString('utf8').replace('14:12, not 14:21', '14:12, not 14:31'), { 'content-type': 'application/rss+xml' }));
    const edited = await readFeed('/feeds/rss2-edited.xml');
    expect(byTitle(edited.entries, 'Tide table correction').id).not.toBe(byTitle(read.entries, 'Tide table correction').id);
    // The others keep theirs: their ids do not depend on the document URL.
    expect(byTitle(edited.entries, 'Fish market moves indoors').id).toBe('https://news.example/stories/market');
  });

  it('drops tracking parameters and resolves relative links against the document URL', () => {
    const { entries } = read;
    expect(byTitle(entries, 'Harbour dredging starts in March').link).toBe('https://news.example/harbour/dredging?id=42');
    expect(byTitle(entries, 'Fish market moves indoors').link).toBe('https://news.example/stories/market');
    // <link>stories/ferry-timetable?gclid=xyz&mc_eid=123&day=mon</link> in /feeds/rss2.xml
    const ferry = byTitle(entries, 'New ferry timetable from Monday');
    expect(ferry.link).toBe(server.url('/feeds/stories/ferry-timetable?day=mon'));
    expect(ferry.contentHtml).toContain(`<a href="${server.url('/feeds/stories/timetable.pdf')}">full timetable</a>`);
    for (const entry of entries) expect(entry.link ?? '').not.toMatch(/utm_|fbclid|gclid|mc_eid/);
  });

  it('leaves an item with no link without one: it is published with a page named as a brief\'s page is', () => {
    const tide = byTitle(read.entries, 'Tide table correction');
    expect(tide.id).toMatch(/^urn:uuid:/);
    expect(tide.link).toBeUndefined();
    expect(entryUrl('https://feeds.example/', tide)).toBe(`https://feeds.example/entries/${tide.id.slice('urn:uuid:'.length)}.html`);
  });

  it('reads authors, categories, the enclosure and the item image', () => {
    const dredging = byTitle(read.entries, 'Harbour dredging starts in March');
    expect(dredging.authors).toEqual([{ name: 'Mara Jensen', email: 'desk@news.example' }]);
    expect(dredging.categories).toEqual(['Port', 'Shipping']);
    expect(dredging.enclosures).toEqual([{ url: 'https://media.news.example/audio/dredging.mp3', type: 'audio/mpeg', length: 1234567 }]);
    // media:thumbnail is relative: resolved against the item link, tracking dropped.
    expect(dredging.image).toBe('https://news.example/img/dredge.jpg');
    expect(byTitle(read.entries, 'New ferry timetable from Monday').authors).toEqual([{ name: 'Oskar Lind' }]);
  });

  it('dates items: zones honoured, no zone in the source time zone, missing or far future -> fetch time', () => {
    const { entries } = read;
    expect(iso(byTitle(entries, 'Harbour dredging starts in March'))).toBe('2026-02-28T08:30:00.000Z');
    // "Fri, 27 Feb 2026 18:00:00" with no zone, read in Europe/Kyiv (UTC+2).
    expect(iso(byTitle(entries, 'New ferry timetable from Monday'))).toBe('2026-02-27T16:00:00.000Z');
    expect(iso(byTitle(entries, 'Fish market moves indoors'))).toBe(FETCHED.toISOString());
    // Two years ahead: not believed.
    expect(iso(byTitle(entries, 'Tide table correction'))).toBe(FETCHED.toISOString());
    // Six hours ahead is within a day: kept.
    expect(iso(byTitle(entries, 'Lifeboat open evening tonight'))).toBe('2026-03-01T18:00:00.000Z');
    for (const entry of entries) expect(entry.capturedAt.toISOString()).toBe(FETCHED.toISOString());
  });

  it('reads a date with no zone in the time zone it is given', async () => {
    const tokyo = await readFeed('/feeds/rss2.xml', { timezone: 'Asia/Tokyo' });
    expect(iso(byTitle(tokyo.entries, 'New ferry timetable from Monday'))).toBe('2026-02-27T09:00:00.000Z');
    // No source time zone: the site's (UTC here).
    const utc = await readFeed('/feeds/rss2.xml', { timezone: undefined });
    expect(iso(byTitle(utc.entries, 'New ferry timetable from Monday'))).toBe('2026-02-27T18:00:00.000Z');
  });

  it('keeps only max_entries items', async () => {
    const limited = await readFeed('/feeds/rss2.xml', { maxEntries: 2 });
    expect(limited.entries.map((entry) => entry.title)).toEqual(['Harbour dredging starts in March', 'New ferry timetable from Monday']);
  });
});

describe('RSS 1.0 (RDF)', () => {
  let read: Read;
  beforeAll(async () => {
    server.route('/feeds/rss1.rdf', sendFixture('rss1.xml', 'application/rdf+xml'));
    read = await readFeed('/feeds/rss1.rdf');
  });

  it('reads the items with rdf:about as the id, clean links and dc:creator', () => {
    const bridge = byTitle(read.entries, 'Old bridge reopens to walkers');
    expect(bridge.id).toBe('https://valley.example/news/bridge');
    expect(bridge.link).toBe('https://valley.example/news/bridge');
    expect(bridge.authors).toEqual([{ name: 'Ines Ruiz' }]);
    expect(bridge.contentText).toBe('The footbridge over the weir is open again after repairs.');
    expect(byTitle(read.entries, 'Library extends Saturday hours').id).toBe('https://valley.example/news/library');
  });

  it('dates items from dc:date, a date with no zone in the source time zone', () => {
    expect(iso(byTitle(read.entries, 'Old bridge reopens to walkers'))).toBe('2026-02-26T06:45:00.000Z');
    expect(iso(byTitle(read.entries, 'Library extends Saturday hours'))).toBe('2026-02-25T12:00:00.000Z');
  });

  it('reads dc:subject as the category', () => {
    // RSS 1.0 has no <category>; dc:subject is where its feeds put one.
    expect(byTitle(read.entries, 'Old bridge reopens to walkers').categories).toEqual(['Roads']);
  });
});

describe('Atom 1.0', () => {
  let read: Read;
  beforeAll(async () => {
    server.route('/feeds/science.atom', sendFixture('atom.xml', 'application/atom+xml'));
    read = await readFeed('/feeds/science.atom');
  });

  it('reads ids, titles as text, links, authors and categories', () => {
    const seals = byTitle(read.entries, 'Seals return to the north beach');
    expect(seals.id).toBe('tag:atom.example,2026:entry-1');
    // href="/posts/seals?utm_medium=atom&ref=home", relative to the document.
    expect(seals.link).toBe(server.url('/posts/seals?ref=home'));
    expect(seals.authors).toEqual([{ name: 'Ada Sorensen', email: 'ada@atom.example', url: 'https://atom.example/ada' }]);
    expect(seals.categories).toEqual(['Wildlife', 'beaches']);
    expect(seals.summary).toBe('Grey seals are back.');
    expect(seals.contentHtml).toBe('<p>Counters found 41 grey seals on the north beach.</p>');
    const kelp = byTitle(read.entries, 'Kelp forest survey');
    expect(kelp.id).toBe('https://atom.example/posts/kelp');
    expect(kelp.authors).toEqual([{ name: 'Bo Nygaard' }]);
  });

  it('reads rel="enclosure" links with type and length, and media:thumbnail', () => {
    const seals = byTitle(read.entries, 'Seals return to the north beach');
    expect(seals.enclosures).toEqual([{ url: 'https://cdn.atom.example/seals.ogg', type: 'audio/ogg', length: 2048000 }]);
    expect(seals.image).toBe('https://cdn.atom.example/seals.jpg');
    expect(byTitle(read.entries, 'Kelp forest survey').enclosures).toEqual([]);
  });

  it('dates by <published>, a date with no zone in the source time zone', () => {
    expect(iso(byTitle(read.entries, 'Seals return to the north beach'))).toBe('2026-02-27T10:00:00.000Z');
    expect(iso(byTitle(read.entries, 'Kelp forest survey'))).toBe('2026-02-26T06:00:00.000Z');
  });

  it('reads type="text" title and content as plain text, not as HTML (RFC 4287 3.1.1.1)', async () => {
    server.route('/feeds/markup.atom', sendFixture('atom-text-constructs.xml', 'application/atom+xml'));
    const { entries } = await readFeed('/feeds/markup.atom');
    expect(entries).toHaveLength(1);
    // The escaped tags are characters of the text: a reader must see them as written.
    expect(entries[0]!.title).toBe('Why <b> beats <strong> in old mail clients');
    expect(entries[0]!.contentText).toBe('Write <b>bold</b> and the tag shows as written, <angle brackets> and all.');
    expect(entries[0]!.contentHtml).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('keeps the good dates beside one invalid date, which becomes the fetch time', async () => {
    server.route('/feeds/bad-date.atom', sendFixture('atom-bad-date.xml', 'application/atom+xml'));
    const { entries } = await readFeed('/feeds/bad-date.atom');
    expect(entries.map((entry) => [entry.title, iso(entry)])).toEqual([
      ['First good item', '2026-02-28T06:15:00.000Z'],
      ['Item with a broken date', FETCHED.toISOString()],
      ['Second good item', '2026-02-27T19:30:00.000Z'],
    ]);
  });
});

describe('JSON Feed 1.1', () => {
  let read: Read;
  beforeAll(async () => {
    server.route('/feeds/radio.json', sendFixture('feed.json', 'application/feed+json'));
    read = await readFeed('/feeds/radio.json');
  });

  it('reads the valid items and skips the one with an empty id, naming it', () => {
    expect(read.entries).toHaveLength(3);
    expect(read.skipped).toEqual(['item 3: "id" is empty']);
    expect(read.entries.map((entry) => entry.title)).not.toContain('An item with an empty id');
  });

  it('reads ids, links, authors, tags, attachments, image and dates', () => {
    const nets = byTitle(read.entries, 'Episode 101: Mending nets');
    expect(nets.id).toBe(urnUuid(SITE.url, 'item', SOURCE, 'ep-101'));
    expect(nets.link).toBe('https://radio.example/episodes/101?t=30');
    expect(nets.authors).toEqual([{ name: 'Kari Holm', url: 'https://radio.example/kari' }]);
    expect(nets.categories).toEqual(['Fishing', 'Podcast']);
    expect(nets.enclosures).toEqual([{ url: 'https://radio.example/audio/101.mp3', type: 'audio/mpeg', length: 31457280 }]);
    expect(nets.image).toBe('https://radio.example/img/101.png');
    expect(nets.summary).toBe('Two generations of net makers.');
    expect(iso(nets)).toBe('2026-02-26T05:00:00.000Z');

    const herring = byTitle(read.entries, 'Episode 102: Winter herring');
    expect(herring.id).toBe('https://radio.example/episodes/102');
    // external_url "/episodes/102?mc_eid=99", relative to the document.
    expect(herring.link).toBe(server.url('/episodes/102'));
    expect(herring.contentHtml).toBe('<p>The herring came late this winter.</p>');
    expect(iso(herring)).toBe('2026-02-27T07:00:00.000Z');

    const bulletin = read.entries.find((entry) => entry.contentText === 'A bulletin with a numeric id and no title.');
    expect(bulletin?.id).toBe(urnUuid(SITE.url, 'item', SOURCE, '103'));
    expect(bulletin && iso(bulletin)).toBe(FETCHED.toISOString());
  });

  it('refuses a JSON document that is not a JSON Feed, whole', async () => {
    server.route('/feeds/not-a-feed.json', send('{"version": "https://example.org/other", "items": []}', { 'content-type': 'application/json' }));
    await expect(readFeed('/feeds/not-a-feed.json')).rejects.toThrow(/not a JSON Feed: unknown version/);
  });
});

/** windows-1251 bytes for ASCII and Russian letters, from the code page's table. */
function windows1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code >= 0x0410 && code <= 0x044f) bytes.push(0xc0 + (code - 0x0410)); // А..я
    else if (code === 0x0401) bytes.push(0xa8); // Ё
    else if (code === 0x0451) bytes.push(0xb8); // ё
    else throw new Error(`no windows-1251 byte for "${char}" in this test's table`);
  }
  return Buffer.from(bytes);
}

describe('charsets', () => {
  it('has a windows-1251 table that gives the known bytes', () => {
    expect(windows1251('Привет').toString('hex')).toBe('cff0e8e2e5f2');
    expect(windows1251('Ёё').toString('hex')).toBe('a8b8');
  });

  it('decodes windows-1251 declared only in the XML declaration', async () => {
    const bytes = windows1251(fixture('windows-1251.utf8-source.xml').toString('utf8'));
    // Not UTF-8: read as UTF-8 it would be mojibake.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(detectCharset(bytes, 'application/rss+xml')).toBe('windows-1251');
    server.route('/feeds/cp1251.xml', send(bytes, { 'content-type': 'application/rss+xml' }));
    const { entries } = await readFeed('/feeds/cp1251.xml');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.title).toBe('Привет, мир: новый мост открыт');
    expect(entries[0]!.categories).toEqual(['Дороги']);
    expect(entries[0]!.contentText).toBe('Мост через реку открыт для машин и пешеходов.');
    expect(iso(entries[0]!)).toBe('2026-02-28T07:00:00.000Z');
  });

  it('lets the Content-Type charset win over the XML declaration', async () => {
    const utf8 = Buffer.from('<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>t</title><item><title>Ёлка</title><guid>x-1</guid><description>d</description></item></channel></rss>', 'utf8');
    server.route('/feeds/header-charset.xml', send(utf8, { 'content-type': 'application/rss+xml; charset=utf-8' }));
    const { entries } = await readFeed('/feeds/header-charset.xml');
    expect(entries[0]!.title).toBe('Ёлка');
  });
});

describe('broken and hostile XML', () => {
  it('reads a bare "&" in a title as a literal ampersand', async () => {
    server.route('/feeds/ampersand.xml', sendFixture('bare-ampersand.xml', 'application/rss+xml'));
    const { entries } = await readFeed('/feeds/ampersand.xml');
    expect(entries.map((entry) => entry.title)).toEqual(['Fish & Chips night at the Anchor & Crown', 'AT&T mast approved']);
    expect(entries[0]!.link).toBe('https://smith.example/news/fish-chips?a=1&b=2');
    // HTML entities XML does not know are read as HTML would read them; unknown ones stay as text.
    expect(entries[0]!.contentText).toBe('Tickets cost 5 £ at the bar — &bogus; stays as written.');
  });

  it('repairs entity references as an XML parser needs them, leaving XML\'s own five untouched', () => {
    expect(repairXml('&amp; &lt; &gt; &quot; &apos;')).toBe('&amp; &lt; &gt; &quot; &apos;');
    // XML names are case-sensitive: &AMP; and &Lt; are HTML's, so they become numeric references.
    expect(repairXml('&AMP; &Lt; &nbsp; &eacute; &#233; &#x1F6A2; &#1; & &bogus;')).toBe('&#38; &#8810; &#160; &#233; &#233; &#x1F6A2;  &amp; &amp;bogus;');
  });

  it('never expands a billion-laughs DTD, and reads the feed quickly', async () => {
    server.route('/feeds/laughs.xml', sendFixture('billion-laughs.xml', 'application/rss+xml'));
    const started = performance.now();
    const { entries } = await readFeed('/feeds/laughs.xml');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(entries).toHaveLength(1);
    const all = JSON.stringify(entries);
    expect(all).not.toContain('lollol');
    expect(all.length).toBeLessThan(5000);
    expect(entries[0]!.link).toBe('https://laughs.example/one');
  });

  it('never resolves an external entity pointing at a local file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'feedloom-xxe-'));
    temps.push(dir);
    const secretFile = path.join(dir, 'secret.txt');
    writeFileSync(secretFile, 'XXE-SECRET-7f3a9c\n');
    server.route('/feeds/xxe.xml', send(fixture('external-entity.xml').toString('utf8').replaceAll('{{SECRET_PATH}}', secretFile), { 'content-type': 'application/rss+xml' }));
    const { entries } = await readFeed('/feeds/xxe.xml');
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain('XXE-SECRET');
    expect(entries[0]!.link).toBe('https://xxe.example/leak');
  });

  it('fails a document that is neither XML nor JSON, naming the source', async () => {
    server.route('/feeds/plain.txt', send('just words', { 'content-type': 'text/plain' }));
    await expect(readFeed('/feeds/plain.txt')).rejects.toMatchObject({ stage: 'ingest', code: 'SOURCE_UNREADABLE', source: SOURCE, message: 'document is neither XML nor JSON' });
  });
});

describe('hostile HTML content', () => {
  let entries: Entry[];
  beforeAll(async () => {
    server.route('/feeds/dirty.xml', sendFixture('dirty-html.xml', 'application/rss+xml'));
    ({ entries } = await readFeed('/feeds/dirty.xml'));
  });

  it('removes scripts, event handlers, javascript: links, iframes, styles and forms', () => {
    for (const entry of entries) {
      const stored = JSON.stringify(entry);
      for (const bad of ['<script', 'XSS-', 'xss-style-marker', 'onerror', 'onclick', 'onload', 'javascript:', 'vbscript:', 'srcset', '<iframe', '<svg', '<object', 'evil.example', 'style=', 'position:fixed', '<form', '<input']) {
        expect(stored, `${entry.title}: ${bad}`).not.toContain(bad);
      }
    }
  });

  it('keeps paragraphs, links and images, resolved and cleaned', () => {
    const plan = byTitle(entries, 'Council publishes the harbour plan');
    expect(plan.contentHtml).toContain('<p>The council published the <strong>harbour plan</strong> on Friday.</p>');
    expect(plan.contentHtml).toContain('<p>Styled paragraph stays as text.</p>');
    expect(plan.contentHtml).toContain('<a href="https://dirty.example/docs/plan.pdf">plan document</a>');
    expect(plan.contentHtml).toContain('src="https://dirty.example/img/harbour.jpg"');
    expect(plan.contentHtml).toContain('<p>Clickable paragraph.</p>');
    expect(plan.contentHtml).toContain('<img alt="Quay" src="https://dirty.example/img/quay.jpg" />');
    // The links with unsafe targets keep their text, not their target.
    expect(plan.contentHtml).toContain('<a>tabbed</a> <a>mixed case</a> <a>vb</a>');
  });

  it('keeps data:image/png images and drops every other data: URL', () => {
    const plan = byTitle(entries, 'Council publishes the harbour plan');
    expect(plan.contentHtml).toContain('src="data:image/png;base64,iVBORw0KGgo');
    expect(plan.contentHtml).not.toContain('data:image/svg');
    expect(plan.contentHtml).not.toContain('data:text/html');
  });
});

describe('pages read as sources', () => {
  async function readPageSource(id: string, yaml: string) {
    const definition = readRemoteSource(parseYaml(yaml), id, `${id}.yaml`);
    const entries: Entry[] = [];
    const storeEntries = async (batch: Entry[]) => {
      entries.push(...batch);
    };
    const result = await readRemoteSources([definition], [], { site: SITE, fingerprint: 'test', known: new Map(), nowMs: FETCHED.getTime(), logger: silent, fetcher, storeEntries });
    return { ...result, entries };
  }

  it('reads an HTML page with selectors: a lead and briefs dated in the source time zone', async () => {
    server.route('/pages/island.html', sendFixture('island-times.html', 'text/html; charset=utf-8'));
    const pageUrl = server.url('/pages/island.html');
    const result = await readPageSource(
      'island',
      islandPageSource(pageUrl).join('\n'),
    );
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(1);
    const [lead, ...briefs] = result.entries;
    expect(lead).toMatchObject({
      kind: 'lead',
      source: 'island',
      id: leadId(SITE.url, pageUrl),
      title: 'Storm closes the causeway to Holm Island',
      link: pageUrl,
      summary: expect.stringMatching(/^The causeway to Holm Island was closed on Sunday morning/),
    });
    expect(lead!.contentText.split('\n\n')).toEqual([
      'The causeway to Holm Island was closed on Sunday morning after waves washed gravel across the road, and the council said it would stay shut until the evening tide.',
      'Council crews will inspect the road surface at low water.',
      'The island shop has opened early for residents.',
    ]);
    expect(lead!.published.toISOString()).toBe(FETCHED.toISOString());
    expect(JSON.stringify(result.entries)).not.toContain('PAGE-SCRIPT-MARKER');
    expect(JSON.stringify(result.entries)).not.toContain('PAGE-STYLE-MARKER');

    // Fetched at 21:00 in Tokyo: 20:30 and 9:05 are that day, 23:10 is the day before.
    expect(briefs.map((brief) => [brief.kind, brief.categories[0], iso(brief)])).toEqual([
      ['brief', 'Transport', '2026-03-01T11:30:00.000Z'],
      ['brief', 'Weather', '2026-03-01T00:05:00.000Z'],
      ['brief', 'Harbour', '2026-02-28T14:10:00.000Z'],
    ]);
    expect(briefs[0]!.id).toBe(briefId(SITE.url, '2026-03-01', '20:30', 'Transport'));
    expect(briefs[2]!.id).toBe(briefId(SITE.url, '2026-02-28', '23:10', 'Harbour'));
    expect(briefs[0]!.title).toBe('Transport: The last bus to the causeway car park is cancelled.');
    expect(briefs[1]!.contentText).toBe('Gusts of 90 km/h are forecast until noon.\n\nA yellow warning is in place.');
    for (const brief of briefs) expect(brief.pageUrl).toBe(pageUrl);
  });

  it('fails an HTML page whose selectors match nothing, naming them', async () => {
    server.route('/pages/empty.html', send('<html><body><p>Nothing here</p></body></html>', { 'content-type': 'text/html' }));
    const result = await readPageSource('empty', `kind: page\nurl: ${server.url('/pages/empty.html')}\nselectors:\n  lead_title: h1.none\n  lead_body: .none\n`);
    expect(result.entries).toEqual([]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.source).toBe('empty');
    expect(result.failures[0]!.reason).toContain('lead_title "h1.none"');
  });

  it('reads a text page with format: text like a captured page, in the source time zone', async () => {
    server.route('/pages/ferry-live.txt', sendFixture('ferry-live.txt', 'text/plain; charset=utf-8'));
    const pageUrl = server.url('/pages/ferry-live.txt');
    const result = await readPageSource('ferry', `kind: page\nformat: text\nurl: ${pageUrl}\ntimezone: America/New_York\n`);
    expect(result.failures).toEqual([]);
    const [lead, ...briefs] = result.entries;
    expect(lead!.kind).toBe('lead');
    expect(lead!.link).toBe(pageUrl);
    expect(lead!.summary).toMatch(/^The ferry company confirmed on Sunday/);
    expect(lead!.contentText).not.toContain('Share this article');
    // Fetched at 07:00 in New York (UTC-5): 6:30 is that morning, 11:20 the day before.
    expect(briefs.map((brief) => [brief.categories[0], iso(brief)])).toEqual([
      ['Ferries', '2026-02-28T16:20:00.000Z'],
      ['Harbour', '2026-03-01T11:30:00.000Z'],
    ]);
    expect(briefs[0]!.contentText).toBe('The 12:00 sailing is running about twenty minutes late.');
  });
});
