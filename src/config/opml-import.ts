// An OPML subscription list -> sources/<id>.yaml feed sources, one per outline with an xmlUrl.
// Sources that already exist (same URL) are left alone; nothing is ever overwritten.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { stringify } from 'yaml';
import { ConfigError } from '../errors.js';
import { ADDED_BY_OPML_IMPORT, loadRemoteSources } from './remote-sources.js';

export interface OpmlImport {
  added: { id: string; url: string; file: string }[];
  skipped: { url: string; reason: string }[];
}

export function importOpml(opmlFile: string, sourcesDir: string): OpmlImport {
  let text: string;
  try {
    text = readFileSync(opmlFile, 'utf8');
  } catch (error) {
    throw new ConfigError(`${opmlFile}: cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const $ = cheerio.load(text, { xml: true });
  if ($('opml').length === 0) throw new ConfigError(`${opmlFile}: not an OPML document (no <opml> element)`);
  const existing = loadRemoteSources(sourcesDir).sources;
  const knownUrls = new Set(existing.map((source) => source.url));
  // Every name in the folder is taken, valid source or not: nothing is ever overwritten.
  const takenIds = new Set(readdirSync(sourcesDir).map((name) => name.replace(/\.ya?ml$/, '')));
  const result: OpmlImport = { added: [], skipped: [] };
  for (const element of $('outline[xmlUrl]').toArray()) {
    const outline = $(element);
    const raw = outline.attr('xmlUrl')!.trim();
    let url: string;
    try {
      url = new URL(raw).href;
    } catch {
      result.skipped.push({ url: raw, reason: 'not an absolute URL' });
      continue;
    }
    if (!/^https?:$/.test(new URL(url).protocol)) {
      result.skipped.push({ url, reason: 'only http and https feeds are read' });
      continue;
    }
    if (knownUrls.has(url)) {
      result.skipped.push({ url, reason: 'a source with this URL exists' });
      continue;
    }
    const title = (outline.attr('title') ?? outline.attr('text') ?? '').trim();
    const id = uniqueId(slug(title) || slug(new URL(url).hostname), takenIds);
    const file = path.join(sourcesDir, `${id}.yaml`);
    writeFileSync(file, stringify({ kind: 'feed', url, ...(title ? { title } : {}), added_by: ADDED_BY_OPML_IMPORT }), { flag: 'wx' });
    knownUrls.add(url);
    takenIds.add(id);
    result.added.push({ id, url, file });
  }
  return result;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const start = base || 'feed';
  // "site" is site.yaml's name; ids must not collide with it either.
  if (!taken.has(start) && start !== 'site') return start;
  for (let n = 2; ; n++) if (!taken.has(`${start}-${n}`)) return `${start}-${n}`;
}
