// What a pass over remote sources publishes: every feed format read into all three outputs,
// enclosures, images, authors, dates, the same story from two sources once, and HTML pages read
// with selectors. Each test runs its own passes against its own fixture server, with a frozen clock.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, islandPageSource, send, sendFixture } from './support/http-fixture-server.js';
import { atomEntries, atomLinks, atomTitled, childNamed, expectWellFormed, healthOf, jsonItems, jsonTitled, outFiles, rssItems, rssTitled, statusOf } from './support/feed-output.js';
import { ATOM, deskPass, DESK_SITE_URL, feedSource, MINUTE, remoteDesk, RSS, SECOND, T0, writeSource, type RemoteDesk } from './support/remote-desk.js';

/** A desk reading the four fixture feeds (RSS 2.0, RSS 1.0, Atom, JSON Feed), after its first pass. */
async function deskOfEveryFormat() {
  const desk = await remoteDesk();
  desk.server.route('/pass/harbour.xml', sendFixture('rss2.xml', RSS));
  desk.server.route('/pass/valley.rdf', sendFixture('rss1.xml', 'application/rdf+xml'));
  desk.server.route('/pass/science.atom', sendFixture('atom.xml', ATOM));
  desk.server.route('/pass/radio.json', sendFixture('feed.json', 'application/feed+json'));
  feedSource(desk, 'harbour', '/pass/harbour.xml', 'timezone: Europe/Kyiv');
  feedSource(desk, 'valley', '/pass/valley.rdf');
  feedSource(desk, 'science', '/pass/science.atom');
  feedSource(desk, 'radio', '/pass/radio.json', 'title: Fjord Radio');
  return { desk, ...(await deskPass(desk, T0)) };
}

const enclosureOf = (desk: RemoteDesk, title: string) => childNamed(rssTitled(desk.out, title), 'enclosure')?.attributes;

describe('a pass over feeds in every format', () => {
  it('reads every source and publishes every item', async () => {
    const { desk, summary, logs } = await deskOfEveryFormat();
    expect(summary.failures).toEqual([]);
    expect(summary).toMatchObject({ sourcesOk: 4, sourcesFailed: 0, entriesNew: 12 });
    expect(logs.filter((line) => line.level >= 50)).toEqual([]);
    expect(jsonItems(desk.out)).toHaveLength(12);
    expect(rssItems(desk.out)).toHaveLength(12);
    expect(atomEntries(desk.out)).toHaveLength(12);
  });

  it('writes well-formed XML', async () => {
    const { desk } = await deskOfEveryFormat();
    expectWellFormed(desk.out);
  });

  it('keeps enclosures (url, type, length) in RSS <enclosure>, Atom rel="enclosure" and JSON attachments', async () => {
    const { desk } = await deskOfEveryFormat();
    expect(enclosureOf(desk, 'Harbour dredging starts in March')).toEqual({ url: 'https://media.news.example/audio/dredging.mp3', type: 'audio/mpeg', length: '1234567' });
    expect(enclosureOf(desk, 'Seals return to the north beach')).toEqual({ url: 'https://cdn.atom.example/seals.ogg', type: 'audio/ogg', length: '2048000' });

    const atomNets = atomLinks(atomTitled(desk.out, 'Episode 101: Mending nets'), 'enclosure');
    expect(atomNets.map((link) => link.attributes)).toEqual([{ rel: 'enclosure', href: 'https://radio.example/audio/101.mp3', type: 'audio/mpeg', length: '31457280' }]);
    expect(atomLinks(atomTitled(desk.out, 'Harbour dredging starts in March'), 'enclosure').map((link) => link.attributes.length)).toEqual(['1234567']);

    expect(jsonTitled(desk.out, 'Episode 101: Mending nets').attachments).toEqual([{ url: 'https://radio.example/audio/101.mp3', mime_type: 'audio/mpeg', size_in_bytes: 31457280 }]);
    expect(jsonTitled(desk.out, 'Seals return to the north beach').attachments).toEqual([{ url: 'https://cdn.atom.example/seals.ogg', mime_type: 'audio/ogg', size_in_bytes: 2048000 }]);
  });

  it('keeps item images, authors, categories, clean links and dates', async () => {
    const { desk } = await deskOfEveryFormat();
    expect(jsonTitled(desk.out, 'Harbour dredging starts in March')).toMatchObject({
      url: 'https://news.example/harbour/dredging?id=42',
      image: 'https://news.example/img/dredge.jpg',
      tags: ['Port', 'Shipping'],
      authors: [{ name: 'Mara Jensen' }],
      date_published: '2026-02-28T08:30:00Z',
    });
    expect(childNamed(rssTitled(desk.out, 'Harbour dredging starts in March'), 'media:thumbnail')?.attributes.url).toBe('https://news.example/img/dredge.jpg');
    // No zone, read in the source's Europe/Kyiv.
    expect(jsonTitled(desk.out, 'New ferry timetable from Monday').date_published).toBe('2026-02-27T16:00:00Z');
    // No zone, read in the site's UTC (the atom source names no time zone).
    expect(jsonTitled(desk.out, 'Kelp forest survey').date_published).toBe('2026-02-26T08:00:00Z');
    // No date: the fetch time (three items have it; the store keeps instants unique by whole seconds).
    const dateless = Date.parse(jsonTitled(desk.out, 'Fish market moves indoors').date_published);
    expect(dateless - T0).toBeGreaterThanOrEqual(0);
    expect(dateless - T0).toBeLessThanOrEqual(2 * SECOND);
    for (const item of jsonItems(desk.out)) expect(item.url).not.toMatch(/utm_|fbclid|gclid|mc_eid/);
  });

  it('records every source as fine in out/status.json', async () => {
    const { desk } = await deskOfEveryFormat();
    const all = statusOf(desk.out);
    expect([...all.keys()]).toEqual(['harbour', 'radio', 'science', 'valley']);
    expect(all.get('harbour')).toEqual({
      source: 'harbour',
      kind: 'feed',
      status: 'ok',
      entries: 5,
      last_error: null,
      url: desk.server.url('/pass/harbour.xml'),
      last_success: '2026-03-01T12:00:00.000Z',
      consecutive_failures: 0,
      next_attempt: null,
    });
    expect(all.get('radio')?.entries).toBe(3);
  });

  it('reads the same documents again as unchanged, writing nothing', async () => {
    const { desk } = await deskOfEveryFormat();
    const before = outFiles(desk.out);
    const again = await deskPass(desk, T0 + 15 * MINUTE);
    expect(again.summary).toMatchObject({ sourcesOk: 4, sourcesUnchanged: 4, entriesNew: 0, entriesUpdated: 0 });
    const after = outFiles(desk.out);
    for (const [name, text] of before) if (name !== 'status.json') expect(after.get(name), name).toBe(text);
  });
});

describe('first-seen dates', () => {
  it('keeps the fetch time of the first sighting for an item without a usable date', async () => {
    const desk = await remoteDesk();
    let document = fixture('rss2.xml').toString('utf8');
    desk.server.route('/first-seen/harbour.xml', (request, response, recorded) => send(document, { 'content-type': RSS })(request, response, recorded));
    feedSource(desk, 'harbour', '/first-seen/harbour.xml');
    await deskPass(desk, T0);
    const dateOf = (title: string) => jsonTitled(desk.out, title).date_published;
    const firstSeen = [dateOf('Fish market moves indoors'), dateOf('Tide table correction')];
    // Both at the fetch time; the store keeps dates unique per instant, so one may move on a second.
    for (const date of firstSeen) expect(Date.parse(date) - T0).toBeGreaterThanOrEqual(0);
    for (const date of firstSeen) expect(Date.parse(date) - T0).toBeLessThanOrEqual(SECOND);

    // Two hours later the document changes (one item's text), so it is read again.
    document = document.replace('The Saturday fish market moves into the old net loft.', 'The Saturday fish market moves into the old net loft by the quay.');
    const { summary } = await deskPass(desk, T0 + 2 * 60 * MINUTE);
    expect(summary).toMatchObject({ sourcesOk: 1, sourcesUnchanged: 0, entriesUpdated: 1, entriesNew: 0 });
    expect([dateOf('Fish market moves indoors'), dateOf('Tide table correction')]).toEqual(firstSeen);
  });
});

describe('the same story from two sources', () => {
  it('appears once in every feed format', async () => {
    const desk = await remoteDesk();
    desk.server.route('/dup/coastwatch.xml', sendFixture('whale-a.xml', RSS));
    desk.server.route('/dup/wire.json', sendFixture('whale-b.json', 'application/feed+json'));
    feedSource(desk, 'coastwatch', '/dup/coastwatch.xml');
    feedSource(desk, 'wire', '/dup/wire.json');
    const { summary } = await deskPass(desk, T0);
    expect(summary).toMatchObject({ sourcesOk: 2, sourcesFailed: 0 });
    const whale = 'https://story.example/news/whale';
    const json = jsonItems(desk.out);
    expect(json.filter((item) => item.url === whale)).toHaveLength(1);
    expect(json.map((item) => item.url).sort()).toEqual(['https://coastwatch.example/seal-pup', 'https://story.example/news/tides', whale]);
    expect(rssItems(desk.out).filter((item) => childNamed(item, 'link')?.text === whale)).toHaveLength(1);
    expect(rssItems(desk.out)).toHaveLength(3);
    expect(atomEntries(desk.out).filter((entry) => entry.children.some((node) => node.name === 'link' && node.attributes.href === whale))).toHaveLength(1);
    expect(atomEntries(desk.out)).toHaveLength(3);
    expectWellFormed(desk.out);
  });
});

describe('pages in a pass', () => {
  it('publishes the lead and the briefs of an HTML page, with entry pages for the briefs', async () => {
    const desk = await remoteDesk();
    desk.server.route('/pages/island.html', sendFixture('island-times.html', 'text/html; charset=utf-8'));
    writeSource(desk, 'island', islandPageSource(desk.server.url('/pages/island.html')));
    const { summary } = await deskPass(desk, T0);
    expect(summary).toMatchObject({ sourcesOk: 1, sourcesFailed: 0, entriesNew: 4 });
    const items = jsonItems(desk.out);
    expect(items.map((item) => [item.title.split(':')[0], item.date_published])).toEqual([
      ['Storm closes the causeway to Holm Island', '2026-03-01T12:00:00Z'],
      ['Transport', '2026-03-01T11:30:00Z'],
      ['Weather', '2026-03-01T00:05:00Z'],
      ['Harbour', '2026-02-28T14:10:00Z'],
    ]);
    expect(items[0]!.url).toBe(desk.server.url('/pages/island.html'));
    for (const brief of items.slice(1)) {
      expect(brief.url).toMatch(/^https:\/\/feeds\.example\/entries\/[0-9a-f-]{36}\.html$/);
      expect(existsSync(path.join(desk.out, brief.url.slice(DESK_SITE_URL.length))), brief.url).toBe(true);
    }
    expect(healthOf(desk.out, 'island')).toMatchObject({ kind: 'page', status: 'ok', entries: 4 });
    expectWellFormed(desk.out);
  });
});
