// What an HTML page read without selectors gave, in its source's record, status.json and /metrics,
// and a page whose lists stop giving briefs reported as degraded, once, until they come back.
import { describe, expect, it } from 'vitest';
import { sourceHealth } from '../src/publish/status.js';
import { FeedMetrics } from '../src/serve/metrics.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { SourceRecord } from '../src/store/store.js';
import { DEGRADED_AFTER_BRIEFS, extractionFields, keptExtraction } from '../src/worker/extraction-health.js';
import { parsePrometheus, sample } from './support/prometheus.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');

function pageRecord(source: string, fields: Partial<SourceRecord> = {}): SourceRecord {
  return { source, kind: 'capture', status: 'ok', entries: 1, lastAttemptMs: NOW, lastSuccessMs: NOW, failures: 0, ...fields };
}

describe('the extraction fields of a record', () => {
  it('keep the briefs and the lists they came from', () => {
    const { fields, degradedNow } = extractionFields({ briefs: 12, lists: ['json-ld LiveBlogPosting', 'aside.latest\nli'] }, undefined);
    expect(fields).toEqual({ briefs: 12, briefLists: 'json-ld LiveBlogPosting\naside.latest li' });
    expect(degradedNow).toBe(false);
  });

  it('mark a page degraded when it gives none where it gave many, once, and until briefs come back', () => {
    const many = pageRecord('live.html', { briefs: 9, briefLists: 'ol.ticker' });
    const first = extractionFields({ briefs: 0, lists: [] }, many);
    expect(first).toEqual({ fields: { briefs: 0, briefLists: '', degradedFrom: 9 }, degradedNow: true });
    const second = extractionFields({ briefs: 0, lists: [] }, pageRecord('live.html', first.fields));
    expect(second).toEqual({ fields: { briefs: 0, briefLists: '', degradedFrom: 9 }, degradedNow: false });
    const back = extractionFields({ briefs: 4, lists: ['ol.ticker'] }, pageRecord('live.html', second.fields));
    expect(back).toEqual({ fields: { briefs: 4, briefLists: 'ol.ticker' }, degradedNow: false });
  });

  it('do not call a page degraded that gave few briefs, or that is read for the first time', () => {
    const few = pageRecord('article.html', { briefs: DEGRADED_AFTER_BRIEFS - 1, briefLists: 'ul.more' });
    expect(extractionFields({ briefs: 0, lists: [] }, few).degradedNow).toBe(false);
    expect(extractionFields({ briefs: 0, lists: [] }, undefined).fields.degradedFrom).toBeUndefined();
    expect(extractionFields({ briefs: 0, lists: [] }, pageRecord('a.html')).fields.degradedFrom).toBeUndefined();
  });

  it('are kept as they were when the page is read again unchanged', () => {
    expect(keptExtraction(pageRecord('a.html', { briefs: 0, briefLists: '', degradedFrom: 7 }))).toEqual({ briefs: 0, briefLists: '', degradedFrom: 7 });
    expect(keptExtraction(pageRecord('a.txt'))).toEqual({});
  });
});

describe('status.json', () => {
  it('shows an HTML page’s briefs and lists, and a degraded page as degraded', () => {
    expect(sourceHealth(pageRecord('live.html', { briefs: 3, briefLists: 'ol.ticker\nul.latest' }))).toEqual({
      source: 'live.html',
      kind: 'capture',
      status: 'ok',
      entries: 1,
      last_error: null,
      briefs: 3,
      brief_lists: ['ol.ticker', 'ul.latest'],
    });
    expect(sourceHealth(pageRecord('live.html', { briefs: 0, briefLists: '', degradedFrom: 9 }))).toMatchObject({ status: 'degraded', degraded_from_briefs: 9, briefs: 0, brief_lists: [] });
    // A failure is a failure, whatever the last reading found.
    expect(sourceHealth(pageRecord('live.html', { status: 'failed', error: 'gone', briefs: 0, degradedFrom: 9 }))).toMatchObject({ status: 'failed', last_error: 'gone' });
    expect(sourceHealth(pageRecord('story.txt'))).not.toHaveProperty('briefs');
  });
});

describe('/metrics', () => {
  it('gives each HTML page’s briefs and lists, and the degraded ones, from the state', async () => {
    const store = SqliteStore.open(':memory:');
    const pass = store.beginPass(NOW);
    await pass.storeEntries([]);
    await pass.end([
      pageRecord('live.html', { briefs: 5, briefLists: 'ol.ticker\nul.latest' }),
      pageRecord('gone.html', { briefs: 0, briefLists: '', degradedFrom: 8 }),
      pageRecord('story.txt'),
    ]);
    const metrics = parsePrometheus((await new FeedMetrics(() => store).render()).body).samples;
    expect(sample(metrics, 'feedloom_source_briefs', { source: 'live.html' })).toBe(5);
    expect(sample(metrics, 'feedloom_source_briefs', { source: 'gone.html' })).toBe(0);
    expect(sample(metrics, 'feedloom_source_briefs', { source: 'story.txt' })).toBeUndefined();
    expect(sample(metrics, 'feedloom_source_brief_lists', { source: 'live.html' })).toBe(2);
    expect(sample(metrics, 'feedloom_source_degraded', { source: 'gone.html' })).toBe(8);
    expect(sample(metrics, 'feedloom_source_degraded', { source: 'live.html' })).toBeUndefined();
    await store.close();
  });
});
