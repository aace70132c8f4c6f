// The feed farm of the fleet benchmark, a process of its own so that serving costs the measured
// processes nothing: every source's document (documents.mjs) on loopback hosts 127.0.0.1 to
// 127.0.0.H, all on one port, each answered after a delay, with an ETag and 304s. It keeps the
// most requests it ever had in flight to one host, so the benchmark can check that the fleet's
// per-host limit held across workers, and how many requests it answered. Asked to
// (serveVersion), it serves every document in a later version: a few items newer, as feeds
// move on between two ticks.
//
// The benchmark calls startFarm(); the child it forks runs this file with
//   <sources> <hosts> <delay ms> <seed>
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VerifyError } from '../lib/verify.mjs';
import { sourceDocument } from './documents.mjs';
import { listenOnLoopbackHosts } from '../../test/support/loopback-hosts.mjs';

/** Forks the farm; resolves once it listens, with its port, its sources and a way to ask for its counts. */
export function startFarm({ sources, hosts, delayMs, seed }) {
  const child = fork(fileURLToPath(import.meta.url), [sources, hosts, delayMs, seed].map(String), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const replies = [];
  child.on('message', (message) => replies.shift()?.(message));
  const ask = (what) => new Promise((resolve) => {
    replies.push(resolve);
    child.send(what);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new VerifyError(`the feed farm exited with ${code} before it listened`)));
    replies.push((ready) => resolve({
      child,
      port: ready.port,
      sources: ready.sources,
      /** { responses, notModified, maxPerHost, maxInFlight } since the last reset. */
      counts: () => ask('counts'),
      reset: () => ask('reset'),
      /** Serves every document in `version` from now on, and starts the counts again. */
      serveVersion: (version) => ask({ version }),
      stop: () => new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
    }));
  });
}

async function serve(sourceCount, hostCount, delayMs, seed) {
  const sources = [];
  /** Every document in `version`; a version's ETags are its own, so a new version is a 200. */
  const documentsOf = (version) => {
    const documents = new Map();
    for (let index = 0; index < sourceCount; index++) {
      const document = sourceDocument(seed, index, version);
      const host = `127.0.0.${1 + (index % hostCount)}`;
      documents.set(`${host} ${document.path}`, { ...document, etag: `"${document.id}-${seed}-${version}"` });
      if (version === 1 && sources.length < sourceCount) sources.push({ id: document.id, url: `http://${host}:PORT${document.path}`, format: document.format, items: document.items, bytes: document.body.length });
    }
    return documents;
  };
  let byPath = documentsOf(1);
  let counts = { responses: 0, notModified: 0, maxPerHost: 0, maxInFlight: 0 };
  const inFlight = new Map();
  let inFlightAll = 0;
  const handler = (request, response) => {
    const host = request.socket.localAddress;
    const document = byPath.get(`${host} ${request.url}`);
    if (!document) {
      response.writeHead(404).end();
      return;
    }
    const now = (inFlight.get(host) ?? 0) + 1;
    inFlight.set(host, now);
    inFlightAll++;
    counts.maxPerHost = Math.max(counts.maxPerHost, now);
    counts.maxInFlight = Math.max(counts.maxInFlight, inFlightAll);
    setTimeout(() => {
      inFlight.set(host, inFlight.get(host) - 1);
      inFlightAll--;
      if (request.headers['if-none-match'] === document.etag) {
        counts.notModified++;
        response.writeHead(304, { etag: document.etag }).end();
        return;
      }
      counts.responses++;
      response.writeHead(200, { 'content-type': document.contentType, etag: document.etag, 'content-length': document.body.length });
      response.end(document.body);
    }, delayMs);
  };
  const { port, servers } = await listenOnLoopbackHosts(handler, hostCount);
  process.on('message', (message) => {
    if (typeof message === 'object' && message.version) byPath = documentsOf(message.version);
    if (message === 'reset' || typeof message === 'object') counts = { responses: 0, notModified: 0, maxPerHost: 0, maxInFlight: 0 };
    process.send({ ...counts });
  });
  process.on('SIGTERM', () => {
    for (const server of servers) server.closeAllConnections();
    process.exit(0);
  });
  process.send({ port, sources: sources.map((source) => ({ ...source, url: source.url.replace('PORT', String(port)) })) });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [sources, hosts, delayMs, seed] = process.argv.slice(2).map(Number);
  await serve(sources, hosts, delayMs, seed);
}
