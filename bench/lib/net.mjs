// Loopback helpers: a free port, a GET that reads the whole body, and a wait until a server answers.
import http from 'node:http';
import net from 'node:net';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** GET http://host:port/pathname; resolves with { status, headers, body } (the body not decoded). */
export function httpGet(host, port, pathname, headers = {}, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: pathname, headers, agent: false }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error('timeout')));
    request.once('error', reject);
  });
}

/**
 * Polls until GET `pathname` answers 200, for up to `timeoutMs`; gives up early when `gone()`
 * says the server process has exited. Resolves with undefined, or with why it never answered.
 */
export async function waitForOk(host, port, pathname, gone = () => false, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (gone()) break;
    try {
      const response = await httpGet(host, port, pathname);
      if (response.status === 200) return undefined;
      last = `status ${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(100);
  }
  return last;
}
