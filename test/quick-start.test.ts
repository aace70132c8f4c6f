// The quick start as a newcomer meets it: `npm start` over the sample pages in sources/, then the
// feeds served. Its first pass says where the feeds are and how to look at them, and every link
// in the sample feeds leads to a page the server has.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, ROOT } from './support/built-cli.js';
import { spawnCli } from './support/cli-process.js';
import { freePort, get } from './support/http-client.js';

let root: string;
beforeAll(() => {
  buildIfStale();
  root = mkdtempSync(path.join(tmpdir(), 'feedloom-quick-start-'));
  cpSync(path.join(ROOT, 'sources'), path.join(root, 'sources'), { recursive: true });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the quick start', () => {
  it('says where the feeds are after the first pass, and every link of the sample feeds is served', async () => {
    const out = path.join(root, 'out');
    const start = spawnCli(['start', '--schedule', '0 0 1 1 *', '--sources', path.join(root, 'sources'), '--out', out, '--state', path.join(root, 'state.db')]);
    const told = await start.waitForLog(`feeds written to ${path.join(out, 'rss.xml')}, ${path.join(out, 'atom.xml')}, ${path.join(out, 'feed.json')}; to see them in a browser, run "npx feedloom serve --out ${out}" and open http://127.0.0.1:8080/`);
    expect(told.feeds).toEqual([path.join(out, 'rss.xml'), path.join(out, 'atom.xml'), path.join(out, 'feed.json')]);
    start.process.kill('SIGTERM');
    expect(await start.exited).toBe(0);

    const port = await freePort();
    const serve = spawnCli(['serve', '--port', String(port), '--sources', path.join(root, 'sources'), '--out', out, '--state', path.join(root, 'state.db')]);
    try {
      await serve.waitForLog('serving feeds');
      const origin = `http://127.0.0.1:${port}/`;
      const feed = JSON.parse((await get(origin, '/feed.json')).body.toString()) as { home_page_url: string; items: { url: string }[] };
      const site = new URL(feed.home_page_url);
      const links = [feed.home_page_url, ...feed.items.map((item) => item.url)];
      expect(links.length).toBeGreaterThan(5);
      for (const link of links) {
        const url = new URL(link);
        // The samples are published for the address `serve` listens on by default.
        expect(url.origin, link).toBe(site.origin);
        expect((await get(origin, url.pathname)).status, link).toBe(200);
      }
    } finally {
      serve.process.kill('SIGTERM');
      await serve.exited;
    }
  }, 60_000);
});
