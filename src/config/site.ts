// sources/site.yaml -> SiteConfig. Every key is optional; every value is checked up front.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseYaml } from '../yaml.js';
import { ConfigError } from '../errors.js';
import type { EntryKind, FeedConfig, FetchSettings, SiteConfig } from '../model.js';
import { optional } from '../optional.js';
import { VERSION } from '../version.js';
import { DEFAULT_SCHEDULE, isCronExpression } from './cron-expression.js';
import { FieldReader, type YamlMap } from './fields.js';
import { parseStateLocation } from './state-location.js';
import { RESERVED_FEED_IDS } from '../layout.js';

export const SITE_FILE = 'site.yaml';
export const DEFAULT_BASE_URL = 'http://localhost:8080/';
export const DEFAULT_FEED_LIMIT = 50;
export const DEFAULT_BOILERPLATE = [
  'What is your opinion on this topic?',
  'Leave the first comment',
  'Leave a comment',
  'Comments',
  'Share this article',
  'Share',
];

const SITE_KEYS = ['title', 'description', 'url', 'language', 'timezone', 'author', 'schedule', 'boilerplate', 'feeds', 'fetch', 'hub', 'archive', 'state', 'max_page_bytes', 'site_id'] as const;
const FETCH_KEYS = ['connect_timeout', 'timeout', 'max_bytes', 'per_host', 'overall', 'parse_threads', 'allow_private'] as const;

/** Like a remote document's cap: no captured page is larger than a fetched one may be. */
export const DEFAULT_MAX_PAGE_BYTES = 5 * 1024 * 1024;

export const DEFAULT_FETCH: FetchSettings = {
  connectTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  maxBytes: 5 * 1024 * 1024,
  perHost: 2,
  overall: 16,
};
const FEED_KEYS = ['id', 'title', 'description', 'limit', 'sources', 'kind', 'category'] as const;

export interface SiteOverrides {
  baseUrl?: string;
  schedule?: string;
}

/**
 * Settings already read and checked, by what they were read from. A pass over unchanged sources
 * then skips parsing site.yaml and checking its time zone, which cost more than the pass itself.
 */
export interface SiteConfigCache {
  get(key: string): Promise<SiteConfig | undefined>;
  set(key: string, site: SiteConfig): Promise<void>;
}

/** Reads sources/site.yaml if it exists; throws ConfigError naming file, key and reason. */
export async function loadSiteConfig(sourcesDir: string, overrides: SiteOverrides = {}, cache?: SiteConfigCache): Promise<SiteConfig> {
  const file = path.join(sourcesDir, SITE_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`${file}: cannot be read`, { cause: error });
  }
  // The same text, flags and feedloom version always give the same settings.
  const key = createHash('sha1').update(JSON.stringify([VERSION, text ?? null, overrides])).digest('base64url');
  const cached = await cache?.get(key);
  if (cached) return cached;
  const site = parseSiteConfig(text, file, overrides);
  await cache?.set(key, site);
  return site;
}

function parseSiteConfig(text: string | undefined, file: string, overrides: SiteOverrides): SiteConfig {
  let document: unknown = {};
  if (text !== undefined) {
    try {
      document = parseYaml(text.replace(/^\uFEFF/, '')) ?? {};
    } catch (error) {
      throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }
  return readSiteConfig(document, file, overrides);
}

export function readSiteConfig(document: unknown, file: string, overrides: SiteOverrides = {}): SiteConfig {
  const read = new FieldReader(file);
  const map = read.map(document, '(top level)');
  read.rejectUnknown(map, SITE_KEYS);

  const url = withTrailingSlash(
    (overrides.baseUrl !== undefined ? new FieldReader('--base-url').absoluteUrl(overrides.baseUrl, 'base-url') : undefined) ??
      read.absoluteUrl(map.url, 'url') ??
      DEFAULT_BASE_URL,
  );
  const title = read.string(map.title, 'title') ?? 'feedloom';
  const schedule = overrides.schedule ?? read.string(map.schedule, 'schedule') ?? DEFAULT_SCHEDULE;
  if (!isCronExpression(schedule)) {
    const reason = `"${schedule}" is not a cron expression (such as "*/15 * * * *")`;
    // The flag's mistake is the flag's: site.yaml is not to blame.
    if (overrides.schedule !== undefined) throw new ConfigError(`--schedule: ${reason}`);
    read.fail('schedule', reason);
  }
  const extraBoilerplate = read.stringList(map.boilerplate, 'boilerplate') ?? [];
  const language = read.language(map.language, 'language');
  const siteId = read.string(map.site_id, 'site_id');
  return {
    title,
    description: read.string(map.description, 'description') ?? `Latest stories from ${title}`,
    url,
    // What a new state would take; an existing state's own namespace wins (worker/site-settings.ts).
    idNamespace: siteId ?? url,
    ...optional('siteId', siteId),
    ...(language ? { language } : {}),
    timezone: read.timezone(map.timezone, 'timezone') ?? 'UTC',
    author: read.person(map.author, 'author') ?? { name: title },
    schedule,
    boilerplate: [...DEFAULT_BOILERPLATE, ...extraBoilerplate],
    feeds: [defaultFeed(title, read.string(map.description, 'description')), ...readFeeds(read, map.feeds)],
    fetch: readFetch(read, map.fetch),
    ...optional('hub', read.absoluteUrl(map.hub, 'hub')),
    archive: readBoolean(read, map.archive, 'archive', false),
    ...optional('state', readState(read, map.state)),
    maxPageBytes: readMaxPageBytes(read, map.max_page_bytes),
  };
}

function readMaxPageBytes(read: FieldReader, value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_MAX_PAGE_BYTES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1024 * 1024 * 1024) read.fail('max_page_bytes', 'must be a whole number of bytes from 1 to 1073741824 (1 GiB)');
  return value as number;
}

function readState(read: FieldReader, value: unknown): string | undefined {
  const text = read.string(value, 'state');
  if (text === undefined) return undefined;
  try {
    parseStateLocation(text);
  } catch (error) {
    read.fail('state', (error as Error).message);
  }
  return text;
}

function defaultFeed(title: string, description: string | undefined): FeedConfig {
  return { id: '', title, ...(description ? { description } : {}), limit: DEFAULT_FEED_LIMIT, filter: {} };
}

/** NAME_MAX on Linux, macOS and Windows file systems alike: the longest name a folder may have. */
export const MAX_NAME_BYTES = 255;

function readFeeds(read: FieldReader, value: unknown): FeedConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) read.fail('feeds', 'must be a list of feeds');
  const seen = new Set<string>();
  return value.map((item, index) => {
    const key = `feeds[${index}]`;
    const map: YamlMap = read.map(item, key);
    read.rejectUnknown(map, FEED_KEYS, `${key}.`);
    const id = read.string(map.id, `${key}.id`) ?? read.fail(`${key}.id`, 'is required');
    // The id becomes a folder name under out/ and part of public URLs.
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(id)) read.fail(`${key}.id`, `"${id}" must be lowercase letters, digits, "-" or "_"`);
    if (Buffer.byteLength(id) > MAX_NAME_BYTES) read.fail(`${key}.id`, `"${id.slice(0, 40)}…" is ${Buffer.byteLength(id)} bytes long; it names a folder in the output, and a file name may be at most ${MAX_NAME_BYTES} bytes`);
    if (RESERVED_FEED_IDS.includes(id)) read.fail(`${key}.id`, `"${id}" is taken by feedloom's own files (${RESERVED_FEED_IDS.join(', ')})`);
    if (seen.has(id)) read.fail(`${key}.id`, `"${id}" is used by another feed`);
    seen.add(id);
    const title = read.string(map.title, `${key}.title`) ?? read.fail(`${key}.title`, 'is required');
    const description = read.string(map.description, `${key}.description`);
    return {
      id,
      title,
      ...(description ? { description } : {}),
      limit: readLimit(read, map.limit, `${key}.limit`),
      filter: {
        ...optional('sources', read.stringList(map.sources, `${key}.sources`)),
        ...optional('kind', readKind(read, map.kind, `${key}.kind`)),
        ...optional('categories', read.stringList(map.category, `${key}.category`)),
      },
    };
  });
}

/** `fetch:` takes seconds and bytes, the units operators think in. */
function readFetch(read: FieldReader, value: unknown): FetchSettings {
  if (value === undefined || value === null) return DEFAULT_FETCH;
  const map = read.map(value, 'fetch');
  read.rejectUnknown(map, FETCH_KEYS, 'fetch.');
  const number = (key: (typeof FETCH_KEYS)[number], fallback: number, max: number): number => {
    const raw = map[key];
    if (raw === undefined || raw === null) return fallback;
    if (typeof raw !== 'number' || !(raw > 0) || raw > max) read.fail(`fetch.${key}`, `must be a number above 0 and at most ${max}`);
    return raw as number;
  };
  return {
    connectTimeoutMs: number('connect_timeout', DEFAULT_FETCH.connectTimeoutMs / 1000, 300) * 1000,
    totalTimeoutMs: number('timeout', DEFAULT_FETCH.totalTimeoutMs / 1000, 600) * 1000,
    maxBytes: Math.floor(number('max_bytes', DEFAULT_FETCH.maxBytes, 1024 * 1024 * 1024)),
    perHost: Math.floor(number('per_host', DEFAULT_FETCH.perHost, 64)),
    overall: Math.floor(number('overall', DEFAULT_FETCH.overall, 1024)),
    ...optional('parseThreads', readParseThreads(read, map.parse_threads)),
    ...(readBoolean(read, map.allow_private, 'fetch.allow_private', false) ? { allowPrivate: true } : {}),
  };
}

/** Worker threads that parse fetched documents and changed pages; 0 parses them on the pass's own thread. */
function readParseThreads(read: FieldReader, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 16) read.fail('fetch.parse_threads', 'must be a whole number from 0 to 16');
  return value as number;
}

function readBoolean(read: FieldReader, value: unknown, key: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') read.fail(key, 'must be true or false');
  return value as boolean;
}

function readLimit(read: FieldReader, value: unknown, key: string): number {
  if (value === undefined || value === null) return DEFAULT_FEED_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) read.fail(key, 'must be a whole number from 1 to 1000');
  return value;
}

function readKind(read: FieldReader, value: unknown, key: string): EntryKind | undefined {
  const text = read.string(value, key);
  if (text === undefined) return undefined;
  if (text !== 'lead' && text !== 'brief') read.fail(key, `"${text}" must be "lead" or "brief"`);
  return text;
}


function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
