import { describe, expect, it } from 'vitest';
import { readSiteConfig } from '../src/config/site.js';
import { readCapture } from '../src/ingest/page-file.js';
import { pageToEntries } from '../src/normalize/entries.js';
import { civilDateAt, resolveBriefDate, zonedTimeToInstant } from '../src/normalize/dates.js';
import { parseSourceDate } from '../src/normalize/source-dates.js';

// Every expected instant below was worked out by hand from the zone's rules:
// America/New_York 2026: EST (-5) until 2026-03-08 02:00 local, EDT (-4) until 2026-11-01 02:00 local.
// Europe/Lisbon 2026: WET (+0) until 2026-03-29 01:00 local, WEST (+1) until 2026-10-25 02:00 local.
// Europe/Berlin 2026: CET (+1) until 2026-03-29 02:00 local, CEST (+2) until 2026-10-25 03:00 local.

const at = (iso: string): number => new Date(iso).getTime();
const iso = (instant: number): string => new Date(instant).toISOString();

function resolved(captured: string, hour: number, minute: number, timeZone: string) {
  const { instant, day } = resolveBriefDate(at(captured), hour, minute, timeZone);
  return { instant: iso(instant), day };
}

describe('civilDateAt', () => {
  it('gives the local date, not the UTC one', () => {
    expect(civilDateAt(at('2026-05-09T19:00:00Z'), 'Asia/Kolkata')).toEqual({ year: 2026, month: 5, day: 10 });
    expect(civilDateAt(at('2026-11-01T03:59:00Z'), 'America/New_York')).toEqual({ year: 2026, month: 10, day: 31 });
    expect(civilDateAt(at('2026-11-01T04:00:00Z'), 'America/New_York')).toEqual({ year: 2026, month: 11, day: 1 });
  });

  it('follows the summer offset (midnight in Lisbon in July is 23:00Z the day before)', () => {
    expect(civilDateAt(at('2026-07-14T22:59:00Z'), 'Europe/Lisbon')).toEqual({ year: 2026, month: 7, day: 14 });
    expect(civilDateAt(at('2026-07-14T23:00:00Z'), 'Europe/Lisbon')).toEqual({ year: 2026, month: 7, day: 15 });
  });
});

describe('zonedTimeToInstant', () => {
  it('uses the offset in force on that date', () => {
    expect(iso(zonedTimeToInstant({ year: 2026, month: 1, day: 20 }, 12, 0, 'America/New_York'))).toBe('2026-01-20T17:00:00.000Z');
    expect(iso(zonedTimeToInstant({ year: 2026, month: 7, day: 4 }, 12, 0, 'America/New_York'))).toBe('2026-07-04T16:00:00.000Z');
  });

  it('reads a time inside the spring-forward gap with the offset from before it (New York 02:30 -> 03:30 EDT)', () => {
    expect(iso(zonedTimeToInstant({ year: 2026, month: 3, day: 8 }, 2, 30, 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
  });

  it('reads a time inside the spring-forward gap in Lisbon (01:30 -> 02:30 WEST)', () => {
    expect(iso(zonedTimeToInstant({ year: 2026, month: 3, day: 29 }, 1, 30, 'Europe/Lisbon'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('reads a time inside the spring-forward gap in Berlin (02:30 -> 03:30 CEST)', () => {
    expect(iso(zonedTimeToInstant({ year: 2026, month: 3, day: 29 }, 2, 30, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the first of two occurrences when clocks go back', () => {
    expect(iso(zonedTimeToInstant({ year: 2026, month: 11, day: 1 }, 1, 30, 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(zonedTimeToInstant({ year: 2026, month: 10, day: 25 }, 1, 30, 'Europe/Lisbon'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(zonedTimeToInstant({ year: 2026, month: 10, day: 25 }, 2, 30, 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('handles zones whose offset is not a whole number of hours', () => {
    expect(iso(zonedTimeToInstant({ year: 2026, month: 5, day: 10 }, 9, 15, 'Asia/Kolkata'))).toBe('2026-05-10T03:45:00.000Z');
    expect(iso(zonedTimeToInstant({ year: 2026, month: 5, day: 10 }, 6, 0, 'Asia/Kathmandu'))).toBe('2026-05-10T00:15:00.000Z');
  });
});

describe('resolveBriefDate across midnight', () => {
  // Captured at 00:30 CET on 15 January = 2026-01-14T23:30Z.
  const CAPTURED = '2026-01-14T23:30:00Z';

  it('puts a 23:50 brief on the day before the capture', () => {
    expect(resolved(CAPTURED, 23, 50, 'Europe/Berlin')).toEqual({ instant: '2026-01-14T22:50:00.000Z', day: { year: 2026, month: 1, day: 14 } });
  });

  it('puts a 00:10 brief on the capture day', () => {
    expect(resolved(CAPTURED, 0, 10, 'Europe/Berlin')).toEqual({ instant: '2026-01-14T23:10:00.000Z', day: { year: 2026, month: 1, day: 15 } });
  });

  it('puts a brief stamped exactly at the capture time on the capture day', () => {
    expect(resolved(CAPTURED, 0, 30, 'Europe/Berlin')).toEqual({ instant: '2026-01-14T23:30:00.000Z', day: { year: 2026, month: 1, day: 15 } });
  });

  // The site's clock may run ahead of the capturing machine's: a brief up to an hour after the
  // capture time is the capture day's, not one nearly 24 hours earlier.
  it('puts a brief a few minutes after the capture time on the capture day', () => {
    expect(resolved(CAPTURED, 0, 31, 'Europe/Berlin')).toEqual({ instant: '2026-01-14T23:31:00.000Z', day: { year: 2026, month: 1, day: 15 } });
    expect(resolved(CAPTURED, 0, 42, 'Europe/Berlin')).toEqual({ instant: '2026-01-14T23:42:00.000Z', day: { year: 2026, month: 1, day: 15 } });
  });

  it('counts a brief exactly 60 minutes after the capture as the capture day, 61 as the day before', () => {
    expect(resolved(CAPTURED, 1, 30, 'Europe/Berlin')).toEqual({ instant: '2026-01-15T00:30:00.000Z', day: { year: 2026, month: 1, day: 15 } });
    expect(resolved(CAPTURED, 1, 31, 'Europe/Berlin')).toEqual({ instant: '2026-01-14T00:31:00.000Z', day: { year: 2026, month: 1, day: 14 } });
  });

  it('allows the same skew on the evening before midnight (capture 23:55, brief 00:20 is the next day)', () => {
    // Captured at 23:55 CET on 14 January = 2026-01-14T22:55Z; a brief at 00:20 is 25 minutes later,
    // on 15 January by the site's clock. The capture day has no 00:20 after the capture.
    expect(resolved('2026-01-14T22:55:00Z', 0, 20, 'Europe/Berlin')).toEqual({ instant: '2026-01-14T23:20:00.000Z', day: { year: 2026, month: 1, day: 15 } });
    expect(resolved('2026-01-14T22:55:00Z', 23, 58, 'Europe/Berlin')).toEqual({ instant: '2026-01-14T22:58:00.000Z', day: { year: 2026, month: 1, day: 14 } });
  });

  it('does the same in a half-hour zone (Asia/Kolkata, capture 00:30 IST)', () => {
    const captured = '2026-05-09T19:00:00Z';
    expect(resolved(captured, 23, 50, 'Asia/Kolkata')).toEqual({ instant: '2026-05-09T18:20:00.000Z', day: { year: 2026, month: 5, day: 9 } });
    expect(resolved(captured, 0, 10, 'Asia/Kolkata')).toEqual({ instant: '2026-05-09T18:40:00.000Z', day: { year: 2026, month: 5, day: 10 } });
  });
});

describe('resolveBriefDate on America/New_York change days', () => {
  const SPRING = { year: 2026, month: 3, day: 8 };
  const FALL = { year: 2026, month: 11, day: 1 };

  it('spring forward: a brief before the change is on EST, one after it on EDT', () => {
    const noon = '2026-03-08T16:00:00Z';
    expect(resolved(noon, 1, 30, 'America/New_York')).toEqual({ instant: '2026-03-08T06:30:00.000Z', day: SPRING });
    expect(resolved(noon, 4, 15, 'America/New_York')).toEqual({ instant: '2026-03-08T08:15:00.000Z', day: SPRING });
  });

  it('spring forward: a time in the gap becomes 03:30 EDT', () => {
    expect(resolved('2026-03-08T16:00:00Z', 2, 30, 'America/New_York')).toEqual({ instant: '2026-03-08T07:30:00.000Z', day: SPRING });
  });

  it('spring forward: a capture just after the change (03:05 EDT) keeps a 01:50 EST brief on the same day', () => {
    expect(resolved('2026-03-08T07:05:00Z', 1, 50, 'America/New_York')).toEqual({ instant: '2026-03-08T06:50:00.000Z', day: SPRING });
  });

  it('spring forward: a capture just after midnight the next day puts 23:50 on the change day, in EDT', () => {
    expect(resolved('2026-03-09T04:30:00Z', 23, 50, 'America/New_York')).toEqual({ instant: '2026-03-09T03:50:00.000Z', day: SPRING });
  });

  it('fall back: a brief before the change is on EDT, one after it on EST', () => {
    const noon = '2026-11-01T17:00:00Z';
    expect(resolved(noon, 0, 45, 'America/New_York')).toEqual({ instant: '2026-11-01T04:45:00.000Z', day: FALL });
    expect(resolved(noon, 3, 0, 'America/New_York')).toEqual({ instant: '2026-11-01T08:00:00.000Z', day: FALL });
  });

  it('fall back: an ambiguous 01:30 is its first occurrence (EDT)', () => {
    expect(resolved('2026-11-01T17:00:00Z', 1, 30, 'America/New_York')).toEqual({ instant: '2026-11-01T05:30:00.000Z', day: FALL });
  });

  it('fall back: a capture at 01:05 EST (second pass) keeps a 01:55 EDT brief on the same day', () => {
    expect(resolved('2026-11-01T06:05:00Z', 1, 55, 'America/New_York')).toEqual({ instant: '2026-11-01T05:55:00.000Z', day: FALL });
    expect(resolved('2026-11-01T06:05:00Z', 0, 50, 'America/New_York')).toEqual({ instant: '2026-11-01T04:50:00.000Z', day: FALL });
  });
});

describe('resolveBriefDate on Europe/Lisbon change days', () => {
  const SPRING = { year: 2026, month: 3, day: 29 };
  const FALL = { year: 2026, month: 10, day: 25 };

  it('spring forward: a brief before the change is on WET, one after it on WEST', () => {
    const noon = '2026-03-29T11:00:00Z';
    expect(resolved(noon, 0, 30, 'Europe/Lisbon')).toEqual({ instant: '2026-03-29T00:30:00.000Z', day: SPRING });
    expect(resolved(noon, 3, 0, 'Europe/Lisbon')).toEqual({ instant: '2026-03-29T02:00:00.000Z', day: SPRING });
  });

  it('spring forward: a capture just after the change (02:05 WEST) keeps a 00:50 WET brief on the same day', () => {
    expect(resolved('2026-03-29T01:05:00Z', 0, 50, 'Europe/Lisbon')).toEqual({ instant: '2026-03-29T00:50:00.000Z', day: SPRING });
  });

  it('fall back: a brief before the change is on WEST, one after it on WET', () => {
    const noon = '2026-10-25T12:00:00Z';
    expect(resolved(noon, 0, 30, 'Europe/Lisbon')).toEqual({ instant: '2026-10-24T23:30:00.000Z', day: FALL });
    expect(resolved(noon, 2, 30, 'Europe/Lisbon')).toEqual({ instant: '2026-10-25T02:30:00.000Z', day: FALL });
  });

  it('fall back: an ambiguous 01:30 is its first occurrence (WEST)', () => {
    expect(resolved('2026-10-25T12:00:00Z', 1, 30, 'Europe/Lisbon')).toEqual({ instant: '2026-10-25T00:30:00.000Z', day: FALL });
  });

  it('fall back: a capture at 01:05 WET (second pass) keeps a 01:50 WEST brief on the same day', () => {
    expect(resolved('2026-10-25T01:05:00Z', 1, 50, 'Europe/Lisbon')).toEqual({ instant: '2026-10-25T00:50:00.000Z', day: FALL });
  });
});

describe('brief dates through pageToEntries', () => {
  const site = readSiteConfig({ url: 'https://millbrook-gazette.example/', timezone: 'UTC' }, 'test/site.yaml');

  it('reads 7:05 as 07:05 in the page time zone', () => {
    const text = [
      '---',
      'captured: 2026-05-10T09:00:00+05:30',
      'timezone: Asia/Kolkata',
      '---',
      'The monsoon drainage works on the riverside road are finished.',
      'Read next',
      '7:05',
      'Trains',
      'The early commuter train left on time for the first week this year.',
    ].join('\n');
    const [, brief] = pageToEntries(readCapture(text, 'millbrook/drains.txt', new Date(0)), site);
    expect(brief?.published.toISOString()).toBe('2026-05-10T01:35:00.000Z');
  });

  it('falls back to the site time zone when the page names none', () => {
    const text = 'The council approves the new cycle lane.\nRead next\n7:05\nRoads\nResurfacing starts on the bypass.\n';
    const [, brief] = pageToEntries(readCapture(text, 'millbrook/cycle.txt', new Date('2026-05-10T09:00:00Z')), site);
    expect(brief?.published.toISOString()).toBe('2026-05-10T07:05:00.000Z');
  });

  it('gives a brief stamped minutes after its capture the same day and id in the next capture', () => {
    const page = (captured: string) =>
      [`---`, `captured: ${captured}`, '---', 'The harbour crane inquiry reports next week.', 'Read next', '10:05', 'Port', 'The night ferry arrived early after a calm crossing.'].join('\n');
    const [, first] = pageToEntries(readCapture(page('2026-05-10T10:00:00Z'), 'port.txt', new Date(0)), site);
    const [, next] = pageToEntries(readCapture(page('2026-05-10T11:00:00Z'), 'port.txt', new Date(0)), site);
    expect(first?.published.toISOString()).toBe('2026-05-10T10:05:00.000Z');
    expect(next?.id).toBe(first?.id);
    expect(next?.published.toISOString()).toBe(first?.published.toISOString());
  });
});

describe('feed dates that do not exist', () => {
  it('are no date at all, rather than the day Date rolls them over to', () => {
    for (const impossible of ['Mon, 30 Feb 2026 10:00:00 GMT', '2026-02-30T10:00:00Z', '2026-02-30T10:00:00', '31 Apr 2026 08:00 +0200', '2026-13-01T00:00:00Z', '2026-06-12T25:00:00Z']) {
      expect(parseSourceDate(impossible, 'UTC'), impossible).toBeUndefined();
    }
    expect(parseSourceDate('Sun, 29 Feb 2032 10:00:00 GMT', 'UTC')).toBe(Date.parse('2032-02-29T10:00:00Z'));
    expect(parseSourceDate('2026-02-28T10:00:00', 'Europe/Lisbon')).toBe(Date.parse('2026-02-28T10:00:00Z'));
  });
});
