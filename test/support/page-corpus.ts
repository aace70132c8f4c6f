// A few thousand captured pages of one site, for tests that need a pass long enough to be cut
// short at many points: a lead and three briefs a page, captures spread over two months, topics
// in turn so the filtered feeds fill up too, archives on. Deterministic: the same count gives the
// same bytes, and every capture lies in the past of any clock a test runs under.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pageText } from './feed-site.js';

export const CORPUS_SITE_URL = 'https://harbour-ledger.example/';

const SITE_YAML = `title: Harbour Ledger
url: ${CORPUS_SITE_URL}
timezone: Europe/Lisbon
archive: true
feeds:
  - id: briefs
    title: Harbour Ledger briefs
    kind: brief
  - id: ferries
    title: Harbour Ledger ferries and roads
    category: [Ferries, Roads]
`;

const TOPICS = ['Ferries', 'Roads', 'Schools', 'Weather', 'Market', 'Council', 'Sport'];
const PLACES = ['the north quay', 'the old town', 'the bus station', 'the marina', 'the town hall', 'the estuary', 'the headland'];
const FIRST_CAPTURE_MS = Date.UTC(2026, 0, 5, 6, 0);
const HOUR = 3_600_000;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Writes site.yaml and `count` pages into `dir`; returns the pages' file names. */
export function writePageCorpus(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'site.yaml'), SITE_YAML);
  const names: string[] = [];
  for (let index = 0; index < count; index++) {
    // About one capture every 40 minutes, at uneven minutes, so dates rarely coincide.
    const capturedMs = FIRST_CAPTURE_MS + index * 40 * 60_000 + ((index * 7) % 13) * 60_000;
    const captured = new Date(capturedMs);
    const briefs = [0, 1, 2].map((b) => {
      const at = new Date(capturedMs - (b + 1) * HOUR + b * 60_000);
      const topic = TOPICS[(index + b * 3) % TOPICS.length]!;
      return { time: `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`, topic, text: `Brief ${index}-${b}: work near ${PLACES[(index + b) % PLACES.length]} goes on until ${pad((index % 12) + 8)}:00.` };
    });
    const name = `desk/${String(index).padStart(5, '0')}.txt`;
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      pageText({
        url: `${CORPUS_SITE_URL}news/story-${index}`,
        captured: captured.toISOString().replace('.000Z', '+00:00'),
        lead: `Story ${index}: the harbour board meets about ${PLACES[index % PLACES.length]} and the plans for the coming season.`,
        paragraphs: [`Paragraph one of story ${index}, with the details the board gave.`, `Paragraph two of story ${index}, with what residents said.`],
        briefs,
      }),
    );
    utimesSync(file, captured, captured);
    names.push(name);
  }
  return names;
}
