// RSS says nothing of whether a title is text or markup. Readers follow Universal Feed Parser's
// rule, and so does feedloom: a title is markup only when it looks like HTML (it has a closing
// tag or an entity reference, every tag in it is an HTML element, and every named entity is one
// HTML defines). "Why the <title> element matters" (no closing tag) is text, read as written.
import { decodeHTMLStrict } from 'entities';

/** HTML's elements that may appear in text (the document-level ones, <html> or <head>, may not). */
const HTML_TEXT_ELEMENTS = new Set(
  (
    'a abbr acronym address area article aside audio b bdi bdo big blockquote br button caption center cite code col colgroup ' +
    'data datalist dd del details dfn dialog dir div dl dt em fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 ' +
    'header hgroup hr i img input ins kbd label legend li main map mark menu meter nav ol optgroup option output p picture pre ' +
    'progress q rp rt ruby s samp section select small source span strike strong sub summary sup table tbody td textarea ' +
    'tfoot th thead time tr track tt u ul var video wbr'
  ).split(' '),
);

const CLOSING_TAG = /<\/\w+>/;
const ENTITY_REFERENCE = /&#?\w+;/;
const TAG_NAMES = /<\/?(\w+)/g;
const NAMED_ENTITIES = /&(\w+);/g;

/** Whether an RSS element's text (already XML-decoded) is meant as HTML. */
export function looksLikeHtml(text: string): boolean {
  if (!CLOSING_TAG.test(text) && !ENTITY_REFERENCE.test(text)) return false;
  for (const [, name] of text.matchAll(TAG_NAMES)) if (!HTML_TEXT_ELEMENTS.has(name!.toLowerCase())) return false;
  for (const [reference] of text.matchAll(NAMED_ENTITIES)) if (decodeHTMLStrict(reference) === reference) return false;
  return true;
}
