// `feedloom start --watch`: a page written into sources/ is published without waiting for the
// schedule; a burst of writes makes passes that never overlap; a change during a pass makes one
// more pass after it, so nothing written is left unpublished.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from './support/built-cli.js';
import { spawnCli } from './support/cli-process.js';
import { pageText } from './support/feed-site.js';
import { sleep } from './support/http-client.js';

let root: string;
beforeAll(() => {
  buildIfStale();
  root = mkdtempSync(path.join(tmpdir(), 'feedloom-watch-'));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const titles = (out: string): string[] => (JSON.parse(readFileSync(path.join(out, 'feed.json'), 'utf8')) as { items: { title: string }[] }).items.map((item) => item.title);

async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe('feedloom start --watch', () => {
  it('publishes a page written into sources/ at once, and a burst of writes without overlapping passes', async () => {
    const sources = path.join(root, 'sources');
    const out = path.join(root, 'out');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sources);
    writeFileSync(path.join(sources, 'site.yaml'), 'title: Watch Desk\nurl: https://watch.example/\ntimezone: UTC\n');
    writeFileSync(path.join(sources, 'first.txt'), pageText({ captured: '2026-03-10T10:00:00Z', lead: 'The first story is published by the first pass.' }));
    // A schedule that never comes round during the test: only the watcher starts passes.
    const child = spawnCli(['start', '--watch', '--schedule', '0 0 1 1 *', '--sources', sources, '--out', out, '--state', path.join(root, 'state.db')]);
    try {
      await child.waitForLog('pass finished');
      await child.waitForLog('watching sources for changes');
      writeFileSync(path.join(sources, 'second.txt'), pageText({ captured: '2026-03-10T10:05:00Z', lead: 'A second story arrives while feedloom watches.' }));
      const took = await until(() => titles(out).includes('A second story arrives while feedloom watches.'), 5000);
      expect(took).toBeLessThan(3000);

      // A burst: ten pages written one after another, some while a pass runs.
      for (let n = 0; n < 10; n++) {
        writeFileSync(path.join(sources, `burst-${n}.txt`), pageText({ captured: '2026-03-10T10:10:00Z', lead: `Burst story number ${n} of ten.` }));
        await sleep(30);
      }
      await until(() => Array.from({ length: 10 }, (_, n) => `Burst story number ${n} of ten.`).every((title) => titles(out).includes(title)), 10_000);
      const passes = child.logs.filter((line) => line.msg === 'pass finished');
      // Fewer passes than writes (they were debounced and coalesced), and never one skipped or overlapping.
      expect(passes.length).toBeLessThan(12);
      expect(child.logs.filter((line) => line.msg === 'previous pass still running; this one is skipped')).toEqual([]);
      expect(child.logs.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(0);
    }
  }, 60_000);
});
