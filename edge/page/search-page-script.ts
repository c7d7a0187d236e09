/**
 * The search page's script (plain JavaScript, inlined into the page and allowed by its hash): fills the
 * index picker from GET /v1/indexes, searches with POST /v1/indexes/{index}/search (snippets when the
 * index stores text, explanations always), and renders hits with DOM calls only — text nodes and <mark>
 * elements, never HTML strings — so no indexed text can inject markup.
 */
export const PAGE_SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
const form = $('search'), q = $('q'), picker = $('index'), mode = $('mode'), k = $('k');
const status = $('status'), list = $('hits'), key = $('key');
const storesText = new Map();
key.value = sessionStorage.getItem('csplade-key') || '';
key.addEventListener('change', () => { sessionStorage.setItem('csplade-key', key.value); loadIndexes(); });

function headers() {
  const h = { 'content-type': 'application/json' };
  if (key.value) h.authorization = 'Bearer ' + key.value;
  return h;
}

async function api(path, body) {
  const res = await fetch(path, body ? { method: 'POST', headers: headers(), body: JSON.stringify(body) } : { headers: headers() });
  const data = await res.json();
  if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function loadIndexes() {
  try {
    const { indexes } = await api('/v1/indexes');
    picker.replaceChildren(...indexes.map((i) => { const o = el('option', '', i.name); o.value = i.name; return o; }));
    const wanted = new URLSearchParams(location.search).get('index');
    if (wanted) picker.value = wanted;
    status.textContent = indexes.length ? '' : 'No index is served here yet.';
    await describe(picker.value);
  } catch (error) {
    status.textContent = 'Cannot list indexes: ' + error.message;
  }
}

async function describe(index) {
  if (!index || storesText.has(index)) return;
  const info = await api('/v1/indexes/' + encodeURIComponent(index));
  storesText.set(index, info.stored_text === true);
}

function snippetOf(snippet) {
  const p = el('p', 'snippet');
  let at = 0;
  for (const h of snippet.highlights) {
    p.append(snippet.text.slice(at, h.start));
    const mark = el('mark', '', snippet.text.slice(h.start, h.end));
    mark.title = h.token;
    p.append(mark);
    at = h.end;
  }
  p.append(snippet.text.slice(at));
  return p;
}

function explainOf(terms) {
  const box = el('div', 'explain');
  box.setAttribute('role', 'list');
  box.setAttribute('aria-label', 'Why it matched: contribution per token');
  const top = Math.max(...terms.map((t) => t.contribution), 1e-12);
  for (const t of terms.slice(0, 12)) {
    const token = el('span', 'token', t.token);
    token.setAttribute('role', 'listitem');
    const bar = el('div', 'bar');
    bar.style.width = (100 * t.contribution / top).toFixed(1) + '%';
    bar.setAttribute('role', 'img');
    bar.setAttribute('aria-label', t.token + ' contributes ' + t.contribution.toFixed(3));
    box.append(token, bar, el('span', 'value', t.contribution.toFixed(3)));
  }
  return box;
}

function hitOf(hit) {
  const li = el('li', 'hit');
  const title = el('h2');
  const name = (hit.fields && hit.fields.title) || hit.id;
  if (hit.fields && hit.fields.url) {
    const a = el('a', '', name);
    a.href = hit.fields.url;
    a.rel = 'noopener noreferrer';
    title.append(a);
  } else title.append(name);
  title.append(el('span', 'score', hit.score.toFixed(3)));
  li.append(title);
  if (hit.snippet) li.append(snippetOf(hit.snippet));
  if (hit.explain && hit.explain.length) li.append(explainOf(hit.explain));
  return li;
}

async function search(event) {
  if (event) event.preventDefault();
  const index = picker.value;
  if (!q.value.trim() || !index) return;
  status.textContent = 'Searching…';
  try {
    await describe(index);
    const body = { query: q.value, k: Number(k.value) || 10, explain: true, fields: ['title', 'url'] };
    if (storesText.get(index)) body.snippet = true;
    if (mode.value) body.mode = mode.value;
    const res = await api('/v1/indexes/' + encodeURIComponent(index) + '/search', body);
    list.replaceChildren(...res.hits.map(hitOf));
    status.textContent = res.hits.length + ' hits in ' + res.took_ms + ' ms (' + res.mode + ', ' + res.version + ')';
  } catch (error) {
    list.replaceChildren();
    status.textContent = 'Search failed: ' + error.message;
  }
}

form.addEventListener('submit', search);
picker.addEventListener('change', () => describe(picker.value));
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement !== q && !(document.activeElement instanceof HTMLInputElement)) {
    e.preventDefault();
    q.focus();
    q.select();
  }
});
loadIndexes();
`;
