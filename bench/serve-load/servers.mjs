// The servers bench/serve-load.mjs compares, each a child process on loopback: `feedloom serve`
// (one process, or N under node:cluster), nginx over the same out/ configured to do equivalent
// work, and a bare node:http floor for reference. `setup` is { tmp, host, path, workers, nodeEnv,
// sources }: the run's temp folder, where to listen, the path measured and how to run feedloom.
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../lib/build.mjs';
import { pinned, startChild } from '../lib/children.mjs';
import { freePort, httpGet, waitForOk } from '../lib/net.mjs';
import { processTree } from '../lib/proc.mjs';
import { VerifyError } from '../lib/verify.mjs';

/** What wrk needs of a server: its name, the URL measured and its processes. */
function served(setup, name, port, child, extra = {}) {
  return { name, port, url: `http://${setup.host}:${port}${setup.path}`, child, pids: () => processTree(child.pid), ...extra };
}

async function waitReady(setup, name, port, child, logFile) {
  const why = await waitForOk(setup.host, port, setup.path, () => child.leaderGone);
  if (why === undefined) return;
  const log = logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
  throw new VerifyError(`${name} did not serve ${setup.path} on ${setup.host}:${port} (${why})${log ? `\n--- ${logFile}\n${log}` : ''}`);
}

/** The ETag a server gives the compressed form, and proof that it answers 304 to it. */
export async function probe(setup, name, port) {
  const get = (headers) => httpGet(setup.host, port, setup.path, headers);
  const first = await get({ 'Accept-Encoding': 'gzip' });
  if (first.status !== 200) throw new VerifyError(`${name}: GET ${setup.path} answered ${first.status}`);
  if (first.headers['content-encoding'] !== 'gzip') throw new VerifyError(`${name}: GET ${setup.path} with Accept-Encoding: gzip was not gzipped`);
  const etag = first.headers.etag;
  if (!etag) throw new VerifyError(`${name}: no ETag on ${setup.path}`);
  const second = await get({ 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
  if (second.status !== 304) throw new VerifyError(`${name}: If-None-Match ${etag} answered ${second.status}, not 304`);
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

/** node:cluster workers calling listen() share the primary's socket; each runs the CLI as is. */
function clusterWrapper(setup, cli) {
  const wrapper = path.join(setup.tmp, 'serve-cluster.mjs');
  writeFileSync(
    wrapper,
    [
      "import cluster from 'node:cluster';",
      'if (cluster.isPrimary) {',
      '  cluster.schedulingPolicy = cluster.SCHED_NONE;',
      `  for (let i = 0; i < ${setup.workers}; i++) cluster.fork();`,
      "  const stop = () => { for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM'); };",
      "  process.on('SIGTERM', stop); process.on('SIGINT', stop);",
      "  cluster.on('exit', () => { if (Object.keys(cluster.workers).length === 0) process.exit(0); });",
      '} else {',
      `  await import(${JSON.stringify(pathToFileURL(cli).href)});`,
      '}',
      '',
    ].join('\n'),
  );
  return wrapper;
}

export async function startFeedloom(setup, cli, out, { nodeArgs = [], cpu } = {}) {
  const port = await freePort(setup.host);
  const state = path.join(setup.tmp, `serve-state-${port}.db`);
  const logFile = path.join(setup.tmp, `feedloom-${port}.log`);
  const serveArgs = ['serve', '--out', out, '--port', String(port), '--host', setup.host, '--state', state, '--sources', setup.sources];
  const argv = [...nodeArgs, setup.workers > 1 ? clusterWrapper(setup, cli) : cli, ...serveArgs];
  const env = { ...process.env, FEEDLOOM_LOG_LEVEL: 'warn' };
  if (setup.nodeEnv !== undefined) env.NODE_ENV = setup.nodeEnv;
  else delete env.NODE_ENV;
  const fd = openSync(logFile, 'a');
  const child = startChild(...pinned(cpu, process.execPath, argv), { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  await waitReady(setup, 'feedloom serve', port, child, logFile);
  return served(setup, 'feedloom', port, child, { logFile });
}

/** Reference, not a contender: node:http answering from memory with feedloom's own headers and
 * gzip body, no path resolution, no cache lookup: what node:http itself costs here. */
export async function startFloor(setup, feedloomProbe) {
  const port = await freePort(setup.host);
  const dir = path.join(setup.tmp, 'floor');
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
      `server.listen(${port}, ${JSON.stringify(setup.host)});`,
      "process.on('SIGTERM', () => { server.close(); server.closeIdleConnections(); });",
      '',
    ].join('\n'),
  );
  const child = startChild(process.execPath, [file], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitReady(setup, 'node:http floor', port, child);
  return served(setup, 'node:http floor', port, child);
}

function nginxConfig(setup, out, port, dir) {
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
    listen ${setup.host}:${port};
    root ${out};
    index index.html;
    location = /rss.xml ${feedType('application/rss+xml')}
    location = /atom.xml ${feedType('application/atom+xml')}
    location = /feed.json ${feedType('application/feed+json')}
  }
}
`;
}

export async function startNginx(setup, out) {
  const port = await freePort(setup.host);
  const dir = path.join(setup.tmp, 'nginx');
  mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(setup, out, port, dir));
  const logFile = path.join(dir, 'error.log');
  const check = spawnSync('nginx', ['-t', '-q', '-c', conf, '-p', `${dir}/`, '-e', logFile], { encoding: 'utf8' });
  if (check.error) throw new VerifyError(`nginx not runnable: ${check.error.message} (Debian package nginx)`);
  if (check.status !== 0) throw new VerifyError(`nginx -t failed:\n${check.stderr}`);
  const child = startChild('nginx', ['-c', conf, '-p', `${dir}/`, '-e', logFile, '-g', 'daemon off;'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    await waitReady(setup, 'nginx', port, child, logFile);
  } catch (error) {
    error.message += stderr ? `\n--- nginx stderr\n${stderr}` : '';
    throw error;
  }
  return served(setup, 'nginx', port, child, { logFile, conf });
}
