// Which zone a news page's shown times are in. A zone configured for the page wins; else the
// page's own offsets (`+03:00` in its datetime attributes and JSON-LD) when they contradict the
// site's zone; else the site's zone. A bare `Z` is no evidence: pages put one on local times.
import type { MachineTime, NewsPageContext, NewsPageZone } from '../news-page-model.js';
import { machineInstant } from '../shared/machine-time.js';
import { zoneOffsetMinutes } from './dates.js';

export function chooseNewsPageZone(evidence: readonly MachineTime[], context: NewsPageContext): NewsPageZone {
  if (context.timeZoneExplicit || evidence.length === 0) return { zone: context.timeZone, from: context.timeZoneExplicit ? 'context' : 'site' };
  const agreeing = evidence.filter((time) => zoneOffsetMinutes(machineInstant(time)!, context.timeZone) === time.offsetMinutes);
  // The site's zone also knows when its clocks change; a fixed offset would not.
  if (agreeing.length * 2 >= evidence.length) return { zone: context.timeZone, from: 'site' };
  const offset = mostCommon(evidence.map((time) => time.offsetMinutes!));
  const fixed = fixedOffsetZone(offset);
  return fixed ? { zone: fixed, from: 'page', pageOffsetMinutes: offset } : { zone: context.timeZone, from: 'site', pageOffsetMinutes: offset };
}

/** UTC+03:00 as `Etc/GMT-3` (POSIX signs are reversed); undefined for offsets of part hours. */
export function fixedOffsetZone(offsetMinutes: number): string | undefined {
  if (offsetMinutes % 60 !== 0 || Math.abs(offsetMinutes) > 14 * 60) return undefined;
  const hours = offsetMinutes / 60;
  return hours === 0 ? 'UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}
