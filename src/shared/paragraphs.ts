// The HTML form of plain paragraphs, as entry bodies hold it: normalize writes it, the store packs
// bodies that are exactly this form as their paragraphs alone.
import { escapeHtml } from './escape.js';

/** Plain paragraphs -> HTML paragraphs with every character of the text escaped. */
export function paragraphsToHtml(paragraphs: readonly string[]): string {
  return paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n');
}

/** Whether `html` is exactly paragraphsToHtml(paragraphs), told without building that string. */
export function isParagraphsHtml(html: string, paragraphs: readonly string[]): boolean {
  let at = 0;
  for (let index = 0; index < paragraphs.length; index++) {
    if (index > 0 && html.charCodeAt(at++) !== 10) return false;
    const escaped = escapeHtml(paragraphs[index]!);
    if (!html.startsWith('<p>', at) || !html.startsWith(escaped, at + 3) || !html.startsWith('</p>', at + 3 + escaped.length)) return false;
    at += 7 + escaped.length;
  }
  return at === html.length;
}
