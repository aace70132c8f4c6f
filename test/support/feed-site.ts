// Helpers for tests that build a small site in a temporary folder, run passes in-process, and
// read what they wrote: captured pages written from specs, a pass with its log lines captured,
// a namespace-aware XML tree (saxes), and file listings with modification times.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { runPass, type PassOptions, type PassSummary } from '../../src/worker/pass.js';
import { captureLogs, type LogLine } from './log-capture.js';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const FEED_HISTORY_NS = 'http://purl.org/syndication/history/1.0';
export const XSLT_NS = 'http://www.w3.org/1999/XSL/Transform';

/** Temporary folders, removed by cleanup(). */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), `feedloom-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export interface BriefSpec {
  /** H:MM or HH:MM */
  time: string;
  topic: string;
  text: string;
}

export interface PageSpec {
  url?: string;
  /** ISO 8601 with an offset. */
  captured: string;
  title?: string;
  /** The lead's first line, its standfirst (and title, without `title`). */
  lead: string;
  paragraphs?: string[];
  briefs?: BriefSpec[];
}

/** A captured page in the shape feedloom reads: front matter, lead, "Read next", briefs. */
export function pageText(spec: PageSpec): string {
  const front = ['---', ...(spec.url ? [`url: ${spec.url}`] : []), `captured: ${spec.captured}`, ...(spec.title ? [`title: ${JSON.stringify(spec.title)}`] : []), '---'];
  const lead = [spec.lead, ...(spec.paragraphs ?? [])];
  const briefs = spec.briefs && spec.briefs.length > 0 ? ['Read next', ...spec.briefs.flatMap((brief) => [brief.time, brief.topic, brief.text])] : [];
  return `${[...front, ...lead, ...briefs].join('\n')}\n`;
}

export function writePage(sourcesDir: string, name: string, spec: PageSpec): void {
  mkdirSync(sourcesDir, { recursive: true });
  writeFileSync(path.join(sourcesDir, name), pageText(spec));
}

/** The title feedloom gives a brief: "Topic: text" (for texts under 120 characters). */
export function briefTitle(brief: BriefSpec): string {
  return `${brief.topic}: ${brief.text}`;
}

export type { LogLine } from './log-capture.js';

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export interface PassRun {
  summary: PassSummary;
  logs: LogLine[];
}

/** One pass with a JSON logger whose lines are kept; the store is the caller's, so passes can follow each other. */
export async function passWithLogs(options: Omit<PassOptions, 'logger'> & { now?: () => Date }): Promise<PassRun> {
  const { logger, logs } = captureLogs('debug');
  const summary = await runPass({ ...options, logger });
  return { summary, logs };
}

export function memoryStore(): SqliteStore {
  return SqliteStore.open(':memory:');
}

export interface XmlNode {
  /** Qualified name, as written. */
  name: string;
  local: string;
  /** Namespace URI ('' for none). */
  uri: string;
  /** By qualified name. */
  attributes: Record<string, string>;
  children: XmlNode[];
  /** Text and CDATA directly inside this element. */
  text: string;
}

export interface XmlDocument {
  root: XmlNode;
  /** Processing instructions before the root element, in order. */
  prolog: { target: string; body: string }[];
  declaration?: { version?: string; encoding?: string };
}

/** Parses namespace-aware XML; throws on anything that is not well-formed. */
export function parseXml(xml: string): XmlDocument {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  const prolog: XmlDocument['prolog'] = [];
  let declaration: XmlDocument['declaration'];
  parser.on('xmldecl', (decl) => {
    declaration = { ...(decl.version ? { version: decl.version } : {}), ...(decl.encoding ? { encoding: decl.encoding } : {}) };
  });
  parser.on('processinginstruction', (pi) => {
    if (root === undefined) prolog.push({ target: pi.target, body: pi.body });
  });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes)) attributes[name] = attribute.value;
    const node: XmlNode = { name: tag.name, local: tag.local, uri: tag.uri, attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('text', (text) => {
    const current = stack[stack.length - 1];
    if (current) current.text += text;
  });
  parser.on('cdata', (text) => {
    const current = stack[stack.length - 1];
    if (current) current.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (!root) throw new Error('no root element');
  return { root, prolog, ...(declaration ? { declaration } : {}) };
}

/** Children of `node` with this namespace and local name. */
export function childrenNamed(node: XmlNode, uri: string, local: string): XmlNode[] {
  return node.children.filter((child) => child.uri === uri && child.local === local);
}

/** Every element under `node` (itself included) with this namespace and local name. */
export function descendantsNamed(node: XmlNode, uri: string, local: string): XmlNode[] {
  const found: XmlNode[] = [];
  const visit = (current: XmlNode) => {
    if (current.uri === uri && current.local === local) found.push(current);
    for (const child of current.children) visit(child);
  };
  visit(node);
  return found;
}

/** Every file under `dir`, relative and "/"-separated, sorted. */
export function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

export interface FileState {
  bytes: Buffer;
  mtimeMs: number;
}

/** Bytes and modification time of every file under `dir`, by relative path. */
export function snapshot(dir: string): Map<string, FileState> {
  const state = new Map<string, FileState>();
  for (const name of filesUnder(dir)) {
    const file = path.join(dir, name);
    state.set(name, { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs });
  }
  return state;
}

/**
 * Sets every file under `dir` to an old modification time, so that any later write shows up
 * in its mtime however fast the next pass runs.
 */
export function ageFiles(dir: string, when = new Date('2001-02-03T04:05:06Z')): void {
  for (const name of filesUnder(dir)) utimesSync(path.join(dir, name), when, when);
}

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}
