// The distributed-mode benchmark (`npm run bench:distributed`, after `npm run build`).
//
// 2,000 feed sources on a local farm (test/support/feed-farm.mjs, a process of its own) that
// answers each request after 200 ms, spread over 200 loopback hosts so the per-host limit (2 at a
// time across all workers) is not what caps the run. For 1, 2 and 4 `feedloom worker` processes
// (each --concurrency C) on one Redis and one PostgreSQL state, it queues one job per source at
// once and times the round until the last job is done: sources per second. Beside them, in the
// same run, single-process mode: one `feedloom run` over the same sources (SQLite state).
// Targets: 2 workers at least 1.8× and 4 workers at least 3.2× the throughput of 1 worker.
//
//   FEEDLOOM_BENCH_REDIS_URL=redis://… FEEDLOOM_BENCH_POSTGRES_URL=postgres://… \
//     node bench/distributed.mjs [--sources 2000] [--delay 200] [--hosts 200] [--concurrency 16] [--workers 1,2,4]
//
// (FEEDLOOM_TEST_REDIS_URL and FEEDLOOM_TEST_POSTGRES_URL are used when the BENCH ones are unset.)
// Every round starts from a fresh PostgreSQL schema and a fresh Redis key prefix, so every
// source is new: each job fetches a 200 response, parses, normalizes and stores three items.
// Exit status: 0 targets met; 1 a target missed; 2 the run could not measure (a worker died, ...).
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ROOT } from './lib/build.mjs';
import { fail, progress, VerifyError } from './lib/verify.mjs';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const FARM = path.join(ROOT, 'test', 'support', 'feed-farm.mjs');
const RESULTS = path.join(ROOT, 'bench', 'results', 'distributed-latest.md');
const TARGETS = { 2: 1.8, 4: 3.2 };
const ITEMS = 3;

const { values } = parseArgs({
  options: {
    sources: { type: 'string', default: '2000' },
    delay: { type: 'string', default: '200' },
    hosts: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
    workers: { type: 'string', default: '1,2,4' },
  },
});
const SOURCES = Number(values.sources);
const DELAY_MS = Number(values.delay);
const HOSTS = Number(values.hosts);
const CONCURRENCY = Number(values.concurrency);
const WORKER_COUNTS = values.workers.split(',').map(Number);
const REDIS_URL = process.env.FEEDLOOM_BENCH_REDIS_URL ?? process.env.FEEDLOOM_TEST_REDIS_URL;
const POSTGRES_URL = process.env.FEEDLOOM_BENCH_POSTGRES_URL ?? process.env.FEEDLOOM_TEST_POSTGRES_URL;

function startFarm() {
  const farm = fork(FARM, [String(SOURCES), String(ITEMS), String(HOSTS), String(DELAY_MS)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    farm.once('exit', (code) => reject(new VerifyError(`the feed farm exited with ${code}`)));
    farm.stdout.once('data', (chunk) => resolve({ farm, port: JSON.parse(chunk.toString()).port }));
  });
}

function writeSources(dir, port) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'site.yaml'), 'title: Farm news\nurl: https://farm.example/\n');
  for (let index = 0; index < SOURCES; index++) {
    writeFileSync(path.join(dir, `farm-${index}.yaml`), `kind: feed\nurl: http://127.0.0.${1 + (index % HOSTS)}:${port}/feed/${index}.xml\n`);
  }
}

function run(args, { waitFor } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      if (waitFor && output.includes(waitFor)) resolve();
    });
    child.stderr.on('data', (chunk) => (output += chunk.toString()));
    child.once('exit', (code) => (waitFor ? reject(new VerifyError(`${args[0]} exited with ${code} before it was ready:\n${output.slice(-2000)}`)) : resolve()));
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return { child, ready, exited, output: () => output };
}

async function freshSchema(admin) {
  const schema = `feedloom_bench_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: url.href };
}

async function workersRound(count, sourcesDir, work, admin) {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const { schema, url } = await freshSchema(admin);
  const out = path.join(work, `out-${count}`);
  const queueArgs = ['--queue', REDIS_URL, '--queue-prefix', prefix];
  const workers = Array.from({ length: count }, () =>
    run(['worker', '--sources', sourcesDir, '--out', out, '--state', url, ...queueArgs, '--concurrency', String(CONCURRENCY), '--publish-delay', '2'], { waitFor: 'worker started' }),
  );
  await Promise.all(workers.map((worker) => worker.ready));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('feedloom-sources', { connection: redis, prefix });
  const done = `${prefix}:feedloom-metrics:feedloom-sources:completed`;
  const jobs = Array.from({ length: SOURCES }, (_, index) => ({ name: 'source', data: { source: `farm-${index}` }, opts: { removeOnComplete: true } }));
  const started = performance.now();
  for (let index = 0; index < jobs.length; index += 500) await queue.addBulk(jobs.slice(index, index + 500));
  while (Number((await redis.get(done)) ?? 0) < SOURCES) {
    if (performance.now() - started > 600_000) fail(`${count} workers: the round did not finish in 10 minutes`);
    for (const worker of workers) if (worker.child.exitCode !== null) fail(`a worker exited during the round:\n${worker.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const failed = Number((await redis.get(`${prefix}:feedloom-metrics:feedloom-sources:failed`)) ?? 0);
  const entries = Number((await admin.query(`SELECT count(*) AS n FROM ${schema}.entries`)).rows[0].n);
  for (const worker of workers) worker.child.kill('SIGTERM');
  const codes = await Promise.all(workers.map((worker) => worker.exited));
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await redis.quit();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  if (failed > 0) fail(`${count} workers: ${failed} jobs failed`);
  if (entries !== SOURCES * ITEMS) fail(`${count} workers: ${entries} entries stored, expected ${SOURCES * ITEMS}`);
  if (codes.some((code) => code !== 0)) fail(`${count} workers: a worker did not exit 0 on SIGTERM (${codes.join(', ')})`);
  return { seconds, rate: SOURCES / seconds };
}

async function singleProcess(sourcesDir, work) {
  const started = performance.now();
  const pass = run(['run', '--sources', sourcesDir, '--out', path.join(work, 'out-single'), '--state', path.join(work, 'single.db')]);
  const code = await pass.exited;
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) fail(`feedloom run exited with ${code}:\n${pass.output().slice(-2000)}`);
  if (!pass.output().includes(`"entries_new":${SOURCES * ITEMS}`)) fail(`feedloom run did not store every entry:\n${pass.output().slice(-2000)}`);
  return { seconds, rate: SOURCES / seconds };
}

async function main() {
  if (!REDIS_URL || !POSTGRES_URL) fail('set FEEDLOOM_BENCH_REDIS_URL and FEEDLOOM_BENCH_POSTGRES_URL (or the FEEDLOOM_TEST_ ones)');
  const work = mkdtempSync(path.join(os.tmpdir(), 'feedloom-distributed-bench-'));
  const { farm, port } = await startFarm();
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  try {
    const sourcesDir = path.join(work, 'sources');
    writeSources(sourcesDir, port);
    progress(`${SOURCES} sources on ${HOSTS} hosts, ${DELAY_MS} ms a response; workers with --concurrency ${CONCURRENCY}`);
    const rows = [];
    const single = await singleProcess(sourcesDir, work);
    progress(`single process: ${single.seconds.toFixed(1)} s, ${single.rate.toFixed(1)} sources/s`);
    rows.push({ mode: 'single process (`feedloom run`, SQLite)', workers: '—', ...single });
    const byCount = new Map();
    for (const count of WORKER_COUNTS) {
      const result = await workersRound(count, sourcesDir, work, admin);
      byCount.set(count, result);
      progress(`${count} worker(s): ${result.seconds.toFixed(1)} s, ${result.rate.toFixed(1)} sources/s`);
      rows.push({ mode: 'distributed (PostgreSQL, Redis)', workers: String(count), ...result });
    }
    const base = byCount.get(1)?.rate;
    const table = [
      '| mode | workers | round s | sources/s | × 1 worker |',
      '|---|---:|---:|---:|---:|',
      ...rows.map((row) => `| ${row.mode} | ${row.workers} | ${row.seconds.toFixed(1)} | ${row.rate.toFixed(1)} | ${base && row.workers !== '—' ? `${(row.rate / base).toFixed(2)}×` : '—'} |`),
    ].join('\n');
    const verdicts = Object.entries(TARGETS)
      .filter(([count]) => byCount.has(Number(count)) && base)
      .map(([count, target]) => {
        const ratio = byCount.get(Number(count)).rate / base;
        return { pass: ratio >= target, line: `- ${ratio >= target ? 'PASS' : 'FAIL'} ${count} workers: ${ratio.toFixed(2)}× 1 worker (target ≥ ${target}×)` };
      });
    const report = [
      '# feedloom distributed-mode benchmark',
      '',
      `Run ${new Date().toISOString()} · Node ${process.version} · ${os.cpus().length} CPUs · load average at end ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`,
      `${SOURCES} feed sources (${ITEMS} items each) on ${HOSTS} loopback hosts, each response after ${DELAY_MS} ms; workers --concurrency ${CONCURRENCY}; per-host limit 2 across all workers`,
      '',
      table,
      '',
      ...verdicts.map((verdict) => verdict.line),
      '',
    ].join('\n');
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, report);
    process.stdout.write(report);
    return verdicts.every((verdict) => verdict.pass) ? 0 : 1;
  } finally {
    farm.kill('SIGTERM');
    await admin.end();
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`\nBENCH FAILED: ${error instanceof Error ? error.message : error}\n`);
  process.exitCode = error instanceof VerifyError ? 2 : 1;
}
