// The parts of a page that are never its story: navigation, site header and footer, cookie
// banners, share buttons, comment sections, newsletters, ads, "related" teasers. Lists of briefs
// often sit inside such parts (a "latest news" column in an <aside>), so they are found first
// and only the lead's text is kept clear of furniture.
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from './text.js';

const FURNITURE_TAGS = new Set(['nav', 'aside', 'footer', 'form', 'button', 'figcaption', 'menu', 'dialog', 'select', 'label']);
const FURNITURE_ROLES = /^(?:navigation|banner|contentinfo|complementary|dialog|alertdialog|search)$/;
const FURNITURE_NAMES =
  /(?:^|[\s_-])(?:cookie|cookies|consent|gdpr|share|sharing|social|related|recommended|recommendations|more-stories|newsletter|subscribe|promo|advert|advertisement|ad|ads|sponsor|sponsored|comment|comments|breadcrumb|breadcrumbs|paywall|outbrain|taboola|teaser|teasers|menu|navbar|masthead|site-header|site-footer|footer|toolbar|tags|byline|author|meta|caption|credits?)(?:$|[\s_-])/i;

/** Scripts, styles and the like never hold readable text. */
export function dropInvisible($: CheerioAPI): void {
  $('script:not([type="application/ld+json"]), style, noscript, template, iframe, svg, link').remove();
}

/** Whether an element is page furniture, by its tag, role, class or id. */
export function isFurniture(element: Element): boolean {
  if (FURNITURE_TAGS.has(element.tagName)) return true;
  if (element.tagName === 'header' && !insideArticle(element)) return true;
  const role = element.attribs['role'];
  if (role && FURNITURE_ROLES.test(role)) return true;
  const names = `${element.attribs['class'] ?? ''} ${element.attribs['id'] ?? ''}`;
  return names.trim() !== '' && FURNITURE_NAMES.test(names);
}

function insideArticle(element: Element): boolean {
  for (let node = element.parent; node; node = node.parent) {
    if (node.type === 'tag' && (node.tagName === 'article' || node.tagName === 'main')) return true;
  }
  return false;
}

/** Whether the node or any ancestor is furniture or one of the `excluded` elements. */
export function withinFurniture(node: AnyNode, excluded: ReadonlySet<AnyNode>): boolean {
  for (let current: AnyNode | null = node; current; current = current.parent) {
    if (excluded.has(current)) return true;
    if (current.type === 'tag' && isFurniture(current as Element)) return true;
  }
  return false;
}
