// `feedloom serve` over a real out/: what each file is served as (byte for byte), what / and a
// query string give, CORS on the JSON feeds, the page for people a browser gets instead of a
// feed, and symlinks and missing files. Every test has its own copy of the site and its own server.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { get } from './support/http-client.js';
import { publishedPages, servedSite, SQLITE_MAGIC, type ServedSite } from './support/served-site.js';

const published = publishedPages();
const entryPage = (site: ServedSite) => `entries/${readdirSync(path.join(site.out, 'entries')).sort()[0]!}`;

describe('the pass the server is started over', () => {
  it('wrote the feeds, with the state outside out/', async () => {
    const site = await servedSite(published());
    expect(published().summary.sourcesFailed).toBe(0);
    for (const name of ['rss.xml', 'atom.xml', 'feed.json', 'desk/rss.xml', 'desk/atom.xml', 'desk/feed.json', 'index.html', 'feeds.opml', 'feed.xsl', 'status.json']) {
      expect(existsSync(path.join(site.out, name)), name).toBe(true);
    }
    expect(readFileSync(site.state).subarray(0, 15).toString('latin1')).toBe(SQLITE_MAGIC);
    expect(site.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });
});

describe('content types', () => {
  const cases: [string, string][] = [
    ['rss.xml', 'application/rss+xml; charset=utf-8'],
    ['atom.xml', 'application/atom+xml; charset=utf-8'],
    ['feed.json', 'application/feed+json; charset=utf-8'],
    ['desk/rss.xml', 'application/rss+xml; charset=utf-8'],
    ['desk/atom.xml', 'application/atom+xml; charset=utf-8'],
    ['desk/feed.json', 'application/feed+json; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
    ['feeds.opml', 'text/x-opml; charset=utf-8'],
    ['feed.xsl', 'text/xsl; charset=utf-8'],
    ['status.json', 'application/json; charset=utf-8'],
  ];

  it.each(cases)('/%s is served as %s, byte for byte', async (name, type) => {
    const { base, file } = await servedSite(published());
    const response = await get(base, `/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body.equals(file(name))).toBe(true);
    expect(Number(response.headers['content-length'])).toBe(file(name).length);
  });

  it('an entry page is text/html', async () => {
    const site = await servedSite(published());
    const response = await get(site.base, `/${entryPage(site)}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body.equals(site.file(entryPage(site)))).toBe(true);
  });

  it('/ serves index.html', async () => {
    const { base, file } = await servedSite(published());
    const response = await get(base, '/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body.equals(file('index.html'))).toBe(true);
  });

  it('a query string does not change what is served', async () => {
    const { base, file } = await servedSite(published());
    const response = await get(base, '/rss.xml?utm_source=reader&x=..%2f..%2fstate.db');
    expect(response.status).toBe(200);
    expect(response.body.equals(file('rss.xml'))).toBe(true);
  });

  it('sends Access-Control-Allow-Origin: * on feed.json only', async () => {
    const site = await servedSite(published());
    for (const name of ['feed.json', 'desk/feed.json']) {
      expect((await get(site.base, `/${name}`)).headers['access-control-allow-origin'], name).toBe('*');
    }
    for (const name of ['rss.xml', 'atom.xml', 'desk/rss.xml', 'index.html', 'feeds.opml', 'feed.xsl', 'status.json', entryPage(site)]) {
      expect((await get(site.base, `/${name}`)).headers['access-control-allow-origin'], name).toBeUndefined();
    }
  });

  it("gives a browser that asks for HTML the feed's page for people instead of RSS or Atom", async () => {
    const { base, file } = await servedSite(published());
    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
    for (const name of ['rss.xml', 'atom.xml', 'desk/rss.xml']) {
      const response = await get(base, `/${name}`, { Accept: browserAccept });
      expect(response.headers['content-type'], name).toBe('text/html; charset=utf-8');
      expect(response.headers.vary, name).toBe('Accept, Accept-Encoding');
      expect(response.body.equals(file(path.posix.join(path.posix.dirname(name), 'feed.html')))).toBe(true);
    }
    // The JSON feed and pages do not change with Accept.
    expect((await get(base, '/feed.json', { Accept: browserAccept })).headers['content-type']).toBe('application/feed+json; charset=utf-8');
  });

  it('gives feed readers the feed types, whatever else they accept', async () => {
    const { base } = await servedSite(published());
    const readerAccepts = [
      'application/rss+xml, application/atom+xml, text/html;q=0.1',
      'application/atom+xml,application/rss+xml,text/html,*/*',
      '*/*',
      'application/xml',
    ];
    for (const accept of readerAccepts) {
      expect((await get(base, '/rss.xml', { Accept: accept })).headers['content-type'], accept).toBe('application/rss+xml; charset=utf-8');
      expect((await get(base, '/atom.xml', { Accept: accept })).headers['content-type'], accept).toBe('application/atom+xml; charset=utf-8');
    }
    expect((await get(base, '/rss.xml')).headers['content-type']).toBe('application/rss+xml; charset=utf-8');
  });

  it('a symlink whose real path is inside out/ is served', async () => {
    const { base, file } = await servedSite(published());
    for (const target of ['/inside-link.xml', '/up/out/rss.xml']) {
      const response = await get(base, target);
      expect(response.status, target).toBe(200);
      expect(response.body.equals(file('rss.xml'))).toBe(true);
    }
  });

  it('a missing file or a folder without index.html is 404', async () => {
    const { base } = await servedSite(published());
    for (const target of ['/nope.xml', '/desk/', '/desk', '/entries/', '/desk/index.html']) {
      expect((await get(base, target)).status, target).toBe(404);
    }
  });
});
