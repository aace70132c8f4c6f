// `bench/run.mjs --profile`: where a cold page pass spends its time, from `node --cpu-prof`
// profiles of the pass's own thread and of its parse threads, each thread on its own (the pass's
// thread sets the wall time; a parse thread that idles is waiting for it). For each: inclusive
// time by stage of the pass, and self time by function.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../lib/build.mjs';
import { addOncePerKey, addTo, forEachSample, largest } from '../lib/cpu-profile.mjs';

/**
 * Stages, by the function that does each, for inclusive time. Only the synchronous part of an
 * async function counts (after an await it resumes without its caller on the stack).
 */
const STAGES = [
  ['storeEntries', 'store: entries, a transaction per batch (all below)'],
  ['applyEntry', 'store: one entry (look up, decide, write)'],
  ['storableEntry', 'store: packing and hashing an entry body (on a parse thread for pages)'],
  ['packBody', 'store: packBody (isParagraphsHtml, JSON)'],
  ['sqliteTransaction', 'store: SQLite transaction, commit included'],
  ['endPass', 'store: source records written'],
  ['close', 'store: close (WAL checkpoint) and other close() calls'],
  ['readPages', 'pages: stat, stamps, settling each page (synchronous part)'],
  ['pageFileEntries', 'pages: read + hash + parse + normalize one file'],
  ['readPageBytes', 'pages: reading files (inside sources/ only)'],
  ['hash', 'crypto.hash (page bytes, ids, entry bodies)'],
  ['pageToEntries', 'normalize: a page to entries'],
  ['parsePage', 'normalize: lines, lead and briefs'],
  ['briefId', 'normalize: brief ids'],
  ['resolveBriefDate', 'normalize: brief dates'],
  ['readCapture', 'ingest: front matter'],
  ['publishSite', 'render + publish'],
  ['(garbage collector)', 'garbage collection'],
  ['(idle)', 'idle (waiting for threads, I/O)'],
];

/** Thread id from a profile file name, CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: 0 is the pass's own. */
function threadOf(file) {
  return Number(path.basename(file).split('.')[4] ?? 0);
}

export function summarizePageProfile(files, top = 15) {
  const stageNames = new Set(STAGES.map(([name]) => name));
  return [...files].sort((a, b) => threadOf(a) - threadOf(b)).map((file) => {
    const stageUs = new Map();
    const byFunction = new Map();
    let total = 0;
    forEachSample(file, ({ functionName, url, lineNumber }, us, stack) => {
      const where = url ? ` ${shortUrl(url)}:${lineNumber + 1}` : '';
      addTo(byFunction, `${functionName || '(anonymous)'}${where}`, us);
      total += us;
      addOncePerKey(stageUs, stack().map((frame) => frame.functionName).filter((name) => stageNames.has(name)), us);
    });
    const stages = STAGES.filter(([name]) => stageUs.has(name)).map(([name, what]) => ({ name, what, ms: stageUs.get(name) / 1000, share: stageUs.get(name) / total }));
    const functions = largest(byFunction, top).map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
    return { label: threadOf(file) === 0 ? "the pass's own thread" : `parse thread ${threadOf(file)}`, totalMs: total / 1000, stages, functions };
  });
}

export function pageProfileMarkdown(threads) {
  const lines = ['## Profile of one cold pass (`node --cpu-prof`; profiling slows it, so it is not in the table)', ''];
  for (const thread of threads) {
    lines.push(`### ${thread.label}: ${thread.totalMs.toFixed(0)} ms sampled`, '', '| stage (inclusive) | ms | share |', '|---|---:|---:|');
    for (const stage of thread.stages) lines.push(`| \`${stage.name}\`: ${stage.what} | ${stage.ms.toFixed(0)} | ${(stage.share * 100).toFixed(1)}% |`);
    lines.push('', '| function (self) | ms | share |', '|---|---:|---:|');
    for (const fn of thread.functions) lines.push(`| \`${fn.name}\` | ${fn.ms.toFixed(0)} | ${(fn.share * 100).toFixed(1)}% |`);
    lines.push('');
  }
  return lines;
}

function shortUrl(url) {
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  // The build snapshot's files are named as the dist/ files they copy.
  return file.startsWith(ROOT) ? path.relative(ROOT, file).replace(/^bench\/results\/\.pages-build-\d+\//, '') : file;
}
