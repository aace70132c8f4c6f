// Distributed mode as an operator runs it: `feedloom scheduler` and three `feedloom worker`
// processes on one Redis and one PostgreSQL state, 300 feed sources on a local farm of slow
// hosts. A round fetches every source once; no entry is stored twice; the feeds are byte for
// byte those a single `feedloom run` writes; and a worker killed with SIGKILL mid-round loses
// nothing: its jobs are taken up by the others once their locks expire.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../support/built-cli.js';
import { startFeedFarm } from '../support/feed-farm.mjs';
import { schemaOf, TestSchemas } from './support/postgres.js';
import { type CliProcess, killAll, redisUrl, startCli, waitFor } from './support/processes.js';

const SOURCES = 300;
const ITEMS = 3;
const WORKERS = 3;
// Ticks every 15 s; a round takes about 300 × 150 ms / (10 hosts × 2 slots) ≈ 2.3 s.
const SCHEDULE = '*/15 * * * * *';
const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'];

const schemas = new TestSchemas();
let root: string;
let farm: Awaited<ReturnType<typeof startFeedFarm>>;

beforeAll(async () => {
  buildIfStale();
  root = mkdtempSync(path.join(tmpdir(), 'feedloom-distributed-'));
  farm = await startFeedFarm({ feeds: SOURCES, items: ITEMS, hosts: 10, delayMs: 150 });
  const sources = path.join(root, 'sources');
  mkdirSync(sources);
  writeFileSync(path.join(sources, 'site.yaml'), `title: Farm news\nurl: https://farm.example/\nschedule: "${SCHEDULE}"\n`);
  for (let index = 0; index < SOURCES; index++) writeFileSync(path.join(sources, `farm-${index}.yaml`), `kind: feed\nurl: ${farm.feedUrl(index)}\n`);
}, 120_000);

afterAll(async () => {
  killAll();
  await farm?.close();
  await schemas.end();
  rmSync(root, { recursive: true, force: true });
});

interface Fleet {
  scheduler: CliProcess;
  workers: CliProcess[];
  out: string;
  state: string;
  queueArgs: string[];
}

async function entryCount(state: string): Promise<number> {
  const rows = await schemas.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemaOf(state)}.entries`);
  return Number(rows[0]!.n);
}

async function sourcesAttemptedSince(state: string, sinceMs: number): Promise<number> {
  const rows = await schemas.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemaOf(state)}.sources WHERE status = 'ok' AND last_attempt_ms >= $1`, [sinceMs]);
  return Number(rows[0]!.n);
}

/** Source jobs waiting or running, and publish jobs not done yet (a publish waits out its delay). */
async function queuesBusy(redis: Redis, prefix: string): Promise<number> {
  const sources = `${prefix}:feedloom-sources`;
  const publish = `${prefix}:feedloom-publish`;
  const counts = await Promise.all([redis.llen(`${sources}:wait`), redis.llen(`${sources}:active`), redis.llen(`${publish}:wait`), redis.llen(`${publish}:active`), redis.zcard(`${publish}:delayed`)]);
  return counts.reduce((sum, count) => sum + count, 0);
}

async function startFleet(): Promise<Fleet> {
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const queueArgs = ['--queue', redisUrl(), '--queue-prefix', prefix];
  const out = path.join(root, `out-${prefix}`);
  const state = await schemas.fresh();
  const sources = path.join(root, 'sources');
  const scheduler = startCli(['scheduler', '--sources', sources, ...queueArgs], 'scheduler');
  const workers = Array.from({ length: WORKERS }, (_, index) =>
    startCli(['worker', '--sources', sources, '--out', out, '--state', state, ...queueArgs, '--concurrency', '8', '--lock-seconds', '3', '--publish-delay', '1'], `worker ${index + 1}`),
  );
  return { scheduler, workers, out, state, queueArgs };
}

describe('feedloom scheduler and three workers', () => {
  it('fetch every source once a round, store no entry twice, lose nothing to a killed worker, and publish what one process would', async () => {
    const fleet = await startFleet();
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const prefix = fleet.queueArgs[3]!;
    try {
      // Round 1: every source fetched, and each exactly once.
      farm.resetCounts();
      await waitFor('round 1 to fetch every source', () => farm.counts().every((count) => count >= 1), 60_000);
      const afterRound1 = farm.counts();
      expect(Math.max(...afterRound1)).toBe(1);
      await waitFor('round 1 to be stored', async () => (await entryCount(fleet.state)) === SOURCES * ITEMS, 30_000);

      // Round 2: one worker is killed outright while the round is under way.
      const round2Ms = Date.now();
      await waitFor('round 2 to start', () => farm.total() >= SOURCES + 40, 30_000);
      fleet.workers[0]!.child.kill('SIGKILL');
      await fleet.workers[0]!.exited;
      const fetchedWhenKilled = farm.total() - SOURCES;
      expect(fetchedWhenKilled).toBeLessThan(SOURCES);
      // Every source is processed in the end: fetched again and its record written by round 2.
      await waitFor('round 2 to reach every source', async () => (await sourcesAttemptedSince(fleet.state, round2Ms)) === SOURCES, 60_000);
      expect(farm.counts().every((count) => count >= 2)).toBe(true);
      // Nothing lost and nothing doubled: the same entries, once each.
      expect(await entryCount(fleet.state)).toBe(SOURCES * ITEMS);
      await waitFor('the publish after round 2', async () => (await queuesBusy(redis, prefix)) === 0, 30_000);
    } finally {
      // SIGTERM drains: the scheduler and the surviving workers exit 0.
      const stopping = [fleet.scheduler, ...fleet.workers.slice(1)];
      for (const process of stopping) process.child.kill('SIGTERM');
      expect(await Promise.all(stopping.map((process) => process.exited))).toEqual(stopping.map(() => 0));
      await redis.quit();
    }

    // Single-process mode over the same sources writes the same feeds, byte for byte.
    const single = path.join(root, 'out-single');
    // Not spawnSync: the farm answers from this process, which must keep running meanwhile.
    const run = startCli(['run', '--sources', path.join(root, 'sources'), '--out', single, '--state', path.join(root, 'single.db')], 'single-process run');
    expect(await run.exited).toBe(0);
    for (const name of FEED_FILES) {
      const distributed = readFileSync(path.join(fleet.out, name), 'utf8');
      expect(distributed, name).toBe(readFileSync(path.join(single, name), 'utf8'));
    }
    const items = (JSON.parse(readFileSync(path.join(fleet.out, 'feed.json'), 'utf8')) as { items: { id: string }[] }).items;
    expect(items).toHaveLength(50);
    expect(new Set(items.map((item) => item.id)).size).toBe(50);
  }, 180_000);
});
