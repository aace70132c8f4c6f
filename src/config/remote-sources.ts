// sources/<id>.yaml -> RemoteSourceDef: feeds and HTML pages that live on other servers.
// The file name is the source id. Each file is checked on its own: one bad file is that
// source's failure, never the others'.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../yaml.js';
import { ConfigError } from '../errors.js';
import { isCronExpression } from './cron-expression.js';
import { FieldReader } from './fields.js';
import { SITE_FILE } from './site.js';

export interface PageSelectors {
  leadTitle?: string;
  leadBody?: string;
  brief?: string;
  briefTime?: string;
  briefTopic?: string;
  briefText?: string;
}

export interface RemoteSourceDef {
  id: string;
  /** Path relative to sources/, for log lines. */
  file: string;
  kind: 'feed' | 'page';
  url: string;
  /** Pages only: `html` is read with its selectors, or found by itself without them; `text` like a captured *.txt page. */
  format: 'html' | 'text';
  selectors: PageSelectors;
  schedule?: string;
  timezone?: string;
  language?: string;
  maxEntries?: number;
  headers: Record<string, string>;
  /** Header names (lower case) among `headers` that are credentials, sent only to the configured origin. */
  secretHeaders?: string[];
  /** Who wrote the file: `import-opml` for sources added from someone else's list. */
  addedBy?: 'import-opml';
  enabled: boolean;
  title?: string;
}

/** The `added_by` value import-opml writes: such a source never reaches private addresses unless allowed. */
export const ADDED_BY_OPML_IMPORT = 'import-opml';

const KEYS = ['kind', 'url', 'format', 'selectors', 'schedule', 'timezone', 'language', 'max_entries', 'headers', 'secret_headers', 'added_by', 'enabled', 'title'] as const;
const SELECTOR_KEYS = ['lead_title', 'lead_body', 'brief', 'brief_time', 'brief_topic', 'brief_text'] as const;
const SOURCE_FILE = /^([a-z0-9][a-z0-9_-]*)\.ya?ml$/;

export interface RemoteSourceList {
  sources: RemoteSourceDef[];
  /** Files that could not be read as a source, with the reason. */
  /** `id` when the file name is a valid source id, so the source's health can say it failed. */
  invalid: { file: string; id?: string; error: ConfigError }[];
}

/** `names`: the file names at the top of sources/, when the caller has listed them already. */
export function loadRemoteSources(sourcesDir: string, names: readonly string[] = readdirSync(sourcesDir).sort()): RemoteSourceList {
  const result: RemoteSourceList = { sources: [], invalid: [] };
  for (const name of names) {
    if (name === SITE_FILE || !/\.ya?ml$/.test(name)) continue;
    const file = name;
    try {
      const id = SOURCE_FILE.exec(name)?.[1];
      if (!id) throw new ConfigError(`${file}: the file name must be a source id: lowercase letters, digits, "-" or "_", then .yaml`);
      let document: unknown;
      try {
        document = parseYaml(readFileSync(path.join(sourcesDir, name), 'utf8').replace(/^\uFEFF/, ''));
      } catch (error) {
        throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
      }
      result.sources.push(readRemoteSource(document, id, file));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const id = SOURCE_FILE.exec(name)?.[1];
      result.invalid.push({ file, ...(id ? { id } : {}), error });
    }
  }
  return result;
}

export function readRemoteSource(document: unknown, id: string, file: string): RemoteSourceDef {
  const read = new FieldReader(file);
  const map = read.map(document, '(top level)');
  read.rejectUnknown(map, KEYS);
  const kind = read.string(map.kind, 'kind') ?? read.fail('kind', 'is required ("feed" or "page")');
  if (kind !== 'feed' && kind !== 'page') read.fail('kind', `"${kind}" must be "feed" or "page"`);
  const url = read.absoluteUrl(map.url, 'url') ?? read.fail('url', 'is required');
  const format = read.string(map.format, 'format') ?? 'html';
  if (format !== 'html' && format !== 'text') read.fail('format', `"${format}" must be "html" or "text"`);
  if (kind === 'feed' && map.format !== undefined) read.fail('format', 'only applies to kind: page');
  const selectors = readSelectors(read, map.selectors);
  // Without selectors an HTML page's lead and briefs are found by themselves; selectors, the
  // override for a site that needs them, name at least the lead.
  if (kind === 'page' && format === 'html' && Object.keys(selectors).length > 0 && (!selectors.leadTitle || !selectors.leadBody)) {
    read.fail('selectors', 'need at least lead_title and lead_body, or none at all (the page is then read by itself)');
  }
  const schedule = read.string(map.schedule, 'schedule');
  if (schedule !== undefined && !isCronExpression(schedule)) read.fail('schedule', `"${schedule}" is not a cron expression`);
  const timezone = read.timezone(map.timezone, 'timezone');
  const language = read.language(map.language, 'language');
  const title = read.string(map.title, 'title');
  const maxEntries = map.max_entries;
  if (maxEntries !== undefined && (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1)) {
    read.fail('max_entries', 'must be a whole number of at least 1');
  }
  if (map.enabled !== undefined && typeof map.enabled !== 'boolean') read.fail('enabled', 'must be true or false');
  const headers = readHeaders(read, map.headers);
  const secretHeaders = readSecretHeaders(read, map.secret_headers, headers);
  const addedBy = read.string(map.added_by, 'added_by');
  if (addedBy !== undefined && addedBy !== ADDED_BY_OPML_IMPORT) read.fail('added_by', `"${addedBy}" must be "${ADDED_BY_OPML_IMPORT}"`);
  return {
    id,
    file,
    kind: kind as RemoteSourceDef['kind'],
    url,
    format: format as RemoteSourceDef['format'],
    selectors,
    ...(schedule ? { schedule } : {}),
    ...(timezone ? { timezone } : {}),
    ...(language ? { language } : {}),
    ...(typeof maxEntries === 'number' ? { maxEntries } : {}),
    headers,
    ...(secretHeaders.length > 0 ? { secretHeaders } : {}),
    ...(addedBy ? { addedBy: ADDED_BY_OPML_IMPORT } : {}),
    enabled: map.enabled !== false,
    ...(title ? { title } : {}),
  };
}

function readSelectors(read: FieldReader, value: unknown): PageSelectors {
  if (value === undefined || value === null) return {};
  const map = read.map(value, 'selectors');
  read.rejectUnknown(map, SELECTOR_KEYS, 'selectors.');
  const selector = (key: (typeof SELECTOR_KEYS)[number]) => read.string(map[key], `selectors.${key}`);
  const entries: [keyof PageSelectors, string | undefined][] = [
    ['leadTitle', selector('lead_title')],
    ['leadBody', selector('lead_body')],
    ['brief', selector('brief')],
    ['briefTime', selector('brief_time')],
    ['briefTopic', selector('brief_topic')],
    ['briefText', selector('brief_text')],
  ];
  return Object.fromEntries(entries.filter(([, css]) => css !== undefined)) as PageSelectors;
}

function readHeaders(read: FieldReader, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const map = read.map(value, 'headers');
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(map)) {
    if (!/^[A-Za-z0-9-]+$/.test(name)) read.fail(`headers.${name}`, 'is not an HTTP header name');
    headers[name.toLowerCase()] = read.string(raw, `headers.${name}`) ?? '';
  }
  return headers;
}

function readSecretHeaders(read: FieldReader, value: unknown, headers: Record<string, string>): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) read.fail('secret_headers', 'must be a list of header names');
  return (value as unknown[]).map((raw, index) => {
    const name = read.string(raw, `secret_headers[${index}]`)?.toLowerCase();
    if (name === undefined || !(name in headers)) read.fail(`secret_headers[${index}]`, `${JSON.stringify(raw)} must be one of the names under headers`);
    return name!;
  });
}
