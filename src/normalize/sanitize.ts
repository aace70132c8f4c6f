// Untrusted HTML from other servers -> HTML safe to republish, with every link absolute and free
// of tracking parameters. It runs as the last step before an entry is stored, so nothing added
// after it can slip past it.
import { decodeHTML } from 'entities';
import sanitizeHtml from 'sanitize-html';
import { resolveLink } from './urls.js';

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 'b', 'i', 'u', 's',
  'sub', 'sup', 'small', 'mark', 'q', 'cite', 'abbr', 'time', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img', 'figure',
  'figcaption', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'span', 'div', 'audio', 'video',
];

// Their text is code, styling or widgets, never prose worth keeping.
const NON_TEXT_TAGS = ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'form', 'template', 'svg', 'math'];
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp|avif);base64,[a-z0-9+/=\s]+$/i;

function options(base: string): sanitizeHtml.IOptions {
  const link = (attribute: string) => (tagName: string, attribs: sanitizeHtml.Attributes) => {
    const { [attribute]: value, ...rest } = attribs;
    const resolved = tagName === 'img' && value && SAFE_DATA_IMAGE.test(value) ? value : resolveLink(value, base);
    return { tagName, attribs: resolved ? { ...rest, [attribute]: resolved } : rest };
  };
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'hreflang'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      audio: ['src', 'controls'],
      video: ['src', 'controls', 'poster', 'width', 'height'],
      time: ['datetime'],
      abbr: ['title'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'poster'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: NON_TEXT_TAGS,
    transformTags: { a: link('href'), img: link('src'), audio: link('src'), video: link('src') },
  };
}

/** Safe HTML with links resolved against `base`. */
export function sanitizeHtmlContent(html: string, base: string): string {
  return sanitizeHtml(html, options(base)).trim();
}

const BLOCK_END = /<(br|\/p|\/div|\/li|\/h[1-6]|\/blockquote|\/tr)\b[^>]*>/gi;

/** Visible text of untrusted HTML: tags and their code dropped, entities decoded, one paragraph per block. */
export function htmlToText(html: string): string {
  // Most titles and many summaries hold no markup at all.
  if (!html.includes('<')) return paragraphs(html.includes('&') ? decodeHTML(html) : html);
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

/** One paragraph per non-blank line, each with single spaces and trimmed. */
function paragraphs(text: string): string {
  // One replace over the whole text rather than one per line: feeds have thousands of lines.
  const kept: string[] = [];
  for (const line of text.replace(SPACE_RUNS_IN_LINE, ' ').split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '') kept.push(trimmed);
  }
  return kept.join('\n\n');
}
