// Scores the news-page extractor against the labelled corpus in fixtures/news-pages/: each page
// beside a <name>.expected.json written by hand. A brief matches an expected one when its title
// text and its shown minute (hh:mm in the page's zone) match; it is dated right when its instant
// is the expected one. bench/extract.mjs scores the built extractor the same way.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NewsPageExtract } from '../src/news-page-model.js';

export const CORPUS = path.resolve(import.meta.dirname, 'fixtures/news-pages');

export interface ExpectedPage {
  capturedAt: string;
  timeZone: string;
  /** True for pages whose clock times are not news: schedules, comments, durations... */
  notNews?: boolean;
  lead: string | null;
  briefs: Array<{ title: string; published: string }>;
}

export interface PageScore {
  name: string;
  expected: number;
  found: number;
  matched: number;
  datedRight: number;
  leadRight: boolean;
  notNews: boolean;
  missing: string[];
  extra: string[];
  misdated: string[];
}

export function corpusPages(): Array<{ name: string; html: string; expected: ExpectedPage }> {
  return readdirSync(CORPUS)
    .filter((file) => file.endsWith('.html'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.html'.length);
      const expected = JSON.parse(readFileSync(path.join(CORPUS, `${name}.expected.json`), 'utf8')) as ExpectedPage;
      return { name, html: readFileSync(path.join(CORPUS, file), 'utf8'), expected };
    });
}

export function sameTitle(a: string): string {
  return a.normalize('NFKC').replace(/[’‘`]/g, "'").replace(/[“”«»]/g, '"').replace(/\s+/g, ' ').trim().toLowerCase();
}

function wallMinute(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

export function scorePage(name: string, expected: ExpectedPage, extract: NewsPageExtract): PageScore {
  const unmatched = [...extract.briefs];
  const score: PageScore = { name, expected: expected.briefs.length, found: extract.briefs.length, matched: 0, datedRight: 0, leadRight: false, notNews: expected.notNews === true, missing: [], extra: [], misdated: [] };
  for (const want of expected.briefs) {
    const wantInstant = Date.parse(want.published);
    const index = unmatched.findIndex((brief) => sameTitle(brief.title) === sameTitle(want.title) && wallMinute(brief.published.getTime(), expected.timeZone) === wallMinute(wantInstant, expected.timeZone));
    if (index < 0) {
      score.missing.push(`${want.title} @ ${want.published}`);
      continue;
    }
    const [brief] = unmatched.splice(index, 1);
    score.matched++;
    if (Math.floor(brief!.published.getTime() / 60_000) === Math.floor(wantInstant / 60_000)) score.datedRight++;
    else score.misdated.push(`${want.title}: ${brief!.published.toISOString()} instead of ${new Date(wantInstant).toISOString()}`);
  }
  score.extra = unmatched.map((brief) => `${brief.title} @ ${brief.published.toISOString()}`);
  score.leadRight = expected.lead === null ? extract.lead === undefined : extract.lead !== undefined && sameTitle(extract.lead.title) === sameTitle(expected.lead);
  return score;
}

export interface CorpusTotals {
  pages: number;
  recall: number;
  precision: number;
  datedRight: number;
  leadRight: number;
}

export function corpusTotals(scores: readonly PageScore[]): CorpusTotals {
  const sum = (pick: (score: PageScore) => number) => scores.reduce((total, score) => total + pick(score), 0);
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    pages: scores.length,
    recall: ratio(sum((s) => s.matched), sum((s) => s.expected)),
    precision: ratio(sum((s) => s.matched), sum((s) => s.found)),
    datedRight: ratio(sum((s) => s.datedRight), sum((s) => s.matched)),
    leadRight: ratio(sum((s) => (s.leadRight ? 1 : 0)), scores.length),
  };
}
