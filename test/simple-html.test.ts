import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText, htmlToTextWithParser, sanitizedHtmlToText, sanitizeHtmlContent, sanitizeHtmlWithParser } from '../src/normalize/sanitize.js';
import { sanitizeSimpleHtml, type SimpleHtmlRules } from '../src/normalize/simple-html.js';

const BASE = 'https://harbour-notes.example/2026/05/ferry-timetable';

// Rules that let every tag through untouched, to see which HTML the reader takes at all.
const OPEN_RULES: SimpleHtmlRules = {
  tags: new Set(['p', 'a', 'em', 'li', 'ul', 'br', 'img', 'blockquote', 'span']),
  attributes: { a: ['href'], img: ['src', 'alt'] },
  transform: (_tagName, attribs) => attribs,
};

const TEXT = [
  'Ferry', ' timetable ', 'café', ' ', '  ', '\n', '\t', '\r\n', '\u00a0', '“late”', 'don’t', '>', '"', "'",
  '&amp;', '&lt;', '&gt;', '&quot;', '&#39;', '&nbsp;', '&#8212;', '&#x2014;', '&#X2014;', '&#0;', '&#128;', '&#xD800;', '&#99999999;',
  '&copy;', '&copy', '&notit;', '&ampx;', '&#;', '&#x;', '& ', '&', '&1', '<', 'a < b', '&AMP;', '&Eacute;',
];
const ATTRIBUTES = [
  ' href="/tag/ferries"', ' href="https://www.harbour-notes.example/p?utm_source=rss&amp;id=7"', ' href="javascript:alert(1)"',
  ' href=""', ' href="  /spaced  "', ' href="mailto:desk@harbour-notes.example"', ' href="//cdn.example/x"', ' href="/a" href="/b"',
  ' title="Tides &amp; times"', ' title="x > y"', ' title="a &copy b"', ' title=\'single\'', ' title=bare', ' alt=""', ' alt="Pier at dusk"',
  ' src="pier.jpg"', ' src="data:image/png;base64,iVBORw0KGgo="', ' src="data:text/html;base64,PHNjcmlwdD4="', ' width="800"',
  ' class="lead"', ' onclick="steal()"', ' HREF="/upper"', ' data-x="1"', ' hreflang="en"', ' datetime="2026-05-01"', '\n\thref="/nl"',
];
const TAGS = [
  'p', 'a', 'em', 'strong', 'b', 'i', 'u', 's', 'sub', 'sup', 'small', 'mark', 'q', 'cite', 'abbr', 'time', 'code', 'pre',
  'h1', 'h2', 'h6', 'blockquote', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'figure', 'figcaption', 'span', 'div',
  'table', 'tr', 'td', 'video', 'script', 'style', 'iframe', 'font', 'P', 'section',
];
const VOIDS = ['<br>', '<br/>', '<br />', '<hr>', '<img src="tide.png" alt="">', '<img src="tide.png"/>', '</br>', '<p/>', '<!-- note -->', '<![CDATA[x]]>', '<?pi?>', '<!doctype html>'];

const text = fc.constantFrom(...TEXT);
const attributes = fc.array(fc.constantFrom(...ATTRIBUTES), { maxLength: 3 }).map((list) => list.join(''));
const tagName = fc.constantFrom(...TAGS);

// Well-nested HTML, which the reader should mostly take.
const { tree } = fc.letrec<{ tree: string; node: string }>((tie) => ({
  tree: fc.array(tie('node'), { maxLength: 5 }).map((nodes) => nodes.join('')),
  node: fc.oneof(
    { weight: 3, arbitrary: text },
    { weight: 1, arbitrary: fc.constantFrom(...VOIDS) },
    { weight: 2, arbitrary: fc.tuple(tagName, attributes, tie('tree')).map(([name, attrs, inner]) => `<${name}${attrs}>${inner}</${name}>`) },
  ),
}));
// Tag soup: open and end tags in any order.
const soup = fc
  .array(fc.oneof(text, fc.constantFrom(...VOIDS), fc.tuple(tagName, attributes).map(([name, attrs]) => `<${name}${attrs}>`), tagName.map((name) => `</${name}>`)), { maxLength: 12 })
  .map((parts) => parts.join(''));

describe('simple HTML without a parser', () => {
  it('gives exactly what sanitize-html gives, whenever it takes the HTML', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.oneof(tree, soup), (html) => {
        runs++;
        const parsed = sanitizeHtmlWithParser(html, BASE).trim();
        expect(sanitizeHtmlContent(html, BASE)).toEqual({ html: parsed, text: sanitizedHtmlToText(parsed) });
        if (sanitizeSimpleHtml(html, OPEN_RULES) !== undefined) taken++;
      }),
      { numRuns: 3000 },
    );
    // The comparison means something only if a fair share of the HTML took the fast way.
    expect(taken / runs).toBeGreaterThan(0.2);
  });

  it('gives the same text of HTML as the parser does', () => {
    fc.assert(
      fc.property(fc.oneof(tree, soup), (html) => {
        expect(htmlToText(html)).toBe(htmlToTextWithParser(html));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the HTML feeds usually send', () => {
    const html =
      '<p>Crossings resume at <a href="/tag/ferries" title="Ferries">six</a> &amp; run <em>hourly</em> &#8212; weather allowing.</p>\n' +
      '<p><img src="https://cdn.harbour-notes.example/pier.jpg" alt="" width="800"><br /></p><ul><li>One</li><li>Two</li></ul>';
    expect(sanitizeSimpleHtml(html, OPEN_RULES)).toBeDefined();
    expect(sanitizeHtmlContent(html, BASE).html).toBe(sanitizeHtmlWithParser(html, BASE).trim());
  });

  it.each([
    ['a comment', '<p>Tide<!-- hidden --></p>'],
    ['an end tag out of order', '<p><em>Tide</p></em>'],
    ['an element left open', '<p>Tide'],
    ['a paragraph the parser would close', '<p>Tide<ul><li>x</li></ul></p>'],
    ['a tag it does not allow', '<p>Tide<script>x()</script></p>'],
    ['an entity without its semicolon', '<p>&copy 2026</p>'],
    ['an unquoted attribute', '<a href=/x>Tide</a>'],
    ['a stray <', '<p>a < b</p>'],
  ])('leaves %s to sanitize-html', (_case, html) => {
    expect(sanitizeSimpleHtml(html, OPEN_RULES)).toBeUndefined();
  });

  it('never lets a script, handler or javascript: link through', () => {
    fc.assert(
      fc.property(fc.oneof(tree, soup), (html) => {
        const safe = sanitizeHtmlContent(html, BASE).html;
        expect(safe).not.toMatch(/<script|<style|<iframe|\son\w+=|javascript:/i);
      }),
      { numRuns: 1000 },
    );
  });
});
