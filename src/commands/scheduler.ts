// `feedloom scheduler`: keeps every source's job on the Redis queue (distributed mode).
import { parseStateLocation } from '../config/state-location.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/open-store.js';
import type { SourceRecord, Store } from '../store/store.js';
import { COMMON_OPTIONS, EXIT_OK, parseCommand, positiveNumber, QUEUE_OPTIONS } from './flags.js';
import { queueLocation, untilSignal } from './process.js';
import { exitOnFatal } from './site-state.js';

/** A state opened at its first use, and kept open after. */
class StateOnDemand {
  private store: Promise<Store> | undefined;

  constructor(private readonly location: string) {}

  async sourceRecords(): Promise<Map<string, SourceRecord>> {
    this.store ??= openStore(parseStateLocation(this.location));
    try {
      return await (await this.store).sourceRecords();
    } catch (error) {
      // Opened again at the next use: the database may be back by then.
      const failed = this.store;
      this.store = undefined;
      void failed.then((store) => store.close()).catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await (await this.store?.catch(() => undefined))?.close();
  }
}

export async function schedulerCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('scheduler', args, { sources: COMMON_OPTIONS.sources, state: COMMON_OPTIONS.state, 'base-url': COMMON_OPTIONS['base-url'], help: COMMON_OPTIONS.help, refresh: { type: 'string', default: '60' }, ...QUEUE_OPTIONS });
  if ('exit' in parsed) return parsed.exit;
  const values = parsed.values as Record<'sources' | 'refresh' | 'queue-prefix', string> & { queue?: string; state?: string; 'base-url'?: string };
  const logger = createLogger();
  return exitOnFatal(logger, async () => {
    const queue = await queueLocation(values.queue, values['queue-prefix']);
    const refreshMs = positiveNumber('refresh', values.refresh) * 1000;
    const { startScheduler } = await import('../queue/scheduler.js');
    // The workers' state, opened only when Redis has lost its jobs and the state must say which were due.
    const state = values.state === undefined ? undefined : new StateOnDemand(values.state);
    const scheduler = await startScheduler({
      queue,
      sourcesDir: values.sources,
      refreshMs,
      logger,
      overrides: values['base-url'] ? { baseUrl: values['base-url'] } : {},
      ...(state ? { sourceRecords: () => state.sourceRecords() } : {}),
    });
    const signal = await untilSignal();
    await scheduler.close();
    await state?.close();
    logger.info({ signal }, 'scheduler stopped');
    return EXIT_OK;
  });
}
