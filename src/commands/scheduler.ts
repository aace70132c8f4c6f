// `feedloom scheduler`: keeps every source's job on the Redis queue (distributed mode).
import { createLogger } from '../log.js';
import { COMMON_OPTIONS, EXIT_OK, parseCommand, positiveNumber, QUEUE_OPTIONS } from './flags.js';
import { queueLocation, untilSignal } from './process.js';
import { exitOnFatal } from './site-state.js';

export async function schedulerCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('scheduler', args, { sources: COMMON_OPTIONS.sources, 'base-url': COMMON_OPTIONS['base-url'], help: COMMON_OPTIONS.help, refresh: { type: 'string', default: '60' }, ...QUEUE_OPTIONS });
  if ('exit' in parsed) return parsed.exit;
  const values = parsed.values as Record<'sources' | 'refresh' | 'queue-prefix', string> & { queue?: string; 'base-url'?: string };
  const logger = createLogger();
  return exitOnFatal(logger, async () => {
    const queue = await queueLocation(values.queue, values['queue-prefix']);
    const refreshMs = positiveNumber('refresh', values.refresh) * 1000;
    const { startScheduler } = await import('../queue/scheduler.js');
    const scheduler = await startScheduler({ queue, sourcesDir: values.sources, refreshMs, logger, overrides: values['base-url'] ? { baseUrl: values['base-url'] } : {} });
    const signal = await untilSignal();
    await scheduler.close();
    logger.info({ signal }, 'scheduler stopped');
    return EXIT_OK;
  });
}
