// out/index.html: every feed with its title, last update, newest entries and subscribe links,
// and autodiscovery <link rel="alternate"> tags for all of them. Pure; no external assets.
import type { FeedDocument, SiteConfig } from '../model.js';
import { entryUrl } from '../layout.js';
import { escapeHtml } from '../shared/escape.js';
import { feedUpdated } from './feed-xml.js';
import { rfc3339 } from './json-feed.js';
import { alternateLink, renderHtmlPage } from './html-page.js';

const NEWEST_SHOWN = 5;

export const PAGE_STYLE = [
  'body{font:1rem/1.5 system-ui,-apple-system,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1d1d1f;background:#fff}',
  'h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.2rem;margin:0 0 .25rem}',
  'section{border-top:1px solid #ddd;padding:1rem 0}',
  '.meta,time{color:#666;font-size:.9rem}',
  'ul{padding-left:1.2rem}li{margin:.3rem 0}a{overflow-wrap:anywhere}',
  '.subscribe a{display:inline-block;margin:.25rem .5rem .25rem 0;padding:.2rem .6rem;border:1px solid #c60;border-radius:.3rem;color:#c60;text-decoration:none}',
  '@media (prefers-color-scheme:dark){body{background:#111;color:#eee}section{border-color:#333}}',
].join('');

export function renderIndexPage(site: SiteConfig, feeds: readonly FeedDocument[]): string {
  return renderHtmlPage({
    language: site.language ?? 'en',
    title: `${site.title}: feeds`,
    head: [
      `<meta name="description" content="${escapeHtml(site.description)}">`,
      ...feeds.flatMap((feed) => [
        alternateLink('application/rss+xml', `${feed.config.title} (RSS)`, feed.rssUrl),
        alternateLink('application/atom+xml', `${feed.config.title} (Atom)`, feed.atomUrl),
        alternateLink('application/feed+json', `${feed.config.title} (JSON Feed)`, feed.jsonUrl),
      ]),
    ],
    style: PAGE_STYLE,
    body: [
      '<header>',
      `<h1>${escapeHtml(site.title)}</h1>`,
      `<p>${escapeHtml(site.description)}</p>`,
      `<p class="meta">Add a feed address below to your feed reader. <a href="feeds.opml">All feeds as OPML</a>.</p>`,
      '</header>',
      ...feeds.flatMap(feedSection),
    ],
  });
}

function feedSection(feed: FeedDocument): string[] {
  const updated = feed.entries.length > 0 ? rfc3339(feedUpdated(feed)) : undefined;
  const newest = feed.entries.slice(0, NEWEST_SHOWN).map((entry) => {
    const published = rfc3339(entry.published);
    return `<li><a href="${escapeHtml(entryUrl(feed.site.url, entry))}">${escapeHtml(entry.title)}</a> <time datetime="${published}">${humanTime(published)}</time></li>`;
  });
  return [
    // "default" is reserved, so no configured feed can take the default feed's id.
    `<section id="${escapeHtml(feed.config.id || 'default')}">`,
    `<h2>${escapeHtml(feed.config.title)}</h2>`,
    ...(feed.config.description ? [`<p>${escapeHtml(feed.config.description)}</p>`] : []),
    `<p class="meta">${updated ? `Last updated <time datetime="${updated}">${humanTime(updated)}</time>` : 'No entries yet'} · ${feed.entries.length} entries</p>`,
    // Relative, so the page works wherever out/ is served; autodiscovery tags carry the public URLs.
    `<p class="subscribe"><a href="${escapeHtml(relative(feed.rssUrl, feed))}">RSS</a><a href="${escapeHtml(relative(feed.atomUrl, feed))}">Atom</a><a href="${escapeHtml(relative(feed.jsonUrl, feed))}">JSON Feed</a></p>`,
    ...(newest.length > 0 ? ['<ul>', ...newest, '</ul>'] : []),
    '</section>',
  ];
}

function relative(url: string, feed: FeedDocument): string {
  return url.startsWith(feed.site.url) ? url.slice(feed.site.url.length) : url;
}

function humanTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
