// HTTP clients for tests of the server: node:http for ordinary requests (no decompression, no
// normalization of what it gets back), and node:net for request bytes sent exactly as written,
// for paths a client library would normalize or refuse to send.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function get(base: string, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: target, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${method} ${target}`)));
    req.on('error', reject);
    req.end();
  });
}

export interface RawResponse {
  status: number;
  statusLine: string;
  headers: Record<string, string>;
  body: Buffer;
  raw: Buffer;
}

/** Sends `bytes` as they are and reads until the server closes the connection. */
export function rawRequest(base: string, bytes: string | Buffer): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`timeout: ${JSON.stringify(bytes.toString().slice(0, 60))}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseRawResponse(Buffer.concat(chunks))));
    socket.write(bytes);
  });
}

function parseRawResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1').split('\r\n');
  const statusLine = head[0] ?? '';
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { status, statusLine, headers, body: end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4), raw };
}

/** A request line with `target` exactly as given, Host, any extra header lines, and Connection: close. */
export function rawGet(base: string, target: string, method = 'GET', extraHeaders = ''): Promise<RawResponse> {
  return rawRequest(base, `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${extraHeaders}Connection: close\r\n\r\n`);
}

/** A port nothing listens on right now, for a child process told to listen there. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
