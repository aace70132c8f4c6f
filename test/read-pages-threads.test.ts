// A pass with many changed pages reads them on parse threads; it must store exactly what reading
// them on the pass's own thread stores, in the same order, and fail the same pages for the same
// reasons. The threads run the built dist/ (a worker thread cannot load TypeScript), so this test
// builds it when stale and runs the built reader both ways.
import { hash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSiteConfig } from '../src/config/site.js';
import type { StorableEntry } from '../src/store/entry-row.js';
import type { SourceRecord } from '../src/store/store.js';
import type { PageFileOutcome } from '../src/worker/page-file-entries.js';
import { defaultPageThreads, type DocumentParser } from '../src/worker/parse-threads.js';
import type { PageReadOptions } from '../src/worker/read-pages.js';
import { buildIfStale, ROOT } from './support/built-cli.js';
import { captureLogs } from './support/log-capture.js';

type BuiltReader = typeof import('../src/worker/read-pages.js');
type BuiltThreads = typeof import('../src/worker/parse-threads.js');
let reader: BuiltReader;
let threads: BuiltThreads;
let sourcesDir: string;
let pages: string[];

const SITE = readSiteConfig({ url: 'https://feeds.example/', timezone: 'Europe/Lisbon', boilerplate: ['Subscribe to our newsletter'] }, 'site.yaml');
const FINGERPRINT = 'settings-1';
const NOW_MS = Date.parse('2026-03-01T12:00:00Z');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');

beforeAll(async () => {
  buildIfStale();
  reader = (await import(`${ROOT}/dist/worker/read-pages.js`)) as BuiltReader;
  threads = (await import(`${ROOT}/dist/worker/parse-threads.js`)) as BuiltThreads;
  // Good and bad pages, copied into enough folders to be many, and a few broken in ways of their own.
  sourcesDir = mkdtempSync(path.join(os.tmpdir(), 'feedloom-read-pages-'));
  const copies = Math.ceil(reader.PAGE_THREADS_FROM / 6) + 3;
  for (let copy = 0; copy < copies; copy++) {
    for (const folder of ['pages', 'bad-pages', 'later-pages']) {
      const into = path.join(sourcesDir, `copy-${String(copy).padStart(3, '0')}`, folder);
      mkdirSync(into, { recursive: true });
      for (const name of readdirSync(path.join(FIXTURES, folder)).filter((file) => file.endsWith('.txt'))) cpSync(path.join(FIXTURES, folder, name), path.join(into, name));
    }
  }
  writeFileSync(path.join(sourcesDir, 'copy-001', 'binary.txt'), Buffer.from([0x68, 0x00, 0x69]));
  writeFileSync(path.join(sourcesDir, 'copy-002', 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  writeFileSync(path.join(sourcesDir, 'copy-003', 'bad-yaml.txt'), '---\nurl: [unclosed\n---\nA lead that never gets read.\n');
  pages = (readdirSync(sourcesDir, { recursive: true }) as string[]).filter((name) => name.endsWith('.txt')).map((name) => name.split(path.sep).join('/')).sort();
}, 120_000);

afterAll(() => rmSync(sourcesDir, { recursive: true, force: true }));

/** Records as an earlier pass left them: some pages read fine with these settings, one with others. */
function earlierRecords(): Map<string, SourceRecord> {
  const records = new Map<string, SourceRecord>();
  const record = (source: string, fingerprint: string): SourceRecord => ({
    source,
    kind: 'page',
    bytesHash: hash('sha1', readFileSync(path.join(sourcesDir, source)), 'base64url'),
    fingerprint,
    status: 'ok',
    entries: 7,
    lastAttemptMs: NOW_MS - 1000,
    lastSuccessMs: NOW_MS - 1000,
    failures: 0,
  });
  for (const source of pages.filter((name) => name.startsWith('copy-004/'))) records.set(source, record(source, FINGERPRINT));
  for (const source of pages.filter((name) => name.startsWith('copy-005/'))) records.set(source, record(source, 'settings-0'));
  records.set('copy-001/binary.txt', { source: 'copy-001/binary.txt', kind: 'page', status: 'failed', error: 'earlier', entries: 3, lastAttemptMs: 1, lastSuccessMs: 1, failures: 2 });
  return records;
}

async function readAll(parser: DocumentParser | undefined) {
  const stored: StorableEntry[][] = [];
  const { logger, logs } = captureLogs();
  const records = earlierRecords();
  const options: PageReadOptions = {
    sourcesDir,
    site: SITE,
    fingerprint: FINGERPRINT,
    stamps: async () => new Map(),
    record: async (source) => records.get(source),
    records: async () => records,
    nowMs: NOW_MS,
    logger,
    storeEntries: async (entries) => {
      stored.push(entries);
    },
    ...(parser ? { parser: async () => parser } : {}),
  };
  const result = await reader.readPages(pages, options);
  return { result, stored, logs: logs.map(({ time: _time, pid: _pid, hostname: _hostname, ...line }) => line) };
}

describe('reading many changed pages', () => {
  it('leaves a core to the pass\'s own thread, which stores what the threads read', () => {
    expect([1, 2, 3, 8].map((cores) => defaultPageThreads(cores))).toEqual([0, 1, 2, 4]);
  });

  it('on parse threads stores the entries, records and failures reading in-process gives, in the same order', async () => {
    const parser = threads.documentParser(pages.length, 2);
    let tasks = 0;
    const counting: DocumentParser = { ...parser, parse: (job) => parser.parse(job), close: () => parser.close(), readPageFiles: (job) => (tasks++, parser.readPageFiles(job)) };
    try {
      const [threaded, inline] = [await readAll(counting), await readAll(undefined)];
      expect(tasks).toBeGreaterThan(1);
      expect(parser).not.toBe(threads.INLINE);
      expect(threaded.stored).toEqual(inline.stored);
      expect(threaded.result).toEqual(inline.result);
      expect(threaded.logs).toEqual(inline.logs);
      // What was compared holds every case: entries, pages touched but not edited, failures.
      expect(inline.stored.flat().length).toBeGreaterThan(pages.length);
      expect(inline.result.unchanged).toBe(pages.filter((name) => name.startsWith('copy-004/')).length);
      expect(inline.result.failures.map((failure) => failure.reason)).toEqual(
        expect.arrayContaining([expect.stringMatching(/binary/), expect.stringMatching(/UTF-8/), expect.stringMatching(/YAML/), expect.stringMatching(/^normalize: /)]),
      );
    } finally {
      await parser.close();
    }
  }, 60_000);

  it("reads pages on the pass's own thread once the threads are closed, with the same outcomes", async () => {
    const parser = threads.documentParser(pages.length, 2);
    await parser.close();
    const job = { site: SITE, sourcesRoot: realpathSync(sourcesDir), nowMs: Date.parse('2026-03-01T00:00:00Z'), pages: pages.slice(0, 40).map((source) => ({ source, file: path.join(sourcesDir, source), mtimeMs: 0, knownHash: undefined })) };
    const outcomes = await parser.readPageFiles(job);
    // Errors keep their class, stage and message, not their cause: that stays on the thread.
    const plain = (list: PageFileOutcome[]) =>
      list.map((outcome) => ('read' in outcome ? outcome : { name: outcome.error.name, message: outcome.error.message, stage: (outcome.error as { stage?: string }).stage }));
    expect(plain(outcomes)).toEqual(plain(await threads.INLINE.readPageFiles(job)));
    expect(outcomes.filter((outcome) => 'error' in outcome).length).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => 'read' in outcome).length).toBeGreaterThan(0);
  });
});
