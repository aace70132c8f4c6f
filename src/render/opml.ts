// OPML 2.0 subscription lists: the feeds feedloom publishes, and the remote feeds it reads.
import { escapeHtml } from '../shared/escape.js';
import { xmlSafe } from './xml-text.js';

export interface OpmlOutline {
  title: string;
  xmlUrl: string;
  htmlUrl?: string;
  description?: string;
}

/** `modified` comes from the feeds themselves, never the clock, so the file is stable. */
export function renderOpml(title: string, outlines: readonly OpmlOutline[], modified?: Date): string {
  const attribute = (name: string, value: string | undefined) => (value ? ` ${name}="${escapeHtml(value)}"` : '');
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeHtml(title)}</title>`,
    ...(modified ? [`    <dateModified>${modified.toUTCString()}</dateModified>`] : []),
    '  </head>',
    '  <body>',
    ...outlines.map(
      (outline) =>
        `    <outline type="rss"${attribute('text', outline.title)}${attribute('title', outline.title)}${attribute('xmlUrl', outline.xmlUrl)}${attribute('htmlUrl', outline.htmlUrl)}${attribute('description', outline.description)}/>`,
    ),
    '  </body>',
    '</opml>',
    '',
  ];
  return xmlSafe(lines.join('\n'));
}
