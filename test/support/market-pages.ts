// Captured pages of one small site (a market lead and its briefs, captured twice in a morning)
// as entries, for tests of ids and of the stores.
import { readSiteConfig } from '../../src/config/site.js';
import { readCapture } from '../../src/ingest/page-file.js';
import type { Entry, SiteConfig } from '../../src/model.js';
import { pageToEntries } from '../../src/normalize/entries.js';

export const SITE = readSiteConfig({ url: 'https://millbrook-gazette.example/', timezone: 'Europe/Lisbon' }, 'test/site.yaml');
export const OTHER_SITE = readSiteConfig({ url: 'https://riverside-herald.example/', timezone: 'Europe/Lisbon' }, 'test/site.yaml');

export interface PageSpec {
  source?: string;
  url?: string;
  captured: string;
  published?: string;
  lead?: string;
  briefs: [time: string, topic: string, text: string][];
}

export function page(spec: PageSpec): string {
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

export function entries(spec: PageSpec, site: SiteConfig = SITE): Entry[] {
  return pageToEntries(readCapture(page(spec), spec.source ?? 'millbrook/market.txt', new Date(0)), site);
}

export function briefNamed(list: Entry[], topic: string): Entry {
  const found = list.find((entry) => entry.kind === 'brief' && entry.categories[0]?.toLowerCase() === topic.toLowerCase());
  if (!found) throw new Error(`no brief with topic ${topic}`);
  return found;
}

export function lead(list: Entry[]): Entry {
  const found = list.find((entry) => entry.kind === 'lead');
  if (!found) throw new Error('no lead');
  return found;
}

export const MORNING: PageSpec = {
  url: 'https://millbrook-gazette.example/news/market-moves',
  captured: '2026-09-14T10:00:00+01:00',
  briefs: [
    ['09:40', 'Roads', 'The level crossing on Mill Lane is closed until noon for track work.'],
    ['08:15', 'Schools', 'Hillside primary opens an hour late because of a burst pipe.'],
  ],
};

// Two hours later the Roads brief was rewritten and a new brief was added on top.
export const LATE_MORNING: PageSpec = {
  url: 'https://millbrook-gazette.example/news/market-moves',
  captured: '2026-09-14T12:00:00+01:00',
  briefs: [
    ['11:20', 'Weather', 'A yellow warning for thunderstorms covers the valley this afternoon.'],
    ['09:40', 'Roads', 'The level crossing on Mill Lane has reopened after track work finished early.'],
    ['08:15', 'Schools', 'Hillside primary opens an hour late because of a burst pipe.'],
  ],
};
