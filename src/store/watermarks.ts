// What the state remembers about its own work besides entries and sources: a few typed facts,
// each written by one stage, kept in the meta table under a key named only here.
//
// What invalidates what, in one chain:
// - feedloom's version (package.json) is part of every source's fingerprint and of the publish
//   key: after an upgrade every source is read again and every file rendered again, so no
//   version number is kept by hand for normalizing or rendering.
// - site.yaml's settings that shape entries (url, timezone, language, boilerplate) are in the
//   fingerprint too: a change reads every source again.
// - every site.yaml setting is in the publish key: a change renders every file again.
// - siteSettings: the settings parsed from a site.yaml, by its text, the flags and the version,
//   so an unchanged site.yaml is not parsed again.
// - pageListing: the last pass's digest of every page's name, size and mtime; the same digest
//   means no page changed.
// - publishDue: what a publish owes, set before a pass changes the state (the feeds before it
//   stores entries, status.json before it records a source whose health changed) and cleared by
//   the publish that shows it; set, it makes the next pass publish that part (kill -9 between
//   the two, a failed publish).
// - publishKey, publishedWindows, publishedFileCount, publishedFiles: what the last full publish
//   was made from and what it left in out/; any of them differing, or a file of out/ missing or
//   changed, makes the next pass publish.
import type { Store } from './store.js';

/** What a publish owes: the feeds (entries were stored), status.json (a source's health changed). */
export interface PublishDueParts {
  feeds: boolean;
  status: boolean;
}

export interface Watermark<T> {
  readonly key: string;
  read(text: string): T;
  write(value: T): string;
}

function json<T>(key: string): Watermark<T> {
  return { key, read: (text) => JSON.parse(text) as T, write: (value) => JSON.stringify(value) };
}

function text(key: string): Watermark<string> {
  return { key, read: (value) => value, write: (value) => value };
}

function count(key: string): Watermark<number> {
  return { key, read: Number, write: String };
}

/** Each fact's value type is its writer's (the settings, the page listing, the publish record). */
export const WATERMARKS = {
  siteSettings: json<{ key: string; site: unknown }>('site_config'),
  /** What ids are made in, fixed when the state was created (SiteConfig.idNamespace). */
  idNamespace: text('id_namespace'),
  pageListing: json<unknown>('page_listing'),
  /** The parts due; `true` from earlier versions meant every part. */
  publishDue: json<true | Partial<PublishDueParts>>('publish_due'),
  publishKey: text('publish_key'),
  publishedWindows: text('published_windows'),
  publishedFileCount: count('published_files'),
  publishedFiles: json<Record<string, [size: number, mtimeMs: number]>>('published_manifest'),
} as const;

export async function readWatermark<T>(store: Pick<Store, 'meta'>, mark: Watermark<T>): Promise<T | undefined> {
  const stored = await store.meta(mark.key);
  return stored === undefined ? undefined : mark.read(stored);
}

/** Sets a fact, or forgets it when `value` is undefined. Unchanged facts are not written again. */
export async function writeWatermark<T>(store: Pick<Store, 'meta' | 'setMeta'>, mark: Watermark<T>, value: T | undefined): Promise<void> {
  const text = value === undefined ? undefined : mark.write(value);
  if (text !== (await store.meta(mark.key))) await store.setMeta(mark.key, text);
}

/** Writes a watermark without first reading it, for a caller that has just read it and knows it differs. */
export async function setWatermark<T>(store: Pick<Store, 'setMeta'>, mark: Watermark<T>, value: T): Promise<void> {
  await store.setMeta(mark.key, mark.write(value));
}
