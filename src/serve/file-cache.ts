// Files of out/ held in memory with their validators and compressed forms. The forms come from
// publishing where it left them, else are made once per version (its content hash), never per
// request. A cached file is checked against the disk at most once a second, so a newly
// published file is served within a second.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { compress, contentHash, MIN_COMPRESS_BYTES, readCompressedForms } from '../publish/compressed-forms.js';

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

export class FileCache {
  private readonly files = new Map<string, CachedFile>();

  /** `formsDir`: where publishing left compressed forms (see publish/compressed-forms.ts). */
  constructor(
    private readonly outRoot: string,
    private readonly formsDir?: string,
  ) {}

  get(file: string, nowMs = Date.now()): CachedFile {
    const cached = this.files.get(file);
    if (cached && nowMs - cached.checkedAt < RECHECK_MS) return cached;
    const stat = statSync(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
      cached.checkedAt = nowMs;
      return cached;
    }
    const body = readFileSync(file);
    const hash = contentHash(body);
    const fresh: CachedFile = {
      body,
      etag: `"${hash}"`,
      lastModified: new Date(Math.floor(stat.mtimeMs / 1000) * 1000).toUTCString(),
      mtimeMs: stat.mtimeMs,
      size: stat.size,
      checkedAt: nowMs,
    };
    if (body.length >= MIN_COMPRESS_BYTES) {
      // Made when the file was published, where they are there; else made now, once per version.
      const published = this.formsDir ? readCompressedForms(this.formsDir, path.relative(this.outRoot, file), hash) : undefined;
      Object.assign(fresh, published ?? compress(body));
    }
    this.files.set(file, fresh);
    return fresh;
  }

  forget(file: string): void {
    this.files.delete(file);
  }
}
