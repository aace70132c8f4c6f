// What a fetch never gives away or reaches, against real HTTP servers on loopback: credential
// headers stay with the origin they were configured for, and a source that may not reach private
// addresses reaches none, by address or by name. (A public source redirected to a private
// address needs a public-looking address on this machine: test/system/private-redirect.test.ts.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FETCH_POLICY, Fetcher, type FetchRequest } from '../src/ingest/fetch.js';
import { isPublicAddress } from '../src/ingest/destinations.js';
import { fetchError } from './support/fetch-error.js';
import { redirect, sendFixture, startFixtureServer, type FixtureServer } from './support/http-fixture-server.js';

const RSS = 'application/rss+xml';
const CREDENTIALS = { authorization: 'Bearer s3cret-token', cookie: 'session=abc123', 'proxy-authorization': 'Basic cHJveHk6cHc=', 'x-api-key': 'key-789', 'x-client': 'feedloom-tests' };

let home: FixtureServer;
let other: FixtureServer;
const fetchers: Fetcher[] = [];

beforeAll(async () => {
  [home, other] = await Promise.all([startFixtureServer(), startFixtureServer()]);
});
afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((fetcher) => fetcher.close()));
});
afterAll(async () => {
  await Promise.all([home.close(), other.close()]);
});

function fetcher(): Fetcher {
  const made = new Fetcher({ ...DEFAULT_FETCH_POLICY, userAgent: 'feedloom-test/0 (+https://feeds.example/)' });
  fetchers.push(made);
  return made;
}

const withCredentials = (url: string, extra: Partial<FetchRequest> = {}): FetchRequest => ({ source: 'guarded', url, headers: CREDENTIALS, secretHeaders: ['x-api-key'], ...extra });

describe('credential headers on redirects', () => {
  it('sends them on every hop within the origin', async () => {
    home.route('/same/a', redirect('/same/b'));
    home.route('/same/b', sendFixture('rss2.xml', RSS));
    await fetcher().fetch(withCredentials(home.url('/same/a')));
    for (const request of [...home.requestsTo('/same/a'), ...home.requestsTo('/same/b')]) {
      expect(request.headers).toMatchObject(CREDENTIALS);
    }
  });

  it('drops Authorization, Cookie, Proxy-Authorization and the secret headers once a redirect leaves the origin', async () => {
    home.route('/away/a', redirect(other.url('/away/b')));
    // Back to the first origin: what was dropped stays dropped, as browsers and curl do.
    other.route('/away/b', redirect(home.url('/away/c')));
    home.route('/away/c', sendFixture('rss2.xml', RSS));
    const result = await fetcher().fetch(withCredentials(home.url('/away/a')));
    expect(result.notModified).toBe(false);
    expect(home.requestsTo('/away/a')[0]!.headers).toMatchObject(CREDENTIALS);
    for (const request of [other.requestsTo('/away/b')[0]!, home.requestsTo('/away/c')[0]!]) {
      for (const name of ['authorization', 'cookie', 'proxy-authorization', 'x-api-key']) expect(request.headers[name], name).toBeUndefined();
      // A header that is not a credential goes along.
      expect(request.headers['x-client']).toBe('feedloom-tests');
    }
  });

  it('counts another port or another scheme as another origin', async () => {
    const port = new URL(home.origin).port;
    home.route('/by-name/a', redirect(`http://localhost:${port}/by-name/b`));
    home.route('/by-name/b', sendFixture('rss2.xml', RSS));
    await fetcher().fetch(withCredentials(home.url('/by-name/a')));
    expect(home.requestsTo('/by-name/b')[0]!.headers.authorization).toBeUndefined();
  });
});

describe('private destinations', () => {
  it('refuses a loopback address, before any request, for a source that may not reach one', async () => {
    home.route('/private/feed.xml', sendFixture('rss2.xml', RSS));
    const error = await fetchError(fetcher().fetch({ source: 'imported', url: home.url('/private/feed.xml'), privateDestinations: 'refused' }));
    expect(error.failure).toBe('private-address');
    expect(error.code).toBe('FETCH_PRIVATE_ADDRESS');
    expect(error.message).toContain('127.0.0.1');
    expect(home.requestsTo('/private/feed.xml')).toHaveLength(0);
  });

  it('refuses a name that resolves to a loopback address, on the redirect hop too', async () => {
    const port = new URL(home.origin).port;
    home.route('/private/by-name.xml', sendFixture('rss2.xml', RSS));
    const byName = await fetchError(fetcher().fetch({ source: 'imported', url: `http://localhost:${port}/private/by-name.xml`, privateDestinations: 'refused' }));
    expect(byName.failure).toBe('private-address');
    expect(byName.message).toMatch(/localhost resolves to .*(127\.0\.0\.1|::1)/);
    expect(home.requestsTo('/private/by-name.xml')).toHaveLength(0);
  });

  it('lets a source configured with a private address reach private addresses, redirects included', async () => {
    const port = new URL(home.origin).port;
    home.route('/intranet/a', redirect(`http://localhost:${port}/intranet/b`));
    home.route('/intranet/b', sendFixture('rss2.xml', RSS));
    const result = await fetcher().fetch({ source: 'intranet', url: home.url('/intranet/a'), privateDestinations: 'when-configured' });
    expect(result.notModified).toBe(false);
    expect(home.requestsTo('/intranet/b')).toHaveLength(1);
  });

  it('tells public addresses from private, loopback, link-local and reserved ones', () => {
    const notPublic = [
      '127.0.0.1', '127.8.9.10', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '0.1.2.3',
      '224.0.0.1', '255.255.255.255', '240.0.0.1', '192.0.0.8', '198.18.0.1',
      '::', '::1', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe',
    ];
    const isPublic = ['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '198.51.100.7'];
    expect(notPublic.filter(isPublicAddress)).toEqual([]);
    expect(isPublic.filter((address) => !isPublicAddress(address))).toEqual([]);
  });
});
