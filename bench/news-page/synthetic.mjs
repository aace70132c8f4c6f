// A large synthetic news page for the speed measurement: a long article, a live blog of many
// updates with shown times and datetime attributes, a "latest" column, comments and furniture.
const WORDS = 'harbour council ferry storm market school bridge river station festival budget library museum tram park hospital port vote strike season'.split(' ');

function sentence(seed, words) {
  const out = [];
  for (let index = 0; index < words; index++) out.push(WORDS[(seed * 7 + index * 13) % WORDS.length]);
  const text = out.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

const two = (value) => String(value).padStart(2, '0');

/** About `targetBytes` of HTML (at least one update), captured at 2024-03-15T23:30+01:00 in Europe/Paris. */
export function syntheticNewsPage(targetBytes) {
  const head = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Direct : la grande marée</title><meta property="og:type" content="article">
<script>${'var tracking = {};'.repeat(200)}</script><style>${'.x{color:red}'.repeat(200)}</style></head><body>
<div class="cookie-banner"><p>Nous utilisons des cookies.</p></div><header class="site-header"><nav>${Array.from({ length: 40 }, (_, index) => `<a href="/rubrique/${index}">Rubrique ${index}</a>`).join('')}</nav></header>
<main><article><h1>Direct : la grande marée</h1><p class="chapo">${sentence(1, 25)}</p><div class="article-body">${Array.from({ length: 30 }, (_, index) => `<p>${sentence(index, 40)}</p>`).join('')}</div><div class="live">`;
  const tail = `</div></article><aside><ul class="latest">${Array.from({ length: 20 }, (_, index) => `<li><span class="time">${two(22 - (index % 20))}h${two(index)}</span> <a href="/br/${index}">${sentence(index + 3, 9)}</a></li>`).join('')}</ul></aside>
<section id="comments">${Array.from({ length: 50 }, (_, index) => `<div class="comment"><span>${two(index % 24)}:${two(index)}</span><p>${sentence(index, 20)}</p></div>`).join('')}</section></main><footer>© bench</footer></body></html>`;
  const updates = [];
  let size = head.length + tail.length;
  for (let index = 0; size < targetBytes || updates.length === 0; index++) {
    const minutes = 23 * 60 + 29 - index * 7;
    const day = minutes >= 0 ? 15 : 14;
    const wall = ((minutes % 1440) + 1440) % 1440;
    const clock = `${two(Math.floor(wall / 60))}:${two(wall % 60)}`;
    const update = `<div class="post"><time datetime="2024-03-${day}T${clock}:00+01:00">${clock}</time><h2>${sentence(index, 8)}</h2><p>${sentence(index + 1, 60)}</p><div class="share"><button>Partager</button></div></div>`;
    updates.push(update);
    size += update.length;
  }
  return { html: head + updates.join('') + tail, capturedAt: new Date('2024-03-15T23:30:00+01:00'), timeZone: 'Europe/Paris', updates: updates.length };
}
