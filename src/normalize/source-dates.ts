// Dates as feeds write them (RFC 822, ISO 8601, with or without a zone) -> instants. A date
// without a zone is wall-clock time in the source's time zone. Pure.
import { zonedTimeToInstant } from './dates.js';

const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2}|\b(?:GMT|UTC|UT|[ECMP][SD]T))\s*$/i;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/;

/** The instant a feed's date names, or undefined when it names none. */
export function parseSourceDate(value: string | undefined, timeZone: string): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (HAS_ZONE.test(text)) {
    const instant = Date.parse(text);
    return Number.isNaN(instant) ? undefined : instant;
  }
  const iso = ISO_LOCAL.exec(text);
  // Read as UTC to get the wall-clock fields, then place them in the source's zone.
  const wall = iso ? Date.UTC(+iso[1]!, +iso[2]! - 1, +iso[3]!, +(iso[4] ?? 0), +(iso[5] ?? 0), +(iso[6] ?? 0)) : Date.parse(`${text} GMT`);
  if (Number.isNaN(wall)) return undefined;
  const date = new Date(wall);
  const day = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
  return zonedTimeToInstant(day, date.getUTCHours(), date.getUTCMinutes(), timeZone) + date.getUTCSeconds() * 1000;
}
