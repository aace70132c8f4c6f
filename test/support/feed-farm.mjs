// A farm of RSS feeds for the distributed-mode test and benchmark: N small feeds spread over H
// loopback addresses (127.0.0.1 to 127.0.0.H, all on one port, each a "host" to politeness
// limits), each answered after a delay, with an ETag and 304s. It counts requests per feed.
// Every item of every feed has its own publication minute, so no two entries share a date.
import { listenOnLoopbackHosts } from './loopback-hosts.mjs';

const BASE_MS = Date.UTC(2026, 9, 1, 12, 0, 0);
const MINUTE = 60_000;

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The RSS document of feed `index`: `items` items, the newest first. */
export function farmFeed(index, items) {
  const entries = [];
  for (let item = 0; item < items; item++) {
    const published = new Date(BASE_MS - (index * items + item) * MINUTE).toUTCString();
    entries.push(`<item><title>${escapeXml(`Feed ${index} story ${item}: the ferry timetable & more`)}</title>` +
      `<link>https://news.example/feed-${index}/story-${item}</link>` +
      `<guid isPermaLink="false">farm-${index}-${item}</guid><pubDate>${published}</pubDate>` +
      `<description>${escapeXml(`<p>Story ${item} of feed ${index}: the harbour council met on Tuesday.</p>`)}</description></item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Farm feed ${index}</title>` +
    `<link>https://news.example/feed-${index}/</link><description>Feed ${index} of the farm</description>${entries.join('')}</channel></rss>\n`;
}

/**
 * Starts the farm. Resolves with { port, hosts, feedUrl(i), counts(), total(), close() }.
 * Options: feeds, items, hosts (at most 250), delayMs.
 */
export async function startFeedFarm({ feeds, items = 3, hosts = 10, delayMs = 0 }) {
  const documents = Array.from({ length: feeds }, (_, index) => Buffer.from(farmFeed(index, items)));
  const etags = documents.map((_, index) => `"farm-${index}-${items}"`);
  const counts = new Array(feeds).fill(0);
  const handler = (request, response) => {
    const match = /^\/feed\/(\d+)\.xml$/.exec(request.url ?? '');
    const index = match ? Number(match[1]) : -1;
    if (index < 0 || index >= feeds) {
      response.writeHead(404).end();
      return;
    }
    counts[index]++;
    setTimeout(() => {
      if (request.headers['if-none-match'] === etags[index]) {
        response.writeHead(304, { etag: etags[index] }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: etags[index], 'content-length': documents[index].length });
      response.end(documents[index]);
    }, delayMs);
  };
  const { port, servers } = await listenOnLoopbackHosts(handler, hosts);
  return {
    port,
    hosts,
    feedUrl: (index) => `http://127.0.0.${1 + (index % hosts)}:${port}/feed/${index}.xml`,
    counts: () => [...counts],
    total: () => counts.reduce((sum, count) => sum + count, 0),
    resetCounts: () => counts.fill(0),
    close: () => Promise.all(servers.map((server) => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }))),
  };
}

// Run directly (by the benchmark, in a process of its own): start, print the port, serve until killed.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [feeds, items, hosts, delayMs] = process.argv.slice(2).map(Number);
  const farm = await startFeedFarm({ feeds, items, hosts, delayMs });
  process.stdout.write(`${JSON.stringify({ port: farm.port })}\n`);
  process.on('message', (message) => {
    if (message === 'counts') process.send?.({ counts: farm.counts() });
    if (message === 'reset') farm.resetCounts();
  });
  process.on('SIGTERM', () => void farm.close().then(() => process.exit(0)));
}
