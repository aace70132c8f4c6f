// node-cron's own messages go through the log as JSON lines: a tick missed while the event loop
// was blocked used to print "[NODE-CRON] [WARN] missed execution" in colour among them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSchedule } from '../src/worker/schedule.js';
import { captureLogs } from './support/log-capture.js';
import { LEVEL } from './support/feed-site.js';

afterEach(() => vi.restoreAllMocks());

describe('the schedule', () => {
  it('logs a missed tick as a JSON warning and prints nothing of its own', async () => {
    const printed: unknown[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, method).mockImplementation((...args) => void printed.push(args));
    const { logger, logs } = captureLogs('debug');
    let passes = 0;
    const schedule = startSchedule({
      schedule: '* * * * * *',
      logger,
      pass: async () => {
        passes++;
        // The second pass blocks the process for longer than a tick: node-cron misses one.
        if (passes === 2) {
          const until = Date.now() + 2600;
          while (Date.now() < until) {
            // busy
          }
        }
      },
    });
    const deadline = Date.now() + 10_000;
    while (!logs.some((line) => line.component === 'node-cron') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await schedule.stop('test over');
    await schedule.stopped;
    expect(printed).toEqual([]);
    const cronLines = logs.filter((line) => line.component === 'node-cron');
    expect(cronLines.length).toBeGreaterThan(0);
    expect(cronLines[0]).toMatchObject({ level: LEVEL.warn, msg: expect.stringContaining('missed execution') });
    expect(JSON.stringify(cronLines)).not.toContain('\u001b[');
  }, 20_000);
});
