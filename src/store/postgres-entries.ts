// Storing a batch of entries in PostgreSQL: the rules of SqliteStore.applyEntry, applied to a
// whole batch with a fixed number of round trips, and safe with other workers writing at once.
//
// In one transaction: the batch's stored rows are read and locked (SELECT ... FOR UPDATE, in id
// order so two workers lock in the same order), every entry is decided in memory in the order
// it came (as SQLite does, one after the other), then new rows go in with one INSERT and changed
// ones with one UPDATE each for replaced and re-captured rows. A worker that changes a row waits
// for another that holds it, then sees its committed version: an older capture can never replace
// a newer one, and no update is lost. One thing can still collide: a row another worker inserted
// after the read. INSERT ... ON CONFLICT DO NOTHING waits for that worker to commit and skips the
// row; the batch then goes back to a savepoint taken before the read (which also lets go of the
// rows it locked, so locks are always taken in id order from none held, and two writers never
// deadlock) and is decided again against what was committed. Each round that is undone had met a
// row that did not exist before, so rounds end.
import type pg from 'pg';
import { ENTRY_COLUMNS, readEntry, REPLACED_COLUMNS, type StorableEntry, writtenRow, type WrittenEntryRow } from './entry-row.js';
import { decideEntry, type StoredDates } from './entry-rules.js';
import type { EntryCounts } from './store.js';

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

type Write = { kind: 'insert' | 'replace'; row: WrittenEntryRow } | { kind: 'touch'; capturedMs: number; contentHash: string };

/** What deciding a batch's entries came to. */
interface Decisions {
  writes: Map<string, Write>;
  /** Newest capture decided, by id. */
  seen: Map<string, number>;
  counts: EntryCounts;
}

/**
 * Decides and writes one batch inside the caller's transaction. Returns what the pass must add
 * once the transaction has committed; `pass` itself is left alone.
 */
export async function writeEntryBatch(client: pg.PoolClient, pass: PassProgress, entries: readonly StorableEntry[]): Promise<{ seen: Map<string, number>; counts: EntryCounts }> {
  const ids = [...new Set(entries.map((entry) => entry.id))].sort(byteOrder);
  for (;;) {
    await client.query('SAVEPOINT entry_batch');
    const decided = decideEntries(pass, entries, await lockRows(client, ids));
    if (await flush(client, decided.writes)) return { seen: decided.seen, counts: decided.counts };
    await client.query('ROLLBACK TO SAVEPOINT entry_batch');
  }
}

/** The stored state of these rows, locked to the end of the transaction (in id order, as every writer locks). */
async function lockRows(client: pg.PoolClient, ids: readonly string[]): Promise<Map<string, StoredDates>> {
  const { rows } = await client.query<StoredDates & { id: string }>(
    'SELECT id, published_ms, updated_ms, captured_ms, first_seen_ms, content_hash FROM entries WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C" FOR UPDATE',
    [ids],
  );
  return new Map<string, StoredDates>(rows.map(({ id, ...state }) => [id, state]));
}

/** The entry rules, over a batch in the order it came, against the rows as read (`current` is updated as it goes). */
function decideEntries(pass: PassProgress, entries: readonly StorableEntry[], current: Map<string, StoredDates>): Decisions {
  const writes = new Map<string, Write>();
  const seen = new Map<string, number>();
  const counts: EntryCounts = { new: 0, updated: 0, unchanged: 0 };
  for (const entry of entries) {
    const { capturedMs } = entry;
    const seenMs = seen.get(entry.id) ?? pass.seen.get(entry.id);
    // Met again in this pass (a brief on two pages): counted once by what the store did, and
    // each further meeting as unchanged, so the counts add up to the entries the pages carry.
    if (seenMs !== undefined) counts.unchanged++;
    if (seenMs !== undefined && capturedMs <= seenMs) continue;
    const outcome = decide(entry, seenMs !== undefined);
    if (seenMs === undefined) counts[outcome]++;
    seen.set(entry.id, capturedMs);
  }

  function decide(entry: StorableEntry, storedThisPass: boolean): keyof EntryCounts {
    const existing = current.get(entry.id);
    const { count, write } = decideEntry(readEntry(entry), existing, { nowMs: pass.nowMs, storedThisPass });
    if (write.kind === 'insert' || write.kind === 'replace') {
      put(writtenRow(entry, write));
    } else if (write.kind === 'touch' && existing) {
      // Remember the capture so an older one cannot win later (and the hash in today's form,
      // when an earlier version stored the row).
      const { capturedMs } = entry;
      existing.captured_ms = capturedMs;
      existing.content_hash = entry.contentHash;
      const pending = writes.get(entry.id);
      if (pending && pending.kind !== 'touch') pending.row.captured_ms = capturedMs;
      else writes.set(entry.id, { kind: 'touch', capturedMs, contentHash: entry.contentHash });
    }
    return count;
  }

  /** A row written this batch; a row inserted this batch stays an insert whatever follows. */
  function put(row: WrittenEntryRow): void {
    const { id, published_ms, updated_ms, captured_ms, first_seen_ms, content_hash } = row;
    const inserted = writes.get(id)?.kind === 'insert' || !current.has(id);
    current.set(id, { published_ms, updated_ms, captured_ms, first_seen_ms, content_hash });
    writes.set(id, { kind: inserted ? 'insert' : 'replace', row });
  }

  return { writes, seen, counts };
}

/** The type of each column's array for unnest: epoch milliseconds are bigint, the rest text. */
const columnType = (column: string) => (column.endsWith('_ms') ? 'bigint' : 'text');
const UNNEST_ROWS = `unnest(${ENTRY_COLUMNS.map((column, index) => `$${index + 1}::${columnType(column)}[]`).join(', ')}) AS u(${ENTRY_COLUMNS.join(', ')})`;
const rowValue = (column: string) => (column === 'categories' ? 'u.categories::jsonb' : `u.${column}`);

/**
 * One statement per kind of write, whatever the batch's size; rows in id order, as they were
 * locked. False, with the rest left unwritten, when another writer inserted a new row first.
 */
async function flush(client: pg.PoolClient, writes: Map<string, Write>): Promise<boolean> {
  const ordered = [...writes].sort(([a], [b]) => byteOrder(a, b));
  const inserts = ordered.flatMap(([, write]) => (write.kind === 'insert' ? [write.row] : []));
  const replaces = ordered.flatMap(([, write]) => (write.kind === 'replace' ? [write.row] : []));
  const touches = ordered.flatMap(([id, write]) => (write.kind === 'touch' ? [{ id, ...write }] : []));
  if (inserts.length > 0) {
    const result = await client.query(
      `INSERT INTO entries (${ENTRY_COLUMNS.join(', ')}) SELECT ${ENTRY_COLUMNS.map(rowValue).join(', ')} FROM ${UNNEST_ROWS} ON CONFLICT (id) DO NOTHING`,
      columns(inserts),
    );
    if (result.rowCount !== inserts.length) return false;
  }
  if (replaces.length > 0) {
    const assignments = REPLACED_COLUMNS.map((column) => `${column} = ${rowValue(column)}`);
    await client.query(`UPDATE entries AS e SET ${assignments.join(', ')} FROM ${UNNEST_ROWS} WHERE e.id = u.id`, columns(replaces));
  }
  if (touches.length > 0) {
    await client.query(
      'UPDATE entries AS e SET captured_ms = u.captured_ms, content_hash = u.content_hash FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, captured_ms, content_hash) WHERE e.id = u.id',
      [touches.map((touch) => touch.id), touches.map((touch) => touch.capturedMs), touches.map((touch) => touch.contentHash)],
    );
  }
  return true;
}

/** Rows as one array per column, for unnest: a statement's size never depends on the batch's. */
function columns(rows: readonly WrittenEntryRow[]): unknown[][] {
  return ENTRY_COLUMNS.map((column) => rows.map((row) => row[column]));
}

/** Byte order of UTF-8, as COLLATE "C" and SQLite compare ids. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
