/* The redactie's overview (portaal/overzicht.html): renders
 * GET /api/v1/partner/dashboard as tables. Only text nodes: no markup from
 * the data reaches the page. */
(function () {
  'use strict';
  var root = document.getElementById('dash');
  var statusEl = document.getElementById('dash-status');
  function el(tag, text) { var e = document.createElement(tag); if (text != null) e.textContent = text; return e; }
  function pct(s) { return s == null ? '–' : Math.round(s * 100) + ' %'; }
  function table(caption, heads, rows) {
    var t = el('table'), c = el('caption', caption), thead = el('thead'), tr = el('tr');
    t.appendChild(c);
    heads.forEach(function (h) { var th = el('th', h); th.scope = 'col'; tr.appendChild(th); });
    thead.appendChild(tr); t.appendChild(thead);
    var tb = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (v) { row.appendChild(el('td', v == null ? '–' : String(v))); });
      tb.appendChild(row);
    });
    t.appendChild(tb);
    return t;
  }
  function section(title, node) { var s = el('section'); s.appendChild(el('h2', title)); s.appendChild(node); root.appendChild(s); }
  fetch('/api/v1/partner/dashboard', {credentials: 'same-origin'}).then(function (r) {
    if (r.status === 401) { location.href = '/portaal/inloggen.html'; throw new Error(''); }
    if (r.status === 403) throw new Error('Alleen de redactie ziet dit overzicht.');
    if (!r.ok) throw new Error('Het overzicht kan nu niet worden geladen.');
    return r.json();
  }).then(function (d) {
    statusEl.textContent = 'Stand van ' + d.date + '.';
    var e = d.entries;
    var p = el('p', e.confirmed + ' van de ' + e.total + ' onderdelen (' + pct(e.share) +
                ') zijn in de laatste 12 maanden bevestigd. ' + e.hidden + ' zijn verborgen voor inwoners.');
    section('In het kort', p);
    section('Per maand', table('Aandeel bevestigd in de 12 maanden ervoor', ['Maand', 'Bevestigd', 'Aandeel'],
      d.trend.map(function (t) { return [t.month, t.confirmed + ' van ' + t.total, pct(t.share)]; })));
    section('Per gemeente', table('Aanbod voor inwoners van de gemeente', ['Gemeente', 'Bevestigd', 'Aandeel'],
      d.municipalities.map(function (m) { return [m.name, m.confirmed + ' van ' + m.total, pct(m.share)]; })));
    section('Per onderwerp', table('Per hoofdonderwerp', ['Onderwerp', 'Bevestigd', 'Aandeel'],
      d.needs.map(function (n) { return [n.label || n.code, n.confirmed + ' van ' + n.total, pct(n.share)]; })));
    section('Per organisatie', table('Minst actueel eerst', ['Organisatie', 'Bevestigd', 'Aandeel'],
      d.organizations.map(function (o) { return [o.name, o.confirmed + ' van ' + o.total, pct(o.share)]; })));
    section('Deze maand na te kijken', table('Vervalt deze maand', ['Onderdeel', 'Organisatie', 'Datum'],
      d.due_this_month.map(function (x) { return [x.name, x.organization, x.due]; })));
    var c = d.corrections;
    section('Meldingen', el('p', c.open + ' open meldingen; de oudste is ' + c.oldest_days + ' dagen oud; ' +
      c.older_than_30_days + ' zijn ouder dan 30 dagen.'));
    section('Feeds', table('Feeds', ['Feed', 'Partner', 'Laatst gelukt', 'Afgewezen', 'Gezond'],
      d.feeds.map(function (f) { return [f.id, f.partner, f.last_success, f.rejected, f.healthy ? 'ja' : 'nee']; })));
    (d.searches ? d.searches.months : []).forEach(function (m) {
      var s = el('div');
      s.appendChild(el('p', m.searches + ' zoekopdrachten door ' + m.visitors + ' bezoekers. ' +
        m.crisis_visitors + ' keer werd naar hulp in nood gezocht. Alleen zoekvragen van minstens ' +
        d.searches.min_visitors + ' bezoekers staan hieronder.'));
      s.appendChild(table('Meest gezocht in ' + m.month, ['Zoekvraag', 'Bezoekers', 'Resultaten'],
        m.top.map(function (q) { return [q.query, q.visitors, q.results === 0 ? 'geen (gat in het aanbod?)' : q.results]; })));
      if (m.zero_results && m.zero_results.length)
        s.appendChild(table('Zoekvragen zonder resultaat in ' + m.month, ['Zoekvraag', 'Bezoekers', 'Zonder resultaat'],
          m.zero_results.map(function (q) { return [q.query, q.visitors, q.zero_visitors]; })));
      section('Zoeken in ' + m.month, s);
    });
  }).catch(function (err) { if (err.message) statusEl.textContent = err.message; });
})();
