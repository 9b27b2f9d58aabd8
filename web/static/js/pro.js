/* "Voor professionals": a dense list with referral facts, filters on access
   route, law, age; select entries and print or copy a referral overview.
   The whole state (filters and selection) is in the URL, to share. */
(function () {
  'use strict';
  var SK = window.SK;
  var el = SK.el;
  var tax = null;
  var PER_PAGE = 25;
  var state = {};
  var lastItems = {};   /* id -> search item, for the overview */
  var details = {};     /* id -> promise of /services/{id} */

  function csv(v) { return v ? String(v).split(',').filter(Boolean) : []; }

  function readState() {
    var p = SK.params();
    state = {
      q: p.q || '',
      municipality: p.municipality || '',
      need: p.need || '',
      age: /^\d{1,3}$/.test(p.age || '') ? p.age : '',
      target_group: p.target_group || '',
      access: csv(p.access),
      cost: csv(p.cost),
      law: p.law || '',
      page: Math.max(1, parseInt(p.page, 10) || 1),
      sel: csv(p.sel).slice(0, 30)
    };
  }

  function urlState() {
    return { q: state.q, municipality: state.municipality, need: state.need, age: state.age, target_group: state.target_group,
      access: state.access, cost: state.cost, law: state.law, page: state.page > 1 ? state.page : '', sel: state.sel };
  }

  function checkboxes(fieldset, items, name) {
    items.forEach(function (it) {
      var id = 'p-' + name + '-' + it.code;
      var input = el('input', { type: 'checkbox', id: id, name: name, value: it.code });
      fieldset.appendChild(el('label', { class: 'check', for: id }, input, ' ', it.label, ' ', el('span', { class: 'count', 'data-count': name + ':' + it.code })));
    });
  }

  function syncForm() {
    SK.$('#p-q').value = state.q;
    SK.$('#p-gemeente').value = state.municipality;
    SK.$('#p-need').value = state.need;
    SK.$('#p-age').value = state.age;
    SK.$('#p-doelgroep').value = state.target_group;
    SK.$('#p-law').value = state.law;
    document.querySelectorAll('#p-access input').forEach(function (c) { c.checked = state.access.indexOf(c.value) >= 0; });
    document.querySelectorAll('#p-cost input').forEach(function (c) { c.checked = state.cost.indexOf(c.value) >= 0; });
  }

  function readForm() {
    state.q = SK.$('#p-q').value.trim();
    state.municipality = SK.$('#p-gemeente').value;
    state.need = SK.$('#p-need').value;
    var age = SK.$('#p-age').value.trim();
    state.age = /^\d{1,3}$/.test(age) && +age <= 120 ? age : '';
    state.target_group = SK.$('#p-doelgroep').value;
    state.law = SK.$('#p-law').value;
    state.access = [].slice.call(document.querySelectorAll('#p-access input:checked')).map(function (c) { return c.value; });
    state.cost = [].slice.call(document.querySelectorAll('#p-cost input:checked')).map(function (c) { return c.value; });
    state.page = 1;
  }

  function load(push) {
    SK.setUrl(urlState(), push);
    var list = SK.$('#pro-list');
    list.setAttribute('aria-busy', 'true');
    SK.$('#pro-status').textContent = 'Even laden…';
    var params = { q: state.q, municipality: state.municipality, need: state.need, age: state.age, target_group: state.target_group,
      access: state.access, cost: state.cost, law: state.law, kind: 'aanbod', sort: state.q ? '' : 'name', page: state.page, per_page: PER_PAGE };
    SK.api('search', params, 'search').then(function (r) {
      list.removeAttribute('aria-busy');
      render(r);
    }, function (e) {
      if (SK.isAbort(e)) return;
      list.removeAttribute('aria-busy');
      SK.$('#pro-status').textContent = '';
      SK.clear(list).appendChild(el('li', null, SK.errorBox(e)));
    });
  }

  function ages(s) {
    var min = typeof s.min_age === 'number' && s.min_age >= 0 ? s.min_age : null;
    var max = typeof s.max_age === 'number' && s.max_age >= 0 ? s.max_age : null;
    if (min === null && max === null) return '';
    if (min !== null && max !== null) return min + '–' + max + ' jaar';
    return min !== null ? min + '+ jaar' : 'tot ' + max + ' jaar';
  }

  function render(r) {
    var items = (r && (r.items || r.results)) || [];
    var total = r && typeof r.total === 'number' ? r.total : items.length;
    var facets = (r && r.facets) || {};
    document.querySelectorAll('[data-count]').forEach(function (n) { n.textContent = ''; });
    ['access', 'cost'].forEach(function (name) {
      (facets[name] || []).forEach(function (f) {
        var n = SK.$('[data-count="' + name + ':' + f.code + '"]');
        if (n) n.textContent = '(' + f.count + ')';
      });
    });
    SK.$('#pro-status').textContent = total === 0 ? 'Geen resultaten. Haal een filter weg.' :
      (r && r.total_is_lower_bound ? 'meer dan ' + total + ' resultaten' : total === 1 ? '1 resultaat' : total + ' resultaten') + (state.municipality ? ' voor inwoners van ' + tax.label('municipality', state.municipality) : '') + '.';
    var ul = SK.clear(SK.$('#pro-list'));
    items.forEach(function (s) {
      lastItems[s.id] = s;
      ul.appendChild(row(s));
    });
    var nav = SK.clear(SK.$('#pro-pager'));
    var pages = Math.ceil(total / PER_PAGE);
    function link(label, page) {
      var a = el('a', { class: 'button secondary', href: SK.query(Object.assign(urlState(), { page: page > 1 ? page : '' })) }, label);
      a.addEventListener('click', function (ev) { ev.preventDefault(); state.page = page; load(true); SK.$('#pro-results-title').focus(); });
      return a;
    }
    if (state.page > 1) nav.appendChild(link('Vorige', state.page - 1));
    if (state.page < pages) nav.appendChild(link('Volgende', state.page + 1));
  }

  function row(s) {
    var acc = SK.accessText(tax, s);
    var cost = SK.costText(tax, s);
    var id = 'sel-' + s.id;
    var checked = state.sel.indexOf(s.id) >= 0;
    var box = el('input', { type: 'checkbox', id: id, 'aria-describedby': 'org-' + s.id });
    box.checked = checked;
    box.addEventListener('change', function () {
      if (box.checked && state.sel.indexOf(s.id) < 0) state.sel.push(s.id);
      if (!box.checked) state.sel = state.sel.filter(function (x) { return x !== s.id; });
      SK.setUrl(urlState(), false);
      renderSelection();
    });
    var areas = SK.areaInfo(tax, s);
    var dl = el('dl');
    function dd(term, value) { if (value && (!Array.isArray(value) || value.length)) { dl.appendChild(el('dt', null, term)); dl.appendChild(el('dd', null, value)); } }
    dd('Toegang', [acc.label, acc.explain ? ' – ' + acc.explain : '']);
    dd('Voor', areas.text);
    dd('Let op', areas.notes.map(function (n, i) { return [i ? ' ' : '', el('strong', null, n)]; }));
    dd('Leeftijd', ages(s));
    dd('Kosten', cost.label);
    dd('Wet', (s.laws || []).map(function (l) { return SK.labelOf(tax, 'law', l); }).join(', '));
    dd('Verwijzers', s.referral_contact || '');
    dd('Telefoon', SK.phones(s).slice(0, 3).map(function (p, i) {
      return [i ? ', ' : '', SK.telLink(p.number), p.description ? ' (' + p.description + ')' : ''];
    }));
    return el('li', { class: 'pro-item' },
      box,
      el('div', null,
        el('h3', null, el('label', { for: id, class: 'visually-hidden' }, 'Kies voor het overzicht: ' + (s.name || '')),
          el('a', { href: SK.detailHref(s) }, s.name || 'Zonder naam')),
        el('p', { class: 'meta', id: 'org-' + s.id }, SK.orgName(s) || ''),
        s.summary ? el('p', null, s.summary) : null,
        dl,
        SK.checked(s)));
  }

  /* ---------- the referral overview ---------- */

  function detail(id) {
    if (!details[id]) details[id] = SK.api('services/' + encodeURIComponent(id)).catch(function () { return lastItems[id] || { id: id, name: id }; });
    return details[id];
  }

  /* The overview is for the client: only what the client may see (no
     numbers meant for professionals, no referral contact). */
  function clientPhones(s) { return SK.phones(s).filter(function (p) { return !p.restricted; }); }

  function overviewText(list) {
    var lines = ['Verwijsoverzicht – Sociale Kaart HBEL', 'Gemaakt op ' + SK.dateNL(new Date()) + '.', ''];
    list.forEach(function (s, i) {
      var acc = SK.accessText(tax, s);
      var cost = SK.costText(tax, s);
      lines.push((i + 1) + '. ' + (s.name || ''));
      if (SK.orgName(s)) lines.push('   Organisatie: ' + SK.orgName(s));
      if (s.summary) lines.push('   Wat: ' + s.summary);
      lines.push('   Toegang: ' + acc.label + (acc.explain ? ' – ' + acc.explain : ''));
      if (s.application_process) lines.push('   Hoe: ' + s.application_process);
      if (s.eligibility) lines.push('   Voor wie: ' + s.eligibility);
      SK.areaInfo(tax, s).notes.forEach(function (n) { lines.push('   Let op: ' + n); });
      lines.push('   Kosten: ' + cost.label + (cost.explain && cost.explain !== cost.label ? ' – ' + cost.explain : ''));
      clientPhones(s).forEach(function (p) { lines.push('   Telefoon: ' + p.number + (p.description ? ' (' + p.description + ')' : '')); });
      var email = s.email || (s.organization && s.organization.email);
      if (email) lines.push('   E-mail: ' + email);
      SK.locations(s).forEach(function (l) { lines.push('   Adres: ' + [l.name, SK.address(l)].filter(Boolean).join(', ')); });
      var hours = SK.hoursLines(s);
      if (hours.length) lines.push('   Open: ' + hours.join('; '));
      lines.push('   Meer: ' + location.origin + SK.detailHref(s));
      lines.push('');
    });
    return lines.join('\n');
  }

  function printBlock(list) {
    var box = SK.clear(SK.$('#print-overview'));
    box.appendChild(el('p', null, 'Gemaakt op ' + SK.dateNL(new Date()) + ' met de Sociale Kaart HBEL.'));
    list.forEach(function (s) {
      var acc = SK.accessText(tax, s);
      var cost = SK.costText(tax, s);
      var dl = el('dl');
      function dd(t, v) { if (v) { dl.appendChild(el('dt', null, t)); dl.appendChild(el('dd', null, v)); } }
      dd('Toegang', acc.label + (acc.explain ? ' – ' + acc.explain : ''));
      dd('Hoe', s.application_process || '');
      dd('Voor wie', s.eligibility || '');
      dd('Let op', SK.areaInfo(tax, s).notes.join(' '));
      dd('Kosten', cost.label + (cost.explain ? ' – ' + cost.explain : ''));
      dd('Telefoon', clientPhones(s).map(function (p) { return p.number + (p.description ? ' (' + p.description + ')' : ''); }).join(', '));
      dd('Adres', SK.locations(s).map(function (l) { return [l.name, SK.address(l)].filter(Boolean).join(', '); }).join('; '));
      dd('Open', SK.hoursLines(s).join('; '));
      box.appendChild(el('article', { class: 'card' }, el('h3', null, s.name || ''), el('p', { class: 'org' }, SK.orgName(s) || ''),
        s.summary ? el('p', null, s.summary) : null, dl));
    });
  }

  var selSeq = 0;
  function renderSelection() {
    var n = state.sel.length;
    var seq = ++selSeq;
    SK.$('#sel-status').textContent = n === 0 ? 'Nog niets gekozen. Vink resultaten aan om ze in het overzicht te zetten.'
      : (n === 1 ? '1 resultaat gekozen.' : n + ' resultaten gekozen.');
    ['#sel-print', '#sel-copy', '#sel-clear'].forEach(function (b) { SK.$(b).disabled = n === 0; });
    var ta = SK.$('#sel-text');
    ta.hidden = n === 0;
    if (!n) { ta.value = ''; SK.clear(SK.$('#print-overview')); return Promise.resolve(); }
    return Promise.all(state.sel.map(detail)).then(function (list) {
      if (seq !== selSeq) return;
      ta.value = overviewText(list);
      printBlock(list);
    });
  }

  /* ---------- start ---------- */

  document.addEventListener('DOMContentLoaded', function () {
    readState();
    SK.$('#pro-results-title').setAttribute('tabindex', '-1');
    SK.$('#pro-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      readForm();
      load(true);
    });
    SK.$('#pro-form').addEventListener('change', function (ev) {
      if (ev.target.id === 'p-q' || ev.target.id === 'p-age') return;
      readForm();
      load(false);
    });
    SK.$('#sel-print').addEventListener('click', function () {
      renderSelection().then(function () {
        document.body.classList.add('printing-selection');
        window.print();
        document.body.classList.remove('printing-selection');
      });
    });
    SK.$('#sel-copy').addEventListener('click', function () {
      renderSelection().then(function () {
        return SK.copyText(SK.$('#sel-text').value);
      }).then(function () { SK.$('#sel-copied').textContent = 'Het overzicht is gekopieerd. U kunt het plakken in een e-mail of brief.'; },
        function () { SK.$('#sel-text').select(); SK.$('#sel-copied').textContent = 'Kopiëren lukt niet. Selecteer de tekst en kopieer hem zelf.'; });
    });
    SK.$('#sel-clear').addEventListener('click', function () {
      state.sel = [];
      document.querySelectorAll('.pro-item input[type="checkbox"]').forEach(function (c) { c.checked = false; });
      SK.setUrl(urlState(), false);
      renderSelection();
      SK.$('#sel-title').setAttribute('tabindex', '-1');
      SK.$('#sel-title').focus();
    });
    window.addEventListener('popstate', function () { readState(); syncForm(); load(false); renderSelection(); });

    SK.taxonomy().then(function (t) {
      tax = t;
      SK.fillPlaces(SK.$('#p-gemeente'), tax, 'Alle gemeenten');
      var needs = [];
      tax.needs.forEach(function (n) {
        needs.push({ code: n.code, label: n.label });
        (n.children || []).forEach(function (c) { needs.push({ code: c.code, label: '– ' + c.label }); });
      });
      SK.fillOptions(SK.$('#p-need'), needs, 'Alle hulpvragen');
      SK.fillOptions(SK.$('#p-doelgroep'), tax.target_groups, 'Alle doelgroepen');
      SK.fillOptions(SK.$('#p-law'), tax.laws, 'Alle wetten');
      checkboxes(SK.$('#p-access'), tax.access, 'access');
      checkboxes(SK.$('#p-cost'), tax.costs, 'cost');
      syncForm();
      load(false);
      renderSelection();
    }, function (e) {
      SK.$('#pro-list').appendChild(el('li', null, SK.errorBox(e)));
    });
  });
})();
