// out/ always agrees with the state: a pass after a failed publish, or after files were deleted
// from out/, leaves out/ exactly as a clean pass over the same pages writes it.
import { cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PublishError } from '../src/errors.js';
import { duePublish, publishDue } from '../src/publish/published-files.js';
import { WATERMARKS, writeWatermark } from '../src/store/watermarks.js';
import { writePageCorpus } from './support/page-corpus.js';
import { expectSameTree, treeOf } from './support/out-tree.js';
import { memoryStore, passWithLogs, TempDirs } from './support/feed-site.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

const now = () => new Date('2026-06-01T12:00:00Z');
const PAGES = 260;
// Each test runs several passes over a few hundred pages: seconds on a busy machine.

/** out/ as one clean pass over `sourcesDir` writes it, into a folder of its own. */
async function referenceOut(sourcesDir: string): Promise<Map<string, Buffer>> {
  const outDir = dirs.make('reference-out');
  const store = memoryStore();
  await passWithLogs({ sourcesDir, outDir, store, now });
  await store.close();
  return treeOf(outDir);
}

/** Pages in a folder of their own: the first `count` of the corpus. */
function corpus(count: number): string {
  const sourcesDir = dirs.make('sources');
  writePageCorpus(sourcesDir, count);
  return sourcesDir;
}

describe('a pass after files were deleted from out/', () => {
  it('writes them again, each as a clean pass would', async () => {
    const sourcesDir = corpus(PAGES);
    const reference = await referenceOut(sourcesDir);
    const outDir = dirs.make('out');
    const store = memoryStore();
    await passWithLogs({ sourcesDir, outDir, store, now });
    const entryPage = [...reference.keys()].find((name) => name.startsWith('entries/'))!;
    const archivePages = [...reference.keys()].filter((name) => name.startsWith('archive/')).sort();
    expect(archivePages.length).toBeGreaterThan(1);
    for (const name of ['atom.xml', 'index.html', 'briefs/feed.json', 'ferries/rss.xml', entryPage, archivePages[0]!, archivePages.at(-1)!]) {
      rmSync(path.join(outDir, name));
      const { summary } = await passWithLogs({ sourcesDir, outDir, store, now });
      expect(summary.filesWritten, name).toBe(1);
      expectSameTree(outDir, reference, `after deleting ${name}`);
    }
    await store.close();
  }, 60_000);

  it('writes again a file that was changed in out/', async () => {
    const sourcesDir = corpus(PAGES);
    const reference = await referenceOut(sourcesDir);
    const outDir = dirs.make('out');
    const store = memoryStore();
    await passWithLogs({ sourcesDir, outDir, store, now });
    writeFileSync(path.join(outDir, 'ferries', 'atom.xml'), '<feed/>');
    await passWithLogs({ sourcesDir, outDir, store, now });
    expectSameTree(outDir, reference);
    const archivePage = [...reference.keys()].find((name) => name.startsWith('archive/'))!;
    writeFileSync(path.join(outDir, archivePage), '<feed/>');
    const { summary } = await passWithLogs({ sourcesDir, outDir, store, now });
    expect(summary.filesWritten).toBe(1);
    expectSameTree(outDir, reference, `after changing ${archivePage}`);
    await store.close();
  }, 60_000);
});

describe('a pass after a publish that failed', () => {
  it('publishes what the failed one stored, though nothing it reads is new', async () => {
    const sourcesDir = corpus(PAGES);
    const outDir = dirs.make('out');
    const store = memoryStore();
    // First the older pages, published fine; then the rest arrive while out/entries cannot be
    // written to (a file stands where the folder should be).
    const later = dirs.make('later');
    for (const name of ['desk/00250.txt', 'desk/00251.txt', 'desk/00259.txt']) {
      mkdirSync(path.dirname(path.join(later, name)), { recursive: true });
      cpSync(path.join(sourcesDir, name), path.join(later, name));
      rmSync(path.join(sourcesDir, name));
    }
    // The reference lives the same history without the failure: archive pages are written once,
    // as entries leave the windows, so a site published in two steps pages them as two steps do.
    const referenceDir = dirs.make('reference-out');
    const referenceStore = memoryStore();
    await passWithLogs({ sourcesDir, outDir: referenceDir, store: referenceStore, now });
    await passWithLogs({ sourcesDir, outDir, store, now });
    cpSync(later, sourcesDir, { recursive: true });
    await passWithLogs({ sourcesDir, outDir: referenceDir, store: referenceStore, now });
    await referenceStore.close();
    const reference = treeOf(referenceDir);
    // The folder is set aside (root writes through any mode bits) and a file takes its place.
    const entries = path.join(outDir, 'entries');
    renameSync(entries, `${entries}.aside`);
    writeFileSync(entries, 'not a folder');
    await expect(passWithLogs({ sourcesDir, outDir, store, now })).rejects.toThrow(PublishError);

    rmSync(entries);
    renameSync(`${entries}.aside`, entries);
    const { summary } = await passWithLogs({ sourcesDir, outDir, store, now });
    expect(summary.entriesNew).toBe(0);
    expectSameTree(outDir, reference);
    await store.close();
  }, 60_000);
});

describe('a pass after one that recorded a change of health and died before publishing', () => {
  // The mark a pass leaves before it records sources whose health changed, as kill -9 leaves it;
  // `true` is the mark earlier versions left, which owed every part.
  for (const [what, mark] of [
    ['status.json owed', { status: true }],
    ['every part owed, as an earlier version marked it', true],
  ] as const) {
    it(`writes status.json again (${what})`, async () => {
      const sourcesDir = corpus(40);
      const outDir = dirs.make('out');
      const store = memoryStore();
      await passWithLogs({ sourcesDir, outDir, store, now });
      const reference = treeOf(outDir);
      writeFileSync(path.join(outDir, 'status.json'), '{"sources": []}\n');
      await writeWatermark(store, WATERMARKS.publishDue, mark);
      const { summary } = await passWithLogs({ sourcesDir, outDir, store, now });
      expect(summary.filesWritten).toBe(1);
      expectSameTree(outDir, reference);
      expect(await duePublish(store)).toEqual({ feeds: false, status: false });
      await store.close();
    });
  }

  it('owes the feeds for stored entries and status.json only for a change of health', async () => {
    const store = memoryStore();
    await publishDue(store).mark('feeds');
    expect(await duePublish(store)).toEqual({ feeds: true, status: false });
    await publishDue(store).mark('status');
    expect(await duePublish(store)).toEqual({ feeds: true, status: true });
    await store.close();
  });

  it('marks a part with one read of the state, and writes only a part not due yet', async () => {
    const store = memoryStore();
    const calls: string[] = [];
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if ((name === 'meta' || name === 'setMeta') && typeof value === 'function') {
          return (...args: unknown[]) => {
            calls.push(String(name));
            return (value as (...args: unknown[]) => unknown).apply(target, args);
          };
        }
        return value;
      },
    });
    await publishDue(counted).mark('feeds');
    expect(calls).toEqual(['meta', 'setMeta']);
    calls.length = 0;
    // Another commit, the feeds already due: read, and nothing written.
    await publishDue(counted).mark('feeds');
    expect(calls).toEqual(['meta']);
    expect(await duePublish(store)).toEqual({ feeds: true, status: false });
    await store.close();
  });
});
