// The one HTTP client every remote source goes through: timeouts that close the socket, a byte
// cap enforced while streaming, compression, bounded redirects, conditional GET, politeness,
// credentials kept to their origin and private addresses kept out of reach (destinations.ts).
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { SourceError } from '../errors.js';
import { isPrivateHost, isPublicAddress, literalAddress, PrivateAddressError, type PrivateDestinations, publicOnlyLookup } from './destinations.js';
import { redactUrl, redactUrlsIn } from '../shared/url-secrets.js';
import { HostLimiter, type SlotLimiter, slotHost } from './host-limiter.js';

export interface FetchPolicy {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  perHost: number;
  overall: number;
  userAgent: string;
}

export const DEFAULT_FETCH_POLICY: Omit<FetchPolicy, 'userAgent'> = {
  connectTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  perHost: 2,
  overall: 16,
};

export interface FetchRequest {
  source: string;
  url: string;
  headers?: Record<string, string>;
  /** Headers (lower case) besides Authorization, Cookie and Proxy-Authorization that are credentials. */
  secretHeaders?: readonly string[];
  /** Which addresses the source may reach; `when-configured` when not given. */
  privateDestinations?: PrivateDestinations;
  /** Validators from the last successful fetch, for a conditional GET. */
  etag?: string;
  lastModified?: string;
}

export type FetchResult =
  | { notModified: true; url: string; durationMs: number }
  | {
      notModified: false;
      /** Where the document was found, after redirects: the base for its relative links. */
      url: string;
      contentType?: string;
      etag?: string;
      lastModified?: string;
      body: Buffer;
      durationMs: number;
    };

export type FetchFailure = 'timeout' | 'network' | 'http' | 'too-large' | 'redirect' | 'scheme' | 'encoding' | 'private-address';

/** Sent only to the origin of the URL they were configured for, as browsers and curl do. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
/** How long a configured host's answer to "is it private?" is trusted. */
const HOST_CHECK_MS = 60_000;

export class FetchError extends SourceError {
  /** `url` redacted (url-secrets.ts), as the message is: both reach logs and status.json. */
  readonly details: { status?: number; retryAfterMs?: number; url?: string };

  constructor(
    source: string,
    readonly failure: FetchFailure,
    message: string,
    details: { status?: number; retryAfterMs?: number; url?: string } = {},
    options?: { cause?: unknown },
  ) {
    super('ingest', source, redactUrlsIn(message), { ...options, code: `FETCH_${failure.toUpperCase().replaceAll('-', '_')}` });
    this.details = details.url === undefined ? details : { ...details, url: redactUrl(details.url) };
  }
}

export class Fetcher {
  /** For sources that may reach private addresses. */
  private readonly agent: Agent;
  /** For every other source: its sockets connect only to public addresses. */
  private readonly publicAgent: Agent;
  private readonly limiter: SlotLimiter;
  private readonly privateHosts = new Map<string, { at: number; isPrivate: Promise<boolean> }>();

  /** `limiter`: where request slots come from; by default this process's own HostLimiter. */
  constructor(
    readonly policy: FetchPolicy,
    limiter?: SlotLimiter,
  ) {
    const timeouts = { headersTimeout: policy.totalTimeoutMs, bodyTimeout: policy.totalTimeoutMs };
    this.agent = new Agent({ connect: { timeout: policy.connectTimeoutMs }, ...timeouts });
    this.publicAgent = new Agent({ connect: { timeout: policy.connectTimeoutMs, lookup: publicOnlyLookup }, ...timeouts });
    this.limiter = limiter ?? new HostLimiter(policy.perHost, policy.overall);
  }

  async fetch(target: FetchRequest, nowMs: () => number = Date.now): Promise<FetchResult> {
    let started: number | undefined;
    let deadline = Infinity;
    const visited = new Set<string>();
    let url = this.checkedUrl(target, target.url);
    const configured = url;
    const mayReachPrivate = await this.mayReachPrivate(target, url);
    // A user name and password in the configured URL are HTTP Basic credentials, as curl takes them.
    const basicAuth = configured.username || configured.password ? `Basic ${Buffer.from(`${decodeURIComponent(configured.username)}:${decodeURIComponent(configured.password)}`, 'utf8').toString('base64')}` : undefined;
    // Once a redirect has left the configured origin, credentials are not sent again.
    let withCredentials = true;
    for (let redirects = 0; ; redirects++) {
      visited.add(url.href);
      if (url.origin !== configured.origin) withCredentials = false;
      if (!mayReachPrivate) this.refusePrivateLiteral(target, url);
      const waitStarted = performance.now();
      const release = await this.limiter.acquire(slotHost(url));
      // The clock runs while requests are in flight, never while waiting for a slot behind
      // others: not before the first, nor on a redirect hop to a busy host.
      if (started === undefined) {
        started = performance.now();
        deadline = started + this.policy.totalTimeoutMs;
      } else {
        deadline += performance.now() - waitStarted;
      }
      try {
        const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
        const response = await this.send(target, url, remaining, { credentials: withCredentials ? { basicAuth } : undefined, dispatcher: mayReachPrivate ? this.agent : this.publicAgent });
        const { statusCode, headers } = response;
        const location = header(headers, 'location');
        if (statusCode >= 300 && statusCode < 400 && statusCode !== 304 && location) {
          await response.body.dump();
          const next = this.checkedUrl(target, new URL(location, url).href);
          if (visited.has(next.href)) throw new FetchError(target.source, 'redirect', `redirect loop at ${next.href}`, { url: next.href });
          if (redirects + 1 > this.policy.maxRedirects) {
            throw new FetchError(target.source, 'redirect', `more than ${this.policy.maxRedirects} redirects (last to ${next.href})`, { url: next.href });
          }
          url = next;
          continue;
        }
        if (statusCode === 304) {
          await response.body.dump();
          return { notModified: true, url: url.href, durationMs: performance.now() - started };
        }
        if (statusCode < 200 || statusCode >= 300) {
          await response.body.dump();
          const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), nowMs());
          throw new FetchError(target.source, 'http', `HTTP ${statusCode} from ${url.href}`, {
            status: statusCode,
            url: url.href,
            ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          });
        }
        const body = await this.readBody(target, url, response);
        const contentType = header(headers, 'content-type');
        const etag = header(headers, 'etag');
        const lastModified = header(headers, 'last-modified');
        return {
          notModified: false,
          url: url.href,
          ...(contentType ? { contentType } : {}),
          ...(etag ? { etag } : {}),
          ...(lastModified ? { lastModified } : {}),
          body,
          durationMs: performance.now() - started,
        };
      } catch (error) {
        throw asFetchError(error, target, url);
      } finally {
        release();
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.agent.close(), this.publicAgent.close()]);
  }

  /** Whether this fetch may connect to addresses that are not public (see PrivateDestinations). */
  private async mayReachPrivate(target: FetchRequest, url: URL): Promise<boolean> {
    const mode = target.privateDestinations ?? 'when-configured';
    if (mode !== 'when-configured') return mode === 'allowed';
    const now = Date.now();
    let known = this.privateHosts.get(url.hostname);
    if (!known || now - known.at > HOST_CHECK_MS) {
      if (this.privateHosts.size > 10_000) this.privateHosts.clear();
      known = { at: now, isPrivate: isPrivateHost(url.hostname) };
      this.privateHosts.set(url.hostname, known);
    }
    return known.isPrivate;
  }

  /** A host written as an address is connected to without a lookup: it is checked here. */
  private refusePrivateLiteral(target: FetchRequest, url: URL): void {
    const address = literalAddress(url.hostname);
    if (address === undefined || isPublicAddress(address)) return;
    throw new FetchError(target.source, 'private-address', `refused to fetch ${url.href}: ${address} is not a public address`, { url: url.href });
  }

  /** `hop.credentials`: absent once the fetch has left the configured origin. */
  private send(target: FetchRequest, url: URL, timeoutMs: number, hop: { credentials: { basicAuth: string | undefined } | undefined; dispatcher: Agent }) {
    const headers: Record<string, string> = {
      'user-agent': this.policy.userAgent,
      accept: 'application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
      ...target.headers,
    };
    if (!hop.credentials) {
      for (const name of [...CREDENTIAL_HEADERS, ...(target.secretHeaders ?? [])]) delete headers[name.toLowerCase()];
    } else if (hop.credentials.basicAuth && headers.authorization === undefined) {
      headers.authorization = hop.credentials.basicAuth;
    }
    // No hop sends userinfo: it went into Authorization, to its own origin only.
    let requestUrl = url;
    if (url.username || url.password) {
      requestUrl = new URL(url.href);
      requestUrl.username = '';
      requestUrl.password = '';
    }
    if (target.etag) headers['if-none-match'] = target.etag;
    if (target.lastModified) headers['if-modified-since'] = target.lastModified;
    // The signal aborts the request and destroys its socket, also while the body is streaming.
    return request(requestUrl, { method: 'GET', headers, dispatcher: hop.dispatcher, signal: AbortSignal.timeout(timeoutMs) });
  }

  private async readBody(target: FetchRequest, url: URL, response: Awaited<ReturnType<typeof request>>): Promise<Buffer> {
    const { maxBytes } = this.policy;
    const declared = Number(header(response.headers, 'content-length'));
    const tooLarge = () => new FetchError(target.source, 'too-large', `body of ${url.href} is larger than ${maxBytes} bytes`, { url: url.href });
    if (declared > maxBytes) {
      response.body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        response.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks, size);
    const encoding = (header(response.headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
    try {
      // The cap holds for the decoded body too: a small compressed body can inflate enormously.
      const limit = { maxOutputLength: maxBytes };
      if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(raw, limit);
      if (encoding === 'br') return brotliDecompressSync(raw, limit);
      if (encoding === 'deflate') return raw[0] === 0x78 ? inflateSync(raw, limit) : inflateRawSync(raw, limit);
      return raw;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) throw tooLarge();
      throw new FetchError(target.source, 'encoding', `cannot decode ${encoding} body of ${url.href}: ${(error as Error).message}`, { url: url.href }, { cause: error });
    }
  }

  private checkedUrl(target: FetchRequest, href: string): URL {
    let url: URL;
    try {
      url = new URL(href);
    } catch (error) {
      throw new FetchError(target.source, 'scheme', `"${href}" is not a URL`, {}, { cause: error });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FetchError(target.source, 'scheme', `only http and https URLs are fetched, not ${url.href}`, { url: url.href });
    }
    return url;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function asFetchError(error: unknown, target: FetchRequest, url: URL): FetchError {
  if (error instanceof FetchError) return error;
  const refused = privateAddressError(error);
  if (refused) return new FetchError(target.source, 'private-address', `refused to fetch ${url.href}: ${refused.message}`, { url: url.href }, { cause: error });
  const name = (error as Error)?.name;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new FetchError(target.source, 'timeout', `timed out fetching ${url.href}`, { url: url.href }, { cause: error });
  }
  return new FetchError(target.source, 'network', `cannot fetch ${url.href}: ${(error as Error)?.message ?? String(error)}`, { url: url.href }, { cause: error });
}

/** The refusal of publicOnlyLookup, however deep the HTTP client wrapped it. */
function privateAddressError(error: unknown): PrivateAddressError | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
    if (current instanceof PrivateAddressError) return current;
  }
  return undefined;
}
