// How much one entry may carry, so that no single page or item can blow up a feed: a summary of
// at most MAX_SUMMARY_LENGTH characters and a body of at most MAX_CONTENT_LENGTH, each cut at a
// word and marked with an ellipsis. Ordinary stories are far below both and pass unchanged. Pure.
import { truncateAtWord } from './text.js';

/** A summary is a paragraph or two; a standfirst of this length is already a story. */
export const MAX_SUMMARY_LENGTH = 2_000;
/** About fifteen thousand words: a long feature fits whole. */
export const MAX_CONTENT_LENGTH = 100_000;

export function summaryWithinLimit(text: string): string {
  return text.length <= MAX_SUMMARY_LENGTH ? text : truncateAtWord(text, MAX_SUMMARY_LENGTH);
}

/** Paragraphs of at most MAX_CONTENT_LENGTH characters in all: whole ones while they fit, then one cut at a word. */
export function paragraphsWithinLimit(paragraphs: readonly string[]): string[] {
  let room = MAX_CONTENT_LENGTH;
  for (let index = 0; index < paragraphs.length; index++) {
    const paragraph = paragraphs[index]!;
    if (paragraph.length <= room) {
      room -= paragraph.length;
      continue;
    }
    const kept = paragraphs.slice(0, index);
    // Below a sentence's worth of room, the paragraphs before end the body.
    if (room >= 80) kept.push(truncateAtWord(paragraph, room));
    else if (kept.length === 0) kept.push(truncateAtWord(paragraph, MAX_CONTENT_LENGTH));
    else kept[kept.length - 1] = `${kept[kept.length - 1]!.replace(/[\s.…]+$/u, '')}…`;
    return kept;
  }
  return paragraphs as string[];
}

/**
 * Untrusted HTML cut to about MAX_CONTENT_LENGTH characters before it is sanitized: at the last
 * tag that starts before the limit, so no tag is cut in half. The sanitizer closes what is left open.
 */
export function htmlWithinLimit(html: string): { html: string; cut: boolean } {
  if (html.length <= MAX_CONTENT_LENGTH) return { html, cut: false };
  const lastTag = html.lastIndexOf('<', MAX_CONTENT_LENGTH);
  return { html: html.slice(0, lastTag > 0 ? lastTag : MAX_CONTENT_LENGTH), cut: true };
}
