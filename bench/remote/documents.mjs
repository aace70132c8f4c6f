// The remote benchmark's corpus: deterministic feed documents (RSS 2.0, a share of them Atom 1.0)
// with the typography, categories, authors and enclosures real feeds have, and the sources/ that
// point a pass at them on the local feed server.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRng } from '../generate-pages.mjs';

/** Both loopback; other 127.0.0.x addresses are not certain to work everywhere. */
export const HOSTS = ['127.0.0.1', 'localhost'];

const WORDS = `the a of to and in for on with at by from as that this is was were are be has have had will would
council harbour ferry port market school budget plan report data study team season river bridge road
station library museum festival project policy market price energy water housing transport health
research software release security update network cloud model system service platform community
city region government minister election court ruling investment company startup revenue growth
climate storm flood coast fishing boat crew ship cargo container terminal schedule delay strike union
teacher student parent hospital doctor nurse patient clinic vaccine trial result survey poll vote
analysis forecast quarter annual weekly daily morning evening night weekend summer winter spring autumn
new old local national global public private major minor early late quick slow open closed free
said says announced reported confirmed expected planned approved rejected delayed launched opened
closed increased decreased improved changed moved raised cut added removed built repaired tested`
  .split(/\s+/)
  .filter(Boolean);
// A little typography and non-ASCII text, as real feeds have.
const FLOURISHES = ['café', 'naïve', 'São Paulo', 'Zürich', '“quoted”', 'don’t', '€12 million', '½', 'Ærø', '—'];
const CATEGORIES = ['News', 'Politics', 'Business', 'Technology', 'Science', 'Health', 'Sport', 'Culture', 'Travel', 'Opinion', 'Local', 'World', 'Climate', 'Education', 'Transport'];
const AUTHORS = ['Ana Ribeiro', 'James O’Neill', 'Mei Chen', 'Kwame Mensah', 'Sofia Müller', 'Lucas Martin', 'Priya Nair', 'Olu Adeyemi', 'Eva Novak', 'Tom Baker'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Items go back from here, so no date is in the future (feedloom replaces those with "now"). */
const NEWEST_MS = Date.UTC(2026, 5, 1, 12, 0, 0);

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function capitalize(text) {
  return text[0].toUpperCase() + text.slice(1);
}

function sentence(rng, words) {
  const parts = Array.from({ length: words }, () => (rng.next() < 0.03 ? rng.pick(FLOURISHES) : rng.pick(WORDS)));
  return `${capitalize(parts.join(' '))}.`;
}

/** A story's HTML: a few paragraphs with inline links and emphasis, now and then a quote, list or image. */
function articleHtml(rng, site, slug) {
  const paragraphs = [];
  const count = rng.int(2, 5);
  for (let p = 0; p < count; p++) {
    const sentences = Array.from({ length: rng.int(2, 5) }, () => sentence(rng, rng.int(8, 20)));
    if (rng.next() < 0.5) sentences[0] = `${sentences[0].slice(0, -1)} <a href="/tag/${rng.pick(WORDS)}">${rng.pick(WORDS)} ${rng.pick(WORDS)}</a>.`;
    if (rng.next() < 0.3) sentences[1] = `<em>${sentences[1]}</em>`;
    if (rng.next() < 0.2) sentences.push(`Prices rose 3% &amp; costs <strong>fell</strong> &#8212; ${sentence(rng, 6)}`);
    paragraphs.push(`<p>${sentences.join(' ')}</p>`);
  }
  const extra = rng.next();
  if (extra < 0.15) paragraphs.splice(1, 0, `<p><img src="https://cdn.${site}.example/img/${slug}.jpg" alt="${escapeXml(sentence(rng, 5))}" width="800" height="450"></p>`);
  else if (extra < 0.25) paragraphs.push(`<blockquote><p>${sentence(rng, 14)}</p></blockquote>`);
  else if (extra < 0.35) paragraphs.push(`<ul>${Array.from({ length: 3 }, () => `<li>${sentence(rng, 6)}</li>`).join('')}</ul>`);
  if (rng.next() < 0.1) paragraphs.push(`<p><a href="https://www.${site}.example/${slug}?utm_source=rss&amp;utm_medium=feed">Read more</a></p>`);
  return paragraphs.join('\n');
}

function rfc822(ms, zone) {
  // A share of feeds state their local offset; the instant is the same.
  const offsetMin = zone === '-0500' ? -300 : zone === '+0100' ? 60 : 0;
  const d = new Date(ms + offsetMin * 60_000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${zone}`;
}

function makeItems(rng, index, site, items) {
  let ms = NEWEST_MS - rng.int(0, 72) * 3_600_000;
  return Array.from({ length: items }, (_, n) => {
    ms -= rng.int(10, 600) * 60_000; // Newest first, minutes to hours apart.
    const slug = `${rng.pick(WORDS)}-${rng.pick(WORDS)}-${rng.pick(WORDS)}-${index}-${n}`;
    const date = new Date(ms);
    return {
      title: capitalize(Array.from({ length: rng.int(5, 11) }, () => rng.pick(WORDS)).join(' ')),
      link: `https://www.${site}.example/${date.getUTCFullYear()}/${String(date.getUTCMonth() + 1).padStart(2, '0')}/${slug}`,
      tagId: `tag:${site}.example,2026:post-${index}-${n}`,
      permalinkGuid: rng.next() < 0.6,
      ms,
      author: rng.pick(AUTHORS),
      categories: Array.from({ length: rng.int(1, 3) }, () => rng.pick(CATEGORIES)),
      html: articleHtml(rng, site, slug),
    };
  });
}

function rssDocument(rng, index, site, items) {
  const zone = rng.pick(['+0000', '+0000', 'GMT', '-0500', '+0100']);
  const cdata = rng.next() < 0.6; // The rest escape their HTML as text; both are common.
  const list = makeItems(rng, index, site, items);
  const body = list.map((item) => {
    const guid = item.permalinkGuid ? `<guid isPermaLink="true">${item.link}</guid>` : `<guid isPermaLink="false">${item.tagId}</guid>`;
    const description = cdata ? `<![CDATA[${item.html}]]>` : escapeXml(item.html);
    return `    <item>
      <title>${escapeXml(item.title)}</title>
      <link>${item.link}</link>
      ${guid}
      <pubDate>${rfc822(item.ms, zone)}</pubDate>
      <dc:creator>${escapeXml(item.author)}</dc:creator>
${item.categories.map((category) => `      <category>${category}</category>`).join('\n')}
      <description>${description}</description>
    </item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>${escapeXml(`The ${capitalize(site)} Gazette`)}</title>
    <link>https://www.${site}.example/</link>
    <description>${escapeXml(sentence(rng, 10))}</description>
    <language>en</language>
    <lastBuildDate>${rfc822(list[0].ms, zone)}</lastBuildDate>
    <generator>bench/remote.mjs</generator>
    <ttl>60</ttl>
    <atom:link href="https://www.${site}.example/feed/" rel="self" type="application/rss+xml"/>
${body.join('\n')}
  </channel>
</rss>
`;
}

function atomDocument(rng, index, site, items) {
  const list = makeItems(rng, index, site, items);
  const body = list.map((item) => {
    const iso = new Date(item.ms).toISOString().replace('.000Z', 'Z');
    const summary = item.html.slice(0, item.html.indexOf('</p>') + 4);
    return `  <entry>
    <title>${escapeXml(item.title)}</title>
    <link rel="alternate" type="text/html" href="${item.link}"/>
    <id>${item.tagId}</id>
    <published>${iso}</published>
    <updated>${iso}</updated>
    <author><name>${escapeXml(item.author)}</name></author>
${item.categories.map((category) => `    <category term="${category.toLowerCase()}" label="${category}"/>`).join('\n')}
    <summary type="html">${escapeXml(summary)}</summary>
    <content type="html">${escapeXml(item.html)}</content>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>${escapeXml(`${capitalize(site)} Weblog`)}</title>
  <subtitle>${escapeXml(sentence(rng, 8))}</subtitle>
  <link rel="alternate" type="text/html" href="https://${site}.example/"/>
  <link rel="self" type="application/atom+xml" href="https://${site}.example/atom.xml"/>
  <id>tag:${site}.example,2026:feed</id>
  <updated>${new Date(list[0].ms).toISOString().replace('.000Z', 'Z')}</updated>
  <generator>bench/remote.mjs</generator>
${body.join('\n')}
</feed>
`;
}

/** Writes `docs` documents into `dir`; every fifth-ish one (by --atom-share) is Atom. */
export function generateDocuments(dir, options) {
  mkdirSync(dir, { recursive: true });
  const ids = [];
  let bytes = 0;
  let atom = 0;
  for (let index = 0; index < options.docs; index++) {
    const rng = createRng(options.seed * 1_000_003 + index);
    const id = `feed-${String(index).padStart(4, '0')}`;
    const site = `site${String(index).padStart(4, '0')}`;
    const isAtom = rng.next() < options.atomShare;
    const text = isAtom ? atomDocument(rng, index, site, options.items) : rssDocument(rng, index, site, options.items);
    writeFileSync(path.join(dir, `${id}.xml`), text);
    bytes += Buffer.byteLength(text);
    atom += isAtom ? 1 : 0;
    ids.push(id);
  }
  return { ids, bytes, atom };
}

/** One sources/<id>.yaml per document, alternating hosts, and a site.yaml with the fetch limits. */
export function writeSources(dir, ids, port, options) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'site.yaml'),
    `# Generated by bench/remote.mjs.
title: feedloom remote benchmark
url: http://localhost:8080/
language: en
timezone: UTC
fetch:
  # Two hosts only (127.0.0.1 and localhost): per_host raised from 2 so the limiter is not the cap.
  per_host: ${options.perHost}
  overall: ${options.overall}
  timeout: 120
`,
  );
  ids.forEach((id, index) => {
    const host = HOSTS[index % HOSTS.length];
    writeFileSync(path.join(dir, `${id}.yaml`), `kind: feed\nurl: http://${host}:${port}/feeds/${id}.xml\n`);
  });
}
