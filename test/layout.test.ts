import { describe, expect, it } from 'vitest';
import { entryPagePath, entryPageUrl, feedFileUrls, isRarelyReadFile, RESERVED_FEED_IDS, stylesheetHref, archivePagePath } from '../src/layout.js';

describe('out/ layout', () => {
  it('names a urn:uuid entry page by its UUID, and any other id by a hash that is a safe file name', () => {
    expect(entryPagePath('urn:uuid:1b4e28ba-2fa1-5d9e-8f3a-0123456789ab')).toBe('entries/1b4e28ba-2fa1-5d9e-8f3a-0123456789ab.html');
    const hashed = ['https://news.example/a?b=c#d', "tag:news.example,2026:../../etc/passwd", 'urn:uuid:../x', 'x'.repeat(4000)].map(entryPagePath);
    for (const page of hashed) expect(page).toMatch(/^entries\/[0-9a-f]{32}\.html$/);
    expect(new Set(hashed).size).toBe(hashed.length);
    expect(entryPageUrl('https://site.example/', 'urn:uuid:1b4e28ba-2fa1-5d9e-8f3a-0123456789ab')).toBe('https://site.example/entries/1b4e28ba-2fa1-5d9e-8f3a-0123456789ab.html');
  });

  it('puts the default feed at the top and every other feed in its folder', () => {
    expect(feedFileUrls('https://site.example/', '')).toEqual({
      rss: 'https://site.example/rss.xml',
      atom: 'https://site.example/atom.xml',
      json: 'https://site.example/feed.json',
    });
    expect(feedFileUrls('https://site.example/', 'sport').atom).toBe('https://site.example/sport/atom.xml');
  });

  it('links the stylesheet from any depth', () => {
    expect(stylesheetHref('')).toBe('feed.xsl');
    expect(stylesheetHref('sport/')).toBe('../feed.xsl');
    expect(stylesheetHref('archive/default')).toBe('../../feed.xsl');
  });

  it('keeps feed ids off its own folders, and knows which files are rarely read', () => {
    for (const folder of ['entries', 'archive']) expect(RESERVED_FEED_IDS).toContain(folder);
    expect(isRarelyReadFile(entryPagePath('a'))).toBe(true);
    expect(isRarelyReadFile(archivePagePath('default', 3))).toBe(true);
    expect(isRarelyReadFile('sport/rss.xml')).toBe(false);
    expect(isRarelyReadFile('entries.html')).toBe(false);
  });
});
