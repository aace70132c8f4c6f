import { describe, expect, it } from 'vitest';
import { readSiteConfig } from '../src/config/site.js';
import { SourceError } from '../src/errors.js';
import { decodePageBytes, readCapture } from '../src/ingest/page-file.js';
import type { Entry, SiteConfig } from '../src/model.js';
import { pageToEntries } from '../src/normalize/entries.js';
import { DEFAULT_BRIEFS_HEADINGS, parsePage } from '../src/normalize/page.js';

const SOURCE = 'millbrook/old-bridge.txt';
// Only used when a page has no `captured:`; the same instant as FRONT_MATTER's, so pages with
// and without front matter normalize to the same dates.
const FILE_MODIFIED = new Date('2026-06-12T09:40:00Z');

const SITE: SiteConfig = readSiteConfig(
  { url: 'https://millbrook-gazette.example/', timezone: 'Europe/Lisbon', boilerplate: ['Sign up for the Sunday digest'] },
  'test/site.yaml',
);

const FRONT_MATTER = [
  '---',
  'url: https://millbrook-gazette.example/news/old-bridge-repairs',
  'captured: 2026-06-12T10:40:00+01:00',
  '---',
  '',
].join('\n');

const BODY = [
  'Repairs to the old stone bridge over the Mill river will close it to cars for six weeks from Monday.',
  'Buses on the 14 route will divert over the ring road bridge while the work goes on.',
  'Read next',
  '10:15',
  'Transport',
  'The tram depot open day at Café Ribeira has moved to Sunday because of the heat warning.',
  '08:05',
  'Weather',
  'Forecasters expect 35 degrees in the valley this afternoon.',
  'Park fountains are back on.',
  '',
].join('\n');

const PAGE = FRONT_MATTER + BODY;

// What PAGE must become, written out by hand. Lisbon is on WEST (UTC+1) in June.
const EXPECTED = [
  {
    kind: 'lead',
    title: 'Repairs to the old stone bridge over the Mill river will close it to cars for six weeks from Monday.',
    summary: 'Repairs to the old stone bridge over the Mill river will close it to cars for six weeks from Monday.',
    contentText:
      'Repairs to the old stone bridge over the Mill river will close it to cars for six weeks from Monday.\n\nBuses on the 14 route will divert over the ring road bridge while the work goes on.',
    categories: [],
    published: '2026-06-12T09:40:00.000Z',
  },
  {
    kind: 'brief',
    title: 'Transport: The tram depot open day at Caf\u00e9 Ribeira has moved to Sunday because of the heat warning.',
    summary: 'The tram depot open day at Caf\u00e9 Ribeira has moved to Sunday because of the heat warning.',
    contentText: 'The tram depot open day at Caf\u00e9 Ribeira has moved to Sunday because of the heat warning.',
    categories: ['Transport'],
    published: '2026-06-12T09:15:00.000Z',
  },
  {
    kind: 'brief',
    title: 'Weather: Forecasters expect 35 degrees in the valley this afternoon. Park fountains are back on.',
    summary: 'Forecasters expect 35 degrees in the valley this afternoon. Park fountains are back on.',
    contentText: 'Forecasters expect 35 degrees in the valley this afternoon.\n\nPark fountains are back on.',
    categories: ['Weather'],
    published: '2026-06-12T07:05:00.000Z',
  },
];

function entriesFrom(text: string, site: SiteConfig = SITE): Entry[] {
  return pageToEntries(readCapture(text, SOURCE, FILE_MODIFIED), site);
}

function shape(entries: Entry[]) {
  return entries.map((entry) => ({
    kind: entry.kind,
    title: entry.title,
    summary: entry.summary,
    contentText: entry.contentText,
    categories: entry.categories,
    published: entry.published.toISOString(),
  }));
}

function allText(entries: Entry[]): string {
  return entries.map((entry) => [entry.title, entry.summary, entry.contentText, entry.contentHtml, ...entry.categories].join('\n')).join('\n');
}

/** Applies `change` to every body line, leaving the front matter alone. */
function everyBodyLine(change: (line: string) => string): string {
  return FRONT_MATTER + BODY.split('\n').map(change).join('\n');
}

function thrown(action: () => unknown): SourceError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('expected a SourceError, nothing was thrown');
}

const parseOptions = { source: SOURCE, briefsHeadings: DEFAULT_BRIEFS_HEADINGS, boilerplate: [], firstLine: 1 };

describe('a well-formed page', () => {
  it('becomes a lead and one entry per brief, dated in the site time zone', () => {
    expect(shape(entriesFrom(PAGE))).toEqual(EXPECTED);
  });

  it('links the lead to its page URL from the front matter', () => {
    const [lead] = entriesFrom(PAGE);
    expect(lead?.link).toBe('https://millbrook-gazette.example/news/old-bridge-repairs');
  });
});

describe('tolerated input', () => {
  it('reads CRLF line endings, front matter included', () => {
    expect(shape(entriesFrom(PAGE.replace(/\n/g, '\r\n')))).toEqual(EXPECTED);
  });

  it('reads lone CR line endings in the body', () => {
    const capture = readCapture(BODY.replace(/\n/g, '\r'), SOURCE, FILE_MODIFIED);
    expect(shape(pageToEntries(capture, SITE))).toEqual(EXPECTED);
  });

  it('reads lone CR line endings in the front matter as front matter', () => {
    const capture = readCapture(PAGE.replace(/\n/g, '\r'), SOURCE, new Date('2020-01-01T00:00:00Z'));
    expect(capture.meta.url).toBe('https://millbrook-gazette.example/news/old-bridge-repairs');
    expect(capture.capturedAt.toISOString()).toBe('2026-06-12T09:40:00.000Z');
    expect(shape(pageToEntries(capture, SITE))).toEqual(EXPECTED);
  });

  it('drops a UTF-8 byte order mark so the front matter is still found', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(PAGE, 'utf8')]);
    const text = decodePageBytes(bytes, SOURCE);
    expect(text.charCodeAt(0)).toBe(0x2d);
    expect(shape(entriesFrom(text))).toEqual(EXPECTED);
  });

  it('decodes UTF-16LE when the file starts with its byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(PAGE, 'utf16le')]);
    const text = decodePageBytes(bytes, SOURCE);
    expect(text).toBe(PAGE);
    expect(shape(entriesFrom(text))).toEqual(EXPECTED);
  });

  it('treats non-breaking spaces as ordinary spaces, in the heading and time lines too', () => {
    const page = everyBodyLine((line) => `\u00a0${line.replace(/ /g, '\u00a0')}\u00a0`);
    expect(shape(entriesFrom(page))).toEqual(EXPECTED);
  });

  it('collapses tabs and trims them from line ends', () => {
    const page = everyBodyLine((line) => `\t${line.replace(/ /g, ' \t ')}\t`);
    expect(shape(entriesFrom(page))).toEqual(EXPECTED);
  });

  it('ignores runs of blank and whitespace-only lines', () => {
    const page = everyBodyLine((line) => `${line}\n\n   \n\t\n`);
    expect(shape(entriesFrom(page))).toEqual(EXPECTED);
  });

  it('ignores trailing spaces, including after times and the heading', () => {
    const page = everyBodyLine((line) => `${line}    `);
    expect(shape(entriesFrom(page))).toEqual(EXPECTED);
  });

  it('turns decomposed (NFD) text into composed (NFC) text', () => {
    const decomposed = PAGE.normalize('NFD');
    expect(decomposed).toContain('e\u0301');
    const entries = entriesFrom(decomposed);
    expect(shape(entries)).toEqual(EXPECTED);
    expect(allText(entries)).not.toContain('\u0301');
  });

  it('removes zero-width spaces around words, times and the heading', () => {
    const page = everyBodyLine((line) => (line === '' ? line : `\u200b${line}\u200b`)).replace('10:15', '10:\u200b15');
    const entries = entriesFrom(page);
    expect(shape(entries)).toEqual(EXPECTED);
    expect(allText(entries)).not.toContain('\u200b');
  });
});

describe('comment prompts and page furniture', () => {
  const PROMPTS = ['What is your opinion on this topic?', 'Leave the first comment', 'LEAVE THE FIRST COMMENT.', 'what is your opinion on this topic'];

  it('drops the built-in comment prompts wherever they appear, in any case', () => {
    const page = everyBodyLine((line) => (/^\d{2}:\d{2}$/.test(line) || line === '' ? line : `${line}\n${PROMPTS.join('\n')}`));
    const entries = entriesFrom(page);
    expect(shape(entries)).toEqual(EXPECTED);
    expect(allText(entries).toLowerCase()).not.toContain('opinion');
    expect(allText(entries).toLowerCase()).not.toContain('comment');
  });

  it('drops a prompt between a brief topic and its text', () => {
    const page = PAGE.replace('Transport\n', 'Transport\nLeave the first comment\n');
    expect(shape(entriesFrom(page))).toEqual(EXPECTED);
  });

  it('drops an extra line listed under boilerplate in site.yaml', () => {
    const page = PAGE.replace('Read next', 'Sign up for the Sunday digest\nRead next').replace('Park fountains', 'Sign up for the Sunday digest\nPark fountains');
    const entries = entriesFrom(page);
    expect(shape(entries)).toEqual(EXPECTED);
    expect(allText(entries)).not.toContain('Sunday digest');
  });

  it('keeps that line when the site does not list it', () => {
    const plainSite = readSiteConfig({ url: 'https://millbrook-gazette.example/', timezone: 'Europe/Lisbon' }, 'test/site.yaml');
    const page = PAGE.replace('Read next', 'Sign up for the Sunday digest\nRead next');
    const [lead] = entriesFrom(page, plainSite);
    expect(lead?.contentText).toBe('Repairs to the old stone bridge over the Mill river will close it to cars for six weeks from Monday.\n\nBuses on the 14 route will divert over the ring road bridge while the work goes on.\n\nSign up for the Sunday digest');
  });
});

describe('briefs', () => {
  it('pads an H:MM time to HH:MM', () => {
    const page = parsePage('The harvest fair opens on the green.\nRead next\n7:05\nMarkets\nThe cheese stall sold out before nine.', parseOptions);
    expect(page.briefs).toEqual([{ time: '07:05', hour: 7, minute: 5, topic: 'Markets', paragraphs: ['The cheese stall sold out before nine.'], line: 3 }]);
  });

  it('splits at a custom briefs_heading from the front matter, and only there', () => {
    const page = [
      '---',
      'captured: 2026-06-12T10:40:00+01:00',
      'briefs_heading: From the newsroom',
      '---',
      'The library reopens after the flood with a new children’s floor.',
      'Read next',
      'From the newsroom',
      '09:30',
      'Libraries',
      'Late opening returns on Thursdays.',
    ].join('\n');
    expect(shape(entriesFrom(page))).toEqual([
      {
        kind: 'lead',
        title: 'The library reopens after the flood with a new children’s floor.',
        summary: 'The library reopens after the flood with a new children’s floor.',
        contentText: 'The library reopens after the flood with a new children’s floor.\n\nRead next',
        categories: [],
        published: '2026-06-12T09:40:00.000Z',
      },
      {
        kind: 'brief',
        title: 'Libraries: Late opening returns on Thursdays.',
        summary: 'Late opening returns on Thursdays.',
        contentText: 'Late opening returns on Thursdays.',
        categories: ['Libraries'],
        published: '2026-06-12T08:30:00.000Z',
      },
    ]);
  });

  it('reads a page without a briefs heading as a lead story only', () => {
    const page = 'The swimming lake is open again after tests found the water clean.\nLifeguards are on duty from ten.\n09:00\nBathing\n';
    const entries = entriesFrom(page);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.kind).toBe('lead');
    expect(entries[0]?.contentText).toBe('The swimming lake is open again after tests found the water clean.\n\nLifeguards are on duty from ten.\n\n09:00\n\nBathing');
  });
});

describe('refused input', () => {
  it('refuses an empty file', () => {
    const error = thrown(() => decodePageBytes(new Uint8Array(0), SOURCE));
    expect(error.message).toMatch(/empty \(0 bytes\)/);
    expect(error.source).toBe(SOURCE);
  });

  it('refuses a page of only whitespace', () => {
    const text = decodePageBytes(Buffer.from(' \n\t\r\n\u00a0\n', 'utf8'), SOURCE);
    expect(thrown(() => entriesFrom(text)).message).toMatch(/no text/);
  });

  it('refuses a page of only comment prompts', () => {
    expect(thrown(() => entriesFrom('Leave the first comment\nWhat is your opinion on this topic?\n')).message).toMatch(/no text/);
  });

  it('refuses binary data (NUL bytes)', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    expect(thrown(() => decodePageBytes(png, SOURCE)).message).toMatch(/binary.*NUL/);
  });

  it('refuses invalid UTF-8', () => {
    const latin1 = Buffer.from('Caf\xe9 on the quay', 'latin1');
    expect(thrown(() => decodePageBytes(latin1, SOURCE)).message).toMatch(/not valid UTF-8/);
  });

  it('refuses a page whose first line is the briefs heading (no lead)', () => {
    const error = thrown(() => entriesFrom('Read next\n10:15\nTransport\nThe tram runs late.\n'));
    expect(error.message).toMatch(/no lead story/);
    expect(error.message).toContain('"Read next" heading on line 1');
  });

  it('refuses the impossible time 25:99 and names its line', () => {
    const page = PAGE.replace('10:15', '25:99');
    expect(thrown(() => entriesFrom(page)).message).toContain('impossible time "25:99" on line 8');
  });

  it('refuses the impossible time 12:60', () => {
    const page = PAGE.replace('08:05', '12:60');
    expect(thrown(() => entriesFrom(page)).message).toContain('impossible time "12:60" on line 11');
  });

  it('refuses a brief with a topic but no text', () => {
    const page = PAGE.replace('The tram depot open day at Café Ribeira has moved to Sunday because of the heat warning.\n', '');
    expect(thrown(() => entriesFrom(page)).message).toContain('brief "10:15 Transport" on line 8 has no text');
  });

  it('refuses a last brief whose only text was a comment prompt', () => {
    const page = 'The ferry timetable changes on Monday.\nRead next\n06:40\nFerries\nLeave the first comment\n';
    expect(thrown(() => entriesFrom(page)).message).toMatch(/brief "06:40 Ferries" on line 3 has no text/);
  });

  it('refuses an unknown front-matter key and names it', () => {
    const page = PAGE.replace('captured:', 'weather: sunny\ncaptured:');
    const error = thrown(() => readCapture(page, SOURCE, FILE_MODIFIED));
    expect(error.message).toContain(SOURCE);
    expect(error.message).toContain('key "weather": unknown key');
  });

  it('refuses a captured time without an offset', () => {
    const page = PAGE.replace('2026-06-12T10:40:00+01:00', '2026-06-12T10:40:00');
    const error = thrown(() => readCapture(page, SOURCE, FILE_MODIFIED));
    expect(error.message).toContain('key "captured"');
    expect(error.message).toMatch(/with an offset/);
  });

  it('refuses a calendar date that does not exist, as it refuses an impossible time', () => {
    for (const [impossible, reason] of [
      ['2026-02-30T10:00Z', 'February 2026 has no day 30'],
      ['2026-02-29T10:00:00+01:00', 'February 2026 has no day 29'],
      ['2026-04-31T10:00:00Z', 'April 2026 has no day 31'],
      ['2026-13-01T10:00:00Z', 'there is no month 13'],
      ['2026-06-00T10:00:00Z', 'there is no day 0'],
      ['2026-06-12T24:30:00Z', 'there is no hour 24'],
      ['2026-06-12T10:40:00+25:00', 'no offset is more than 18 hours'],
    ]) {
      const page = PAGE.replace('2026-06-12T10:40:00+01:00', impossible!);
      const error = thrown(() => readCapture(page, SOURCE, FILE_MODIFIED));
      expect(error.message, impossible).toContain('key "captured"');
      expect(error.message, impossible).toContain(`"${impossible}" is not a date and time that exists: ${reason}`);
    }
    // A leap day that exists is read as itself.
    const leap = readCapture(PAGE.replace('2026-06-12T10:40:00+01:00', '2028-02-29T10:00:00Z'), SOURCE, FILE_MODIFIED);
    expect(leap.capturedAt.toISOString()).toBe('2028-02-29T10:00:00.000Z');
  });

  it('refuses an unknown time zone', () => {
    const page = PAGE.replace('captured:', 'timezone: Europe/Atlantis\ncaptured:');
    const error = thrown(() => readCapture(page, SOURCE, FILE_MODIFIED));
    expect(error.message).toContain('key "timezone"');
    expect(error.message).toContain('"Europe/Atlantis" is not an IANA time zone');
  });
});

describe('briefs that share a time and a topic', () => {
  const twoAtOnce = (second: string) =>
    FRONT_MATTER + ['The harbour wall repairs begin on Monday.', 'Read next', '09:10', 'Port', 'The morning ferry was cancelled because of fog.', '09:10', 'port', second, ''].join('\n');

  it('are both kept, with distinct ids that the next capture gives again, and the page says so', () => {
    const warnings: { code: string; reason: string }[] = [];
    const entries = pageToEntries(readCapture(twoAtOnce('The afternoon ferry will run an hour late.'), SOURCE, FILE_MODIFIED), SITE, (warning) => warnings.push(warning));
    const briefs = entries.filter((entry) => entry.kind === 'brief');
    expect(briefs.map((brief) => brief.summary)).toEqual(['The morning ferry was cancelled because of fog.', 'The afternoon ferry will run an hour late.']);
    expect(new Set(briefs.map((brief) => brief.id)).size).toBe(2);
    expect(warnings).toEqual([{ code: 'BRIEFS_SHARE_TIME_AND_TOPIC', reason: expect.stringMatching(/2 briefs at 09:10 on "Port" \(lines 7 and 10\): both kept/) }]);
    // The first keeps the id a lone brief at that time and topic has; the second's is stable too.
    const again = pageToEntries(readCapture(twoAtOnce('The afternoon ferry will run an hour late today.'), SOURCE, FILE_MODIFIED), SITE).filter((entry) => entry.kind === 'brief');
    expect(again.map((brief) => brief.id)).toEqual(briefs.map((brief) => brief.id));
  });

  it('are one brief when the text is the same too: the page listed it twice', () => {
    const warnings: unknown[] = [];
    const entries = pageToEntries(readCapture(twoAtOnce('The morning ferry was cancelled because of fog.'), SOURCE, FILE_MODIFIED), SITE, (warning) => warnings.push(warning));
    expect(entries.filter((entry) => entry.kind === 'brief')).toHaveLength(1);
    expect(warnings).toEqual([]);
  });
});
