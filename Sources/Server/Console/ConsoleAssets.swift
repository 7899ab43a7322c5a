/// The console's stylesheet and script, served from the binary under `/admin/static/` (no CDN:
/// operators run Herald on private networks). The script is the only JavaScript: it refreshes
/// the elements marked `data-refresh` by fetching their fragment, so no page reload and no
/// inline script (the Content-Security-Policy allows scripts from `'self'` only).
enum ConsoleAssets {
    static let css = """
        :root{--fg:#1d232a;--muted:#5f6b76;--line:#d9dee3;--bg:#f6f7f9;--ok:#1f8a4c;--bad:#c0392b;--warn:#b7791f;--link:#1f5fa8}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{background:#1d232a;color:#fff}
        nav{display:flex;gap:1.2em;align-items:center;padding:.6em 1.5em;max-width:1400px;margin:auto}
        nav a{color:#cfd8e3;text-decoration:none}nav a.current,nav a:hover{color:#fff}
        nav .brand{font-weight:700;color:#fff;margin-right:1em}
        nav .who{margin-left:auto;color:#9fb0c2}
        main{max-width:1400px;margin:auto;padding:1em 1.5em 3em}
        h1{font-size:1.5em;margin:.4em 0 .6em}h2{font-size:1.1em;margin:1.4em 0 .5em}
        section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.2em 1em 1em;margin-bottom:1em}
        table{border-collapse:collapse;background:#fff;width:100%;margin:.3em 0}
        th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
        th{font-weight:600;color:var(--muted);font-size:.9em}
        table.fields{width:auto}table.fields th{width:14em}
        td.error,td.preview{max-width:40em;overflow-wrap:anywhere;color:#7a2a20}
        pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:.92em}
        pre.args{background:#fff;border:1px solid var(--line);padding:.6em;border-radius:4px}
        a{color:var(--link)}
        .muted{color:var(--muted)}.warn{color:var(--warn);font-weight:600}
        .notice{padding:.5em .8em;border-radius:4px;background:#e6f4ea;border:1px solid #b7dfc3}
        .notice.bad{background:#fdecea;border-color:#f5c2bd}
        .state{padding:1px 6px;border-radius:3px;background:#e8ecf0;font-size:.9em}
        .state.completed{background:#e6f4ea;color:var(--ok)}.state.failed{background:#fdecea;color:var(--bad)}
        .state.running{background:#e8f0fb;color:var(--link)}.state.retryable{background:#fff4e0;color:var(--warn)}
        .state.cancelled{background:#eee;color:#666}
        form.inline{display:inline}form.filters,form.login{display:flex;flex-wrap:wrap;gap:.8em;align-items:end;margin:.5em 0 1em}
        form.login{flex-direction:column;align-items:start;max-width:20em}
        label{display:inline-flex;flex-direction:column;font-size:.9em;color:var(--muted);gap:2px}
        form.inline label{display:inline}
        input,select,button{font:inherit;padding:4px 8px;border:1px solid #b9c2cc;border-radius:4px;background:#fff}
        button,.button{background:var(--link);color:#fff;border:0;cursor:pointer;text-decoration:none;padding:5px 12px;border-radius:4px;display:inline-block}
        button.danger{background:var(--bad)}button.link{background:none;color:#cfd8e3;padding:0}
        .actions{margin:1em 0;display:flex;gap:1.5em;align-items:center}
        svg.chart{max-width:100%;height:auto;background:#fff}
        svg .bar-completed{fill:var(--ok)}svg .bar-failed{fill:var(--bad)}svg .axis{stroke:#999}svg .tick{font-size:10px;fill:var(--muted)}
        .legend .key{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}.legend .completed{background:var(--ok)}.legend .failed{background:var(--bad)}
        .lease-late{color:var(--bad);font-weight:600}
        [data-stale="true"]{opacity:.6}
        article.message{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.6em 1em;margin:.6em 0}
        article.message.email{border-left:4px solid var(--link)}
        article.message header{background:none;color:var(--muted)}
        article.message .body{white-space:pre-wrap}
        article.message dl{display:grid;grid-template-columns:8em 1fr;margin:0;font-size:.85em;color:var(--muted)}
        article.message dd{margin:0;overflow-wrap:anywhere}
        """

    static let javascript = """
        // Herald console: refresh [data-refresh] elements in place, and nothing else.
        (function () {
          'use strict';
          function refresh(box) {
            var url = box.getAttribute('data-refresh');
            var every = parseInt(box.getAttribute('data-interval') || '5000', 10);
            function tick() {
              fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
                .then(function (response) {
                  if (!response.ok) { throw new Error('HTTP ' + response.status); }
                  return response.text();
                })
                .then(function (html) {
                  box.innerHTML = html;
                  box.removeAttribute('data-stale');
                  box.setAttribute('data-refreshed', String(Date.now()));
                })
                .catch(function () { box.setAttribute('data-stale', 'true'); })
                .then(function () {
                  // A fragment marked data-final (a finished job) has nothing more to show.
                  if (!box.querySelector('[data-final]')) { setTimeout(tick, every); }
                });
            }
            setTimeout(tick, every);
          }
          document.addEventListener('DOMContentLoaded', function () {
            Array.prototype.forEach.call(document.querySelectorAll('[data-refresh]'), refresh);
          });
        })();
        """
}
