// Captured HTML pages before they are read: charsets, front matter, and what capture tools note.
import { describe, expect, it } from 'vitest';
import { decodeDocument, decodeHtmlPage } from '../src/ingest/charset.js';
import type { RemoteSourceDef } from '../src/config/remote-sources.js';
import { captureToolNote, isHtmlPagePath, readHtmlCapture } from '../src/ingest/html-capture.js';
import { documentEntries } from '../src/worker/document-entries.js';
import { SITE } from './support/market-pages.js';

const MODIFIED = new Date('2026-03-02T08:00:00Z');

const page = (head: string, body = '<p>Ferry timetable changes</p>') => `<!DOCTYPE html><html><head>${head}</head><body>${body}</body></html>`;

describe('the charset of an HTML page', () => {
  it('reads valid UTF-8 as UTF-8 even where the page declares a legacy charset', () => {
    const bytes = Buffer.from(page('<meta charset="windows-1252">', '<p>Café près du quai — 13h29</p>'), 'utf8');
    const decoded = decodeHtmlPage(bytes, undefined);
    expect(decoded.charset).toBe('utf-8');
    expect(decoded.text).toContain('Café près du quai — 13h29');
  });

  it('reads bytes that are not UTF-8 in the charset the page declares', () => {
    const html = page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', '<p>Вчера, 21:10</p>');
    const bytes = new Uint8Array(html.length);
    // windows-1251 by hand: ASCII as is, Cyrillic А..я at 0xC0..0xFF.
    for (let i = 0; i < html.length; i++) {
      const code = html.charCodeAt(i);
      bytes[i] = code < 0x80 ? code : code - 0x410 + 0xc0;
    }
    const decoded = decodeHtmlPage(bytes, undefined);
    expect(decoded.charset).toBe('windows-1251');
    expect(decoded.text).toContain('Вчера, 21:10');
  });

  it('lets the HTTP header name the legacy charset of bytes that are not UTF-8', () => {
    const bytes = Buffer.from(page('', '<p>Grève à Nantes</p>'), 'latin1');
    expect(decodeHtmlPage(bytes, 'text/html; charset=iso-8859-1').text).toContain('Grève à Nantes');
  });

  it('falls back to windows-1252 for bytes that claim UTF-8 and are not', () => {
    // “Quoted” résumé in windows-1252, under a meta tag that says UTF-8.
    const bytes = Buffer.concat([Buffer.from('<meta charset="utf-8"><p>'), Buffer.from([0x93]), Buffer.from('Quoted'), Buffer.from([0x94, 0x20, 0x72, 0xe9]), Buffer.from('sum'), Buffer.from([0xe9]), Buffer.from('</p>')]);
    const decoded = decodeHtmlPage(bytes, undefined);
    expect(decoded.charset).toBe('windows-1252');
    expect(decoded.text).toBe('<meta charset="utf-8"><p>“Quoted” résumé</p>');
  });

  it('reads windows-1252 bytes 0x80-0x9F as browsers do, in pages and feeds alike, under any of its labels', () => {
    const bytes = Buffer.from([0x80, 0x20, 0x93, 0x61, 0x94, 0x20, 0x85, 0x20, 0x9f, 0x20, 0x81]);
    for (const label of ['windows-1252', 'iso-8859-1', 'latin1', 'us-ascii']) {
      expect(decodeDocument(bytes, `application/rss+xml; charset=${label}`)).toBe('€ “a” … Ÿ \u0081');
    }
  });

  it('honours a UTF-16 byte-order mark, and UTF-16 named by the header, but not by a meta tag', () => {
    const text = page('<meta charset="utf-16">', '<p>Heute 18:05 Uhr</p>');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(decodeHtmlPage(le, undefined)).toEqual({ text, charset: 'utf-16le' });
    expect(decodeHtmlPage(Buffer.from(text, 'utf16le'), 'text/html; charset=utf-16le')).toEqual({ text, charset: 'utf-16le' });
    // The meta tag was read as ASCII, so the page is not UTF-16.
    expect(decodeHtmlPage(Buffer.from(text, 'utf8'), undefined)).toEqual({ text, charset: 'utf-8' });
  });
});

describe('a captured HTML page', () => {
  it('is a *.html or *.htm file', () => {
    expect(['live/day.html', 'a.HTM', 'b.htm'].map(isHtmlPagePath)).toEqual([true, true, true]);
    expect(['a.txt', 'a.html.txt', 'html', 'a.xhtml5'].map(isHtmlPagePath)).toEqual([false, false, false, false]);
  });

  it('takes front matter before the markup, and its keys win', () => {
    const file = ['---', 'url: https://harbour.example/live/ferry', 'captured: 2026-03-01T09:30:00+01:00', 'timezone: Europe/Paris', '---', page('<!-- saved date: Sun Mar 01 2026 20:00:00 GMT+0100 (CET) -->')].join('\n');
    const capture = readHtmlCapture(Buffer.from(file), 'live/ferry.html', MODIFIED);
    expect(capture.meta).toMatchObject({ url: 'https://harbour.example/live/ferry', timezone: 'Europe/Paris' });
    expect(capture.capturedAt.toISOString()).toBe('2026-03-01T08:30:00.000Z');
    expect(capture.capturedFrom).toBe('front matter');
    expect(capture.html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('takes the capture time and address a capture tool noted, else the file time', () => {
    const singleFile = `<!--\n Page saved with a capture tool\n url: https://harbour.example/news/today?utm_source=x \n saved date: Mon Mar 02 2026 07:15:09 GMT-0500 (Eastern Standard Time)\n-->\n${page('')}`;
    const saved = readHtmlCapture(Buffer.from(singleFile), 'today.html', MODIFIED);
    expect(saved.capturedAt.toISOString()).toBe('2026-03-02T12:15:09.000Z');
    expect(saved.capturedFrom).toBe('capture tool');
    expect(saved.savedFromUrl).toBe('https://harbour.example/news/today?utm_source=x');

    const plain = readHtmlCapture(Buffer.from(page('')), 'plain.html', MODIFIED);
    expect(plain.capturedAt).toEqual(MODIFIED);
    expect(plain.capturedFrom).toBe('file time');
    expect(plain.savedFromUrl).toBeUndefined();
  });

  it('reads the address a browser notes when it saves a page whole', () => {
    expect(captureToolNote('<!DOCTYPE html>\n<!-- saved from url=(0036)https://harbour.example/live/today -->')).toEqual({ url: 'https://harbour.example/live/today' });
  });

  it('does not believe a noted date without an offset, or one that does not exist', () => {
    expect(captureToolNote('<!-- saved date: 2026-03-02 07:15 -->').savedAt).toBeUndefined();
    expect(captureToolNote('<!-- saved date: Mon Feb 30 2026 07:15:09 GMT+0000 (UTC) -->').savedAt).toBeUndefined();
    expect(captureToolNote('<!-- saved date: 2026-03-02T07:15:09+02:00 -->').savedAt?.toISOString()).toBe('2026-03-02T05:15:09.000Z');
    expect(captureToolNote('<!-- url: javascript:alert(1) -->').url).toBeUndefined();
  });

  it('refuses an empty file and one with NUL bytes', () => {
    expect(() => readHtmlCapture(new Uint8Array(), 'empty.html', MODIFIED)).toThrow(/empty/);
    expect(() => readHtmlCapture(Buffer.from('<html>\u0000</html>'), 'nul.html', MODIFIED)).toThrow(/binary/);
  });
});

describe('a fetched HTML page', () => {
  it('is read as UTF-8 when its bytes are, whatever its header says', async () => {
    const html = page('<meta charset="iso-8859-1">', '<h1>Grève au port</h1><div class="story"><p>Le trafic reprend à 13h29.</p></div>');
    const source: RemoteSourceDef = {
      id: 'port',
      file: 'port.yaml',
      kind: 'page',
      url: 'https://port.example/live',
      format: 'html',
      selectors: { leadTitle: 'h1', leadBody: '.story' },
      headers: {},
      enabled: true,
    };
    const read = await documentEntries({ source, body: Buffer.from(html), contentType: 'text/html; charset=iso-8859-1', documentUrl: source.url, site: SITE, fetchedAtMs: MODIFIED.getTime() });
    expect(read.entries[0]?.title).toBe('Grève au port');
    expect(read.entries[0]?.contentText).toBe('Le trafic reprend à 13h29.');
  });
});
