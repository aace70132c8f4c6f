// Compression: gzip and br negotiated from Accept-Encoding (q-values, identity, Vary), bodies that
// decompress to the file, and compressed forms fixed per file version: the forms published for
// a version are what is sent, and a version with none gets its forms made once and kept. Every
// test has its own copy of the site and its own server.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compress, contentHash, type CompressedForms } from '../src/publish/compressed-forms.js';
import { get, rawGet, sleep } from './support/http-client.js';
import { publishedPages, servedSite, type ServedSite } from './support/served-site.js';

const published = publishedPages();

describe('compression', () => {
  it('sends gzip when asked, and it decompresses to the file', async () => {
    const { base, file } = await servedSite(published());
    for (const name of ['rss.xml', 'atom.xml', 'feed.json', 'index.html', 'feeds.opml']) {
      const response = await get(base, `/${name}`, { 'Accept-Encoding': 'gzip' });
      expect(response.headers['content-encoding'], name).toBe('gzip');
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
      expect(response.body.length).toBeLessThan(file(name).length);
      expect(gunzipSync(response.body).equals(file(name)), name).toBe(true);
      expect(response.headers.vary).toContain('Accept-Encoding');
    }
  });

  it('prefers br when both are accepted, and it decompresses to the file', async () => {
    const { base, file } = await servedSite(published());
    for (const accept of ['br', 'gzip, deflate, br', 'gzip, deflate, br, zstd', 'br;q=1.0, gzip;q=0.8', '*']) {
      const response = await get(base, '/atom.xml', { 'Accept-Encoding': accept });
      expect(response.headers['content-encoding'], accept).toBe('br');
      expect(brotliDecompressSync(response.body).equals(file('atom.xml')), accept).toBe(true);
    }
  });

  it('follows q-values', async () => {
    const { base } = await servedSite(published());
    expect((await get(base, '/atom.xml', { 'Accept-Encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe('gzip');
    expect((await get(base, '/atom.xml', { 'Accept-Encoding': 'gzip;q=0.9, br;q=0.1' })).headers['content-encoding']).toBe('gzip');
    expect((await get(base, '/atom.xml', { 'Accept-Encoding': 'gzip;q=0, br;q=0' })).headers['content-encoding']).toBeUndefined();
    expect((await get(base, '/atom.xml', { 'Accept-Encoding': '*;q=0, gzip' })).headers['content-encoding']).toBe('gzip');
  });

  it('sends identity when no coding it has is accepted, with Vary: Accept-Encoding', async () => {
    const { base, file } = await servedSite(published());
    for (const accept of [undefined, 'identity', 'deflate', 'compress', '']) {
      const response = await get(base, '/index.html', accept === undefined ? {} : { 'Accept-Encoding': accept });
      expect(response.headers['content-encoding'], String(accept)).toBeUndefined();
      expect(response.body.equals(file('index.html'))).toBe(true);
      expect(response.headers.vary).toBe('Accept-Encoding');
    }
    expect((await get(base, '/rss.xml')).headers.vary).toBe('Accept, Accept-Encoding');
  });
});

/**
 * Valid forms of `bytes` that no server would make itself (other levels than compress() uses),
 * so a response carrying them can only have come from the forms folder.
 */
function markedForms(bytes: Buffer): CompressedForms {
  const forms = { gzip: gzipSync(bytes, { level: 1 }), br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }) };
  const own = compress(bytes);
  expect(forms.gzip.equals(own.gzip) || forms.br.equals(own.br), 'the marked forms differ from the ones the server makes').toBe(false);
  return forms;
}

/** Places forms for this version of out/<name> where publishing leaves them. */
function publishForms(site: ServedSite, name: string, bytes: Buffer, forms: CompressedForms): void {
  const stem = path.join(site.formsDir!, `${name}@${contentHash(bytes)}`);
  mkdirSync(path.dirname(stem), { recursive: true });
  writeFileSync(`${stem}.gz`, forms.gzip);
  writeFileSync(`${stem}.br`, forms.br);
}

/** Three rounds of gzip, br, identity and HEAD requests, each past the server's once-a-second look at the disk. */
async function compressedBodies(base: string, name: string, rounds = 3) {
  const bodies = { gzip: [] as Buffer[], br: [] as Buffer[] };
  for (let round = 0; round < rounds; round++) {
    bodies.gzip.push((await get(base, `/${name}`, { 'Accept-Encoding': 'gzip' })).body);
    bodies.br.push((await get(base, `/${name}`, { 'Accept-Encoding': 'br' })).body);
    await get(base, `/${name}`);
    await rawGet(base, `/${name}`, 'HEAD', 'Accept-Encoding: gzip\r\n');
    await sleep(400);
  }
  return bodies;
}

describe('compressed forms per file version', () => {
  it('sends the forms published for a version on every request, and makes none of its own', async () => {
    const site = await servedSite(published(), { formsDir: true });
    const name = 'desk/atom.xml';
    const marked = markedForms(site.file(name));
    publishForms(site, name, site.file(name), marked);
    const bodies = await compressedBodies(site.base, name);
    for (const body of bodies.gzip) expect(body.equals(marked.gzip)).toBe(true);
    for (const body of bodies.br) expect(body.equals(marked.br)).toBe(true);
  });

  it('makes the forms of a version without published ones once, and keeps them while the version lasts', async () => {
    const site = await servedSite(published(), { formsDir: true });
    const name = 'desk/atom.xml';
    const bytes = site.file(name);
    const first = await compressedBodies(site.base, name, 1);
    expect(gunzipSync(first.gzip[0]!).equals(bytes)).toBe(true);
    expect(brotliDecompressSync(first.br[0]!).equals(bytes)).toBe(true);
    // Forms for this very version appear now. A server that made or looked for forms again on a
    // later request would send them; one that keeps what it made sends the same bytes as before.
    publishForms(site, name, bytes, markedForms(bytes));
    const later = await compressedBodies(site.base, name);
    for (const body of later.gzip) expect(body.equals(first.gzip[0]!)).toBe(true);
    for (const body of later.br) expect(body.equals(first.br[0]!)).toBe(true);

    // A new version is a new look: its published forms are the ones sent.
    const next = Buffer.concat([bytes, Buffer.from('\n')]);
    const nextForms = markedForms(next);
    publishForms(site, name, next, nextForms);
    writeFileSync(path.join(site.out, name), next);
    await sleep(1100); // past the server's once-a-second look at the disk
    const changed = await compressedBodies(site.base, name, 1);
    expect(changed.gzip[0]!.equals(nextForms.gzip)).toBe(true);
    expect(changed.br[0]!.equals(nextForms.br)).toBe(true);
  });
});
