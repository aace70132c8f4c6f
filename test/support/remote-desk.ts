// A site of remote sources for one test: its own fixture HTTP server, sources/ with a site.yaml,
// out/, and a SQLite state (in memory, or on disk when the test reads the file). Everything is
// closed and removed when the test finishes, so no test sees another's routes, requests or state.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { passWithLogs, type PassRun } from './feed-site.js';
import { startFixtureServer, type FixtureServer } from './http-fixture-server.js';

export const DESK_SITE_URL = 'https://feeds.example/';
/** The frozen "now" of a desk's first pass. */
export const T0 = Date.parse('2026-03-01T12:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const RSS = 'application/rss+xml';
export const ATOM = 'application/atom+xml';

export interface RemoteDesk {
  root: string;
  sources: string;
  out: string;
  store: SqliteStore;
  server: FixtureServer;
  /** Path of the state file when the store is on disk. */
  stateFile?: string;
  /** Closes the store now (a test that reads the state file must close it first). */
  closeStore(): void;
}

/** Starts a desk for the running test; `siteExtra` is appended to site.yaml. Call inside a test. */
export async function remoteDesk(options: { siteExtra?: string; onDisk?: boolean } = {}): Promise<RemoteDesk> {
  const root = mkdtempSync(path.join(tmpdir(), 'feedloom-remote-'));
  const sources = path.join(root, 'sources');
  mkdirSync(sources);
  writeFileSync(
    path.join(sources, 'site.yaml'),
    ['title: Remote Desk', `url: ${DESK_SITE_URL}`, 'language: en', 'timezone: UTC', options.siteExtra ?? ''].join('\n'),
  );
  const stateFile = options.onDisk ? path.join(root, 'state', 'feedloom.db') : undefined;
  if (stateFile) mkdirSync(path.dirname(stateFile));
  const store = SqliteStore.open(stateFile ?? ':memory:');
  let open = true;
  const closeStore = () => {
    if (open) store.close();
    open = false;
  };
  const server = await startFixtureServer();
  onTestFinished(async () => {
    closeStore();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });
  return { root, sources, out: path.join(root, 'out'), store, server, closeStore, ...(stateFile ? { stateFile } : {}) };
}

/** Writes sources/<id>.yaml. */
export function writeSource(desk: RemoteDesk, id: string, lines: string[]): void {
  writeFileSync(path.join(desk.sources, `${id}.yaml`), `${lines.join('\n')}\n`);
}

/** A feed source read from `pathname` on the desk's server, with extra YAML lines. */
export function feedSource(desk: RemoteDesk, id: string, pathname: string, ...extra: string[]): void {
  writeSource(desk, id, ['kind: feed', `url: ${desk.server.url(pathname)}`, ...extra]);
}

/** One pass at the frozen time `nowMs`, its log lines kept. */
export function deskPass(desk: RemoteDesk, nowMs: number): Promise<PassRun> {
  return passWithLogs({ sourcesDir: desk.sources, outDir: desk.out, store: desk.store, now: () => new Date(nowMs) });
}
