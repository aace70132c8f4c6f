// A captured page's body -> its lead story and its briefs. Pure; errors name the line.
import { SourceError } from '../errors.js';
import { cleanLine, cleanLineKey, lineKey } from './text.js';

export const DEFAULT_BRIEFS_HEADINGS = ['Read next', 'Read more', 'More news', 'Latest news', 'Latest updates'];

const TIME_LINE = /^(\d{1,2}):(\d{2})$/;

export interface ParsedBrief {
  /** Zero-padded wall-clock time, "08:42". */
  time: string;
  hour: number;
  minute: number;
  topic: string;
  paragraphs: string[];
  line: number;
}

export interface ParsedPage {
  /** The lead's first line: a long standfirst that stands for the story. */
  standfirst: string;
  /** The lead's remaining lines. */
  paragraphs: string[];
  briefs: ParsedBrief[];
}

export interface PageParseOptions {
  source: string;
  briefsHeadings: readonly string[];
  boilerplate: readonly string[];
  /** Line number of the body's first line in the file. */
  firstLine: number;
}

interface NumberedLine {
  text: string;
  line: number;
}

export function parsePage(body: string, options: PageParseOptions): ParsedPage {
  const fail = (message: string): never => {
    throw new SourceError('normalize', options.source, message);
  };
  const lines = contentLines(body, options);
  if (lines.length === 0) fail('page has no text (empty or only page furniture)');

  const headings = new Set(options.briefsHeadings.map(lineKey));
  const headingIndex = lines.findIndex((line) => headings.has(cleanLineKey(line.text)));
  const lead = headingIndex === -1 ? lines : lines.slice(0, headingIndex);
  const [standfirst, ...paragraphs] = lead;
  if (standfirst === undefined) fail(`page has no lead story: nothing before the "${lines[headingIndex]?.text}" heading on line ${lines[headingIndex]?.line}`);
  const briefs = headingIndex === -1 ? [] : parseBriefs(lines.slice(headingIndex + 1), fail);
  return { standfirst: standfirst!.text, paragraphs: paragraphs.map((line) => line.text), briefs };
}

/** Cleaned, non-blank lines with their line numbers; comment prompts and furniture dropped. */
function contentLines(body: string, options: PageParseOptions): NumberedLine[] {
  const furniture = new Set(options.boilerplate.map(lineKey));
  const lines: NumberedLine[] = [];
  body.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const text = cleanLine(raw);
    if (text !== '' && !furniture.has(cleanLineKey(text))) lines.push({ text, line: options.firstLine + index });
  });
  return lines;
}

function parseBriefs(lines: NumberedLine[], fail: (message: string) => never): ParsedBrief[] {
  const briefs: ParsedBrief[] = [];
  let current: ParsedBrief | undefined;
  const finish = () => {
    if (current && current.paragraphs.length === 0) fail(`brief "${current.time} ${current.topic}" on line ${current.line} has no text`);
  };
  for (let index = 0; index < lines.length; index++) {
    const { text, line } = lines[index]!;
    const time = TIME_LINE.exec(text);
    if (time) {
      finish();
      const hour = Number(time[1]);
      const minute = Number(time[2]);
      if (hour > 23 || minute > 59) fail(`impossible time "${text}" on line ${line}`);
      const topicLine = lines[index + 1];
      if (!topicLine || TIME_LINE.test(topicLine.text)) fail(`brief at "${text}" on line ${line} has no topic`);
      current = { time: `${pad(hour)}:${pad(minute)}`, hour, minute, topic: topicLine!.text, paragraphs: [], line };
      briefs.push(current);
      index++;
    } else if (current) {
      current.paragraphs.push(text);
    } else {
      fail(`expected a brief time (such as 08:42) after the briefs heading, found "${truncate(text)}" on line ${line}`);
    }
  }
  finish();
  return briefs;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
