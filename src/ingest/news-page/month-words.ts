// Month names and day words in the languages feedloom reads pages in: en, fr, de, es, it, pt,
// ru, nl, pl. Slavic languages write the day's month in the genitive ("22 сентября", "22
// września") and headings in the nominative, so both forms are listed.

const MONTHS: readonly (readonly string[])[] = [
  ['january', 'janvier', 'januar', 'jänner', 'enero', 'gennaio', 'janeiro', 'январь', 'января', 'januari', 'styczeń', 'stycznia'],
  ['february', 'février', 'fevrier', 'februar', 'febrero', 'febbraio', 'fevereiro', 'февраль', 'февраля', 'februari', 'luty', 'lutego'],
  ['march', 'mars', 'märz', 'marz', 'marzo', 'março', 'marco', 'март', 'марта', 'maart', 'marzec', 'marca'],
  ['april', 'avril', 'abril', 'aprile', 'апрель', 'апреля', 'kwiecień', 'kwietnia'],
  ['may', 'mai', 'mayo', 'maggio', 'maio', 'май', 'мая', 'mei', 'maj', 'maja'],
  ['june', 'juin', 'juni', 'junio', 'giugno', 'junho', 'июнь', 'июня', 'czerwiec', 'czerwca'],
  ['july', 'juillet', 'juli', 'julio', 'luglio', 'julho', 'июль', 'июля', 'lipiec', 'lipca'],
  ['august', 'août', 'aout', 'agosto', 'август', 'августа', 'augustus', 'sierpień', 'sierpnia'],
  ['september', 'septembre', 'septiembre', 'setiembre', 'settembre', 'setembro', 'сентябрь', 'сентября', 'wrzesień', 'września'],
  ['october', 'octobre', 'oktober', 'octubre', 'ottobre', 'outubro', 'октябрь', 'октября', 'październik', 'października'],
  ['november', 'novembre', 'noviembre', 'novembro', 'ноябрь', 'ноября', 'listopad', 'listopada'],
  ['december', 'décembre', 'decembre', 'dezember', 'diciembre', 'dicembre', 'dezembro', 'декабрь', 'декабря', 'grudzień', 'grudnia'],
];

// Short forms pages print ("Sept.", "févr.", "Okt", "dic", "сент."), longest first within a month.
const ABBREVIATIONS: readonly (readonly string[])[] = [
  ['jan', 'janv', 'ene', 'gen', 'янв', 'sty'],
  ['feb', 'févr', 'fevr', 'fév', 'fev', 'fevr', 'фев', 'lut'],
  ['mar', 'mär', 'мар', 'maa'],
  ['apr', 'avr', 'abr', 'апр', 'kwi'],
  ['mai', 'mag', 'мая'],
  ['jun', 'juin', 'giu', 'июн', 'cze'],
  ['jul', 'juil', 'lug', 'июл', 'lip'],
  ['aug', 'aoû', 'ago', 'авг', 'sie'],
  ['sep', 'sept', 'set', 'сен', 'сент', 'wrz'],
  ['oct', 'okt', 'ott', 'out', 'окт', 'paź', 'paz'],
  ['nov', 'ноя', 'lis'],
  ['dec', 'déc', 'dez', 'dic', 'дек', 'gru'],
];

const MONTH_BY_WORD = new Map<string, number>();
MONTHS.forEach((words, index) => words.forEach((word) => MONTH_BY_WORD.set(word, index + 1)));
ABBREVIATIONS.forEach((words, index) => words.forEach((word) => MONTH_BY_WORD.has(word) || MONTH_BY_WORD.set(word, index + 1)));

/** The month (1-12) a word names, full or abbreviated, in any of the languages; undefined otherwise. */
export function monthFromWord(word: string): number | undefined {
  const bare = word.toLowerCase().replace(/\.$/, '');
  return MONTH_BY_WORD.get(bare);
}

// Days before the capture day that a word names. "Hier" is French for yesterday; "Heute" German
// for today: the two never collide across these languages.
const RELATIVE_DAYS = new Map<string, number>([
  ...['today', "aujourd'hui", 'aujourd’hui', 'heute', 'hoy', 'oggi', 'hoje', 'сегодня', 'vandaag', 'dzisiaj', 'dziś', 'dzis', '今日', 'きょう'].map((word) => [word, 0] as const),
  ...['yesterday', 'hier', 'gestern', 'ayer', 'ieri', 'ontem', 'вчера', 'gisteren', 'wczoraj', '昨日', 'きのう'].map((word) => [word, 1] as const),
  ...['avant-hier', 'vorgestern', 'anteayer', "l'altro ieri", 'altroieri', 'anteontem', 'позавчера', 'eergisteren', 'przedwczoraj', '一昨日', 'おととい'].map((word) => [word, 2] as const),
]);

/** 0 for "today", 1 for "yesterday", 2 for "the day before"; undefined for any other text. */
export function relativeDayFromWord(text: string): number | undefined {
  return RELATIVE_DAYS.get(text.toLowerCase().trim());
}
