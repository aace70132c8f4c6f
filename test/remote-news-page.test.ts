// A remote HTML page with no selectors: its lead and briefs are found by themselves, in whatever
// charset the bytes really are, and its health (briefs, lists, degraded) follows it across 304s
// and failures.
import { describe, expect, it } from 'vitest';
import { send } from './support/http-fixture-server.js';
import { healthOf } from './support/feed-output.js';
import { deskPass, MINUTE, remoteDesk, writeSource } from './support/remote-desk.js';

const T = Date.parse('2026-11-18T16:30:00Z');

interface Update {
  time: string;
  title: string;
  text: string;
  anchor: string;
}

/** A live blog as news sites publish them: JSON-LD updates, and the same updates in the markup. */
function liveBlog(updates: readonly Update[], charset = 'utf-8'): string {
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'LiveBlogPosting',
    headline: 'Storm Edda: road closures and ferry cancellations, live',
    liveBlogUpdate: updates.map((update) => ({
      '@type': 'BlogPosting',
      headline: update.title,
      articleBody: update.text,
      url: `https://coastnews.example/live/storm-edda#${update.anchor}`,
      datePublished: `2026-11-18T${update.time}:00+00:00`,
    })),
  };
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="${charset}">
<title>Storm Edda: road closures and ferry cancellations, live | Coast News</title>
<link rel="canonical" href="https://coastnews.example/live/storm-edda">
<script type="application/ld+json">${JSON.stringify(jsonLd)}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/weather">Weather</a></nav>
<main><h1>Storm Edda: road closures and ferry cancellations, live</h1>
<p class="standfirst">Gusts of up to 80 mph are expected along the coast until Thursday morning; follow the latest here.</p>
<section class="live-updates">
${updates.map((update) => `<article class="live-update" id="${update.anchor}"><time class="live-update__time" datetime="2026-11-18T${update.time}:00+00:00">${update.time}</time><h2>${update.title}</h2><p>${update.text}</p></article>`).join('\n')}
</section></main>
<footer>Coast News © 2026</footer></body></html>`;
}

const UPDATES: Update[] = [
  { time: '16:12', title: 'Ferries to the islands cancelled for the evening', text: 'The operator says the last crossing left at three and no more will sail today.', anchor: 'update-4' },
  { time: '15:40', title: 'A38 closed at the viaduct after a lorry overturned', text: 'Police ask drivers to avoid the area; diversions are signed through the town.', anchor: 'update-3' },
  { time: '14:55', title: 'Schools in the valley to close early', text: 'Pupils will be sent home at one in the afternoon, the council said.', anchor: 'update-2' },
];

describe('a remote HTML page without selectors', () => {
  it('gives its lead and one brief per update, each its own link, in all its updates', async () => {
    const desk = await remoteDesk();
    desk.server.route('/live/storm-edda', send(liveBlog(UPDATES), { 'content-type': 'text/html; charset=utf-8' }));
    writeSource(desk, 'storm', ['kind: page', `url: ${desk.server.url('/live/storm-edda')}`]);
    const { summary } = await deskPass(desk, T);
    expect(summary).toMatchObject({ sourcesOk: 1, sourcesFailed: 0, entriesNew: 4 });
    const entries = await desk.store.feedEntries({}, 10, () => true);
    expect(entries.find((entry) => entry.kind === 'lead')).toMatchObject({ title: 'Storm Edda: road closures and ferry cancellations, live', link: 'https://coastnews.example/live/storm-edda' });
    expect(entries.filter((entry) => entry.kind === 'brief').map((entry) => [entry.link, entry.published.toISOString()])).toEqual([
      ['https://coastnews.example/live/storm-edda#update-4', '2026-11-18T16:12:00.000Z'],
      ['https://coastnews.example/live/storm-edda#update-3', '2026-11-18T15:40:00.000Z'],
      ['https://coastnews.example/live/storm-edda#update-2', '2026-11-18T14:55:00.000Z'],
    ]);
    expect(healthOf(desk.out, 'storm')).toMatchObject({ status: 'ok', briefs: 3 });
  });

  it('reads a page that declares a legacy charset and is UTF-8 as UTF-8', async () => {
    const desk = await remoteDesk();
    const updates = [{ ...UPDATES[0]!, title: 'Ferries to Île d’Ouessant cancelled — “no sailing tonight”' }, ...UPDATES.slice(1)];
    desk.server.route('/live/storm-edda', send(Buffer.from(liveBlog(updates, 'windows-1252'), 'utf8'), { 'content-type': 'text/html; charset=windows-1252' }));
    writeSource(desk, 'storm', ['kind: page', `url: ${desk.server.url('/live/storm-edda')}`]);
    await deskPass(desk, T);
    const titles = (await desk.store.feedEntries({}, 10, () => true)).map((entry) => entry.title);
    expect(titles).toContain('Ferries to Île d’Ouessant cancelled — “no sailing tonight”');
  });

  it('keeps its health through a 304 and a failure, and is degraded when its updates vanish', async () => {
    const desk = await remoteDesk();
    let page = liveBlog(UPDATES);
    let status = 200;
    desk.server.route('/live/storm-edda', (request, response) => {
      if (status !== 200) {
        response.writeHead(status).end();
        return;
      }
      if (request.headers['if-none-match'] === '"v1"' && page === liveBlog(UPDATES)) {
        response.writeHead(304).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: page === liveBlog(UPDATES) ? '"v1"' : '"v2"' }).end(page);
    });
    writeSource(desk, 'storm', ['kind: page', `url: ${desk.server.url('/live/storm-edda')}`]);
    await deskPass(desk, T);
    await deskPass(desk, T + 10 * MINUTE);
    expect(healthOf(desk.out, 'storm')).toMatchObject({ status: 'ok', briefs: 3 });

    status = 503;
    await deskPass(desk, T + 20 * MINUTE);
    expect(healthOf(desk.out, 'storm')).toMatchObject({ status: 'failed', briefs: 3 });

    status = 200;
    page = liveBlog([]).replace(/<section class="live-updates">[\s\S]*?<\/section>/, '<p>Live coverage has moved to a new page, which is updated through the night.</p>');
    const { logs } = await deskPass(desk, T + 40 * MINUTE);
    expect(logs.filter((line) => line.code === 'EXTRACTION_DEGRADED')).toHaveLength(1);
    expect(healthOf(desk.out, 'storm')).toMatchObject({ status: 'degraded', briefs: 0, degraded_from_briefs: 3 });
    expect((await desk.store.feedEntries({ kind: 'brief' }, 10, () => true)).length).toBe(3);
  });

  it('is still read with its selectors when it has them, and refuses selectors that name no lead', async () => {
    const desk = await remoteDesk();
    desk.server.route('/live/storm-edda', send(liveBlog(UPDATES), { 'content-type': 'text/html; charset=utf-8' }));
    writeSource(desk, 'storm', ['kind: page', `url: ${desk.server.url('/live/storm-edda')}`, 'selectors:', '  lead_title: h1', '  lead_body: .standfirst']);
    writeSource(desk, 'half', ['kind: page', `url: ${desk.server.url('/live/storm-edda')}`, 'selectors:', '  brief: .live-update']);
    const { summary } = await deskPass(desk, T);
    expect(summary.sourcesOk).toBe(1);
    expect(summary.failures.map((failure) => failure.source)).toEqual(['half.yaml']);
    expect(summary.failures[0]?.reason).toMatch(/lead_title and lead_body, or none at all/);
    const [lead, ...rest] = await desk.store.feedEntries({}, 10, () => true);
    expect(rest).toEqual([]);
    expect(lead?.contentText).toMatch(/^Gusts of up to 80 mph/);
  });
});
