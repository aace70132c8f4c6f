// An HTML article page -> a Capture, read with the source's CSS selectors. The lead and briefs
// are written out in the captured-page shape, so one parser reads both kinds of page.
import * as cheerio from 'cheerio';
import { SourceError } from '../errors.js';
import type { PageSelectors } from '../config/remote-sources.js';
import type { Capture, PageMeta } from '../model.js';

export const HTML_BRIEFS_HEADING = 'Read next';

export function readHtmlPage(html: string, selectors: PageSelectors, source: string, meta: PageMeta, capturedAt: Date): Capture {
  const $ = cheerio.load(html);
  // Never part of the text, whatever the selectors match.
  $('script, style, noscript, template, iframe, form').remove();
  const text = (element: cheerio.Cheerio<any>) => element.text().replace(/\s+/g, ' ').trim();
  const blocks = (element: cheerio.Cheerio<any>) => {
    const paragraphs = element.find('p, li, h2, h3, blockquote').toArray().map((node) => text($(node))).filter(Boolean);
    return paragraphs.length > 0 ? paragraphs : [text(element)].filter(Boolean);
  };

  const title = selectors.leadTitle ? text($(selectors.leadTitle).first()) : '';
  const body = selectors.leadBody ? blocks($(selectors.leadBody).first()) : [];
  if (!title && body.length === 0) {
    throw new SourceError('ingest', source, `no lead story: selectors lead_title "${selectors.leadTitle}" and lead_body "${selectors.leadBody}" match nothing`);
  }
  const lines = body.length > 0 ? [...body] : [title];
  if (selectors.brief) {
    const briefs = $(selectors.brief).toArray();
    if (briefs.length > 0) lines.push(HTML_BRIEFS_HEADING);
    for (const node of briefs) {
      const brief = $(node);
      const part = (css: string | undefined) => (css ? text(brief.find(css).first()) : '');
      lines.push(part(selectors.briefTime), part(selectors.briefTopic), ...(selectors.briefText ? brief.find(selectors.briefText).toArray().map((n) => text($(n))) : []));
    }
  }
  return {
    source,
    meta: { ...meta, ...(title ? { title } : {}), briefsHeadings: [HTML_BRIEFS_HEADING] },
    body: lines.join('\n'),
    bodyFirstLine: 1,
    capturedAt,
  };
}
