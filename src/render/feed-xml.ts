// FeedDocument -> RSS 2.0 and Atom 1.0 text, through the `feed` package. Pure: every date
// comes from the entries, so the same entries always give the same bytes.
import { Feed, type Extension, type FeedOptions, type Item } from 'feed';
import type { Enclosure, FeedDocument, Person, StoredEntry } from '../model.js';
import { escapeHtml, escapeText } from '../shared/escape.js';
import { asAtomTitle, asAttribute, asCdata, asText, atomTextTitles, finishXml } from './xml-guard.js';

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
  const feed = new Feed({
    ...channelOptions(document),
    feedLinks: { rss: document.rssUrl },
  });
  for (const entry of document.entries) {
    // An id that is the entry's own link is a permalink: `feed` marks a guid isPermaLink="true"
    // only when it is given the link alone.
    const { id, ...base } = itemBase(entry);
    feed.addItem({
      ...(id === entry.link ? base : { id, ...base }),
      // RSS titles are plain text; Atom ones below are escaped and become type="text" (asAtomTitle).
      title: asCdata(entry.title),
      category: entry.categories.map((category) => ({ name: asText(category) })),
      // RSS <author> must be an e-mail address; dc:creator takes a name.
      extensions: rssExtensions(entry),
      // RSS allows one enclosure per item.
      ...(entry.enclosures[0] ? { enclosure: rssEnclosure(entry.enclosures[0]) } : {}),
    });
  }
  // `feed` declares the dc namespace only when some item has content, and never media's.
  let rss = feed.rss2();
  if (!rss.includes('xmlns:dc=')) rss = rss.replace('<rss version="2.0"', `<rss version="2.0" xmlns:dc="${DUBLIN_CORE}"`);
  if (hasImages(document)) rss = rss.replace('<rss version="2.0"', `<rss version="2.0" xmlns:media="${MEDIA_RSS}"`);
  if (document.prevArchiveUrl) {
    rss = rss.replace(/(<atom:link href="[^"]*" rel="self"[^>]*\/>)/, `$1\n        <atom:link href="${escapeHtml(document.prevArchiveUrl)}" rel="prev-archive"/>`);
  }
  return finishXml(rss);
}

export function renderAtom(document: FeedDocument): string {
  const feed = new Feed({
    ...channelOptions(document),
    feedLinks: { atom: document.atomUrl },
    author: atomPerson(document.site.author),
  });
  for (const entry of document.entries) {
    feed.addItem({
      ...itemBase(entry),
      title: asAtomTitle(entry.title),
      category: entry.categories.map((category) => ({ term: asAttribute(category) })),
      ...(entry.authors.length > 0 ? { author: entry.authors.map(atomPerson) } : {}),
    });
  }
  let atom = atomEntryLinks(feed.atom1(), document.entries);
  if (document.prevArchiveUrl) atom = addAtomLinks(atom, { 'prev-archive': document.prevArchiveUrl });
  if (hasImages(document)) atom = atom.replace('<feed xmlns="http://www.w3.org/2005/Atom"', `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="${MEDIA_RSS}"`);
  return finishXml(atomTextTitles(atom));
}

/** dc:creator for each author (RSS <author> must be an e-mail address), media:thumbnail for the image. */
function rssExtensions(entry: StoredEntry): Extension[] {
  const extensions: Extension[] = [];
  if (entry.authors.length > 0) {
    extensions.push({ name: 'dc:creator', objects: entry.authors.map((person) => ({ _text: asText(person.name) })) as unknown as Record<string, unknown> });
  }
  if (entry.image) extensions.push({ name: 'media:thumbnail', objects: { _attributes: { url: entry.image.replace(/&/g, '&amp;') } } });
  return extensions;
}

function rssEnclosure(enclosure: Enclosure) {
  return { url: enclosure.url, type: enclosure.type ?? 'application/octet-stream', length: enclosure.length ?? 0 };
}

/**
 * `feed` writes Atom enclosures with a type guessed from the file name and has no place for an
 * image, so both are written here, right after each entry's <id>, which holds no markup.
 */
function atomEntryLinks(xml: string, entries: readonly StoredEntry[]): string {
  let result = xml;
  for (const entry of entries) {
    if (entry.enclosures.length === 0 && !entry.image) continue;
    // As xml-js escapes the text of the <id> that `feed` writes: &, < and > only.
    const id = `<id>${escapeText(new URL(entry.id).href)}</id>`;
    const extra = entry.enclosures.map((enclosure) => {
      const type = enclosure.type ? ` type="${escapeHtml(enclosure.type)}"` : '';
      const length = enclosure.length ? ` length="${enclosure.length}"` : '';
      return `\n        <link rel="enclosure" href="${escapeHtml(enclosure.url)}"${type}${length}/>`;
    });
    if (entry.image) extra.push(`\n        <media:thumbnail url="${escapeHtml(entry.image)}"/>`);
    result = result.replace(id, `${id}${extra.join('')}`);
  }
  return result;
}

function hasImages(document: FeedDocument): boolean {
  return document.entries.some((entry) => entry.image !== undefined);
}


/**
 * An RFC 5005 archive document: Atom, marked fh:archive, linking to the current feed and to the
 * archive page before it.
 */
export function renderArchiveAtom(document: FeedDocument, links: { current: string; prevArchive?: string; nextArchive?: string }): string {
  const atom = renderAtom({ ...document, prevArchiveUrl: undefined });
  const linked = addAtomLinks(atom, {
    current: links.current,
    ...(links.prevArchive ? { 'prev-archive': links.prevArchive } : {}),
    ...(links.nextArchive ? { 'next-archive': links.nextArchive } : {}),
  });
  return linked
    .replace('<feed xmlns="http://www.w3.org/2005/Atom"', `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="${FEED_HISTORY}"`)
    .replace('<generator>', '<fh:archive/>\n    <generator>');
}

/** Adds feed-level links after the self link, which `feed` always writes for these documents. */
function addAtomLinks(atom: string, links: Record<string, string>): string {
  const extra = Object.entries(links).map(([rel, href]) => `\n    <link rel="${rel}" href="${escapeHtml(href)}"/>`).join('');
  return atom.replace(/(<link rel="self"[^>]*\/>)/, `$1${extra}`);
}

function channelOptions(document: FeedDocument): FeedOptions {
  const { config, site } = document;
  const description = config.description ?? site.description;
  return {
    id: document.id,
    title: asText(config.title),
    description: asText(description),
    link: document.homeUrl,
    stylesheet: document.stylesheetHref,
    ...(site.hub ? { hub: site.hub } : {}),
    ...(site.language ? { language: site.language } : {}),
    updated: feedUpdated(document),
    generator: GENERATOR,
  };
}

function itemBase(entry: StoredEntry): Omit<Item, 'title'> {
  return {
    id: entry.id,
    link: entry.link,
    date: entry.updated,
    published: entry.published,
    description: asCdata(escapeHtml(entry.summary)),
    content: asCdata(entry.contentHtml),
  };
}

function atomPerson(person: Person) {
  return {
    name: asText(person.name),
    ...(person.email ? { email: asText(person.email) } : {}),
    ...(person.url ? { link: person.url } : {}),
  };
}
