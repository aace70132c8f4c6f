// The fleet benchmark (`npm run bench:distributed`, after `npm run build`): distributed mode
// (BullMQ on Redis, PostgreSQL state) measured as an operator runs it, beside one process.
//
// What it serves: --sources feeds (RSS 2.0, Atom 1.0 and JSON Feed 1.1 in turn, 20–50 items
// each, HTML to sanitize, tracking links, items sharing a minute, non-ASCII text; seeded, so
// every run serves the same bytes) from a farm process of its own (bench/distributed/farm.mjs)
// on --hosts loopback hosts, each answer after --delay ms, with ETags. The site's per-host
// limit, 2 across the fleet, must never bind: hosts × 2 exceeds every total concurrency here.
//
// What it runs, each configuration on a fresh PostgreSQL schema and (for the fleet) a fresh Redis
// key prefix, both dropped afterwards:
// - capped, as "machines" of --cpu CPUs each (a cgroup v1 per process, with a CFS quota, entered
//   before node starts): 1, 2 and 4 workers (--workers), each `feedloom worker --concurrency C`;
//   one `feedloom run` whose fetch.overall is the largest fleet's total concurrency, and one whose
//   overall is one worker's.
// - uncapped: the same fleets, and one `feedloom run` with the largest fleet's overall. The
//   processes are still in cgroups (without quotas), only so that their CPU can be read.
// Each configuration runs two rounds. The first, on an empty state, by processes just started.
// Then the farm serves every document a few items on (documents.mjs, NEW_ITEMS_PER_VERSION newer
// items, as many old ones gone), and the second, steady round is the one measured and judged:
// the fleet's same workers at a second tick, as a long-lived fleet reads every tick; the single
// process's second `feedloom run`, a new process on the state the first left, as cron runs it.
// A fleet's rounds are started by `feedloom scheduler`: site.yaml's schedule names one second a
// few seconds ahead (cron with seconds, once a year), so every source is queued at that tick and
// at no other; for the second round the schedule names a new second and the scheduler is started
// again. The scheduler, Redis, PostgreSQL and the farm are other machines: not capped.
//
// What it checks, per round: every source job completed and none failed, every source ok in the
// state, as many entries stored as the first single process stored after the same round
// (re-posted items merge, so fewer than the items served), one document fetched per source and
// never more than 2 requests at once to a host, workers exiting 0 on SIGTERM, and every feed
// file under out/ (rss.xml, atom.xml, feed.json, and those of the site's other feeds) holding the
// same entries as the first single process's after the same round, build timestamps aside.
//
// Targets, for the steady round: 2 capped workers ≥ 1.8× and 4 capped workers ≥ 3.2× the sources
// per second of 1 capped worker; workers' CPU per source ≤ 1.1× the single process's.
//
//   FEEDLOOM_BENCH_REDIS_URL=redis://… FEEDLOOM_BENCH_POSTGRES_URL=postgres://… node bench/distributed.mjs
//     [--sources 300] [--hosts 50] [--delay 200] [--concurrency 16] [--workers 1,2,4] [--cpu 0.4]
//     [--publish-delay 2] [--seed 1] [--no-capped] [--no-uncapped] [--keep]
//
// (FEEDLOOM_TEST_REDIS_URL and FEEDLOOM_TEST_POSTGRES_URL are used when the BENCH ones are unset.)
// Capped rows need root and cgroup v1; without them the run says so and measures uncapped only.
// Output: bench/results/distributed-latest.md and stdout. Exit status: 0 every target met; 1 a
// target missed; 2 the run could not measure, or a check failed (a round's feeds differ, ...).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { git, RESULTS_DIR, ROOT, snapshotBuild } from './lib/build.mjs';
import { killAllNow, stopAll } from './lib/children.mjs';
import { waitQuiet } from './lib/proc.mjs';
import { fail, progress, VerifyError } from './lib/verify.mjs';
import { startFarm } from './distributed/farm.mjs';
import { compareFeeds } from './distributed/feeds.mjs';
import { cgroupsUnavailable, Machines } from './distributed/machines.mjs';
import { addRatios, renderReport, verdicts } from './distributed/report.mjs';
import { fleetRound, singleRound } from './distributed/rounds.mjs';

const RESULTS = path.join(RESULTS_DIR, 'distributed-latest.md');

const { values } = parseArgs({
  options: {
    sources: { type: 'string', default: '300' },
    hosts: { type: 'string', default: '50' },
    delay: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
    workers: { type: 'string', default: '1,2,4' },
    cpu: { type: 'string', default: '0.4' },
    'publish-delay': { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    'no-capped': { type: 'boolean', default: false },
    'no-uncapped': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const settings = {
  sources: Number(values.sources),
  hosts: Number(values.hosts),
  delay: Number(values.delay),
  concurrency: Number(values.concurrency),
  workers: values.workers.split(',').map(Number),
  cpu: Number(values.cpu),
  publishDelay: Number(values['publish-delay']),
  seed: Number(values.seed),
};
const REDIS_URL = process.env.FEEDLOOM_BENCH_REDIS_URL ?? process.env.FEEDLOOM_TEST_REDIS_URL;
const POSTGRES_URL = process.env.FEEDLOOM_BENCH_POSTGRES_URL ?? process.env.FEEDLOOM_TEST_POSTGRES_URL;

/** site.yaml: the same for every mode but for fetch.overall and the fleet's one tick. */
function siteYaml({ overall, schedule }) {
  return `# Written by bench/distributed.mjs.
title: Fleet benchmark
url: https://news.example/
language: en
timezone: UTC
schedule: "${schedule}"
fetch:
  per_host: 2
  overall: ${overall}
feeds:
  - id: first-sources
    title: The first ten sources
    sources: "news-000*"
    limit: 1000
  - id: economy
    title: Économie
    category: [Économie]
    limit: 200
`;
}

/** A sources/ folder: site.yaml and one <id>.yaml per farm source. */
function writeSources(dir, farmSources, site) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'site.yaml'), siteYaml(site));
  for (const source of farmSources) writeFileSync(path.join(dir, `${source.id}.yaml`), `kind: feed\nurl: ${source.url}\n`);
}

/** Every configuration to run, in the report's order. */
function configurations(capped, uncapped) {
  const { workers, concurrency: C, cpu } = settings;
  const largest = Math.max(...workers) * C;
  const rows = [];
  const fleets = (group, cap) => workers.map((count) => ({ kind: 'fleet', group, workers: count, cap, concurrency: count * C, name: `fleet, ${count} ${group} worker${count === 1 ? '' : 's'}` }));
  if (capped) {
    rows.push(...fleets('capped', cpu));
    rows.push({ kind: 'single', group: 'capped', cap: cpu, concurrency: largest, name: `feedloom run, capped, overall ${largest}` });
    if (largest !== C) rows.push({ kind: 'single', group: 'capped', cap: cpu, concurrency: C, name: `feedloom run, capped, overall ${C}` });
  }
  if (uncapped) {
    rows.push(...fleets('uncapped', undefined));
    rows.push({ kind: 'single', group: 'uncapped', cap: undefined, concurrency: largest, name: `feedloom run, uncapped, overall ${largest}` });
  }
  return rows;
}

async function main() {
  if (!REDIS_URL || !POSTGRES_URL) fail('set FEEDLOOM_BENCH_REDIS_URL and FEEDLOOM_BENCH_POSTGRES_URL (or the FEEDLOOM_TEST_ ones)');
  const largest = Math.max(...settings.workers) * settings.concurrency;
  if (settings.hosts * 2 <= largest) fail(`--hosts ${settings.hosts} × 2 requests per host must exceed the largest total concurrency, ${largest}, or the per-host limit caps the run`);
  if (settings.hosts > 250) fail('--hosts: at most 250 loopback hosts');
  const unavailable = values['no-capped'] ? undefined : cgroupsUnavailable();
  if (unavailable) progress(`cgroups: ${unavailable}; measuring uncapped only`);
  const capped = !values['no-capped'] && !unavailable;
  const rows = configurations(capped, !values['no-uncapped']);
  if (rows.length === 0) fail('nothing to run: --no-capped and --no-uncapped together');
  if (capped && Math.max(...settings.workers) * settings.cpu > os.cpus().length - 0.3) progress(`warning: ${Math.max(...settings.workers)} machines of ${settings.cpu} CPUs leave little of ${os.cpus().length} CPUs for Redis, PostgreSQL and the farm`);

  const machines = new Machines(!unavailable);
  const work = mkdtempSync(path.join(os.tmpdir(), 'feedloom-fleet-bench-'));
  const build = snapshotBuild(path.join(ROOT, 'dist', 'cli.js'), 'distributed');
  const cleanUp = () => {
    machines.removeAll();
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    rmSync(build.snapshot, { recursive: true, force: true });
  };
  // Rounds under way register how to undo what they made (a schema, Redis keys), for a signal.
  const undoOnSignal = new Set();
  let interrupted;
  process.on('exit', () => {
    killAllNow();
    machines.removeAll();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = signal;
      progress(`bench:distributed: ${signal}, stopping the processes and removing the rounds' schemas, keys and cgroups`);
      setTimeout(() => process.exit(2), 15_000).unref();
      void (async () => {
        killAllNow();
        for (const undo of undoOnSignal) await undo().catch(() => undefined);
        cleanUp();
        process.exit(2);
      })();
    });
  }
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  let farm;
  try {
    farm = await startFarm({ sources: settings.sources, hosts: settings.hosts, delayMs: settings.delay, seed: settings.seed });
    settings.items = farm.sources.reduce((sum, source) => sum + source.items, 0);
    const fleetSources = path.join(work, 'sources-fleet');
    writeSources(fleetSources, farm.sources, { overall: largest, schedule: '0 0 0 1 1 *' });
    const singleSources = new Map();
    const sourcesFor = (overall) => {
      if (!singleSources.has(overall)) {
        const dir = path.join(work, `sources-single-${overall}`);
        writeSources(dir, farm.sources, { overall, schedule: '0 0 0 1 1 *' });
        singleSources.set(overall, dir);
      }
      return singleSources.get(overall);
    };
    const bench = {
      cli: build.cli,
      redisUrl: REDIS_URL,
      postgresUrl: POSTGRES_URL,
      admin,
      machines,
      farm,
      work,
      sourceCount: settings.sources,
      concurrency: settings.concurrency,
      publishDelay: settings.publishDelay,
      fleetSources,
      writeFleetSite: (schedule) => writeFileSync(path.join(fleetSources, 'site.yaml'), siteYaml({ overall: largest, schedule })),
      roundTimeoutMs: 15 * 60_000,
      compareFeeds,
      undoOnSignal,
    };
    progress(`${settings.sources} sources (${settings.items} items) on ${settings.hosts} hosts, ${settings.delay} ms a response; workers --concurrency ${settings.concurrency}${capped ? `, capped at ${settings.cpu} CPUs each` : ''}`);

    // The first single process is the reference: its entry counts and feeds, after its first
    // and its second pass, are every configuration's first and steady rounds'.
    const first = rows.find((row) => row.kind === 'single' && row.group === 'uncapped') ?? rows.find((row) => row.kind === 'single' && row.concurrency === largest);
    const order = [first, ...rows.filter((row) => row !== first)];
    let reference;
    for (const row of order) {
      if (interrupted) fail(`stopped by ${interrupted}`);
      const quiet = await waitQuiet(0.3, 20_000);
      try {
        row.result = row.kind === 'single' ? await singleRound(bench, { cap: row.cap, sourcesDir: sourcesFor(row.concurrency), label: row.name }, reference) : await fleetRound(bench, { workers: row.workers, cap: row.cap, label: row.name }, reference);
        if (quiet.gaveUp) row.result.notes.push(`the machine was busy before the round (${quiet.busy.toFixed(2)} cores in use by others)`);
      } catch (error) {
        if (!(error instanceof VerifyError)) throw error;
        row.error = error.message;
        progress(`${row.name}: ${error.message}`);
        if (!reference) throw error;
        continue;
      }
      if (!reference) reference = { first: { entries: row.result.first.entries, outDir: row.result.first.outDir }, steady: { entries: row.result.entries, outDir: row.result.outDir } };
      progress(`${row.name}: ${row.result.seconds.toFixed(2)} s, ${row.result.cpuSeconds.toFixed(2)} CPU s${row.result.problems.length > 0 ? `; ${row.result.problems.length} checks failed` : ''}`);
    }

    addRatios(rows, settings.sources);
    const verdictLines = verdicts(rows);
    const report = renderReport({ rows, settings, verdictLines, reference, build: git('rev-parse', '--short', 'HEAD') ?? 'unknown', unavailable });
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, report);
    process.stdout.write(report);
    if (rows.some((row) => row.error || row.result.problems.length > 0)) return 2;
    return verdictLines.every((verdict) => verdict.pass) ? 0 : 1;
  } finally {
    await farm?.stop();
    await stopAll();
    await admin.end();
    cleanUp();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`\nBENCH FAILED: ${error instanceof Error ? error.message : error}\n`);
  process.exitCode = error instanceof VerifyError ? 2 : 1;
}
