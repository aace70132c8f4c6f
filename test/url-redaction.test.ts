// A source URL's credentials (userinfo, an api_key in the query) never leave the process: not in
// out/status.json, the logs, `feedloom sources` and its OPML, error messages, or the links of
// the entries read from it. One redaction, tested here and where each place shows a URL.
import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn, withoutCredentials } from '../src/shared/url-secrets.js';
import { listSources, remoteSourcesOpml } from '../src/worker/source-list.js';
import { readSiteConfig } from '../src/config/site.js';
import { healthOf, readOut } from './support/feed-output.js';
import { send } from './support/http-fixture-server.js';
import { deskPass, remoteDesk, RSS, T0, writeSource } from './support/remote-desk.js';

describe('redactUrl', () => {
  it('hides a password, a token given as user name, and secret-looking query parameters', () => {
    expect(redactUrl('http://reader:pa55@news.example/feed.xml')).toBe('http://reader:***@news.example/feed.xml');
    expect(redactUrl('https://ghp_abc123@news.example/feed')).toBe('https://***@news.example/feed');
    expect(redactUrl('https://news.example/feed?api_key=K1&page=2&Token=T2&access_token=A3#top')).toBe('https://news.example/feed?api_key=***&page=2&Token=***&access_token=***#top');
    expect(redactUrl('https://news.example/feed?sig=abc&signature=def&client_secret=x&password=y&session=z&key=k')).toBe(
      'https://news.example/feed?sig=***&signature=***&client_secret=***&password=***&session=***&key=***',
    );
    expect(redactUrl('postgres://feedloom:pw@db:5432/feeds?password=other')).toBe('postgres://feedloom:***@db:5432/feeds?password=***');
  });

  it('leaves a URL without secrets exactly as written', () => {
    for (const url of ['https://news.example/feed.xml', 'https://news.example/a%20b?q=x+y&id=7', 'https://news.example/@desk/feed', 'not a url at all?token']) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('finds the URLs inside a message', () => {
    expect(redactUrlsIn('HTTP 403 from https://u:p@news.example/f?token=abc (next at https://news.example/g)')).toBe(
      'HTTP 403 from https://u:***@news.example/f?token=*** (next at https://news.example/g)',
    );
  });

  it('withoutCredentials removes them from a link instead', () => {
    expect(withoutCredentials('https://u:p@news.example/story?id=4&api_key=K')).toBe('https://news.example/story?id=4');
    expect(withoutCredentials('https://news.example/a%20b?q=x%20y')).toBe('https://news.example/a%20b?q=x%20y');
  });
});

const SECRET_URL_PATH = '/private/feed.xml';

describe('a source whose URL carries credentials', () => {
  it('is shown redacted in status.json, the logs, the source list and its OPML, and its entries link without them', async () => {
    const desk = await remoteDesk();
    const document = `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link></link><description>d</description><item><title>Story</title><guid isPermaLink="false">s-1</guid><link>story-1.html</link><pubDate>Sun, 01 Mar 2026 11:00:00 GMT</pubDate></item></channel></rss>`;
    desk.server.route(SECRET_URL_PATH, send(document, { 'content-type': RSS }));
    const withSecrets = desk.server.url(SECRET_URL_PATH).replace('http://', 'http://reader:hunter2@') + '?api_key=k-5511&edition=uk';
    writeSource(desk, 'wire', ['kind: feed', `url: ${withSecrets}`]);
    const { logs } = await deskPass(desk, T0);
    // The server was asked with the credentials.
    expect(desk.server.requestsTo(SECRET_URL_PATH)[0]!.headers.authorization).toBe(`Basic ${Buffer.from('reader:hunter2').toString('base64')}`);

    const everything = [readOut(desk.out, 'status.json'), readOut(desk.out, 'rss.xml'), readOut(desk.out, 'atom.xml'), readOut(desk.out, 'feed.json'), JSON.stringify(logs)];
    for (const text of everything) {
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('k-5511');
    }
    expect(healthOf(desk.out, 'wire').url).toBe(redactUrl(withSecrets));
    expect(healthOf(desk.out, 'wire').url).toContain('api_key=***&edition=uk');
    expect(readOut(desk.out, 'feed.json')).toContain(`"url": "${desk.server.url('/private/story-1.html')}"`);

    const site = readSiteConfig({ title: 'Desk', url: 'https://feeds.example/' }, 'site.yaml');
    const listed = JSON.stringify(listSources(desk.sources, site, new Map()));
    expect(listed).not.toContain('hunter2');
    expect(listed).toContain('reader:***@');
    const opml = remoteSourcesOpml(desk.sources, site);
    expect(opml).not.toContain('hunter2');
    expect(opml).not.toContain('k-5511');
  });

  it('is redacted in the failure it causes', async () => {
    const desk = await remoteDesk();
    desk.server.route('/gone.xml', send('gone', {}, 410));
    writeSource(desk, 'gone', ['kind: feed', `url: ${desk.server.url('/gone.xml')}?token=t-9911`]);
    const { logs } = await deskPass(desk, T0);
    expect(healthOf(desk.out, 'gone').last_error).toMatch(/HTTP 410 from .*token=\*\*\*/);
    expect(JSON.stringify(logs) + readOut(desk.out, 'status.json')).not.toContain('t-9911');
  });
});
