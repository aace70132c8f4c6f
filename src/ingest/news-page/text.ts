// Text as readers see it: entities decoded by cheerio, runs of white space as one space.
import type { Cheerio } from 'cheerio';
// Types only, erased at build: cheerio's own node types, from the parser package it depends on.
import type { AnyNode, Element } from 'domhandler';

export type { AnyNode, Element };

export function cleanText(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

// Elements that run on inside a word or sentence; any other element's text stands apart from its
// neighbours', as it does on screen ("<span>Kings Arms</span><span>FT</span>" reads "Kings Arms FT").
const RUN_ON = new Set(['a', 'b', 'i', 'em', 'strong', 'u', 'small', 'sub', 'sup', 'mark', 'abbr', 'q', 'cite', 'code', 's', 'wbr', 'font', 'bdi', 'bdo']);

export function textOf(node: AnyNode | Cheerio<AnyNode>): string {
  const parts: string[] = [];
  const nodes = 'toArray' in node ? (node as Cheerio<AnyNode>).toArray() : [node as AnyNode];
  const unbounded = { left: Infinity };
  nodes.forEach((one) => collectText(one, parts, unbounded));
  return cleanText(parts.join(''));
}

/**
 * The text of a node that may be a short label, or undefined as soon as it is plainly longer than
 * `maxChars`: a day heading is looked for in elements that are often a whole article.
 */
export function shortTextOf(node: AnyNode, maxChars: number): string | undefined {
  const parts: string[] = [];
  // Raw text carries indentation and line breaks, so the bound on it is loose.
  if (!collectText(node, parts, { left: maxChars * 4 })) return undefined;
  const text = cleanText(parts.join(''));
  return text.length <= maxChars ? text : undefined;
}

/** Adds the node's text to `parts`; false, and stopped, once more than `budget.left` characters were read. */
function collectText(node: AnyNode, parts: string[], budget: { left: number }): boolean {
  if (node.type === 'text') {
    const data = (node as unknown as { data: string }).data;
    budget.left -= data.length;
    parts.push(data);
    return budget.left >= 0;
  }
  if (node.type !== 'tag' && node.type !== 'root') return true;
  const element = node as Element;
  const apart = node.type === 'tag' && !RUN_ON.has(element.tagName);
  if (apart) parts.push(' ');
  for (const child of element.children) if (!collectText(child, parts, budget)) return false;
  if (apart) parts.push(' ');
  return true;
}

/**
 * Every element under `element`, in document order. Items are read by walking them: a long live
 * blog has hundreds, and a selector query per item and question was most of its cost.
 */
export function descendantsOf(element: Element): Element[] {
  const found: Element[] = [];
  const walk = (node: Element) => {
    for (const child of node.children) {
      if (child.type !== 'tag' && child.type !== 'script' && child.type !== 'style') continue;
      found.push(child as Element);
      walk(child as Element);
    }
  };
  walk(element);
  return found;
}

/** Title comparison ignores case, punctuation and spacing, which lists and JSON-LD write differently. */
export function titleKey(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}\s]+/gu, ' ')
    .trim();
}
