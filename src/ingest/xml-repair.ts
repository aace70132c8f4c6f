// Makes a fetched XML feed safe and parseable before any parser sees it. Publishers get XML
// wrong in a few common ways, and one mistake must not lose the whole feed:
// - a DOCTYPE is removed with its internal subset, so no entity is ever expanded
//   (billion laughs) and no external entity is ever resolved (local file disclosure);
// - HTML named entities (&nbsp;) become numeric references, which XML understands;
// - a bare "&" and unknown entities become literal text ("&amp;");
// - characters XML forbids (control characters, references to them) are dropped.
import { decodeHTMLStrict } from 'entities';

const DOCTYPE = /<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>/gi;
// XML's own five entities are left alone by the pattern itself: escaped HTML in a feed holds
// thousands of them, and a callback for each costs more than the rest of the repair. Names are
// case-sensitive in XML: "&AMP;" is HTML's, and is repaired like any other HTML entity.
const AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos);)(#\d+;|#[xX][0-9a-fA-F]+;|[a-zA-Z][a-zA-Z0-9]*;)?/g;

const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function repairXml(text: string): string {
  return text.replace(DOCTYPE, '').replace(FORBIDDEN_CHARACTERS, '').replace(AMPERSAND, (match, reference: string | undefined) => {
    if (reference === undefined) return '&amp;';
    if (reference.startsWith('#')) return isXmlCharacter(numericReference(reference)) ? match : '';
    const decoded = decodeHTMLStrict(match);
    if (decoded === match) return `&amp;${reference}`;
    return Array.from(decoded, (char) => `&#${char.codePointAt(0)};`).join('');
  });
}

function numericReference(reference: string): number {
  const digits = reference.slice(1, -1);
  return digits[0] === 'x' || digits[0] === 'X' ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
}

/** XML 1.0 allows tab, newline, return and everything from space up, except surrogates and U+FFFE/U+FFFF. */
function isXmlCharacter(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  if (code < 0x20 || code > 0x10ffff) return false;
  return !(code >= 0xd800 && code <= 0xdfff) && code !== 0xfffe && code !== 0xffff;
}
