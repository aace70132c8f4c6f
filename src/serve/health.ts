// GET /healthz: healthy when the last pass ended within two schedule intervals. Passes are
// recorded only after their files were written, so a pass that could not publish is not one.
import type { Store } from '../store/store.js';
import type { HealthReport } from './server.js';

export async function passHealth(store: Store, intervalMs: number, nowMs: number): Promise<HealthReport> {
  const last = await store.lastPass();
  if (!last) return { healthy: false, reason: 'no pass has finished yet', last_pass: null };
  const endedMs = last.startedMs + last.durationMs;
  const ended = new Date(endedMs).toISOString();
  const limitMs = 2 * intervalMs;
  if (nowMs - endedMs > limitMs) {
    return { healthy: false, reason: `the last pass ended at ${ended}, more than two schedule intervals (${limitMs / 1000} s) ago`, last_pass: ended };
  }
  return { healthy: true, reason: 'the last pass ended within two schedule intervals and wrote its files', last_pass: ended };
}
