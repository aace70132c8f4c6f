// `feedloom scheduler`: keeps one repeatable job per source on the queue, on the source's own
// schedule (else the site's), keyed by the source id so no source is ever queued twice, and one
// for the captured pages under sources/. It looks at sources/ again every so often: a source
// added gets its job, a source removed loses it. Running two schedulers is harmless.
//
// Redis may come back empty (restarted without persistence, flushed, failed over to a replica
// that had not caught up). The scheduler keeps a key there that says the schedules are in place;
// when it is gone, on reconnecting or at the next look, the scheduler puts the schedules back at
// once, and the publish queue's one-at-a-time setting with them, and queues again every source
// whose last tick went by unread: what was read when is in the state, not only in Redis.
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { loadRemoteSources } from '../config/remote-sources.js';
import { loadSiteConfig, type SiteOverrides } from '../config/site.js';
import { describeError } from '../errors.js';
import { listSourceFiles } from '../ingest/page-sources.js';
import { lastScheduledTick } from '../config/cron-expression.js';
import type { SourceRecord } from '../store/store.js';
import { connectRedis, logErrors, PAGES_JOB, PUBLISH_QUEUE, type QueueLocation, SOURCE_JOB, type SourceJobData, SOURCES_QUEUE } from './connection.js';

export interface SchedulerOptions {
  queue: QueueLocation;
  sourcesDir: string;
  overrides?: SiteOverrides;
  /** How often sources/ is looked at again for sources added or removed. */
  refreshMs: number;
  /**
   * The state's source records, to tell which sources' ticks Redis lost; without it, a source
   * whose queued job was lost waits for its next tick.
   */
  sourceRecords?: () => Promise<Map<string, SourceRecord>>;
  logger: Logger;
}

export interface RunningScheduler {
  close(): Promise<void>;
}

/** Job options for every source job: retried with backoff when the job itself fails. */
const SOURCE_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 1_000,
  removeOnFail: 5_000,
} as const;

const PAGES_SCHEDULER = 'pages';
const sourceSchedulerId = (id: string) => `source:${id}`;
/** One per scheduler and tick (BullMQ ids may not hold ':'). */
const requeuedJobId = (schedulerId: string, tick: number) => `requeued-${encodeURIComponent(schedulerId)}-${tick}`;
/** Set once the schedules are in Redis; gone means Redis lost them, and what was queued with them. */
const schedulesKey = (prefix: string) => `${prefix}:feedloom-schedules`;

export async function startScheduler(options: SchedulerOptions): Promise<RunningScheduler> {
  const connection = connectRedis(options.queue, options.logger);
  const prefix = options.queue.prefix;
  const queue = new Queue<SourceJobData>(SOURCES_QUEUE, { connection, prefix });
  const publishQueue = new Queue(PUBLISH_QUEUE, { connection, prefix });
  logErrors(queue, 'sources queue', options.logger);
  logErrors(publishQueue, 'publish queue', options.logger);
  let timer: NodeJS.Timeout | undefined;
  let closing = false;

  const sync = async () => {
    const site = await loadSiteConfig(options.sourcesDir, options.overrides);
    const files = listSourceFiles(options.sourcesDir);
    const remote = loadRemoteSources(options.sourcesDir, files.topLevel);
    const wanted = new Map<string, { pattern: string; name: string; data: SourceJobData }>();
    for (const source of remote.sources) {
      if (source.enabled) wanted.set(sourceSchedulerId(source.id), { pattern: source.schedule ?? site.schedule, name: SOURCE_JOB, data: { source: source.id } });
    }
    if (files.pages.length > 0) wanted.set(PAGES_SCHEDULER, { pattern: site.schedule, name: PAGES_JOB, data: {} });
    for (const { file, error } of remote.invalid) options.logger.error({ file, code: error.code, reason: describeError(error) }, `source not scheduled: ${describeError(error)}`);

    const lost = (await connection.exists(schedulesKey(prefix))) === 0;
    if (lost) {
      // Before any job can be queued: two publish jobs must never run at once.
      await publishQueue.setGlobalConcurrency(1);
    }
    let added = 0;
    const existing = new Map((await queue.getJobSchedulers(0, -1)).map((scheduler) => [scheduler.key, scheduler.pattern ?? undefined]));
    for (const [id, job] of wanted) {
      if (existing.get(id) === job.pattern) continue;
      await queue.upsertJobScheduler(id, { pattern: job.pattern, ...(site.timezone ? { tz: site.timezone } : {}) }, { name: job.name, data: job.data, opts: SOURCE_JOB_OPTIONS });
      added++;
    }
    let removed = 0;
    for (const id of existing.keys()) {
      if (!wanted.has(id)) {
        await queue.removeJobScheduler(id);
        removed++;
      }
    }
    const requeued = lost ? await requeueLostTicks(wanted, site.timezone) : 0;
    await connection.set(schedulesKey(prefix), new Date().toISOString());
    options.logger.info({ sources: wanted.size, scheduled: added, unscheduled: removed, ...(lost ? { requeued } : {}) }, 'schedules in step with sources/');
  };

  /**
   * Queues once more each source whose latest tick went by with no read since (by the state's
   * records), as that tick would have; the pages' job too. Job ids name the tick, so schedulers
   * doing this at once queue each job once.
   */
  const requeueLostTicks = async (wanted: Map<string, { pattern: string; name: string; data: SourceJobData }>, timezone: string | undefined): Promise<number> => {
    const nowMs = Date.now();
    let records: Map<string, SourceRecord> | undefined;
    try {
      records = await options.sourceRecords?.();
    } catch (error) {
      options.logger.error({ stage: 'store', err: describeError(error) }, `sources whose tick Redis lost wait for their next tick: the state could not be read: ${describeError(error)}`);
    }
    if (!records) return 0;
    const jobs = [];
    for (const [id, job] of wanted) {
      const tick = lastScheduledTick(job.pattern, nowMs, timezone);
      if (tick === undefined) continue;
      const record = job.data.source ? records.get(job.data.source) : undefined;
      if (job.name === SOURCE_JOB && record && record.lastAttemptMs >= tick) continue;
      jobs.push({ name: job.name, data: { ...job.data, tick }, opts: { ...SOURCE_JOB_OPTIONS, jobId: requeuedJobId(id, tick) } });
    }
    for (let start = 0; start < jobs.length; start += 500) await queue.addBulk(jobs.slice(start, start + 500));
    if (jobs.length > 0) options.logger.warn({ stage: 'queue', requeued: jobs.length }, `no schedules were in Redis (a first start, or Redis lost its data): ${jobs.length} jobs whose last tick went by unread queued now`);
    return jobs.length;
  };

  let syncing = false;
  let syncAgain = false;
  const loop = async () => {
    // One look at a time; a reconnect during one asks for another right after it.
    if (syncing) {
      syncAgain = true;
      return;
    }
    syncing = true;
    if (timer) clearTimeout(timer);
    do {
      syncAgain = false;
      try {
        await sync();
      } catch (error) {
        // A bad site.yaml or an unreachable Redis: the schedules already there keep running.
        options.logger.error({ err: (error as Error).message }, `schedules not refreshed: ${(error as Error).message}`);
      }
    } while (syncAgain && !closing);
    syncing = false;
    if (!closing) timer = setTimeout(() => void loop(), options.refreshMs);
  };
  await sync();
  timer = setTimeout(() => void loop(), options.refreshMs);
  // Back from a lost connection: Redis may have come back empty, so look at once.
  connection.on('ready', () => {
    if (!closing) void loop();
  });

  return {
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      await Promise.all([queue.close(), publishQueue.close()]);
      await connection.quit();
    },
  };
}
