// Parse threads give exactly what parsing on the pass's own thread gives: the same entries, the
// same skipped items, the same reasons for a document that cannot be read. The threads run the
// built dist/ (a worker thread cannot load TypeScript), so this test builds it when stale.
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRemoteSource } from '../src/config/remote-sources.js';
import { readSiteConfig } from '../src/config/site.js';
import { documentEntries, type DocumentJob } from '../src/worker/document-entries.js';
import type { DocumentParser } from '../src/worker/parse-threads.js';
import { buildIfStale, ROOT } from './support/built-cli.js';
import { fixture, islandPageSource } from './support/http-fixture-server.js';

const SITE = readSiteConfig({ url: 'https://feeds.example/', timezone: 'UTC' }, 'site.yaml');
const FETCHED_MS = Date.parse('2026-03-01T12:00:00Z');

type BuiltParseThreads = typeof import('../src/worker/parse-threads.js');
let built: BuiltParseThreads;
const parsers: DocumentParser[] = [];

beforeAll(async () => {
  buildIfStale();
  built = (await import(`${ROOT}/dist/worker/parse-threads.js`)) as BuiltParseThreads;
}, 120_000);

afterEach(async () => {
  for (const parser of parsers.splice(0)) await parser.close();
});

function threads(): DocumentParser {
  const parser = built.documentParser(built.THREADS_FROM_SOURCES, 2);
  parsers.push(parser);
  return parser;
}

function job(sourceYaml: string[], file: string, contentType: string | undefined, id = file.replace(/\W/g, '-')): DocumentJob {
  return {
    source: readRemoteSource(parseYaml(sourceYaml.join('\n')), id, `${id}.yaml`),
    body: fixture(file),
    contentType,
    documentUrl: `https://wire.example/${file}`,
    site: SITE,
    fetchedAtMs: FETCHED_MS,
  };
}

const feedJob = (file: string, contentType: string) => job(['kind: feed', `url: https://wire.example/${file}`], file, contentType);

const JOBS: DocumentJob[] = [
  feedJob('rss2.xml', 'application/rss+xml'),
  feedJob('rss1.xml', 'application/rdf+xml'),
  feedJob('atom.xml', 'application/atom+xml'),
  feedJob('feed.json', 'application/feed+json'),
  feedJob('dirty-html.xml', 'application/rss+xml'),
  feedJob('atom-bad-date.xml', 'application/atom+xml'),
  job(islandPageSource('https://wire.example/island-times.html'), 'island-times.html', 'text/html; charset=utf-8', 'island'),
  job(['kind: page', 'url: https://wire.example/ferry-live.txt', 'format: text'], 'ferry-live.txt', 'text/plain; charset=utf-8', 'ferry'),
];

describe('parse threads', () => {
  it('is what a built pass with many sources uses, and nothing else', () => {
    expect(built.documentParser(built.THREADS_FROM_SOURCES - 1, 2)).toBe(built.INLINE);
    expect(built.documentParser(1000, 0)).toBe(built.INLINE);
    expect(built.documentParser(1000, 1)).not.toBe(built.INLINE);
    const parser = threads();
    expect(parser).not.toBe(built.INLINE);
  });

  it('give the entries and skipped items parsing in-process gives, for every kind of document, many at once', async () => {
    const parser = threads();
    // Each document three times over, all at once: more than the threads hold, so some wait.
    const jobs = [...JOBS, ...JOBS, ...JOBS];
    const [threaded, inline] = await Promise.all([Promise.all(jobs.map((each) => parser.parse(each))), Promise.all(jobs.map((each) => documentEntries(each)))]);
    expect(threaded).toEqual(inline);
    expect(threaded.every((result) => result.entries.length > 0)).toBe(true);
    expect(threaded.some((result) => result.skipped.length > 0)).toBe(true);
  });

  it('fail a broken document with the reason and stage parsing in-process gives', async () => {
    const broken = feedJob('broken.xml', 'application/rss+xml');
    const inline = await documentEntries(broken).then(
      () => undefined,
      (error: Error & { stage?: string }) => error,
    );
    expect(inline?.message).toBeTruthy();
    const threaded = await threads().parse(broken).then(
      () => undefined,
      (error: Error & { stage?: string; source?: string }) => error,
    );
    expect(threaded?.name).toBe('SourceError');
    expect(threaded?.message).toBe(inline?.message);
    expect(threaded?.stage).toBe(inline?.stage);
    expect(threaded?.source).toBe(broken.source.id);
  });

  it('fail a document that cannot be handed to a thread as that source\'s failure, and go on with the others', async () => {
    const parser = threads();
    const good = feedJob('rss2.xml', 'application/rss+xml');
    const uncopyable = { ...good, site: { ...SITE, hook: () => undefined } } as unknown as DocumentJob;
    const [refused, read] = await Promise.allSettled([parser.parse(uncopyable), parser.parse(good)]);
    expect(refused.status === 'rejected' && refused.reason).toMatchObject({ stage: 'ingest', code: 'SOURCE_UNREADABLE', source: good.source.id });
    expect(refused.status === 'rejected' && (refused.reason as Error).message).toMatch(/^cannot hand the document to a parse thread/);
    expect(read.status === 'fulfilled' && read.value.entries.length).toBeGreaterThan(0);
  });

  it('fail documents still waiting when closed, rather than leave them waiting', async () => {
    const parser = threads();
    const waiting = JOBS.map((each) => parser.parse(each).then(() => 'parsed', (error: Error) => error.message));
    await parser.close();
    const outcomes = await Promise.all(waiting);
    expect(outcomes.filter((outcome) => outcome !== 'parsed')).not.toHaveLength(0);
    expect(outcomes.filter((outcome) => outcome !== 'parsed').every((outcome) => outcome.includes('parse threads closed'))).toBe(true);
  });
});
