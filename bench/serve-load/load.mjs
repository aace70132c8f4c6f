// The load bench/serve-load.mjs puts on a server: a case run --repeats times after a warm-up,
// each run repeated while other processes disturbed it, and the soak with RSS samples. `setup`
// holds the run's options (see serve-load.mjs) and its temp folder, where wrk's script goes.
import { rssMb, treeRssMb, waitQuiet } from '../lib/proc.mjs';
import { fmt, medianRun } from '../lib/stats.mjs';
import { progress } from '../lib/verify.mjs';
import { runWrk } from '../lib/wrk.mjs';
import { DISTURBED_CORES, RSS_SAMPLE_MS } from './report.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function loadOn(setup) {
  const wrk = (server, options) => runWrk(server, { threads: setup.threads, connections: setup.connections, scriptDir: setup.tmp, ...options });

  /** Before each run, wait (up to --max-wait s) for other processes to leave the cores alone. */
  async function quiet() {
    if (!(setup.maxWaitS > 0)) return;
    const result = await waitQuiet(0.15, setup.maxWaitS * 1000);
    if (result.waitedS > 1.5) progress(`  waited ${result.waitedS.toFixed(0)}s for a quiet machine${result.gaveUp ? ` (gave up: ${result.busy.toFixed(2)} cores busy)` : ''}`);
  }

  /**
   * One case against one server: a warm-up, then --repeats runs. A run during which other
   * processes took the cores is run again (--retries times at most); the least disturbed attempt
   * is kept, and every attempt's errors are counted.
   */
  async function measure(server, probeResult, kase, { cpu, onStart } = {}) {
    const headers = kase.headers(probeResult);
    await quiet();
    if (setup.warmup > 0) await wrk(server, { seconds: setup.warmup, headers, expect: kase.expect, cpu });
    const runs = [];
    const everyRun = [];
    for (let i = 0; i < setup.repeats; i++) {
      const attempts = [];
      for (let attempt = 0; attempt <= setup.retries; attempt++) {
        await quiet();
        const run = await wrk(server, { seconds: setup.duration, headers, expect: kase.expect, cpu, onStart });
        progress(
          `  ${server.name.padEnd(8)} ${kase.key}: ${fmt(run.rps, 0)} req/s, p50 ${fmt(run.p50Ms, 2)} ms, p99 ${fmt(run.p99Ms, 2)} ms, ` +
            `errors ${run.socketErrors + run.unexpected}, CPU cores: server ${fmt(run.cpuCores, 2)}, wrk ${fmt(run.wrkCores, 2)}, other ${fmt(run.otherCores, 2)}` +
            (run.otherCores > DISTURBED_CORES ? ' (disturbed)' : ''),
        );
        attempts.push(run);
        await sleep(500);
        if (run.otherCores <= DISTURBED_CORES) break;
      }
      everyRun.push(...attempts);
      runs.push(attempts.reduce((best, run) => (run.otherCores < best.otherCores ? run : best)));
    }
    const chosen = medianRun(runs, (run) => run.rps);
    // Errors count over every run and attempt, not only the one reported.
    chosen.allSocketErrors = everyRun.reduce((sum, run) => sum + run.socketErrors, 0);
    chosen.allUnexpected = everyRun.reduce((sum, run) => sum + run.unexpected, 0);
    chosen.allNon2xx3xx = everyRun.reduce((sum, run) => sum + run.non2xx3xx, 0);
    chosen.attempts = everyRun.length;
    return chosen;
  }

  /** 200s and 304s alternating against feedloom alone, with its RSS sampled every RSS_SAMPLE_MS. */
  async function soak(server, probeResult) {
    const treeRss = () => (setup.workers > 1 ? treeRssMb(server.pids()) : rssMb(server.child.pid));
    const samples = [];
    let timer;
    let started = Date.now();
    const sample = () => samples.push({ t: samples.length === 0 ? 0 : (Date.now() - started) / 1000, mb: treeRss() });
    await quiet();
    const mix = { headers: { 'Accept-Encoding': 'gzip' }, expect: '200,304', mixedEtag: probeResult.etag };
    // Warmed up with the soak's own mix right before it, so the first sample is not a cold start:
    // a fresh process's RSS steps up over its first seconds under load (heap spaces growing to
    // their working size) and then stays flat.
    await wrk(server, { seconds: setup.soakWarmup, ...mix });
    const run = await wrk(server, {
      seconds: setup.soak,
      ...mix,
      onStart: () => {
        started = Date.now();
        sample();
        timer = setInterval(sample, RSS_SAMPLE_MS);
      },
    });
    clearInterval(timer);
    sample();
    return { run, samples };
  }

  return { measure, soak };
}
