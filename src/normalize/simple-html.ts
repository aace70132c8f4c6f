// The HTML most feeds send is simple: allowed tags, lowercase, each closed in order, attributes
// in double quotes, entities spelt in full. Sanitizing it with sanitize-html is a third of the
// cost of reading a feed, so sanitize.ts asks here first. sanitizeSimpleHtml() reads that kind
// of HTML with one pattern per tag and writes exactly what sanitize-html would; on anything
// else (a comment, a tag it does not allow, an end tag out of place, a bare `&copy`) it gives
// up and sanitize-html does the work. test/simple-html.test.ts holds it to sanitize-html's
// output on generated HTML.
//
// Its output is built from what it read, never copied: text and attribute values are escaped,
// tags come from an allowlist and links go through resolveLink(), so a reading mistake here
// could make the output differ from sanitize-html's, but never make it unsafe.
import { decodeHTMLStrict } from 'entities';
import { escapeText } from '../shared/escape.js';

/** sanitize-html's options for the HTML, as far as simple HTML needs them. */
export interface SimpleHtmlRules {
  /** The attributes each tag may keep (after `transform`). */
  attributes: Readonly<Record<string, readonly string[]>>;
  /** Tags sanitize-html would keep. */
  tags: ReadonlySet<string>;
  /** The tag's attributes after sanitize-html's transformTags for it (links resolved). */
  transform: (tagName: string, attribs: Record<string, string>) => Record<string, string>;
}

// Elements without content: written `<br />`, never closed.
const VOID = new Set(['br', 'hr', 'img']);
// Opening one of these while the element on top is `p` makes the HTML parser close that `p`
// first, and likewise for list items; such HTML is not "closed in order".
const CLOSES_P = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'div', 'dl', 'figcaption', 'figure', 'hr', 'ol', 'pre', 'table', 'ul']);
const IMPLIED_CLOSE: Readonly<Record<string, ReadonlySet<string>>> = {
  li: new Set(['li']),
  dd: new Set(['dd', 'dt']),
  dt: new Set(['dd', 'dt']),
};
// Tables and media have more closing rules and attributes of their own; they are left to sanitize-html.
const NOT_READ = new Set(['audio', 'video', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption']);

const START_TAG = /<([a-z][a-z0-9]*)((?:[\t\n\r ]+[a-z][a-z0-9-]*="[^"<>]*")*)[\t\n\r ]*(\/?)>/y;
const END_TAG = /<\/([a-z][a-z0-9]*)>/y;
const ATTRIBUTE = /[\t\n\r ]+([a-z][a-z0-9-]*)="([^"<>]*)"/g;
// `&` before one of these starts a character reference; anything else is a literal `&`.
const REFERENCE_START = /[A-Za-z0-9#]/;
const REFERENCE = /&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});/y;

/** Tags after which the text of HTML starts a new line: start tags, and end tags (by element name). */
export const LINE_BREAK_START_TAGS: readonly string[] = ['br'];
export const LINE_BREAK_END_TAGS: readonly string[] = ['p', 'div', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'tr'];
const BREAK_AFTER_START = new Set(LINE_BREAK_START_TAGS);
const BREAK_AFTER_END = new Set(LINE_BREAK_END_TAGS);

export interface SimpleHtml {
  /** What sanitize-html would write. */
  html: string;
  /** Its text, decoded, with a line break after each tag that ends a line (not yet tidied). */
  text: string;
}

/** sanitize-html's output for `html`, or undefined when the HTML is not simple enough to tell. */
export function sanitizeSimpleHtml(html: string, rules: SimpleHtmlRules): SimpleHtml | undefined {
  const open: string[] = [];
  let out = '';
  let text = '';
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    const textEnd = lt === -1 ? html.length : lt;
    if (textEnd > at) {
      const decoded = decodeText(html.slice(at, textEnd));
      if (decoded === undefined) return undefined;
      out += escapeText(decoded);
      text += decoded;
    }
    if (lt === -1) break;
    if (html.charCodeAt(lt + 1) === 47 /* / */) {
      END_TAG.lastIndex = lt;
      const end = END_TAG.exec(html);
      if (!end || open.pop() !== end[1]) return undefined;
      out += `</${end[1]}>`;
      if (BREAK_AFTER_END.has(end[1]!)) text += '\n';
      at = END_TAG.lastIndex;
      continue;
    }
    START_TAG.lastIndex = lt;
    const start = START_TAG.exec(html);
    if (!start) return undefined;
    const name = start[1]!;
    if (!rules.tags.has(name) || NOT_READ.has(name)) return undefined;
    const top = open[open.length - 1];
    if (top !== undefined && ((top === 'p' && CLOSES_P.has(name)) || IMPLIED_CLOSE[name]?.has(top))) return undefined;
    const isVoid = VOID.has(name);
    if (start[3] && !isVoid) return undefined;
    const tag = startTag(name, start[2]!, rules);
    if (tag === undefined) return undefined;
    out += tag;
    if (BREAK_AFTER_START.has(name)) text += '\n';
    if (!isVoid) open.push(name);
    at = START_TAG.lastIndex;
  }
  return open.length === 0 ? { html: out, text } : undefined;
}

function startTag(name: string, attributeText: string, rules: SimpleHtmlRules): string | undefined {
  // Most tags have no attributes: nothing to transform, nothing to drop.
  if (attributeText === '') return VOID.has(name) ? `<${name} />` : `<${name}>`;
  let attribs: Record<string, string> = {};
  for (const [, attribute, raw] of attributeText.matchAll(ATTRIBUTE)) {
    // The parser keeps the first of two same-named attributes; rare enough to leave to it.
    if (Object.hasOwn(attribs, attribute!)) return undefined;
    const value = decodeText(raw!);
    if (value === undefined) return undefined;
    attribs[attribute!] = value;
  }
  attribs = rules.transform(name, attribs);
  const allowed = rules.attributes[name] ?? [];
  let tag = `<${name}`;
  for (const [attribute, value] of Object.entries(attribs)) {
    if (!allowed.includes(attribute)) continue;
    // An empty value keeps the attribute only for alt (an image that is decoration says so).
    if (value === '') {
      if (attribute === 'alt') tag += ' alt=""';
      continue;
    }
    tag += ` ${attribute}="${escapeText(value).replace(/"/g, '&quot;')}"`;
  }
  return tag + (VOID.has(name) ? ' />' : '>');
}

/** Text with its character references decoded; undefined for a reference that is not spelt in full. */
function decodeText(raw: string): string | undefined {
  let amp = raw.indexOf('&');
  if (amp === -1) return raw;
  let text = '';
  let from = 0;
  while (amp !== -1) {
    text += raw.slice(from, amp);
    if (!REFERENCE_START.test(raw.charAt(amp + 1))) {
      text += '&';
      from = amp + 1;
    } else {
      REFERENCE.lastIndex = amp;
      const reference = REFERENCE.exec(raw)?.[0];
      if (reference === undefined) return undefined;
      const decoded = decodeHTMLStrict(reference);
      if (decoded === reference) return undefined;
      text += decoded;
      from = amp + reference.length;
    }
    amp = raw.indexOf('&', from);
  }
  return text + raw.slice(from);
}
