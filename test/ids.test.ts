import { afterEach, describe, expect, it } from 'vitest';
import { readSiteConfig } from '../src/config/site.js';
import { readCapture } from '../src/ingest/page-file.js';
import type { Entry, SiteConfig } from '../src/model.js';
import { pageToEntries } from '../src/normalize/entries.js';
import { SqliteStore } from '../src/store/sqlite-store.js';

const UUID_V5_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const SITE = readSiteConfig({ url: 'https://millbrook-gazette.example/', timezone: 'Europe/Lisbon' }, 'test/site.yaml');
const OTHER_SITE = readSiteConfig({ url: 'https://riverside-herald.example/', timezone: 'Europe/Lisbon' }, 'test/site.yaml');

interface PageSpec {
  source?: string;
  url?: string;
  captured: string;
  published?: string;
  lead?: string;
  briefs: [time: string, topic: string, text: string][];
}

function page(spec: PageSpec): string {
  const front = [
    '---',
    ...(spec.url ? [`url: ${spec.url}`] : []),
    `captured: ${spec.captured}`,
    ...(spec.published ? [`published: ${spec.published}`] : []),
    '---',
  ];
  const body = [spec.lead ?? 'The weekly market moves to the cathedral square while the old hall is repainted.', 'Read next'];
  for (const [time, topic, text] of spec.briefs) body.push(time, topic, text, 'Leave the first comment');
  return [...front, ...body, ''].join('\n');
}

function entries(spec: PageSpec, site: SiteConfig = SITE): Entry[] {
  return pageToEntries(readCapture(page(spec), spec.source ?? 'millbrook/market.txt', new Date(0)), site);
}

function briefNamed(list: Entry[], topic: string): Entry {
  const found = list.find((entry) => entry.kind === 'brief' && entry.categories[0]?.toLowerCase() === topic.toLowerCase());
  if (!found) throw new Error(`no brief with topic ${topic}`);
  return found;
}

function lead(list: Entry[]): Entry {
  const found = list.find((entry) => entry.kind === 'lead');
  if (!found) throw new Error('no lead');
  return found;
}

const MORNING: PageSpec = {
  url: 'https://millbrook-gazette.example/news/market-moves',
  captured: '2026-09-14T10:00:00+01:00',
  briefs: [
    ['09:40', 'Roads', 'The level crossing on Mill Lane is closed until noon for track work.'],
    ['08:15', 'Schools', 'Hillside primary opens an hour late because of a burst pipe.'],
  ],
};

// Two hours later the Roads brief was rewritten and a new brief was added on top.
const LATE_MORNING: PageSpec = {
  url: 'https://millbrook-gazette.example/news/market-moves',
  captured: '2026-09-14T12:00:00+01:00',
  briefs: [
    ['11:20', 'Weather', 'A yellow warning for thunderstorms covers the valley this afternoon.'],
    ['09:40', 'Roads', 'The level crossing on Mill Lane has reopened after track work finished early.'],
    ['08:15', 'Schools', 'Hillside primary opens an hour late because of a burst pipe.'],
  ],
};

describe('entry ids', () => {
  it('are urn:uuid name-based (version 5) UUIDs', () => {
    for (const entry of [...entries(MORNING), ...entries({ ...MORNING, url: undefined })]) expect(entry.id).toMatch(UUID_V5_URN);
  });

  it('are distinct within a page', () => {
    const ids = entries(LATE_MORNING).map((entry) => entry.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('keep a brief id when a later capture edits its text', () => {
    const before = briefNamed(entries(MORNING), 'Roads');
    const after = briefNamed(entries(LATE_MORNING), 'Roads');
    expect(after.summary).not.toBe(before.summary);
    expect(after.id).toBe(before.id);
  });

  it('keep a brief id when the same brief is captured in another file of the same site', () => {
    const before = briefNamed(entries(MORNING), 'Schools');
    const elsewhere = briefNamed(entries({ ...LATE_MORNING, source: 'millbrook/front-page.txt', url: 'https://millbrook-gazette.example/' }), 'Schools');
    expect(elsewhere.id).toBe(before.id);
  });

  it('keep a brief id when its topic changes case', () => {
    const before = briefNamed(entries(MORNING), 'Roads');
    const shouted = briefNamed(entries({ ...MORNING, briefs: [['09:40', 'ROADS', 'The level crossing on Mill Lane is closed until noon.']] }), 'Roads');
    expect(shouted.id).toBe(before.id);
  });

  it('keep a brief id for a capture the next morning, when its time falls on the day before', () => {
    const evening: PageSpec = { captured: '2026-09-14T23:55:00+01:00', briefs: [['23:30', 'Fire', 'Crews put out a grass fire by the allotments.']] };
    const nextMorning: PageSpec = { captured: '2026-09-15T07:00:00+01:00', briefs: [['23:30', 'Fire', 'Crews put out a grass fire by the allotments.']] };
    expect(briefNamed(entries(nextMorning), 'Fire').id).toBe(briefNamed(entries(evening), 'Fire').id);
  });

  it('differ for the same time and topic on another day', () => {
    const monday = briefNamed(entries(MORNING), 'Roads');
    const tuesday = briefNamed(entries({ ...MORNING, captured: '2026-09-15T10:00:00+01:00' }), 'Roads');
    expect(tuesday.id).not.toBe(monday.id);
  });

  it('differ for another topic at the same time', () => {
    const both = entries({ ...MORNING, briefs: [['09:40', 'Roads', 'Mill Lane is closed.'], ['09:40', 'Rail', 'Mill Lane is closed.']] });
    expect(briefNamed(both, 'Roads').id).not.toBe(briefNamed(both, 'Rail').id);
  });

  it('differ between sites for the same brief and the same lead URL', () => {
    const here = entries(MORNING);
    const there = entries(MORNING, OTHER_SITE);
    expect(briefNamed(there, 'Roads').id).not.toBe(briefNamed(here, 'Roads').id);
    expect(lead(there).id).not.toBe(lead(here).id);
  });

  it('give a lead the same id from its url in two different files', () => {
    const first = lead(entries({ ...MORNING, source: 'millbrook/market-0900.txt' }));
    const second = lead(entries({ ...LATE_MORNING, source: 'archive/market-copy.txt', lead: 'The weekly market has moved to the cathedral square.' }));
    expect(second.id).toBe(first.id);
  });

  it('ignore a fragment in the lead url', () => {
    const plain = lead(entries(MORNING));
    const withFragment = lead(entries({ ...MORNING, url: 'https://millbrook-gazette.example/news/market-moves#comments' }));
    expect(withFragment.id).toBe(plain.id);
  });

  it('give a lead without url an id from its path', () => {
    const noUrl = { ...MORNING, url: undefined };
    const a = lead(entries({ ...noUrl, source: 'millbrook/a.txt' }));
    const aAgain = lead(entries({ ...noUrl, source: 'millbrook/a.txt', lead: 'Reworded lead about the market.' }));
    const b = lead(entries({ ...noUrl, source: 'millbrook/b.txt' }));
    expect(aAgain.id).toBe(a.id);
    expect(b.id).not.toBe(a.id);
    expect(a.id).not.toBe(lead(entries(MORNING)).id);
    expect(a.link).toBe(`https://millbrook-gazette.example/entries/${a.id.slice('urn:uuid:'.length)}.html`);
  });
});

describe('SqliteStore keeps one entry per id', () => {
  let store: SqliteStore;
  const open = () => (store = SqliteStore.open(':memory:'));
  afterEach(() => store?.close());

  const PASS_1 = Date.parse('2026-09-14T09:01:00Z');
  const PASS_2 = Date.parse('2026-09-14T11:01:00Z');
  const PASS_3 = Date.parse('2026-09-14T11:31:00Z');

  it('reports everything unchanged when the same entries are applied again', () => {
    open();
    const list = entries(MORNING);
    expect(store.applyPass(list, [], PASS_1)).toEqual({ new: 3, updated: 0, unchanged: 0 });
    expect(store.applyPass(list, [], PASS_2)).toEqual({ new: 0, updated: 0, unchanged: 3 });
    expect(store.entryCount()).toBe(3);
  });

  it('updates an edited brief: updated moves to the later capture, published and firstSeen stay', () => {
    open();
    // Briefs only: how a lead's dates behave is covered by the lead tests below.
    const briefs = (spec: PageSpec) => entries(spec).filter((entry) => entry.kind === 'brief');
    store.applyPass(briefs(MORNING), [], PASS_1);
    const counts = store.applyPass(briefs(LATE_MORNING), [], PASS_2);
    expect(counts).toEqual({ new: 1, updated: 1, unchanged: 1 });
    const roads = store.entry(briefNamed(entries(MORNING), 'Roads').id);
    expect(roads?.summary).toBe('The level crossing on Mill Lane has reopened after track work finished early.');
    expect(roads?.published.toISOString()).toBe('2026-09-14T08:40:00.000Z');
    expect(roads?.updated.toISOString()).toBe('2026-09-14T11:00:00.000Z');
    expect(roads?.firstSeen.toISOString()).toBe('2026-09-14T09:01:00.000Z');
    expect(roads?.capturedAt.toISOString()).toBe('2026-09-14T11:00:00.000Z');
  });

  it('leaves an unedited brief untouched by a later capture', () => {
    open();
    store.applyPass(entries(MORNING), [], PASS_1);
    store.applyPass(entries(LATE_MORNING), [], PASS_2);
    const schools = store.entry(briefNamed(entries(MORNING), 'Schools').id);
    expect(schools?.published.toISOString()).toBe('2026-09-14T07:15:00.000Z');
    expect(schools?.updated.toISOString()).toBe('2026-09-14T07:15:00.000Z');
    expect(schools?.firstSeen.toISOString()).toBe('2026-09-14T09:01:00.000Z');
  });

  it('updates an edited lead without a published date: published and firstSeen stay', () => {
    open();
    store.applyPass(entries(MORNING), [], PASS_1);
    store.applyPass(entries({ ...LATE_MORNING, lead: 'The weekly market has moved to the cathedral square for a month.' }), [], PASS_2);
    const stored = store.entry(lead(entries(MORNING)).id);
    expect(stored?.summary).toBe('The weekly market has moved to the cathedral square for a month.');
    expect(stored?.updated.toISOString()).toBe('2026-09-14T11:00:00.000Z');
    expect(stored?.published.toISOString()).toBe('2026-09-14T09:00:00.000Z');
    expect(stored?.firstSeen.toISOString()).toBe('2026-09-14T09:01:00.000Z');
  });

  it('updates an edited lead with a published date in its front matter: published stays', () => {
    open();
    const dated = { ...MORNING, published: '2026-09-14T07:30:00+01:00' };
    store.applyPass(entries(dated), [], PASS_1);
    store.applyPass(entries({ ...dated, captured: LATE_MORNING.captured, lead: 'The weekly market has moved to the cathedral square for a month.' }), [], PASS_2);
    const stored = store.entry(lead(entries(dated)).id);
    expect(stored?.published.toISOString()).toBe('2026-09-14T06:30:00.000Z');
    expect(stored?.updated.toISOString()).toBe('2026-09-14T11:00:00.000Z');
  });

  it('treats an unedited lead in a later capture as unchanged', () => {
    open();
    const leadOnly: PageSpec = { ...MORNING, briefs: [] };
    store.applyPass(entries(leadOnly), [], PASS_1);
    const counts = store.applyPass(entries({ ...leadOnly, captured: '2026-09-14T12:00:00+01:00' }), [], PASS_2);
    expect(counts).toEqual({ new: 0, updated: 0, unchanged: 1 });
    const stored = store.entry(lead(entries(leadOnly)).id);
    expect(stored?.published.toISOString()).toBe('2026-09-14T09:00:00.000Z');
    expect(stored?.updated.toISOString()).toBe('2026-09-14T09:00:00.000Z');
  });

  it('never lets an older capture overwrite a newer one', () => {
    open();
    store.applyPass(entries(LATE_MORNING), [], PASS_1);
    const counts = store.applyPass(entries(MORNING), [], PASS_2);
    expect(counts).toEqual({ new: 0, updated: 0, unchanged: 3 });
    const roads = store.entry(briefNamed(entries(MORNING), 'Roads').id);
    expect(roads?.summary).toBe('The level crossing on Mill Lane has reopened after track work finished early.');
    expect(roads?.capturedAt.toISOString()).toBe('2026-09-14T11:00:00.000Z');
  });

  it('never grows when the same pages are published again and again, in any order', () => {
    open();
    const morning = entries(MORNING);
    const lateMorning = entries(LATE_MORNING);
    const copy = entries({ ...LATE_MORNING, source: 'millbrook/front-page.txt', url: 'https://millbrook-gazette.example/' });
    // Ids: the market lead, Roads, Schools, Weather, and the front page's own lead.
    const expected = 5;
    store.applyPass([...morning, ...lateMorning, ...copy], [], PASS_1);
    expect(store.entryCount()).toBe(expected);
    for (const [index, pass] of [[copy, morning], [lateMorning], [morning, copy, lateMorning], [copy]].entries()) {
      store.applyPass(pass.flat(), [], PASS_3 + index * 60_000);
      expect(store.entryCount()).toBe(expected);
    }
  });
});
