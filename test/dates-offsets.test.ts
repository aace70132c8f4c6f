// zoneOffsetMinutes() caches offsets per zone, day and quarter hour; whatever order instants come
// in, across zones and through clock changes, it must give what Intl says at that instant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zoneOffsetMinutes } from '../src/normalize/dates.js';

const ZONES = ['UTC', 'Europe/Lisbon', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns'];

function intlOffsetMinutes(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(instant)
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, Number(part.value)]),
  );
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
}

describe('zone offsets', () => {
  it('are what Intl gives, in any zone, at any instant, asked in any order', () => {
    const from = Date.UTC(2024, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...ZONES), fc.integer({ min: from, max: to })), { minLength: 1, maxLength: 40 }), (asks) => {
        for (const [zone, instant] of asks) expect(zoneOffsetMinutes(instant, zone)).toBe(intlOffsetMinutes(instant, zone));
      }),
      { numRuns: 300 },
    );
  });

  it('change at the minute the clocks do', () => {
    // Europe/Lisbon went from UTC+1 to UTC+0 at 01:00 UTC on 2026-10-25.
    const change = Date.UTC(2026, 9, 25, 1, 0);
    for (const instant of [change - 60_000, change, change + 60_000]) expect(zoneOffsetMinutes(instant, 'Europe/Lisbon')).toBe(intlOffsetMinutes(instant, 'Europe/Lisbon'));
    expect(zoneOffsetMinutes(change - 1, 'Europe/Lisbon')).toBe(60);
    expect(zoneOffsetMinutes(change, 'Europe/Lisbon')).toBe(0);
  });
});
