// The frame every page feedloom writes shares: a small, self-contained HTML5 document.
import { escapeHtml } from '../shared/escape.js';
import { xmlSafe } from './xml-text.js';

export interface PageFrame {
  language: string;
  title: string;
  /** Extra <head> lines: autodiscovery links, a description. */
  head?: string[];
  style: string;
  body: string[];
}

export function renderHtmlPage(page: PageFrame): string {
  const lines = [
    '<!doctype html>',
    `<html lang="${escapeHtml(page.language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    ...(page.head ?? []),
    `<style>${page.style}</style>`,
    '</head>',
    '<body>',
    ...page.body,
    '</body>',
    '</html>',
    '',
  ];
  return xmlSafe(lines.join('\n'));
}

/** An autodiscovery tag: how browsers and readers find a page's feeds. */
export function alternateLink(type: string, title: string, href: string): string {
  return `<link rel="alternate" type="${type}" title="${escapeHtml(title)}" href="${escapeHtml(href)}">`;
}
