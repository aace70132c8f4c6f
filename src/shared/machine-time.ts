// Machine-readable times as pages write them: ISO 8601 with or without an offset, with a space
// for the T, or epoch seconds and milliseconds in data-* attributes. Which of them to believe is
// decided later against the time the page shows.
import { impossibleDateFields } from './calendar.js';
import type { MachineTime } from '../news-page-model.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** A written time, or undefined when it is not one or names a date no calendar has. */
export function parseMachineTime(raw: string | undefined): MachineTime | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  if (/^\d{10}(\d{3})?$/.test(text)) return fromEpoch(text);
  const match = ISO.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) => Number(match[index] ?? 0)) as [number, number, number, number, number, number];
  const zone = match[7];
  const offsetMinutes = zone === undefined ? undefined : zone.toUpperCase() === 'Z' ? 0 : offsetFrom(zone);
  const offsetHours = Math.abs(Math.trunc((offsetMinutes ?? 0) / 60));
  if (impossibleDateFields([year, month, day, hour, minute, second, offsetHours, Math.abs(offsetMinutes ?? 0) % 60])) return undefined;
  const wall = { year, month, day, hour, minute, second };
  // A date alone has no time of day to compare or take: it only dates.
  if (match[4] === undefined) return { text, wall, zulu: false };
  return offsetMinutes === undefined ? { text, wall, zulu: false } : { text, wall, offsetMinutes, zulu: zone!.toUpperCase() === 'Z' };
}

function offsetFrom(zone: string): number {
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

function fromEpoch(text: string): MachineTime | undefined {
  const ms = text.length === 13 ? Number(text) : Number(text) * 1000;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  const wall = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(), minute: date.getUTCMinutes(), second: date.getUTCSeconds() };
  return { text, wall, offsetMinutes: 0, zulu: false, epoch: true };
}

/** The instant a machine time names when it carries its own offset; undefined for a naive one. */
export function machineInstant(time: MachineTime): number | undefined {
  if (time.offsetMinutes === undefined) return undefined;
  const { year, month, day, hour, minute, second } = time.wall;
  return Date.UTC(year, month - 1, day, hour, minute, second) - time.offsetMinutes * 60_000;
}

/** Whether the time has a time of day at all ("2021-09-22" has none). */
export function hasTimeOfDay(time: MachineTime): boolean {
  return /[T ]\d{2}:\d{2}/.test(time.text) || time.epoch === true;
}
