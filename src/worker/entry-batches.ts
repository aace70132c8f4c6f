// Entries read by a pass go to the store a few thousand at a time: one transaction per batch,
// not one per source. A transaction rewrites every index page it touches, so a thousand small
// ones (a feed's fifty items each) cost many times what a few large ones do.

const ENTRY_BATCH_SIZE = 2000;

/** Batches of anything with an id: entries as the store takes them. */
export class EntryBatches<T extends { id: string }> {
  private pending: T[] = [];
  /** The batch being written, if any: batches are written one after another, in reading order. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (entries: T[]) => Promise<void>,
    private readonly size = ENTRY_BATCH_SIZE,
  ) {}

  /** Takes a source's entries; resolves once they are stored or wait in a batch not yet full. */
  add(entries: readonly T[]): Promise<void> {
    for (const entry of entries) this.pending.push(entry);
    return this.pending.length >= this.size ? this.flush() : this.writing;
  }

  /** Writes what waits; resolves when every entry taken so far is stored. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }
}
