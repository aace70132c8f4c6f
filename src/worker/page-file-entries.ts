// One captured page file -> the hash of its bytes and its entries. Pure but for reading the file
// (no clock: the modification time and the pass's time come in; no logging: a failure is thrown
// and a warning returned for the caller to log), so it runs the same on the pass's thread or on a
// parse thread (parse-threads.ts).
import { hash } from 'node:crypto';
import { decodePageBytes, readCapture, readPageBytes } from '../ingest/page-file.js';
import type { SiteConfig } from '../model.js';
import { type PageWarning, pageToEntries } from '../normalize/entries.js';
import { type StorableEntry, storableEntry } from '../store/entry-row.js';
import type { PageDating, PageExtraction } from './extraction-health.js';
import { isHtmlPagePath, readHtmlCapture } from '../ingest/html-capture.js';

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
  /** What the caller should log about the page, such as a capture time clamped to the pass's. */
  warnings?: PageWarning[];
  /** An HTML page: what its lists gave, for the source's health. */
  extraction?: PageExtraction;
  /** An HTML page: the zone its briefs were dated in, and machine times not believed, for the debug log. */
  dating?: PageDating;
}

/** A capture time further ahead of the pass than this is not believed: it is taken as the pass's time. */
const FUTURE_CAPTURE_MS = 86_400_000;

/** Several pages for one parse thread at once: one message for many pages, not one each. */
export interface PageFilesJob {
  site: SiteConfig;
  /** The real path of sources/: no page is read from outside it. */
  sourcesRoot: string;
  /** When the pass started. */
  nowMs: number;
  pages: PageFileJob[];
}

/** Each page's entries, or the error that kept it from being read; one page never fails another. */
export type PageFileOutcome = { read: PageFileEntries } | { error: Error };

export function pageFileEntries(job: PageFileJob, site: SiteConfig, sourcesRoot: string, nowMs: number): PageFileEntries {
  const bytes = readPageBytes(job.file, sourcesRoot, job.source, site.maxPageBytes);
  const bytesHash = hash('sha1', bytes, 'base64url');
  // Re-reading a page that was only touched would re-date its briefs.
  if (bytesHash === job.knownHash) return { bytesHash, entries: undefined };
  const warnings: PageWarning[] = [];
  const modified = new Date(job.mtimeMs);
  if (isHtmlPagePath(job.source)) {
    if (!htmlReader) throw new Error('the news-page reader is not loaded: pageFilesEntries loads it for jobs with HTML pages');
    const capture = readHtmlCapture(bytes, job.source, modified);
    const read = htmlReader.htmlPageEntries(capture.html, { ...capture, capturedAt: believedCaptureTime(capture.capturedAt, nowMs, warnings) }, site);
    warnings.push(...read.warnings);
    return { bytesHash, entries: read.entries.map(storableEntry), ...(warnings.length > 0 ? { warnings } : {}), extraction: read.extraction, dating: read.dating };
  }
  let capture = readCapture(decodePageBytes(bytes, job.source), job.source, modified);
  capture = { ...capture, capturedAt: believedCaptureTime(capture.capturedAt, nowMs, warnings) };
  const entries = pageToEntries(capture, site, (warning) => warnings.push(warning)).map(storableEntry);
  return { bytesHash, entries, ...(warnings.length > 0 ? { warnings } : {}) };
}

/** A capture time more than a day ahead of the pass is not believed: the pass's time is taken, and said. */
function believedCaptureTime(capturedAt: Date, nowMs: number, warnings: PageWarning[]): Date {
  if (capturedAt.getTime() <= nowMs + FUTURE_CAPTURE_MS) return capturedAt;
  const pass = new Date(nowMs);
  warnings.push({ code: 'CAPTURE_IN_FUTURE', reason: `capture time ${capturedAt.toISOString()} is more than a day ahead; read as the time of the pass, ${pass.toISOString()}` });
  return pass;
}

/**
 * The news-page reader, loaded only for jobs that hold HTML pages: it brings cheerio, whose
 * loading takes a third of a second, and a pass over text captures never needs it.
 */
let htmlReader: typeof import('./html-page-entries.js') | undefined;

export async function pageFilesEntries({ site, sourcesRoot, nowMs, pages }: PageFilesJob): Promise<PageFileOutcome[]> {
  if (!htmlReader && pages.some((page) => isHtmlPagePath(page.source))) htmlReader = await import('./html-page-entries.js');
  return pages.map((page) => {
    try {
      return { read: pageFileEntries(page, site, sourcesRoot, nowMs) };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
  });
}
