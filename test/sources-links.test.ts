// Links in sources/: a link whose target is inside sources/ is read like the page it points to;
// one that resolves outside (a secret of the machine, another user's files) is never read, and
// that page fails on its own. Run as an operator would, with the built command line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, CLI, ROOT } from './support/built-cli.js';
import { LEVEL, type LogLine, pageText } from './support/feed-site.js';

beforeAll(buildIfStale, 120_000);

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'root:$6$only-this-machine-should-know$';

interface Site {
  root: string;
  sources: string;
  out: string;
  state: string;
  /** A file outside sources/ that must never be published. */
  secretFile: string;
}

function site(): Site {
  const root = mkdtempSync(path.join(tmpdir(), 'feedloom-links-'));
  temps.push(root);
  const sources = path.join(root, 'sources');
  mkdirSync(path.join(sources, 'archive'), { recursive: true });
  writeFileSync(path.join(sources, 'site.yaml'), 'title: Links Test\nurl: https://links.example/\ntimezone: Europe/Berlin\n');
  writeFileSync(
    path.join(sources, 'archive', 'harbour.txt'),
    pageText({ captured: '2026-03-04T09:00:00+01:00', lead: 'The harbour wall is repaired before the spring tides', briefs: [{ time: '08:40', topic: 'Weather', text: 'Fog lifts by noon' }] }),
  );
  // A page-shaped secret, so that a reader that followed the link would publish it.
  const secretFile = path.join(root, 'secret.txt');
  writeFileSync(secretFile, pageText({ captured: '2026-03-04T09:00:00+01:00', lead: SECRET, briefs: [{ time: '08:45', topic: 'Keys', text: SECRET }] }));
  return { root, sources, out: path.join(root, 'out'), state: path.join(root, 'feedloom.db'), secretFile };
}

function run(s: Site): { status: number | null; logs: LogLine[]; stdout: string } {
  const result = spawnSync(process.execPath, [CLI, 'run', '--sources', s.sources, '--out', s.out, '--state', s.state], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' },
    timeout: 30_000,
  });
  const logs = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
  return { status: result.status, logs, stdout: result.stdout };
}

function publishedText(out: string): string {
  return (readdirSync(out, { recursive: true }) as string[])
    .map((name) => path.join(out, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n');
}

describe('links in sources/', () => {
  it('follows a link to a page inside sources/ and refuses one that leads outside', () => {
    const s = site();
    symlinkSync(path.join(s.sources, 'archive', 'harbour.txt'), path.join(s.sources, 'today.txt'));
    symlinkSync(s.secretFile, path.join(s.sources, 'shadow.txt'));
    // A relative link that climbs out of sources/.
    symlinkSync('../../secret.txt', path.join(s.sources, 'archive', 'climb.txt'));
    // Links to folders are not walked into, wherever they lead.
    mkdirSync(path.join(s.root, 'elsewhere'));
    writeFileSync(path.join(s.root, 'elsewhere', 'page.txt'), readFileSync(s.secretFile));
    symlinkSync(path.join(s.root, 'elsewhere'), path.join(s.sources, 'elsewhere'));
    symlinkSync(path.join(s.root, 'elsewhere'), path.join(s.sources, 'archive', 'nested'));
    const result = run(s);

    expect(result.status, result.stdout).toBe(2);
    const errors = result.logs.filter((line) => line.level >= LEVEL.error);
    expect(errors.map((line) => line.source).sort()).toEqual(['archive/climb.txt', 'shadow.txt']);
    for (const line of errors) {
      expect(line.msg).toMatch(/links outside sources\//);
      expect(line.code).toBe('SOURCE_OUTSIDE');
      expect(line.file).toBe(path.join(s.sources, line.source as string));
    }
    const summary = result.logs.find((line) => line.msg === 'pass finished')!;
    expect(summary).toMatchObject({ sources_ok: 2, sources_failed: 2 });

    const published = publishedText(s.out);
    expect(published).not.toContain('only-this-machine-should-know');
    expect(published).toContain('The harbour wall is repaired');
    // status.json says which pages failed, not where their links lead.
    const status = readFileSync(path.join(s.out, 'status.json'), 'utf8');
    expect(status).toContain('shadow.txt');
    expect(status).not.toContain(s.secretFile);
  });

  it('refuses a link that is swapped for one leading outside between two passes', () => {
    const s = site();
    const link = path.join(s.sources, 'today.txt');
    symlinkSync(path.join(s.sources, 'archive', 'harbour.txt'), link);
    expect(run(s).status).toBe(0);
    rmSync(link);
    symlinkSync(s.secretFile, link);
    const second = run(s);
    expect(second.status, second.stdout).toBe(2);
    expect(second.logs.filter((line) => line.level >= LEVEL.error).map((line) => line.source)).toEqual(['today.txt']);
    expect(publishedText(s.out)).not.toContain('only-this-machine-should-know');
  });
});
