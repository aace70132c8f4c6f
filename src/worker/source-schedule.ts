// When a remote source may be fetched again after failing: backoff, and the server's Retry-After.
// Pure, with time passed in. Its own schedule's next tick is config/cron-expression.ts's.
const MINUTE = 60_000;
export const BACKOFF_BASE_MS = MINUTE;
export const BACKOFF_MAX_MS = 6 * 60 * MINUTE;

/**
 * Exponential backoff after `failures` failures in a row, capped, counted from when the failed
 * read was due (its schedule's tick), so that a source backed off for a minute on a one-minute
 * schedule is read at the very next tick, however late in its tick the failed read ran. Never
 * before the server's Retry-After, counted from when the answer came (`nowMs`).
 */
export function nextAttemptAfterFailure(dueAtMs: number, failures: number, retryAfterMs?: number, nowMs = dueAtMs): number {
  const backoff = Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS);
  return Math.max(dueAtMs + backoff, nowMs + Math.min(retryAfterMs ?? 0, 24 * 60 * MINUTE));
}

/**
 * When a pass that started at `startedMs` was due: the start of its minute. Schedules tick on
 * whole minutes, and a pass that cron starts at a tick begins a little after it.
 */
export function passDueAt(startedMs: number): number {
  return Math.floor(startedMs / MINUTE) * MINUTE;
}
