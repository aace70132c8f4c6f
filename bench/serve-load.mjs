// Load test of `feedloom serve` against nginx serving the same out/, both on loopback, driven by
// wrk (suggested script: `"bench:serve": "node bench/serve-load.mjs"`, after `npm run build`).
//
// Measured with wrk -t<threads> -c<connections> -d<duration>s --latency, for each server:
//   200  GET /rss.xml, Accept-Encoding: gzip                       (a compressed 200 each time)
//   304  GET /rss.xml, Accept-Encoding: gzip, If-None-Match: <the ETag that server returned>
// Then a soak against feedloom alone (200 and 304 requests alternating) with the server's VmRSS
// read from /proc/<pid>/status every 5 s. A small wrk Lua script counts every status other than
// the expected one; wrk's socket errors (connect, read, write, timeout) are reported beside it.
// The table goes to stdout and to bench/results/serve-load-latest.md.
//
//   node bench/serve-load.mjs [--duration 15] [--soak 60] [--threads 2] [--connections 64]
//                             [--warmup 3] [--soak-warmup 20] [--repeats 1] [--retries 2]
//                             [--max-wait 120] [--out DIR] [--sources DIR] [--cli FILE]
//                             [--workers N] [--node-env production] [--no-floor] [--profile]
//
// wrk runs with -t2 by default (-t1 leaves wrk itself the bottleneck at these rates).
// --out        serve this out/ instead of one made by a pass over --sources into a temp folder.
// --workers N  variant: N feedloom serve processes sharing the port through node:cluster (a
//              wrapper written into the temp folder). The default, 1, is plain `feedloom serve`.
// --node-env   variant: run feedloom with NODE_ENV set to this value.
//              A variant's table goes to serve-load-latest-<variant>.md, not serve-load-latest.md.
// --retries N  run a case again, up to N times, when other processes used more than 0.1 core
//              during it; the least disturbed attempt is reported, errors count over all.
// --max-wait   before each run, wait up to this many seconds for the machine to be quiet (under
//              0.15 core busy): others' tests on the same cores skew every number. 0: no wait.
// --no-floor   skip the reference rows: a bare node:http server answering from memory with
//              feedloom's headers and body (no target; what node:http itself costs).
// --profile    instead of the comparison: per case (200, 304), a fresh feedloom under
//              `node --cpu-prof` (self and total time per function), then, when perf works, one
//              under `node --perf-basic-prof` with `perf record -g` (on-CPU, kernel included);
//              feedloom pinned to CPU 0 and wrk to CPU 1. Written to
//              bench/results/serve-load-profile.md and serve-load-{200,304}.cpuprofile.
//
// The machine this was written on has 2 cores shared by wrk, nginx and feedloom, so throughput
// is a ratio between the two servers measured the same way, not an absolute capacity.
// Every child (nginx, feedloom, wrk) runs in its own process group and is killed at the end,
// on error and on SIGINT/SIGTERM too.
//
// Exit status: 0 all targets pass; 1 a target failed; 2 the run could not measure (a server
// did not start, the 304 precondition did not hold, wrk printed no result, ...).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const RESULTS = path.join(RESULTS_DIR, 'serve-load-latest.md');
const PROFILE_RESULTS = path.join(RESULTS_DIR, 'serve-load-profile.md');
const HOST = '127.0.0.1';
const PATH = '/rss.xml';

const TARGETS = {
  /** feedloom requests/s as a share of nginx's, for 200s and for 304s. */
  rpsRatio: 0.5,
  /** feedloom p99 latency, ms. */
  p99Ms: 10,
  /** RSS growth allowed over the soak: last sample vs first, max(absolute MB, share of first). */
  rssGrowthMb: 5,
  rssGrowthShare: 0.1,
};
const RSS_SAMPLE_MS = 5000;
/** A run during which everything else on the machine used more than this is called disturbed. */
const DISTURBED_CORES = 0.1;

class MeasureError extends Error {}

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    soak: { type: 'string', default: '60' },
    'soak-warmup': { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '1' },
    retries: { type: 'string', default: '2' },
    'max-wait': { type: 'string', default: '120' },
    out: { type: 'string' },
    sources: { type: 'string', default: path.join(ROOT, 'sources') },
    cli: { type: 'string', default: path.join(ROOT, 'dist', 'cli.js') },
    workers: { type: 'string', default: '1' },
    'node-env': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (args.help) {
  const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0];
  process.stdout.write(`${header.replace(/^\/\/ ?/gm, '')}\n`);
  process.exit(0);
}

const OPTS = {
  duration: positiveInt('duration'),
  soak: positiveInt('soak'),
  soakWarmup: positiveInt('soak-warmup'),
  threads: positiveInt('threads'),
  connections: positiveInt('connections'),
  warmup: Number(args.warmup),
  repeats: positiveInt('repeats'),
  retries: Number(args.retries),
  maxWaitS: Number(args['max-wait']),
  workers: positiveInt('workers'),
  nodeEnv: args['node-env'],
};

function positiveInt(name) {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`serve-load: --${name} must be a positive integer\n`);
    process.exit(2);
  }
  return value;
}

function progress(message) {
  process.stderr.write(`${message}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Children: each in its own process group, so nginx's workers and cluster workers go with it.

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

function startChild(command, argv, options = {}) {
  const child = spawn(command, argv, { ...options, detached: true });
  children.add(child);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.exited.then(() => {
    // The group may outlive its leader (nginx workers): it is still ours to end.
    child.leaderGone = true;
  });
  child.once('error', () => {});
  return child;
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Gone already.
  }
}

function groupAlive(child) {
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the group, wait for it to go, SIGKILL what is left. */
async function stopChild(child, graceMs = 5000) {
  if (!children.has(child)) return;
  signalGroup(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (groupAlive(child) || !child.leaderGone)) await sleep(50);
  if (groupAlive(child)) signalGroup(child, 'SIGKILL');
  await Promise.race([child.exited, sleep(1000)]);
  children.delete(child);
}

async function stopAll() {
  await Promise.all([...children].map((child) => stopChild(child)));
}

/** Last resort when the process is going down anyway: no waiting possible. */
function killAllNow() {
  for (const child of children) signalGroup(child, 'SIGKILL');
  children.clear();
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    progress(`serve-load: ${signal}, stopping children`);
    killAllNow();
    cleanupFiles();
    process.exit(2);
  });
}

// ---------------------------------------------------------------------------------------------
// Temp folder, build snapshot, out/.

let TMP;
let SNAPSHOT;
let BUILD = 'unknown';

function cleanupFiles() {
  if (SNAPSHOT) rmSync(SNAPSHOT, { recursive: true, force: true });
  if (TMP) rmSync(TMP, { recursive: true, force: true });
  SNAPSHOT = undefined;
  TMP = undefined;
}

/** The build measured is a copy taken at start: others may rebuild dist/ meanwhile. Kept under
 * the repository so dist's bare imports still resolve to its node_modules. */
function snapshotBuild(cli) {
  if (!existsSync(cli)) throw new MeasureError(`${cli} does not exist: run npm run build first`);
  const snapshot = path.join(RESULTS_DIR, `.serve-build-${process.pid}`);
  rmSync(snapshot, { recursive: true, force: true });
  cpSync(path.dirname(cli), path.join(snapshot, 'dist'), { recursive: true });
  const packageJson = path.join(path.dirname(cli), '..', 'package.json');
  if (existsSync(packageJson)) cpSync(packageJson, path.join(snapshot, 'package.json'));
  SNAPSHOT = snapshot;
  return path.join(snapshot, 'dist', path.basename(cli));
}

function makeOut(cli) {
  if (args.out) {
    if (!existsSync(path.join(args.out, 'rss.xml'))) throw new MeasureError(`--out ${args.out} has no rss.xml`);
    return realpathSync(args.out);
  }
  const out = path.join(TMP, 'out');
  const result = spawnSync(process.execPath, [cli, 'run', '--sources', args.sources, '--out', out, '--state', path.join(TMP, 'pass-state.db')], {
    encoding: 'utf8',
    env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'warn' },
  });
  if (result.status !== 0) throw new MeasureError(`the pass that makes out/ failed (${result.status}):\n${result.stderr}${result.stdout}`);
  if (!existsSync(path.join(out, 'rss.xml'))) throw new MeasureError('the pass made no rss.xml');
  return realpathSync(out);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP probes.

function get(port, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: HOST, port, path: PATH, headers, agent: false }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.setTimeout(3000, () => request.destroy(new Error('timeout')));
    request.once('error', reject);
  });
}

async function waitReady(name, port, child, logFile) {
  const deadline = Date.now() + 15_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.leaderGone) break;
    try {
      const response = await get(port);
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(100);
  }
  const log = logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
  throw new MeasureError(`${name} did not serve ${PATH} on ${HOST}:${port} (${last})${log ? `\n--- ${logFile}\n${log}` : ''}`);
}

/** The ETag each server gives the compressed form, and proof that it answers 304 to it. */
async function probe(name, port) {
  const first = await get(port, { 'Accept-Encoding': 'gzip' });
  if (first.status !== 200) throw new MeasureError(`${name}: GET ${PATH} answered ${first.status}`);
  if (first.headers['content-encoding'] !== 'gzip') throw new MeasureError(`${name}: GET ${PATH} with Accept-Encoding: gzip was not gzipped`);
  const etag = first.headers.etag;
  if (!etag) throw new MeasureError(`${name}: no ETag on ${PATH}`);
  const second = await get(port, { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
  if (second.status !== 304) throw new MeasureError(`${name}: If-None-Match ${etag} answered ${second.status}, not 304`);
  const headerBytes = (response) => Object.entries(response.headers).reduce((sum, [key, value]) => sum + key.length + String(value).length + 4, 0);
  return {
    etag,
    contentType: first.headers['content-type'],
    gzipBytes: first.body.length,
    headerBytes200: headerBytes(first),
    headerBytes304: headerBytes(second),
    headers: first.headers,
    body: first.body,
  };
}

// ---------------------------------------------------------------------------------------------
// Servers.

/** `taskset -c <cpu>` in front of a command when a CPU is given (profile mode pins). */
function pinned(cpu, command, argv) {
  return cpu === undefined ? [command, argv] : ['taskset', ['-c', String(cpu), command, ...argv]];
}

async function startFeedloom(cli, out, { nodeArgs: extraNodeArgs = [], cpu } = {}) {
  const port = await freePort();
  const state = path.join(TMP, `serve-state-${port}.db`);
  const logFile = path.join(TMP, `feedloom-${port}.log`);
  const serveArgs = ['serve', '--out', out, '--port', String(port), '--host', HOST, '--state', state, '--sources', args.sources];
  const nodeArgs = extraNodeArgs;
  let argv;
  if (OPTS.workers > 1) {
    // node:cluster workers calling listen() share the primary's socket; each runs the CLI as is.
    const wrapper = path.join(TMP, 'serve-cluster.mjs');
    writeFileSync(
      wrapper,
      [
        "import cluster from 'node:cluster';",
        'if (cluster.isPrimary) {',
        '  cluster.schedulingPolicy = cluster.SCHED_NONE;',
        `  for (let i = 0; i < ${OPTS.workers}; i++) cluster.fork();`,
        "  const stop = () => { for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM'); };",
        "  process.on('SIGTERM', stop); process.on('SIGINT', stop);",
        "  cluster.on('exit', () => { if (Object.keys(cluster.workers).length === 0) process.exit(0); });",
        '} else {',
        `  await import(${JSON.stringify(pathToFileURL(cli).href)});`,
        '}',
        '',
      ].join('\n'),
    );
    argv = [...nodeArgs, wrapper, ...serveArgs];
  } else {
    argv = [...nodeArgs, cli, ...serveArgs];
  }
  const env = { ...process.env, FEEDLOOM_LOG_LEVEL: 'warn' };
  if (OPTS.nodeEnv !== undefined) env.NODE_ENV = OPTS.nodeEnv;
  else delete env.NODE_ENV;
  const fd = openSync(logFile, 'a');
  const child = startChild(...pinned(cpu, process.execPath, argv), { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  await waitReady('feedloom serve', port, child, logFile);
  return { name: 'feedloom', port, child, logFile, pids: () => processTree(child.pid) };
}

/** Reference, not a contender: node:http answering from memory with feedloom's own headers and
 * gzip body, no path resolution, no cache lookup: what node:http itself costs here. */
async function startFloor(feedloomProbe) {
  const port = await freePort();
  const dir = path.join(TMP, 'floor');
  mkdirSync(dir, { recursive: true });
  const skip = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
  const headers = Object.fromEntries(Object.entries(feedloomProbe.headers).filter(([name]) => !skip.has(name)));
  writeFileSync(path.join(dir, 'body.gz'), feedloomProbe.body);
  const file = path.join(dir, 'floor.mjs');
  writeFileSync(
    file,
    [
      "import http from 'node:http';",
      "import { readFileSync } from 'node:fs';",
      `const headers = ${JSON.stringify(headers)};`,
      `const body = readFileSync(${JSON.stringify(path.join(dir, 'body.gz'))});`,
      'const server = http.createServer((request, response) => {',
      "  if (request.headers['if-none-match'] === headers.etag) { response.writeHead(304, headers); response.end(); return; }",
      "  response.writeHead(200, { ...headers, 'content-length': body.length });",
      '  response.end(body);',
      '});',
      'server.keepAliveTimeout = 65_000;',
      `server.listen(${port}, ${JSON.stringify(HOST)});`,
      "process.on('SIGTERM', () => { server.close(); server.closeIdleConnections(); });",
      '',
    ].join('\n'),
  );
  const child = startChild(process.execPath, [file], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitReady('node:http floor', port, child);
  return { name: 'node:http floor', port, child, pids: () => processTree(child.pid) };
}

function nginxConfig(out, port, dir) {
  // Equivalent work: the same content types (with charset) as feedloom, a Vary header, the same
  // Cache-Control and nosniff headers, and keep-alive as long-lived as feedloom's (65 s, no
  // per-connection request limit). nginx gzips per request (gzip_comp_level 1, its default);
  // feedloom sends a form compressed once (level 9).
  const feedType = (type) => `{ types { } default_type ${type}; }`;
  return `# Generated by bench/serve-load.mjs
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  server_tokens off;
  types {
    text/html html;
    application/xml xml;
    text/xsl xsl;
    application/json json;
    text/x-opml opml;
    text/css css;
    text/plain txt;
    image/png png;
  }
  default_type application/octet-stream;
  charset utf-8;
  # text/html is always in charset_types and gzip_types; naming it again only makes a warning.
  charset_types application/rss+xml application/atom+xml application/feed+json application/xml application/json text/xsl text/x-opml text/plain text/css;
  etag on;
  gzip on;
  gzip_types application/rss+xml application/atom+xml application/feed+json;
  gzip_vary on;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  add_header Cache-Control "public, max-age=900";
  add_header X-Content-Type-Options nosniff;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen ${HOST}:${port};
    root ${out};
    index index.html;
    location = /rss.xml ${feedType('application/rss+xml')}
    location = /atom.xml ${feedType('application/atom+xml')}
    location = /feed.json ${feedType('application/feed+json')}
  }
}
`;
}

async function startNginx(out) {
  const port = await freePort();
  const dir = path.join(TMP, 'nginx');
  mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(out, port, dir));
  const logFile = path.join(dir, 'error.log');
  const check = spawnSync('nginx', ['-t', '-q', '-c', conf, '-p', `${dir}/`, '-e', logFile], { encoding: 'utf8' });
  if (check.error) throw new MeasureError(`nginx not runnable: ${check.error.message} (Debian package nginx)`);
  if (check.status !== 0) throw new MeasureError(`nginx -t failed:\n${check.stderr}`);
  const child = startChild('nginx', ['-c', conf, '-p', `${dir}/`, '-e', logFile, '-g', 'daemon off;'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    await waitReady('nginx', port, child, logFile);
  } catch (error) {
    error.message += stderr ? `\n--- nginx stderr\n${stderr}` : '';
    throw error;
  }
  return { name: 'nginx', port, child, logFile, conf, pids: () => processTree(child.pid) };
}

// ---------------------------------------------------------------------------------------------
// /proc: CPU time and RSS of a process tree.

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function processTree(rootPid) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(name);
    if (stat) parents.set(Number(name), stat.ppid);
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

function cpuSeconds(pids) {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0), 0) / CLK_TCK;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = fields[3] + fields[4];
  return { busy: total - idle, total };
}

/** CPU seconds of this process and of its reaped children (wrk, once it has exited). */
function selfCpu() {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  // utime 14, stime 15, cutime 16, cstime 17 (f[0] is field 3).
  return { own: (f[11] + f[12]) / CLK_TCK, children: (f[13] + f[14]) / CLK_TCK };
}

/** Wait until the machine is quiet: less than `threshold` cores busy over a second (our idle
 * servers included), at most `maxMs`. Others running tests on the same cores skew every number. */
async function waitQuiet(threshold = 0.15, maxMs = 120_000) {
  const start = Date.now();
  let busy = Infinity;
  while (Date.now() - start < maxMs) {
    const a = machineTicks();
    await sleep(1000);
    const b = machineTicks();
    busy = ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length;
    if (busy < threshold) return { waitedS: (Date.now() - start) / 1000, busy };
  }
  return { waitedS: (Date.now() - start) / 1000, busy, gaveUp: true };
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new MeasureError(`no VmRSS for ${pid}`);
  return Number(match[1]) / 1024;
}

// ---------------------------------------------------------------------------------------------
// wrk.

const WRK_LUA = `-- Generated by bench/serve-load.mjs: counts statuses, reports the summary as one JSON line.
-- EXPECT: the statuses that are not errors, comma-separated. MIXED_ETAG: when set, requests
-- alternate between a plain GET and one with If-None-Match: MIXED_ETAG.
local threads = {}
local expect = {}
for code in string.gmatch(os.getenv("EXPECT") or "200", "%d+") do expect[code] = true end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  local etag = os.getenv("MIXED_ETAG")
  if etag and etag ~= "" then
    local plain, conditional = {}, {}
    for k, v in pairs(wrk.headers) do plain[k] = v; conditional[k] = v end
    conditional["If-None-Match"] = etag
    local forms = { wrk.format(nil, nil, plain), wrk.format(nil, nil, conditional) }
    local n = 0
    request = function()
      n = n + 1
      return forms[(n % 2) + 1]
    end
  end
end

function response(status, headers, body)
  local k = tostring(status)
  counts[k] = (counts[k] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts") or {}
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local statuses, unexpected = {}, 0
  for k, v in pairs(total) do
    table.insert(statuses, string.format('"%s":%d', k, v))
    if not expect[k] then unexpected = unexpected + v end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"unexpected":%d,"statuses":{%s}}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    unexpected, table.concat(statuses, ",")))
end
`;

/** One wrk run; resolves with its numbers, the server's CPU seconds and wrk's own text. */
async function wrk(server, { seconds, headers = {}, expect = '200', mixedEtag, onStart, cpu } = {}) {
  const script = path.join(TMP, 'status.lua');
  if (!existsSync(script)) writeFileSync(script, WRK_LUA);
  const argv = [`-t${OPTS.threads}`, `-c${OPTS.connections}`, `-d${seconds}s`, '--latency', '--timeout', '2s', '-s', script];
  for (const [name, value] of Object.entries(headers)) argv.push('-H', `${name}: ${value}`);
  argv.push(`http://${HOST}:${server.port}${PATH}`);
  const pids = server.pids();
  const cpuBefore = cpuSeconds(pids);
  const machineBefore = machineTicks();
  const selfBefore = selfCpu();
  const child = startChild(...pinned(cpu, 'wrk', argv), { env: { ...process.env, EXPECT: expect, MIXED_ETAG: mixedEtag ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const spawnError = new Promise((_, reject) => child.once('error', (error) => reject(new MeasureError(`wrk not runnable: ${error.message} (Debian package wrk)`))));
  onStart?.();
  const { code } = await Promise.race([child.exited, spawnError]);
  children.delete(child);
  const serverCpu = cpuSeconds(pids) - cpuBefore;
  const machineAfter = machineTicks();
  const selfAfter = selfCpu();
  // What else ran meanwhile: the machine's busy time less the server's, wrk's and this script's.
  const machineBusy = (machineAfter.busy - machineBefore.busy) / CLK_TCK;
  const wrkCpu = selfAfter.children - selfBefore.children;
  const otherCpu = Math.max(0, machineBusy - serverCpu - wrkCpu - (selfAfter.own - selfBefore.own));
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (code !== 0 || !line) throw new MeasureError(`wrk against ${server.name} failed (exit ${code}):\n${stderr}${stdout}`);
  const r = JSON.parse(line.slice('WRK_JSON '.length));
  const seconds_ = r.duration_us / 1e6;
  return {
    rps: r.requests / seconds_,
    p50Ms: r.p50_us / 1000,
    p90Ms: r.p90_us / 1000,
    p99Ms: r.p99_us / 1000,
    maxMs: r.max_us / 1000,
    requests: r.requests,
    socketErrors: r.connect + r.read + r.write + r.timeout,
    socketDetail: `connect ${r.connect}, read ${r.read}, write ${r.write}, timeout ${r.timeout}`,
    non2xx3xx: r.status,
    unexpected: r.unexpected,
    statuses: r.statuses,
    bytesPerResponse: r.bytes / Math.max(1, r.requests),
    cpuCores: serverCpu / seconds_,
    wrkCores: wrkCpu / seconds_,
    otherCores: otherCpu / seconds_,
    text: stdout.replace(/^WRK_JSON .*\n?/m, ''),
  };
}

function median(runs) {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

// ---------------------------------------------------------------------------------------------
// Cases.

const CASES = [
  { key: '200', label: '200 (gzip)', expect: '200', headers: () => ({ 'Accept-Encoding': 'gzip' }) },
  { key: '304', label: '304 (If-None-Match)', expect: '304', headers: (probe) => ({ 'Accept-Encoding': 'gzip', 'If-None-Match': probe.etag }) },
];

const quietLog = [];

/** Before each run, wait (up to --max-wait s) for other processes to leave the cores alone. */
async function quiet() {
  if (!(OPTS.maxWaitS > 0)) return;
  const result = await waitQuiet(0.15, OPTS.maxWaitS * 1000);
  if (result.waitedS > 1.5) progress(`  waited ${result.waitedS.toFixed(0)}s for a quiet machine${result.gaveUp ? ` (gave up: ${result.busy.toFixed(2)} cores busy)` : ''}`);
  quietLog.push(result);
}

async function measure(server, probeResult, kase, { cpu, onStart } = {}) {
  const headers = kase.headers(probeResult);
  await quiet();
  if (OPTS.warmup > 0) await wrk(server, { seconds: OPTS.warmup, headers, expect: kase.expect, cpu });
  const runs = [];
  const everyRun = [];
  for (let i = 0; i < OPTS.repeats; i++) {
    // A run during which other processes took the cores is run again (--retries times at most);
    // the least disturbed attempt is kept, and every attempt's errors are counted.
    const attempts = [];
    for (let attempt = 0; attempt <= OPTS.retries; attempt++) {
      await quiet();
      const run = await wrk(server, { seconds: OPTS.duration, headers, expect: kase.expect, cpu, onStart });
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
  const chosen = median(runs);
  // Errors count over every run and attempt, not only the one reported.
  chosen.allSocketErrors = everyRun.reduce((sum, run) => sum + run.socketErrors, 0);
  chosen.allUnexpected = everyRun.reduce((sum, run) => sum + run.unexpected, 0);
  chosen.allNon2xx3xx = everyRun.reduce((sum, run) => sum + run.non2xx3xx, 0);
  chosen.attempts = everyRun.length;
  return chosen;
}

async function soak(server, probeResult) {
  const pid = OPTS.workers > 1 ? undefined : server.child.pid;
  const treeRss = () => (pid ? rssMb(pid) : server.pids().reduce((sum, p) => sum + safeRss(p), 0));
  const samples = [];
  let timer;
  const sample = () => samples.push({ t: samples.length === 0 ? 0 : (Date.now() - started) / 1000, mb: treeRss() });
  let started = Date.now();
  await quiet();
  // Warmed up with the soak's own mix right before it, so the first sample is not a cold start:
  // a fresh process's RSS steps up over its first seconds under load (heap spaces growing to
  // their working size) and then stays flat.
  await wrk(server, { seconds: OPTS.soakWarmup, headers: { 'Accept-Encoding': 'gzip' }, expect: '200,304', mixedEtag: probeResult.etag });
  const run = await wrk(server, {
    seconds: OPTS.soak,
    headers: { 'Accept-Encoding': 'gzip' },
    expect: '200,304',
    mixedEtag: probeResult.etag,
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

function safeRss(pid) {
  try {
    return rssMb(pid);
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

function fmt(value, digits) {
  return Number(value).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function signed(mb) {
  return `${mb >= 0 ? '+' : '−'}${fmt(Math.abs(mb), 1)}`;
}

function errorsCell(run) {
  const total = run.allSocketErrors + run.allUnexpected;
  const statuses = Object.entries(run.statuses).map(([k, v]) => `${k}×${fmt(v, 0)}`).join(', ');
  const attempts = run.attempts > 1 ? `; ${run.attempts} attempts, the least disturbed shown` : '';
  return `${total} (socket ${run.allSocketErrors}, unexpected status ${run.allUnexpected}, non-2xx/3xx ${run.allNon2xx3xx}; ${statuses}${attempts})`;
}

/** Which code was measured: the commit, whether src/ differed from it, and a hash of the
 * snapshot's dist/serve (others may commit and rebuild while this runs). */
function buildIdentity() {
  const git = (...argv) => spawnSync('git', ['-C', ROOT, ...argv], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('log', '-1', '--format=%h %s') || 'unknown commit';
  const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
  const hash = createHash('sha1');
  const serveDir = path.join(SNAPSHOT ?? '', 'dist', 'serve');
  if (SNAPSHOT && existsSync(serveDir)) {
    for (const name of readdirSync(serveDir).sort()) if (name.endsWith('.js')) hash.update(name).update(readFileSync(path.join(serveDir, name)));
  }
  return `${commit}${dirty ? ` (+${dirty} changed file(s) under src/)` : ''}; dist/serve sha1 ${hash.digest('hex').slice(0, 12)}`;
}

function environmentLines(probes) {
  const cpus = os.cpus();
  const nginxVersion = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '');
  const wrkVersion = (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '').split(' ').slice(0, 2).join(' ');
  return [
    `- Date: ${new Date().toISOString()}; host: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, load average at start ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`,
    `- Node ${process.version}; ${nginxVersion}; ${wrkVersion}`,
    `- Build measured (a copy of dist/ taken at start): ${BUILD}`,
    `- Load: \`wrk -t${OPTS.threads} -c${OPTS.connections} -d${OPTS.duration}s --latency --timeout 2s -s status.lua\` on ${HOST}, ${OPTS.warmup}s warm-up per case (not counted)` +
      `${OPTS.repeats > 1 ? `, median of ${OPTS.repeats} runs by req/s` : ''}; wrk shares the ${cpus.length} cores with the server under test (the other server idles).`,
    `- feedloom: ${OPTS.workers > 1 ? `${OPTS.workers} processes (node:cluster)` : 'one process'}, NODE_ENV ${OPTS.nodeEnv ?? 'unset'}; nginx: worker_processes auto (${os.cpus().length}), gzip on (level 1, per request), etag on, access_log off.`,
    ...(probes['node:http floor'] ? [`- node:http floor (reference, no target): a bare node:http server in one process answering from memory with feedloom's headers and gzip body, ` +
      `no path resolution, cache lookup or negotiation: what node:http itself costs (run-to-run spread here is about ±15%).`] : []),
    `- GET ${PATH}: feedloom ${probes.feedloom.contentType}, ${probes.feedloom.gzipBytes} B gzip body, ETag ${probes.feedloom.etag}; ` +
      `nginx ${probes.nginx.contentType}, ${probes.nginx.gzipBytes} B gzip body, ETag ${probes.nginx.etag}.`,
  ];
}

function buildReport({ results, soakResult, probes }) {
  const f = results.feedloom;
  const n = results.nginx;
  const rows = [];
  rows.push('| Case | Server | req/s | p50 ms | p99 ms | max ms | CPU cores: server / wrk / other | errors |');
  rows.push('|---|---|---:|---:|---:|---:|---:|---|');
  const cpuCell = (run) => `${fmt(run.cpuCores, 2)} / ${fmt(run.wrkCores, 2)} / ${fmt(run.otherCores, 2)}`;
  for (const kase of CASES) {
    for (const name of Object.keys(results)) {
      const run = results[name][kase.key];
      rows.push(`| ${kase.label} | ${name} | ${fmt(run.rps, 0)} | ${fmt(run.p50Ms, 2)} | ${fmt(run.p99Ms, 2)} | ${fmt(run.maxMs, 1)} | ${cpuCell(run)} | ${errorsCell(run)} |`);
    }
  }
  const s = soakResult.run;
  s.allSocketErrors = s.socketErrors;
  s.allUnexpected = s.unexpected;
  s.allNon2xx3xx = s.non2xx3xx;
  rows.push(`| soak ${OPTS.soak}s (after ${OPTS.soakWarmup}s warm-up), 200/304 alternating | feedloom | ${fmt(s.rps, 0)} | ${fmt(s.p50Ms, 2)} | ${fmt(s.p99Ms, 2)} | ${fmt(s.maxMs, 1)} | ${cpuCell(s)} | ${errorsCell(s)} |`);

  const first = soakResult.samples[0].mb;
  const last = soakResult.samples.at(-1).mb;
  const max = Math.max(...soakResult.samples.map((x) => x.mb));
  const allowedGrowth = Math.max(TARGETS.rssGrowthMb, first * TARGETS.rssGrowthShare);

  const feedloomErrors =
    CASES.reduce((sum, kase) => sum + f[kase.key].allSocketErrors + f[kase.key].allUnexpected, 0) + s.socketErrors + s.unexpected;
  const checks = [];
  for (const kase of CASES) {
    const ratio = f[kase.key].rps / n[kase.key].rps;
    checks.push({
      target: `${kase.label}: feedloom req/s ≥ ${TARGETS.rpsRatio}× nginx`,
      measured: `${fmt(f[kase.key].rps, 0)} / ${fmt(n[kase.key].rps, 0)} = ${fmt(ratio, 2)}×`,
      pass: ratio >= TARGETS.rpsRatio,
    });
  }
  for (const kase of CASES) {
    checks.push({ target: `${kase.label}: feedloom p99 < ${TARGETS.p99Ms} ms`, measured: `${fmt(f[kase.key].p99Ms, 2)} ms`, pass: f[kase.key].p99Ms < TARGETS.p99Ms });
  }
  checks.push({
    target: `(info, no target) soak: feedloom p99`,
    measured: `${fmt(s.p99Ms, 2)} ms`,
  });
  checks.push({ target: 'feedloom: no errors (socket errors, unexpected statuses), all runs', measured: String(feedloomErrors), pass: feedloomErrors === 0 });
  checks.push({
    target: `soak: no RSS growth (last − first ≤ ${fmt(allowedGrowth, 1)} MB)`,
    measured:
      `first ${fmt(first, 1)} MB, last ${fmt(last, 1)} MB (${signed(last - first)}), max ${fmt(max, 1)} MB; ` +
      `second half ${signed(last - soakResult.samples[Math.floor((soakResult.samples.length - 1) / 2)].mb)} MB`,
    pass: last - first <= allowedGrowth,
  });

  const lines = [];
  lines.push(`# feedloom serve vs nginx under load`, '');
  lines.push(...environmentLines(probes), '');
  lines.push(...rows, '');
  const allRuns = [...CASES.flatMap((kase) => Object.values(results).map((byCase) => byCase[kase.key])), s];
  const disturbed = allRuns.filter((run) => run.otherCores > DISTURBED_CORES);
  if (disturbed.length > 0) {
    lines.push(`**Warning:** other processes used more than ${DISTURBED_CORES} core during ${disturbed.length} of ${allRuns.length} runs (the "other" CPU column): those numbers are disturbed; run again on a quiet machine.`, '');
  }
  lines.push('| Target | Measured | Result |', '|---|---|---|');
  for (const check of checks) lines.push(`| ${check.target} | ${check.measured} | ${check.pass === undefined ? 'info' : check.pass ? 'PASS' : 'FAIL'} |`);
  lines.push('');
  lines.push(`RSS of feedloom serve during the soak (MB, every ${RSS_SAMPLE_MS / 1000} s): ` + soakResult.samples.map((x) => `${fmt(x.t, 0)}s ${fmt(x.mb, 1)}`).join(', '));
  lines.push('');
  lines.push(`"unexpected status" counts responses whose status is not the one the case expects (200; 304; 200 or 304 in the soak), from wrk's Lua response() hook; "socket" is wrk's connect/read/write/timeout errors. CPU cores are CPU seconds over the run divided by its length: the server's processes (nginx: master and workers), wrk, and everything else on the machine (from /proc/stat); ${os.cpus().length} cores is the whole machine.`);
  return { markdown: `${lines.join('\n')}\n`, pass: checks.every((check) => check.pass !== false) };
}

// ---------------------------------------------------------------------------------------------
// Profile mode.

function summarizeProfile(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i + 1] is the time from sample i to the next: sample i's share.
    const dt = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const where = frame.url ? `${frame.url.replace(/^file:\/\/.*\/(dist|node_modules)\//, '$1/').replace(/^node:/, 'node:')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}\t${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  // Total time: each sample counts once for every distinct function on its stack.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = (id) => {
    const frame = byId.get(id).callFrame;
    const where = frame.url ? `${frame.url.replace(/^file:\/\/.*\/(dist|node_modules)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    return `${frame.functionName || '(anonymous)'}\t${where}`;
  };
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const key = keyOf(at);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const idle = [...byFunction].filter(([key]) => key.startsWith('(idle)')).reduce((sum, [, us]) => sum + us, 0);
  const busy = total - idle;
  const rows = [...byFunction]
    .filter(([key]) => !key.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => {
      const [name, where] = key.split('\t');
      return `| ${name} | ${where || '—'} | ${fmt(us / 1000, 0)} | ${fmt((100 * us) / busy, 1)}% |`;
    });
  const inclusiveRows = [...inclusive]
    .filter(([key]) => /\t(dist\/|node:_http|node:internal\/streams|node:fs|node:path|node:zlib|node:crypto)/.test(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => {
      const [name, where] = key.split('\t');
      return `| ${name} | ${where} | ${fmt(us / 1000, 0)} | ${fmt((100 * us) / busy, 1)}% |`;
    });
  return { total, idle, busy, rows, inclusiveRows };
}

function perfWorks() {
  const probe = spawnSync('perf', ['record', '-q', '-o', path.join(TMP, 'perf-check.data'), '--', 'true'], { encoding: 'utf8' });
  return probe.status === 0;
}

/** perf report lines: "  40.36%  0.87%  [.] JS:*resolveRequestPath file:///…/request-path.js:6:35". */
function perfTop(dataFile, children, top) {
  const report = spawnSync('perf', ['report', '-i', dataFile, children ? '--children' : '--no-children', '--sort', 'sym', '--stdio', '-g', 'none'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const rows = [];
  for (const line of report.stdout.split('\n')) {
    const match = children ? /^\s+([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(.*)$/.exec(line) : /^\s+([\d.]+)%\s+\[(.)\]\s+(.*)$/.exec(line);
    if (!match) continue;
    const [total, self, space, symbol] = children ? match.slice(1) : [match[1], match[1], match[2], match[3]];
    rows.push({ total: Number(total), self: Number(self), space: space === 'k' ? 'kernel' : 'user', symbol: symbol.replace(/file:\/\/\S*\/(dist\/\S+)/, '$1').trim() });
  }
  return rows.slice(0, top);
}

async function profileMode(cli, out) {
  // Pinned apart (feedloom on CPU 0, wrk on CPU 1) so the profile is the server's own work, not
  // time spent waiting for a core: V8's sampler charges a descheduled thread to whatever native
  // call it was in (a socket write, usually), which makes those look far costlier than they are.
  const cpus = os.cpus().length >= 2 ? { server: 0, wrk: 1 } : { server: undefined, wrk: undefined };
  const withPerf = perfWorks();
  const lines = ['# feedloom serve under load: CPU profiles', '', `- Build: ${BUILD}`];
  lines.push(
    `- wrk -t${OPTS.threads} -c${OPTS.connections} -d${OPTS.duration}s on ${HOST}, one fresh feedloom process per case and profiler` +
      `${cpus.server === undefined ? '' : '; feedloom pinned to CPU 0 and wrk to CPU 1 (taskset)'}.`,
    '- `node --cpu-prof`: V8 samples of the JS thread (self time, idle excluded). Native calls include time spent descheduled.',
    withPerf
      ? '- `perf record -g` with `node --perf-basic-prof`: on-CPU samples of the whole process, kernel included (total = the function and what it calls).'
      : '- perf is not available here: only the V8 profile.',
    '',
  );
  for (const kase of CASES) {
    // 1. V8 profile.
    const dir = path.join(TMP, `prof-${kase.key}`);
    mkdirSync(dir, { recursive: true });
    let server = await startFeedloom(cli, out, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir], cpu: cpus.server });
    let probeResult = await probe('feedloom', server.port);
    progress(`profile ${kase.label}: node --cpu-prof`);
    let run = await measure(server, probeResult, kase, { cpu: cpus.wrk });
    await stopChild(server.child, 15_000);
    const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
    if (files.length === 0) throw new MeasureError(`no .cpuprofile written in ${dir}`);
    lines.push(`## ${kase.label}`, '');
    lines.push(`### node --cpu-prof: ${fmt(run.rps, 0)} req/s, p99 ${fmt(run.p99Ms, 2)} ms with the profiler on`, '');
    for (const name of files) {
      const summary = summarizeProfile(path.join(dir, name));
      lines.push(`${fmt(summary.total / 1e6, 1)} s sampled, ${fmt(summary.busy / 1e6, 1)} s busy. Self time:`, '');
      lines.push('| Function | Where | self ms | share of busy |', '|---|---|---:|---:|', ...summary.rows, '');
      lines.push('Total time (the function and what it calls), feedloom and node:http frames:', '');
      lines.push('| Function | Where | total ms | share of busy |', '|---|---|---:|---:|', ...summary.inclusiveRows, '');
      cpSync(path.join(dir, name), path.join(RESULTS_DIR, `serve-load-${kase.key}.cpuprofile`));
    }
    if (!withPerf) continue;
    // 2. perf, on-CPU.
    server = await startFeedloom(cli, out, { nodeArgs: ['--perf-basic-prof'], cpu: cpus.server });
    probeResult = await probe('feedloom', server.port);
    progress(`profile ${kase.label}: perf record`);
    const dataFile = path.join(TMP, `perf-${kase.key}.data`);
    let perf;
    run = await measure(server, probeResult, kase, {
      cpu: cpus.wrk,
      onStart: () => {
        if (perf) return;
        perf = startChild('perf', ['record', '-q', '-F', '999', '-g', '-o', dataFile, '-p', String(server.child.pid), '--', 'sleep', String(Math.max(1, OPTS.duration - 2))], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
      },
    });
    if (perf) {
      await perf.exited;
      children.delete(perf);
    }
    const serverPid = server.child.pid;
    await stopChild(server.child, 15_000);
    lines.push(`### perf: ${fmt(run.rps, 0)} req/s, p99 ${fmt(run.p99Ms, 2)} ms, server ${fmt(run.cpuCores, 2)} cores`, '');
    if (perf && existsSync(dataFile)) {
      const rows = perfTop(dataFile, true, 400);
      const interesting = rows.filter((row) => /JS:|node::fs|uv_fs|uv__fs|sys_write|tcp_sendmsg\b|writev|__libc_write|llhttp|statx|Scavenge|MarkCompact|Heap::CollectGarbage|do_syscall_64/.test(row.symbol));
      lines.push('Total (children) share of on-CPU samples, selected frames:', '');
      lines.push('| Frame | space | total | self |', '|---|---|---:|---:|');
      for (const row of interesting.slice(0, 40)) lines.push(`| \`${row.symbol.replaceAll('|', '\\|')}\` | ${row.space} | ${fmt(row.total, 1)}% | ${fmt(row.self, 1)}% |`);
      lines.push('');
      const self = perfTop(dataFile, false, 20);
      lines.push('Top self:', '', '| Frame | space | self |', '|---|---|---:|');
      for (const row of self) lines.push(`| \`${row.symbol.replaceAll('|', '\\|')}\` | ${row.space} | ${fmt(row.self, 1)}% |`);
      lines.push('');
    } else {
      lines.push('perf wrote no data.', '');
    }
    rmSync(`/tmp/perf-${serverPid}.map`, { force: true });
  }
  const markdown = `${lines.join('\n')}\n`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(PROFILE_RESULTS, markdown);
  process.stdout.write(markdown);
  progress(`written: ${path.relative(ROOT, PROFILE_RESULTS)} and bench/results/serve-load-{200,304}.cpuprofile`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  TMP = mkdtempSync(path.join(os.tmpdir(), 'feedloom-serve-load-'));
  // nginx's workers drop root for nobody: they must be able to walk into the temp folder.
  chmodSync(TMP, 0o755);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const cli = snapshotBuild(path.resolve(args.cli));
  BUILD = buildIdentity();
  progress(`serve-load: build ${BUILD}`);
  const out = makeOut(cli);
  if (args.profile) return profileMode(cli, out);

  progress(`serve-load: out ${out}; wrk -t${OPTS.threads} -c${OPTS.connections}, ${OPTS.duration}s per case, ${OPTS.soak}s soak`);
  const feedloom = await startFeedloom(cli, out);
  const nginx = await startNginx(out);
  const probes = { feedloom: await probe('feedloom', feedloom.port), nginx: await probe('nginx', nginx.port) };
  const floor = !args['no-floor'] ? await startFloor(probes.feedloom) : undefined;
  if (floor) probes[floor.name] = await probe(floor.name, floor.port);
  const servers = [feedloom, nginx, ...(floor ? [floor] : [])];
  const results = Object.fromEntries(servers.map((server) => [server.name, {}]));
  for (const kase of CASES) {
    progress(`case ${kase.label}`);
    for (const server of servers) results[server.name][kase.key] = await measure(server, probes[server.name], kase);
  }
  await stopChild(nginx.child);
  if (floor) await stopChild(floor.child);
  progress(`soak: feedloom, ${OPTS.soakWarmup}s warm-up then ${OPTS.soak}s, 200/304 alternating, VmRSS every ${RSS_SAMPLE_MS / 1000}s`);
  const soakResult = await soak(feedloom, probes.feedloom);
  progress(`  RSS ${soakResult.samples.map((x) => x.mb.toFixed(1)).join(' ')} MB`);
  await stopChild(feedloom.child);

  const { markdown, pass } = buildReport({ results, soakResult, probes });
  // A variant (--workers, --node-env) does not overwrite the plain single-process result.
  const variant = [OPTS.workers > 1 ? `workers-${OPTS.workers}` : '', OPTS.nodeEnv !== undefined ? `node-env-${OPTS.nodeEnv || 'empty'}` : ''].filter(Boolean).join('-');
  const resultsFile = variant ? RESULTS.replace(/\.md$/, `-${variant.replace(/[^\w.-]/g, '_')}.md`) : RESULTS;
  writeFileSync(resultsFile, markdown);
  process.stdout.write(markdown);
  progress(`written: ${path.relative(ROOT, resultsFile)}`);
  return pass ? 0 : 1;
}

let status;
try {
  status = await main();
} catch (error) {
  progress(`serve-load: ${error instanceof MeasureError ? error.message : error?.stack ?? error}`);
  status = 2;
} finally {
  await stopAll();
  cleanupFiles();
}
process.exitCode = status;
