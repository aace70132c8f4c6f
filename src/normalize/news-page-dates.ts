// A list of briefs' shown times -> instants. A time without a date falls on the latest day at
// or before the capture (resolveBriefDate); down a newest-first list a time later than the one
// above it means midnight was crossed, so it is a day earlier; an oldest-first list is read from
// its bottom up the same way. Shown dates and day headings set the day outright. A machine time
// is believed only when it names the minute the page shows, in the site's zone.
import type { BriefListReading, BriefReading, ShownDay, TimeDisagreement } from '../news-page-model.js';
import { machineInstant } from '../shared/machine-time.js';
import { BRIEF_CLOCK_SKEW_MS, type CivilDate, civilDateAt, formatCivilDate, previousDay, resolveBriefDate, zonedTimeToInstant, zoneOffsetMinutes } from './dates.js';

export type ListOrder = 'newest-first' | 'oldest-first' | 'unknown';

export interface DatedBrief {
  reading: BriefReading;
  published: number;
  datedBy: 'shown' | 'machine';
}

export interface DatingContext {
  capturedAt: number;
  zone: string;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export function dateBriefList(list: BriefListReading, context: DatingContext): { order: ListOrder; briefs: DatedBrief[]; disagreements: TimeDisagreement[] } {
  const order = listOrder(list.briefs, context);
  const walk = order === 'oldest-first' ? [...list.briefs].reverse() : list.briefs;
  const disagreements: TimeDisagreement[] = [];
  const dated: DatedBrief[] = [];
  let cursor: { day: CivilDate; minutes: number } | undefined;
  for (const reading of walk) {
    const result = dateBrief(reading, order === 'unknown' ? undefined : cursor, context);
    if (!result) continue;
    if (result.disagreement) disagreements.push(result.disagreement);
    dated.push({ reading, published: result.instant, datedBy: result.datedBy });
    cursor = { day: civilDateAt(result.instant, context.zone), minutes: minutesOfDay(result.instant, context.zone) };
  }
  return { order, briefs: order === 'oldest-first' ? dated.reverse() : dated, disagreements };
}

interface DateResult {
  instant: number;
  datedBy: 'shown' | 'machine';
  disagreement?: TimeDisagreement;
}

function dateBrief(reading: BriefReading, cursor: { day: CivilDate; minutes: number } | undefined, context: DatingContext): DateResult | undefined {
  const machine = reading.machine ? machineAt(reading, context) : undefined;
  const shown = reading.shown;
  // Nothing was published after it was captured: a machine time that says so is wrong.
  if (!shown) return machine === undefined || machine > context.capturedAt + BRIEF_CLOCK_SKEW_MS ? undefined : { instant: machine, datedBy: 'machine' };
  const shownMinutes = shown.hour * 60 + shown.minute;
  const explicitDay = shown.day ?? reading.separatorDay;
  let day: CivilDate;
  if (explicitDay) day = resolveShownDay(explicitDay, shown.hour, shown.minute, context);
  else if (cursor) day = dayBelow(cursor, shown.hour, shown.minute, context);
  else day = resolveBriefDate(context.capturedAt, shown.hour, shown.minute, context.zone).day;
  const fromShown = zonedTimeToInstant(day, shown.hour, shown.minute, context.zone) + (shown.second ?? 0) * 1000;
  if (machine === undefined) return { instant: fromShown, datedBy: 'shown' };
  const sameMinute = minutesOfDay(machine, context.zone) === shownMinutes;
  const sameDay = !explicitDay || formatCivilDate(civilDateAt(machine, context.zone)) === formatCivilDate(day);
  // The machine time may date the shown minute (the list gives no day) but never move it.
  if (sameMinute && sameDay && machine <= context.capturedAt + BRIEF_CLOCK_SKEW_MS) return { instant: machine, datedBy: 'machine' };
  return { instant: fromShown, datedBy: 'shown', disagreement: { title: reading.title, shown: shown.text, machine: reading.machine!.text } };
}

/** The day of a time below `cursor` in a newest-first list (or above it in an oldest-first one). */
function dayBelow(cursor: { day: CivilDate; minutes: number }, hour: number, minute: number, context: DatingContext): CivilDate {
  const minutes = hour * 60 + minute;
  if (minutes <= cursor.minutes) return cursor.day;
  if (crossesMidnight(cursor.minutes, minutes)) return previousDay(cursor.day);
  // Out of order, but never after the capture.
  const sameDay = zonedTimeToInstant(cursor.day, hour, minute, context.zone);
  return sameDay <= context.capturedAt + BRIEF_CLOCK_SKEW_MS ? cursor.day : previousDay(cursor.day);
}

/**
 * Going down a newest-first list, a later time than the one above means midnight was crossed
 * only when the jump back is the shorter way round the clock: 00:30 then 23:45 crosses, but a
 * pinned 08:00 post above a 13:29 one is just out of order.
 */
function crossesMidnight(aboveMinutes: number, shownMinutes: number): boolean {
  return shownMinutes > aboveMinutes && shownMinutes - aboveMinutes > 12 * 60;
}

/** A machine time's instant: its own offset when it has one, else the wall time in the zone. */
function machineAt(reading: BriefReading, context: DatingContext): number | undefined {
  const time = reading.machine!;
  const own = machineInstant(time);
  if (own !== undefined) return own;
  const { year, month, day, hour, minute, second } = time.wall;
  return zonedTimeToInstant({ year, month, day }, hour, minute, context.zone) + second * 1000;
}

/** The calendar day a shown day names: yesterday's words count back from the capture day. */
export function resolveShownDay(shown: ShownDay, hour: number, minute: number, context: DatingContext): CivilDate {
  const captureDay = civilDateAt(context.capturedAt, context.zone);
  if (shown.kind === 'relative') {
    let day = captureDay;
    for (let back = 0; back < shown.daysAgo; back++) day = previousDay(day);
    return day;
  }
  const year = shown.year ?? latestYear(shown, hour, minute, context);
  return { year, month: shown.month, day: shown.day };
}

/** A date shown without a year: the latest year that does not put it after the capture. */
function latestYear(shown: { month: number; day: number }, hour: number, minute: number, context: DatingContext): number {
  const latest = context.capturedAt + BRIEF_CLOCK_SKEW_MS;
  const captureYear = civilDateAt(context.capturedAt, context.zone).year;
  for (let year = captureYear; year > captureYear - 8; year--) {
    if (!isRealDate(year, shown.month, shown.day)) continue;
    if (zonedTimeToInstant({ year, month: shown.month, day: shown.day }, hour, minute, context.zone) <= latest) return year;
  }
  return captureYear - 1;
}

function isRealDate(year: number, month: number, day: number): boolean {
  return new Date(Date.UTC(year, month, 0)).getUTCDate() >= day;
}

/**
 * Newest-first when times mostly fall going down the list, oldest-first when they mostly rise;
 * items with a shown day compare by it too. Unknown for one item or a tie.
 */
export function listOrder(briefs: readonly BriefReading[], context: DatingContext): ListOrder {
  let falling = 0;
  let rising = 0;
  const keys = briefs.map((brief) => orderKey(brief, context)).filter((key) => key !== undefined);
  for (let index = 1; index < keys.length; index++) {
    const [before, after] = [keys[index - 1]!, keys[index]!];
    // A clock alone and a dated minute do not compare.
    if (before.dated !== after.dated) continue;
    const step = before.dated ? after.minutes - before.minutes : clockStep(before.minutes, after.minutes);
    if (step < 0) falling++;
    else if (step > 0) rising++;
  }
  return falling > rising ? 'newest-first' : rising > falling ? 'oldest-first' : 'unknown';
}

/**
 * From one clock to the next the short way round: 06:16 then 19:17 is 11 hours back over
 * midnight (a newest-first list), not 13 hours on.
 */
function clockStep(before: number, after: number): number {
  const forward = (((after - before) % 1440) + 1440) % 1440;
  return forward === 0 ? 0 : forward < 720 ? forward : forward - 1440;
}

/** Minutes for comparing neighbours: the shown day (when there is one) and the shown clock. */
function orderKey(brief: BriefReading, context: DatingContext): { dated: boolean; minutes: number } | undefined {
  const shown = brief.shown;
  if (!shown) {
    const machine = brief.machine ? machineAt(brief, context) : undefined;
    return machine === undefined ? undefined : { dated: true, minutes: Math.floor(machine / MINUTE) };
  }
  const shownDay = shown.day ?? brief.separatorDay;
  const clock = shown.hour * 60 + shown.minute;
  if (!shownDay) return { dated: false, minutes: clock };
  const day = resolveShownDay(shownDay, shown.hour, shown.minute, context);
  return { dated: true, minutes: Date.UTC(day.year, day.month - 1, day.day) / MINUTE + clock };
}

function minutesOfDay(instant: number, zone: string): number {
  const wall = instant + zoneOffsetMinutes(instant, zone) * MINUTE;
  return Math.floor((((wall % DAY) + DAY) % DAY) / MINUTE);
}
