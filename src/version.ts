// The package's version, for --version and the User-Agent.
import { readFileSync } from 'node:fs';

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Names feedloom, its version, and the site polling, so publishers can see who fetches. */
export function userAgent(siteUrl: string): string {
  return `feedloom/${VERSION} (+${siteUrl})`;
}
