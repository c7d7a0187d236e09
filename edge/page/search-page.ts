/**
 * The search page served at GET /: one self-contained HTML document (no build step, no framework, no
 * request for anything but the API itself) that lists the indexes, searches the chosen one and shows
 * each hit with its snippet (query-contributing words marked) and its explanation as bars, token by
 * token. Keyboard first: the query box has focus, Enter searches, "/" returns to the box, every control
 * is a labelled form element and results are announced to screen readers. Everything shown is set as
 * text (never as HTML), and the Content-Security-Policy allows exactly this page's script and style (by
 * hash), the API on the same origin, and nothing else.
 */
import { PAGE_SCRIPT } from './search-page-script.ts';

const STYLE = `
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; }
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 56rem; padding: 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
input, select, button { font: inherit; padding: .4rem .6rem; }
#q { min-width: 18rem; flex: 1; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
#status { color: var(--muted); min-height: 1.5em; }
ol { padding: 0; list-style: none; }
.hit { border-top: 1px solid #8884; padding: .8rem 0; }
.hit h2 { font-size: 1.05rem; margin: 0; display: flex; gap: .6rem; align-items: baseline; }
.score { color: var(--muted); font-size: .85rem; font-weight: normal; }
.snippet { margin: .3rem 0; }
mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.explain { display: grid; grid-template-columns: max-content 1fr max-content; gap: .15rem .5rem; font-size: .8rem; }
.bar { background: var(--accent); height: .8rem; align-self: center; min-width: 2px; }
.value { color: var(--muted); font-variant-numeric: tabular-nums; }
details { margin: .5rem 0; font-size: .85rem; }
`;

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>csplade search</title>
<style>${STYLE}</style>
</head>
<body>
<h1>csplade search</h1>
<form id="search" role="search">
  <label>Query <input id="q" name="q" type="search" autocomplete="off" autofocus required aria-keyshortcuts="/"></label>
  <label>Index <select id="index" name="index"></select></label>
  <label>Mode <select id="mode" name="mode">
    <option value="">index default</option><option value="exact">exact</option><option value="approximate">approximate</option>
  </select></label>
  <label>Hits <input id="k" name="k" type="number" min="1" max="100" value="10"></label>
  <button type="submit">Search</button>
</form>
<details><summary>API key</summary><label>Bearer key (kept in this tab only) <input id="key" type="password" autocomplete="off"></label></details>
<p id="status" role="status" aria-live="polite"></p>
<ol id="hits" aria-label="Hits"></ol>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;

let page: Promise<{ body: string; csp: string }> | undefined;

/** The page and its Content-Security-Policy (hashes computed once, with WebCrypto). */
export function searchPage(): Promise<{ body: string; csp: string }> {
  page ??= (async () => {
    const scriptHash = await sha256Base64(PAGE_SCRIPT);
    const styleHash = await sha256Base64(STYLE);
    const csp = [
      "default-src 'none'",
      `script-src 'sha256-${scriptHash}'`,
      `style-src 'sha256-${styleHash}'`,
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    return { body: HTML, csp };
  })();
  return page;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
