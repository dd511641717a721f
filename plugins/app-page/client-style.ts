/** The app page's stylesheet (served as `app.css`): the portal's "Air" palette by hand, no framework. */
export const CLIENT_STYLE = String.raw`:root {
  --accent: #2fc6f6; --primary: #0075ff; --text: #333; --muted: #828b95; --line: #e3e6ea; --bg: #f5f7f8;
  --ok: #1a8a3c; --ok-bg: #e5f6ea; --warn: #a15c00; --warn-bg: #fff3dc; --bad: #c0262d; --bad-bg: #fde8e8;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 14px; color: var(--text);
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
main { padding: 16px; max-width: 1200px; }
.top { display: flex; align-items: center; gap: 12px; margin-bottom: 12px; }
h1 { font-size: 20px; font-weight: 600; margin: 0; }
h2 { font-size: 15px; font-weight: 600; margin: 0 0 10px; }
h3 { font-size: 14px; font-weight: 600; margin: 14px 0 6px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; margin-bottom: 12px; }
.badge { border-radius: 10px; padding: 2px 10px; font-size: 12px; font-weight: 600; }
.badge.ok, .ok { color: var(--ok); } .badge.ok { background: var(--ok-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.count { color: var(--muted); font-weight: 400; }
.muted { color: var(--muted); }
.error, .bad, div.error { color: var(--bad); }
tr.warn td, div.warning { color: var(--warn); }
.notice { background: var(--warn-bg); border-radius: 10px; padding: 10px 14px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 10px; }
dt { color: var(--muted); } dd { margin: 0; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
.scroll { overflow-x: auto; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 8px; padding: 5px 12px; cursor: pointer; }
button.primary { background: var(--primary); border-color: var(--primary); color: #fff; }
button.link { border: 0; background: none; color: var(--primary); padding: 2px 6px; }
button:disabled { opacity: .5; cursor: default; }
.tag { border-radius: 6px; padding: 1px 6px; font-size: 12px; background: var(--bg); }
.tag.deadline, .tag.error { background: var(--bad-bg); color: var(--bad); }
.tag.disconnect { background: var(--warn-bg); color: var(--warn); }
.warn-mark { color: var(--warn); }
#denied { max-width: 600px; }
`
