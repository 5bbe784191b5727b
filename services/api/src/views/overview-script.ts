/**
 * The overview page's only script: every 5 s it fetches `/api/overview`, patches the numbers
 * (`data-k`), progress bars (`data-w`), busy stages (`data-busy`) and sparklines (`data-spark`) in
 * place, and reloads the
 * page when its layout would change (see `signature` in overview-page.ts).
 */
export const OVERVIEW_SCRIPT = `(function () {
  var live = document.getElementById('live');
  var fmt = function (v) { return typeof v === 'number' ? v.toLocaleString('en-US') : String(v); };
  var get = function (o, path) { return path.split('.').reduce(function (a, k) { return a == null ? a : a[k]; }, o); };
  var sig = function (o) {
    return JSON.stringify([
      o.stages.map(function (s) { return s.name; }),
      o.crawls.map(function (c) { return c.crawlId + (c.finished ? 'f' : 'r'); }),
      o.failures.byCode.map(function (g) { return g.stage + '/' + g.code; })
    ]);
  };
  var each = function (sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); };
  async function tick() {
    try {
      var r = await fetch('/api/overview', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!r.ok) throw new Error('HTTP ' + r.status);
      var o = await r.json();
      if (sig(o) !== document.body.dataset.sig) { location.reload(); return; }
      each('[data-k]', function (el) { var v = get(o, el.dataset.k); if (v !== undefined) el.textContent = fmt(v); });
      each('[data-busy]', function (el) { el.classList.toggle('busy', get(o, el.dataset.busy) > 0); });
      each('[data-w]', function (el) { var v = get(o, el.dataset.w); if (typeof v === 'number') el.style.width = Math.round(v * 100) + '%'; });
      each('[data-spark]', function (el) {
        var s = get(o, el.dataset.spark) || [];
        var max = Math.max.apply(null, [1].concat(s));
        Array.prototype.forEach.call(el.children, function (bar, i) {
          var v = s[i] || 0;
          bar.style.height = (v > 0 ? Math.max(6, Math.round((v / max) * 100)) : 0) + '%';
          var ago = s.length - 1 - i;
          bar.title = (ago === 0 ? 'this minute' : ago + ' min ago') + ': ' + v;
        });
      });
      document.getElementById('updated').textContent = o.generatedAt.replace('T', ' ').replace(/\\.\\d+Z$/, 'Z');
      live.className = 'dot';
    } catch (e) {
      live.className = 'dot stale';
      live.title = 'refresh failed: ' + e.message;
    }
  }
  setInterval(tick, 5000);
})();`;
