// Storing a batch of entries in PostgreSQL: the rules of SqliteStore.applyEntry, applied to a
// whole batch with a fixed number of round trips, and safe with other workers writing at once.
//
// In one transaction: the batch's stored rows are read and locked (SELECT ... FOR UPDATE, in id
// order so two workers lock in the same order), every entry is decided in memory in the order
// it came (as SQLite does, one after the other), then new rows go in with one INSERT and changed
// ones with one UPDATE each for replaced and re-captured rows. A worker that changes a row waits
// for another that holds it, then sees its committed version: an older capture can never replace
// a newer one, and no update is lost. Two things can still collide, and both end the transaction
// so the whole batch is decided again against what the other worker committed: a row another
// worker inserted after the read (INSERT ... ON CONFLICT DO NOTHING inserts fewer rows than asked),
// and an `updated` instant another worker took meanwhile (the unique constraint refuses it when
// the batch commits).
import type pg from 'pg';
import type { Entry } from '../model.js';
import { entryColumns, packEntry, sameContent } from './entry-row.js';
import type { EntryCounts } from './store.js';

const SECOND = 1000;

/** What a pass has stored so far; changed only by a batch that committed. */
export interface PassProgress {
  nowMs: number;
  /** Newest capture stored this pass, by entry id. */
  seen: Map<string, number>;
  counts: EntryCounts;
}

export function startPass(nowMs: number): PassProgress {
  return { nowMs, seen: new Map(), counts: { new: 0, updated: 0, unchanged: 0 } };
}

/** A batch lost a race with another writer; deciding it again against the committed rows resolves it. */
export class BatchConflict extends Error {}

interface RowState {
  published_ms: number;
  updated_ms: number;
  captured_ms: number;
  first_seen_ms: number;
  content_hash: string;
}

interface FullRow extends RowState {
  id: string;
  source: string;
  kind: string;
  categories: string;
  link: string;
  page_url: string | null;
  body: string;
}

type Write = { kind: 'insert' | 'replace'; row: FullRow } | { kind: 'touch'; capturedMs: number; contentHash: string };

/**
 * Decides and writes one batch inside the caller's transaction. Returns what the pass must add
 * once the transaction has committed; `pass` itself is left alone, so a retry starts clean.
 */
export async function writeEntryBatch(client: pg.PoolClient, pass: PassProgress, entries: readonly Entry[]): Promise<{ seen: Map<string, number>; counts: EntryCounts }> {
  const ids = [...new Set(entries.map((entry) => entry.id))].sort(byteOrder);
  const { rows } = await client.query<RowState & { id: string }>(
    'SELECT id, published_ms, updated_ms, captured_ms, first_seen_ms, content_hash FROM entries WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [ids],
  );
  const current = new Map<string, RowState>(rows.map(({ id, ...state }) => [id, state]));
  const instants = new InstantAllocator(client);
  // Load the minutes the new dates will most likely fall in, all in one query.
  await instants.load(entries.flatMap((entry) => [entry.published.getTime(), entry.capturedAt.getTime()]));

  const writes = new Map<string, Write>();
  const seen = new Map<string, number>();
  const counts: EntryCounts = { new: 0, updated: 0, unchanged: 0 };
  for (const entry of entries) {
    const capturedMs = entry.capturedAt.getTime();
    const seenMs = seen.get(entry.id) ?? pass.seen.get(entry.id);
    if (seenMs !== undefined && capturedMs <= seenMs) continue;
    const outcome = await decide(entry, seenMs !== undefined);
    if (seenMs === undefined) counts[outcome]++;
    seen.set(entry.id, capturedMs);
  }

  async function decide(entry: Entry, storedThisPass: boolean): Promise<keyof EntryCounts> {
    const packed = packEntry(entry);
    const publishedMs = entry.published.getTime();
    const capturedMs = entry.capturedAt.getTime();
    const existing = current.get(entry.id);
    // Built only for a row that is written: most entries of a pass are repeats.
    const fields = () => entryColumns(entry, packed);
    if (!existing) {
      const updatedMs = await instants.free(publishedMs);
      put({ ...fields(), published_ms: updatedMs, updated_ms: updatedMs, first_seen_ms: pass.nowMs });
      return 'new';
    }
    if (storedThisPass && existing.first_seen_ms === pass.nowMs) {
      // First stored by this very pass, now from a newer capture: still new, in this version.
      put({ ...fields(), published_ms: existing.published_ms, updated_ms: existing.updated_ms, first_seen_ms: existing.first_seen_ms });
      return 'new';
    }
    if (capturedMs < existing.captured_ms) return 'unchanged';
    if (!sameContent(existing.content_hash, packed)) {
      const updatedMs = await instants.free(Math.max(capturedMs, publishedMs, existing.updated_ms + SECOND));
      // Free at once for the entries after it, as the SQLite store, which writes each row as it goes, has it.
      instants.release(existing.updated_ms);
      put({ ...fields(), published_ms: existing.published_ms, updated_ms: updatedMs, first_seen_ms: existing.first_seen_ms });
      return 'updated';
    }
    if (capturedMs === existing.captured_ms && existing.content_hash === packed.contentHash) return 'unchanged';
    // Same text from a newer capture: remember the capture so an older one cannot win later
    // (and the hash in today's form, when an earlier version stored the row).
    existing.captured_ms = capturedMs;
    existing.content_hash = packed.contentHash;
    const pending = writes.get(entry.id);
    if (pending && pending.kind !== 'touch') pending.row.captured_ms = capturedMs;
    else writes.set(entry.id, { kind: 'touch', capturedMs, contentHash: packed.contentHash });
    return 'unchanged';
  }

  /** A row written this batch; a row inserted this batch stays an insert whatever follows. */
  function put(row: FullRow): void {
    const { id, published_ms, updated_ms, captured_ms, first_seen_ms, content_hash } = row;
    const inserted = writes.get(id)?.kind === 'insert' || !current.has(id);
    current.set(id, { published_ms, updated_ms, captured_ms, first_seen_ms, content_hash });
    writes.set(id, { kind: inserted ? 'insert' : 'replace', row });
  }

  await flush(client, writes);
  return { seen, counts };
}

const ROW_COLUMNS = ['id', 'source', 'kind', 'categories', 'link', 'page_url', 'published_ms', 'updated_ms', 'first_seen_ms', 'captured_ms', 'content_hash', 'body'] as const;
const ROW_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'text', 'text'];
const UNNEST_ROWS = `unnest(${ROW_TYPES.map((type, index) => `$${index + 1}::${type}[]`).join(', ')}) AS u(${ROW_COLUMNS.join(', ')})`;
const SELECT_ROW = ROW_COLUMNS.map((column) => (column === 'categories' ? 'u.categories::jsonb' : `u.${column}`)).join(', ');

/** One statement per kind of write, whatever the batch's size; rows in id order, as they were locked. */
async function flush(client: pg.PoolClient, writes: Map<string, Write>): Promise<void> {
  const ordered = [...writes].sort(([a], [b]) => byteOrder(a, b));
  const inserts = ordered.flatMap(([, write]) => (write.kind === 'insert' ? [write.row] : []));
  const replaces = ordered.flatMap(([, write]) => (write.kind === 'replace' ? [write.row] : []));
  const touches = ordered.flatMap(([id, write]) => (write.kind === 'touch' ? [{ id, ...write }] : []));
  if (inserts.length > 0) {
    const result = await client.query(
      `INSERT INTO entries (${ROW_COLUMNS.join(', ')}) SELECT ${SELECT_ROW} FROM ${UNNEST_ROWS} ON CONFLICT (id) DO NOTHING`,
      columns(inserts),
    );
    if (result.rowCount !== inserts.length) throw new BatchConflict('another writer stored one of these entries first');
  }
  if (replaces.length > 0) {
    const assignments = ROW_COLUMNS.filter((column) => column !== 'id' && column !== 'first_seen_ms').map((column) => `${column} = ${column === 'categories' ? 'u.categories::jsonb' : `u.${column}`}`);
    await client.query(`UPDATE entries AS e SET ${assignments.join(', ')} FROM ${UNNEST_ROWS} WHERE e.id = u.id`, columns(replaces));
  }
  if (touches.length > 0) {
    await client.query(
      'UPDATE entries AS e SET captured_ms = u.captured_ms, content_hash = u.content_hash FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, captured_ms, content_hash) WHERE e.id = u.id',
      [touches.map((touch) => touch.id), touches.map((touch) => touch.capturedMs), touches.map((touch) => touch.contentHash)],
    );
  }
}

/** Rows as one array per column, for unnest: a statement's size never depends on the batch's. */
function columns(rows: readonly FullRow[]): unknown[][] {
  return ROW_COLUMNS.map((column) => rows.map((row) => row[column]));
}

/**
 * Free `updated` instants: free in the database as the batch finds it, with this batch's own
 * changes. Other workers take instants too, so the taken ones are read inside the transaction
 * that will use them, a minute at a time as a search reaches that minute; the unique constraint
 * catches an instant taken by a worker that commits first.
 */
class InstantAllocator {
  private static readonly SPAN = 60_000;
  private readonly taken = new Set<number>();
  private readonly loaded = new Set<number>();
  /** Given up by this batch: still in the rows read, no longer taken. */
  private readonly released = new Set<number>();
  /** Reads searches have needed so far; each reads twice the minutes of the one before, from four. */
  private searchReads = 0;

  constructor(private readonly client: pg.PoolClient) {}

  /** Reads the taken instants of every minute these instants fall in that is not read yet. */
  async load(instants: readonly number[]): Promise<void> {
    const spans = [...new Set(instants.map((ms) => Math.floor(ms / InstantAllocator.SPAN)))].filter((span) => !this.loaded.has(span));
    if (spans.length === 0) return;
    const { rows } = await this.client.query<{ updated_ms: number }>(
      'SELECT e.updated_ms FROM unnest($1::bigint[]) AS s(start) JOIN entries e ON e.updated_ms >= s.start AND e.updated_ms < s.start + $2',
      [spans.map((span) => span * InstantAllocator.SPAN), InstantAllocator.SPAN],
    );
    for (const span of spans) this.loaded.add(span);
    for (const row of rows) if (!this.released.has(row.updated_ms)) this.taken.add(row.updated_ms);
  }

  /** The first instant from `ms` on, in whole seconds, that no entry has; taken from then on. */
  async free(ms: number): Promise<number> {
    let instant = ms;
    for (;;) {
      if (!this.loaded.has(Math.floor(instant / InstantAllocator.SPAN))) {
        // A batch of entries that all want one instant walks on minute after minute; reading
        // ahead, further each time, keeps that to a few round trips.
        const minutes = Math.min(4 * 2 ** this.searchReads++, 64);
        await this.load(Array.from({ length: minutes }, (_, index) => instant + index * InstantAllocator.SPAN));
      }
      if (!this.taken.has(instant)) break;
      instant += SECOND;
    }
    this.taken.add(instant);
    return instant;
  }

  release(instant: number): void {
    this.taken.delete(instant);
    this.released.add(instant);
  }
}

/** Byte order of UTF-8, as COLLATE "C" and SQLite compare ids. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
