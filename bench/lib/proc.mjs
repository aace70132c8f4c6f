// What /proc says about processes and the machine: CPU seconds and RSS of a process tree, how
// busy the whole machine was, and a wait for it to be quiet (others' work on the same cores
// skews every number).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** `rootPid` and every process below it. */
export function processTree(rootPid) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(name);
    if (stat) parents.set(Number(name), stat.ppid);
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

export function cpuSeconds(pids) {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0), 0) / CLK_TCK;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
export function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = fields[3] + fields[4];
  return { busy: total - idle, total };
}

export const ticksToSeconds = (ticks) => ticks / CLK_TCK;

/** CPU seconds of this process and of its reaped children (wrk, once it has exited). */
export function selfCpu() {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  // utime 14, stime 15, cutime 16, cstime 17 (f[0] is field 3).
  return { own: (f[11] + f[12]) / CLK_TCK, children: (f[13] + f[14]) / CLK_TCK };
}

/** Wait until the machine is quiet: less than `threshold` cores busy over a second (our idle
 * servers included), at most `maxMs`. */
export async function waitQuiet(threshold = 0.15, maxMs = 120_000) {
  const start = Date.now();
  let busy = Infinity;
  while (Date.now() - start < maxMs) {
    const a = machineTicks();
    await sleep(1000);
    const b = machineTicks();
    busy = ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length;
    if (busy < threshold) return { waitedS: (Date.now() - start) / 1000, busy };
  }
  return { waitedS: (Date.now() - start) / 1000, busy, gaveUp: true };
}

/** VmRSS of one process, in MB; throws when it has none (a process that is gone). */
export function rssMb(pid) {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) / 1024;
}

/** VmRSS of a process tree, in MB; a process gone meanwhile counts 0. */
export function treeRssMb(pids) {
  return pids.reduce((sum, pid) => {
    try {
      return sum + rssMb(pid);
    } catch {
      return sum;
    }
  }, 0);
}
