// nameBasedUuid() hashes into a reused buffer rather than through a Hash object per id; it is
// held here to the plain RFC 9562 construction it replaced, on any name at all.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameBasedUuid, urnUuid } from '../src/shared/ids.js';

const NAMESPACE = Buffer.from('6f9f3c0e4b1a5d2e8c7b9a0d1e2f3a4b', 'hex');

function referenceUuid(name: string): string {
  const digest = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('name-based UUIDs', () => {
  it('are the RFC 9562 version 5 UUID of the name, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        expect(nameBasedUuid(name)).toBe(referenceUuid(name));
      }),
      { numRuns: 2000 },
    );
  });

  it('are right for names longer than any buffer kept for them', () => {
    for (const length of [0, 1, 255, 256, 4095, 4096, 4097, 100_000]) {
      const name = 'é'.repeat(length);
      expect(nameBasedUuid(name)).toBe(referenceUuid(name));
    }
  });

  it('are right for ids of several parts, one after another', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 80 }), { maxLength: 5 }), (parts) => {
        expect(urnUuid(...parts)).toBe(`urn:uuid:${referenceUuid(JSON.stringify(parts))}`);
      }),
    );
  });
});
