// The corpus score of the news-page reader, for this benchmark and for the corpus test (which
// imports it, with the types in score.d.mts): a brief matches an expected one when its title and
// shown minute (hh:mm in the page's zone) match, and is dated right when its instant is the
// expected one, to the minute. Faults are kept as text, for a failing test to name.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function corpusPages(folder) {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.html'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.html'.length);
      return { name, html: readFileSync(path.join(folder, file), 'utf8'), expected: JSON.parse(readFileSync(path.join(folder, `${name}.expected.json`), 'utf8')) };
    });
}

const sameTitle = (title) => title.normalize('NFKC').replace(/[’‘`]/g, "'").replace(/[“”«»]/g, '"').replace(/\s+/g, ' ').trim().toLowerCase();
const wallMinute = (instant, timeZone) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);

export function scorePage(name, expected, extract) {
  const unmatched = [...extract.briefs];
  const score = { name, notNews: expected.notNews === true, expected: expected.briefs.length, found: extract.briefs.length, matched: 0, datedRight: 0, leadRight: false, missing: [], extra: [], misdated: [] };
  for (const want of expected.briefs) {
    const instant = Date.parse(want.published);
    const index = unmatched.findIndex((brief) => sameTitle(brief.title) === sameTitle(want.title) && wallMinute(brief.published.getTime(), expected.timeZone) === wallMinute(instant, expected.timeZone));
    if (index < 0) {
      score.missing.push(`${want.title} @ ${want.published}`);
      continue;
    }
    const [brief] = unmatched.splice(index, 1);
    score.matched++;
    if (Math.floor(brief.published.getTime() / 60_000) === Math.floor(instant / 60_000)) score.datedRight++;
    else score.misdated.push(`${want.title}: ${brief.published.toISOString()} instead of ${new Date(instant).toISOString()}`);
  }
  score.extra = unmatched.map((brief) => `${brief.title} @ ${brief.published.toISOString()}`);
  score.leadRight = expected.lead === null ? extract.lead === undefined : extract.lead !== undefined && sameTitle(extract.lead.title) === sameTitle(expected.lead);
  return score;
}

export function totals(scores) {
  const sum = (pick) => scores.reduce((total, score) => total + pick(score), 0);
  const ratio = (a, b) => (b === 0 ? 1 : a / b);
  return {
    pages: scores.length,
    recall: ratio(sum((s) => s.matched), sum((s) => s.expected)),
    precision: ratio(sum((s) => s.matched), sum((s) => s.found)),
    datedRight: ratio(sum((s) => s.datedRight), sum((s) => s.matched)),
    leadRight: ratio(sum((s) => (s.leadRight ? 1 : 0)), scores.length),
  };
}

/** A page's own F1 of briefs, 1 for a not-news page with none: the worst pages sort first. */
export function pageQuality(score) {
  if (score.expected === 0) return score.found === 0 ? 1 : 0;
  const recall = score.matched / score.expected;
  const precision = score.found === 0 ? 0 : score.matched / score.found;
  const f1 = recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision);
  return f1 * (score.matched === 0 ? 1 : score.datedRight / score.matched) * (score.leadRight ? 1 : 0.5);
}
