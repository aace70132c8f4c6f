// Dates are minute-precision, so two entries of one feed can share an instant. Readers and the
// W3C validator take equal `updated` values as a sign of the same entry written twice; moving
// the later-listed one back by whole seconds keeps every date distinct and the order intact.
import type { StoredEntry } from '../model.js';

const SECOND = 1000;

/** Entries in feed order, with each `updated` made unique by moving ties back by seconds. */
export function separateTiedDates(entries: readonly StoredEntry[]): StoredEntry[] {
  const taken = new Set<number>();
  return entries.map((entry) => {
    let updated = entry.updated.getTime();
    if (!taken.has(updated)) {
      taken.add(updated);
      return entry;
    }
    while (taken.has(updated)) updated -= SECOND;
    taken.add(updated);
    const published = Math.min(entry.published.getTime(), updated);
    return { ...entry, updated: new Date(updated), published: new Date(published) };
  });
}
