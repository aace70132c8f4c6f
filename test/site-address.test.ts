// A change of the site's address (http to https, a new domain) on an existing state: links move,
// identities do not. Every entry and every feed keeps its id, nothing is published twice, dates
// stay; `site_id` names the namespace of a new state; a state from before this kept the
// namespace its ids were made in.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { WATERMARKS, writeWatermark } from '../src/store/watermarks.js';
import { jsonItems, readOut } from './support/feed-output.js';
import { pageText, passWithLogs, TempDirs } from './support/feed-site.js';

const temps = new TempDirs();
afterEach(() => temps.cleanup());

interface Desk {
  sources: string;
  out: string;
  store: SqliteStore;
}

function desk(): Desk {
  const root = temps.make('site-address');
  const sources = path.join(root, 'sources');
  mkdirSync(sources);
  writeFileSync(
    path.join(sources, 'harbour.txt'),
    pageText({
      captured: '2026-03-10T10:00:00Z',
      lead: 'The harbour wall repairs begin on Monday and last a month.',
      briefs: [
        { time: '09:10', topic: 'Port', text: 'The morning ferry was cancelled because of fog.' },
        { time: '08:30', topic: 'Weather', text: 'A yellow wind warning is out for the estuary.' },
      ],
    }),
  );
  const store = SqliteStore.open(path.join(root, 'state.db'));
  return { sources, out: path.join(root, 'out'), store };
}

function site(where: Desk, url: string, extra = ''): void {
  writeFileSync(path.join(where.sources, 'site.yaml'), `title: Harbour Desk\nurl: ${url}\ntimezone: UTC\n${extra}`);
}

async function pass(where: Desk, at: string) {
  return passWithLogs({ sourcesDir: where.sources, outDir: where.out, store: where.store, now: () => new Date(at) });
}

const idsAndDates = (out: string) => jsonItems(out).map((item) => ({ id: item.id, date: item.date_published })).sort((a, b) => (a.id < b.id ? -1 : 1));

describe('a change of url in site.yaml', () => {
  it('changes links, not ids: no entry is new, none appears twice, dates stay', async () => {
    const where = desk();
    try {
      site(where, 'http://harbour.example/');
      await pass(where, '2026-03-10T10:05:00Z');
      const before = idsAndDates(where.out);
      const feedIdBefore = /<id>([^<]+)<\/id>/.exec(readOut(where.out, 'atom.xml'))![1];

      site(where, 'https://news.harbour.example/desk/');
      // A recapture too, with one brief edited.
      writeFileSync(
        path.join(where.sources, 'harbour.txt'),
        pageText({
          captured: '2026-03-10T11:00:00Z',
          lead: 'The harbour wall repairs begin on Monday and last a month.',
          briefs: [
            { time: '09:10', topic: 'Port', text: 'The morning ferry was cancelled because of thick fog.' },
            { time: '08:30', topic: 'Weather', text: 'A yellow wind warning is out for the estuary.' },
          ],
        }),
      );
      const { summary } = await pass(where, '2026-03-10T11:05:00Z');
      expect(summary).toMatchObject({ entriesNew: 0 });
      expect(idsAndDates(where.out)).toEqual(before);
      expect(jsonItems(where.out)).toHaveLength(3);
      expect(/<id>([^<]+)<\/id>/.exec(readOut(where.out, 'atom.xml'))![1]).toBe(feedIdBefore);
      // The links are the new address's.
      const feed = JSON.parse(readOut(where.out, 'feed.json')) as { home_page_url: string; feed_url: string; items: { url: string }[] };
      expect(feed.feed_url).toBe('https://news.harbour.example/desk/feed.json');
      for (const item of feed.items) expect(item.url.startsWith('https://news.harbour.example/desk/')).toBe(true);
    } finally {
      where.store.close();
    }
  });
});

describe('site_id', () => {
  it('names the namespace of a new state, and keeps ids through a change of url', async () => {
    const withId = desk();
    const plain = desk();
    try {
      site(withId, 'http://harbour.example/', 'site_id: tag:harbour.example,2026:desk\n');
      site(plain, 'http://harbour.example/');
      await pass(withId, '2026-03-10T10:05:00Z');
      await pass(plain, '2026-03-10T10:05:00Z');
      const ids = idsAndDates(withId.out).map((entry) => entry.id);
      // Another namespace: other ids than the URL's.
      expect(ids.filter((id) => idsAndDates(plain.out).some((entry) => entry.id === id))).toEqual([]);
      site(withId, 'https://elsewhere.example/', 'site_id: tag:harbour.example,2026:desk\n');
      await pass(withId, '2026-03-10T11:05:00Z');
      expect(idsAndDates(withId.out).map((entry) => entry.id)).toEqual(ids);
    } finally {
      withId.store.close();
      plain.store.close();
    }
  });

  it('that differs from an existing state\'s namespace is refused: ids never change', async () => {
    const where = desk();
    try {
      site(where, 'http://harbour.example/');
      await pass(where, '2026-03-10T10:05:00Z');
      site(where, 'http://harbour.example/', 'site_id: tag:harbour.example,2026:other\n');
      await expect(pass(where, '2026-03-10T11:05:00Z')).rejects.toThrow(/key "site_id": "tag:harbour.example,2026:other" differs from the id namespace this state was created with \("http:\/\/harbour.example\/"\)/);
    } finally {
      where.store.close();
    }
  });
});

describe('a state written before ids had a namespace of their own', () => {
  it('keeps the one its ids were made in, even when url changes in the same step', async () => {
    const where = desk();
    try {
      site(where, 'http://harbour.example/');
      await pass(where, '2026-03-10T10:05:00Z');
      const before = idsAndDates(where.out);
      // What an earlier feedloom left: no namespace, only the settings it last read.
      await writeWatermark(where.store, WATERMARKS.idNamespace, undefined);
      site(where, 'https://news.harbour.example/');
      const { summary } = await pass(where, '2026-03-10T11:05:00Z');
      expect(summary).toMatchObject({ entriesNew: 0 });
      expect(idsAndDates(where.out)).toEqual(before);
    } finally {
      where.store.close();
    }
  });
});
