// "Machines" on one host: each measured feedloom process runs in a cgroup (v1) of its own, made
// before the process starts, so the process and every thread it makes are in it from the first
// instruction. A capped machine gets cpu.cfs_quota_us = cap × cpu.cfs_period_us; an uncapped one
// has no quota and is there only so its CPU time can be read (cpuacct.usage, nanoseconds) after
// its threads have come and gone. Without root or cgroup v1, processes run as they are and their
// CPU is read from /proc/<pid>/stat (utime + stime covers all of a process's threads), while
// they live; caps are then impossible and the benchmark says so.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startChild } from '../lib/children.mjs';

const CPU = '/sys/fs/cgroup/cpu';
const CPUACCT = '/sys/fs/cgroup/cpuacct';
const PERIOD_US = 100_000;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** Why cgroups cannot be used here, or undefined when they can. */
export function cgroupsUnavailable() {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (!existsSync(path.join(CPU, 'cpu.cfs_quota_us')) || !existsSync(path.join(CPUACCT, 'cpuacct.usage'))) return `no cgroup v1 cpu and cpuacct hierarchies at ${CPU} and ${CPUACCT}`;
  return undefined;
}

/** The cgroups of one benchmark run, under feedloom-bench-<pid> in both hierarchies. */
export class Machines {
  constructor(useCgroups) {
    this.useCgroups = useCgroups;
    this.parent = `feedloom-bench-${process.pid}`;
    this.groups = [];
    this.count = 0;
  }

  /**
   * Starts `node argv...` on a machine of its own: capped at `cap` CPUs, or uncapped when `cap`
   * is undefined. Returns the child (lib/children.mjs: its own process group) and a meter whose
   * read() gives the CPU seconds the machine has used so far.
   */
  start(argv, cap, options) {
    if (!this.useCgroups) {
      if (cap !== undefined) throw new Error('a capped machine needs cgroups');
      const child = startChild(process.execPath, argv, options);
      return { child, meter: procMeter(child.pid) };
    }
    const name = path.join(this.parent, `m${++this.count}`);
    for (const root of [CPU, CPUACCT]) mkdirSync(path.join(root, name), { recursive: true });
    this.groups.push(name);
    writeFileSync(path.join(CPU, name, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(path.join(CPU, name, 'cpu.cfs_quota_us'), cap === undefined ? '-1' : String(Math.round(cap * PERIOD_US)));
    // The shell joins the groups, then becomes node: nothing of node ever runs outside them.
    const join = `echo $$ > ${path.join(CPU, name, 'cgroup.procs')} && echo $$ > ${path.join(CPUACCT, name, 'cgroup.procs')} && exec "$@"`;
    const child = startChild('sh', ['-c', join, 'sh', process.execPath, ...argv], options);
    const usage = path.join(CPUACCT, name, 'cpuacct.usage');
    return { child, meter: { read: () => Number(readFileSync(usage, 'utf8')) / 1e9 } };
  }

  /**
   * Removes every cgroup made, synchronously (it runs from signal handlers too). A process still
   * in one is moved to the root group first, as rmdir refuses a group with members.
   */
  removeAll() {
    if (!this.useCgroups) return;
    for (const name of [...this.groups, this.parent]) {
      for (const root of [CPU, CPUACCT]) {
        const dir = path.join(root, name);
        if (!existsSync(dir)) continue;
        try {
          for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) writeFileSync(path.join(root, 'cgroup.procs'), pid);
          rmdirSync(dir);
        } catch (error) {
          process.stderr.write(`could not remove cgroup ${dir}: ${error.message}\n`);
        }
      }
    }
    this.groups = [];
  }
}

/** CPU seconds of one live process from /proc; the last value read once it has gone. */
function procMeter(pid) {
  let last = 0;
  return {
    read() {
      try {
        const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        last = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
      } catch {
        // Gone: its CPU up to the last read stands.
      }
      return last;
    },
  };
}

/**
 * Reads every meter's CPU every `everyMs` until stopped, so the CPU between two instants the
 * state records (a round's first job start, its publish end) can be worked out afterwards.
 */
export function sampleCpu(meters, everyMs = 100) {
  const samples = [];
  const take = () => samples.push({ ms: Date.now(), cpu: meters.map((meter) => meter.read()) });
  take();
  const timer = setInterval(take, everyMs);
  const each = (fromMs, toMs) => meters.map((_, i) => cpuAt(samples, i, toMs) - cpuAt(samples, i, fromMs));
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      take();
    },
    /** CPU seconds of each meter between two epoch-ms instants, interpolated between samples. */
    each,
    /** The same, summed over the meters. */
    between: (fromMs, toMs) => each(fromMs, toMs).reduce((sum, cpu) => sum + cpu, 0),
  };
}

function cpuAt(samples, meter, ms) {
  if (ms <= samples[0].ms) return samples[0].cpu[meter];
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    if (ms <= b.ms) return a.cpu[meter] + ((b.cpu[meter] - a.cpu[meter]) * (ms - a.ms)) / Math.max(1, b.ms - a.ms);
  }
  return samples.at(-1).cpu[meter];
}
