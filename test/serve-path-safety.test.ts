// Nothing outside out/ is reachable: traversal in every spelling, encoded and double-encoded,
// NUL bytes, dotfiles and half-written temporary files, symlinks that lead out, the state file
// under any path, malformed requests (400, and the server goes on) and methods other than GET
// and HEAD (405). Targets are sent byte for byte over raw sockets.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { get, rawGet, rawRequest } from './support/http-client.js';
import { publishedPages, SECRET, servedSite, SQLITE_MAGIC } from './support/served-site.js';

const published = publishedPages();

/** Request targets sent byte for byte; see servedSite for the traps they aim at. */
const attacks = [
  '/../state/state.db',
  '/../secret.txt',
  '/../../../../../../etc/passwd',
  '/desk/../../secret.txt',
  '/entries/../../state/state.db',
  '/%2e%2e/state/state.db',
  '/%2E%2E/secret.txt',
  '/%2e%2e%2fsecret.txt',
  '/..%2fsecret.txt',
  '/..%2Fstate%2Fstate.db',
  '/desk/..%2f..%2fsecret.txt',
  '/%252e%252e/secret.txt',
  '/%252e%252e%252fsecret.txt',
  '/..%252fsecret.txt',
  '/..\\secret.txt',
  '/..%5csecret.txt',
  '/%5c..%5csecret.txt',
  '/rss.xml%00',
  '/%00',
  '/..%00/secret.txt',
  '/.rss.xml.feedloom-1-0.tmp',
  '/%2erss.xml.feedloom-1-0.tmp',
  '/desk/.hidden',
  '/desk/%2ehidden',
  '/leak.txt',
  '/state-link.db',
  '/state-dir/state.db',
  '/state-dir/state.db-wal',
  '/up/secret.txt',
  '/up/state/state.db',
  '/%c0%ae%c0%ae/secret.txt',
  '/%',
  '/%zz',
];

describe('nothing outside out/ is reachable', () => {
  it.each(attacks)('%s is 400 or 404, never the file', async (target) => {
    const { base } = await servedSite(published());
    const response = await rawGet(base, target);
    expect([400, 404], response.statusLine).toContain(response.status);
    expect(response.raw.toString('latin1')).not.toContain(SECRET);
    expect(response.raw.toString('latin1').includes(SQLITE_MAGIC)).toBe(false);
    expect(response.raw.toString('latin1')).not.toContain('root:');
  });

  it('refuses absolute-form and asterisk request targets', async () => {
    const { base } = await servedSite(published());
    for (const target of [`http://127.0.0.1/../secret.txt`, 'http://127.0.0.1/rss.xml', '*', 'secret.txt']) {
      const response = await rawGet(base, target);
      expect([400, 404], `${target}: ${response.statusLine}`).toContain(response.status);
      expect(response.raw.toString('latin1')).not.toContain(SECRET);
    }
  });

  it('never serves the state file, whatever the path', async () => {
    const { base, stateDir } = await servedSite(published());
    const stateFiles = readdirSync(stateDir); // state.db, -wal, -shm
    expect(stateFiles).toContain('state.db');
    const prefixes = ['', '/..', '/../state', '/%2e%2e/state', '/desk/../../state', '/state-dir', '/up/state', '/.feedloom', '/state'];
    for (const prefix of prefixes) {
      for (const name of stateFiles) {
        const response = await rawGet(base, `${prefix}/${name}`);
        expect([400, 404], `${prefix}/${name}: ${response.statusLine}`).toContain(response.status);
        expect(response.raw.toString('latin1').includes(SQLITE_MAGIC)).toBe(false);
      }
    }
  });

  it('a malformed request line or header gets 400, and the server keeps serving', async () => {
    const { base, file, serverLogs } = await servedSite(published());
    const malformed = [
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      'GET /rss.xml HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /rss.xml HTTP/1.1\r\nHost: x\r\nNo colon in this header\r\n\r\n',
      'GET /rss.xml HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n',
      'GET /rss.xml HTTP/1.1\r\nHost: x\r\nBad Name: value\r\n\r\n',
      'GET /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'GET /rss xml HTTP/1.1\r\nHost: x\r\n\r\n',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', // a TLS ClientHello on the plain port
    ];
    for (const bytes of malformed) {
      const response = await rawRequest(base, Buffer.from(bytes, 'latin1'));
      expect(response.status, JSON.stringify(bytes)).toBe(400);
      const after = await get(base, '/rss.xml');
      expect(after.status).toBe(200);
      expect(after.body.equals(file('rss.xml'))).toBe(true);
    }
    expect(serverLogs.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('answers 405 with Allow to methods other than GET, HEAD and OPTIONS', async () => {
    const { base, file } = await servedSite(published());
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND']) {
      for (const target of ['/rss.xml', '/healthz', '/metrics', '/../secret.txt']) {
        const response = await rawRequest(base, `${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        expect(response.status, `${method} ${target}`).toBe(405);
        expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
        expect(response.raw.toString('latin1')).not.toContain(SECRET);
      }
    }
    // The file is unchanged by any of that.
    expect((await get(base, '/rss.xml')).body.equals(file('rss.xml'))).toBe(true);
  });
});
