// The news-page extractor's benchmark (after `npm run build`): its score on the labelled corpus
// in test/fixtures/news-pages/ (overall and the worst pages) and its speed, in pages per second,
// on the corpus pages and on synthetic pages of 100–400 KB. Printed as Markdown on stdout and
// written to bench/results/extract-latest.md.
//
//   node bench/extract.mjs [--seconds 2]
//
// Exit status: 0 measured; 2 the build is missing or the extractor threw on a page.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { git, RESULTS_DIR, ROOT } from './lib/build.mjs';
import { fmt, median } from './lib/stats.mjs';
import { corpusPages, pageQuality, scorePage, totals } from './news-page/score.mjs';
import { syntheticNewsPage } from './news-page/synthetic.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const SECONDS = Number(option('--seconds', '2'));
const ENTRY = path.join(ROOT, 'dist', 'worker', 'news-page.js');
const CORPUS = path.join(ROOT, 'test', 'fixtures', 'news-pages');
const RESULTS = path.join(RESULTS_DIR, 'extract-latest.md');
const WORST = 5;
const SYNTHETIC_KB = [100, 250, 400];

if (!existsSync(ENTRY)) {
  console.error(`${path.relative(process.cwd(), ENTRY)} is missing: run \`npm run build\` first`);
  process.exit(2);
}
const { extractNewsPage } = await import(pathToFileURL(ENTRY).href);

const contextOf = (expected) => ({ capturedAt: new Date(expected.capturedAt), timeZone: expected.timeZone });

/** Runs `work` for at least `seconds` (and at least 3 times); pages per second, by median round. */
function pagesPerSecond(pages, work, seconds) {
  const rounds = [];
  const until = performance.now() + seconds * 1000;
  while (rounds.length < 3 || performance.now() < until) {
    const start = performance.now();
    for (const page of pages) work(page);
    rounds.push(performance.now() - start);
  }
  return { perSecond: (pages.length * 1000) / median(rounds), rounds: rounds.length };
}

function scoreSection(scores) {
  const all = totals(scores);
  const percent = (value) => `${fmt(value * 100, 1)}%`;
  const lines = ['## Corpus score', '', '| pages | recall | precision | instants right | lead right |', '|---:|---:|---:|---:|---:|'];
  lines.push(`| ${all.pages} | ${percent(all.recall)} | ${percent(all.precision)} | ${percent(all.datedRight)} | ${percent(all.leadRight)} |`, '');
  lines.push(`Worst ${WORST} pages:`, '', '| page | expected | found | matched | dated right | lead right |', '|---|---:|---:|---:|---:|---|');
  for (const score of [...scores].sort((a, b) => pageQuality(a) - pageQuality(b) || a.name.localeCompare(b.name)).slice(0, WORST)) {
    lines.push(`| ${score.name}${score.notNews ? ' (not news)' : ''} | ${score.expected} | ${score.found} | ${score.matched} | ${score.datedRight} | ${score.leadRight ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

function speedSection(corpus) {
  const lines = ['## Speed', '', '| pages | size each | pages/s | MB/s | rounds |', '|---|---:|---:|---:|---:|'];
  const corpusBytes = corpus.reduce((sum, page) => sum + Buffer.byteLength(page.html), 0);
  const onCorpus = pagesPerSecond(corpus, (page) => extractNewsPage(page.html, contextOf(page.expected)), SECONDS);
  lines.push(`| corpus (${corpus.length}) | ${fmt(corpusBytes / corpus.length / 1024, 1)} KB avg | ${fmt(onCorpus.perSecond, 0)} | ${fmt((onCorpus.perSecond * corpusBytes) / corpus.length / 1e6, 2)} | ${onCorpus.rounds} |`);
  for (const kb of SYNTHETIC_KB) {
    const page = syntheticNewsPage(kb * 1024);
    const bytes = Buffer.byteLength(page.html);
    const briefs = extractNewsPage(page.html, page).briefs.length;
    const speed = pagesPerSecond([page], (one) => extractNewsPage(one.html, one), SECONDS);
    lines.push(`| synthetic (${page.updates} updates, ${briefs} briefs) | ${fmt(bytes / 1024, 0)} KB | ${fmt(speed.perSecond, 1)} | ${fmt((speed.perSecond * bytes) / 1e6, 2)} | ${speed.rounds} |`);
  }
  return lines.join('\n');
}

const corpus = corpusPages(CORPUS);
let scores;
try {
  scores = corpus.map((page) => scorePage(page.name, page.expected, extractNewsPage(page.html, contextOf(page.expected))));
} catch (error) {
  console.error(`the extractor threw: ${error.stack ?? error}`);
  process.exit(2);
}
const header = `# News-page extractor benchmark\n\nBuild: ${git('rev-parse', '--short', 'HEAD') ?? 'unknown'} · Node ${process.version} · ${new Date().toISOString()}\n`;
const report = `${header}\n${scoreSection(scores)}\n\n${speedSection(corpus)}\n`;
process.stdout.write(report);
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(RESULTS, report);
console.error(`\nwritten to ${path.relative(process.cwd(), RESULTS)}`);
