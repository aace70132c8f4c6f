// `feedloom serve`: out/ over HTTP, with /healthz and /metrics (and the fleet's, with --queue).
import { existsSync } from 'node:fs';
import { formsDirFor } from '../config/state-location.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import { COMMON_OPTIONS, EXIT_OK, parseCommand, QUEUE_OPTIONS, SERVER_OPTIONS, siteFlags } from './flags.js';
import { queueLocation, untilSignal } from './process.js';
import { exitOnFatal, openSiteState } from './site-state.js';

export async function serveCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('serve', args, { out: COMMON_OPTIONS.out, state: COMMON_OPTIONS.state, sources: COMMON_OPTIONS.sources, help: COMMON_OPTIONS.help, ...SERVER_OPTIONS, ...QUEUE_OPTIONS });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const flags = siteFlags(values);
  const logger = createLogger();
  return exitOnFatal(logger, async () => {
    if (!existsSync(flags.outDir)) throw new ConfigError(`--out ${flags.outDir} does not exist; run a pass first`);
    const { site, state, store } = await openSiteState(flags);
    const [{ FeedMetrics }, { startFeedServer }] = await Promise.all([import('../serve/metrics.js'), import('../serve/run-server.js')]);
    const metrics = new FeedMetrics(() => store);
    // With --queue, /metrics also shows the distributed fleet: queue depth, workers, jobs.
    const queueMetrics = values.queue ? (await import('../queue/queue-metrics.js')).registerQueueMetrics(metrics.registry, await queueLocation(values.queue as string, values['queue-prefix'] as string)) : undefined;
    const server = await startFeedServer({ outDir: flags.outDir, site, store, metrics, host: values.host as string, port: Number(values.port), logger, formsDir: formsDirFor(state) });
    await untilSignal();
    await server.close();
    await queueMetrics?.close();
    await store.close();
    logger.info('stopped');
    return EXIT_OK;
  });
}
