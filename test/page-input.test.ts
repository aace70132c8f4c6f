// Captured pages of a size or shape a pass must not take at its word, each through a whole pass:
// a capture time days ahead, two briefs at one time and topic, a page too large to read, an
// entry too long to publish whole.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonItems } from './support/feed-output.js';
import { LEVEL, memoryStore, pageText, passWithLogs, TempDirs } from './support/feed-site.js';

const temps = new TempDirs();
afterEach(() => temps.cleanup());

const NOW = new Date('2026-03-10T12:00:00Z');
const SITE_YAML = 'title: Harbour Desk\nurl: https://harbour.example/\nlanguage: en\ntimezone: UTC\n';

function desk(siteExtra = ''): { sources: string; out: string } {
  const root = temps.make('page-input');
  const sources = path.join(root, 'sources');
  mkdirSync(sources);
  writeFileSync(path.join(sources, 'site.yaml'), SITE_YAML + siteExtra);
  return { sources, out: path.join(root, 'out') };
}

async function pass(where: { sources: string; out: string }) {
  const store = memoryStore();
  try {
    return await passWithLogs({ sourcesDir: where.sources, outDir: where.out, store, now: () => NOW });
  } finally {
    store.close();
  }
}

describe('a capture time more than a day ahead of the pass', () => {
  it('is taken as the time of the pass, with a warning naming the page', async () => {
    const where = desk();
    writeFileSync(
      path.join(where.sources, 'ahead.txt'),
      pageText({ captured: '2026-03-14T09:00:00Z', lead: 'The new lighthouse lamp is lit for the first time tonight.', briefs: [{ time: '08:30', topic: 'Port', text: 'The pilot boat is back in service.' }] }),
    );
    // A day ahead is believed: the site's clock or zone may be off by that much.
    writeFileSync(path.join(where.sources, 'near.txt'), pageText({ captured: '2026-03-11T11:00:00Z', lead: 'The quay cafe opens its terrace for the season on Friday.' }));
    const { summary, logs } = await pass(where);
    expect(summary).toMatchObject({ sourcesOk: 2, sourcesFailed: 0 });
    const warned = logs.filter((line) => line.level === LEVEL.warn && line.code === 'CAPTURE_IN_FUTURE');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ source: 'ahead.txt', reason: expect.stringContaining('2026-03-14T09:00:00.000Z is more than a day ahead') });
    const items = jsonItems(where.out);
    const dateOf = (title: string) => items.find((item) => item.title.startsWith(title))?.date_published;
    expect(dateOf('The new lighthouse lamp')).toBe('2026-03-10T12:00:00Z');
    // The brief is dated by the time of the pass too: 08:30 that day.
    expect(dateOf('Port:')).toBe('2026-03-10T08:30:00Z');
    expect(dateOf('The quay cafe')).toBe('2026-03-11T11:00:00Z');
  });
});

describe('two briefs at the same time and topic with different texts', () => {
  it('are both published, and the pass says so', async () => {
    const where = desk();
    writeFileSync(
      path.join(where.sources, 'port.txt'),
      pageText({
        captured: '2026-03-10T10:00:00Z',
        lead: 'The harbour wall repairs begin on Monday and last a month.',
        briefs: [
          { time: '09:10', topic: 'Port', text: 'The morning ferry was cancelled because of fog.' },
          { time: '09:10', topic: 'Port', text: 'The afternoon ferry will run an hour late.' },
        ],
      }),
    );
    const { logs } = await pass(where);
    const titles = jsonItems(where.out).map((item) => item.title);
    expect(titles).toContain('Port: The morning ferry was cancelled because of fog.');
    expect(titles).toContain('Port: The afternoon ferry will run an hour late.');
    expect(logs.filter((line) => line.code === 'BRIEFS_SHARE_TIME_AND_TOPIC')).toEqual([expect.objectContaining({ level: LEVEL.warn, source: 'port.txt' })]);
  });
});
