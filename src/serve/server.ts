// `feedloom serve`: out/ over HTTP the way a good static server does it: validators and 304s,
// compression negotiated from forms made once per file version, HEAD, CORS on the JSON feed
// (preflight included), and nothing outside out/ ever reachable. Plus /healthz, /metrics and,
// when asked for, an access log of one JSON line per request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { FEED_PAGE_FILE } from '../layout.js';
import type { Logger } from 'pino';
import { contentTypeOf, isFeedType } from './content-types.js';
import { FileCache, type CachedFile } from './file-cache.js';
import { resolveRequestPath, type ResolvedPath } from './request-path.js';

export interface HealthReport {
  healthy: boolean;
  reason: string;
  last_pass?: string | null;
}

export interface FeedServerOptions {
  outDir: string;
  /** Cache-Control max-age: how long a reader may keep a file before asking again. */
  maxAgeSeconds: number;
  logger: Logger;
  health: () => HealthReport | Promise<HealthReport>;
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** Where passes leave the compressed forms of what they publish. */
  formsDir?: string;
  /** The most the file cache may hold, in bytes (DEFAULT_CACHE_BYTES unless given). */
  cacheBytes?: number;
  /** One JSON line per request on `logger`. */
  accessLog?: boolean;
}

/** How long a request path's resolution to a file is trusted; the file itself is looked at on every request. */
const RESOLUTION_TRUST_MS = 1000;
const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

export function createFeedServer(options: FeedServerOptions): Server {
  const outRoot = realpathSync(options.outDir);
  const cache = new FileCache(outRoot, options.formsDir, options.cacheBytes);
  const cacheControl = `public, max-age=${options.maxAgeSeconds}`;
  // Resolving a path costs three system calls; aggregators ask for the same few paths all day.
  // A resolution is trusted for a second (the file it names is looked at on every request).
  const resolutions = new Map<string, { resolved: ResolvedPath; at: number }>();
  const resolvePath = (target: string): ResolvedPath => {
    // Keyed without the query, so cache-busting parameters hit the same entry.
    const key = target.split('?')[0]!;
    const now = Date.now();
    const known = resolutions.get(key);
    if (known && now - known.at < RESOLUTION_TRUST_MS) return known.resolved;
    const resolved = resolveRequestPath(key, outRoot);
    // Only files are remembered: a scan of made-up paths cannot push out the feeds.
    if (resolved.kind === 'file') {
      if (resolutions.size > 10_000) resolutions.clear();
      resolutions.set(key, { resolved, at: now });
    }
    return resolved;
  };

  const server = createServer((request, response) => {
    if (options.accessLog) logAccess(request, response, options.logger);
    handle(request, response).catch((error: unknown) => {
      options.logger.error({ url: request.url, err: (error as Error)?.message }, 'request failed');
      if (!response.headersSent) send(response, 500, 'internal error\n');
      else response.destroy();
    });
  });
  // A request the HTTP parser cannot read gets a 400 and a closed connection, never a crash.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'OPTIONS') return answerOptions(request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', ALLOWED_METHODS);
      return send(response, 405, 'method not allowed\n');
    }
    const target = request.url ?? '/';
    const route = target.split('?')[0];
    if (route === '/healthz') {
      const report = await options.health();
      response.setHeader('Cache-Control', 'no-store');
      return send(response, report.healthy ? 200 : 503, `${JSON.stringify(report)}\n`, 'application/json; charset=utf-8', request.method === 'HEAD');
    }
    if (route === '/metrics') {
      const metrics = await options.metrics();
      response.setHeader('Cache-Control', 'no-store');
      return send(response, 200, metrics.body, metrics.contentType, request.method === 'HEAD');
    }
    const resolved = resolvePath(target);
    if (resolved.kind === 'bad-request') return send(response, 400, `bad request: ${resolved.reason}\n`);
    if (resolved.kind === 'not-found') return send(response, 404, 'not found\n');
    let file: CachedFile;
    try {
      file = cache.get(resolved.file);
    } catch {
      cache.forget(resolved.file);
      return send(response, 404, 'not found\n');
    }
    // A browser opening a feed gets the feed's page for people, where there is one.
    if (isFeedType(contentTypeOf(resolved.file)) && prefersHtml(request.headers.accept)) {
      const page = path.join(path.dirname(resolved.file), FEED_PAGE_FILE);
      try {
        return serveFile(request, response, page, cache.get(page), 'Accept, Accept-Encoding');
      } catch {
        cache.forget(page);
      }
    }
    serveFile(request, response, resolved.file, file);
  }

  /** CORS preflight for the JSON feed, which browsers' scripts may read; the methods for any other file. */
  function answerOptions(request: IncomingMessage, response: ServerResponse): void {
    const target = request.url ?? '/';
    const headers: Record<string, string> = { Allow: ALLOWED_METHODS, 'Content-Length': '0' };
    if (target !== '*') {
      const resolved = resolvePath(target);
      if (resolved.kind === 'bad-request') return send(response, 400, `bad request: ${resolved.reason}\n`);
      if (resolved.kind === 'not-found') return send(response, 404, 'not found\n');
      if (contentTypeOf(resolved.file).startsWith('application/feed+json')) {
        Object.assign(headers, {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': 'GET, HEAD',
          'Access-Control-Max-Age': '86400',
          Vary: 'Access-Control-Request-Headers',
        });
        const asked = request.headers['access-control-request-headers'];
        // Only header names go back: the list a browser asks for, checked, not echoed blindly.
        if (asked && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/.test(asked.trim())) headers['Access-Control-Allow-Headers'] = asked.trim();
      }
    }
    response.writeHead(204, headers);
    response.end();
  }

  function serveFile(request: IncomingMessage, response: ServerResponse, filePath: string, file: CachedFile, vary = 'Accept-Encoding'): void {
    let contentType = contentTypeOf(filePath);
    const nowMs = Date.now();
    const headers: Record<string, string | number> = {
      ETag: file.etag,
      'Cache-Control': cacheControl,
      'X-Content-Type-Options': 'nosniff',
      Vary: vary,
    };
    // Last-Modified names a whole second. Sent while that second still runs, a later version in
    // the same second would carry the same date, and a reader asking If-Modified-Since would miss
    // it: the date is sent once its second is over (the ETag always is).
    const lastModifiedSettled = nowMs >= file.lastModifiedMs + 1000;
    if (lastModifiedSettled) headers['Last-Modified'] = file.lastModified;
    if (isFeedType(contentType)) {
      headers.Vary = 'Accept, Accept-Encoding';
      // Without a page for people, browsers still should not download the feed: as plain XML
      // they apply its stylesheet. Feed readers do not ask for HTML first and get the feed type.
      if (prefersHtml(request.headers.accept)) contentType = 'application/xml; charset=utf-8';
    }
    if (contentType.startsWith('application/feed+json')) headers['Access-Control-Allow-Origin'] = '*';
    headers['Content-Type'] = contentType;
    const encoding = chooseEncoding(request.headers['accept-encoding'], file);
    // A strong validator names one representation: each coding has its own.
    if (encoding) headers.ETag = codedEtag(file.etag, encoding);
    if (notModified(request, file, lastModifiedSettled, nowMs)) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    const body = encoding === 'br' ? file.br! : encoding === 'gzip' ? file.gzip! : file.body;
    if (encoding) headers['Content-Encoding'] = encoding;
    headers['Content-Length'] = body.length;
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  return server;
}

function send(response: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8', headOnly = false): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff' });
  response.end(headOnly ? undefined : body);
}

function codedEtag(etag: string, encoding: string): string {
  return `${etag.slice(0, -1)}-${encoding}"`;
}

/**
 * If-None-Match wins over If-Modified-Since, as RFC 9110 says. Any coding's validator matches:
 * they all stand for the same bytes once decoded (the comparison is weak, as for GET it may be).
 */
function notModified(request: IncomingMessage, file: CachedFile, lastModifiedSettled: boolean, nowMs: number): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    const current = new Set([file.etag, codedEtag(file.etag, 'gzip'), codedEtag(file.etag, 'br')]);
    return ifNoneMatch.split(',').some((tag) => current.has(tag.trim().replace(/^W\//, '')));
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (ifModifiedSince === undefined || !lastModifiedSettled) return false;
  const since = Date.parse(ifModifiedSince);
  // A date later than the server's clock is not one the server gave: ignored (RFC 9110 13.1.3).
  return !Number.isNaN(since) && since <= nowMs && file.lastModifiedMs <= since;
}

/** One JSON line per request once its response is sent (or the connection closes first). */
function logAccess(request: IncomingMessage, response: ServerResponse, logger: Logger): void {
  const started = performance.now();
  // Every body here is sent whole by end(): what it is given is what the response carried.
  let bytes = 0;
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  response.end = ((...args: unknown[]) => {
    const [chunk] = args;
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) bytes += Buffer.byteLength(chunk);
    return end(...args);
  }) as ServerResponse['end'];
  let logged = false;
  const line = () => {
    if (logged) return;
    logged = true;
    logger.info(
      {
        method: request.method,
        path: request.url,
        status: response.statusCode,
        bytes,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
        remote: request.socket.remoteAddress,
        ...(request.headers['user-agent'] ? { user_agent: request.headers['user-agent'] } : {}),
        ...(response.writableFinished ? {} : { aborted: true }),
      },
      'request',
    );
  };
  response.once('finish', line);
  response.once('close', line);
}

function chooseEncoding(acceptEncoding: string | undefined, file: CachedFile): 'br' | 'gzip' | undefined {
  if (!acceptEncoding || !file.gzip) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q=([\d.]+)/.exec(param)?.[1]).find(Boolean);
    if (name) accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return undefined;
}

function prefersHtml(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept) && !/application\/(rss|atom)\+xml/i.test(accept);
}
