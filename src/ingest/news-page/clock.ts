// Clock times and dates as news pages show them, in the page's language: "13h29", "1:29 PM",
// "22 сентября 2021, 13:29", "3/9(木) 7:20", "Gestern, 18:05 Uhr". Pure text in, facts out; which
// instant a shown time names needs the capture and the site's zone, and is normalize's job.
import { daysInMonth } from '../../shared/calendar.js';
import type { ShownDay, ShownTime } from '../../news-page-model.js';
import { monthFromWord, relativeDayFromWord } from './month-words.js';

export type { ShownDay, ShownTime };

/** How slash dates read: "3/9" is 3 September in most places, March 9 in the US and Japan. */
export type SlashOrder = 'day-first' | 'month-first';

const CLOCK = String.raw`(\d{1,2})(?::|\s?h\s?|\.)(\d{2})(?::(\d{2}))?(?!\d|\.\s?\d)(?:\s?(?:Uhr|h))?(?:\s?([ap])\.?\s?m\.?(?![a-z]))?`;
const CLOCK_ONLY = new RegExp(`^${CLOCK}$`, 'i');
const CLOCK_ANYWHERE = new RegExp(`(^|[^\\d.:/-])${CLOCK}`, 'i');
// A time range ("09:00–18:00", "20:15 - 21:00") is a schedule or opening hours, never a news time.
const CLOCK_RANGE = /\d{1,2}[:.h]\d{2}\s*(?:[-–—]|to|bis|à|a|до)\s*\d{1,2}[:.h]\d{2}/i;
// Words that may stand around a time label without changing it.
const FILLER = /(?:^|\s)(?:le|à|a|at|um|alle|ore|om|o|в|о|godz\.?|hrs?\.?|updated|mis à jour|publié|publiée|posted|aktualisiert|ET|EST|EDT|CET|CEST|MSK|GMT|UTC|BST|JST|ч\.?)(?=\s|$|,)/gi;

/** A clock time by itself: "13:29", "13.29", "13h29", "1:29 PM", "6:17pm", "18:05 Uhr". */
export function parseClock(text: string): { hour: number; minute: number; second?: number } | undefined {
  const match = CLOCK_ONLY.exec(text.trim());
  return match ? clockFromMatch(match[1]!, match[2]!, match[3], match[4]) : undefined;
}

function clockFromMatch(hourText: string, minuteText: string, secondText: string | undefined, meridiem: string | undefined): { hour: number; minute: number; second?: number } | undefined {
  let hour = Number(hourText);
  const minute = Number(minuteText);
  if (minute > 59 || Number(secondText ?? 0) > 59) return undefined;
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem.toLowerCase() === 'p' ? 12 : 0);
  }
  if (hour > 23) return undefined;
  // Tickers show seconds ("13:29:41"); most lists do not, and their times stay at :00.
  return secondText === undefined ? { hour, minute } : { hour, minute, second: Number(secondText) };
}

/**
 * A short label that is a time, with or without a shown day: the whole label must be read, so
 * "3.45 million" or a sentence that happens to hold "13:29" is not a time label.
 */
export function parseTimeLabel(text: string, order: SlashOrder = 'day-first'): ShownTime | undefined {
  const label = text.replace(/\s+/g, ' ').trim();
  if (label.length === 0 || label.length > 60 || CLOCK_RANGE.test(label)) return undefined;
  const match = CLOCK_ANYWHERE.exec(label);
  if (!match) return undefined;
  const clock = clockFromMatch(match[2]!, match[3]!, match[4], match[5]);
  if (!clock) return undefined;
  const start = match.index + match[1]!.length;
  const rest = `${label.slice(0, start)} ${label.slice(match.index + match[0].length)}`;
  const leftover = stripFiller(rest);
  if (leftover === '') return { ...clock, text: label };
  const day = parseDay(leftover, order);
  return day ? { ...clock, day, text: label } : undefined;
}

function stripFiller(text: string): string {
  // A dash between digits belongs to a date ("28-09"); one standing between words is a separator.
  return text
    .replace(FILLER, ' ')
    .replace(/[,|·•()[\]]+/g, ' ')
    .replace(/(^|\s)[-–—]+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A heading or label that is only a day: "21 сентября", "Ieri", "Monday 3 March 2025". */
export function parseDayHeading(text: string, order: SlashOrder = 'day-first'): ShownDay | undefined {
  const label = text.replace(/\s+/g, ' ').trim();
  if (label.length === 0 || label.length > 40) return undefined;
  return parseDay(stripFiller(label), order);
}

const NUMERIC_DAY_MONTH = /^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?\.?$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const JAPANESE_DAY = /^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:\s?\(.\))?$|^(\d{1,2})\/(\d{1,2})\s?[(（]?[月火水木金土日][)）]?$/;

/** A day without a clock: words for today/yesterday, or a date in numbers or words. */
export function parseDay(text: string, order: SlashOrder): ShownDay | undefined {
  const words = text.toLowerCase().replace(/[,.]+$/, '').trim();
  const relative = relativeDayFromWord(words);
  if (relative !== undefined) return { kind: 'relative', daysAgo: relative };
  return numericDay(words, order) ?? japaneseDay(words) ?? wordedDay(words);
}

function numericDay(text: string, order: SlashOrder): ShownDay | undefined {
  const iso = ISO_DAY.exec(text);
  if (iso) return checkedDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const match = NUMERIC_DAY_MONTH.exec(text.replace(/\s/g, ''));
  if (!match) return undefined;
  const [first, second] = [Number(match[1]), Number(match[2])];
  const monthFirst = order === 'month-first' && text.includes('/');
  const year = match[3] ? fullYear(match[3]) : undefined;
  return monthFirst ? checkedDate(year, first, second) : checkedDate(year, second, first);
}

function japaneseDay(text: string): ShownDay | undefined {
  const match = JAPANESE_DAY.exec(text.replace(/\s/g, ''));
  if (!match) return undefined;
  if (match[2]) return checkedDate(match[1] ? Number(match[1]) : undefined, Number(match[2]), Number(match[3]));
  return checkedDate(undefined, Number(match[4]), Number(match[5]));
}

/** "22 сентября 2021", "September 22, 2021", "Mon 3 March", "22. September", "3 de marzo de 2025". */
function wordedDay(text: string): ShownDay | undefined {
  const tokens = text
    .replace(/\b(?:de|del|di|van|the|of|den|der)\b/g, ' ')
    .split(/[\s,]+/)
    .filter(Boolean);
  let month: number | undefined;
  let day: number | undefined;
  let year: number | undefined;
  for (const token of tokens) {
    const number = /^(\d{1,4})(?:\.|st|nd|rd|th|er|e|º)?$/.exec(token);
    if (number) {
      const value = Number(number[1]);
      if (number[1]!.length === 4 && year === undefined) year = value;
      else if (day === undefined && value >= 1 && value <= 31) day = value;
      else return undefined;
      continue;
    }
    const named = monthFromWord(token);
    if (named !== undefined && month === undefined) month = named;
    else if (!isWeekday(token)) return undefined;
  }
  return month !== undefined && day !== undefined ? checkedDate(year, month, day) : undefined;
}

// Weekday names stand beside dates ("Mon 3 March", "mercredi 22 septembre") and change nothing.
const WEEKDAYS = new Set(
  [
    'mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday',
    'lun mar mer jeu ven sam dim lundi mardi mercredi jeudi vendredi samedi dimanche',
    'mo di mi do fr sa so montag dienstag mittwoch donnerstag freitag samstag sonntag',
    'lunes martes miércoles jueves viernes sábado domingo mié jue vie sáb dom',
    'lunedì martedì mercoledì giovedì venerdì sabato domenica gio',
    'seg ter qua qui sex segunda terça quarta quinta sexta segunda-feira terça-feira quarta-feira quinta-feira sexta-feira',
    'maandag dinsdag woensdag donderdag vrijdag zaterdag zondag wo vr za zo',
    'pn wt śr czw pt sob nd poniedziałek wtorek środa czwartek piątek sobota niedziela',
    'пн вт ср чт пт сб вс понедельник вторник среда четверг пятница суббота воскресенье',
  ].flatMap((line) => line.split(' ')),
);

function isWeekday(token: string): boolean {
  return WEEKDAYS.has(token.replace(/\.$/, ''));
}

function fullYear(text: string): number {
  return text.length === 2 ? 2000 + Number(text) : Number(text);
}

/** A date only when a calendar has it; without a year, February 29 is allowed (a leap year may be meant). */
function checkedDate(year: number | undefined, month: number, day: number): ShownDay | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  if (day > daysInMonth(year ?? 2024, month)) return undefined;
  return year === undefined ? { kind: 'date', month, day } : { kind: 'date', year, month, day };
}

/** A clock at the very start of an item's text ("13:29 Title..."), and the text after it. */
export function leadingTime(text: string, order: SlashOrder = 'day-first'): { time: ShownTime; rest: string } | undefined {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  const match = /^(.{0,30}?\d{1,2}(?::|\s?h\s?|\.)\d{2}(?::\d{2})?(?!\d|\.\s?\d)(?:\s?(?:Uhr|h))?(?:\s?[ap]\.?\s?m\.?(?![a-z]))?)(?:\s*[-–—|·:]\s*|\s+)(.+)$/i.exec(trimmed);
  if (!match) return undefined;
  const time = parseTimeLabel(match[1]!, order);
  const rest = match[2]!.trim();
  // "3.45 million voted" is a number, not a time: a dotted time opens a headline, which starts with a capital.
  if (time && /^\d{1,2}\.\d{2}$/.test(time.text) && /^\p{Ll}/u.test(rest)) return undefined;
  return time ? { time, rest } : undefined;
}

/** Whether text holds a clock-like pattern at all: a cheap first filter before parsing. */
export function mentionsClock(text: string): boolean {
  return /\d[:.h]\d\d/.test(text);
}
