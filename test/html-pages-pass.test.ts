// Saved news pages dropped into sources/ with nothing configured: a pass finds each page's lead
// and timestamped briefs, dates the briefs in the site's zone, keeps their ids across captures,
// and reports a page whose lists stop giving briefs as degraded while its entries stay.
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { LEVEL, passWithLogs, TempDirs } from './support/feed-site.js';

const temps = new TempDirs();
afterAll(() => temps.cleanup());

interface Item {
  time: string;
  title: string;
  href?: string;
}

/** A regional daily's article page, with an "En continu" column of timed items beside it. */
function newsPage(items: readonly Item[], options: { saved?: string; column?: 'ol' | 'none' } = {}): string {
  const column =
    options.column === 'none'
      ? '<aside class="promo"><p>Abonnez-vous à la lettre du soir.</p></aside>'
      : `<aside class="fil-info"><h2>En continu</h2><ol class="fil-info__liste">${items
          .map((item) => `<li class="fil-info__item"><span class="fil-info__heure">${item.time}</span> <a class="fil-info__titre" href="${item.href ?? '#'}">${item.title}</a></li>`)
          .join('')}</ol></aside>`;
  return `<!DOCTYPE html>
${options.saved ? `<!--\n Page saved with a capture tool\n url: https://estuaire.example/region/pont-transbordeur\n saved date: ${options.saved}\n-->\n` : ''}<html lang="fr"><head><meta charset="utf-8">
<title>Le pont transbordeur rouvre au public | L'Estuaire</title>
<link rel="canonical" href="https://estuaire.example/region/pont-transbordeur">
<meta property="og:title" content="Le pont transbordeur rouvre au public">
<meta name="description" content="Après deux ans de travaux, la nacelle traverse de nouveau la Loire.">
</head><body>
<header><nav><a href="/">Accueil</a> <a href="/region">Région</a> <a href="/sport">Sport</a></nav></header>
<div class="cookie-banner">Nous utilisons des cookies. <button>Accepter</button></div>
<main><article><h1>Le pont transbordeur rouvre au public</h1>
<p class="chapo">Après deux ans de travaux, la nacelle traverse de nouveau la Loire.</p>
<p>La première traversée a eu lieu samedi matin devant quelques centaines de curieux venus des deux rives.</p>
<p>Les horaires d'été permettent des passages toutes les vingt minutes jusqu'au soir.</p>
<div class="partage"><a href="#">Partager sur Facebook</a> <a href="#">Partager par courriel</a></div>
</article>
${column}
</main>
<footer><p>© L'Estuaire — Mentions légales</p></footer>
</body></html>`;
}

const ITEMS: Item[] = [
  { time: '13h29', title: 'Un cargo immobilisé au large de Saint-Nazaire après une avarie', href: '/faits-divers/cargo-avarie?utm_source=fil' },
  { time: '12h05', title: 'Les horaires du bac de Couëron modifiés ce week-end', href: '/region/bac-coueron' },
  { time: '09h47', title: 'Grève des contrôleurs : le trafic reprend peu à peu', href: '/region/greve-trafic' },
  { time: '00h15', title: 'Un incendie maîtrisé dans un entrepôt du port', href: '/faits-divers/incendie-port' },
  { time: '23h40', title: 'Le conseil municipal vote le budget des quais', href: '/politique/budget-quais' },
];

function site(page: string, name = 'region/pont-transbordeur.html'): { sourcesDir: string; outDir: string; stateFile: string; file: string } {
  const dir = temps.make('html-pages');
  const sourcesDir = path.join(dir, 'sources');
  const file = path.join(sourcesDir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(path.join(sourcesDir, 'site.yaml'), "title: L'Estuaire\nurl: https://feeds.estuaire.example/\ntimezone: Europe/Paris\nlanguage: fr\n");
  writeFileSync(file, page);
  return { sourcesDir, outDir: path.join(dir, 'out'), stateFile: path.join(dir, 'state.db'), file };
}

async function pass(where: ReturnType<typeof site>, now: Date) {
  const store = SqliteStore.open(where.stateFile);
  try {
    const run = await passWithLogs({ sourcesDir: where.sourcesDir, outDir: where.outDir, store, now: () => now });
    const entries = await store.feedEntries({}, 100, () => true);
    return { ...run, entries };
  } finally {
    await store.close();
  }
}

const SAVED = 'Sun Jul 05 2026 13:52:10 GMT+0200 (heure d’été d’Europe centrale)';
const AFTER_SAVE = new Date('2026-07-05T12:00:00Z');

describe('a saved news page in sources/', () => {
  it('becomes its lead and one entry per brief, dated in the site’s zone, across midnight', async () => {
    const where = site(newsPage(ITEMS, { saved: SAVED }));
    const { summary, entries } = await pass(where, AFTER_SAVE);
    expect(summary.sourcesFailed).toBe(0);
    const lead = entries.find((entry) => entry.kind === 'lead')!;
    expect(lead.title).toBe('Le pont transbordeur rouvre au public');
    expect(lead.link).toBe('https://estuaire.example/region/pont-transbordeur');
    expect(lead.contentText).not.toMatch(/Partager|cookies|Accueil|En continu|cargo/);
    const briefs = entries.filter((entry) => entry.kind === 'brief').map((entry) => [entry.title, entry.published.toISOString(), entry.link]);
    expect(briefs).toEqual([
      ['Un cargo immobilisé au large de Saint-Nazaire après une avarie', '2026-07-05T11:29:00.000Z', 'https://estuaire.example/faits-divers/cargo-avarie'],
      ['Les horaires du bac de Couëron modifiés ce week-end', '2026-07-05T10:05:00.000Z', 'https://estuaire.example/region/bac-coueron'],
      ['Grève des contrôleurs : le trafic reprend peu à peu', '2026-07-05T07:47:00.000Z', 'https://estuaire.example/region/greve-trafic'],
      ['Un incendie maîtrisé dans un entrepôt du port', '2026-07-04T22:15:00.000Z', 'https://estuaire.example/faits-divers/incendie-port'],
      // Later than the item above it in a newest-first list: the evening before.
      ['Le conseil municipal vote le budget des quais', '2026-07-04T21:40:00.000Z', 'https://estuaire.example/politique/budget-quais'],
    ]);
    const status = JSON.parse(readFileSync(path.join(where.outDir, 'status.json'), 'utf8')) as { sources: Record<string, unknown>[] };
    expect(status.sources[0]).toMatchObject({ source: 'region/pont-transbordeur.html', status: 'ok', briefs: 5 });
    expect((status.sources[0]!.brief_lists as string[]).length).toBe(1);
  });

  it('does not repeat the lead as a brief when its own column lists it, and feeds select HTML pages like any page', async () => {
    const items = [{ time: '14h02', title: 'Le pont transbordeur rouvre au public', href: '/region/pont-transbordeur?utm_source=fil' }, ...ITEMS.slice(0, 2)];
    const where = site(newsPage(items, { saved: SAVED }));
    writeFileSync(path.join(where.sourcesDir, 'site.yaml'), "title: L'Estuaire\nurl: https://feeds.estuaire.example/\ntimezone: Europe/Paris\nfeeds:\n  - id: fil\n    title: Le fil\n    kind: brief\n    sources: ['region/*.html']\n");
    const { entries } = await pass(where, AFTER_SAVE);
    expect(entries.map((entry) => entry.kind)).toEqual(['lead', 'brief', 'brief']);
    const fil = JSON.parse(readFileSync(path.join(where.outDir, 'fil', 'feed.json'), 'utf8')) as { items: { title: string }[] };
    expect(fil.items.map((item) => item.title)).toEqual([ITEMS[0]!.title, ITEMS[1]!.title]);
  });

  it('keeps every brief’s id across a later capture that edits texts, adds an item and drops the oldest', async () => {
    const where = site(newsPage(ITEMS, { saved: SAVED }));
    const first = await pass(where, AFTER_SAVE);
    const idOf = (entries: typeof first.entries, link: string) => entries.find((entry) => entry.link === `https://estuaire.example${link}`)?.id;
    const later: Item[] = [
      { time: '14h10', title: 'La Loire en crue à Ancenis, la route des quais fermée', href: '/region/crue-ancenis' },
      { time: '13h29', title: 'Cargo en avarie : le remorquage vers Saint-Nazaire a commencé', href: '/faits-divers/cargo-avarie?utm_medium=social' },
      ...ITEMS.slice(1, 4),
    ];
    writeFileSync(where.file, newsPage(later, { saved: 'Sun Jul 05 2026 14:31:00 GMT+0200 (heure d’été d’Europe centrale)' }));
    const second = await pass(where, new Date('2026-07-05T12:40:00Z'));
    expect(second.summary.entriesNew).toBe(1);
    for (const link of ['/faits-divers/cargo-avarie', '/region/bac-coueron', '/faits-divers/incendie-port']) expect(idOf(second.entries, link)).toBe(idOf(first.entries, link));
    const cargo = second.entries.find((entry) => entry.id === idOf(first.entries, '/faits-divers/cargo-avarie'))!;
    expect(cargo.title).toBe('Cargo en avarie : le remorquage vers Saint-Nazaire a commencé');
    expect(cargo.published.toISOString()).toBe('2026-07-05T11:29:00.000Z');
    // The item no longer shown stays published.
    expect(idOf(second.entries, '/politique/budget-quais')).toBe(idOf(first.entries, '/politique/budget-quais'));
    expect(second.entries.filter((entry) => entry.kind === 'brief')).toHaveLength(6);
  });

  it('reports the page as degraded, once, when its lists stop giving briefs, and keeps what it published', async () => {
    const where = site(newsPage(ITEMS, { saved: SAVED }));
    await pass(where, AFTER_SAVE);
    writeFileSync(where.file, newsPage([], { saved: 'Sun Jul 05 2026 15:00:00 GMT+0200 (CEST)', column: 'none' }));
    const degraded = await pass(where, new Date('2026-07-05T13:05:00Z'));
    expect(degraded.summary.sourcesFailed).toBe(0);
    const warnings = degraded.logs.filter((line) => line.level === LEVEL.warn && line.code === 'EXTRACTION_DEGRADED');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ source: 'region/pont-transbordeur.html', briefs_before: 5 });
    expect(degraded.entries.filter((entry) => entry.kind === 'brief')).toHaveLength(5);
    const status = JSON.parse(readFileSync(path.join(where.outDir, 'status.json'), 'utf8')) as { sources: Record<string, unknown>[] };
    expect(status.sources[0]).toMatchObject({ status: 'degraded', degraded_from_briefs: 5, briefs: 0, brief_lists: [] });

    // Still degraded on the next reading, but not said again.
    writeFileSync(where.file, newsPage([], { saved: 'Sun Jul 05 2026 16:00:00 GMT+0200 (CEST)', column: 'none' }));
    const again = await pass(where, new Date('2026-07-05T14:05:00Z'));
    expect(again.logs.filter((line) => line.code === 'EXTRACTION_DEGRADED')).toHaveLength(0);
    expect(JSON.parse(readFileSync(path.join(where.outDir, 'status.json'), 'utf8')).sources[0].status).toBe('degraded');
  });

  it('takes the file’s time as the capture time when nothing in the file says, and logs the zone it dated in', async () => {
    const where = site(newsPage(ITEMS.slice(0, 2)));
    utimesSync(where.file, new Date('2026-07-05T11:45:00Z'), new Date('2026-07-05T11:45:00Z'));
    const { entries, logs } = await pass(where, AFTER_SAVE);
    expect(entries.filter((entry) => entry.kind === 'brief').map((entry) => entry.published.toISOString())).toEqual(['2026-07-05T11:29:00.000Z', '2026-07-05T10:05:00.000Z']);
    expect(logs.find((line) => line.level === LEVEL.debug && line.zone !== undefined)).toMatchObject({ source: 'region/pont-transbordeur.html', zone: 'Europe/Paris', zone_from: 'site' });
  });

  it('reads a page on which nothing is found as giving no entry, says so once, and reads the others', async () => {
    const where = site('<!DOCTYPE html><html><body><nav><a href="/">Accueil</a></nav><table><tr><td>20:15</td><td>Film</td></tr></table></body></html>', 'programme-tv.html');
    writeFileSync(path.join(where.sourcesDir, 'note.txt'), 'The ferry runs every hour until the end of the summer.\n');
    const first = await pass(where, AFTER_SAVE);
    expect(first.summary).toMatchObject({ sourcesFailed: 0, sourcesOk: 2 });
    expect(first.logs.filter((line) => line.code === 'PAGE_NOTHING_FOUND')).toEqual([expect.objectContaining({ level: LEVEL.warn, source: 'programme-tv.html' })]);
    expect(first.entries.map((entry) => entry.source)).toEqual(['note.txt']);
    const status = JSON.parse(readFileSync(path.join(where.outDir, 'status.json'), 'utf8')) as { sources: Record<string, unknown>[] };
    expect(status.sources.find((health) => health.source === 'programme-tv.html')).toMatchObject({ status: 'ok', entries: 0, briefs: 0 });
    // Unchanged, it is not read again, nor said again.
    const second = await pass(where, new Date(AFTER_SAVE.getTime() + 60_000));
    expect(second.logs.filter((line) => line.code === 'PAGE_NOTHING_FOUND')).toEqual([]);
  });
});
