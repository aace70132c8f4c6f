// The entry rules on their own: what a stored row and an entry read now come to, with no store.
import { describe, expect, it } from 'vitest';
import { decideEntry, type ReadEntry, type StoredDates } from '../src/store/entry-rules.js';

const NINE = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;
const NOW = NINE + 120 * MINUTE;

function read(publishedMs: number, capturedMs: number, text = 'same'): ReadEntry {
  return { publishedMs, capturedMs, contentHash: `p:${text}`, sameText: (stored) => stored === `p:${text}` };
}

function stored(fields: Partial<StoredDates> = {}): StoredDates {
  return { published_ms: NINE, updated_ms: NINE, captured_ms: NINE + 10 * MINUTE, first_seen_ms: NINE + 10 * MINUTE, content_hash: 'p:same', ...fields };
}

const later = { nowMs: NOW, storedThisPass: false };

describe('entry rules', () => {
  it('stores a new entry with its source date as published and updated', () => {
    expect(decideEntry(read(NINE, NINE + MINUTE), undefined, later)).toEqual({ count: 'new', write: { kind: 'insert', publishedMs: NINE, updatedMs: NINE, firstSeenMs: NOW } });
  });

  it('ignores a capture older than the stored one, whatever it says', () => {
    expect(decideEntry(read(NINE - MINUTE, NINE, 'older text'), stored(), later)).toEqual({ count: 'unchanged', write: { kind: 'none' } });
  });

  it('dates an edit by its capture, never before the updated date it had', () => {
    const edit = decideEntry(read(NINE, NINE + 60 * MINUTE, 'edited'), stored(), later);
    expect(edit).toEqual({ count: 'updated', write: { kind: 'replace', publishedMs: NINE, updatedMs: NINE + 60 * MINUTE, firstSeenMs: NINE + 10 * MINUTE } });
    const ahead = decideEntry(read(NINE, NINE + 60 * MINUTE, 'edited'), stored({ updated_ms: NINE + 90 * MINUTE }), later);
    expect(ahead.write).toMatchObject({ updatedMs: NINE + 90 * MINUTE });
  });

  it('keeps the first date of an entry its source dates by each capture (an undated lead)', () => {
    expect(decideEntry(read(NINE + 60 * MINUTE, NINE + 60 * MINUTE), stored(), later)).toEqual({ count: 'unchanged', write: { kind: 'touch' } });
    expect(decideEntry(read(NINE + 60 * MINUTE, NINE + 60 * MINUTE, 'edited'), stored(), later).write).toMatchObject({ publishedMs: NINE });
  });

  it('takes back an earlier date the source gives, such as one an earlier version moved by seconds', () => {
    const moved = stored({ published_ms: NINE + 2000, updated_ms: NINE + 2000 });
    expect(decideEntry(read(NINE, NINE + 60 * MINUTE), moved, later)).toEqual({ count: 'updated', write: { kind: 'replace', publishedMs: NINE, updatedMs: NINE, firstSeenMs: NINE + 10 * MINUTE } });
    // An entry edited since keeps its edit's date.
    const edited = stored({ published_ms: NINE + 2000, updated_ms: NINE + 30 * MINUTE });
    expect(decideEntry(read(NINE, NINE + 60 * MINUTE), edited, later).write).toMatchObject({ publishedMs: NINE, updatedMs: NINE + 30 * MINUTE });
  });

  it('only remembers a newer capture of the same text, and nothing for the same capture', () => {
    expect(decideEntry(read(NINE, NINE + 60 * MINUTE), stored(), later)).toEqual({ count: 'unchanged', write: { kind: 'touch' } });
    expect(decideEntry(read(NINE, NINE + 10 * MINUTE), stored(), later)).toEqual({ count: 'unchanged', write: { kind: 'none' } });
  });

  it('keeps an entry new, with the dates met first, when the pass that stored it meets a newer capture', () => {
    const first = stored({ first_seen_ms: NOW });
    expect(decideEntry(read(NINE + 5 * MINUTE, NINE + 20 * MINUTE, 'newer'), first, { nowMs: NOW, storedThisPass: true })).toEqual({
      count: 'new',
      write: { kind: 'replace', publishedMs: NINE, updatedMs: NINE, firstSeenMs: NOW },
    });
  });
});
