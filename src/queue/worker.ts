// `feedloom worker`: takes source jobs off the queue and, one worker at a time across the fleet,
// publish jobs. Any number run, on any machine, against one Redis and one state. A killed worker
// loses nothing: its jobs go back to the queue once their locks expire, and BullMQ hands them to
// another worker. SIGTERM drains: active jobs finish first. Each job is a thin driver of the same
// use cases a single pass calls (src/worker/): read sources, commit, publish, record.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { loadRemoteSources } from '../config/remote-sources.js';
import { loadSiteConfig, type SiteConfigCache, type SiteOverrides } from '../config/site.js';
import { describeError, FeedloomError, LockError } from '../errors.js';
import { Fetcher } from '../ingest/fetch.js';
import { slotHost } from '../ingest/host-limiter.js';
import { listSourceFiles } from '../ingest/page-sources.js';
import type { SiteConfig } from '../model.js';
import type { SourceRecord, Store } from '../store/store.js';
import { userAgent } from '../version.js';
import type { StorableEntry } from '../store/entry-row.js';
import { type Committed, PassCommit } from '../worker/commit-pass.js';
import type { DocumentParser } from '../worker/parse-threads.js';
import { settingsFingerprint } from '../worker/pass.js';
import { stateIdentity } from '../worker/site-settings.js';
import { passRecord, readCounts, recordPublish } from '../worker/pass-record.js';
import { publishPass } from '../worker/publish-pass.js';
import { readSources, type SourcesRead, type SourcesToRead } from '../worker/read-sources.js';
import { CommitGroups } from './commit-groups.js';
import { connectRedis, logErrors, PAGES_JOB, PUBLISH_JOB, PUBLISH_QUEUE, type QueueLocation, SOURCE_JOB, type SourceJobData, SOURCES_QUEUE } from './connection.js';
import { RedisHostSlots } from './host-slots.js';
import { countJob, countKey, countSourceFailures } from './queue-metrics.js';
import { addToRound, peekRound, restoreRound, takeRound } from './round-tally.js';

/** About how long a job whose host is busy stays aside before it is taken again (jittered ±50%). */
const STEP_ASIDE_MS = 500;
/** A job set aside that has not come back this long after it was due has been lost with its worker. */
const STEPPED_ASIDE_FORGOTTEN_MS = 10_000;
const steppedAsideKey = (prefix: string) => `${prefix}:feedloom-stepped-aside`;
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
  // And again whenever Redis comes back, which may be empty.
  connection.on('ready', () => void publishQueue.setGlobalConcurrency(1).catch(() => undefined));
  const settings = new SettingsReader(options.sourcesDir, options.overrides);
  const identified = stateIdentity(store);
  const fetchers = new FetcherForSettings((site) => new RedisHostSlots({ redis: connection, prefix, perHost: site.fetch.perHost, overall: site.fetch.overall, leaseMs: SLOT_LEASE_MS }));

  /**
   * Asks for the round's publish, `--publish-delay` from now so that a burst of changes is one
   * publish; `now` when the round has nothing left to do, which brings a publish already waiting
   * forward.
   */
  const requestPublish = (when: 'after the delay' | 'now' = 'after the delay') =>
    publishQueue.add(PUBLISH_JOB, {}, {
      delay: when === 'now' ? 0 : options.publishDelayMs,
      // One publish waiting at most, and one more after a running one: never two at once.
      deduplication: { id: PUBLISH_JOB, keepLastIfActive: true, ...(when === 'now' ? { reschedule: true } : {}) },
      removeOnComplete: 100,
      removeOnFail: 100,
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
    });

  /**
   * What follows a commit: the sources' failures counted fleet-wide, the round's tally, and the
   * round's publish asked for (brought forward once the round is done: publishIfRoundDone).
   */
  const recordCommit = async (read: SourcesRead, committed: Committed, startedMs: number): Promise<void> => {
    // Sent together, so one round trip to Redis. The publish is asked for even when nothing
    // changed: it records the round, which /healthz reads; it never runs before the tally is in,
    // as it comes --publish-delay later, or once this job is done.
    await Promise.all([
      countSourceFailures(connection, prefix, read.failures.map((failure) => failure.source)),
      addToRound(connection, prefix, readCounts(read, committed), startedMs),
      requestPublish(),
    ]);
  };
  /** Source jobs this worker is running: reading, waiting to commit, or committing. */
  let sourceJobsRunning = 0;
  const commitGroups = new CommitGroups(store, (group) => recordCommit(group.read, group.committed, group.startedMs), () => sourceJobsRunning);
  const parsers = new ParserForSettings();

  const readContext = (site: SiteConfig, startedMs: number, dueAtMs: number, log: Logger) => ({
    site,
    fingerprint: settingsFingerprint(site),
    nowMs: startedMs,
    dueAtMs,
    logger: log,
    store,
    sourcesDir: options.sourcesDir,
    fetcher: async () => fetchers.for(site),
    asDue: dueNow,
  });

  /** Every captured page under sources/, as one pass reads them: committed as they are read, a batch at a time. */
  const readAndCommitPages = async (site: SiteConfig, what: SourcesToRead, log: Logger): Promise<string> => {
    const startedMs = Date.now();
    const commit = new PassCommit(store, startedMs);
    const read = await readSources(what, { ...readContext(site, startedMs, startedMs, log), storeEntries: commit.add });
    const committed = await commit.finish(read);
    await recordCommit(read, committed, startedMs);
    return `${committed.counts.new} new, ${committed.counts.updated} updated`;
  };

  /** One remote source, read while other jobs run, then committed with the jobs that finish beside it. */
  const readAndCommitSource = async (site: SiteConfig, what: SourcesToRead, dueAtMs: number, log: Logger): Promise<string> => {
    const startedMs = Date.now();
    const entries: StorableEntry[] = [];
    const read = await readSources(what, {
      ...readContext(site, startedMs, dueAtMs, log),
      sourceParser: () => parsers.for(site),
      storeEntries: async (batch) => {
        entries.push(...batch);
      },
    });
    const group = await commitGroups.commit({ read, entries, startedMs });
    const { counts } = group.committed;
    return `${entries.length} entries read; committed with ${group.jobs - 1} other jobs (${counts.new} new, ${counts.updated} updated in all)`;
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
      return `pages: ${await readAndCommitPages(site, { pages: listed.pages, unreadablePageFolders: listed.unreadableFolders }, log)}`;
    } finally {
      await release();
    }
  };

  /** One remote source: set aside while its host is busy, fetched while other jobs run, committed with those that finish beside it. */
  const runSourceJob = async (site: SiteConfig, job: Job<SourceJobData>, id: string, token: string | undefined, log: Logger): Promise<string> => {
    const file = ['.yaml', '.yml'].map((extension) => `${id}${extension}`).find((name) => existsSync(path.join(options.sourcesDir, name)));
    if (!file) return `${id}: no longer in sources/`;
    const remote = loadRemoteSources(options.sourcesDir, [file]);
    await stepAsideWhileHostBusy(site, job, remote.sources[0]?.url, token);
    return `${id}: ${await readAndCommitSource(site, { remote }, tickOf(job), log)}`;
  };

  /**
   * A job whose host has every request slot taken across the fleet would hold one of this
   * worker's job slots while it waits, and jobs for other hosts would wait behind it. It steps
   * aside instead: back to the queue, delayed a little, and taken again later.
   */
  const stepAsideWhileHostBusy = async (site: SiteConfig, job: Job<SourceJobData>, url: string | undefined, token: string | undefined): Promise<void> => {
    const host = url === undefined ? undefined : slotHost(url);
    if (host === undefined || token === undefined) return;
    if (!(await fetchers.slots(site).allTaken(host))) return;
    const backMs = Date.now() + STEP_ASIDE_MS * (0.5 + Math.random());
    // Still the round's: its publish waits for it as for a job waiting in line.
    const key = steppedAsideKey(prefix);
    await connection.multi().zremrangebyscore(key, '-inf', Date.now() - STEPPED_ASIDE_FORGOTTEN_MS).zadd(key, backMs, job.id ?? '').incr(countKey(prefix, SOURCES_QUEUE, 'stepped-aside')).exec();
    await job.moveToDelayed(backMs, token);
    throw new DelayedError();
  };

  const processSource = async (job: Job<SourceJobData>, token?: string): Promise<string> => {
    sourceJobsRunning++;
    try {
      return await runJob(job, token);
    } finally {
      sourceJobsRunning--;
    }
  };

  const runJob = async (job: Job<SourceJobData>, token: string | undefined): Promise<string> => {
    const log = logger.child({ job: jobLogId(job) });
    // Started before: it may have stepped aside, and is back.
    if (job.attemptsStarted > 1 && job.id) await connection.zrem(steppedAsideKey(prefix), job.id);
    const site = await identified(await settings.read());
    if (job.name === PAGES_JOB) return runPagesJob(site, log);
    if (job.name === SOURCE_JOB && job.data.source) return runSourceJob(site, job, job.data.source, token, log);
    throw new Error(`unknown job ${job.name}`);
  };

  /**
   * Source jobs of the round not done yet: those in line, running, or set aside for a busy host
   * (a set-aside job whose worker died counts for a few seconds at most). Those scheduled for
   * later belong to the next round.
   */
  const sourceJobsToDo = async (): Promise<number> => {
    const [counts, steppedAside] = await Promise.all([
      sourcesQueue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children'),
      connection.zcount(steppedAsideKey(prefix), Date.now() - STEPPED_ASIDE_FORGOTTEN_MS, '+inf'),
    ]);
    return Object.values(counts).reduce((sum, count) => sum + count, steppedAside);
  };

  /**
   * Brings the round's publish forward when the round has nothing left to do. Looked at once a
   * job has left the active list and this worker runs no other: of workers that finish their
   * last jobs together, whichever looks last sees none of the round's jobs left, in any order.
   */
  const publishIfRoundDone = async (): Promise<void> => {
    if (sourceJobsRunning > 0) return;
    if ((await sourceJobsToDo()) === 0) await requestPublish('now');
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
      // The round's last job may have ended meanwhile and asked for the publish at once, while
      // this one ran: the request just made took that one's place, so it is made again.
      if ((await sourceJobsToDo()) === 0) await requestPublish('now');
      return `deferred: ${toDo} source jobs of the round still to do`;
    }
    const site = await identified(await settings.read());
    const publishStartMs = Date.now();
    const tally = await takeRound(connection, prefix);
    let published;
    try {
      published = await publishPass({ site, store, outDir: options.outDir, logger: log, entriesChanged: true, healthChanged: true, settled: toDo === 0 });
    } catch (error) {
      await restoreRound(connection, prefix, tally);
      throw error;
    }
    const startedMs = tally.startedMs ?? publishStartMs;
    await recordPublish(store, passRecord(tally.counts, published, startedMs, Date.now() - startedMs), published, options, log);
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
  for (const outcome of ['completed', 'failed'] as const) {
    // A failed job may be retried later (a backoff): the round does not wait for it.
    sourceWorker.on(outcome, () => void publishIfRoundDone().catch((error) => logger.warn({ stage: 'publish', err: describeError(error) }, `could not ask for the round's publish: ${describeError(error)}`)));
  }
  logger.info({ queue: options.queue.prefix, concurrency: options.concurrency }, 'worker started');

  return {
    async close() {
      // Stop taking jobs, let the active ones finish, then let go of Redis.
      await Promise.all([sourceWorker.close(), publishWorker.close()]);
      await Promise.all([fetchers.close(), parsers.close()]);
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
 * When a job was due: the tick of the schedule that queued it (BullMQ gives each scheduled job
 * the tick it was made for), else when it was queued. A source that failed is backed off from
 * its tick, not from when a worker got to it, so a source due again at the next tick is read at
 * that tick, however late the first one ran.
 */
export function tickOf(job: Pick<Job<SourceJobData>, 'timestamp' | 'opts' | 'data'>): number {
  const tick = (job.opts as { prevMillis?: unknown }).prevMillis ?? job.data.tick;
  return typeof tick === 'number' && Number.isFinite(tick) ? tick : job.timestamp + (job.opts.delay ?? 0);
}

/**
 * One pool of parse threads for every job a worker runs, started by its first document, as a
 * pass's: a new one only when the site's `fetch.parse_threads` changes.
 */
class ParserForSettings {
  private current: { threads: number | undefined; parser: Promise<DocumentParser> } | undefined;

  for(site: SiteConfig): Promise<DocumentParser> {
    const threads = site.fetch.parseThreads;
    if (!this.current || this.current.threads !== threads) {
      const old = this.current?.parser;
      // Jobs still parsing on the old threads finish first.
      if (old) setTimeout(() => void old.then((parser) => parser.close()), 60_000).unref();
      this.current = {
        threads,
        parser: import('../worker/parse-threads.js').then((parseThreads) => parseThreads.documentParser(Number.POSITIVE_INFINITY, threads ?? parseThreads.defaultParseThreads())),
      };
    }
    return this.current.parser;
  }

  async close(): Promise<void> {
    await (await this.current?.parser)?.close();
  }
}

/**
 * One HTTP client for every job, so connections to a host are kept alive from one job to the
 * next; a new one (and new request slots) only when the site's fetch settings change.
 */
class FetcherForSettings {
  private current: { key: string; fetcher: Fetcher; slots: RedisHostSlots } | undefined;

  constructor(private readonly slotsFor: (site: SiteConfig) => RedisHostSlots) {}

  for(site: SiteConfig): Fetcher {
    return this.settingsFor(site).fetcher;
  }

  /** The fleet's request slots, as this client takes them. */
  slots(site: SiteConfig): RedisHostSlots {
    return this.settingsFor(site).slots;
  }

  private settingsFor(site: SiteConfig): { fetcher: Fetcher; slots: RedisHostSlots } {
    const key = JSON.stringify([site.fetch, site.url]);
    if (this.current?.key !== key) {
      const old = this.current?.fetcher;
      // Jobs still using the old client finish with it; it closes once they have.
      if (old) setTimeout(() => void old.close(), 60_000).unref();
      const slots = this.slotsFor(site);
      this.current = { key, fetcher: new Fetcher({ ...site.fetch, maxRedirects: 5, userAgent: userAgent(site.url) }, slots), slots };
    }
    return this.current;
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
