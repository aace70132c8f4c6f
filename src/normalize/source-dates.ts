// Dates as feeds write them (RFC 822, ISO 8601, with or without a zone) -> instants. A date
// without a zone is wall-clock time in the source's time zone. Pure.
import { type DateFields, impossibleDateFields } from '../shared/calendar.js';
import { zonedTimeToInstant } from './dates.js';

const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2}|\b(?:GMT|UTC|UT|[ECMP][SD]T))\s*$/i;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/;
const ISO_FIELDS = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;
const RFC_822_FIELDS = /\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The instant a feed's date names, or undefined when it names none. */
export function parseSourceDate(value: string | undefined, timeZone: string): number | undefined {
  const text = value?.trim();
  if (!text || !writtenDateExists(text)) return undefined;
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

/** An RFC 822 date that could name a day a month lacks (29 to 31) or hour 24, which Date rolls over; Date refuses the rest. */
const RFC_822_MAYBE_IMPOSSIBLE = /\b(?:29|3[01])\s|\s24:/;

/** False for a date no calendar has (30 February, hour 25), which Date would roll over. */
function writtenDateExists(text: string): boolean {
  // Almost every date plainly exists; only the few that might not are read field by field.
  if (plainlyExists(text)) return true;
  const iso = ISO_FIELDS.exec(text);
  const rfc = iso ? undefined : RFC_822_FIELDS.exec(text);
  if (!iso && !rfc) return true;
  const number = (field: string | undefined) => (field === undefined ? 0 : Number(field));
  const fields: DateFields = iso
    ? [number(iso[1]), number(iso[2]), number(iso[3]), number(iso[4]), number(iso[5]), number(iso[6]), 0, 0]
    : [number(rfc![3]), MONTHS.indexOf(rfc![2]!.slice(0, 3).toLowerCase()) + 1, number(rfc![1]), number(rfc![4]), number(rfc![5]), number(rfc![6]), 0, 0];
  return impossibleDateFields(fields) === undefined;
}

/** Decided from the characters alone: an ISO date with every field in range and a day up to 28, or an RFC 822 date that cannot roll over. */
function plainlyExists(text: string): boolean {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return !RFC_822_MAYBE_IMPOSSIBLE.test(text);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 28)) return false;
  if (text.length < 16) return true;
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  return hour <= 23 && minute <= 59;
}

/** The number written in two digits at `at`, or NaN. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : Number.NaN;
}
