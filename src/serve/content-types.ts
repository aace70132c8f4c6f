// What each published file is, for the Content-Type header.
import path from 'node:path';
import { ARCHIVE_FOLDER, FEED_FILES } from '../layout.js';

const BY_NAME: Record<string, string> = {
  [FEED_FILES.rss]: 'application/rss+xml; charset=utf-8',
  [FEED_FILES.atom]: 'application/atom+xml; charset=utf-8',
  [FEED_FILES.json]: 'application/feed+json; charset=utf-8',
};

const BY_EXTENSION: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.opml': 'text/x-opml; charset=utf-8',
  '.xsl': 'text/xsl; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

/** Archive documents (archive/<feed>/<n>.xml) are Atom too. */
export function contentTypeOf(file: string): string {
  const name = path.basename(file);
  if (BY_NAME[name]) return BY_NAME[name];
  if (name.endsWith('.xml')) return file.split(path.sep).includes(ARCHIVE_FOLDER) ? BY_NAME[FEED_FILES.atom]! : 'application/xml; charset=utf-8';
  return BY_EXTENSION[path.extname(name)] ?? 'application/octet-stream';
}

export function isFeedType(contentType: string): boolean {
  return contentType.startsWith('application/rss+xml') || contentType.startsWith('application/atom+xml');
}
