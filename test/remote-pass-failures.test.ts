// What a pass does with sources that cannot be read: invalid source files, servers that stall,
// flood, loop or answer with something that is not a feed, and hostile documents (script, entity
// expansion, external entities). The good sources beside them are always published. Each test
// sets up its own desk and fixture server.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { delay, fixture, redirect, send, sendFixture, streamBytes, type Handler } from './support/http-fixture-server.js';
import { expectWellFormed, healthOf, jsonItems, outFiles, rssTitles, statusOf } from './support/feed-output.js';
import { ATOM, deskPass, feedSource, MINUTE, remoteDesk, RSS, T0, writeSource } from './support/remote-desk.js';

/** A desk with one good source and four source files that are invalid or disabled, after a pass. */
async function deskWithBadSourceFiles() {
  const desk = await remoteDesk();
  desk.server.route('/config/good.xml', sendFixture('lighthouse-v1.xml', RSS));
  desk.server.route('/config/off.xml', sendFixture('rss2.xml', RSS));
  desk.server.route('/config/bad-key.xml', sendFixture('rss2.xml', RSS));
  feedSource(desk, 'good', '/config/good.xml');
  feedSource(desk, 'bad-key', '/config/bad-key.xml', 'colour: blue');
  writeSource(desk, 'bad-kind', ['kind: podcast', `url: ${desk.server.url('/config/bad-key.xml')}`]);
  writeSource(desk, 'not-yaml', ['kind: [feed', 'url: "unterminated']);
  feedSource(desk, 'off', '/config/off.xml', 'enabled: false');
  return { desk, ...(await deskPass(desk, T0)) };
}

describe('source files', () => {
  it('fails each invalid file on its own, naming the file, the key and the reason', async () => {
    const { summary, logs } = await deskWithBadSourceFiles();
    const reasons = new Map(summary.failures.map((failure) => [failure.source, failure.reason]));
    expect([...reasons.keys()].sort()).toEqual(['bad-key.yaml', 'bad-kind.yaml', 'not-yaml.yaml']);
    expect(reasons.get('bad-key.yaml')).toMatch(/^config: bad-key\.yaml: key "colour": unknown key \(allowed: kind, url, /);
    expect(reasons.get('bad-kind.yaml')).toBe('config: bad-kind.yaml: key "kind": "podcast" must be "feed" or "page"');
    expect(reasons.get('not-yaml.yaml')).toMatch(/^config: not-yaml\.yaml: not valid YAML/);
    for (const file of reasons.keys()) {
      const line = logs.find((entry) => entry.level === 50 && entry.source === file);
      expect(line?.msg, file).toMatch(/^source skipped: config: /);
      expect(line?.file).toBe(file);
    }
    expect(summary.sourcesFailed).toBe(3);
  });

  it('still publishes the good source', async () => {
    const { desk, summary } = await deskWithBadSourceFiles();
    expect(summary.sourcesOk).toBe(1);
    expect(rssTitles(desk.out)).toEqual(['Lamp room repainted', 'Fog signal tested']);
    expect(healthOf(desk.out, 'good').status).toBe('ok');
    expectWellFormed(desk.out);
  });

  it('never fetches an invalid or disabled source', async () => {
    const { desk } = await deskWithBadSourceFiles();
    expect(desk.server.requestsTo('/config/off.xml')).toHaveLength(0);
    expect(desk.server.requestsTo('/config/bad-key.xml')).toHaveLength(0);
    expect([...statusOf(desk.out).keys()]).toEqual(['good']);
  });

  it('keeps the entries of a source whose file turns invalid, and reports it in the pass', async () => {
    const desk = await remoteDesk();
    desk.server.route('/config/later.xml', sendFixture('lighthouse-v1.xml', RSS));
    feedSource(desk, 'later', '/config/later.xml');
    await deskPass(desk, T0);
    expect(rssTitles(desk.out)).toEqual(['Lamp room repainted', 'Fog signal tested']);
    feedSource(desk, 'later', '/config/later.xml', 'max_entries: 0');
    const { summary } = await deskPass(desk, T0 + 15 * MINUTE);
    expect(summary.failures).toEqual([{ source: 'later.yaml', reason: 'config: later.yaml: key "max_entries": must be a whole number of at least 1' }]);
    expect(desk.server.requestsTo('/config/later.xml')).toHaveLength(1);
    expect(rssTitles(desk.out)).toEqual(['Lamp room repainted', 'Fog signal tested']);
    // Its health says so too, with its entries still counted.
    expect(healthOf(desk.out, 'later')).toMatchObject({ status: 'failed', entries: 2, consecutive_failures: 1, last_error: expect.stringContaining('max_entries') });
  });
});

/** A desk (fetch timeout 0.5 s) with one good Atom source and seven that fail each its own way, after a pass. */
async function deskWithFailingSources() {
  const desk = await remoteDesk({ siteExtra: 'fetch:\n  timeout: 0.5\n' });
  let stallClosed: Promise<void> | undefined;
  const routes: [string, Handler][] = [
    ['/mixed/good.atom', sendFixture('atom.xml', ATOM)],
    [
      '/mixed/stall.xml',
      (_request, response, recorded) => {
        stallClosed = recorded.socketClosed;
        response.writeHead(200, { 'content-type': RSS });
        response.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      },
    ],
    ['/mixed/huge.xml', (_request, response) => {
      response.writeHead(200, { 'content-type': RSS });
      void streamBytes(response, 50 * 1024 * 1024);
    }],
    ['/mixed/bomb.xml', send(gzipSync(Buffer.alloc(6 * 1024 * 1024, 0x20)), { 'content-type': RSS, 'content-encoding': 'gzip' })],
    ['/mixed/broken.xml', sendFixture('broken.xml', RSS)],
    ['/mixed/loop-a', redirect('/mixed/loop-b')],
    ['/mixed/loop-b', redirect('/mixed/loop-a')],
    ['/mixed/html.xml', send('<!doctype html><html><body><p>Not a feed</p></body></html>', { 'content-type': 'text/html' })],
  ];
  for (const [pathname, handler] of routes) desk.server.route(pathname, handler);
  for (const id of ['stall', 'huge', 'bomb', 'broken']) feedSource(desk, id, `/mixed/${id}.xml`);
  feedSource(desk, 'good', '/mixed/good.atom');
  feedSource(desk, 'loop', '/mixed/loop-a');
  feedSource(desk, 'missing', '/mixed/missing.xml');
  feedSource(desk, 'html', '/mixed/html.xml');
  const run = await deskPass(desk, T0);
  return { desk, ...run, stallClosed: stallClosed! };
}

describe('failing sources beside a good one', () => {
  // A fetch that ignored the 0.5 s timeout would hold the pass past the test's own timeout.
  it('finishes, with the good source published', async () => {
    const { desk, summary } = await deskWithFailingSources();
    expect(summary.sourcesOk).toBe(1);
    expect(rssTitles(desk.out)).toEqual(['Seals return to the north beach', 'Kelp forest survey']);
    expect(healthOf(desk.out, 'good')).toMatchObject({ status: 'ok', entries: 2 });
    expectWellFormed(desk.out);
  });

  it('fails each bad source with its own reason, logged and in status.json', async () => {
    const { desk, summary, logs } = await deskWithFailingSources();
    const reasons = new Map(summary.failures.map((failure) => [failure.source, failure.reason]));
    expect([...reasons.keys()].sort()).toEqual(['bomb', 'broken', 'html', 'huge', 'loop', 'missing', 'stall']);
    expect(reasons.get('stall')).toContain('timed out');
    expect(reasons.get('huge')).toContain('larger than 5242880 bytes');
    expect(reasons.get('bomb')).toContain('larger than 5242880 bytes');
    expect(reasons.get('broken')).toContain('feed is not readable XML');
    expect(reasons.get('loop')).toContain('redirect loop');
    expect(reasons.get('missing')).toContain('HTTP 404');
    for (const [id, reason] of reasons) {
      expect(healthOf(desk.out, id), id).toMatchObject({ status: 'failed', consecutive_failures: 1, last_error: reason, entries: 0, last_success: null });
      expect(logs.some((line) => line.level === 50 && line.source === id && line.msg === `source failed: ${reason}`), id).toBe(true);
    }
  });

  it('hangs up on the stalled server', async () => {
    const { stallClosed } = await deskWithFailingSources();
    await expect(Promise.race([stallClosed.then(() => 'closed'), delay(1000).then(() => 'still open')])).resolves.toBe('closed');
  });
});

/** Written by the hostile-document fixtures' scripts, handlers and styles; none may survive. */
const HOSTILE_MARKERS = ['<script', '&lt;script', 'XSS-', 'xss-style-marker', 'onerror', 'onclick', 'onload', 'javascript:', 'vbscript:', 'srcset', '<iframe', '&lt;iframe', '<svg', '<object', 'evil.example', 'position:fixed', 'data:text/html', 'data:image/svg', '<form', '&lt;form'];

describe('hostile documents end to end', () => {
  it('sanitizes HTML in the stored entries and in every output file', async () => {
    const desk = await remoteDesk();
    desk.server.route('/hostile/dirty.xml', sendFixture('dirty-html.xml', RSS));
    feedSource(desk, 'dirty', '/hostile/dirty.xml');
    const { summary } = await deskPass(desk, T0);
    expect(summary).toMatchObject({ sourcesOk: 1, entriesNew: 2 });
    const stored = await desk.store.feedEntries({}, 100, () => true);
    expect(stored).toHaveLength(2);
    const files = outFiles(desk.out);
    // The item without a link has an entry page of its own.
    const pages = [...files.keys()].filter((name) => name.startsWith('entries/'));
    expect(pages).toHaveLength(1);
    expect(files.get(pages[0]!)).toContain('Second notice text.');
    for (const [name, text] of [...files, ['store', JSON.stringify(stored)] as const]) {
      for (const bad of HOSTILE_MARKERS) expect(text, `${name} contains ${bad}`).not.toContain(bad);
    }
    const jsonContent = jsonItems(desk.out).map((item) => item.content_html).join('\n');
    for (const [name, text] of [['rss.xml', files.get('rss.xml')!], ['atom.xml', files.get('atom.xml')!], ['feed.json content_html', jsonContent]] as const) {
      expect(text, name).toContain('The council published the <strong>harbour plan</strong> on Friday.');
      expect(text, name).toContain('href="https://dirty.example/docs/plan.pdf"');
      expect(text, name).toContain('src="https://dirty.example/img/harbour.jpg"');
      expect(text, name).toContain('src="data:image/png;base64,iVBORw0KGgo');
    }
    expectWellFormed(desk.out);
  });

  // An expanding parser would take the pass past the test's own timeout, or fill out/.
  it('expands no entity and reads no local file', async () => {
    const desk = await remoteDesk({ onDisk: true });
    const secretFile = path.join(desk.root, 'secret.txt');
    writeFileSync(secretFile, 'XXE-SECRET-51c0ffee\n');
    desk.server.route('/hostile/laughs.xml', sendFixture('billion-laughs.xml', RSS));
    desk.server.route('/hostile/xxe.xml', send(fixture('external-entity.xml').toString('utf8').replaceAll('{{SECRET_PATH}}', secretFile), { 'content-type': RSS }));
    desk.server.route('/hostile/fine.xml', sendFixture('lighthouse-v1.xml', RSS));
    feedSource(desk, 'laughs', '/hostile/laughs.xml');
    feedSource(desk, 'xxe', '/hostile/xxe.xml');
    feedSource(desk, 'fine', '/hostile/fine.xml');
    const { summary } = await deskPass(desk, T0);
    expect(summary.failures).toEqual([]);
    expect(summary.sourcesOk).toBe(3);
    let total = 0;
    for (const [name, text] of outFiles(desk.out)) {
      total += text.length;
      expect(text, name).not.toContain('XXE-SECRET');
      expect(text, name).not.toContain('lollol');
    }
    expect(total).toBeLessThan(200_000);
    desk.closeStore();
    const stateDir = path.dirname(desk.stateFile!);
    for (const name of readdirSync(stateDir)) expect(readFileSync(path.join(stateDir, name)).includes('XXE-SECRET'), name).toBe(false);
    // The entity reference is left as the text it is.
    expect(rssTitles(desk.out)).toContain('Leak: &xxe;');
  });
});
