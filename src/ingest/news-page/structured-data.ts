// What a page says about itself in machine-readable form: JSON-LD (schema.org NewsArticle,
// LiveBlogPosting, ItemList), OpenGraph and article meta tags, <html lang>, the canonical link.
// Structured data comes first because the publisher wrote it for machines; it is still checked
// against what the page shows before its dates are believed (normalize/news-page-dates.ts).
import type { CheerioAPI } from 'cheerio';
import { parseMachineTime } from '../../shared/machine-time.js';
import type { BriefReading, MachineTime } from '../../news-page-model.js';
import { cleanText } from './text.js';

type JsonObject = Record<string, unknown>;

const ARTICLE_TYPES = new Set(['NewsArticle', 'Article', 'ReportageNewsArticle', 'AnalysisNewsArticle', 'BlogPosting', 'LiveBlogPosting', 'OpinionNewsArticle', 'Report']);

export interface StructuredArticle {
  type: string;
  headline?: string;
  description?: string;
  author?: string;
  published?: MachineTime;
  url?: string;
}

export interface StructuredData {
  article?: StructuredArticle;
  /** Briefs from JSON-LD lists, each list labelled by where it was found. */
  lists: Array<{ label: string; briefs: BriefReading[] }>;
  meta: Map<string, string>;
  /** Every machine time the JSON-LD holds, for the page's zone evidence. */
  times: MachineTime[];
}

export function readStructuredData($: CheerioAPI): StructuredData {
  const nodes = $('script[type="application/ld+json"]')
    .toArray()
    .flatMap((script) => jsonLdNodes($(script).text()));
  const articleNode = nodes.find((node) => typesOf(node).some((type) => ARTICLE_TYPES.has(type)));
  const times: MachineTime[] = [];
  const timeOf = (value: unknown) => {
    const time = typeof value === 'string' ? parseMachineTime(value) : undefined;
    if (time) times.push(time);
    return time;
  };
  const lists = [...liveBlogLists(nodes, timeOf), ...itemLists(nodes, timeOf)];
  const article = articleNode ? toArticle(articleNode, timeOf) : undefined;
  return { ...(article ? { article } : {}), lists, meta: readMeta($), times };
}

/** Every object in a JSON-LD script, @graph and arrays flattened; a script that is not JSON gives none. */
function jsonLdNodes(text: string): JsonObject[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim().replace(/^<!--|-->$/g, ''));
  } catch {
    return [];
  }
  const out: JsonObject[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      out.push(value as JsonObject);
      if ('@graph' in value) visit((value as JsonObject)['@graph']);
    }
  };
  visit(parsed);
  return out;
}

function typesOf(node: JsonObject): string[] {
  const type = node['@type'];
  return (Array.isArray(type) ? type : [type]).filter((value): value is string => typeof value === 'string');
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return cleanText(value) || undefined;
  if (Array.isArray(value)) return stringOf(value[0]);
  if (value && typeof value === 'object') return stringOf((value as JsonObject)['name'] ?? (value as JsonObject)['@id']);
  return undefined;
}

function authorsOf(value: unknown): string | undefined {
  const names = (Array.isArray(value) ? value : [value]).map(stringOf).filter(Boolean);
  return names.length > 0 ? names.join(', ') : undefined;
}

function toArticle(node: JsonObject, timeOf: (value: unknown) => MachineTime | undefined): StructuredArticle {
  const fields: StructuredArticle = { type: typesOf(node)[0]! };
  const headline = stringOf(node['headline'] ?? node['name']);
  const description = stringOf(node['description']);
  const author = authorsOf(node['author']);
  const published = timeOf(node['datePublished']) ?? timeOf(node['dateCreated']);
  const url = stringOf(node['url'] ?? node['mainEntityOfPage']);
  if (headline) fields.headline = headline;
  if (description) fields.description = description;
  if (author) fields.author = author;
  if (published) fields.published = published;
  if (url && /^https?:/.test(url)) fields.url = url;
  return fields;
}

/** One brief per `liveBlogUpdate`, whatever its own type (BlogPosting, NewsArticle...). */
function liveBlogLists(nodes: JsonObject[], timeOf: (value: unknown) => MachineTime | undefined) {
  return nodes
    .filter((node) => typesOf(node).includes('LiveBlogPosting') && node['liveBlogUpdate'])
    .map((node) => {
      const updates = [node['liveBlogUpdate']].flat().filter((value): value is JsonObject => !!value && typeof value === 'object');
      return { label: 'json-ld LiveBlogPosting', briefs: updates.flatMap((update) => briefFromNode(update, timeOf)) };
    })
    .filter((list) => list.briefs.length > 0);
}

/** An ItemList is a brief list only when its items carry dates; most are navigation or carousels. */
function itemLists(nodes: JsonObject[], timeOf: (value: unknown) => MachineTime | undefined) {
  return nodes
    .filter((node) => typesOf(node).includes('ItemList'))
    .map((node) => {
      const elements = [node['itemListElement']].flat().filter((value): value is JsonObject => !!value && typeof value === 'object');
      const items = elements.map((element) => (element['item'] && typeof element['item'] === 'object' ? { ...element, ...(element['item'] as JsonObject) } : element));
      return { label: 'json-ld ItemList', briefs: items.flatMap((item) => briefFromNode(item, timeOf)) };
    })
    .filter((list) => list.briefs.length >= 2);
}

function briefFromNode(node: JsonObject, timeOf: (value: unknown) => MachineTime | undefined): BriefReading[] {
  const machine = timeOf(node['datePublished']) ?? timeOf(node['dateCreated']) ?? timeOf(node['dateModified']);
  const body = stringOf(node['articleBody'] ?? node['description']);
  const title = stringOf(node['headline'] ?? node['name']) ?? firstSentence(body);
  if (!machine || !title) return [];
  const brief: BriefReading = { title, machine };
  const url = stringOf(node['url']);
  if (body && body !== title) brief.text = body;
  if (url) brief.link = url;
  return [brief];
}

/** A live update without a headline is named by its first sentence, as readers skim it. */
export function firstSentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const sentence = /^(.{20,160}?[.!?…])(?:\s|$)/u.exec(text)?.[1] ?? text;
  return sentence.length > 160 ? `${sentence.slice(0, 157).trimEnd()}…` : sentence;
}

/** OpenGraph, article:* and name=* meta tags, the canonical link and the page's language, by key. */
function readMeta($: CheerioAPI): Map<string, string> {
  const meta = new Map<string, string>();
  $('meta').each((_, element) => {
    const key = ($(element).attr('property') ?? $(element).attr('name') ?? $(element).attr('itemprop') ?? '').toLowerCase();
    const content = $(element).attr('content');
    if (key && content && !meta.has(key)) meta.set(key, cleanText(content));
  });
  const canonical = $('link[rel="canonical"]').attr('href');
  if (canonical) meta.set('canonical', canonical.trim());
  const lang = $('html').attr('lang');
  if (lang) meta.set('html:lang', lang.trim());
  return meta;
}
