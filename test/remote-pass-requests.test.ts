// The requests a pass sends: conditional GET with the validator it was given, at most a few
// requests in flight to one host, a User-Agent naming feedloom and its version, and the headers
// a source file names. Each test has its own desk and fixture server.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { delayed, fixture, send, sendFixture } from './support/http-fixture-server.js';
import { healthOf, readOut, rssTitles } from './support/feed-output.js';
import { ATOM, deskPass, DESK_SITE_URL, feedSource, MINUTE, remoteDesk, RSS, T0, type RemoteDesk } from './support/remote-desk.js';

describe('conditional GET in a pass', () => {
  it('sends the ETag, takes a 304 as unchanged, and keeps the entries', async () => {
    const desk = await remoteDesk();
    desk.server.route('/etag/science.atom', (request, response) => {
      if (request.headers['if-none-match'] === 'W/"science-1"') {
        response.writeHead(304, { etag: 'W/"science-1"' });
        response.end();
      } else {
        response.writeHead(200, { 'content-type': ATOM, etag: 'W/"science-1"' });
        response.end(fixture('atom.xml'));
      }
    });
    feedSource(desk, 'science', '/etag/science.atom');
    const first = await deskPass(desk, T0);
    expect(first.summary).toMatchObject({ sourcesOk: 1, entriesNew: 2 });
    const rssBefore = readOut(desk.out, 'rss.xml');

    const second = await deskPass(desk, T0 + 15 * MINUTE);
    const requests = desk.server.requestsTo('/etag/science.atom');
    expect(requests).toHaveLength(2);
    expect(requests[0]!.headers['if-none-match']).toBeUndefined();
    expect(requests[1]!.headers['if-none-match']).toBe('W/"science-1"');
    expect(second.summary).toMatchObject({ sourcesOk: 1, sourcesUnchanged: 1, sourcesFailed: 0, entriesNew: 0, entriesUpdated: 0, entriesUnchanged: 2 });
    expect(readOut(desk.out, 'rss.xml')).toBe(rssBefore);
    expect(rssTitles(desk.out)).toEqual(['Seals return to the north beach', 'Kelp forest survey']);
    expect(healthOf(desk.out, 'science')).toMatchObject({ status: 'ok', entries: 2, consecutive_failures: 0, last_success: '2026-03-01T12:15:00.000Z' });

    // A third pass still sends the validator it was given the first time.
    await deskPass(desk, T0 + 30 * MINUTE);
    expect(desk.server.requestsTo('/etag/science.atom')[2]!.headers['if-none-match']).toBe('W/"science-1"');
  });
});

/** `count` numbered one-item feeds on the desk's one host, each answered after `delayMs`. */
function slowBuoys(desk: RemoteDesk, folder: string, count: number, delayMs: number): void {
  for (let n = 1; n <= count; n++) {
    const document = fixture('numbered-template.xml').toString('utf8').replaceAll('{{N}}', String(n));
    desk.server.route(`/${folder}/buoy-${n}.xml`, delayed(delayMs, send(document, { 'content-type': RSS })));
    feedSource(desk, `buoy-${n}`, `/${folder}/buoy-${n}.xml`);
  }
}

describe('politeness', () => {
  it('has at most 2 requests in flight to one host, and names feedloom and its version', async () => {
    const desk = await remoteDesk();
    slowBuoys(desk, 'polite', 8, 150);
    const { summary } = await deskPass(desk, T0);
    expect(summary).toMatchObject({ sourcesOk: 8, sourcesFailed: 0, entriesNew: 8 });
    // Answers that take 150 ms each: requests sent without a limit would overlap far past two.
    expect(desk.server.inFlight.max).toBe(2);
    const requests = desk.server.requests.filter((request) => request.path.startsWith('/polite/buoy-'));
    expect(requests).toHaveLength(8);
    const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(VERSION).toBe(version);
    for (const request of requests) {
      expect(request.headers['user-agent']).toContain(`feedloom/${version}`);
      expect(request.headers['user-agent']).toContain(DESK_SITE_URL);
    }
  });

  it('follows fetch.per_host from site.yaml', async () => {
    const desk = await remoteDesk({ siteExtra: 'fetch:\n  per_host: 3\n' });
    slowBuoys(desk, 'polite3', 6, 120);
    const { summary } = await deskPass(desk, T0);
    expect(summary.sourcesOk).toBe(6);
    expect(desk.server.inFlight.max).toBe(3);
  });

  it('sends the headers a source names', async () => {
    const desk = await remoteDesk();
    desk.server.route('/polite/private.xml', sendFixture('lighthouse-v1.xml', RSS));
    feedSource(desk, 'private', '/polite/private.xml', 'headers:', '  X-Api-Key: sesame-42');
    await deskPass(desk, T0);
    expect(desk.server.requestsTo('/polite/private.xml')[0]!.headers['x-api-key']).toBe('sesame-42');
  });
});
