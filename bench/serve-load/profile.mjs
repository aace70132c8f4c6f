// `bench/serve-load.mjs --profile`: per case, a fresh feedloom under `node --cpu-prof` (self and
// total time per function), then, when perf works, one under `node --perf-basic-prof` with
// `perf record -g` (on-CPU, kernel included). Written to bench/results/serve-load-profile.md and
// serve-load-{200,304}.cpuprofile. `measure(server, probe, kase, { cpu, onStart })` runs one case.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { RESULTS_DIR, ROOT } from '../lib/build.mjs';
import { forgetChild, startChild, stopChild } from '../lib/children.mjs';
import { addOncePerKey, addTo, forEachSample, largest } from '../lib/cpu-profile.mjs';
import { fmt } from '../lib/stats.mjs';
import { progress, VerifyError } from '../lib/verify.mjs';
import { CASES } from './report.mjs';
import { probe, startFeedloom } from './servers.mjs';

const PROFILE_RESULTS = path.join(RESULTS_DIR, 'serve-load-profile.md');

/** "name<TAB>where", where is the file (dist/ or node_modules/ relative) and line. */
function frameKey(frame) {
  const where = frame.url ? `${frame.url.replace(/^file:\/\/.*\/(dist|node_modules)\//, '$1/')}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}\t${where}`;
}

function summarizeProfile(file, top = 25) {
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  forEachSample(file, (frame, us, stack) => {
    total += us;
    addTo(self, frameKey(frame), us);
    // Total time: each sample counts once for every distinct function on its stack.
    addOncePerKey(inclusive, stack().map(frameKey), us);
  });
  const idle = [...self].filter(([key]) => key.startsWith('(idle)')).reduce((sum, [, us]) => sum + us, 0);
  const busy = total - idle;
  const row = ([key, us]) => {
    const [name, where] = key.split('\t');
    return `| ${name} | ${where || '—'} | ${fmt(us / 1000, 0)} | ${fmt((100 * us) / busy, 1)}% |`;
  };
  const rows = largest(self, top, (key) => !key.startsWith('(idle)')).map(row);
  const inclusiveRows = largest(inclusive, top, (key) => /\t(dist\/|node:_http|node:internal\/streams|node:fs|node:path|node:zlib|node:crypto)/.test(key)).map(row);
  return { total, idle, busy, rows, inclusiveRows };
}

function perfWorks(tmp) {
  const check = spawnSync('perf', ['record', '-q', '-o', path.join(tmp, 'perf-check.data'), '--', 'true'], { encoding: 'utf8' });
  return check.status === 0;
}

/** perf report lines: "  40.36%  0.87%  [.] JS:*resolveRequestPath file:///…/request-path.js:6:35". */
function perfTop(dataFile, children, top) {
  const report = spawnSync('perf', ['report', '-i', dataFile, children ? '--children' : '--no-children', '--sort', 'sym', '--stdio', '-g', 'none'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const rows = [];
  for (const line of report.stdout.split('\n')) {
    const match = children ? /^\s+([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(.*)$/.exec(line) : /^\s+([\d.]+)%\s+\[(.)\]\s+(.*)$/.exec(line);
    if (!match) continue;
    const [total, self, space, symbol] = children ? match.slice(1) : [match[1], match[1], match[2], match[3]];
    rows.push({ total: Number(total), self: Number(self), space: space === 'k' ? 'kernel' : 'user', symbol: symbol.replace(/file:\/\/\S*\/(dist\/\S+)/, '$1').trim() });
  }
  return rows.slice(0, top);
}

async function cpuProfileCase(setup, cli, out, kase, cpus, measure) {
  const dir = path.join(setup.tmp, `prof-${kase.key}`);
  mkdirSync(dir, { recursive: true });
  const server = await startFeedloom(setup, cli, out, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir], cpu: cpus.server });
  const probeResult = await probe(setup, 'feedloom', server.port);
  progress(`profile ${kase.label}: node --cpu-prof`);
  const run = await measure(server, probeResult, kase, { cpu: cpus.wrk });
  await stopChild(server.child, 15_000);
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new VerifyError(`no .cpuprofile written in ${dir}`);
  const lines = [`## ${kase.label}`, '', `### node --cpu-prof: ${fmt(run.rps, 0)} req/s, p99 ${fmt(run.p99Ms, 2)} ms with the profiler on`, ''];
  for (const name of files) {
    const summary = summarizeProfile(path.join(dir, name));
    lines.push(`${fmt(summary.total / 1e6, 1)} s sampled, ${fmt(summary.busy / 1e6, 1)} s busy. Self time:`, '');
    lines.push('| Function | Where | self ms | share of busy |', '|---|---|---:|---:|', ...summary.rows, '');
    lines.push('Total time (the function and what it calls), feedloom and node:http frames:', '');
    lines.push('| Function | Where | total ms | share of busy |', '|---|---|---:|---:|', ...summary.inclusiveRows, '');
    cpSync(path.join(dir, name), path.join(RESULTS_DIR, `serve-load-${kase.key}.cpuprofile`));
  }
  return lines;
}

async function perfCase(setup, cli, out, kase, cpus, measure) {
  const server = await startFeedloom(setup, cli, out, { nodeArgs: ['--perf-basic-prof'], cpu: cpus.server });
  const probeResult = await probe(setup, 'feedloom', server.port);
  progress(`profile ${kase.label}: perf record`);
  const dataFile = path.join(setup.tmp, `perf-${kase.key}.data`);
  let perf;
  const run = await measure(server, probeResult, kase, {
    cpu: cpus.wrk,
    onStart: () => {
      if (perf) return;
      perf = startChild('perf', ['record', '-q', '-F', '999', '-g', '-o', dataFile, '-p', String(server.child.pid), '--', 'sleep', String(Math.max(1, setup.duration - 2))], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    },
  });
  if (perf) {
    await perf.exited;
    forgetChild(perf);
  }
  const serverPid = server.child.pid;
  await stopChild(server.child, 15_000);
  const lines = [`### perf: ${fmt(run.rps, 0)} req/s, p99 ${fmt(run.p99Ms, 2)} ms, server ${fmt(run.cpuCores, 2)} cores`, ''];
  if (perf && existsSync(dataFile)) {
    const rows = perfTop(dataFile, true, 400);
    const interesting = rows.filter((row) => /JS:|node::fs|uv_fs|uv__fs|sys_write|tcp_sendmsg\b|writev|__libc_write|llhttp|statx|Scavenge|MarkCompact|Heap::CollectGarbage|do_syscall_64/.test(row.symbol));
    lines.push('Total (children) share of on-CPU samples, selected frames:', '');
    lines.push('| Frame | space | total | self |', '|---|---|---:|---:|');
    for (const row of interesting.slice(0, 40)) lines.push(`| \`${row.symbol.replaceAll('|', '\\|')}\` | ${row.space} | ${fmt(row.total, 1)}% | ${fmt(row.self, 1)}% |`);
    lines.push('');
    lines.push('Top self:', '', '| Frame | space | self |', '|---|---|---:|');
    for (const row of perfTop(dataFile, false, 20)) lines.push(`| \`${row.symbol.replaceAll('|', '\\|')}\` | ${row.space} | ${fmt(row.self, 1)}% |`);
    lines.push('');
  } else {
    lines.push('perf wrote no data.', '');
  }
  rmSync(`/tmp/perf-${serverPid}.map`, { force: true });
  return lines;
}

export async function profileMode(setup, cli, out, measure) {
  // Pinned apart (feedloom on CPU 0, wrk on CPU 1) so the profile is the server's own work, not
  // time spent waiting for a core: V8's sampler charges a descheduled thread to whatever native
  // call it was in (a socket write, usually), which makes those look far costlier than they are.
  const cpus = os.cpus().length >= 2 ? { server: 0, wrk: 1 } : { server: undefined, wrk: undefined };
  const withPerf = perfWorks(setup.tmp);
  const lines = ['# feedloom serve under load: CPU profiles', '', `- Build: ${setup.build}`];
  lines.push(
    `- wrk -t${setup.threads} -c${setup.connections} -d${setup.duration}s on ${setup.host}, one fresh feedloom process per case and profiler` +
      `${cpus.server === undefined ? '' : '; feedloom pinned to CPU 0 and wrk to CPU 1 (taskset)'}.`,
    '- `node --cpu-prof`: V8 samples of the JS thread (self time, idle excluded). Native calls include time spent descheduled.',
    withPerf
      ? '- `perf record -g` with `node --perf-basic-prof`: on-CPU samples of the whole process, kernel included (total = the function and what it calls).'
      : '- perf is not available here: only the V8 profile.',
    '',
  );
  for (const kase of CASES) {
    lines.push(...(await cpuProfileCase(setup, cli, out, kase, cpus, measure)));
    if (withPerf) lines.push(...(await perfCase(setup, cli, out, kase, cpus, measure)));
  }
  const markdown = `${lines.join('\n')}\n`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(PROFILE_RESULTS, markdown);
  process.stdout.write(markdown);
  progress(`written: ${path.relative(ROOT, PROFILE_RESULTS)} and bench/results/serve-load-{200,304}.cpuprofile`);
}
