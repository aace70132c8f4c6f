// GET /metrics in the Prometheus text format. What the state knows (passes, entries, sources'
// failures, the last pass) is read from it at scrape time, so `feedloom serve` beside a cron
// job reports the same as `feedloom start --serve`; durations are observed in the process that
// runs the passes.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PassObserver } from '../model.js';
import type { SourceRecord, Store } from '../store/store.js';

export class FeedMetrics implements PassObserver {
  readonly registry = new Registry();
  private readonly passDuration: Histogram;
  private readonly fetchDuration: Histogram;
  /** Undefined when the fleet's count is shown instead (serve --queue, queue/queue-metrics.ts). */
  private readonly sourceFailures: Counter<'source'> | undefined;
  /** Every source's record, read once per scrape for the gauges that show them. */
  private scrapedRecords: Promise<Map<string, SourceRecord> | undefined> = Promise.resolve(undefined);

  /** `sourceFailures`: whose failures `feedloom_source_failures_total` counts, this process's passes' or the fleet's. */
  constructor(
    private readonly store: () => Store | undefined,
    options: { sourceFailures: 'this process' | 'the fleet' } = { sourceFailures: 'this process' },
  ) {
    const registry = this.registry;
    const records = () => this.scrapedRecords;
    this.passDuration = new Histogram({
      name: 'feedloom_pass_duration_seconds',
      help: 'Duration of passes run by this process.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.fetchDuration = new Histogram({
      name: 'feedloom_fetch_duration_seconds',
      help: 'Duration of remote source fetches made by this process, redirects included.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.sourceFailures =
      options.sourceFailures === 'the fleet'
        ? undefined
        : new Counter({
            name: 'feedloom_source_failures_total',
            help: 'Source failures seen by passes of this process, by source.',
            labelNames: ['source'],
            registers: [registry],
          });
    new Gauge({
      name: 'feedloom_state_readable',
      help: '1 when the state could be opened, 0 when it could not (the feeds in out/ are served either way).',
      registers: [registry],
      collect() {
        this.set(store() ? 1 : 0);
      },
    });
    new Counter({
      name: 'feedloom_passes_total',
      help: 'Passes recorded in the state.',
      registers: [registry],
      async collect() {
        const count = await store()?.passCount();
        this.reset();
        if (count) this.inc(count);
      },
    });
    new Gauge({
      name: 'feedloom_entries',
      help: 'Entries in the state.',
      registers: [registry],
      async collect() {
        this.set((await store()?.entryCount()) ?? 0);
      },
    });
    new Gauge({
      name: 'feedloom_last_pass_duration_seconds',
      help: 'Duration of the last recorded pass.',
      registers: [registry],
      async collect() {
        const last = await store()?.lastPass();
        if (last) this.set(last.durationMs / 1000);
      },
    });
    new Gauge({
      name: 'feedloom_last_successful_pass_timestamp_seconds',
      help: 'When the last recorded pass ended, in Unix seconds.',
      registers: [registry],
      async collect() {
        const last = await store()?.lastPass();
        if (last) this.set((last.startedMs + last.durationMs) / 1000);
      },
    });
    // One sample per source the value applies to, from its record.
    const bySource = (name: string, help: string, valueOf: (record: SourceRecord) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['source'],
        registers: [registry],
        async collect() {
          const known = await records();
          this.reset();
          for (const record of known?.values() ?? []) {
            const value = valueOf(record);
            if (value !== undefined) this.set({ source: record.source }, value);
          }
        },
      });
    bySource('feedloom_source_consecutive_failures', 'Failures in a row of each source that is failing now.', (record) => (record.failures > 0 ? record.failures : undefined));
    // HTML pages read without selectors: what their lists gave, and which no longer give any.
    bySource('feedloom_source_briefs', 'Briefs found on each HTML page read without selectors, when it was last read.', (record) => record.briefs);
    bySource('feedloom_source_brief_lists', 'Lists of briefs found on each HTML page read without selectors, when it was last read.', (record) =>
      record.briefs === undefined ? undefined : record.briefLists ? record.briefLists.split('\n').length : 0,
    );
    bySource('feedloom_source_degraded', 'HTML pages that gave briefs and now give none, each with the number it gave before.', (record) => record.degradedFrom);
  }

  passFinished(durationMs: number): void {
    this.passDuration.observe(durationMs / 1000);
  }

  sourceFailed(source: string): void {
    this.sourceFailures?.inc({ source });
  }

  fetchFinished(durationMs: number): void {
    this.fetchDuration.observe(durationMs / 1000);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    this.scrapedRecords = Promise.resolve(this.store()?.sourceRecords());
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
