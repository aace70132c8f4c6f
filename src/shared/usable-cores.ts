// How many cores this process may really use: the cores it may run on, and no more than its
// cgroup's CPU quota allows (a container or systemd unit limited to 0.5 CPU sees every core of
// the machine, yet gets half of one). Parse threads are sized on it: threads beyond the quota
// only wait for it, and each costs its start-up and the copying of what it parses.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

export function usableCores(cores = availableParallelism(), quota = cpuQuota()): number {
  if (quota === undefined) return cores;
  return Math.max(1, Math.min(cores, Math.ceil(quota - 1e-9)));
}

/**
 * The CPUs this process's cgroup (or one above it) may use at most, the tightest of them;
 * undefined when none is set or none can be read (not Linux, no cgroup file system).
 */
export function cpuQuota(cgroupFile = '/proc/self/cgroup', root = CGROUP_ROOT): number | undefined {
  let lines: string[];
  try {
    lines = readFileSync(cgroupFile, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  let tightest: number | undefined;
  const consider = (cpus: number | undefined) => {
    if (cpus !== undefined && cpus > 0 && (tightest === undefined || cpus < tightest)) tightest = cpus;
  };
  for (const line of lines) {
    // "hierarchy-id:controllers:path"; cgroup v2's one line has no controllers.
    const match = /^[^:]*:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, controllers = '', group = '/'] = match;
    for (const dir of groupAndAncestors(group)) {
      if (controllers === '') consider(readV2(path.join(root, dir, 'cpu.max')));
      else if (controllers.split(',').includes('cpu')) {
        for (const mount of [path.join(root, 'cpu'), path.join(root, controllers), path.join(root, 'cpu,cpuacct')]) consider(readV1(path.join(mount, dir)));
      }
    }
  }
  return tightest;
}

function groupAndAncestors(group: string): string[] {
  const dirs: string[] = [];
  for (let dir = path.posix.normalize(group); ; dir = path.posix.dirname(dir)) {
    dirs.push(dir);
    if (dir === '/' || dir === '.') return dirs;
  }
}

/** cgroup v2: "max 100000" or "40000 100000". */
function readV2(file: string): number | undefined {
  const [quota, period] = readText(file)?.trim().split(/\s+/) ?? [];
  if (quota === undefined || quota === 'max') return undefined;
  return Number(quota) / Number(period ?? 100_000);
}

/** cgroup v1: cpu.cfs_quota_us (-1 for none) over cpu.cfs_period_us. */
function readV1(dir: string): number | undefined {
  const quota = Number(readText(path.join(dir, 'cpu.cfs_quota_us')));
  const period = Number(readText(path.join(dir, 'cpu.cfs_period_us')));
  if (!Number.isFinite(quota) || quota <= 0 || !Number.isFinite(period) || period <= 0) return undefined;
  return quota / period;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
