// The Markdown report of bench/remote.mjs: the corpus and the machine, one row per case (medians),
// the targets, the checks made on every pass, each run's wall time, and the CPU profile when
// one was taken.
import os from 'node:os';
import path from 'node:path';
import { changedSourceFiles, git, ROOT } from '../lib/build.mjs';
import { fmt, median } from '../lib/stats.mjs';
import { HOSTS } from './documents.mjs';

/** fetch + parse + normalize at least 5× feedparser's parse-only rate; the 304 pass under 10% of the cold one. */
export const TARGETS = { throughputRatio: 5, notModifiedShare: 0.1 };
/** The commit measured, whether src/ differed from it, and which CLI. */
function describeBuild(cli) {
  const dirty = changedSourceFiles() > 0 ? ' (src/ has uncommitted changes)' : '';
  return `Commit ${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty} · CLI ${path.relative(ROOT, cli) || cli}`;
}

export function report({ options, generated, cli, cold, ingest, notModified, feedparser, checks, profile }) {
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
    `feedparser ${feedparser[0].feedparser} on Python ${feedparser[0].python} (${options.python})`,
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
