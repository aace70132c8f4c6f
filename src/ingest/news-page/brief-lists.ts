// Lists of briefs found in the markup: repeated sibling elements of one shape (same tag and
// classes) that each carry one shown time. An item is the highest element around a time that
// still holds only that one time and has siblings of its shape doing the same.
import type { CheerioAPI } from 'cheerio';
import type { SlashOrder } from './clock.js';
import { parseDayHeading } from './clock.js';
import type { ShownDay } from '../../news-page-model.js';
import { type AnyNode, type Element, textOf } from './text.js';
import type { TimeCarrier } from './time-carriers.js';

export interface CandidateList {
  container: Element;
  items: Array<{ element: Element; carrier: TimeCarrier; separatorDay?: ShownDay }>;
  label: string;
}

const MAX_DEPTH = 8;
const STOP_TAGS = new Set(['body', 'html']);

/** The element's shape: its tag and sorted classes, with digits dropped ("post-123" is "post-"). */
export function shapeOf(element: Element): string {
  const classes = (element.attribs['class'] ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((name) => name.replace(/\d+/g, ''))
    .filter((name) => !/^(?:is-|has-)?(?:active|first|last|odd|even|new|unread|highlight|selected|open)$/.test(name))
    .sort();
  return [element.tagName, ...new Set(classes)].join('.');
}

interface Step {
  parent: Element;
  item: Element;
  key: string;
}

export function findCandidateLists($: CheerioAPI, carriers: readonly TimeCarrier[], order: SlashOrder): CandidateList[] {
  const ids = new Map<AnyNode, number>();
  const idOf = (node: AnyNode) => ids.get(node) ?? (ids.set(node, ids.size), ids.size - 1);
  const carriersWithin = new Map<Element, number>();
  const itemsByKey = new Map<string, Set<Element>>();
  const chains = carriers.map((carrier) => {
    const chain: Step[] = [];
    let item: Element = carrier.element;
    for (let depth = 0; depth < MAX_DEPTH && item.parent?.type === 'tag' && !STOP_TAGS.has((item.parent as Element).tagName); depth++) {
      const parent = item.parent as Element;
      const key = `${idOf(parent)}|${shapeOf(item)}`;
      chain.push({ parent, item, key });
      carriersWithin.set(item, (carriersWithin.get(item) ?? 0) + 1);
      if (!itemsByKey.has(key)) itemsByKey.set(key, new Set());
      itemsByKey.get(key)!.add(item);
      item = parent;
    }
    return { carrier, chain };
  });
  const lists = new Map<string, CandidateList>();
  for (const { carrier, chain } of chains) {
    const step = chain.filter((candidate) => carriersWithin.get(candidate.item) === 1 && itemsByKey.get(candidate.key)!.size >= 2).at(-1);
    if (!step) continue;
    let list = lists.get(step.key);
    if (!list) {
      list = { container: step.parent, items: [], label: `${pathLabel(step.parent)} > ${shapeOf(step.item)}` };
      lists.set(step.key, list);
    }
    list.items.push({ element: step.item, carrier });
  }
  return [...lists.values()].map((list) => withSeparators($, list, order));
}

/**
 * Day headings between items ("21 сентября", "Ieri") date the items below them; a heading just
 * before the list dates the items above its first inner heading.
 */
function withSeparators($: CheerioAPI, list: CandidateList, order: SlashOrder): CandidateList {
  const members = new Set(list.items.map((entry) => entry.element));
  let current = headingBefore($, list.container, order);
  const dayOf = new Map<Element, ShownDay | undefined>();
  for (const child of list.container.children) {
    if (child.type !== 'tag') continue;
    const element = child as Element;
    if (members.has(element)) dayOf.set(element, current);
    else {
      const day = parseDayHeading(textOf($, element), order);
      if (day) current = day;
    }
  }
  const items = list.items.map((entry) => {
    const day = dayOf.get(entry.element);
    return day ? { ...entry, separatorDay: day } : entry;
  });
  return { ...list, items };
}

function headingBefore($: CheerioAPI, container: Element, order: SlashOrder): ShownDay | undefined {
  let node: Element | null = container;
  for (let level = 0; level < 2 && node; level++) {
    const previous = $(node).prevAll().first();
    if (previous.length > 0) {
      const day = parseDayHeading(textOf($, previous), order);
      if (day) return day;
    }
    node = node.parent?.type === 'tag' ? (node.parent as Element) : null;
  }
  return undefined;
}

/** A CSS-ish path to the element, for labels in the result: "main > section#latest > ul.feed". */
export function pathLabel(element: Element): string {
  const parts: string[] = [];
  for (let node: Element | null = element; node && !STOP_TAGS.has(node.tagName) && parts.length < 4; node = node.parent?.type === 'tag' ? (node.parent as Element) : null) {
    const id = node.attribs['id'] ? `#${node.attribs['id']}` : '';
    const classes = (node.attribs['class'] ?? '').split(/\s+/).filter(Boolean).slice(0, 2).map((name) => `.${name}`).join('');
    parts.unshift(`${node.tagName}${id}${classes}`);
    if (id) break;
  }
  return parts.join(' > ');
}
