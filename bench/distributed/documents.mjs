// The fleet benchmark's feeds: one document per source, deterministic from a seed, shaped like
// the feeds an aggregator meets. Formats rotate RSS 2.0, Atom 1.0, JSON Feed 1.1 by source; each
// has 20 to 50 items whose HTML needs sanitizing (scripts, styles, on* handlers, nested markup,
// images), whose links carry tracking parameters, and several of which share one minute, within
// a source and across sources, so feeds must break ties the same way however the entries were
// stored. A few RSS items are re-posts of an earlier one under another tracking link and no
// guid: the normalizer merges them into one entry, as it should.
import { createRng } from '../generate-pages.mjs';

/** Items go back from here, so no date is in the future (feedloom replaces those with "now"). */
const NEWEST_MS = Date.UTC(2026, 4, 31, 12, 0, 0);
const MINUTE = 60_000;
export const FORMATS = ['rss', 'atom', 'json'];
const CONTENT_TYPES = { rss: 'application/rss+xml; charset=utf-8', atom: 'application/atom+xml; charset=utf-8', json: 'application/feed+json; charset=utf-8' };
const EXTENSIONS = { rss: 'xml', atom: 'atom', json: 'json' };

const WORDS = `council harbour ferry port market school budget plan report study team season river bridge road
station library museum festival project policy price energy water housing transport health research
release security update network model service community city region government minister election
court ruling company revenue growth climate storm flood coast fishing boat crew cargo terminal strike
teacher student hospital doctor patient clinic trial survey vote forecast quarter morning evening
weekend summer winter local national public early late open closed said announced reported confirmed
expected approved rejected delayed launched increased improved changed raised added built repaired`
  .split(/\s+/)
  .filter(Boolean);
// Non-ASCII text real feeds carry: accents, other scripts, typography, an emoji.
const FLOURISHES = ['café', 'naïve', 'São Paulo', 'Zürich', 'Ærø', 'Łódź', 'Ελλάδα', 'Москва', '東京', 'القاهرة', '“quoted”', 'don’t', '€12 million', '½', '—', '🚢'];
const CATEGORIES = ['News', 'Politics', 'Business', 'Technology', 'Science', 'Health', 'Sport', 'Culture', 'Travel', 'Local', 'Climate', 'Économie'];
const AUTHORS = ['Ana Ribeiro', 'James O’Neill', 'Mei Chen', 'Kwame Mensah', 'Sofia Müller', 'Søren Ødegaard', 'Priya Nair', 'Olu Adeyemi', 'Eva Novák', 'Zoë Baker'];
const TRACKING = ['utm_source=rss&utm_medium=feed', 'utm_source=feedburner&utm_medium=feed&utm_campaign=daily', 'fbclid=IwAR0x7', 'utm_campaign=morning&gclid=Cj0K'];

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const capitalize = (text) => text[0].toUpperCase() + text.slice(1);

function words(rng, count) {
  return Array.from({ length: count }, () => (rng.next() < 0.06 ? rng.pick(FLOURISHES) : rng.pick(WORDS))).join(' ');
}

/** A story's HTML: what a CMS exports, with the parts a sanitizer must take out or keep. */
function articleHtml(rng, site, slug) {
  const parts = [];
  for (let p = rng.int(2, 5); p > 0; p--) {
    let text = `${capitalize(words(rng, rng.int(10, 30)))}.`;
    if (rng.next() < 0.5) text += ` <a href="/tag/${rng.pick(WORDS)}?utm_source=rss" onclick="track(this)">${words(rng, 2)}</a>.`;
    if (rng.next() < 0.3) text = `<span style="color:red" onmouseover="x()"><b>${text}</b></span>`;
    parts.push(`<p class="body">${text}</p>`);
  }
  if (rng.next() < 0.4) parts.splice(1, 0, `<figure><img src="https://cdn.${site}.example/img/${slug}.jpg" alt="${escapeXml(words(rng, 4))}" onerror="steal()" width="800"><figcaption>${words(rng, 5)}</figcaption></figure>`);
  if (rng.next() < 0.3) parts.push(`<script>window.tracker.push("${slug}")</script>`);
  if (rng.next() < 0.2) parts.unshift('<style>.body { font-size: 18px }</style>');
  if (rng.next() < 0.2) parts.push(`<div class="related"><section><ul>${Array.from({ length: 3 }, () => `<li><a href="https://www.${site}.example/${rng.pick(WORDS)}?utm_medium=related">${words(rng, 4)}</a></li>`).join('')}</ul></section></div>`);
  if (rng.next() < 0.15) parts.push(`<iframe src="https://video.example/embed/${slug}"></iframe>`);
  return parts.join('\n');
}

/**
 * A source's items, newest first. Its newest item is in the last half hour before NEWEST_MS, so
 * many sources share minutes at the top of the site's feeds; inside a source, items come in
 * bursts published in one minute (some at the very same second).
 */
function makeItems(rng, index, site, { count = rng.int(20, 50), newestMs = NEWEST_MS - rng.int(0, 30) * MINUTE, firstNumber = 0 } = {}) {
  let ms = newestMs;
  const items = [];
  for (let number = firstNumber; number < firstNumber + count; number++) {
    const n = number - firstNumber;
    const burst = n > 0 && rng.next() < 0.3;
    if (burst) ms -= rng.next() < 0.4 ? 0 : rng.int(1, 59) * 1000;
    else ms = Math.floor((ms - rng.int(2, 240) * MINUTE) / MINUTE) * MINUTE;
    const slug = `${rng.pick(WORDS)}-${rng.pick(WORDS)}-${index}-${number}`;
    items.push({
      title: capitalize(words(rng, rng.int(5, 12))),
      link: `https://www.${site}.example/2026/${slug}?${rng.pick(TRACKING)}`,
      id: `tag:${site}.example,2026:post-${index}-${number}`,
      ms,
      author: rng.pick(AUTHORS),
      categories: [...new Set(Array.from({ length: rng.int(1, 3) }, () => rng.pick(CATEGORIES)))],
      html: articleHtml(rng, site, slug),
    });
  }
  return items;
}

/** FNV-1a of a text: a seed of its own for each item. */
function hashOf(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

const rfc822 = (ms) => new Date(ms).toUTCString().replace('GMT', '+0000');
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

function rssDocument(rng, site, items) {
  const body = items.map((item, n) => {
    // How an item is written is the item's own, so it is written the same in every version.
    const own = createRng(hashOf(item.id));
    // A re-post: the same story again under another tracking link and no guid of its own.
    const repost = n > 0 && own.next() < 0.04;
    const link = repost ? `${items[n - 1].link.split('?')[0]}?utm_source=twitter` : item.link;
    const guid = repost ? '' : own.next() < 0.5 ? `<guid isPermaLink="false">${item.id}</guid>` : '';
    const description = own.next() < 0.6 ? `<![CDATA[${item.html}]]>` : escapeXml(item.html);
    return `<item><title>${escapeXml(item.title)}</title><link>${escapeXml(link)}</link>${guid}<pubDate>${rfc822(item.ms)}</pubDate>` +
      `<dc:creator>${escapeXml(item.author)}</dc:creator>${item.categories.map((category) => `<category>${escapeXml(category)}</category>`).join('')}` +
      `<description>${description}</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>${escapeXml(`The ${capitalize(site)} Gazette`)}</title>
<link>https://www.${site}.example/</link><description>${escapeXml(words(rng, 8))}</description><language>en</language>
<lastBuildDate>${rfc822(items[0].ms)}</lastBuildDate>
${body.join('\n')}
</channel></rss>
`;
}

function atomDocument(rng, site, items) {
  const body = items.map((item) => `<entry><title type="html">${escapeXml(escapeXml(item.title))}</title>` +
    `<link rel="alternate" type="text/html" href="${escapeXml(item.link)}"/><id>${item.id}</id><published>${iso(item.ms)}</published><updated>${iso(item.ms)}</updated>` +
    `<author><name>${escapeXml(item.author)}</name></author>${item.categories.map((category) => `<category term="${escapeXml(category)}"/>`).join('')}` +
    `<content type="html">${escapeXml(item.html)}</content></entry>`);
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>${escapeXml(`${capitalize(site)} Weblog`)}</title>
<link rel="alternate" href="https://${site}.example/"/><id>tag:${site}.example,2026:feed</id><updated>${iso(items[0].ms)}</updated>
${body.join('\n')}
</feed>
`;
}

function jsonFeedDocument(rng, site, items) {
  return `${JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: `${capitalize(site)} Dispatch`,
    home_page_url: `https://${site}.example/`,
    language: 'en',
    items: items.map((item) => ({
      id: item.id,
      url: item.link,
      title: item.title,
      content_html: item.html,
      date_published: new Date(item.ms).toISOString(),
      authors: [{ name: item.author }],
      tags: item.categories,
    })),
  }, null, 1)}\n`;
}

const BUILDERS = { rss: rssDocument, atom: atomDocument, json: jsonFeedDocument };

/** Items a source gains from one version to the next (and as many old ones it drops). */
export const NEW_ITEMS_PER_VERSION = 4;

/**
 * Source `index`'s id, document format, path on the farm, and bytes, in `version`: each version
 * after the first has NEW_ITEMS_PER_VERSION newer items and as many fewer of the oldest, as a
 * feed that moved on since the last tick; every other item is written as before.
 */
export function sourceDocument(seed, index, version = 1) {
  const rng = createRng(seed * 1_000_003 + index);
  const format = FORMATS[index % FORMATS.length];
  const site = `site${String(index).padStart(4, '0')}`;
  let items = makeItems(rng, index, site);
  for (let next = 2; next <= version; next++) {
    const newer = makeItems(createRng((seed * 1_000_003 + index) * 31 + next), index, site, { count: NEW_ITEMS_PER_VERSION, newestMs: items[0].ms + 60 * MINUTE, firstNumber: 1000 * next });
    items = [...newer, ...items.slice(0, items.length - NEW_ITEMS_PER_VERSION)];
  }
  const body = Buffer.from(BUILDERS[format](rng, site, items));
  return { id: `news-${String(index).padStart(4, '0')}`, format, path: `/feeds/${index}.${EXTENSIONS[format]}`, contentType: CONTENT_TYPES[format], items: items.length, body };
}
