// When a remote source may be fetched again after failing: backoff, and the server's Retry-After.
// Pure, with time passed in. Its own schedule's next tick is config/cron-expression.ts's.
const MINUTE = 60_000;
export const BACKOFF_BASE_MS = MINUTE;
export const BACKOFF_MAX_MS = 6 * 60 * MINUTE;

/** Exponential backoff after `failures` failures in a row, capped, and never before Retry-After. */
export function nextAttemptAfterFailure(nowMs: number, failures: number, retryAfterMs?: number): number {
  const backoff = Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS);
  return nowMs + Math.max(backoff, Math.min(retryAfterMs ?? 0, 24 * 60 * MINUTE));
}
