// Cron expressions are checked with node-cron, the library that runs them. It is loaded only when
// a schedule other than the default needs checking: a `feedloom run` from system cron never uses
// a schedule, and should not pay to load the scheduler.
import { createRequire } from 'node:module';

export const DEFAULT_SCHEDULE = '*/15 * * * *';

const require = createRequire(import.meta.url);

export function isCronExpression(expression: string): boolean {
  if (expression === DEFAULT_SCHEDULE) return true;
  const cron = require('node-cron') as typeof import('node-cron');
  return cron.validate(expression);
}
