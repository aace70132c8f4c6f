// Fetch + parse + normalize, and nothing else: what the remote benchmark's throughput target
// measures. It runs the pass's own code for remote sources (the fetch layer, the parse threads,
// readRemoteSources) on every source in --sources, with a fresh state, and drops the entries
// where a pass would store them. One JSON line on stdout: documents read, entries, failures and
// the time from the first fetch to the last entry.
//
//   node bench/remote-ingest.mjs --dist DIR --sources DIR
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';

const { values } = parseArgs({ options: { dist: { type: 'string' }, sources: { type: 'string' } } });
if (!values.dist || !values.sources) {
  process.stderr.write('usage: node bench/remote-ingest.mjs --dist DIR --sources DIR\n');
  process.exit(1);
}
const load = (module) => import(pathToFileURL(path.join(path.resolve(values.dist), module)).href);
const [{ loadSiteConfig }, { loadRemoteSources }, { Fetcher }, { documentParser }, { readRemoteSources }, { userAgent }] = await Promise.all([
  load('config/site.js'),
  load('config/remote-sources.js'),
  load('ingest/fetch.js'),
  load('worker/parse-threads.js'),
  load('worker/read-remote.js'),
  load('version.js'),
]);

const site = await loadSiteConfig(values.sources);
const { sources } = loadRemoteSources(values.sources);
const started = performance.now();
const fetcher = new Fetcher({ ...site.fetch, maxRedirects: 5, userAgent: userAgent(site.url) });
const parser = documentParser(sources.length, site.fetch.parseThreads);
let entries = 0;
const result = await readRemoteSources(sources, [], {
  site,
  fingerprint: 'bench',
  known: new Map(),
  nowMs: Date.now(),
  logger: pino({ level: 'warn' }),
  fetcher,
  parser,
  storeEntries: async (batch) => {
    entries += batch.length;
  },
});
const ms = performance.now() - started;
await Promise.all([fetcher.close(), parser.close()]);
process.stdout.write(`${JSON.stringify({ docs: result.ok, failed: result.failures.length, entries, ms: Math.round(ms) })}\n`);
