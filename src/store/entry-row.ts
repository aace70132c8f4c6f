// Rows as both stores keep them. An entry: the fields a reader sees kept as entry-body.ts packs
// them, the hash of what a reader sees (to tell an edit from a repeat), dates as epoch
// milliseconds, and the way back to a StoredEntry. A source: its record's fields. A pass: its
// counts. The PostgreSQL store keeps the rows the SQLite store keeps.
import { hash } from 'node:crypto';
import type { Entry, EntryKind, StoredEntry } from '../model.js';
import { type EntryBody, packBody, unpackBody } from './entry-body.js';
import type { ReadEntry } from './entry-rules.js';
import type { PassRecord, SourceRecord } from './store.js';

export interface EntryRow {
  id: string;
  /** The entry's own page; NULL when it has none (it is published with a page under out/). */
  link: string | null;
  page_url: string | null;
  source: string;
  kind: EntryKind;
  published_ms: number;
  updated_ms: number;
  first_seen_ms: number;
  captured_ms: number;
  content_hash: string;
  body: string;
}

/**
 * What a reader sees of an entry, and what its hash covers. Links live in their own columns:
 * they are kept from the first sighting, since a brief seen on another page is not an edit.
 */
export function entryBody(entry: Entry): EntryBody {
  const { id: _id, kind: _kind, source: _source, published: _published, capturedAt: _capturedAt, link: _link, pageUrl: _pageUrl, ...body } = entry;
  return body;
}

/**
 * An entry as the stores take it: its row but for the dates the entry rules settle, with what a
 * reader sees of it packed (entry-body.ts) and the hash that tells an edit from a repeat. It is
 * made where the entry was read (on a parse thread, for captured pages), so the thread that
 * writes every batch only looks up and writes; its fields are plain, so it crosses threads cheaply.
 * The packed form gives back the whole body exactly, so its hash covers everything a reader sees,
 * and it is a third the size of the body to hash.
 */
export interface StorableEntry {
  id: string;
  source: string;
  kind: EntryKind;
  /** Lower-case categories as JSON text, for feed filters. */
  categories: string;
  link: string | null;
  pageUrl: string | null;
  publishedMs: number;
  capturedMs: number;
  contentHash: string;
  /** What a reader sees, packed. */
  body: string;
}

/** Hashes of packed bodies carry this prefix; earlier versions hashed the whole body as JSON. */
const PACKED_HASH_PREFIX = 'p:';

export function storableEntry(entry: Entry): StorableEntry {
  const body = packBody(entryBody(entry));
  return {
    id: entry.id,
    source: entry.source,
    kind: entry.kind,
    categories: JSON.stringify(filterCategories(entry)),
    link: entry.link ?? null,
    pageUrl: entry.pageUrl ?? null,
    publishedMs: entry.published.getTime(),
    capturedMs: entry.capturedAt.getTime(),
    contentHash: PACKED_HASH_PREFIX + hash('sha1', body, 'base64url'),
    body,
  };
}

/**
 * Whether a stored hash is this entry's: the same packed body, or, for a row an earlier version
 * stored, the same whole body. An upgrade never marks an unedited entry as updated.
 */
export function sameContent(storedHash: string, entry: StorableEntry): boolean {
  if (storedHash === entry.contentHash) return true;
  return !storedHash.startsWith(PACKED_HASH_PREFIX) && storedHash === hash('sha1', JSON.stringify(unpackBody(entry.body)), 'base64url');
}

/** Categories as feeds filter them: any case in the config matches any case in the source. */
export function filterCategories(entry: Entry): string[] {
  return entry.categories.map((category) => category.toLowerCase());
}

/** An entry's row as both stores write it: its columns, with the dates the entry rules settled. */
export interface WrittenEntryRow extends EntryRow {
  /** Lower-case categories as JSON text, for feed filters. */
  categories: string;
}

/** Every column of the entries table, in the order both stores write them. */
export const ENTRY_COLUMNS = ['id', 'source', 'kind', 'categories', 'link', 'page_url', 'published_ms', 'updated_ms', 'first_seen_ms', 'captured_ms', 'content_hash', 'body'] as const satisfies readonly (keyof WrittenEntryRow)[];
/** What rewriting a row sets: everything but its id and when it was first seen. */
export const REPLACED_COLUMNS = ENTRY_COLUMNS.filter((column) => column !== 'id' && column !== 'first_seen_ms');

export function writtenRow(entry: StorableEntry, dates: { publishedMs: number; updatedMs: number; firstSeenMs: number }): WrittenEntryRow {
  return {
    id: entry.id,
    source: entry.source,
    kind: entry.kind,
    categories: entry.categories,
    link: entry.link,
    page_url: entry.pageUrl,
    published_ms: dates.publishedMs,
    updated_ms: dates.updatedMs,
    first_seen_ms: dates.firstSeenMs,
    captured_ms: entry.capturedMs,
    content_hash: entry.contentHash,
    body: entry.body,
  };
}

/** What the entry rules (entry-rules.ts) need of an entry read now. */
export function readEntry(entry: StorableEntry): ReadEntry {
  return { publishedMs: entry.publishedMs, capturedMs: entry.capturedMs, contentHash: entry.contentHash, sameText: (storedHash) => sameContent(storedHash, entry) };
}

export function storedEntry(row: EntryRow): StoredEntry {
  return {
    ...unpackBody(row.body),
    ...(row.link !== null ? { link: row.link } : {}),
    ...(row.page_url ? { pageUrl: row.page_url } : {}),
    id: row.id,
    kind: row.kind,
    source: row.source,
    published: new Date(row.published_ms),
    capturedAt: new Date(row.captured_ms),
    updated: new Date(row.updated_ms),
    firstSeen: new Date(row.first_seen_ms),
    contentHash: row.content_hash,
  };
}

/** What a source column holds: text, a small count, a whole number (epoch ms, bytes), or a fractional one (file mtimes). */
export type SourceColumnHolds = 'text' | 'count' | 'whole number' | 'fractional number';

/** SourceRecord fields, their columns and what each holds, in the order both stores use them; the key first. */
export const SOURCE_COLUMNS: readonly (readonly [field: keyof SourceRecord, column: string, holds: SourceColumnHolds])[] = [
  ['source', 'source', 'text'],
  ['kind', 'kind', 'text'],
  ['url', 'url', 'text'],
  ['size', 'size', 'whole number'],
  ['mtimeMs', 'mtime_ms', 'fractional number'],
  ['bytesHash', 'bytes_hash', 'text'],
  ['fingerprint', 'fingerprint', 'text'],
  ['status', 'status', 'text'],
  ['error', 'error', 'text'],
  ['entries', 'entries', 'count'],
  ['lastAttemptMs', 'last_attempt_ms', 'whole number'],
  ['lastSuccessMs', 'last_success_ms', 'whole number'],
  ['etag', 'etag', 'text'],
  ['lastModified', 'last_modified', 'text'],
  ['failures', 'failures', 'count'],
  ['nextAttemptMs', 'next_attempt_ms', 'whole number'],
  ['briefs', 'briefs', 'count'],
  ['briefLists', 'brief_lists', 'text'],
  ['degradedFrom', 'degraded_from', 'count'],
];

/** A row of the passes table (numbers however the driver gives them) as a PassRecord. */
export function passRecordFrom(row: Record<string, number | string>): PassRecord & { id: number } {
  return {
    id: Number(row.id),
    startedMs: Number(row.started_ms),
    durationMs: Number(row.duration_ms),
    sourcesOk: Number(row.sources_ok),
    sourcesFailed: Number(row.sources_failed),
    sourcesUnchanged: Number(row.sources_unchanged),
    entriesNew: Number(row.entries_new),
    entriesUpdated: Number(row.entries_updated),
    entriesUnchanged: Number(row.entries_unchanged),
    filesWritten: Number(row.files_written),
    filesUnchanged: Number(row.files_unchanged),
  };
}
