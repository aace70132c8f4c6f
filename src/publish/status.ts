// out/status.json: every source's health, for operators and monitoring. Rewritten only when it
// changes, like every other file. Page files carry no times: their health changes only when the
// page does, so the same pages keep giving the same bytes.
import path from 'node:path';
import { STATUS_FILE } from '../layout.js';
import { LOCAL_PAGE_KIND } from '../model.js';
import type { SourceRecord } from '../store/store.js';
import { redactUrl } from '../shared/url-secrets.js';
import { writeIfChanged } from './write-file.js';


export function sourceHealth(record: SourceRecord) {
  const health = {
    source: record.source,
    kind: record.kind,
    status: record.status,
    entries: record.entries,
    last_error: record.status === 'failed' ? (record.error ?? null) : null,
  };
  // An HTML page read without selectors: what its lists gave, and whether that fell to nothing.
  const extraction =
    record.briefs === undefined
      ? {}
      : {
          ...(record.degradedFrom !== undefined && record.status === 'ok' ? { status: 'degraded', degraded_from_briefs: record.degradedFrom } : {}),
          briefs: record.briefs,
          brief_lists: record.briefLists ? record.briefLists.split('\n') : [],
        };
  if (record.kind === LOCAL_PAGE_KIND) return { ...health, ...extraction };
  return {
    ...health,
    ...extraction,
    url: record.url === undefined ? null : redactUrl(record.url),
    last_success: iso(record.lastSuccessMs),
    consecutive_failures: record.failures,
    next_attempt: iso(record.nextAttemptMs),
  };
}

/** Whether a source's health (what status.json shows of it) differs from its last record's. */
export function healthDiffers(record: SourceRecord, before: SourceRecord | undefined): boolean {
  return before === undefined || JSON.stringify(sourceHealth(record)) !== JSON.stringify(sourceHealth(before));
}

/** Writes out/status.json from every source's record; true if its bytes changed. */
export function publishStatus(records: ReadonlyMap<string, SourceRecord>, outDir: string): boolean {
  const sources = [...records.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)).map(sourceHealth);
  return writeIfChanged(path.join(outDir, STATUS_FILE), `${JSON.stringify({ sources }, null, 2)}\n`);
}

export function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
