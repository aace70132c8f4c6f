// What a pass (or, in the fleet, a round of jobs) did, as the state records it and the log says
// it: /healthz and /metrics read these records, so every mode writes one when it has published.
import type { Logger } from 'pino';
import type { PublishSiteResult } from '../publish/publish-site.js';
import type { PassRecord, Store } from '../store/store.js';
import type { Committed } from './commit-pass.js';
import type { ReadResult } from './read-result.js';

/** The counts of reading and committing: they add up over the jobs of a fleet round. */
export const READ_COUNT_FIELDS = ['sourcesOk', 'sourcesFailed', 'sourcesUnchanged', 'entriesNew', 'entriesUpdated', 'entriesUnchanged'] as const satisfies readonly (keyof PassRecord)[];

export type ReadCounts = Pick<PassRecord, (typeof READ_COUNT_FIELDS)[number]>;

export function readCounts(read: ReadResult, committed: Committed): ReadCounts {
  return {
    // Fine in total: read this time, or unchanged since the last time they were read.
    sourcesOk: read.ok + read.unchanged,
    sourcesFailed: read.failures.length,
    sourcesUnchanged: read.unchanged,
    entriesNew: committed.counts.new,
    entriesUpdated: committed.counts.updated,
    entriesUnchanged: committed.counts.unchanged + read.unchangedEntries,
  };
}

/** The record of a publish over what was read: only a publish writes files, so only it counts them. */
export function passRecord(counts: ReadCounts, published: PublishSiteResult, startedMs: number, durationMs: number): PassRecord {
  return {
    startedMs,
    ...counts,
    // A feed that could not be rendered fails the pass as a source does.
    sourcesFailed: counts.sourcesFailed + published.failed.length,
    filesWritten: published.written.length,
    filesUnchanged: published.unchangedCount,
    durationMs,
  };
}

export async function recordPass(store: Store, record: PassRecord, logger: Logger): Promise<void> {
  await store.recordPass(record);
  logger.info(
    {
      sources_ok: record.sourcesOk,
      sources_failed: record.sourcesFailed,
      sources_unchanged: record.sourcesUnchanged,
      entries_new: record.entriesNew,
      entries_updated: record.entriesUpdated,
      entries_unchanged: record.entriesUnchanged,
      files_written: record.filesWritten,
      files_unchanged: record.filesUnchanged,
      duration_ms: record.durationMs,
    },
    'pass finished',
  );
}
