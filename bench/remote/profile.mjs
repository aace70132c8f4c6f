// Where a cold pass of bench/remote.mjs spends its time, from `node --cpu-prof` profiles of
// the pass's thread and its parse threads: self time by function and by area (package or dist/
// folder), and inclusive time by pipeline stage.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../lib/build.mjs';
import { addOncePerKey, addTo, forEachSample, largest } from '../lib/cpu-profile.mjs';
/**
 * Stages of a pass, by the function that does each, for inclusive ("total") time. Only the
 * synchronous part of an async function counts (after an await it resumes without its caller).
 */
const STAGES = [
  ['documentEntries', 'decode + parse + normalize one document'],
  ['parseFeedDocument', 'parse: repair XML + rss-parser (xml2js, sax)'],
  ['feedToEntries', 'normalize: items to entries'],
  ['sanitizeHtmlContent', 'normalize: sanitizing item HTML'],
  ['sanitizeSimpleHtml', 'normalize: simple HTML read without a parser'],
  ['sanitizeHtml', 'sanitize-html, every call (HTML that is not simple, titles and summaries)'],
  ['htmlToText', 'normalize: text of untrusted HTML (titles, summaries)'],
  ['sanitizedHtmlToText', 'normalize: text of sanitized HTML'],
  ['cleanLine', 'normalize: cleanLine'],
  ['truncateAtWord', 'normalize: truncateAtWord'],
  ['storeEntries', 'store: entries in a transaction'],
  ['applyEntry', 'store: one entry (look up, hash, insert)'],
  ['publishFeeds', 'render + write feeds'],
  ['publishStatus', 'write status.json'],
  ['fetch', 'fetch layer (synchronous parts)'],
  ['(garbage collector)', 'garbage collection'],
];

/** Self and stage times summed over every thread's profile: the pass's own and its parse threads'. */
export function summarizeProfile(files, top = 25) {
  const stageUs = new Map();
  const byFunction = new Map();
  const byArea = new Map();
  const stageNames = new Set(STAGES.map(([name]) => name));
  let total = 0;
  for (const file of files) {
    forEachSample(file, ({ functionName, url, lineNumber }, us, stack) => {
      const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
      addTo(byFunction, `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`, us);
      addTo(byArea, areaOf(url, functionName), us);
      total += us;
      // Inclusive: once per stage on the sample's stack, however deep the recursion.
      addOncePerKey(stageUs, stack().map((frame) => frame.functionName).filter((name) => stageNames.has(name)), us);
    });
  }
  const rank = (tally) => largest(tally, top).map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  // A stage missing from the profile (renamed in src/, say) is left out rather than shown as 0.
  const stages = STAGES.filter(([name]) => stageUs.has(name)).map(([name, what]) => ({ name, what, ms: stageUs.get(name) / 1000, share: stageUs.get(name) / total }));
  return { totalMs: total / 1000, threads: files.length, functions: rank(byFunction), areas: rank(byArea), stages };
}

function shortUrl(url) {
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  // The build snapshot's files are named as the dist/ files they copy.
  return file.startsWith(ROOT) ? path.relative(ROOT, file).replace(/^bench\/results\/\.remote-build-\d+\//, '') : file;
}

function areaOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native/builtin)';
  const file = shortUrl(url);
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (module) return module[1];
  if (file.startsWith('dist/')) return path.dirname(file);
  if (file.startsWith('node:')) return 'node internals';
  return file;
}
