// The labelled corpus in fixtures/news-pages/ (each page beside a <name>.expected.json written by
// hand) and how the news-page reader is scored on it: by the benchmark's own rule
// (bench/news-page/score.mjs), so the test and `npm run bench:extract` can never disagree.
import path from 'node:path';
import { type CorpusPage, corpusPages as pagesIn, type CorpusTotals, type PageScore, scorePage, totals } from '../bench/news-page/score.mjs';

export type { CorpusTotals, ExpectedPage, PageScore } from '../bench/news-page/score.mjs';
export { scorePage };

export const CORPUS = path.resolve(import.meta.dirname, 'fixtures/news-pages');

export function corpusPages(): CorpusPage[] {
  return pagesIn(CORPUS);
}

export function corpusTotals(scores: readonly PageScore[]): CorpusTotals {
  return totals(scores);
}
