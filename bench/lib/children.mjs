// Child processes a benchmark starts (servers, load generators, profilers), each in its own
// process group so that what it forks (nginx's workers, cluster workers) goes with it, and all of
// them ended at the end: on return, on error, and on SIGINT/SIGTERM/SIGHUP.
import { spawn } from 'node:child_process';
import { progress } from './verify.mjs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** spawn() in a new process group; the child gets `exited` (a promise of { code, signal }) and `leaderGone`. */
export function startChild(command, argv, options = {}) {
  const child = spawn(command, argv, { ...options, detached: true });
  children.add(child);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.exited.then(() => {
    // The group may outlive its leader (nginx workers): it is still ours to end.
    child.leaderGone = true;
  });
  child.once('error', () => {});
  return child;
}

/** Stops tracking a child that has ended by itself (a finished wrk run). */
export function forgetChild(child) {
  children.delete(child);
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Gone already.
  }
}

function groupAlive(child) {
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the group, wait for it to go, SIGKILL what is left. */
export async function stopChild(child, graceMs = 5000) {
  if (!children.has(child)) return;
  signalGroup(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (groupAlive(child) || !child.leaderGone)) await sleep(50);
  if (groupAlive(child)) signalGroup(child, 'SIGKILL');
  await Promise.race([child.exited, sleep(1000)]);
  children.delete(child);
}

export async function stopAll() {
  await Promise.all([...children].map((child) => stopChild(child)));
}

/** Last resort when the process is going down anyway: no waiting possible. */
export function killAllNow() {
  for (const child of children) signalGroup(child, 'SIGKILL');
  children.clear();
}

/** Kills every child when this process exits, and on a signal also runs `cleanup` and exits 2. */
export function endChildrenOnExit(name, cleanup = () => {}) {
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      progress(`${name}: ${signal}, stopping children`);
      killAllNow();
      cleanup();
      process.exit(2);
    });
  }
}

/** `taskset -c <cpu>` in front of a command when a CPU is given (to pin a server and its load apart). */
export function pinned(cpu, command, argv) {
  return cpu === undefined ? [command, argv] : ['taskset', ['-c', String(cpu), command, ...argv]];
}
