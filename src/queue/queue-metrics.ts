// What /metrics shows of distributed mode: each queue's depth by job state, the workers
// connected to it, jobs done and failed (a job fails once it has no attempt left; each failed
// attempt is counted apart), and sources' failures. The counts are kept in Redis, so any process
// that can reach it (feedloom serve --queue, say) reports the whole fleet, not only itself.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { connectRedis, logErrors, PUBLISH_QUEUE, type QueueLocation, SOURCES_QUEUE } from './connection.js';

/**
 * `failed`: a job with no attempt left; `attempt-failed`: every attempt that failed, retried or
 * not; `stepped-aside`: a source job put back for a while because its host's slots were all taken.
 */
export type Outcome = 'completed' | 'failed' | 'attempt-failed' | 'stepped-aside';
const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

export function countKey(prefix: string, queue: string, outcome: Outcome): string {
  return `${prefix}:feedloom-metrics:${queue}:${outcome}`;
}

/** Adds one to the fleet's count of jobs of `queue` that ended with `outcome`. */
export async function countJob(redis: Redis, prefix: string, queue: string, outcome: Outcome): Promise<void> {
  try {
    await redis.incr(countKey(prefix, queue, outcome));
  } catch {
    // A count missed while Redis is away is not worth failing a job for.
  }
}

function sourceFailuresKey(prefix: string): string {
  return `${prefix}:feedloom-metrics:source-failures`;
}

/** Adds one to the fleet's count of failures of each of `sources`. */
export async function countSourceFailures(redis: Redis, prefix: string, sources: readonly string[]): Promise<void> {
  if (sources.length === 0) return;
  try {
    const counts = redis.multi();
    for (const source of sources) counts.hincrby(sourceFailuresKey(prefix), source, 1);
    await counts.exec();
  } catch {
    // As for jobs: a count missed while Redis is away is not worth failing a job for.
  }
}

export interface QueueMetrics {
  close(): Promise<void>;
}

export function registerQueueMetrics(registry: Registry, location: QueueLocation): QueueMetrics {
  const connection = connectRedis(location);
  const queues = [SOURCES_QUEUE, PUBLISH_QUEUE].map((name) => new Queue(name, { connection, prefix: location.prefix }));
  // A scrape while Redis is away fails on its own; the reconnecting client need not log here.
  for (const queue of queues) logErrors(queue, `${queue.name} queue`);
  new Gauge({
    name: 'feedloom_queue_jobs',
    help: 'Jobs in each queue, by state (waiting + delayed is the depth still to do).',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) {
        const counts = await queue.getJobCounts(...DEPTH_STATES);
        for (const state of DEPTH_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'feedloom_queue_workers',
    help: 'Workers connected to each queue.',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) this.set({ queue: queue.name }, await queue.getWorkersCount());
    },
  });
  const jobCounters = [
    ['completed', 'feedloom_jobs_completed_total', 'Jobs completed by every worker, per queue.'],
    ['failed', 'feedloom_jobs_failed_total', 'Jobs that failed with no attempt left, on every worker, per queue.'],
    ['attempt-failed', 'feedloom_job_attempts_failed_total', 'Attempts of jobs that failed on every worker, per queue, those retried included.'],
    ['stepped-aside', 'feedloom_jobs_stepped_aside_total', "Times a source job was put back for a while because its host's request slots were all taken, per queue."],
  ] as const;
  for (const [outcome, name, help] of jobCounters) {
    new Counter({
      name,
      help,
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const queue of queues) this.inc({ queue: queue.name }, Number((await connection.get(countKey(location.prefix, queue.name, outcome))) ?? 0));
      },
    });
  }
  new Counter({
    name: 'feedloom_source_failures_total',
    help: 'Source failures seen by every worker of the fleet, by source.',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await connection.hgetall(sourceFailuresKey(location.prefix));
      for (const [source, count] of Object.entries(counts)) this.inc({ source }, Number(count));
    },
  });
  return {
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
      await connection.quit();
    },
  };
}
