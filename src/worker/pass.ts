// One pass of a single process (`feedloom run`, each tick of `feedloom start`): read every
// source, commit what was read, publish, record. A failing source is logged and skipped; its
// earlier entries stay in the feeds. The fleet's jobs call the same use cases (src/queue/worker.ts).
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { loadRemoteSources } from '../config/remote-sources.js';
import type { SiteOverrides } from '../config/site.js';
import type { Fetcher } from '../ingest/fetch.js';
import { listSourceFiles } from '../ingest/page-sources.js';
import type { PassObserver, SiteConfig } from '../model.js';
import { checkOutPaths } from '../publish/out-paths.js';
import type { PassRecord, Store } from '../store/store.js';
import { userAgent, VERSION } from '../version.js';
import { PassCommit } from './commit-pass.js';
import { passRecord, readCounts, recordPublish } from './pass-record.js';
import { checkOutDir, publishPass } from './publish-pass.js';
import { readSources } from './read-sources.js';
import type { SourceFailure } from './read-result.js';
import { loadPassSettings, withStateIdentity } from './site-settings.js';
import { passDueAt } from './source-schedule.js';

export type { SourceFailure } from './read-result.js';

export interface PassOptions {
  sourcesDir: string;
  outDir: string;
  store: Store;
  overrides?: SiteOverrides;
  logger: Logger;
  now?: () => Date;
  observer?: PassObserver;
  /** The site's settings, when the caller has just read them; else read from sources/. */
  site?: SiteConfig;
  /** Where to leave gzip and br forms of the files published (beside the state, never in out/). */
  formsDir?: string;
  /** WebSub retry timing; tests shorten it. */
  hubRetry?: { attempts?: number; firstRetryMs?: number };
}

/** The counts the state records for a pass, and what the caller needs beside them. */
export interface PassSummary extends Omit<PassRecord, 'startedMs'> {
  failures: SourceFailure[];
  /** Some source's health changed, so status.json was due. */
  healthChanged: boolean;
}

/** Runs one pass. Throws ConfigError or PublishError when nothing could be done at all. */
export async function runPass(options: PassOptions): Promise<PassSummary> {
  const now = options.now ?? (() => new Date());
  const startedMs = now().getTime();
  const clockStart = performance.now();
  // Every line of this pass carries its id, so passes of two processes on one log can be told apart.
  const logger = options.logger.child({ pass: passId(startedMs) });
  const { store } = options;
  const site = await withStateIdentity(options.site ?? (await loadPassSettings(options.sourcesDir, options.overrides, store)), store);
  const { pages, topLevel, unreadableFolders } = listSourceFiles(options.sourcesDir);
  const remote = loadRemoteSources(options.sourcesDir, topLevel);
  // Before anything is read or stored: a pass that cannot publish should not start, nor one
  // whose files would have names or paths too long for the file system.
  checkOutPaths(site, options.outDir);
  checkOutDir(options.outDir);

  const commit = new PassCommit(store, startedMs);
  const fetcher = new PassFetcher(site);
  let read;
  try {
    read = await readSources(
      { pages, unreadablePageFolders: unreadableFolders, remote },
      {
        site,
        fingerprint: settingsFingerprint(site),
        nowMs: startedMs,
        dueAtMs: passDueAt(startedMs),
        logger,
        store,
        sourcesDir: options.sourcesDir,
        fetcher: () => fetcher.get(),
        storeEntries: commit.add,
        ...(options.observer ? { observer: options.observer } : {}),
      },
    );
  } finally {
    await fetcher.close();
  }
  const committed = await commit.finish(read);
  const published = await publishPass({
    site,
    store,
    outDir: options.outDir,
    logger,
    entriesChanged: committed.counts.new + committed.counts.updated > 0,
    healthChanged: committed.healthChanged,
    // One process reads every source before it publishes: what it publishes is settled.
    settled: true,
    ...(options.hubRetry ? { hubRetry: options.hubRetry } : {}),
  });
  const failures = [...read.failures, ...published.failed.map(({ feed, reason }) => ({ source: `feed ${feed}`, reason }))];
  const record = passRecord(readCounts(read, committed), published, startedMs, Math.round(performance.now() - clockStart));
  await recordPublish(store, record, published, options, logger);
  for (const failure of failures) options.observer?.sourceFailed(failure.source);
  options.observer?.passFinished(record.durationMs);
  const { startedMs: _started, ...counts } = record;
  return { ...counts, failures, healthChanged: committed.healthChanged };
}

/** A pass's id in its log lines: when it started, which no two passes on one state share. */
export function passId(startedMs: number): string {
  return new Date(startedMs).toISOString();
}

/** The pass's HTTP client, made (and its module loaded) only when a remote source needs it. */
class PassFetcher {
  private fetcher: Promise<Fetcher> | undefined;

  constructor(private readonly site: SiteConfig) {}

  get(): Promise<Fetcher> {
    this.fetcher ??= import('../ingest/fetch.js').then(({ Fetcher }) => new Fetcher({ ...this.site.fetch, maxRedirects: 5, userAgent: userAgent(this.site.url) }));
    return this.fetcher;
  }

  async close(): Promise<void> {
    await (await this.fetcher)?.close();
  }
}

/** What a source's entries depend on besides its bytes; a change means reading it again. */
export function settingsFingerprint(site: SiteConfig): string {
  const settings = [VERSION, site.url, site.idNamespace, site.timezone, site.language ?? '', site.boilerplate];
  return createHash('sha1').update(JSON.stringify(settings)).digest('base64url');
}
