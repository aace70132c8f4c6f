// Reading what a pass left in out/: every file as text, the three feeds as items, and
// out/status.json as each source's health. Works on any out/ folder, so tests of remote
// sources, pages and the server read their results the same way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { parseXml, type XmlNode } from './feed-site.js';

/** Every file under `outDir`, relative "/"-separated name -> text. */
export function outFiles(outDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(outDir, { recursive: true }) as string[]) {
    const file = path.join(outDir, name);
    if (statSync(file).isFile()) files.set(name.split(path.sep).join('/'), readFileSync(file, 'utf8'));
  }
  return files;
}

export function readOut(outDir: string, name: string): string {
  return readFileSync(path.join(outDir, name), 'utf8');
}

/** One source's line in out/status.json. */
export interface Health {
  source: string;
  kind: string;
  status: 'ok' | 'failed';
  entries: number;
  last_error: string | null;
  url: string | null;
  last_success: string | null;
  consecutive_failures: number;
  next_attempt: string | null;
}

export function statusOf(outDir: string): Map<string, Health> {
  const parsed = JSON.parse(readOut(outDir, 'status.json')) as { sources: Health[] };
  return new Map(parsed.sources.map((health) => [health.source, health]));
}

export function healthOf(outDir: string, id: string): Health {
  const found = statusOf(outDir).get(id);
  if (!found) throw new Error(`no status for ${id}`);
  return found;
}

/** Elements under `node` (itself included) by qualified name, as written. */
export function elementsNamed(node: XmlNode, name: string): XmlNode[] {
  return [...(node.name === name ? [node] : []), ...node.children.flatMap((child) => elementsNamed(child, name))];
}

export function childNamed(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((candidate) => candidate.name === name);
}

/** The text of a child element; throws when there is none, so a missing title fails loudly. */
export function childText(node: XmlNode, name: string): string {
  const found = childNamed(node, name);
  if (!found) throw new Error(`no <${name}> in <${node.name}>`);
  return found.text;
}

/** Atom <link> elements of an entry with this rel. */
export function atomLinks(entry: XmlNode, rel: string): XmlNode[] {
  return entry.children.filter((node) => node.name === 'link' && node.attributes.rel === rel);
}

export interface JsonItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  date_published: string;
  date_modified?: string;
  image?: string;
  tags?: string[];
  authors?: { name: string; url?: string }[];
  attachments?: { url: string; mime_type: string; size_in_bytes?: number }[];
}

export function jsonItems(outDir: string): JsonItem[] {
  return (JSON.parse(readOut(outDir, 'feed.json')) as { items: JsonItem[] }).items;
}

export function rssItems(outDir: string): XmlNode[] {
  return elementsNamed(parseXml(readOut(outDir, 'rss.xml')).root, 'item');
}

export function rssTitles(outDir: string): string[] {
  return rssItems(outDir).map((item) => childText(item, 'title'));
}

export function atomEntries(outDir: string): XmlNode[] {
  return elementsNamed(parseXml(readOut(outDir, 'atom.xml')).root, 'entry');
}

/** The one item with this title; fails the test when there are none or several. */
export function byTitle<T>(items: T[], title: string, titleOf: (item: T) => string): T {
  const found = items.filter((item) => titleOf(item) === title);
  expect(found, title).toHaveLength(1);
  return found[0]!;
}

export const rssTitled = (outDir: string, title: string): XmlNode => byTitle(rssItems(outDir), title, (item) => childText(item, 'title'));
export const atomTitled = (outDir: string, title: string): XmlNode => byTitle(atomEntries(outDir), title, (entry) => childText(entry, 'title'));
export const jsonTitled = (outDir: string, title: string): JsonItem => byTitle(jsonItems(outDir), title, (item) => item.title);

/** Every XML file in out/ is well-formed (there are at least two), and every .json file is JSON. */
export function expectWellFormed(outDir: string): void {
  const files = outFiles(outDir);
  const xml = [...files.keys()].filter((name) => name.endsWith('.xml'));
  expect(xml.length).toBeGreaterThanOrEqual(2);
  for (const name of xml) expect(() => parseXml(files.get(name)!), name).not.toThrow();
  for (const name of [...files.keys()].filter((file) => file.endsWith('.json'))) expect(() => JSON.parse(files.get(name)!), name).not.toThrow();
}
