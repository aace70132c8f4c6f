// `feedloom serve`: out/ over HTTP, with /healthz and /metrics (and the fleet's, with --queue).
import { existsSync } from 'node:fs';
import { formsDirFor } from '../config/state-location.js';
import type { Logger } from 'pino';
import { loadSiteConfig } from '../config/site.js';
import type { ChosenState } from '../config/state-location.js';
import { ConfigError, describeError, errorFields } from '../errors.js';
import type { SiteConfig } from '../model.js';
import type { Store } from '../store/store.js';
import { createLogger } from '../log.js';
import { COMMON_OPTIONS, EXIT_OK, parseCommand, portFlag, QUEUE_OPTIONS, SERVER_OPTIONS, siteFlags, type SiteFlags } from './flags.js';
import { queueLocation, untilSignal } from './process.js';
import { exitOnFatal, openSiteState, stateLocationFor } from './site-state.js';

export async function serveCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('serve', args, { out: COMMON_OPTIONS.out, state: COMMON_OPTIONS.state, sources: COMMON_OPTIONS.sources, help: COMMON_OPTIONS.help, ...SERVER_OPTIONS, ...QUEUE_OPTIONS });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const flags = siteFlags(values);
  const logger = createLogger();
  return exitOnFatal(logger, async () => {
    const port = portFlag(values.port);
    if (!existsSync(flags.outDir)) throw new ConfigError(`--out ${flags.outDir} does not exist; run a pass first`);
    const { site, state, store, stateProblem } = await openForServing(flags, logger);
    const [{ FeedMetrics }, { startFeedServer }] = await Promise.all([import('../serve/metrics.js'), import('../serve/run-server.js')]);
    const metrics = new FeedMetrics(() => store, { sourceFailures: values.queue ? 'the fleet' : 'this process' });
    // With --queue, /metrics also shows the distributed fleet: queue depth, workers, jobs.
    const queueMetrics = values.queue ? (await import('../queue/queue-metrics.js')).registerQueueMetrics(metrics.registry, await queueLocation(values.queue as string, values['queue-prefix'] as string)) : undefined;
    const server = await startFeedServer({ outDir: flags.outDir, site, store, ...(stateProblem ? { stateProblem } : {}), metrics, host: values.host as string, port, logger, formsDir: formsDirFor(state), accessLog: values['access-log'] === true });
    await untilSignal();
    await server.close();
    await queueMetrics?.close();
    await store?.close();
    logger.info('stopped');
    return EXIT_OK;
  });
}

/**
 * The settings and the state. Valid feeds are served whatever the state's condition: a state that
 * cannot be opened (a corrupt file) is reported by /healthz and /metrics, not a refusal to start.
 * A site.yaml that cannot be read still is one.
 */
async function openForServing(flags: SiteFlags, logger: Logger): Promise<{ site: SiteConfig; state: ChosenState; store?: Store; stateProblem?: string }> {
  try {
    return await openSiteState(flags);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const site = await loadSiteConfig(flags.sourcesDir, flags.overrides);
    const stateProblem = describeError(error);
    logger.error({ ...errorFields(error), reason: stateProblem }, `state cannot be read, serving out/ without it: ${stateProblem}`);
    return { site, state: stateLocationFor(flags, site), stateProblem };
  }
}
