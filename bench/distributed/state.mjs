// What a round leaves in PostgreSQL and Redis, read the way an operator's tools would: the pass
// records (the `passes` table), entries and sources' health, and the fleet's job counts (the
// keys /metrics reads). Each round gets a schema and a key prefix of its own, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

export async function freshSchema(admin, postgresUrl) {
  const schema = `feedloom_bench_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: url.href, drop: () => admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

/** The pass records, oldest first, as numbers; none while the state's tables are not made yet. */
export async function passRecords(admin, schema) {
  try {
    const { rows } = await admin.query(`SELECT started_ms, duration_ms, sources_ok, sources_failed, entries_new, entries_updated, entries_unchanged, files_written FROM ${schema}.passes ORDER BY id`);
    return rows.map((row) => ({
      startedMs: Number(row.started_ms),
      endMs: Number(row.started_ms) + Number(row.duration_ms),
      sources: row.sources_ok + row.sources_failed,
      sourcesFailed: row.sources_failed,
      entriesNew: row.entries_new,
      entriesUpdated: row.entries_updated,
      entriesUnchanged: row.entries_unchanged,
      filesWritten: row.files_written,
    }));
  } catch (error) {
    if (error.code === '42P01') return []; // undefined_table: the first worker is still migrating.
    throw error;
  }
}

/** Entries stored, and sources whose last read was not fine (with the first one's error). */
export async function storedState(admin, schema) {
  const entries = Number((await admin.query(`SELECT count(*) AS n FROM ${schema}.entries`)).rows[0].n);
  const sources = await admin.query(`SELECT source, status, error FROM ${schema}.sources ORDER BY source`);
  const unhealthy = sources.rows.filter((row) => row.status !== 'ok');
  return { entries, sources: sources.rows.length, unhealthy };
}

/**
 * A round's passes, split: the round is every pass up to the one that brings the sources counted
 * to `sourceCount` (more than one when a publish ran before the round had settled), timed from
 * the earliest start among them to that pass's end; passes after it are trailing publishes.
 */
export function roundOf(passes, sourceCount) {
  let counted = 0;
  for (let i = 0; i < passes.length; i++) {
    counted += passes[i].sources;
    if (counted >= sourceCount) {
      const round = passes.slice(0, i + 1);
      return { passes: round, trailing: passes.slice(i + 1), startedMs: Math.min(...round.map((pass) => pass.startedMs)), endMs: passes[i].endMs };
    }
  }
  return undefined;
}

/** The fleet's Redis under one key prefix: job counts as /metrics reads them, and removal. */
export class FleetKeys {
  constructor(redisUrl, prefix) {
    this.prefix = prefix;
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  }

  async counts() {
    const read = async (queue, outcome) => Number((await this.redis.get(`${this.prefix}:feedloom-metrics:${queue}:${outcome}`)) ?? 0);
    return {
      completed: await read('feedloom-sources', 'completed'),
      failed: await read('feedloom-sources', 'failed'),
      attemptsFailed: await read('feedloom-sources', 'attempt-failed'),
      publishCompleted: await read('feedloom-publish', 'completed'),
      publishFailed: await read('feedloom-publish', 'failed'),
      steppedAside: await read('feedloom-sources', 'stepped-aside'),
    };
  }

  /**
   * When the last source job the queue still keeps finished (BullMQ keeps the newest completed
   * jobs), or undefined: how long the round's publish came after its last job.
   */
  async lastJobFinishedMs() {
    const queue = new Queue('feedloom-sources', { connection: this.redis, prefix: this.prefix });
    try {
      const jobs = await queue.getJobs(['completed'], 0, -1);
      return jobs.length > 0 ? Math.max(...jobs.map((job) => job.finishedOn ?? 0)) : undefined;
    } finally {
      await queue.close();
    }
  }

  /**
   * How many commits the source jobs the queue still keeps were stored in: each job's result says
   * how many other jobs its group commit held ("committed with N other jobs"), so a group of n
   * jobs is n results saying n - 1. Those that finished since `sinceMs` only.
   */
  async commitGroups(sinceMs) {
    const queue = new Queue('feedloom-sources', { connection: this.redis, prefix: this.prefix });
    try {
      const jobs = await queue.getJobs(['completed'], 0, -1);
      const sizes = jobs.filter((job) => (job.finishedOn ?? 0) >= sinceMs).map((job) => /committed with (\d+) other jobs/.exec(String(job.returnvalue ?? ''))).filter(Boolean).map((match) => Number(match[1]) + 1);
      return { jobs: sizes.length, commits: sizes.reduce((sum, size) => sum + 1 / size, 0) };
    } finally {
      await queue.close();
    }
  }

  /**
   * The publish jobs the queue still keeps, oldest first: when each was queued (its delay
   * included), started and finished, and what it did ("deferred: ..." or "N files written").
   */
  async publishJobs() {
    const queue = new Queue('feedloom-publish', { connection: this.redis, prefix: this.prefix });
    try {
      const jobs = await queue.getJobs(['completed'], 0, -1);
      return jobs
        .map((job) => ({ dueMs: job.timestamp + (job.delay ?? 0), startedMs: job.processedOn ?? 0, finishedMs: job.finishedOn ?? 0, result: String(job.returnvalue ?? '') }))
        .sort((a, b) => a.finishedMs - b.finishedMs);
    } finally {
      await queue.close();
    }
  }

  /** Removes every key under the prefix: the queues, job schedulers, host slots and counts. */
  async drop() {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async close() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
