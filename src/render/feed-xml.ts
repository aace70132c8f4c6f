// FeedDocument -> RSS 2.0 and Atom 1.0 text. Pure: every date comes from the entries, so the same
// entries always give the same bytes.
//
// `feed` builds each document: which elements there are and in what order, ids, links, dates,
// laying out one item of each shape (itemShapes). Its writer (xml-js) cannot carry every text (it
// reads "&amp;" back as "&" before escaping, splits only the first "]]>" of a CDATA section,
// leaves "<" in attribute values), and its API has no place for some of what these feeds hold.
// So its output is read back as an element tree, each entry's item is a copy of its shape's with
// every text and date set from the entry, what `feed` cannot say is added, and the tree is
// written once.
import { Feed, type FeedOptions, type Item } from 'feed';
import type { FeedDocument, Person, StoredEntry } from '../model.js';
import { entryUrl } from '../layout.js';
import { escapeHtml } from '../shared/escape.js';
import { addAttributesAfterFirst, childNamed, childrenNamed, element, insertAfter, insertBefore, readXmlTree, replaceWithCopies, setText, setTexts, writeXmlTree, type XmlDocument, type XmlElement } from './xml-tree.js';
import { xmlSafe } from './xml-text.js';

export const GENERATOR = 'feedloom';
const DUBLIN_CORE = 'http://purl.org/dc/elements/1.1/';
const MEDIA_RSS = 'http://search.yahoo.com/mrss/';
const FEED_HISTORY = 'http://purl.org/syndication/history/1.0';

/** A feed's date is its newest entry change, never the time of the run. */
export function feedUpdated(document: FeedDocument): Date {
  const newest = Math.max(0, ...document.entries.map((entry) => entry.updated.getTime()));
  return new Date(newest);
}

export function renderRss(document: FeedDocument): string {
  const items = document.entries.map((entry) => rssItem(entry, document));
  const { shapes, shapeOf } = itemShapes(items);
  const feed = new Feed({ ...channelOptions(document), feedLinks: { rss: document.rssUrl } });
  for (const shape of shapes) feed.addItem(shape);
  const tree = readXmlTree(feed.rss2());
  const channel = childNamed(tree.root, 'channel');
  setChannelTexts(channel, document, 'description');
  replaceWithCopies(channel, childrenNamed(channel, 'item'), shapeOf, (item, index) => setRssItem(item, document.entries[index]!, document));
  // `feed` declares the dc namespace only when some item has content, and never media's.
  if (!('xmlns:dc' in tree.root.attributes)) addAttributesAfterFirst(tree.root, { 'xmlns:dc': DUBLIN_CORE });
  if (hasImages(document)) addAttributesAfterFirst(tree.root, { 'xmlns:media': MEDIA_RSS });
  if (document.prevArchiveUrl) {
    const self = childrenNamed(channel, 'atom:link').find((link) => link.attributes.rel === 'self');
    if (self) insertAfter(channel, self, [element('atom:link', { href: document.prevArchiveUrl, rel: 'prev-archive' })]);
  }
  return writeXmlTree(tree);
}

function rssItem(entry: StoredEntry, document: FeedDocument): Item {
  // An id that is the entry's own link is a permalink: `feed` marks a guid isPermaLink="true"
  // only when it is given the link alone.
  const { id, ...base } = itemBase(entry);
  return {
    ...(entry.id === entryUrl(document.site.url, entry) ? base : { id, ...base }),
    category: entry.categories.map(() => ({ name: STAND_IN_TEXT })),
    // RSS <author> must be an e-mail address; dc:creator takes a name. RSS has no feed-wide
    // author, so an entry without its own carries the site's, as the README says entries default to.
    extensions: [{ name: 'dc:creator', objects: rssAuthors(entry, document).map(() => ({ _text: STAND_IN_TEXT })) as unknown as Record<string, unknown> }],
    // RSS allows one enclosure per item; its URL, length and type are set in the tree.
    ...(entry.enclosures[0] ? { enclosure: { url: STAND_IN_URL, length: 0 } } : {}),
  };
}

/**
 * What `feed` is given of an entry holds stand-ins, counts and dates only, so entries whose items
 * differ only in their dates are laid out alike: `feed` lays out one item of each shape, and each
 * entry's item is a copy of its shape's with its own dates and texts. A feed of a thousand
 * entries is then read back as a feed of a few.
 */
function itemShapes(items: readonly Item[]): { shapes: Item[]; shapeOf: number[] } {
  const shapes: Item[] = [];
  const known = new Map<string, number>();
  const shapeOf = items.map((item) => {
    const { date: _date, published: _published, ...shape } = item;
    const key = JSON.stringify(shape);
    let index = known.get(key);
    if (index === undefined) {
      index = shapes.push(item) - 1;
      known.set(key, index);
    }
    return index;
  });
  return { shapes, shapeOf };
}

function rssAuthors(entry: StoredEntry, document: FeedDocument): readonly Person[] {
  return entry.authors.length > 0 ? entry.authors : [document.site.author];
}

function setRssItem(item: XmlElement, entry: StoredEntry, document: FeedDocument): void {
  setTexts(item, 'title', [entry.title], 'cdata');
  // As `feed` writes an item's date: its publication, in RFC 822 form.
  setTexts(item, 'pubDate', [entry.published.toUTCString()]);
  setTexts(item, 'link', [entryUrl(document.site.url, entry)]);
  setTexts(item, 'guid', [entry.id]);
  setTexts(item, 'description', [escapeHtml(entry.summary)], 'cdata');
  setTexts(item, 'content:encoded', [entry.contentHtml], 'cdata');
  setTexts(item, 'category', entry.categories);
  setTexts(item, 'dc:creator', rssAuthors(entry, document).map((person) => person.name));
  const [enclosure] = childrenNamed(item, 'enclosure');
  if (enclosure && entry.enclosures[0]) {
    enclosure.attributes.url = entry.enclosures[0].url;
    enclosure.attributes.length = String(entry.enclosures[0].length ?? 0);
    enclosure.attributes.type = entry.enclosures[0].type ?? 'application/octet-stream';
  }
  if (entry.image) item.children.push(element('media:thumbnail', { url: entry.image }));
}

export function renderAtom(document: FeedDocument): string {
  const tree = atomTree(document);
  if (document.prevArchiveUrl) addFeedLinks(tree, { 'prev-archive': document.prevArchiveUrl });
  return writeXmlTree(tree);
}

function atomTree(document: FeedDocument): XmlDocument {
  const items = document.entries.map((entry): Item => ({
    ...itemBase(entry),
    category: entry.categories.map(() => ({ term: STAND_IN_TEXT })),
    ...(entry.authors.length > 0 ? { author: entry.authors.map(atomPerson) } : {}),
  }));
  const { shapes, shapeOf } = itemShapes(items);
  const feed = new Feed({ ...channelOptions(document), feedLinks: { atom: document.atomUrl }, author: atomPerson(document.site.author) });
  for (const shape of shapes) feed.addItem(shape);
  const tree = readXmlTree(feed.atom1());
  setText(childNamed(tree.root, 'id'), document.id);
  setChannelTexts(tree.root, document, 'subtitle');
  setAtomPeople(tree.root, [document.site.author]);
  // The feed's language, inherited by every element (RFC 4287 2: xml:lang).
  if (document.site.language) addAttributesAfterFirst(tree.root, { 'xml:lang': document.site.language });
  replaceWithCopies(tree.root, childrenNamed(tree.root, 'entry'), shapeOf, (entry, index) => setAtomEntry(entry, document.entries[index]!, document.site.url));
  if (hasImages(document)) addAttributesAfterFirst(tree.root, { 'xmlns:media': MEDIA_RSS });
  return tree;
}

function setAtomEntry(entry: XmlElement, source: StoredEntry, siteUrl: string): void {
  // `feed` writes every entry title as type="html", which readers show with its entities left in
  // ("AT&amp;T"); a plain text title reads as it was written.
  const title = childNamed(entry, 'title');
  title.attributes = { type: 'text' };
  setText(title, source.title);
  setText(childNamed(entry, 'id'), source.id);
  // As `feed` writes them: the entry's last change, and its publication.
  setTexts(entry, 'updated', [source.updated.toISOString()]);
  setTexts(entry, 'published', [source.published.toISOString()]);
  childNamed(entry, 'link').attributes.href = entryUrl(siteUrl, source);
  setTexts(entry, 'summary', [escapeHtml(source.summary)], 'cdata');
  setTexts(entry, 'content', [source.contentHtml], 'cdata');
  setAtomPeople(entry, source.authors);
  childrenNamed(entry, 'category').forEach((category, index) => {
    category.attributes.term = source.categories[index] ?? '';
  });
  // `feed` guesses an enclosure's type from its file name and has no place for an image.
  const links = source.enclosures.map((enclosure) => element('link', { rel: 'enclosure', href: enclosure.url, type: enclosure.type, length: enclosure.length ? String(enclosure.length) : undefined }));
  const image = source.image ? [element('media:thumbnail', { url: source.image })] : [];
  insertAfter(entry, childNamed(entry, 'id'), [...links, ...image]);
}

function setAtomPeople(parent: XmlElement, people: readonly Person[]): void {
  childrenNamed(parent, 'author').forEach((author, index) => {
    const person = people[index];
    if (!person) return;
    setTexts(author, 'name', [person.name]);
    if (person.email) setTexts(author, 'email', [person.email]);
    if (person.url) setTexts(author, 'uri', [person.url]);
  });
}

function hasImages(document: FeedDocument): boolean {
  return document.entries.some((entry) => entry.image !== undefined);
}

/**
 * An RFC 5005 archive document: Atom, marked fh:archive, linking to the current feed and to the
 * archive pages before and after it.
 */
export function renderArchiveAtom(document: FeedDocument, links: { current: string; prevArchive?: string; nextArchive?: string }): string {
  const tree = atomTree(document);
  addFeedLinks(tree, {
    current: links.current,
    ...(links.prevArchive ? { 'prev-archive': links.prevArchive } : {}),
    ...(links.nextArchive ? { 'next-archive': links.nextArchive } : {}),
  });
  addAttributesAfterFirst(tree.root, { 'xmlns:fh': FEED_HISTORY });
  insertBefore(tree.root, childNamed(tree.root, 'generator'), [element('fh:archive')]);
  return writeXmlTree(tree);
}

/** Adds feed-level links after the self link, which `feed` always writes for these documents. */
function addFeedLinks(tree: XmlDocument, links: Record<string, string>): void {
  const self = childrenNamed(tree.root, 'link').find((link) => link.attributes.rel === 'self');
  if (!self) throw new Error('render: an Atom feed without its self link');
  insertAfter(tree.root, self, Object.entries(links).map(([rel, href]) => element('link', { rel, href })));
}

/** The channel's title and description (RSS <description>, Atom <subtitle>). */
function setChannelTexts(channel: XmlElement, document: FeedDocument, descriptionName: string): void {
  setText(childNamed(channel, 'title'), document.config.title);
  setTexts(channel, descriptionName, [document.config.description ?? document.site.description]);
}

function channelOptions(document: FeedDocument): FeedOptions {
  const { config, site } = document;
  return {
    id: document.id,
    title: standIn(config.title),
    description: standIn(config.description ?? site.description),
    link: document.homeUrl,
    stylesheet: document.stylesheetHref,
    ...(site.hub ? { hub: site.hub } : {}),
    ...(site.language ? { language: site.language } : {}),
    updated: feedUpdated(document),
    generator: GENERATOR,
  };
}

/**
 * What `feed` is given of an entry. Its texts, ids and URLs are the tree's to set: `feed` rewrites
 * URLs through `new URL` (which throws on some ids and changes others) and its writer gets some
 * texts wrong ("]]>" twice in CDATA leaves a raw "&" after the section, say), so it is handed words
 * it cannot get wrong. An empty text stays empty, so that `feed` leaves out the same elements it
 * would for the text itself. The property tests read every value back, so a stand-in left in the
 * tree would fail them.
 */
function itemBase(entry: StoredEntry): Item {
  return {
    id: STAND_IN_URL,
    title: standIn(entry.title),
    link: STAND_IN_URL,
    date: entry.updated,
    published: entry.published,
    description: standIn(entry.summary),
    content: standIn(entry.contentHtml),
  };
}

const STAND_IN_TEXT = 'text';
const STAND_IN_URL = 'https://stand-in.invalid/';

function standIn(text: string): string {
  return xmlSafe(text) === '' ? '' : STAND_IN_TEXT;
}

function atomPerson(person: Person) {
  return {
    name: standIn(person.name),
    ...(person.email ? { email: standIn(person.email) } : {}),
    ...(person.url ? { link: STAND_IN_URL } : {}),
  };
}
