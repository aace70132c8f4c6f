// Shown brief times -> instants (normalize/news-page-dates.ts) and the zone they are read in
// (normalize/news-page-zone.ts). Readings are built by hand: no HTML here.
import { describe, expect, it } from 'vitest';
import type { BriefListReading, BriefReading, MachineTime, ShownDay } from '../src/news-page-model.js';
import { dateBriefList, listOrder } from '../src/normalize/news-page-dates.js';
import { chooseNewsPageZone, fixedOffsetZone } from '../src/normalize/news-page-zone.js';
import { parseMachineTime } from '../src/shared/machine-time.js';

function brief(clock: string, extra: { day?: ShownDay; separatorDay?: ShownDay; machine?: string } = {}): BriefReading {
  const [hour, minute] = clock.split(':').map(Number) as [number, number];
  const reading: BriefReading = { title: `item at ${clock}`, shown: { hour, minute, text: clock, ...(extra.day ? { day: extra.day } : {}) } };
  if (extra.separatorDay) reading.separatorDay = extra.separatorDay;
  if (extra.machine) reading.machine = parseMachineTime(extra.machine)!;
  return reading;
}

function list(briefs: BriefReading[]): BriefListReading {
  return { label: 'test list', source: 'markup', score: 3, briefs };
}

function dated(briefs: BriefReading[], capturedAt: string, zone: string) {
  const result = dateBriefList(list(briefs), { capturedAt: Date.parse(capturedAt), zone });
  return { ...result, instants: result.briefs.map((entry) => new Date(entry.published).toISOString()) };
}

const iso = (text: string) => new Date(text).toISOString();

describe('dating a list of shown times', () => {
  it('rolls a newest-first list back a day where it crosses midnight', () => {
    const result = dated([brief('00:42'), brief('00:15'), brief('23:58'), brief('22:01')], '2022-09-21T00:50:00+10:00', 'Australia/Sydney');
    expect(result.order).toBe('newest-first');
    expect(result.instants).toEqual([iso('2022-09-21T00:42:00+10:00'), iso('2022-09-21T00:15:00+10:00'), iso('2022-09-20T23:58:00+10:00'), iso('2022-09-20T22:01:00+10:00')]);
  });

  it('reads an oldest-first list from its bottom up, rolling forward over midnight', () => {
    const result = dated([brief('22:10'), brief('23:50'), brief('00:20'), brief('01:15')], '2022-05-06T01:40:00+01:00', 'Europe/London');
    expect(result.order).toBe('oldest-first');
    expect(result.instants).toEqual([iso('2022-05-05T22:10:00+01:00'), iso('2022-05-05T23:50:00+01:00'), iso('2022-05-06T00:20:00+01:00'), iso('2022-05-06T01:15:00+01:00')]);
  });

  it('keeps a pinned older post above newer ones on the same day, not the day before', () => {
    const result = dated([brief('08:00'), brief('13:29'), brief('12:58'), brief('11:40')], '2021-09-22T13:50:00-04:00', 'America/New_York');
    expect(result.order).toBe('newest-first');
    expect(result.instants).toEqual([iso('2021-09-22T08:00:00-04:00'), iso('2021-09-22T13:29:00-04:00'), iso('2021-09-22T12:58:00-04:00'), iso('2021-09-22T11:40:00-04:00')]);
  });

  it('never puts an out-of-order time after the capture', () => {
    const result = dated([brief('01:05'), brief('00:40'), brief('12:30'), brief('11:00')], '2022-06-01T01:10:00+02:00', 'Europe/Paris');
    expect(result.instants).toEqual([iso('2022-06-01T01:05:00+02:00'), iso('2022-06-01T00:40:00+02:00'), iso('2022-05-31T12:30:00+02:00'), iso('2022-05-31T11:00:00+02:00')]);
  });

  it('puts a lone time later than the capture on the day before', () => {
    const result = dated([brief('18:30')], '2022-03-01T09:00:00+01:00', 'Europe/Berlin');
    expect(result.order).toBe('unknown');
    expect(result.instants).toEqual([iso('2022-02-28T18:30:00+01:00')]);
  });

  it('keeps a time just after the capture on the capture day (the site clock runs ahead)', () => {
    const result = dated([brief('09:20')], '2022-03-01T09:00:00+01:00', 'Europe/Berlin');
    expect(result.instants).toEqual([iso('2022-03-01T09:20:00+01:00')]);
  });

  it('dates items below a day separator on that day', () => {
    const yesterday: ShownDay = { kind: 'relative', daysAgo: 1 };
    const sept21: ShownDay = { kind: 'date', month: 9, day: 21 };
    const result = dated([brief('10:15'), brief('21:10', { separatorDay: yesterday }), brief('18:35', { separatorDay: yesterday }), brief('23:55', { separatorDay: sept21 })], '2021-09-23T10:30:00+03:00', 'Europe/Moscow');
    expect(result.instants).toEqual([iso('2021-09-23T10:15:00+03:00'), iso('2021-09-22T21:10:00+03:00'), iso('2021-09-22T18:35:00+03:00'), iso('2021-09-21T23:55:00+03:00')]);
  });

  it('reads "yesterday" and "the day before" words from the capture day in the zone', () => {
    const result = dated([brief('23:30', { day: { kind: 'relative', daysAgo: 0 } }), brief('21:10', { day: { kind: 'relative', daysAgo: 1 } }), brief('08:00', { day: { kind: 'relative', daysAgo: 2 } })], '2022-01-10T23:45:00-05:00', 'America/New_York');
    // 23:45 in New York is already the 11th in UTC; the words count from the 10th.
    expect(result.instants).toEqual([iso('2022-01-10T23:30:00-05:00'), iso('2022-01-09T21:10:00-05:00'), iso('2022-01-08T08:00:00-05:00')]);
  });

  it('gives a shown date without a year the latest year that keeps it before the capture', () => {
    const result = dated([brief('09:58', { day: { kind: 'date', month: 11, day: 2 } }), brief('18:20', { day: { kind: 'date', month: 12, day: 30 } })], '2021-11-02T14:00:00+01:00', 'Europe/Vienna');
    expect(result.instants).toEqual([iso('2021-11-02T09:58:00+01:00'), iso('2020-12-30T18:20:00+01:00')]);
  });

  it('finds the last leap year for a February 29 shown without a year', () => {
    const result = dated([brief('12:00', { day: { kind: 'date', month: 2, day: 29 } })], '2023-03-10T12:00:00+01:00', 'Europe/Paris');
    expect(result.instants).toEqual([iso('2020-02-29T12:00:00+01:00')]);
  });
});

describe('dating across daylight-saving changes', () => {
  it('reads Paris times on the day clocks go back, the repeated hour as its first occurrence', () => {
    const result = dated([brief('09:30'), brief('03:30'), brief('02:40'), brief('01:45'), brief('23:50')], '2021-10-31T10:00:00+01:00', 'Europe/Paris');
    expect(result.instants).toEqual([iso('2021-10-31T09:30:00+01:00'), iso('2021-10-31T03:30:00+01:00'), iso('2021-10-31T02:40:00+02:00'), iso('2021-10-31T01:45:00+02:00'), iso('2021-10-30T23:50:00+02:00')]);
  });

  it('reads New York times on the day clocks go forward with the offset of each side', () => {
    const result = dated([brief('09:15'), brief('03:10'), brief('01:50'), brief('23:40')], '2021-03-14T10:00:00-04:00', 'America/New_York');
    expect(result.instants).toEqual([iso('2021-03-14T09:15:00-04:00'), iso('2021-03-14T03:10:00-04:00'), iso('2021-03-14T01:50:00-05:00'), iso('2021-03-13T23:40:00-05:00')]);
  });

  it('reads a Paris time on the day clocks go forward', () => {
    const result = dated([brief('10:00'), brief('03:05'), brief('01:55')], '2022-03-27T11:00:00+02:00', 'Europe/Paris');
    expect(result.instants).toEqual([iso('2022-03-27T10:00:00+02:00'), iso('2022-03-27T03:05:00+02:00'), iso('2022-03-27T01:55:00+01:00')]);
  });
});

describe('machine-readable times against shown ones', () => {
  it('takes a machine time that names the shown minute, seconds and all', () => {
    const result = dated([brief('13:29', { machine: '2021-09-22T13:29:41+03:00' })], '2021-09-22T14:00:00+03:00', 'Europe/Moscow');
    expect(result.briefs[0]!.datedBy).toBe('machine');
    expect(result.instants).toEqual([iso('2021-09-22T13:29:41+03:00')]);
    expect(result.disagreements).toEqual([]);
  });

  it('lets a machine time that agrees on the minute give the day a bare clock lacks', () => {
    const result = dated([brief('13:29', { machine: '2021-09-20T13:29:00+03:00' })], '2021-09-22T14:00:00+03:00', 'Europe/Moscow');
    expect(result.instants).toEqual([iso('2021-09-20T13:29:00+03:00')]);
  });

  it('reads a naive machine time in the zone', () => {
    const result = dated([brief('02:40', { machine: '2021-10-31T02:40' })], '2021-10-31T10:00:00+01:00', 'Europe/Paris');
    expect(result.briefs[0]!.datedBy).toBe('machine');
    expect(result.instants).toEqual([iso('2021-10-31T02:40:00+02:00')]);
  });

  it.each([
    ['a Z on a local time', '2022-02-18T15:32:00Z'],
    ['a 12-hour hour without am/pm', '2022-02-18T03:32:00+01:00'],
    ['another day than the one shown', '2022-02-17T15:32:00+01:00'],
  ])('prefers the shown time over %s, and records the disagreement', (_, machine) => {
    const result = dated([brief('15:32', { day: { kind: 'date', month: 2, day: 18 }, machine })], '2022-02-18T16:00:00+01:00', 'Europe/Berlin');
    expect(result.instants).toEqual([iso('2022-02-18T15:32:00+01:00')]);
    expect(result.briefs[0]!.datedBy).toBe('shown');
    expect(result.disagreements).toEqual([{ title: 'item at 15:32', shown: '15:32', machine }]);
  });

  it('uses the machine time of an item that shows no clock', () => {
    const reading: BriefReading = { title: 'no clock shown', machine: parseMachineTime('2023-08-10T14:12:00-06:00')! };
    const result = dated([reading], '2023-08-10T15:00:00-06:00', 'America/Regina');
    expect(result.instants).toEqual([iso('2023-08-10T14:12:00-06:00')]);
  });

  it('drops an item with neither a shown clock nor a machine time', () => {
    expect(dated([{ title: 'undated' }], '2023-08-10T15:00:00-06:00', 'America/Regina').briefs).toEqual([]);
  });
});

describe('listOrder', () => {
  const context = { capturedAt: Date.parse('2022-05-06T12:00:00Z'), zone: 'UTC' };
  it('tells falling times from rising ones and says unknown for a tie', () => {
    expect(listOrder([brief('12:00'), brief('11:00'), brief('10:00')], context)).toBe('newest-first');
    expect(listOrder([brief('10:00'), brief('11:00'), brief('12:00')], context)).toBe('oldest-first');
    expect(listOrder([brief('10:00'), brief('10:00')], context)).toBe('unknown');
  });

  it('counts a jump back over midnight as falling, the short way round the clock', () => {
    expect(listOrder([brief('06:21'), brief('06:16'), brief('19:17')], context)).toBe('newest-first');
    expect(listOrder([brief('19:17'), brief('06:16'), brief('06:21')], context)).toBe('oldest-first');
  });

  it('compares shown dates, not only clocks', () => {
    const may = (day: number): ShownDay => ({ kind: 'date', year: 2022, month: 5, day });
    expect(listOrder([brief('09:00', { day: may(6) }), brief('18:00', { day: may(5) }), brief('20:00', { day: may(4) })], context)).toBe('newest-first');
  });
});

describe('chooseNewsPageZone', () => {
  const at = (text: string) => parseMachineTime(text) as MachineTime;
  const capturedAt = new Date('2022-03-15T12:00:00Z');

  it('keeps a zone the caller says is explicit, whatever the page writes', () => {
    expect(chooseNewsPageZone([at('2022-03-15T14:40:00+03:00')], { capturedAt, timeZone: 'Europe/London', timeZoneExplicit: true })).toEqual({ zone: 'Europe/London', from: 'context' });
  });

  it('keeps the site zone when the page writes offsets it has', () => {
    expect(chooseNewsPageZone([at('2022-03-15T14:40:00+01:00')], { capturedAt, timeZone: 'Europe/Paris' })).toEqual({ zone: 'Europe/Paris', from: 'site' });
  });

  it("takes the page's own offset when it contradicts the site zone", () => {
    expect(chooseNewsPageZone([at('2022-03-15T14:40:00+03:00'), at('2022-03-15T11:30:00+03:00')], { capturedAt, timeZone: 'Europe/London' })).toEqual({ zone: 'Etc/GMT-3', from: 'page', pageOffsetMinutes: 180 });
  });

  it('keeps the site zone for an offset no Etc zone names', () => {
    expect(chooseNewsPageZone([at('2022-03-15T14:40:00+05:30')], { capturedAt, timeZone: 'Europe/London' })).toEqual({ zone: 'Europe/London', from: 'site', pageOffsetMinutes: 330 });
  });

  it('names fixed offsets with POSIX signs', () => {
    expect([fixedOffsetZone(180), fixedOffsetZone(-300), fixedOffsetZone(0), fixedOffsetZone(345)]).toEqual(['Etc/GMT-3', 'Etc/GMT+5', 'UTC', undefined]);
  });
});
