// One round of the fleet against one `feedloom run` over the same 121 remote sources (120 feeds
// on a local farm of slow hosts, one that answers 404), with RFC 5005 archives on: the fleet
// writes out/ byte for byte as the single process does, archive pages included, records the round
// as a pass (so /healthz turns healthy with no pages at all), sweeps a temporary file a killed
// publish left, and logs every job's lines with the job's id.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../support/built-cli.js';
import { filesUnder } from '../support/feed-site.js';
import { get } from '../support/http-client.js';
import { parsePrometheus, sample } from '../support/prometheus.js';
import { type FeedFarm, farmSources } from './support/farm-sources.js';
import { schemaOf, TestSchemas } from './support/postgres.js';
import { type CliProcess, killAll, redisUrl, startCli, waitFor } from './support/processes.js';

const FEEDS = 120;
const ITEMS = 2;
const WORKERS = 3;
const MISSING = 'farm-missing';

const schemas = new TestSchemas();
const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
let root: string;
let sources: string;
let farm: FeedFarm;

beforeAll(async () => {
  buildIfStale();
  // Slow enough that a round lasts several publish delays: publishes asked for mid-round are many.
  ({ root, sources, farm } = await farmSources('fleet-round', 'title: Farm news\nurl: https://farm.example/\narchive: true\n', { feeds: FEEDS, items: ITEMS, hosts: 6, delayMs: 250 }));
  writeFileSync(path.join(sources, `${MISSING}.yaml`), `kind: feed\nurl: ${farm.feedUrl(FEEDS + 1)}\n`);
}, 120_000);

afterAll(async () => {
  killAll();
  await farm?.close();
  await redis.quit();
  await schemas.end();
  rmSync(root, { recursive: true, force: true });
});

interface PassRow {
  sources_ok: number;
  sources_failed: number;
  entries_new: number;
  files_written: number;
}

async function passRows(state: string): Promise<PassRow[]> {
  return schemas.query<PassRow>(`SELECT sources_ok, sources_failed, entries_new, files_written FROM ${schemaOf(state)}.passes ORDER BY id`);
}

async function queuesIdle(prefix: string): Promise<boolean> {
  const keys = ['feedloom-sources', 'feedloom-publish'].flatMap((queue) => [`${prefix}:${queue}:wait`, `${prefix}:${queue}:active`]);
  const lengths = await Promise.all([...keys.map((key) => redis.llen(key)), redis.zcard(`${prefix}:feedloom-publish:delayed`)]);
  return lengths.every((length) => length === 0);
}

/** status.json with the fields that say when a source was fetched: they differ between any two runs. */
function statusWithoutTimes(file: string): unknown {
  const status = JSON.parse(readFileSync(file, 'utf8')) as { sources: Record<string, unknown>[] };
  return status.sources.map(({ last_success: _success, next_attempt: _next, ...rest }) => rest);
}

function jsonLines(output: string): Record<string, unknown>[] {
  return output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a fleet round and a single pass over the same remote sources', () => {
  it('write the same out/, archives included; the round is recorded, so /healthz is healthy', async () => {
    const prefix = `test-${randomBytes(4).toString('hex')}`;
    const queueArgs = ['--queue', redisUrl(), '--queue-prefix', prefix];
    const fleetOut = path.join(root, 'out-fleet');
    const state = await schemas.fresh();
    // What a worker killed mid-publish leaves: a 0-byte temporary file beside the entry pages.
    const stale = path.join(fleetOut, 'entries', '.gone.html.feedloom-4242-7.tmp');
    mkdirSync(path.dirname(stale), { recursive: true });
    writeFileSync(stale, '');

    const workers: CliProcess[] = Array.from({ length: WORKERS }, (_, index) =>
      startCli(['worker', '--sources', sources, '--out', fleetOut, '--state', state, ...queueArgs, '--concurrency', '6', '--publish-delay', '0.3'], `worker ${index + 1}`),
    );
    const queue = new Queue('feedloom-sources', { connection: redis, prefix });
    try {
      await waitFor('the workers to start', () => workers.every((worker) => worker.output().includes('worker started')));
      // One round: every source's job at once, as the scheduler queues them at a tick.
      const ids = [...Array.from({ length: FEEDS }, (_, index) => `farm-${index}`), MISSING];
      await queue.addBulk(ids.map((source) => ({ name: 'source', data: { source } })));
      await waitFor('the round to be published and recorded', async () => (await passRows(state)).length > 0 && (await queuesIdle(prefix)), 90_000);
    } finally {
      await queue.close();
    }
    const serve = startCli(['serve', '--sources', sources, '--out', fleetOut, '--state', state, '--port', '0'], 'serve');
    try {
      // One pass record for the round: every source's counts, and the files of its one publish.
      expect(await passRows(state)).toEqual([{ sources_ok: FEEDS, sources_failed: 1, entries_new: FEEDS * ITEMS, files_written: expect.any(Number) }]);
      expect((await passRows(state))[0]!.files_written).toBeGreaterThan(0);
      expect(existsSync(stale)).toBe(false);

      await waitFor('the server to listen', () => serve.output().includes('serving feeds'));
      const base = /"url":"(http:\/\/[^"]+)"/.exec(serve.output())?.[1] ?? '';
      const health = await get(base, '/healthz');
      expect(health.status, health.body.toString()).toBe(200);
      expect(JSON.parse(health.body.toString())).toMatchObject({ healthy: true });
      const metrics = parsePrometheus((await get(base, '/metrics')).body.toString()).samples;
      expect(sample(metrics, 'feedloom_passes_total')).toBe(1);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
      for (const worker of workers) worker.child.kill('SIGTERM');
      expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual(workers.map(() => 0));
    }

    // Every job's lines carry its id: the failing source's under its source job, the round's under the publish.
    const lines = workers.flatMap((worker) => jsonLines(worker.output()));
    const failed = lines.filter((line) => line.source === MISSING && line.level === 50);
    expect(failed.length).toBeGreaterThan(0);
    for (const line of failed) expect(line.job).toMatch(/^source:/);
    const finished = lines.filter((line) => line.msg === 'pass finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]!.job).toMatch(/^publish:/);

    const singleOut = path.join(root, 'out-single');
    // Not spawnSync: the farm answers from this process, which must keep running meanwhile.
    const run = startCli(['run', '--sources', sources, '--out', singleOut, '--state', path.join(root, 'single.db')], 'single-process run');
    expect(await run.exited).toBe(2);

    const files = filesUnder(singleOut);
    expect(filesUnder(fleetOut)).toEqual(files);
    // 240 entries, 50 in the window: 190 archived, on a full page of 100 and one of 90.
    expect(files.filter((file) => file.startsWith('archive/'))).toEqual(['archive/default/1.xml', 'archive/default/2.xml']);
    for (const file of files) {
      if (file === 'status.json') expect(statusWithoutTimes(path.join(fleetOut, file))).toEqual(statusWithoutTimes(path.join(singleOut, file)));
      else expect(readFileSync(path.join(fleetOut, file)).equals(readFileSync(path.join(singleOut, file))), file).toBe(true);
    }
  }, 180_000);
});
