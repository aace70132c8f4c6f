// The first use case of every mode: read the sources a unit of work was given (captured pages,
// remote sources, or both) and hand their entries on as they come. A single pass reads them all;
// a fleet job reads the pages or one remote source. What is read, and how, is the same code.
import type { Logger } from 'pino';
import type { RemoteSourceDef } from '../config/remote-sources.js';
import type { ConfigError } from '../errors.js';
import type { Fetcher } from '../ingest/fetch.js';
import type { UnreadableFolder } from '../ingest/page-sources.js';
import { type Entry, LOCAL_PAGE_KIND, type PassObserver, type SiteConfig } from '../model.js';
import { type StorableEntry, storableEntry } from '../store/entry-row.js';
import type { SourceRecord, Store } from '../store/store.js';
import { readWatermark, WATERMARKS, writeWatermark } from '../store/watermarks.js';
import type { DocumentParser } from './parse-threads.js';
import { type PageListing, readPages } from './read-pages.js';
import { mergeReadResults, type ReadResult } from './read-result.js';

/** What one unit of work reads. */
export interface SourcesToRead {
  /** Captured page files under sources/; absent when this unit reads no pages (not even none). */
  pages?: readonly string[];
  /** Folders under sources/ that could not be listed: their pages fail, the others are read. */
  unreadablePageFolders?: readonly UnreadableFolder[];
  remote?: {
    sources: readonly RemoteSourceDef[];
    invalid: readonly { file: string; id?: string; error: ConfigError }[];
  };
}

export interface ReadContext {
  site: SiteConfig;
  /** What a source's entries depend on besides its bytes (settingsFingerprint). */
  fingerprint: string;
  nowMs: number;
  /** When this unit was due (its schedule's tick), for remote sources' backoff; nowMs if not given. */
  dueAtMs?: number;
  logger: Logger;
  store: Store;
  sourcesDir: string;
  /** The HTTP client for remote sources; asked for only when there are some. */
  fetcher: () => Promise<Fetcher>;
  /**
   * How a source's last record reads when deciding whether it is due. A single process keeps to
   * each source's own schedule; in the fleet the scheduler already decided, and passes a policy.
   */
  asDue?: (record: SourceRecord) => SourceRecord;
  observer?: PassObserver;
  /**
   * Parse threads that outlive this unit (a fleet worker's, shared by its jobs): remote
   * documents go to them. Without it the unit starts threads of its own when it has enough to parse.
   */
  sourceParser?: () => Promise<DocumentParser>;
  /** Takes entries as they are read, as the store takes them (stored at once, or held for one commit). */
  storeEntries: (entries: StorableEntry[]) => Promise<void>;
}

export interface SourcesRead extends ReadResult {
  /** The page listing when pages were read (undefined if one could not be read); absent when none were asked for. */
  pages?: { listing: PageListing | undefined };
  /** The records the remote sources were judged by, as stored, when they were read at all. */
  known?: Map<string, SourceRecord>;
}

export async function readSources(what: SourcesToRead, context: ReadContext): Promise<SourcesRead> {
  const { store } = context;
  const parsers = new ReadParsers(context.site.fetch.parseThreads, context.sourceParser);
  try {
    const results: ReadResult[] = [];
    let pages: SourcesRead['pages'];
    if (what.pages) {
      const result = await readPages(what.pages, {
        site: context.site,
        fingerprint: context.fingerprint,
        nowMs: context.nowMs,
        logger: context.logger,
        sourcesDir: context.sourcesDir,
        stamps: () => store.pageStamps(LOCAL_PAGE_KIND, context.fingerprint),
        record: (source) => store.sourceRecord(source),
        records: () => store.sourceRecords(),
        parser: (count) => parsers.forPages(count),
        lastListing: (await readWatermark(store, WATERMARKS.pageListing)) as PageListing | undefined,
        unreadableFolders: what.unreadablePageFolders ?? [],
        storeEntries: context.storeEntries,
      });
      results.push(result);
      pages = { listing: result.listing };
    }
    let known: Map<string, SourceRecord> | undefined;
    const remote = what.remote;
    if (remote && (remote.sources.length > 0 || remote.invalid.length > 0)) {
      // Loaded only when there are remote sources: the HTTP client, parsers and sanitizer take
      // longer to load than a pass over thousands of unchanged pages takes to run.
      const { readRemoteSources } = await import('./read-remote.js');
      known = await knownRecords(store, [...remote.sources.map((source) => source.id), ...remote.invalid.flatMap((file) => (file.id ? [file.id] : []))]);
      const asDue = context.asDue;
      results.push(
        await readRemoteSources(remote.sources, remote.invalid, {
          site: context.site,
          fingerprint: context.fingerprint,
          nowMs: context.nowMs,
          ...(context.dueAtMs !== undefined ? { dueAtMs: context.dueAtMs } : {}),
          logger: context.logger,
          known: asDue ? new Map([...known].map(([id, record]) => [id, asDue(record)])) : known,
          fetcher: await context.fetcher(),
          parser: await parsers.forSources(remote.sources.length),
          storeEntries: (entries) => storeRemoteEntries(entries, context.storeEntries),
          ...(context.observer ? { observer: context.observer } : {}),
        }),
      );
    }
    return { ...mergeReadResults(results), ...(pages ? { pages } : {}), ...(known ? { known } : {}) };
  } finally {
    await parsers.close();
  }
}

/** The page listing a commit stores, so the next unit that reads the pages can skip unchanged ones. */
export async function rememberListing(store: Store, listing: PageListing | undefined): Promise<void> {
  await writeWatermark(store, WATERMARKS.pageListing, listing);
}

/** Entries packed for the store at a time: a feed of 100,000 items is never held packed all at once. */
const PACK_AT_ONCE = 500;

/**
 * A remote document's entries come back from its parse thread as normalize gives them, and are
 * packed here, a few hundred at a time, as the store takes them.
 */
async function storeRemoteEntries(entries: readonly Entry[], storeEntries: (entries: StorableEntry[]) => Promise<void>): Promise<void> {
  for (let start = 0; start < entries.length; start += PACK_AT_ONCE) await storeEntries(entries.slice(start, start + PACK_AT_ONCE).map(storableEntry));
}

/** Every record when there are many sources to judge; the one or few asked for by id otherwise. */
async function knownRecords(store: Store, ids: readonly string[]): Promise<Map<string, SourceRecord>> {
  if (ids.length > 8) return store.sourceRecords();
  const known = new Map<string, SourceRecord>();
  for (const id of ids) {
    const record = await store.sourceRecord(id);
    if (record) known.set(id, record);
  }
  return known;
}

/**
 * One pool of parse threads for the whole unit, pages and remote sources alike, started by the
 * first reader with enough to parse; parse-threads.js is loaded only then.
 */
class ReadParsers {
  private parser: DocumentParser | undefined;

  constructor(
    private readonly threads: number | undefined,
    private readonly shared: (() => Promise<DocumentParser>) | undefined,
  ) {}

  forSources(sourceCount: number): Promise<DocumentParser> {
    if (this.shared) return this.shared();
    return this.parserFor(sourceCount, (parseThreads) => this.threads ?? parseThreads.defaultParseThreads());
  }

  /** For many changed pages: as many threads as site.yaml says, else one core fewer than there are. */
  forPages(pageCount: number): Promise<DocumentParser> {
    return this.parserFor(pageCount, (parseThreads) => this.threads ?? parseThreads.defaultPageThreads());
  }

  private async parserFor(count: number, threads: (parseThreads: typeof import('./parse-threads.js')) => number): Promise<DocumentParser> {
    const parseThreads = await import('./parse-threads.js');
    // A reader with too little to parse got the inline parser; a later one with more may start threads.
    if (this.parser === undefined || this.parser === parseThreads.INLINE) this.parser = parseThreads.documentParser(count, threads(parseThreads));
    return this.parser;
  }

  async close(): Promise<void> {
    await this.parser?.close();
  }
}
