// A news page's reading (ingest/news-page) -> its extract: the zone chosen, every brief dated,
// the lead's time read, and the same item in two lists made one brief. Pure.
import type { Brief, BriefList, MachineTime, NewsPageContext, NewsPageExtract, NewsPageLead, NewsPageReading } from '../news-page-model.js';
import { machineInstant } from '../shared/machine-time.js';
import { BRIEF_CLOCK_SKEW_MS, zonedTimeToInstant } from './dates.js';
import { dateBriefList, type DatedBrief } from './news-page-dates.js';
import { chooseNewsPageZone } from './news-page-zone.js';

export function resolveNewsPage(reading: NewsPageReading, context: NewsPageContext): NewsPageExtract {
  const timeZone = chooseNewsPageZone(reading.zoneEvidence, context);
  const dating = { capturedAt: context.capturedAt.getTime(), zone: timeZone.zone };
  const disagreements: NewsPageExtract['disagreements'] = [];
  const rejected = [...reading.rejected];
  const lists: BriefList[] = [];
  for (const list of reading.lists) {
    const dated = dateBriefList(list, dating);
    const future = dated.briefs.filter((brief) => brief.published > dating.capturedAt + BRIEF_CLOCK_SKEW_MS);
    // A shown day puts a time after the capture only in a schedule ("Today: high tide 22:58").
    if (future.length > 0) {
      rejected.push({ label: list.label, reason: 'times later than the capture on the day shown (a schedule)' });
      continue;
    }
    disagreements.push(...dated.disagreements);
    lists.push({ label: list.label, score: list.score, order: dated.order, briefs: dated.briefs.map(toBrief) });
  }
  const extract: NewsPageExtract = { timeZone, lists, briefs: mergeBriefs(lists), rejected, disagreements };
  const url = context.url ?? reading.url ?? context.fallbackUrl;
  if (url) extract.url = url;
  const language = context.language ?? reading.language;
  if (language) extract.language = language;
  if (reading.lead) extract.lead = resolveLead(reading.lead, timeZone.zone);
  return extract;
}

function toBrief(dated: DatedBrief): Brief {
  const { reading } = dated;
  const brief: Brief = { title: reading.title, published: new Date(dated.published), datedBy: dated.datedBy };
  if (reading.text) brief.text = reading.text;
  if (reading.link) brief.link = reading.link;
  if (reading.shown) brief.shownTime = reading.shown.text;
  return brief;
}

function resolveLead(lead: NonNullable<NewsPageReading['lead']>, zone: string): NewsPageLead {
  const { published, ...rest } = lead;
  const instant = published ? instantOf(published, zone) : undefined;
  return instant === undefined ? rest : { ...rest, published: new Date(instant) };
}

/** A machine time's instant: its own offset, else its wall time in the page's zone. */
export function instantOf(time: MachineTime, zone: string): number {
  const own = machineInstant(time);
  if (own !== undefined) return own;
  const { year, month, day, hour, minute, second } = time.wall;
  return zonedTimeToInstant({ year, month, day }, hour, minute, zone) + second * 1000;
}

/** One brief per item across lists (same link, or same title in the same minute), newest first. */
export function mergeBriefs(lists: readonly BriefList[]): Brief[] {
  const byKey = new Map<string, Brief>();
  const merged: Brief[] = [];
  for (const brief of [...lists].sort((a, b) => b.score - a.score).flatMap((list) => list.briefs)) {
    const keys = [brief.link ? `link ${brief.link}` : undefined, `title ${sameTitle(brief.title)} ${Math.floor(brief.published.getTime() / 60_000)}`].filter((key): key is string => key !== undefined);
    const known = keys.map((key) => byKey.get(key)).find(Boolean);
    if (known) {
      if (!known.text && brief.text) known.text = brief.text;
      keys.forEach((key) => byKey.set(key, known));
      continue;
    }
    const copy = { ...brief };
    merged.push(copy);
    keys.forEach((key) => byKey.set(key, copy));
  }
  return merged.sort((a, b) => b.published.getTime() - a.published.getTime());
}

function sameTitle(title: string): string {
  return title.toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
}
