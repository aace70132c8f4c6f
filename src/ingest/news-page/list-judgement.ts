// Which candidate lists are news. Clock times also label TV and radio schedules, fixtures,
// opening hours, event calendars, comments, media durations and directory listings; those are
// refused with a reason, and what remains is scored so the result can say how sure it is.
import type { CheerioAPI } from 'cheerio';
import type { CandidateList } from './brief-lists.js';
import { isFurniture } from './page-furniture.js';
import { machineInstant } from '../../shared/machine-time.js';
import type { BriefReading } from '../../news-page-model.js';
import { descendantsOf, type Element, textOf } from './text.js';

export interface Judgement {
  score: number;
  /** Why the list is not news; absent for a list taken. */
  rejected?: string;
}

const DAY_MS = 86_400_000;
const HEADING_MAX_CHARS = 120;
// Links to files, not pages: a listing of downloads or a server's directory.
const FILE_LINK = /\.(?:tar\.gz|tgz|zip|gz|bz2|xz|7z|txt|pdf|csv|json|xml|log|iso|dmg|exe|msi|deb|rpm|jpg|jpeg|png|gif|mp3|mp4)(?:[?#]|$)/i;
const COMMENT_NAMES = /comment|comentario|commento|kommentar|forum|thread|reply|replies|discussion|disqus|reaction|reacties|komentarz|коммент|antwort|respuesta|risposta|(?<![a-z])messages?(?![a-z])/i;
// Letters around a word, not \b, bound it: \b knows no "Ö" and would miss "Öffnungszeiten".
const SCHEDULE_WORDS =
  /(?<![\p{L}\p{N}])(?:programme|program|programm|tv[- ]?guide|tv[- ]?tipps?|epg|schedule|schedules|sendeplan|fernsehprogramm|uhr-programm|palinsesto|programmazione|programación|programação|grille|horaires?|öffnungszeiten|opening[- ]hours|fixtures?|spielplan|spieltag|kick-?off|match(?:es|day)?|partidos|calendrier|calendario|calendar|agenda|events?|veranstaltungen|termine|timetable|fahrplan|departures?|arrivals?|abfahrt|ankunft|départs|arrivées|salidas|llegadas|partenze|arrivi|vertrek|aankomst|odjazdy|przyjazdy|line-?up|setlist|tickets?|concerts?|screenings|séances|orari|horario|телепрограмма|телегид|расписание|программа|матчи|afisha|afișa|uitzending|zendschema|openingstijden|ramówka|godziny otwarcia|oeffnungszeiten|météo|meteo|prévisions|forecasts?|hour by hour|heure par heure|wetter|vorhersage|previsioni|pronóstico|previsão|weerbericht|weersverwachting|prognoza|pogoda|прогноз|погода|tide times|tides|gezeiten|marées|mareas|maree|getijden)(?![\p{L}\p{N}])/iu;
const MEDIA_NAMES = /duration|runtime|timecode|length|playtime|video-time|media-time/i;
/** A player or its button: video, audio, or an element named or labelled play or listen. */
function isMediaControl(element: Element): boolean {
  if (element.tagName === 'video' || element.tagName === 'audio') return true;
  const className = element.attribs['class'] ?? '';
  return className.includes('play') || className.includes('listen') || /play|listen|écouter|abspielen/i.test(element.attribs['aria-label'] ?? '');
}
const MEDIA_ITEM_NAMES = /play|video|audio|podcast|episode|folge|épisode|episodio/i;
// A reply button under each item is what makes a list a discussion, whatever its classes say.
// "FT", "HT", "62'", "Home v Away": a scoreboard, which "Live scores" would otherwise pass as news.
const MATCH_STATES = /(?:^|[\s\d])(?:FT|HT|AET|\d{1,3}'|v|vs\.?)(?:\s|$)/;
const REPLY_WORDS = /^(?:reply|antworten|répondre|responder|rispondi|odpowiedz|ответить|beantwoorden|responder)$/i;
const NEWS_WORDS =
  /latest|live|breaking|news|headlines|just in|updates?|read next|most read|en continu|fil info|dernières|à la une|l'essentiel|ticker|newsticker|aktuell|neueste|meistgelesen|ultim|in evidenza|últimas|última hora|al minuto|ao minuto|últimas notícias|laatste|nieuws|najnowsze|wiadomości|z ostatniej chwili|лента|новост|главное|срочно|ニュース|速報|最新|notizie|diretta|direct|en direct|en vivo|directo|ao vivo|na żywo|liveblog|relacja/iu;

export function judgeList($: CheerioAPI, list: CandidateList, briefs: readonly BriefReading[], capturedAt: Date | undefined): Judgement {
  const context = contextWords($, list.container);
  const rejected = refusal($, list, briefs, context, capturedAt);
  const score = scoreOf(briefs, context);
  return rejected ? { score, rejected } : score < 1 ? { score, rejected: 'too little to be news: short untitled items without links' } : { score };
}

function refusal($: CheerioAPI, list: CandidateList, briefs: readonly BriefReading[], context: string, capturedAt: Date | undefined): string | undefined {
  if (briefs.length < 2) return list.items.length >= 2 ? 'items hold nothing but their times (showtimes, slots)' : 'fewer than two dated items';
  return (
    placeRefusal($, list, briefs) ??
    (SCHEDULE_WORDS.test(context) && !NEWS_WORDS.test(context) ? `schedule, not news ("${SCHEDULE_WORDS.exec(context)![0]}")` : undefined) ??
    itemRefusal(list, briefs) ??
    (capturedAt && futureShare(briefs, capturedAt) > 0.5 ? 'times in the future of the capture (an event calendar or schedule)' : undefined)
  );
}

/** Refusals by where the list stands: in a <pre> or table, a directory, a comment section. */
function placeRefusal($: CheerioAPI, list: CandidateList, briefs: readonly BriefReading[]): string | undefined {
  const scope = [list.container, ...ancestorsOf(list.container)];
  if (scope.some((element) => element.tagName === 'pre') || titledAsIndex($)) return 'directory listing';
  if (scope.some((element) => ['table', 'tbody', 'thead', 'tr'].includes(element.tagName))) return 'table rows of times (a schedule or listing)';
  if (briefs.filter((brief) => brief.link && FILE_LINK.test(brief.link)).length * 2 > briefs.length) return 'directory listing';
  if (scope.some((element) => COMMENT_NAMES.test(namesOf(element)))) return 'comment timestamps';
  return undefined;
}

const indexPages = new WeakMap<CheerioAPI, boolean>();

/** A page titled "Index of /..." is a server's directory listing; asked once per page, not per list. */
function titledAsIndex($: CheerioAPI): boolean {
  let known = indexPages.get($);
  if (known === undefined) {
    known = /^index of\b/i.test(textOf($('title').first()));
    indexPages.set($, known);
  }
  return known;
}

/** Refusals by what most items hold: reply buttons, scores, players and durations. */
function itemRefusal(list: CandidateList, briefs: readonly BriefReading[]): string | undefined {
  const most = (test: (element: Element) => boolean) => list.items.filter(({ element }) => test(element)).length * 2 > list.items.length;
  if (list.items.some(({ element }) => COMMENT_NAMES.test(namesOf(element))) || most(hasReplyControl)) return 'comment timestamps';
  if (most((element) => MATCH_STATES.test(textOf(element)))) return 'match scores or fixtures';
  if (list.items.some(({ carrier }) => MEDIA_NAMES.test(namesOf(carrier.element)))) return 'media durations';
  const media = most((element) => descendantsOf(element).some(isMediaControl) || MEDIA_ITEM_NAMES.test(namesOf(element)));
  return media && briefs.every((brief) => brief.machine === undefined) ? 'media durations' : undefined;
}

/** Class names and id of the container and its ancestors, and the heading just before it. */
function contextWords($: CheerioAPI, container: Element): string {
  const names = [container, ...ancestorsOf(container)].slice(0, 5).map(namesOf).join(' ');
  // The heading just before the list names it; the site's own header (its nav says "Direct",
  // "Live") does not, nor does any text too long to be a heading.
  const headings = [container, ...ancestorsOf(container).slice(0, 2)]
    .map((element) =>
      $(element)
        .prevAll('h1, h2, h3, h4, header, [class*="title"], [class*="header"]')
        .toArray()
        .find((heading) => !isFurniture(heading)),
    )
    .filter((heading): heading is Element => heading !== undefined)
    .map((heading) => textOf(heading))
    .filter((text) => text.length <= HEADING_MAX_CHARS);
  const ownHeading = $(container).children('h1, h2, h3, h4, header').first();
  const label = container.attribs['aria-label'] ?? '';
  return `${names.replace(/[-_]/g, ' ')} ${headings.join(' ')} ${ownHeading.length > 0 ? textOf(ownHeading) : ''} ${label}`;
}

function scoreOf(briefs: readonly BriefReading[], context: string): number {
  const count = briefs.length;
  const share = (test: (brief: BriefReading) => boolean) => briefs.filter(test).length / count;
  const linked = share((brief) => brief.link !== undefined);
  const wordy = share((brief) => brief.title.split(/\s+/).length >= 4 || brief.title.length >= 25);
  const withText = share((brief) => (brief.text?.length ?? 0) >= 40);
  const news = NEWS_WORDS.test(context) ? 1.5 : 0;
  return round(Math.min(count, 10) * 0.2 + linked + 2 * wordy + withText + news - 1);
}

function futureShare(briefs: readonly BriefReading[], capturedAt: Date): number {
  const dated = briefs.filter((brief) => brief.machine && brief.machine.offsetMinutes !== undefined);
  const shownDated = briefs.filter((brief) => brief.shown?.day?.kind === 'date' && brief.shown.day.year !== undefined);
  const limit = capturedAt.getTime() + DAY_MS;
  const future = dated.filter((brief) => machineInstant(brief.machine!)! > limit).length;
  const shownFuture = shownDated.filter((brief) => {
    const day = brief.shown!.day as { year: number; month: number; day: number };
    return Date.UTC(day.year, day.month - 1, day.day) > limit;
  }).length;
  const total = dated.length + shownDated.length;
  return total === 0 ? 0 : (future + shownFuture) / total;
}

function hasReplyControl(element: Element): boolean {
  return descendantsOf(element)
    .filter((node) => node.tagName === 'a' || node.tagName === 'button')
    .some((control) => REPLY_WORDS.test(textOf(control)) || /(?:^|[\s_-])reply(?:$|[\s_-])/i.test(control.attribs['class'] ?? ''));
}

function ancestorsOf(element: Element): Element[] {
  const out: Element[] = [];
  for (let node = element.parent; node && node.type === 'tag'; node = node.parent) out.push(node as Element);
  return out;
}

function namesOf(element: Element): string {
  return `${element.attribs['class'] ?? ''} ${element.attribs['id'] ?? ''}`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
