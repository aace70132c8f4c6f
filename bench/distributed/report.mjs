// The fleet benchmark's report: one table row per configuration, the verdicts against the
// targets, what the checks found wrong, and what the fleet did that is worth knowing.
import os from 'node:os';
import { fmt } from '../lib/stats.mjs';
import { NEW_ITEMS_PER_VERSION } from './documents.mjs';

export const TARGETS = { scaling: { 2: 1.8, 4: 3.2 }, cpuPerSource: 1.1 };

const ratio = (value) => (value === undefined || !Number.isFinite(value) ? '—' : `${fmt(value, 2)}×`);

/**
 * The single process a fleet row's CPU is held against: the one in the same group (capped or
 * not) whose fetch.overall is nearest the fleet's total concurrency.
 */
function singleFor(row, rows) {
  const singles = rows.filter((other) => other.kind === 'single' && other.group === row.group && other.result);
  return singles.sort((a, b) => Math.abs(a.concurrency - row.concurrency) - Math.abs(b.concurrency - row.concurrency))[0];
}

/** Adds each row's ratios: throughput against one worker of its group, CPU against its single. */
export function addRatios(rows, sourceCount) {
  for (const row of rows) {
    if (!row.result) continue;
    row.rate = sourceCount / row.result.seconds;
    row.cpuPerSource = row.result.cpuSeconds / sourceCount;
  }
  for (const row of rows) {
    if (!row.result) continue;
    const one = rows.find((other) => other.kind === 'fleet' && other.group === row.group && other.workers === 1 && other.result);
    row.scaling = one ? row.rate / one.rate : undefined;
    if (row.kind === 'fleet') {
      row.single = singleFor(row, rows);
      row.cpuRatio = row.single ? row.cpuPerSource / row.single.cpuPerSource : undefined;
    }
  }
}

export function verdicts(rows) {
  const lines = [];
  const capped = rows.filter((row) => row.group === 'capped' && row.kind === 'fleet');
  for (const [workers, target] of Object.entries(TARGETS.scaling)) {
    const row = capped.find((candidate) => candidate.workers === Number(workers));
    if (row?.scaling === undefined || row.workers === 1) continue;
    lines.push({ pass: row.scaling >= target, line: `${workers} capped workers: ${ratio(row.scaling)} the throughput of 1 capped worker (target ≥ ${target}×)` });
  }
  for (const group of ['capped', 'uncapped']) {
    const fleet = rows.filter((row) => row.group === group && row.kind === 'fleet' && row.cpuRatio !== undefined);
    if (fleet.length === 0) continue;
    const worst = Math.max(...fleet.map((row) => row.cpuRatio));
    const each = fleet.map((row) => `${row.workers} ${row.workers === 1 ? 'worker' : 'workers'} ${ratio(row.cpuRatio)}`).join(', ');
    lines.push({ pass: worst <= TARGETS.cpuPerSource, line: `${group} workers' CPU per source against the single process's: ${each} (target ≤ ${TARGETS.cpuPerSource}×)` });
  }
  return lines.map((verdict) => ({ ...verdict, line: `- ${verdict.pass ? 'PASS' : 'FAIL'} ${verdict.line}` }));
}

export function renderReport({ rows, settings, verdictLines, reference, build, unavailable }) {
  const table = [
    '| configuration | workers | cap (CPUs) | total concurrency | round s | sources/s | × 1 worker | CPU s per source | × single\'s CPU per source |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      if (!row.result) return `| ${row.name} | ${row.workers ?? '—'} | ${row.cap ?? '—'} | ${row.concurrency} | not measured: ${row.error.split('\n')[0]} | | | | |`;
      return `| ${row.name} | ${row.kind === 'fleet' ? row.workers : '—'} | ${row.cap === undefined ? 'none' : fmt(row.cap, 2)} | ${row.concurrency} | ${fmt(row.result.seconds, 2)} | ${fmt(row.rate, 1)} | ${ratio(row.scaling)} | ${fmt(row.cpuPerSource, 4)} | ${row.kind === 'fleet' ? ratio(row.cpuRatio) : '—'} |`;
    }),
  ];
  const problems = rows.flatMap((row) => [...(row.error ? [row.error] : []), ...(row.result?.problems ?? [])].map((problem) => `- ${row.name}: ${problem}`));
  const notes = rows.flatMap((row) => (row.result?.notes ?? []).map((note) => `- ${row.name}: ${note}`));
  return [
    '# feedloom fleet benchmark',
    '',
    `Run ${new Date().toISOString()} · build ${build} · Node ${process.version} · ${os.cpus().length} CPUs · load average at the end ${os.loadavg().map((load) => fmt(load, 2)).join(' ')}`,
    `${settings.sources} feed sources (RSS 2.0, Atom 1.0, JSON Feed 1.1 in turn; ${settings.items} items, ${reference ? `${reference.first.entries} entries once re-posts merge, ${reference.steady.entries} after the steady round` : 'entries not known'}) on ${settings.hosts} loopback hosts, each response after ${settings.delay} ms, per-host limit 2 across the fleet; workers --concurrency ${settings.concurrency} --publish-delay ${settings.publishDelay}; seed ${settings.seed}.`,
    `Two rounds each: a first on an empty state, then a steady one, after every source gained ${NEW_ITEMS_PER_VERSION} newer items and dropped as many old ones (the fleet: the same workers at a second tick; the single process: a second \`feedloom run\`). The table and the targets are the steady round's; the first rounds are below it.`,
    'Round: from the first job\'s start to the end of the publish that completes it, as the pass records in PostgreSQL say (the single process: its pass record); the gzip and br forms of the files are made after that record. CPU: the worker processes\' (or the single process\'s) cgroup CPU time from the round\'s start to the end of its publish job (the single process: to its exit), the forms included.',
    ...(unavailable ? ['', `Capped rows not run: ${unavailable}; CPU read from /proc instead of cgroups.`] : []),
    '',
    ...table,
    '',
    'First rounds (empty state, new processes; not judged):',
    '',
    '| configuration | round s | sources/s | CPU s per source |',
    '|---|---:|---:|---:|',
    ...rows.filter((row) => row.result?.first).map((row) => `| ${row.name} | ${fmt(row.result.first.seconds, 2)} | ${fmt(settings.sources / row.result.first.seconds, 1)} | ${fmt(row.result.first.cpuSeconds / settings.sources, 4)} |`),
    '',
    ...verdictLines.map((verdict) => verdict.line),
    ...(problems.length > 0 ? ['', '## Checks that failed', '', ...problems] : []),
    ...(notes.length > 0 ? ['', '## What the rounds did', '', ...notes] : []),
    '',
  ].join('\n');
}
