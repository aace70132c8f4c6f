// How an entry's text is kept in the state. Most of an entry from a captured page can be rebuilt
// from its plain text: its HTML is the text's paragraphs, escaped, and its summary is the first
// paragraph (a lead) or every paragraph on one line (a brief). Only what cannot be rebuilt is
// stored: the state is a third of the size, and a first pass over thousands of pages spends most
// of its time writing it. Rows stored whole by earlier versions read back as they are.
import type { Entry } from '../model.js';
import { isParagraphsHtml, paragraphsToHtml } from '../shared/paragraphs.js';

/** The fields a reader sees; `updated` moves only when these change. */
export type EntryBody = Omit<Entry, 'id' | 'kind' | 'source' | 'published' | 'capturedAt' | 'link' | 'pageUrl'>;

type SummaryRule = 'first-paragraph' | 'paragraphs-joined';

interface PackedBody extends Partial<Omit<EntryBody, 'title' | 'contentText'>> {
  title: string;
  contentText: string;
  /** Set when the summary is left out: how to rebuild it from the text. */
  summaryFrom?: SummaryRule;
}

const PARAGRAPH_BREAK = '\n\n';

export function packBody(body: EntryBody): string {
  const paragraphs = body.contentText.split(PARAGRAPH_BREAK);
  const packed: PackedBody = { title: body.title, contentText: body.contentText };
  const summaryFrom = summaryRule(body.summary, paragraphs);
  if (summaryFrom) packed.summaryFrom = summaryFrom;
  else packed.summary = body.summary;
  if (!isParagraphsHtml(body.contentHtml, paragraphs)) packed.contentHtml = body.contentHtml;
  if (body.categories.length > 0) packed.categories = body.categories;
  if (body.authors.length > 0) packed.authors = body.authors;
  if (body.enclosures.length > 0) packed.enclosures = body.enclosures;
  if (body.image !== undefined) packed.image = body.image;
  if (body.language !== undefined) packed.language = body.language;
  return JSON.stringify(packed);
}

export function unpackBody(stored: string): EntryBody {
  const packed = JSON.parse(stored) as PackedBody;
  const paragraphs = packed.contentText.split(PARAGRAPH_BREAK);
  return {
    title: packed.title,
    summary: packed.summary ?? (packed.summaryFrom === 'paragraphs-joined' ? paragraphs.join(' ') : paragraphs[0]!),
    contentText: packed.contentText,
    contentHtml: packed.contentHtml ?? paragraphsToHtml(paragraphs),
    categories: packed.categories ?? [],
    authors: packed.authors ?? [],
    enclosures: packed.enclosures ?? [],
    ...(packed.image !== undefined ? { image: packed.image } : {}),
    ...(packed.language !== undefined ? { language: packed.language } : {}),
  };
}

function summaryRule(summary: string, paragraphs: readonly string[]): SummaryRule | undefined {
  if (summary === paragraphs[0]) return 'first-paragraph';
  if (paragraphs.length > 1 && summary === paragraphs.join(' ')) return 'paragraphs-joined';
  return undefined;
}
