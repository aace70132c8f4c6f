// `feedloom serve` over a real out/: content types, validators and 304s, compression made once
// per file version, Cache-Control, what must never be reachable, /healthz and /metrics, and
// `feedloom start --serve` as a child process. Requests are real HTTP; paths that a client
// library would normalize (or refuse to send) go over raw node:net sockets.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteConfig } from '../src/config/site.js';
import type { SiteConfig } from '../src/model.js';
import { passHealth } from '../src/serve/health.js';
import { FeedMetrics } from '../src/serve/metrics.js';
import { startFeedServer, type RunningServer } from '../src/serve/run-server.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { runPass, type PassSummary } from '../src/worker/pass.js';
import { buildIfStale, CLI, ROOT } from './support/built-cli.js';
import type { LogLine } from './support/feed-site.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PAGES = path.join(here, 'fixtures', 'pages');
/** Every 15 minutes: readers may keep a file 900 s, and /healthz allows 1800 s since the last pass. */
const SCHEDULE = '*/15 * * * *';
const INTERVAL_S = 900;
/** Written next to out/ (never inside it); no response may ever contain it. */
const SECRET = 'TOP-SECRET-feedloom-serve-test-7d1c';
const SQLITE_MAGIC = 'SQLite format 3';

// ---------------------------------------------------------------------------------------------
// Spying on zlib: the server's file cache imports gzipSync / brotliCompressSync from node:zlib.
// Builtin ESM exports are live bindings that follow the CommonJS module after
// syncBuiltinESMExports(), so wrapping them here counts every compression the server makes.
const zlibCjs = createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib');
const compressed: { kind: 'gzip' | 'br'; input: Buffer }[] = [];
const originalGzipSync = zlibCjs.gzipSync;
const originalBrotliSync = zlibCjs.brotliCompressSync;
function installZlibSpy(): void {
  zlibCjs.gzipSync = ((input: Buffer, options?: object) => {
    compressed.push({ kind: 'gzip', input: Buffer.from(input) });
    return originalGzipSync(input, options);
  }) as typeof zlibCjs.gzipSync;
  zlibCjs.brotliCompressSync = ((input: Buffer, options?: object) => {
    compressed.push({ kind: 'br', input: Buffer.from(input) });
    return originalBrotliSync(input, options);
  }) as typeof zlibCjs.brotliCompressSync;
  syncBuiltinESMExports();
}
function removeZlibSpy(): void {
  zlibCjs.gzipSync = originalGzipSync;
  zlibCjs.brotliCompressSync = originalBrotliSync;
  syncBuiltinESMExports();
}
const compressionsOf = (bytes: Buffer, kind: 'gzip' | 'br') => compressed.filter((call) => call.kind === kind && call.input.equals(bytes)).length;

// ---------------------------------------------------------------------------------------------
// Temp dirs, build, logger.

const temps: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `feedloom-serve-${prefix}-`));
  temps.push(dir);
  return dir;
}


function captureLogger(): { logger: Logger; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), logs };
}

interface Workspace {
  root: string;
  sources: string;
  out: string;
  stateDir: string;
  state: string;
}

function workspace(prefix: string): Workspace {
  const root = tempDir(prefix);
  const sources = path.join(root, 'sources');
  cpSync(PAGES, sources, { recursive: true });
  const stateDir = path.join(root, 'state');
  mkdirSync(stateDir);
  return { root, sources, out: path.join(root, 'out'), stateDir, state: path.join(stateDir, 'state.db') };
}

// ---------------------------------------------------------------------------------------------
// HTTP clients: node:http for ordinary requests (no decompression, no normalization of what it
// gets back), node:net for request bytes sent exactly as written.

interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(base: string, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: target, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${method} ${target}`)));
    req.on('error', reject);
    req.end();
  });
}

interface RawResponse {
  status: number;
  statusLine: string;
  headers: Record<string, string>;
  body: Buffer;
  raw: Buffer;
}

/** Sends `bytes` as they are and reads until the server closes the connection. */
function rawRequest(base: string, bytes: string | Buffer): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`timeout: ${JSON.stringify(bytes.toString().slice(0, 60))}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1').split('\r\n');
      const statusLine = head[0] ?? '';
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), statusLine, headers, body: end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4), raw });
    });
    socket.write(bytes);
  });
}

function rawGet(base: string, target: string, method = 'GET', extraHeaders = ''): Promise<RawResponse> {
  return rawRequest(base, `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${extraHeaders}Connection: close\r\n\r\n`);
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The main fixture: one pass over test/fixtures/pages into a temp out/, the state beside it,
// a secret file beside it, and traps placed in out/ after the pass.

let ws: Workspace;
let site: SiteConfig;
let store: SqliteStore;
let server: RunningServer;
let serverLogs: LogLine[];
let base: string;
let firstPass: PassSummary;
const file = (name: string) => readFileSync(path.join(ws.out, name));

beforeAll(async () => {
  buildIfStale();
  installZlibSpy();
  cleanups.push(removeZlibSpy);
  ws = workspace('main');
  site = await loadSiteConfig(ws.sources, { schedule: SCHEDULE });
  store = SqliteStore.open(ws.state);
  cleanups.push(() => store.close());
  const passLog = captureLogger();
  firstPass = await runPass({ sourcesDir: ws.sources, outDir: ws.out, store, overrides: { schedule: SCHEDULE }, logger: passLog.logger });
  // Things a request must never reach.
  writeFileSync(path.join(ws.root, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(path.join(ws.out, '.rss.xml.feedloom-1-0.tmp'), `<rss>${SECRET} half-written</rss>\n`);
  writeFileSync(path.join(ws.out, 'desk', '.hidden'), `${SECRET}\n`);
  symlinkSync(path.join(ws.root, 'secret.txt'), path.join(ws.out, 'leak.txt'));
  symlinkSync(ws.state, path.join(ws.out, 'state-link.db'));
  symlinkSync(ws.stateDir, path.join(ws.out, 'state-dir'));
  symlinkSync(ws.root, path.join(ws.out, 'up'));
  // A symlink that stays inside out/ is fine.
  symlinkSync(path.join(ws.out, 'rss.xml'), path.join(ws.out, 'inside-link.xml'));
  const { logger, logs } = captureLogger();
  serverLogs = logs;
  const metrics = new FeedMetrics(() => store);
  server = await startFeedServer({ outDir: ws.out, site, store, metrics, host: '127.0.0.1', port: 0, logger });
  cleanups.push(() => server.close());
  base = server.url;
}, 120_000);

describe('the pass the server is started over', () => {
  it('wrote the feeds, with the state outside out/', () => {
    expect(firstPass.sourcesFailed).toBe(0);
    for (const name of ['rss.xml', 'atom.xml', 'feed.json', 'desk/rss.xml', 'desk/atom.xml', 'desk/feed.json', 'index.html', 'feeds.opml', 'feed.xsl', 'status.json']) {
      expect(existsSync(path.join(ws.out, name)), name).toBe(true);
    }
    expect(readFileSync(ws.state).subarray(0, 15).toString('latin1')).toBe(SQLITE_MAGIC);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });
});

describe('content types', () => {
  const entryPage = () => `entries/${readdirSync(path.join(ws.out, 'entries')).sort()[0]!}`;
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
    const response = await get(base, `/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body.equals(file(name))).toBe(true);
    expect(Number(response.headers['content-length'])).toBe(file(name).length);
  });

  it('an entry page is text/html', async () => {
    const response = await get(base, `/${entryPage()}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body.equals(file(entryPage()))).toBe(true);
  });

  it('/ serves index.html', async () => {
    const response = await get(base, '/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body.equals(file('index.html'))).toBe(true);
  });

  it('a query string does not change what is served', async () => {
    const response = await get(base, '/rss.xml?utm_source=reader&x=..%2f..%2fstate.db');
    expect(response.status).toBe(200);
    expect(response.body.equals(file('rss.xml'))).toBe(true);
  });

  it('sends Access-Control-Allow-Origin: * on feed.json only', async () => {
    for (const name of ['feed.json', 'desk/feed.json']) {
      expect((await get(base, `/${name}`)).headers['access-control-allow-origin'], name).toBe('*');
    }
    for (const name of ['rss.xml', 'atom.xml', 'desk/rss.xml', 'index.html', 'feeds.opml', 'feed.xsl', 'status.json', entryPage()]) {
      expect((await get(base, `/${name}`)).headers['access-control-allow-origin'], name).toBeUndefined();
    }
  });

  it("gives a browser that asks for HTML the feed's page for people instead of RSS or Atom", async () => {
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
    for (const target of ['/inside-link.xml', '/up/out/rss.xml']) {
      const response = await get(base, target);
      expect(response.status, target).toBe(200);
      expect(response.body.equals(file('rss.xml'))).toBe(true);
    }
  });

  it('a missing file or a folder without index.html is 404', async () => {
    for (const target of ['/nope.xml', '/desk/', '/desk', '/entries/', '/desk/index.html']) {
      expect((await get(base, target)).status, target).toBe(404);
    }
  });
});

describe('validators', () => {
  it('sends a strong ETag, the same for the same bytes and on every request', async () => {
    const first = await get(base, '/rss.xml');
    const second = await get(base, '/rss.xml');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(etag.startsWith('W/')).toBe(false);
    expect(second.headers.etag).toBe(etag);
    // Another path with exactly the same bytes: the same validator.
    writeFileSync(path.join(ws.out, 'rss-copy.xml'), file('rss.xml'));
    expect((await get(base, '/rss-copy.xml')).headers.etag).toBe(etag);
    // Different bytes: a different validator.
    expect((await get(base, '/atom.xml')).headers.etag).not.toBe(etag);
  });

  it('sends Last-Modified: the file time, to the second', async () => {
    const response = await get(base, '/atom.xml');
    const mtimeMs = statSync(path.join(ws.out, 'atom.xml')).mtimeMs;
    expect(response.headers['last-modified']).toBe(new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString());
  });

  it('answers 304 to a matching If-None-Match, with the validators and no body', async () => {
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
    const { headers } = await get(base, '/feed.json');
    const lastModified = headers['last-modified']!;
    for (const since of [lastModified, new Date(Date.parse(lastModified) + 3_600_000).toUTCString()]) {
      const response = await get(base, '/feed.json', { 'If-Modified-Since': since });
      expect(response.status, since).toBe(304);
      expect(response.body.length).toBe(0);
    }
    const earlier = await get(base, '/feed.json', { 'If-Modified-Since': new Date(Date.parse(lastModified) - 1000).toUTCString() });
    expect(earlier.status).toBe(200);
    expect(earlier.body.equals(file('feed.json'))).toBe(true);
    // A date that is not a date is ignored.
    expect((await get(base, '/feed.json', { 'If-Modified-Since': 'yesterday-ish' })).status).toBe(200);
  });

  it('If-None-Match wins over If-Modified-Since', async () => {
    const { headers } = await get(base, '/rss.xml');
    const later = new Date(Date.parse(headers['last-modified']!) + 3_600_000).toUTCString();
    const longAgo = new Date(0).toUTCString();
    // The date alone would say 304; the ETag does not match, so 200.
    expect((await get(base, '/rss.xml', { 'If-None-Match': '"other"', 'If-Modified-Since': later })).status).toBe(200);
    // The date alone would say 200; the ETag matches, so 304.
    expect((await get(base, '/rss.xml', { 'If-None-Match': headers.etag!, 'If-Modified-Since': longAgo })).status).toBe(304);
  });

  it('answers HEAD with the GET headers and no body', async () => {
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

  it('a file changed on disk gets a new ETag, Last-Modified and body within a second or so', async () => {
    const changing = path.join(ws.out, 'changing.xml');
    const v1 = Buffer.from(`<?xml version="1.0"?><notes>${'version one '.repeat(60)}</notes>\n`);
    const v2 = Buffer.from(`<?xml version="1.0"?><notes>${'version two, longer '.repeat(60)}</notes>\n`);
    writeFileSync(changing, v1);
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
    // Made once per version: one gzip and one br of each.
    for (const version of [v1, v2]) {
      expect(compressionsOf(version, 'gzip')).toBe(1);
      expect(compressionsOf(version, 'br')).toBe(1);
    }
  });
});

describe('compression', () => {
  it('sends gzip when asked, and it decompresses to the file', async () => {
    for (const name of ['rss.xml', 'atom.xml', 'feed.json', 'index.html', 'feeds.opml']) {
      const response = await get(base, `/${name}`, { 'Accept-Encoding': 'gzip' });
      expect(response.headers['content-encoding'], name).toBe('gzip');
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
      expect(response.body.length).toBeLessThan(file(name).length);
      expect(gunzipSync(response.body).equals(file(name)), name).toBe(true);
      expect(response.headers.vary).toContain('Accept-Encoding');
    }
  });

  it('prefers br when both are accepted, and it decompresses to the file', async () => {
    for (const accept of ['br', 'gzip, deflate, br', 'gzip, deflate, br, zstd', 'br;q=1.0, gzip;q=0.8', '*']) {
      const response = await get(base, '/atom.xml', { 'Accept-Encoding': accept });
      expect(response.headers['content-encoding'], accept).toBe('br');
      expect(brotliDecompressSync(response.body).equals(file('atom.xml')), accept).toBe(true);
    }
  });

  it('follows q-values', async () => {
    expect((await get(base, '/atom.xml', { 'Accept-Encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe('gzip');
    expect((await get(base, '/atom.xml', { 'Accept-Encoding': 'gzip;q=0.9, br;q=0.1' })).headers['content-encoding']).toBe('gzip');
    expect((await get(base, '/atom.xml', { 'Accept-Encoding': 'gzip;q=0, br;q=0' })).headers['content-encoding']).toBeUndefined();
    expect((await get(base, '/atom.xml', { 'Accept-Encoding': '*;q=0, gzip' })).headers['content-encoding']).toBe('gzip');
  });

  it('sends identity when no coding it has is accepted, with Vary: Accept-Encoding', async () => {
    for (const accept of [undefined, 'identity', 'deflate', 'compress', '']) {
      const response = await get(base, '/index.html', accept === undefined ? {} : { 'Accept-Encoding': accept });
      expect(response.headers['content-encoding'], String(accept)).toBeUndefined();
      expect(response.body.equals(file('index.html'))).toBe(true);
      expect(response.headers.vary).toBe('Accept-Encoding');
    }
    expect((await get(base, '/rss.xml')).headers.vary).toBe('Accept, Accept-Encoding');
  });

  it('makes each compressed form once per file version, not per request', async () => {
    const name = 'desk/atom.xml';
    const bytes = file(name);
    const bodies = { gzip: [] as Buffer[], br: [] as Buffer[] };
    for (let round = 0; round < 3; round++) {
      bodies.gzip.push((await get(base, `/${name}`, { 'Accept-Encoding': 'gzip' })).body);
      bodies.br.push((await get(base, `/${name}`, { 'Accept-Encoding': 'br' })).body);
      await get(base, `/${name}`);
      await rawGet(base, `/${name}`, 'HEAD', 'Accept-Encoding: gzip\r\n');
      await sleep(400); // past the cache's once-a-second look at the disk, too
    }
    // Identical bytes every time...
    for (const list of [bodies.gzip, bodies.br]) for (const body of list) expect(body.equals(list[0]!)).toBe(true);
    expect(gunzipSync(bodies.gzip[0]!).equals(bytes)).toBe(true);
    expect(brotliDecompressSync(bodies.br[0]!).equals(bytes)).toBe(true);
    // ...because zlib ran once for each form of this file.
    expect(compressionsOf(bytes, 'gzip')).toBe(1);
    expect(compressionsOf(bytes, 'br')).toBe(1);
  });
});

describe('Cache-Control', () => {
  it(`lets readers keep every file for one schedule interval (${INTERVAL_S} s for ${SCHEDULE})`, async () => {
    for (const name of ['rss.xml', 'atom.xml', 'feed.json', 'desk/rss.xml', 'index.html', 'feeds.opml', 'feed.xsl']) {
      expect((await get(base, `/${name}`)).headers['cache-control'], name).toBe(`public, max-age=${INTERVAL_S}`);
    }
  });

  it('never lets /healthz or /metrics be cached', async () => {
    expect((await get(base, '/healthz')).headers['cache-control']).toBe('no-store');
    expect((await get(base, '/metrics')).headers['cache-control']).toBe('no-store');
  });
});

describe('nothing outside out/ is reachable', () => {
  /** Request targets sent byte for byte. */
  const attacks = [
    '/../state/state.db',
    '/../secret.txt',
    '/../../../../../../etc/passwd',
    '/desk/../../secret.txt',
    '/entries/../../state/state.db',
    '/%2e%2e/state/state.db',
    '/%2E%2E/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/..%2Fstate%2Fstate.db',
    '/desk/..%2f..%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/%252e%252e%252fsecret.txt',
    '/..%252fsecret.txt',
    '/..\\secret.txt',
    '/..%5csecret.txt',
    '/%5c..%5csecret.txt',
    '/rss.xml%00',
    '/%00',
    '/..%00/secret.txt',
    '/.rss.xml.feedloom-1-0.tmp',
    '/%2erss.xml.feedloom-1-0.tmp',
    '/desk/.hidden',
    '/desk/%2ehidden',
    '/leak.txt',
    '/state-link.db',
    '/state-dir/state.db',
    '/state-dir/state.db-wal',
    '/up/secret.txt',
    '/up/state/state.db',
    '/%c0%ae%c0%ae/secret.txt',
    '/%',
    '/%zz',
  ];

  it.each(attacks)('%s is 400 or 404, never the file', async (target) => {
    const response = await rawGet(base, target);
    expect([400, 404], response.statusLine).toContain(response.status);
    expect(response.raw.toString('latin1')).not.toContain(SECRET);
    expect(response.raw.toString('latin1').includes(SQLITE_MAGIC)).toBe(false);
    expect(response.raw.toString('latin1')).not.toContain('root:');
  });

  it('refuses absolute-form and asterisk request targets', async () => {
    for (const target of [`http://127.0.0.1/../secret.txt`, 'http://127.0.0.1/rss.xml', '*', 'secret.txt']) {
      const response = await rawGet(base, target);
      expect([400, 404], `${target}: ${response.statusLine}`).toContain(response.status);
      expect(response.raw.toString('latin1')).not.toContain(SECRET);
    }
  });

  it('never serves the state file, whatever the path', async () => {
    const stateFiles = readdirSync(ws.stateDir); // state.db, -wal, -shm
    expect(stateFiles).toContain('state.db');
    const prefixes = ['', '/..', '/../state', '/%2e%2e/state', '/desk/../../state', '/state-dir', '/up/state', '/.feedloom', '/state'];
    for (const prefix of prefixes) {
      for (const name of stateFiles) {
        const response = await rawGet(base, `${prefix}/${name}`);
        expect([400, 404], `${prefix}/${name}: ${response.statusLine}`).toContain(response.status);
        expect(response.raw.toString('latin1').includes(SQLITE_MAGIC)).toBe(false);
      }
    }
  });

  it('a malformed request line or header gets 400, and the server keeps serving', async () => {
    const malformed = [
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      'GET /rss.xml HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /rss.xml HTTP/1.1\r\nHost: x\r\nNo colon in this header\r\n\r\n',
      'GET /rss.xml HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n',
      'GET /rss.xml HTTP/1.1\r\nHost: x\r\nBad Name: value\r\n\r\n',
      'GET /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'GET /rss xml HTTP/1.1\r\nHost: x\r\n\r\n',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', // a TLS ClientHello on the plain port
    ];
    for (const bytes of malformed) {
      const response = await rawRequest(base, Buffer.from(bytes, 'latin1'));
      expect(response.status, JSON.stringify(bytes)).toBe(400);
      const after = await get(base, '/rss.xml');
      expect(after.status).toBe(200);
      expect(after.body.equals(file('rss.xml'))).toBe(true);
    }
    expect(serverLogs.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('answers 405 with Allow to methods other than GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND']) {
      for (const target of ['/rss.xml', '/healthz', '/metrics', '/../secret.txt']) {
        const response = await rawRequest(base, `${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        expect(response.status, `${method} ${target}`).toBe(405);
        expect(response.headers.allow).toBe('GET, HEAD');
        expect(response.raw.toString('latin1')).not.toContain(SECRET);
      }
    }
    // The file is unchanged by any of that.
    expect((await get(base, '/rss.xml')).body.equals(file('rss.xml'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Health.

describe('/healthz', () => {
  async function serverOver(healthStore: SqliteStore): Promise<string> {
    const { logger } = captureLogger();
    const running = await startFeedServer({ outDir: ws.out, site, store: healthStore, metrics: new FeedMetrics(() => healthStore), host: '127.0.0.1', port: 0, logger });
    cleanups.push(() => running.close());
    return running.url;
  }

  const pass = (startedMs: number, durationMs = 40) => ({
    startedMs,
    durationMs,
    sourcesOk: 4,
    sourcesFailed: 0,
    sourcesUnchanged: 0,
    entriesNew: 0,
    entriesUpdated: 0,
    entriesUnchanged: 0,
    filesWritten: 0,
    filesUnchanged: 0,
  });

  it('is 200 with a JSON report after a fresh pass', async () => {
    const response = await get(base, '/healthz');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const report = JSON.parse(response.body.toString('utf8')) as { healthy: boolean; reason: string; last_pass: string };
    expect(report.healthy).toBe(true);
    const last = (await store.lastPass())!;
    expect(report.last_pass).toBe(new Date(last.startedMs + last.durationMs).toISOString());
    expect(report.reason).toMatch(/\S/);
  });

  it('answers HEAD with the status and no body', async () => {
    const head = await rawGet(base, '/healthz', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('is 503 with a reason when no pass has finished', async () => {
    const empty = SqliteStore.open(':memory:');
    cleanups.push(() => empty.close());
    const response = await get(await serverOver(empty), '/healthz');
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const report = JSON.parse(response.body.toString('utf8')) as { healthy: boolean; reason: string; last_pass: string | null };
    expect(report).toEqual({ healthy: false, reason: expect.stringMatching(/no pass/) as unknown as string, last_pass: null });
  });

  it('is 503 with a reason when the last pass ended more than two intervals ago', async () => {
    const old = SqliteStore.open(':memory:');
    cleanups.push(() => old.close());
    const endedMs = Date.now() - 3 * INTERVAL_S * 1000;
    await old.recordPass(pass(endedMs - 40));
    const response = await get(await serverOver(old), '/healthz');
    expect(response.status).toBe(503);
    const report = JSON.parse(response.body.toString('utf8')) as { healthy: boolean; reason: string; last_pass: string };
    expect(report.healthy).toBe(false);
    expect(report.last_pass).toBe(new Date(endedMs).toISOString());
    expect(report.reason).toContain('two schedule intervals');
    expect(report.reason).toContain(new Date(endedMs).toISOString());
  });

  it('is 200 when the last pass ended less than two intervals ago (the newest pass counts)', async () => {
    const recent = SqliteStore.open(':memory:');
    cleanups.push(() => recent.close());
    await recent.recordPass(pass(Date.now() - 10 * INTERVAL_S * 1000));
    await recent.recordPass(pass(Date.now() - 1.5 * INTERVAL_S * 1000));
    expect((await get(await serverOver(recent), '/healthz')).status).toBe(200);
  });

  it('passHealth: the limit is exactly two intervals after the pass ended', async () => {
    const boundary = SqliteStore.open(':memory:');
    cleanups.push(() => boundary.close());
    const intervalMs = INTERVAL_S * 1000;
    const startedMs = Date.UTC(2026, 2, 1, 12, 0, 0);
    await boundary.recordPass(pass(startedMs, 2500));
    const endedMs = startedMs + 2500;
    expect((await passHealth(boundary, intervalMs, endedMs)).healthy).toBe(true);
    expect((await passHealth(boundary, intervalMs, endedMs + 2 * intervalMs)).healthy).toBe(true);
    const late = await passHealth(boundary, intervalMs, endedMs + 2 * intervalMs + 1);
    expect(late.healthy).toBe(false);
    expect(late.last_pass).toBe(new Date(endedMs).toISOString());
    expect(late.reason).toContain(`${(2 * intervalMs) / 1000} s`);
  });
});

// ---------------------------------------------------------------------------------------------
// Metrics: a workspace with one remote feed that works and one that answers 500.

const REMOTE_RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Upriver Weekly</title>
    <link>https://upriver.example/</link>
    <description>Notes from upriver.</description>
    <item>
      <title>Weir repairs finished ahead of the spring floods</title>
      <link>https://upriver.example/weir</link>
      <guid>https://upriver.example/weir</guid>
      <pubDate>Sat, 28 Feb 2026 09:00:00 GMT</pubDate>
      <description>The weir at Lower Ford is open again.</description>
    </item>
    <item>
      <title>Ferry timetable changes on Monday</title>
      <link>https://upriver.example/ferry</link>
      <guid>https://upriver.example/ferry</guid>
      <pubDate>Fri, 27 Feb 2026 16:30:00 GMT</pubDate>
      <description>Two more crossings in the evening.</description>
    </item>
  </channel>
</rss>
`;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format strictly enough that a malformed line fails the test. */
function parsePrometheus(text: string): { types: Map<string, string>; helps: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let match = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (match) {
      (match[1] === 'HELP' ? helps : types).set(match[2]!, match[3]!);
      continue;
    }
    match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!match) throw new Error(`not a Prometheus text line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    if (Number.isNaN(value) && match[3] !== 'NaN') throw new Error(`bad sample value in ${JSON.stringify(line)}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return { types, helps, samples };
}

function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))?.value;
}

describe('/metrics', () => {
  let metricsBase: string;
  let metricsStore: SqliteStore;
  let remote: Server;
  let remoteRequests: string[];
  let passes: PassSummary[];

  beforeAll(async () => {
    remoteRequests = [];
    remote = createHttpServer((request, response) => {
      remoteRequests.push(request.url ?? '');
      if (request.url === '/upriver.xml') {
        response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
        response.end(REMOTE_RSS);
      } else {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('the database is on fire\n');
      }
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => remote.close(() => resolve())));
    const origin = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;

    const mws = workspace('metrics');
    writeFileSync(path.join(mws.sources, 'upriver.yaml'), `kind: feed\nurl: ${origin}/upriver.xml\n`);
    writeFileSync(path.join(mws.sources, 'firehouse.yaml'), `kind: feed\nurl: ${origin}/firehouse.xml\n`);
    metricsStore = SqliteStore.open(mws.state);
    cleanups.push(() => metricsStore.close());
    const metrics = new FeedMetrics(() => metricsStore);
    const { logger } = captureLogger();
    passes = [];
    // Two passes, the second after the failing source's one-minute backoff, so it is tried again.
    const start = Date.now();
    for (const offsetMs of [0, 5 * 60_000]) {
      passes.push(await runPass({ sourcesDir: mws.sources, outDir: mws.out, store: metricsStore, logger, observer: metrics, now: () => new Date(start + offsetMs) }));
    }
    const running = await startFeedServer({ outDir: mws.out, site, store: metricsStore, metrics, host: '127.0.0.1', port: 0, logger });
    cleanups.push(() => running.close());
    metricsBase = running.url;
  }, 60_000);

  it('the passes fetched both sources and one failed each time', () => {
    expect(passes.map((p) => p.sourcesFailed)).toEqual([1, 1]);
    expect(passes.map((p) => p.failures.map((f) => f.source))).toEqual([['firehouse'], ['firehouse']]);
    expect(remoteRequests.filter((url) => url === '/firehouse.xml')).toHaveLength(2);
    expect(remoteRequests.filter((url) => url === '/upriver.xml')).toHaveLength(2);
  });

  it('answers in the Prometheus text format with every feedloom metric', async () => {
    const response = await get(metricsBase, '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const { types, helps } = parsePrometheus(response.body.toString('utf8'));
    const expected: Record<string, string> = {
      feedloom_passes_total: 'counter',
      feedloom_pass_duration_seconds: 'histogram',
      feedloom_fetch_duration_seconds: 'histogram',
      feedloom_source_failures_total: 'counter',
      feedloom_source_consecutive_failures: 'gauge',
      feedloom_entries: 'gauge',
      feedloom_last_pass_duration_seconds: 'gauge',
      feedloom_last_successful_pass_timestamp_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect(types.get(name), name).toBe(type);
      expect(helps.get(name), name).toMatch(/\S/);
    }
  });

  it('counts passes and observes their durations', async () => {
    const { samples } = parsePrometheus((await get(metricsBase, '/metrics')).body.toString('utf8'));
    expect(sample(samples, 'feedloom_passes_total')).toBe(2);
    expect(sample(samples, 'feedloom_pass_duration_seconds_count')).toBe(2);
    const sum = sample(samples, 'feedloom_pass_duration_seconds_sum')!;
    expect(sum).toBeCloseTo(passes.reduce((total, p) => total + p.durationMs, 0) / 1000, 6);
    expect(sample(samples, 'feedloom_pass_duration_seconds_bucket', { le: '+Inf' })).toBe(2);
    const last = (await metricsStore.lastPass())!;
    expect(sample(samples, 'feedloom_last_pass_duration_seconds')).toBeCloseTo(last.durationMs / 1000, 6);
    expect(sample(samples, 'feedloom_last_successful_pass_timestamp_seconds')).toBeCloseTo((last.startedMs + last.durationMs) / 1000, 3);
  });

  it('reports the failing source: failures seen and failures in a row', async () => {
    const { samples } = parsePrometheus((await get(metricsBase, '/metrics')).body.toString('utf8'));
    expect(sample(samples, 'feedloom_source_failures_total', { source: 'firehouse' })).toBe(2);
    expect(sample(samples, 'feedloom_source_consecutive_failures', { source: 'firehouse' })).toBe(2);
    // The working source is not reported as failing.
    expect(sample(samples, 'feedloom_source_failures_total', { source: 'upriver' })).toBeUndefined();
    expect(sample(samples, 'feedloom_source_consecutive_failures', { source: 'upriver' })).toBeUndefined();
  });

  it('counts the entries in the state and observes fetch durations', async () => {
    const { samples } = parsePrometheus((await get(metricsBase, '/metrics')).body.toString('utf8'));
    expect(sample(samples, 'feedloom_entries')).toBe(await metricsStore.entryCount());
    expect(await metricsStore.entryCount()).toBe(14 + 2); // the captured pages' entries and the remote feed's two items
    // Two passes fetched the working source and the failing one once each: four fetches, the two
    // 500s among them, each observed.
    expect(sample(samples, 'feedloom_fetch_duration_seconds_count')).toBe(4);
    expect(sample(samples, 'feedloom_fetch_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('a server over a state with no pass yet reports zeros, not an error', async () => {
    const empty = SqliteStore.open(':memory:');
    cleanups.push(() => empty.close());
    const { logger } = captureLogger();
    const running = await startFeedServer({ outDir: ws.out, site, store: empty, metrics: new FeedMetrics(() => empty), host: '127.0.0.1', port: 0, logger });
    cleanups.push(() => running.close());
    const response = await get(running.url, '/metrics');
    expect(response.status).toBe(200);
    const { samples } = parsePrometheus(response.body.toString('utf8'));
    expect(sample(samples, 'feedloom_passes_total')).toBe(0);
    expect(sample(samples, 'feedloom_entries')).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The built command line.

interface Child {
  process: ChildProcess;
  logs: LogLine[];
  stderr: string[];
  exited: Promise<number | null>;
  waitForLog: (msg: string, timeoutMs?: number) => Promise<LogLine>;
}

function spawnCli(args: string[]): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const waiters: { msg: string; resolve: (line: LogLine) => void }[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const text of lines) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as LogLine;
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const waitForLog = (msg: string, timeoutMs = 20_000) => {
    const seen = logs.find((line) => line.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`no "${msg}" log line: ${why}; stdout: ${JSON.stringify(logs)}, stderr: ${stderr.join('')}`));
      const timer = setTimeout(() => fail(`not in ${timeoutMs} ms`), timeoutMs);
      // A child that exits without the line will never log it.
      void exited.then((code) => {
        clearTimeout(timer);
        if (!logs.some((line) => line.msg === msg)) fail(`the process exited with ${code}`);
      });
      waiters.push({ msg, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  };
  return { process: child, logs, stderr, exited, waitForLog };
}

describe('feedloom start --serve', () => {
  it('serves the feeds after the first pass, and SIGTERM exits 0', async () => {
    const cws = workspace('start');
    const port = await freePort();
    const child = spawnCli(['start', '--serve', '--port', String(port), '--schedule', '* * * * * *', '--sources', cws.sources, '--out', cws.out, '--state', cws.state]);
    const serving = await child.waitForLog('serving feeds');
    expect(serving.url).toBe(`http://127.0.0.1:${port}/`);
    await child.waitForLog('pass finished');
    const origin = `http://127.0.0.1:${port}/`;

    const rss = await get(origin, '/rss.xml');
    expect(rss.status).toBe(200);
    expect(rss.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(rss.body.toString('utf8')).toContain('<rss version="2.0"');
    expect(rss.body.equals(readFileSync(path.join(cws.out, 'rss.xml')))).toBe(true);
    const json = await get(origin, '/desk/feed.json', { 'Accept-Encoding': 'br' });
    expect(json.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(brotliDecompressSync(json.body).toString('utf8')).version).toBe('https://jsonfeed.org/version/1.1');
    // A schedule of every second: readers may keep files for the minimum, one minute.
    expect(rss.headers['cache-control']).toBe('public, max-age=60');
    expect((await get(origin, '/healthz')).status).toBe(200);
    const { samples } = parsePrometheus((await get(origin, '/metrics')).body.toString('utf8'));
    expect(sample(samples, 'feedloom_passes_total')).toBeGreaterThanOrEqual(1);
    expect(sample(samples, 'feedloom_pass_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(samples, 'feedloom_entries')).toBe(14);
    expect((await rawGet(origin, '/../state/state.db')).status).toBe(404);

    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.logs.at(-1)?.msg).toBe('stopped');
    expect(child.logs.filter((line) => line.level >= 50)).toEqual([]);
    // Stopped means stopped: nothing listens any more.
    await expect(get(origin, '/rss.xml')).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});

describe('feedloom serve', () => {
  it('serves an existing out/ and SIGTERM exits 0', async () => {
    const port = await freePort();
    const child = spawnCli(['serve', '--port', String(port), '--out', ws.out, '--state', ws.state, '--sources', ws.sources]);
    await child.waitForLog('serving feeds');
    const origin = `http://127.0.0.1:${port}/`;
    const atom = await get(origin, '/atom.xml', { 'Accept-Encoding': 'gzip' });
    expect(atom.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(gunzipSync(atom.body).equals(file('atom.xml'))).toBe(true);
    // The site.yaml schedule (*/10) sets max-age here: this process reads sources/site.yaml.
    expect(atom.headers['cache-control']).toBe('public, max-age=600');
    expect((await get(origin, '/healthz')).status).toBe(200);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 30_000);

  /** Layouts where --out and --state look apart but are one folder once symlinks are followed. */
  const linkedLayouts: [string, (root: string) => { out: string; state: string }][] = [
    [
      '--out is a symlink to the folder that holds the state',
      (root) => {
        mkdirSync(path.join(root, 'data'));
        symlinkSync(path.join(root, 'data'), path.join(root, 'public'));
        return { out: path.join(root, 'public'), state: path.join(root, 'data', 'state.db') };
      },
    ],
    [
      'the state\'s folder is a symlink into --out',
      (root) => {
        mkdirSync(path.join(root, 'out'));
        symlinkSync(path.join(root, 'out'), path.join(root, 'private'));
        return { out: path.join(root, 'out'), state: path.join(root, 'private', 'state.db') };
      },
    ],
    [
      'neither exists yet and a parent of --out is a symlink to where the state will be',
      (root) => {
        mkdirSync(path.join(root, 'data'));
        symlinkSync(path.join(root, 'data'), path.join(root, 'link'));
        return { out: path.join(root, 'link', 'pub'), state: path.join(root, 'data', 'pub', 'state.db') };
      },
    ],
  ];

  it.each(linkedLayouts)('never publishes the state file when %s', async (_name, layout) => {
    // path.resolve does not see through links; only the real paths tell.
    const sws = workspace('linked');
    const { out, state } = layout(sws.root);
    const port = await freePort();
    const child = spawnCli(['start', '--serve', '--port', String(port), '--schedule', '0 0 1 1 *', '--sources', sws.sources, '--out', out, '--state', state]);
    const passed = child.waitForLog('pass finished').then(
      () => 'passed' as const,
      () => 'no pass' as const,
    );
    const outcome = await Promise.race([child.exited.then((code) => ({ exited: code })), passed.then((what) => ({ exited: what === 'passed' ? undefined : -1 }))]);
    if (outcome.exited === undefined) {
      // It started anyway: then the state must not be reachable over HTTP.
      const origin = `http://127.0.0.1:${port}/`;
      await child.waitForLog('serving feeds');
      for (const name of ['state.db', 'state.db-wal', 'state.db-shm', 'state.db.lock']) {
        const response = await rawGet(origin, `/${name}`);
        expect([400, 404], `/${name} must not be served, got ${response.statusLine} (${response.headers['content-length']} bytes)`).toContain(response.status);
        expect(response.raw.toString('latin1').includes(SQLITE_MAGIC), `/${name}`).toBe(false);
      }
      child.process.kill('SIGTERM');
      await child.exited;
    } else {
      // Refused: exit 1 with a reason naming the state and out/, and nothing published.
      expect(outcome.exited).toBe(1);
      expect(child.logs.some((line) => line.level === 60 && /--state .* is inside --out/.test(line.msg))).toBe(true);
      expect(existsSync(path.join(out, 'rss.xml'))).toBe(false);
    }
  }, 30_000);
});

describe('errors of the server itself', () => {
  it('are logged, and the server keeps serving (unheard, one would end the process)', async () => {
    const error = Object.assign(new Error('accept EMFILE: too many open files'), { code: 'EMFILE' });
    server.server.emit('error', error);
    server.server.emit('error', error);
    expect(serverLogs.filter((line) => line.level >= 50 && line.msg === 'server error: accept EMFILE: too many open files')).toHaveLength(2);
    const after = await get(base, '/rss.xml');
    expect(after.status).toBe(200);
  });
});
