#!/usr/bin/env node
// feedloom's commands: flags in, config and logger wired, passes run. No pipeline logic here.
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { loadSiteConfig, type SiteOverrides } from './config/site.js';
import { ConfigError, describeError, FeedloomError } from './errors.js';
import { createLogger } from './log.js';
import type { SiteConfig } from './model.js';
import type { FeedMetrics } from './serve/metrics.js';
import { SqliteStore } from './store/sqlite-store.js';
import { remoteSourcesOpml } from './worker/source-list.js';
import { acquirePassLock } from './worker/lock.js';
import { runPass, type PassSummary } from './worker/pass.js';
import { startSchedule } from './worker/schedule.js';
import { formatSourceTable, listSources } from './worker/source-list.js';
import { VERSION } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_SOURCES_FAILED = 2;


const COMMON_OPTIONS = {
  sources: { type: 'string', default: 'sources' },
  out: { type: 'string', default: 'out' },
  state: { type: 'string', default: '.feedloom/state.db' },
  'base-url': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const SERVER_OPTIONS = {
  port: { type: 'string', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
} as const;

const START_OPTIONS = { schedule: { type: 'string' }, serve: { type: 'boolean', default: false }, ...SERVER_OPTIONS } as const;

const COMMON_HELP = `Options:
  --sources DIR     captured pages (*.txt) and site.yaml           [default: sources]
  --out DIR         where the feeds are written                     [default: out]
  --state FILE      SQLite state, kept outside --out                [default: .feedloom/state.db]
  --base-url URL    public URL of --out (overrides url in site.yaml)
  -h, --help        show this help`;

const HELP: Record<string, string> = {
  main: `feedloom ${VERSION}: captured article pages in, RSS 2.0, Atom 1.0 and JSON Feed 1.1 out.

Usage: feedloom <command> [options]

Commands:
  run      one pass, then exit (for system cron)
  start    a pass at once, then passes on a schedule (a long-running service)
  sources  every source with its kind, schedule and health
  serve    serve out/ over HTTP, with /healthz and /metrics
  import-opml FILE   add the feeds of an OPML subscription list as sources

Run "feedloom <command> --help" for a command's options.`,
  run: `Usage: feedloom run [options]

One pass: read every page under --sources, remember new and changed entries, write the feeds.
Exit status: 0 every source was fine; 2 some sources failed and the feeds were written from
the rest; 1 nothing could be done (bad site config, output folder not writable).

${COMMON_HELP}`,
  'import-opml': `Usage: feedloom import-opml FILE [--sources DIR]

Adds a feed source (sources/<id>.yaml, kind: feed) for every outline with an xmlUrl in the
OPML file. Sources whose URL is already there are skipped; no file is ever overwritten.

Options:
  --sources DIR     where the source files go                       [default: sources]
  -h, --help        show this help`,
  sources: `Usage: feedloom sources [--sources DIR] [--state FILE] [--json | --opml]

Lists every source: captured page files and remote sources (sources/<id>.yaml), with kind,
schedule and health from the state file (last success, last error, failures in a row, next
attempt). Exit status 1 when the site config is bad.

Options:
  --sources DIR     captured pages and source files                [default: sources]
  --state FILE      SQLite state                                     [default: .feedloom/state.db]
  --json            one JSON document instead of a table
  --opml            the remote feed sources as an OPML 2.0 subscription list
  -h, --help        show this help`,
  start: `Usage: feedloom start [options] [--schedule CRON]

A pass at once, then one on every tick of the schedule. Passes never overlap. SIGINT or
SIGTERM ends the process after the current pass, with no partial file left behind.

${COMMON_HELP}
  --schedule CRON   when to run passes (overrides schedule in site.yaml) [default: */15 * * * *]
  --serve           also serve --out over HTTP in this process (see feedloom serve --help)
  --port PORT       with --serve                                    [default: 8080]
  --host HOST       with --serve                                    [default: 127.0.0.1]`,
  serve: `Usage: feedloom serve [--out DIR] [--port PORT] [--host HOST] [--state FILE] [--sources DIR]

Serves the files in --out: feeds with their own content types, strong ETags and Last-Modified,
304s, HEAD, gzip and br, Cache-Control for one schedule interval, CORS on the JSON feed. Nothing
outside --out is ever served. GET /healthz answers 200 while passes keep finishing on schedule,
else 503 with the reason; GET /metrics answers in the Prometheus text format.

Options:
  --out DIR         what to serve                                   [default: out]
  --port PORT       TCP port                                        [default: 8080]
  --host HOST       address to listen on                            [default: 127.0.0.1]
  --state FILE      SQLite state, for /healthz and /metrics         [default: .feedloom/state.db]
  --sources DIR     where site.yaml is, for the schedule            [default: sources]
  -h, --help        show this help`,
};

interface CommonFlags {
  sourcesDir: string;
  outDir: string;
  stateFile: string;
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
  if (command !== 'run' && command !== 'start') {
    process.stderr.write(`feedloom: unknown command "${command}"\n\n${HELP.main}\n`);
    return EXIT_FATAL;
  }
  let values;
  try {
    values = parseArgs({
      args: rest,
      options: command === 'start' ? { ...COMMON_OPTIONS, ...START_OPTIONS } : COMMON_OPTIONS,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    process.stderr.write(`feedloom ${command}: ${describeError(error)}\n\n${HELP[command]}\n`);
    return EXIT_FATAL;
  }
  if (values.help) {
    process.stdout.write(`${HELP[command]}\n`);
    return EXIT_OK;
  }
  const flags: CommonFlags = {
    sourcesDir: values.sources as string,
    outDir: values.out as string,
    stateFile: values.state as string,
    overrides: {
      ...(typeof values['base-url'] === 'string' ? { baseUrl: values['base-url'] } : {}),
      ...(typeof values.schedule === 'string' ? { schedule: values.schedule } : {}),
    },
    ...(values.serve ? { serve: { host: values.host as string, port: Number(values.port) } } : {}),
  };
  const logger = createLogger();
  try {
    checkStateOutsideOut(flags);
    return command === 'run' ? await runOnce(flags, logger) : await runScheduled(flags, logger);
  } catch (error) {
    logger.fatal({ stage: error instanceof FeedloomError ? error.stage : undefined, err: describeError(error) }, describeError(error));
    return EXIT_FATAL;
  }
}

/** The state is never published: a state file inside out/ would be served with the feeds. */
function checkStateOutsideOut(flags: Pick<CommonFlags, 'outDir' | 'stateFile'>): void {
  const relative = path.relative(realPath(flags.outDir), path.join(realPath(path.dirname(flags.stateFile)), path.basename(flags.stateFile)));
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new ConfigError(`--state ${flags.stateFile} is inside --out ${flags.outDir}; keep the state out of what is published`);
  }
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
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        sources: COMMON_OPTIONS.sources,
        state: COMMON_OPTIONS.state,
        json: { type: 'boolean', default: false },
        opml: { type: 'boolean', default: false },
        help: COMMON_OPTIONS.help,
      },
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`feedloom sources: ${describeError(error)}\n\n${HELP.sources}\n`);
    return EXIT_FATAL;
  }
  if (values.help) {
    process.stdout.write(`${HELP.sources}\n`);
    return EXIT_OK;
  }
  try {
    const site = await loadSiteConfig(values.sources);
    if (values.opml) {
      process.stdout.write(remoteSourcesOpml(values.sources, site));
      return EXIT_OK;
    }
    const records = existsSync(values.state) ? readSourceRecords(values.state) : new Map();
    const rows = listSources(values.sources, site, records);
    process.stdout.write(values.json ? `${JSON.stringify({ sources: rows }, null, 2)}\n` : `${formatSourceTable(rows)}\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`feedloom sources: ${describeError(error)}\n`);
    return EXIT_FATAL;
  }
}

async function importOpmlCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { sources: COMMON_OPTIONS.sources, help: COMMON_OPTIONS.help }, allowPositionals: true });
  } catch (error) {
    process.stderr.write(`feedloom import-opml: ${describeError(error)}\n\n${HELP['import-opml']}\n`);
    return EXIT_FATAL;
  }
  if (parsed.values.help) {
    process.stdout.write(`${HELP['import-opml']}\n`);
    return EXIT_OK;
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) {
    process.stderr.write(`feedloom import-opml: give exactly one OPML file\n\n${HELP['import-opml']}\n`);
    return EXIT_FATAL;
  }
  try {
    const { importOpml } = await import('./config/opml-import.js');
    const result = importOpml(file, parsed.values.sources);
    for (const added of result.added) process.stdout.write(`added   ${added.id}  ${added.url}\n`);
    for (const skipped of result.skipped) process.stdout.write(`skipped ${skipped.url}  (${skipped.reason})\n`);
    process.stdout.write(`${result.added.length} added, ${result.skipped.length} skipped\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`feedloom import-opml: ${describeError(error)}\n`);
    return EXIT_FATAL;
  }
}

function readSourceRecords(stateFile: string) {
  const store = SqliteStore.open(stateFile);
  try {
    return store.sourceRecords();
  } finally {
    store.close();
  }
}

async function runOnce(flags: CommonFlags, logger: Logger): Promise<number> {
  // Validate the config before touching the state or out/: a bad site.yaml changes nothing.
  await loadSiteConfig(flags.sourcesDir, flags.overrides);
  const store = SqliteStore.open(flags.stateFile);
  try {
    const summary = await lockedPass(flags, store, logger);
    return summary.sourcesFailed > 0 ? EXIT_SOURCES_FAILED : EXIT_OK;
  } finally {
    store.close();
  }
}

async function runScheduled(flags: CommonFlags, logger: Logger): Promise<number> {
  const site = await loadSiteConfig(flags.sourcesDir, flags.overrides);
  const store = SqliteStore.open(flags.stateFile);
  // The server and metrics are loaded by the commands that use them, not by every `run`.
  const { FeedMetrics } = await import('./serve/metrics.js');
  const metrics = new FeedMetrics(() => store);
  const schedule = startSchedule({
    schedule: site.schedule,
    logger,
    pass: async () => {
      await lockedPass(flags, store, logger, metrics);
    },
  });
  const onSignal = (signal: NodeJS.Signals) => void schedule.stop(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const server = flags.serve ? await startServerWhenOutExists(flags, site, store, metrics, logger) : undefined;
  await schedule.stopped;
  await server?.close();
  store.close();
  logger.info('stopped');
  return EXIT_OK;
}

/** With --serve the first pass creates out/; the server starts once it exists. */
async function startServerWhenOutExists(flags: CommonFlags, site: SiteConfig, store: SqliteStore, metrics: FeedMetrics, logger: Logger) {
  mkdirSync(flags.outDir, { recursive: true });
  const { startFeedServer } = await import('./serve/run-server.js');
  return startFeedServer({ outDir: flags.outDir, site, store, metrics, host: flags.serve!.host, port: flags.serve!.port, logger });
}

async function serveCommand(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: { out: COMMON_OPTIONS.out, state: COMMON_OPTIONS.state, sources: COMMON_OPTIONS.sources, help: COMMON_OPTIONS.help, ...SERVER_OPTIONS },
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`feedloom serve: ${describeError(error)}\n\n${HELP.serve}\n`);
    return EXIT_FATAL;
  }
  if (values.help) {
    process.stdout.write(`${HELP.serve}\n`);
    return EXIT_OK;
  }
  const logger = createLogger();
  try {
    checkStateOutsideOut({ outDir: values.out, stateFile: values.state });
    if (!existsSync(values.out)) throw new ConfigError(`--out ${values.out} does not exist; run a pass first`);
    const site = await loadSiteConfig(values.sources);
    const store = SqliteStore.open(values.state);
    const [{ FeedMetrics }, { startFeedServer }] = await Promise.all([import('./serve/metrics.js'), import('./serve/run-server.js')]);
    const metrics = new FeedMetrics(() => store);
    const server = await startFeedServer({ outDir: values.out, site, store, metrics, host: values.host, port: Number(values.port), logger });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await server.close();
    store.close();
    logger.info('stopped');
    return EXIT_OK;
  } catch (error) {
    logger.fatal({ err: describeError(error) }, describeError(error));
    return EXIT_FATAL;
  }
}

async function lockedPass(flags: CommonFlags, store: SqliteStore, logger: Logger, observer?: FeedMetrics): Promise<PassSummary> {
  const release = acquirePassLock(`${flags.stateFile}.lock`);
  try {
    return await runPass({ sourcesDir: flags.sourcesDir, outDir: flags.outDir, store, overrides: flags.overrides, logger, ...(observer ? { observer } : {}) });
  } finally {
    release();
  }
}

process.exitCode = await main(process.argv.slice(2));
