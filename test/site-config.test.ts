import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileGlob, sourceMatcher } from '../src/shared/source-glob.js';
import { loadSiteConfig, readSiteConfig } from '../src/config/site.js';
import { ConfigError } from '../src/errors.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { defaultParseThreads, documentParser, INLINE, THREADS_FROM_SOURCES } from '../src/worker/parse-threads.js';
import { readSettingsBeforeState } from '../src/worker/site-settings.js';

const FILE = 'sources/site.yaml';

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('readSiteConfig defaults', () => {
  const site = readSiteConfig({}, FILE);

  it('serves from http://localhost:8080/ in UTC every quarter hour', () => {
    expect(site.url).toBe('http://localhost:8080/');
    expect(site.timezone).toBe('UTC');
    expect(site.schedule).toBe('*/15 * * * *');
  });

  it('has one default feed of 50 entries with no filter', () => {
    expect(site.feeds).toEqual([{ id: '', title: 'feedloom', limit: 50, filter: {} }]);
  });

  it('drops the built-in comment prompts', () => {
    expect(site.boilerplate).toContain('What is your opinion on this topic?');
    expect(site.boilerplate).toContain('Leave the first comment');
  });

  it('adds site boilerplate lines to the built-in ones', () => {
    const withExtra = readSiteConfig({ boilerplate: ['Sign up for the Sunday digest'] }, FILE);
    expect(withExtra.boilerplate).toContain('Leave the first comment');
    expect(withExtra.boilerplate).toContain('Sign up for the Sunday digest');
  });

  it('adds a trailing slash to the url', () => {
    expect(readSiteConfig({ url: 'https://millbrook-gazette.example/news' }, FILE).url).toBe('https://millbrook-gazette.example/news/');
  });

  it('lets --base-url override the url from the file', () => {
    const site = readSiteConfig({ url: 'https://millbrook-gazette.example/' }, FILE, { baseUrl: 'https://cdn.millbrook-gazette.example/feeds' });
    expect(site.url).toBe('https://cdn.millbrook-gazette.example/feeds/');
  });
});

describe('readSiteConfig errors name the file, the key and the reason', () => {
  it('rejects an unknown key', () => {
    const { message } = configError(() => readSiteConfig({ title: 'Millbrook Gazette', colour: 'teal' }, FILE));
    expect(message).toContain(FILE);
    expect(message).toContain('key "colour"');
    expect(message).toContain('unknown key');
  });

  it('rejects a feed id too long to name a folder, before anything is written', () => {
    const id = 'a'.repeat(300);
    const { message } = configError(() => readSiteConfig({ feeds: [{ id, title: 'Long', kind: 'brief' }] }, FILE));
    expect(message).toContain('feeds[0].id');
    expect(message).toContain('300 bytes');
    expect(readSiteConfig({ feeds: [{ id: 'a'.repeat(255), title: 'Longest', kind: 'brief' }] }, FILE).feeds.map((feed) => feed.id.length)).toContain(255);
  });

  it('rejects a url that is not absolute', () => {
    const { message } = configError(() => readSiteConfig({ url: 'millbrook-gazette dot example' }, FILE));
    expect(message).toContain(FILE);
    expect(message).toContain('key "url"');
    expect(message).toContain('is not an absolute URL');
  });

  it('rejects a url that is not http or https', () => {
    const { message } = configError(() => readSiteConfig({ url: 'ftp://millbrook-gazette.example/' }, FILE));
    expect(message).toContain('key "url"');
    expect(message).toContain('must be an http or https URL');
  });

  it('rejects an unknown time zone', () => {
    const { message } = configError(() => readSiteConfig({ timezone: 'Europe/Millbrook' }, FILE));
    expect(message).toContain(FILE);
    expect(message).toContain('key "timezone"');
    expect(message).toContain('"Europe/Millbrook" is not an IANA time zone name');
  });

  it('rejects a schedule that is not a cron expression', () => {
    const { message } = configError(() => readSiteConfig({ schedule: 'every quarter hour' }, FILE));
    expect(message).toContain(FILE);
    expect(message).toContain('key "schedule"');
    expect(message).toContain('is not a cron expression');
  });

  it('rejects an invalid feed kind', () => {
    const { message } = configError(() => readSiteConfig({ feeds: [{ id: 'columns', title: 'Columns', kind: 'column' }] }, FILE));
    expect(message).toContain(FILE);
    expect(message).toContain('key "feeds[0].kind"');
    expect(message).toContain('"column" must be "lead" or "brief"');
  });

  it('rejects a duplicate feed id', () => {
    const feeds = [
      { id: 'sport', title: 'Sport' },
      { id: 'sport', title: 'More sport' },
    ];
    const { message } = configError(() => readSiteConfig({ feeds }, FILE));
    expect(message).toContain(FILE);
    expect(message).toContain('key "feeds[1].id"');
    expect(message).toContain('is used by another feed');
  });

  it('rejects a feed limit outside 1..1000', () => {
    const { message } = configError(() => readSiteConfig({ feeds: [{ id: 'sport', title: 'Sport', limit: 0 }] }, FILE));
    expect(message).toContain('key "feeds[0].limit"');
  });
});

describe('state', () => {
  it('takes a file path or a postgres:// or postgresql:// URL, and is absent by default', () => {
    expect(readSiteConfig({}, FILE).state).toBeUndefined();
    expect(readSiteConfig({ state: 'var/feedloom.db' }, FILE).state).toBe('var/feedloom.db');
    expect(readSiteConfig({ state: 'postgres://feedloom@db.example/news' }, FILE).state).toBe('postgres://feedloom@db.example/news');
    expect(readSiteConfig({ state: 'postgresql:///news' }, FILE).state).toBe('postgresql:///news');
  });

  it('rejects another kind of URL, naming file, key and reason, and never the password', () => {
    const { message } = configError(() => readSiteConfig({ state: 'redis://feedloom:hunter2@cache.example:6379' }, FILE));
    expect(message).toContain(FILE);
    expect(message).toContain('key "state"');
    expect(message).toContain('must be a file path or a postgres:// URL');
    expect(message).not.toContain('hunter2');
  });

  it('rejects a postgres URL that does not parse, and an empty value', () => {
    expect(configError(() => readSiteConfig({ state: 'postgres://feedloom:pw@[db.example/news' }, FILE)).message).toContain('is not a valid postgres:// URL');
    expect(configError(() => readSiteConfig({ state: '' }, FILE)).message).toContain('key "state": must not be empty');
  });
});

describe('feeds', () => {
  it('reads sources globs, kind and a single category as a list', () => {
    const site = readSiteConfig(
      {
        title: 'Millbrook Gazette',
        feeds: [
          { id: 'river', title: 'River news', sources: 'river/*.txt', kind: 'brief', category: 'Floods' },
          { id: 'transport', title: 'Getting around', description: 'Roads and rail', limit: 10, sources: ['roads/**', 'rail/*.txt'], category: ['Roads', 'Rail'] },
        ],
      },
      FILE,
    );
    expect(site.feeds).toEqual([
      { id: '', title: 'Millbrook Gazette', limit: 50, filter: {} },
      { id: 'river', title: 'River news', limit: 50, filter: { sources: ['river/*.txt'], kind: 'brief', categories: ['Floods'] } },
      {
        id: 'transport',
        title: 'Getting around',
        description: 'Roads and rail',
        limit: 10,
        filter: { sources: ['roads/**', 'rail/*.txt'], categories: ['Roads', 'Rail'] },
      },
    ]);
  });
});

describe('loadSiteConfig', () => {
  const folders: string[] = [];
  const folderWith = (yaml?: string): string => {
    const folder = mkdtempSync(path.join(tmpdir(), 'feedloom-site-'));
    folders.push(folder);
    if (yaml !== undefined) writeFileSync(path.join(folder, 'site.yaml'), yaml);
    return folder;
  };
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('uses the defaults when there is no site.yaml', async () => {
    const site = await loadSiteConfig(folderWith());
    expect(site.url).toBe('http://localhost:8080/');
    expect(site.timezone).toBe('UTC');
    expect(site.schedule).toBe('*/15 * * * *');
    expect(site.feeds[0]?.limit).toBe(50);
  });

  it('reads a site.yaml that starts with a byte order mark', async () => {
    const site = await loadSiteConfig(folderWith('\uFEFFtitle: Millbrook Gazette\ntimezone: Europe/Lisbon\n'));
    expect(site.title).toBe('Millbrook Gazette');
    expect(site.timezone).toBe('Europe/Lisbon');
  });

  it('names the file when the YAML is invalid', async () => {
    const folder = folderWith('title: Millbrook Gazette\nfeeds: [ { id: sport\n');
    const error = await loadSiteConfig(folder).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(path.join(folder, 'site.yaml'));
    expect((error as ConfigError).message).toContain('not valid YAML');
  });

  it('names the file and key when a value is wrong', async () => {
    const folder = folderWith('title: Millbrook Gazette\nschedule: "61 * * * *"\n');
    await expect(loadSiteConfig(folder)).rejects.toThrow(`${path.join(folder, 'site.yaml')}: key "schedule"`);
  });

  it('lets --schedule override the file and names the option when it is wrong', async () => {
    const folder = folderWith('schedule: "*/5 * * * *"\n');
    expect((await loadSiteConfig(folder, { schedule: '0 * * * *' })).schedule).toBe('0 * * * *');
    const error = await loadSiteConfig(folder, { schedule: 'hourly' }).catch((thrown: Error) => thrown);
    expect((error as Error).message).toBe('--schedule: "hourly" is not a cron expression (such as "*/15 * * * *")');
    // The flag is wrong, not the file.
    expect((error as Error).message).not.toContain('site.yaml');
  });
});

describe('source globs', () => {
  it('keeps "*" inside one folder', () => {
    const glob = compileGlob('river/*.txt');
    expect(glob.test('river/floods.txt')).toBe(true);
    expect(glob.test('river/2026/floods.txt')).toBe(false);
    expect(glob.test('riverside/floods.txt')).toBe(false);
  });

  it('lets "**/" cross any number of folders, including none', () => {
    const glob = compileGlob('**/*.txt');
    expect(glob.test('floods.txt')).toBe(true);
    expect(glob.test('river/floods.txt')).toBe(true);
    expect(glob.test('river/2026/09/floods.txt')).toBe(true);
    expect(glob.test('river/floods.md')).toBe(false);
  });

  it('lets a trailing "**" match everything below a folder', () => {
    const glob = compileGlob('roads/**');
    expect(glob.test('roads/bypass.txt')).toBe(true);
    expect(glob.test('roads/2026/bypass.txt')).toBe(true);
    expect(glob.test('rail/bypass.txt')).toBe(false);
  });

  it('matches one character, never a slash, with "?"', () => {
    const glob = compileGlob('day-?.txt');
    expect(glob.test('day-7.txt')).toBe(true);
    expect(glob.test('day-17.txt')).toBe(false);
    expect(compileGlob('a?b.txt').test('a/b.txt')).toBe(false);
  });

  it('takes regular-expression characters literally', () => {
    expect(compileGlob('notes.txt').test('notesXtxt')).toBe(false);
    expect(compileGlob('q+a (2026).txt').test('q+a (2026).txt')).toBe(true);
    expect(compileGlob('q+a (2026).txt').test('qqa 2026.txt')).toBe(false);
    expect(compileGlob('[draft].txt').test('d.txt')).toBe(false);
    expect(compileGlob('[draft].txt').test('[draft].txt')).toBe(true);
  });

  it('matches the whole path, not a part of it', () => {
    expect(compileGlob('floods.txt').test('river/floods.txt')).toBe(false);
    expect(compileGlob('river').test('river/floods.txt')).toBe(false);
  });

  it('sourceMatcher matches everything without globs and any of several globs', () => {
    expect(sourceMatcher(undefined)('anything/at/all.txt')).toBe(true);
    expect(sourceMatcher([])('anything/at/all.txt')).toBe(true);
    const matches = sourceMatcher(['river/*.txt', 'roads/**']);
    expect(matches('river/floods.txt')).toBe(true);
    expect(matches('roads/2026/bypass.txt')).toBe(true);
    expect(matches('schools/term-dates.txt')).toBe(false);
  });
});

describe('fetch.parse_threads', () => {
  it('is one thread per core up to 4 unless set, none on one core, and 0 to 16 when set', () => {
    expect(readSiteConfig({}, FILE).fetch.parseThreads).toBeUndefined();
    expect(defaultParseThreads(1)).toBe(0);
    expect(defaultParseThreads(2)).toBe(2);
    expect(defaultParseThreads(32)).toBe(4);
    expect(readSiteConfig({ fetch: { parse_threads: 0 } }, FILE).fetch.parseThreads).toBe(0);
    expect(readSiteConfig({ fetch: { parse_threads: 3 } }, FILE).fetch.parseThreads).toBe(3);
    for (const wrong of [-1, 1.5, 17, 'two']) {
      expect(configError(() => readSiteConfig({ fetch: { parse_threads: wrong } }, FILE))).toMatchObject({
        stage: 'config',
        code: 'CONFIG_INVALID',
        message: 'sources/site.yaml: key "fetch.parse_threads": must be a whole number from 0 to 16',
      });
    }
  });

  it('parses on the pass\'s own thread when set to 0, or when a pass reads few documents', () => {
    expect(documentParser(1000, 0)).toBe(INLINE);
    expect(documentParser(THREADS_FROM_SOURCES - 1, 4)).toBe(INLINE);
  });
});

describe('settings remembered in the state', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function sourcesWith(siteYaml: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'feedloom-settings-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'site.yaml'), siteYaml);
    return dir;
  }

  it('are read from the state that may hold them and written only to the state the pass uses', async () => {
    const sources = sourcesWith('title: Quay Post\n');
    const [looked, used] = [SqliteStore.open(':memory:'), SqliteStore.open(':memory:')];
    try {
      // Parsed (nothing remembered yet): kept back until the pass knows its state.
      const first = await readSettingsBeforeState(sources, {}, looked);
      expect(first.site.title).toBe('Quay Post');
      expect(await looked.meta('site_config')).toBeUndefined();
      await first.rememberIn(used);
      expect(JSON.parse((await used.meta('site_config'))!).site.title).toBe('Quay Post');

      // Remembered: taken from the state as it is, and site.yaml is not parsed again. The title
      // stored is changed behind its back to tell the two apart.
      const remembered = JSON.parse((await used.meta('site_config'))!) as { key: string; site: { title: string } };
      await used.setMeta('site_config', JSON.stringify({ ...remembered, site: { ...remembered.site, title: 'From the state' } }));
      const second = await readSettingsBeforeState(sources, {}, used);
      expect(second.site.title).toBe('From the state');
      await second.rememberIn(looked);
      expect(await looked.meta('site_config')).toBeUndefined();

      // Another site.yaml, or other flags, are other settings.
      expect((await readSettingsBeforeState(sources, { baseUrl: 'https://quay.example/' }, used)).site.title).toBe('Quay Post');
    } finally {
      await looked.close();
      await used.close();
    }
  });
});
