// A fleet worker's group commit, on a real SQLite state: jobs that finish while a commit is being
// written are committed together in the next one, each job learns its group's outcome, and one
// failed commit fails every job of its group and no other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommitGroups, type GroupCommitted, type JobRead, LINGER_MS } from '../src/queue/commit-groups.js';
import { openStore } from '../src/store/open-store.js';
import type { SourceRecord, Store } from '../src/store/store.js';
import { emptyReadResult } from '../src/worker/read-result.js';
import { item, storables } from './store-contract.js';

const STARTED = Date.parse('2026-10-02T08:00:00Z');
const folders: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function freshStore(): Promise<Store> {
  const folder = mkdtempSync(path.join(tmpdir(), 'feedloom-commit-groups-'));
  folders.push(folder);
  const store = await openStore(path.join(folder, 'state.db'));
  stores.push(store);
  return store;
}

/** One source's job: its two items and its record. */
function job(source: string, offsetMs: number): JobRead {
  const record: SourceRecord = { source, kind: 'feed', status: 'ok', entries: 2, lastAttemptMs: STARTED + offsetMs, failures: 0 };
  const entries = storables([item(`${source}-1`, '2026-10-01T10:00:00Z', { source }), item(`${source}-2`, '2026-10-01T11:00:00Z', { source })]);
  return { read: { ...emptyReadResult(), ok: 1, records: [record], known: new Map() }, entries, startedMs: STARTED + offsetMs };
}

describe('CommitGroups', () => {
  it('commits the jobs that finish while a commit is written together in the next one', async () => {
    const store = await freshStore();
    const groups: GroupCommitted[] = [];
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const commits = new CommitGroups(store, async (group) => {
      groups.push(group);
      // The first group's follow-up is slow: the next jobs finish while it is under way.
      if (groups.length === 1) await firstHeld;
    });
    const first = commits.commit(job('harbour', 0));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = [commits.commit(job('ferry', 30)), commits.commit(job('council', 10)), commits.commit(job('market', 20))];
    releaseFirst();
    const results = await Promise.all([first, ...later]);

    expect(groups.map((group) => group.jobs)).toEqual([1, 3]);
    expect(results.map((result) => result.jobs)).toEqual([1, 3, 3, 3]);
    // The group's counts are all of its jobs', its start its earliest job's.
    expect(groups[1]!.committed.counts).toEqual({ new: 6, updated: 0, unchanged: 0 });
    expect(groups[1]!.startedMs).toBe(STARTED + 10);
    expect(groups[1]!.read.records.map((record) => record.source)).toEqual(['ferry', 'council', 'market']);
    expect(await store.entryCount()).toBe(8);
    expect([...(await store.sourceRecords()).keys()].sort()).toEqual(['council', 'ferry', 'harbour', 'market']);
  });

  it("waits for the worker's jobs still reading, and writes at once when none is left", async () => {
    const store = await freshStore();
    const groups: number[] = [];
    let running = 3;
    const commits = new CommitGroups(store, async (group) => void groups.push(group.jobs), () => running);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const first = [commits.commit(job('harbour', 0)), commits.commit(job('ferry', 5))];
      await new Promise((resolve) => setImmediate(resolve));
      // Two of three jobs are waiting, one is still reading: nothing is written yet.
      expect(groups).toEqual([]);
      const last = commits.commit(job('council', 10));
      // The last one is in: the group is written without waiting for the timer.
      await Promise.all([...first, last]);
      expect(groups).toEqual([3]);

      // One job waiting, another still reading that never comes: written once LINGER_MS is over.
      running = 2;
      const alone = commits.commit(job('market', 20));
      await new Promise((resolve) => setImmediate(resolve));
      expect(groups).toEqual([3]);
      vi.advanceTimersByTime(LINGER_MS);
      await alone;
      expect(groups).toEqual([3, 1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails every job of a group whose commit failed, and the next group commits', async () => {
    const store = await freshStore();
    let failNext = true;
    const commits = new CommitGroups(store, async () => {
      if (failNext) {
        failNext = false;
        throw new Error('Redis went away');
      }
    });
    await expect(commits.commit(job('harbour', 0))).rejects.toThrow('Redis went away');
    await expect(commits.commit(job('ferry', 0))).resolves.toMatchObject({ jobs: 1 });
  });
});
