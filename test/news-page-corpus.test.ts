// The extractor over the labelled corpus in test/fixtures/news-pages/: every page beside the
// lead and briefs a person wrote down for it. The thresholds are the issue's; a page that falls
// short is named in the failure with what it missed, found extra or dated wrong.
import { describe, expect, it } from 'vitest';
import { extractNewsPage } from '../src/worker/news-page.js';
import { corpusPages, corpusTotals, type PageScore, scorePage } from './news-page-scoring.js';

const pages = corpusPages();
const scores: PageScore[] = pages.map(({ name, html, expected }) =>
  scorePage(name, expected, extractNewsPage(html, { capturedAt: new Date(expected.capturedAt), timeZone: expected.timeZone })),
);
const totals = corpusTotals(scores);
const faults = (pick: (score: PageScore) => string[]) => scores.flatMap((score) => pick(score).map((fault) => `${score.name}: ${fault}`));

describe('the news-page corpus', () => {
  it('holds at least 20 news pages and 8 pages whose times are not news', () => {
    expect(scores.filter((score) => !score.notNews).length).toBeGreaterThanOrEqual(20);
    expect(scores.filter((score) => score.notNews).length).toBeGreaterThanOrEqual(8);
  });

  it('finds at least 90% of the expected briefs (title and shown minute)', () => {
    expect(totals.recall, faults((score) => score.missing).join('\n')).toBeGreaterThanOrEqual(0.9);
  });

  it('finds briefs at least 95% of which were expected', () => {
    expect(totals.precision, faults((score) => score.extra).join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('dates at least 98% of the matched briefs at the right instant', () => {
    expect(totals.datedRight, faults((score) => score.misdated).join('\n')).toBeGreaterThanOrEqual(0.98);
  });

  it('gets the lead headline right, or finds no lead where there is none, on at least 90% of pages', () => {
    const wrong = scores.filter((score) => !score.leadRight).map((score) => score.name);
    expect(totals.leadRight, wrong.join(', ')).toBeGreaterThanOrEqual(0.9);
  });

  it.each(scores.filter((score) => score.notNews).map((score) => [score.name, score] as const))('finds no briefs on %s', (_, score) => {
    expect(score.extra).toEqual([]);
  });
});
