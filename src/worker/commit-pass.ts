// The second use case of every mode: commit what a unit of work read. Its entries go to the store
// in batches as they come, then its sources' records and (when it read the pages) the page
// listing; the counts say what changed, and whether status.json has something new to show.
import type { Entry } from '../model.js';
import { publishDue } from '../publish/published-files.js';
import { healthDiffers } from '../publish/status.js';
import { killPoint } from '../shared/kill-point.js';
import type { EntryCounts, Store } from '../store/store.js';
import { EntryBatches } from './entry-batches.js';
import { rememberListing, type SourcesRead } from './read-sources.js';

export interface Committed {
  counts: EntryCounts;
  /** Some source's health changed: status.json is due. */
  healthChanged: boolean;
}

/**
 * One unit's commit. The store keeps the pass it is in, so two units on one store (a worker's
 * concurrent jobs) take turns from their first write to their last; reading, the slow part,
 * runs freely, and a unit whose entries fit in one batch holds its turn only while it commits.
 */
export class PassCommit {
  private readonly batches = new EntryBatches((entries) => this.write(entries));
  private turn: Promise<() => void> | undefined;
  private readonly due;

  constructor(
    private readonly store: Store,
    private readonly nowMs: number,
  ) {
    this.due = publishDue(store);
  }

  /** Takes entries as they are read; resolves once they are stored or wait in a batch. */
  readonly add = (entries: readonly Entry[]): Promise<void> => this.batches.add(entries);

  async finish(read: SourcesRead): Promise<Committed> {
    try {
      await this.batches.flush();
      await this.begin();
      const healthChanged = await this.healthChanged(read);
      if (healthChanged) await this.due.mark();
      const counts = await this.store.endPass(read.records);
      if (read.pages) await rememberListing(this.store, read.pages.listing);
      return { counts, healthChanged };
    } finally {
      await this.abandon();
    }
  }

  /** Gives up the turn of a unit that failed before finishing; what it stored stays stored. */
  async abandon(): Promise<void> {
    const turn = this.turn;
    this.turn = undefined;
    // A turn whose beginPass failed was handed on already.
    if (turn) (await turn.catch(() => () => undefined))();
  }

  private async write(entries: Entry[]): Promise<void> {
    await this.begin();
    // Marked before anything is stored, cleared by the publish that shows it (kill -9 in between).
    await this.due.mark();
    await this.store.storeEntries(entries);
    killPoint('stored');
  }

  private begin(): Promise<() => void> {
    this.turn ??= turnOn(this.store).then(async (release) => {
      try {
        await this.store.beginPass(this.nowMs);
      } catch (error) {
        release();
        throw error;
      }
      return release;
    });
    return this.turn;
  }

  /** Health changes only with a source's record; when none changed, status.json stays as it is. */
  private async healthChanged(read: SourcesRead): Promise<boolean> {
    for (const record of read.records) {
      const before = read.known?.has(record.source) ? read.known.get(record.source) : await this.store.sourceRecord(record.source);
      if (healthDiffers(record, before)) return true;
    }
    return false;
  }
}

const queues = new WeakMap<Store, Promise<unknown>>();

/** Waits for the store's turn; resolves with the function that hands it on. */
function turnOn(store: Store): Promise<() => void> {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const before = queues.get(store) ?? Promise.resolve();
  queues.set(store, before.then(() => done));
  return before.then(() => release);
}
