// A pass hands its entries to the store in batches: in reading order, none lost, none twice.
import { describe, expect, it } from 'vitest';
import type { Entry } from '../src/model.js';
import { EntryBatches } from '../src/worker/entry-batches.js';
import { item } from './store-contract.js';

const entries = (from: number, count: number): Entry[] => Array.from({ length: count }, (_, index) => item(`e${from + index}`, '2026-09-14T08:00:00Z'));

describe('EntryBatches', () => {
  it('writes a batch once it is full, and the rest on flush, in the order the entries came', async () => {
    const written: string[][] = [];
    const batches = new EntryBatches(async (batch) => void written.push(batch.map((entry) => entry.id)), 5);
    await batches.add(entries(0, 3));
    expect(written).toEqual([]);
    await batches.add(entries(3, 3));
    expect(written).toEqual([['e0', 'e1', 'e2', 'e3', 'e4', 'e5']]);
    await batches.add(entries(6, 2));
    await batches.flush();
    await batches.flush();
    expect(written).toEqual([['e0', 'e1', 'e2', 'e3', 'e4', 'e5'], ['e6', 'e7']]);
  });

  it('writes one batch at a time, even when sources finish while a batch is being written', async () => {
    let writing = 0;
    let most = 0;
    const written: string[] = [];
    const batches = new EntryBatches(async (batch) => {
      most = Math.max(most, ++writing);
      await new Promise((resolve) => setTimeout(resolve, 5));
      written.push(...batch.map((entry) => entry.id));
      writing--;
    }, 2);
    await Promise.all([batches.add(entries(0, 2)), batches.add(entries(2, 2)), batches.add(entries(4, 1))]);
    await batches.flush();
    expect(most).toBe(1);
    expect(written).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('fails the flush when the store fails a batch', async () => {
    const batches = new EntryBatches(async () => {
      throw new Error('disk full');
    }, 10);
    await batches.add(entries(0, 1));
    await expect(batches.flush()).rejects.toThrow('disk full');
  });
});
