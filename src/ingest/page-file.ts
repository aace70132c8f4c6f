// A captured page's file -> bytes -> Capture: reading it only from inside sources/, decoding,
// binary detection and front matter.
import { closeSync, existsSync, fstatSync, openSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../yaml.js';
import { FieldReader } from '../config/fields.js';
import { FeedloomError, SourceError } from '../errors.js';
import type { Capture, PageMeta } from '../model.js';

const FRONT_MATTER_KEYS = ['url', 'captured', 'published', 'timezone', 'language', 'title', 'author', 'briefs_heading'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Where the kernel tells which file a descriptor is open on (Linux); elsewhere, realpath before opening. */
const OPEN_FILES = '/proc/self/fd';
const canAskKernel = existsSync(OPEN_FILES);

/**
 * A page's bytes, at most `maxBytes` of them (a larger page fails), read only if the file it
 * names is inside `sourcesRoot` (a real path, no links):
 * a link to a page elsewhere in sources/ is followed, one that resolves outside it (to
 * /etc/shadow, say) is refused. Where the kernel can say which file was opened, that is checked
 * after opening, so a link swapped in between a check and the read cannot get past.
 */
export function readPageBytes(file: string, sourcesRoot: string, source: string, maxBytes: number): Buffer {
  const checkedBefore = canAskKernel ? undefined : realpathSync(file);
  if (checkedBefore !== undefined) refuseOutside(checkedBefore, sourcesRoot, source);
  const fd = openSync(file, 'r');
  try {
    if (checkedBefore === undefined) refuseOutside(readlinkSync(`${OPEN_FILES}/${fd}`), sourcesRoot, source);
    // The size of the file opened, so a page cannot grow past the cap between a stat and the read.
    const { size } = fstatSync(fd);
    if (size > maxBytes) {
      throw new SourceError('ingest', source, `page is ${size} bytes, more than max_page_bytes (${maxBytes}): not read`, { code: 'SOURCE_TOO_LARGE' });
    }
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return read === size ? bytes : bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function refuseOutside(realFile: string, sourcesRoot: string, source: string): void {
  if (realFile.startsWith(sourcesRoot + path.sep)) return;
  throw new SourceError('ingest', source, 'page links outside sources/: not read', { code: 'SOURCE_OUTSIDE' });
}

/**
 * Decodes a page file. UTF-8 (with or without a BOM) is the norm; a UTF-16 BOM is honoured.
 * Anything with NUL bytes or invalid UTF-8 is refused rather than published as mojibake.
 */
export function decodePageBytes(bytes: Uint8Array, source: string): string {
  if (bytes.length === 0) throw new SourceError('ingest', source, 'page is empty (0 bytes)');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.includes(0)) throw new SourceError('ingest', source, 'page is binary, not text (it contains NUL bytes)');
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch (error) {
    throw new SourceError('ingest', source, 'page is not valid UTF-8 text', { cause: error });
  }
}

/** Splits optional YAML front matter (between two `---` lines at the top) from the page body. */
export function readCapture(text: string, source: string, fileModified: Date): Capture {
  const match = /^---[ \t]*(?:\r\n|\r|\n)([\s\S]*?)(?:\r\n|\r|\n)---[ \t]*(?:\r\n|\r|\n|$)/.exec(text);
  if (!match) return { source, meta: {}, body: text, bodyFirstLine: 1, capturedAt: fileModified };
  const meta = readFrontMatter(match[1] ?? '', source);
  // The front matter's lines, plus one: the line after its closing ---.
  const bodyFirstLine = match[0].split(/\r\n|\r|\n/).length;
  return {
    source,
    meta,
    body: text.slice(match[0].length),
    bodyFirstLine,
    capturedAt: meta.captured ?? fileModified,
  };
}

// A line `key: text` whose text YAML reads as that same string: no quotes, flow syntax,
// comments, anchors or tags, and not a number, boolean or null.
const PLAIN_LINE = /^([A-Za-z_][A-Za-z0-9_]*):[ \t]+([^-?:,[\]{}#&*!|>'"%@`\s][^\t]*?)[ \t]*$/;
const NOT_A_STRING = /^(?:[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|null|Null|NULL|true|True|TRUE|false|False|FALSE|~)$/;

/**
 * Front matter is almost always a few `key: text` lines, which a YAML parser reads thousands of
 * times slower than this; anything else goes to the parser.
 */
function readPlainMapping(yamlText: string): Record<string, string> | undefined {
  const map: Record<string, string> = {};
  for (const line of yamlText.split('\n')) {
    if (line.trim() === '') continue;
    const match = PLAIN_LINE.exec(line);
    if (!match || match[2]!.includes(': ') || match[2]!.endsWith(':') || match[2]!.includes(' #') || NOT_A_STRING.test(match[2]!) || match[1]! in map) return undefined;
    map[match[1]!] = match[2]!;
  }
  return map;
}

function readFrontMatter(yamlText: string, source: string): PageMeta {
  let document: unknown;
  try {
    // YAML knows CRLF and LF line breaks, not a lone CR.
    const text = yamlText.replace(/\r\n?/g, '\n');
    document = readPlainMapping(text) ?? parseYaml(text) ?? {};
  } catch (error) {
    throw new SourceError('ingest', source, `front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const read = new FieldReader(`${source} (front matter)`);
  try {
    const map = read.map(document, '(front matter)');
    read.rejectUnknown(map, FRONT_MATTER_KEYS);
    const meta: PageMeta = {};
    const url = read.absoluteUrl(map.url, 'url');
    if (url) meta.url = url;
    const captured = read.instant(map.captured, 'captured');
    if (captured) meta.captured = captured;
    const published = read.instant(map.published, 'published');
    if (published) meta.published = published;
    const timezone = read.timezone(map.timezone, 'timezone');
    if (timezone) meta.timezone = timezone;
    const language = read.language(map.language, 'language');
    if (language) meta.language = language;
    const title = read.string(map.title, 'title');
    if (title) meta.title = title;
    const author = read.person(map.author, 'author');
    if (author) meta.author = author;
    const headings = read.stringList(map.briefs_heading, 'briefs_heading');
    if (headings) meta.briefsHeadings = headings;
    return meta;
  } catch (error) {
    throw new SourceError('ingest', source, (error as Error).message, { cause: error, ...(error instanceof FeedloomError ? { code: error.code } : {}) });
  }
}
