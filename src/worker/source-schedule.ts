// When a remote source may be fetched again: its own schedule, backoff after failures, and the
// server's Retry-After. Pure, with time passed in.
import cron from 'node-cron';

const MINUTE = 60_000;
export const BACKOFF_BASE_MS = MINUTE;
export const BACKOFF_MAX_MS = 6 * 60 * MINUTE;
// A week of minutes; a schedule with no tick in a week is treated as "now and then".
const LOOKAHEAD_MINUTES = 7 * 24 * 60;

/** Exponential backoff after `failures` failures in a row, capped, and never before Retry-After. */
export function nextAttemptAfterFailure(nowMs: number, failures: number, retryAfterMs?: number): number {
  const backoff = Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS);
  return nowMs + Math.max(backoff, Math.min(retryAfterMs ?? 0, 24 * 60 * MINUTE));
}

/** The first tick of `schedule` after `nowMs`, to the minute; undefined for "every pass". */
export function nextScheduledAttempt(schedule: string | undefined, nowMs: number): number | undefined {
  if (!schedule) return undefined;
  const task = cron.createTask(schedule, () => undefined);
  try {
    let minute = Math.floor(nowMs / MINUTE) * MINUTE;
    for (let step = 0; step < LOOKAHEAD_MINUTES; step++) {
      minute += MINUTE;
      if (task.match(new Date(minute))) return minute;
    }
    return nowMs + LOOKAHEAD_MINUTES * MINUTE;
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
