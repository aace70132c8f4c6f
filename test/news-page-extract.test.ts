// extractNewsPage end to end (worker/news-page.ts): what the result says about the page beyond
// its briefs — address, language, zone and where it came from, the lead's time, disagreements.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractNewsPage } from '../src/worker/news-page.js';
import { CORPUS } from './news-page-scoring.js';

const fixture = (name: string) => readFileSync(path.join(CORPUS, `${name}.html`), 'utf8');

describe('extractNewsPage', () => {
  it("takes the canonical address and the page's language when the caller gives none", () => {
    const extract = extractNewsPage(fixture('us-latest-false-datetime'), { capturedAt: new Date('2021-09-22T19:00:00-07:00'), timeZone: 'America/Los_Angeles' });
    expect(extract.url).toBe('https://valleycourier.example/local/county-bike-lanes-main-street');
    expect(extract.language).toBe('en');
  });

  it("prefers the caller's address and language to the page's", () => {
    const extract = extractNewsPage(fixture('us-latest-false-datetime'), { capturedAt: new Date('2021-09-22T19:00:00-07:00'), timeZone: 'America/Los_Angeles', url: 'https://mirror.example/a', language: 'en-US' });
    expect([extract.url, extract.language]).toEqual(['https://mirror.example/a', 'en-US']);
  });

  it('records where machine times disagreed with the shown ones, and dates by the shown ones', () => {
    const extract = extractNewsPage(fixture('us-latest-false-datetime'), { capturedAt: new Date('2021-09-22T19:00:00-07:00'), timeZone: 'America/Los_Angeles' });
    expect(extract.disagreements.map((entry) => [entry.shown, entry.machine])).toEqual([
      ['6:17 pm', '2021-09-22T06:17:00-07:00'],
      ['3:02 pm', '2021-09-22T03:02:00-07:00'],
      ['9:55 pm', '2021-09-21T09:55:00-07:00'],
    ]);
    expect(extract.briefs[0]).toMatchObject({ shownTime: '6:17 pm', datedBy: 'shown', published: new Date('2021-09-22T18:17:00-07:00') });
    expect(extract.rejected).toEqual([{ label: 'div#comments.comments-area > ol.comment-list > li.comment', reason: 'comment timestamps' }]);
  });

  it("dates the lead by its own offset and gives its author and body", () => {
    const extract = extractNewsPage(fixture('ru-lenta-full-dates'), { capturedAt: new Date('2021-09-22T14:10:00+03:00'), timeZone: 'Europe/Moscow' });
    expect(extract.lead).toMatchObject({ title: 'В Казани открыли новый мост через Казанку', author: 'Ольга Тихонова', published: new Date('2021-09-22T11:40:00+03:00') });
    expect(extract.lead!.paragraphs).toHaveLength(3);
    expect(extract.lists[0]!.order).toBe('newest-first');
  });

  it("reads the page's own offset as its zone when it contradicts the site's, unless the site's is explicit", () => {
    const html = fixture('tr-page-offset-zone');
    const capturedAt = new Date('2022-03-15T15:00:00+03:00');
    const fromPage = extractNewsPage(html, { capturedAt, timeZone: 'Europe/London' });
    expect(fromPage.timeZone).toEqual({ zone: 'Etc/GMT-3', from: 'page', pageOffsetMinutes: 180 });
    expect(fromPage.briefs.find((brief) => brief.shownTime === '13:05')?.published).toEqual(new Date('2022-03-15T13:05:00+03:00'));
    const explicit = extractNewsPage(html, { capturedAt, timeZone: 'Europe/London', timeZoneExplicit: true });
    expect(explicit.timeZone).toEqual({ zone: 'Europe/London', from: 'context' });
    // Read in London, 14:40 is after the capture (12:00 UTC): the list's times fall the day before.
    expect(explicit.briefs.find((brief) => brief.shownTime === '13:05')?.published).toEqual(new Date('2022-03-14T13:05:00Z'));
  });

  it('takes no offset from a bare Z, which pages put on local times', () => {
    const extract = extractNewsPage(fixture('de-liveblog-false-zulu'), { capturedAt: new Date('2022-02-18T16:00:00+01:00'), timeZone: 'Europe/Berlin' });
    expect(extract.timeZone).toEqual({ zone: 'Europe/Berlin', from: 'site' });
    expect(extract.disagreements).toHaveLength(5);
  });

  it('lists dated JSON-LD ItemList entries, and ignores undated ones', () => {
    const list = (dated: boolean) =>
      JSON.stringify({
        '@type': 'ItemList',
        itemListElement: ['Harbour wall repairs begin', 'Library opens late for exams'].map((name, index) => ({ '@type': 'ListItem', position: index + 1, item: { '@type': 'NewsArticle', name, url: `https://n.example/${index}`, ...(dated ? { datePublished: `2022-05-0${index + 1}T10:00:00+02:00` } : {}) } })),
      });
    const page = (dated: boolean) => `<html><head><script type="application/ld+json">${list(dated)}</script></head><body><p>Nothing else.</p></body></html>`;
    const context = { capturedAt: new Date('2022-05-03T12:00:00+02:00'), timeZone: 'Europe/Paris' };
    expect(extractNewsPage(page(true), context).briefs.map((brief) => [brief.title, brief.link, brief.published.toISOString()])).toEqual([
      ['Library opens late for exams', 'https://n.example/1', '2022-05-02T08:00:00.000Z'],
      ['Harbour wall repairs begin', 'https://n.example/0', '2022-05-01T08:00:00.000Z'],
    ]);
    expect(extractNewsPage(page(false), context).briefs).toEqual([]);
  });

  it('refuses a list whose shown day puts its times after the capture', () => {
    const rows = ['04:12', '10:31', '16:40'].map((time, index) => `<div class="row"><span>${time}</span><span>Something happening at the harbour, number ${index}</span></div>`).join('');
    const html = `<html><body><h2>Today</h2><div class="day">${rows}</div></body></html>`;
    const extract = extractNewsPage(html, { capturedAt: new Date('2022-11-21T09:00:00Z'), timeZone: 'Europe/London' });
    expect(extract.briefs).toEqual([]);
    expect(extract.rejected.map((rejection) => rejection.reason)).toEqual(['times later than the capture on the day shown (a schedule)']);
  });

  it('returns the same result for the same input', () => {
    const context = { capturedAt: new Date('2021-09-22T14:05:00+02:00'), timeZone: 'Europe/Paris' };
    expect(extractNewsPage(fixture('fr-en-continu'), context)).toEqual(extractNewsPage(fixture('fr-en-continu'), context));
  });
});
