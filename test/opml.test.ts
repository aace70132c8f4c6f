// OPML both ways: out/feeds.opml lists the feeds a pass publishes, and `feedloom import-opml`
// turns a subscription list into sources/<id>.yaml feed sources that `feedloom sources` reads
// (and exports again with --opml).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore, parseXml, passWithLogs, snapshot, TempDirs, writePage, type XmlNode } from './support/feed-site.js';
import { buildIfStale, CLI } from './support/built-cli.js';


const temps = new TempDirs();
afterAll(() => temps.cleanup());

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function outlines(node: XmlNode): XmlNode[] {
  return node.children.flatMap((child) => (child.local === 'outline' ? [child, ...outlines(child)] : []));
}

function element(parent: XmlNode, local: string): XmlNode {
  const found = parent.children.find((child) => child.local === local);
  expect(found, `<${parent.local}> has <${local}>`).toBeDefined();
  return found!;
}

describe('out/feeds.opml', () => {
  const SITE_URL = 'https://rivers.example.test/daily/';
  const SITE_TITLE = 'Rivers & <Lakes> "Daily"';
  const FEEDS = [
    { folder: '', title: SITE_TITLE },
    { folder: 'briefs/', title: 'Briefs & <short> "ones"' },
    { folder: 'port/', title: 'Port <news> & notices' },
  ];
  let out = '';

  beforeAll(async () => {
    const root = temps.make('opml-out');
    const sources = path.join(root, 'sources');
    out = path.join(root, 'out');
    writePage(sources, 'quay.txt', {
      url: 'https://rivers.example.test/daily/stories/quay',
      captured: '2026-02-14T20:00:00+00:00',
      lead: 'The quay lights are being replaced with LED lamps.',
      briefs: [
        { time: '19:10', topic: 'Port', text: 'Two barges are waiting for the lock to reopen.' },
        { time: '18:00', topic: 'Weather', text: 'Frost is likely on the river road overnight.' },
      ],
    });
    writeFileSync(
      path.join(sources, 'site.yaml'),
      [
        `title: '${SITE_TITLE}'`,
        `url: ${SITE_URL}`,
        'description: Riverside news & notices',
        'feeds:',
        `  - id: briefs`,
        `    title: '${FEEDS[1]!.title}'`,
        '    description: Short & sweet <briefs>',
        '    kind: brief',
        `  - id: port`,
        `    title: '${FEEDS[2]!.title}'`,
        '    category: Port',
        '',
      ].join('\n'),
    );
    const store = memoryStore();
    try {
      const { summary } = await passWithLogs({ sourcesDir: sources, outDir: out, store, now: () => new Date('2026-03-01T12:00:00Z') });
      expect(summary.sourcesFailed).toBe(0);
    } finally {
      store.close();
    }
  });

  it('is well-formed OPML 2.0 with every feed: title, rss.xml URL, site URL', () => {
    const xml = readFileSync(path.join(out, 'feeds.opml'), 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const { root } = parseXml(xml);
    expect(root.name).toBe('opml');
    expect(root.attributes.version).toBe('2.0');
    const head = element(root, 'head');
    expect(element(head, 'title').text).toBe(SITE_TITLE);
    const body = element(root, 'body');
    const listed = outlines(body);
    expect(listed.map((outline) => outline.attributes.xmlUrl)).toEqual(FEEDS.map((feed) => `${SITE_URL}${feed.folder}rss.xml`));
    for (const [index, outline] of listed.entries()) {
      const feed = FEEDS[index]!;
      expect(outline.attributes.type).toBe('rss');
      // OPML 2.0 requires text; readers show title where there is one.
      expect(outline.attributes.text).toBe(feed.title);
      expect(outline.attributes.title).toBe(feed.title);
      expect(outline.attributes.htmlUrl).toBe(SITE_URL);
      expect(existsSync(path.join(out, feed.folder, 'rss.xml')), `${feed.folder}rss.xml exists`).toBe(true);
      // The listed feed is the RSS file of the feed with that title.
      const rss = readFileSync(path.join(out, feed.folder, 'rss.xml'), 'utf8');
      const channel = element(parseXml(rss).root, 'channel');
      expect(element(channel, 'title').text).toBe(feed.title);
    }
    expect(listed[1]!.attributes.description).toBe('Short & sweet <briefs>');
  });

  it('escapes &, < and " in titles and never writes them raw', () => {
    const xml = readFileSync(path.join(out, 'feeds.opml'), 'utf8');
    expect(xml).toContain('&amp;');
    expect(xml).toContain('&lt;');
    expect(xml).toContain('&quot;');
    for (const raw of ['<Lakes>', '<short>', '<news>', '"Daily"', '& <']) expect(xml).not.toContain(raw);
  });

  it('dateModified is the newest entry change of any feed, not the clock', () => {
    const { root } = parseXml(readFileSync(path.join(out, 'feeds.opml'), 'utf8'));
    const modified = element(element(root, 'head'), 'dateModified').text;
    const newest = Math.max(
      ...FEEDS.flatMap((feed) =>
        (JSON.parse(readFileSync(path.join(out, feed.folder, 'feed.json'), 'utf8')) as { items: { date_modified: string }[] }).items.map((item) =>
          Date.parse(item.date_modified),
        ),
      ),
    );
    expect(modified).toBe(new Date(newest).toUTCString());
  });
});

/** A subscription list with nesting, a duplicate, bad schemes, an untitled feed and titles to escape. */
const SUBSCRIPTIONS = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My reader &amp; friends</title></head>
  <body>
    <outline text="Harbour News &amp; Notes" title="Harbour News &amp; Notes" type="rss" xmlUrl="https://harbour.example/feed.xml" htmlUrl="https://harbour.example/"/>
    <outline text="Valley">
      <outline text="Valley Radio" type="rss" xmlUrl="http://radio.example/rss"/>
      <outline text="Deeper">
        <outline text="Harbour News &amp; Notes" type="rss" xmlUrl="https://harbour.example/other.xml"/>
        <outline text="Harbour again" type="rss" xmlUrl="https://harbour.example/feed.xml"/>
      </outline>
    </outline>
    <outline text="Files" type="rss" xmlUrl="ftp://files.example/feed.xml"/>
    <outline text="Script" type="rss" xmlUrl="javascript:alert(1)"/>
    <outline text="Relative" type="rss" xmlUrl="/feed.xml"/>
    <outline type="rss" xmlUrl="https://untitled.example/atom"/>
    <outline text="Quotes &quot;&lt;Q&gt;&quot; weekly" type="rss" xmlUrl="https://quotes.example/feed"/>
    <outline text="Site" type="rss" xmlUrl="https://site.example/rss"/>
    <outline text="Already here" type="rss" xmlUrl="https://existing.example/feed.xml"/>
    <outline text="Café Crème" type="rss" xmlUrl="https://cafe.example/feed"/>
    <outline text="Just a link" htmlUrl="https://nofeed.example/"/>
  </body>
</opml>
`;

/** What the import must add, by URL: the title it keeps. */
const EXPECTED_ADDED: Record<string, string | undefined> = {
  'https://harbour.example/feed.xml': 'Harbour News & Notes',
  'http://radio.example/rss': 'Valley Radio',
  'https://harbour.example/other.xml': 'Harbour News & Notes',
  'https://untitled.example/atom': undefined,
  'https://quotes.example/feed': 'Quotes "<Q>" weekly',
  'https://site.example/rss': 'Site',
  'https://cafe.example/feed': 'Café Crème',
};

const EXISTING_SOURCE = 'kind: feed\nurl: https://existing.example/feed.xml\ntitle: Existing\n';
const RADIO_SOURCE = 'kind: feed\nurl: https://other-radio.example/feed\ntitle: Another radio\n';

describe('feedloom import-opml', () => {
  beforeAll(buildIfStale, 120_000);

  function importWorkspace() {
    const root = temps.make('opml-import');
    const sources = path.join(root, 'sources');
    mkdirSync(sources);
    writeFileSync(path.join(sources, 'site.yaml'), 'title: Reader\nurl: https://reader.example.test/\n');
    // An existing source with a URL the list repeats, and one whose id the list's "Valley Radio" would take.
    writeFileSync(path.join(sources, 'existing.yaml'), EXISTING_SOURCE);
    writeFileSync(path.join(sources, 'valley-radio.yaml'), RADIO_SOURCE);
    const opml = path.join(root, 'subscriptions.opml');
    writeFileSync(opml, SUBSCRIPTIONS);
    return { root, sources, opml, state: path.join(root, 'state', 'state.db') };
  }

  function readSources(dir: string): Map<string, { kind?: string; url?: string; title?: string }> {
    const found = new Map<string, { kind?: string; url?: string; title?: string }>();
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.yaml') || name === 'site.yaml') continue;
      found.set(name.slice(0, -'.yaml'.length), parseYaml(readFileSync(path.join(dir, name), 'utf8')) as { kind?: string; url?: string; title?: string });
    }
    return found;
  }

  // One import, shared by the next three tests (each spawn of the CLI costs a few hundred ms).
  let ws: ReturnType<typeof importWorkspace>;
  let result: CliResult;
  beforeAll(() => {
    ws = importWorkspace();
    result = cli(['import-opml', ws.opml, '--sources', ws.sources], ws.root);
  });

  it('adds a feed source per outline with an http(s) xmlUrl, nested ones too, and skips the rest', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const found = readSources(ws.sources);
    // Files that were there keep their bytes.
    expect(readFileSync(path.join(ws.sources, 'existing.yaml'), 'utf8')).toBe(EXISTING_SOURCE);
    expect(readFileSync(path.join(ws.sources, 'valley-radio.yaml'), 'utf8')).toBe(RADIO_SOURCE);
    found.delete('existing');
    found.delete('valley-radio');

    const byUrl = new Map([...found].map(([id, source]) => [source.url!, { id, ...source }]));
    expect([...byUrl.keys()].sort()).toEqual(Object.keys(EXPECTED_ADDED).sort());
    expect(found.size, 'one file per URL').toBe(byUrl.size);
    for (const [url, title] of Object.entries(EXPECTED_ADDED)) {
      const source = byUrl.get(url)!;
      expect(source.kind).toBe('feed');
      expect(source.title).toBe(title);
      expect(source.id).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    }
    // Slugs of the titles (of the host without one), made unique, never "site" (site.yaml's name).
    expect(byUrl.get('https://harbour.example/feed.xml')!.id).toBe('harbour-news-notes');
    expect(byUrl.get('https://harbour.example/other.xml')!.id).toMatch(/^harbour-news-notes-.+/);
    expect(byUrl.get('http://radio.example/rss')!.id).toMatch(/^valley-radio-.+/);
    expect(byUrl.get('https://untitled.example/atom')!.id).toBe('untitled-example');
    expect(byUrl.get('https://quotes.example/feed')!.id).toBe('quotes-q-weekly');
    expect(byUrl.get('https://cafe.example/feed')!.id).toBe('cafe-creme');
    expect(byUrl.get('https://site.example/rss')!.id).not.toBe('site');
    expect(readFileSync(path.join(ws.sources, 'site.yaml'), 'utf8')).toBe('title: Reader\nurl: https://reader.example.test/\n');

    // The report names what was added and what was skipped, and why.
    expect(result.stdout).toContain(`${Object.keys(EXPECTED_ADDED).length} added, 5 skipped`);
    for (const skipped of ['ftp://files.example/feed.xml', 'javascript:alert(1)', '/feed.xml', 'https://existing.example/feed.xml', 'https://harbour.example/feed.xml']) {
      expect(result.stdout).toMatch(new RegExp(`^skipped ${skipped.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s`, 'm'));
    }
  });

  it('a second import of the same list adds nothing and changes no file', () => {
    expect(result.status).toBe(0);
    const before = snapshot(ws.sources);
    const again = cli(['import-opml', ws.opml, '--sources', ws.sources], ws.root);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^0 added, \d+ skipped$/m);
    const after = snapshot(ws.sources);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, state] of before) expect(after.get(name)!.bytes.equals(state.bytes), name).toBe(true);
  });

  it('what it writes is read by `feedloom sources` (--json: new feed sources; --opml: the same URLs and titles)', () => {
    expect(result.status).toBe(0);
    const listed = cli(['sources', '--sources', ws.sources, '--state', ws.state, '--json'], ws.root);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    const rows = (JSON.parse(listed.stdout) as { sources: { source: string; kind: string; url: string | null; status: string }[] }).sources;
    const imported = rows.filter((row) => row.url !== null && row.url in EXPECTED_ADDED);
    expect(imported.map((row) => row.url).sort()).toEqual(Object.keys(EXPECTED_ADDED).sort());
    for (const row of imported) expect({ kind: row.kind, status: row.status }).toEqual({ kind: 'feed', status: 'new' });
    expect(rows.filter((row) => row.status === 'invalid')).toEqual([]);

    const exported = cli(['sources', '--sources', ws.sources, '--opml'], ws.root);
    expect(exported.status).toBe(0);
    const { root } = parseXml(exported.stdout);
    expect(root.attributes.version).toBe('2.0');
    const listedOutlines = outlines(element(root, 'body'));
    const exportedByUrl = new Map(listedOutlines.map((outline) => [outline.attributes.xmlUrl!, outline.attributes.title]));
    expect([...exportedByUrl.keys()].sort()).toEqual(
      [...Object.keys(EXPECTED_ADDED), 'https://existing.example/feed.xml', 'https://other-radio.example/feed'].sort(),
    );
    for (const [url, title] of Object.entries(EXPECTED_ADDED)) {
      // Untitled feeds are exported under their source id.
      if (title !== undefined) expect(exportedByUrl.get(url), url).toBe(title);
    }

    // Round trip: importing the export into an empty folder gives the same URLs and titles.
    const copy = path.join(ws.root, 'copy');
    mkdirSync(copy);
    const exportFile = path.join(ws.root, 'export.opml');
    writeFileSync(exportFile, exported.stdout);
    expect(cli(['import-opml', exportFile, '--sources', copy], ws.root).status).toBe(0);
    const copied = new Map([...readSources(copy).values()].map((source) => [source.url!, source.title]));
    expect([...copied.keys()].sort()).toEqual([...exportedByUrl.keys()].sort());
    for (const [url, title] of Object.entries(EXPECTED_ADDED)) if (title !== undefined) expect(copied.get(url), url).toBe(title);
  });

  it('a file that is not OPML exits 1 with a clear message and writes nothing', () => {
    const fresh = importWorkspace();
    const before = snapshot(fresh.sources);
    const rss = path.join(fresh.root, 'feed.xml');
    writeFileSync(rss, '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Not a list</title><item><link>https://x.example/</link></item></channel></rss>\n');
    const answer = cli(['import-opml', rss, '--sources', fresh.sources], fresh.root);
    expect(answer.status).toBe(1);
    expect(answer.stderr).toContain(rss);
    expect(answer.stderr).toMatch(/not an OPML document/i);
    expect(answer.stdout).toBe('');
    expect([...snapshot(fresh.sources).keys()]).toEqual([...before.keys()]);

    const missing = cli(['import-opml', path.join(fresh.root, 'missing.opml'), '--sources', fresh.sources], fresh.root);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/missing\.opml: cannot be read/);
  });

  it('never overwrites a file that is there, even one that is not a valid source, and still imports the rest', () => {
    // sources/harbour-news-notes.yaml exists but is not a valid source (no url): its id is
    // taken all the same, so the import must pick another id and carry on.
    const fresh = importWorkspace();
    const broken = 'kind: feed\n# url to be filled in\n';
    writeFileSync(path.join(fresh.sources, 'harbour-news-notes.yaml'), broken);
    const answer = cli(['import-opml', fresh.opml, '--sources', fresh.sources], fresh.root);
    expect(readFileSync(path.join(fresh.sources, 'harbour-news-notes.yaml'), 'utf8')).toBe(broken);
    expect(answer.stderr).toBe('');
    expect(answer.status).toBe(0);
    const urls = [...readSources(fresh.sources).values()].map((source) => source.url).filter((url): url is string => url !== undefined);
    expect(urls.filter((url) => url in EXPECTED_ADDED).sort()).toEqual(Object.keys(EXPECTED_ADDED).sort());
  });
});
