// `feedloom scheduler`: keeps one repeatable job per source on the queue, on the source's own
// schedule (else the site's), keyed by the source id so no source is ever queued twice, and one
// for the captured pages under sources/. It looks at sources/ again every so often: a source
// added gets its job, a source removed loses it. Running two schedulers is harmless.
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { loadRemoteSources } from '../config/remote-sources.js';
import { loadSiteConfig, type SiteOverrides } from '../config/site.js';
import { describeError } from '../errors.js';
import { listSourceFiles } from '../ingest/page-sources.js';
import { connectRedis, logErrors, PAGES_JOB, type QueueLocation, SOURCE_JOB, type SourceJobData, SOURCES_QUEUE } from './connection.js';

export interface SchedulerOptions {
  queue: QueueLocation;
  sourcesDir: string;
  overrides?: SiteOverrides;
  /** How often sources/ is looked at again for sources added or removed. */
  refreshMs: number;
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

export async function startScheduler(options: SchedulerOptions): Promise<RunningScheduler> {
  const connection = connectRedis(options.queue, options.logger);
  const queue = new Queue<SourceJobData>(SOURCES_QUEUE, { connection, prefix: options.queue.prefix });
  logErrors(queue, 'sources queue', options.logger);
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
    options.logger.info({ sources: wanted.size, scheduled: added, unscheduled: removed }, 'schedules in step with sources/');
  };

  const loop = async () => {
    try {
      await sync();
    } catch (error) {
      // A bad site.yaml or an unreachable Redis: the schedules already there keep running.
      options.logger.error({ err: (error as Error).message }, `schedules not refreshed: ${(error as Error).message}`);
    }
    if (!closing) timer = setTimeout(() => void loop(), options.refreshMs);
  };
  await sync();
  timer = setTimeout(() => void loop(), options.refreshMs);

  return {
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      await queue.close();
      await connection.quit();
    },
  };
}
