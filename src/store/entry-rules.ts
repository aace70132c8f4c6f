// The entry rules, once for every backend: given an entry read now and its stored row (if any),
// what the store writes and how the pass counts it. Pure: the backends only read rows and write
// what this decides.
import type { EntryCounts } from './store.js';

/** What the rules need of a stored row. */
export interface StoredDates {
  published_ms: number;
  updated_ms: number;
  captured_ms: number;
  first_seen_ms: number;
  content_hash: string;
}

/** What the rules need of the entry read now. */
export interface ReadEntry {
  publishedMs: number;
  capturedMs: number;
  /** The stored hash is this entry's (the same text, in any form the store has hashed it). */
  sameText: (storedHash: string) => boolean;
  contentHash: string;
}

export type EntryWrite =
  /** The whole row, with these dates. */
  | { kind: 'insert' | 'replace'; publishedMs: number; updatedMs: number; firstSeenMs: number }
  /** Only the capture time and the hash: the same text from a newer capture. */
  | { kind: 'touch' }
  | { kind: 'none' };

export interface EntryDecision {
  count: keyof EntryCounts;
  write: EntryWrite;
}

/**
 * - New: stored with the date its source gives; `updated` is that date too.
 * - Met again in the pass that first stored it, from a newer capture: still new, with the dates
 *   of the version met first and the text of the newer one.
 * - From a capture older than the stored one: nothing changes.
 * - Its published date is the earliest its source has given: an undated lead is dated by its
 *   first capture, and later captures do not move it. When the source gives an earlier date than
 *   the stored one (an earlier version moved dates that collided by whole seconds; a feed
 *   corrected an item), the source's date is kept, and the entry counts as updated.
 * - Edited: `updated` is when the edit was captured, or its own date if later, and never before
 *   the `updated` it had. Entries edited by one capture share its time.
 * - Same text from a newer capture: only the capture is remembered, so an older one cannot win.
 * Dates are never moved to make them distinct: entries at one minute share it.
 */
export function decideEntry(entry: ReadEntry, stored: StoredDates | undefined, pass: { nowMs: number; storedThisPass: boolean }): EntryDecision {
  const { capturedMs } = entry;
  if (!stored) return { count: 'new', write: { kind: 'insert', publishedMs: entry.publishedMs, updatedMs: entry.publishedMs, firstSeenMs: pass.nowMs } };
  const replace = (publishedMs: number, updatedMs: number): EntryWrite => ({ kind: 'replace', publishedMs, updatedMs, firstSeenMs: stored.first_seen_ms });
  if (pass.storedThisPass && stored.first_seen_ms === pass.nowMs) return { count: 'new', write: replace(stored.published_ms, stored.updated_ms) };
  if (capturedMs < stored.captured_ms) return { count: 'unchanged', write: { kind: 'none' } };
  const publishedMs = Math.min(stored.published_ms, entry.publishedMs);
  if (!entry.sameText(stored.content_hash)) return { count: 'updated', write: replace(publishedMs, Math.max(stored.updated_ms, capturedMs, entry.publishedMs)) };
  if (publishedMs !== stored.published_ms) {
    const neverEdited = stored.updated_ms === stored.published_ms;
    return { count: 'updated', write: replace(publishedMs, neverEdited ? publishedMs : stored.updated_ms) };
  }
  if (capturedMs === stored.captured_ms && stored.content_hash === entry.contentHash) return { count: 'unchanged', write: { kind: 'none' } };
  return { count: 'unchanged', write: { kind: 'touch' } };
}
