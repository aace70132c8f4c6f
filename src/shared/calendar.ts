// Which written dates exist. Date reads 2026-02-30 as March 2 without a word; a date a source
// writes that no calendar has is refused (front matter) or not taken as a date (feeds) instead.

/** A written date's fields, as numbers; absent seconds and offsets are 0. */
export type DateFields = [year: number, month: number, day: number, hour: number, minute: number, second: number, offsetHours: number, offsetMinutes: number];

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** What makes written date fields impossible, or undefined when they name a real instant. */
export function impossibleDateFields([year, month, day, hour, minute, second, offsetHours, offsetMinutes]: DateFields): string | undefined {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  if (day < 1) return `there is no day ${day}`;
  if (day > daysInMonth(year, month)) return `${MONTH_NAMES[month - 1]} ${year} has no day ${day}`;
  if (hour > 23) return `there is no hour ${hour}`;
  if (minute > 59) return `there is no minute ${minute}`;
  // 60 is a leap second, which Date reads as the next minute's first.
  if (second > 60) return `there is no second ${second}`;
  if (offsetHours > 18 || offsetMinutes > 59) return 'no offset is more than 18 hours';
  return undefined;
}

/** Days in a month (1-12) of a year of the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
