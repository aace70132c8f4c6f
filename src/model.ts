// The shapes passed between stages. Every stage imports from here; nothing here imports a stage.

export interface Person {
  name: string;
  email?: string;
  url?: string;
}

/** Which entries a feed carries; every filter that is set must match. */
export interface FeedFilter {
  /** Globs over source paths relative to sources/ (posix separators). */
  sources?: string[];
  kind?: EntryKind;
  categories?: string[];
}

/** A feed as configured: the default one, or one from `feeds:` in site.yaml. */
export interface FeedConfig {
  /** Empty for the default feed (written at the top of out/), else its folder name. */
  id: string;
  title: string;
  description?: string;
  limit: number;
  filter: FeedFilter;
}

export interface SiteConfig {
  title: string;
  description: string;
  /** Public base URL, always ending in "/". Links are made under it; ids are not (idNamespace). */
  url: string;
  /**
   * What every id is made in. Fixed when the state is created (site.yaml's `site_id`, else the
   * first `url`) and kept in the state, so a later change of `url` changes links, not identities.
   */
  idNamespace: string;
  /** `site_id` from site.yaml, when it sets one. */
  siteId?: string;
  language?: string;
  timezone: string;
  author: Person;
  schedule: string;
  /** Lines dropped wherever they appear on a page (comment prompts and other furniture). */
  boilerplate: string[];
  feeds: FeedConfig[];
  fetch: FetchSettings;
  /** WebSub hub the feeds name and that is told when they change. */
  hub?: string;
  /** Write RFC 5005 archive documents of the entries that leave each feed. */
  archive: boolean;
  /** Where the state lives, as site.yaml says (a file path or a postgres:// URL); --state wins. */
  state?: string;
  /** A captured page larger than this is not read (it fails); `max_page_bytes`. */
  maxPageBytes: number;
}

/** How remote sources are fetched; see src/ingest/fetch.ts. */
export interface FetchSettings {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxBytes: number;
  perHost: number;
  overall: number;
  /**
   * Worker threads that parse and normalize fetched documents, or changed captured pages, in a
   * pass that reads many: 0 keeps them on the pass's own thread; unset, one per core (up to 4) on
   * a machine with more than one, one fewer when pages start them.
   */
  parseThreads?: number;
  /** `fetch.allow_private`: every source, also one added by import-opml, may reach private addresses. */
  allowPrivate?: boolean;
}

/** A page file's optional front matter, validated. */
export interface PageMeta {
  url?: string;
  captured?: Date;
  published?: Date;
  timezone?: string;
  language?: string;
  title?: string;
  author?: Person;
  briefsHeadings?: string[];
}

/** A captured page as read from disk: decoded text, front matter split off. */
export interface Capture {
  /** Path relative to the sources folder, posix separators. */
  source: string;
  meta: PageMeta;
  body: string;
  /** 1-based line number of the body's first line in the file, for error messages. */
  bodyFirstLine: number;
  capturedAt: Date;
}

/** A page's lead story, one of its briefs, or an item of a remote feed. */
export type EntryKind = 'lead' | 'brief' | 'item';

/** The source kind recorded for captured page files under sources/ (remote sources name theirs). */
export const LOCAL_PAGE_KIND = 'capture';

/** What normalize makes of a page: everything a feed shows, but no publishing history. */
export interface Entry {
  id: string;
  kind: EntryKind;
  source: string;
  title: string;
  summary: string;
  contentText: string;
  contentHtml: string;
  /**
   * The story's own page, when its source gave one. An entry without one is published with a page
   * of its own under out/ (layout.ts, entryUrl), a fact of the layout, not of the entry.
   */
  link?: string;
  /** The captured page the entry was read from, when the page gave its URL. */
  pageUrl?: string;
  /** A brief's topic, or a feed item's categories. */
  categories: string[];
  /** Empty when the site's author stands for the entry. */
  authors: Person[];
  /** Podcast audio and other attachments, kept as the source gave them. */
  enclosures: Enclosure[];
  image?: string;
  language?: string;
  published: Date;
  /** When the capture that carried this version was taken; a newer capture wins. */
  capturedAt: Date;
}

/** An entry as the store remembers it. */
export interface StoredEntry extends Entry {
  firstSeen: Date;
  /** Moves only when the entry's text changes. */
  updated: Date;
  contentHash: string;
}

/** A feed ready to render: its config plus the public URLs of its files. */
export interface FeedDocument {
  config: FeedConfig;
  site: SiteConfig;
  /** urn:uuid id of the feed itself, stable across runs. */
  id: string;
  homeUrl: string;
  rssUrl: string;
  atomUrl: string;
  jsonUrl: string;
  /** The XSLT stylesheet browsers apply, relative to the feed's own URL. */
  stylesheetHref: string;
  /** RFC 5005: the newest archive document of this feed, when it has one. */
  prevArchiveUrl?: string;
  entries: StoredEntry[];
}

export interface RenderedFeed {
  rss: string;
  atom: string;
  json: string;
}

export interface Enclosure {
  url: string;
  type?: string;
  length?: number;
}

/** One item of a fetched feed, in the source's own terms: nothing resolved, cleaned or trusted yet. */
export interface RawItem {
  guid?: string;
  link?: string;
  /** HTML, untrusted, unless `titleIsText`. */
  title?: string;
  /** The title is plain text by its format's rules (JSON Feed; an RSS title that does not look like HTML): "<b>" in it is meant to be read. */
  titleIsText?: true;
  /** HTML, untrusted. */
  summaryHtml?: string;
  /** HTML, untrusted. */
  contentHtml?: string;
  contentText?: string;
  authors: Person[];
  categories: string[];
  published?: string;
  updated?: string;
  enclosures: Enclosure[];
  image?: string;
  language?: string;
}

export type FeedFormat = 'rss2' | 'rss1' | 'rss09' | 'atom' | 'json';

/** A fetched feed document, parsed but not normalized. */
export interface RawFeed {
  format: FeedFormat;
  title?: string;
  link?: string;
  language?: string;
  items: RawItem[];
  /** Items the document had but that could not be read (kept for the log). */
  skipped: string[];
}

/** Told what a pass does, for metrics. */
export interface PassObserver {
  passFinished(durationMs: number): void;
  sourceFailed(source: string): void;
  fetchFinished(durationMs: number): void;
}
