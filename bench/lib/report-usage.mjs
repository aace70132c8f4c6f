// Preloaded into every measured child (`node --import ./bench/lib/report-usage.mjs ...`): at exit it
// writes the process's peak resident set size, in KB, to the file named by BENCH_USAGE_FILE.
// In-process, so it needs no /usr/bin/time and sees exactly the one process being measured.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  // 'exit' handlers must be synchronous; it fires on a natural end and on process.exit().
  process.on('exit', () => {
    writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
