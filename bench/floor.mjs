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

// Every *.txt in any folder. A hand-rolled walk: on Node 20, readdirSync({ recursive: true })
// costs ~50 ms more at 10,000 files, and the floor should be the cheapest honest way to read.
function listPages(root, folder = '') {
  const names = [];
  for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true })) {
    const name = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) names.push(...listPages(root, name));
    else if (entry.name.endsWith('.txt')) names.push(name);
  }
  return names;
}
const names = listPages(values.sources).sort();
const picked = [];
for (const name of names) {
  const text = readFileSync(path.join(values.sources, name), 'utf8');
  // "Something small" from each page: its url: line if the front matter has one near the top,
  // else its first line. A bounded look, not a parse.
  const url = text.indexOf('url: ');
  const start = url !== -1 && url < 300 ? url : 0;
  const end = text.indexOf('\n', start);
  // A copy, not a slice: V8 slices keep the whole page alive, and the floor keeps no pages.
  picked.push(Buffer.from(text.slice(start, end === -1 ? start + 200 : Math.min(end, start + 200))).toString());
}

mkdirSync(values.out, { recursive: true });
const joined = picked.join('\n');
writeFileSync(path.join(values.out, 'rss.xml'), `<floor>\n${joined}\n</floor>\n`);
writeFileSync(path.join(values.out, 'atom.xml'), `<floor>\n${joined}\n</floor>\n`);
writeFileSync(path.join(values.out, 'feed.json'), `${JSON.stringify({ pages: names.length })}\n`);
process.stdout.write(`${JSON.stringify({ msg: 'floor finished', pages: names.length })}\n`);
