// Structured logs: JSON lines for machines, pretty lines when a person watches a terminal.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type Pretty from 'pino-pretty';

const require = createRequire(import.meta.url);

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.FEEDLOOM_LOG_LEVEL ?? 'info';
  const base = { name: 'feedloom' };
  if (options.pretty ?? process.stdout.isTTY) {
    // Loaded only for a person at a terminal; cron and services never pay for it.
    const pretty = require('pino-pretty') as typeof Pretty;
    return pino({ level, base }, pretty({ colorize: true, sync: true, ignore: 'pid,hostname,name' }));
  }
  // Synchronous, so the last lines are on disk when the process exits with a status.
  return pino({ level, base }, pino.destination({ dest: 1, sync: true }));
}
