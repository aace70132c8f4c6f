// The shapes a news page passes through. ingest/news-page reads a NewsPageReading off the HTML:
// the lead, and lists of briefs with their times as shown and as written in the markup. Turning
// those into instants needs the capture time and the site's zone, which is normalize's job
// (normalize/news-page-dates.ts), giving a NewsPageExtract. Both stages import these from here.

/** A day as the page shows it: a calendar date (the year often left out) or "today"/"yesterday". */
export type ShownDay = { kind: 'date'; year?: number; month: number; day: number } | { kind: 'relative'; daysAgo: number };

/** A clock time as shown, with the day when the page shows one beside it. */
export interface ShownTime {
  hour: number;
  minute: number;
  /** Only when the page shows seconds. */
  second?: number;
  day?: ShownDay;
  /** The label's text, trimmed: "13h29", "Вчера, 21:10". */
  text: string;
}

/**
 * A machine-readable time (a `datetime` attribute, JSON-LD date, `data-*` timestamp), as written.
 * `offsetMinutes` is absent for a naive local time; a trailing `Z` is kept apart from `+00:00`
 * because pages often put a `Z` on local times.
 */
export interface MachineTime {
  text: string;
  wall: { year: number; month: number; day: number; hour: number; minute: number; second: number };
  offsetMinutes?: number;
  zulu: boolean;
  /** An epoch number: an instant by construction, never a local time in disguise. */
  epoch?: boolean;
}

export interface BriefReading {
  title: string;
  text?: string;
  link?: string;
  /** The time the page shows for it ("13h29", "Вчера, 21:10"). */
  shown?: ShownTime;
  /** The day of the nearest day-separator heading above it in its list ("21 сентября", "Ieri"). */
  separatorDay?: ShownDay;
  machine?: MachineTime;
}

export type ListSource = 'structured' | 'markup';

export interface BriefListReading {
  /** Where it came from: "json-ld LiveBlogPosting", "div#live > article.post". */
  label: string;
  source: ListSource;
  score: number;
  briefs: BriefReading[];
}

export interface LeadReading {
  title: string;
  summary?: string;
  paragraphs: string[];
  author?: string;
  published?: MachineTime;
}

export interface Rejection {
  label: string;
  reason: string;
}

export interface NewsPageReading {
  url?: string;
  language?: string;
  lead?: LeadReading;
  lists: BriefListReading[];
  rejected: Rejection[];
  /** Machine times written with an offset (not a bare `Z`, not epochs): evidence of the page's zone. */
  zoneEvidence: MachineTime[];
}

export interface NewsPageReadContext {
  url?: string;
  language?: string;
}

/** Where the zone the briefs were dated in came from. */
export type ZoneSource = 'context' | 'page' | 'site';

/**
 * The zone briefs are dated in. A zone the page shows by its offsets is a fixed offset, written
 * as an IANA `Etc/GMT` zone (whose sign is reversed: UTC+03:00 is `Etc/GMT-3`); offsets that are
 * not whole hours have no such zone, and the site's zone is kept for them.
 */
export interface NewsPageZone {
  zone: string;
  from: ZoneSource;
  /** The page's own offset in minutes, when it gave one. */
  pageOffsetMinutes?: number;
}

export interface Brief {
  title: string;
  text?: string;
  link?: string;
  published: Date;
  /** The time as the page shows it ("13h29"); absent when only a machine-readable time dated it. */
  shownTime?: string;
  /** Which facts gave `published`: the shown time, or a machine time that agreed with it or stood alone. */
  datedBy: 'shown' | 'machine';
}

export interface NewsPageLead {
  title: string;
  summary?: string;
  paragraphs: string[];
  author?: string;
  published?: Date;
}

export interface BriefList {
  label: string;
  score: number;
  order: 'newest-first' | 'oldest-first' | 'unknown';
  briefs: Brief[];
}

/** A machine time that named another minute than the page shows: the shown one was taken. */
export interface TimeDisagreement {
  title: string;
  shown: string;
  machine: string;
}

export interface NewsPageExtract {
  url?: string;
  language?: string;
  timeZone: NewsPageZone;
  lead?: NewsPageLead;
  lists: BriefList[];
  /** Every list's briefs, newest first; an item in two lists is one brief. */
  briefs: Brief[];
  rejected: Rejection[];
  disagreements: TimeDisagreement[];
}

/** What the caller knows about the page: the capture time and the site's zone, mainly. */
export interface NewsPageContext {
  /** The page's address as configured (front matter): it wins over what the page says. */
  url?: string;
  /** Where the page was found (a capture tool's note, the fetched URL): used when it names no address itself. */
  fallbackUrl?: string;
  capturedAt: Date;
  /** The site's IANA zone ("Europe/Paris"). */
  timeZone: string;
  /** True when the zone was configured for this page: the page's own offsets then count for nothing. */
  timeZoneExplicit?: boolean;
  language?: string;
}
