// What a pass (or, in the fleet, a round of jobs) did, as the state records it and the log says
// it: /healthz and /metrics read these records, so every mode writes one when it has published.
import type { Logger } from 'pino';
import { leaveCompressedForms } from '../publish/compressed-forms.js';
import type { PublishSiteResult } from '../publish/publish-site.js';
import { killPoint } from '../shared/kill-point.js';
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

/**
 * Records a publish, then leaves the compressed forms of the feed files it wrote. Readers have
 * the files by then; a server compresses any file whose forms are not there (a process killed
 * between the two, a forms folder that cannot be written) at its first request.
 */
export async function recordPublish(store: Store, record: PassRecord, published: PublishSiteResult, forms: { outDir: string; formsDir?: string | undefined }, logger: Logger): Promise<void> {
  await recordPass(store, record, logger);
  killPoint('recorded');
  if (forms.formsDir) leaveCompressedForms(forms.outDir, published.feedFilesWritten, forms.formsDir, logger);
}

async function recordPass(store: Store, record: PassRecord, logger: Logger): Promise<void> {
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
