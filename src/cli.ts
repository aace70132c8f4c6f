#!/usr/bin/env node
// feedloom's commands: flags in, config and logger wired, passes run. No pipeline logic here.
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Logger } from 'pino';
import { loadSiteConfig, SITE_FILE, type SiteOverrides } from './config/site.js';
import { DEFAULT_STATE_FILE, parseStateLocation, type StateLocation } from './config/state-location.js';
import { ConfigError, describeError, FeedloomError } from './errors.js';
import { createLogger } from './log.js';
import type { SiteConfig } from './model.js';
import type { FeedMetrics } from './serve/metrics.js';
import { peekMeta } from './store/sqlite-store.js';
import { openStore, type Store } from './store/store.js';
import { runPass, type PassSummary } from './worker/pass.js';
import { readSettingsBeforeState } from './worker/site-settings.js';
import { formatSourceTable, listSources, remoteSourcesOpml } from './worker/source-list.js';
import { HELP } from './cli-help.js';
import { VERSION } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_SOURCES_FAILED = 2;


const COMMON_OPTIONS = {
  sources: { type: 'string', default: 'sources' },
  out: { type: 'string', default: 'out' },
  // No default here: without the flag, `state:` in site.yaml decides, then DEFAULT_STATE_FILE.
  state: { type: 'string' },
  'base-url': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const SERVER_OPTIONS = {
  port: { type: 'string', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
} as const;

const QUEUE_OPTIONS = {
  queue: { type: 'string' },
  'queue-prefix': { type: 'string', default: 'feedloom' },
} as const;

const WORKER_OPTIONS = {
  concurrency: { type: 'string', default: '16' },
  'lock-seconds': { type: 'string', default: '30' },
  'publish-delay': { type: 'string', default: '2' },
} as const;

const START_OPTIONS = { schedule: { type: 'string' }, serve: { type: 'boolean', default: false }, ...SERVER_OPTIONS } as const;

type Flags = Record<string, string | boolean | undefined>;

/** Parses a command's flags; prints help or the error itself and gives the exit status then. */
function parseCommand(command: string, args: string[], options: ParseArgsConfig['options'], allowPositionals = false): { values: Flags; positionals: string[] } | { exit: number } {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals, strict: true }) as { values: Flags; positionals: string[] };
  } catch (error) {
    process.stderr.write(`feedloom ${command}: ${describeError(error)}\n\n${HELP[command]}\n`);
    return { exit: EXIT_FATAL };
  }
  if (parsed.values.help) {
    process.stdout.write(`${HELP[command]}\n`);
    return { exit: EXIT_OK };
  }
  return parsed;
}

interface CommonFlags {
  sourcesDir: string;
  outDir: string;
  /** --state as given; resolved with site.yaml by stateLocation(). */
  state: string | undefined;
  overrides: SiteOverrides;
  /** `start --serve`: where to listen. */
  serve?: { host: string; port: number };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP.main}\n`);
    return command === undefined ? EXIT_FATAL : EXIT_OK;
  }
  if (command === 'sources') return sourcesCommand(rest);
  if (command === 'serve') return serveCommand(rest);
  if (command === 'import-opml') return importOpmlCommand(rest);
  if (command === 'scheduler') return schedulerCommand(rest);
  if (command === 'worker') return workerCommand(rest);
  if (command !== 'run' && command !== 'start') {
    process.stderr.write(`feedloom: unknown command "${command}"\n\n${HELP.main}\n`);
    return EXIT_FATAL;
  }
  if (rest.some((arg) => arg === '--queue' || arg.startsWith('--queue='))) {
    process.stderr.write(`feedloom ${command}: distributed mode runs as "feedloom scheduler --queue URL" and any number of "feedloom worker --queue URL"; see feedloom worker --help\n`);
    return EXIT_FATAL;
  }
  const parsed = parseCommand(command, rest, command === 'start' ? { ...COMMON_OPTIONS, ...START_OPTIONS } : COMMON_OPTIONS);
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const flags: CommonFlags = {
    sourcesDir: values.sources as string,
    outDir: values.out as string,
    state: values.state as string | undefined,
    overrides: {
      ...(typeof values['base-url'] === 'string' ? { baseUrl: values['base-url'] } : {}),
      ...(typeof values.schedule === 'string' ? { schedule: values.schedule } : {}),
    },
    ...(values.serve ? { serve: { host: values.host as string, port: Number(values.port) } } : {}),
  };
  const logger = createLogger();
  try {
    return command === 'run' ? await runOnce(flags, logger) : await runScheduled(flags, logger);
  } catch (error) {
    logger.fatal({ stage: error instanceof FeedloomError ? error.stage : undefined, err: describeError(error) }, describeError(error));
    return EXIT_FATAL;
  }
}

/** Where the state is, and what named it: for messages an operator can act on. */
type ChosenState = StateLocation & { origin: string };

/** --state wins over `state:` in site.yaml (already checked when it was read), which wins over the default. */
function stateLocation(flag: string | undefined, site: SiteConfig, sourcesDir: string): ChosenState {
  if (flag === undefined) {
    const origin = site.state !== undefined ? `state in ${path.join(sourcesDir, SITE_FILE)}` : '--state (default)';
    return { ...parseStateLocation(site.state ?? DEFAULT_STATE_FILE), origin };
  }
  try {
    return { ...parseStateLocation(flag), origin: '--state' };
  } catch (error) {
    throw new ConfigError(`--state: ${describeError(error)}`, { cause: error });
  }
}

/** The SQLite file --state names, when it exists: the pass will use it, whatever site.yaml says. */
async function openExistingStateFile(flags: CommonFlags): Promise<{ location: StateLocation; store: Store } | undefined> {
  if (flags.state === undefined) return undefined;
  let location: ChosenState;
  try {
    location = { ...parseStateLocation(flags.state), origin: '--state' };
  } catch {
    return undefined; // reported with the settings, as --state always is
  }
  if (location.kind !== 'sqlite' || !existsSync(location.file)) return undefined;
  return { location, store: await openState(flags.outDir, location) };
}

/**
 * Without --state, the default state file, when there is one, may remember the settings; but
 * site.yaml may name another state, so the file is only looked into, never opened as the state.
 */
function defaultStateMemory(flags: CommonFlags): Pick<Store, 'meta'> | undefined {
  if (flags.state !== undefined || !existsSync(DEFAULT_STATE_FILE)) return undefined;
  return { meta: async (key) => peekMeta(DEFAULT_STATE_FILE, key) };
}

function sameLocation(a: StateLocation, b: StateLocation): boolean {
  if (a.kind === 'sqlite' && b.kind === 'sqlite') return path.resolve(a.file) === path.resolve(b.file);
  return a.kind === 'postgres' && b.kind === 'postgres' && a.url === b.url;
}

/** The state is never published: a state file inside out/ would be served with the feeds. */
function checkStateOutsideOut(outDir: string, state: ChosenState): void {
  if (state.kind !== 'sqlite') return;
  const file = state.file;
  const relative = path.relative(realPath(outDir), path.join(realPath(path.dirname(file)), path.basename(file)));
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new ConfigError(`${state.origin} ${file} is inside --out ${outDir}; keep the state out of what is published`);
  }
}

/** Checks the location, then opens the state there. */
async function openState(outDir: string, state: ChosenState): Promise<Store> {
  checkStateOutsideOut(outDir, state);
  return openStore(state);
}

/**
 * Compressed forms of published files are kept beside a state file: never published themselves.
 * A database has no folder, so they go where the default state file would.
 */
function formsDirFor(state: StateLocation): string {
  return path.join(path.dirname(state.kind === 'sqlite' ? state.file : DEFAULT_STATE_FILE), 'compressed');
}

/** The path with every symlink followed, for the part of it that exists so far. */
function realPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
  }
}

async function sourcesCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('sources', args, {
    sources: COMMON_OPTIONS.sources,
    state: COMMON_OPTIONS.state,
    json: { type: 'boolean', default: false },
    opml: { type: 'boolean', default: false },
    help: COMMON_OPTIONS.help,
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const sourcesDir = values.sources as string;
  try {
    const site = await loadSiteConfig(sourcesDir);
    if (values.opml) {
      process.stdout.write(remoteSourcesOpml(sourcesDir, site));
      return EXIT_OK;
    }
    const state = stateLocation(values.state as string | undefined, site, sourcesDir);
    // A state file that does not exist yet is not created just to list sources.
    const records = state.kind === 'sqlite' && !existsSync(state.file) ? new Map() : await readSourceRecords(state);
    const rows = listSources(sourcesDir, site, records);
    process.stdout.write(values.json ? `${JSON.stringify({ sources: rows }, null, 2)}\n` : `${formatSourceTable(rows)}\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`feedloom sources: ${describeError(error)}\n`);
    return EXIT_FATAL;
  }
}

async function importOpmlCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('import-opml', args, { sources: COMMON_OPTIONS.sources, help: COMMON_OPTIONS.help }, true);
  if ('exit' in parsed) return parsed.exit;
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) {
    process.stderr.write(`feedloom import-opml: give exactly one OPML file\n\n${HELP['import-opml']}\n`);
    return EXIT_FATAL;
  }
  try {
    const { importOpml } = await import('./config/opml-import.js');
    const result = importOpml(file, parsed.values.sources as string);
    for (const added of result.added) process.stdout.write(`added   ${added.id}  ${added.url}\n`);
    for (const skipped of result.skipped) process.stdout.write(`skipped ${skipped.url}  (${skipped.reason})\n`);
    process.stdout.write(`${result.added.length} added, ${result.skipped.length} skipped\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`feedloom import-opml: ${describeError(error)}\n`);
    return EXIT_FATAL;
  }
}

async function readSourceRecords(state: StateLocation) {
  const store = await openStore(state);
  try {
    return await store.sourceRecords();
  } finally {
    await store.close();
  }
}

async function runOnce(flags: CommonFlags, logger: Logger): Promise<number> {
  // The config is checked before out/ is touched and before a new state is made: a bad site.yaml
  // changes nothing. An existing state file remembers the settings it last read, so a pass over
  // unchanged sources need not parse site.yaml again; site.yaml may still name another state.
  let store = await openExistingStateFile(flags);
  try {
    const settings = await readSettingsBeforeState(flags.sourcesDir, flags.overrides, store?.store ?? defaultStateMemory(flags));
    const { site } = settings;
    const state = stateLocation(flags.state, site, flags.sourcesDir);
    if (store && !sameLocation(store.location, state)) {
      await store.store.close();
      store = undefined;
    }
    store ??= { location: state, store: await openState(flags.outDir, state) };
    await settings.rememberIn(store.store);
    const summary = await lockedPass(flags, state, store.store, logger, undefined, site);
    return summary.sourcesFailed > 0 ? EXIT_SOURCES_FAILED : EXIT_OK;
  } finally {
    await store?.store.close();
  }
}

async function runScheduled(flags: CommonFlags, logger: Logger): Promise<number> {
  const site = await loadSiteConfig(flags.sourcesDir, flags.overrides);
  const state = stateLocation(flags.state, site, flags.sourcesDir);
  const store = await openState(flags.outDir, state);
  // The server and metrics are loaded by the commands that use them, not by every `run`.
  const { FeedMetrics } = await import('./serve/metrics.js');
  const metrics = new FeedMetrics(() => store);
  // The scheduler loads only for `start`: a `run` from system cron never needs it.
  const { startSchedule } = await import('./worker/schedule.js');
  const schedule = startSchedule({
    schedule: site.schedule,
    logger,
    pass: async () => {
      await lockedPass(flags, state, store, logger, metrics);
    },
  });
  const onSignal = (signal: NodeJS.Signals) => void schedule.stop(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const server = flags.serve ? await startServerWhenOutExists(flags, site, store, metrics, logger, formsDirFor(state)) : undefined;
  await schedule.stopped;
  await server?.close();
  await store.close();
  logger.info('stopped');
  return EXIT_OK;
}

/** With --serve the first pass creates out/; the server starts once it exists. */
async function startServerWhenOutExists(flags: CommonFlags, site: SiteConfig, store: Store, metrics: FeedMetrics, logger: Logger, formsDir: string) {
  mkdirSync(flags.outDir, { recursive: true });
  const { startFeedServer } = await import('./serve/run-server.js');
  return startFeedServer({ outDir: flags.outDir, site, store, metrics, host: flags.serve!.host, port: flags.serve!.port, logger, formsDir });
}

async function serveCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('serve', args, { out: COMMON_OPTIONS.out, state: COMMON_OPTIONS.state, sources: COMMON_OPTIONS.sources, help: COMMON_OPTIONS.help, ...SERVER_OPTIONS, ...QUEUE_OPTIONS });
  if ('exit' in parsed) return parsed.exit;
  const values = parsed.values as Record<'out' | 'sources' | 'host' | 'port' | 'queue-prefix', string> & { state?: string; queue?: string };
  const logger = createLogger();
  try {
    if (!existsSync(values.out)) throw new ConfigError(`--out ${values.out} does not exist; run a pass first`);
    const site = await loadSiteConfig(values.sources);
    const state = stateLocation(values.state, site, values.sources);
    const store = await openState(values.out, state);
    const [{ FeedMetrics }, { startFeedServer }] = await Promise.all([import('./serve/metrics.js'), import('./serve/run-server.js')]);
    const metrics = new FeedMetrics(() => store);
    // With --queue, /metrics also shows the distributed fleet: queue depth, workers, jobs.
    const queueMetrics = values.queue ? (await import('./queue/queue-metrics.js')).registerQueueMetrics(metrics.registry, await queueLocation(values.queue, values['queue-prefix'])) : undefined;
    const server = await startFeedServer({ outDir: values.out, site, store, metrics, host: values.host, port: Number(values.port), logger, formsDir: formsDirFor(state) });
    await untilSignal();
    await server.close();
    await queueMetrics?.close();
    await store.close();
    logger.info('stopped');
    return EXIT_OK;
  } catch (error) {
    logger.fatal({ err: describeError(error) }, describeError(error));
    return EXIT_FATAL;
  }
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function queueLocation(url: string | undefined, prefix: string) {
  if (!url) throw new ConfigError('--queue redis://host:port is required');
  const { parseQueueLocation } = await import('./queue/connection.js');
  return parseQueueLocation(url, prefix);
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`--${flag}: "${text}" must be a number above 0`);
  return value;
}

async function schedulerCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('scheduler', args, { sources: COMMON_OPTIONS.sources, 'base-url': COMMON_OPTIONS['base-url'], help: COMMON_OPTIONS.help, refresh: { type: 'string', default: '60' }, ...QUEUE_OPTIONS });
  if ('exit' in parsed) return parsed.exit;
  const values = parsed.values as Record<'sources' | 'refresh' | 'queue-prefix', string> & { queue?: string; 'base-url'?: string };
  const logger = createLogger();
  try {
    const queue = await queueLocation(values.queue, values['queue-prefix']);
    const refreshMs = positiveNumber('refresh', values.refresh) * 1000;
    const { startScheduler } = await import('./queue/scheduler.js');
    const scheduler = await startScheduler({ queue, sourcesDir: values.sources, refreshMs, logger, overrides: values['base-url'] ? { baseUrl: values['base-url'] } : {} });
    const signal = await untilSignal();
    await scheduler.close();
    logger.info({ signal }, 'scheduler stopped');
    return EXIT_OK;
  } catch (error) {
    logger.fatal({ stage: error instanceof FeedloomError ? error.stage : undefined, err: describeError(error) }, describeError(error));
    return EXIT_FATAL;
  }
}

async function workerCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('worker', args, { ...COMMON_OPTIONS, ...QUEUE_OPTIONS, ...WORKER_OPTIONS });
  if ('exit' in parsed) return parsed.exit;
  const values = parsed.values as Record<'sources' | 'out' | 'queue-prefix' | 'concurrency' | 'lock-seconds' | 'publish-delay', string> & { queue?: string; state?: string; 'base-url'?: string };
  const logger = createLogger();
  try {
    const queue = await queueLocation(values.queue, values['queue-prefix']);
    const concurrency = Math.floor(positiveNumber('concurrency', values.concurrency));
    const lockMs = positiveNumber('lock-seconds', values['lock-seconds']) * 1000;
    const publishDelayMs = positiveNumber('publish-delay', values['publish-delay']) * 1000;
    const overrides = values['base-url'] ? { baseUrl: values['base-url'] } : {};
    const site = await loadSiteConfig(values.sources, overrides);
    const state = stateLocation(values.state, site, values.sources);
    mkdirSync(values.out, { recursive: true });
    const store = await openState(values.out, state);
    const { startWorker } = await import('./queue/worker.js');
    const worker = await startWorker({ queue, store, sourcesDir: values.sources, outDir: values.out, overrides, concurrency, lockMs, publishDelayMs, formsDir: formsDirFor(state), logger });
    const signal = await untilSignal();
    logger.info({ signal }, 'worker draining: finishing active jobs');
    await worker.close();
    await store.close();
    logger.info('worker stopped');
    return EXIT_OK;
  } catch (error) {
    logger.fatal({ stage: error instanceof FeedloomError ? error.stage : undefined, err: describeError(error) }, describeError(error));
    return EXIT_FATAL;
  }
}

/** `site`: settings already read for this pass; a scheduled pass reads them afresh, so edits take effect. */
async function lockedPass(flags: CommonFlags, state: StateLocation, store: Store, logger: Logger, observer?: FeedMetrics, site?: SiteConfig): Promise<PassSummary> {
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

process.exitCode = await main(process.argv.slice(2));
