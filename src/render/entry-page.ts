// StoredEntry -> the small HTML page its feed link points to when the story has no page of its
// own (briefs, and leads captured without a URL). Pure; no external assets.
import type { SiteConfig, StoredEntry } from '../model.js';
import { escapeHtml } from '../shared/escape.js';
import { rfc3339 } from './json-feed.js';
import { alternateLink, renderHtmlPage } from './html-page.js';

export function renderEntryPage(entry: StoredEntry, site: SiteConfig): string {
  const language = entry.language ?? site.language ?? 'en';
  const published = rfc3339(entry.published);
  return renderHtmlPage({
    language,
    title: `${entry.title} · ${site.title}`,
    head: [alternateLink('application/rss+xml', site.title, `${site.url}rss.xml`)],
    style: 'body{font:1.1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}time,.meta{color:#666;font-size:.9rem}',
    body: [
      '<article>',
      `<p class="meta"><a href="${escapeHtml(site.url)}">${escapeHtml(site.title)}</a>${entry.categories.map((category) => ` · ${escapeHtml(category)}`).join('')}</p>`,
      `<h1>${escapeHtml(entry.title)}</h1>`,
      `<p><time datetime="${published}">${published.replace('T', ' ').replace('Z', ' UTC')}</time></p>`,
      entry.contentHtml,
      ...(entry.pageUrl ? [`<p class="meta">Listed on <a href="${escapeHtml(entry.pageUrl)}">${escapeHtml(entry.pageUrl)}</a></p>`] : []),
      '</article>',
    ],
  });
}
