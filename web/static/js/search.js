/* Residents' search: the big box with suggestions, need tiles, filters as
   chips with counts, results in plain words. State lives in the URL. */
(function () {
  'use strict';
  var SK = window.SK;
  var el = SK.el;
  var tax = null;
  var PER_PAGE = 10;
  var state = {};
  var facetsOpen = null;
  var scrollToResults = false;

  var FILTERS = ['need', 'municipality', 'target_group', 'cost', 'access'];

  function readState() {
    var p = SK.params();
    state = {
      q: p.q || '',
      need: p.need || '',
      municipality: p.municipality !== undefined ? p.municipality : (p.gemeente !== undefined ? p.gemeente : SK.getPlace()),
      target_group: p.target_group || '',
      cost: p.cost || '',
      access: p.access || '',
      /* '0': a place named in the words only ranks ("overal zoeken") */
      place_filter: p.place_filter === '0' ? '0' : '',
      /* The server's form has these too; the same query as its page. */
      kind: p.kind === 'aanbod' || p.kind === 'activiteit' ? p.kind : '',
      open_now: p.open_now ? '1' : '',
      page: Math.max(1, parseInt(p.page, 10) || 1)
    };
  }

  function active() { return !!(state.q || state.need); }

  function urlState() {
    return { q: state.q, need: state.need, municipality: state.municipality, target_group: state.target_group,
      cost: state.cost, access: state.access, place_filter: state.place_filter,
      kind: state.kind, open_now: state.open_now, page: state.page > 1 ? state.page : '' };
  }

  /* ---------- form ---------- */

  function syncForm() {
    SK.$('#q').value = state.q;
    SK.$('#gemeente').value = state.municipality;
    SK.$('#doelgroep').value = state.target_group;
    SK.$('#gratis').checked = state.cost === 'gratis';
    SK.$('#zonder-verwijzing').checked = state.access === 'vrij,aanmelden';
    if (SK.$('#soort')) SK.$('#soort').value = state.kind;
    if (SK.$('#nu-open')) SK.$('#nu-open').checked = !!state.open_now;
    /* "Verfijn uw zoekopdracht (2 filters aan)": the count follows the state. */
    var summary = SK.$('#filters summary');
    if (summary) {
      var n = ['need', 'target_group', 'cost', 'access'].filter(function (k) { return state[k]; }).length +
        (state.open_now ? 1 : 0) + (state.kind ? 1 : 0);
      var c = summary.querySelector('.filter-count');
      if (!c) { c = el('span', { class: 'filter-count' }); summary.appendChild(document.createTextNode(' ')); summary.appendChild(c); }
      c.textContent = n ? '(' + n + (n === 1 ? ' filter aan)' : ' filters aan)') : '';
    }
    document.querySelectorAll('button.tile').forEach(function (t) {
      t.setAttribute('aria-pressed', t.getAttribute('data-need') === state.need ? 'true' : 'false');
    });
  }

  /* Tiles come from the short labels (the taxonomy's top-level needs, in its
     order), so the first paint needs no API call. */
  function buildTiles() {
    /* Server-rendered tiles are links to the need pages (category first): keep them. */
    if (SK.$('#tiles a.tile')) return;
    var ul = SK.clear(SK.$('#tiles'));
    Object.keys(SK.SHORT_NEED).forEach(function (code) {
      var n = { code: code };
      var btn = el('button', { type: 'button', class: 'tile', 'data-need': n.code, 'aria-pressed': 'false' },
        SK.icon(n.code), SK.SHORT_NEED[n.code]);
      btn.addEventListener('click', function () {
        state.need = state.need === n.code ? '' : n.code;
        state.q = '';
        state.page = 1;
        go(true, true);
      });
      ul.appendChild(el('li', null, btn));
    });
  }

  /* ---------- suggestions (ARIA 1.2 combobox) ---------- */

  var sugTimer = null;
  var sugIndex = -1;
  var sugItems = [];
  /* Bumped whenever the list is closed: an answer to an older request
     (typed just before Enter or Zoeken) must not open it again. */
  var sugGen = 0;

  function closeSuggestions() {
    sugGen++;
    clearTimeout(sugTimer);
    var list = SK.$('#suggestions');
    list.hidden = true;
    SK.clear(list);
    sugItems = [];
    sugIndex = -1;
    var q = SK.$('#q');
    q.setAttribute('aria-expanded', 'false');
    q.removeAttribute('aria-activedescendant');
  }

  function suggestionText(s) { return typeof s === 'string' ? s : (s.text || s.label || s.name || s.q || ''); }

  function showSuggestions(items) {
    var list = SK.clear(SK.$('#suggestions'));
    sugItems = items.slice(0, 8);
    sugIndex = -1;
    if (!sugItems.length) { closeSuggestions(); return; }
    sugItems.forEach(function (s, i) {
      var li = el('li', { id: 'sug-' + i, role: 'option', 'aria-selected': 'false' }, suggestionText(s));
      if (s && typeof s === 'object' && s.kind) {
        var kind = { need: 'onderwerp', organization: 'organisatie', offering: 'aanbod' }[s.kind];
        if (kind) li.appendChild(el('span', { class: 'kind' }, '(' + kind + ')'));
      }
      li.addEventListener('mousedown', function (ev) { ev.preventDefault(); pick(i); });
      list.appendChild(li);
    });
    list.hidden = false;
    SK.$('#q').setAttribute('aria-expanded', 'true');
  }

  function highlight(i) {
    var q = SK.$('#q');
    sugIndex = i;
    document.querySelectorAll('#suggestions li').forEach(function (li, j) {
      li.setAttribute('aria-selected', j === i ? 'true' : 'false');
    });
    if (i >= 0) q.setAttribute('aria-activedescendant', 'sug-' + i);
    else q.removeAttribute('aria-activedescendant');
  }

  function pick(i) {
    var s = sugItems[i];
    if (!s) return;
    if (s && typeof s === 'object' && s.kind === 'offering' && s.code) {
      location.href = SK.detailHref({ id: s.code });
      return;
    }
    if (s && typeof s === 'object' && s.kind === 'need' && s.code) {
      state.need = s.code; state.q = '';
    } else {
      state.q = suggestionText(s);
    }
    state.page = 1;
    closeSuggestions();
    go(true, false);
  }

  function onInput() {
    var v = SK.$('#q').value.trim();
    clearTimeout(sugTimer);
    if (v.length < 2) { closeSuggestions(); return; }
    var gen = sugGen;
    sugTimer = setTimeout(function () {
      SK.api('suggest', { q: v }, 'suggest').then(function (r) {
        var items = Array.isArray(r) ? r : (r && (r.suggestions || r.items)) || [];
        if (gen === sugGen && SK.$('#q').value.trim() === v && document.activeElement === SK.$('#q')) showSuggestions(items);
      }, function () { /* suggestions are a nicety: stay quiet */ });
    }, 150);
  }

  function onKey(ev) {
    var open = !SK.$('#suggestions').hidden;
    if (ev.key === 'ArrowDown' && open) { ev.preventDefault(); highlight(Math.min(sugIndex + 1, sugItems.length - 1)); }
    else if (ev.key === 'ArrowUp' && open) { ev.preventDefault(); highlight(Math.max(sugIndex - 1, -1)); }
    else if (ev.key === 'Enter' && open && sugIndex >= 0) { ev.preventDefault(); pick(sugIndex); }
    else if (ev.key === 'Escape' && open) { ev.preventDefault(); closeSuggestions(); }
  }

  /* ---------- search ---------- */

  function go(push, focusResults) {
    SK.setUrl(urlState(), push);
    syncForm();
    search(focusResults);
  }

  function listFrom(r) { return (r && (r.items || r.results || r.data || r.contents)) || []; }
  function totalFrom(r, items) {
    var t = r && (r.total !== undefined ? r.total : (r.total_items !== undefined ? r.total_items : r.count));
    return typeof t === 'number' ? t : items.length;
  }

  /* Facets as [{code,label,count}], from an array or a {code: count} map. */
  function facetList(f, kind) {
    if (!f) return [];
    var arr = Array.isArray(f) ? f : Object.keys(f).map(function (k) {
      var v = f[k];
      return typeof v === 'number' ? { code: k, count: v } : Object.assign({ code: k }, v);
    });
    return arr.map(function (x) {
      return { code: SK.code(x.code !== undefined ? x.code : x.value), label: x.label || tax.label(kind, SK.code(x.code !== undefined ? x.code : x.value)), count: x.count || 0 };
    }).filter(function (x) { return x.count > 0; });
  }

  function search(focusResults) {
    var section = SK.$('#results-section');
    var crisisSlot = SK.clear(SK.$('#crisis-slot'));
    if (!active()) {
      section.hidden = true;
      SK.$('#tiles-section').hidden = false;
      return;
    }
    section.hidden = false;
    SK.$('#status').textContent = 'Even zoeken…';
    section.setAttribute('aria-busy', 'true');
    var params = {
      q: state.q, need: state.need, municipality: state.municipality, target_group: state.target_group,
      cost: state.cost, access: state.access, kind: state.kind, open_now: state.open_now, page: state.page, per_page: PER_PAGE,
      place_filter: state.place_filter
    };
    Promise.all([loadTaxonomy(), SK.api('search', params, 'search')]).then(function (rs) {
      var r = rs[1];
      section.removeAttribute('aria-busy');
      render(r, crisisSlot);
      var crisis = SK.$('#crisis');
      if (crisis) {
        /* Crisis first, on every width: in view, focused, announced. */
        scrollToResults = false;
        crisis.scrollIntoView({ block: 'start' });
        crisis.focus({ preventScroll: true });
        SK.$('#sr-status').textContent = 'Heeft u nu hulp nodig? Bovenaan staan telefoonnummers die u meteen kunt bellen.';
      } else if (scrollToResults && window.matchMedia && window.matchMedia('(max-width: 48rem)').matches) {
        scrollToResults = false;
        SK.$('#results-title').scrollIntoView();
      }
      if (focusResults && !crisis) {
        var h = SK.$('#results-title');
        h.setAttribute('tabindex', '-1');
        h.focus();
      }
    }, function (e) {
      if (SK.isAbort(e)) return;
      section.removeAttribute('aria-busy');
      SK.$('#status').textContent = '';
      SK.clear(SK.$('#results'));
      SK.clear(SK.$('#facets'));
      SK.clear(SK.$('#pager'));
      SK.$('#results').appendChild(el('li', null, SK.errorBox(e)));
    });
  }

  function placeName(r) {
    if (r && r.place && r.place.label) return r.place.label;
    return state.municipality ? tax.label('municipality', state.municipality) : '';
  }

  function render(r, crisisSlot) {
    var items = listFrom(r);
    var total = totalFrom(r, items);

    if (r && r.crisis) {
      crisisSlot.appendChild(SK.crisisBanner(r.crisis_lines, SK.isViolence(r, state.need)));
    }

    renderChips();
    renderFacets(r && r.facets);

    var dym = SK.$('#did-you-mean');
    var alt = r && r.did_you_mean;
    SK.clear(dym);
    dym.hidden = !alt && !(r && r.relaxed);
    if (alt && r.corrected) {
      SK.append(dym, ['Niets gevonden voor ‘' + state.q + '’. U ziet resultaten voor ‘', el('strong', null, alt), '’.']);
    } else if (alt) {
      var a = el('a', { href: SK.query(Object.assign(urlState(), { q: alt, page: '' })) }, alt);
      a.addEventListener('click', function (ev) { ev.preventDefault(); state.q = alt; state.page = 1; go(true, false); });
      SK.append(dym, ['Bedoelde u: ', a, '?']);
    } else if (r && r.relaxed) {
      SK.append(dym, 'Niets gevonden met al uw woorden. Hieronder staat wat past bij een deel van uw woorden.');
    }
    var concepts = (r && r.concepts) || [];
    if (concepts.length && state.q) {
      SK.append(dym, el('span', { class: 'concepts' }, (dym.firstChild ? ' ' : '') + 'Gezocht op: ' +
        concepts.map(function (c) { return c.label; }).join(', ') + '.'));
      dym.hidden = false;
    }
    /* a place named in the words filters; the resident can undo that */
    if (r && r.place && r.place.from_query) {
      var anywhere = el('a', { href: SK.query(Object.assign(urlState(), { place_filter: '0', page: '' })) },
        'Overal zoeken');
      anywhere.addEventListener('click', function (ev) {
        ev.preventDefault(); state.place_filter = '0'; state.page = 1; go(true, false);
      });
      SK.append(dym, el('span', { class: 'place' }, (dym.firstChild ? ' ' : '') +
        'U ziet alleen aanbod voor inwoners van ' + r.place.label + '. ', anywhere, '.'));
      dym.hidden = false;
    }
    /* nothing matched the words: say so, and what is shown instead */
    if (r && r.fallback && r.fallback.message) {
      SK.append(dym, el('span', { class: 'fallback' }, (dym.firstChild ? ' ' : '') + r.fallback.message));
      dym.hidden = false;
    }

    var what = state.q ? '‘' + state.q + '’' : tax.label('need', state.need);
    if (r && r.fallback && r.fallback.needs && r.fallback.needs.length)
      what = r.fallback.needs.map(function (n) { return n.label; }).join(', ');
    /* Every filter is said, the target group too. */
    var where = (state.target_group ? ' voor ' + tax.label('target_group', state.target_group) : '') +
      (placeName(r) ? ' in ' + placeName(r) : '');
    var msg = total === 0 ? 'Niets gevonden voor ' + what + where + '.'
      : (r && r.total_is_lower_bound ? 'meer dan ' + total + ' resultaten'
        : total === 1 ? '1 resultaat' : total + ' resultaten') + ' voor ' + what + where + '.';
    SK.$('#status').textContent = msg;
    SK.$('#sr-status').textContent = (r && r.crisis ? 'Belangrijk: bovenaan staan telefoonnummers voor hulp in een crisis. ' : '') + msg;

    var ol = SK.clear(SK.$('#results'));
    if (state.page > 1) ol.setAttribute('start', String((state.page - 1) * PER_PAGE + 1)); else ol.removeAttribute('start');
    if (total === 0 && r && r.crisis) {
      /* the block above is the answer: no advice to try other words */
      ol.appendChild(el('li', { class: 'notice' },
        el('p', null, 'Is er nu gevaar? Bel dan meteen het nummer hierboven.'),
        el('p', null, 'Wilt u daarna verder zoeken? Typ dan waar u hulp bij zoekt.')));
    } else if (total === 0) {
      var sugg = (r && r.suggested_needs) || [];
      ol.appendChild(el('li', { class: 'notice' },
        el('p', null, 'Probeer andere woorden, of haal een filter weg.'),
        sugg.length ? el('p', null, 'Of kijk bij: ', sugg.map(function (n, i) {
          var a = el('a', { href: SK.query({ need: n.code, municipality: state.municipality }) }, n.label);
          a.addEventListener('click', function (ev) { ev.preventDefault(); state.need = n.code; state.q = ''; state.page = 1; go(true, true); });
          return [i ? ', ' : '', a];
        }), '.') : null,
        el('p', null, 'U kunt ook bellen met ', SK.infoPhones(), '. Zij zoeken met u mee.')));
    }
    var seen = {};
    items.forEach(function (s) { ol.appendChild(el('li', null, card(s, seen))); });
    renderPager(r, total);
  }

  function card(s, seen) {
    var acc = SK.accessText(tax, s);
    var cost = SK.costText(tax, s);
    var hours = SK.hoursLines(s);
    var open = SK.openNow(s);
    var phones = SK.phones(s);
    var locs = SK.locations(s);
    var summary = s.summary || '';
    if (state.q && Array.isArray(s.snippet) && s.snippet.length) {
      summary = s.snippet.map(function (seg) { return seg.hit ? el('mark', null, seg.text) : seg.text; });
    }
    var art = el('article', { class: 'card', 'aria-labelledby': 'r-' + s.id },
      el('h3', { id: 'r-' + s.id }, el('a', { href: SK.detailHref(s) }, s.name || 'Zonder naam')),
      SK.orgName(s) ? el('p', { class: 'org' }, SK.orgName(s)) : null,
      summary && summary.length ? el('p', { class: 'summary' }, summary) : null);

    var facts = el('div', { class: 'facts' });
    var explains = acc.code === 'vrij' ? [] : SK.explainTerms([acc.explain, acc.label], seen);
    facts.appendChild(SK.fact('door', [
      el('p', null, el('strong', null, acc.label)),
      acc.explain ? el('p', { class: 'explain' }, acc.explain) : null,
      explains.map(function (t) { return el('p', { class: 'explain' }, t); })
    ]));
    facts.appendChild(SK.fact('euro', [
      el('p', null, cost.code === 'gratis' ? el('span', { class: 'badge free' }, 'Gratis') : el('strong', null, cost.label)),
      cost.explain && cost.explain !== cost.label ? el('p', { class: 'explain' }, cost.explain) : null,
      SK.explainTerms([cost.explain], seen).map(function (t) { return el('p', { class: 'explain' }, t); })
    ]));
    var areas = SK.areaInfo(tax, s);
    if (areas.text || areas.notes.length) {
      facts.appendChild(SK.fact('people', [
        areas.text ? el('p', null, 'Voor inwoners van: ' + areas.text) : null,
        areas.notes.map(function (n) { return el('p', null, el('strong', null, n)); })
      ]));
    }
    if (locs.length) {
      facts.appendChild(SK.fact('pin', locs.slice(0, 2).map(function (l) {
        var addr = SK.address(l);
        return el('p', null, [l.name, addr].filter(Boolean).join(': '));
      })));
    }
    if (hours.length || open !== null) {
      facts.appendChild(SK.fact('clock', [
        open === true ? el('p', null, el('span', { class: 'badge open' }, 'Nu open')) : null,
        open === false ? el('p', null, el('span', { class: 'badge closed' }, 'Nu gesloten')) : null,
        hours.length ? el('ul', { class: 'hours' }, hours.map(function (h) { return el('li', null, h); })) : null
      ]));
    }
    if (phones.length) {
      facts.appendChild(SK.fact('phone', phones.slice(0, 2).map(function (p) {
        return el('p', null, 'Bel ', SK.telLink(p.number), p.description ? ' (' + p.description + ')' : '');
      })));
    }
    art.appendChild(facts);
    art.appendChild(SK.checked(s));
    art.appendChild(el('p', { class: 'card-actions' },
      el('a', { href: SK.detailHref(s) }, 'Alles over ', el('span', { class: 'visually-hidden' }, s.name || ''), el('span', { 'aria-hidden': 'true' }, 'dit aanbod')),
      SK.reportLink(s)));
    return art;
  }

  function removeFilter(key) {
    if (key === 'q') state.q = '';
    else state[key] = '';
    if (key === 'municipality') SK.setPlace('');
    state.page = 1;
    go(true, false);
  }

  function chipLabel(key) {
    switch (key) {
      case 'q': return 'Zoekwoorden: ' + state.q;
      case 'need': return tax.label('need', state.need);
      case 'municipality': return 'Gemeente: ' + tax.label('municipality', state.municipality);
      case 'target_group': return 'Voor: ' + tax.label('target_group', state.target_group);
      case 'cost': return state.cost === 'gratis' ? 'Gratis' : tax.label('cost', state.cost);
      case 'access': return state.access === 'vrij,aanmelden' ? 'Zonder verwijzing' : tax.label('access', state.access);
    }
    return key;
  }

  function renderChips() {
    var ul = SK.clear(SK.$('#chips'));
    ['q'].concat(FILTERS).forEach(function (key) {
      if (!state[key]) return;
      var label = chipLabel(key);
      var b = el('button', { type: 'button', class: 'chip', 'aria-label': label + ', filter weghalen' },
        label, SK.icon('close'));
      b.addEventListener('click', function () {
        removeFilter(key);
        var next = SK.$('#chips .chip') || SK.$('#q');
        next.focus();
      });
      ul.appendChild(el('li', null, b));
    });
    ul.hidden = !ul.firstChild;
  }

  var FACET_TITLES = [
    ['need', 'Onderwerp', ['need', 'needs']],
    ['target_group', 'Voor wie', ['target_group', 'target_groups']],
    ['municipality', 'Gemeente', ['municipality', 'municipalities']],
    ['access', 'Toegang', ['access']],
    ['cost', 'Kosten', ['cost', 'costs']]
  ];

  function rawFacet(facets, names) {
    for (var i = 0; i < names.length; i++) if (facets && facets[names[i]]) return facets[names[i]];
    return null;
  }

  function renderFacets(facets) {
    var box = SK.clear(SK.$('#facets'));
    var costs = facetList(rawFacet(facets, ['cost', 'costs']), 'cost');
    var accs = facetList(rawFacet(facets, ['access']), 'access');
    var free = 0, noRef = 0;
    costs.forEach(function (x) { if (x.code === 'gratis') free = x.count; });
    accs.forEach(function (x) { if (x.code === 'vrij' || x.code === 'aanmelden') noRef += x.count; });
    SK.$('#count-gratis').textContent = facets ? '(' + free + ')' : '';
    SK.$('#count-zonder').textContent = facets ? '(' + noRef + ')' : '';
    if (!facets) return;
    var wrap = el('details', { class: 'facet-box' }, el('summary', null, 'Meer keuzes, met aantallen'));
    var any = false;
    FACET_TITLES.forEach(function (ft) {
      var key = ft[0], title = ft[1];
      var list = facetList(rawFacet(facets, ft[2]), key);
      if (key === 'target_group') list = list.filter(function (x) { return SK.forResidents(tax.item('target_group', x.code) || x); });
      if (key === 'need') list = list.filter(function (x) { return x.code.indexOf('.') < 0 || (state.need && x.code.indexOf(state.need + '.') === 0); });
      if (!list.length) return;
      any = true;
      var ul = el('ul', { class: 'facet-list', 'aria-labelledby': 'facet-' + key });
      list.slice(0, 16).forEach(function (x) {
        var on = state[key] === x.code;
        var b = el('button', { type: 'button', 'aria-pressed': on ? 'true' : 'false', 'data-code': x.code },
          x.label + ' ', el('span', { class: 'count' }, '(' + x.count + ')'));
        b.addEventListener('click', function () {
          state[key] = on ? '' : x.code;
          if (key === 'municipality') SK.setPlace(state[key]);
          state.page = 1;
          go(true, false);
        });
        ul.appendChild(el('li', null, b));
      });
      wrap.appendChild(el('div', { class: 'facet-group', 'data-facet': key },
        el('h3', { id: 'facet-' + key }, title), ul));
    });
    if (!any) return;
    /* Closed on every width: the results come first. */
    if (facetsOpen === null) facetsOpen = false;
    wrap.open = facetsOpen;
    wrap.addEventListener('toggle', function () { facetsOpen = wrap.open; });
    box.appendChild(wrap);
  }

  function renderPager(r, total) {
    var nav = SK.clear(SK.$('#pager'));
    var pages = Math.ceil(total / PER_PAGE);
    function link(label, page) {
      var a = el('a', { class: 'button secondary', href: SK.query(Object.assign(urlState(), { page: page > 1 ? page : '' })) }, label);
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        state.page = page;
        go(true, true);
      });
      return a;
    }
    if (state.page > 1) nav.appendChild(link('Vorige resultaten', state.page - 1));
    if (state.page < pages || (r && r.next)) nav.appendChild(link('Volgende resultaten', state.page + 1));
  }

  /* The taxonomy (labels, explanations) is needed once results are shown;
     the selects in the HTML are refreshed from it then. */
  function loadTaxonomy() {
    if (tax) return Promise.resolve(tax);
    return SK.taxonomy().then(function (t) {
      tax = t;
      SK.fillPlaces(SK.$('#gemeente'), tax, 'Alle gemeenten');
      SK.fillOptions(SK.$('#doelgroep'), tax.target_groups.filter(SK.forResidents), 'Iedereen');
      syncForm();
      return tax;
    });
  }

  /* ---------- start ---------- */

  document.addEventListener('DOMContentLoaded', function () {
    readState();
    var q = SK.$('#q');
    q.addEventListener('input', onInput);
    q.addEventListener('keydown', onKey);
    /* Focus leaving the box closes the list. A click on an option keeps the
       focus (see its mousedown handler); the short wait lets a tap on a touch
       screen reach the option all the same. */
    q.addEventListener('blur', function () {
      setTimeout(function () { if (document.activeElement !== q) closeSuggestions(); }, 100);
    });

    SK.$('#search-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      closeSuggestions();
      state.q = q.value.trim();
      state.page = 1;
      state.place_filter = ''; /* new words: a place in them filters again */
      if (!state.q && !state.need) { q.focus(); return; }
      scrollToResults = true;
      go(true, false);
    });
    SK.$('#gemeente').addEventListener('change', function (ev) {
      state.municipality = ev.target.value;
      SK.setPlace(state.municipality);
      state.page = 1;
      go(false, false);
    });
    SK.$('#doelgroep').addEventListener('change', function (ev) {
      state.target_group = ev.target.value; state.page = 1; go(false, false);
    });
    SK.$('#gratis').addEventListener('change', function (ev) {
      state.cost = ev.target.checked ? 'gratis' : ''; state.page = 1; go(false, false);
    });
    SK.$('#zonder-verwijzing').addEventListener('change', function (ev) {
      state.access = ev.target.checked ? 'vrij,aanmelden' : ''; state.page = 1; go(false, false);
    });
    /* In the server-rendered form only. */
    if (SK.$('#soort')) SK.$('#soort').addEventListener('change', function (ev) { state.kind = ev.target.value; state.page = 1; go(false, false); });
    if (SK.$('#nu-open')) SK.$('#nu-open').addEventListener('change', function (ev) { state.open_now = ev.target.checked ? '1' : ''; state.page = 1; go(false, false); });
    window.addEventListener('popstate', function () { readState(); syncForm(); search(false); });

    buildTiles();
    /* The server already rendered this query's results (and its crisis
       block, which enhance.js focuses): enhance them, do not search again.
       The page shows what its URL asked for, so the place comes from the
       URL, not from the one remembered on this device. The chips follow
       from the state, the filter counts from the page (#search-facets). */
    if (SK.$('#results-section[data-server]') && active()) {
      var p = SK.params();
      state.municipality = p.municipality !== undefined ? p.municipality : (p.gemeente || '');
      syncForm();
      var facets = null;
      try { facets = JSON.parse((SK.$('#search-facets') || {}).textContent || 'null'); } catch (e) { facets = null; }
      loadTaxonomy().then(function () { renderChips(); renderFacets(facets); }, function () { /* the server's list stands */ });
      return;
    }
    syncForm();
    search(false);
  });
})();
