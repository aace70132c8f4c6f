// A disk that fills up in the middle of a publish: out/ on a small tmpfs (this needs root, as CI
// runs it). The pass fails with ENOSPC and exits non-zero; no file in out/ is cut short; once
// there is room again, one more pass leaves out/ byte for byte as a pass on a roomy disk writes it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, CLI } from '../support/built-cli.js';
import { TempDirs } from '../support/feed-site.js';
import { treeDifferences, treeOf } from '../support/out-tree.js';
import { writePageCorpus } from '../support/page-corpus.js';

const PAGES = 400;
const temps = new TempDirs();
let mountPoint: string | undefined;

afterAll(() => {
  if (mountPoint) execFileSync('umount', [mountPoint]);
  temps.cleanup();
}, 120_000);

function run(sources: string, out: string, state: string) {
  return spawnSync(process.execPath, [CLI, 'run', '--sources', sources, '--out', out, '--state', state], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function withoutStatus(tree: Map<string, Buffer>): Map<string, Buffer> {
  tree.delete('status.json');
  return tree;
}

let sources: string;
let reference: Map<string, Buffer>;
let referenceBytes: number;

beforeAll(() => {
  buildIfStale();
  sources = temps.make('full-pages');
  writePageCorpus(sources, PAGES);
  const roomy = temps.make('roomy');
  expect(run(sources, path.join(roomy, 'out'), path.join(roomy, 'state.db')).status).toBe(0);
  reference = withoutStatus(treeOf(path.join(roomy, 'out')));
  referenceBytes = [...reference.values()].reduce((sum, bytes) => sum + bytes.length, 0);
}, 300_000);

describe('a disk that fills up mid-publish', () => {
  it('fails the pass, cuts no file short, and the pass after it repairs out/', () => {
    mountPoint = temps.make('tmpfs');
    // Room for about half of what the publish writes (tmpfs counts whole 4 KiB pages a file).
    const room = Math.max(64 * 1024, Math.round((reference.size * 4096 + referenceBytes) / 2));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${room}`, 'tmpfs', mountPoint]);
    const out = path.join(mountPoint, 'out');
    mkdirSync(out);
    // The state lives elsewhere: only out/ runs out of room.
    const state = path.join(temps.make('full-state'), 'state.db');

    const full = run(sources, out, state);
    expect(full.status, full.stdout).not.toBe(0);
    expect(full.stdout).toMatch(/"errno":"ENOSPC"/);
    const partial = withoutStatus(treeOf(out));
    expect(partial.size).toBeGreaterThan(0);
    expect(partial.size).toBeLessThan(reference.size);
    // Whatever is in out/ is whole: the reference's bytes, never a truncated file or a temporary one.
    for (const [name, bytes] of partial) {
      expect(name.endsWith('.tmp'), name).toBe(false);
      expect(reference.get(name)?.equals(bytes), name).toBe(true);
    }

    execFileSync('mount', ['-o', `remount,size=${room * 8}`, mountPoint]);
    const again = run(sources, out, state);
    expect(again.status, again.stdout).toBe(0);
    expect(treeDifferences(withoutStatus(treeOf(out)), reference)).toEqual([]);
  });
});
