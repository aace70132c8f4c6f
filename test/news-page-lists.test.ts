// Which timestamped lists on a page are briefs, and which are schedules, comments, durations or
// listings (ingest/news-page/brief-lists.ts, list-judgement.ts), and how lists become briefs.
import { describe, expect, it } from 'vitest';
import { readNewsPage } from '../src/ingest/news-page/extract.js';
import { extractNewsPage } from '../src/worker/news-page.js';

const HEADLINES = ['Bypass reopens after a weekend of resurfacing work', 'School wins national robotics prize for the third year', 'Harbour wall repairs to start before the winter storms', 'Library extends its opening hours during exam season'];

function items(times: readonly string[], make: (time: string, index: number) => string): string {
  return times.map(make).join('\n');
}

function page(body: string, head = ''): string {
  return `<!DOCTYPE html><html lang="en-GB"><head><title>Page</title>${head}</head><body>${body}</body></html>`;
}

const newsList = (wrapper: (inner: string) => string, times = ['10:02', '09:40', '08:15', '07:30']) =>
  page(wrapper(`<ul class="list">${items(times, (time, index) => `<li class="row"><span class="time">${time}</span> <a href="/news/${index}">${HEADLINES[index % HEADLINES.length]}</a></li>`)}</ul>`));

describe('lists of briefs', () => {
  it('finds a repeated list of timed items and reads title, link and shown time', () => {
    const reading = readNewsPage(newsList((inner) => `<section class="latest"><h2>Latest</h2>${inner}</section>`), { url: 'https://town.example/today/' });
    expect(reading.lists).toHaveLength(1);
    expect(reading.lists[0]!.briefs.map((brief) => [brief.title, brief.link, brief.shown?.text])).toEqual([
      [HEADLINES[0], 'https://town.example/news/0', '10:02'],
      [HEADLINES[1], 'https://town.example/news/1', '09:40'],
      [HEADLINES[2], 'https://town.example/news/2', '08:15'],
      [HEADLINES[3], 'https://town.example/news/3', '07:30'],
    ]);
  });

  it('reads items whose text opens with the time', () => {
    const html = page(`<ol class="timeline">${items(['22:10', '23:05'], (time, index) => `<li>${time} ${HEADLINES[index]}</li>`)}</ol>`);
    expect(readNewsPage(html).lists[0]?.briefs.map((brief) => [brief.title, brief.shown?.text])).toEqual([
      [HEADLINES[0], '22:10'],
      [HEADLINES[1], '23:05'],
    ]);
  });

  it('names an update without a heading by its first sentence, not by its bold lead-in', () => {
    const posts = items(['13:10', '11:42'], (time) => `<div class="u"><time>${time}</time><p><strong>Renforts.</strong> Deux bombardiers d'eau sont arrivés à Mérignac. Ils décollent à 14h.</p></div>`);
    expect(readNewsPage(page(`<div class="flux">${posts}</div>`)).lists[0]?.briefs.map((brief) => brief.title)).toEqual([
      "Renforts. Deux bombardiers d'eau sont arrivés à Mérignac.",
      "Renforts. Deux bombardiers d'eau sont arrivés à Mérignac.",
    ]);
  });

  it('dates items by a data-* stamp on the item itself, whatever its "ago" label says', () => {
    const rows = items(['1632314280000', '1632309000000'], (stamp, index) => `<li class="l" data-timestamp="${stamp}"><a href="/n/${index}">${HEADLINES[index]}</a><span>18m ago</span></li>`);
    expect(readNewsPage(page(`<ul class="latest">${rows}</ul>`)).lists[0]?.briefs.map((brief) => [brief.title, brief.machine?.epoch])).toEqual([
      [HEADLINES[0], true],
      [HEADLINES[1], true],
    ]);
  });

  it('does not take a paragraph that only shows the time for the title', () => {
    const updates = items(['ore 13.29', 'ore 12.02'], (time, index) => `<div class="agg"><p class="ora">${time}</p><p>${HEADLINES[index]}.</p></div>`);
    expect(readNewsPage(page(`<div class="diretta">${updates}</div>`)).lists[0]?.briefs.map((brief) => [brief.title, brief.shown?.text])).toEqual([
      [`${HEADLINES[0]}.`, 'ore 13.29'],
      [`${HEADLINES[1]}.`, 'ore 12.02'],
    ]);
  });

  it('reads the story of a time that stands alone from the element after it (dt and dd)', () => {
    const pairs = items(['11:48', '10:20'], (time, index) => `<dt class="z">${time}</dt><dd class="m"><a href="/n/${index}">${HEADLINES[index]}</a></dd>`);
    expect(readNewsPage(page(`<dl class="ticker">${pairs}</dl>`)).lists[0]?.briefs.map((brief) => [brief.title, brief.link, brief.shown?.text])).toEqual([
      [HEADLINES[0], '/n/0', '11:48'],
      [HEADLINES[1], '/n/1', '10:20'],
    ]);
  });

  it("leaves an item's \"updated\" time out when it shows its own, and keeps it when it is the only one", () => {
    const posts = items(['13h29', '12h58'], (time, index) => `<article class="p"><time>${time}</time><h2>${HEADLINES[index]}</h2>${index === 0 ? '<span>Mis à jour à 13h45</span>' : ''}</article>`);
    expect(readNewsPage(page(`<section class="live">${posts}</section>`)).lists[0]?.briefs.map((brief) => brief.shown?.text)).toEqual(['13h29', '12h58']);
    const rows = items(['Updated 1:29 PM EDT', '11:40 AM'], (time, index) => `<div class="r"><h3><a href="/n/${index}">${HEADLINES[index]}</a></h3><span>${time}</span></div>`);
    expect(readNewsPage(page(`<section class="more">${rows}</section>`)).lists[0]?.briefs.map((brief) => brief.shown?.text)).toEqual(['Updated 1:29 PM EDT', '11:40 AM']);
  });

  it('keeps the words of neighbouring elements apart', () => {
    const rows = items(['10:02', '09:40'], (time, index) => `<a class="r" href="/n/${index}"><span>${time}</span><span>${HEADLINES[index]}</span><span>Politics</span></a>`);
    expect(readNewsPage(page(`<div class="feed">${rows}</div>`)).lists[0]?.briefs[0]?.title).toBe(`${HEADLINES[0]} Politics`);
  });

  it('gives JSON-LD live-blog updates the markup shows their machine time, listing them once', () => {
    const updates = HEADLINES.slice(0, 2).map((headline, index) => ({ '@type': 'BlogPosting', headline, datePublished: `2022-01-29T1${3 - index}:29:00-05:00` }));
    const head = `<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@type': 'LiveBlogPosting', headline: 'Live', liveBlogUpdate: updates })}</script>`;
    const body = `<div class="feed">${items(['1:29 PM', '12:29 PM'], (time, index) => `<div class="post"><time>${time}</time><h3>${HEADLINES[index]}</h3></div>`)}</div>`;
    const reading = readNewsPage(page(body, head));
    expect(reading.lists.map((list) => list.source)).toEqual(['markup']);
    expect(reading.lists[0]!.briefs.map((brief) => brief.machine?.text)).toEqual(['2022-01-29T13:29:00-05:00', '2022-01-29T12:29:00-05:00']);
  });

  it('lists JSON-LD live-blog updates the markup does not show', () => {
    const updates = HEADLINES.slice(0, 3).map((headline) => ({ '@type': 'BlogPosting', headline, datePublished: '2022-01-29T13:29:00-05:00' }));
    const head = `<script type="application/ld+json">${JSON.stringify({ '@type': 'LiveBlogPosting', liveBlogUpdate: updates })}</script>`;
    const reading = readNewsPage(page('<p>Loading…</p>', head));
    expect(reading.lists.map((list) => [list.label, list.briefs.length])).toEqual([['json-ld LiveBlogPosting', 3]]);
  });

  it('makes one brief of an item shown in two lists', () => {
    const body = `<section class="latest"><h2>Latest</h2><ul>${items(['4:52pm', '4:31pm'], (time, index) => `<li class="a"><span>${time}</span> <a href="/n/${index}">${HEADLINES[index]}</a></li>`)}</ul></section>
<section class="just-in"><h2>Just in</h2>${items(['16:52', '16:40'], (time, index) => `<div class="b"><span>${time}</span> <a href="/n/${index * 5}">${HEADLINES[index * 2]}</a></div>`)}</section>`;
    const extract = extractNewsPage(page(body), { capturedAt: new Date('2022-09-14T17:05:00+01:00'), timeZone: 'Europe/London' });
    expect(extract.lists.map((list) => list.briefs.length)).toEqual([2, 2]);
    expect(extract.briefs.map((brief) => brief.title)).toEqual([HEADLINES[0], HEADLINES[2], HEADLINES[1]]);
  });
});

describe('timed lists that are not news', () => {
  const rejectedReasons = (html: string, capturedAt?: Date) => {
    const reading = readNewsPage(html, capturedAt ? { capturedAt } : {});
    expect(reading.lists).toEqual([]);
    return reading.rejected.map((rejection) => rejection.reason);
  };

  it('refuses comment timestamps', () => {
    expect(rejectedReasons(newsList((inner) => `<section id="comments">${inner}</section>`))).toEqual(['comment timestamps']);
  });

  it.each([
    ['a TV programme', '<h2>TV-Programm heute</h2>'],
    ['a radio schedule', '<h2>Radio schedule</h2>'],
    ['match fixtures', '<h2>Fixtures this weekend</h2>'],
    ['opening hours', '<h2>Öffnungszeiten</h2>'],
    ['an events agenda', '<h2>Agenda</h2>'],
  ])('refuses %s by the words around it', (_, heading) => {
    expect(rejectedReasons(newsList((inner) => `<section class="box">${heading}${inner}</section>`))[0]).toMatch(/^schedule, not news/);
  });

  it('refuses posts with a reply button under each, whatever their classes', () => {
    const posts = items(['09:14', '09:52', '10:31'], (time, index) => `<div class="post"><div class="post__date">Today at ${time}</div><p>${HEADLINES[index]}</p><a href="#reply">Reply</a></div>`);
    expect(rejectedReasons(page(`<div class="posts">${posts}</div>`))).toEqual(['comment timestamps']);
  });

  it('refuses episode lengths beside listen buttons', () => {
    const episodes = items(['23:10', '18:45', '21:02'], (time, index) => `<li class="ep"><button aria-label="Listen">▶</button><h2><a href="/ep/${index}">${HEADLINES[index]}</a></h2><span class="meta">${time}</span></li>`);
    expect(rejectedReasons(page(`<ul class="eps">${episodes}</ul>`))).toEqual(['media durations']);
  });

  it('refuses a scoreboard, even one headed "Live scores"', () => {
    const games = items(['10:30', '10:30', '11:00'], (time, index) => `<div class="game"><span>${time}</span><span>Red Lion ${index} – 1 Kings Arms</span><span>FT</span></div>`);
    expect(rejectedReasons(page(`<h2>Live scores</h2><div class="board">${games}</div>`))).toEqual(['match scores or fixtures']);
  });

  it('refuses a departure board', () => {
    const trains = items(['10:12', '10:18', '10:25'], (time, index) => `<div class="z"><span>${time}</span><span>ICE ${1500 + index}</span><span>Berlin Hbf über Halle</span><span>Gl. ${index + 4}</span></div>`);
    expect(rejectedReasons(page(`<h1>Leipzig Hbf – Abfahrt</h1><div class="tafel">${trains}</div>`))[0]).toMatch(/^schedule, not news/);
  });

  it('refuses an hourly forecast, and is not swayed by "Direct" in the site header', () => {
    const hours = items(['15:00', '16:00', '17:00'], (time, index) => `<li class="h"><span>${time}</span><span>Passages nuageux et averses orageuses possibles</span><span>${20 + index}°</span></li>`);
    const html = page(`<header class="site"><nav><a href="/direct">Écouter le direct</a></nav></header><main><h2>Prévisions heure par heure</h2><ol class="f">${hours}</ol></main>`);
    expect(rejectedReasons(html)[0]).toMatch(/^schedule, not news/);
  });

  it('refuses rows of a table', () => {
    const rows = items(['06:00', '09:00', '12:00'], (time, index) => `<tr><td>${time}</td><td><a href="/p/${index}">${HEADLINES[index]}</a></td></tr>`);
    expect(rejectedReasons(page(`<table><tbody>${rows}</tbody></table>`))).toEqual(['table rows of times (a schedule or listing)']);
  });

  it('refuses durations beside play buttons', () => {
    const tiles = items(['3:45', '12:04', '1:58'], (time, index) => `<li class="tile"><a href="/v/${index}"><span class="thumb__duration">${time}</span><span>${HEADLINES[index]}</span></a></li>`);
    expect(rejectedReasons(page(`<ul class="up-next">${tiles}</ul>`))).toEqual(['media durations']);
  });

  it('refuses times mostly after the capture', () => {
    const cards = items(['2023-10-14T19:30:00+01:00', '2023-10-18T20:00:00+01:00'], (when, index) => `<div class="card"><time datetime="${when}">19:30</time><h3><a href="/e/${index}">${HEADLINES[index]}</a></h3></div>`);
    expect(rejectedReasons(page(`<div class="grid">${cards}</div>`), new Date('2023-10-02T11:00:00+01:00'))).toEqual(['times in the future of the capture (an event calendar or schedule)']);
  });

  it('refuses items that are nothing but times', () => {
    const sessions = items(['16:30', '19:00', '21:45'], (time, index) => `<li class="s"><a href="/buy/${index}">${time}</a></li>`);
    expect(rejectedReasons(page(`<ul class="sessions">${sessions}</ul>`))).toEqual(['items hold nothing but their times (showtimes, slots)']);
  });

  it('refuses a directory listing', () => {
    const html = `<html><head><title>Index of /files</title></head><body><h1>Index of /files</h1><ul>${items(['2021-09-20 13:29', '2021-09-21 09:02'], (time, index) => `<li><a href="f${index}.txt">release-notes-number-${index}.txt</a> <span>${time}</span></li>`)}</ul></body></html>`;
    expect(rejectedReasons(html)).toEqual(['directory listing']);
  });

  it('refuses a list of downloads', () => {
    const files = items(['2023-02-10 13:29', '2023-01-28 09:02'], (time, index) => `<li class="f"><a href="/download/tidekit-2.4.${index}.tar.gz">tidekit release ${index} source archive</a> <span>${time}</span></li>`);
    expect(rejectedReasons(page(`<ul class="releases">${files}</ul>`))).toEqual(['directory listing']);
  });

  it("keeps the lead of a page whose only times are not news, and gives it no briefs", () => {
    const article = `<article><h1>Council adopts a new parking plan</h1>${'<p>The plan changes where residents can park and how much they pay for a permit each year.</p>'.repeat(5)}</article>`;
    const comments = `<section class="comments">${items(['7:14am', '8:02am'], (time, index) => `<div class="c"><span>${time}</span><p>${HEADLINES[index]}</p></div>`)}</section>`;
    const extract = extractNewsPage(page(article + comments), { capturedAt: new Date('2023-01-16T11:00:00+11:00'), timeZone: 'Australia/Melbourne' });
    expect(extract.lead?.title).toBe('Council adopts a new parking plan');
    expect(extract.briefs).toEqual([]);
  });
});
