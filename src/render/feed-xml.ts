// FeedDocument -> RSS 2.0 and Atom 1.0 text, through the `feed` package. Pure: every date
// comes from the entries, so the same entries always give the same bytes.
import { Feed, type FeedOptions, type Item } from 'feed';
import type { FeedDocument, Person, StoredEntry } from '../model.js';
import { escapeHtml } from '../normalize/text.js';
import { asAtomTitle, asAttribute, asCdata, asText, atomTextTitles, finishXml } from './xml-guard.js';

export const GENERATOR = 'feedloom';

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
    feed.addItem({
      ...itemBase(entry),
      // RSS titles are plain text; Atom ones below are declared HTML and escaped as such.
      title: asCdata(entry.title),
      ...(entry.category ? { category: [{ name: asText(entry.category) }] } : {}),
      // RSS <author> must be an e-mail address; dc:creator takes a name.
      ...(entry.author ? { extensions: [{ name: 'dc:creator', objects: { _text: asText(entry.author.name) } }] } : {}),
    });
  }
  return finishXml(feed.rss2());
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
      ...(entry.category ? { category: [{ term: asAttribute(entry.category) }] } : {}),
      ...(entry.author ? { author: [atomPerson(entry.author)] } : {}),
    });
  }
  return finishXml(atomTextTitles(feed.atom1()));
}

function channelOptions(document: FeedDocument): FeedOptions {
  const { config, site } = document;
  const description = config.description ?? site.description;
  return {
    id: document.id,
    title: asText(config.title),
    description: asText(description),
    link: document.homeUrl,
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
