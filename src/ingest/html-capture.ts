// A captured HTML page's bytes -> its markup and what is known of the capture before the page is
// read: the optional front matter, the charset, and what a capture tool wrote into the file.
// Pure: the file's modification time comes in.
import { SourceError } from '../errors.js';
import type { PageMeta } from '../model.js';
import { decodeHtmlPage } from './charset.js';
import { readCapture } from './page-file.js';

/** Files under sources/ read as captured HTML pages (text captures are *.txt). */
export const HTML_PAGE_EXTENSIONS = ['.html', '.htm'] as const;

export function isHtmlPagePath(file: string): boolean {
  const lower = file.toLowerCase();
  return HTML_PAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** Where a capture's time came from, in the order they are believed. */
export type CaptureTimeFrom = 'front matter' | 'capture tool' | 'file time';

export interface HtmlCapture {
  /** Path relative to the sources folder, posix separators. */
  source: string;
  /** The front matter's keys; they win over what the page says. */
  meta: PageMeta;
  html: string;
  charset: string;
  capturedAt: Date;
  capturedFrom: CaptureTimeFrom;
  /** The address a capture tool recorded the page at, when it did: below the page's own canonical link. */
  savedFromUrl?: string;
}

/** Capture tools write their note at the very top; a page's own comments come later. */
const CAPTURE_NOTE_SPAN = 8192;

export function readHtmlCapture(bytes: Uint8Array, source: string, fileModified: Date): HtmlCapture {
  if (bytes.length === 0) throw new SourceError('ingest', source, 'page is empty (0 bytes)');
  const { text, charset } = decodeHtmlPage(bytes, undefined);
  if (text.includes('\u0000')) throw new SourceError('ingest', source, 'page is binary, not text (it contains NUL bytes)');
  const capture = readCapture(text.replace(/^\uFEFF/, ''), source, fileModified);
  const note = captureToolNote(capture.body.slice(0, CAPTURE_NOTE_SPAN));
  const capturedFrom: CaptureTimeFrom = capture.meta.captured ? 'front matter' : note.savedAt ? 'capture tool' : 'file time';
  return {
    source,
    meta: capture.meta,
    html: capture.body,
    charset,
    capturedAt: capture.meta.captured ?? note.savedAt ?? fileModified,
    capturedFrom,
    ...(note.url ? { savedFromUrl: note.url } : {}),
  };
}

interface CaptureToolNote {
  savedAt?: Date;
  url?: string;
}

/**
 * What a capture tool noted in a comment at the top of the file. SingleFile writes
 * `url: <address>` and `saved date: <JavaScript date string>` lines; browsers saving a page whole
 * write `saved from url=(0042)<address>`.
 */
export function captureToolNote(head: string): CaptureToolNote {
  const note: CaptureToolNote = {};
  for (const comment of head.matchAll(/<!--([\s\S]*?)-->/g)) {
    const body = comment[1]!;
    const saved = /^\s*saved date:[ \t]*(.+?)\s*$/im.exec(body)?.[1];
    const savedAt = saved ? readSavedDate(saved) : undefined;
    if (savedAt && !note.savedAt) note.savedAt = savedAt;
    const url = /^\s*url:[ \t]*(\S+)\s*$/im.exec(body)?.[1] ?? /saved from url=\(\d+\)(\S+)/i.exec(body)?.[1];
    if (url && !note.url && isWebAddress(url)) note.url = url;
  }
  return note;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * "Thu Sep 22 2021 13:45:12 GMT+0300 (Moscow Standard Time)", as JavaScript writes a date, or an
 * ISO 8601 instant with its offset. Anything without an offset names no instant and is not used.
 */
function readSavedDate(text: string): Date | undefined {
  const js = /^(?:[A-Za-z]{3},? )?([A-Za-z]{3}) (\d{1,2}),? (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT([+-])(\d{2})(\d{2})\b/.exec(text);
  if (js) {
    const month = MONTHS.indexOf(js[1]!.toLowerCase());
    if (month === -1) return undefined;
    const [day, year, hour, minute, second, hours, minutes] = [js[2], js[3], js[4], js[5], js[6], js[8], js[9]].map(Number) as number[];
    if (day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 59) return undefined;
    const offsetMinutes = (js[7] === '-' ? -1 : 1) * (hours! * 60 + minutes!);
    const instant = Date.UTC(year!, month, day!, hour!, minute!, second!) - offsetMinutes * 60_000;
    // A day the month does not have (Feb 30) rolls over in Date.UTC: not a date the tool wrote.
    return new Date(Date.UTC(year!, month, day!)).getUTCDate() === day ? new Date(instant) : undefined;
  }
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!iso) return undefined;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}

function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
