// Any news page -> what it shows: its lead story and every list of timestamped briefs, with the
// times as shown and as written in the markup. Pure: HTML in, facts out. normalize/news-page-dates.ts
// turns the facts into instants in the site's zone.
// htmlparser2 (cheerio/slim), not parse5: four to five times as fast on 100-400 KB pages and a
// third of the memory, and the reader never relies on the html/head/body or tbody a browser adds.
import { load } from 'cheerio/slim';
import type { CheerioAPI } from 'cheerio';
import { readBriefItem } from './brief-items.js';
import { type CandidateList, findCandidateLists } from './brief-lists.js';
import type { SlashOrder } from './clock.js';
import { readLead } from './lead.js';
import { judgeList } from './list-judgement.js';
import { dropInvisible } from './page-furniture.js';
import type { BriefListReading, BriefReading, MachineTime, NewsPageReading, Rejection } from '../../news-page-model.js';
import { readStructuredData, type StructuredData } from './structured-data.js';
import { type AnyNode, titleKey } from './text.js';
import { findTimeCarriers } from './time-carriers.js';

export type * from '../../news-page-model.js';

export interface NewsPageReadOptions {
  url?: string;
  /** The page's language when the caller knows it better than the page ("fr", "en-US"). */
  language?: string;
  /** Only to tell schedules and calendars (times ahead of the capture) from news. */
  capturedAt?: Date;
}

export function readNewsPage(html: string, options: NewsPageReadOptions = {}): NewsPageReading {
  const $ = load(html);
  const data = readStructuredData($);
  dropInvisible($);
  const language = options.language ?? data.meta.get('html:lang') ?? data.meta.get('og:locale')?.replace('_', '-');
  const url = options.url ?? data.meta.get('canonical') ?? data.meta.get('og:url') ?? data.article?.url;
  const order = slashOrderFor(language);
  const rejected: Rejection[] = [];
  const markup = markupLists($, order, url, options.capturedAt, rejected);
  const lists = [...joinStructured(data, markup.lists), ...markup.lists];
  const lead = readLead($, data, markup.containers);
  const reading: NewsPageReading = { lists, rejected, zoneEvidence: zoneEvidence(data, lists, lead?.published) };
  if (url) reading.url = url;
  if (language) reading.language = language;
  if (lead) reading.lead = lead;
  return reading;
}

/** "3/9" is March 9 in the US and Japan, 3 September elsewhere. */
function slashOrderFor(language: string | undefined): SlashOrder {
  return /^(?:en-us|ja|en$)/i.test(language ?? '') ? 'month-first' : 'day-first';
}

function markupLists($: CheerioAPI, order: SlashOrder, url: string | undefined, capturedAt: Date | undefined, rejected: Rejection[]) {
  const carriers = findTimeCarriers($, order);
  const lists: BriefListReading[] = [];
  const containers = new Set<AnyNode>();
  for (const candidate of findCandidateLists(carriers, order)) {
    const briefs = readItems(candidate, url);
    const judgement = judgeList($, candidate, briefs, capturedAt);
    if (judgement.rejected) {
      rejected.push({ label: candidate.label, reason: judgement.rejected });
      // A rejected list is still not the lead's text: a schedule is not the article either.
      if (briefs.length >= 2) candidate.containers.forEach((container) => containers.add(container));
      continue;
    }
    lists.push({ label: candidate.label, source: 'markup', score: judgement.score, briefs });
    candidate.containers.forEach((container) => containers.add(container));
  }
  return { lists, containers };
}

function readItems(candidate: CandidateList, url: string | undefined): BriefReading[] {
  return candidate.items.flatMap(({ element, carrier, separatorDay }) => readBriefItem(element, carrier, separatorDay, url) ?? []);
}

/**
 * JSON-LD updates that the markup also shows lend it their machine time and are not listed
 * twice; the markup keeps the shown time, its order and day separators, which dating needs.
 */
function joinStructured(data: StructuredData, markup: readonly BriefListReading[]): BriefListReading[] {
  const shownByKey = new Map<string, BriefReading>();
  for (const brief of markup.flatMap((list) => list.briefs)) {
    shownByKey.set(titleKey(brief.title), brief);
    if (brief.link) shownByKey.set(brief.link, brief);
  }
  const lists: BriefListReading[] = [];
  for (const list of data.lists) {
    const unmatched = list.briefs.filter((brief) => {
      const shown = (brief.link && shownByKey.get(brief.link)) || shownByKey.get(titleKey(brief.title));
      if (!shown) return true;
      if (!shown.machine && brief.machine) shown.machine = brief.machine;
      if (!shown.link && brief.link) shown.link = brief.link;
      return false;
    });
    if (unmatched.length > 0) lists.push({ label: list.label, source: 'structured', score: 3, briefs: unmatched });
  }
  return lists;
}

/** Offsets the page writes itself; a bare `Z` is left out, since pages put one on local times. */
function zoneEvidence(data: StructuredData, lists: readonly BriefListReading[], published: MachineTime | undefined): MachineTime[] {
  const times = [...data.times, ...lists.flatMap((list) => list.briefs.map((brief) => brief.machine)), published];
  // Nor is +00:00: content systems write their JSON-LD dates in UTC whatever the site's zone.
  return times.filter((time): time is MachineTime => time !== undefined && time.offsetMinutes !== undefined && time.offsetMinutes !== 0 && !time.zulu && !time.epoch);
}
