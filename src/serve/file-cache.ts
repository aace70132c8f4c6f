// Files of out/ held in memory with their validators and compressed forms. A file is compressed
// once per version (its content hash), never per request. A cached file is checked against the
// disk at most once a second, so a newly published file is served within a second.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface CachedFile {
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  /** Strong validator: the content hash. */
  etag: string;
  lastModified: string;
  mtimeMs: number;
  size: number;
  checkedAt: number;
}

export const RECHECK_MS = 1000;
const MIN_COMPRESS_BYTES = 256;

export class FileCache {
  private readonly files = new Map<string, CachedFile>();

  get(file: string, nowMs = Date.now()): CachedFile {
    const cached = this.files.get(file);
    if (cached && nowMs - cached.checkedAt < RECHECK_MS) return cached;
    const stat = statSync(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
      cached.checkedAt = nowMs;
      return cached;
    }
    const body = readFileSync(file);
    const fresh: CachedFile = {
      body,
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      lastModified: new Date(Math.floor(stat.mtimeMs / 1000) * 1000).toUTCString(),
      mtimeMs: stat.mtimeMs,
      size: stat.size,
      checkedAt: nowMs,
    };
    if (body.length >= MIN_COMPRESS_BYTES) {
      fresh.gzip = gzipSync(body, { level: 9 });
      fresh.br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
    }
    this.files.set(file, fresh);
    return fresh;
  }

  forget(file: string): void {
    this.files.delete(file);
  }
}
