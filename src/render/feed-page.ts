// <feed>/feed.html: a feed as a page for people. `feedloom serve` sends it to a browser that
// opens rss.xml or atom.xml, since browsers download feed types and are dropping XSLT; static
// hosts still have the feeds' xml-stylesheet instruction. Pure; no external assets.
import type { FeedDocument } from '../model.js';
import { entryUrl } from '../layout.js';
import { escapeHtml } from '../shared/escape.js';
import { rfc3339 } from './json-feed.js';
import { PAGE_STYLE } from './index-page.js';
import { alternateLink, renderHtmlPage } from './html-page.js';

export function renderFeedPage(document: FeedDocument): string {
  const { config, site } = document;
  const items = document.entries.map((entry) => {
    const published = rfc3339(entry.published);
    return [
      '<li>',
      `<a href="${escapeHtml(entryUrl(site.url, entry))}">${escapeHtml(entry.title)}</a> `,
      `<time datetime="${published}">${published.slice(0, 10)} ${published.slice(11, 16)} UTC</time>`,
      ...(entry.summary && entry.summary !== entry.title ? [`<p>${escapeHtml(entry.summary)}</p>`] : []),
      '</li>',
    ].join('');
  });
  return renderHtmlPage({
    language: site.language ?? 'en',
    title: `${config.title} (feed)`,
    head: [alternateLink('application/rss+xml', config.title, document.rssUrl), alternateLink('application/atom+xml', config.title, document.atomUrl)],
    style: `${PAGE_STYLE}.note{background:#fff6e5;border:1px solid #f0c36d;border-radius:.3rem;padding:.6rem .8rem}.note code{overflow-wrap:anywhere}li time{display:block}li p{margin:.2rem 0 0}`,
    body: [
      `<p class="note">This is a web feed. To subscribe, copy its address into your feed reader: <code>${escapeHtml(document.rssUrl)}</code></p>`,
      `<h1>${escapeHtml(config.title)}</h1>`,
      `<p>${escapeHtml(config.description ?? site.description)}</p>`,
      `<p class="subscribe"><a href="${escapeHtml(document.homeUrl)}">Visit the site</a></p>`,
      '<ul>',
      ...items,
      '</ul>',
    ],
  });
}
