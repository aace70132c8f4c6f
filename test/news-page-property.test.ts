// Properties of news-page dating and extraction on generated input: a list of shown clocks dates
// back to the instants it was made from, nothing is dated after the capture, and no input makes
// the extractor throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BriefReading } from '../src/news-page-model.js';
import { BRIEF_CLOCK_SKEW_MS } from '../src/normalize/dates.js';
import { dateBriefList } from '../src/normalize/news-page-dates.js';
import { extractNewsPage } from '../src/worker/news-page.js';

const MINUTE = 60_000;
const CAPTURED_AT = Date.parse('2023-03-26T09:17:00Z');

function wallClock(instant: number, zone: string): { hour: number; minute: number; text: string } {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  const [hour, minute] = text.split(':').map(Number) as [number, number];
  return { hour, minute, text };
}

/**
 * Instants going back from just before the capture, each gap under 12 hours, as a newest-first
 * list would show them. The first is under 21 hours old: a clock up to an hour past the
 * capture's is read as just past (BRIEF_CLOCK_SKEW_MS), so older first items are ambiguous.
 */
const newestFirstInstants = fc
  .record({ lead: fc.integer({ min: 0, max: 21 * 60 }), gaps: fc.array(fc.integer({ min: 1, max: 11 * 60 }), { minLength: 2, maxLength: 25 }) })
  .map(({ lead, gaps }) => {
    const instants = [CAPTURED_AT - lead * MINUTE];
    for (const gap of gaps) instants.push(instants.at(-1)! - gap * MINUTE);
    return instants.map((instant) => Math.floor(instant / MINUTE) * MINUTE);
  });

const shownList = (instants: readonly number[], zone: string): BriefReading[] => instants.map((instant, index) => ({ title: `brief ${index}`, shown: wallClock(instant, zone) }));

const date = (briefs: BriefReading[], zone: string) => dateBriefList({ label: 'generated', source: 'markup', score: 1, briefs }, { capturedAt: CAPTURED_AT, zone });

describe('dating generated lists', () => {
  it('gives a newest-first list of clocks back the instants it was made from, in a zone without clock changes', () => {
    fc.assert(
      fc.property(newestFirstInstants, (instants) => {
        const dated = date(shownList(instants, 'Asia/Tokyo'), 'Asia/Tokyo');
        expect(dated.briefs.map((brief) => brief.published)).toEqual(instants);
      }),
      { numRuns: 300 },
    );
  });

  it('reads the same list turned oldest-first the same way', () => {
    fc.assert(
      fc.property(newestFirstInstants, (instants) => {
        const oldestFirst = [...instants].reverse();
        const dated = date(shownList(oldestFirst, 'America/Sao_Paulo'), 'America/Sao_Paulo');
        expect(dated.briefs.map((brief) => brief.published)).toEqual(oldestFirst);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every shown minute and dates nothing after the capture, across a clock change', () => {
    // 26 March 2023: Paris and London move their clocks forward that morning.
    fc.assert(
      fc.property(newestFirstInstants, fc.constantFrom('Europe/Paris', 'Europe/London'), (instants, zone) => {
        const dated = date(shownList(instants, zone), zone);
        for (const [index, brief] of dated.briefs.entries()) {
          expect(brief.published).toBeLessThanOrEqual(CAPTURED_AT + BRIEF_CLOCK_SKEW_MS);
          expect(wallClock(brief.published, zone).text).toBe(wallClock(instants[index]!, zone).text);
        }
      }),
      { numRuns: 300 },
    );
  });
});

const fragment = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('13:29', '1:29 PM', 'Вчера, 21:10', '22 сентября 2021, 13:29', '3/9(木) 7:20', 'Heute', 'Breaking news about the harbour', '09:00 – 18:00', '25:61', ''),
    fc.tuple(fc.constantFrom('div', 'li', 'ul', 'span', 'time', 'p', 'h2', 'a', 'table', 'tr', 'td', 'section', 'article'), fc.constantFrom('', ' class="item"', ' class="time"', ' datetime="2023-03-26T08:00:00Z"', ' data-timestamp="1679817600"', ' href="/a"', ' id="comments"'), fc.array(tie('node'), { maxLength: 5 })).map(
      ([tag, attributes, children]) => `<${tag}${attributes}>${children.join('')}</${tag}>`,
    ),
  ),
})).node;

describe('extracting generated pages', () => {
  it('never throws and dates nothing after the capture', () => {
    fc.assert(
      fc.property(fc.oneof(fragment, fc.string({ maxLength: 200 })), (html) => {
        const extract = extractNewsPage(html, { capturedAt: new Date(CAPTURED_AT), timeZone: 'Europe/Paris' });
        for (const brief of extract.briefs) expect(brief.published.getTime()).toBeLessThanOrEqual(CAPTURED_AT + BRIEF_CLOCK_SKEW_MS);
      }),
      { numRuns: 300 },
    );
  });
});
