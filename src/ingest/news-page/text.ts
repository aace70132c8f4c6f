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
  nodes.forEach((one) => collectText(one, parts));
  return cleanText(parts.join(''));
}

function collectText(node: AnyNode, parts: string[]): void {
  if (node.type === 'text') {
    parts.push((node as unknown as { data: string }).data);
    return;
  }
  if (node.type !== 'tag' && node.type !== 'root') return;
  const element = node as Element;
  const apart = node.type === 'tag' && !RUN_ON.has(element.tagName);
  if (apart) parts.push(' ');
  for (const child of element.children) collectText(child, parts);
  if (apart) parts.push(' ');
}

/** Title comparison ignores case, punctuation and spacing, which lists and JSON-LD write differently. */
export function titleKey(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}\s]+/gu, ' ')
    .trim();
}
