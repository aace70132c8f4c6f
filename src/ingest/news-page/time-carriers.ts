// Where a page shows a time: <time> elements, elements carrying a data-* timestamp, short
// labels that are a clock ("13h29", "Вчера, 21:10"), and text that opens with one ("13:29 Title").
// Each carrier is the innermost element holding one time; lists are found from them.
import type { CheerioAPI } from 'cheerio';
import { shapeOf } from './brief-lists.js';
import { leadingTime, mentionsClock, parseTimeLabel, type ShownTime, type SlashOrder } from './clock.js';
import { type Element, textOf } from './text.js';

export const TIMESTAMP_ATTRIBUTES = ['datetime', 'data-timestamp', 'data-time', 'data-date', 'data-published', 'data-published-at', 'data-publish-date', 'data-created', 'data-pubdate', 'data-datetime', 'data-utime'];

export interface TimeCarrier {
  element: Element;
  shown?: ShownTime;
  /** For a time at the start of the element's text: the text after it. */
  rest?: string;
}

const LABEL_MAX_CHARS = 60;
/** Raw text (white space and all) beyond which an element cannot be a label once cleaned. */
const RAW_LABEL_MAX_CHARS = 400;

/** Every carrier in the document, innermost first where carriers nest. */
export function findTimeCarriers($: CheerioAPI, order: SlashOrder): TimeCarrier[] {
  const carriers: TimeCarrier[] = [];
  const lengths = rawTextLengths($('body').toArray());
  for (const element of $('body *').toArray()) {
    const carrier = carrierOf(element, order, lengths.get(element) ?? 0);
    if (carrier) carriers.push(carrier);
  }
  const carrying = new Set(carriers.map((carrier) => carrier.element));
  // A <span class="time"><time datetime>13:29</time></span> is one time, not two.
  const innermost = carriers.filter((carrier) => !hasCarryingDescendant(carrier.element, carrying));
  return withoutSecondaryUpdates(innermost);
}

const UPDATE_WORDS = /^(?:updated|last updated|mis à jour|mise à jour|actualisé|aktualisiert|actualizado|actualizada|aggiornato|aggiornamento|atualizado|atualizada|bijgewerkt|zaktualizowano|обновлено)\b/iu;
const UPDATE_REACH = 6;

/**
 * "Mis à jour à 13h45" beside an item's own time is when it changed, not a second item: it is
 * dropped when the nearest element holding another time holds just one time without such words,
 * the item's own. Alone ("Updated 1:29 PM" as a headline's only time), it is the time there is.
 */
function withoutSecondaryUpdates(carriers: readonly TimeCarrier[]): TimeCarrier[] {
  const isUpdate = (carrier: TimeCarrier) => carrier.shown !== undefined && UPDATE_WORDS.test(carrier.shown.text);
  const all = new Map<Element, number>();
  const primary = new Map<Element, number>();
  for (const carrier of carriers) {
    for (const element of ancestorsWithin(carrier.element, UPDATE_REACH)) {
      all.set(element, (all.get(element) ?? 0) + 1);
      if (!isUpdate(carrier)) primary.set(element, (primary.get(element) ?? 0) + 1);
    }
  }
  return carriers.filter((carrier) => {
    if (!isUpdate(carrier)) return true;
    const shared = ancestorsWithin(carrier.element, UPDATE_REACH).find((element) => all.get(element)! > 1);
    if (shared === undefined || primary.get(shared) !== 1) return true;
    const own = carriers.find((other) => !isUpdate(other) && ancestorsWithin(other.element, UPDATE_REACH).includes(shared))!;
    // Two rows of one shape, one "updated", one not, are two items, not one item's two times.
    return shapeOf(childOnPath(shared, carrier.element)) === shapeOf(childOnPath(shared, own.element));
  });
}

/** The child of `ancestor` that holds `element`. */
function childOnPath(ancestor: Element, element: Element): Element {
  let node = element;
  while (node.parent && node.parent !== ancestor) node = node.parent as Element;
  return node;
}

function ancestorsWithin(element: Element, levels: number): Element[] {
  const out: Element[] = [];
  for (let node = element.parent; node && node.type === 'tag' && out.length < levels; node = node.parent) out.push(node as Element);
  return out;
}

function carrierOf(element: Element, order: SlashOrder, rawLength: number): TimeCarrier | undefined {
  const hasStamp = TIMESTAMP_ATTRIBUTES.some((name) => element.attribs[name] !== undefined);
  // Reading the text of every element of a large page costs more than all the rest: only
  // elements short enough to be a label are read whole.
  const text = rawLength <= RAW_LABEL_MAX_CHARS ? textOf(element) : '';
  if (text && text.length <= LABEL_MAX_CHARS && (hasStamp || mentionsClock(text))) {
    const shown = parseTimeLabel(text, order);
    if (shown) return { element, shown };
    if (hasStamp && text.length <= 30) return { element };
  }
  // A stamp on an item itself (<li data-timestamp>) makes it a carrier; a <time> inside it
  // would be the innermost carrier instead.
  if (hasStamp) return { element };
  const opening = ownLeadingText(element);
  if (opening && mentionsClock(opening.slice(0, 40))) {
    const leading = leadingTime(opening, order);
    if (leading) return { element, shown: leading.time, rest: leading.rest };
  }
  return undefined;
}

/** Each element's raw text length, in one walk of the tree. */
function rawTextLengths(roots: readonly Element[]): Map<Element, number> {
  const lengths = new Map<Element, number>();
  const walk = (node: Element): number => {
    let length = 0;
    for (const child of node.children) {
      if (child.type === 'text') length += (child as unknown as { data: string }).data.length;
      else if (child.type === 'tag') length += walk(child as Element);
    }
    lengths.set(node, length);
    return length;
  };
  roots.forEach(walk);
  return lengths;
}

/** The element's text up to its first child element, where "13:29 Title" items put their time. */
function ownLeadingText(element: Element): string | undefined {
  const first = element.children[0];
  if (!first || first.type !== 'text') return undefined;
  return (first as unknown as { data: string }).data.trim() || undefined;
}

function hasCarryingDescendant(element: Element, carrying: ReadonlySet<Element>): boolean {
  for (const child of element.children) {
    if (child.type !== 'tag') continue;
    if (carrying.has(child as Element) || hasCarryingDescendant(child as Element, carrying)) return true;
  }
  return false;
}
