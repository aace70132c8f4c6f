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
    const bidiControl = (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
    const zeroWidth = code === 0x180e || code === 0x200b || code === 0x2060 || code === 0xfeff;
    if (forbidden || zeroWidth || bidiControl) continue;
    kept.push(/\s/.test(char) ? ' ' : char);
  }
  return kept.join('').replace(/ +/g, ' ').trim();
}

const PIECES = [
  'Ferry', 'café', 'Zürich', '—', '“late”', '€', ' ', '  ', '\t', '\n', '\n\n', '\r', '\u00a0', '\u2009', '\u3000',
  '\u200b', '\ufeff', '\u0007', '\u0085', 'e\u0301', '\u212b', '\ud83d\ude00', '\ud83d', '\ude00', '\ue000', '\uffff', 'Ωμέγα', '½',
  '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200f', 'שלום',
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

describe('bidirectional controls', () => {
  it('are removed, so a title cannot display other than it reads', () => {
    // "Invoice for gpj.exe" shown reversed: the override would make it look like a .jpg.
    expect(cleanLine('Invoice for \u202Egpj.exe\u202C today')).toBe('Invoice for gpj.exe today');
    expect(cleanLine('\u2066Isolated\u2069 \u2067rtl\u2069 \u2068first\u2069 \u202Aembed\u202C \u202Bembed\u202C \u202Doverride\u202C')).toBe('Isolated rtl first embed embed override');
    // Right-to-left text itself, and the right-to-left mark, stay.
    expect(cleanLine('שלום \u200Fעולם')).toBe('שלום \u200Fעולם');
  });
});
