/* Detail page of one offering: aanbod.html?id=<uuid>. Shareable, printable. */
(function () {
  'use strict';
  var SK = window.SK;
  var el = SK.el;

  function row(dl, term, value) {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return;
    dl.appendChild(el('dt', null, term));
    dl.appendChild(el('dd', null, value));
  }

  function section(id, title) {
    return el('section', { 'aria-labelledby': id }, el('h2', { id: id }, title));
  }

  function ages(s) {
    var min = typeof s.min_age === 'number' && s.min_age >= 0 ? s.min_age : null;
    var max = typeof s.max_age === 'number' && s.max_age >= 0 ? s.max_age : null;
    if (min !== null && max !== null) return 'Van ' + min + ' tot en met ' + max + ' jaar';
    if (min !== null) return 'Vanaf ' + min + ' jaar';
    if (max !== null) return 'Tot en met ' + max + ' jaar';
    return '';
  }

  var fmtCache = {};
  function fmt(opts) {
    var key = JSON.stringify(opts);
    if (!fmtCache[key]) {
      try { fmtCache[key] = new Intl.DateTimeFormat('nl-NL', Object.assign({ timeZone: 'Europe/Amsterdam' }, opts)); } catch (e) { fmtCache[key] = new Intl.DateTimeFormat('nl-NL', opts); }
    }
    return fmtCache[key];
  }

  /* "woensdag 25 november, 10.00 tot 11.30 uur" or "zaterdag 17 april, de hele dag". */
  function occurrenceText(o) {
    var day = fmt({ weekday: 'long', day: 'numeric', month: 'long' });
    if (o.all_day) {
      var d0 = SK.parseDate(o.starts_at), d1 = SK.parseDate(o.ends_at);
      if (!d0) return '';
      var plain = new Intl.DateTimeFormat('nl-NL', { weekday: 'long', day: 'numeric', month: 'long' });
      if (d1 && d1.getTime() !== d0.getTime()) return plain.format(d0) + ' tot en met ' + plain.format(d1);
      return plain.format(d0) + ', de hele dag';
    }
    var s = new Date(o.starts_at), e = o.ends_at ? new Date(o.ends_at) : null;
    if (isNaN(s.getTime())) return '';
    var t = fmt({ hour: 'numeric', minute: '2-digit', hourCycle: 'h23' });
    return day.format(s) + ', ' + t.format(s).replace(':', '.') +
      (e && !isNaN(e.getTime()) ? ' tot ' + t.format(e).replace(':', '.') : '') + ' uur';
  }

  /* An activity: where, and its next dates (cancelled ones marked). */
  function activitySection(s) {
    var a = s.activity || {};
    var occ = (a.occurrences || []).filter(function (o) {
      var end = o.ends_at ? (o.all_day ? SK.parseDate(o.ends_at).getTime() + 86400000 : new Date(o.ends_at).getTime()) : NaN;
      var start = o.all_day ? SK.parseDate(o.starts_at).getTime() + 86400000 : new Date(o.starts_at).getTime();
      return (isNaN(end) ? start : end) >= Date.now();
    });
    var where = a.location_text || '';
    var sec = section('h-when', 'Waar en wanneer?');
    if (where) sec.appendChild(SK.fact('pin', el('p', null, where)));
    if (occ.length) {
      var shown = occ.slice(0, 8);
      sec.appendChild(SK.fact('calendar', [
        el('p', null, el('strong', null, shown.length === 1 ? 'De volgende keer:' : 'De volgende keren:')),
        el('ul', { class: 'dates' }, shown.map(function (o) {
          var place = o.location_text && o.location_text !== where ? ' (' + o.location_text + ')' : '';
          return el('li', null, occurrenceText(o) + place,
            o.cancelled ? [' ', el('span', { class: 'badge stale' }, 'Gaat niet door')] : null);
        })),
        occ.length > shown.length ? el('p', { class: 'explain' }, 'En daarna nog ' + (occ.length - shown.length) + ' keer.') : null
      ]));
    } else {
      sec.appendChild(SK.fact('calendar', el('p', null, 'Er staan nu geen nieuwe datums in de agenda.')));
    }
    sec.appendChild(el('p', { class: 'no-print' }, el('a', { href: '/agenda.html' }, 'Bekijk alle activiteiten in de agenda')));
    return sec;
  }

  function render(s, tax) {
    var box = SK.clear(SK.$('#detail'));
    box.removeAttribute('aria-busy');
    document.title = (s.name || 'Aanbod') + ' – Sociale Kaart HBEL';
    var acc = SK.accessText(tax, s);
    var cost = SK.costText(tax, s);
    var hours = SK.hoursLines(s);
    var open = SK.openNow(s);
    var phones = SK.phones(s);
    var locs = SK.locations(s);
    var org = s.organization && typeof s.organization === 'object' ? s.organization : { name: SK.orgName(s) };

    box.appendChild(el('header', null,
      el('h1', { id: 'detail-title' }, s.name || 'Zonder naam'),
      org.name ? el('p', { class: 'org' }, org.name) : null,
      s.summary ? el('p', { class: 'lead' }, s.summary) : null,
      open === true ? el('p', null, el('span', { class: 'badge open' }, 'Nu open')) : null));

    if (s.description) box.appendChild(el('p', { class: 'description' }, s.description));

    var isActivity = SK.isActivity(s);
    if (isActivity) {
      var back = SK.$('#back-link');
      if (back && back.getAttribute('href') === '/') { back.setAttribute('href', '/agenda.html'); back.textContent = 'Naar de agenda'; }
      box.appendChild(activitySection(s));
    }

    /* How to get it */
    var how = section('h-how', isActivity ? 'Hoe doet u mee?' : 'Hoe krijgt u deze hulp?');
    var seen = {};
    how.appendChild(SK.fact('door', [
      el('p', null, el('strong', null, acc.label)),
      acc.explain ? el('p', null, acc.explain) : null,
      (acc.code === 'vrij' ? [] : SK.explainTerms([acc.explain, acc.label, s.application_process], seen))
        .map(function (t) { return el('p', { class: 'explain' }, t); })
    ]));
    if (s.application_process) how.appendChild(el('p', null, s.application_process));
    box.appendChild(how);

    /* For whom and what it costs */
    var who = section('h-who', 'Voor wie is het en wat kost het?');
    var dl = el('dl');
    var areas = SK.areaInfo(tax, s);
    row(dl, 'Voor inwoners van', areas.text);
    var notes = areas.notes.slice();
    (s.area_exceptions || []).forEach(function (x) { if (x && x.note && notes.indexOf(x.note) < 0) notes.push(x.note); });
    row(dl, 'Let op', notes.length ? notes.map(function (n) { return el('strong', { class: 'area-note' }, n, ' '); }) : '');
    row(dl, 'Doelgroep', (s.target_groups || []).map(function (g) { return SK.labelOf(tax, 'target_group', g); }).join(', '));
    row(dl, 'Leeftijd', ages(s));
    row(dl, 'Wie kan er terecht?', s.eligibility || s.eligibility_description || '');
    row(dl, 'Kosten', [cost.code === 'gratis' ? el('span', { class: 'badge free' }, 'Gratis') : cost.label,
      cost.explain && cost.explain !== cost.label ? el('span', { class: 'explain' }, ' ' + cost.explain) : null]);
    var laws = (s.laws || []).map(function (l) { return SK.labelOf(tax, 'law', l); });
    row(dl, 'Wet', laws.join(', '));
    who.appendChild(dl);
    SK.explainTerms([laws.join(' '), cost.explain, s.eligibility], seen).forEach(function (t) {
      who.appendChild(el('p', { class: 'explain' }, t));
    });
    box.appendChild(who);

    /* Where and when */
    if (locs.length || hours.length) {
      var where = section('h-where', 'Waar en wanneer?');
      locs.forEach(function (l) {
        where.appendChild(SK.fact('pin', [
          l.name ? el('p', null, el('strong', null, l.name)) : null,
          SK.address(l) ? el('p', null, SK.address(l)) : null,
          l.accessibility ? el('p', { class: 'explain' }, 'Toegankelijkheid: ' + l.accessibility) : null
        ]));
      });
      if (hours.length || open !== null) {
        where.appendChild(SK.fact('clock', [
          open === true ? el('p', null, el('span', { class: 'badge open' }, 'Nu open')) : null,
          open === false ? el('p', null, el('span', { class: 'badge closed' }, 'Nu gesloten')) : null,
          hours.length ? el('ul', { class: 'hours' }, hours.map(function (h) { return el('li', null, h); })) : null
        ]));
      }
      box.appendChild(where);
    }

    /* Contact */
    var contact = section('h-contact', 'Contact');
    phones.forEach(function (p) {
      contact.appendChild(SK.fact('phone', el('p', null, 'Bel ', SK.telLink(p.number), p.description ? ' (' + p.description + ')' : '')));
    });
    var email = s.email || org.email;
    if (email) contact.appendChild(SK.fact('mail', el('p', null, 'Mail naar ', el('a', { href: 'mailto:' + email }, email))));
    var url = s.url || org.website || org.url;
    if (url && /^https?:\/\//i.test(url)) {
      contact.appendChild(SK.fact('advies', el('p', null, 'Website: ', el('a', { href: url, rel: 'noopener' }, url.replace(/^https?:\/\//, '')))));
    }
    /* Calendars often give no phone or e-mail: then no empty heading. */
    if (contact.childNodes.length > 1) box.appendChild(contact);

    var foot = el('section', { 'aria-label': 'Controle en delen' });
    foot.appendChild(SK.checked(s));
    if (s.assured_by) foot.appendChild(el('p', { class: 'checked' }, 'Gecontroleerd door: ' + s.assured_by));
    var share = el('div', { class: 'share' },
      el('button', { class: 'button secondary', type: 'button', id: 'print' }, SK.icon('print'), 'Printen'),
      el('button', { class: 'button secondary', type: 'button', id: 'copy-link' }, SK.icon('copy'), 'Link kopiëren'));
    foot.appendChild(share);
    var copied = el('p', { class: 'hint', role: 'status', id: 'copied' });
    foot.appendChild(copied);
    foot.appendChild(SK.reportForm(s));
    box.appendChild(foot);

    SK.$('#print').addEventListener('click', function () { window.print(); });
    SK.$('#copy-link').addEventListener('click', function () {
      SK.copyText(location.href).then(function () { copied.textContent = 'De link is gekopieerd.'; },
        function () { copied.textContent = 'Kopiëren lukt niet. Kopieer de link uit de adresbalk.'; });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var id = SK.params().id;
    if (document.referrer && new URL(document.referrer).origin === location.origin && history.length > 1) {
      SK.$('#back-link').addEventListener('click', function (ev) { ev.preventDefault(); history.back(); });
    }
    var box = SK.$('#detail');
    if (!id) {
      SK.clear(box).appendChild(el('h1', null, 'Geen aanbod gekozen'));
      box.appendChild(el('p', null, el('a', { href: '/' }, 'Zoek hulp')));
      return;
    }
    Promise.all([SK.taxonomy().catch(function () { return null; }), SK.api('services/' + encodeURIComponent(id))])
      .then(function (r) { render(r[1], r[0]); }, function (e) {
        SK.clear(box).removeAttribute('aria-busy');
        box.appendChild(el('h1', null, e && e.status === 404 ? 'Niet gevonden' : 'Er ging iets mis'));
        box.appendChild(SK.errorBox(e));
      });
  });
})();
