// What text may go into a feed, and the one way it is escaped into XML. Pure.
import { escapeText } from '../shared/escape.js';

// Characters XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF)
// and the C1 controls it discourages. No reader could be handed them, so no format carries them.
const XML_UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Any character XML_UNSAFE could match, surrogates paired or not: most texts have none, and this
// one pass over them is much cheaper than XML_UNSAFE's, whose look-arounds run at every character.
const MAYBE_UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;
// An XML reader turns every "\r\n" and lone "\r" into "\n" (XML 1.0 §2.11), CDATA included; the
// JSON feed makes the same change so that the three formats say the same thing.
const LINE_END = /\r\n?/g;

/** Text as every format carries it: no characters XML cannot hold, line ends as "\n". */
export function xmlSafe(text: string): string {
  const safe = MAYBE_UNSAFE.test(text) ? text.replace(XML_UNSAFE, '') : text;
  return safe.includes('\r') ? safe.replace(LINE_END, '\n') : safe;
}

// In an attribute value, whitespace becomes a plain space when read (XML 1.0 §3.3.3) unless it is
// written as a character reference; ">" may stand as it is, as `feed` leaves it.
const ATTRIBUTE_SPECIAL = /[&<"\t\n]/g;
const ATTRIBUTE_REFERENCES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;' };

/**
 * The one escaping of text into XML: element text, or an attribute value in double quotes. What is
 * written reads back as xmlSafe(text), so text that looks like markup stays text.
 */
export function escapeXml(text: string, place: 'text' | 'attribute'): string {
  const safe = xmlSafe(text);
  return place === 'text' ? escapeText(safe) : safe.replace(ATTRIBUTE_SPECIAL, (character) => ATTRIBUTE_REFERENCES[character]!);
}

/**
 * Text as CDATA sections. A section cannot hold "]]>", so each one is split between two sections
 * ("]]" ends one, ">" starts the next), as `feed` splits the first.
 */
export function cdataSections(text: string): string {
  return `<![CDATA[${xmlSafe(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
