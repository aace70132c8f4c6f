// Entry ids: name-based UUIDs (RFC 9562 version 5) as urn:uuid IRIs. The name is what makes an
// entry the same entry across captures, and never anything that depends on when a pass ran.
import { hash } from 'node:crypto';

/** Namespace of every feedloom id; the site's own namespace inside the name (SiteConfig.idNamespace: its first URL, or its site_id) keeps sites apart. */
const FEEDLOOM_NAMESPACE = Buffer.from('6f9f3c0e4b1a5d2e8c7b9a0d1e2f3a4b', 'hex');

// The namespace and then the name, hashed at one go from one buffer kept for the purpose: a
// first pass makes sixty thousand ids, and a Hash object per id was a third of their cost.
let nameBuffer = Buffer.alloc(4096);
FEEDLOOM_NAMESPACE.copy(nameBuffer);
const VARIANT_DIGITS = '89ab';

export function nameBasedUuid(name: string): string {
  // UTF-8 takes at most three bytes per UTF-16 unit.
  if (16 + name.length * 3 > nameBuffer.length) {
    nameBuffer = Buffer.alloc(16 + name.length * 3);
    FEEDLOOM_NAMESPACE.copy(nameBuffer);
  }
  const length = 16 + nameBuffer.write(name, 16, 'utf8');
  const hex = hash('sha1', nameBuffer.subarray(0, length), 'hex');
  // Version 5 in the top four bits of byte 6 (hex digit 12), variant 10 in the top two of byte 8 (digit 16).
  const variant = VARIANT_DIGITS[Number.parseInt(hex[16]!, 16) & 3]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function urnUuid(...nameParts: string[]): string {
  return `urn:uuid:${nameBasedUuid(JSON.stringify(nameParts))}`;
}

/** A lead is its page: the page's URL when it has one, else its path under sources/. */
export function leadId(namespace: string, pageKey: string): string {
  return urnUuid(namespace, 'lead', pageKey);
}

/**
 * A brief is its site, day, time and topic: the same brief seen again in a later capture,
 * even with edited text, keeps its id. The topic is compared case-insensitively. A second brief
 * with the same time and topic on one page (`occurrence` 2, 3, ...) has an id of its own.
 */
export function briefId(namespace: string, day: string, time: string, topic: string, occurrence = 1): string {
  const key = topic.toLowerCase();
  return occurrence === 1 ? urnUuid(namespace, 'brief', day, time, key) : urnUuid(namespace, 'brief', day, time, key, String(occurrence));
}

export function feedId(namespace: string, feedKey: string): string {
  return urnUuid(namespace, 'feed', feedKey);
}
