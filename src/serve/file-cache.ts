// Files of out/ held in memory with their validators and compressed forms. The forms come from
// publishing where it left them, else are made once per version (its content hash), never per
// request. Every request looks at the disk (one stat), so a file a pass has just replaced is
// served new from the next request on. The cache holds at most `maxBytes` (bodies and forms
// together), dropping the files least recently asked for; a file too large to keep is read
// for its request and let go.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { compress, contentHash, MIN_COMPRESS_BYTES, readCompressedForms } from '../publish/compressed-forms.js';

export interface CachedFile {
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  /** Strong validator: the content hash. */
  etag: string;
  /** The whole second the file was last changed in, as Last-Modified names it, and that header's text. */
  lastModifiedMs: number;
  lastModified: string;
  mtimeMs: number;
  size: number;
  ino: number;
}

/** What the cache may hold unless told otherwise. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export class FileCache {
  /** In order of last use, least recent first (a Map keeps insertion order). */
  private readonly files = new Map<string, CachedFile>();
  private heldBytes = 0;

  /** `formsDir`: where publishing left compressed forms (see publish/compressed-forms.ts). */
  constructor(
    private readonly outRoot: string,
    private readonly formsDir?: string,
    private readonly maxBytes = DEFAULT_CACHE_BYTES,
  ) {}

  /** What the cache holds now, in bytes. */
  get bytes(): number {
    return this.heldBytes;
  }

  get(file: string): CachedFile {
    const stat = statSync(file);
    const cached = this.files.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size && cached.ino === stat.ino) {
      // Used now: it moves to the recent end.
      this.files.delete(file);
      this.files.set(file, cached);
      return cached;
    }
    if (cached) this.forget(file);
    const body = readFileSync(file);
    const hash = contentHash(body);
    const lastModifiedMs = Math.floor(stat.mtimeMs / 1000) * 1000;
    const fresh: CachedFile = { body, etag: `"${hash}"`, lastModifiedMs, lastModified: new Date(lastModifiedMs).toUTCString(), mtimeMs: stat.mtimeMs, size: stat.size, ino: stat.ino };
    if (body.length >= MIN_COMPRESS_BYTES) {
      // Made when the file was published, where they are there; else made now, once per version.
      const published = this.formsDir ? readCompressedForms(this.formsDir, path.relative(this.outRoot, file), hash) : undefined;
      Object.assign(fresh, published ?? compress(body));
    }
    const weight = weightOf(fresh);
    if (weight > this.maxBytes / 4) return fresh;
    this.files.set(file, fresh);
    this.heldBytes += weight;
    for (const [name] of this.files) {
      if (this.heldBytes <= this.maxBytes) break;
      this.forget(name);
    }
    return fresh;
  }

  forget(file: string): void {
    const cached = this.files.get(file);
    if (!cached) return;
    this.files.delete(file);
    this.heldBytes -= weightOf(cached);
  }
}

function weightOf(file: CachedFile): number {
  return file.body.length + (file.gzip?.length ?? 0) + (file.br?.length ?? 0);
}
