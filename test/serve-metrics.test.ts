// /metrics: the Prometheus text format with every feedloom metric, passes counted and timed,
// a failing source's failures, entries and fetch durations, and zeros over a state with no pass.
// Each test builds its own site: the fixture pages plus one remote feed that works and one that
// answers 500, read in two passes five minutes apart.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { onTestFinished, describe, expect, it } from 'vitest';
import { loadSiteConfig } from '../src/config/site.js';
import { FeedMetrics } from '../src/serve/metrics.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { runPass } from '../src/worker/pass.js';
import { get } from './support/http-client.js';
import { send, startFixtureServer } from './support/http-fixture-server.js';
import { captureLogs } from './support/log-capture.js';
import { parsePrometheus, sample } from './support/prometheus.js';
import { memoryState, pagesWorkspace, publishedPages, SCHEDULE, servedSite, serverOver } from './support/served-site.js';

const published = publishedPages();

const UPRIVER_RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Upriver Weekly</title>
    <link>https://upriver.example/</link>
    <description>Notes from upriver.</description>
    <item>
      <title>Weir repairs finished ahead of the spring floods</title>
      <link>https://upriver.example/weir</link>
      <guid>https://upriver.example/weir</guid>
      <pubDate>Sat, 28 Feb 2026 09:00:00 GMT</pubDate>
      <description>The weir at Lower Ford is open again.</description>
    </item>
    <item>
      <title>Ferry timetable changes on Monday</title>
      <link>https://upriver.example/ferry</link>
      <guid>https://upriver.example/ferry</guid>
      <pubDate>Fri, 27 Feb 2026 16:30:00 GMT</pubDate>
      <description>Two more crossings in the evening.</description>
    </item>
  </channel>
</rss>
`;

/** Two passes, the second after the failing source's one-minute backoff (so it is tried again), and a server over them. */
async function siteWithAFailingFeed() {
  const remote = await startFixtureServer();
  onTestFinished(() => remote.close());
  remote.route('/upriver.xml', send(UPRIVER_RSS, { 'content-type': 'application/rss+xml; charset=utf-8' }));
  remote.route('/firehouse.xml', send('the database is on fire\n', { 'content-type': 'text/plain' }, 500));
  const folders = pagesWorkspace('metrics');
  writeFileSync(path.join(folders.sources, 'upriver.yaml'), `kind: feed\nurl: ${remote.url('/upriver.xml')}\n`);
  writeFileSync(path.join(folders.sources, 'firehouse.yaml'), `kind: feed\nurl: ${remote.url('/firehouse.xml')}\n`);
  const store = SqliteStore.open(folders.state);
  onTestFinished(() => store.close());
  const metrics = new FeedMetrics(() => store);
  const { logger } = captureLogs();
  const start = Date.now();
  const passes = [];
  for (const offsetMs of [0, 5 * 60_000]) {
    passes.push(await runPass({ sourcesDir: folders.sources, outDir: folders.out, store, logger, observer: metrics, now: () => new Date(start + offsetMs) }));
  }
  const site = await loadSiteConfig(folders.sources, { schedule: SCHEDULE });
  const running = await serverOver(folders.out, site, store, metrics);
  const scrape = async () => parsePrometheus((await get(running.url, '/metrics')).body.toString('utf8'));
  return { remote, store, passes, base: running.url, scrape };
}

describe('/metrics', () => {
  it('the passes fetched both sources and one failed each time', async () => {
    const { remote, passes } = await siteWithAFailingFeed();
    expect(passes.map((p) => p.sourcesFailed)).toEqual([1, 1]);
    expect(passes.map((p) => p.failures.map((f) => f.source))).toEqual([['firehouse'], ['firehouse']]);
    expect(remote.requestsTo('/firehouse.xml')).toHaveLength(2);
    expect(remote.requestsTo('/upriver.xml')).toHaveLength(2);
  });

  it('answers in the Prometheus text format with every feedloom metric', async () => {
    const { base } = await siteWithAFailingFeed();
    const response = await get(base, '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const { types, helps } = parsePrometheus(response.body.toString('utf8'));
    const expected: Record<string, string> = {
      feedloom_passes_total: 'counter',
      feedloom_pass_duration_seconds: 'histogram',
      feedloom_fetch_duration_seconds: 'histogram',
      feedloom_source_failures_total: 'counter',
      feedloom_source_consecutive_failures: 'gauge',
      feedloom_entries: 'gauge',
      feedloom_last_pass_duration_seconds: 'gauge',
      feedloom_last_successful_pass_timestamp_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect(types.get(name), name).toBe(type);
      expect(helps.get(name), name).toMatch(/\S/);
    }
  });

  it('counts passes and observes their durations', async () => {
    const { passes, store, scrape } = await siteWithAFailingFeed();
    const { samples } = await scrape();
    expect(sample(samples, 'feedloom_passes_total')).toBe(2);
    expect(sample(samples, 'feedloom_pass_duration_seconds_count')).toBe(2);
    const sum = sample(samples, 'feedloom_pass_duration_seconds_sum')!;
    expect(sum).toBeCloseTo(passes.reduce((total, p) => total + p.durationMs, 0) / 1000, 6);
    expect(sample(samples, 'feedloom_pass_duration_seconds_bucket', { le: '+Inf' })).toBe(2);
    const last = (await store.lastPass())!;
    expect(sample(samples, 'feedloom_last_pass_duration_seconds')).toBeCloseTo(last.durationMs / 1000, 6);
    expect(sample(samples, 'feedloom_last_successful_pass_timestamp_seconds')).toBeCloseTo((last.startedMs + last.durationMs) / 1000, 3);
  });

  it('reports the failing source: failures seen and failures in a row', async () => {
    const { scrape } = await siteWithAFailingFeed();
    const { samples } = await scrape();
    expect(sample(samples, 'feedloom_source_failures_total', { source: 'firehouse' })).toBe(2);
    expect(sample(samples, 'feedloom_source_consecutive_failures', { source: 'firehouse' })).toBe(2);
    // The working source is not reported as failing.
    expect(sample(samples, 'feedloom_source_failures_total', { source: 'upriver' })).toBeUndefined();
    expect(sample(samples, 'feedloom_source_consecutive_failures', { source: 'upriver' })).toBeUndefined();
  });

  it('counts the entries in the state and observes fetch durations', async () => {
    const { store, scrape } = await siteWithAFailingFeed();
    const { samples } = await scrape();
    expect(sample(samples, 'feedloom_entries')).toBe(await store.entryCount());
    expect(await store.entryCount()).toBe(14 + 2); // the captured pages' entries and the remote feed's two items
    // Two passes fetched the working source and the failing one once each: four fetches, the two
    // 500s among them, each observed.
    expect(sample(samples, 'feedloom_fetch_duration_seconds_count')).toBe(4);
    expect(sample(samples, 'feedloom_fetch_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('a server over a state with no pass yet reports zeros, not an error', async () => {
    const site = await servedSite(published());
    const running = await serverOver(site.out, site.site, memoryState());
    const response = await get(running.url, '/metrics');
    expect(response.status).toBe(200);
    const { samples } = parsePrometheus(response.body.toString('utf8'));
    expect(sample(samples, 'feedloom_passes_total')).toBe(0);
    expect(sample(samples, 'feedloom_entries')).toBe(0);
  });
});
