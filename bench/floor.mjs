// The floor: the least any pass over the pages could do. It reads every page (every *.txt under
// --sources, decoded as UTF-8) and writes three small files built from something in each page,
// nothing else. A feedloom pass is judged by how many floors it costs.
//
//   node bench/floor.mjs --sources DIR --out DIR
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { sources: { type: 'string' }, out: { type: 'string' } } });
if (!values.sources || !values.out) {
  process.stderr.write('usage: node bench/floor.mjs --sources DIR --out DIR\n');
  process.exit(1);
}

// Same discovery as the worker: a recursive listing filtered to *.txt.
const names = readdirSync(values.sources, { recursive: true }).filter((name) => name.endsWith('.txt')).sort();
const picked = [];
for (const name of names) {
  const text = readFileSync(path.join(values.sources, name), 'utf8');
  // "Something small" from each page: its url: line if the front matter has one near the top,
  // else its first line. A bounded look, not a parse.
  const url = text.indexOf('url: ');
  const start = url !== -1 && url < 300 ? url : 0;
  const end = text.indexOf('\n', start);
  picked.push(text.slice(start, end === -1 ? start + 200 : Math.min(end, start + 200)));
}

mkdirSync(values.out, { recursive: true });
const joined = picked.join('\n');
writeFileSync(path.join(values.out, 'rss.xml'), `<floor>\n${joined}\n</floor>\n`);
writeFileSync(path.join(values.out, 'atom.xml'), `<floor>\n${joined}\n</floor>\n`);
writeFileSync(path.join(values.out, 'feed.json'), `${JSON.stringify({ pages: names.length })}\n`);
process.stdout.write(`${JSON.stringify({ msg: 'floor finished', pages: names.length })}\n`);
