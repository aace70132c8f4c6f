// `feedloom run --state postgres://…` as an operator runs it: the feeds, pages and archives it
// writes are byte for byte those a SQLite state gives for the same pages, pass after pass.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, CLI, ROOT } from '../support/built-cli.js';
import type { LogLine } from '../support/feed-site.js';
import { schemaOf, TestSchemas } from './support/postgres.js';

const PAGES = path.join(ROOT, 'test', 'fixtures', 'pages');
const LATER_PAGES = path.join(ROOT, 'test', 'fixtures', 'later-pages');

/** The fixture pages' 14 entries, and a lead and four briefs from each of the forty desks. */
const FIRST_ENTRIES = 14 + 40 * 5;

const schemas = new TestSchemas();
let root: string;

beforeAll(() => {
  buildIfStale();
  root = mkdtempSync(path.join(tmpdir(), 'feedloom-pg-run-'));
}, 120_000);

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await schemas.end();
});

/** A desk page with briefs at the same few minutes as the other desks: dates collide on purpose. */
function deskPage(desk: number, captured: string, edition: string): string {
  const briefs = [0, 1, 2, 3].flatMap((brief) => [`9:${String(10 * brief).padStart(2, '0')}`, `Desk ${desk}`, `Brief ${brief} from desk ${desk}, ${edition}.`]);
  return [
    '---',
    `url: https://gazette.example/millbrook/desks/${desk}`,
    `captured: ${captured}`,
    '---',
    `Desk ${desk} reports on the morning in the valley, ${edition}.`,
    'Read next',
    ...briefs,
    '',
  ].join('\n');
}

/** The fixture site with archives on, a narrow feed, and forty desk pages. */
function writeSources(sources: string): void {
  cpSync(PAGES, sources, { recursive: true });
  const site = readFileSync(path.join(sources, 'site.yaml'), 'utf8');
  const feeds = 'feeds:\n  - id: wide\n    title: Every desk\n    limit: 120\n  - id: narrow\n    title: The narrow desk\n    limit: 7\n';
  writeFileSync(path.join(sources, 'site.yaml'), `${site.replace('feeds:\n', feeds)}archive: true\n`);
  for (let desk = 0; desk < 40; desk++) writeFileSync(path.join(sources, `desk-${desk}.txt`), deskPage(desk, '2026-03-01T09:45:00+01:00', 'first edition'));
}

/** Later captures: a new page, half the desks rewritten, and a few re-captured unedited. */
function writeLaterSources(sources: string): void {
  cpSync(LATER_PAGES, sources, { recursive: true });
  for (let desk = 0; desk < 40; desk += 2) writeFileSync(path.join(sources, `desk-${desk}.txt`), deskPage(desk, '2026-03-01T11:15:00+01:00', 'second edition'));
  for (let desk = 1; desk < 10; desk += 2) writeFileSync(path.join(sources, `desk-${desk}.txt`), deskPage(desk, '2026-03-01T11:20:00+01:00', 'first edition'));
}

function run(cwd: string, args: string[]): { status: number | null; logs: LogLine[]; output: string } {
  const result = spawnSync(process.execPath, [CLI, 'run', ...args], { cwd, encoding: 'utf8', env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' }, timeout: 60_000 });
  const logs = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
  return { status: result.status, logs, output: result.stdout + result.stderr };
}

function summary(logs: LogLine[]): Record<string, unknown> {
  const { duration_ms: _duration, time: _time, pid: _pid, hostname: _hostname, pass: _pass, ...rest } = logs.find((line) => line.msg === 'pass finished')!;
  return rest;
}

function files(dir: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isFile()) found.set(name.split(path.sep).join('/'), readFileSync(file));
  }
  return found;
}

function expectSameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [name, bytes] of expected) expect(actual.get(name)?.toString('utf8'), name).toBe(bytes.toString('utf8'));
}

describe('feedloom run --state postgres://', () => {
  it('writes the same bytes as a SQLite state, on a first pass and on a later one', async () => {
    const location = await schemas.fresh();
    const sides = ['sqlite', 'postgres'].map((name) => {
      const dir = path.join(root, name);
      mkdirSync(dir, { recursive: true });
      writeSources(path.join(dir, 'sources'));
      return { dir, state: name === 'sqlite' ? path.join(dir, 'state', 'state.db') : location };
    });
    const pass = () =>
      sides.map(({ dir, state }) => {
        const result = run(dir, ['--sources', path.join(dir, 'sources'), '--out', path.join(dir, 'out'), '--state', state]);
        expect(result.status, result.output).toBe(0);
        return summary(result.logs);
      });

    const [sqliteFirst, postgresFirst] = pass();
    expect(postgresFirst).toEqual(sqliteFirst);
    expect(sqliteFirst).toMatchObject({ sources_ok: 44, entries_new: FIRST_ENTRIES });
    expectSameFiles(files(path.join(sides[1]!.dir, 'out')), files(path.join(sides[0]!.dir, 'out')));

    for (const { dir } of sides) writeLaterSources(path.join(dir, 'sources'));
    const [sqliteLater, postgresLater] = pass();
    expect(postgresLater).toEqual(sqliteLater);
    expect(sqliteLater).toMatchObject({ entries_updated: 20 * 5 });
    const written = files(path.join(sides[0]!.dir, 'out'));
    expect([...written.keys()].some((name) => name.startsWith('archive/narrow/'))).toBe(true);
    expectSameFiles(files(path.join(sides[1]!.dir, 'out')), written);

    // The entries went to PostgreSQL: its schema holds them, and no state file was made for it.
    const stored = await schemas.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemaOf(location)}.entries`);
    expect(Number(stored[0]?.n)).toBe(FIRST_ENTRIES + (postgresLater?.entries_new as number));
    expect(existsSync(path.join(sides[1]!.dir, '.feedloom', 'state.db'))).toBe(false);
  });

  it('takes a postgres:// state from site.yaml, and exits 1 while another pass holds its lock', async () => {
    const location = await schemas.fresh();
    const dir = path.join(root, 'from-site');
    mkdirSync(dir, { recursive: true });
    const sources = path.join(dir, 'sources');
    cpSync(PAGES, sources, { recursive: true });
    writeFileSync(path.join(sources, 'site.yaml'), `${readFileSync(path.join(sources, 'site.yaml'), 'utf8')}state: "${location}"\n`);
    const first = run(dir, ['--sources', sources, '--out', path.join(dir, 'out')]);
    expect(first.status, first.output).toBe(0);
    const passes = await schemas.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemaOf(location)}.passes`);
    expect(Number(passes[0]?.n)).toBe(1);

    const { openStore } = await import('../../src/store/open-store.js');
    const holder = await openStore(location);
    const release = await holder.lockPasses();
    try {
      const blocked = run(dir, ['--sources', sources, '--out', path.join(dir, 'out')]);
      expect(blocked.status).toBe(1);
      expect(blocked.logs.find((line) => line.level === 60)?.msg).toContain('another feedloom pass holds the pass lock');
    } finally {
      await release();
      await holder.close();
    }
  });
});
