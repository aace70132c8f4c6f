// The cores a process may use, by its cgroup's CPU quota: cgroup v1 and v2 trees written in a
// temporary folder, as /proc/self/cgroup and /sys/fs/cgroup show them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuQuota, usableCores } from '../src/shared/usable-cores.js';
import { defaultParseThreads } from '../src/worker/parse-threads.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'feedloom-cgroup-'));
  made.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('cpuQuota', () => {
  it('reads a cgroup v1 quota over its period, on a cpu hierarchy of its own or shared with cpuacct', () => {
    const own = tree({ proc: '4:memory:/x\n2:cpuacct:/\n1:cpu:/feedloom/worker-1\n', 'fs/cpu/feedloom/worker-1/cpu.cfs_quota_us': '40000\n', 'fs/cpu/feedloom/worker-1/cpu.cfs_period_us': '100000\n' });
    expect(cpuQuota(path.join(own, 'proc'), path.join(own, 'fs'))).toBeCloseTo(0.4);
    const shared = tree({ proc: '3:cpu,cpuacct:/unit\n', 'fs/cpu,cpuacct/unit/cpu.cfs_quota_us': '150000', 'fs/cpu,cpuacct/unit/cpu.cfs_period_us': '100000' });
    expect(cpuQuota(path.join(shared, 'proc'), path.join(shared, 'fs'))).toBeCloseTo(1.5);
  });

  it('takes the tightest quota of the group and those above it, and none when every one is -1 or max', () => {
    const nested = tree({
      proc: '1:cpu:/a/b\n',
      'fs/cpu/a/b/cpu.cfs_quota_us': '-1',
      'fs/cpu/a/b/cpu.cfs_period_us': '100000',
      'fs/cpu/a/cpu.cfs_quota_us': '50000',
      'fs/cpu/a/cpu.cfs_period_us': '100000',
    });
    expect(cpuQuota(path.join(nested, 'proc'), path.join(nested, 'fs'))).toBeCloseTo(0.5);
    const none = tree({ proc: '0::/svc\n', 'fs/svc/cpu.max': 'max 100000\n' });
    expect(cpuQuota(path.join(none, 'proc'), path.join(none, 'fs'))).toBeUndefined();
  });

  it('reads cgroup v2 cpu.max, and gives undefined when nothing can be read', () => {
    const v2 = tree({ proc: '0::/system.slice/feedloom.service\n', 'fs/system.slice/feedloom.service/cpu.max': '25000 100000\n' });
    expect(cpuQuota(path.join(v2, 'proc'), path.join(v2, 'fs'))).toBeCloseTo(0.25);
    expect(cpuQuota(path.join(v2, 'no-such-file'), path.join(v2, 'fs'))).toBeUndefined();
  });
});

describe('usableCores', () => {
  it('is the cores there are, no more than the quota rounded up, and at least one', () => {
    expect(usableCores(8, undefined)).toBe(8);
    expect(usableCores(8, 0.4)).toBe(1);
    expect(usableCores(8, 2)).toBe(2);
    expect(usableCores(8, 2.5)).toBe(3);
    expect(usableCores(2, 16)).toBe(2);
  });

  it('leaves a process limited to less than one core without parse threads', () => {
    expect(defaultParseThreads(usableCores(4, 0.4))).toBe(0);
    expect(defaultParseThreads(usableCores(4, 1.5))).toBe(2);
  });
});
