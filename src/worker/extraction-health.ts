// What an HTML page read without selectors gave, kept in its source's record: how many briefs,
// from which lists, and whether that has fallen to nothing where it used to be many (a site that
// changed its markup, a capture of an error page); and what is logged about it.
import type { Logger } from 'pino';
import type { NewsPageZone, TimeDisagreement } from '../news-page-model.js';
import type { SourceRecord } from '../store/store.js';

/** What the page reader found on one page. */
export interface PageExtraction {
  briefs: number;
  /** Each list's label, in the order the page shows them. */
  lists: string[];
}

/** How a page's briefs were dated: the zone and why, and the machine times not believed. */
export interface PageDating {
  zone: NewsPageZone;
  disagreements: TimeDisagreement[];
}

/** A page that gave at least this many briefs and then gives none has degraded. */
export const DEGRADED_AFTER_BRIEFS = 3;

export type ExtractionFields = Pick<SourceRecord, 'briefs' | 'briefLists' | 'degradedFrom'>;

/**
 * The record's extraction fields after a reading. A page stays degraded while it gives no
 * briefs, remembering how many it gave before; any brief found ends it. `degradedNow` is true
 * only on the reading that degraded it, so the warning is said once.
 */
export function extractionFields(extraction: PageExtraction, previous: SourceRecord | undefined): { fields: ExtractionFields; degradedNow: boolean } {
  const fields: ExtractionFields = { briefs: extraction.briefs, briefLists: extraction.lists.map((label) => label.replace(/\s+/g, ' ')).join('\n') };
  if (extraction.briefs > 0) return { fields, degradedNow: false };
  if (previous?.degradedFrom !== undefined) return { fields: { ...fields, degradedFrom: previous.degradedFrom }, degradedNow: false };
  const before = previous?.briefs ?? 0;
  if (before < DEGRADED_AFTER_BRIEFS) return { fields, degradedNow: false };
  return { fields: { ...fields, degradedFrom: before }, degradedNow: true };
}

/** The extraction fields of a record whose page was not read again (unchanged, or failing). */
export function keptExtraction(previous: SourceRecord | undefined): ExtractionFields {
  if (!previous) return {};
  const { briefs, briefLists, degradedFrom } = previous;
  return { ...(briefs !== undefined ? { briefs } : {}), ...(briefLists !== undefined ? { briefLists } : {}), ...(degradedFrom !== undefined ? { degradedFrom } : {}) };
}

/** Where a page's zone came from, as log lines and `feedloom inspect` say it. */
export const ZONE_FROM = { context: 'set for the page', page: "the page's own offsets", site: "the site's zone" } as const;

/**
 * The record's extraction fields after a reading, with what is worth saying: a warning on the
 * reading that degraded the page, and at debug level the zone its briefs were dated in and each
 * machine time not believed. `logger` names the source.
 */
export function recordExtraction(logger: Logger, extraction: PageExtraction, dating: PageDating | undefined, previous: SourceRecord | undefined): ExtractionFields {
  const { fields, degradedNow } = extractionFields(extraction, previous);
  if (degradedNow) {
    const reason = `no brief found, where the last reading found ${fields.degradedFrom}: the page's lists were not recognised; its published entries are kept`;
    logger.warn({ stage: 'ingest', code: 'EXTRACTION_DEGRADED', briefs_before: fields.degradedFrom, reason }, `page degraded: ${reason}`);
  }
  if (dating) {
    const { zone, disagreements } = dating;
    logger.debug({ zone: zone.zone, zone_from: zone.from, briefs: extraction.briefs, lists: extraction.lists }, `page read: briefs dated in ${zone.zone} (${ZONE_FROM[zone.from]})`);
    for (const { title, shown, machine } of disagreements) {
      logger.debug({ brief: title, shown, machine }, `brief "${title}": its machine time ${machine} is not the ${shown} the page shows; the shown time is taken`);
    }
  }
  return fields;
}
