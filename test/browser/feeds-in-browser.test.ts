// The published feeds in a real browser: Debian's Chromium, driven by playwright-core, against
// `feedloom serve` as a child process over an out/ made by a real pass over test/fixtures/pages.
// A person who opens index.html, rss.xml or atom.xml must see the newest entries' titles (for a
// feed, the server sends its page for people), index.html must announce every feed, and the
// pages must fit a phone.
// Screenshots go to test/screenshots/ (gitignored) for a person to look at.
// Run with `npm run test:browser`; it needs `apt-get install chromium` (or CHROMIUM_PATH).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PAGES = path.join(ROOT, 'test', 'fixtures', 'pages');
const SCREENSHOTS = path.join(ROOT, 'test', 'screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** What the index shows of each feed. */
const NEWEST_SHOWN = 5;

function chromiumPath(): string {
  // CHROMIUM_PATH, when set, is the only place looked at: a wrong path must not be papered over.
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium'];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(
      `Chromium not found (looked at ${candidates.join(', ')}). The browser tests need it: run \`apt-get install chromium\` ` +
        '(Debian), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  }
  return found;
}

interface JsonFeed {
  title: string;
  home_page_url: string;
  feed_url: string;
  items: { id: string; url: string; title: string }[];
}

interface FeedInfo {
  /** '' for the default feed, else its folder. */
  folder: string;
  /** The section id on index.html. */
  section: string;
  json: JsonFeed;
}

let root: string;
let out: string;
let browser: Browser;
let server: ChildProcess | undefined;
let serverExited: Promise<number | null>;
let origin: string;
let feeds: FeedInfo[];
const contexts: BrowserContext[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts `feedloom serve` and resolves once it logs that it is serving. */
async function startServe(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--out', out, '--state', path.join(root, 'state', 'state.db'), '--sources', path.join(root, 'sources')], {
    cwd: ROOT,
    env: { ...process.env, FEEDLOOM_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serverExited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`feedloom serve did not start in 15 s:\n${stdout}\n${stderr}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.split('\n').some((line) => line.includes('"msg":"serving feeds"'))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`feedloom serve exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
  return child;
}

/** Why setup failed; every test then fails with it (a missing browser is a failure, not a skip). */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error as Error;
  }
});

/** `it`, failing at once with the setup's error when there is one. */
function check(name: string, body: () => Promise<void> | void): void {
  it(name, async () => {
    if (setupError) throw setupError;
    await body();
  });
}

async function setUp(): Promise<void> {
  const executablePath = chromiumPath();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing; run \`npm run build\` (npm run test:browser does)`);
  root = mkdtempSync(path.join(tmpdir(), 'feedloom-browser-'));
  cpSync(PAGES, path.join(root, 'sources'), { recursive: true });
  out = path.join(root, 'out');
  const pass = spawnSync(process.execPath, [CLI, 'run', '--sources', path.join(root, 'sources'), '--out', out, '--state', path.join(root, 'state', 'state.db')], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (pass.status !== 0) throw new Error(`feedloom run exited ${pass.status}:\n${pass.stdout}\n${pass.stderr}`);
  feeds = ['', 'desk'].map((folder) => ({
    folder,
    section: folder || 'default',
    json: JSON.parse(readFileSync(path.join(out, folder, 'feed.json'), 'utf8')) as JsonFeed,
  }));
  const port = await freePort();
  server = await startServe(port);
  origin = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  mkdirSync(SCREENSHOTS, { recursive: true });
}

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await serverExited;
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Visit {
  page: Page;
  status: number;
  contentType: string;
  /** Requests the page made that failed or were answered 4xx/5xx (favicon.ico excepted). */
  failed: string[];
  pageErrors: string[];
  console: string[];
}

async function visit(target: string, options: { width?: number; height?: number; isMobile?: boolean } = {}): Promise<Visit> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1000, height: options.height ?? 800 },
    ...(options.isMobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 3 } : {}),
  });
  contexts.push(context);
  const page = await context.newPage();
  const failed: string[] = [];
  const pageErrors: string[] = [];
  const console: string[] = [];
  page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) failed.push(`${response.url()} ${response.status()}`);
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
  const response = await page.goto(`${origin}${target}`, { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${target}`);
  return { page, status: response.status(), contentType: (await response.headerValue('content-type')) ?? '', failed, pageErrors, console };
}

/** Waits until the text is rendered and visible (XSLT replaces the document after load). */
async function expectVisibleText(page: Page, text: string, scope = 'body'): Promise<void> {
  const locator = page.locator(scope).getByText(text, { exact: true }).first();
  await locator.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
    throw new Error(`"${text}" is not visible in ${scope} on ${page.url()}`);
  });
  expect(await locator.isVisible()).toBe(true);
}

async function visibleText(page: Page): Promise<string> {
  return page.locator('body').innerText();
}

/** 'html' once the stylesheet has turned a feed into a page; 'rss' or 'feed' for the raw XML tree. */
async function rootElementName(page: Page): Promise<string> {
  return page.evaluate<string>('document.documentElement.localName');
}

async function noHorizontalScroll(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  // A string, evaluated in the page: this project's tsconfig has no DOM types.
  return page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
}

function newest(feed: FeedInfo): string[] {
  return feed.json.items.slice(0, NEWEST_SHOWN).map((item) => item.title);
}

describe('feeds in Chromium', () => {
  check('the fixture pass gave both feeds entries to look for', () => {
    for (const feed of feeds) expect(feed.json.items.length, feed.section).toBeGreaterThanOrEqual(3);
  });

  check('index.html shows every feed with its newest entries', async () => {
    const { page, status, contentType, failed, pageErrors } = await visit('/');
    expect(status).toBe(200);
    expect(contentType).toBe('text/html; charset=utf-8');
    for (const feed of feeds) {
      await expectVisibleText(page, feed.json.title, `section#${feed.section} h2`);
      for (const title of newest(feed)) await expectVisibleText(page, title, `section#${feed.section}`);
      // And nothing older than the newest five.
      for (const older of feed.json.items.slice(NEWEST_SHOWN)) {
        expect(await page.locator(`section#${feed.section}`).getByText(older.title, { exact: true }).count(), older.title).toBe(0);
      }
    }
    expect(failed).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'index.png'), fullPage: true });
  });

  check('index.html has autodiscovery links for every feed in every format', async () => {
    const { page } = await visit('/');
    const links = await page.$$eval('head link[rel="alternate"]', (elements) =>
      elements.map((element) => ({ type: element.getAttribute('type'), title: element.getAttribute('title'), href: element.getAttribute('href') })),
    );
    const expected = feeds.flatMap((feed) => {
      const folderUrl = feed.json.feed_url.replace(/feed\.json$/, '');
      return [
        { type: 'application/rss+xml', title: `${feed.json.title} (RSS)`, href: `${folderUrl}rss.xml` },
        { type: 'application/atom+xml', title: `${feed.json.title} (Atom)`, href: `${folderUrl}atom.xml` },
        { type: 'application/feed+json', title: `${feed.json.title} (JSON Feed)`, href: feed.json.feed_url },
      ];
    });
    expect(links).toEqual(expected);
    // Every feed the pass wrote is announced, and every announced feed is one the pass wrote.
    const opml = readFileSync(path.join(out, 'feeds.opml'), 'utf8');
    const opmlFeeds = [...opml.matchAll(/xmlUrl="([^"]+)"/g)].map((match) => match[1]);
    expect(links.filter((link) => link.type === 'application/rss+xml').map((link) => link.href)).toEqual(opmlFeeds);
    // The announced addresses are the public ones; on this server they are the same paths.
    for (const link of links) {
      const local = link.href!.replace(feeds[0]!.json.home_page_url, '/');
      const response = await page.request.get(`${origin}${local}`);
      expect(response.status(), local).toBe(200);
      expect(response.headers()['content-type'], local).toBe(`${link.type}; charset=utf-8`);
    }
  });

  check('/rss.xml shows as a page with the newest titles', async () => {
    const { page, status, contentType, failed, pageErrors } = await visit('/rss.xml');
    expect(status).toBe(200);
    // A browser asks for HTML first, so the server sends the feed's page for people
    // (application/rss+xml would be downloaded, and Chromium is dropping XSLT).
    expect(contentType).toBe('text/html; charset=utf-8');
    const feed = feeds[0]!;
    await expectVisibleText(page, feed.json.title, 'h1');
    for (const title of newest(feed)) await expectVisibleText(page, title, 'li');
    expect(await visibleText(page)).toContain('This is a web feed.');
    // A page, not Chromium's raw XML tree.
    expect(await rootElementName(page)).toBe('html');
    expect(await page.title()).toBe(`${feed.json.title} (feed)`);
    expect(failed).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'rss.png'), fullPage: true });
  });

  check('/atom.xml shows as a page with the newest titles and working links', async () => {
    const { page, status, contentType, failed, pageErrors } = await visit('/atom.xml');
    expect(status).toBe(200);
    expect(contentType).toBe('text/html; charset=utf-8');
    const feed = feeds[0]!;
    await expectVisibleText(page, feed.json.title, 'h1');
    for (const title of newest(feed)) await expectVisibleText(page, title, 'li');
    expect(await rootElementName(page)).toBe('html');
    // Each title links to its entry, as the JSON Feed says.
    for (const item of feed.json.items.slice(0, NEWEST_SHOWN)) {
      expect(await page.locator('li a').getByText(item.title, { exact: true }).first().getAttribute('href'), item.title).toBe(item.url);
    }
    expect(failed).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'atom.png'), fullPage: true });
  });

  check('a feed folder\'s rss.xml (desk/rss.xml) shows as that feed\'s page', async () => {
    const { page, status, contentType, failed, pageErrors } = await visit('/desk/rss.xml');
    expect(status).toBe(200);
    expect(contentType).toBe('text/html; charset=utf-8');
    const feed = feeds[1]!;
    await expectVisibleText(page, feed.json.title, 'h1');
    for (const title of newest(feed)) await expectVisibleText(page, title, 'li');
    expect(failed).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'desk-rss.png'), fullPage: true });
  });

  check('nothing the browser adds covers a rendered feed page (no XSLT deprecation banner over it)', async () => {
    // Chromium 14x-15x deprecates XSLT: it injects an <xslt-warning-banner> popover over pages
    // made by an xml-stylesheet instruction, and from M158 it shows the raw XML tree instead.
    const problems: string[] = [];
    for (const target of ['/rss.xml', '/atom.xml', '/desk/rss.xml']) {
      const { page, console } = await visit(target);
      await page.locator('h1').first().waitFor({ state: 'visible' });
      await page.waitForTimeout(500);
      const covered = await page.evaluate<string[]>(`(() => {
        const found = [];
        for (const selector of ['p.note', 'h1']) {
          const element = document.querySelector(selector);
          if (!element) { found.push(selector + ' is missing'); continue; }
          const box = element.getBoundingClientRect();
          for (const [x, y] of [[box.left + 4, box.top + 4], [box.left + box.width / 2, box.top + box.height / 2]]) {
            const hit = document.elementFromPoint(x, y);
            if (!element.contains(hit)) found.push(selector + ' is covered by <' + (hit ? hit.localName : 'nothing') + '>');
          }
        }
        if (document.querySelector('xslt-warning-banner')) found.push('<xslt-warning-banner> is on the page');
        return [...new Set(found)];
      })()`);
      const warnings = console.filter((line) => /XSLT/.test(line));
      if (covered.length > 0) problems.push(`${target}: ${covered.join('; ')}${warnings.length > 0 ? ` (console: ${warnings.join(' | ')})` : ''}`);
    }
    expect(problems).toEqual([]);
  });

  check('the subscribe links on index.html lead to the rendered feeds', async () => {
    const { page } = await visit('/');
    const desk = feeds[1]!;
    await page.locator('section#desk .subscribe').getByText('Atom', { exact: true }).click();
    await page.waitForURL(`${origin}/desk/atom.xml`);
    await expectVisibleText(page, desk.json.title, 'h1');
    await expectVisibleText(page, newest(desk)[0]!, 'li');
  });

  check('index.html and the feed pages fit a 390 px phone screen without horizontal scrolling', async () => {
    for (const target of ['/', '/rss.xml', '/atom.xml']) {
      const { page } = await visit(target, { width: 390, height: 844, isMobile: true });
      await page.locator('h1').first().waitFor({ state: 'visible' });
      const { scrollWidth, innerWidth } = await noHorizontalScroll(page);
      expect(innerWidth, `${target}: the viewport meta tag should make the layout viewport the device width`).toBe(390);
      expect(scrollWidth, `${target} is ${scrollWidth} px wide on a ${innerWidth} px screen`).toBeLessThanOrEqual(innerWidth);
      if (target === '/') {
        for (const title of newest(feeds[0]!)) await expectVisibleText(page, title, 'section#default');
        await page.screenshot({ path: path.join(SCREENSHOTS, 'index-phone.png'), fullPage: true });
      }
    }
  });
});
