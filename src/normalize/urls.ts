// Links from other servers: resolved against their base, stripped of tracking parameters.

const TRACKING_PARAMETER = /^(utm_[a-z_]+|fbclid|gclid|mc_eid|mc_cid)$/i;

/** An absolute http(s) URL, or undefined for anything unusable (javascript:, garbage). */
export function resolveLink(href: string | undefined, base: string): string | undefined {
  if (!href) return undefined;
  let url: URL;
  try {
    url = new URL(href.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // Most links have no query at all, not even an empty one ("?"), and nothing to strip.
  return url.search === '' && !url.href.includes('?') ? url.href : withoutTracking(url).href;
}

function withoutTracking(url: URL): URL {
  const clean = new URL(url.href);
  for (const name of [...clean.searchParams.keys()]) {
    if (TRACKING_PARAMETER.test(name)) clean.searchParams.delete(name);
  }
  if (clean.searchParams.size === 0) clean.search = '';
  return clean;
}

/** A page's address without its fragment, which readers strip; text that is no URL as it is. */
export function withoutFragment(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href;
  } catch {
    return url;
  }
}
