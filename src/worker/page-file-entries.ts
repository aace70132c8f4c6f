// One captured page file -> the hash of its bytes and its entries. Pure but for reading the file
// (no clock: the modification time comes in; no logging: a failure is thrown for the caller to
// log), so it runs the same on the pass's thread or on a parse thread (parse-threads.ts).
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodePageBytes, readCapture } from '../ingest/page-file.js';
import type { SiteConfig } from '../model.js';
import { pageToEntries } from '../normalize/entries.js';
import { type StorableEntry, storableEntry } from '../store/entry-row.js';

export interface PageFileJob {
  /** The page's path relative to sources/, as records name it. */
  source: string;
  file: string;
  mtimeMs: number;
  /** Its bytes' hash when last read fine with these settings: the same bytes give the same entries. */
  knownHash: string | undefined;
}

export interface PageFileEntries {
  bytesHash: string;
  /**
   * As the store takes them (packed here, on a parse thread when there is one, not on the thread
   * that stores every batch). Undefined when the bytes hash to `knownHash`: touched, not edited.
   */
  entries: StorableEntry[] | undefined;
}

/** Several pages for one parse thread at once: one message for many pages, not one each. */
export interface PageFilesJob {
  site: SiteConfig;
  pages: PageFileJob[];
}

/** Each page's entries, or the error that kept it from being read; one page never fails another. */
export type PageFileOutcome = { read: PageFileEntries } | { error: Error };

export function pageFileEntries(job: PageFileJob, site: SiteConfig): PageFileEntries {
  const bytes = readFileSync(job.file);
  const bytesHash = hash('sha1', bytes, 'base64url');
  // Re-reading a page that was only touched would re-date its briefs.
  if (bytesHash === job.knownHash) return { bytesHash, entries: undefined };
  const capture = readCapture(decodePageBytes(bytes, job.source), job.source, new Date(job.mtimeMs));
  return { bytesHash, entries: pageToEntries(capture, site).map(storableEntry) };
}

export function pageFilesEntries({ site, pages }: PageFilesJob): PageFileOutcome[] {
  return pages.map((page) => {
    try {
      return { read: pageFileEntries(page, site) };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
  });
}
