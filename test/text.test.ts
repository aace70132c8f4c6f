import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanLine } from '../src/normalize/text.js';

// cleanLine() spelt out character by character, without its shortcuts for common text.
function cleanLineSpelledOut(text: string): string {
  const kept: string[] = [];
  const chars = Array.from(text.normalize('NFC'));
  for (const char of chars) {
    const code = char.codePointAt(0)!;
    const forbidden =
      (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd) ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0xfffe || code === 0xffff ||
      (code >= 0xd800 && code <= 0xdfff); // A lone surrogate: Array.from keeps pairs whole.
    const zeroWidth = code === 0x180e || code === 0x200b || code === 0x2060 || code === 0xfeff;
    if (forbidden || zeroWidth) continue;
    kept.push(/\s/.test(char) ? ' ' : char);
  }
  return kept.join('').replace(/ +/g, ' ').trim();
}

const PIECES = [
  'Ferry', 'café', 'Zürich', '—', '“late”', '€', ' ', '  ', '\t', '\n', '\n\n', '\r', '\u00a0', '\u2009', '\u3000',
  '\u200b', '\ufeff', '\u0007', '\u0085', 'e\u0301', '\u212b', '\ud83d\ude00', '\ud83d', '\ude00', '\ue000', '\uffff', 'Ωμέγα', '½',
];

describe('cleanLine', () => {
  it('gives what the character-by-character rules give, shortcuts or not', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 16 }), (pieces) => {
        const text = pieces.join('');
        expect(cleanLine(text)).toBe(cleanLineSpelledOut(text));
      }),
      { numRuns: 3000 },
    );
  });
});
