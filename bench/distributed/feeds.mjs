// Comparing the feeds two runs published: every rss.xml, atom.xml and feed.json under out/ (the
// site's feeds and those of site.yaml's `feeds:`), read as documents rather than text, must hold
// the same entries in the same order with the same ids, titles, links, dates and content. Only
// what says when a feed was built may differ: lastBuildDate, Atom's feed-level updated, generator.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { xml2js } from 'xml-js';

const FEED_FILES = new Set(['rss.xml', 'atom.xml', 'feed.json']);

/** The feed files under `outDir`, by path relative to it. */
export function feedFiles(outDir) {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir, { recursive: true })
    .map(String)
    .filter((name) => FEED_FILES.has(path.basename(name)))
    .sort();
}

/** A feed file as a plain object, without its build timestamps. */
function readFeedDocument(file) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return JSON.parse(text);
  const document = xml2js(text, { compact: true, ignoreDeclaration: true, ignoreInstruction: true });
  if (document.rss?.channel) {
    delete document.rss.channel.lastBuildDate;
    delete document.rss.channel.generator;
  }
  if (document.feed) {
    delete document.feed.updated;
    delete document.feed.generator;
  }
  return document;
}

/** The first place two values differ, as a path and both sides; undefined when they are equal. */
function firstDifference(a, b, at = '') {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return { at, expected: a, actual: b };
  }
  if (Array.isArray(a)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const difference = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (difference) return difference;
    }
    return a.length === b.length ? undefined : { at: `${at}.length`, expected: a.length, actual: b.length };
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const difference = firstDifference(a[key], b[key], at ? `${at}.${key}` : key);
    if (difference) return difference;
  }
  return undefined;
}

const show = (value) => {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/**
 * Undefined when `actualOut` holds the same feed files as `expectedOut` with the same entries;
 * else a description of the first difference, naming the file, the place and both values.
 */
export function compareFeeds(expectedOut, actualOut) {
  const expected = feedFiles(expectedOut);
  const actual = feedFiles(actualOut);
  if (expected.length === 0) return `no feed files in ${expectedOut}`;
  const names = firstDifference(expected, actual);
  if (names) return `the feed files differ: expected ${expected.join(', ')}; found ${actual.join(', ')}`;
  for (const name of expected) {
    const difference = firstDifference(readFeedDocument(path.join(expectedOut, name)), readFeedDocument(path.join(actualOut, name)));
    if (difference) return `${name} differs at ${difference.at}: the first single process has ${show(difference.expected)}, this round ${show(difference.actual)}`;
  }
  return undefined;
}
