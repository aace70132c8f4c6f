// The feed queries, once for every backend: which rows a feed's filter selects, in which order,
// and how rows read newest first become a feed (sources matched, one entry per link). A backend
// gives its SQL dialect and runs what this builds; it decides nothing here.
import { literalPrefix } from '../shared/source-glob.js';
import type { FeedFilter, StoredEntry } from '../model.js';
import { type EntryRow, storedEntry } from './entry-row.js';

export interface SqlDialect {
  /** The placeholder of the parameter just pushed, the n-th (1-based); each is used once. */
  placeholder(n: number): string;
  /** The id column in byte order, whatever the database's collation. */
  idInByteOrder: string;
  /** A clause true when the entry has any of `categories` (lower case); pushes its parameters. */
  anyCategory(categories: readonly string[], params: unknown[]): string;
}

/** A position in a feed's newest-first order (published, then id in byte order). */
export interface FeedPosition {
  publishedMs: number;
  id: string;
}

/**
 * The WHERE clause of a feed's filter (its kind, its categories, and of its source globs the fixed
 * text they start with), and of rows after `after` in its newest-first order when
 * given; `more` adds a backend's own clauses (built with the same `params`).
 */
export function feedWhere(dialect: SqlDialect, filter: FeedFilter, after?: FeedPosition, more: (params: unknown[]) => string[] = () => []): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const push = (value: unknown) => dialect.placeholder(params.push(value));
  const clauses: string[] = [];
  if (after) {
    // Each use of a value is a parameter of its own, so that positional placeholders serve too.
    clauses.push(`(published_ms < ${push(after.publishedMs)} OR (published_ms = ${push(after.publishedMs)} AND ${dialect.idInByteOrder} > ${push(after.id)}))`);
  }
  if (filter.kind) clauses.push(`kind = ${push(filter.kind)}`);
  if (filter.categories?.length) clauses.push(dialect.anyCategory(filter.categories.map((category) => category.toLowerCase()), params));
  const prefixes = filter.sources?.map(literalPrefix) ?? [];
  if (prefixes.length > 0 && prefixes.every((prefix) => prefix !== '')) {
    // Rows whose source starts with no glob's fixed text are left in the database: a feed of a
    // few sources among many reads only theirs. The globs themselves are matched on what is read.
    const startsWith = (prefix: string) => `substr(source, 1, CAST(${push([...prefix].length)} AS integer)) = ${push(prefix)}`;
    clauses.push(`(${prefixes.map(startsWith).join(' OR ')})`);
  }
  clauses.push(...more(params));
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export function newestFirst(dialect: SqlDialect): string {
  return `ORDER BY published_ms DESC, ${dialect.idInByteOrder}`;
}

export function oldestFirst(dialect: SqlDialect): string {
  return `ORDER BY published_ms, ${dialect.idInByteOrder} DESC`;
}

/** Rows a feed reads at a time: enough for most feeds at once, few when sources filter most out. */
export const FEED_PAGE_ROWS = 200;

/**
 * A feed: its rows read newest first, FEED_PAGE_ROWS at a time, after the last row of the page
 * before, until `limit` entries are kept. A row from a source the feed does not take is passed
 * over; of entries that share a link (one story from two sources) the newest copy stands for
 * them. An entry without a link of its own is nobody's copy.
 */
export async function readFeed(readPage: (after: FeedPosition | undefined) => Promise<EntryRow[]> | EntryRow[], limit: number, matchesSource: (source: string) => boolean): Promise<StoredEntry[]> {
  const result: StoredEntry[] = [];
  const links = new Set<string>();
  let after: FeedPosition | undefined;
  for (;;) {
    const rows = await readPage(after);
    for (const row of rows) {
      if (!matchesSource(row.source)) continue;
      if (row.link !== null) {
        if (links.has(row.link)) continue;
        links.add(row.link);
      }
      result.push(storedEntry(row));
      if (result.length >= limit) return result;
    }
    const last = rows.at(-1);
    if (rows.length < FEED_PAGE_ROWS || !last) return result;
    after = { publishedMs: last.published_ms, id: last.id };
  }
}

/** The condition of entries not archived for `feed` yet. */
export function notArchivedFor(dialect: SqlDialect, feed: string): (params: unknown[]) => string[] {
  return (params) => [`NOT EXISTS (SELECT 1 FROM archived_entries a WHERE a.feed = ${dialect.placeholder(params.push(feed))} AND a.entry_id = entries.id)`];
}

export function positionOf(entry: StoredEntry): FeedPosition {
  return { publishedMs: entry.published.getTime(), id: entry.id };
}
