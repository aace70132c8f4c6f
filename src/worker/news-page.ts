// Any news page -> its lead and dated briefs: ingest reads what the page shows, normalize dates
// it. The one entry point for a pass (html-page-entries.ts), `feedloom inspect` and the corpus
// benchmark.
import { readNewsPage } from '../ingest/news-page/extract.js';
import type { NewsPageContext, NewsPageExtract } from '../news-page-model.js';
import { resolveNewsPage } from '../normalize/news-page.js';

export type { NewsPageContext, NewsPageExtract } from '../news-page-model.js';

export function extractNewsPage(html: string, context: NewsPageContext): NewsPageExtract {
  const options = { capturedAt: context.capturedAt, ...(context.url ? { url: context.url } : {}), ...(context.language ? { language: context.language } : {}) };
  return resolveNewsPage(readNewsPage(html, options), context);
}
