// Wall-clock times in IANA time zones -> instants, with no dependency but Intl. Pure.

const MINUTE = 60_000;
const DAY = 86_400_000;
const QUARTER = 15 * MINUTE;
const formatters = new Map<string, Intl.DateTimeFormat>();
// Intl is slow and a pass over thousands of pages asks about the same days again and again.
// Most UTC days have one offset from start to end: one cache entry covers them. On the few with
// a transition, offsets are cached per quarter hour, since every real transition falls on one.
// Each zone has its own maps, keyed by number: a key string built per lookup cost more than the
// lookup.
interface ZoneOffsets {
  days: Map<number, number | 'changes'>;
  quarters: Map<number, number>;
}
const zoneOffsets = new Map<string, ZoneOffsets>();

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Minutes to add to UTC to get wall-clock time in `timeZone` at `instant`. */
export function zoneOffsetMinutes(instant: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  let zone = zoneOffsets.get(timeZone);
  if (zone === undefined) {
    zone = { days: new Map(), quarters: new Map() };
    zoneOffsets.set(timeZone, zone);
  }
  const day = Math.floor(instant / DAY);
  let dayOffset = zone.days.get(day);
  if (dayOffset === undefined) {
    const start = computeOffset(day * DAY, timeZone);
    dayOffset = start === computeOffset((day + 1) * DAY - QUARTER, timeZone) ? start : 'changes';
    remember(zone.days, day, dayOffset);
  }
  if (dayOffset !== 'changes') return dayOffset;
  const quarter = Math.floor(instant / QUARTER);
  let offset = zone.quarters.get(quarter);
  if (offset === undefined) {
    offset = computeOffset(quarter * QUARTER, timeZone);
    remember(zone.quarters, quarter, offset);
  }
  return offset;
}

function remember<V>(cache: Map<number, V>, key: number, value: V): void {
  if (cache.size > 100_000) cache.clear();
  cache.set(key, value);
}

function computeOffset(instant: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / MINUTE);
}

/** The calendar date in `timeZone` at `instant`. */
export function civilDateAt(instant: number, timeZone: string): CivilDate {
  const wall = new Date(instant + zoneOffsetMinutes(instant, timeZone) * MINUTE);
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** The wall-clock time in `timeZone` at `instant`, "08:42". */
export function wallTimeAt(instant: number, timeZone: string): string {
  return new Date(instant + zoneOffsetMinutes(instant, timeZone) * MINUTE).toISOString().slice(11, 16);
}

export function previousDay(date: CivilDate): CivilDate {
  const back = new Date(Date.UTC(date.year, date.month - 1, date.day) - DAY);
  return { year: back.getUTCFullYear(), month: back.getUTCMonth() + 1, day: back.getUTCDate() };
}

export function formatCivilDate(date: CivilDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/**
 * The instant a wall-clock time on a date in `timeZone` names. When clocks go back the time
 * happens twice and the first one is meant; when they go forward it does not happen at all
 * and it is read with the offset from before the change (02:30 becomes 03:30), as calendars do.
 */
export function zonedTimeToInstant(date: CivilDate, hour: number, minute: number, timeZone: string): number {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const offsetBefore = zoneOffsetMinutes(wallAsUtc - DAY, timeZone);
  const offsetAfter = zoneOffsetMinutes(wallAsUtc + DAY, timeZone);
  const candidates = [wallAsUtc - offsetBefore * MINUTE, wallAsUtc - offsetAfter * MINUTE].sort((a, b) => a - b);
  const exact = candidates.find((instant) => instant + zoneOffsetMinutes(instant, timeZone) * MINUTE === wallAsUtc);
  return exact ?? wallAsUtc - offsetBefore * MINUTE;
}

/**
 * How far a brief's time may lie after the capture and still be read as that time, not as the
 * same time a day earlier: the site's clock may run a little ahead of the capturing machine's.
 */
export const BRIEF_CLOCK_SKEW_MS = 60 * MINUTE;

/**
 * A brief's "HH:MM" on a page captured at `capturedAt`: the latest day on which that time falls
 * at or before the capture, allowing BRIEF_CLOCK_SKEW_MS. In a newest-first list the times after
 * midnight stay on the capture day and the ones before it fall on the day before; a time up to
 * an hour after the capture is the one just past (on the next day when the capture was just
 * before midnight and the site's clock had passed it).
 */
export function resolveBriefDate(capturedAt: number, hour: number, minute: number, timeZone: string): { instant: number; day: CivilDate } {
  const latest = capturedAt + BRIEF_CLOCK_SKEW_MS;
  const captureDay = civilDateAt(capturedAt, timeZone);
  const skewDay = civilDateAt(latest, timeZone);
  if (formatCivilDate(skewDay) !== formatCivilDate(captureDay)) {
    const nextDay = zonedTimeToInstant(skewDay, hour, minute, timeZone);
    if (nextDay <= latest) return { instant: nextDay, day: skewDay };
  }
  const sameDay = zonedTimeToInstant(captureDay, hour, minute, timeZone);
  if (sameDay <= latest) return { instant: sameDay, day: captureDay };
  const dayBefore = previousDay(captureDay);
  return { instant: zonedTimeToInstant(dayBefore, hour, minute, timeZone), day: dayBefore };
}
