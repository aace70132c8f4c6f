// JSON Feed 1.0 / 1.1 text -> RawFeed, checked against the spec's shape: a document that is not
// a JSON Feed is refused whole; an item that breaks the rules is skipped and named.
import { SourceError } from '../errors.js';
import type { Enclosure, Person, RawFeed, RawItem } from '../model.js';
import { escapeText } from '../shared/escape.js';

const VERSIONS = new Set(['https://jsonfeed.org/version/1', 'https://jsonfeed.org/version/1.1']);

type Json = Record<string, unknown>;

export function parseJsonFeed(text: string, source: string): RawFeed {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new SourceError('ingest', source, `JSON Feed is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const fail = (reason: string): never => {
    throw new SourceError('ingest', source, `not a JSON Feed: ${reason}`);
  };
  if (!isObject(document)) return fail('the top level is not an object');
  if (typeof document.version !== 'string' || !VERSIONS.has(document.version)) return fail(`unknown version ${JSON.stringify(document.version)}`);
  if (!Array.isArray(document.items)) return fail('"items" is not a list');
  const items: RawItem[] = [];
  const skipped: string[] = [];
  document.items.forEach((value, index) => {
    const problem = itemProblem(value);
    if (problem) skipped.push(`item ${index + 1}: ${problem}`);
    else items.push(adaptItem(value as Json));
  });
  return {
    format: 'json',
    ...optionalString('title', document.title),
    ...optionalString('link', document.home_page_url),
    ...optionalString('language', document.language),
    items,
    skipped,
  };
}

function itemProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not an object';
  if (typeof value.id !== 'string' && typeof value.id !== 'number') return '"id" is missing';
  if (String(value.id).trim() === '') return '"id" is empty';
  if (typeof value.content_html !== 'string' && typeof value.content_text !== 'string') return 'has neither "content_html" nor "content_text"';
  for (const key of ['url', 'external_url', 'title', 'summary', 'image', 'date_published', 'date_modified', 'language']) {
    if (value[key] !== undefined && typeof value[key] !== 'string') return `"${key}" is not a string`;
  }
  if (value.tags !== undefined && !Array.isArray(value.tags)) return '"tags" is not a list';
  if (value.attachments !== undefined && !Array.isArray(value.attachments)) return '"attachments" is not a list';
  return undefined;
}

function adaptItem(item: Json): RawItem {
  // 1.1 has "authors"; 1.0 had a single "author".
  const people = Array.isArray(item.authors) ? item.authors : item.author !== undefined ? [item.author] : [];
  return {
    guid: String(item.id).trim(),
    ...optionalString('link', item.url ?? item.external_url),
    // JSON Feed titles are plain text.
    ...optionalString('title', item.title),
    ...(typeof item.title === 'string' ? { titleIsText: true as const } : {}),
    // JSON Feed summaries are plain text; RawItem holds HTML.
    ...optionalString('summaryHtml', typeof item.summary === 'string' ? escapeText(item.summary) : undefined),
    ...optionalString('contentHtml', item.content_html),
    ...optionalString('contentText', item.content_text),
    authors: people.map(person).filter((value): value is Person => value !== undefined),
    categories: (Array.isArray(item.tags) ? item.tags : []).filter((tag): tag is string => typeof tag === 'string' && tag.trim() !== ''),
    ...optionalString('published', item.date_published),
    ...optionalString('updated', item.date_modified),
    enclosures: (Array.isArray(item.attachments) ? item.attachments : []).map(attachment).filter((value): value is Enclosure => value !== undefined),
    ...optionalString('image', item.image ?? item.banner_image),
    ...optionalString('language', item.language),
  };
}

function person(value: unknown): Person | undefined {
  if (!isObject(value) || typeof value.name !== 'string' || value.name.trim() === '') return undefined;
  return { name: value.name.trim(), ...(typeof value.url === 'string' ? { url: value.url } : {}) };
}

function attachment(value: unknown): Enclosure | undefined {
  if (!isObject(value) || typeof value.url !== 'string') return undefined;
  const length = Number(value.size_in_bytes);
  return {
    url: value.url,
    ...(typeof value.mime_type === 'string' ? { type: value.mime_type } : {}),
    ...(Number.isFinite(length) && length > 0 ? { length } : {}),
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  return (typeof value === 'string' && value.trim() !== '' ? { [key]: value } : {}) as { [P in K]?: string };
}
