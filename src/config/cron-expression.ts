// Cron expressions are checked and read with node-cron, the library that runs them. It is loaded
// only when a schedule other than the default needs checking, or a schedule's ticks are asked
// for: a `feedloom run` from system cron over pages alone should not pay to load the scheduler.
import { createRequire } from 'node:module';

export const DEFAULT_SCHEDULE = '*/15 * * * *';

const MINUTE = 60_000;
// A week of minutes; a schedule with no tick in a week is treated as "now and then".
const LOOKAHEAD_MINUTES = 7 * 24 * 60;

const require = createRequire(import.meta.url);

export function isCronExpression(expression: string): boolean {
  if (expression === DEFAULT_SCHEDULE) return true;
  const cron = require('node-cron') as typeof import('node-cron');
  return cron.validate(expression);
}

/** The first tick of `schedule` after `nowMs`, to the minute; undefined for "every pass". */
export function nextScheduledAttempt(schedule: string | undefined, nowMs: number): number | undefined {
  if (!schedule) return undefined;
  return firstTick(schedule, Math.floor(nowMs / MINUTE) * MINUTE + MINUTE, MINUTE) ?? nowMs + LOOKAHEAD_MINUTES * MINUTE;
}

/**
 * The latest tick of `schedule` at or before `nowMs`, to the minute, in `timezone` (the machine's
 * when absent, as the scheduler's tz is); undefined when it has none in the week before.
 */
export function lastScheduledTick(schedule: string, nowMs: number, timezone?: string): number | undefined {
  return firstTick(schedule, Math.floor(nowMs / MINUTE) * MINUTE, -MINUTE, timezone);
}

/** The first minute that `schedule` ticks at, from `fromMinute` a minute at a time (`stepMs`, forward or back), within a week. */
function firstTick(schedule: string, fromMinute: number, stepMs: number, timezone?: string): number | undefined {
  const cron = require('node-cron') as typeof import('node-cron');
  const task = cron.createTask(schedule, () => undefined, timezone ? { timezone } : {});
  try {
    for (let step = 0, minute = fromMinute; step < LOOKAHEAD_MINUTES; step++, minute += stepMs) {
      if (task.match(new Date(minute))) return minute;
    }
    return undefined;
  } finally {
    void task.destroy();
  }
}

/** The time between two ticks of `schedule` after `nowMs`: how often feeds can change. */
export function scheduleIntervalMs(schedule: string, nowMs: number): number {
  const first = nextScheduledAttempt(schedule, nowMs) ?? nowMs;
  const second = nextScheduledAttempt(schedule, first) ?? first + MINUTE;
  return Math.max(MINUTE, second - first);
}
