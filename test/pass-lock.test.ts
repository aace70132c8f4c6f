// The pass lock of a SQLite state, the way it broke: many processes starting at the same instant
// (one holder, never two), a holder killed with SIGKILL (its lock goes with it), a lock file
// holding any pid (it means nothing), and a live holder (never taken over while it lives).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockError } from '../src/errors.js';
import { acquireFileLock, passLockFile } from '../src/store/file-lock.js';
import { buildIfStale, ROOT } from './support/built-cli.js';
import { TempDirs } from './support/feed-site.js';

const temps = new TempDirs();
let lockFile: string;
const LOCK_MODULE = path.join(ROOT, 'dist', 'store', 'file-lock.js');

// A process that waits for the given instant, tries the lock, holds it `holdMs` if it got it,
// and reports when it held it.
const CONTENDER = `
import { acquireFileLock } from ${JSON.stringify(LOCK_MODULE)};
const [file, startAt, holdMs] = process.argv.slice(1);
while (Date.now() < Number(startAt)) {}
let release;
try {
  release = acquireFileLock(file);
} catch (error) {
  console.log(JSON.stringify({ got: false, code: error.code }));
  process.exit(0);
}
const from = performance.timeOrigin + performance.now();
while (performance.timeOrigin + performance.now() < from + Number(holdMs)) {}
const to = performance.timeOrigin + performance.now();
release();
console.log(JSON.stringify({ got: true, from, to }));
`;

interface Outcome {
  got: boolean;
  code?: string;
  from?: number;
  to?: number;
}

function contender(startAt: number, holdMs: number): Promise<Outcome> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, lockFile, String(startAt), String(holdMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child).then(({ stdout, stderr, code }) => {
    if (code !== 0) throw new Error(`contender exited ${code}: ${stderr}`);
    return JSON.parse(stdout) as Outcome;
  });
}

function finished(child: ChildProcess): Promise<{ stdout: string; stderr: string; code: number | null }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ stdout, stderr, code })));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

beforeAll(() => {
  buildIfStale();
  lockFile = path.join(temps.make('pass-lock'), 'state.db.pass-lock');
}, 120_000);
afterAll(() => temps.cleanup());

describe('the pass lock', () => {
  it('never has two holders when many processes take it at the same instant, in every trial', async () => {
    for (let trial = 0; trial < 5; trial++) {
      // A lock file as a pass killed long ago would leave it: the pid of a process that is gone.
      writeFileSync(lockFile, String(deadPid()));
      // Every contender starts spinning well before the instant, so they really do race.
      const startAt = Date.now() + 1500;
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => contender(startAt, 400)));
      const holders = outcomes.filter((outcome) => outcome.got).sort((a, b) => a.from! - b.from!);
      // One holder at a time: a contender the machine started late may take it after the first
      // let go, never while it held it.
      expect(holders.length).toBeGreaterThanOrEqual(1);
      for (let index = 1; index < holders.length; index++) expect(holders[index]!.from!, `trial ${trial}: ${JSON.stringify(outcomes)}`).toBeGreaterThanOrEqual(holders[index - 1]!.to!);
      expect(outcomes.filter((outcome) => !outcome.got).every((outcome) => outcome.code === 'PASS_LOCKED')).toBe(true);
    }
  }, 60_000);

  it('never has two holders at once when processes keep taking it in turn', async () => {
    const startAt = Date.now() + 1000;
    // Contenders start a few milliseconds apart and hold it briefly: some get it one after another.
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, n) => contender(startAt + n * 15, 40)));
    const held = outcomes.filter((outcome) => outcome.got).sort((a, b) => a.from! - b.from!);
    expect(held.length).toBeGreaterThan(1);
    for (let index = 1; index < held.length; index++) expect(held[index]!.from!).toBeGreaterThanOrEqual(held[index - 1]!.to!);
  }, 60_000);

  it('is released by the kernel when its holder is killed with SIGKILL', async () => {
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `import { acquireFileLock } from ${JSON.stringify(LOCK_MODULE)}; acquireFileLock(${JSON.stringify(lockFile)}); console.log('held'); setInterval(() => {}, 1000);`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    expect(() => acquireFileLock(lockFile)).toThrow(LockError);
    const closed = finished(holder);
    holder.kill('SIGKILL');
    await closed;
    acquireFileLock(lockFile)();
  }, 30_000);

  it('is not a pid in a file: a live pid left in the lock file of an earlier feedloom blocks nothing', () => {
    const state = path.join(path.dirname(lockFile), 'upgraded.db');
    // What an earlier feedloom left: the pid of a live process (this one) in state.db.lock.
    writeFileSync(`${state}.lock`, String(process.pid));
    const release = acquireFileLock(passLockFile(state));
    // Held by this process: a second take is refused, here as in any other process.
    expect(() => acquireFileLock(passLockFile(state))).toThrow(/another feedloom pass holds/);
    release();
    acquireFileLock(passLockFile(state))();
  });
});
