// RSS, Atom and JSON Feed rendered from the same entries say the same thing: every entry, in order,
// with its id, link (its own, or the page out/ holds for it), title, categories, authors, enclosures and image, read back by a
// namespace-aware XML parser and by JSON.parse.
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FETCH } from '../src/config/site.js';
import type { Enclosure, FeedDocument, StoredEntry } from '../src/model.js';
import { renderArchiveAtom, renderAtom, renderRss } from '../src/render/feed-xml.js';
import { renderJsonFeed } from '../src/render/json-feed.js';
import { xmlSafe } from '../src/render/xml-text.js';
import { entryUrl } from '../src/layout.js';

const BASE = 'https://harbourside-courier.example/';

interface ReadEntry {
  id: string;
  link: string;
  title: string;
  categories: string[];
  authors: string[];
  enclosures: Enclosure[];
  image?: string;
}

interface Node {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Node[];
}

function parseTree(xml: string): Node {
  const parser = new SaxesParser({ xmlns: true });
  const root: Node = { name: '', attributes: {}, text: '', children: [] };
  const open: Node[] = [root];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const node: Node = { name: tag.name, attributes: Object.fromEntries(Object.entries(tag.attributes).map(([name, attribute]) => [name, attribute.value])), text: '', children: [] };
    open[open.length - 1]!.children.push(node);
    open.push(node);
  });
  const append = (text: string) => {
    open[open.length - 1]!.text += text;
  };
  parser.on('text', append);
  parser.on('cdata', append);
  parser.on('closetag', () => open.pop());
  parser.write(xml).close();
  return root.children[0]!;
}

const named = (node: Node, name: string) => node.children.filter((child) => child.name === name);
const textOf = (node: Node, name: string) => named(node, name)[0]?.text;

function readRss(xml: string): ReadEntry[] {
  const channel = named(parseTree(xml), 'channel')[0]!;
  return named(channel, 'item').map((item) => {
    const image = named(item, 'media:thumbnail')[0]?.attributes.url;
    return {
      id: textOf(item, 'guid')!,
      link: textOf(item, 'link')!,
      title: textOf(item, 'title') ?? '',
      categories: named(item, 'category').map((category) => category.text),
      authors: named(item, 'dc:creator').map((creator) => creator.text),
      enclosures: named(item, 'enclosure').map(({ attributes }) => ({ url: attributes.url!, type: attributes.type!, length: Number(attributes.length) })),
      ...(image !== undefined ? { image } : {}),
    };
  });
}

// Authors as each format's readers take them: an entry without its own has the feed's (Atom's
// feed-level author, JSON Feed's top-level authors; RSS has no feed-level author, so items carry it).
function readAtom(xml: string): ReadEntry[] {
  const feed = parseTree(xml);
  const feedAuthors = named(feed, 'author').map((author) => textOf(author, 'name') ?? '');
  return named(feed, 'entry').map((entry) => {
    const links = named(entry, 'link');
    const image = named(entry, 'media:thumbnail')[0]?.attributes.url;
    return {
      id: textOf(entry, 'id')!,
      link: links.find((link) => link.attributes.rel === undefined || link.attributes.rel === 'alternate')!.attributes.href!,
      title: textOf(entry, 'title') ?? '',
      categories: named(entry, 'category').map((category) => category.attributes.term!),
      authors: named(entry, 'author').length > 0 ? named(entry, 'author').map((author) => textOf(author, 'name') ?? '') : feedAuthors,
      enclosures: links
        .filter((link) => link.attributes.rel === 'enclosure')
        .map(({ attributes }) => ({ url: attributes.href!, ...(attributes.type !== undefined ? { type: attributes.type } : {}), ...(attributes.length !== undefined ? { length: Number(attributes.length) } : {}) })),
      ...(image !== undefined ? { image } : {}),
    };
  });
}

interface JsonItem {
  id: string;
  url: string;
  title: string;
  tags?: string[];
  authors?: { name: string }[];
  attachments?: { url: string; mime_type: string; size_in_bytes?: number }[];
  image?: string;
}

function readJson(json: string): ReadEntry[] {
  const feed = JSON.parse(json) as { items: JsonItem[]; authors?: { name: string }[] };
  return feed.items.map((item) => ({
    id: item.id,
    link: item.url,
    title: item.title,
    categories: item.tags ?? [],
    authors: (item.authors ?? feed.authors ?? []).map((author) => author.name),
    enclosures: (item.attachments ?? []).map((attachment) => ({ url: attachment.url, type: attachment.mime_type, ...(attachment.size_in_bytes !== undefined ? { length: attachment.size_in_bytes } : {}) })),
    ...(item.image !== undefined ? { image: item.image } : {}),
  }));
}

/** What every format should give back for an entry: its authors, else the site's. */
function expected(entry: StoredEntry, siteAuthor: string): ReadEntry {
  return {
    id: entry.id,
    link: entryUrl(BASE, entry),
    title: xmlSafe(entry.title),
    categories: entry.categories.map(xmlSafe),
    authors: entry.authors.length > 0 ? entry.authors.map((person) => xmlSafe(person.name)) : [xmlSafe(siteAuthor)],
    enclosures: entry.enclosures.map((enclosure) => ({ url: enclosure.url, ...(enclosure.type !== undefined ? { type: enclosure.type } : {}), ...(enclosure.length ? { length: enclosure.length } : {}) })),
    ...(entry.image !== undefined ? { image: entry.image } : {}),
  };
}

// Texts meant to break XML writers, and characters XML cannot hold at all.
const TRICKY = [']]>', ']]', '>', '<', '&', '"', "'", '&amp;', '&lt;', '&#0;', '<![CDATA[', '<!--', '<p>', '\u0000', '\u0008', '\u001F', '\u0085', '\uD800', '\uDFFF', '\uFFFE', '\uE000', '\r', '\r\n', '\n', '\t', ' ', 'é', '😀'];
const wildText = fc.array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 5 })), { maxLength: 10 }).map((parts) => parts.join(''));
// Ids and URLs come out of normalize whole: no character XML forbids, but any other may stand in them.
const URL_PIECES = ['a', 'b-c', '/', '?', '=', '&', '&amp;', "'", '"', '<', '>', '%20', '#', 'ü', ';', '(', ')', '[x]', '&lt;'];
const urlTail = fc.array(fc.constantFrom(...URL_PIECES), { maxLength: 8 }).map((pieces) => pieces.join(''));
const anyUrl = urlTail.map((tail) => `${BASE}${tail}`);
const anyId = fc.oneof(
  urlTail.map((tail) => `tag:harbourside-courier.example,2026:${tail}`),
  fc.uuid().map((uuid) => `urn:uuid:${uuid}`),
  anyUrl,
);
const anyEnclosure: fc.Arbitrary<Enclosure> = fc.record(
  { url: anyUrl, type: fc.constantFrom('audio/mpeg', 'image/jpeg', 'application/pdf'), length: fc.integer({ min: 1, max: 2 ** 31 }) },
  { requiredKeys: ['url'] },
);

const anyEntry = fc
  .record({
    id: anyId,
    // Its own page, its id as its page, or no page: then it is published with one under out/.
    link: fc.oneof(anyUrl, fc.constant('id' as const), fc.constant(undefined)),
    title: wildText,
    categories: fc.array(wildText, { maxLength: 3 }),
    authors: fc.array(wildText, { maxLength: 2 }),
    // RSS carries one enclosure an item, so a property over all three formats holds entries to one.
    enclosures: fc.array(anyEnclosure, { maxLength: 1 }),
    image: fc.option(anyUrl, { nil: undefined }),
  })
  .map(({ id, link, authors, image, ...fields }): StoredEntry => ({
    ...fields,
    id,
    ...(link === 'id' ? { link: id } : link !== undefined ? { link } : {}),
    kind: 'item',
    source: 'courier/feed.xml',
    summary: 'Summary',
    contentText: 'Body',
    contentHtml: '<p>Body</p>',
    authors: authors.map((name) => ({ name })),
    ...(image !== undefined ? { image } : {}),
    published: new Date('2026-03-29T00:30:00.000Z'),
    capturedAt: new Date('2026-03-29T01:00:00.000Z'),
    firstSeen: new Date('2026-03-29T01:00:00.000Z'),
    updated: new Date('2026-03-29T01:15:00.000Z'),
    contentHash: 'hash',
  }));

function documentOf(entries: StoredEntry[]): FeedDocument {
  return {
    config: { id: 'courier', title: 'Harbourside Courier', limit: 50, filter: {} },
    site: {
      title: 'Harbourside Courier',
      description: 'The harbour, daily',
      url: BASE,
      language: 'en',
      timezone: 'Europe/Dublin',
      author: { name: 'Desk', url: BASE },
      schedule: '*/15 * * * *',
      boilerplate: [],
      feeds: [],
      fetch: DEFAULT_FETCH,
      archive: false,
      maxPageBytes: 5 * 1024 * 1024,
      idNamespace: BASE,
    },
    id: 'urn:uuid:5b1e2f3a-4c5d-5e6f-8a9b-0c1d2e3f4a5b',
    homeUrl: BASE,
    rssUrl: `${BASE}courier/rss.xml`,
    atomUrl: `${BASE}courier/atom.xml`,
    jsonUrl: `${BASE}courier/feed.json`,
    stylesheetHref: '../feed.xsl',
    entries,
  };
}

const anyDocument = fc.uniqueArray(anyEntry, { maxLength: 5, selector: (entry) => entry.id }).map(documentOf);

describe('the three formats agree', () => {
  it('on every entry: id, link, title, categories, authors, enclosures and image', () => {
    fc.assert(
      fc.property(anyDocument, (document) => {
        const want = document.entries.map((entry) => expected(entry, document.site.author.name));
        // JSON Feed and RSS must give an attachment a type, and RSS an enclosure a length: where the
        // source gave none, they say what readers assume. Atom may leave both out.
        const typed = (entries: ReadEntry[], length: boolean) =>
          entries.map((entry) => ({ ...entry, enclosures: entry.enclosures.map((enclosure) => ({ ...enclosure, type: enclosure.type ?? 'application/octet-stream', ...(length ? { length: enclosure.length ?? 0 } : {}) })) }));
        expect(readAtom(renderAtom(document))).toEqual(want);
        expect(readAtom(renderArchiveAtom(document, { current: `${BASE}courier/atom.xml` }))).toEqual(want);
        expect(readJson(renderJsonFeed(document))).toEqual(typed(want, false));
        expect(readRss(renderRss(document))).toEqual(typed(want, true));
      }),
      { numRuns: 500 },
    );
  });

  it('on an entry with several enclosures, in Atom and JSON Feed', () => {
    const enclosures = [
      { url: `${BASE}audio/a&b.mp3`, type: 'audio/mpeg', length: 2048 },
      { url: `${BASE}docs/minutes'.pdf`, type: 'application/pdf' },
    ];
    const [entry] = fc.sample(anyEntry, { numRuns: 1, seed: 7 });
    const document = documentOf([{ ...entry!, enclosures }]);
    expect(readAtom(renderAtom(document))[0]?.enclosures).toEqual(enclosures);
    expect(readJson(renderJsonFeed(document))[0]?.enclosures).toEqual(enclosures);
  });
});
