// One remote feed of many items that share one date, through a cold `feedloom run`: the pass must
// grow linearly with the items, since no date is looked up or moved to keep instants apart.
//
//   node bench/one-feed.mjs [--sizes 5000,20000,100000] [--runs 3]
//
// Prints, for each size, the median wall time of a cold pass, the time per item, and peak RSS,
// then what each further item costs between one size and the next (the same throughout when the
// pass is linear).
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/build.mjs';
import { freshWork, measureNode, passSummary } from './lib/measure.mjs';
import { fmt, median } from './lib/stats.mjs';
import { withTempDir } from './lib/temp.mjs';
import { fail, tail } from './lib/verify.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const SIZES = option('--sizes', '5000,20000,100000').split(',').map(Number);
const RUNS = Number(option('--runs', '3'));
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SERVER = path.join(ROOT, 'bench', 'remote-server.mjs');
/** Every item carries this date: the case that made earlier versions walk on second by second. */
const SHARED_DATE = new Date(Date.UTC(2026, 4, 4, 12, 0, 0)).toUTCString();

function feedDocument(items) {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0"><channel>', '<title>One big feed</title>', '<link>http://127.0.0.1/</link>', '<description>Many items at one time</description>'];
  for (let index = 0; index < items; index++) {
    lines.push(
      `<item><title>Notice ${index}</title><link>http://127.0.0.1/notices/${index}</link><guid>urn:bench:notice:${index}</guid>` +
        `<pubDate>${SHARED_DATE}</pubDate><description>Notice number ${index} of the harbour office, posted with the others at noon.</description></item>`,
    );
  }
  lines.push('</channel></rss>', '');
  return lines.join('\n');
}

async function startServer(docsDir) {
  const child = fork(SERVER, [docsDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.ready));
    child.once('exit', (code) => reject(new Error(`feed server exited (${code})`)));
  });
  return { port, stop: () => child.kill() };
}

await withTempDir('one-feed', {}, async (dir) => {
  const rows = [];
  for (const size of SIZES) {
    const docsDir = path.join(dir, `docs-${size}`);
    mkdirSync(docsDir, { recursive: true });
    writeFileSync(path.join(docsDir, 'big.xml'), feedDocument(size));
    const server = await startServer(docsDir);
    try {
      const sources = path.join(dir, `sources-${size}`);
      mkdirSync(sources, { recursive: true });
      writeFileSync(path.join(sources, 'site.yaml'), 'title: One feed benchmark\nurl: http://localhost:8080/\ntimezone: UTC\nfetch:\n  max_bytes: 1000000000\n  timeout: 600\n');
      writeFileSync(path.join(sources, 'big.yaml'), `kind: feed\nurl: http://127.0.0.1:${server.port}/feeds/big.xml\n`);
      const times = [];
      const rss = [];
      for (let run = 0; run < RUNS; run++) {
        const work = freshWork(path.join(dir, `work-${size}`));
        const result = measureNode([CLI, 'run', '--sources', sources, '--out', work.out, '--state', work.state], path.join(dir, 'usage'));
        if (result.status !== 0) fail(`feedloom run over ${size} items exited ${result.status}\n${tail(result.stderr)}`);
        const summary = passSummary(result.lines);
        if (summary.entries_new !== size) fail(`expected ${size} new entries, the pass stored ${summary.entries_new}`);
        times.push(result.wallMs);
        rss.push(result.rssMb);
      }
      const wallMs = median(times);
      rows.push({ size, wallMs, perItemUs: (wallMs * 1000) / size, rssMb: median(rss) });
    } finally {
      server.stop();
    }
  }
  console.log(`| items | cold pass (ms, median of ${RUNS}) | per item (µs) | peak RSS (MB) |`);
  console.log('|---:|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.size.toLocaleString('en')} | ${fmt(row.wallMs)} | ${fmt(row.perItemUs, 1)} | ${fmt(row.rssMb)} |`);
  // A pass has a fixed cost (start-up, the fetch, the publish), so growth shows in what each
  // further item costs: the same from size to size when the pass is linear.
  console.log('');
  for (let index = 1; index < rows.length; index++) {
    const [from, to] = [rows[index - 1], rows[index]];
    const marginalUs = ((to.wallMs - from.wallMs) * 1000) / (to.size - from.size);
    console.log(`each item from ${from.size.toLocaleString('en')} to ${to.size.toLocaleString('en')}: ${fmt(marginalUs, 1)} µs`);
  }
});
