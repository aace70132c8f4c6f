// The Markdown report of bench/serve-load.mjs: the environment, one row per case and server plus
// the soak, the targets checked, and the soak's RSS samples. `setup` is the run's options
// ({ threads, connections, duration, warmup, repeats, soak, soakWarmup, workers, nodeEnv, host,
// path, build }); the numbers come from lib/wrk.mjs runs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { changedSourceFiles, git } from '../lib/build.mjs';
import { fmt, signed } from '../lib/stats.mjs';

export const TARGETS = {
  /** feedloom requests/s as a share of nginx's, for 200s and for 304s. */
  rpsRatio: 0.5,
  /** feedloom p99 latency, ms. */
  p99Ms: 10,
  /** RSS growth allowed over the soak: last sample vs first, max(absolute MB, share of first). */
  rssGrowthMb: 5,
  rssGrowthShare: 0.1,
};
export const RSS_SAMPLE_MS = 5000;
/** A run during which everything else on the machine used more than this is called disturbed. */
export const DISTURBED_CORES = 0.1;

export const CASES = [
  { key: '200', label: '200 (gzip)', expect: '200', headers: () => ({ 'Accept-Encoding': 'gzip' }) },
  { key: '304', label: '304 (If-None-Match)', expect: '304', headers: (probe) => ({ 'Accept-Encoding': 'gzip', 'If-None-Match': probe.etag }) },
];

/** Which code was measured: the commit, whether src/ differed from it, and a hash of the
 * snapshot's dist/serve (others may commit and rebuild while this runs). */
export function buildIdentity(snapshot) {
  const commit = git('log', '-1', '--format=%h %s') || 'unknown commit';
  const dirty = changedSourceFiles();
  const hash = createHash('sha1');
  const serveDir = path.join(snapshot ?? '', 'dist', 'serve');
  if (snapshot && existsSync(serveDir)) {
    for (const name of readdirSync(serveDir).sort()) if (name.endsWith('.js')) hash.update(name).update(readFileSync(path.join(serveDir, name)));
  }
  return `${commit}${dirty ? ` (+${dirty} changed file(s) under src/)` : ''}; dist/serve sha1 ${hash.digest('hex').slice(0, 12)}`;
}

function errorsCell(run) {
  const total = run.allSocketErrors + run.allUnexpected;
  const statuses = Object.entries(run.statuses).map(([k, v]) => `${k}×${fmt(v, 0)}`).join(', ');
  const attempts = run.attempts > 1 ? `; ${run.attempts} attempts, the least disturbed shown` : '';
  return `${total} (socket ${run.allSocketErrors}, unexpected status ${run.allUnexpected}, non-2xx/3xx ${run.allNon2xx3xx}; ${statuses}${attempts})`;
}

function environmentLines(setup, probes) {
  const cpus = os.cpus();
  const nginxVersion = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '');
  const wrkVersion = (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '').split(' ').slice(0, 2).join(' ');
  return [
    `- Date: ${new Date().toISOString()}; host: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, load average at start ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`,
    `- Node ${process.version}; ${nginxVersion}; ${wrkVersion}`,
    `- Build measured (a copy of dist/ taken at start): ${setup.build}`,
    `- Load: \`wrk -t${setup.threads} -c${setup.connections} -d${setup.duration}s --latency --timeout 2s -s status.lua\` on ${setup.host}, ${setup.warmup}s warm-up per case (not counted)` +
      `${setup.repeats > 1 ? `, median of ${setup.repeats} runs by req/s` : ''}; wrk shares the ${cpus.length} cores with the server under test (the other server idles).`,
    `- feedloom: ${setup.workers > 1 ? `${setup.workers} processes (node:cluster)` : 'one process'}, NODE_ENV ${setup.nodeEnv ?? 'unset'}; nginx: worker_processes auto (${os.cpus().length}), gzip on (level 1, per request), etag on, access_log off.`,
    ...(probes['node:http floor'] ? [`- node:http floor (reference, no target): a bare node:http server in one process answering from memory with feedloom's headers and gzip body, ` +
      `no path resolution, cache lookup or negotiation: what node:http itself costs (run-to-run spread here is about ±15%).`] : []),
    `- GET ${setup.path}: feedloom ${probes.feedloom.contentType}, ${probes.feedloom.gzipBytes} B gzip body, ETag ${probes.feedloom.etag}; ` +
      `nginx ${probes.nginx.contentType}, ${probes.nginx.gzipBytes} B gzip body, ETag ${probes.nginx.etag}.`,
  ];
}

function targetChecks(setup, results, soakResult) {
  const f = results.feedloom;
  const n = results.nginx;
  const s = soakResult.run;
  const first = soakResult.samples[0].mb;
  const last = soakResult.samples.at(-1).mb;
  const max = Math.max(...soakResult.samples.map((x) => x.mb));
  const allowedGrowth = Math.max(TARGETS.rssGrowthMb, first * TARGETS.rssGrowthShare);
  const feedloomErrors = CASES.reduce((sum, kase) => sum + f[kase.key].allSocketErrors + f[kase.key].allUnexpected, 0) + s.socketErrors + s.unexpected;
  const checks = [];
  for (const kase of CASES) {
    const ratio = f[kase.key].rps / n[kase.key].rps;
    checks.push({
      target: `${kase.label}: feedloom req/s ≥ ${TARGETS.rpsRatio}× nginx`,
      measured: `${fmt(f[kase.key].rps, 0)} / ${fmt(n[kase.key].rps, 0)} = ${fmt(ratio, 2)}×`,
      pass: ratio >= TARGETS.rpsRatio,
    });
  }
  for (const kase of CASES) {
    checks.push({ target: `${kase.label}: feedloom p99 < ${TARGETS.p99Ms} ms`, measured: `${fmt(f[kase.key].p99Ms, 2)} ms`, pass: f[kase.key].p99Ms < TARGETS.p99Ms });
  }
  checks.push({ target: `(info, no target) soak: feedloom p99`, measured: `${fmt(s.p99Ms, 2)} ms` });
  checks.push({ target: 'feedloom: no errors (socket errors, unexpected statuses), all runs', measured: String(feedloomErrors), pass: feedloomErrors === 0 });
  checks.push({
    target: `soak: no RSS growth (last − first ≤ ${fmt(allowedGrowth, 1)} MB)`,
    measured:
      `first ${fmt(first, 1)} MB, last ${fmt(last, 1)} MB (${signed(last - first)}), max ${fmt(max, 1)} MB; ` +
      `second half ${signed(last - soakResult.samples[Math.floor((soakResult.samples.length - 1) / 2)].mb)} MB`,
    pass: last - first <= allowedGrowth,
  });
  return checks;
}

export function buildReport(setup, { results, soakResult, probes }) {
  const rows = ['| Case | Server | req/s | p50 ms | p99 ms | max ms | CPU cores: server / wrk / other | errors |', '|---|---|---:|---:|---:|---:|---:|---|'];
  const cpuCell = (run) => `${fmt(run.cpuCores, 2)} / ${fmt(run.wrkCores, 2)} / ${fmt(run.otherCores, 2)}`;
  for (const kase of CASES) {
    for (const name of Object.keys(results)) {
      const run = results[name][kase.key];
      rows.push(`| ${kase.label} | ${name} | ${fmt(run.rps, 0)} | ${fmt(run.p50Ms, 2)} | ${fmt(run.p99Ms, 2)} | ${fmt(run.maxMs, 1)} | ${cpuCell(run)} | ${errorsCell(run)} |`);
    }
  }
  const s = soakResult.run;
  s.allSocketErrors = s.socketErrors;
  s.allUnexpected = s.unexpected;
  s.allNon2xx3xx = s.non2xx3xx;
  rows.push(`| soak ${setup.soak}s (after ${setup.soakWarmup}s warm-up), 200/304 alternating | feedloom | ${fmt(s.rps, 0)} | ${fmt(s.p50Ms, 2)} | ${fmt(s.p99Ms, 2)} | ${fmt(s.maxMs, 1)} | ${cpuCell(s)} | ${errorsCell(s)} |`);
  const checks = targetChecks(setup, results, soakResult);

  const lines = [`# feedloom serve vs nginx under load`, '', ...environmentLines(setup, probes), '', ...rows, ''];
  const allRuns = [...CASES.flatMap((kase) => Object.values(results).map((byCase) => byCase[kase.key])), s];
  const disturbed = allRuns.filter((run) => run.otherCores > DISTURBED_CORES);
  if (disturbed.length > 0) {
    lines.push(`**Warning:** other processes used more than ${DISTURBED_CORES} core during ${disturbed.length} of ${allRuns.length} runs (the "other" CPU column): those numbers are disturbed; run again on a quiet machine.`, '');
  }
  lines.push('| Target | Measured | Result |', '|---|---|---|');
  for (const check of checks) lines.push(`| ${check.target} | ${check.measured} | ${check.pass === undefined ? 'info' : check.pass ? 'PASS' : 'FAIL'} |`);
  lines.push('');
  lines.push(`RSS of feedloom serve during the soak (MB, every ${RSS_SAMPLE_MS / 1000} s): ` + soakResult.samples.map((x) => `${fmt(x.t, 0)}s ${fmt(x.mb, 1)}`).join(', '));
  lines.push('');
  lines.push(`"unexpected status" counts responses whose status is not the one the case expects (200; 304; 200 or 304 in the soak), from wrk's Lua response() hook; "socket" is wrk's connect/read/write/timeout errors. CPU cores are CPU seconds over the run divided by its length: the server's processes (nginx: master and workers), wrk, and everything else on the machine (from /proc/stat); ${os.cpus().length} cores is the whole machine.`);
  return { markdown: `${lines.join('\n')}\n`, pass: checks.every((check) => check.pass !== false) };
}
