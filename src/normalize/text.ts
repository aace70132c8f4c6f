// Text clean-up shared by every normalizer. Pure.

// Characters XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF),
// plus C1 controls, plus the bidirectional embedding, override and isolate controls (U+202A-E,
// U+2066-9), which can make text display other than it reads. Marks (U+200E/F) stay.
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Every kind of visible space, no-break ones included, becomes one plain space; zero-width
// spaces and stray byte-order marks vanish (joiners stay: emoji sequences need them).
const SPACE_RUNS = /[\s\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;
const ZERO_WIDTH = /[\u180E\u200B\u2060\uFEFF]/g;

// Printable ASCII, Latin letters (all precomposed, so already NFC) and typographic punctuation:
// a line made only of these, with single inner spaces, is clean as it stands. Most lines are.
const CLEAN_CHARACTERS = /^[!-~\u00A1-\u02FF\u2010-\u2027\u2030-\u205E\u20A0-\u20BF]+(?: [!-~\u00A1-\u02FF\u2010-\u2027\u2030-\u205E\u20A0-\u20BF]+)*$/;

// The same characters with ASCII spaces, tabs and line breaks anywhere: only the spacing to fix.
const CLEAN_CHARACTERS_ANY_SPACING = /^[\t\n\r !-~\u00A1-\u02FF\u2010-\u2027\u2030-\u205E\u20A0-\u20BF]*$/;
const ASCII_SPACE_RUNS = /[\t\n\r ]+/g;

/** One line of display text: NFC, no control characters, single spaces, trimmed. */
export function cleanLine(text: string): string {
  if (CLEAN_CHARACTERS.test(text)) return text;
  // Paragraphs joined into one line, say, need no more than their spacing made single.
  if (CLEAN_CHARACTERS_ANY_SPACING.test(text)) return text.replace(ASCII_SPACE_RUNS, ' ').trim();
  return text.normalize('NFC').replace(UNSAFE_CHARACTERS, '').replace(ZERO_WIDTH, '').replace(SPACE_RUNS, ' ').trim();
}

/** Key for comparing lines the way a reader would: case and trailing punctuation ignored. */
export function lineKey(text: string): string {
  return cleanLineKey(cleanLine(text));
}

const KEY_TRAILING = new Set([' ', '.', '!', '?', ':', ';', '…']);

/** lineKey of a line cleanLine has already cleaned (so its only spaces are single plain ones). */
export function cleanLineKey(line: string): string {
  // A loop, not /[\s.!?:;…]+$/: that pattern is tried from every space and stop in the line.
  let end = line.length;
  while (end > 0 && KEY_TRAILING.has(line[end - 1]!)) end--;
  return (end === line.length ? line : line.slice(0, end)).toLowerCase();
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Cuts text at a word boundary so it fits in `max` characters, ellipsis included.
 * Counts code points, so a cut never splits a surrogate pair.
 */
export function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  // The first `max` code points lie within the first 2 * max UTF-16 units; without a surrogate
  // among them, as in most text, each code point is one unit and a plain slice counts right.
  const head = text.slice(0, 2 * max);
  let room: string;
  if (SURROGATE.test(head)) {
    const chars = Array.from(head);
    if (chars.length <= max && text.length <= 2 * max) return text;
    room = chars.slice(0, max - 1).join('');
  } else {
    room = text.slice(0, max - 1);
  }
  const lastSpace = room.lastIndexOf(' ');
  // A single giant word has no boundary to cut at; cut it rather than return nothing.
  const cut = lastSpace > max / 3 ? room.slice(0, lastSpace) : room;
  return `${cut.replace(/[\s,;:.–—-]+$/u, '')}…`;
}
