// Types of score.mjs, for the corpus test that imports it.
import type { NewsPageExtract } from '../../src/news-page-model.js';

/** What a person wrote down for a corpus page. */
export interface ExpectedPage {
  capturedAt: string;
  timeZone: string;
  /** True for pages whose clock times are not news: schedules, comments, durations... */
  notNews?: boolean;
  lead: string | null;
  briefs: Array<{ title: string; published: string }>;
}

export interface CorpusPage {
  name: string;
  html: string;
  expected: ExpectedPage;
}

export interface PageScore {
  name: string;
  notNews: boolean;
  expected: number;
  found: number;
  matched: number;
  datedRight: number;
  leadRight: boolean;
  missing: string[];
  extra: string[];
  misdated: string[];
}

export interface CorpusTotals {
  pages: number;
  recall: number;
  precision: number;
  datedRight: number;
  leadRight: number;
}

export function corpusPages(folder: string): CorpusPage[];
export function scorePage(name: string, expected: ExpectedPage, extract: NewsPageExtract): PageScore;
export function totals(scores: readonly PageScore[]): CorpusTotals;
export function pageQuality(score: PageScore): number;
