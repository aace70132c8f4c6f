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
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, snapshotBuild } from './lib/build.mjs';
import { freshWork } from './lib/measure.mjs';
import { fail, progress, VerifyError } from './lib/verify.mjs';
import { checkFeedparser, coldPasses, feedparserRuns, ingestRuns, notModifiedPasses, PYTHON, runPass, startServer } from './remote/cases.mjs';
import { generateDocuments, writeSources } from './remote/documents.mjs';
import { summarizeProfile } from './remote/profile.mjs';
import { report } from './remote/report.mjs';

const RESULTS = path.join(ROOT, 'bench', 'results', 'remote-latest.md');

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
    python: PYTHON,
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

    const bench = { cli, sourcesDir, docsDir, temp, usageFile, server, options };
    const { cold, work, check: coldCheck } = await coldPasses(bench);
    const ingest = await ingestRuns(bench);
    const { notModified, check: notModifiedCheck } = await notModifiedPasses(bench, work);
    const { feedparser, check: feedparserCheck } = feedparserRuns(bench);
    const checks = [coldCheck, notModifiedCheck, feedparserCheck];

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

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof VerifyError)) throw error;
  process.stderr.write(`\nbenchmark check failed: ${error.message}\n`);
  process.exitCode = 1;
}
