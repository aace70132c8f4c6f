// A published site served over HTTP for one test. The pass over test/fixtures/pages runs once
// per test file (publishedPages, in beforeAll); every test then gets its own copy of that out/
// and state, with its own traps and its own server (servedSite), so nothing one test writes,
// requests or logs can reach another.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { loadSiteConfig } from '../../src/config/site.js';
import type { SiteConfig } from '../../src/model.js';
import { FeedMetrics } from '../../src/serve/metrics.js';
import { startFeedServer, type RunningServer } from '../../src/serve/run-server.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { runPass, type PassSummary } from '../../src/worker/pass.js';
import { captureLogs, type LogLine } from './log-capture.js';

export const PAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pages');
/** Every 15 minutes: readers may keep a file 900 s, and /healthz allows 1800 s since the last pass. */
export const SCHEDULE = '*/15 * * * *';
export const INTERVAL_S = 900;
/** Written next to out/ (never inside it); no response may ever contain it. */
export const SECRET = 'TOP-SECRET-feedloom-serve-test-7d1c';
export const SQLITE_MAGIC = 'SQLite format 3';

/** sources/ (a copy of test/fixtures/pages), out/ and state/state.db under one root. */
export interface SiteFolders {
  root: string;
  sources: string;
  out: string;
  stateDir: string;
  state: string;
}

export function siteFolders(root: string): SiteFolders {
  const stateDir = path.join(root, 'state');
  return { root, sources: path.join(root, 'sources'), out: path.join(root, 'out'), stateDir, state: path.join(stateDir, 'state.db') };
}

/** A temporary root with the fixture pages as sources/ and an empty state folder; removed when the test finishes. */
export function pagesWorkspace(prefix: string): SiteFolders {
  const folders = siteFolders(mkdtempSync(path.join(tmpdir(), `feedloom-serve-${prefix}-`)));
  onTestFinished(() => rmSync(folders.root, { recursive: true, force: true }));
  cpSync(PAGES, folders.sources, { recursive: true });
  mkdirSync(folders.stateDir);
  return folders;
}

export interface PublishedPages {
  folders: SiteFolders;
  summary: PassSummary;
}

/** One pass over the fixture pages (schedule SCHEDULE), run before the file's tests; read-only for them. */
export function publishedPages(): () => PublishedPages {
  let published: PublishedPages | undefined;
  beforeAll(async () => {
    const folders = siteFolders(mkdtempSync(path.join(tmpdir(), 'feedloom-serve-published-')));
    cpSync(PAGES, folders.sources, { recursive: true });
    mkdirSync(folders.stateDir);
    const store = SqliteStore.open(folders.state);
    try {
      const summary = await runPass({ sourcesDir: folders.sources, outDir: folders.out, store, overrides: { schedule: SCHEDULE }, logger: captureLogs().logger });
      published = { folders, summary };
    } finally {
      store.close();
    }
  }, 60_000);
  afterAll(() => {
    if (published) rmSync(published.folders.root, { recursive: true, force: true });
  });
  return () => {
    if (!published) throw new Error('publishedPages() is read in a test, after its beforeAll');
    return published;
  };
}

export interface ServedSite extends SiteFolders {
  site: SiteConfig;
  store: SqliteStore;
  server: RunningServer;
  /** The server's URL, ending in "/". */
  base: string;
  /** The server's own log lines. */
  serverLogs: LogLine[];
  /** Where the server looks for compressed forms made at publish time, when it was given one. */
  formsDir?: string;
  /** The bytes of out/<name>. */
  file(name: string): Buffer;
}

/**
 * A copy of the published site with a server over it, for the running test. Around out/ are
 * things no request may reach: a secret file beside it, a half-written temporary file, a dotfile,
 * and symlinks out of it to the secret, the state and the root; one symlink stays inside.
 */
export async function servedSite(published: PublishedPages, options: { formsDir?: boolean } = {}): Promise<ServedSite> {
  const folders = siteFolders(mkdtempSync(path.join(tmpdir(), 'feedloom-serve-')));
  const cleanups: (() => unknown)[] = [() => rmSync(folders.root, { recursive: true, force: true })];
  onTestFinished(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  for (const folder of ['sources', 'out', 'state'] as const) cpSync(path.join(published.folders.root, folder), path.join(folders.root, folder), { recursive: true });
  placeTraps(folders);
  // Published a little while ago, as a served site is: its files' seconds are over.
  backdate(folders.out, Date.now() / 1000 - 5);
  const site = await loadSiteConfig(folders.sources, { schedule: SCHEDULE });
  const store = SqliteStore.open(folders.state);
  cleanups.push(() => store.close());
  const formsDir = options.formsDir ? path.join(folders.root, 'forms') : undefined;
  const { logger, logs } = captureLogs();
  const metrics = new FeedMetrics(() => store);
  const server = await startFeedServer({ outDir: folders.out, site, store, metrics, host: '127.0.0.1', port: 0, logger, ...(formsDir ? { formsDir } : {}) });
  cleanups.push(() => server.close());
  return { ...folders, site, store, server, base: server.url, serverLogs: logs, ...(formsDir ? { formsDir } : {}), file: (name) => readFileSync(path.join(folders.out, name)) };
}

function placeTraps({ root, out, state, stateDir }: SiteFolders): void {
  writeFileSync(path.join(root, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(path.join(out, '.rss.xml.feedloom-1-0.tmp'), `<rss>${SECRET} half-written</rss>\n`);
  writeFileSync(path.join(out, 'desk', '.hidden'), `${SECRET}\n`);
  symlinkSync(path.join(root, 'secret.txt'), path.join(out, 'leak.txt'));
  symlinkSync(state, path.join(out, 'state-link.db'));
  symlinkSync(stateDir, path.join(out, 'state-dir'));
  symlinkSync(root, path.join(out, 'up'));
  // A symlink that stays inside out/ is fine.
  symlinkSync(path.join(out, 'rss.xml'), path.join(out, 'inside-link.xml'));
}

/** A server over `outDir` with health and metrics read from `store`, closed when the test finishes. */
export async function serverOver(outDir: string, site: SiteConfig, store: SqliteStore, metrics = new FeedMetrics(() => store)): Promise<RunningServer> {
  const running = await startFeedServer({ outDir, site, store, metrics, host: '127.0.0.1', port: 0, logger: captureLogs().logger });
  onTestFinished(() => running.close());
  return running;
}

/** A SQLite state in memory, closed when the test finishes. */
export function memoryState(): SqliteStore {
  const store = SqliteStore.open(':memory:');
  onTestFinished(() => store.close());
  return store;
}

/** Sets every file under `folder` (links left alone) to the time `seconds`. */
function backdate(folder: string, seconds: number): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) backdate(file, seconds);
    else if (entry.isFile()) utimesSync(file, seconds, seconds);
  }
}
