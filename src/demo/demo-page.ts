/** Inputs of the demo page. */
interface DemoPageInput {
  /** Where the page's snippet comes from: another site than the page. */
  readonly snippetUrl: string;
  readonly pageOrigin: string;
  readonly serverOrigin: string;
  readonly inspectUrl: string;
  readonly apiKeyHeader: string;
  readonly echoHeader: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A sample "shop" page embedding the snippet cross-site, with a live panel: the identity, the
 * mode, which cookies the browser sent back by itself (Set-Cookie) and which came back as the
 * snippet's relayed copies, and consent buttons.
 */
export function renderDemoPage(input: DemoPageInput): string {
  const data = JSON.stringify(input).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pantry demo shop</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f6f4ef; color: #222; }
  header { background: #2f5d50; color: #fff; padding: 18px 32px; }
  header h1 { margin: 0; font-size: 22px; }
  main { display: grid; grid-template-columns: 1fr 1.3fr; gap: 24px; padding: 24px 32px; }
  section { background: #fff; border-radius: 10px; padding: 18px 22px; box-shadow: 0 1px 3px #0002; }
  h2 { font-size: 16px; margin: 0 0 10px; color: #2f5d50; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
  dt { color: #666; } dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
  ul { margin: 4px 0 12px; padding-left: 20px; font-family: ui-monospace, monospace; font-size: 13px; }
  button { font: inherit; padding: 7px 14px; margin: 4px 6px 4px 0; border-radius: 6px; border: 1px solid #2f5d50; background: #fff; cursor: pointer; }
  button.primary { background: #2f5d50; color: #fff; }
  .muted { color: #777; font-size: 13px; }
  .product { display: flex; gap: 14px; align-items: center; margin: 10px 0; }
  .product div.img { width: 64px; height: 64px; border-radius: 8px; background: linear-gradient(135deg, #e9b872, #c8553d); }
  code { background: #eee; padding: 1px 4px; border-radius: 4px; }
</style>
</head>
<body>
<header><h1>Pantry demo shop</h1>
<div>This page is on <b>${esc(input.pageOrigin)}</b>; it embeds Pantry's snippet from <b>${esc(input.serverOrigin)}</b>, another site.</div></header>
<main>
<section>
  <h2>The shop</h2>
  <div class="product"><div class="img"></div><div><b>Sourdough starter</b><br><span class="muted">Keeps for years, like a good first-party cookie.</span></div></div>
  <div class="product"><div class="img" style="background:linear-gradient(135deg,#9bc1bc,#5d576b)"></div><div><b>Pantry jar, 1 l</b><br><span class="muted">Holds relayed copies safely.</span></div></div>
  <p class="muted">Embedded with one line:<br><code>&lt;script src="${esc(input.snippetUrl)}" defer&gt;&lt;/script&gt;</code></p>
  <h2>Consent</h2>
  <p class="muted">Identity cookies (device, anonymous-person) are issued only after consent.</p>
  <button class="primary" id="grant">Grant consent</button><button id="revoke">Revoke consent</button>
  <button id="reload">Reload page</button><button id="forget">Forget copies</button>
</section>
<section>
  <h2>Identity</h2>
  <dl id="identity"><dt>status</dt><dd>waiting for the snippet…</dd></dl>
  <h2 style="margin-top:16px">Cookies</h2>
  <div><b>Set-Cookie</b> <span class="muted">(the server's own cookies on ${esc(input.serverOrigin)}; the browser sent back:)</span></div>
  <ul id="native"><li class="muted">…</li></ul>
  <div><b>Relay header</b> <span class="muted">(x-unblu-set-cookie copies the snippet keeps, echoed back in ${esc(input.echoHeader)}:)</span></div>
  <ul id="relayed"><li class="muted">…</li></ul>
  <p class="muted" id="explain"></p>
</section>
</main>
<script>
(function () {
  var cfg = ${data};
  var $ = function (id) { return document.getElementById(id); };
  function list(el, items) {
    el.innerHTML = '';
    if (!items.length) { var li = document.createElement('li'); li.className = 'muted'; li.textContent = '(none)'; el.appendChild(li); return; }
    items.forEach(function (t) { var li = document.createElement('li'); li.textContent = t; el.appendChild(li); });
  }
  function show(answer) {
    var p = window.pantry;
    var rows = [['mode', p.mode], ['account', answer.account], ['visitorId', answer.visitorId || '— (no consent)'],
      ['deviceId', answer.deviceId || '— (no consent)'], ['sessionId', answer.sessionId], ['consent', answer.consent],
      ['issued now', answer.issued.join(', ') || '(nothing new)']];
    var dl = $('identity'); dl.innerHTML = '';
    rows.forEach(function (r) { var dt = document.createElement('dt'); dt.textContent = r[0]; var dd = document.createElement('dd'); dd.textContent = r[1]; dl.appendChild(dt); dl.appendChild(dd); });
    var copies = p.copies();
    list($('relayed'), copies.map(function (c) { return c.name + (c.expires === null ? ' (session)' : ' (until ' + new Date(c.expires * 1000).toISOString().slice(0, 10) + ')'); }));
    var headers = {}; headers[cfg.echoHeader] = copies.map(function (c) { return c.name + '=' + c.value; }).join('; ');
    fetch(cfg.inspectUrl, { method: 'POST', credentials: 'include', headers: headers })
      .then(function (r) { return r.json(); })
      .then(function (seen) {
        list($('native'), seen.cookie);
        $('explain').textContent = seen.cookie.length
          ? 'The browser keeps the server\\'s cookies here, so the relayed copies are a second line.'
          : 'The browser keeps no cookies for the other site (third-party cookies are blocked): the relayed copies carry the identity.';
      })
      .catch(function () { list($('native'), ['(could not ask the server)']); });
  }
  function fail(e) { var dl = $('identity'); dl.innerHTML = '<dt>status</dt><dd></dd>'; dl.querySelector('dd').textContent = 'Pantry is not reachable: ' + e; }
  window.addEventListener('DOMContentLoaded', function () {
    if (!window.pantry) return fail('the snippet did not load');
    window.pantry.ready.then(show, fail);
    $('grant').onclick = function () { window.pantry.consent(true).then(show, fail); };
    $('revoke').onclick = function () { window.pantry.consent(false).then(show, fail); };
    $('reload').onclick = function () { location.reload(); };
    $('forget').onclick = function () { localStorage.clear(); document.cookie.split('; ').forEach(function (c) { document.cookie = c.split('=')[0] + '=; max-age=0; path=/'; }); location.reload(); };
  });
})();
</script>
<script src="${esc(input.snippetUrl)}" defer></script>
</body>
</html>
`;
}
