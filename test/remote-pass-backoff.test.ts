// A remote source that fails and recovers over passes at frozen times: backoff that doubles,
// Retry-After honoured (within a day, never shorter than the backoff), and recovery with its
// changed items updated. Every test replays the passes it needs on a desk of its own.
import { describe, expect, it } from 'vitest';
import { send, sendFixture } from './support/http-fixture-server.js';
import { expectWellFormed, healthOf, jsonTitled, rssTitles } from './support/feed-output.js';
import { ATOM, deskPass, feedSource, MINUTE, remoteDesk, RSS, SECOND, T0 } from './support/remote-desk.js';

type LighthouseMode = 'v1' | 'down' | 'v2';

/**
 * A desk with two sources: "lighthouse", which answers v1, a 500 or v2 as the test says, and
 * "steady", which is always fine. Nothing has been read yet.
 */
async function lighthouseDesk() {
  const desk = await remoteDesk();
  let mode: LighthouseMode = 'v1';
  desk.server.route('/backoff/lighthouse.xml', (request, response, recorded) => {
    if (mode === 'down') return send('upstream error', { 'content-type': 'text/plain' }, 500)(request, response, recorded);
    return sendFixture(mode === 'v1' ? 'lighthouse-v1.xml' : 'lighthouse-v2.xml', RSS)(request, response, recorded);
  });
  desk.server.route('/backoff/steady.atom', sendFixture('atom.xml', ATOM));
  feedSource(desk, 'lighthouse', '/backoff/lighthouse.xml');
  feedSource(desk, 'steady', '/backoff/steady.atom');
  const lighthouseFetches = () => desk.server.requestsTo('/backoff/lighthouse.xml').length;
  const steadyFetches = () => desk.server.requestsTo('/backoff/steady.atom').length;
  /** When each failing pass ran, the next attempt it set, and the failures in a row after it. */
  const attempts: { at: number; next: string | null; failures: number }[] = [];

  /** A pass in which lighthouse is fetched and fails for the `expectedFailures`-th time in a row. */
  async function failingPass(at: number, expectedFailures: number) {
    const before = lighthouseFetches();
    const result = await deskPass(desk, at);
    expect(lighthouseFetches(), 'the failing source is fetched when due').toBe(before + 1);
    const lighthouse = healthOf(desk.out, 'lighthouse');
    expect(lighthouse).toMatchObject({ status: 'failed', consecutive_failures: expectedFailures, entries: 2, last_success: '2026-03-01T12:00:00.000Z' });
    expect(lighthouse.last_error).toContain(`HTTP 500 from ${desk.server.url('/backoff/lighthouse.xml')}`);
    attempts.push({ at, next: lighthouse.next_attempt, failures: lighthouse.consecutive_failures });
    // Its published entries stay; the other source is fine.
    expect(rssTitles(desk.out)).toEqual(expect.arrayContaining(['Lamp room repainted', 'Fog signal tested', 'Seals return to the north beach']));
    expect(result.summary.failures.map((failure) => failure.source)).toEqual(['lighthouse']);
    expect(result.summary.sourcesOk).toBe(1);
    const error = result.logs.find((line) => line.level === 50 && line.source === 'lighthouse');
    expect(error?.msg).toContain('source failed: ingest: HTTP 500');
    expect(error?.consecutive_failures).toBe(expectedFailures);
    expectWellFormed(desk.out);
    return result;
  }

  /** Publishes v1 at T0, then fails `count` times in a row: first at T0 + 15 min, then each time it is due. */
  async function failInARow(count: number) {
    await deskPass(desk, T0);
    mode = 'down';
    for (let failures = 1; failures <= count; failures++) {
      await failingPass(failures === 1 ? T0 + 15 * MINUTE : Date.parse(attempts.at(-1)!.next!), failures);
    }
  }

  return { desk, attempts, lighthouseFetches, steadyFetches, failingPass, failInARow, setMode: (next: LighthouseMode) => (mode = next) };
}

describe('a source that fails and recovers', () => {
  it('publishes the first time', async () => {
    const { desk } = await lighthouseDesk();
    const { summary } = await deskPass(desk, T0);
    expect(summary).toMatchObject({ sourcesOk: 2, sourcesFailed: 0, entriesNew: 4 });
    expect(healthOf(desk.out, 'lighthouse')).toMatchObject({ status: 'ok', entries: 2, consecutive_failures: 0, next_attempt: null });
  });

  it('fails on a 500, keeps its entries, and waits a minute', async () => {
    const { attempts, failInARow } = await lighthouseDesk();
    await failInARow(1);
    expect(attempts.at(-1)!.next).toBe(new Date(T0 + 15 * MINUTE + MINUTE).toISOString());
  });

  it('is not fetched while backing off, and the pass reports it as failing with a log line', async () => {
    const { desk, failInARow, lighthouseFetches, steadyFetches } = await lighthouseDesk();
    await failInARow(1);
    const before = lighthouseFetches();
    const steadyBefore = steadyFetches();
    const { summary, logs } = await deskPass(desk, T0 + 15 * MINUTE + 30 * SECOND);
    expect(lighthouseFetches()).toBe(before);
    expect(steadyFetches(), 'the other source is still read').toBe(steadyBefore + 1);
    expect(summary.failures).toEqual([{ source: 'lighthouse', reason: expect.stringMatching(/^still failing, next attempt 2026-03-01T12:16:00\.000Z: ingest: HTTP 500/) }]);
    expect(summary.sourcesFailed).toBe(1);
    expect(summary.sourcesOk).toBe(1);
    const line = logs.find((entry) => entry.level >= 40 && entry.source === 'lighthouse');
    expect(line?.msg).toMatch(/^source skipped: still failing/);
    expect(healthOf(desk.out, 'lighthouse')).toMatchObject({ status: 'failed', consecutive_failures: 1 });
    expect(rssTitles(desk.out)).toEqual(expect.arrayContaining(['Lamp room repainted', 'Fog signal tested']));
  });

  it('counts the backoff from the tick a late pass was due at, so a one-minute schedule reads it at the next tick', async () => {
    const { desk, failingPass, lighthouseFetches, setMode } = await lighthouseDesk();
    await deskPass(desk, T0);
    setMode('down');
    // Cron started this pass at 12:15, and it began 8 s later: next attempt at 12:16, not 12:16:08.
    await failingPass(T0 + 15 * MINUTE + 8 * SECOND, 1);
    expect(healthOf(desk.out, 'lighthouse').next_attempt).toBe(new Date(T0 + 16 * MINUTE).toISOString());
    // The 12:16 pass, started 3 s after its tick (earlier in its minute than the failed one), reads it.
    const before = lighthouseFetches();
    await deskPass(desk, T0 + 16 * MINUTE + 3 * SECOND);
    expect(lighthouseFetches()).toBe(before + 1);
  });

  it('backs off longer after each failure in a row', async () => {
    const { desk, attempts, failInARow, failingPass, lighthouseFetches } = await lighthouseDesk();
    await failInARow(2);
    const third = Date.parse(attempts.at(-1)!.next!);
    // Just before it is due: not fetched.
    const before = lighthouseFetches();
    await deskPass(desk, third - SECOND);
    expect(lighthouseFetches()).toBe(before);
    await failingPass(third, 3);
    expect(attempts.map((attempt) => Date.parse(attempt.next!) - attempt.at)).toEqual([MINUTE, 2 * MINUTE, 4 * MINUTE]);
    expect(attempts.map((attempt) => attempt.failures)).toEqual([1, 2, 3]);
  });

  it('recovers when due: fine again, changed items updated, new ones added', async () => {
    const { desk, attempts, failInARow, setMode } = await lighthouseDesk();
    await failInARow(3);
    setMode('v2');
    const due = Date.parse(attempts.at(-1)!.next!);
    const { summary } = await deskPass(desk, due);
    expect(summary.failures).toEqual([]);
    expect(summary).toMatchObject({ sourcesOk: 2, sourcesFailed: 0, entriesNew: 1, entriesUpdated: 1 });
    expect(healthOf(desk.out, 'lighthouse')).toMatchObject({ status: 'ok', consecutive_failures: 0, last_error: null, next_attempt: null, entries: 3, last_success: new Date(due).toISOString() });
    const titles = rssTitles(desk.out);
    expect(titles).toContain('Lamp room repainted in white and red');
    expect(titles).toContain('Storm damage to the gallery rail');
    expect(titles).not.toContain('Lamp room repainted');
    expect(titles.filter((title) => title.startsWith('Lamp room'))).toHaveLength(1);
    const lamp = jsonTitled(desk.out, 'Lamp room repainted in white and red');
    expect(lamp.date_published).toBe('2026-02-27T10:00:00Z');
    expect(Date.parse(lamp.date_modified!)).toBeGreaterThanOrEqual(due);
    expectWellFormed(desk.out);
  });
});

describe('Retry-After', () => {
  it('is not fetched again before the time the server asked for', async () => {
    const desk = await remoteDesk();
    let busy = true;
    desk.server.route('/retry/busy.xml', (request, response, recorded) =>
      busy ? send('busy', { 'retry-after': '3600' }, 503)(request, response, recorded) : sendFixture('lighthouse-v1.xml', RSS)(request, response, recorded),
    );
    feedSource(desk, 'busy', '/retry/busy.xml');
    const first = await deskPass(desk, T0);
    expect(first.summary.failures[0]?.reason).toContain('HTTP 503');
    expect(healthOf(desk.out, 'busy')).toMatchObject({ status: 'failed', consecutive_failures: 1, next_attempt: new Date(T0 + 3600 * SECOND).toISOString() });

    busy = false;
    // Past the one-minute backoff, before Retry-After.
    await deskPass(desk, T0 + 2 * MINUTE);
    await deskPass(desk, T0 + 59 * MINUTE);
    expect(desk.server.requestsTo('/retry/busy.xml')).toHaveLength(1);
    expect(healthOf(desk.out, 'busy').status).toBe('failed');

    const due = await deskPass(desk, T0 + 60 * MINUTE);
    expect(desk.server.requestsTo('/retry/busy.xml')).toHaveLength(2);
    expect(due.summary).toMatchObject({ sourcesOk: 1, sourcesFailed: 0, entriesNew: 2 });
  });

  it('waits at most a day, whatever Retry-After asks', async () => {
    const desk = await remoteDesk();
    desk.server.route('/retry/forever.xml', send('go away', { 'retry-after': String(30 * 24 * 3600) }, 503));
    feedSource(desk, 'forever', '/retry/forever.xml');
    await deskPass(desk, T0);
    expect(healthOf(desk.out, 'forever').next_attempt).toBe(new Date(T0 + 24 * 60 * MINUTE).toISOString());
  });

  it('never shortens the backoff when Retry-After is shorter', async () => {
    const desk = await remoteDesk();
    desk.server.route('/retry/brief.xml', send('busy', { 'retry-after': '5' }, 429));
    feedSource(desk, 'brief', '/retry/brief.xml');
    await deskPass(desk, T0);
    expect(healthOf(desk.out, 'brief').next_attempt).toBe(new Date(T0 + MINUTE).toISOString());
  });
});
