// Bytes of a fetched document or a captured HTML page -> text. The charset comes from, in order:
// a byte-order mark, the HTTP Content-Type header, the XML declaration, an HTML <meta> tag; else
// UTF-8. HTML pages have one more rule (decodeHtmlPage).

export function detectCharset(bytes: Uint8Array, contentType: string | undefined): string {
  const fromMark = byteOrderMark(bytes);
  if (fromMark) return fromMark;
  const fromHeader = headerCharset(contentType);
  if (fromHeader) return fromHeader;
  // Declarations are ASCII and come first, so the head of the document read as latin1 shows them.
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  const fromXml = /^\s*<\?xml[^>]*\sencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  if (fromXml && isKnownCharset(fromXml)) return fromXml.toLowerCase();
  const fromMeta =
    /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  if (fromMeta && isKnownCharset(fromMeta)) return fromMeta.toLowerCase();
  return 'utf-8';
}

function byteOrderMark(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

function headerCharset(contentType: string | undefined): string | undefined {
  const fromHeader = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  return fromHeader && isKnownCharset(fromHeader) ? fromHeader.toLowerCase() : undefined;
}

export function decodeDocument(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = detectCharset(bytes, contentType);
  // Not fatal: one bad byte in a large feed becomes U+FFFD rather than losing the feed.
  return decodeIn(charset, bytes);
}

/**
 * Bytes in a charset TextDecoder knows. Node's decoder for windows-1252 (which the labels latin1,
 * iso-8859-1 and ascii also name) reads bytes 0x80-0x9F as the C1 controls of ISO 8859-1; the
 * Encoding Standard, and every browser, reads them as the letters and punctuation of
 * windows-1252: 0x93 is “, 0x80 is €.
 */
export function decodeIn(charset: string, bytes: Uint8Array): string {
  const decoder = new TextDecoder(charset);
  const text = decoder.decode(bytes);
  return decoder.encoding === 'windows-1252' ? text.replace(/[\u0080-\u009f]/g, (control) => WINDOWS_1252_HIGH[control.charCodeAt(0) - 0x80]!) : text;
}

// windows-1252 bytes 0x80-0x9F, from the Encoding Standard's index; the five it leaves undefined
// stay the control they were.
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
].map((code) => String.fromCharCode(code));

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodedPage {
  text: string;
  /** The charset the text was read in. */
  charset: string;
}

/**
 * An HTML page's text. Bytes that are valid UTF-8 are read as UTF-8 whatever the page declares:
 * real pages declare windows-1252 or iso-8859-1 in a template and are served in UTF-8, and text
 * in a legacy charset with letters beyond ASCII is almost never valid UTF-8 by accident. Only a
 * byte-order mark, or UTF-16 named by the HTTP header (bytes a <meta> tag cannot be read from),
 * comes first. Bytes that are not UTF-8 are read in the declared charset, else in windows-1252,
 * the legacy charset browsers fall back to.
 */
export function decodeHtmlPage(bytes: Uint8Array, contentType: string | undefined): DecodedPage {
  // A UTF-16 byte-order mark, or UTF-16 named by the header: NUL bytes would pass for UTF-8. A
  // <meta> tag that names UTF-16 was itself read as ASCII, so it is wrong (HTML reads it as UTF-8).
  const utf16 = [byteOrderMark(bytes), headerCharset(contentType)].find((charset) => charset?.startsWith('utf-16'));
  if (utf16) return { text: decodeIn(utf16, bytes), charset: utf16 };
  const declared = detectCharset(bytes, contentType);
  try {
    return { text: strictUtf8.decode(bytes), charset: 'utf-8' };
  } catch {
    // A page that declares UTF-8 and is not is read as the legacy charset it most likely is in.
    const legacy = declared === 'utf-8' || declared === 'utf8' || declared.startsWith('utf-16') ? 'windows-1252' : declared;
    return { text: decodeIn(legacy, bytes), charset: legacy };
  }
}

function isKnownCharset(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}
