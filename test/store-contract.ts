// The state contract, written once and run against every backend: test/sqlite-store.test.ts in
// `npm test`, test/services/postgres-store.test.ts where a PostgreSQL server is at hand. A backend
// is right when it passes every test here; behaviour that only one backend has is tested beside it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sourceMatcher } from '../src/shared/source-glob.js';
import { LockError } from '../src/errors.js';
import type { Entry, StoredEntry } from '../src/model.js';
import { openStore } from '../src/store/open-store.js';
import { storableEntry } from '../src/store/entry-row.js';
import type { SourceRecord, Store } from '../src/store/store.js';
import { buildIfStale, ROOT } from './support/built-cli.js';
import { briefNamed, entries, lead, LATE_MORNING, MORNING, type PageSpec } from './support/market-pages.js';

/** Entries as a pass hands them to the store. */
export function storables(entries: readonly Entry[]) {
  return entries.map(storableEntry);
}

export interface StoreHarness {
  /** A location (file path or URL) that no other test uses and that holds nothing yet. */
  freshLocation(): Promise<string>;
  /** Drops what freshLocation made; run after every test. */
  cleanup(): Promise<void>;
  /** Sets an entry's stored hash, as an earlier version would have written it. */
  setContentHash(location: string, id: string, hash: string): Promise<void>;
}

const PASS_1 = Date.parse('2026-09-14T09:01:00Z');
const PASS_2 = Date.parse('2026-09-14T11:01:00Z');
const PASS_3 = Date.parse('2026-09-14T11:31:00Z');

/** A remote feed item with everything an entry can carry; `fields` override. */
export function item(id: string, published: string, fields: Partial<Entry> = {}): Entry {
  return {
    id,
    kind: 'item',
    source: 'wire',
    title: `Story ${id}`,
    summary: `What happened in ${id}.`,
    contentText: `What happened in ${id}, at length.`,
    contentHtml: `<p>What happened in ${id}, at length.</p>`,
    link: `https://wire.example/${encodeURIComponent(id)}`,
    categories: [],
    authors: [],
    enclosures: [],
    published: new Date(published),
    capturedAt: new Date(published),
    ...fields,
  };
}

const iso = (entry: StoredEntry | undefined) => entry && { published: entry.published.toISOString(), updated: entry.updated.toISOString() };

export function describeStoreContract(name: string, harness: StoreHarness): void {
  describe(`${name} keeps the state contract`, () => {
    const opened: Store[] = [];
    let location: string;
    let store: Store;

    async function open(at = location): Promise<Store> {
      const next = await openStore(at);
      opened.push(next);
      return next;
    }

    async function fresh(): Promise<Store> {
      location = await harness.freshLocation();
      store = await open();
      return store;
    }

    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await harness.cleanup();
    });

    describe('entries: one per id', () => {
      it('reads a hash an earlier version stored (of the whole body as JSON): unedited stays unchanged, edited is updated', async () => {
        await fresh();
        const [kept, edited] = [item('kept', '2026-09-14T08:00:00Z'), item('edited', '2026-09-14T08:05:00Z')];
        await store.applyPass([kept, edited], [], PASS_1);
        for (const entry of [kept, edited]) {
          const { id: _id, kind: _kind, source: _source, published: _published, capturedAt: _capturedAt, link: _link, pageUrl: _pageUrl, ...body } = entry;
          await harness.setContentHash(location, entry.id, createHash('sha1').update(JSON.stringify(body)).digest('base64url'));
        }
        const later = new Date(PASS_2);
        const counts = await store.applyPass([{ ...kept, capturedAt: later }, { ...edited, title: 'Story edited, corrected', capturedAt: later }], [], PASS_2);
        expect(counts).toEqual({ new: 0, updated: 1, unchanged: 1 });
        const stored = await store.entry(kept.id);
        expect(stored?.updated.getTime()).toBe(kept.published.getTime());
        // Rewritten in today's form, so the next pass compares one hash, not two.
        expect(stored?.contentHash.startsWith('p:')).toBe(true);
      });

      it('reports everything unchanged when the same entries are applied again', async () => {
        await fresh();
        const list = entries(MORNING);
        expect(await store.applyPass(list, [], PASS_1)).toEqual({ new: 3, updated: 0, unchanged: 0 });
        expect(await store.applyPass(list, [], PASS_2)).toEqual({ new: 0, updated: 0, unchanged: 3 });
        expect(await store.entryCount()).toBe(3);
      });

      it('updates an edited brief: updated moves to the later capture, published and firstSeen stay', async () => {
        await fresh();
        // Briefs only: how a lead's dates behave is covered by the lead tests below.
        const briefs = (spec: PageSpec) => entries(spec).filter((entry) => entry.kind === 'brief');
        await store.applyPass(briefs(MORNING), [], PASS_1);
        const counts = await store.applyPass(briefs(LATE_MORNING), [], PASS_2);
        expect(counts).toEqual({ new: 1, updated: 1, unchanged: 1 });
        const roads = await store.entry(briefNamed(entries(MORNING), 'Roads').id);
        expect(roads?.summary).toBe('The level crossing on Mill Lane has reopened after track work finished early.');
        expect(roads?.published.toISOString()).toBe('2026-09-14T08:40:00.000Z');
        expect(roads?.updated.toISOString()).toBe('2026-09-14T11:00:00.000Z');
        expect(roads?.firstSeen.toISOString()).toBe('2026-09-14T09:01:00.000Z');
        expect(roads?.capturedAt.toISOString()).toBe('2026-09-14T11:00:00.000Z');
      });

      it('leaves an unedited brief untouched by a later capture', async () => {
        await fresh();
        await store.applyPass(entries(MORNING), [], PASS_1);
        await store.applyPass(entries(LATE_MORNING), [], PASS_2);
        const schools = await store.entry(briefNamed(entries(MORNING), 'Schools').id);
        expect(schools?.published.toISOString()).toBe('2026-09-14T07:15:00.000Z');
        expect(schools?.updated.toISOString()).toBe('2026-09-14T07:15:00.000Z');
        expect(schools?.firstSeen.toISOString()).toBe('2026-09-14T09:01:00.000Z');
        // The later capture is remembered, so the earlier one can never win after it.
        expect(schools?.capturedAt.toISOString()).toBe('2026-09-14T11:00:00.000Z');
      });

      it('updates an edited lead without a published date: published and firstSeen stay', async () => {
        await fresh();
        await store.applyPass(entries(MORNING), [], PASS_1);
        await store.applyPass(entries({ ...LATE_MORNING, lead: 'The weekly market has moved to the cathedral square for a month.' }), [], PASS_2);
        const stored = await store.entry(lead(entries(MORNING)).id);
        expect(stored?.summary).toBe('The weekly market has moved to the cathedral square for a month.');
        expect(stored?.updated.toISOString()).toBe('2026-09-14T11:00:00.000Z');
        expect(stored?.published.toISOString()).toBe('2026-09-14T09:00:00.000Z');
        expect(stored?.firstSeen.toISOString()).toBe('2026-09-14T09:01:00.000Z');
      });

      it('updates an edited lead with a published date in its front matter: published stays', async () => {
        await fresh();
        const dated = { ...MORNING, published: '2026-09-14T07:30:00+01:00' };
        await store.applyPass(entries(dated), [], PASS_1);
        await store.applyPass(entries({ ...dated, captured: LATE_MORNING.captured, lead: 'The weekly market has moved to the cathedral square for a month.' }), [], PASS_2);
        const stored = await store.entry(lead(entries(dated)).id);
        expect(stored?.published.toISOString()).toBe('2026-09-14T06:30:00.000Z');
        expect(stored?.updated.toISOString()).toBe('2026-09-14T11:00:00.000Z');
      });

      it('treats an unedited lead in a later capture as unchanged', async () => {
        await fresh();
        const leadOnly: PageSpec = { ...MORNING, briefs: [] };
        await store.applyPass(entries(leadOnly), [], PASS_1);
        const counts = await store.applyPass(entries({ ...leadOnly, captured: '2026-09-14T12:00:00+01:00' }), [], PASS_2);
        expect(counts).toEqual({ new: 0, updated: 0, unchanged: 1 });
        const stored = await store.entry(lead(entries(leadOnly)).id);
        expect(stored?.published.toISOString()).toBe('2026-09-14T09:00:00.000Z');
        expect(stored?.updated.toISOString()).toBe('2026-09-14T09:00:00.000Z');
      });

      it('never lets an older capture overwrite a newer one', async () => {
        await fresh();
        await store.applyPass(entries(LATE_MORNING), [], PASS_1);
        const counts = await store.applyPass(entries(MORNING), [], PASS_2);
        expect(counts).toEqual({ new: 0, updated: 0, unchanged: 3 });
        const roads = await store.entry(briefNamed(entries(MORNING), 'Roads').id);
        expect(roads?.summary).toBe('The level crossing on Mill Lane has reopened after track work finished early.');
        expect(roads?.capturedAt.toISOString()).toBe('2026-09-14T11:00:00.000Z');
      });

      it('never grows when the same pages are published again and again, in any order', async () => {
        await fresh();
        const morning = entries(MORNING);
        const lateMorning = entries(LATE_MORNING);
        const copy = entries({ ...LATE_MORNING, source: 'millbrook/front-page.txt', url: 'https://millbrook-gazette.example/' });
        // Ids: the market lead, Roads, Schools, Weather, and the front page's own lead.
        const expected = 5;
        await store.applyPass([...morning, ...lateMorning, ...copy], [], PASS_1);
        expect(await store.entryCount()).toBe(expected);
        for (const [index, pass] of [[copy, morning], [lateMorning], [morning, copy, lateMorning], [copy]].entries()) {
          await store.applyPass(pass.flat(), [], PASS_3 + index * 60_000);
          expect(await store.entryCount()).toBe(expected);
        }
      });

      it('gives back every field of an entry as it was stored', async () => {
        await fresh();
        const rich = item('urn:x:rich', '2026-09-14T08:00:00Z', {
          kind: 'brief',
          source: 'harbour/ferry.txt',
          title: 'Ferry: “winter” timetable — ünïcödé, <tags> & quotes \' "',
          categories: ['Port', 'Shipping'],
          authors: [{ name: 'Ana Lima', email: 'ana@example.org', url: 'https://example.org/ana' }, { name: 'Desk' }],
          enclosures: [{ url: 'https://cdn.example/a.mp3', type: 'audio/mpeg', length: 12345 }, { url: 'https://cdn.example/b.jpg' }],
          image: 'https://cdn.example/c.jpg',
          language: 'pt-PT',
          pageUrl: 'https://news.example/ferry',
          capturedAt: new Date('2026-09-14T08:30:00Z'),
        });
        const bare = item('urn:x:bare', '2026-09-14T07:00:00Z');
        await store.applyPass([rich, bare], [], PASS_1);
        const stored = await store.entry(rich.id);
        expect(stored).toEqual({ ...rich, updated: rich.published, firstSeen: new Date(PASS_1), contentHash: expect.any(String) });
        expect(await store.entry(bare.id)).toEqual({ ...bare, updated: bare.published, firstSeen: new Date(PASS_1), contentHash: expect.any(String) });
        expect((await store.entry(bare.id))?.pageUrl).toBeUndefined();
        expect(await store.entry('urn:x:missing')).toBeUndefined();
      });

      it('keeps the link of the first sighting while the text stays the same', async () => {
        await fresh();
        const first = item('urn:x:moved', '2026-09-14T08:00:00Z');
        await store.applyPass([first], [], PASS_1);
        const elsewhere = { ...first, link: 'https://mirror.example/moved', capturedAt: new Date('2026-09-14T10:00:00Z') };
        expect(await store.applyPass([elsewhere], [], PASS_2)).toEqual({ new: 0, updated: 0, unchanged: 1 });
        const stored = await store.entry(first.id);
        expect(stored?.link).toBe(first.link);
        expect(stored?.capturedAt.toISOString()).toBe('2026-09-14T10:00:00.000Z');
      });
    });

    describe('entries: one pass meeting an entry twice', () => {
      it('counts it once by what was done and once more as unchanged, and keeps the newer capture, in one batch or across batches, in any order', async () => {
        const older = item('urn:x:twice', '2026-09-14T08:00:00Z', { summary: 'First version.', capturedAt: new Date('2026-09-14T08:10:00Z') });
        const newer = { ...older, summary: 'Second version.', published: new Date('2026-09-14T08:05:00Z'), capturedAt: new Date('2026-09-14T08:20:00Z') };
        for (const batches of [[[older, newer]], [[older], [newer]], [[newer, older]], [[newer], [older]]]) {
          await fresh();
          const pass = store.beginPass(PASS_1);
          for (const batch of batches) await pass.storeEntries(storables(batch));
          // Counts add up to the entries met, as a pass over unchanged pages counts them.
          expect(await pass.end([])).toEqual({ new: 1, updated: 0, unchanged: 1 });
          const stored = await store.entry(older.id);
          expect(stored?.summary).toBe('Second version.');
          expect(stored?.capturedAt.toISOString()).toBe('2026-09-14T08:20:00.000Z');
          // The dates of the version met first stay: a newer capture in the same pass brings only its text.
          const firstMet = batches[0]![0]!.published.toISOString();
          expect(iso(stored)).toEqual({ published: firstMet, updated: firstMet });
        }
      });

      it('updates a stored entry once per pass however many newer versions the pass meets', async () => {
        await fresh();
        const v1 = item('urn:x:edited', '2026-09-14T08:00:00Z', { summary: 'v1' });
        await store.applyPass([v1], [], PASS_1);
        const v2 = { ...v1, summary: 'v2', capturedAt: new Date('2026-09-14T10:00:00Z') };
        const v3 = { ...v1, summary: 'v3', capturedAt: new Date('2026-09-14T10:30:00Z') };
        expect(await store.applyPass([v2, v3], [], PASS_2)).toEqual({ new: 0, updated: 1, unchanged: 1 });
        const stored = await store.entry(v1.id);
        expect(stored?.summary).toBe('v3');
        expect(iso(stored)).toEqual({ published: '2026-09-14T08:00:00.000Z', updated: '2026-09-14T10:30:00.000Z' });
        expect(stored?.firstSeen.toISOString()).toBe(new Date(PASS_1).toISOString());
      });

      it('keeps two passes open at once apart: each counts what it met', async () => {
        await fresh();
        const first = store.beginPass(PASS_1);
        const second = store.beginPass(PASS_1);
        await first.storeEntries(storables([item('urn:x:one', '2026-09-14T08:00:00Z'), item('urn:x:shared', '2026-09-14T08:10:00Z')]));
        await second.storeEntries(storables([item('urn:x:two', '2026-09-14T08:20:00Z')]));
        await second.storeEntries(storables([item('urn:x:shared', '2026-09-14T08:10:00Z')]));
        await first.storeEntries(storables([item('urn:x:three', '2026-09-14T08:30:00Z')]));
        expect(await first.end([])).toEqual({ new: 3, updated: 0, unchanged: 0 });
        expect(await second.end([])).toEqual({ new: 1, updated: 0, unchanged: 1 });
        expect(await store.entryCount()).toBe(4);
      });
    });

    describe('entries: dates as the source gives them', () => {
      it('keeps the date of entries that share one, and an edit takes its capture time', async () => {
        await fresh();
        const nine = '2026-09-14T09:00:00Z';
        const atNine = { published: '2026-09-14T09:00:00.000Z', updated: '2026-09-14T09:00:00.000Z' };
        await store.applyPass(['a', 'b', 'c'].map((id) => item(`urn:x:${id}`, nine)), [], PASS_1);
        const first = await Promise.all(['a', 'b', 'c'].map((id) => store.entry(`urn:x:${id}`)));
        expect(first.map(iso)).toEqual([atNine, atNine, atNine]);
        // A later pass: a new entry at the same minute keeps it too; two edits captured together share their capture time.
        const edits = ['a', 'b'].map((id) => item(`urn:x:${id}`, nine, { summary: `edited ${id}`, capturedAt: new Date('2026-09-14T10:00:00Z') }));
        expect(await store.applyPass([item('urn:x:d', nine), ...edits], [], PASS_2)).toEqual({ new: 1, updated: 2, unchanged: 0 });
        const later = await Promise.all(['a', 'b', 'c', 'd'].map((id) => store.entry(`urn:x:${id}`)));
        const edited = { published: '2026-09-14T09:00:00.000Z', updated: '2026-09-14T10:00:00.000Z' };
        expect(later.map(iso)).toEqual([edited, edited, atNine, atNine]);
      });

      it('keeps seconds and milliseconds the source gives', async () => {
        await fresh();
        await store.applyPass([item('urn:x:exact', '2026-09-14T09:00:07.250Z'), item('urn:x:same', '2026-09-14T09:00:07.250Z')], [], PASS_1);
        for (const id of ['urn:x:exact', 'urn:x:same']) {
          expect(iso(await store.entry(id))).toEqual({ published: '2026-09-14T09:00:07.250Z', updated: '2026-09-14T09:00:07.250Z' });
        }
      });

      it('never moves the updated date of an edit behind the one it had', async () => {
        await fresh();
        // Dated ahead of its capture (a feed that dates items in the future): an edit captured
        // before that date keeps it as its updated date rather than going back in time.
        await store.applyPass([item('urn:x:ahead', '2026-09-14T12:00:00Z', { capturedAt: new Date('2026-09-14T09:00:00Z') })], [], PASS_1);
        await store.applyPass([item('urn:x:ahead', '2026-09-14T12:00:00Z', { summary: 'edited', capturedAt: new Date('2026-09-14T10:00:00Z') })], [], PASS_2);
        expect(iso(await store.entry('urn:x:ahead'))).toEqual({ published: '2026-09-14T12:00:00.000Z', updated: '2026-09-14T12:00:00.000Z' });
      });

      it('keeps 300 items dated 12:00 at 12:00:00, stored in batches, and stores them once', async () => {
        await fresh();
        const noon = '2026-09-14T12:00:00Z';
        const many = Array.from({ length: 300 }, (_, index) => item(`urn:x:many-${String(index).padStart(3, '0')}`, noon));
        const pass = store.beginPass(PASS_1);
        for (let start = 0; start < many.length; start += 120) await pass.storeEntries(storables(many.slice(start, start + 120)));
        expect(await pass.end([])).toEqual({ new: 300, updated: 0, unchanged: 0 });
        const stored = await store.feedEntries({}, 300, () => true);
        expect(stored).toHaveLength(300);
        expect(new Set(stored.flatMap((entry) => [entry.published.toISOString(), entry.updated.toISOString()]))).toEqual(new Set(['2026-09-14T12:00:00.000Z']));
        // One instant, so the ids alone give the order.
        expect(stored.map((entry) => entry.id)).toEqual(many.map((entry) => entry.id));
        expect(await store.applyPass(many, [], PASS_2)).toEqual({ new: 0, updated: 0, unchanged: 300 });
      });

      it('orders entries by date, newest first, then by id in byte order, in feeds and below their window', async () => {
        await fresh();
        // Byte order: "-" < "B" < "_" < "a" < "z" < "é"; a locale's collation would order them otherwise.
        const ids = ['urn:x:é', 'urn:x:a', 'urn:x:_', 'urn:x:z', 'urn:x:B', 'urn:x:-'];
        await store.applyPass([...ids.map((id) => item(id, '2026-09-14T09:00:00Z')), item('urn:x:top', '2026-09-14T10:00:00Z'), item('urn:x:old', '2026-09-14T08:00:00Z')], [], PASS_1);
        const byBytes = ['urn:x:-', 'urn:x:B', 'urn:x:_', 'urn:x:a', 'urn:x:z', 'urn:x:é'];
        const feed = await store.feedEntries({}, 10, () => true);
        expect(feed.map((entry) => entry.id)).toEqual(['urn:x:top', ...byBytes, 'urn:x:old']);
        const last = (await store.entry('urn:x:_'))!;
        expect((await store.unarchivedEntriesAfter('f', {}, () => true, last)).map((entry) => entry.id)).toEqual(['urn:x:old', 'urn:x:é', 'urn:x:z', 'urn:x:a']);
      });
    });

    describe('feed entries', () => {
      it('come newest first, ties in id byte order, one per link, filtered by kind, category and source', async () => {
        await fresh();
        const at = (minute: number) => `2026-09-14T09:${String(minute).padStart(2, '0')}:00Z`;
        await store.applyPass(
          [
            item('urn:x:B', at(0), { kind: 'brief', categories: ['Port', 'Shipping'], source: 'harbour/a.txt' }),
            item('urn:x:later', at(5), { kind: 'lead', source: 'harbour/b.txt' }),
            item('urn:x:copy-old', at(1), { link: 'https://wire.example/same', source: 'wire' }),
            item('urn:x:copy-new', at(2), { link: 'https://wire.example/same', source: 'agency' }),
          ],
          [],
          PASS_1,
        );
        // A later pass brings "a" at the very same instant as B.
        await store.applyPass([item('urn:x:a', at(0), { kind: 'brief', categories: ['weather'], source: 'harbour/c.txt' })], [], PASS_2);
        expect((await store.entry('urn:x:a'))?.published.toISOString()).toBe((await store.entry('urn:x:B'))?.published.toISOString());

        const ids = async (...args: Parameters<Store['feedEntries']>) => (await store.feedEntries(...args)).map((entry) => entry.id);
        const all = () => true;
        // Byte order puts "B" before "a", whatever the database's collation would say.
        expect(await ids({}, 10, all)).toEqual(['urn:x:later', 'urn:x:copy-new', 'urn:x:B', 'urn:x:a']);
        expect(await ids({}, 2, all)).toEqual(['urn:x:later', 'urn:x:copy-new']);
        // The newest copy stands for a story; a copy a feed does not take cannot hide the other.
        expect(await ids({}, 10, (source) => source !== 'agency')).toEqual(['urn:x:later', 'urn:x:copy-old', 'urn:x:B', 'urn:x:a']);
        expect(await ids({ kind: 'brief' }, 10, all)).toEqual(['urn:x:B', 'urn:x:a']);
        expect(await ids({ kind: 'lead' }, 10, all)).toEqual(['urn:x:later']);
        expect(await ids({ categories: ['SHIPPING'] }, 10, all)).toEqual(['urn:x:B']);
        expect(await ids({ categories: ['port', 'Weather'] }, 10, all)).toEqual(['urn:x:B', 'urn:x:a']);
        expect(await ids({ kind: 'lead', categories: ['port'] }, 10, all)).toEqual([]);
        expect(await ids({}, 10, (source) => source.startsWith('harbour/'))).toEqual(['urn:x:later', 'urn:x:B', 'urn:x:a']);
      });

      it('hold entries without a link of their own to be nobody\'s copy, across pages of rows', async () => {
        await fresh();
        // More than one page of rows (the feed query reads a few hundred at a time), none with a link.
        const list = Array.from({ length: 450 }, (_, index) => {
          const { link: _link, ...entry } = item(`urn:x:${String(index).padStart(4, '0')}`, new Date(Date.parse('2026-09-14T00:00:00Z') + index * 60_000).toISOString(), { kind: 'brief' });
          return entry;
        });
        await store.applyPass(list, [], PASS_1);
        const feed = await store.feedEntries({}, 1000, () => true);
        expect(feed.map((entry) => entry.id)).toEqual(list.map((entry) => entry.id).reverse());
        expect(feed.every((entry) => entry.link === undefined)).toBe(true);
        expect((await store.entry('urn:x:0007'))?.link).toBeUndefined();
      });

      it('fill a feed whose sources are a few among many entries', async () => {
        await fresh();
        const list = Array.from({ length: 1500 }, (_, index) =>
          item(`urn:x:${String(index).padStart(4, '0')}`, new Date(Date.parse('2026-09-14T00:00:00Z') + index * 60_000).toISOString(), { source: index % 100 === 7 ? 'rare' : 'common' }),
        );
        await store.applyPass(list, [], PASS_1);
        const rare = await store.feedEntries({}, 10, (source) => source === 'rare');
        const expected = list.filter((entry) => entry.source === 'rare').reverse().slice(0, 10).map((entry) => entry.id);
        expect(rare.map((entry) => entry.id)).toEqual(expected);
        expect(expected).toHaveLength(10);
      });

      it('read only rows from sources that start as a source glob does, the globs judging the rest', async () => {
        await fresh();
        const at = (minute: number) => `2026-09-14T10:${String(minute).padStart(2, '0')}:00Z`;
        // "%" and "_" are plain text in a glob, and a prefix may hold any character.
        const sources = ['50%_off/a.txt', '50%_off/b.txt', '50xyoff/c.txt', 'été/d.txt', 'été/e.html', '𝔪ath/f.txt', 'other'];
        await store.applyPass(sources.map((source, index) => item(`urn:x:${index}`, at(index), { source, link: `https://x.example/${index}` })), [], PASS_1);
        const ids = async (globs: string[], judge = sourceMatcher(globs)) => (await store.feedEntries({ sources: globs }, 10, judge)).map((entry) => entry.id);
        expect(await ids(['50%_off/*'])).toEqual(['urn:x:1', 'urn:x:0']);
        expect(await ids(['été/*.txt', '𝔪ath/*'])).toEqual(['urn:x:5', 'urn:x:3']);
        // Rows no glob's fixed text starts are not even read: a judge that takes every row sees none of them.
        expect(await ids(['été/*'], () => true)).toEqual(['urn:x:4', 'urn:x:3']);
        expect(await ids(['other'], () => true)).toEqual(['urn:x:6']);
        // A glob that starts with a wildcard has no fixed text: every row is read and judged.
        expect(await ids(['*/c.txt'])).toEqual(['urn:x:2']);
        const below = await store.unarchivedEntriesAfter('f', { sources: ['50%_off/*'] }, () => true, (await store.entry('urn:x:6'))!);
        expect(below.map((entry) => entry.id)).toEqual(['urn:x:0', 'urn:x:1']);
      });
    });

    describe('archives', () => {
      it('list what fell below a window, oldest first, until it is archived or settled, per feed', async () => {
        await fresh();
        const list = ['1', '2', '3', '4', '5'].map((n) => item(`urn:x:${n}`, `2026-09-14T0${n}:00:00Z`));
        await store.applyPass(list, [], PASS_1);
        const window = await store.feedEntries({}, 3, () => true);
        expect(window.map((entry) => entry.id)).toEqual(['urn:x:5', 'urn:x:4', 'urn:x:3']);
        const below = async (feed: string) => (await store.unarchivedEntriesAfter(feed, {}, () => true, window.at(-1)!)).map((entry) => entry.id);
        expect(await below('news')).toEqual(['urn:x:1', 'urn:x:2']);
        expect(await store.archivePageCount('news')).toBe(0);

        await store.addArchivePage('news', 1, ['urn:x:1']);
        expect(await store.archivePageCount('news')).toBe(1);
        expect(await below('news')).toEqual(['urn:x:2']);
        await store.settleWithoutArchiving('news', ['urn:x:2']);
        await store.settleWithoutArchiving('news', ['urn:x:2']);
        expect(await below('news')).toEqual([]);
        expect(await store.archivePageCount('news')).toBe(1);
        await store.addArchivePage('news', 2, []);
        expect(await store.archivePageCount('news')).toBe(2);
        // A page remembers what it was written with, so a page deleted from out/ can be written again.
        expect(await store.archivePageEntryIds('news', 1)).toEqual(['urn:x:1']);
        expect(await store.archivePageEntryIds('news', 2)).toEqual([]);
        expect(await store.archivePageEntryIds('news', 3)).toBeUndefined();
        expect(await store.archivePageEntryIds('other', 1)).toBeUndefined();
        // Another feed keeps its own account.
        expect(await below('other')).toEqual(['urn:x:1', 'urn:x:2']);
        expect(await store.archivePageCount('other')).toBe(0);
        // Filters and sources apply below the window as in it.
        expect((await store.unarchivedEntriesAfter('other', { kind: 'lead' }, () => true, window.at(-1)!)).length).toBe(0);
        expect((await store.unarchivedEntriesAfter('other', {}, (source) => source !== 'wire', window.at(-1)!)).length).toBe(0);
      });

      it('break ties below the window by id in byte order', async () => {
        await fresh();
        // Same published instant for "Z" and "b", stored by different passes.
        await store.applyPass([item('urn:x:Z', '2026-09-14T08:00:00Z'), item('urn:x:top', '2026-09-14T12:00:00Z')], [], PASS_1);
        await store.applyPass([item('urn:x:b', '2026-09-14T08:00:00Z'), item('urn:x:old', '2026-09-14T07:00:00Z')], [], PASS_3);
        expect((await store.feedEntries({}, 10, () => true)).map((entry) => entry.id)).toEqual(['urn:x:top', 'urn:x:Z', 'urn:x:b', 'urn:x:old']);
        const last = (await store.entry('urn:x:Z'))!;
        expect((await store.unarchivedEntriesAfter('f', {}, () => true, last)).map((entry) => entry.id)).toEqual(['urn:x:old', 'urn:x:b']);
      });
    });

    describe('sources, passes and meta', () => {
      const page: SourceRecord = {
        source: 'harbour/ferry.txt',
        kind: 'page',
        size: 812,
        mtimeMs: 1757840400123.456,
        bytesHash: 'q83vEjRWeJq83vEjRWeJq83vEjQ',
        fingerprint: 'fp-1',
        status: 'ok',
        entries: 3,
        lastAttemptMs: PASS_1,
        lastSuccessMs: PASS_1,
        failures: 0,
      };
      const feed: SourceRecord = {
        source: 'wire',
        kind: 'feed',
        url: 'https://wire.example/feed.xml',
        status: 'failed',
        error: 'fetch: HTTP 503',
        entries: 2,
        lastAttemptMs: PASS_2,
        lastSuccessMs: PASS_1,
        etag: 'W/"abc"',
        lastModified: 'Mon, 14 Sep 2026 09:00:00 GMT',
        failures: 3,
        nextAttemptMs: PASS_2 + 8 * 60_000,
      };
      const htmlPage: SourceRecord = {
        source: 'live/harbour.html',
        kind: 'capture',
        status: 'ok',
        entries: 1,
        lastAttemptMs: PASS_2,
        lastSuccessMs: PASS_2,
        failures: 0,
        briefs: 0,
        briefLists: '',
        degradedFrom: 11,
      };

      it('keep each source record as it was last written', async () => {
        await fresh();
        expect(await store.sourceRecords()).toEqual(new Map());
        await store.applyPass([], [page, feed], PASS_1);
        expect(await store.sourceRecords()).toEqual(new Map([[page.source, page], [feed.source, feed]]));
        const recovered: SourceRecord = { source: 'wire', kind: 'feed', url: feed.url, status: 'ok', entries: 4, lastAttemptMs: PASS_3, lastSuccessMs: PASS_3, failures: 0 };
        await store.applyPass([], [{ ...feed, failures: 4 }, recovered], PASS_3);
        const records = await store.sourceRecords();
        expect(records.get('wire')).toEqual(recovered);
        // Fields a record does not have are absent, not kept from before.
        expect(records.get('wire')?.etag).toBeUndefined();
        expect(records.get('wire')?.error).toBeUndefined();
        expect(records.get(page.source)).toEqual(page);
        // What an HTML page's lists gave, degraded or not.
        await store.applyPass([], [htmlPage, { ...page, source: 'live/ferry.html', briefs: 6, briefLists: 'ol.ticker\naside li' }], PASS_3);
        expect((await store.sourceRecords()).get(htmlPage.source)).toEqual(htmlPage);
        expect((await store.sourceRecord('live/ferry.html'))?.briefLists).toBe('ol.ticker\naside li');
      });

      it('give one record by id, and the stamps of pages last read fine with the same settings', async () => {
        await fresh();
        expect(await store.sourceRecord(page.source)).toBeUndefined();
        expect(await store.pageStamps('page', 'fp-1')).toEqual(new Map());
        const failedPage: SourceRecord = { source: 'harbour/broken.txt', kind: 'page', status: 'failed', error: 'empty', entries: 0, lastAttemptMs: PASS_1, failures: 1 };
        const otherSettings: SourceRecord = { ...page, source: 'harbour/old.txt', fingerprint: 'fp-0' };
        await store.applyPass([], [page, feed, failedPage, otherSettings], PASS_1);
        expect(await store.sourceRecord(page.source)).toEqual(page);
        expect(await store.sourceRecord(feed.source)).toEqual(feed);
        expect(await store.sourceRecord('nowhere.txt')).toBeUndefined();
        // Only pages read fine with these settings: a failed page or other settings mean reading again.
        const stamps = await store.pageStamps('page', 'fp-1');
        expect([...stamps.keys()]).toEqual([page.source]);
        expect(stamps.get(page.source)).toMatchObject({ size: page.size, mtimeMs: page.mtimeMs, entries: page.entries });
        expect(await store.pageStamps('feed', 'fp-1')).toEqual(new Map());
      });

      it('record passes and give back the newest', async () => {
        await fresh();
        expect(await store.passCount()).toBe(0);
        expect(await store.lastPass()).toBeUndefined();
        const pass = { startedMs: PASS_1, durationMs: 41, sourcesOk: 3, sourcesFailed: 1, sourcesUnchanged: 2, entriesNew: 4, entriesUpdated: 1, entriesUnchanged: 5, filesWritten: 6, filesUnchanged: 11 };
        await store.recordPass(pass);
        await store.recordPass({ ...pass, startedMs: PASS_2, durationMs: 7 });
        expect(await store.passCount()).toBe(2);
        const last = await store.lastPass();
        expect(last).toEqual({ ...pass, startedMs: PASS_2, durationMs: 7, id: expect.any(Number) });
      });

      it('keep small facts by key', async () => {
        await fresh();
        expect(await store.meta('publish_key')).toBeUndefined();
        await store.setMeta('publish_key', 'abc');
        await store.setMeta('published_files', '0');
        await store.setMeta('publish_key', 'def');
        expect(await store.meta('publish_key')).toBe('def');
        expect(await store.meta('published_files')).toBe('0');
        await store.setMeta('publish_key', undefined);
        expect(await store.meta('publish_key')).toBeUndefined();
        expect(await store.meta('published_files')).toBe('0');
      });

      it('keep everything across a close and an open', async () => {
        await fresh();
        await store.applyPass(entries(MORNING), [page], PASS_1);
        await store.setMeta('publish_key', 'abc');
        await store.recordPass({ startedMs: PASS_1, durationMs: 5, sourcesOk: 1, sourcesFailed: 0, sourcesUnchanged: 0, entriesNew: 3, entriesUpdated: 0, entriesUnchanged: 0, filesWritten: 3, filesUnchanged: 0 });
        await store.addArchivePage('news', 1, []);
        const before = await store.feedEntries({}, 10, () => true);
        await store.close();
        const again = await open();
        expect(await again.feedEntries({}, 10, () => true)).toEqual(before);
        expect(await again.sourceRecords()).toEqual(new Map([[page.source, page]]));
        expect(await again.meta('publish_key')).toBe('abc');
        expect(await again.passCount()).toBe(1);
        expect(await again.archivePageCount('news')).toBe(1);
        expect(await again.applyPass(entries(MORNING), [], PASS_2)).toEqual({ new: 0, updated: 0, unchanged: 3 });
      });
    });

    describe('the pass lock', () => {
      beforeAll(() => buildIfStale(), 120_000);

      it('is taken, released and taken again', async () => {
        await fresh();
        const release = await store.lockPasses();
        await release();
        await release();
        const again = await store.lockPasses();
        await again();
      });

      it('is refused while another process holds it, and free once that process is killed', async () => {
        await fresh();
        const holder = await holdLockInChild(location);
        try {
          await expect(store.lockPasses()).rejects.toThrow(LockError);
        } finally {
          await holder.kill();
        }
        const release = await eventually(() => store.lockPasses());
        await release();
      }, 30_000);
    });
  });
}

/** A separate process that opens the state at `location`, takes its pass lock and keeps it until killed. */
async function holdLockInChild(location: string): Promise<{ kill: () => Promise<void> }> {
  const storeModule = pathToFileURL(path.join(ROOT, 'dist', 'store', 'open-store.js')).href;
  const script = `const { openStore } = await import(process.argv[1]);
const store = await openStore(process.argv[2]);
await store.lockPasses();
process.stdout.write('locked\\n');
setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, storeModule, location], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}: ${stderr}`)));
  });
  return {
    kill: async () => {
      // SIGKILL: a process that dies without a word must not leave the lock behind.
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A server notices a dropped connection a moment after the kernel closes it. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
