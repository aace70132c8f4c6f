// A round's publish comes as soon as the round's last job is done, not --publish-delay later:
// here several workers finish their last jobs at the same moment, each while the others' jobs
// are still active, and the last to finish must still bring the publish forward. A publish that
// follows it with nothing new to show rewrites nothing.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../support/built-cli.js';
import { ageFiles, snapshot } from '../support/feed-site.js';
import { type FeedFarm, farmSources } from './support/farm-sources.js';
import { schemaOf, TestSchemas } from './support/postgres.js';
import { type CliProcess, killAll, redisUrl, startCli, waitFor } from './support/processes.js';

const WORKERS = 2;
const CONCURRENCY = 8;
// Every job of the round runs at once (a host per job), and every answer comes at the same time.
const FEEDS = WORKERS * CONCURRENCY;
const PUBLISH_DELAY_S = 20;

const schemas = new TestSchemas();
const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
let root: string;
let sources: string;
let farm: FeedFarm;

beforeAll(async () => {
  buildIfStale();
  ({ root, sources, farm } = await farmSources('round-publish', 'title: Farm news\nurl: https://farm.example/\n', { feeds: FEEDS, items: 2, hosts: FEEDS, delayMs: 400 }));
}, 120_000);

afterAll(async () => {
  killAll();
  await farm?.close();
  await redis.quit();
  await schemas.end();
  rmSync(root, { recursive: true, force: true });
});

describe('the publish of a round that several workers finish together', () => {
  it('comes as soon as the last job is done, not --publish-delay later', async () => {
    const prefix = `test-${randomBytes(4).toString('hex')}`;
    const state = await schemas.fresh();
    const workers: CliProcess[] = Array.from({ length: WORKERS }, (_, index) =>
      startCli(['worker', '--sources', sources, '--out', path.join(root, 'out'), '--state', state, '--queue', redisUrl(), '--queue-prefix', prefix, '--concurrency', String(CONCURRENCY), '--publish-delay', String(PUBLISH_DELAY_S)], `worker ${index + 1}`),
    );
    const queue = new Queue('feedloom-sources', { connection: redis, prefix });
    try {
      await waitFor('the workers to start', () => workers.every((worker) => worker.output().includes('worker started')));
      await queue.addBulk(Array.from({ length: FEEDS }, (_, index) => ({ name: 'source', data: { source: `farm-${index}` } })));
      await waitFor('the round to be published', async () => (await schemas.query(`SELECT 1 FROM ${schemaOf(state)}.passes`)).length > 0, (PUBLISH_DELAY_S + 20) * 1000);
      const [pass] = await schemas.query<{ started_ms: string; duration_ms: string; sources_ok: number }>(`SELECT started_ms, duration_ms, sources_ok FROM ${schemaOf(state)}.passes`);
      expect(pass!.sources_ok).toBe(FEEDS);
      const jobs = await queue.getJobs(['completed'], 0, -1);
      expect(jobs).toHaveLength(FEEDS);
      const lastJobDoneMs = Math.max(...jobs.map((job) => job.finishedOn ?? 0));
      const publishedMs = Number(pass!.started_ms) + Number(pass!.duration_ms);
      // Well under the delay: a publish that waited it out came at least 20 s after the last job.
      expect(publishedMs - lastJobDoneMs).toBeLessThan((PUBLISH_DELAY_S / 4) * 1000);

      // One more publish, with no job committed since: it has nothing to show and rewrites no
      // file, status.json included.
      const out = path.join(root, 'out');
      ageFiles(out);
      const before = snapshot(out);
      expect([...before.keys()]).toContain('status.json');
      const publishes = new Queue('feedloom-publish', { connection: redis, prefix });
      try {
        const extra = await publishes.add('publish', {});
        await waitFor('the extra publish to end', async () => (await publishes.getJob(extra.id!))?.finishedOn !== undefined, 30_000);
        expect((await publishes.getJob(extra.id!))?.returnvalue).toBe('0 files written');
      } finally {
        await publishes.close();
      }
      expect(snapshot(out)).toEqual(before);
    } finally {
      await queue.close();
      for (const worker of workers) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((worker) => worker.exited));
    }
  }, 120_000);
});
