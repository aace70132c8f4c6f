// Compressed forms are made once, when a file is published, and the server sends those bytes
// rather than compressing again.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { contentHash } from '../src/publish/compressed-forms.js';
import { createFeedServer } from '../src/serve/server.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { runPass } from '../src/worker/pass.js';

const PAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pages');
const silent = pino({ level: 'silent' });
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

async function site() {
  const dir = mkdtempSync(path.join(tmpdir(), 'feedloom-forms-'));
  temps.push(dir);
  const sources = path.join(dir, 'sources');
  cpSync(PAGES, sources, { recursive: true });
  const out = path.join(dir, 'out');
  const formsDir = path.join(dir, 'state', 'compressed');
  const store = SqliteStore.open(path.join(dir, 'state', 'state.db'));
  const pass = (now: string) => runPass({ sourcesDir: sources, outDir: out, store, logger: silent, now: () => new Date(now), formsDir });
  return { dir, sources, out, formsDir, store, pass };
}

function formsOf(formsDir: string, name: string): string[] {
  return readdirSync(formsDir).filter((file) => file.startsWith(`${name}@`)).sort();
}

describe('compressed forms', () => {
  it('are written beside the state when a file is published, named by its content hash', async () => {
    const { out, formsDir, store, pass } = await site();
    await pass('2026-03-01T12:00:00Z');
    const rss = readFileSync(path.join(out, 'rss.xml'));
    const hash = contentHash(rss);
    expect(formsOf(formsDir, 'rss.xml')).toEqual([`rss.xml@${hash}.br`, `rss.xml@${hash}.gz`]);
    expect(gunzipSync(readFileSync(path.join(formsDir, `rss.xml@${hash}.gz`))).equals(rss)).toBe(true);
    // Nothing of them is in out/.
    expect(readdirSync(out).some((name) => name.endsWith('.gz') || name.endsWith('.br'))).toBe(false);
    store.close();
  });

  it('are made for the feeds and pages, not for status.json, which monitors read and most passes rewrite', async () => {
    const { out, formsDir, store, pass } = await site();
    await pass('2026-03-01T12:00:00Z');
    expect(readFileSync(path.join(out, 'status.json')).length).toBeGreaterThan(256);
    expect(formsOf(formsDir, 'status.json')).toEqual([]);
    expect(formsOf(formsDir, 'rss.xml')).toHaveLength(2);
    store.close();
  });

  it('fail nothing when their folder cannot be written: the pass is published and recorded all the same', async () => {
    const { dir, sources, out, store } = await site();
    // Where the forms would go is a file: nothing can be made under it.
    const formsDir = path.join(dir, 'forms-blocked');
    writeFileSync(formsDir, 'not a folder');
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const result = await runPass({ sourcesDir: sources, outDir: out, store, logger, now: () => new Date('2026-03-01T12:00:00Z'), formsDir });
    expect(result.sourcesFailed).toBe(0);
    expect(existsSync(path.join(out, 'rss.xml'))).toBe(true);
    expect(await store.lastPass()).toMatchObject({ sourcesFailed: 0 });
    const warning = warnings.map((line) => JSON.parse(line) as { code?: string; stage?: string }).find((line) => line.code === 'FORMS_NOT_WRITTEN');
    expect(warning?.stage).toBe('publish');
    store.close();
  });

  it("replace the old version's forms when the file changes, and stay when it does not", async () => {
    const { sources, out, formsDir, store, pass } = await site();
    await pass('2026-03-01T12:00:00Z');
    const before = formsOf(formsDir, 'rss.xml');
    await pass('2026-03-01T12:15:00Z');
    expect(formsOf(formsDir, 'rss.xml')).toEqual(before);
    writeFileSync(
      path.join(sources, 'late-news.txt'),
      '---\ncaptured: 2026-03-01T13:00:00+01:00\n---\nThe footbridge over the Mill Brook reopened this morning after the flood repairs were finished early.\n',
    );
    await pass('2026-03-01T12:30:00Z');
    const after = formsOf(formsDir, 'rss.xml');
    expect(after).toHaveLength(2);
    expect(after).not.toEqual(before);
    expect(after[0]).toContain(contentHash(readFileSync(path.join(out, 'rss.xml'))));
    store.close();
  });

  it('are what the server sends, so it compresses nothing itself', async () => {
    const { out, formsDir, store, pass } = await site();
    await pass('2026-03-01T12:00:00Z');
    const hash = contentHash(readFileSync(path.join(out, 'rss.xml')));
    // A different but valid gzip stream under the published name: only a server that reads the
    // published form can send these bytes.
    const marker = gzipSync(readFileSync(path.join(out, 'rss.xml')), { level: 1 });
    writeFileSync(path.join(formsDir, `rss.xml@${hash}.gz`), marker);
    const server = createFeedServer({
      outDir: out,
      maxAgeSeconds: 900,
      logger: silent,
      health: () => ({ healthy: true, reason: 'test' }),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      formsDir,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<Buffer>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/rss.xml', headers: { 'accept-encoding': 'gzip' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks)));
      })
        .on('error', reject)
        .end();
    });
    server.close();
    expect(body.equals(marker)).toBe(true);
    expect(existsSync(formsDir)).toBe(true);
    store.close();
  });
});
