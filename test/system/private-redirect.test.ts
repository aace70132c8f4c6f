// A public feed that redirects to a private address. "Public" needs an address that is not
// loopback on this machine: 198.51.100.7 (a documentation range, public by the rules) is added
// to the loopback interface for the test, which needs root, as CI runs it. The feed's server
// answers there; the private server answers on 127.0.0.1, and must never see a request.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FETCH_POLICY, FetchError, Fetcher } from '../../src/ingest/fetch.js';
import { healthOf, readOut } from '../support/feed-output.js';
import { memoryStore, passWithLogs, TempDirs } from '../support/feed-site.js';
import { redirect, send, startFixtureServer, type FixtureServer } from '../support/http-fixture-server.js';

const PUBLIC_ADDRESS = '198.51.100.7';
const RSS = 'application/rss+xml';
const SECRET = 'internal-metadata-credential';
const INTERNAL_FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Internal</title><link>http://internal/</link><description>d</description><item><title>${SECRET}</title><guid>internal-1</guid></item></channel></rss>`;

let feedServer: FixtureServer;
let internal: FixtureServer;
let fetcher: Fetcher;
const temps = new TempDirs();

beforeAll(async () => {
  execFileSync('ip', ['address', 'replace', `${PUBLIC_ADDRESS}/32`, 'dev', 'lo']);
  [feedServer, internal] = await Promise.all([startFixtureServer(PUBLIC_ADDRESS), startFixtureServer('127.0.0.1')]);
  internal.route('/latest/meta-data', send(INTERNAL_FEED, { 'content-type': RSS }));
  fetcher = new Fetcher({ ...DEFAULT_FETCH_POLICY, userAgent: 'feedloom-test/0 (+https://feeds.example/)' });
});

afterAll(async () => {
  await fetcher?.close();
  await Promise.all([feedServer?.close(), internal?.close()]);
  execFileSync('ip', ['address', 'del', `${PUBLIC_ADDRESS}/32`, 'dev', 'lo']);
  temps.cleanup();
});

async function refusal(url: string): Promise<FetchError> {
  try {
    await fetcher.fetch({ source: 'public', url });
  } catch (error) {
    expect(error).toBeInstanceOf(FetchError);
    return error as FetchError;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('a public source redirected to a private destination', () => {
  it('is refused when the redirect names a loopback address', async () => {
    feedServer.route('/to-loopback.xml', redirect(internal.url('/latest/meta-data')));
    const error = await refusal(feedServer.url('/to-loopback.xml'));
    expect(error).toMatchObject({ failure: 'private-address', code: 'FETCH_PRIVATE_ADDRESS' });
    expect(internal.requestsTo('/latest/meta-data')).toHaveLength(0);
  });

  it('is refused when the redirect names a host that resolves to one (checked after DNS)', async () => {
    feedServer.route('/to-name.xml', redirect(`http://localhost:${new URL(internal.origin).port}/latest/meta-data`));
    const error = await refusal(feedServer.url('/to-name.xml'));
    expect(error.failure).toBe('private-address');
    expect(error.message).toMatch(/localhost resolves to/);
    expect(internal.requestsTo('/latest/meta-data')).toHaveLength(0);
  });

  it('is refused for link-local (a cloud metadata service) and private ranges, before connecting', async () => {
    for (const target of ['http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/feed.xml', 'http://[::ffff:127.0.0.1]/feed.xml']) {
      feedServer.route('/to-range.xml', redirect(target));
      const error = await refusal(feedServer.url('/to-range.xml'));
      expect(error.failure, target).toBe('private-address');
    }
  });

  it('is still fetched when every hop stays public', async () => {
    feedServer.route('/public-hop.xml', redirect('/public-final.xml'));
    feedServer.route('/public-final.xml', send(INTERNAL_FEED.replace(SECRET, 'Public story'), { 'content-type': RSS }));
    const result = await fetcher.fetch({ source: 'public', url: feedServer.url('/public-hop.xml') });
    expect(result.notModified).toBe(false);
  });

  it('fails that source in a pass and publishes nothing of the internal content', async () => {
    feedServer.route('/pass/feed.xml', redirect(internal.url('/latest/meta-data')));
    const root = temps.make('private-redirect');
    const sources = path.join(root, 'sources');
    mkdirSync(sources);
    writeFileSync(path.join(sources, 'site.yaml'), 'title: Desk\nurl: https://feeds.example/\nlanguage: en\ntimezone: UTC\n');
    writeFileSync(path.join(sources, 'wire.yaml'), `kind: feed\nurl: ${feedServer.url('/pass/feed.xml')}\n`);
    const out = path.join(root, 'out');
    const store = memoryStore();
    try {
      const { summary } = await passWithLogs({ sourcesDir: sources, outDir: out, store, now: () => new Date('2026-03-01T12:00:00Z') });
      expect(summary).toMatchObject({ sourcesFailed: 1, entriesNew: 0 });
    } finally {
      store.close();
    }
    expect(healthOf(out, 'wire')).toMatchObject({ status: 'failed' });
    for (const file of ['rss.xml', 'atom.xml', 'feed.json', 'status.json']) expect(readOut(out, file)).not.toContain(SECRET);
    expect(internal.requestsTo('/latest/meta-data')).toHaveLength(0);
  });
});
