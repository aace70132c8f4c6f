// The names of the files a pass writes into out/, apart from the code that writes them.

export const FEED_FILES = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' } as const;
export const INDEX_FILE = 'index.html';
export const OPML_FILE = 'feeds.opml';
