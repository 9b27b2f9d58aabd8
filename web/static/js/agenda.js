/* "Wat is er te doen?": activities by municipality, week and need, from
   /api/v1/activities; the same selection as an .ics subscription. */
(function () {
  'use strict';
  var SK = window.SK;
  var el = SK.el;
  var tax = null;
  var state = {};
  var DAY = 86400000;

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function isoDate(d) { return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }
  function today() { var n = new Date(); return new Date(n.getFullYear(), n.getMonth(), n.getDate()); }
  function addDays(d, n) { var x = new Date(d.getTime()); x.setDate(x.getDate() + n); return x; }

  function readState() {
    var p = SK.params();
    var w = SK.parseDate(p.week);
    state = {
      municipality: p.municipality !== undefined ? p.municipality : SK.getPlace(),
      need: p.need || '',
      target_group: p.target_group || '',
      week: w || today()
    };
  }

  function urlState() {
    var w = isoDate(state.week);
    return { municipality: state.municipality, need: state.need, target_group: state.target_group, week: w === isoDate(today()) ? '' : w };
  }

  function selection() {
    return { municipality: state.municipality, need: state.need, target_group: state.target_group };
  }

  var fmtCache = {};
  function fmt(opts) {
    var key = JSON.stringify(opts);
    if (!fmtCache[key]) {
      try { fmtCache[key] = new Intl.DateTimeFormat('nl-NL', Object.assign({ timeZone: 'Europe/Amsterdam' }, opts)); } catch (e) { fmtCache[key] = new Intl.DateTimeFormat('nl-NL', opts); }
    }
    return fmtCache[key];
  }
  function dayKey(d) { return fmt({ year: 'numeric', month: '2-digit', day: '2-digit' }).format(d); }
  /* "9.30": Dutch times, no leading zero. */
  function timeText(d) { return fmt({ hour: 'numeric', minute: '2-digit', hourCycle: 'h23' }).format(d).replace(':', '.'); }

  function weekLabel() {
    var end = addDays(state.week, 6);
    var f = fmt({ day: 'numeric', month: 'long' });
    var now = today().getTime() === state.week.getTime();
    return (now ? 'De komende 7 dagen: ' : '') + f.format(state.week) + ' tot en met ' + f.format(end);
  }

  function icsPath() { return '/api/v1/activities.ics' + SK.query(selection()); }

  function updateSubscribe() {
    var path = icsPath();
    SK.$('#ics-link').setAttribute('href', path);
    SK.$('#ics-url').value = location.origin + path;
  }

  function occurrences(r) { return (r && (r.items || r.occurrences || r.results)) || []; }
  function startOf(o) { return new Date(o.starts_at || o.start); }
  function endOf(o) { var e = o.ends_at || o.end; return e ? new Date(e) : null; }
  /* An occurrence carries its activity: {starts_at, ..., activity: {id, name, summary, organization}}. */
  function act(o) { return o.activity || o; }

  function load(focus) {
    SK.setUrl(urlState(), false);
    updateSubscribe();
    SK.$('#week-label').textContent = weekLabel();
    var prev = addDays(state.week, -7), next = addDays(state.week, 7);
    SK.$('#prev-week').setAttribute('href', SK.query(Object.assign(urlState(), { week: isoDate(prev) })) || '?');
    SK.$('#next-week').setAttribute('href', SK.query(Object.assign(urlState(), { week: isoDate(next) })));
    var box = SK.$('#agenda');
    box.setAttribute('aria-busy', 'true');
    SK.$('#agenda-status').textContent = 'Even laden…';
    var params = Object.assign(selection(), { from: isoDate(state.week), to: isoDate(addDays(state.week, 7)), per_page: 100 });
    SK.api('activities', params, 'activities').then(function (r) {
      box.removeAttribute('aria-busy');
      render(occurrences(r));
      if (focus) SK.$('#week-label').focus();
    }, function (e) {
      if (SK.isAbort(e)) return;
      box.removeAttribute('aria-busy');
      SK.$('#agenda-status').textContent = '';
      SK.clear(box).appendChild(SK.errorBox(e));
    });
  }

  function render(items) {
    var box = SK.clear(SK.$('#agenda'));
    var from = state.week.getTime(), to = addDays(state.week, 7).getTime();
    items = items.filter(function (o) { var t = startOf(o).getTime(); return !isNaN(t) && t >= from - DAY && t < to + DAY; })
      .filter(function (o) { var k = startOf(o); return k >= state.week && k < addDays(state.week, 7); })
      .sort(function (a, b) { return startOf(a) - startOf(b); });
    var place = state.municipality ? ' in ' + (tax ? tax.label('municipality', state.municipality) : state.municipality) : '';
    SK.$('#agenda-status').textContent = items.length === 0 ? 'Geen activiteiten gevonden' + place + ' in deze 7 dagen.'
      : (items.length === 1 ? '1 activiteit' : items.length + ' activiteiten') + place + ' in deze 7 dagen.';
    if (!items.length) {
      box.appendChild(el('p', { class: 'notice' }, 'Kijk bij een andere week, of kies ‘Alle gemeenten’ of ‘Alle onderwerpen’.'));
      return;
    }
    var today = dayKey(new Date()), tomorrow = dayKey(new Date(Date.now() + DAY));
    var groups = [], byKey = {};
    items.forEach(function (o) {
      var d = startOf(o), k = dayKey(d);
      if (!byKey[k]) { byKey[k] = { date: d, list: [] }; groups.push(byKey[k]); }
      byKey[k].list.push(o);
    });
    groups.forEach(function (g, gi) {
      var k = dayKey(g.date);
      var title = fmt({ weekday: 'long', day: 'numeric', month: 'long' }).format(g.date);
      if (k === today) title = 'Vandaag, ' + title;
      else if (k === tomorrow) title = 'Morgen, ' + title;
      else title = title.charAt(0).toUpperCase() + title.slice(1);
      var ul = el('ul', { class: 'events' });
      g.list.forEach(function (o) {
        var s = startOf(o), e = endOf(o);
        var a = act(o);
        var org = SK.orgName(a);
        var where = o.location_text || a.location_text || '';
        var t = o.all_day ? 'Hele dag' : timeText(s) + (e ? ' tot ' + timeText(e) : '') + ' uur';
        var name = a.name || 'Activiteit';
        ul.appendChild(el('li', { class: 'event' },
          el('p', { class: 'time' }, t),
          el('div', null,
            el('h4', null, a.id ? el('a', { href: SK.detailHref(a) }, name) : name),
            o.cancelled ? el('p', null, el('span', { class: 'badge stale' }, 'Gaat niet door')) : null,
            org ? el('p', { class: 'org' }, org) : null,
            where ? SK.fact('pin', el('p', null, where)) : null,
            a.summary ? el('p', { class: 'description' }, String(a.summary).slice(0, 400)) : null)));
      });
      box.appendChild(el('section', { class: 'day', 'aria-labelledby': 'day-' + gi }, el('h3', { id: 'day-' + gi }, title), ul));
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    readState();
    SK.$('#week-label').setAttribute('tabindex', '-1');
    function onChange(key) {
      return function (ev) {
        state[key] = ev.target.value;
        if (key === 'municipality') SK.setPlace(state.municipality);
        load(false);
      };
    }
    SK.$('#a-gemeente').addEventListener('change', onChange('municipality'));
    SK.$('#a-need').addEventListener('change', onChange('need'));
    SK.$('#a-doelgroep').addEventListener('change', onChange('target_group'));
    SK.$('#agenda-form').addEventListener('submit', function (ev) { ev.preventDefault(); load(false); });
    SK.$('#prev-week').addEventListener('click', function (ev) { ev.preventDefault(); state.week = addDays(state.week, -7); load(true); });
    SK.$('#next-week').addEventListener('click', function (ev) { ev.preventDefault(); state.week = addDays(state.week, 7); load(true); });
    SK.$('#ics-copy').addEventListener('click', function () {
      SK.copyText(SK.$('#ics-url').value).then(function () { SK.$('#ics-copied').textContent = 'De link is gekopieerd. Plak hem in uw agenda-app bij ‘Abonneren’ of ‘Agenda toevoegen’.'; },
        function () { SK.$('#ics-url').select(); SK.$('#ics-copied').textContent = 'Kopiëren lukt niet. Selecteer de link en kopieer hem zelf.'; });
    });
    SK.taxonomy().then(function (t) {
      tax = t;
      SK.fillPlaces(SK.$('#a-gemeente'), tax, 'Alle gemeenten');
      SK.fillOptions(SK.$('#a-need'), tax.needs, 'Alle onderwerpen');
      SK.fillOptions(SK.$('#a-doelgroep'), tax.target_groups.filter(SK.forResidents), 'Iedereen');
      SK.$('#a-gemeente').value = state.municipality;
      SK.$('#a-need').value = state.need;
      SK.$('#a-doelgroep').value = state.target_group;
      load(false);
    }, function () { load(false); });
  });
})();
