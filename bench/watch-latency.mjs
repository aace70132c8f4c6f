// Capture to published: `feedloom start --watch` over thousands of pages, then one new page
// written into sources/ at a time; the time from the write to the moment out/feed.json carries
// the page's story. Target: median under 1 s at 10,000 pages on this machine.
//
//   node bench/watch-latency.mjs [--pages 10000] [--trials 15]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePages } from './generate-pages.mjs';
import { ROOT } from './lib/build.mjs';
import { fmt, median } from './lib/stats.mjs';
import { withTempDir } from './lib/temp.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const PAGES = Number(option('--pages', '10000'));
const TRIALS = Number(option('--trials', '15'));
const CLI = path.join(ROOT, 'dist', 'cli.js');
const TARGET_MS = 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function feedHas(out, title) {
  const file = path.join(out, 'feed.json');
  if (!existsSync(file)) return false;
  try {
    return readFileSync(file, 'utf8').includes(title);
  } catch {
    return false;
  }
}

/** Resolves with the log line whose msg is `msg`, from the child's JSON lines. */
function logWatcher(child) {
  const waiting = [];
  const seen = [];
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk.toString();
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      seen.push(parsed);
      for (const waiter of waiting.splice(0)) if (!waiter(parsed)) waiting.push(waiter);
    }
  });
  return {
    seen,
    next: (msg) =>
      new Promise((resolve) => {
        waiting.push((line) => {
          if (line.msg !== msg) return false;
          resolve(line);
          return true;
        });
      }),
  };
}

await withTempDir('feedloom-watch-bench', {}, async (dir) => {
  const sources = path.join(dir, 'sources');
  const out = path.join(dir, 'out');
  generatePages(sources, PAGES);
  const child = spawn(process.execPath, [CLI, 'start', '--watch', '--schedule', '0 0 1 1 *', '--sources', sources, '--out', out, '--state', path.join(dir, 'state.db')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' },
  });
  const logs = logWatcher(child);
  const first = await logs.next('pass finished');
  console.log(`first pass over ${PAGES} pages: ${first.duration_ms} ms`);
  await sleep(500);
  const latencies = [];
  const passTimes = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const title = `Watched story number ${trial} reaches the feed`;
    const captured = new Date(Date.UTC(2026, 10, 30, 12, trial)).toISOString();
    const finished = logs.next('pass finished');
    const written = performance.now();
    writeFileSync(path.join(sources, `watched-${trial}.txt`), `---\ncaptured: ${captured}\n---\n${title}, as the bench writes it into sources/.\n`);
    while (!feedHas(out, title)) await sleep(2);
    latencies.push(performance.now() - written);
    passTimes.push((await finished).duration_ms);
    await sleep(300);
  }
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const sorted = [...latencies].sort((a, b) => a - b);
  const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.9) - 1)];
  console.log(`capture to published, ${TRIALS} pages written one at a time into ${PAGES}:`);
  console.log(`  median ${fmt(median(latencies))} ms, p90 ${fmt(p90)} ms, best ${fmt(sorted[0])} ms, worst ${fmt(sorted.at(-1))} ms`);
  console.log(`  the passes themselves: median ${fmt(median(passTimes))} ms (a pass ends after its feeds are in place, recording what it did)`);
  console.log(median(latencies) < TARGET_MS ? `target met: median under ${TARGET_MS} ms` : `TARGET MISSED: median ${fmt(median(latencies))} ms, target under ${TARGET_MS} ms`);
});
