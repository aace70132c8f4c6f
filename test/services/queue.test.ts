// The parts of distributed mode one at a time, on a real Redis: request slots shared by every
// worker, a worker that drains on SIGTERM, and /metrics reporting the fleet.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisHostSlots } from '../../src/queue/host-slots.js';
import { tickOf } from '../../src/queue/worker.js';
import { buildIfStale } from '../support/built-cli.js';
import { startFeedFarm } from '../support/feed-farm.mjs';
import { schemaOf, TestSchemas } from './support/postgres.js';
import { killAll, redisUrl, startCli, waitFor } from './support/processes.js';

const prefix = () => `test-${randomBytes(4).toString('hex')}`;

/** GET /metrics from a server on loopback, as text. */
function metricsText(port: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const schemas = new TestSchemas();
const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
let root: string;

beforeAll(() => {
  buildIfStale();
  root = mkdtempSync(path.join(tmpdir(), 'feedloom-queue-'));
}, 120_000);

afterAll(async () => {
  killAll();
  await redis.quit();
  await schemas.end();
  rmSync(root, { recursive: true, force: true });
});

describe('RedisHostSlots', () => {
  it('lets at most perHost requests run at once to a host across every worker, and other hosts go on', async () => {
    const options = { redis, prefix: prefix(), perHost: 2, overall: 16, leaseMs: 5_000, retryMs: 10 };
    const workers = [new RedisHostSlots(options), new RedisHostSlots(options), new RedisHostSlots(options)];
    let inFlight = 0;
    let most = 0;
    const request = async (worker: RedisHostSlots, host: string) => {
      const release = await worker.acquire(host);
      if (host === 'busy.example') {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(30);
        inFlight--;
      }
      release();
    };
    const started = Date.now();
    await Promise.all([...Array.from({ length: 12 }, (_, index) => request(workers[index % 3]!, 'busy.example')), request(workers[0]!, 'quiet.example')]);
    expect(most).toBe(2);
    // Twelve requests two at a time take six turns of 30 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(6 * 30 - 5);
  });

  it('frees the slots of a worker that died once their leases run out, not before', async () => {
    const options = { redis, prefix: prefix(), perHost: 1, overall: 4, leaseMs: 600, retryMs: 10 };
    // A worker that takes a slot and is never heard from again: its lease is never renewed.
    await redis.zadd(`${options.prefix}:host-slots:gone.example`, Date.now() + 600, 'dead-worker');
    const started = Date.now();
    const release = await new RedisHostSlots(options).acquire('gone.example');
    release();
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('keeps a slot while its request runs longer than the lease', async () => {
    const options = { redis, prefix: prefix(), perHost: 1, overall: 4, leaseMs: 300, retryMs: 10 };
    const holder = await new RedisHostSlots(options).acquire('slow.example');
    let second = false;
    const waiting = new RedisHostSlots(options).acquire('slow.example').then((release) => {
      second = true;
      release();
    });
    await sleep(1_000);
    expect(second).toBe(false);
    holder();
    await waiting;
    expect(second).toBe(true);
  });
});

describe('feedloom scheduler', () => {
  it('keeps one job scheduler per source and one for the pages, keyed by id, in step with sources/', async () => {
    const sources = path.join(root, 'scheduled-sources');
    mkdirSync(sources);
    writeFileSync(path.join(sources, 'site.yaml'), 'title: Sched\nurl: https://sched.example/\nschedule: "*/5 * * * *"\n');
    writeFileSync(path.join(sources, 'front-page.txt'), 'A lead story long enough to stand for the page.\n');
    writeFileSync(path.join(sources, 'wire.yaml'), 'kind: feed\nurl: https://wire.example/feed.xml\nschedule: "0 * * * *"\n');
    writeFileSync(path.join(sources, 'coast.yaml'), 'kind: feed\nurl: https://coast.example/feed.xml\n');
    const queuePrefix = prefix();
    const queue = new Queue('feedloom-sources', { connection: redis, prefix: queuePrefix });
    const schedulers = async () => Object.fromEntries((await queue.getJobSchedulers(0, -1)).map((scheduler) => [scheduler.key, scheduler.pattern]));
    const args = ['scheduler', '--sources', sources, '--queue', redisUrl(), '--queue-prefix', queuePrefix, '--refresh', '1'];
    const first = startCli(args);
    try {
      await waitFor('the schedules', async () => Object.keys(await schedulers()).length === 3);
      expect(await schedulers()).toEqual({ 'source:wire': '0 * * * *', 'source:coast': '*/5 * * * *', pages: '*/5 * * * *' });
      // Each scheduler's next job carries the tick it stands for: a worker backs a failure off from it.
      const wire = (await queue.getJobSchedulers(0, -1)).find((scheduler) => scheduler.key === 'source:wire')!;
      const [nextWire] = (await queue.getDelayed()).filter((job) => job.data.source === 'wire');
      expect(nextWire && tickOf(nextWire)).toBe(wire.next);
      expect(new Date(wire.next!).getUTCMinutes()).toBe(0);
      // A second scheduler at once changes nothing: a source is never scheduled twice.
      const second = startCli(args);
      await waitFor('the second scheduler', () => second.output().includes('schedules in step'));
      expect(second.output()).toContain('"scheduled":0');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      // A source removed loses its schedule at the next look at sources/.
      rmSync(path.join(sources, 'coast.yaml'));
      await waitFor('the removed source to lose its schedule', async () => !('source:coast' in (await schedulers())));
      expect(Object.keys(await schedulers()).sort()).toEqual(['pages', 'source:wire']);
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      await queue.close();
    }
  }, 60_000);
});

describe('feedloom worker and serve --queue', () => {
  it('drains on SIGTERM: the jobs it is running finish and are stored before it exits', async () => {
    const farm = await startFeedFarm({ feeds: 4, items: 2, hosts: 4, delayMs: 1_500 });
    try {
      const sources = path.join(root, 'drain-sources');
      mkdirSync(sources);
      writeFileSync(path.join(sources, 'site.yaml'), 'title: Drain\nurl: https://drain.example/\n');
      for (let index = 0; index < 4; index++) writeFileSync(path.join(sources, `slow-${index}.yaml`), `kind: feed\nurl: ${farm.feedUrl(index)}\n`);
      const state = await schemas.fresh();
      const queuePrefix = prefix();
      const worker = startCli(['worker', '--sources', sources, '--out', path.join(root, 'drain-out'), '--state', state, '--queue', redisUrl(), '--queue-prefix', queuePrefix]);
      await waitFor('the worker to start', () => worker.output().includes('worker started'));
      const queue = new Queue('feedloom-sources', { connection: redis, prefix: queuePrefix });
      await queue.addBulk(Array.from({ length: 4 }, (_, index) => ({ name: 'source', data: { source: `slow-${index}` } })));
      await waitFor('every request to reach the farm', () => farm.total() === 4);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      // Each job was mid-request at SIGTERM; all four finished and stored their items.
      const rows = await schemas.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemaOf(state)}.entries`);
      expect(Number(rows[0]!.n)).toBe(8);
      expect(await queue.getJobCounts('completed', 'active', 'wait')).toMatchObject({ completed: 4, active: 0, wait: 0 });
      await queue.close();
    } finally {
      await farm.close();
    }
  }, 60_000);

  it('sets a job whose host is busy aside, so jobs for other hosts go on meanwhile', async () => {
    // 30 sources on one host (2 requests at a time, 500 ms each: 7.5 s of work), queued ahead of
    // 6 sources on 6 other hosts; one worker runs 6 jobs at once. Jobs that waited for the busy
    // host's slots would fill the worker, and the other hosts would wait their turn behind them.
    const busyHost = 30;
    const farm = await startFeedFarm({ feeds: busyHost + 6, items: 1, hosts: 7, delayMs: 500 });
    const url = (index: number, host: number) => farm.feedUrl(index).replace(/127\.0\.0\.\d+/, `127.0.0.${host}`);
    const sources = path.join(root, 'busy-host-sources');
    mkdirSync(sources);
    writeFileSync(path.join(sources, 'site.yaml'), 'title: Busy\nurl: https://busy.example/\n');
    for (let index = 0; index < busyHost; index++) writeFileSync(path.join(sources, `busy-${index}.yaml`), `kind: feed\nurl: ${url(index, 1)}\n`);
    for (let other = 0; other < 6; other++) writeFileSync(path.join(sources, `other-${other}.yaml`), `kind: feed\nurl: ${url(busyHost + other, 2 + other)}\n`);
    const state = await schemas.fresh();
    const queuePrefix = prefix();
    const worker = startCli(['worker', '--sources', sources, '--out', path.join(root, 'busy-host-out'), '--state', state, '--queue', redisUrl(), '--queue-prefix', queuePrefix, '--concurrency', '6']);
    const queue = new Queue('feedloom-sources', { connection: redis, prefix: queuePrefix });
    try {
      await waitFor('the worker to start', () => worker.output().includes('worker started'));
      await queue.addBulk([
        ...Array.from({ length: busyHost }, (_, index) => ({ name: 'source', data: { source: `busy-${index}` } })),
        ...Array.from({ length: 6 }, (_, other) => ({ name: 'source', data: { source: `other-${other}` } })),
      ]);
      const busyRequests = () => farm.counts().slice(0, busyHost).reduce((sum, count) => sum + count, 0);
      const otherRequests = () => farm.counts().slice(busyHost).reduce((sum, count) => sum + count, 0);
      await waitFor('every other host to be asked', () => otherRequests() === 6, 20_000);
      // Waiting in line, the others would start once 25 of the busy host's jobs had been taken.
      expect(busyRequests(), 'requests to the busy host before every other host was asked').toBeLessThanOrEqual(10);
      await waitFor('every job to be done', async () => (await queue.getJobCounts('completed')).completed === busyHost + 6, 30_000);
      expect(busyRequests(), 'each busy-host source fetched once').toBe(busyHost);
      // Counted for /metrics: with 2 slots for 30 jobs, at least half as many step-asides as busy-host jobs.
      const steppedAside = Number(await redis.get(`${queuePrefix}:feedloom-metrics:feedloom-sources:stepped-aside`));
      expect(steppedAside, 'times a job stepped aside').toBeGreaterThanOrEqual(busyHost / 2);
      const rows = await schemas.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemaOf(state)}.entries`);
      expect(Number(rows[0]!.n)).toBe(busyHost + 6);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await queue.close();
      await farm.close();
    }
  }, 60_000);

  it('counts a job as failed once, after its last attempt, every failed attempt apart, and sources\' failures fleet-wide', async () => {
    const broken = createServer((_request, response) => response.writeHead(500).end('down'));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const brokenPort = (broken.address() as AddressInfo).port;
    const sources = path.join(root, 'failing-sources');
    const out = path.join(root, 'failing-out');
    mkdirSync(sources);
    writeFileSync(path.join(sources, 'site.yaml'), 'title: Failing\nurl: https://failing.example/\n');
    writeFileSync(path.join(sources, 'broken.yaml'), `kind: feed\nurl: http://127.0.0.1:${brokenPort}/feed.xml\n`);
    const state = await schemas.fresh();
    const queuePrefix = prefix();
    const worker = startCli(['worker', '--sources', sources, '--out', out, '--state', state, '--queue', redisUrl(), '--queue-prefix', queuePrefix]);
    const queue = new Queue('feedloom-sources', { connection: redis, prefix: queuePrefix });
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    let serve: ReturnType<typeof startCli> | undefined;
    try {
      await waitFor('the worker to start', () => worker.output().includes('worker started'));
      // A source that answers 500 fails as a source (the job completes); a job no worker knows
      // fails each of its three attempts, and so fails once.
      await queue.add('source', { source: 'broken' });
      await queue.add('no-such-job', {}, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
      await waitFor('both jobs to end', async () => {
        const counts = await queue.getJobCounts('completed', 'failed');
        return counts.completed === 1 && counts.failed === 1;
      });
      serve = startCli(['serve', '--sources', sources, '--out', mkdtempSync(path.join(root, 'failing-serve-')), '--state', state, '--port', String(port), '--queue', redisUrl(), '--queue-prefix', queuePrefix]);
      await waitFor('the server to listen', () => serve!.output().includes(String(port)));
      const body = await metricsText(port);
      expect(body).toContain('feedloom_jobs_failed_total{queue="feedloom-sources"} 1');
      expect(body).toContain('feedloom_job_attempts_failed_total{queue="feedloom-sources"} 3');
      expect(body).toContain('feedloom_jobs_completed_total{queue="feedloom-sources"} 1');
      expect(body).toContain('feedloom_source_failures_total{source="broken"} 1');
    } finally {
      serve?.child.kill('SIGTERM');
      if (serve) await serve.exited;
      worker.child.kill('SIGTERM');
      await worker.exited;
      await queue.close();
      await new Promise((resolve) => broken.close(resolve));
    }
  }, 60_000);

  it('reports queue depth, workers and jobs done and failed in /metrics', async () => {
    const queuePrefix = prefix();
    const queue = new Queue('feedloom-sources', { connection: redis, prefix: queuePrefix });
    await queue.addBulk([{ name: 'source', data: { source: 'a' } }, { name: 'source', data: { source: 'b' } }, { name: 'source', data: { source: 'c' }, opts: { delay: 60_000 } }]);
    await redis.set(`${queuePrefix}:feedloom-metrics:feedloom-sources:completed`, '41');
    await redis.set(`${queuePrefix}:feedloom-metrics:feedloom-publish:failed`, '2');
    await redis.set(`${queuePrefix}:feedloom-metrics:feedloom-sources:stepped-aside`, '7');
    const sources = path.join(root, 'metrics-sources');
    const out = path.join(root, 'metrics-out');
    mkdirSync(sources);
    mkdirSync(out);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const serve = startCli(['serve', '--sources', sources, '--out', out, '--state', path.join(root, 'metrics.db'), '--port', String(port), '--queue', redisUrl(), '--queue-prefix', queuePrefix]);
    try {
      await waitFor('the server to listen', () => serve.output().includes(String(port)));
      const body = await metricsText(port);
      expect(body).toContain('feedloom_queue_jobs{queue="feedloom-sources",state="waiting"} 2');
      expect(body).toContain('feedloom_queue_jobs{queue="feedloom-sources",state="delayed"} 1');
      expect(body).toContain('feedloom_queue_workers{queue="feedloom-sources"} 0');
      expect(body).toContain('feedloom_jobs_completed_total{queue="feedloom-sources"} 41');
      expect(body).toContain('feedloom_jobs_failed_total{queue="feedloom-publish"} 2');
      expect(body).toContain('feedloom_jobs_stepped_aside_total{queue="feedloom-sources"} 7');
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
      await queue.close();
    }
  }, 60_000);
});
