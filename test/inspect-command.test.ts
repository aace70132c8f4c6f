// `feedloom inspect FILE|URL`: what the news-page reader saw on one page, as an operator reads it
// and as JSON, for a saved file and for a page fetched over HTTP; nothing is stored or published.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, CLI } from './support/built-cli.js';
import { send, startFixtureServer } from './support/http-fixture-server.js';
import { TempDirs } from './support/feed-site.js';

const run = promisify(execFile);
const temps = new TempDirs();
beforeAll(() => buildIfStale());
afterAll(() => temps.cleanup());

/** A port town's page: an article, a "Newsticker" of yesterday's items, and a TV listing beside it. */
const PAGE = `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Neue Brücke am Binnenhafen | Nordbote</title>
<link rel="canonical" href="https://nordbote.example/hafen/bruecke"></head><body>
<nav><a href="/">Start</a> <a href="/lokales">Lokales</a></nav>
<main><article><h1>Neue Brücke am Binnenhafen eröffnet</h1>
<p class="intro">Nach drei Jahren Bauzeit ist die Fußgängerbrücke am Binnenhafen seit Samstag offen.</p>
<p>Hunderte Menschen kamen zur Eröffnung; die Stadt spricht von einem wichtigen Schritt für das Viertel am Wasser.</p></article>
<aside class="ticker"><h2>Newsticker</h2><ul>
<li><span class="zeit">Gestern, 18:05 Uhr</span> <a href="/polizei/unfall-b96">Unfall auf der B96: Straße zwischen zwei Dörfern gesperrt</a></li>
<li><span class="zeit">Gestern, 16:40 Uhr</span> <a href="/sport/derby">Der Hafenklub gewinnt das Derby mit zwei zu eins</a></li>
<li><span class="zeit">Gestern, 09:12 Uhr</span> <a href="/wetter/sturm">Sturmwarnung für die ganze Küste bis Montag</a></li>
</ul></aside>
<section class="tv-programm"><h2>TV-Programm heute</h2><table>
<tr><td>20:15</td><td>Tatort</td></tr><tr><td>21:45</td><td>Tagesthemen</td></tr><tr><td>22:15</td><td>Sportschau</td></tr><tr><td>23:30</td><td>Spielfilm</td></tr>
</table></section></main></body></html>`;

function savedPage(): { dir: string; file: string } {
  const dir = temps.make('inspect');
  const file = path.join(dir, 'bruecke.html');
  writeFileSync(file, PAGE);
  utimesSync(file, new Date('2026-11-20T10:00:00Z'), new Date('2026-11-20T10:00:00Z'));
  mkdirSync(path.join(dir, 'sources'));
  writeFileSync(path.join(dir, 'sources', 'site.yaml'), 'title: Nordbote\nurl: https://feeds.nordbote.example/\ntimezone: Europe/Berlin\n');
  return { dir, file };
}

describe('feedloom inspect', () => {
  it('prints the lead, each list with its items dated in the site’s zone, and what it turned down', async () => {
    const { dir, file } = savedPage();
    const { stdout } = await run(process.execPath, [CLI, 'inspect', file, '--sources', path.join(dir, 'sources')]);
    expect(stdout).toContain('lead: Neue Brücke am Binnenhafen eröffnet');
    expect(stdout).toContain('zone:      Europe/Berlin (the site\'s zone)');
    expect(stdout).toMatch(/2026-11-19 18:05\+01:00 {2}"Gestern, 18:05 Uhr" {2}Unfall auf der B96/);
    expect(stdout).toContain('<https://nordbote.example/wetter/sturm>');
    expect(stdout).toMatch(/rejected: [1-9]/);
    expect(stdout).not.toMatch(/Tatort.*<|Tatort\s*$/m);
    expect(stdout).toContain('briefs, each item once: 3');
    // Nothing is stored or published.
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    expect(existsSync(path.join(dir, '.feedloom'))).toBe(false);
  });

  it('gives the whole reading as JSON, in the zone --timezone names', async () => {
    const { dir, file } = savedPage();
    const { stdout } = await run(process.execPath, [CLI, 'inspect', file, '--sources', path.join(dir, 'sources'), '--timezone', 'Asia/Tokyo', '--json']);
    const page = JSON.parse(stdout);
    expect(page.extract.timeZone).toEqual({ zone: 'Asia/Tokyo', from: 'context' });
    expect(page.extract.lead.title).toBe('Neue Brücke am Binnenhafen eröffnet');
    expect(page.extract.briefs.map((brief: { published: string }) => brief.published)).toEqual(['2026-11-19T09:05:00.000Z', '2026-11-19T07:40:00.000Z', '2026-11-19T00:12:00.000Z']);
    expect(page.extract.rejected.length).toBeGreaterThan(0);
    expect(page.capturedFrom).toBe('file time');
  });

  it('fetches a page given by URL', async () => {
    const server = await startFixtureServer();
    try {
      server.route('/hafen/bruecke', send(PAGE, { 'content-type': 'text/html; charset=iso-8859-1' }));
      const { dir } = savedPage();
      const { stdout } = await run(process.execPath, [CLI, 'inspect', server.url('/hafen/bruecke'), '--sources', path.join(dir, 'sources'), '--json']);
      const page = JSON.parse(stdout);
      expect(page.charset).toBe('utf-8');
      expect(page.capturedFrom).toBe('fetched now');
      expect(page.extract.url).toBe('https://nordbote.example/hafen/bruecke');
      expect(page.extract.briefs).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('exits 1 with a reason for a file it cannot read, a bad zone, or no page at all', async () => {
    const { dir } = savedPage();
    for (const args of [[path.join(dir, 'missing.html')], [path.join(dir, 'bruecke.html'), '--timezone', 'Mars/Olympus'], []]) {
      const failed = await run(process.execPath, [CLI, 'inspect', ...args, '--sources', path.join(dir, 'sources')]).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(/^feedloom inspect: /);
    }
  });
});
