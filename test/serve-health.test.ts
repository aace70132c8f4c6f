// /healthz: 200 with a JSON report while the newest pass ended less than two schedule intervals
// ago, 503 with a reason before any pass or after that; HEAD; and errors of the server itself,
// which are logged while it goes on serving. Each test has its own state and server.
import { describe, expect, it } from 'vitest';
import { passHealth } from '../src/serve/health.js';
import { get, rawGet } from './support/http-client.js';
import { INTERVAL_S, memoryState, publishedPages, servedSite, serverOver } from './support/served-site.js';

const published = publishedPages();

/** A pass record as a pass would leave it; only its start and length matter to health. */
const passAt = (startedMs: number, durationMs = 40) => ({
  startedMs,
  durationMs,
  sourcesOk: 4,
  sourcesFailed: 0,
  sourcesUnchanged: 0,
  entriesNew: 0,
  entriesUpdated: 0,
  entriesUnchanged: 0,
  filesWritten: 0,
  filesUnchanged: 0,
});

interface HealthReport {
  healthy: boolean;
  reason: string;
  last_pass: string | null;
}

/** /healthz of a server over the published out/ whose state holds only `records`. */
async function healthOver(records: ReturnType<typeof passAt>[]) {
  const site = await servedSite(published());
  const state = memoryState();
  for (const record of records) await state.recordPass(record);
  const response = await get((await serverOver(site.out, site.site, state)).url, '/healthz');
  return { response, report: JSON.parse(response.body.toString('utf8')) as HealthReport };
}

describe('/healthz', () => {
  it('is 200 with a JSON report after a fresh pass', async () => {
    const { base, store } = await servedSite(published());
    const response = await get(base, '/healthz');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const report = JSON.parse(response.body.toString('utf8')) as HealthReport;
    expect(report.healthy).toBe(true);
    const last = (await store.lastPass())!;
    expect(report.last_pass).toBe(new Date(last.startedMs + last.durationMs).toISOString());
    expect(report.reason).toMatch(/\S/);
  });

  it('answers HEAD with the status and no body', async () => {
    const { base } = await servedSite(published());
    const head = await rawGet(base, '/healthz', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('is 503 with a reason when no pass has finished', async () => {
    const { response, report } = await healthOver([]);
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(report).toEqual({ healthy: false, reason: expect.stringMatching(/no pass/) as unknown as string, last_pass: null });
  });

  it('is 503 with a reason when the last pass ended more than two intervals ago', async () => {
    const endedMs = Date.now() - 3 * INTERVAL_S * 1000;
    const { response, report } = await healthOver([passAt(endedMs - 40)]);
    expect(response.status).toBe(503);
    expect(report.healthy).toBe(false);
    expect(report.last_pass).toBe(new Date(endedMs).toISOString());
    expect(report.reason).toContain('two schedule intervals');
    expect(report.reason).toContain(new Date(endedMs).toISOString());
  });

  it('is 200 when the last pass ended less than two intervals ago (the newest pass counts)', async () => {
    const { response } = await healthOver([passAt(Date.now() - 10 * INTERVAL_S * 1000), passAt(Date.now() - 1.5 * INTERVAL_S * 1000)]);
    expect(response.status).toBe(200);
  });

  it('passHealth: the limit is exactly two intervals after the pass ended', async () => {
    const state = memoryState();
    const intervalMs = INTERVAL_S * 1000;
    const startedMs = Date.UTC(2026, 2, 1, 12, 0, 0);
    await state.recordPass(passAt(startedMs, 2500));
    const endedMs = startedMs + 2500;
    expect((await passHealth(state, intervalMs, endedMs)).healthy).toBe(true);
    expect((await passHealth(state, intervalMs, endedMs + 2 * intervalMs)).healthy).toBe(true);
    const late = await passHealth(state, intervalMs, endedMs + 2 * intervalMs + 1);
    expect(late.healthy).toBe(false);
    expect(late.last_pass).toBe(new Date(endedMs).toISOString());
    expect(late.reason).toContain(`${(2 * intervalMs) / 1000} s`);
  });
});

describe('errors of the server itself', () => {
  it('are logged, and the server keeps serving (unheard, one would end the process)', async () => {
    const { base, server, serverLogs } = await servedSite(published());
    const error = Object.assign(new Error('accept EMFILE: too many open files'), { code: 'EMFILE' });
    server.server.emit('error', error);
    server.server.emit('error', error);
    expect(serverLogs.filter((line) => line.level >= 50 && line.msg === 'server error: accept EMFILE: too many open files')).toHaveLength(2);
    const after = await get(base, '/rss.xml');
    expect(after.status).toBe(200);
  });
});
