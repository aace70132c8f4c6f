// `feedloom inspect FILE|URL`: what the news-page reader sees on one page (the lead, each list of
// briefs found with its score and items, the candidates it turned down and why, the zone its
// briefs were dated in), so an operator can tell at once why a page reads as it does.
import { readFileSync, statSync } from 'node:fs';
import { loadSiteConfig } from '../config/site.js';
import { isTimeZone } from '../config/fields.js';
import { describeError } from '../errors.js';
import { decodeHtmlPage } from '../ingest/charset.js';
import { readHtmlCapture } from '../ingest/html-capture.js';
import type { SiteConfig } from '../model.js';
import type { Brief, NewsPageExtract } from '../news-page-model.js';
import { civilDateAt, formatCivilDate, wallTimeAt, zoneOffsetMinutes } from '../normalize/dates.js';
import { redactUrl } from '../shared/url-secrets.js';
import { userAgent } from '../version.js';
import { ZONE_FROM } from '../worker/extraction-health.js';
import { newsPageContext } from '../worker/html-page-entries.js';
import { extractNewsPage } from '../worker/news-page.js';
import { COMMON_OPTIONS, EXIT_FATAL, EXIT_OK, parseCommand, siteFlags } from './flags.js';
import { HELP } from './help.js';

interface InspectedPage {
  /** The file or URL, as given (a URL redacted). */
  page: string;
  charset: string;
  capturedAt: Date;
  capturedFrom: string;
  extract: NewsPageExtract;
}

export async function inspectCommand(args: string[]): Promise<number> {
  const parsed = parseCommand('inspect', args, { sources: COMMON_OPTIONS.sources, timezone: { type: 'string' }, json: { type: 'boolean', default: false }, help: COMMON_OPTIONS.help }, true);
  if ('exit' in parsed) return parsed.exit;
  const [target, ...extra] = parsed.positionals;
  if (!target || extra.length > 0) {
    process.stderr.write(`feedloom inspect: give exactly one HTML file or http(s) URL\n\n${HELP.inspect}\n`);
    return EXIT_FATAL;
  }
  try {
    const site = await loadSiteConfig(siteFlags(parsed.values).sourcesDir);
    const zoneFlag = parsed.values.timezone as string | undefined;
    if (zoneFlag !== undefined && !isTimeZone(zoneFlag)) throw new Error(`--timezone "${zoneFlag}" is not an IANA time zone name (such as Europe/Paris)`);
    const page = /^https?:\/\//i.test(target) ? await inspectUrl(target, site, zoneFlag) : inspectFile(target, site.timezone, zoneFlag);
    process.stdout.write(parsed.values.json ? `${JSON.stringify(page, null, 2)}\n` : describeInspection(page));
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`feedloom inspect: ${describeError(error)}\n`);
    return EXIT_FATAL;
  }
}

function inspectFile(file: string, siteZone: string, zoneFlag: string | undefined): InspectedPage {
  const capture = readHtmlCapture(readFileSync(file), file, statSync(file).mtime);
  const meta = zoneFlag ? { ...capture.meta, timezone: zoneFlag } : capture.meta;
  const extract = extractNewsPage(capture.html, newsPageContext({ ...capture, meta }, siteZone));
  return { page: file, charset: capture.charset, capturedAt: capture.capturedAt, capturedFrom: capture.capturedFrom, extract };
}

async function inspectUrl(url: string, site: SiteConfig, zoneFlag: string | undefined): Promise<InspectedPage> {
  const { Fetcher } = await import('../ingest/fetch.js');
  const fetcher = new Fetcher({ ...site.fetch, maxRedirects: 5, userAgent: userAgent(site.url) });
  try {
    const fetched = await fetcher.fetch({ source: 'inspect', url });
    if (fetched.notModified) throw new Error(`${redactUrl(url)} answered 304 to a request without validators`);
    const { text, charset } = decodeHtmlPage(fetched.body, fetched.contentType);
    const capturedAt = new Date();
    const extract = extractNewsPage(text, newsPageContext({ source: 'inspect', meta: zoneFlag ? { timezone: zoneFlag } : {}, capturedAt, savedFromUrl: fetched.url }, site.timezone));
    return { page: redactUrl(url), charset, capturedAt, capturedFrom: 'fetched now', extract };
  } finally {
    await fetcher.close();
  }
}

/** The inspection as an operator reads it in a terminal. */
export function describeInspection({ page, charset, capturedAt, capturedFrom, extract }: InspectedPage): string {
  const zone = extract.timeZone;
  const zoneWhy = ZONE_FROM[zone.from];
  const lines = [
    `page:      ${page}`,
    `url:       ${extract.url ?? '(none found)'}`,
    `charset:   ${charset}`,
    `captured:  ${capturedAt.toISOString()} (${capturedFrom})`,
    `zone:      ${zone.zone} (${zoneWhy})`,
    `language:  ${extract.language ?? '(none found)'}`,
    '',
  ];
  const { lead } = extract;
  if (lead) {
    lines.push(`lead: ${lead.title}`);
    if (lead.summary) lines.push(`  summary: ${clip(lead.summary, 160)}`);
    lines.push(`  body: ${lead.paragraphs.length} paragraphs, ${lead.paragraphs.reduce((sum, paragraph) => sum + paragraph.length, 0)} characters`);
    if (lead.author) lines.push(`  author: ${lead.author}`);
    if (lead.published) lines.push(`  published: ${lead.published.toISOString()}`);
  } else {
    lines.push('lead: none (the page reads as lists only)');
  }
  lines.push('', `lists: ${extract.lists.length}`);
  for (const list of extract.lists) {
    lines.push(`  ${list.label}  score ${round(list.score)}, ${list.order}, ${list.briefs.length} briefs`);
    for (const brief of list.briefs) lines.push(`    ${briefLine(brief, zone.zone)}`);
  }
  lines.push('', `rejected: ${extract.rejected.length}`);
  for (const rejection of extract.rejected) lines.push(`  ${rejection.label}: ${rejection.reason}`);
  if (extract.disagreements.length > 0) {
    lines.push('', `machine times not believed: ${extract.disagreements.length}`);
    for (const { title, shown, machine } of extract.disagreements) lines.push(`  "${clip(title, 60)}": shows ${shown}, markup says ${machine}`);
  }
  lines.push('', `briefs, each item once: ${extract.briefs.length}`, '');
  return lines.join('\n');
}

function briefLine(brief: Brief, zone: string): string {
  const instant = brief.published.getTime();
  const offset = zoneOffsetMinutes(instant, zone);
  const wall = wallTimeAt(instant, zone);
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  const shown = brief.shownTime ? `"${brief.shownTime}"` : `(${brief.datedBy} time)`;
  return `${formatCivilDate(civilDateAt(instant, zone))} ${wall}${sign}${hours}:${minutes}  ${shown}  ${clip(brief.title, 80)}${brief.link ? `  <${brief.link}>` : ''}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}
