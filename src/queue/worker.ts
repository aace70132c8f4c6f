// `feedloom worker`: takes source jobs off the queue (fetch, parse, normalize, store) and, one
// worker at a time across the fleet, publish jobs. Any number run, on any machine, against one
// Redis and one state. A killed worker loses nothing: its jobs go back to the queue once their
// locks expire, and BullMQ hands them to another worker. SIGTERM drains: active jobs finish first.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { loadRemoteSources } from '../config/remote-sources.js';
import { loadSiteConfig, type SiteConfigCache, type SiteOverrides } from '../config/site.js';
import { describeError, FeedloomError, LockError } from '../errors.js';
import { Fetcher } from '../ingest/fetch.js';
import type { SlotLimiter } from '../ingest/host-limiter.js';
import type { Entry, SiteConfig } from '../model.js';
import { publishSite } from '../publish/publish-site.js';
import { healthDiffers } from '../publish/status.js';
import type { SourceRecord, Store } from '../store/store.js';
import { userAgent } from '../version.js';
import { runPass, settingsFingerprint } from '../worker/pass.js';
import { readRemoteSources } from '../worker/read-remote.js';
import { connectRedis, logErrors, PAGES_JOB, PUBLISH_JOB, PUBLISH_QUEUE, type QueueLocation, SOURCE_JOB, type SourceJobData, SOURCES_QUEUE } from './connection.js';
import { RedisHostSlots } from './host-slots.js';
import { countJob } from './queue-metrics.js';

/** A killed worker's request slots free up this long after it died, at most. */
const SLOT_LEASE_MS = 6_000;

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

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { logger, store } = options;
  const connection = connectRedis(options.queue, logger);
  const prefix = options.queue.prefix;
  const publishQueue = new Queue(PUBLISH_QUEUE, { connection, prefix });
  logErrors(publishQueue, 'publish queue', logger);
  // Only one publish job runs at a time in the whole fleet: two never write the same file.
  await publishQueue.setGlobalConcurrency(1);
  const storeGate = new Gate();
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

  /** Every captured page under sources/, as one pass reads them; one such job at a time. */
  const runPagesJob = async (site: SiteConfig): Promise<string> => {
    let release;
    try {
      release = await store.lockPasses((reason) => logger.error({ stage: 'store', reason }, `pass lock lost: ${reason}; another pages job may start before this one ends`));
    } catch (error) {
      // Another pages job (or a single-process pass) is running: it covers this tick.
      if (error instanceof LockError) return `pages: skipped, ${describeError(error)}`;
      throw error;
    }
    try {
      const summary = await storeGate.run(() => runPass({ sourcesDir: options.sourcesDir, outDir: options.outDir, store, site, logger, pagesOnly: true }));
      if (summary.entriesNew + summary.entriesUpdated > 0 || summary.healthChanged) await requestPublish();
      return `pages: ${summary.entriesNew} new, ${summary.entriesUpdated} updated`;
    } finally {
      await release();
    }
  };

  /** One remote source: fetched while other jobs run, stored one job at a time. */
  const runSourceJob = async (site: SiteConfig, id: string): Promise<string> => {
    const file = ['.yaml', '.yml'].map((extension) => `${id}${extension}`).find((name) => existsSync(path.join(options.sourcesDir, name)));
    if (!file) return `${id}: no longer in sources/`;
    const remote = loadRemoteSources(options.sourcesDir, [file]);
    const nowMs = Date.now();
    const previous = await store.sourceRecord(id);
    const entries: Entry[] = [];
    const read = await readRemoteSources(remote.sources, remote.invalid, {
      site,
      fingerprint: settingsFingerprint(site),
      known: new Map(previous ? [[id, dueNow(previous)]] : []),
      nowMs,
      logger,
      fetcher: fetchers.for(site),
      storeEntries: async (batch) => void entries.push(...batch),
    });
    const counts = await storeGate.run(() => store.applyPass(entries, read.records, nowMs));
    const healthChanged = read.records.some((record) => healthDiffers(record, previous));
    if (counts.new + counts.updated > 0 || healthChanged) await requestPublish();
    return `${id}: ${counts.new} new, ${counts.updated} updated`;
  };

  const processSource = async (job: Job<SourceJobData>): Promise<string> => {
    const site = await settings.read();
    if (job.name === PAGES_JOB) return runPagesJob(site);
    if (job.name === SOURCE_JOB && job.data.source) return runSourceJob(site, job.data.source);
    throw new Error(`unknown job ${job.name}`);
  };

  const processPublish = async (): Promise<string> => {
    const site = await settings.read();
    const published = await publishSite({ site, store, outDir: options.outDir, logger, entriesChanged: true, healthChanged: true, ...(options.formsDir ? { formsDir: options.formsDir } : {}) });
    logger.info({ files_written: published.written.length, files_unchanged: published.unchangedCount, feeds_failed: published.failed.length }, 'published');
    return `${published.written.length} files written`;
  };

  const workerSettings = { connection, prefix, lockDuration: options.lockMs, stalledInterval: Math.max(1000, Math.floor(options.lockMs / 2)), maxStalledCount: 3 };
  const sourceWorker = new Worker<SourceJobData, string>(SOURCES_QUEUE, processSource, { ...workerSettings, concurrency: options.concurrency });
  const publishWorker = new Worker(PUBLISH_QUEUE, processPublish, { ...workerSettings, concurrency: 1 });
  for (const worker of [sourceWorker, publishWorker]) {
    worker.on('completed', (job) => {
      logger.debug({ queue: worker.name, job: job.id, result: job.returnvalue }, 'job done');
      void countJob(connection, prefix, worker.name, 'completed');
    });
    worker.on('failed', (job, error) => {
      logger.error({ queue: worker.name, job: job?.id, source: job?.data && 'source' in job.data ? job.data.source : undefined, err: describeError(error), ...(error instanceof FeedloomError ? { code: error.code } : {}), attempts: job?.attemptsMade }, `job failed: ${describeError(error)}`);
      void countJob(connection, prefix, worker.name, 'failed');
    });
    logErrors(worker, `worker on ${worker.name}`, logger);
  }
  logger.info({ queue: options.queue.prefix, concurrency: options.concurrency }, 'worker started');

  return {
    async close() {
      // Stop taking jobs, let the active ones finish, then let go of Redis.
      await Promise.all([sourceWorker.close(), publishWorker.close()]);
      await fetchers.close();
      await publishQueue.close();
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

/**
 * One job at a time stores through this process's store: a store keeps the pass it is in, so
 * two jobs must not interleave their begin, store and end. Fetching, the slow part, runs freely.
 */
class Gate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
