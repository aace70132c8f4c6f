// Redis restarted without persistence in the middle of a round, for real: a Redis server of this
// test's own (so the other tests' Redis is left alone) is shut down without saving and started
// again on the same port while a worker is reading a round. The scheduler must put the schedules
// and the publish queue's one-at-a-time setting back at once, not at its next look at sources/,
// and queue again the sources whose tick went by unread, read from the state.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../support/built-cli.js';
import { freePort } from '../support/http-client.js';
import { startFeedFarm } from '../support/feed-farm.mjs';
import { schemaOf, TestSchemas } from './support/postgres.js';
import { killAll, startCli, waitFor } from './support/processes.js';

const SOURCES = 6;
const schemas = new TestSchemas();
let root: string;

beforeAll(() => {
  buildIfStale();
  root = mkdtempSync(path.join(tmpdir(), 'feedloom-redis-restart-'));
}, 120_000);

afterAll(async () => {
  killAll();
  await schemas.end();
  rmSync(root, { recursive: true, force: true });
});

/** A Redis server that keeps nothing on disk, on `port`; resolves once it answers. */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await waitFor('Redis to answer', async () => {
    try {
      if (client.status !== 'ready') await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      client.disconnect();
      return false;
    }
  });
  client.disconnect();
  return server;
}

/** A daily schedule whose last tick was two minutes ago (UTC): the next one is a day away. */
function dailyTickTwoMinutesAgo(): { schedule: string; tickMs: number } {
  const tick = new Date(Math.floor((Date.now() - 2 * 60_000) / 60_000) * 60_000);
  return { schedule: `${tick.getUTCMinutes()} ${tick.getUTCHours()} * * *`, tickMs: tick.getTime() };
}

describe('Redis restarted without its data mid-round', () => {
  it('gets its schedules and one-at-a-time publishing back at once, and the sources whose tick was lost are read', async () => {
    const farm = await startFeedFarm({ feeds: SOURCES, items: 2, hosts: SOURCES, delayMs: 1_500 });
    const redisDir = path.join(root, 'redis');
    mkdirSync(redisDir);
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redisServer = await startRedis(port, redisDir);
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    const sourcesQueue = new Queue('feedloom-sources', { connection: redis, prefix: 'restart' });
    const publishQueue = new Queue('feedloom-publish', { connection: redis, prefix: 'restart' });
    try {
      const { schedule, tickMs } = dailyTickTwoMinutesAgo();
      const sources = path.join(root, 'sources');
      mkdirSync(sources);
      writeFileSync(path.join(sources, 'site.yaml'), `title: Restart\nurl: https://restart.example/\ntimezone: UTC\nschedule: "${schedule}"\n`);
      for (let index = 0; index < SOURCES; index++) writeFileSync(path.join(sources, `wire-${index}.yaml`), `kind: feed\nurl: ${farm.feedUrl(index)}\n`);
      const state = await schemas.fresh();
      const records = async () =>
        new Map(
          (await schemas.query<{ source: string; last: string }>(`SELECT source, last_attempt_ms AS last FROM ${schemaOf(state)}.sources`).catch(() => [])).map((row) => [row.source, Number(row.last)]),
        );
      const queueArgs = ['--queue', url, '--queue-prefix', 'restart'];
      // One job at a time, 1.5 s each: the round takes about 9 s, and most of it is still queued when Redis goes.
      const worker = startCli(['worker', '--sources', sources, '--out', path.join(root, 'out'), '--state', state, ...queueArgs, '--concurrency', '1', '--publish-delay', '0.2']);
      await waitFor('the worker to start', () => worker.output().includes('worker started'));
      // A refresh far away: what follows the restart comes from the reconnect, not the next look.
      const scheduler = startCli(['scheduler', '--sources', sources, '--state', state, ...queueArgs, '--refresh', '600']);

      // A new Redis and a state that has read nothing: every source's last tick went by unread.
      await waitFor('the first sources to be read', async () => (await records()).size >= 2, 30_000);
      const readBefore = [...(await records())].filter(([, last]) => last >= tickMs).map(([source]) => source);
      expect(readBefore.length).toBeLessThan(SOURCES);

      const stopped = new Promise((resolve) => redisServer.once('exit', resolve));
      // From a client that does not retry: the fleet's own clients wait out the restart.
      const stopper = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      stopper.on('error', () => undefined);
      await stopper.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      stopper.disconnect();
      await stopped;
      redisServer = await startRedis(port, redisDir);
      const restartedMs = Date.now();

      await waitFor('the schedules to be back', async () => (await sourcesQueue.getJobSchedulers(0, -1)).length === SOURCES, 15_000);
      expect(Date.now() - restartedMs, 'back on reconnecting, not at the next look at sources/ (600 s)').toBeLessThan(15_000);
      await waitFor('one publish at a time again', async () => (await publishQueue.getGlobalConcurrency()) === 1, 15_000);

      // Every source read for the tick Redis lost, long before the next one (a day away).
      await waitFor('every source to be read for its tick', async () => [...(await records()).values()].filter((last) => last >= tickMs).length === SOURCES, 45_000);
      expect(scheduler.output()).toMatch(/"requeued":[1-9]/);
      // Those read before the restart are not read again for the same tick.
      const counts = farm.counts();
      for (const source of readBefore) expect(counts[Number(source.slice('wire-'.length))], source).toBe(1);
      // And the round is published: the fleet goes on as before.
      await waitFor('a publish after the restart', async () => Number((await schemas.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemaOf(state)}.passes`))[0]!.n) > 0, 30_000);
      const entries = await schemas.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemaOf(state)}.entries`);
      expect(Number(entries[0]!.n)).toBe(SOURCES * 2);

      scheduler.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      expect(await scheduler.exited).toBe(0);
      expect(await worker.exited).toBe(0);
    } finally {
      await sourcesQueue.close();
      await publishQueue.close();
      redis.disconnect();
      redisServer.kill('SIGKILL');
      await farm.close();
    }
  }, 150_000);
});
