/** The overview page's inline CSS (no build step, no external assets). */
export const OVERVIEW_CSS = `
:root { --bg:#f5f6f8; --card:#fff; --line:#e3e6ea; --text:#1d2430; --muted:#6b7483; --accent:#3b5bdb;
  --ok:#2b8a3e; --okbg:#e6f4ea; --warn:#b35c00; --warnbg:#fff3e0; --bad:#c92a2a; --badbg:#fdecec; --run:#1864ab; --runbg:#e7f1fb; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
code { font:12px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
.top { display:flex; justify-content:space-between; align-items:center; padding:14px 28px;
  background:var(--card); border-bottom:1px solid var(--line); }
.top > div { display:flex; align-items:center; gap:10px; }
h1 { font-size:19px; margin:0; letter-spacing:-.01em; }
nav { display:flex; align-items:center; gap:18px; }
.chip { background:var(--bg); border:1px solid var(--line); border-radius:999px; padding:1px 9px; color:var(--muted); font-size:12px; }
main { max-width:1240px; margin:0 auto; padding:8px 28px 12px; }
h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:26px 0 10px; }
.muted { color:var(--muted); } .small { font-size:12px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 18px; }
.card.flush { padding:0; overflow:hidden; }
.tiles { display:grid; grid-template-columns:repeat(4,1fr); gap:14px; margin-top:18px; }
.tile { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 18px; }
.big { font-size:28px; font-weight:650; font-variant-numeric:tabular-nums; letter-spacing:-.02em; }
.tile.bad .big, .bad, .kv.bad dd { color:var(--bad); }
.stages { display:grid; grid-template-columns:repeat(auto-fit,minmax(220px,1fr)); gap:14px; }
.stage header { display:flex; justify-content:space-between; align-items:baseline; }
.stage h3 { margin:0; font-size:16px; }
.counts { display:grid; grid-template-columns:repeat(3,1fr); gap:6px 8px; margin:10px 0 14px; }
.kv dt { font-size:11px; color:var(--muted); } .kv dd { margin:0; font-weight:600; font-variant-numeric:tabular-nums; }
.caption { font-size:11px; color:var(--muted); margin-bottom:4px; }
.spark { display:flex; align-items:flex-end; gap:3px; height:42px; padding:3px 3px 0; border-radius:6px;
  background:linear-gradient(to top, var(--line) 1px, var(--bg) 1px); }
.spark span { flex:1; background:var(--accent); border-radius:2px 2px 0 0; opacity:.85; }
.stage p { margin:6px 0 0; display:flex; justify-content:space-between; }
.stage.busy .big { color:var(--run); }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:9px 12px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:11px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); font-weight:600; background:#fafbfc; }
tr:last-child td { border-bottom:0; }
td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
td.msg { max-width:460px; overflow-wrap:anywhere; }
td.when, td.progress { white-space:nowrap; }
.seed { max-width:230px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.pill { display:inline-block; border-radius:999px; padding:0 9px; font-size:12px; font-weight:600; }
.pill.ok { color:var(--ok); background:var(--okbg); } .pill.run { color:var(--run); background:var(--runbg); }
.pill.warn { color:var(--warn); background:var(--warnbg); }
.bar { height:5px; width:120px; background:var(--bg); border-radius:3px; margin:6px 0 3px; overflow:hidden; }
.bar i { display:block; height:100%; background:var(--ok); }
.empty { padding:16px 18px; margin:0; color:var(--muted); }
.dot { display:inline-block; width:7px; height:7px; border-radius:50%; background:var(--ok); margin-left:6px; vertical-align:middle; }
.dot.stale { background:var(--bad); }
footer { max-width:1240px; margin:0 auto; padding:4px 28px 28px; }
@media (max-width:800px) { .tiles { grid-template-columns:repeat(2,1fr); } nav { gap:10px; } }
`;
