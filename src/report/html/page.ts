/**
 * The page around every HTML report: one self-contained file. Its Content-Security-Policy
 * forbids every request (default-src 'none'); the one style sheet and the one script are
 * allowed by their SHA-256 hashes, so nothing injected could run even if escaping failed.
 * The script only filters what is already on the page: with scripts off the report is whole.
 */
import { createHash } from 'node:crypto';
import type { Sink } from '../sink.js';
import { html, trusted, type Fragment } from './markup.js';

export const STYLE = `
:root{color-scheme:light;--fg:#1b1b1b;--muted:#555;--leak:#b71c1c;--ok:#1565c0;--line:#d6d6d6;--win:#fff1b8;--inc:#6a1b9a}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
main{max-width:1140px;margin:0 auto;padding:.75rem 1rem 3rem}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.75rem 0 .5rem;border-bottom:2px solid var(--fg)}
h3{font-size:1.05rem;margin:0 0 .35rem;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:.25rem 0 .75rem}
th,td{text-align:left;vertical-align:top;padding:.25rem .45rem;border-bottom:1px solid var(--line)}
th{font-weight:600;background:#f3f3f3}
.scroll{overflow-x:auto}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.muted{color:var(--muted)}
.num{text-align:right;font-variant-numeric:tabular-nums}
.status-partial,.status-error{color:var(--leak);font-weight:600}
.badge{display:inline-block;padding:0 .35rem;border-radius:.6rem;font-size:.8em;border:1px solid currentColor;margin:0 .15rem .1rem 0;white-space:nowrap}
.badge.leak{color:var(--leak)}.badge.win{background:var(--win);color:#5d4300}.badge.inc{color:var(--inc)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.25rem 0 .5rem}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
section.host{border:1px solid var(--line);border-left:6px solid var(--ok);border-radius:4px;padding:.6rem .8rem;margin:.75rem 0}
section.host.leaked{border-left-color:var(--leak)}
ul.evidence{margin:0;padding-left:1.1rem;font-size:.85em}
tr.in-window>td{background:var(--win)}
.note{font-size:.9em;color:var(--muted)}
.controls{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0;padding:.5rem;background:#f3f3f3;border-radius:4px}
.controls label{display:flex;flex-direction:column;font-size:.85em}
.controls input,.controls select{font:inherit;padding:.2rem .3rem;min-width:12rem}
svg{display:block;width:100%;height:auto}
.map .sphere{fill:#e8f1f7}.map .land{fill:#d4d4d4}.map .served{fill:#b3b3b3}.map .borders{fill:none;stroke:#fff;stroke-width:.5}
.mark circle{fill:var(--ok);fill-opacity:.8;stroke:#fff;stroke-width:1.5}.mark.leaked circle{fill:var(--leak)}
.mark .label{font-size:12px;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:3px}.mark .label .net{font-size:10px;fill:#333}
.mark .tip{display:none}.mark:hover .tip,.mark:focus .tip{display:inline}
.tip rect{fill:#fff;stroke:#333}.tip text{font-size:12px;fill:#111}
.mark:focus{outline:none}.mark:focus circle{stroke:#000;stroke-width:3}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.85em;margin:.25rem 0}
.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;vertical-align:-.05em;margin-right:.25rem}
.dot.leaked{background:var(--leak)}.dot.ok{background:var(--ok)}.dot.inc{background:var(--inc);border-radius:0;transform:rotate(45deg)}.dot.win{background:var(--win);border:1px solid #c9a400;border-radius:0}
.timeline text{font-size:11px;fill:#222}.timeline .axis{stroke:#999}.timeline .span{fill:#cfd8dc}
.timeline .act{fill:#78909c}.timeline .req{fill:var(--ok)}.timeline .req.leaked{fill:var(--leak)}.timeline .req.inc{fill:var(--inc)}
.timeline .req.in-window{stroke:#000;stroke-width:1.5}.timeline .band{fill:var(--win)}.timeline .band-label{font-weight:600;fill:#5d4300}
:target{outline:3px solid #f9a825;outline-offset:2px}
[hidden]{display:none!important}
@media (max-width:700px){
 body{font-size:14px}main{padding:.5rem}
 table.stack thead{display:none}table.stack tr,table.stack td{display:block;border:0}
 table.stack tr{border-bottom:1px solid var(--line);padding:.3rem 0}
 table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}
 .mark .label{display:none}dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.3rem}
}
@media print{
 .controls{display:none}body{font-size:10.5pt}main{max-width:none;padding:0}
 section.host{break-inside:avoid-page}h2{break-after:avoid}a{color:inherit;text-decoration:none}
 .mark .tip{display:none}.timeline,.map{break-inside:avoid}
}
`;

/** Search box and filters: shows the controls (hidden without script) and hides hosts that do not match. */
export const SCRIPT = `
(function () {
  var controls = document.getElementById('controls');
  if (!controls) return;
  controls.hidden = false;
  var q = document.getElementById('f-text'), vendor = document.getElementById('f-vendor'), kind = document.getElementById('f-kind');
  var shown = document.getElementById('f-shown');
  var hosts = Array.prototype.slice.call(document.querySelectorAll('section.host'));
  function apply() {
    var text = q.value.trim().toLowerCase(), v = vendor.value, k = kind.value, n = 0;
    hosts.forEach(function (h) {
      var kinds = (h.getAttribute('data-kinds') || '').split(' ');
      var ok = (!v || h.getAttribute('data-vendor') === v) && (!k || kinds.indexOf(k) >= 0) && (!text || h.textContent.toLowerCase().indexOf(text) >= 0);
      h.hidden = !ok;
      if (ok) n++;
      Array.prototype.forEach.call(h.querySelectorAll('tr[data-kind]'), function (row) { row.hidden = !!k && row.getAttribute('data-kind') !== k; });
    });
    shown.textContent = n + ' of ' + hosts.length + ' hosts shown';
  }
  [q, vendor, kind].forEach(function (el) { el.addEventListener('input', apply); el.addEventListener('change', apply); });
  apply();
})();
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Every request forbidden; the page's own style and script allowed by hash. */
export const CSP = `default-src 'none'; style-src ${cspHash(STYLE)}; script-src ${cspHash(SCRIPT)}; img-src 'none'; base-uri 'none'; form-action 'none'`;

/** The search box and the vendor and leak-kind filters (hidden until the script shows them). */
export function controls(vendors: readonly string[], kinds: readonly string[]): Fragment {
  return html`<div class="controls" id="controls" hidden>
<label>Search<input id="f-text" type="search" placeholder="host, value, organisation…"></label>
<label>Vendor<select id="f-vendor"><option value="">all vendors</option>${vendors.map((v) => html`<option value="${v}">${v}</option>`)}</select></label>
<label>Leak kind<select id="f-kind"><option value="">all kinds</option>${kinds.map((k) => html`<option value="${k}">${k}</option>`)}</select></label>
<span id="f-shown" class="note" aria-live="polite"></span>
</div>`;
}

/**
 * Writes the page: the head (with the policy and the style), `body` in pieces as they are
 * produced (a large report is never held as one string), then the script.
 */
export function writePage(out: Sink, title: string, body: Iterable<Fragment>): void {
  out.write(
    html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="leakscope">
<title>${title}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<main>
`.text,
  );
  for (const part of body) out.write(html`${part}`.text + '\n');
  out.write(
    html`</main>
<script>${trusted(SCRIPT)}</script>
</body>
</html>
`.text,
  );
  out.flush?.();
}
