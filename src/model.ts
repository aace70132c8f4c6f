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
  /** Public base URL, always ending in "/". Entry ids are minted under it. */
  url: string;
  language?: string;
  timezone: string;
  author: Person;
  schedule: string;
  /** Lines dropped wherever they appear on a page (comment prompts and other furniture). */
  boilerplate: string[];
  feeds: FeedConfig[];
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

export type EntryKind = 'lead' | 'brief';

/** What normalize makes of a page: everything a feed shows, but no publishing history. */
export interface Entry {
  id: string;
  kind: EntryKind;
  source: string;
  title: string;
  summary: string;
  contentText: string;
  contentHtml: string;
  /** The story's own page, else its permalink page under out/entries/. Unique per entry. */
  link: string;
  /** The captured page the entry was read from, when the page gave its URL. */
  pageUrl?: string;
  category?: string;
  author?: Person;
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
  entries: StoredEntry[];
}

export interface RenderedFeed {
  rss: string;
  atom: string;
  json: string;
}
