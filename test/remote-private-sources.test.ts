// Who may reach what, as configured: a source written by hand for an intranet address reaches
// it; one added by import-opml never reaches a private address unless site.yaml says
// `fetch.allow_private: true`; `secret_headers` marks more headers as credentials.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOpml } from '../src/config/opml-import.js';
import { readRemoteSource } from '../src/config/remote-sources.js';
import { ConfigError } from '../src/errors.js';
import { healthOf } from './support/feed-output.js';
import { redirect, sendFixture, startFixtureServer } from './support/http-fixture-server.js';
import { deskPass, feedSource, remoteDesk, RSS, T0, type RemoteDesk } from './support/remote-desk.js';

/** Adds the desk's fixture feed at `pathname` through import-opml, as a subscriber's list would. */
function importFeed(desk: RemoteDesk, pathname: string): string {
  const opml = path.join(desk.root, 'list.opml');
  writeFileSync(
    opml,
    `<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body><outline type="rss" text="Harbour news" xmlUrl="${desk.server.url(pathname)}"/></body></opml>`,
  );
  const { added } = importOpml(opml, desk.sources);
  expect(added).toHaveLength(1);
  return added[0]!.id;
}

describe('sources added by import-opml', () => {
  it('are marked so, and never fetch from a private address: the source fails, nothing is requested', async () => {
    const desk = await remoteDesk();
    desk.server.route('/imported.xml', sendFixture('rss2.xml', RSS));
    const id = importFeed(desk, '/imported.xml');
    const { summary, logs } = await deskPass(desk, T0);
    expect(summary).toMatchObject({ sourcesOk: 0, sourcesFailed: 1, entriesNew: 0 });
    expect(desk.server.requestsTo('/imported.xml')).toHaveLength(0);
    expect(healthOf(desk.out, id)).toMatchObject({ status: 'failed' });
    expect(healthOf(desk.out, id).last_error).toMatch(/127\.0\.0\.1 is not a public address/);
    expect(logs.some((line) => line.code === 'FETCH_PRIVATE_ADDRESS')).toBe(true);
  });

  it('may, when site.yaml sets fetch.allow_private: true', async () => {
    const desk = await remoteDesk({ siteExtra: 'fetch:\n  allow_private: true' });
    desk.server.route('/imported.xml', sendFixture('rss2.xml', RSS));
    importFeed(desk, '/imported.xml');
    const { summary } = await deskPass(desk, T0);
    expect(summary).toMatchObject({ sourcesOk: 1, sourcesFailed: 0 });
    expect(desk.server.requestsTo('/imported.xml')).toHaveLength(1);
  });
});

describe('a source written by hand', () => {
  it('for a private address reaches it', async () => {
    const desk = await remoteDesk();
    desk.server.route('/intranet.xml', sendFixture('rss2.xml', RSS));
    feedSource(desk, 'intranet', '/intranet.xml');
    const { summary } = await deskPass(desk, T0);
    expect(summary).toMatchObject({ sourcesOk: 1, sourcesFailed: 0 });
  });

  it('sends the headers it marks secret only to its own origin', async () => {
    const desk = await remoteDesk();
    const elsewhere = await startFixtureServer();
    try {
      desk.server.route('/moved.xml', redirect(elsewhere.url('/moved.xml')));
      elsewhere.route('/moved.xml', sendFixture('rss2.xml', RSS));
      feedSource(desk, 'keyed', '/moved.xml', 'headers:', '  X-Api-Key: key-123', '  X-Client: desk', 'secret_headers: [X-Api-Key]');
      const { summary } = await deskPass(desk, T0);
      expect(summary).toMatchObject({ sourcesOk: 1 });
      expect(desk.server.requestsTo('/moved.xml')[0]!.headers['x-api-key']).toBe('key-123');
      const away = elsewhere.requestsTo('/moved.xml')[0]!.headers;
      expect(away['x-api-key']).toBeUndefined();
      expect(away['x-client']).toBe('desk');
    } finally {
      await elsewhere.close();
    }
  });
});

describe('source file keys', () => {
  const read = (document: Record<string, unknown>) => readRemoteSource({ kind: 'feed', url: 'https://news.example/feed.xml', ...document }, 'news', 'news.yaml');

  it('secret_headers names headers of the source, in any case', () => {
    expect(read({ headers: { 'X-Api-Key': 'k' }, secret_headers: ['x-API-key'] }).secretHeaders).toEqual(['x-api-key']);
    expect(() => read({ headers: { 'X-Api-Key': 'k' }, secret_headers: ['X-Token'] })).toThrow(/secret_headers\[0\].*must be one of the names under headers/);
    expect(() => read({ secret_headers: 'X-Token' })).toThrow(ConfigError);
  });

  it('added_by is import-opml or absent', () => {
    expect(read({ added_by: 'import-opml' }).addedBy).toBe('import-opml');
    expect(read({}).addedBy).toBeUndefined();
    expect(() => read({ added_by: 'me' })).toThrow(/added_by/);
  });
});
