// `feedloom run` (one pass, then exit) and `feedloom start` (a pass at once, then on a schedule).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { formsDirFor, type StateLocation } from '../config/state-location.js';
import { createLogger } from '../log.js';
import type { SiteConfig } from '../model.js';
import type { FeedMetrics } from '../serve/metrics.js';
import type { Store } from '../store/store.js';
import { runPass, type PassSummary } from '../worker/pass.js';
import { COMMON_OPTIONS, EXIT_FATAL, EXIT_OK, EXIT_SOURCES_FAILED, parseCommand, portFlag, SERVER_OPTIONS, siteFlags, type SiteFlags } from './flags.js';
import { exitOnFatal, openSiteState } from './site-state.js';

interface ServeOptions {
  host: string;
  port: number;
  accessLog: boolean;
}

const START_OPTIONS = { schedule: { type: 'string' }, serve: { type: 'boolean', default: false }, watch: { type: 'boolean', default: false }, ...SERVER_OPTIONS } as const;

export async function runCommand(command: 'run' | 'start', args: string[]): Promise<number> {
  if (args.some((arg) => arg === '--queue' || arg.startsWith('--queue='))) {
    process.stderr.write(`feedloom ${command}: distributed mode runs as "feedloom scheduler --queue URL" and any number of "feedloom worker --queue URL"; see feedloom worker --help\n`);
    return EXIT_FATAL;
  }
  const parsed = parseCommand(command, args, command === 'start' ? { ...COMMON_OPTIONS, ...START_OPTIONS } : COMMON_OPTIONS);
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const flags = siteFlags(values);
  const logger = createLogger();
  const serve = () => (values.serve ? { host: values.host as string, port: portFlag(values.port), accessLog: values['access-log'] === true } : undefined);
  return exitOnFatal(logger, () => (command === 'run' ? runOnce(flags, logger) : runScheduled(flags, logger, serve(), values.watch === true)));
}

async function runOnce(flags: SiteFlags, logger: Logger): Promise<number> {
  const { site, state, store } = await openSiteState(flags);
  try {
    const summary = await lockedPass(flags, state, store, logger, undefined, site);
    return summary.sourcesFailed > 0 ? EXIT_SOURCES_FAILED : EXIT_OK;
  } finally {
    await store.close();
  }
}

async function runScheduled(flags: SiteFlags, logger: Logger, serve: ServeOptions | undefined, watch: boolean): Promise<number> {
  const { site, state, store } = await openSiteState(flags);
  // The server and metrics are loaded by the commands that use them, not by every `run`.
  const { FeedMetrics } = await import('../serve/metrics.js');
  const metrics = new FeedMetrics(() => store);
  // The server listens before the first pass, so /healthz answers (503) while it runs.
  const server = serve ? await startServerBeforeFirstPass(flags.outDir, serve, site, store, metrics, logger, formsDirFor(state)) : undefined;
  // The scheduler loads only for `start`: a `run` from system cron never needs it.
  const { startSchedule } = await import('../worker/schedule.js');
  let passes = 0;
  const schedule = startSchedule({
    schedule: site.schedule,
    logger,
    pass: async () => {
      await lockedPass(flags, state, store, logger, metrics);
      if (passes++ === 0) sayWhereTheFeedsAre(flags.outDir, server?.url, logger);
    },
  });
  // With --watch, a change under sources/ starts a pass at once (after the writes settle).
  const watcher = watch ? (await import('../worker/watch-sources.js')).watchSources(flags.sourcesDir, (file) => schedule.requestPass(`changed: ${file}`), logger, writtenByPasses(flags.sourcesDir, state)) : undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    watcher?.close();
    void schedule.stop(signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await schedule.stopped;
  await server?.close();
  await store.close();
  logger.info('stopped');
  return EXIT_OK;
}

/** With --serve the server starts before the first pass, over an out/ made empty if there is none yet. */
async function startServerBeforeFirstPass(outDir: string, serve: ServeOptions, site: SiteConfig, store: Store, metrics: FeedMetrics, logger: Logger, formsDir: string) {
  mkdirSync(outDir, { recursive: true });
  const { startFeedServer } = await import('../serve/run-server.js');
  return startFeedServer({ outDir, site, store, metrics, host: serve.host, port: serve.port, logger, formsDir, accessLog: serve.accessLog });
}

/** `site`: settings already read for this pass; a scheduled pass reads them afresh, so edits take effect. */
async function lockedPass(flags: SiteFlags, state: StateLocation, store: Store, logger: Logger, observer?: FeedMetrics, site?: SiteConfig): Promise<PassSummary> {
  const release = await store.lockPasses((reason) => logger.error({ stage: 'store', reason }, `pass lock lost: ${reason}; another pass may start before this one ends`));
  try {
    return await runPass({
      sourcesDir: flags.sourcesDir,
      outDir: flags.outDir,
      store,
      overrides: flags.overrides,
      logger,
      formsDir: formsDirFor(state),
      ...(observer ? { observer } : {}),
      ...(site ? { site } : {}),
    });
  } finally {
    await release();
  }
}

/** After the first pass of `start`: where the feeds are and how to look at them, for a newcomer. */
function sayWhereTheFeedsAre(outDir: string, servedAt: string | undefined, logger: Logger): void {
  const files = ['rss.xml', 'atom.xml', 'feed.json'].map((name) => path.join(outDir, name));
  const serveDefault = `http://${SERVER_OPTIONS.host.default}:${SERVER_OPTIONS.port.default}/`;
  const look = servedAt ? `they are served at ${servedAt}` : `to see them in a browser, run "npx feedloom serve --out ${outDir}" and open ${serveDefault}`;
  logger.info({ out: outDir, feeds: files, ...(servedAt ? { url: servedAt } : {}) }, `feeds written to ${files.join(', ')}; ${look}`);
}

/** A SQLite state kept under sources/ changes with every pass: its files are no reason for another. */
function writtenByPasses(sourcesDir: string, state: StateLocation): (file: string) => boolean {
  if (state.kind !== 'sqlite') return () => false;
  const relative = path.relative(path.resolve(sourcesDir), path.resolve(state.file));
  if (relative.startsWith('..') || path.isAbsolute(relative)) return () => false;
  return (file) => file.startsWith(relative);
}
