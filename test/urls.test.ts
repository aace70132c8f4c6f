import { describe, expect, it } from 'vitest';
import { resolveLink } from '../src/normalize/urls.js';

const BASE = 'https://harbour-notes.example/2026/05/ferry-timetable';

describe('resolveLink', () => {
  it.each([
    ['a relative path', '/tag/ferries', 'https://harbour-notes.example/tag/ferries'],
    ['a path next to the base', 'tides.html', 'https://harbour-notes.example/2026/05/tides.html'],
    ['spaces around it', '  /tag/ferries  ', 'https://harbour-notes.example/tag/ferries'],
    ['an empty query', '/tag/ferries?', 'https://harbour-notes.example/tag/ferries'],
    ['tracking parameters only', '/p?utm_source=rss&utm_medium=feed', 'https://harbour-notes.example/p'],
    ['tracking among other parameters', '/p?fbclid=1&day=mon&gclid=2&MC_EID=3', 'https://harbour-notes.example/p?day=mon'],
    ['a question mark in the fragment', '/p#where?', 'https://harbour-notes.example/p#where?'],
    ['no query at all', 'https://other.example/a/b', 'https://other.example/a/b'],
  ])('resolves %s', (_case, href, expected) => {
    expect(resolveLink(href, BASE)).toBe(expected);
  });

  it.each([['javascript:alert(1)'], ['mailto:desk@harbour-notes.example'], ['data:text/html,x'], ['http://[broken'], ['']])('gives nothing usable for %j', (href) => {
    expect(resolveLink(href, BASE)).toBeUndefined();
  });
});
