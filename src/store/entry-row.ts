// An entry as a database row: the fields a reader sees serialized once (stored as is, and hashed
// to tell an edit from a repeat), dates as epoch milliseconds, and the way back to a StoredEntry.
// The PostgreSQL store keeps entries in this shape, the one the SQLite store has always written.
import { createHash } from 'node:crypto';
import type { Entry, EntryKind, StoredEntry } from '../model.js';

/** The fields a reader sees; `updated` moves only when these change. */
export type EntryBody = Omit<Entry, 'id' | 'kind' | 'source' | 'published' | 'capturedAt' | 'link' | 'pageUrl'>;

export interface EntryRow {
  id: string;
  link: string;
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

export function contentHashOf(body: string): string {
  return createHash('sha1').update(body).digest('base64url');
}

/** Categories as feeds filter them: any case in the config matches any case in the source. */
export function filterCategories(entry: Entry): string[] {
  return entry.categories.map((category) => category.toLowerCase());
}

export function storedEntry(row: EntryRow): StoredEntry {
  const body = JSON.parse(row.body) as EntryBody;
  return {
    ...body,
    link: row.link,
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
