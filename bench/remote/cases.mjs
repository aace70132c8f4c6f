// The measured cases of bench/remote.mjs, each as child processes against the local feed server
// (bench/remote-server.mjs, in a child of its own): cold passes, fetch + parse + normalize
// alone, all-304 passes and feedparser's parse. Every case checks that its runs did what the
// case means (all read and 200, all 304 and nothing written, ...) and fails the run otherwise.
// `bench` is { cli, sourcesDir, docsDir, temp, usageFile, server, options }.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/build.mjs';
import { changedFiles, fileTimes, freshWork, measureNode, passSummary } from '../lib/measure.mjs';
import { fmt } from '../lib/stats.mjs';
import { fail, progress, tail } from '../lib/verify.mjs';

const SERVER = path.join(ROOT, 'bench', 'remote-server.mjs');
const INGEST = path.join(ROOT, 'bench', 'remote-ingest.mjs');
const FEEDPARSER_SCRIPT = path.join(ROOT, 'bench', 'feedparser_parse.py');
export const PYTHON = '/usr/bin/python3';
const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'];

// --- The server ----------------------------------------------------------------------------------

export function startServer(docsDir, gzip) {
  const child = fork(SERVER, [docsDir, ...(gzip ? ['--gzip'] : [])], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters = [];
  child.on('message', (message) => {
    if (message.stats) waiters.shift()?.(message.stats);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`feed server exited early (${code})`)));
    child.once('message', (message) => {
      if (!message.ready) return reject(new Error(`unexpected message from the feed server: ${JSON.stringify(message)}`));
      resolve({
        port: message.ready,
        documents: message.documents,
        /** Requests served since the last call (200s, 304s, 404s, connections per Host). */
        stats: () =>
          new Promise((done) => {
            waiters.push(done);
            child.send({ stats: true });
          }),
        reset: () => child.send({ reset: true }),
        stop: () => {
          child.removeAllListeners('exit');
          child.disconnect();
        },
      });
    });
  });
}

// --- Measured runs -------------------------------------------------------------------------------

export function runPass(cli, sources, work, usageFile, nodeFlags) {
  const run = measureNode([cli, 'run', '--sources', sources, '--out', work.out, '--state', work.state], usageFile, nodeFlags);
  const summary = passSummary(run.lines);
  // 2 means some sources failed: the counters say which case that breaks, so check them instead.
  if (run.status !== 0 && run.status !== 2) fail(`feedloom run exited with ${run.status}\n${tail(run.stdout)}\n${tail(run.stderr)}`);
  return { ...run, summary };
}

function failedSources(lines) {
  return lines.flatMap((line) => {
    try {
      const record = JSON.parse(line);
      return record.level >= 50 ? [`${record.source ?? '?'}: ${record.reason ?? record.msg}`] : [];
    } catch {
      return [];
    }
  });
}

function runFeedparser(docsDir) {
  const started = performance.now();
  const child = spawnSync(PYTHON, [FEEDPARSER_SCRIPT, docsDir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  if (child.error) throw child.error;
  if (child.status !== 0) fail(`feedparser_parse.py exited with ${child.status}\n${tail(child.stderr)}`);
  return { wallMs, ...JSON.parse(child.stdout.trim().split('\n').at(-1)) };
}

export function checkFeedparser() {
  const probe = spawnSync(PYTHON, ['-c', 'import feedparser; print(feedparser.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    fail(`${PYTHON} cannot import feedparser: install Debian's package with \`apt-get install -y python3-feedparser\`\n${tail(probe.stderr ?? String(probe.error))}`);
  }
}

/** One pass with the server's counters reset before it: the run, what the server sent, the pass's summary. */
async function servedPass({ cli, sourcesDir, usageFile, server }, work) {
  server.reset();
  const run = runPass(cli, sourcesDir, work, usageFile);
  return { run, served: await server.stats(), s: run.summary };
}

/** The feed files present in out/, for the report. */
function listOut(outDir) {
  return readdirSync(outDir).sort().join(', ');
}

/** Cold: a fresh state and an empty out/ every run; every source must be read and answer 200. */
export async function coldPasses({ cli, sourcesDir, temp, usageFile, server, options }) {
  const expectedEntries = options.docs * options.items;
  const cold = [];
  let work;
  for (let i = 0; i < options.repeats; i++) {
    work = freshWork(path.join(temp, `cold-${i}`));
    const { run, served, s } = await servedPass({ cli, sourcesDir, usageFile, server }, work);
    if (s.sources_ok !== options.docs || s.sources_failed !== 0 || s.sources_unchanged !== 0) {
      fail(`cold pass ${i + 1}: ${s.sources_ok} ok, ${s.sources_failed} failed, ${s.sources_unchanged} unchanged; expected all ${options.docs} read\n${failedSources(run.lines).slice(0, 10).join('\n')}`);
    }
    if (s.entries_new !== expectedEntries) fail(`cold pass ${i + 1}: entries_new is ${s.entries_new}, expected ${expectedEntries}`);
    if (served.ok !== options.docs || served.notModified !== 0) fail(`cold pass ${i + 1}: server sent ${served.ok} × 200 and ${served.notModified} × 304; expected ${options.docs} × 200`);
    for (const name of FEED_FILES) if (!existsSync(path.join(work.out, name))) fail(`cold pass ${i + 1}: out/${name} was not written`);
    cold.push({ ...run, served });
    progress(`cold run ${i + 1}/${options.repeats}: ${run.wallMs.toFixed(0)} ms, ${run.rssMb.toFixed(1)} MB, ${s.entries_new} new entries, ${s.files_written} files written, connections per Host ${JSON.stringify(served.connections)}`);
  }
  const c = cold.at(-1);
  const check =
    `cold passes: sources_ok ${c.summary.sources_ok}, entries_new ${fmt(c.summary.entries_new)} (expected ${fmt(expectedEntries)}), files_written ${c.summary.files_written} (out/: ${listOut(work.out)}); ` +
      `server: ${c.served.ok} × 200, connections opened per Host (≈ peak concurrency) ${Object.entries(c.served.connections).map(([host, n]) => `${host} ${n}`).join(', ')}`;
  return { cold, work, check };
}

/**
 * Fetch + parse + normalize alone, as the throughput target counts it: the pass's own code
 * for remote sources, with the entries dropped where a pass would store them.
 */
export async function ingestRuns({ cli, sourcesDir, usageFile, server, options }) {
  const expectedEntries = options.docs * options.items;
  const ingest = [];
  for (let i = 0; i < options.repeats; i++) {
    server.reset();
    const run = measureNode([INGEST, '--dist', path.dirname(cli), '--sources', sourcesDir], usageFile);
    if (run.status !== 0) fail(`remote-ingest.mjs exited with ${run.status}\n${tail(run.stdout)}\n${tail(run.stderr)}`);
    const read = JSON.parse(run.lines.at(-1));
    const served = await server.stats();
    if (read.docs !== options.docs || read.failed !== 0 || read.entries !== expectedEntries) {
      fail(`fetch + parse + normalize run ${i + 1}: ${read.docs} documents read, ${read.failed} failed, ${read.entries} entries; expected ${options.docs} and ${expectedEntries}`);
    }
    if (served.ok !== options.docs) fail(`fetch + parse + normalize run ${i + 1}: server sent ${served.ok} × 200; expected ${options.docs}`);
    ingest.push({ ...run, read });
    progress(`fetch + parse + normalize run ${i + 1}/${options.repeats}: ${run.wallMs.toFixed(0)} ms, ${run.rssMb.toFixed(1)} MB, ${read.entries} entries`);
  }
  return ingest;
}

/** All 304: the last cold pass's state and out/, passed over again; nothing may be read or written but status. */
export async function notModifiedPasses({ cli, sourcesDir, usageFile, server, options }, work) {
  const notModified = [];
  const written = new Set();
  for (let i = 0; i < options.repeats; i++) {
    const before = fileTimes(work.out);
    const { run, served, s } = await servedPass({ cli, sourcesDir, usageFile, server }, work);
    if (s.sources_unchanged !== options.docs || s.sources_failed !== 0 || s.entries_new !== 0 || s.entries_updated !== 0) {
      fail(`304 pass ${i + 1}: ${s.sources_unchanged} unchanged, ${s.sources_failed} failed, ${s.entries_new} new, ${s.entries_updated} updated; expected all ${options.docs} unchanged`);
    }
    if (served.notModified !== options.docs || served.ok !== 0) fail(`304 pass ${i + 1}: server sent ${served.ok} × 200 and ${served.notModified} × 304; expected ${options.docs} × 304`);
    const changed = changedFiles(before, fileTimes(work.out));
    const feedsWritten = changed.filter((name) => name !== 'status.json');
    if (feedsWritten.length > 0) fail(`304 pass ${i + 1}: feed files written: ${feedsWritten.join(', ')}`);
    changed.forEach((name) => written.add(name));
    notModified.push({ ...run, served, changed });
    progress(`304 run ${i + 1}/${options.repeats}: ${run.wallMs.toFixed(0)} ms, ${run.rssMb.toFixed(1)} MB, files_written ${s.files_written} (${changed.join(', ') || 'none'})`);
  }
  const n = notModified.at(-1);
  const check =
    `304 passes: sources_unchanged ${n.summary.sources_unchanged}, entries_new ${n.summary.entries_new}, files_written ${notModified.map((run) => run.summary.files_written).join('/')}, ` +
      `files changed in out/: ${[...written].join(', ') || 'none'} (no feed file); server: ${n.served.notModified} × 304, ${n.served.ok} × 200`;
  return { notModified, check };
}

/** The baseline: the same bytes, parse only. */
export function feedparserRuns({ docsDir, options }) {
  const expectedEntries = options.docs * options.items;
  const feedparser = [];
  for (let i = 0; i < options.repeats; i++) {
    const run = runFeedparser(docsDir);
    if (run.documents !== options.docs || run.entries !== expectedEntries) fail(`feedparser read ${run.documents} documents, ${run.entries} entries; expected ${options.docs} and ${expectedEntries}`);
    feedparser.push(run);
    progress(`feedparser run ${i + 1}/${options.repeats}: parse ${(run.parse_s * 1000).toFixed(0)} ms, whole process ${run.wallMs.toFixed(0)} ms, ${run.bozo} bozo`);
  }
  const check = `feedparser: ${fmt(feedparser[0].entries)} entries from ${feedparser[0].documents} documents, ${feedparser[0].bozo} flagged bozo (not well-formed)`;
  return { feedparser, check };
}
