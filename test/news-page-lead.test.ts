// The lead story of a news page (ingest/news-page/lead.ts through readNewsPage): its headline,
// standfirst, body, author and time, and never the page's furniture.
import { describe, expect, it } from 'vitest';
import { readNewsPage } from '../src/ingest/news-page/extract.js';

const BODY = [
  'The council voted on Tuesday night to close the old swimming baths for good, ending a campaign that had lasted almost four years.',
  'Campaigners said they would keep pressing for a new pool on the same site, and a petition has already gathered several thousand names.',
  'Officials said repairs would have cost more than building a new leisure centre on the edge of town, which opens next spring.',
];

function page({ head = '', article = '', outside = '' }: { head?: string; article?: string; outside?: string }): string {
  return `<!DOCTYPE html><html lang="en"><head><title>Baths to close for good | Town Crier</title>${head}</head><body>
<div class="cookie-banner"><p>We use cookies on this site so that it works properly and to measure how you use it.</p></div>
<header class="site-header"><h1 class="logo">Town Crier</h1><nav><a href="/">Home</a><a href="/news">News</a></nav></header>
<main>${article}</main>${outside}
<footer><p>Town Crier is published by a small team of local journalists who live and work in the town.</p></footer></body></html>`;
}

const ARTICLE = `<article>
  <h1>Old swimming baths to close for good</h1>
  <p class="standfirst">Councillors reject a last-ditch rescue plan for the Victorian building.</p>
  <p class="byline">By Sam Okafor</p>
  <time datetime="2022-06-07T08:30:00+01:00">7 June 2022</time>
  <div class="share"><p>Share this story with your friends on social media or by email today.</p></div>
  <div class="article-body">${BODY.map((text) => `<p>${text}</p>`).join('')}
    <aside class="related"><p>Related: the leisure centre plan explained in full, with maps and artist impressions.</p></aside>
  </div>
</article>`;

describe('the lead', () => {
  it('takes the article headline, not the site logo or the first paragraph', () => {
    const lead = readNewsPage(page({ article: ARTICLE })).lead;
    expect(lead?.title).toBe('Old swimming baths to close for good');
  });

  it('takes the standfirst as summary and only body paragraphs as content', () => {
    const lead = readNewsPage(page({ article: ARTICLE })).lead!;
    expect(lead.summary).toBe('Councillors reject a last-ditch rescue plan for the Victorian building.');
    expect(lead.paragraphs).toEqual(BODY);
  });

  it('takes the author from the byline and the time from the article', () => {
    const lead = readNewsPage(page({ article: ARTICLE })).lead!;
    expect(lead.author).toBe('Sam Okafor');
    expect(lead.published?.text).toBe('2022-06-07T08:30:00+01:00');
  });

  it('prefers JSON-LD for the author and time, and meta for the summary when no standfirst is shown', () => {
    const head = `<meta name="description" content="The baths will shut in August.">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Baths to close","author":[{"@type":"Person","name":"Sam Okafor"},{"@type":"Person","name":"Lee Park"}],"datePublished":"2022-06-07T07:00:00+01:00"}</script>`;
    const article = `<article><h1>Old swimming baths to close for good</h1><div class="article-body">${BODY.map((text) => `<p>${text}</p>`).join('')}</div></article>`;
    const lead = readNewsPage(page({ head, article })).lead!;
    expect(lead.title).toBe('Old swimming baths to close for good');
    expect(lead.author).toBe('Sam Okafor, Lee Park');
    expect(lead.published?.text).toBe('2022-06-07T07:00:00+01:00');
    expect(lead.summary).toBe('The baths will shut in August.');
  });

  it("falls back to og:title without the site's name when no headline is marked up", () => {
    const head = '<meta property="og:type" content="article"><meta property="og:title" content="Baths to close for good | Town Crier"><meta property="og:site_name" content="Town Crier">';
    const article = `<div class="content">${BODY.map((text) => `<p>${text}</p>`).join('')}</div>`;
    expect(readNewsPage(page({ head, article })).lead?.title).toBe('Baths to close for good');
  });

  it('leaves comments, share prompts and brief lists out of the body', () => {
    const outside = `<section id="comments"><p>I have swum there every week since I was a child and I am heartbroken.</p></section>`;
    const article = `${ARTICLE}<aside><ul class="latest"><li><span>10:02</span> <a href="/a">Bypass reopens after weekend of resurfacing work</a></li><li><span>09:40</span> <a href="/b">School wins national robotics prize for third year</a></li></ul></aside>`;
    const lead = readNewsPage(page({ article, outside })).lead!;
    expect(lead.paragraphs).toEqual(BODY);
  });

  it('finds no lead on a page that is only a list', () => {
    const article = `<h1>Latest news</h1><ul class="feed">${['10:02', '09:40', '08:15'].map((time, index) => `<li><span class="t">${time}</span> <a href="/n/${index}">Headline number ${index} about something in town</a></li>`).join('')}</ul>`;
    const reading = readNewsPage(page({ head: '<meta property="og:type" content="website">', article }));
    expect(reading.lead).toBeUndefined();
    expect(reading.lists[0]?.briefs.map((brief) => brief.shown?.text)).toEqual(['10:02', '09:40', '08:15']);
  });
});
