// The feedloom benchmark (`npm run bench`, after `npm run build`).
//
// For each N it generates N synthetic pages into a temp folder, then times, each as its own
// child process: the floor (bench/floor.mjs: read every page, write three files), a cold pass
// (fresh state, empty out), a pass with nothing changed, and a pass after 1% of the pages were
// edited. Each case runs 3 times and the median is reported, as a Markdown table on stdout and in
// bench/results/latest.md. The targets are checked at N = 10,000.
//
//   node bench/run.mjs [--sizes 1000,10000] [--repeats 3] [--seed 42] [--keep] [--cli FILE] [--profile]
//
// --profile adds one more cold pass at the largest size under `node --cpu-prof` and reports, per
// thread, where its time went (pages/profile.mjs); it is not one of the timed runs.
// --cli measures another build of the CLI (say, a copy of dist/ with an experiment in it);
// --keep leaves the temp folder (pages, state, out/) in place to look at.
//
// Exit status: 0 all targets pass; 1 a target failed; 2 the run could not measure what it
// claims (a pass failed, no feeds after a cold pass, files written when nothing changed, ...).
// Peak RSS comes from lib/report-usage.mjs, preloaded into each child, so /usr/bin/time is not needed.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRng, editOneBrief, generatePages } from './generate-pages.mjs';
import { ROOT, snapshotBuild } from './lib/build.mjs';
import { changedFiles, fileTimes, freshWork, measureNode, passSummary } from './lib/measure.mjs';
import { median } from './lib/stats.mjs';
import { withTempDir } from './lib/temp.mjs';
import { fail, progress, tail, VerifyError } from './lib/verify.mjs';
import { pageProfileMarkdown, summarizePageProfile } from './pages/profile.mjs';
import { checkTargets, environment, runDetails, table } from './pages/report.mjs';

/** The CLI measured: a snapshot of the build taken at start (see snapshotBuild). */
let CLI;
const FLOOR = path.join(ROOT, 'bench', 'floor.mjs');
const RESULTS = path.join(ROOT, 'bench', 'results', 'latest.md');
const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'];

const CHANGED_SHARE = 0.01;

const CASES = [
  { key: 'floor', label: 'floor' },
  { key: 'cold', label: 'cold pass' },
  { key: 'unchanged', label: 'nothing changed' },
  { key: 'changed', label: '1% changed' },
];

/**
 * Runs `node --import report-usage.mjs script ...args` and returns its wall time (spawn to exit,
 * so Node's own start-up counts for the floor and the pass alike), peak RSS and stdout lines.
 */
function measure(script, args, usageFile, nodeFlags = []) {
  const run = measureNode([script, ...args], usageFile, nodeFlags);
  if (run.status !== 0) {
    fail(`${path.basename(script)} ${args.join(' ')} exited with ${run.status ?? run.signal}\n${tail(run.stdout)}\n${tail(run.stderr)}`);
  }
  return run;
}

function runPass(sources, work, usageFile, nodeFlags = []) {
  const result = measure(CLI, ['run', '--sources', sources, '--out', work.out, '--state', work.state], usageFile, nodeFlags);
  return { ...result, summary: passSummary(result.lines) };
}

function checkFeedFiles(outDir, what) {
  for (const name of FEED_FILES) {
    const file = path.join(outDir, name);
    if (!existsSync(file) || statSync(file).size === 0) fail(`${what}: ${file} was not written`);
  }
}

function benchSize(n, options, tempDir) {
  const dir = path.join(tempDir, `n${n}`);
  const pages = path.join(dir, 'pages');
  const usageFile = path.join(dir, 'usage.txt');
  progress(`\nN=${n}: generating pages in ${pages}`);
  const generated = generatePages(pages, n, options.seed);
  progress(`N=${n}: ${n} pages, ${(generated.bytes / 1e6).toFixed(1)} MB`);
  const runs = Object.fromEntries(CASES.map(({ key }) => [key, []]));
  const record = (key, run, note = '') => {
    runs[key].push(run);
    progress(`N=${n} ${key.padEnd(9)} run ${runs[key].length}/${options.repeats}: ${run.wallMs.toFixed(0)} ms, ${run.rssMb.toFixed(1)} MB${note}`);
  };

  // Floor: the same pages, read once each, three files out.
  for (let i = 0; i < options.repeats; i++) {
    const out = path.join(dir, 'floor-out');
    const run = measure(FLOOR, ['--sources', pages, '--out', out], usageFile);
    checkFeedFiles(out, 'floor');
    record('floor', run);
  }

  // Cold: a fresh state and an empty out/ every time.
  let work;
  for (let i = 0; i < options.repeats; i++) {
    work = freshWork(path.join(dir, `cold-${i}`));
    const run = runPass(pages, work, usageFile);
    checkFeedFiles(work.out, `cold pass ${i + 1}`);
    const s = run.summary;
    if (s.sources_ok !== n || s.sources_unchanged !== 0 || s.sources_failed !== 0) {
      fail(`cold pass ${i + 1}: ${s.sources_ok} pages ok, ${s.sources_unchanged} unchanged, ${s.sources_failed} failed; expected all ${n} read and ok`);
    }
    if (s.files_written < FEED_FILES.length) fail(`cold pass ${i + 1}: files_written is ${s.files_written}, expected at least ${FEED_FILES.length}`);
    record('cold', run, ` (${s.files_written} files written)`);
  }

  // Nothing changed: the last cold pass's state and out/, passed over again.
  for (let i = 0; i < options.repeats; i++) {
    const before = fileTimes(work.out);
    const run = runPass(pages, work, usageFile);
    const s = run.summary;
    if (s.files_written !== 0) {
      const names = changedFiles(before, fileTimes(work.out));
      fail(`nothing-changed pass ${i + 1}: files_written is ${s.files_written}, expected 0 (changed in out/: ${names.join(', ') || 'none found'})`);
    }
    if (s.sources_unchanged !== n) fail(`nothing-changed pass ${i + 1}: sources_unchanged is ${s.sources_unchanged}, expected ${n}`);
    record('unchanged', run);
  }

  // 1% changed: before each run, a different 1% of the pages get one brief edited and a new mtime.
  const rng = createRng(options.seed + n);
  const order = shuffled(generated.names, rng);
  const perRun = Math.max(1, Math.round(n * CHANGED_SHARE));
  for (let i = 0; i < options.repeats; i++) {
    for (const name of order.slice(i * perRun, (i + 1) * perRun)) {
      const file = path.join(pages, name);
      const before = statSync(file);
      const note = `(Correction ${i + 1}: an earlier version of this brief gave the wrong time.)`;
      writeFileSync(file, editOneBrief(readFileSync(file, 'utf8'), rng, note));
      // Explicitly later than before, so the change never hides behind a coarse mtime.
      utimesSync(file, before.atime, new Date(before.mtimeMs + 3_600_000));
    }
    const run = runPass(pages, work, usageFile);
    const s = run.summary;
    // sources_unchanged, not sources_ok: the pass counts unchanged pages as ok too.
    if (s.sources_unchanged !== n - perRun || s.sources_failed !== 0) {
      fail(`1%-changed pass ${i + 1}: ${s.sources_unchanged} pages unchanged and ${s.sources_failed} failed, expected ${n - perRun} unchanged (${perRun} edited)`);
    }
    record('changed', run, ` (${s.entries_updated} entries updated, ${s.files_written} files written)`);
  }

  let profile;
  if (options.profile) {
    const profileDir = path.join(dir, 'profile');
    rmSync(profileDir, { recursive: true, force: true });
    progress(`N=${n}: one more cold pass under node --cpu-prof, into ${profileDir}`);
    runPass(pages, freshWork(path.join(dir, 'cold-profiled')), usageFile, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
    profile = summarizePageProfile(readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile')).map((name) => path.join(profileDir, name)));
  }

  const rows = CASES.map(({ key, label }) => ({
    n,
    key,
    label,
    wallMs: median(runs[key].map((run) => run.wallMs)),
    rssMb: median(runs[key].map((run) => run.rssMb)),
    maxRssMb: Math.max(...runs[key].map((run) => run.rssMb)),
    walls: runs[key].map((run) => run.wallMs),
    rsses: runs[key].map((run) => run.rssMb),
  }));
  return { rows, profile };
}

function shuffled(items, rng) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

async function main() {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000' },
      repeats: { type: 'string', default: '3' },
      seed: { type: 'string', default: '42' },
      keep: { type: 'boolean', default: false },
      cli: { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map((size) => Number(size.replace(/_/g, '')));
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) throw new Error(`--sizes must be whole numbers, such as 1000,10000 (got "${values.sizes}")`);
  const cliSource = path.resolve(values.cli ?? path.join(ROOT, 'dist', 'cli.js'));
  if (!existsSync(cliSource)) throw new Error(`${cliSource} does not exist: run "npm run build" first`);
  const options = { repeats: Number(values.repeats), seed: Number(values.seed), cliLabel: path.relative(ROOT, cliSource), loadAtStart: os.loadavg()[0], profile: false };
  const build = snapshotBuild(cliSource, 'pages');
  CLI = build.cli;

  try {
    // A run that went wrong keeps its pages, state and out/, to look at.
    await withTempDir('feedloom-bench', { keep: values.keep, keepOnError: true }, (tempDir) => {
      // Only the largest size is profiled.
      const results = sizes.map((n, i) => benchSize(n, { ...options, profile: values.profile && i === sizes.length - 1 }, tempDir));
      const rows = results.flatMap((result) => result.rows);
      const profile = results.at(-1).profile;
      const targets = checkTargets(rows);
      const report = [...environment(options), '', table(rows), '', ...targets.lines, '', ...(profile ? pageProfileMarkdown(profile) : [])].join('\n');
      process.stdout.write(`\n${report}`);
      mkdirSync(path.dirname(RESULTS), { recursive: true });
      writeFileSync(RESULTS, `# feedloom benchmark\n\n${report}\n${runDetails(rows)}\n`);
      progress(`\nwritten to ${path.relative(process.cwd(), RESULTS)}`);
      process.exitCode = targets.failed ? 1 : 0;
    });
  } finally {
    rmSync(build.snapshot, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`\nBENCH FAILED: ${error instanceof VerifyError ? '' : 'error: '}${error.message}\n`);
  process.exitCode = 2;
}
