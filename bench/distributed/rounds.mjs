// One measured round of each mode, started as an operator starts it. The fleet: `feedloom
// worker` processes, each on a machine of its own (machines.mjs), and `feedloom scheduler`, whose
// job schedulers queue every source at one tick that site.yaml's schedule names. The single
// process: one `feedloom run` on its machine. Both on a fresh PostgreSQL schema. A round is timed
// by the pass records the state keeps (first job's start to the publish's end; a pass's start to
// its end). Its CPU is the machines' CPU from that start to the end of the round's publish job
// (the single process: to its exit), so the compressed forms made once a round is recorded count.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startChild, stopChild } from '../lib/children.mjs';
import { machineTicks } from '../lib/proc.mjs';
import { fail, progress, tail } from '../lib/verify.mjs';
import { sampleCpu } from './machines.mjs';
import { FleetKeys, freshSchema, passRecords, roundOf, storedState } from './state.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTPUT_KEPT = 64 * 1024;

/** A child's stdout and stderr (the last 64 KB), and a wait for a log message to appear in it. */
function watchOutput(child, what) {
  let text = '';
  const add = (chunk) => {
    text = (text + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  return {
    text: () => text,
    async waitFor(message, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(`"msg":"${message}`)) {
        if (child.exitCode !== null || child.signalCode !== null) fail(`${what} exited (${child.exitCode ?? child.signalCode}) before "${message}":\n${tail(text)}`);
        if (Date.now() > deadline) fail(`${what} did not log "${message}" in ${timeoutMs / 1000} s:\n${tail(text)}`);
        await sleep(50);
      }
    },
  };
}

/** Each round runs in a folder of its own: out/ and the compressed forms beside the state. */
function roundFolder(bench, label) {
  const dir = path.join(bench.work, `${label.replace(/[^a-z0-9]+/gi, '-')}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return { dir, outDir: path.join(dir, 'out'), spawnOptions: { cwd: dir, env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] } };
}

/**
 * How many cores the whole machine kept busy since `before` (a machineTicks() reading at
 * `sinceMs`), beside those the measured processes used (`ownCpu` seconds): much more than
 * theirs plus the services' means others' work shared the cores, and the figures are noisy.
 */
function machineShare(before, ownCpu, sinceMs) {
  const after = machineTicks();
  const busy = ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * os.cpus().length;
  const own = ownCpu / Math.max(0.001, (Date.now() - sinceMs) / 1000);
  return `the machine had ${busy.toFixed(2)} cores busy on average, ${own.toFixed(2)} of them the measured processes'`;
}

/** SIGTERM, then the exit status; SIGKILL (and a failed status) if it does not drain in time. */
async function terminate(child, graceMs = 30_000) {
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
  const ended = await Promise.race([child.exited, sleep(graceMs).then(() => undefined)]);
  await stopChild(child, 1000);
  return ended ? (ended.code ?? ended.signal) : 'did not exit';
}

/**
 * A cron expression (with seconds) that fires once, at `ms` (UTC), and not again for a year:
 * one tick, so one round, however long the round takes.
 */
export function onceAt(ms) {
  const d = new Date(ms);
  return `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
}

/**
 * The round's publish job: the first one that published, rather than deferred, to finish once
 * the round is recorded (it records the round before it ends; a later one trails the round).
 */
function roundPublishJob(publishJobs, roundEndMs) {
  return publishJobs.find((job) => !job.result.startsWith('deferred') && job.finishedMs >= roundEndMs);
}

/**
 * What came between a round's last source job and the end of its publish job: when that job was
 * due, started and finished, and how many publish jobs before it were deferred because the round
 * was not done.
 */
function publishTimeline(publishJobs, publish, lastJobMs) {
  const after = (ms) => `${((ms - lastJobMs) / 1000).toFixed(2)} s`;
  const deferred = publishJobs.filter((job) => job.result.startsWith('deferred') && job.finishedMs <= publish.finishedMs && job.finishedMs >= lastJobMs - 30_000).length;
  return `the publish that ended the round was due ${after(publish.dueMs)}, started ${after(publish.startedMs)} and took ${((publish.finishedMs - publish.startedMs) / 1000).toFixed(2)} s, from the last source job's end; ${deferred} publish job(s) deferred in the round's last 30 s`;
}

/** The checks every round makes, whichever mode: each is a line of `problems` when it fails. */
async function checkRound(bench, schema, outDir, reference, problems) {
  const stored = await storedState(bench.admin, schema);
  if (stored.sources !== bench.sourceCount) problems.push(`${stored.sources} sources in the state, expected ${bench.sourceCount}`);
  if (stored.unhealthy.length > 0) problems.push(`${stored.unhealthy.length} sources not ok, the first ${stored.unhealthy[0].source}: ${stored.unhealthy[0].error}`);
  if (reference && stored.entries !== reference.entries) problems.push(`${stored.entries} entries stored, the first single process stored ${reference.entries}`);
  const farm = await bench.farm.counts();
  if (farm.responses !== bench.sourceCount) problems.push(`the farm sent ${farm.responses} documents, expected one per source (${bench.sourceCount})`);
  if (farm.maxPerHost > 2) problems.push(`${farm.maxPerHost} requests at once to one host; the per-host limit is 2`);
  if (reference) {
    const difference = bench.compareFeeds(reference.outDir, outDir);
    if (difference) problems.push(`feeds differ from the first single process's: ${difference}`);
  }
  return { entries: stored.entries, farm };
}

/**
 * `feedloom run` over `sourcesDir` on a machine capped at `cap` (undefined: uncapped), twice, as
 * cron runs it: a first pass on an empty state, then, once the farm serves every document a few
 * items on, a second one (a new process) on the state the first left. The second is measured.
 */
export async function singleRound(bench, { cap, sourcesDir, label }, reference) {
  const { schema, url, drop } = await freshSchema(bench.admin, bench.postgresUrl);
  const { dir, outDir, spawnOptions } = roundFolder(bench, label);
  bench.undoOnSignal.add(drop);
  try {
    const pass = async (version) => {
      await bench.farm.serveVersion(version);
      const { child, meter } = bench.machines.start([bench.cli, 'run', '--sources', sourcesDir, '--out', outDir, '--state', url], cap, spawnOptions);
      const output = watchOutput(child, label);
      const cpu = sampleCpu([meter]);
      const [machineBefore, spawnedMs] = [machineTicks(), Date.now()];
      const { code, signal } = await child.exited;
      const exitedMs = Date.now();
      cpu.stop();
      const contention = machineShare(machineBefore, cpu.between(spawnedMs, Date.now()), spawnedMs);
      await stopChild(child, 1000);
      if (code !== 0) fail(`${label}: feedloom run exited with ${code ?? signal}:\n${tail(output.text())}`);
      const passes = await passRecords(bench.admin, schema);
      if (passes.length !== version) fail(`${label}: ${passes.length} pass records after pass ${version}`);
      const record = passes[version - 1];
      const problems = [];
      if (record.sources !== bench.sourceCount || record.sourcesFailed > 0) problems.push(`pass ${version} counted ${record.sources} sources, ${record.sourcesFailed} failed`);
      const checked = await checkRound(bench, schema, outDir, reference?.[version === 1 ? 'first' : 'steady'], problems);
      const kept = path.join(dir, `out-${version}`);
      cpSync(outDir, kept, { recursive: true });
      return { seconds: (record.endMs - record.startedMs) / 1000, cpuSeconds: cpu.between(record.startedMs, exitedMs), entries: checked.entries, outDir: kept, problems: problems.map((problem) => `${version === 1 ? 'first' : 'steady'} round: ${problem}`), contention };
    };
    const first = await pass(1);
    const steady = await pass(2);
    return { ...steady, first, problems: [...first.problems, ...steady.problems], notes: [`steady round: ${steady.contention}`, `first round (empty state): ${first.seconds.toFixed(2)} s, ${first.cpuSeconds.toFixed(2)} CPU s; ${first.contention}`], passes: 1 };
  } finally {
    bench.undoOnSignal.delete(drop);
    await drop();
    // The reference's feeds are what every later round is compared with.
    if (reference) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fleet of `workers` worker processes, each on its own machine capped at `cap`, through two
 * ticks: a first round on an empty state, then, once the farm serves every document a few items
 * on, a second round by the same running workers, as a long-lived fleet reads each tick. The
 * second is measured.
 */
export async function fleetRound(bench, { workers: workerCount, cap, label }, reference) {
  const prefix = `feedloom-bench-${randomBytes(4).toString('hex')}`;
  const { schema, url, drop } = await freshSchema(bench.admin, bench.postgresUrl);
  const { dir, outDir, spawnOptions } = roundFolder(bench, label);
  const keys = new FleetKeys(bench.redisUrl, prefix);
  const queueArgs = ['--queue', bench.redisUrl, '--queue-prefix', prefix];
  const started = [];
  let scheduler;
  let cpu;
  const undo = () => keys.drop().finally(drop);
  bench.undoOnSignal.add(undo);
  await bench.farm.serveVersion(1);
  try {
    for (let i = 0; i < workerCount; i++) {
      const args = [bench.cli, 'worker', ...queueArgs, '--state', url, '--sources', bench.fleetSources, '--out', outDir, '--concurrency', String(bench.concurrency), '--publish-delay', String(bench.publishDelay)];
      const { child, meter } = bench.machines.start(args, cap, spawnOptions);
      started.push({ child, meter, output: watchOutput(child, `${label}: worker ${i + 1}`) });
    }
    // Workers migrate the schema and connect before the tick is set, so it finds them waiting.
    for (const worker of started) await worker.output.waitFor('worker started', 60_000);
    cpu = sampleCpu(started.map((worker) => worker.meter));

    /** Sets the one tick of site.yaml's schedule, far enough ahead for a scheduler started now to make every source's job scheduler. */
    const scheduleTick = async () => {
      if (scheduler) await terminate(scheduler, 10_000);
      const tickMs = Math.ceil((Date.now() + 4000 + bench.sourceCount * 5) / 1000) * 1000;
      bench.writeFleetSite(onceAt(tickMs));
      scheduler = startChild(process.execPath, [bench.cli, 'scheduler', ...queueArgs, '--sources', bench.fleetSources], spawnOptions);
      await watchOutput(scheduler, `${label}: scheduler`).waitFor('schedules in step with sources/', 60_000);
      if (Date.now() > tickMs - 250) fail(`${label}: the scheduler was ready ${((Date.now() - tickMs) / 1000).toFixed(1)} s after the tick it was to queue`);
      return tickMs;
    };

    let steppedAsideBefore = 0;
    /** The round of the tick at `tickMs`, once its publish counts every source; its checks and notes. */
    const roundAt = async (tickMs, name, expectedJobs, againstReference) => {
      const [machineBefore, watchedMs] = [machineTicks(), Date.now()];
      const deadline = tickMs + bench.roundTimeoutMs;
      const ofThisTick = async () => (await passRecords(bench.admin, schema)).filter((pass) => pass.startedMs >= tickMs - 1000);
      let round;
      while (!(round = roundOf(await ofThisTick(), bench.sourceCount))) {
        if (Date.now() > deadline) fail(`${label}: the ${name} round did not publish every source in ${bench.roundTimeoutMs / 1000} s (${(await keys.counts()).completed} jobs done)`);
        for (const worker of started) if (worker.child.exitCode !== null) fail(`${label}: a worker exited during the ${name} round:\n${tail(worker.output.text())}`);
        await sleep(200);
      }
      const contention = machineShare(machineBefore, cpu.between(watchedMs, Date.now()), watchedMs);
      // A publish asked for by the round's last jobs may still come: a trailing pass, worth knowing of.
      await sleep(bench.publishDelay * 1000 + 2000);
      round = roundOf(await ofThisTick(), bench.sourceCount);
      const counts = await keys.counts();
      const problems = [];
      const notes = [contention];
      if (counts.completed !== expectedJobs) problems.push(`${counts.completed} source jobs completed, expected ${expectedJobs}`);
      if (counts.failed > 0 || counts.publishFailed > 0) problems.push(`${counts.failed} source jobs and ${counts.publishFailed} publish jobs failed`);
      const steppedAside = counts.steppedAside - steppedAsideBefore;
      steppedAsideBefore = counts.steppedAside;
      if (steppedAside > 0) notes.push(`${steppedAside} source jobs stepped aside for a busy host`);
      if (counts.attemptsFailed > 0) notes.push(`${counts.attemptsFailed} source job attempts failed and were retried`);
      if (round.passes.some((pass) => pass.sourcesFailed > 0)) problems.push('a pass record counts failed sources');
      if (round.passes.length > 1) notes.push(`${round.passes.length} publishes in the round (sources counted ${round.passes.map((pass) => pass.sources).join(' + ')}), timed from the earliest start to the last one's end`);
      if (round.trailing.length > 0) notes.push(`${round.trailing.length} more publish(es) after the round, ${round.trailing.map((pass) => `${pass.sources} sources, ${pass.filesWritten} files written, ${((pass.endMs - round.endMs) / 1000).toFixed(1)} s after`).join('; ')}`);
      const tickLagS = (round.startedMs - tickMs) / 1000;
      const lastJobMs = await keys.lastJobFinishedMs();
      const publishJobs = await keys.publishJobs();
      const publish = roundPublishJob(publishJobs, round.endMs);
      if (!publish) fail(`${label}: the ${name} round's publish job is not kept`);
      // The CPU of the round's publish job to its end: the compressed forms it makes once the round is recorded count.
      const cpuEndMs = Math.max(round.endMs, publish.finishedMs);
      const perWorker = cpu.each(round.startedMs, cpuEndMs).map((seconds) => seconds.toFixed(2)).join(' + ');
      notes.push(`first job ${tickLagS.toFixed(2)} s after the tick; ${lastJobMs ? `last source job done ${((round.endMs - lastJobMs) / 1000).toFixed(2)} s before the round was published` : 'no completed jobs kept'}; its publish job ended ${((publish.finishedMs - round.endMs) / 1000).toFixed(2)} s after that, with the compressed forms; CPU s by worker ${perWorker}`);
      if (lastJobMs) notes.push(publishTimeline(publishJobs, publish, lastJobMs));
      const groups = await keys.commitGroups(round.startedMs);
      if (groups.jobs > 0) notes.push(`the ${groups.jobs} source jobs the queue keeps were committed in ${Math.round(groups.commits)} commits (${(groups.jobs / groups.commits).toFixed(1)} jobs a commit)`);
      const checked = await checkRound(bench, schema, outDir, againstReference, problems);
      const seconds = (round.endMs - round.startedMs) / 1000;
      const cpuSeconds = cpu.between(round.startedMs, cpuEndMs);
      return { seconds, cpuSeconds, entries: checked.entries, problems: problems.map((problem) => `${name} round: ${problem}`), notes: notes.map((note) => `${name} round: ${note}`), passes: round.passes.length, tickLagS };
    };

    const first = await roundAt(await scheduleTick(), 'first', bench.sourceCount, reference?.first);
    await bench.farm.serveVersion(2);
    const steady = await roundAt(await scheduleTick(), 'steady', 2 * bench.sourceCount, reference?.steady);
    cpu.stop();
    const problems = [...first.problems, ...steady.problems];
    for (const [i, worker] of started.entries()) {
      const status = await terminate(worker.child);
      if (status !== 0) problems.push(`worker ${i + 1} exited with ${status} on SIGTERM:\n${tail(worker.output.text(), 5)}`);
    }
    const notes = [...steady.notes, `first round (empty state): ${first.seconds.toFixed(2)} s, ${first.cpuSeconds.toFixed(2)} CPU s`, ...first.notes];
    return { ...steady, first, outDir, problems, notes };
  } finally {
    cpu?.stop();
    if (scheduler) await terminate(scheduler, 10_000);
    for (const worker of started) await stopChild(worker.child, 1000);
    await keys.drop().catch((error) => progress(`${label}: Redis keys under ${prefix} not removed: ${error.message}`));
    await keys.close();
    bench.undoOnSignal.delete(undo);
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
