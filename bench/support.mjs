// Helpers the benchmarks share: failing loudly, medians, reading a pass's summary line, which
// files a pass touched, and a frozen copy of the build to measure.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORT_USAGE = pathToFileURL(path.join(ROOT, 'bench', 'report-usage.mjs')).href;

/** The run could not measure what it claims: exit 2, not a failed target. */
export class VerifyError extends Error {}

export function fail(message) {
  throw new VerifyError(message);
}

export function progress(message) {
  process.stderr.write(`${message}\n`);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function tail(text, lines = 20) {
  return (text ?? '').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The pass's "pass finished" log line, parsed. */
export function passSummary(lines) {
  for (const line of lines.toReversed()) {
    try {
      const record = JSON.parse(line);
      if (record.msg === 'pass finished') return record;
    } catch {
      // Not a JSON line (pretty output, a warning): keep looking.
    }
  }
  return fail(`no "pass finished" log line in the pass's stdout:\n${tail(lines.join('\n'))}`);
}

/** A fresh folder for one pass's out/ and state. */
export function freshWork(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'state'), { recursive: true });
  return { dir, out: path.join(dir, 'out'), state: path.join(dir, 'state', 'state.db') };
}

export function fileTimes(dir) {
  const times = new Map();
  for (const name of readdirSync(dir, { recursive: true })) {
    const stat = statSync(path.join(dir, name));
    if (stat.isFile()) times.set(name, stat.mtimeMs);
  }
  return times;
}

export function changedFiles(before, after) {
  return [...after].filter(([name, mtime]) => before.get(name) !== mtime).map(([name]) => name);
}

/**
 * A copy of the build taken at the start, so a rebuild during a long run (npm test rebuilds
 * dist/) cannot mix two builds in one table.
 */
export function snapshotBuild(cli, label) {
  const snapshot = path.join(ROOT, 'bench', 'results', `.${label}-build-${process.pid}`);
  rmSync(snapshot, { recursive: true, force: true });
  cpSync(path.dirname(cli), path.join(snapshot, 'dist'), { recursive: true });
  const packageJson = path.join(path.dirname(cli), '..', 'package.json');
  if (existsSync(packageJson)) cpSync(packageJson, path.join(snapshot, 'package.json'));
  return { snapshot, cli: path.join(snapshot, 'dist', path.basename(cli)) };
}

/**
 * Runs `node [nodeFlags] args...` to its end: wall time, and peak RSS as report-usage.mjs,
 * loaded into the child, writes it at exit. The exit status is the caller's to judge.
 */
export function measureNode(args, usageFile, nodeFlags = []) {
  rmSync(usageFile, { force: true });
  const started = performance.now();
  const child = spawnSync(process.execPath, [...nodeFlags, '--import', REPORT_USAGE, ...args], {
    cwd: ROOT,
    env: { ...process.env, BENCH_USAGE_FILE: usageFile },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  if (child.error) throw child.error;
  if (!existsSync(usageFile)) fail(`${args.join(' ')} did not report its resource usage\n${tail(child.stderr)}`);
  const rssMb = Number(readFileSync(usageFile, 'utf8')) / 1024;
  return { wallMs, rssMb, status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr, lines: child.stdout.split('\n').filter((line) => line.trim() !== '') };
}
