// Guards for values handed to the `feed` package (6.0.0), which writes XML through xml-js and
// gets three things wrong for some inputs. Each guard maps a value to what the package must
// receive so that its output is well-formed and reads back as the original text:
// - text nodes: xml-js turns "&amp;" back into "&" before escaping, so "&" is pre-escaped once;
// - CDATA sections: only the first "]]>" is split, so every one is swapped for a placeholder;
// - attribute values: "&" is escaped but "<" is not, so "<" is swapped for a placeholder.
// - Atom entry titles: always written as type="html", which readers show with entities left in
//   ("AT&amp;T"), so they are given XML-escaped and rewritten as type="text" by atomTextTitles().
// finishXml() turns the placeholders into their XML forms. Both placeholders are private-use
// characters that cleanLine() removes from every input, so they occur nowhere else.
import { cleanLine } from '../normalize/text.js';

const LT_PLACEHOLDER = '\uE000';
const CDATA_END_PLACEHOLDER = '\uE001';
// Text that never went through cleanLine (HTML built from clean text keeps its newlines).
const XML_UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uE000\uE001\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(text: string): string {
  return text.replace(XML_UNSAFE, '');
}

/** For fields `feed` writes as text nodes (titles of the feed, names, descriptions). */
export function asText(text: string): string {
  return cleanLine(text).replace(/&/g, '&amp;');
}

/** For fields `feed` wraps in CDATA (item titles, summaries, content). */
export function asCdata(text: string): string {
  return xmlSafe(text).replace(/]]>/g, `]]${CDATA_END_PLACEHOLDER}`);
}

/** For fields `feed` writes into attributes (category terms). */
export function asAttribute(text: string): string {
  return cleanLine(text).replace(/</g, LT_PLACEHOLDER);
}

/** For Atom entry titles, which atomTextTitles() turns into plain text titles. */
export function asAtomTitle(text: string): string {
  return cleanLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The title was escaped by asAtomTitle(), so it holds no "]]>" and no markup. */
export function atomTextTitles(xml: string): string {
  return xml.replace(/<title type="html"><!\[CDATA\[(.*?)\]\]><\/title>/g, '<title type="text">$1</title>');
}

export function finishXml(xml: string): string {
  return `${xml.replaceAll(LT_PLACEHOLDER, '&lt;').replaceAll(CDATA_END_PLACEHOLDER, ']]><![CDATA[>')}\n`;
}
