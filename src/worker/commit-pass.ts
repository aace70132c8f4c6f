// The second use case of every mode: commit what a unit of work read. Its entries go to the store
// in batches as they come, then its sources' records and (when it read the pages) the page
// listing; the counts say what changed, and whether status.json has something new to show.
import { publishDue } from '../publish/published-files.js';
import { healthDiffers } from '../publish/status.js';
import { killPoint } from '../shared/kill-point.js';
import type { StorableEntry } from '../store/entry-row.js';
import type { EntryCounts, PassWriter, Store } from '../store/store.js';
import { EntryBatches } from './entry-batches.js';
import { rememberListing, type SourcesRead } from './read-sources.js';

export interface Committed {
  counts: EntryCounts;
  /** Some source's health changed: status.json is due. */
  healthChanged: boolean;
}

/**
 * One unit's commit, with a pass handle of its own: two units on one store (a worker's
 * concurrent jobs) write their batches side by side, each batch one transaction.
 */
export class PassCommit {
  private readonly batches = new EntryBatches<StorableEntry>((entries) => this.write(entries));
  private readonly pass: PassWriter;
  private readonly due;

  constructor(private readonly store: Store, nowMs: number) {
    this.pass = store.beginPass(nowMs);
    this.due = publishDue(store);
  }

  /** Takes entries as they are read; resolves once they are stored or wait in a batch. */
  readonly add = (entries: readonly StorableEntry[]): Promise<void> => this.batches.add(entries);

  async finish(read: SourcesRead): Promise<Committed> {
    await this.batches.flush();
    const healthChanged = await this.healthChanged(read);
    if (healthChanged) await this.due.mark('status');
    const counts = await this.pass.end(read.records);
    if (read.pages) await rememberListing(this.store, read.pages.listing);
    return { counts, healthChanged };
  }

  private async write(entries: StorableEntry[]): Promise<void> {
    // Marked before anything is stored, cleared by the publish that shows it (kill -9 in between).
    await this.due.mark('feeds');
    await this.pass.storeEntries(entries);
    killPoint('stored');
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
