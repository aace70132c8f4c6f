// `feedloom worker`: takes source jobs off the queue and, one worker at a time across the fleet,
// publish jobs. Any number run, on any machine, against one Redis and one state. A killed worker
// loses nothing: its jobs go back to the queue once their locks expire, and BullMQ hands them to
// another worker. SIGTERM drains: active jobs finish first. Each job is a thin driver of the same
// use cases a single pass calls (src/worker/): read sources, commit, publish, record.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { loadRemoteSources } from '../config/remote-sources.js';
import { loadSiteConfig, type SiteConfigCache, type SiteOverrides } from '../config/site.js';
import { describeError, FeedloomError, LockError } from '../errors.js';
import { Fetcher } from '../ingest/fetch.js';
import type { SlotLimiter } from '../ingest/host-limiter.js';
import { listSourceFiles } from '../ingest/page-sources.js';
import type { SiteConfig } from '../model.js';
import type { SourceRecord, Store } from '../store/store.js';
import { userAgent } from '../version.js';
import { PassCommit } from '../worker/commit-pass.js';
import { settingsFingerprint } from '../worker/pass.js';
import { withStateIdentity } from '../worker/site-settings.js';
import { passRecord, readCounts, recordPass } from '../worker/pass-record.js';
import { publishPass } from '../worker/publish-pass.js';
import { readSources, type SourcesToRead } from '../worker/read-sources.js';
import { connectRedis, logErrors, PAGES_JOB, PUBLISH_JOB, PUBLISH_QUEUE, type QueueLocation, SOURCE_JOB, type SourceJobData, SOURCES_QUEUE } from './connection.js';
import { RedisHostSlots } from './host-slots.js';
import { countJob, countSourceFailures } from './queue-metrics.js';
import { addToRound, peekRound, restoreRound, takeRound } from './round-tally.js';

/** A killed worker's request slots free up this long after it died, at most. */
const SLOT_LEASE_MS = 6_000;
/**
 * A round whose source jobs never all finish (a fleet never idle) is published after this long
 * anyway, without new archive pages: feeds must not wait for ever, archives may.
 */
const UNSETTLED_PUBLISH_AFTER_MS = 5 * 60_000;

export interface WorkerOptions {
  queue: QueueLocation;
  store: Store;
  sourcesDir: string;
  outDir: string;
  overrides?: SiteOverrides;
  /** Source jobs this worker runs at once. */
  concurrency: number;
  /** How long a job's lock lasts without renewal; a killed worker's jobs wait this long. */
  lockMs: number;
  /** A change is published this long after it is stored, so a burst of changes is one publish. */
  publishDelayMs: number;
  formsDir?: string;
  logger: Logger;
}

export interface RunningWorker {
  /** Finishes the active jobs, then disconnects. */
  close(): Promise<void>;
}

/** A job's id in log lines: unique across both queues. */
export function jobLogId(job: Pick<Job, 'name' | 'id'>): string {
  return `${job.name}:${job.id ?? '?'}`;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { logger, store } = options;
  const connection = connectRedis(options.queue, logger);
  const prefix = options.queue.prefix;
  const publishQueue = new Queue(PUBLISH_QUEUE, { connection, prefix });
  const sourcesQueue = new Queue(SOURCES_QUEUE, { connection, prefix });
  logErrors(publishQueue, 'publish queue', logger);
  logErrors(sourcesQueue, 'sources queue', logger);
  // Only one publish job runs at a time in the whole fleet: two never write the same file.
  await publishQueue.setGlobalConcurrency(1);
  const settings = new SettingsReader(options.sourcesDir, options.overrides);
  const fetchers = new FetcherForSettings((site) => new RedisHostSlots({ redis: connection, prefix, perHost: site.fetch.perHost, overall: site.fetch.overall, leaseMs: SLOT_LEASE_MS }));

  const requestPublish = () =>
    publishQueue.add(PUBLISH_JOB, {}, {
      delay: options.publishDelayMs,
      // One publish waiting at most, and one more after a running one: never two at once.
      deduplication: { id: PUBLISH_JOB, keepLastIfActive: true },
      removeOnComplete: 100,
      removeOnFail: 100,
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
    });

  /** Reads and commits one job's sources, adds what it did to the round, and asks for the round's publish. */
  const readAndCommit = async (site: SiteConfig, what: SourcesToRead, log: Logger): Promise<string> => {
    const startedMs = Date.now();
    const commit = new PassCommit(store, startedMs);
    const read = await readSources(what, {
      site,
      fingerprint: settingsFingerprint(site),
      nowMs: startedMs,
      logger: log,
      store,
      sourcesDir: options.sourcesDir,
      fetcher: async () => fetchers.for(site),
      asDue: dueNow,
      storeEntries: commit.add,
    });
    const committed = await commit.finish(read);
    await countSourceFailures(connection, prefix, read.failures.map((failure) => failure.source));
    await addToRound(connection, prefix, readCounts(read, committed), startedMs);
    // Asked for even when nothing changed: the publish records the round, which /healthz reads.
    await requestPublish();
    return `${committed.counts.new} new, ${committed.counts.updated} updated`;
  };

  /** Every captured page under sources/, as one pass reads them; one such job at a time. */
  const runPagesJob = async (site: SiteConfig, log: Logger): Promise<string> => {
    let release;
    try {
      release = await store.lockPasses((reason) => log.error({ stage: 'store', reason }, `pass lock lost: ${reason}; another pages job may start before this one ends`));
    } catch (error) {
      // Another pages job (or a single-process pass) is running: it covers this tick.
      if (error instanceof LockError) return `pages: skipped, ${describeError(error)}`;
      throw error;
    }
    try {
      const listed = listSourceFiles(options.sourcesDir);
      return `pages: ${await readAndCommit(site, { pages: listed.pages, unreadablePageFolders: listed.unreadableFolders }, log)}`;
    } finally {
      await release();
    }
  };

  /** One remote source: fetched while other jobs run, committed one job at a time. */
  const runSourceJob = async (site: SiteConfig, id: string, log: Logger): Promise<string> => {
    const file = ['.yaml', '.yml'].map((extension) => `${id}${extension}`).find((name) => existsSync(path.join(options.sourcesDir, name)));
    if (!file) return `${id}: no longer in sources/`;
    return `${id}: ${await readAndCommit(site, { remote: loadRemoteSources(options.sourcesDir, [file]) }, log)}`;
  };

  const processSource = async (job: Job<SourceJobData>): Promise<string> => {
    const log = logger.child({ job: jobLogId(job) });
    const site = await withStateIdentity(await settings.read(), store);
    if (job.name === PAGES_JOB) return runPagesJob(site, log);
    if (job.name === SOURCE_JOB && job.data.source) return runSourceJob(site, job.data.source, log);
    throw new Error(`unknown job ${job.name}`);
  };

  /** Source jobs of the round not done yet; those scheduled for later belong to the next round. */
  const sourceJobsToDo = async (): Promise<number> => {
    const counts = await sourcesQueue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  };

  /**
   * Publishes once the round is settled: every source job that was due has committed. A publish
   * asked for while others still run waits for them, so write-once archive pages are only ever
   * cut from the whole round's entries, as one process's pass cuts them.
   */
  const processPublish = async (job: Job): Promise<string> => {
    const log = logger.child({ job: jobLogId(job) });
    const toDo = await sourceJobsToDo();
    const round = await peekRound(connection, prefix);
    const overdue = round.startedMs !== undefined && Date.now() - round.startedMs > UNSETTLED_PUBLISH_AFTER_MS;
    if (toDo > 0 && !overdue) {
      await requestPublish();
      return `deferred: ${toDo} source jobs of the round still to do`;
    }
    const site = await withStateIdentity(await settings.read(), store);
    const publishStartMs = Date.now();
    const tally = await takeRound(connection, prefix);
    let published;
    try {
      published = await publishPass({ site, store, outDir: options.outDir, logger: log, entriesChanged: true, healthChanged: true, settled: toDo === 0, ...(options.formsDir ? { formsDir: options.formsDir } : {}) });
    } catch (error) {
      await restoreRound(connection, prefix, tally);
      throw error;
    }
    const startedMs = tally.startedMs ?? publishStartMs;
    await recordPass(store, passRecord(tally.counts, published, startedMs, Date.now() - startedMs), log);
    return `${published.written.length} files written`;
  };

  const workerSettings = { connection, prefix, lockDuration: options.lockMs, stalledInterval: Math.max(1000, Math.floor(options.lockMs / 2)), maxStalledCount: 3 };
  const sourceWorker = new Worker<SourceJobData, string>(SOURCES_QUEUE, processSource, { ...workerSettings, concurrency: options.concurrency });
  const publishWorker = new Worker(PUBLISH_QUEUE, processPublish, { ...workerSettings, concurrency: 1 });
  for (const worker of [sourceWorker, publishWorker]) {
    worker.on('completed', (job) => {
      logger.debug({ queue: worker.name, job: jobLogId(job), result: job.returnvalue }, 'job done');
      void countJob(connection, prefix, worker.name, 'completed');
    });
    worker.on('failed', (job, error) => {
      logger.error({ queue: worker.name, job: job ? jobLogId(job) : undefined, source: job?.data && 'source' in job.data ? job.data.source : undefined, err: describeError(error), ...(error instanceof FeedloomError ? { code: error.code } : {}), attempts: job?.attemptsMade }, `job failed: ${describeError(error)}`);
      void countJob(connection, prefix, worker.name, 'attempt-failed');
      // Retried jobs have not failed yet: only the last attempt's failure is the job's.
      if (!job || job.attemptsMade >= (job.opts.attempts ?? 1)) void countJob(connection, prefix, worker.name, 'failed');
    });
    logErrors(worker, `worker on ${worker.name}`, logger);
  }
  logger.info({ queue: options.queue.prefix, concurrency: options.concurrency }, 'worker started');

  return {
    async close() {
      // Stop taking jobs, let the active ones finish, then let go of Redis.
      await Promise.all([sourceWorker.close(), publishWorker.close()]);
      await fetchers.close();
      await Promise.all([publishQueue.close(), sourcesQueue.close()]);
      await connection.quit();
    },
  };
}

/**
 * In distributed mode the scheduler decides when a source is due; only a backoff after failures
 * (or a Retry-After) still holds a source back. A single process instead skips sources whose
 * own schedule has not come round, which is what nextAttemptMs says for a source that is fine.
 */
function dueNow(record: SourceRecord): SourceRecord {
  if (record.status !== 'ok' || record.nextAttemptMs === undefined) return record;
  const { nextAttemptMs: _notDue, ...due } = record;
  return due;
}

/**
 * One HTTP client for every job, so connections to a host are kept alive from one job to the
 * next; a new one (and new request slots) only when the site's fetch settings change.
 */
class FetcherForSettings {
  private current: { key: string; fetcher: Fetcher } | undefined;

  constructor(private readonly slotsFor: (site: SiteConfig) => SlotLimiter) {}

  for(site: SiteConfig): Fetcher {
    const key = JSON.stringify([site.fetch, site.url]);
    if (this.current?.key !== key) {
      const old = this.current?.fetcher;
      // Jobs still using the old client finish with it; it closes once they have.
      if (old) setTimeout(() => void old.close(), 60_000).unref();
      this.current = { key, fetcher: new Fetcher({ ...site.fetch, maxRedirects: 5, userAgent: userAgent(site.url) }, this.slotsFor(site)) };
    }
    return this.current.fetcher;
  }

  async close(): Promise<void> {
    await this.current?.fetcher.close();
  }
}

/** Reads site.yaml for each job, parsing it again only when its text changes. */
class SettingsReader {
  private readonly parsed = new Map<string, SiteConfig>();
  private readonly cache: SiteConfigCache = {
    get: async (key) => this.parsed.get(key),
    set: async (key, site) => {
      this.parsed.clear();
      this.parsed.set(key, site);
    },
  };

  constructor(
    private readonly sourcesDir: string,
    private readonly overrides: SiteOverrides | undefined,
  ) {}

  read(): Promise<SiteConfig> {
    return loadSiteConfig(this.sourcesDir, this.overrides, this.cache);
  }
}
