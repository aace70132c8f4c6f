// A real HTTP server for the remote-source tests: node:http on 127.0.0.1, a random port, and a
// handler per path that the test sets and may swap between passes. It records every request
// (path, headers, when its socket closed) and how many requests were in flight at once.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REMOTE_FIXTURES = path.resolve(here, '..', 'fixtures', 'remote');

/** The source file lines for test/fixtures/remote/island-times.html served at `url`: an HTML page read with selectors. */
export function islandPageSource(url: string): string[] {
  return [
    'kind: page',
    `url: ${url}`,
    'timezone: Asia/Tokyo',
    'selectors:',
    '  lead_title: h1.headline',
    '  lead_body: .story',
    '  brief: .live-item',
    '  brief_time: time',
    '  brief_topic: .topic',
    '  brief_text: .text',
  ];
}

/** Bytes of test/fixtures/remote/<name>. */
export function fixture(name: string): Buffer {
  return readFileSync(path.join(REMOTE_FIXTURES, name));
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  /** Resolves when the request's socket closes (the client hung up or the server ended it). */
  socketClosed: Promise<void>;
  /** Set once the socket has closed. */
  closedAt?: number;
  startedAt: number;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, recorded: RecordedRequest) => void | Promise<void>;

export interface FixtureServer {
  /** http://<host>:<port> */
  origin: string;
  url(pathname: string): string;
  /** Sets (or replaces) the handler for an exact path, query string excluded. */
  route(pathname: string, handler: Handler): void;
  requests: RecordedRequest[];
  requestsTo(pathname: string): RecordedRequest[];
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight: { now: number; max: number };
  resetCounters(): void;
  close(): Promise<void>;
}

/** Serves bytes with a status and headers. */
export function send(body: string | Buffer, headers: Record<string, string | number> = {}, status = 200): Handler {
  return (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };
}

/** Serves a file from test/fixtures/remote, read when asked (so a test may change what it sends). */
export function sendFixture(name: string, contentType: string, extra: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': contentType, ...extra });
    response.end(fixture(name));
  };
}

export function redirect(to: string, status = 302): Handler {
  return (_request, response) => {
    response.writeHead(status, { location: to });
    response.end();
  };
}

/** Answers with `handler` after `ms`, like a slow server. */
export function delayed(ms: number, handler: Handler): Handler {
  return async (request, response, recorded) => {
    await delay(ms);
    if (!response.destroyed) await handler(request, response, recorded);
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `host`: the address to listen on, loopback by default. */
export async function startFixtureServer(host = '127.0.0.1'): Promise<FixtureServer> {
  const routes = new Map<string, Handler>();
  const requests: RecordedRequest[] = [];
  const inFlight = { now: 0, max: 0 };
  // One 'close' listener per socket, however many keep-alive requests it carries.
  const sockets = new WeakMap<Socket, { closed: Promise<void>; requests: RecordedRequest[] }>();
  const watchSocket = (socket: Socket) => {
    const state = { closed: new Promise<void>((resolve) => socket.once('close', () => resolve())), requests: [] as RecordedRequest[] };
    void state.closed.then(() => {
      const now = Date.now();
      for (const recorded of state.requests) recorded.closedAt = now;
    });
    sockets.set(socket, state);
    return state;
  };
  const server: Server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://fixture.invalid').pathname;
    const socket = sockets.get(request.socket) ?? watchSocket(request.socket);
    const recorded: RecordedRequest = {
      path: pathname,
      headers: request.headers,
      socketClosed: socket.closed,
      startedAt: Date.now(),
    };
    socket.requests.push(recorded);
    requests.push(recorded);
    inFlight.now++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      inFlight.now--;
    };
    response.on('finish', done);
    response.on('close', done);
    // A client that hangs up mid-body makes writes fail; that is the point of some tests.
    response.on('error', () => undefined);
    const handler = routes.get(pathname);
    if (!handler) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`no fixture route for ${pathname}\n`);
      return;
    }
    Promise.resolve(handler(request, response, recorded)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  // Sockets stay open between requests (keep-alive); close() must not wait for them.
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;
  return {
    origin,
    url: (pathname) => `${origin}${pathname}`,
    route: (pathname, handler) => {
      routes.set(pathname, handler);
    },
    requests,
    requestsTo: (pathname) => requests.filter((request) => request.path === pathname),
    inFlight,
    resetCounters: () => {
      inFlight.max = inFlight.now;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Streams `total` bytes of `fill` in 64 KiB writes, honouring backpressure, until done or the client hangs up. */
export function streamBytes(response: ServerResponse, total: number, fill = 0x20): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, fill);
  let sent = 0;
  return new Promise<void>((resolve) => {
    const finish = () => resolve();
    response.once('close', finish);
    const pump = () => {
      while (sent < total && !response.destroyed) {
        const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
        sent += piece.length;
        if (!response.write(piece)) {
          response.once('drain', pump);
          return;
        }
      }
      if (!response.destroyed) response.end();
    };
    pump();
  });
}
