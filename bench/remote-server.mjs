// The feed server for bench/remote.mjs, run as its own child process (fork) so that the
// benchmark's synchronous child runs (spawnSync) never stall it, and its CPU use is its own.
//
//   fork('bench/remote-server.mjs', [DOCS_DIR, '--gzip'?])  ->  IPC { ready: port }
//
// Serves every *.xml file under DOCS_DIR at /feeds/<name>, from memory, on 127.0.0.1 only and a
// port the OS picks. Each document has a strong ETag (a hash of its bytes) and a Last-Modified;
// a matching If-None-Match (or, without one, an If-Modified-Since not older than the document)
// gets 304 with no body. With --gzip, clients sending Accept-Encoding: gzip get a body compressed
// once at start-up, as most real feed servers (or their caches) do.
//
// IPC: { stats: true } -> replies { stats: { ok, notModified, notFound, connections: {host: n} } }
// counted since the last stats request, so the benchmark can check what each pass asked for.
// `connections` counts the distinct sockets each Host header arrived on: a client opens another
// connection only when all its open ones are busy, so this is the concurrency it reached per host.
// (Requests in flight at the server would not show it: answering from memory takes microseconds.)
// { reset: true } clears the counters without replying.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const [docsDir, ...flags] = process.argv.slice(2);
const gzip = flags.includes('--gzip');
// One fixed date for every document: they never change during a run.
const LAST_MODIFIED = new Date(Date.UTC(2026, 0, 1)).toUTCString();
const LAST_MODIFIED_MS = Date.parse(LAST_MODIFIED);

/** name -> { body, gzipped, etag, type }, all read up front so serving costs no disk I/O. */
const documents = new Map();
for (const name of readdirSync(docsDir)) {
  if (!name.endsWith('.xml')) continue;
  const body = readFileSync(path.join(docsDir, name));
  const atom = body.includes('<feed xmlns="http://www.w3.org/2005/Atom"');
  documents.set(name, {
    body,
    gzipped: gzip ? gzipSync(body) : undefined,
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
    type: atom ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8',
  });
}

/** Sockets seen per Host since the last reset; a WeakSet per host keeps closed sockets collectable. */
let sockets = new Map();
let stats = freshStats();

function freshStats() {
  sockets = new Map();
  return { ok: 0, notModified: 0, notFound: 0, connections: {} };
}

/** Is the client's copy current? If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). */
function notModified(request, document) {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === document.etag || tag.trim() === '*');
  }
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && since >= LAST_MODIFIED_MS;
}

const server = http.createServer((request, response) => {
  const host = request.headers.host ?? '';
  if (!sockets.has(host)) sockets.set(host, new WeakSet());
  if (!sockets.get(host).has(request.socket)) {
    sockets.get(host).add(request.socket);
    stats.connections[host] = (stats.connections[host] ?? 0) + 1;
  }

  const name = decodeURIComponent(new URL(request.url, 'http://x').pathname).replace(/^\/feeds\//, '');
  const document = request.method === 'GET' || request.method === 'HEAD' ? documents.get(name) : undefined;
  if (!document) {
    stats.notFound++;
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const headers = { etag: document.etag, 'last-modified': LAST_MODIFIED, 'cache-control': 'max-age=300', vary: 'Accept-Encoding' };
  if (notModified(request, document)) {
    stats.notModified++;
    response.writeHead(304, headers).end();
    return;
  }
  stats.ok++;
  const useGzip = document.gzipped && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
  const body = useGzip ? document.gzipped : document.body;
  response.writeHead(200, {
    ...headers,
    'content-type': document.type,
    'content-length': body.length,
    ...(useGzip ? { 'content-encoding': 'gzip' } : {}),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
});

// Keep-alive longer than any gap between requests in one pass, so connections are reused.
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send({ ready: server.address().port, documents: documents.size });
});

process.on('message', (message) => {
  if (message?.stats) process.send({ stats });
  if (message?.stats || message?.reset) stats = freshStats();
});
// The benchmark going away (even by a crash) closes the IPC channel: stop with it.
process.on('disconnect', () => process.exit(0));
