// Text that is text by its format's rules stays literal: a JSON Feed title and an Atom
// type="text" title are plain text, so "<img src=x>" in one is five words a reader must see; an
// RSS title is read as Universal Feed Parser reads it, as markup only when it looks like HTML
// (a closing tag or an entity reference, and only HTML's tags). Written escaped on output.
import { describe, expect, it } from 'vitest';
import { readSiteConfig } from '../src/config/site.js';
import { parseFeedDocument } from '../src/ingest/feed-document.js';
import { parseJsonFeed } from '../src/ingest/json-feed-document.js';
import { feedToEntries } from '../src/normalize/feed-items.js';
import { readOut } from './support/feed-output.js';
import { send } from './support/http-fixture-server.js';
import { deskPass, feedSource, remoteDesk, RSS, T0 } from './support/remote-desk.js';

const SITE = readSiteConfig({ url: 'https://feeds.example/', timezone: 'UTC' }, 'site.yaml');
const context = { source: 'wire', site: SITE, documentUrl: 'https://wire.example/feed', fetchedAt: new Date('2026-03-01T12:00:00Z') };

function rss(...titles: string[]): string {
  const items = titles.map((title, n) => `<item><title>${title}</title><guid isPermaLink="false">i-${n}</guid><description>d</description></item>`).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>${items}</channel></rss>`;
}

async function rssTitles(...titles: string[]): Promise<string[]> {
  return feedToEntries(await parseFeedDocument(rss(...titles), 'wire'), context).map((entry) => entry.title);
}

describe('titles that are plain text by their format', () => {
  it('JSON Feed: markup-looking characters come through as written', () => {
    const document = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Wire',
      items: [
        { id: '1', title: '<img src=x onerror=alert(1)> tags in titles', content_text: 'body' },
        { id: '2', title: 'Fish & chips <3 and a < b > c', content_text: 'body' },
        { id: '3', title: 'An &amp; stays an ampersand entity, as written', content_text: 'body' },
      ],
    });
    const titles = feedToEntries(parseJsonFeed(document, 'wire'), context).map((entry) => entry.title);
    expect(titles).toEqual(['<img src=x onerror=alert(1)> tags in titles', 'Fish & chips <3 and a < b > c', 'An &amp; stays an ampersand entity, as written']);
  });

  it('Atom type="text" (the default) is plain text; type="html" is markup', async () => {
    const document = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:x:wire</id><updated>2026-03-01T10:00:00Z</updated>
      <entry><id>urn:x:1</id><title>Why the &lt;title&gt; element matters</title><updated>2026-03-01T10:00:00Z</updated><content>c</content></entry>
      <entry><id>urn:x:2</id><title type="text">&lt;b&gt;not bold&lt;/b&gt;</title><updated>2026-03-01T10:00:00Z</updated><content>c</content></entry>
      <entry><id>urn:x:3</id><title type="html">&lt;b&gt;bold&lt;/b&gt; words</title><updated>2026-03-01T10:00:00Z</updated><content>c</content></entry>
    </feed>`;
    const titles = feedToEntries(await parseFeedDocument(document, 'wire'), context).map((entry) => entry.title);
    expect(titles).toEqual(['Why the <title> element matters', '<b>not bold</b>', 'bold words']);
  });
});

describe('RSS titles, read as Universal Feed Parser reads them', () => {
  it('are plain text unless they look like HTML', async () => {
    expect(await rssTitles('Why the &lt;title&gt; element matters', 'Is 3 &lt; 4? Yes', 'Fish &amp; chips', 'A &lt;script&gt; in a headline')).toEqual([
      'Why the <title> element matters',
      'Is 3 < 4? Yes',
      'Fish & chips',
      'A <script> in a headline',
    ]);
  });

  it('are markup when they carry a closing tag or an entity reference of HTML', async () => {
    expect(await rssTitles('&lt;b&gt;Storm&lt;/b&gt; warning', 'Caf&amp;eacute; opens', '&lt;em&gt;Late&lt;/em&gt; &amp;amp; early')).toEqual(['Storm warning', 'Café opens', 'Late & early']);
  });

  it('stay text when a tag is not HTML or an entity is not one', async () => {
    expect(await rssTitles('The &lt;feedloom&gt; tag is &lt;/feedloom&gt;', 'Ten &amp;notanentity; here')).toEqual(['The <feedloom> tag is </feedloom>', 'Ten &notanentity; here']);
  });
});

describe('on output', () => {
  it('a literal title is escaped in every format and reads the same', async () => {
    const desk = await remoteDesk();
    desk.server.route('/wire.xml', send(rss('Why the &lt;title&gt; element matters'), { 'content-type': RSS }));
    feedSource(desk, 'wire', '/wire.xml');
    await deskPass(desk, T0);
    expect(readOut(desk.out, 'rss.xml')).toContain('<title><![CDATA[Why the <title> element matters]]></title>');
    expect(readOut(desk.out, 'atom.xml')).toMatch(/<title type="text">Why the &lt;title&gt; element matters<\/title>|<title>Why the &lt;title&gt; element matters<\/title>/);
    expect(JSON.parse(readOut(desk.out, 'feed.json')).items[0].title).toBe('Why the <title> element matters');
  });
});

describe('RSS output of a text title', () => {
  it('is the text itself, in CDATA, whatever it looks like', async () => {
    const desk = await remoteDesk();
    const titles = ['<b>not bold</b>, literally', 'AT&amp;T as written', 'Why the <title> element matters'];
    const document = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Wire', items: titles.map((title, n) => ({ id: `j-${n}`, title, content_text: 'body', date_published: `2026-03-01T1${n}:00:00Z` })) });
    desk.server.route('/wire.json', send(document, { 'content-type': 'application/feed+json' }));
    feedSource(desk, 'wire', '/wire.json');
    await deskPass(desk, T0);
    const rssText = readOut(desk.out, 'rss.xml');
    for (const title of titles) expect(rssText).toContain(`<title><![CDATA[${title}]]></title>`);
    expect(JSON.parse(readOut(desk.out, 'feed.json')).items.map((item: { title: string }) => item.title).sort()).toEqual([...titles].sort());
  });
});
