// What an HTML page read without selectors gave, kept in its source's record: how many briefs,
// from which lists, and whether that has fallen to nothing where it used to be many (a site that
// changed its markup, a capture of an error page). Pure.
import type { SourceRecord } from '../store/store.js';

/** What the page reader found on one page. */
export interface PageExtraction {
  briefs: number;
  /** Each list's label, in the order the page shows them. */
  lists: string[];
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
