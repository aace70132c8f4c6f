// Entry ids: name-based UUIDs (RFC 9562 version 5) as urn:uuid IRIs. The name is what makes an
// entry the same entry across captures, and never anything that depends on when a pass ran.
import { createHash } from 'node:crypto';

/** Namespace of every feedloom id; the site URL inside the name keeps sites apart. */
const FEEDLOOM_NAMESPACE = Buffer.from('6f9f3c0e4b1a5d2e8c7b9a0d1e2f3a4b', 'hex');

export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(FEEDLOOM_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function urnUuid(...nameParts: string[]): string {
  return `urn:uuid:${nameBasedUuid(JSON.stringify(nameParts))}`;
}

/** A lead is its page: the page's URL when it has one, else its path under sources/. */
export function leadId(siteUrl: string, pageKey: string): string {
  return urnUuid(siteUrl, 'lead', pageKey);
}

/**
 * A brief is its site, day, time and topic: the same brief seen again in a later capture,
 * even with edited text, keeps its id. The topic is compared case-insensitively.
 */
export function briefId(siteUrl: string, day: string, time: string, topic: string): string {
  return urnUuid(siteUrl, 'brief', day, time, topic.toLowerCase());
}

export function feedId(siteUrl: string, feedKey: string): string {
  return urnUuid(siteUrl, 'feed', feedKey);
}
