// Lists of briefs found in the markup: repeated sibling elements of one shape (same tag and
// classes) that each carry one shown time. An item is the highest element around a time that
// still holds only that one time and has siblings of its shape doing the same.
import type { SlashOrder } from './clock.js';
import { parseDayHeading } from './clock.js';
import type { ShownDay } from '../../news-page-model.js';
import { type AnyNode, type Element, shortTextOf } from './text.js';
import type { TimeCarrier } from './time-carriers.js';

export interface CandidateList {
  /** Where the items sit; one list may span sibling containers of one shape (a section per day). */
  container: Element;
  containers: Element[];
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
    // A pinned or highlighted item is still one of the list: BEM modifiers ("item--pinned") and
    // state classes do not change an item's shape.
    .filter((name) => !name.includes('--') && !/^(?:is-|has-)?(?:active|first|last|odd|even|new|unread|highlight|highlighted|selected|open|pinned|sticky|important|featured|breaking)$/.test(name))
    .sort();
  return [element.tagName, ...new Set(classes)].join('.');
}

interface Step {
  parent: Element;
  item: Element;
  key: string;
}

/** Each carrier's ancestors as (parent, item) steps, and how many carriers each element holds. */
interface Chains {
  chains: Array<{ carrier: TimeCarrier; chain: Step[] }>;
  carriersWithin: Map<Element, number>;
  /** Per (parent, shape) key: how many of its items hold exactly one time. */
  singles: Map<string, number>;
}

export function findCandidateLists(carriers: readonly TimeCarrier[], order: SlashOrder): CandidateList[] {
  const { chains, carriersWithin, singles } = ancestorChains(carriers);
  // Carriers come in document order, and each item holds one: their index orders items and lists.
  const position = new Map(carriers.map((carrier, index) => [carrier, index]));
  const lists = new Map<string, CandidateList>();
  const add = (step: Step, carrier: TimeCarrier) => {
    let list = lists.get(step.key);
    if (!list) {
      list = { container: step.parent, containers: [step.parent], items: [], label: `${pathLabel(step.parent)} > ${shapeOf(step.item)}` };
      lists.set(step.key, list);
    }
    list.items.push({ element: step.item, carrier });
  };
  const lone: Array<{ carrier: TimeCarrier; alone: Step[] }> = [];
  for (const { carrier, chain } of chains) {
    const alone = chain.filter((candidate) => carriersWithin.get(candidate.item) === 1);
    const step = alone.filter((candidate) => singles.get(candidate.key)! >= 2).at(-1);
    if (step) add(step, carrier);
    else if (alone.length > 0) lone.push({ carrier, alone });
  }
  // A lone time in its own container (the last day's section holding one item) joins the list
  // of its shape beside it, through mergeSiblingLists.
  const shapes = new Set([...lists.values()].map((list) => `${shapeOf(list.container)}|${shapeOf(list.items[0]!.element)}`));
  for (const { carrier, alone } of lone) {
    const step = alone.find((candidate) => shapes.has(`${shapeOf(candidate.parent)}|${shapeOf(candidate.item)}`));
    if (step) add(step, carrier);
  }
  const byPosition = (list: CandidateList) => position.get(list.items[0]!.carrier)!;
  const merged = mergeSiblingLists([...lists.values()].sort((a, b) => byPosition(a) - byPosition(b)));
  for (const list of merged) list.items.sort((a, b) => position.get(a.carrier)! - position.get(b.carrier)!);
  return merged.map((list) => withSeparators(list, order));
}

function ancestorChains(carriers: readonly TimeCarrier[]): Chains {
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
  const singles = new Map<string, number>();
  for (const [key, items] of itemsByKey) singles.set(key, [...items].filter((item) => carriersWithin.get(item) === 1).length);
  return { chains, carriersWithin, singles };
}

/** Lists in sibling containers of one shape, with items of one shape, are one list. */
function mergeSiblingLists(lists: CandidateList[]): CandidateList[] {
  const byShape = new Map<string, CandidateList>();
  const parentIds = new Map<AnyNode | null, number>();
  const merged: CandidateList[] = [];
  for (const list of lists) {
    const parent = list.container.parent;
    if (!parentIds.has(parent)) parentIds.set(parent, parentIds.size);
    const key = `${parentIds.get(parent)}|${shapeOf(list.container)}|${shapeOf(list.items[0]!.element)}`;
    const known = byShape.get(key);
    if (known && known.containers.every((container) => container !== list.container)) {
      known.containers.push(list.container);
      known.items.push(...list.items);
      continue;
    }
    byShape.set(key, list);
    merged.push(list);
  }
  return merged;
}

/**
 * Day headings between items ("21 сентября", "Ieri") date the items below them; a heading just
 * before the list dates the items above its first inner heading.
 */
function withSeparators(list: CandidateList, order: SlashOrder): CandidateList {
  const members = new Set(list.items.map((entry) => entry.element));
  let current: ShownDay | undefined;
  const dayOf = new Map<Element, ShownDay | undefined>();
  for (const container of list.containers) {
    current = headingBefore(container, order) ?? current;
    for (const child of container.children) {
      if (child.type !== 'tag') continue;
      const element = child as Element;
      if (members.has(element)) dayOf.set(element, current);
      else {
        const text = shortTextOf(element, DAY_HEADING_MAX_CHARS);
        const day = text === undefined ? undefined : parseDayHeading(text, order);
        if (day) current = day;
      }
    }
  }
  const items = list.items.map((entry) => {
    const day = dayOf.get(entry.element);
    return day ? { ...entry, separatorDay: day } : entry;
  });
  return { ...list, items };
}

/** Longer than this, an element is not a day heading ("Mercredi 22 septembre 2021" is 26). */
const DAY_HEADING_MAX_CHARS = 60;

function headingBefore(container: Element, order: SlashOrder): ShownDay | undefined {
  let node: Element | null = container;
  for (let level = 0; level < 2 && node; level++) {
    let previous = node.prev;
    while (previous && previous.type !== 'tag') previous = previous.prev;
    const text = previous ? shortTextOf(previous, DAY_HEADING_MAX_CHARS) : undefined;
    const day = text === undefined ? undefined : parseDayHeading(text, order);
    if (day) return day;
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
