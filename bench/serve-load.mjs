// Load test of `feedloom serve` against nginx serving the same out/, both on loopback, driven by
// wrk (suggested script: `"bench:serve": "node bench/serve-load.mjs"`, after `npm run build`).
//
// Measured with wrk -t<threads> -c<connections> -d<duration>s --latency, for each server:
//   200  GET /rss.xml, Accept-Encoding: gzip                       (a compressed 200 each time)
//   304  GET /rss.xml, Accept-Encoding: gzip, If-None-Match: <the ETag that server returned>
// Then a soak against feedloom alone (200 and 304 requests alternating) with the server's VmRSS
// read from /proc/<pid>/status every 5 s. A small wrk Lua script counts every status other than
// the expected one; wrk's socket errors (connect, read, write, timeout) are reported beside it.
// The table goes to stdout and to bench/results/serve-load-latest.md.
//
//   node bench/serve-load.mjs [--duration 15] [--soak 60] [--threads 2] [--connections 64]
//                             [--warmup 3] [--soak-warmup 20] [--repeats 1] [--retries 2]
//                             [--max-wait 120] [--out DIR] [--sources DIR] [--cli FILE]
//                             [--workers N] [--node-env production] [--no-floor] [--profile]
//
// wrk runs with -t2 by default (-t1 leaves wrk itself the bottleneck at these rates).
// --out        serve this out/ instead of one made by a pass over --sources into a temp folder.
// --workers N  variant: N feedloom serve processes sharing the port through node:cluster (a
//              wrapper written into the temp folder). The default, 1, is plain `feedloom serve`.
// --node-env   variant: run feedloom with NODE_ENV set to this value.
//              A variant's table goes to serve-load-latest-<variant>.md, not serve-load-latest.md.
// --retries N  run a case again, up to N times, when other processes used more than 0.1 core
//              during it; the least disturbed attempt is reported, errors count over all.
// --max-wait   before each run, wait up to this many seconds for the machine to be quiet (under
//              0.15 core busy): others' tests on the same cores skew every number. 0: no wait.
// --no-floor   skip the reference rows: a bare node:http server answering from memory with
//              feedloom's headers and body (no target; what node:http itself costs).
// --profile    instead of the comparison: per case (200, 304), a fresh feedloom under
//              `node --cpu-prof` (self and total time per function), then, when perf works, one
//              under `node --perf-basic-prof` with `perf record -g` (on-CPU, kernel included);
//              feedloom pinned to CPU 0 and wrk to CPU 1. Written to
//              bench/results/serve-load-profile.md and serve-load-{200,304}.cpuprofile.
//
// The machine this was written on has 2 cores shared by wrk, nginx and feedloom, so throughput
// is a ratio between the two servers measured the same way, not an absolute capacity.
// Every child (nginx, feedloom, wrk) runs in its own process group and is killed at the end,
// on error and on SIGINT/SIGTERM too.
//
// Exit status: 0 all targets pass; 1 a target failed; 2 the run could not measure (a server
// did not start, the 304 precondition did not hold, wrk printed no result, ...).
//
// The servers are in bench/serve-load/servers.mjs, the load in load.mjs, the report in
// report.mjs, --profile in profile.mjs; process groups, /proc, wrk and the build snapshot in
// bench/lib/.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RESULTS_DIR, ROOT, snapshotBuild } from './lib/build.mjs';
import { endChildrenOnExit, stopAll, stopChild } from './lib/children.mjs';
import { progress, VerifyError } from './lib/verify.mjs';
import { loadOn } from './serve-load/load.mjs';
import { profileMode } from './serve-load/profile.mjs';
import { buildIdentity, buildReport, CASES, RSS_SAMPLE_MS } from './serve-load/report.mjs';
import { probe, startFeedloom, startFloor, startNginx } from './serve-load/servers.mjs';

const RESULTS = path.join(RESULTS_DIR, 'serve-load-latest.md');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    soak: { type: 'string', default: '60' },
    'soak-warmup': { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '1' },
    retries: { type: 'string', default: '2' },
    'max-wait': { type: 'string', default: '120' },
    out: { type: 'string' },
    sources: { type: 'string', default: path.join(ROOT, 'sources') },
    cli: { type: 'string', default: path.join(ROOT, 'dist', 'cli.js') },
    workers: { type: 'string', default: '1' },
    'node-env': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (args.help) {
  const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0];
  process.stdout.write(`${header.replace(/^\/\/ ?/gm, '')}\n`);
  process.exit(0);
}

function positiveInt(name) {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`serve-load: --${name} must be a positive integer\n`);
    process.exit(2);
  }
  return value;
}

/** Everything the servers, the load and the report need to know about this run. */
const setup = {
  duration: positiveInt('duration'),
  soak: positiveInt('soak'),
  soakWarmup: positiveInt('soak-warmup'),
  threads: positiveInt('threads'),
  connections: positiveInt('connections'),
  warmup: Number(args.warmup),
  repeats: positiveInt('repeats'),
  retries: Number(args.retries),
  maxWaitS: Number(args['max-wait']),
  workers: positiveInt('workers'),
  nodeEnv: args['node-env'],
  sources: args.sources,
  host: '127.0.0.1',
  path: '/rss.xml',
  /** The run's temp folder and the build snapshot, removed at the end. */
  tmp: undefined,
  snapshot: undefined,
  build: 'unknown',
};

function cleanupFiles() {
  for (const dir of [setup.snapshot, setup.tmp]) if (dir) rmSync(dir, { recursive: true, force: true });
  setup.snapshot = undefined;
  setup.tmp = undefined;
}
endChildrenOnExit('serve-load', cleanupFiles);

/** The out/ to serve: --out as given, or one made by a pass over --sources. */
function makeOut(cli) {
  if (args.out) {
    if (!existsSync(path.join(args.out, 'rss.xml'))) throw new VerifyError(`--out ${args.out} has no rss.xml`);
    return realpathSync(args.out);
  }
  const out = path.join(setup.tmp, 'out');
  const result = spawnSync(process.execPath, [cli, 'run', '--sources', setup.sources, '--out', out, '--state', path.join(setup.tmp, 'pass-state.db')], {
    encoding: 'utf8',
    env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'warn' },
  });
  if (result.status !== 0) throw new VerifyError(`the pass that makes out/ failed (${result.status}):\n${result.stderr}${result.stdout}`);
  if (!existsSync(path.join(out, 'rss.xml'))) throw new VerifyError('the pass made no rss.xml');
  return realpathSync(out);
}

const { measure, soak } = loadOn(setup);

async function main() {
  setup.tmp = mkdtempSync(path.join(os.tmpdir(), 'feedloom-serve-load-'));
  // nginx's workers drop root for nobody: they must be able to walk into the temp folder.
  chmodSync(setup.tmp, 0o755);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const builtCli = path.resolve(args.cli);
  if (!existsSync(builtCli)) throw new VerifyError(`${builtCli} does not exist: run npm run build first`);
  const { snapshot, cli } = snapshotBuild(builtCli, 'serve');
  setup.snapshot = snapshot;
  setup.build = buildIdentity(snapshot);
  progress(`serve-load: build ${setup.build}`);
  const out = makeOut(cli);
  if (args.profile) return profileMode(setup, cli, out, measure);

  progress(`serve-load: out ${out}; wrk -t${setup.threads} -c${setup.connections}, ${setup.duration}s per case, ${setup.soak}s soak`);
  const feedloom = await startFeedloom(setup, cli, out);
  const nginx = await startNginx(setup, out);
  const probes = { feedloom: await probe(setup, 'feedloom', feedloom.port), nginx: await probe(setup, 'nginx', nginx.port) };
  const floor = !args['no-floor'] ? await startFloor(setup, probes.feedloom) : undefined;
  if (floor) probes[floor.name] = await probe(setup, floor.name, floor.port);
  const servers = [feedloom, nginx, ...(floor ? [floor] : [])];
  const results = Object.fromEntries(servers.map((server) => [server.name, {}]));
  for (const kase of CASES) {
    progress(`case ${kase.label}`);
    for (const server of servers) results[server.name][kase.key] = await measure(server, probes[server.name], kase);
  }
  await stopChild(nginx.child);
  if (floor) await stopChild(floor.child);
  progress(`soak: feedloom, ${setup.soakWarmup}s warm-up then ${setup.soak}s, 200/304 alternating, VmRSS every ${RSS_SAMPLE_MS / 1000}s`);
  const soakResult = await soak(feedloom, probes.feedloom);
  progress(`  RSS ${soakResult.samples.map((x) => x.mb.toFixed(1)).join(' ')} MB`);
  await stopChild(feedloom.child);

  const { markdown, pass } = buildReport(setup, { results, soakResult, probes });
  // A variant (--workers, --node-env) does not overwrite the plain single-process result.
  const variant = [setup.workers > 1 ? `workers-${setup.workers}` : '', setup.nodeEnv !== undefined ? `node-env-${setup.nodeEnv || 'empty'}` : ''].filter(Boolean).join('-');
  const resultsFile = variant ? RESULTS.replace(/\.md$/, `-${variant.replace(/[^\w.-]/g, '_')}.md`) : RESULTS;
  writeFileSync(resultsFile, markdown);
  process.stdout.write(markdown);
  progress(`written: ${path.relative(ROOT, resultsFile)}`);
  return pass ? 0 : 1;
}

let status;
try {
  status = await main();
} catch (error) {
  progress(`serve-load: ${error instanceof VerifyError ? error.message : error?.stack ?? error}`);
  status = 2;
} finally {
  await stopAll();
  cleanupFiles();
}
process.exitCode = status;
