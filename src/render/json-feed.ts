// FeedDocument -> JSON Feed 1.1 (https://jsonfeed.org/version/1.1). Written here because the
// `feed` package only writes version 1.0. Pure.
import type { Enclosure, FeedDocument, Person, StoredEntry } from '../model.js';
import { entryUrl } from '../layout.js';
import { xmlSafe } from './xml-text.js';

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

export function renderJsonFeed(document: FeedDocument): string {
  const { config, site } = document;
  const feed = {
    version: JSON_FEED_VERSION,
    title: config.title,
    home_page_url: document.homeUrl,
    feed_url: document.jsonUrl,
    description: config.description ?? site.description,
    ...(site.language ? { language: site.language } : {}),
    authors: [jsonAuthor(site.author)],
    ...(site.hub ? { hubs: [{ type: 'WebSub', url: site.hub }] } : {}),
    items: document.entries.map((entry) => jsonItem(entry, site.url)),
  };
  return `${JSON.stringify(feed, null, 2)}\n`;
}

function jsonItem(entry: StoredEntry, siteUrl: string) {
  return {
    id: entry.id,
    url: entryUrl(siteUrl, entry),
    title: xmlSafe(entry.title),
    summary: xmlSafe(entry.summary),
    content_html: xmlSafe(entry.contentHtml),
    content_text: xmlSafe(entry.contentText),
    date_published: rfc3339(entry.published),
    date_modified: rfc3339(entry.updated),
    ...(entry.image ? { image: entry.image } : {}),
    ...(entry.categories.length > 0 ? { tags: entry.categories.map(xmlSafe) } : {}),
    ...(entry.authors.length > 0 ? { authors: entry.authors.map(jsonAuthor) } : {}),
    ...(entry.enclosures.length > 0 ? { attachments: entry.enclosures.map(jsonAttachment) } : {}),
    ...(entry.language ? { language: entry.language } : {}),
  };
}

function jsonAttachment(enclosure: Enclosure) {
  return {
    url: enclosure.url,
    mime_type: enclosure.type ?? 'application/octet-stream',
    ...(enclosure.length ? { size_in_bytes: enclosure.length } : {}),
  };
}

function jsonAuthor(person: Person) {
  return { name: xmlSafe(person.name), ...(person.url ? { url: person.url } : {}) };
}

/** RFC 3339 in UTC, without milliseconds when there are none. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
