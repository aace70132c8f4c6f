import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FETCH } from '../src/config/site.js';
import type { FeedDocument, SiteConfig, StoredEntry } from '../src/model.js';
import { paragraphsToHtml } from '../src/shared/paragraphs.js';
import { renderAtom, renderRss } from '../src/render/feed-xml.js';
import { renderJsonFeed } from '../src/render/json-feed.js';

const BASE = 'https://millbrook-gazette.example/';

interface Fields {
  title: string;
  summary: string;
  contentText: string;
  contentHtml: string;
  category?: string;
  authorName?: string;
}

function storedEntry(index: number, fields: Fields, updated = `2026-04-0${(index % 9) + 1}T08:00:00.000Z`): StoredEntry {
  const uuid = `0f6e2a1c-3b4d-5e6f-8a7b-${String(index).padStart(12, '0')}`;
  return {
    id: `urn:uuid:${uuid}`,
    kind: 'brief',
    source: 'millbrook/live.txt',
    title: fields.title,
    summary: fields.summary,
    contentText: fields.contentText,
    contentHtml: fields.contentHtml,
    link: `${BASE}entries/${uuid}.html`,
    categories: fields.category !== undefined ? [fields.category] : [],
    authors: fields.authorName !== undefined ? [{ name: fields.authorName }] : [],
    enclosures: [],
    language: 'en',
    published: new Date('2026-04-01T07:30:00.000Z'),
    capturedAt: new Date('2026-04-01T07:45:00.000Z'),
    firstSeen: new Date('2026-04-01T07:46:00.000Z'),
    updated: new Date(updated),
    contentHash: 'hash',
  };
}

interface DocumentFields {
  siteTitle: string;
  siteDescription: string;
  siteAuthor: string;
  feedTitle: string;
  feedDescription?: string;
  entries: StoredEntry[];
}

function feedDocument(fields: DocumentFields): FeedDocument {
  const site: SiteConfig = {
    title: fields.siteTitle,
    description: fields.siteDescription,
    url: BASE,
    language: 'en',
    timezone: 'Europe/Lisbon',
    author: { name: fields.siteAuthor, url: BASE },
    schedule: '*/15 * * * *',
    boilerplate: [],
    feeds: [],
    fetch: DEFAULT_FETCH,
    archive: false,
    maxPageBytes: 5 * 1024 * 1024,
    idNamespace: BASE,
  };
  return {
    config: { id: '', title: fields.feedTitle, ...(fields.feedDescription !== undefined ? { description: fields.feedDescription } : {}), limit: 50, filter: {} },
    site,
    id: 'urn:uuid:9a8b7c6d-5e4f-5a3b-9c2d-1e0f9a8b7c6d',
    homeUrl: BASE,
    rssUrl: `${BASE}rss.xml`,
    atomUrl: `${BASE}atom.xml`,
    stylesheetHref: 'feed.xsl',
    jsonUrl: `${BASE}feed.json`,
    entries: fields.entries,
  };
}

const plainDocument = (entries: StoredEntry[]) =>
  feedDocument({ siteTitle: 'Millbrook Gazette', siteDescription: 'News from the valley', siteAuthor: 'Newsdesk', feedTitle: 'Millbrook Gazette', entries });

const plainFields: Fields = { title: 'Bins', summary: 'Collections move to Friday.', contentText: 'Collections move to Friday.', contentHtml: '<p>Collections move to Friday.</p>' };

interface XmlElement {
  path: string;
  attributes: Record<string, string>;
  text: string;
}

/** Parses with a namespace-aware, validating-for-well-formedness parser. */
function parseXml(xml: string): { errors: string[]; elements: XmlElement[] } {
  const parser = new SaxesParser({ xmlns: true });
  const errors: string[] = [];
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  parser.on('error', (error) => errors.push(error.message));
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes)) attributes[name] = attribute.value;
    const parent = open[open.length - 1];
    open.push({ path: parent ? `${parent.path}/${tag.name}` : tag.name, attributes, text: '' });
  });
  const append = (text: string) => {
    const current = open[open.length - 1];
    if (current) current.text += text;
  };
  parser.on('text', append);
  parser.on('cdata', append);
  parser.on('closetag', () => {
    const done = open.pop();
    if (done) elements.push(done);
  });
  parser.write(xml).close();
  return { errors, elements };
}

function only(xml: string, path: string): XmlElement {
  const { errors, elements } = parseXml(xml);
  expect(errors).toEqual([]);
  const found = elements.filter((element) => element.path === path);
  expect(found).toHaveLength(1);
  return found[0]!;
}

// Strings meant to break XML writers: markup characters, entity look-alikes, CDATA ends,
// characters XML 1.0 forbids (C0/C1 controls, lone surrogates, U+FFFE/U+FFFF) and the
// private-use characters the renderer uses as placeholders.
const TRICKY = [
  ']]>', ']]', ']', '>', '<', '&', '"', "'", '&amp;', '&lt;', '&#0;', '&#x1F;', '<![CDATA[', '<!--', '<p>', '</p>',
  '\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001F', '\u007F', '\u0085', '\u009F',
  '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFE', '\uFFFF', '\uE000', '\uE001', '\uFEFF', '\u200B', '\u2028', '\u2029',
  '\r', '\n', '\t', '\r\n', ' ', '\u00A0', '😀', 'e\u0301', 'é',
];
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const wildText = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', maxLength: 6 }), anyCodeUnit), { maxLength: 16 })
  .map((parts) => parts.join(''));

const wildFields: fc.Arbitrary<Fields> = fc.record(
  {
    title: wildText,
    summary: wildText,
    contentText: wildText,
    contentHtml: fc.oneof(wildText, fc.array(wildText, { maxLength: 3 }).map((paragraphs) => paragraphsToHtml(paragraphs))),
    category: wildText,
    authorName: wildText,
  },
  { requiredKeys: ['title', 'summary', 'contentText', 'contentHtml'] },
);

const wildDocument = fc
  .record(
    {
      siteTitle: wildText,
      siteDescription: wildText,
      siteAuthor: wildText,
      feedTitle: wildText,
      feedDescription: wildText,
      entries: fc.array(wildFields, { maxLength: 4 }),
    },
    { requiredKeys: ['siteTitle', 'siteDescription', 'siteAuthor', 'feedTitle', 'entries'] },
  )
  .map(({ entries, ...rest }) => feedDocument({ ...rest, entries: entries.map((fields, index) => storedEntry(index, fields)) }));

const RUNS = { numRuns: 400 };

describe('rendering arbitrary text', () => {
  it('always gives well-formed RSS', () => {
    fc.assert(
      fc.property(wildDocument, (document) => {
        expect(parseXml(renderRss(document)).errors).toEqual([]);
      }),
      RUNS,
    );
  });

  it('always gives well-formed Atom', () => {
    fc.assert(
      fc.property(wildDocument, (document) => {
        expect(parseXml(renderAtom(document)).errors).toEqual([]);
      }),
      RUNS,
    );
  });

  it('always gives parseable JSON Feed 1.1 with every entry', () => {
    fc.assert(
      fc.property(wildDocument, (document) => {
        const feed = JSON.parse(renderJsonFeed(document)) as { version: string; items: { id: string }[] };
        expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
        expect(feed.items.map((item) => item.id)).toEqual(document.entries.map((entry) => entry.id));
      }),
      RUNS,
    );
  });

  // The smallest case the RSS property above can shrink to: dc:creator needs xmlns:dc even
  // when no entry has content to put in content:encoded.
  it('declares the dc namespace for an author on an entry without content HTML', () => {
    const document = plainDocument([storedEntry(1, { ...plainFields, contentHtml: '', authorName: 'Ana Ferreira' })]);
    const rss = renderRss(document);
    expect(parseXml(rss).errors).toEqual([]);
    expect(only(rss, 'rss/channel/item/dc:creator').text).toBe('Ana Ferreira');
  });

  it('keeps every entry in RSS and Atom', () => {
    fc.assert(
      fc.property(wildDocument, (document) => {
        const rssItems = parseXml(renderRss(document)).elements.filter((element) => element.path === 'rss/channel/item');
        const atomEntries = parseXml(renderAtom(document)).elements.filter((element) => element.path === 'feed/entry');
        expect(rssItems).toHaveLength(document.entries.length);
        expect(atomEntries).toHaveLength(document.entries.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('tricky values read back exactly', () => {
  it('an RSS item title with two "]]>"', () => {
    const title = 'Toll bridge vote ]]> delayed again ]]> says mayor';
    const document = plainDocument([storedEntry(1, { ...plainFields, title })]);
    expect(only(renderRss(document), 'rss/channel/item/title').text).toBe(title);
  });

  it('an Atom entry title with two "]]>", as plain text', () => {
    const title = 'Toll bridge vote ]]> delayed again ]]> says mayor';
    const element = only(renderAtom(plainDocument([storedEntry(1, { ...plainFields, title })])), 'feed/entry/title');
    expect(element.text).toBe(title);
    expect(element.attributes.type).toBe('text');
  });

  it('the category a&b<c in Atom term and RSS category', () => {
    const document = plainDocument([storedEntry(1, { ...plainFields, category: 'a&b<c' })]);
    expect(only(renderAtom(document), 'feed/entry/category').attributes.term).toBe('a&b<c');
    expect(only(renderRss(document), 'rss/channel/item/category').text).toBe('a&b<c');
  });

  it('a category with quotes and a closing angle bracket in the Atom term', () => {
    const document = plainDocument([storedEntry(1, { ...plainFields, category: 'Say "cheese" > 3' })]);
    expect(only(renderAtom(document), 'feed/entry/category').attributes.term).toBe('Say "cheese" > 3');
  });

  it('a title holding a literal "&amp;" in RSS, Atom and JSON', () => {
    const title = 'Smith &amp; Sons bakery reopens';
    const document = plainDocument([storedEntry(1, { ...plainFields, title })]);
    expect(only(renderRss(document), 'rss/channel/item/title').text).toBe(title);
    expect(only(renderAtom(document), 'feed/entry/title').text).toBe(title);
    const json = JSON.parse(renderJsonFeed(document)) as { items: { title: string }[] };
    expect(json.items[0]?.title).toBe(title);
  });

  it('an author name and a feed title with markup characters', () => {
    const document = feedDocument({
      siteTitle: 'Millbrook & District <Gazette>',
      siteDescription: 'News & views',
      siteAuthor: 'Desk & Co',
      feedTitle: 'Millbrook & District <Gazette>',
      entries: [storedEntry(1, { ...plainFields, authorName: 'Ana &amp; <Bo>' })],
    });
    const rss = renderRss(document);
    const atom = renderAtom(document);
    expect(only(rss, 'rss/channel/title').text).toBe('Millbrook & District <Gazette>');
    expect(only(rss, 'rss/channel/item/dc:creator').text).toBe('Ana &amp; <Bo>');
    expect(only(atom, 'feed/title').text).toBe('Millbrook & District <Gazette>');
    expect(only(atom, 'feed/entry/author/name').text).toBe('Ana &amp; <Bo>');
    expect(only(atom, 'feed/author/name').text).toBe('Desk & Co');
  });

  // The Atom enclosure was once spliced in after a searched-for <id>, written with an escaping
  // that differs from the one the id got, so ids with an apostrophe lost their enclosures.
  it.each(["tag:millbrook-gazette.example,2026:mayor's-statement", 'tag:millbrook-gazette.example,2026:fish&chips<5'])('the enclosure of an entry with id %s in every format', (id) => {
    const enclosure = { url: `${BASE}audio/statement.mp3`, type: 'audio/mpeg', length: 123456 };
    const entry = { ...storedEntry(1, plainFields), id, enclosures: [enclosure] };
    const document = plainDocument([entry]);
    const atomLinks = parseXml(renderAtom(document)).elements.filter((element) => element.path === 'feed/entry/link');
    expect(atomLinks.filter((link) => link.attributes.rel === 'enclosure').map((link) => link.attributes)).toEqual([{ rel: 'enclosure', href: enclosure.url, type: enclosure.type, length: String(enclosure.length) }]);
    expect(only(renderAtom(document), 'feed/entry/id').text).toBe(id);
    expect(only(renderRss(document), 'rss/channel/item/enclosure').attributes).toEqual({ url: enclosure.url, type: enclosure.type, length: String(enclosure.length) });
    expect(only(renderRss(document), 'rss/channel/item/guid').text).toBe(id);
    const json = JSON.parse(renderJsonFeed(document)) as { items: { id: string; attachments?: unknown[] }[] };
    expect(json.items[0]?.id).toBe(id);
    expect(json.items[0]?.attachments).toEqual([{ url: enclosure.url, mime_type: enclosure.type, size_in_bytes: enclosure.length }]);
  });

  // Private-use characters once stood in for "<" and "]]>" while `feed` wrote the text; they are
  // text like any other now, and markup-looking text stays text in every format.
  it('a title of private-use characters and markup-looking text reads back as written', () => {
    const title = '\uE000 <p>a</p> \uE001 ]]> &amp; <![CDATA[x]]>';
    const document = plainDocument([storedEntry(1, { ...plainFields, title, category: '\uE000<b>&amp;' })]);
    expect(only(renderRss(document), 'rss/channel/item/title').text).toBe(title);
    expect(only(renderAtom(document), 'feed/entry/title').text).toBe(title);
    expect(only(renderRss(document), 'rss/channel/item/category').text).toBe('\uE000<b>&amp;');
    expect(only(renderAtom(document), 'feed/entry/category').attributes.term).toBe('\uE000<b>&amp;');
    const json = JSON.parse(renderJsonFeed(document)) as { items: { title: string }[] };
    expect(json.items[0]?.title).toBe(title);
  });

  it('content HTML built from text with markup characters', () => {
    const contentHtml = paragraphsToHtml(['Fish & chips < £5 ]]> today', 'Queue at the "Anchor"']);
    const document = plainDocument([storedEntry(1, { ...plainFields, contentHtml })]);
    const expected = '<p>Fish &amp; chips &lt; £5 ]]&gt; today</p>\n<p>Queue at the &quot;Anchor&quot;</p>';
    expect(only(renderRss(document), 'rss/channel/item/content:encoded').text).toBe(expected);
    expect(only(renderAtom(document), 'feed/entry/content').text).toBe(expected);
  });
});

describe('what subscribers were promised', () => {
  it('an RSS item without authors of its own carries the site author as dc:creator', () => {
    const rss = renderRss(plainDocument([storedEntry(1, plainFields)]));
    expect(only(rss, 'rss/channel/item/dc:creator').text).toBe('Newsdesk');
  });

  it('an Atom feed carries xml:lang when the site has a language', () => {
    const atom = renderAtom(plainDocument([storedEntry(1, plainFields)]));
    expect(only(atom, 'feed').attributes['xml:lang']).toBe('en');
  });
});


describe('a feed of many entries', () => {
  // Texts that hold no "</item>" or "</entry>", so each item can be cut out of the text as it is.
  const text = fc.constantFrom('', 'Bins', 'Rates & <b>fees</b>', ']]>', 'Grève 😀');
  const dated = fc.record({
    fields: fc.record({ title: text, summary: text, contentText: text, contentHtml: text, category: text, authorName: text }, { requiredKeys: ['title', 'summary', 'contentText', 'contentHtml'] }),
    publishedMs: fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-01-01T00:00:00Z') }),
    updatedAfterMs: fc.integer({ min: 0, max: 3 * 86_400_000 }),
    enclosureLength: fc.option(fc.nat({ max: 10_000_000 })),
    image: fc.boolean(),
  });
  const itemsOf = (xml: string, tag: string) => xml.match(new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`, 'g')) ?? [];

  it("gives each entry the item `feed` lays out for it alone: its dates, enclosure and texts, in the feed's order", () => {
    fc.assert(
      fc.property(fc.array(dated, { minLength: 1, maxLength: 8 }), (list) => {
        const entries = list.map(({ fields, publishedMs, updatedAfterMs, enclosureLength, image }, index): StoredEntry => ({
          ...storedEntry(index, fields),
          published: new Date(publishedMs),
          updated: new Date(publishedMs + updatedAfterMs),
          enclosures: enclosureLength === null ? [] : [{ url: `${BASE}audio/${index}.mp3`, type: 'audio/mpeg', ...(enclosureLength > 0 ? { length: enclosureLength } : {}) }],
          ...(image ? { image: `${BASE}images/${index}.jpg` } : {}),
        }));
        const alone = (render: (document: FeedDocument) => string, tag: string) => entries.flatMap((entry) => itemsOf(render(plainDocument([entry])), tag));
        expect(itemsOf(renderRss(plainDocument(entries)), 'item')).toEqual(alone(renderRss, 'item'));
        expect(itemsOf(renderAtom(plainDocument(entries)), 'entry')).toEqual(alone(renderAtom, 'entry'));
      }),
      { numRuns: 300 },
    );
  });
});
