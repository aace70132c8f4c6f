// Bytes of a fetched document -> text. The charset comes from, in order: a byte-order mark, the
// HTTP Content-Type header, the XML declaration, an HTML <meta> tag; else UTF-8.

export function detectCharset(bytes: Uint8Array, contentType: string | undefined): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const fromHeader = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  if (fromHeader && isKnownCharset(fromHeader)) return fromHeader.toLowerCase();
  // Declarations are ASCII and come first, so the head of the document read as latin1 shows them.
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  const fromXml = /^\s*<\?xml[^>]*\sencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  if (fromXml && isKnownCharset(fromXml)) return fromXml.toLowerCase();
  const fromMeta =
    /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  if (fromMeta && isKnownCharset(fromMeta)) return fromMeta.toLowerCase();
  return 'utf-8';
}

export function decodeDocument(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = detectCharset(bytes, contentType);
  // Not fatal: one bad byte in a large feed becomes U+FFFD rather than losing the feed.
  return new TextDecoder(charset).decode(bytes);
}

function isKnownCharset(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}
