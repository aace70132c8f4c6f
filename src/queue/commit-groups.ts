// A worker's source jobs commit together. While one group's commit is being written, the jobs
// that finish reading wait, and the next commit takes them all: one transaction for their
// entries, one statement for their sources' records, one publish-due mark, however many jobs run
// at once. A group that could still grow (other jobs of the worker are still reading) waits a
// moment for them (LINGER_MS) before it is written; one that cannot is written at once. So a
// worker running 16 jobs writes to the state about as often as one pass that reads 16 sources
// at a time, not 16 times as often.
import type { StorableEntry } from '../store/entry-row.js';
import type { SourceRecord, Store } from '../store/store.js';
import { type Committed, PassCommit } from '../worker/commit-pass.js';
import { mergeReadResults } from '../worker/read-result.js';
import type { SourcesRead } from '../worker/read-sources.js';

/** What one job read, held until its group commits. */
export interface JobRead {
  read: SourcesRead;
  entries: StorableEntry[];
  startedMs: number;
}

/** One group's commit: every job of it is resolved with the same. */
export interface GroupCommitted {
  read: SourcesRead;
  committed: Committed;
  /** When the group's first job started. */
  startedMs: number;
  jobs: number;
}

interface Waiting {
  job: JobRead;
  resolve: (group: GroupCommitted) => void;
  reject: (error: unknown) => void;
}

/**
 * How long a group that could still grow waits for the worker's other jobs: a few of them finish
 * reading in that time, and each commit saved is a dozen round trips to the state saved. Small
 * beside a job's life (a request, its parse, its commit), which other jobs overlap anyway.
 */
export const LINGER_MS = 40;

export class CommitGroups {
  private waiting: Waiting[] = [];
  private writing = false;
  private lingering: NodeJS.Timeout | undefined;

  /**
   * `afterCommit` runs once per group, after its commit and before its jobs are resolved (the
   * round's tally, the publish request): a job is done only when what follows its commit is.
   * `jobsRunning`: the worker's jobs not done yet, these waiting to commit included; without it,
   * every group is written at once.
   */
  constructor(
    private readonly store: Store,
    private readonly afterCommit: (group: GroupCommitted) => Promise<void>,
    private readonly jobsRunning: () => number = () => 0,
  ) {}

  /** Resolves once the job's group is committed; rejects, for every job of it, if that failed. */
  commit(job: JobRead): Promise<GroupCommitted> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      if (!this.writing) this.writeSoon();
    });
  }

  /** Writes the group now if no other job could join it, else once LINGER_MS has passed. */
  private writeSoon(): void {
    const stillReading = this.jobsRunning() - this.waiting.length;
    if (stillReading <= 0) {
      clearTimeout(this.lingering);
      this.lingering = undefined;
      void this.drain();
    } else {
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        void this.drain();
      }, LINGER_MS);
    }
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0);
      try {
        const committed = await this.write(group.map((waiting) => waiting.job));
        for (const waiting of group) waiting.resolve(committed);
      } catch (error) {
        for (const waiting of group) waiting.reject(error);
      }
    }
    this.writing = false;
  }

  private async write(jobs: readonly JobRead[]): Promise<GroupCommitted> {
    const startedMs = Math.min(...jobs.map((job) => job.startedMs));
    const commit = new PassCommit(this.store, startedMs);
    for (const job of jobs) await commit.add(job.entries);
    const read = mergedRead(jobs.map((job) => job.read));
    const group = { read, committed: await commit.finish(read), startedMs, jobs: jobs.length };
    await this.afterCommit(group);
    return group;
  }
}

/** The jobs' reads as one unit's: their records, failures and counts, and the records they were judged by. */
function mergedRead(reads: readonly SourcesRead[]): SourcesRead {
  const known = new Map<string, SourceRecord>();
  let anyKnown = false;
  for (const read of reads) {
    if (!read.known) continue;
    anyKnown = true;
    for (const [id, record] of read.known) known.set(id, record);
  }
  return { ...mergeReadResults([...reads]), ...(anyKnown ? { known } : {}) };
}
