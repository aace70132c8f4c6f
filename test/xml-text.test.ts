// xmlSafe is the one filter every format's text goes through: what XML cannot hold is taken out,
// line ends become "\n", and everything else is left exactly as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmlSafe } from '../src/render/xml-text.js';

/** XML 1.0's Char production, less the C1 controls: what xmlSafe keeps, one code point at a time. */
function kept(codePoint: number): boolean {
  if (codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd) return true;
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return false;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  return codePoint !== 0xfffe && codePoint !== 0xffff;
}

/** The same filter written the slow, obvious way: code point by code point (a lone surrogate is one). */
function byCodePoint(text: string): string {
  let out = '';
  for (const character of text) if (kept(character.codePointAt(0)!)) out += character;
  return out.replace(/\r\n?/g, '\n');
}

describe('xmlSafe', () => {
  it('keeps every character XML can hold, in order, and drops the others, lone surrogates included', () => {
    // Code units rather than characters: lone surrogates, halves of pairs and controls all come up.
    const risky = fc.constantFrom(0x0, 0x8, 0x9, 0xa, 0xb, 0xd, 0x1f, 0x7f, 0x9f, 0xa0, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfffe, 0xffff, 0x41, 0xe9);
    const unit = fc.oneof(fc.integer({ min: 0, max: 0xffff }), risky);
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }), (units) => {
        const text = String.fromCharCode(...units);
        expect(xmlSafe(text)).toBe(byCodePoint(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a text with nothing to take out as it is', () => {
    const text = 'Grève à Paris: 20 °C, “quotes” & <b>markup</b> stay text 😀\n\tend';
    expect(xmlSafe(text)).toBe(text);
    expect(xmlSafe('a\r\nb\rc')).toBe('a\nb\nc');
    expect(xmlSafe('\uD83D\uDE00\uD83D')).toBe('\uD83D\uDE00');
  });
});
