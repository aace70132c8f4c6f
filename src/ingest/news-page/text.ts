// Text as readers see it: entities decoded by cheerio, runs of white space as one space.
import type { Cheerio, CheerioAPI } from 'cheerio';
// Types only, erased at build: cheerio's own node types, from the parser package it depends on.
import type { AnyNode, Element } from 'domhandler';

export type { AnyNode, Element };

export function cleanText(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

export function textOf($: CheerioAPI, node: AnyNode | Cheerio<AnyNode>): string {
  return cleanText($(node).text());
}

/** Title comparison ignores case, punctuation and spacing, which lists and JSON-LD write differently. */
export function titleKey(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}\s]+/gu, ' ')
    .trim();
}
