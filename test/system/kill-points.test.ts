// kill -9 at many points of a pass (after a batch of entries is committed, with a file's bytes in
// its temporary file, just after a file is renamed into place, once the pass is recorded), in a
// cold pass and in an incremental one: one more pass leaves out/ byte for byte as a pass that was
// never killed.
// FEEDLOOM_KILL_AT (src/shared/kill-point.ts) makes the process SIGKILL itself at the n-th time
// it reaches a point, so each trial stops exactly where it says.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, CLI } from '../support/built-cli.js';
import { TempDirs } from '../support/feed-site.js';
import { treeDifferences, treeOf } from '../support/out-tree.js';
import { writePageCorpus } from '../support/page-corpus.js';

const PAGES = 2000;
const LATER_PAGES = 60;
const temps = new TempDirs();
afterAll(() => temps.cleanup(), 120_000);

interface Site {
  sources: string;
  out: string;
  state: string;
}

function newSite(sources: string): Site {
  const dir = temps.make('kill');
  return { sources, out: path.join(dir, 'out'), state: path.join(dir, 'state.db') };
}

function run(site: Site, killAt?: string) {
  const env = { ...process.env, FEEDLOOM_KILL_AT: killAt ?? '' };
  return spawnSync(process.execPath, [CLI, 'run', '--sources', site.sources, '--out', site.out, '--state', site.state], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** out/ without status.json, whose times are those of each run. */
function outTree(site: Site): Map<string, Buffer> {
  const tree = treeOf(site.out);
  tree.delete('status.json');
  return tree;
}

let allPages: string;
let earlyPages: string;
let coldReference: Map<string, Buffer>;
let incrementalReference: Map<string, Buffer>;
/** Files each clean pass wrote: where the kill points go. */
let coldWrites: number;
let incrementalWrites: number;

function filesWritten(stdout: string): number {
  const finished = stdout.split('\n').filter((line) => line.includes('"pass finished"')).map((line) => JSON.parse(line) as { files_written: number });
  expect(finished).toHaveLength(1);
  return finished[0]!.files_written;
}

beforeAll(() => {
  buildIfStale();
  allPages = temps.make('pages');
  writePageCorpus(allPages, PAGES);
  // The same site before its last pages were captured: the first pass of an incremental history.
  earlyPages = temps.make('early-pages');
  cpSync(allPages, earlyPages, { recursive: true });
  const pageNames = [...treeOf(allPages).keys()].filter((name) => name.endsWith('.txt')).sort();
  for (const name of pageNames.slice(-LATER_PAGES)) rmSync(path.join(earlyPages, name));

  const cold = newSite(allPages);
  const coldRun = run(cold);
  expect(coldRun.status).toBe(0);
  coldWrites = filesWritten(coldRun.stdout);
  coldReference = outTree(cold);
  const incremental = incrementalSite();
  const incrementalRun = run(incremental);
  expect(incrementalRun.status).toBe(0);
  incrementalWrites = filesWritten(incrementalRun.stdout);
  incrementalReference = outTree(incremental);
  // Enough files for kill points spread over the publish.
  expect(coldWrites).toBeGreaterThan(50);
  expect(incrementalWrites).toBeGreaterThan(10);
}, 300_000);

/** A site whose first pass published the early pages; its sources now hold every page. */
function incrementalSite(): Site {
  const sources = temps.make('incremental-pages');
  cpSync(earlyPages, sources, { recursive: true });
  const site = newSite(sources);
  expect(run(site).status).toBe(0);
  cpSync(allPages, sources, { recursive: true });
  return site;
}

function killedThenRepaired(site: Site, killAt: string, reference: Map<string, Buffer>) {
  const killed = run(site, killAt);
  expect(killed.signal, `${killAt}: the pass was killed\n${killed.stderr}`).toBe('SIGKILL');
  const repaired = run(site);
  expect(repaired.status, repaired.stderr).toBe(0);
  expect(treeDifferences(outTree(site), reference), `after kill at ${killAt}`).toEqual([]);
}

/** Kill points over a pass that writes `writes` files: before, between and after the renames. */
function pointsFor(writes: number, batches: number): string[] {
  const spread = [1, Math.round(writes / 3), Math.round((2 * writes) / 3), writes - 1];
  const stored = Array.from({ length: batches }, (_, index) => `stored:${index + 1}`);
  return [...stored, ...spread.map((n) => `written:${n}`), ...spread.map((n) => `renamed:${n}`), `renamed:${writes}`, 'recorded:1'];
}

describe('a pass killed with SIGKILL, then run again', () => {
  // The points depend on how many files the clean passes wrote, known once beforeAll has run.
  it('leaves out/ as a clean cold pass writes it, wherever it was killed', () => {
    for (const point of pointsFor(coldWrites, 2)) killedThenRepaired(newSite(allPages), point, coldReference);
  }, 900_000);

  it('leaves out/ as a clean incremental pass writes it, wherever it was killed', () => {
    for (const point of pointsFor(incrementalWrites, 1)) killedThenRepaired(incrementalSite(), point, incrementalReference);
  }, 900_000);

  it('between recording a pass and making its compressed forms, leaves the pass published: the next one writes nothing', () => {
    const site = newSite(allPages);
    expect(run(site, 'recorded:1').signal).toBe('SIGKILL');
    // Killed before the forms: a server compresses these files at their first request.
    expect(existsSync(path.join(path.dirname(site.state), 'compressed'))).toBe(false);
    expect(treeDifferences(outTree(site), coldReference)).toEqual([]);
    const next = run(site);
    expect(next.status, next.stderr).toBe(0);
    expect(filesWritten(next.stdout)).toBe(0);
  }, 120_000);

  it('removes the temporary file a kill left beside a feed', () => {
    const site = newSite(allPages);
    expect(run(site, 'written:5').signal).toBe('SIGKILL');
    const temporary = [...treeOf(site.out).keys()].filter((name) => name.endsWith('.tmp'));
    expect(temporary.length).toBe(1);
    expect(run(site).status).toBe(0);
    expect([...treeOf(site.out).keys()].filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

