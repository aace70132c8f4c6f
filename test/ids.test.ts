import { describe, expect, it } from 'vitest';
import { entryUrl } from '../src/layout.js';
import { briefNamed, entries, lead, LATE_MORNING, MORNING, OTHER_SITE, type PageSpec } from './support/market-pages.js';

const UUID_V5_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

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
    expect(a.link).toBeUndefined();
    expect(entryUrl('https://millbrook-gazette.example/', a)).toBe(`https://millbrook-gazette.example/entries/${a.id.slice('urn:uuid:'.length)}.html`);
  });
});
