// What /metrics shows of distributed mode: each queue's depth by job state, the workers
// connected to it, and jobs done and failed. The counts are kept in Redis, so any process that
// can reach it (feedloom serve --queue, say) reports the whole fleet, not only itself.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { connectRedis, logErrors, PUBLISH_QUEUE, type QueueLocation, SOURCES_QUEUE } from './connection.js';

type Outcome = 'completed' | 'failed';
const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

function countKey(prefix: string, queue: string, outcome: Outcome): string {
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
  for (const outcome of ['completed', 'failed'] as const) {
    new Counter({
      name: `feedloom_jobs_${outcome}_total`,
      help: `Jobs ${outcome} by every worker, per queue.`,
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const queue of queues) this.inc({ queue: queue.name }, Number((await connection.get(countKey(location.prefix, queue.name, outcome))) ?? 0));
      },
    });
  }
  return {
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
      await connection.quit();
    },
  };
}
