// The one stylesheet of the pages, served by the daemon at /web/style.css (no CDN, no web
// fonts): phone first (390 px), wider layouts from 760 px, and print on A4 landscape for the
// monthly scorecard (navigation and forms hidden, tables in full, black on white). Colours pass
// WCAG AA contrast and are never the only signal (states and vacancies also carry ✓/✗ or words).
export const STYLESHEET = `
:root { --ink: #1b1f24; --muted: #4a5360; --line: #c9d1da; --accent: #0b5394; --bad: #a4161a; --bg: #ffffff; --soft: #f2f5f8; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: var(--bg); line-height: 1.45; }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid #f1a208; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
header.top { background: var(--accent); color: #fff; padding: 8px 12px; }
header.top a { color: #fff; }
header.top .brand { margin: 0 0 4px; font-size: 0.95rem; }
header.top nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 14px; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
header.top .signout { display: flex; gap: 8px; align-items: center; margin-top: 6px; flex-wrap: wrap; }
header.top .signout button { background: #fff; color: var(--accent); border: 0; border-radius: 4px; padding: 4px 10px; font: inherit; cursor: pointer; }
main { padding: 12px; max-width: 1280px; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: 8px 0 4px; }
h2 { font-size: 1.15rem; margin: 20px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1rem; margin: 12px 0 6px; }
.asof, .note, footer { color: var(--muted); font-size: 0.9rem; }
footer { padding: 12px; border-top: 1px solid var(--line); max-width: 1280px; margin: 16px auto 0; }
.warning { background: #fff4e5; border-left: 4px solid #b35c00; padding: 8px 12px; }
.message { font-size: 1.05rem; }
.figures { display: grid; grid-template-columns: 1fr; gap: 8px; }
.figure { background: var(--soft); border-radius: 6px; padding: 8px 12px; }
.figure p { margin: 0; }
.figure .label { color: var(--muted); font-size: 0.9rem; }
.figure .value { font-size: 1.8rem; font-weight: 700; }
.figure .detail { font-size: 0.85rem; color: var(--muted); }
.scroll { position: relative; overflow-x: auto; -webkit-overflow-scrolling: touch; margin-bottom: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 6px; text-align: left; vertical-align: top; }
thead th { background: var(--soft); white-space: nowrap; }
th[scope="row"] { font-weight: 500; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.code { display: block; color: var(--muted); font-size: 0.8rem; font-family: ui-monospace, monospace; }
.state-breached { color: var(--bad); font-weight: 600; }
.filter { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin: 8px 0; }
.filter input, .filter select, .stack input { font: inherit; padding: 6px; border: 1px solid #6b7785; border-radius: 4px; }
button { font: inherit; padding: 6px 14px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
.stack { display: flex; flex-direction: column; gap: 6px; max-width: 420px; margin: 8px 0 16px; }
.compact { padding-left: 18px; margin: 4px 0; }
.compact li { margin: 2px 0; }
.explain li { margin: 4px 0; }
.columns > div { margin-bottom: 8px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
svg.chart { width: 100%; max-width: 720px; height: auto; display: block; margin: 8px 0; }
svg.chart .bar { fill: var(--accent); }
svg.chart .bar-empty { fill: var(--muted); }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .axis { fill: var(--muted); font-size: 11px; }
svg.chart .value { fill: var(--ink); font-size: 11px; font-weight: 600; }
.print-only { display: none; }
@media (min-width: 760px) {
  header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; }
  header.top .brand { margin: 0; }
  header.top .signout { margin: 0 0 0 auto; }
  .figures { grid-template-columns: repeat(3, 1fr); }
  .columns { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0 16px; }
  .columns h2 { grid-column: 1 / -1; }
  main { padding: 16px 24px; }
}
@page { size: A4 landscape; margin: 12mm; }
@media print {
  header.top, footer, .filter, .no-print, .downloads, .skip, form { display: none !important; }
  .print-only { display: block; }
  main { padding: 0; max-width: none; }
  html { font-size: 10pt; }
  table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  .signatures { margin-top: 16mm; }
  .signatures .line { margin-top: 18mm; border-top: 1px solid #000; width: 60mm; padding-top: 2mm; }
}
`;

/** The tab icon (a check mark on the accent colour), so browsers find one on the daemon. */
export const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5394"/><path d="M4 8.5l3 3 5-6" stroke="#fff" stroke-width="2" fill="none"/></svg>`;
