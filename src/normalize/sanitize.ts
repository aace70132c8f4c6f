// Untrusted HTML from other servers -> HTML safe to republish, with every link absolute and free
// of tracking parameters. It runs as the last step before an entry is stored, so nothing added
// after it can slip past it.
import { decodeHTML } from 'entities';
import sanitizeHtml from 'sanitize-html';
import { LINE_BREAK_END_TAGS, LINE_BREAK_START_TAGS, sanitizeSimpleHtml, type SimpleHtmlRules } from './simple-html.js';
import { resolveLink } from './urls.js';

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 'b', 'i', 'u', 's',
  'sub', 'sup', 'small', 'mark', 'q', 'cite', 'abbr', 'time', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img', 'figure',
  'figcaption', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'span', 'div', 'audio', 'video',
];

// Their text is code, styling or widgets, never prose worth keeping.
const NON_TEXT_TAGS = ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'form', 'template', 'svg', 'math'];
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp|avif);base64,[a-z0-9+/=\s]+$/i;

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title', 'hreflang'],
  img: ['src', 'alt', 'title', 'width', 'height'],
  audio: ['src', 'controls'],
  video: ['src', 'controls', 'poster', 'width', 'height'],
  time: ['datetime'],
  abbr: ['title'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan', 'scope'],
};

// The attribute of each tag that holds a link.
const LINK_ATTRIBUTE: Readonly<Record<string, string>> = { a: 'href', img: 'src', audio: 'src', video: 'src' };

/** A tag's attributes with its link resolved against `base`, or dropped when unusable. */
function withResolvedLink(tagName: string, attribs: Record<string, string>, base: string): Record<string, string> {
  const attribute = LINK_ATTRIBUTE[tagName];
  if (attribute === undefined) return attribs;
  const { [attribute]: value, ...rest } = attribs;
  const resolved = tagName === 'img' && value && SAFE_DATA_IMAGE.test(value) ? value : resolveLink(value, base);
  return resolved ? { ...rest, [attribute]: resolved } : rest;
}

function options(base: string): sanitizeHtml.IOptions {
  const link = (tagName: string, attribs: sanitizeHtml.Attributes) => ({ tagName, attribs: withResolvedLink(tagName, attribs, base) });
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'poster'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: NON_TEXT_TAGS,
    transformTags: Object.fromEntries(Object.keys(LINK_ATTRIBUTE).map((tag) => [tag, link])),
  };
}

const ALLOWED_TAG_SET = new Set(ALLOWED_TAGS);

export interface SanitizedHtml {
  /** Safe HTML with links resolved. */
  html: string;
  /** Its visible text, one paragraph per block (as sanitizedHtmlToText gives it). */
  text: string;
}

/** Safe HTML with links resolved against `base`, and its text. */
export function sanitizeHtmlContent(html: string, base: string): SanitizedHtml {
  // Most feed HTML is simple enough to be read without a parser, with the same result.
  const simple = sanitizeSimpleHtml(html, {
    tags: ALLOWED_TAG_SET,
    attributes: ALLOWED_ATTRIBUTES,
    transform: (tagName, attribs) => withResolvedLink(tagName, attribs, base),
  });
  if (simple !== undefined) return { html: simple.html.trim(), text: paragraphs(simple.text) };
  const safe = sanitizeHtmlWithParser(html, base).trim();
  return { html: safe, text: sanitizedHtmlToText(safe) };
}

/** What sanitizeHtmlContent() makes of any HTML, through sanitize-html's parser (and untrimmed). */
export function sanitizeHtmlWithParser(html: string, base: string): string {
  return sanitizeHtml(html, options(base));
}

// Tags after which text starts a new line, as the simple-HTML reader breaks it.
const BLOCK_END = new RegExp(`<(${[...LINE_BREAK_START_TAGS, ...LINE_BREAK_END_TAGS.map((tag) => `\\/${tag}`)].join('|')})\\b[^>]*>`, 'gi');

// For text alone every allowed tag may stay (sanitizedHtmlToText drops them), with no attribute.
const TEXT_RULES: SimpleHtmlRules = { tags: ALLOWED_TAG_SET, attributes: {}, transform: (_tagName, attribs) => attribs };

/** Visible text of untrusted HTML: tags and their code dropped, entities decoded, one paragraph per block. */
export function htmlToText(html: string): string {
  // Most titles and many summaries hold no markup at all.
  if (!html.includes('<')) return paragraphs(html.includes('&') ? decodeHTML(html) : html);
  const simple = sanitizeSimpleHtml(html, TEXT_RULES);
  return simple === undefined ? htmlToTextWithParser(html) : paragraphs(simple.text);
}

/** What htmlToText() makes of any HTML, through sanitize-html's parser. */
export function htmlToTextWithParser(html: string): string {
  const text = sanitizeHtml(html.replace(BLOCK_END, '$&\n'), { allowedTags: [], allowedAttributes: {}, nonTextTags: NON_TEXT_TAGS });
  return paragraphs(decodeHTML(text));
}

/**
 * Visible text of HTML that sanitizeHtmlContent() made: it is well-formed and holds no script
 * or style, so dropping its tags is all there is to do, without parsing it a second time.
 */
export function sanitizedHtmlToText(html: string): string {
  return paragraphs(decodeHTML(html.replace(BLOCK_END, '$&\n').replace(/<[^>]*>/g, '')));
}

// Whitespace but newlines (\s takes in no-break and the other Unicode spaces).
const SPACE_RUNS_IN_LINE = /[^\S\n]+/g;
// A line needs its spaces made single only if it holds some other space or two in a row.
const UNEVEN_SPACE = /[^\S\n ]| {2}/;

/** One paragraph per non-blank line, each with single spaces and trimmed. */
function paragraphs(text: string): string {
  // Line by line, and a replace only where one is needed: most lines need none, and feeds hold
  // thousands of them.
  let kept = '';
  for (let from = 0; from <= text.length; ) {
    let end = text.indexOf('\n', from);
    if (end === -1) end = text.length;
    let line = text.slice(from, end);
    if (UNEVEN_SPACE.test(line)) line = line.replace(SPACE_RUNS_IN_LINE, ' ');
    line = line.trim();
    if (line !== '') kept = kept === '' ? line : `${kept}\n\n${line}`;
    from = end + 1;
  }
  return kept;
}
