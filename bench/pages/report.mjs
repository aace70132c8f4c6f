// The Markdown report of the page benchmark (bench/run.mjs): the machine and the build, one row
// per size and case (medians, with the ratio to the floor), the targets at TARGET_N, and every
// run for latest.md.
import os from 'node:os';
import { changedSourceFiles, git } from '../lib/build.mjs';

export const TARGET_N = 10_000;
/** Wall time as a multiple of the floor's, and peak RSS, at TARGET_N. */
// The cold pass's target is 5× the floor for now; 3× is the goal beyond it (README, Benchmarks).
export const TARGETS = { cold: 5, unchanged: 1, changed: 1.5, rssMb: 250 };

export function table(rows) {
  const floorMs = new Map(rows.filter((row) => row.key === 'floor').map((row) => [row.n, row.wallMs]));
  const lines = ['| N | case | wall ms | peak RSS MB | ratio to the floor |', '|---:|---|---:|---:|---:|'];
  for (const row of rows) {
    const ratio = row.wallMs / floorMs.get(row.n);
    lines.push(`| ${row.n.toLocaleString('en-US')} | ${row.label} | ${row.wallMs.toFixed(0)} | ${row.rssMb.toFixed(1)} | ${ratio.toFixed(2)}× |`);
  }
  return lines.join('\n');
}

/** Every run, not just the medians: for latest.md, to show how noisy the machine was. */
export function runDetails(rows) {
  const lines = ['Every run (wall ms / peak RSS MB):', ''];
  for (const row of rows) {
    const runs = row.walls.map((wall, i) => `${wall.toFixed(0)} / ${row.rsses[i].toFixed(1)}`).join(', ');
    lines.push(`- N = ${row.n.toLocaleString('en-US')}, ${row.label}: ${runs}`);
  }
  return lines.join('\n');
}

export function checkTargets(rows) {
  const at = rows.filter((row) => row.n === TARGET_N);
  if (at.length === 0) return { lines: [`Targets apply at N = ${TARGET_N.toLocaleString('en-US')}, which was not measured: not checked.`], failed: false };
  const floor = at.find((row) => row.key === 'floor').wallMs;
  const byKey = Object.fromEntries(at.map((row) => [row.key, row]));
  const checks = [
    ['cold pass', byKey.cold.wallMs / floor, TARGETS.cold, (v) => `${v.toFixed(2)}× floor`, `≤ ${TARGETS.cold}× floor`],
    ['nothing changed', byKey.unchanged.wallMs / floor, TARGETS.unchanged, (v) => `${v.toFixed(2)}× floor`, `≤ ${TARGETS.unchanged}× floor`],
    ['1% changed', byKey.changed.wallMs / floor, TARGETS.changed, (v) => `${v.toFixed(2)}× floor`, `≤ ${TARGETS.changed}× floor`],
    // The worst single run of any pass, not a median: a peak is a peak.
    ['peak RSS', Math.max(...at.filter((row) => row.key !== 'floor').map((row) => row.maxRssMb)), TARGETS.rssMb, (v) => `${v.toFixed(1)} MB`, `≤ ${TARGETS.rssMb} MB`],
  ];
  const lines = [`Targets at N = ${TARGET_N.toLocaleString('en-US')}:`, ''];
  let failed = false;
  for (const [name, value, limit, show, wanted] of checks) {
    const pass = value <= limit;
    failed ||= !pass;
    lines.push(`- ${pass ? 'PASS' : 'FAIL'} ${name}: ${show(value)} (target ${wanted})`);
  }
  return { lines, failed };
}

export function environment(options) {
  // git() is undefined when git is missing or this is not a clone; the report then says so.
  const dirty = changedSourceFiles() > 0 ? ' (src/ has uncommitted changes)' : '';
  return [
    `Run ${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length} · ${os.platform()} ${os.release()}`,
    `Commit ${git('rev-parse', '--short', 'HEAD') ?? 'unknown'}${dirty} · ${options.repeats} runs per case, median shown · seed ${options.seed}`,
    `CLI ${options.cliLabel} (snapshot taken at start)`,
    // Other work on the machine skews wall times; the load average says how much there was.
    `Load average (1 min) at start ${options.loadAtStart.toFixed(2)}, at end ${os.loadavg()[0].toFixed(2)}, on ${os.cpus().length} CPUs`,
  ];
}
