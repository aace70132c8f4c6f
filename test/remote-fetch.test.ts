// The fetch layer against a real HTTP server on 127.0.0.1: compression, conditional GET,
// redirects, timeouts and byte caps that close the socket, HTTP errors and Retry-After.
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FETCH_POLICY, Fetcher, parseRetryAfter, type FetchPolicy, type FetchResult } from '../src/ingest/fetch.js';
import { parseFeedDocument } from '../src/ingest/feed-document.js';
import { HostLimiter } from '../src/ingest/host-limiter.js';
import { decodeDocument } from '../src/ingest/charset.js';
import { feedToEntries } from '../src/normalize/feed-items.js';
import { readSiteConfig } from '../src/config/site.js';
import { fetchError } from './support/fetch-error.js';
import { delay, delayed, fixture, redirect, send, sendFixture, startFixtureServer, streamBytes, type FixtureServer } from './support/http-fixture-server.js';

const MB = 1024 * 1024;
const RSS = 'application/rss+xml';

let server: FixtureServer;
const fetchers: Fetcher[] = [];

beforeAll(async () => {
  server = await startFixtureServer();
});
afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((fetcher) => fetcher.close()));
});
afterAll(async () => {
  await server.close();
});

function fetcher(policy: Partial<FetchPolicy> = {}): Fetcher {
  const made = new Fetcher({ ...DEFAULT_FETCH_POLICY, userAgent: 'feedloom-test/0 (+https://feeds.example/)', ...policy });
  fetchers.push(made);
  return made;
}

function body(result: FetchResult): Buffer {
  if (result.notModified) throw new Error('expected a body, got 304');
  return result.body;
}

describe('compressed bodies', () => {
  const original = fixture('rss2.xml');

  it.each([
    ['gzip', gzipSync(original)],
    ['x-gzip', gzipSync(original)],
    ['deflate', deflateSync(original)],
    ['deflate', deflateRawSync(original)],
    ['br', brotliCompressSync(original)],
  ])('decodes content-encoding %s back to the exact bytes', async (encoding, compressed) => {
    const pathname = `/compressed/${encoding}-${compressed.length}.xml`;
    server.route(pathname, send(compressed, { 'content-type': RSS, 'content-encoding': encoding }));
    const result = await fetcher().fetch({ source: 'zip', url: server.url(pathname) });
    expect(body(result).equals(original)).toBe(true);
    expect(server.requestsTo(pathname)[0]!.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('refuses a body that claims gzip but is not, as an encoding failure', async () => {
    server.route('/compressed/fake.xml', send(Buffer.from('<rss>not gzip</rss>'), { 'content-encoding': 'gzip' }));
    const error = await fetchError(fetcher().fetch({ source: 'zip', url: server.url('/compressed/fake.xml') }));
    expect(error.failure).toBe('encoding');
    expect(error.source).toBe('zip');
  });
});

describe('conditional GET', () => {
  it('sends the ETag back as If-None-Match and reads a 304 as not modified', async () => {
    const document = fixture('atom.xml');
    server.route('/conditional/etag.xml', (request, response) => {
      if (request.headers['if-none-match'] === '"atom-v1"') {
        response.writeHead(304, { etag: '"atom-v1"' });
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/atom+xml', etag: '"atom-v1"' });
      response.end(document);
    });
    const client = fetcher();
    const first = await client.fetch({ source: 'etag', url: server.url('/conditional/etag.xml') });
    expect(first.notModified).toBe(false);
    expect(first.notModified === false && first.etag).toBe('"atom-v1"');
    expect(server.requestsTo('/conditional/etag.xml')[0]!.headers['if-none-match']).toBeUndefined();

    const second = await client.fetch({ source: 'etag', url: server.url('/conditional/etag.xml'), etag: '"atom-v1"' });
    expect(second).toMatchObject({ notModified: true, url: server.url('/conditional/etag.xml') });
    expect(server.requestsTo('/conditional/etag.xml')[1]!.headers['if-none-match']).toBe('"atom-v1"');
  });

  it('sends Last-Modified back as If-Modified-Since', async () => {
    const stamp = 'Sat, 28 Feb 2026 10:00:00 GMT';
    server.route('/conditional/date.xml', (request, response) => {
      const fresh = request.headers['if-modified-since'] === stamp;
      response.writeHead(fresh ? 304 : 200, { 'last-modified': stamp, 'content-type': RSS });
      response.end(fresh ? undefined : fixture('rss2.xml'));
    });
    const client = fetcher();
    const first = await client.fetch({ source: 'date', url: server.url('/conditional/date.xml') });
    expect(first.notModified === false && first.lastModified).toBe(stamp);
    const second = await client.fetch({ source: 'date', url: server.url('/conditional/date.xml'), lastModified: stamp });
    expect(second.notModified).toBe(true);
  });
});

describe('redirects', () => {
  it('follows three hops, and the final URL is the base for relative links', async () => {
    server.route('/hop/a', redirect('/hop/b', 301));
    server.route('/hop/b', redirect(server.url('/hop/c'), 302));
    server.route('/hop/c', redirect('../final/news/rss2.xml', 307));
    server.route('/final/news/rss2.xml', sendFixture('rss2.xml', RSS));
    const result = await fetcher().fetch({ source: 'hops', url: server.url('/hop/a') });
    expect(result.url).toBe(server.url('/final/news/rss2.xml'));
    expect(server.requests.filter((request) => request.path.startsWith('/hop/')).map((request) => request.path)).toEqual(['/hop/a', '/hop/b', '/hop/c']);

    const feed = await parseFeedDocument(decodeDocument(body(result), result.notModified ? undefined : result.contentType), 'hops');
    const site = readSiteConfig({ url: 'https://feeds.example/' }, 'site.yaml');
    const entries = feedToEntries(feed, { source: 'hops', site, documentUrl: result.url, fetchedAt: new Date('2026-03-01T12:00:00Z') });
    const ferry = entries.find((entry) => entry.title === 'New ferry timetable from Monday');
    expect(ferry?.link).toBe(server.url('/final/news/stories/ferry-timetable?day=mon'));
    expect(ferry?.contentHtml).toContain(`href="${server.url('/final/news/stories/timetable.pdf')}"`);
  });

  it('fails a redirect loop as a redirect failure, without looping', async () => {
    server.route('/loop/a', redirect('/loop/b'));
    server.route('/loop/b', redirect('/loop/a'));
    const error = await fetchError(fetcher().fetch({ source: 'loop', url: server.url('/loop/a') }));
    expect(error.failure).toBe('redirect');
    expect(error.message).toContain(`redirect loop at ${server.url('/loop/a')}`);
    expect(server.requestsTo('/loop/a')).toHaveLength(1);
    expect(server.requestsTo('/loop/b')).toHaveLength(1);
  });

  it('follows five redirects and fails the sixth', async () => {
    for (let hop = 1; hop <= 7; hop++) server.route(`/chain/${hop}`, redirect(`/chain/${hop + 1}`));
    server.route('/chain/6', sendFixture('atom.xml', 'application/atom+xml'));
    const ok = await fetcher().fetch({ source: 'chain', url: server.url('/chain/1') });
    expect(ok.url).toBe(server.url('/chain/6'));

    server.route('/chain/6', redirect('/chain/7'));
    server.route('/chain/7', sendFixture('atom.xml', 'application/atom+xml'));
    const error = await fetchError(fetcher().fetch({ source: 'chain', url: server.url('/chain/1') }));
    expect(error.failure).toBe('redirect');
    expect(error.message).toContain('more than 5 redirects');
    expect(server.requestsTo('/chain/7')).toHaveLength(0);
  });

  it('never follows a redirect to a file: URL', async () => {
    server.route('/to-file', redirect('file:///etc/passwd'));
    const error = await fetchError(fetcher().fetch({ source: 'file', url: server.url('/to-file') }));
    expect(error.failure).toBe('scheme');
  });
});

describe('timeouts close the socket', () => {
  it('gives up on a body that stalls, with a timeout failure, and hangs up', async () => {
    let stalled: Promise<void> | undefined;
    server.route('/stall/body.xml', (_request, response, recorded) => {
      response.writeHead(200, { 'content-type': RSS });
      response.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Sl');
      stalled = recorded.socketClosed;
      // Never ends: only the client can close this socket.
    });
    const started = performance.now();
    const error = await fetchError(fetcher({ totalTimeoutMs: 500 }).fetch({ source: 'stall', url: server.url('/stall/body.xml') }));
    const elapsed = performance.now() - started;
    expect(error.failure).toBe('timeout');
    expect(error.message).toContain('timed out');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2500);
    await expect(Promise.race([stalled!.then(() => 'closed'), delay(1000).then(() => 'still open')])).resolves.toBe('closed');
  });

  it('gives up on a server that never sends headers', async () => {
    let stalled: Promise<void> | undefined;
    server.route('/stall/headers.xml', (_request, _response, recorded) => {
      stalled = recorded.socketClosed;
    });
    const error = await fetchError(fetcher({ totalTimeoutMs: 400 }).fetch({ source: 'stall', url: server.url('/stall/headers.xml') }));
    expect(error.failure).toBe('timeout');
    await expect(Promise.race([stalled!.then(() => 'closed'), delay(1000).then(() => 'still open')])).resolves.toBe('closed');
  });

  it('counts the whole time across redirects, not each hop afresh', async () => {
    server.route('/slow-hop/a', delayed(300, redirect('/slow-hop/b')));
    server.route('/slow-hop/b', delayed(300, redirect('/slow-hop/c')));
    server.route('/slow-hop/c', delayed(300, sendFixture('rss2.xml', RSS)));
    const error = await fetchError(fetcher({ totalTimeoutMs: 700 }).fetch({ source: 'slow', url: server.url('/slow-hop/a') }));
    expect(error.failure).toBe('timeout');
  });
});

describe('byte caps', () => {
  it('stops reading a 50 MB body at the 5 MB default cap, quickly, and hangs up', async () => {
    let sent: Promise<void> | undefined;
    let closed: Promise<void> | undefined;
    server.route('/big/chunked.xml', (_request, response, recorded) => {
      closed = recorded.socketClosed;
      response.writeHead(200, { 'content-type': RSS });
      sent = streamBytes(response, 50 * MB);
    });
    const client = fetcher();
    expect(client.policy.maxBytes).toBe(5 * MB);
    const started = performance.now();
    const error = await fetchError(client.fetch({ source: 'big', url: server.url('/big/chunked.xml') }));
    expect(error.failure).toBe('too-large');
    expect(error.message).toContain(`larger than ${5 * MB} bytes`);
    expect(performance.now() - started).toBeLessThan(3000);
    await expect(Promise.race([closed!.then(() => 'closed'), delay(1000).then(() => 'still open')])).resolves.toBe('closed');
    await sent;
  });

  it('refuses a declared Content-Length above the cap before reading the body', async () => {
    let closed: Promise<void> | undefined;
    server.route('/big/declared.xml', (_request, response, recorded) => {
      closed = recorded.socketClosed;
      response.writeHead(200, { 'content-type': RSS, 'content-length': 50 * MB });
      void streamBytes(response, 50 * MB);
    });
    const error = await fetchError(fetcher().fetch({ source: 'big', url: server.url('/big/declared.xml') }));
    expect(error.failure).toBe('too-large');
    await expect(Promise.race([closed!.then(() => 'closed'), delay(1000).then(() => 'still open')])).resolves.toBe('closed');
  });

  it('refuses a small gzip body that inflates above the cap', async () => {
    const bomb = gzipSync(Buffer.alloc(6 * MB, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    server.route('/big/bomb.xml', send(bomb, { 'content-type': RSS, 'content-encoding': 'gzip' }));
    const error = await fetchError(fetcher().fetch({ source: 'bomb', url: server.url('/big/bomb.xml') }));
    expect(error.failure).toBe('too-large');
  });

  it('refuses a brotli body that inflates above a smaller configured cap', async () => {
    const bomb = brotliCompressSync(Buffer.alloc(2 * MB, 0x41));
    server.route('/big/bomb.br', send(bomb, { 'content-type': RSS, 'content-encoding': 'br' }));
    const error = await fetchError(fetcher({ maxBytes: MB }).fetch({ source: 'bomb', url: server.url('/big/bomb.br') }));
    expect(error.failure).toBe('too-large');
  });

  it('reads a body just under the cap', async () => {
    server.route('/big/fits.txt', send(Buffer.alloc(MB - 1, 0x41), { 'content-type': 'text/plain' }));
    const result = await fetcher({ maxBytes: MB }).fetch({ source: 'fits', url: server.url('/big/fits.txt') });
    expect(body(result).length).toBe(MB - 1);
  });
});

describe('HTTP errors', () => {
  it('fails a 500 as an http failure with its status', async () => {
    server.route('/errors/500', send('boom', { 'content-type': 'text/plain' }, 500));
    const error = await fetchError(fetcher().fetch({ source: 'five', url: server.url('/errors/500') }));
    expect(error.failure).toBe('http');
    expect(error.details.status).toBe(500);
    expect(error.message).toContain(`HTTP 500 from ${server.url('/errors/500')}`);
    expect(error.details.retryAfterMs).toBeUndefined();
  });

  it('reads Retry-After in seconds and as an HTTP date', async () => {
    server.route('/errors/503-seconds', send('busy', { 'retry-after': '120' }, 503));
    const seconds = await fetchError(fetcher().fetch({ source: 'busy', url: server.url('/errors/503-seconds') }));
    expect(seconds.details).toMatchObject({ status: 503, retryAfterMs: 120_000 });

    const now = Date.parse('2026-03-01T12:00:00Z');
    server.route('/errors/429-date', send('slow down', { 'retry-after': 'Sun, 01 Mar 2026 12:30:00 GMT' }, 429));
    const dated = await fetchError(fetcher().fetch({ source: 'busy', url: server.url('/errors/429-date') }, () => now));
    expect(dated.details).toMatchObject({ status: 429, retryAfterMs: 30 * 60_000 });

    expect(parseRetryAfter('garbage', now)).toBeUndefined();
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('fails a 404 as an http failure', async () => {
    const error = await fetchError(fetcher().fetch({ source: 'missing', url: server.url('/no/such/feed.xml') }));
    expect(error.failure).toBe('http');
    expect(error.details.status).toBe(404);
  });

  it('fails a refused connection as a network failure', async () => {
    const gone = await startFixtureServer();
    const url = gone.url('/feed.xml');
    await gone.close();
    const error = await fetchError(fetcher().fetch({ source: 'gone', url }));
    expect(error.failure).toBe('network');
  });

  it('refuses a URL that is not http or https', async () => {
    const error = await fetchError(fetcher().fetch({ source: 'ftp', url: 'ftp://127.0.0.1/feed.xml' }));
    expect(error.failure).toBe('scheme');
  });
});

describe('politeness', () => {
  it('sends the User-Agent and the source headers, and lets a source header win', async () => {
    server.route('/polite/headers.xml', sendFixture('rss2.xml', RSS));
    await fetcher().fetch({ source: 'polite', url: server.url('/polite/headers.xml'), headers: { 'x-api-key': 'k-123', accept: 'application/rss+xml' } });
    const { headers } = server.requestsTo('/polite/headers.xml')[0]!;
    expect(headers['user-agent']).toBe('feedloom-test/0 (+https://feeds.example/)');
    expect(headers['x-api-key']).toBe('k-123');
    expect(headers.accept).toBe('application/rss+xml');
  });

  it('has at most perHost requests in flight to one host', async () => {
    for (let index = 0; index < 6; index++) {
      server.route(`/polite/slow-${index}.xml`, delayed(120, sendFixture('rss2.xml', RSS)));
    }
    const client = fetcher({ perHost: 2 });
    await delay(20);
    server.resetCounters();
    const results = await Promise.all(Array.from({ length: 6 }, (_, index) => client.fetch({ source: `s${index}`, url: server.url(`/polite/slow-${index}.xml`) })));
    expect(results.every((result) => !result.notModified)).toBe(true);
    expect(server.inFlight.max).toBe(2);
  });

  it('does not count time spent waiting for a per-host slot against a request timeout', async () => {
    // Every answer takes 200 ms, well inside the 500 ms timeout; with two at a time, the fifth
    // and sixth requests only start after 400 ms of waiting their turn.
    for (let index = 0; index < 6; index++) server.route(`/polite/queued-${index}.xml`, delayed(200, sendFixture('rss2.xml', RSS)));
    const client = fetcher({ perHost: 2, totalTimeoutMs: 500 });
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, index) => client.fetch({ source: `q${index}`, url: server.url(`/polite/queued-${index}.xml`) })));
    const failed = outcomes.flatMap((outcome, index) => (outcome.status === 'rejected' ? [`q${index}: ${(outcome.reason as Error).message}`] : []));
    expect(failed).toEqual([]);
  });

  it('does not count a redirect hop\'s wait for a slot on a busy host against the deadline', async () => {
    const busy = await startFixtureServer();
    try {
      // The busy host's one slot is taken for 900 ms; a quick redirect to it must wait that long,
      // and then answer well inside the 500 ms deadline of its own requests.
      busy.route('/busy/slow.xml', delayed(900, sendFixture('rss2.xml', RSS)));
      busy.route('/busy/quick.xml', sendFixture('rss2.xml', RSS));
      server.route('/polite/to-busy.xml', redirect(busy.url('/busy/quick.xml')));
      // Two clients that share one process's slots: the slow source may take its time.
      const slots = new HostLimiter(1, 16);
      const policy = { ...DEFAULT_FETCH_POLICY, userAgent: 'feedloom-test/0', perHost: 1 };
      const patient = new Fetcher({ ...policy, totalTimeoutMs: 5000 }, slots);
      const client = new Fetcher({ ...policy, totalTimeoutMs: 500 }, slots);
      fetchers.push(patient, client);
      const slow = patient.fetch({ source: 'slow', url: busy.url('/busy/slow.xml') });
      await delay(50);
      const redirected = await client.fetch({ source: 'hop', url: server.url('/polite/to-busy.xml') });
      expect(redirected.notModified).toBe(false);
      expect((await slow).notModified).toBe(false);
    } finally {
      await busy.close();
    }
  });
});
