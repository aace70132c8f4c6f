// One list item -> one brief: its title (heading, then the main link's text, then its first
// sentence), its text, its link and its times as shown and as written for machines.
import { parseMachineTime } from '../../shared/machine-time.js';
import type { BriefReading, MachineTime, ShownDay } from '../../news-page-model.js';
import { shapeOf } from './brief-lists.js';
import { firstSentence } from './structured-data.js';
import { cleanText, descendantsOf, type Element, shortTextOf, textOf } from './text.js';
import { TIMESTAMP_ATTRIBUTES, type TimeCarrier } from './time-carriers.js';

// Not <strong>: live updates open with a bold lead-in ("<strong>Le préfet</strong> annonce..."),
// which is half a sentence, not a title.
function isTitleElement(element: Element): boolean {
  const className = element.attribs['class'];
  return /^h[1-6]$/.test(element.tagName) || (className !== undefined && (className.includes('title') || className.includes('headline'))) || element.attribs['itemprop'] === 'headline';
}

export function readBriefItem(element: Element, carrier: TimeCarrier, separatorDay: ShownDay | undefined, baseUrl: string | undefined): BriefReading | undefined {
  // The text to take out of titles: the label the time was read from, or nothing for a stamp.
  const timeText = carrier.shown === undefined ? '' : carrier.rest === undefined ? textOf(carrier.element) : carrier.shown.text;
  const content = contentOf(element, timeText);
  const inContent = descendantsOf(content);
  const link = mainLink(content, inContent);
  const paragraphs = textParagraphs(inContent, carrier, timeText);
  const title = titleOf(content, inContent, carrier, link, timeText, paragraphs);
  if (!title) return undefined;
  const brief: BriefReading = { title };
  const text = bodyOf(content, carrier, title, timeText, paragraphs);
  if (text) brief.text = text;
  const href = link ? absolute(link.attribs['href'], baseUrl) : undefined;
  if (href) brief.link = href;
  if (carrier.shown) brief.shown = carrier.shown;
  if (separatorDay) brief.separatorDay = separatorDay;
  const machine = machineTimeIn(element, content === element ? inContent : descendantsOf(element), carrier.element);
  if (machine) brief.machine = machine;
  return brief.shown || brief.machine ? brief : undefined;
}

/**
 * Where the item's story is: the item itself, or, when it holds nothing but its time, the
 * element right after it (<dt>11:48</dt><dd><a>Headline</a></dd>).
 */
function contentOf(element: Element, timeText: string): Element {
  // Only whether it holds more than its time matters: an item far longer than that does.
  const text = shortTextOf(element, timeText.length + 40);
  if (text === undefined || withoutTime(text, timeText) !== '') return element;
  let next = element.next;
  while (next && next.type !== 'tag') next = next.next;
  // The next showtime of a row of them is not the story of this one.
  return next && shapeOf(next as Element) !== shapeOf(element) ? (next as Element) : element;
}

/** The link to the story: the one in its heading, else the longest-texted one, else the item itself. */
function mainLink(element: Element, inside: readonly Element[]): Element | undefined {
  if (element.tagName === 'a' && element.attribs['href']) return element;
  const links = inside.filter((node) => node.tagName === 'a' && node.attribs['href'] !== undefined && !/^(?:#|javascript:|mailto:)/.test(node.attribs['href']));
  const inHeading = links.find((link) => /title/.test(link.attribs['class'] ?? '') || headingAround(link, element));
  return inHeading ?? links.sort((a, b) => textOf(b).length - textOf(a).length)[0];
}

/** Whether a heading (or an element named as a title) stands between `link` and the item. */
function headingAround(link: Element, item: Element): boolean {
  for (let node = link.parent; node && node !== item && node.type === 'tag'; node = node.parent) {
    const element = node as Element;
    if (/^h[1-5]$/.test(element.tagName) || /title/.test(element.attribs['class'] ?? '')) return true;
  }
  return false;
}

function titleOf(element: Element, inside: readonly Element[], carrier: TimeCarrier, link: Element | undefined, timeText: string, paragraphs: readonly string[]): string | undefined {
  const heading = inside.find((node) => isTitleElement(node) && !node.attribs['class']?.includes('subtitle') && withoutTime(textOf(node), timeText).length >= 3);
  if (heading) return withoutTime(textOf(heading), timeText);
  if (link) {
    const linkText = withoutTime(textOf(link), timeText);
    if (linkText.length >= 3) return linkText;
  }
  const source = paragraphs[0] ?? carrier.rest ?? withoutTime(textOf(element), timeText);
  return firstSentence(withoutTime(source, timeText)) || undefined;
}

function bodyOf(element: Element, carrier: TimeCarrier, title: string, timeText: string, paragraphs: readonly string[]): string | undefined {
  const text = paragraphs.length > 0 ? paragraphs.join('\n\n') : withoutTime(carrier.rest ?? textOf(element), timeText);
  const rest = text.startsWith(title) && paragraphs.length === 0 ? text.slice(title.length).trim() : text;
  return rest.length >= 20 && rest !== title ? rest : undefined;
}

/** The item's paragraphs but the one that only shows its time ("<p class="ora">ore 13.29</p>"). */
function textParagraphs(inside: readonly Element[], carrier: TimeCarrier, timeText: string): string[] {
  return inside
    .filter((node) => node.tagName === 'p' && !holds(node, carrier.element))
    .map((p) => textOf(p))
    .filter((text) => text !== '' && withoutTime(text, timeText) !== '');
}

/** Whether `element` is `inner` or one of its ancestors. */
function holds(element: Element, inner: Element): boolean {
  for (let node: Element | null = inner; node; node = node.parent?.type === 'tag' ? (node.parent as Element) : null) if (node === element) return true;
  return false;
}

function withoutTime(text: string, timeText: string): string {
  const trimmed = timeText ? text.replace(timeText, ' ') : text;
  return cleanText(trimmed.replace(/^[\s\-–—|·:•]+|[\s\-–—|·•]+$/g, ''));
}

/** The first datetime or data-* timestamp on the carrier, then anywhere in the item. */
function machineTimeIn(element: Element, inside: readonly Element[], carrier: Element): MachineTime | undefined {
  const ordered = [carrier, ...carrierAncestorsWithin(carrier, element), ...inside];
  for (const node of ordered) {
    for (const name of TIMESTAMP_ATTRIBUTES) {
      const time = parseMachineTime(node.attribs[name]);
      if (time) return time;
    }
    if (node.tagName === 'meta' && /date(?:Published|Created)/i.test(node.attribs['itemprop'] ?? '')) {
      const time = parseMachineTime(node.attribs['content']);
      if (time) return time;
    }
  }
  return undefined;
}

function carrierAncestorsWithin(carrier: Element, item: Element): Element[] {
  const out: Element[] = [];
  for (let node = carrier.parent; node && node !== item.parent; node = node.parent) if (node.type === 'tag') out.push(node as Element);
  return out;
}

function absolute(href: string | undefined, baseUrl: string | undefined): string | undefined {
  if (!href || /^(?:#|javascript:|mailto:)/.test(href)) return undefined;
  try {
    return baseUrl ? new URL(href, baseUrl).href : href;
  } catch {
    return href;
  }
}
