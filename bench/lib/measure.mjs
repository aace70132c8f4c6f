// Measured child processes: wall time from spawn to exit and peak RSS (report-usage.mjs,
// preloaded into the child, writes it at exit), and what a pass left behind: its summary line
// and which files of out/ it touched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './build.mjs';
import { fail, tail } from './verify.mjs';

const REPORT_USAGE = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'report-usage.mjs')).href;

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

/** Modification time of every file under `dir`, by relative name. */
export function fileTimes(dir) {
  const times = new Map();
  for (const name of readdirSync(dir, { recursive: true })) {
    const stat = statSync(path.join(dir, name));
    if (stat.isFile()) times.set(name, stat.mtimeMs);
  }
  return times;
}

/** Names whose modification time differs between two fileTimes() maps (new files included). */
export function changedFiles(before, after) {
  return [...after].filter(([name, mtime]) => before.get(name) !== mtime).map(([name]) => name);
}
