// Conditional requests and caching: strong ETags from the content, Last-Modified from the file,
// 304s for If-None-Match and If-Modified-Since (and which wins), HEAD, a file changed on disk,
// and Cache-Control of one schedule interval. Every test has its own copy of the site and server.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { get, rawGet, sleep } from './support/http-client.js';
import { INTERVAL_S, publishedPages, SCHEDULE, servedSite } from './support/served-site.js';

const published = publishedPages();

describe('validators', () => {
  it('sends a strong ETag, the same for the same bytes and on every request', async () => {
    const { base, out, file } = await servedSite(published());
    const first = await get(base, '/rss.xml');
    const second = await get(base, '/rss.xml');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(etag.startsWith('W/')).toBe(false);
    expect(second.headers.etag).toBe(etag);
    // Another path with exactly the same bytes: the same validator.
    writeFileSync(path.join(out, 'rss-copy.xml'), file('rss.xml'));
    expect((await get(base, '/rss-copy.xml')).headers.etag).toBe(etag);
    // Different bytes: a different validator.
    expect((await get(base, '/atom.xml')).headers.etag).not.toBe(etag);
  });

  it('sends Last-Modified: the file time, to the second', async () => {
    const { base, out } = await servedSite(published());
    const response = await get(base, '/atom.xml');
    const mtimeMs = statSync(path.join(out, 'atom.xml')).mtimeMs;
    expect(response.headers['last-modified']).toBe(new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString());
  });

  it('answers 304 to a matching If-None-Match, with the validators and no body', async () => {
    const { base, file } = await servedSite(published());
    const { headers } = await get(base, '/atom.xml');
    for (const condition of [headers.etag!, `W/${headers.etag!}`, `"something-else", ${headers.etag!}`, '*']) {
      const response = await get(base, '/atom.xml', { 'If-None-Match': condition });
      expect(response.status, condition).toBe(304);
      expect(response.body.length).toBe(0);
      expect(response.headers.etag).toBe(headers.etag);
      expect(response.headers['cache-control']).toBe(`public, max-age=${INTERVAL_S}`);
    }
    const stale = await get(base, '/atom.xml', { 'If-None-Match': '"not-the-etag"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(file('atom.xml'))).toBe(true);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified, 200 before', async () => {
    const { base, file } = await servedSite(published());
    const { headers } = await get(base, '/feed.json');
    const lastModified = headers['last-modified']!;
    for (const since of [lastModified, new Date(Date.parse(lastModified) + 2000).toUTCString()]) {
      const response = await get(base, '/feed.json', { 'If-Modified-Since': since });
      expect(response.status, since).toBe(304);
      expect(response.body.length).toBe(0);
    }
    const earlier = await get(base, '/feed.json', { 'If-Modified-Since': new Date(Date.parse(lastModified) - 1000).toUTCString() });
    expect(earlier.status).toBe(200);
    expect(earlier.body.equals(file('feed.json'))).toBe(true);
    // A date that is not a date is ignored, and so is one later than the server's clock (RFC 9110).
    expect((await get(base, '/feed.json', { 'If-Modified-Since': 'yesterday-ish' })).status).toBe(200);
    expect((await get(base, '/feed.json', { 'If-Modified-Since': new Date(Date.now() + 3_600_000).toUTCString() })).status).toBe(200);
  });

  it('If-None-Match wins over If-Modified-Since', async () => {
    const { base } = await servedSite(published());
    const { headers } = await get(base, '/rss.xml');
    const later = new Date(Date.parse(headers['last-modified']!) + 3_600_000).toUTCString();
    const longAgo = new Date(0).toUTCString();
    // The date alone would say 304; the ETag does not match, so 200.
    expect((await get(base, '/rss.xml', { 'If-None-Match': '"other"', 'If-Modified-Since': later })).status).toBe(200);
    // The date alone would say 200; the ETag matches, so 304.
    expect((await get(base, '/rss.xml', { 'If-None-Match': headers.etag!, 'If-Modified-Since': longAgo })).status).toBe(304);
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const { base } = await servedSite(published());
    for (const name of ['rss.xml', 'feed.json', 'index.html']) {
      const getResponse = await get(base, `/${name}`, { 'Accept-Encoding': 'gzip' });
      const head = await rawGet(base, `/${name}`, 'HEAD', 'Accept-Encoding: gzip\r\n');
      expect(head.status, name).toBe(200);
      expect(head.body.length, name).toBe(0);
      for (const header of ['content-type', 'content-length', 'content-encoding', 'etag', 'last-modified', 'cache-control', 'vary', 'access-control-allow-origin']) {
        expect(head.headers[header], `${name} ${header}`).toBe(getResponse.headers[header]);
      }
      expect(Number(head.headers['content-length'])).toBe(getResponse.body.length);
    }
  });

  it('a file changed on disk gets a new ETag, Last-Modified and body', async () => {
    const { base, out } = await servedSite(published());
    const changing = path.join(out, 'changing.xml');
    const v1 = Buffer.from(`<?xml version="1.0"?><notes>${'version one '.repeat(60)}</notes>\n`);
    const v2 = Buffer.from(`<?xml version="1.0"?><notes>${'version two, longer '.repeat(60)}</notes>\n`);
    writeFileSync(changing, v1);
    // Past the file time's one-second resolution: Last-Modified is sent once its second is over.
    await sleep(1100);
    const first = await get(base, '/changing.xml', { 'Accept-Encoding': 'gzip' });
    expect(gunzipSync(first.body).equals(v1)).toBe(true);
    await sleep(1100);
    writeFileSync(changing, v2);
    await sleep(1100);
    const second = await get(base, '/changing.xml', { 'Accept-Encoding': 'gzip' });
    expect(gunzipSync(second.body).equals(v2)).toBe(true);
    expect(second.headers.etag).not.toBe(first.headers.etag);
    expect(Date.parse(second.headers['last-modified']!)).toBeGreaterThan(Date.parse(first.headers['last-modified']!));
    // The old validator no longer gives a 304; the new one does.
    expect((await get(base, '/changing.xml', { 'If-None-Match': first.headers.etag! })).status).toBe(200);
    expect((await get(base, '/changing.xml', { 'If-None-Match': second.headers.etag! })).status).toBe(304);
  });
});

describe('Cache-Control', () => {
  it(`lets readers keep every file for one schedule interval (${INTERVAL_S} s for ${SCHEDULE})`, async () => {
    const { base } = await servedSite(published());
    for (const name of ['rss.xml', 'atom.xml', 'feed.json', 'desk/rss.xml', 'index.html', 'feeds.opml', 'feed.xsl']) {
      expect((await get(base, `/${name}`)).headers['cache-control'], name).toBe(`public, max-age=${INTERVAL_S}`);
    }
  });

  it('never lets /healthz or /metrics be cached', async () => {
    const { base } = await servedSite(published());
    expect((await get(base, '/healthz')).headers['cache-control']).toBe('no-store');
    expect((await get(base, '/metrics')).headers['cache-control']).toBe('no-store');
  });
});
