// What reading one kind of source yields, so a pass can add the kinds up.
import type { SourceRecord } from '../store/store.js';

export interface SourceFailure {
  source: string;
  reason: string;
}

export interface ReadResult {
  records: SourceRecord[];
  failures: SourceFailure[];
  /** Sources read and normalized this pass. */
  ok: number;
  /** Sources known unchanged (same file, same document, 304, or not due yet). */
  unchanged: number;
  unchangedEntries: number;
}

export function emptyReadResult(): ReadResult {
  return { records: [], failures: [], ok: 0, unchanged: 0, unchangedEntries: 0 };
}

export function mergeReadResults(results: ReadResult[]): ReadResult {
  const merged = emptyReadResult();
  for (const result of results) {
    merged.records.push(...result.records);
    merged.failures.push(...result.failures);
    merged.ok += result.ok;
    merged.unchanged += result.unchanged;
    merged.unchangedEntries += result.unchangedEntries;
  }
  return merged;
}
