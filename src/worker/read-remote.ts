// Remote sources (sources/<id>.yaml) -> entries, through the fetch layer. Each source is
// isolated: whatever it does (time out, 5xx, a broken document) is its own failure, logged,
// backed off and kept in its health; its published entries stay.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ADDED_BY_OPML_IMPORT, type RemoteSourceDef } from '../config/remote-sources.js';
import type { PrivateDestinations } from '../ingest/destinations.js';
import { describeError, FeedloomError, SourceError, type ConfigError } from '../errors.js';
import { FetchError, type Fetcher } from '../ingest/fetch.js';
import type { Entry, PassObserver, SiteConfig } from '../model.js';
import { optional } from '../optional.js';
import type { SourceRecord } from '../store/store.js';
import { type DocumentParser, INLINE } from './parse-threads.js';
import { emptyReadResult, type ReadResult } from './read-result.js';
import { redactUrl, withoutCredentials } from '../shared/url-secrets.js';
import { nextScheduledAttempt } from '../config/cron-expression.js';
import { nextAttemptAfterFailure } from './source-schedule.js';
import { keptExtraction, recordExtraction } from './extraction-health.js';

export interface RemoteReadOptions {
  site: SiteConfig;
  fingerprint: string;
  known: Map<string, SourceRecord>;
  nowMs: number;
  /**
   * When this read was due (its schedule's tick; nowMs if not given): a source is due when its
   * next attempt is not after it, and a failure's backoff counts from it.
   */
  dueAtMs?: number;
  logger: Logger;
  fetcher: Fetcher;
  observer?: PassObserver;
  /** Parses fetched documents; on the calling thread unless given. */
  parser?: DocumentParser;
  /** Takes each source's entries as soon as they are read. */
  storeEntries: (entries: Entry[]) => Promise<void>;
}

type Outcome =
  | { kind: 'skipped'; previous: SourceRecord }
  | { kind: 'unchanged'; record: SourceRecord }
  | { kind: 'read'; record: SourceRecord }
  | { kind: 'failed'; record: SourceRecord; reason: string };

export async function readRemoteSources(
  sources: readonly RemoteSourceDef[],
  invalid: readonly { file: string; id?: string; error: ConfigError }[],
  options: RemoteReadOptions,
): Promise<ReadResult> {
  const result = emptyReadResult();
  for (const { file, id, error } of invalid) {
    const reason = describeError(error);
    options.logger.error({ source: file, file, stage: 'config', reason }, `source skipped: ${reason}`);
    result.failures.push({ source: file, reason });
    // A source that was read before and whose file broke since shows as failing, entries kept.
    const previous = id ? options.known.get(id) : undefined;
    if (previous) result.records.push({ ...previous, status: 'failed', error: reason, lastAttemptMs: options.nowMs, failures: previous.failures + 1 });
  }
  const outcomes = await Promise.all(sources.filter((source) => source.enabled).map((source) => readRemoteSource(source, options)));
  for (const outcome of outcomes) {
    if (outcome.kind === 'skipped' && outcome.previous.status === 'failed') {
      // Backing off: not fetched, but still failing, and the pass says so.
      const reason = `still failing, next attempt ${new Date(outcome.previous.nextAttemptMs ?? 0).toISOString()}: ${outcome.previous.error ?? 'unknown error'}`;
      options.logger.warn({ source: outcome.previous.source, url: outcome.previous.url === undefined ? undefined : redactUrl(outcome.previous.url), reason }, `source skipped: ${reason}`);
      result.failures.push({ source: outcome.previous.source, reason });
    } else if (outcome.kind === 'skipped') {
      result.unchanged++;
      result.unchangedEntries += outcome.previous.entries;
    } else if (outcome.kind === 'unchanged') {
      result.unchanged++;
      result.unchangedEntries += outcome.record.entries;
      result.records.push(outcome.record);
    } else if (outcome.kind === 'read') {
      result.ok++;
      result.records.push(outcome.record);
    } else {
      result.failures.push({ source: outcome.record.source, reason: outcome.reason });
      result.records.push(outcome.record);
    }
  }
  return result;
}

/** An operator's own source may reach the intranet it names; one imported from a list may not, unless the site allows it. */
function privateDestinations(source: RemoteSourceDef, site: SiteConfig): PrivateDestinations {
  if (site.fetch.allowPrivate) return 'allowed';
  return source.addedBy === ADDED_BY_OPML_IMPORT ? 'refused' : 'when-configured';
}

async function readRemoteSource(source: RemoteSourceDef, options: RemoteReadOptions): Promise<Outcome> {
  const { nowMs, logger } = options;
  const dueAtMs = options.dueAtMs ?? nowMs;
  const log = logger.child({ source: source.id, url: redactUrl(source.url) });
  const previous = options.known.get(source.id);
  // The source's own settings (selectors, time zone, ...) shape its entries as much as the site's.
  const fingerprint = createHash('sha1').update(options.fingerprint).update(JSON.stringify(source)).digest('base64url');
  const sameSettings = previous?.url === source.url && previous.fingerprint === fingerprint;
  if (previous && sameSettings && previous.nextAttemptMs !== undefined && dueAtMs < previous.nextAttemptMs) {
    log.debug({ next_attempt: new Date(previous.nextAttemptMs).toISOString() }, 'source not due');
    return { kind: 'skipped', previous };
  }
  const base: SourceRecord = {
    source: source.id,
    kind: source.kind,
    url: source.url,
    fingerprint,
    status: 'ok',
    entries: previous?.entries ?? 0,
    lastAttemptMs: nowMs,
    lastSuccessMs: nowMs,
    failures: 0,
    ...optional('nextAttemptMs', nextScheduledAttempt(source.schedule, nowMs)),
  };
  // The last document may be trusted only when it was read fine and would be read the same way.
  const lastGood = sameSettings && previous?.status === 'ok' ? previous : undefined;
  const fetchStarted = performance.now();
  try {
    const fetched = await options.fetcher.fetch(
      {
        source: source.id,
        url: source.url,
        headers: source.headers,
        secretHeaders: source.secretHeaders,
        privateDestinations: privateDestinations(source, options.site),
        ...optional('etag', lastGood?.etag),
        ...optional('lastModified', lastGood?.lastModified),
      },
      // Retry-After dates are read against the pass's clock, like backoff.
      () => nowMs,
    );
    options.observer?.fetchFinished(performance.now() - fetchStarted);
    if (fetched.notModified) {
      log.debug({ duration_ms: Math.round(fetched.durationMs) }, 'source not modified');
      return { kind: 'unchanged', record: { ...keepValidators(previous), ...base, ...keptExtraction(previous), ...(previous?.bytesHash ? { bytesHash: previous.bytesHash } : {}) } };
    }
    const bytesHash = createHash('sha1').update(fetched.body).digest('base64url');
    const record: SourceRecord = {
      ...base,
      bytesHash,
      ...(fetched.etag ? { etag: fetched.etag } : {}),
      ...(fetched.lastModified ? { lastModified: fetched.lastModified } : {}),
    };
    if (lastGood?.bytesHash === bytesHash) {
      return { kind: 'unchanged', record: { ...record, ...keptExtraction(previous) } };
    }
    const { entries, skipped, warnings, extraction, dating } = await (options.parser ?? INLINE).parse({
      source,
      body: fetched.body,
      contentType: fetched.contentType,
      // Links resolved against it must not carry the source's credentials.
      documentUrl: withoutCredentials(fetched.url),
      site: options.site,
      fetchedAtMs: nowMs,
    });
    for (const problem of skipped) log.warn({ reason: problem }, `item skipped: ${problem}`);
    for (const { code, reason } of warnings ?? []) log.warn({ stage: 'normalize', code, reason }, `page read with a warning: ${reason}`);
    log.debug({ entries: entries.length, duration_ms: Math.round(fetched.durationMs) }, 'source read');
    if (extraction) Object.assign(record, recordExtraction(log, extraction, dating, previous));
    // Handed on as soon as the source is read (the pass stores them a batch at a time): a
    // thousand feeds' items are never all in memory.
    await options.storeEntries(entries);
    return { kind: 'read', record: { ...record, entries: entries.length } };
  } catch (error) {
    // Failed fetches are fetches too: timeouts above all belong in the duration histogram.
    if (error instanceof FetchError) options.observer?.fetchFinished(performance.now() - fetchStarted);
    const failures = (previous?.failures ?? 0) + 1;
    const retryAfterMs = error instanceof FetchError ? error.details.retryAfterMs : undefined;
    const nextAttemptMs = nextAttemptAfterFailure(dueAtMs, failures, retryAfterMs, nowMs);
    const reason = describeError(error);
    log.error(
      {
        stage: error instanceof FeedloomError ? error.stage : 'ingest',
        ...(error instanceof FeedloomError ? { code: error.code } : {}),
        reason,
        consecutive_failures: failures,
        next_attempt: new Date(nextAttemptMs).toISOString(),
      },
      `source failed: ${reason}`,
    );
    if (!(error instanceof SourceError)) log.debug({ err: error }, 'unexpected error');
    return {
      kind: 'failed',
      reason,
      record: {
        ...keepValidators(previous),
        source: source.id,
        kind: source.kind,
        url: source.url,
        fingerprint,
        status: 'failed',
        error: reason,
        entries: previous?.entries ?? 0,
        lastAttemptMs: nowMs,
        ...optional('lastSuccessMs', previous?.lastSuccessMs),
        ...keptExtraction(previous),
        ...(previous?.bytesHash ? { bytesHash: previous.bytesHash } : {}),
        failures,
        nextAttemptMs,
      },
    };
  }
}

function keepValidators(previous: SourceRecord | undefined): Partial<SourceRecord> {
  return {
    ...(previous?.etag ? { etag: previous.etag } : {}),
    ...(previous?.lastModified ? { lastModified: previous.lastModified } : {}),
  };
}
