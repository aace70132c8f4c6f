// The remote-feed benchmark (`node bench/remote.mjs`, after `npm run build`).
//
// Generates D feed documents of I items each (deterministic; RSS 2.0, a share of them Atom 1.0)
// into a temp folder, serves them from a local HTTP server in a child process
// (bench/remote-server.mjs: 127.0.0.1 only, random port, ETag + 304), writes one
// sources/<id>.yaml per document plus a site.yaml, and times, each as its own child process:
//
//   - cold pass:  fresh state and out/, every source answers 200 (fetch, parse, normalize,
//                 store, render);
//   - fetch + parse + normalize: the same with nothing stored or rendered
//                 (bench/remote-ingest.mjs runs the pass's code for remote sources);
//   - 304 pass:   the last cold pass's state again, every source answers 304;
//   - feedparser: Debian's python3-feedparser parsing the same documents from disk, parse only
//                 (bench/feedparser_parse.py), as the baseline for throughput.
//
// Each case runs --repeats times; the median is reported as a Markdown table on stdout and in
// bench/results/remote-latest.md. Targets: feedloom's fetch + parse + normalize throughput at
// least 5× feedparser's parse-only throughput (the whole cold pass's ratio is reported beside
// it), and the 304 pass under 10% of the cold pass's wall time.
//
//   node bench/remote.mjs [--docs 1000] [--items 50] [--repeats 3] [--seed 42] [--atom-share 0.2]
//                         [--per-host 16] [--overall 16] [--gzip] [--profile] [--keep] [--cli FILE]
//
// Sources alternate between the hosts 127.0.0.1 and localhost (both loopback; other 127.0.0.x
// addresses are not certain to work everywhere), so feedloom's limiter sees two hosts; per_host is
// raised to 16 in the generated site.yaml (the default of 2 would cap the pass at 4 requests at a
// time). --profile (or any failed target) adds one cold pass under `node --cpu-prof` and lists the
// functions with the most self time, over the pass's own thread and its parse threads.
//
// Exit status: 0 all targets pass; 1 a target failed, or a pass did not do what its case means.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRng } from './generate-pages.mjs';
import { changedFiles, fail, fileTimes, freshWork, measureNode, median, passSummary, progress, ROOT, snapshotBuild, tail, VerifyError } from './support.mjs';

const SERVER = path.join(ROOT, 'bench', 'remote-server.mjs');
const INGEST = path.join(ROOT, 'bench', 'remote-ingest.mjs');
const FEEDPARSER_SCRIPT = path.join(ROOT, 'bench', 'feedparser_parse.py');
const PYTHON = '/usr/bin/python3';
const RESULTS = path.join(ROOT, 'bench', 'results', 'remote-latest.md');
const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'];
const HOSTS = ['127.0.0.1', 'localhost'];
const TARGETS = { throughputRatio: 5, notModifiedShare: 0.1 };

// --- Documents -----------------------------------------------------------------------------------

const WORDS = `the a of to and in for on with at by from as that this is was were are be has have had will would
council harbour ferry port market school budget plan report data study team season river bridge road
station library museum festival project policy market price energy water housing transport health
research software release security update network cloud model system service platform community
city region government minister election court ruling investment company startup revenue growth
climate storm flood coast fishing boat crew ship cargo container terminal schedule delay strike union
teacher student parent hospital doctor nurse patient clinic vaccine trial result survey poll vote
analysis forecast quarter annual weekly daily morning evening night weekend summer winter spring autumn
new old local national global public private major minor early late quick slow open closed free
said says announced reported confirmed expected planned approved rejected delayed launched opened
closed increased decreased improved changed moved raised cut added removed built repaired tested`
  .split(/\s+/)
  .filter(Boolean);
// A little typography and non-ASCII text, as real feeds have.
const FLOURISHES = ['café', 'naïve', 'São Paulo', 'Zürich', '“quoted”', 'don’t', '€12 million', '½', 'Ærø', '—'];
const CATEGORIES = ['News', 'Politics', 'Business', 'Technology', 'Science', 'Health', 'Sport', 'Culture', 'Travel', 'Opinion', 'Local', 'World', 'Climate', 'Education', 'Transport'];
const AUTHORS = ['Ana Ribeiro', 'James O’Neill', 'Mei Chen', 'Kwame Mensah', 'Sofia Müller', 'Lucas Martin', 'Priya Nair', 'Olu Adeyemi', 'Eva Novak', 'Tom Baker'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Items go back from here, so no date is in the future (feedloom replaces those with "now"). */
const NEWEST_MS = Date.UTC(2026, 5, 1, 12, 0, 0);

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function capitalize(text) {
  return text[0].toUpperCase() + text.slice(1);
}

function sentence(rng, words) {
  const parts = Array.from({ length: words }, () => (rng.next() < 0.03 ? rng.pick(FLOURISHES) : rng.pick(WORDS)));
  return `${capitalize(parts.join(' '))}.`;
}

/** A story's HTML: a few paragraphs with inline links and emphasis, now and then a quote, list or image. */
function articleHtml(rng, site, slug) {
  const paragraphs = [];
  const count = rng.int(2, 5);
  for (let p = 0; p < count; p++) {
    const sentences = Array.from({ length: rng.int(2, 5) }, () => sentence(rng, rng.int(8, 20)));
    if (rng.next() < 0.5) sentences[0] = `${sentences[0].slice(0, -1)} <a href="/tag/${rng.pick(WORDS)}">${rng.pick(WORDS)} ${rng.pick(WORDS)}</a>.`;
    if (rng.next() < 0.3) sentences[1] = `<em>${sentences[1]}</em>`;
    if (rng.next() < 0.2) sentences.push(`Prices rose 3% &amp; costs <strong>fell</strong> &#8212; ${sentence(rng, 6)}`);
    paragraphs.push(`<p>${sentences.join(' ')}</p>`);
  }
  const extra = rng.next();
  if (extra < 0.15) paragraphs.splice(1, 0, `<p><img src="https://cdn.${site}.example/img/${slug}.jpg" alt="${escapeXml(sentence(rng, 5))}" width="800" height="450"></p>`);
  else if (extra < 0.25) paragraphs.push(`<blockquote><p>${sentence(rng, 14)}</p></blockquote>`);
  else if (extra < 0.35) paragraphs.push(`<ul>${Array.from({ length: 3 }, () => `<li>${sentence(rng, 6)}</li>`).join('')}</ul>`);
  if (rng.next() < 0.1) paragraphs.push(`<p><a href="https://www.${site}.example/${slug}?utm_source=rss&amp;utm_medium=feed">Read more</a></p>`);
  return paragraphs.join('\n');
}

function rfc822(ms, zone) {
  // A share of feeds state their local offset; the instant is the same.
  const offsetMin = zone === '-0500' ? -300 : zone === '+0100' ? 60 : 0;
  const d = new Date(ms + offsetMin * 60_000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${zone}`;
}

function makeItems(rng, index, site, items) {
  let ms = NEWEST_MS - rng.int(0, 72) * 3_600_000;
  return Array.from({ length: items }, (_, n) => {
    ms -= rng.int(10, 600) * 60_000; // Newest first, minutes to hours apart.
    const slug = `${rng.pick(WORDS)}-${rng.pick(WORDS)}-${rng.pick(WORDS)}-${index}-${n}`;
    const date = new Date(ms);
    return {
      title: capitalize(Array.from({ length: rng.int(5, 11) }, () => rng.pick(WORDS)).join(' ')),
      link: `https://www.${site}.example/${date.getUTCFullYear()}/${String(date.getUTCMonth() + 1).padStart(2, '0')}/${slug}`,
      tagId: `tag:${site}.example,2026:post-${index}-${n}`,
      permalinkGuid: rng.next() < 0.6,
      ms,
      author: rng.pick(AUTHORS),
      categories: Array.from({ length: rng.int(1, 3) }, () => rng.pick(CATEGORIES)),
      html: articleHtml(rng, site, slug),
    };
  });
}

function rssDocument(rng, index, site, items) {
  const zone = rng.pick(['+0000', '+0000', 'GMT', '-0500', '+0100']);
  const cdata = rng.next() < 0.6; // The rest escape their HTML as text; both are common.
  const list = makeItems(rng, index, site, items);
  const body = list.map((item) => {
    const guid = item.permalinkGuid ? `<guid isPermaLink="true">${item.link}</guid>` : `<guid isPermaLink="false">${item.tagId}</guid>`;
    const description = cdata ? `<![CDATA[${item.html}]]>` : escapeXml(item.html);
    return `    <item>
      <title>${escapeXml(item.title)}</title>
      <link>${item.link}</link>
      ${guid}
      <pubDate>${rfc822(item.ms, zone)}</pubDate>
      <dc:creator>${escapeXml(item.author)}</dc:creator>
${item.categories.map((category) => `      <category>${category}</category>`).join('\n')}
      <description>${description}</description>
    </item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>${escapeXml(`The ${capitalize(site)} Gazette`)}</title>
    <link>https://www.${site}.example/</link>
    <description>${escapeXml(sentence(rng, 10))}</description>
    <language>en</language>
    <lastBuildDate>${rfc822(list[0].ms, zone)}</lastBuildDate>
    <generator>bench/remote.mjs</generator>
    <ttl>60</ttl>
    <atom:link href="https://www.${site}.example/feed/" rel="self" type="application/rss+xml"/>
${body.join('\n')}
  </channel>
</rss>
`;
}

function atomDocument(rng, index, site, items) {
  const list = makeItems(rng, index, site, items);
  const body = list.map((item) => {
    const iso = new Date(item.ms).toISOString().replace('.000Z', 'Z');
    const summary = item.html.slice(0, item.html.indexOf('</p>') + 4);
    return `  <entry>
    <title>${escapeXml(item.title)}</title>
    <link rel="alternate" type="text/html" href="${item.link}"/>
    <id>${item.tagId}</id>
    <published>${iso}</published>
    <updated>${iso}</updated>
    <author><name>${escapeXml(item.author)}</name></author>
${item.categories.map((category) => `    <category term="${category.toLowerCase()}" label="${category}"/>`).join('\n')}
    <summary type="html">${escapeXml(summary)}</summary>
    <content type="html">${escapeXml(item.html)}</content>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>${escapeXml(`${capitalize(site)} Weblog`)}</title>
  <subtitle>${escapeXml(sentence(rng, 8))}</subtitle>
  <link rel="alternate" type="text/html" href="https://${site}.example/"/>
  <link rel="self" type="application/atom+xml" href="https://${site}.example/atom.xml"/>
  <id>tag:${site}.example,2026:feed</id>
  <updated>${new Date(list[0].ms).toISOString().replace('.000Z', 'Z')}</updated>
  <generator>bench/remote.mjs</generator>
${body.join('\n')}
</feed>
`;
}

/** Writes `docs` documents into `dir`; every fifth-ish one (by --atom-share) is Atom. */
function generateDocuments(dir, options) {
  mkdirSync(dir, { recursive: true });
  const ids = [];
  let bytes = 0;
  let atom = 0;
  for (let index = 0; index < options.docs; index++) {
    const rng = createRng(options.seed * 1_000_003 + index);
    const id = `feed-${String(index).padStart(4, '0')}`;
    const site = `site${String(index).padStart(4, '0')}`;
    const isAtom = rng.next() < options.atomShare;
    const text = isAtom ? atomDocument(rng, index, site, options.items) : rssDocument(rng, index, site, options.items);
    writeFileSync(path.join(dir, `${id}.xml`), text);
    bytes += Buffer.byteLength(text);
    atom += isAtom ? 1 : 0;
    ids.push(id);
  }
  return { ids, bytes, atom };
}

/** One sources/<id>.yaml per document, alternating hosts, and a site.yaml with the fetch limits. */
function writeSources(dir, ids, port, options) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'site.yaml'),
    `# Generated by bench/remote.mjs.
title: feedloom remote benchmark
url: http://localhost:8080/
language: en
timezone: UTC
fetch:
  # Two hosts only (127.0.0.1 and localhost): per_host raised from 2 so the limiter is not the cap.
  per_host: ${options.perHost}
  overall: ${options.overall}
  timeout: 120
`,
  );
  ids.forEach((id, index) => {
    const host = HOSTS[index % HOSTS.length];
    writeFileSync(path.join(dir, `${id}.yaml`), `kind: feed\nurl: http://${host}:${port}/feeds/${id}.xml\n`);
  });
}

// --- The server ----------------------------------------------------------------------------------

function startServer(docsDir, gzip) {
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

function runPass(cli, sources, work, usageFile, nodeFlags) {
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

function checkFeedparser() {
  const probe = spawnSync(PYTHON, ['-c', 'import feedparser; print(feedparser.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    fail(`${PYTHON} cannot import feedparser: install Debian's package with \`apt-get install -y python3-feedparser\`\n${tail(probe.stderr ?? String(probe.error))}`);
  }
}

// --- CPU profile ---------------------------------------------------------------------------------

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
function summarizeProfile(files, top = 25) {
  const stageUs = new Map();
  const byFunction = new Map();
  const byArea = new Map();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8'));
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    // DevTools' convention: the time up to the next sample belongs to this sample.
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i + 1] ?? 0;
      const { functionName, url, lineNumber } = nodes.get(profile.samples[i]).callFrame;
      const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
      const key = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + delta);
      const area = areaOf(url, functionName);
      byArea.set(area, (byArea.get(area) ?? 0) + delta);
      total += delta;
      // Inclusive: once per stage on the sample's stack, however deep the recursion.
      const onStack = new Set();
      for (let id = profile.samples[i]; id !== undefined; id = parents.get(id)) onStack.add(nodes.get(id).callFrame.functionName);
      for (const [name] of STAGES) if (onStack.has(name)) stageUs.set(name, (stageUs.get(name) ?? 0) + delta);
    }
  }
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
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

// --- Report --------------------------------------------------------------------------------------

function describeBuild(cli) {
  const git = (args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']).stdout?.trim() || 'unknown';
  const dirty = git(['status', '--porcelain', '--', 'src']).stdout?.trim() ? ' (src/ has uncommitted changes)' : '';
  return `Commit ${head}${dirty} · CLI ${path.relative(ROOT, cli) || cli}`;
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function report({ options, generated, cli, cold, ingest, notModified, feedparser, checks, profile }) {
  const docs = options.docs;
  const coldMs = median(cold.map((run) => run.wallMs));
  const coldPassMs = median(cold.map((run) => run.summary.duration_ms));
  const nmMs = median(notModified.map((run) => run.wallMs));
  const nmPassMs = median(notModified.map((run) => run.summary.duration_ms));
  const fpParseS = median(feedparser.map((run) => run.parse_s));
  const fpWallMs = median(feedparser.map((run) => run.wallMs));
  const fpImportS = median(feedparser.map((run) => run.import_s));
  const ingestMs = median(ingest.map((run) => run.wallMs));
  const ingestInMs = median(ingest.map((run) => run.read.ms));
  const loomRate = docs / (coldMs / 1000);
  const ingestRate = docs / (ingestMs / 1000);
  const fpRate = docs / fpParseS;
  const ratio = ingestRate / fpRate;
  const share = nmMs / coldMs;
  const targets = [
    {
      pass: ratio >= TARGETS.throughputRatio,
      text:
        `throughput: feedloom fetch + parse + normalize ${fmt(ingestRate, 1)} docs/s (whole process) vs feedparser parse-only ${fmt(fpRate, 1)} docs/s = **${fmt(ratio, 2)}×** (target ≥ ${TARGETS.throughputRatio}×); ` +
        `the whole cold pass, storing and rendering too, is ${fmt(loomRate / fpRate, 2)}×`,
    },
    {
      pass: share < TARGETS.notModifiedShare,
      text: `all-304 pass: ${fmt(nmMs)} ms / cold ${fmt(coldMs)} ms = **${fmt(share * 100, 1)}%** (target < ${TARGETS.notModifiedShare * 100}%)`,
    },
  ];
  const rss = (runs) => fmt(median(runs.map((run) => run.rssMb)), 1);
  const lines = [
    '# feedloom remote-feed benchmark',
    '',
    `Run ${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model.trim()} × ${os.cpus().length} · ${os.platform()} ${os.release()}`,
    `${describeBuild(cli)} (snapshot taken at start) · ${options.repeats} runs per case, median shown · seed ${options.seed} · load average at start ${options.loadAtStart}`,
    `${fmt(docs)} documents × ${options.items} items (${fmt(generated.atom)} Atom, ${fmt(docs - generated.atom)} RSS 2.0), ${fmt(generated.bytes / 1e6, 1)} MB; ` +
      `served by bench/remote-server.mjs on 127.0.0.1 (${options.gzip ? 'gzip' : 'no compression'}), sources split over hosts ${HOSTS.join(' and ')}; ` +
      `site.yaml fetch: per_host ${options.perHost} (default 2), overall ${options.overall}`,
    `feedparser ${feedparser[0].feedparser} on Python ${feedparser[0].python} (${PYTHON})`,
    '',
    '| case | wall ms | in-process ms | peak RSS MB | docs/s | notes |',
    '|---|---:|---:|---:|---:|---|',
    `| feedloom cold pass (fetch + parse + normalize + store + render) | ${fmt(coldMs)} | ${fmt(coldPassMs)} | ${rss(cold)} | ${fmt(loomRate, 1)} | wall = spawn to exit; in-process = the pass's duration_ms (${fmt(docs / (coldPassMs / 1000), 1)} docs/s) |`,
    `| feedloom fetch + parse + normalize (no store, no render) | ${fmt(ingestMs)} | ${fmt(ingestInMs)} | ${rss(ingest)} | ${fmt(ingestRate, 1)} | bench/remote-ingest.mjs: the pass's code for remote sources, entries dropped; in-process = first fetch to last entry |`,
    `| feedloom all-304 pass | ${fmt(nmMs)} | ${fmt(nmPassMs)} | ${rss(notModified)} | ${fmt(docs / (nmMs / 1000), 1)} | ${fmt(share * 100, 1)}% of the cold pass's wall time |`,
    `| feedparser parse only | ${fmt(fpParseS * 1000)} | ${fmt(fpParseS * 1000)} | ${fmt(median(feedparser.map((run) => run.max_rss_kb)) / 1024, 1)} | ${fmt(fpRate, 1)} | timed inside Python around feedparser.parse() of in-memory bytes |`,
    `| feedparser whole process | ${fmt(fpWallMs)} | — | (same) | ${fmt(docs / (fpWallMs / 1000), 1)} | interpreter start + import (${fmt(fpImportS * 1000)} ms) + reading files + parsing |`,
    '',
    'Targets:',
    '',
    ...targets.map((target) => `- ${target.pass ? 'PASS' : 'FAIL'} ${target.text}`),
    '',
    'Checks:',
    '',
    ...checks.map((check) => `- ${check}`),
    '',
    'Runs (wall ms):',
    '',
    `- cold: ${cold.map((run) => fmt(run.wallMs)).join(', ')}`,
    `- fetch + parse + normalize: ${ingest.map((run) => fmt(run.wallMs)).join(', ')}`,
    `- 304: ${notModified.map((run) => fmt(run.wallMs)).join(', ')}`,
    `- feedparser parse: ${feedparser.map((run) => fmt(run.parse_s * 1000)).join(', ')}; whole process: ${feedparser.map((run) => fmt(run.wallMs)).join(', ')}`,
  ];
  if (profile) {
    lines.push(
      '',
      `CPU profile of one cold pass (\`node --cpu-prof\`, ${fmt(profile.totalMs)} ms sampled over ${profile.threads} threads, the pass's and its parse threads', idle included; kept in ${profile.file}):`,
      '',
      '| total ms | share | stage (function) |',
      '|---:|---:|---|',
      ...profile.stages.map((row) => `| ${fmt(row.ms)} | ${fmt(row.share * 100, 1)}% | ${row.what} (\`${row.name}\`) |`),
      '',
      '| self ms | share | area |',
      '|---:|---:|---|',
      ...profile.areas.slice(0, 15).map((row) => `| ${fmt(row.ms)} | ${fmt(row.share * 100, 1)}% | ${row.name} |`),
      '',
      '| self ms | share | function |',
      '|---:|---:|---|',
      ...profile.functions.map((row) => `| ${fmt(row.ms)} | ${fmt(row.share * 100, 1)}% | \`${row.name.replace(/\|/g, '\\|')}\` |`),
    );
  }
  return { markdown: `${lines.join('\n')}\n`, allPass: targets.every((target) => target.pass) };
}

// --- Main ----------------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      docs: { type: 'string', default: '1000' },
      items: { type: 'string', default: '50' },
      repeats: { type: 'string', default: '3' },
      seed: { type: 'string', default: '42' },
      'atom-share': { type: 'string', default: '0.2' },
      'per-host': { type: 'string', default: '16' },
      overall: { type: 'string', default: '16' },
      gzip: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      cli: { type: 'string', default: path.join(ROOT, 'dist', 'cli.js') },
    },
  });
  const options = {
    docs: Number(values.docs),
    items: Number(values.items),
    repeats: Number(values.repeats),
    seed: Number(values.seed),
    atomShare: Number(values['atom-share']),
    perHost: Number(values['per-host']),
    overall: Number(values.overall),
    gzip: values.gzip,
    // Other work on the machine skews every number: say how busy it was.
    loadAtStart: os.loadavg().map((n) => n.toFixed(2)).join(' '),
  };
  const builtCli = path.resolve(values.cli);
  if (!existsSync(builtCli)) fail(`${builtCli} does not exist: run \`npm run build\` first`);
  checkFeedparser();
  const { snapshot, cli } = snapshotBuild(builtCli, 'remote');

  const temp = mkdtempSync(path.join(os.tmpdir(), 'feedloom-remote-'));
  const docsDir = path.join(temp, 'docs');
  const sourcesDir = path.join(temp, 'sources');
  const usageFile = path.join(temp, 'usage.txt');
  let server;
  try {
    progress(`generating ${options.docs} documents × ${options.items} items in ${docsDir}`);
    const generated = generateDocuments(docsDir, options);
    progress(`${generated.ids.length} documents (${generated.atom} Atom), ${(generated.bytes / 1e6).toFixed(1)} MB`);
    server = await startServer(docsDir, options.gzip);
    progress(`feed server on 127.0.0.1:${server.port}, ${server.documents} documents`);
    writeSources(sourcesDir, generated.ids, server.port, options);

    const checks = [];
    const expectedEntries = options.docs * options.items;

    // Cold: a fresh state and an empty out/ every run; every source must be read and answer 200.
    const cold = [];
    let work;
    for (let i = 0; i < options.repeats; i++) {
      work = freshWork(path.join(temp, `cold-${i}`));
      server.reset();
      const run = runPass(cli, sourcesDir, work, usageFile);
      const served = await server.stats();
      const s = run.summary;
      if (s.sources_ok !== options.docs || s.sources_failed !== 0 || s.sources_unchanged !== 0) {
        fail(`cold pass ${i + 1}: ${s.sources_ok} ok, ${s.sources_failed} failed, ${s.sources_unchanged} unchanged; expected all ${options.docs} read\n${failedSources(run.lines).slice(0, 10).join('\n')}`);
      }
      if (s.entries_new !== expectedEntries) fail(`cold pass ${i + 1}: entries_new is ${s.entries_new}, expected ${expectedEntries}`);
      if (served.ok !== options.docs || served.notModified !== 0) fail(`cold pass ${i + 1}: server sent ${served.ok} × 200 and ${served.notModified} × 304; expected ${options.docs} × 200`);
      for (const name of FEED_FILES) if (!existsSync(path.join(work.out, name))) fail(`cold pass ${i + 1}: out/${name} was not written`);
      cold.push({ ...run, served });
      progress(`cold run ${i + 1}/${options.repeats}: ${run.wallMs.toFixed(0)} ms, ${run.rssMb.toFixed(1)} MB, ${s.entries_new} new entries, ${s.files_written} files written, connections per Host ${JSON.stringify(served.connections)}`);
    }
    // Fetch + parse + normalize alone, as the throughput target counts it: the pass's own code
    // for remote sources, with the entries dropped where a pass would store them.
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

    const c = cold.at(-1);
    checks.push(
      `cold passes: sources_ok ${c.summary.sources_ok}, entries_new ${fmt(c.summary.entries_new)} (expected ${fmt(expectedEntries)}), files_written ${c.summary.files_written} (out/: ${listOut(work.out)}); ` +
        `server: ${c.served.ok} × 200, connections opened per Host (≈ peak concurrency) ${Object.entries(c.served.connections).map(([host, n]) => `${host} ${n}`).join(', ')}`,
    );

    // All 304: the last cold pass's state and out/, passed over again; nothing may be read or written but status.
    const notModified = [];
    const written = new Set();
    for (let i = 0; i < options.repeats; i++) {
      const before = fileTimes(work.out);
      server.reset();
      const run = runPass(cli, sourcesDir, work, usageFile);
      const served = await server.stats();
      const s = run.summary;
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
    checks.push(
      `304 passes: sources_unchanged ${n.summary.sources_unchanged}, entries_new ${n.summary.entries_new}, files_written ${notModified.map((run) => run.summary.files_written).join('/')}, ` +
        `files changed in out/: ${[...written].join(', ') || 'none'} (no feed file); server: ${n.served.notModified} × 304, ${n.served.ok} × 200`,
    );

    // The baseline: the same bytes, parse only.
    const feedparser = [];
    for (let i = 0; i < options.repeats; i++) {
      const run = runFeedparser(docsDir);
      if (run.documents !== options.docs || run.entries !== expectedEntries) fail(`feedparser read ${run.documents} documents, ${run.entries} entries; expected ${options.docs} and ${expectedEntries}`);
      feedparser.push(run);
      progress(`feedparser run ${i + 1}/${options.repeats}: parse ${(run.parse_s * 1000).toFixed(0)} ms, whole process ${run.wallMs.toFixed(0)} ms, ${run.bozo} bozo`);
    }
    checks.push(`feedparser: ${fmt(feedparser[0].entries)} entries from ${feedparser[0].documents} documents, ${feedparser[0].bozo} flagged bozo (not well-formed)`);

    let result = report({ options, generated, cli: builtCli, cold, ingest, notModified, feedparser, checks });
    if (values.profile || !result.allPass) {
      // One more cold pass under the profiler; profiling slows it, so it is not in the table.
      const profileDir = path.join(values.keep ? temp : os.tmpdir(), `feedloom-remote-profile-${process.pid}`);
      rmSync(profileDir, { recursive: true, force: true });
      const profWork = freshWork(path.join(temp, 'profile'));
      progress(`profiling one cold pass into ${profileDir}`);
      runPass(cli, sourcesDir, profWork, usageFile, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
      const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile')).map((name) => path.join(profileDir, name));
      result = report({ options, generated, cli: builtCli, cold, ingest, notModified, feedparser, checks, profile: { ...summarizeProfile(files), file: profileDir } });
    }
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, result.markdown);
    process.stdout.write(`\n${result.markdown}`);
    progress(`\nwritten to ${path.relative(ROOT, RESULTS)}`);
    return result.allPass ? 0 : 1;
  } finally {
    server?.stop();
    rmSync(snapshot, { recursive: true, force: true });
    if (values.keep) progress(`kept ${temp}`);
    else rmSync(temp, { recursive: true, force: true });
  }
}

/** The feed files present in out/, for the report. */
function listOut(outDir) {
  return readdirSync(outDir).sort().join(', ');
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof VerifyError)) throw error;
  process.stderr.write(`\nbenchmark check failed: ${error.message}\n`);
  process.exitCode = 1;
}
