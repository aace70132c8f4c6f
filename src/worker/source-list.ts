// `feedloom sources`: every source the config names, with its kind, schedule and health.
import { loadRemoteSources } from '../config/remote-sources.js';
import { describeError } from '../errors.js';
import { listPageSources } from '../ingest/page-sources.js';
import { LOCAL_PAGE_KIND, type SiteConfig } from '../model.js';
import { iso } from '../publish/status.js';
import { renderOpml } from '../render/opml.js';
import type { SourceRecord } from '../store/store.js';
import { redactUrl } from '../shared/url-secrets.js';

export interface SourceRow {
  source: string;
  kind: string;
  url: string | null;
  schedule: string;
  status: 'ok' | 'failed' | 'new' | 'disabled' | 'invalid';
  entries: number;
  last_success: string | null;
  last_error: string | null;
  consecutive_failures: number;
  next_attempt: string | null;
}

export function listSources(sourcesDir: string, site: SiteConfig, records: Map<string, SourceRecord>): SourceRow[] {
  const rows: SourceRow[] = [];
  const row = (source: string, kind: string, url: string | null, schedule: string, status?: SourceRow['status'], error?: string): SourceRow => {
    const record = records.get(source);
    return {
      source,
      kind,
      url,
      schedule,
      status: status ?? record?.status ?? 'new',
      entries: record?.entries ?? 0,
      last_success: iso(record?.lastSuccessMs),
      last_error: error ?? (record?.status === 'failed' ? (record.error ?? null) : null),
      consecutive_failures: record?.failures ?? 0,
      next_attempt: iso(record?.nextAttemptMs),
    };
  };
  for (const page of listPageSources(sourcesDir)) rows.push(row(page, LOCAL_PAGE_KIND, null, site.schedule));
  const remote = loadRemoteSources(sourcesDir);
  for (const source of remote.sources) {
    rows.push(row(source.id, source.kind, redactUrl(source.url), source.schedule ?? site.schedule, source.enabled ? undefined : 'disabled'));
  }
  for (const { file, error } of remote.invalid) rows.push(row(file, 'invalid', null, site.schedule, 'invalid', describeError(error)));
  return rows.sort((a, b) => a.source.localeCompare(b.source));
}

/** A fixed-width table for a terminal. */
export function formatSourceTable(rows: SourceRow[]): string {
  const header = ['SOURCE', 'KIND', 'SCHEDULE', 'STATUS', 'ENTRIES', 'LAST SUCCESS', 'FAILURES', 'NEXT ATTEMPT', 'LAST ERROR'];
  const lines = rows.map((row) => [
    row.source,
    row.kind,
    row.schedule,
    row.status,
    String(row.entries),
    row.last_success ?? '-',
    String(row.consecutive_failures),
    row.next_attempt ?? '-',
    row.last_error ?? '',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  return [header, ...lines].map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd()).join('\n');
}


/** The remote feed sources as an OPML 2.0 subscription list. */
export function remoteSourcesOpml(sourcesDir: string, site: SiteConfig): string {
  const feeds = loadRemoteSources(sourcesDir).sources.filter((source) => source.kind === 'feed');
  return renderOpml(`${site.title}: sources`, feeds.map((source) => ({ title: source.title ?? source.id, xmlUrl: redactUrl(source.url) })));
}
