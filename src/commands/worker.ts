// `feedloom worker`: runs source and publish jobs from the Redis queue (distributed mode).
import { mkdirSync } from 'node:fs';
import { formsDirFor } from '../config/state-location.js';
import { createLogger } from '../log.js';
import { COMMON_OPTIONS, EXIT_OK, parseCommand, positiveNumber, QUEUE_OPTIONS, siteFlags } from './flags.js';
import { queueLocation, untilSignal } from './process.js';
import { exitOnFatal, openSiteState } from './site-state.js';

const WORKER_OPTIONS = {
  concurrency: { type: 'string', default: '16' },
  'lock-seconds': { type: 'string', default: '30' },
  'publish-delay': { type: 'string', default: '2' },
} as const;

export async function workerCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('worker', args, { ...COMMON_OPTIONS, ...QUEUE_OPTIONS, ...WORKER_OPTIONS });
  if ('exit' in parsed) return parsed.exit;
  const values = parsed.values as Record<'queue-prefix' | 'concurrency' | 'lock-seconds' | 'publish-delay', string> & { queue?: string };
  const flags = siteFlags(parsed.values);
  const logger = createLogger();
  return exitOnFatal(logger, async () => {
    const queue = await queueLocation(values.queue, values['queue-prefix']);
    const concurrency = Math.floor(positiveNumber('concurrency', values.concurrency));
    const lockMs = positiveNumber('lock-seconds', values['lock-seconds']) * 1000;
    const publishDelayMs = positiveNumber('publish-delay', values['publish-delay']) * 1000;
    const { state, store } = await openSiteState(flags);
    mkdirSync(flags.outDir, { recursive: true });
    const { startWorker } = await import('../queue/worker.js');
    const worker = await startWorker({ queue, store, sourcesDir: flags.sourcesDir, outDir: flags.outDir, overrides: flags.overrides, concurrency, lockMs, publishDelayMs, formsDir: formsDirFor(state), logger });
    const signal = await untilSignal();
    logger.info({ signal }, 'worker draining: finishing active jobs');
    await worker.close();
    await store.close();
    logger.info('worker stopped');
    return EXIT_OK;
  });
}
