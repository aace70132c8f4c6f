// How the store packs an entry's text: whatever it leaves out comes back exactly as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pageToEntries } from '../src/normalize/entries.js';
import { cleanLineKey, lineKey, truncateAtWord } from '../src/normalize/text.js';
import { isParagraphsHtml, paragraphsToHtml } from '../src/shared/paragraphs.js';
import { type EntryBody, packBody, unpackBody } from '../src/store/entry-body.js';
import type { Capture, SiteConfig } from '../src/model.js';

const SITE = {
  title: 'Harbour Gazette',
  description: 'News from the quay',
  url: 'https://harbour.example/',
  language: 'en',
  timezone: 'Europe/Dublin',
  author: { name: 'Desk' },
  schedule: '*/15 * * * *',
  boilerplate: ['Leave the first comment'],
  feeds: [],
  fetch: { connectTimeoutMs: 1000, totalTimeoutMs: 1000, maxBytes: 1000, perHost: 2, overall: 8 },
  archive: false,
  maxPageBytes: 5 * 1024 * 1024,
  idNamespace: 'https://harbour.example/',
} satisfies SiteConfig;

const capture: Capture = {
  source: 'quay.txt',
  meta: {},
  body: [
    'The ferry timetable changes on Monday, with two extra sailings on weekday mornings & a later last boat on Fridays.',
    '',
    'The operator said the <new> boats arrive in spring.',
    'Read next',
    '07:15',
    'Transport',
    'The 07:15 sailing now calls at the island pier.',
    'Tickets bought before Monday stay valid.',
    '06:50',
    'Weather',
    'Fog is expected over the bay until late morning.',
    'Leave the first comment',
  ].join('\n'),
  bodyFirstLine: 1,
  capturedAt: new Date('2026-04-02T09:00:00Z'),
};

function bodyOf(entry: ReturnType<typeof pageToEntries>[number]): EntryBody {
  const { id: _id, kind: _kind, source: _source, published: _published, capturedAt: _capturedAt, link: _link, pageUrl: _pageUrl, ...body } = entry;
  return body;
}

describe('packBody / unpackBody', () => {
  it('gives back the lead and every brief of a page exactly, and stores less than the whole body', () => {
    for (const entry of pageToEntries(capture, SITE)) {
      const body = bodyOf(entry);
      const packed = packBody(body);
      expect(unpackBody(packed)).toEqual(body);
      expect(packed.length).toBeLessThan(JSON.stringify(body).length * 0.75);
      expect(JSON.parse(packed)).not.toHaveProperty('contentHtml');
    }
  });

  it('keeps HTML, summaries and lists it cannot rebuild, and reads rows stored whole as they are', () => {
    const item: EntryBody = {
      title: 'Lifeboat called out twice',
      summary: 'Two call-outs in one night.',
      contentText: 'The crew went out at 22:10.\n\nThey went out again at 03:40.',
      contentHtml: '<p>The crew went out at <b>22:10</b>.</p><p>They went out again at 03:40.</p>',
      categories: ['Coast'],
      authors: [{ name: 'R. Byrne', url: 'https://harbour.example/byrne' }],
      enclosures: [{ url: 'https://harbour.example/a.mp3', type: 'audio/mpeg', length: 1200 }],
      image: 'https://harbour.example/boat.jpg',
      language: 'ga',
    };
    expect(unpackBody(packBody(item))).toEqual(item);
    expect(unpackBody(JSON.stringify(item))).toEqual(item);
  });

  it('round-trips any text, whether or not its parts can be rebuilt', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 });
    const paragraphs = fc.array(text, { minLength: 1, maxLength: 4 });
    const body = fc.record({ paragraphs, title: text, summaryKind: fc.constantFrom('first', 'joined', 'other'), htmlKind: fc.constantFrom('derived', 'other'), other: text });
    fc.assert(
      fc.property(body, ({ paragraphs, title, summaryKind, htmlKind, other }) => {
        const entry: EntryBody = {
          title,
          summary: summaryKind === 'first' ? paragraphs[0]! : summaryKind === 'joined' ? paragraphs.join(' ') : other,
          contentText: paragraphs.join('\n\n'),
          contentHtml: htmlKind === 'derived' ? paragraphsToHtml(paragraphs) : other,
          categories: [],
          authors: [],
          enclosures: [],
        };
        expect(unpackBody(packBody(entry))).toEqual(entry);
      }),
    );
  });
});

describe('text helpers on their fast paths', () => {
  it('cuts titles by code point with or without characters outside the BMP', () => {
    const plain = 'word '.repeat(40);
    expect(truncateAtWord(plain, 20)).toBe('word word word…');
    const emoji = '🚢 '.repeat(40);
    const cut = truncateAtWord(emoji, 20);
    expect(Array.from(cut).length).toBeLessThanOrEqual(20);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('tells HTML that is exactly the paragraphs, escaped, from anything else, as comparing the built string would', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 30 });
    const paragraphs = fc.array(fc.oneof(text, fc.constantFrom('a & b', '<p>', 'x</p>', '"q"', "it's", '')), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(paragraphs, text, fc.nat(), (list, other, cut) => {
        const html = paragraphsToHtml(list);
        expect(isParagraphsHtml(html, list)).toBe(true);
        // Cut short, run on, or a different text: told apart exactly as string comparison tells them.
        for (const candidate of [html.slice(0, cut % (html.length + 1)), `${html}${other}`, other, html.replace(/\n/g, '')]) {
          expect(isParagraphsHtml(candidate, list)).toBe(candidate === html);
        }
      }),
    );
  });

  it('keys lines the way the pattern it replaces did', () => {
    for (const line of ['Read next', 'READ NEXT:', 'Read next …', 'Leave a comment!?', 'Comments ; .', '…', '']) {
      expect(lineKey(line)).toBe(line.toLowerCase().replace(/[\s.!?:;…]+$/u, ''));
      expect(cleanLineKey(line)).toBe(lineKey(line));
    }
  });
});
