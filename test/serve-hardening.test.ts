// The server where it surprised readers and operators: a file replaced on disk is served new from
// the next request on, and a Last-Modified second that is not over yet is never handed out; CORS
// preflight on the JSON feed; "/rss.xml/" is not the file; a future If-Modified-Since is ignored;
// the file cache stays within its bound; an access log when asked for.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FileCache } from '../src/serve/file-cache.js';
import { FeedMetrics } from '../src/serve/metrics.js';
import { startFeedServer } from '../src/serve/run-server.js';
import { captureLogs } from './support/log-capture.js';
import { get, rawRequest, sleep } from './support/http-client.js';
import { publishedPages, servedSite } from './support/served-site.js';

const published = publishedPages();

/** Writes `bytes` to `file` the way a pass does: a temporary file renamed over it. */
function replace(file: string, bytes: Buffer | string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  writeFileSync(temporary, bytes);
  renameSync(temporary, file);
}

describe('a file replaced on disk', () => {
  it('is served new from the very next request, body and validator', async () => {
    const { base, out } = await servedSite(published());
    const first = await get(base, '/feed.json');
    replace(path.join(out, 'feed.json'), JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Replaced', items: [] }));
    const next = await get(base, '/feed.json');
    expect(JSON.parse(next.body.toString()).title).toBe('Replaced');
    expect(next.headers.etag).not.toBe(first.headers.etag);
    // The old validator is no longer the file's.
    expect((await get(base, '/feed.json', { 'If-None-Match': first.headers.etag! })).status).toBe(200);
  });

  it('never gets a 304 by a Last-Modified second that a later version shares', async () => {
    const { base, out } = await servedSite(published());
    const file = path.join(out, 'notes.xml');
    // Two versions within one second, the way two passes in a second would write them: both
    // dated in a second that is not over yet when they are served.
    const second = Math.ceil(Date.now() / 1000) + 1;
    replace(file, '<notes>one</notes>\n');
    utimesSync(file, second + 0.1, second + 0.1);
    const first = await get(base, '/notes.xml');
    expect(first.body.toString()).toBe('<notes>one</notes>\n');
    // Its second is not over: no date a later version could share is handed out.
    expect(first.headers['last-modified']).toBeUndefined();
    replace(file, '<notes>two</notes>\n');
    utimesSync(file, second + 0.6, second + 0.6);
    await sleep(second * 1000 + 1100 - Date.now());
    const settled = await get(base, '/notes.xml');
    expect(settled.body.toString()).toBe('<notes>two</notes>\n');
    const lastModified = settled.headers['last-modified']!;
    expect(lastModified).toBe(new Date(second * 1000).toUTCString());
    // A reader that polls by date alone (feed2imap) now gets 304 for this version, 200 after the next.
    expect((await get(base, '/notes.xml', { 'If-Modified-Since': lastModified })).status).toBe(304);
    replace(file, '<notes>three</notes>\n');
    const third = await get(base, '/notes.xml', { 'If-Modified-Since': lastModified });
    expect(third.status).toBe(200);
    expect(third.body.toString()).toBe('<notes>three</notes>\n');
  });
});

describe('requests the server answered wrong', () => {
  it('answers the CORS preflight of the JSON feeds', async () => {
    const { base } = await servedSite(published());
    for (const target of ['/feed.json', '/desk/feed.json']) {
      const response = await get(base, target, { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match, x-reader' }, 'OPTIONS');
      expect(response.status, target).toBe(204);
      expect(response.headers).toMatchObject({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, HEAD',
        'access-control-allow-headers': 'if-none-match, x-reader',
        'access-control-max-age': '86400',
        allow: 'GET, HEAD, OPTIONS',
      });
      expect(response.body.length).toBe(0);
    }
    // Other files answer OPTIONS with their methods, without CORS; a missing one is 404.
    const rss = await get(base, '/rss.xml', {}, 'OPTIONS');
    expect(rss.status).toBe(204);
    expect(rss.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(rss.headers['access-control-allow-origin']).toBeUndefined();
    expect((await get(base, '/missing.json', {}, 'OPTIONS')).status).toBe(404);
    // A header list that is not a list of names is not sent back.
    const odd = await rawRequest(base, 'OPTIONS /feed.json HTTP/1.1\r\nHost: x\r\nAccess-Control-Request-Headers: x-a, <script>\r\nConnection: close\r\n\r\n');
    expect(odd.status).toBe(204);
    expect(odd.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('answers 404 to a file name with a trailing slash, and serves folders as before', async () => {
    const { base } = await servedSite(published());
    for (const target of ['/rss.xml/', '/feed.json/', '/desk/atom.xml/', '/index.html/']) expect((await get(base, target)).status, target).toBe(404);
    expect((await get(base, '/')).status).toBe(200);
    expect((await get(base, '/rss.xml')).status).toBe(200);
  });
});

describe('the file cache', () => {
  it('holds at most its bound, the files asked for last, and keeps none too large for it', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'feedloom-cache-'));
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const bound = 1024 * 1024;
    const cache = new FileCache(folder, undefined, bound);
    // Random bytes do not compress: each file weighs about its size (and its forms).
    const files = Array.from({ length: 24 }, (_, n) => {
      const file = path.join(folder, `part-${n}.bin`);
      writeFileSync(file, randomBytes(60 * 1024));
      return file;
    });
    for (const file of files) {
      cache.get(file);
      expect(cache.bytes).toBeLessThanOrEqual(bound);
    }
    expect(cache.bytes).toBeGreaterThan(bound / 2);
    const huge = path.join(folder, 'huge.bin');
    writeFileSync(huge, randomBytes(bound));
    const before = cache.bytes;
    expect(cache.get(huge).body.length).toBe(bound);
    expect(cache.bytes).toBe(before);
  });
});

describe('the access log', () => {
  it('is off by default, and with accessLog writes one JSON line per request', async () => {
    const site = await servedSite(published());
    await get(site.base, '/rss.xml');
    expect(site.serverLogs.filter((line) => line.msg === 'request')).toEqual([]);

    const { logger, logs } = captureLogs();
    const server = await startFeedServer({ outDir: site.out, site: site.site, store: site.store, metrics: new FeedMetrics(() => site.store), host: '127.0.0.1', port: 0, logger, accessLog: true });
    onTestFinished(() => server.close());
    const ok = await get(server.url, '/feed.json?x=1', { 'User-Agent': 'reader/1.0' });
    await get(server.url, '/missing.xml');
    await sleep(50);
    const lines = logs.filter((line) => line.msg === 'request');
    expect(lines).toEqual([
      expect.objectContaining({ method: 'GET', path: '/feed.json?x=1', status: 200, bytes: ok.body.length, user_agent: 'reader/1.0', remote: '127.0.0.1' }),
      expect.objectContaining({ method: 'GET', path: '/missing.xml', status: 404 }),
    ]);
    expect(typeof lines[0]!.duration_ms).toBe('number');
  });
});
