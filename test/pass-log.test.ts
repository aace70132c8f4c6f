// Every line a pass logs carries the pass's id, so the lines of passes that share a log (a cron
// `run` beside a `start`, say) can be told apart; lines of one source also carry the source.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore, passWithLogs, TempDirs, writePage } from './support/feed-site.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

describe('a pass\'s log lines', () => {
  it('all carry the pass id, the time the pass started, beside their own fields', async () => {
    const root = dirs.make('pass-log');
    const sources = path.join(root, 'sources');
    writePage(sources, 'harbour.txt', { captured: '2026-05-04T09:30:00+02:00', url: 'https://harbour.example/today', lead: 'The harbour opens its new quay to ferries on Monday.' });
    // A page that cannot be read makes the reading stage log a line of its own.
    writeFileSync(path.join(sources, 'broken.txt'), Buffer.from([0x68, 0x00, 0x69]));
    writeFileSync(path.join(sources, 'site.yaml'), 'title: Quay news\nurl: https://quay.example/\n');
    const store = memoryStore();
    try {
      const startedAt = '2026-05-04T08:00:00.000Z';
      const { logs } = await passWithLogs({ sourcesDir: sources, outDir: path.join(root, 'out'), store, now: () => new Date(startedAt) });
      const failed = logs.find((line) => line.source === 'broken.txt');
      expect(failed).toBeDefined();
      expect(logs.find((line) => line.msg === 'pass finished')).toMatchObject({ pass: startedAt, entries_new: 1 });
      expect(logs.filter((line) => line.pass !== startedAt)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
