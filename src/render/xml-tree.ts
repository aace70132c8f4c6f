// XML documents as element trees: read from text (through xml-js, which `feed` writes with), edited
// as data, and written out once, laid out as `feed` lays out its documents. Pure.
import { xml2js, type Element as XmlJsNode } from 'xml-js';
import { cdataSections, escapeXml } from './xml-text.js';

export interface XmlElement {
  kind: 'element';
  name: string;
  /** In the order they are written. */
  attributes: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | { kind: 'text'; text: string } | { kind: 'cdata'; text: string };

export interface XmlDocument {
  /** Processing instructions before the root, such as xml-stylesheet. */
  instructions: { name: string; attributes: Record<string, string> }[];
  root: XmlElement;
}

const INDENT = '    ';

export function readXmlTree(xml: string): XmlDocument {
  const parsed = xml2js(xml, { compact: false, instructionHasAttributes: true }) as XmlJsNode;
  const nodes = parsed.elements ?? [];
  const root = nodes.find((node) => node.type === 'element');
  if (!root) throw new Error('render: an XML document without a root element');
  const instructions = nodes
    .filter((node) => node.type === 'instruction')
    .map((node) => ({ name: node.name ?? '', attributes: attributesOf(node) }));
  return { instructions, root: elementOf(root) };
}

function elementOf(node: XmlJsNode): XmlElement {
  const children: XmlNode[] = [];
  for (const child of node.elements ?? []) {
    if (child.type === 'element') children.push(elementOf(child));
    else if (child.type === 'text') children.push({ kind: 'text', text: String(child.text ?? '') });
    else if (child.type === 'cdata') children.push({ kind: 'cdata', text: child.cdata ?? '' });
  }
  return { kind: 'element', name: node.name ?? '', attributes: attributesOf(node), children };
}

function attributesOf(node: XmlJsNode): Record<string, string> {
  return Object.fromEntries(Object.entries(node.attributes ?? {}).map(([name, value]) => [name, String(value)]));
}

export function element(name: string, attributes: Record<string, string | undefined> = {}, children: XmlNode[] = []): XmlElement {
  const defined = Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { kind: 'element', name, attributes: Object.fromEntries(defined), children };
}

export function childrenNamed(parent: XmlElement, name: string): XmlElement[] {
  return parent.children.filter((child): child is XmlElement => child.kind === 'element' && child.name === name);
}

/** The first child of that name; `feed` always writes the ones asked for here. */
export function childNamed(parent: XmlElement, name: string): XmlElement {
  const found = childrenNamed(parent, name)[0];
  if (!found) throw new Error(`render: <${parent.name}> has no <${name}>`);
  return found;
}

/** Replaces what the element holds with one text (or CDATA) node. */
export function setText(target: XmlElement, text: string, kind: 'text' | 'cdata' = 'text'): void {
  target.children = [{ kind, text }];
}

/** Sets the text of each child of that name, in order, from `texts`; `feed` wrote them from the same list. */
export function setTexts(parent: XmlElement, name: string, texts: readonly string[], kind: 'text' | 'cdata' = 'text'): void {
  childrenNamed(parent, name).forEach((child, index) => {
    const text = texts[index];
    if (text !== undefined) setText(child, text, kind);
  });
}

/** A deep copy of an element, to be edited apart from the original. */
export function copyElement(source: XmlElement): XmlElement {
  return {
    kind: 'element',
    name: source.name,
    attributes: { ...source.attributes },
    children: source.children.map((child) => (child.kind === 'element' ? copyElement(child) : { ...child })),
  };
}

/**
 * Puts, where the first of `templates` stands among `parent`'s children, one copy of a template
 * per entry of `templateOf` (the index of its template), each edited by `fill`; the templates go.
 */
export function replaceWithCopies(parent: XmlElement, templates: readonly XmlElement[], templateOf: readonly number[], fill: (copy: XmlElement, index: number) => void): void {
  const at = templates.length > 0 ? parent.children.indexOf(templates[0]!) : parent.children.length;
  const copies = templateOf.map((template, index) => {
    const copy = copyElement(templates[template]!);
    fill(copy, index);
    return copy;
  });
  const templateSet = new Set<XmlNode>(templates);
  const kept = parent.children.filter((child) => !templateSet.has(child));
  parent.children = [...kept.slice(0, at), ...copies, ...kept.slice(at)];
}

export function insertBefore(parent: XmlElement, anchor: XmlElement, nodes: XmlNode[]): void {
  parent.children.splice(parent.children.indexOf(anchor), 0, ...nodes);
}

export function insertAfter(parent: XmlElement, anchor: XmlElement, nodes: XmlNode[]): void {
  parent.children.splice(parent.children.indexOf(anchor) + 1, 0, ...nodes);
}

/** Adds attributes right after the first one, in the order given. */
export function addAttributesAfterFirst(target: XmlElement, attributes: Record<string, string>): void {
  const [first, ...rest] = Object.entries(target.attributes);
  target.attributes = Object.fromEntries([...(first ? [first] : []), ...Object.entries(attributes), ...rest]);
}

/** The document as text: the declaration and instructions on the first line, one element a line. */
export function writeXmlTree(document: XmlDocument): string {
  const instructions = document.instructions.map((instruction) => `<?${instruction.name}${writeAttributes(instruction.attributes)}?>`);
  return `<?xml version="1.0" encoding="utf-8"?>${instructions.join('')}\n${writeElement(document.root, 0)}\n`;
}

function writeElement(node: XmlElement, depth: number): string {
  const open = `<${node.name}${writeAttributes(node.attributes)}`;
  if (node.children.length === 0) return `${open}/>`;
  let inner = '';
  let hasElements = false;
  for (const child of node.children) {
    if (child.kind === 'element') {
      hasElements = true;
      inner += `\n${INDENT.repeat(depth + 1)}${writeElement(child, depth + 1)}`;
    } else {
      inner += child.kind === 'text' ? escapeXml(child.text, 'text') : cdataSections(child.text);
    }
  }
  const close = hasElements ? `\n${INDENT.repeat(depth)}` : '';
  return `${open}>${inner}${close}</${node.name}>`;
}

function writeAttributes(attributes: Record<string, string>): string {
  return Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(value, 'attribute')}"`)
    .join('');
}
