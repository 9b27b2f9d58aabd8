/* The portal for organisations and the redactie: login, "mijn aanbod" with
   the to-do list, the edit form, review queue, history and feed health.
   Like the rest of the site: text from the API only via SK.el/textContent. */
(function () {
  'use strict';
  var SK = window.SK, el = SK.el;
  var me = null;

  /* ---------- API with the session ---------- */

  function call(method, path, body, extra) {
    var h = { Accept: 'application/json' };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (me && me.csrf && method !== 'GET') h['X-CSRF-Token'] = me.csrf;
    if (extra) Object.keys(extra).forEach(function (k) { h[k] = extra[k]; });
    return fetch('/api/v1/' + path, {
      method: method, headers: h, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      return res.text().then(function (t) {
        var data = null;
        try { data = t ? JSON.parse(t) : null; } catch (e) { data = null; }
        if (res.status === 401 && path !== 'auth/login') {
          location.href = '/portaal/inloggen.html?terug=' + encodeURIComponent(location.pathname + location.search);
          return new Promise(function () {});
        }
        return { status: res.status, data: data, etag: res.headers.get('ETag') };
      });
    });
  }

  function message(r, fallback) {
    var d = r && r.data;
    return (d && (d.message || d.detail)) || fallback || 'Er ging iets mis. Probeer het opnieuw.';
  }

  function say(text, isError) {
    var box = SK.$('#page-status');
    if (!box) return;
    SK.clear(box);
    if (text) box.appendChild(el('p', { class: 'notice' + (isError ? ' error' : '') }, text));
  }

  function dateText(iso) {
    if (!iso) return 'nooit';
    /* A moment (UTC) is shown as its date in the Netherlands (23:30 UTC is
       the next day here); a bare date stays that date. */
    var moment = /T\d/.test(iso), d = moment ? new Date(iso) : SK.parseDate(iso);
    if (!d || isNaN(d)) return iso;
    try {
      return moment ? new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', day: 'numeric', month: 'long', year: 'numeric' }).format(d) : SK.dateNL(d);
    } catch (e) { return SK.dateNL(d); }
  }

  var KIND = { aanbod: 'services', activiteit: 'activities', locatie: 'locations' };
  var KIND_NAME = { services: 'aanbod', activities: 'activiteit', locations: 'locatie' };
  function routeOf(entry) {
    if (entry.entity === 'location' || entry.kind === 'locatie' || (!entry.kind && entry.address !== undefined)) return 'locations';
    return entry.kind === 'activiteit' ? 'activities' : 'services';
  }
  function editHref(route, id) { return '/portaal/bewerken.html?soort=' + route + '&id=' + encodeURIComponent(id); }

  function whoBar() {
    var bar = SK.$('#who');
    if (!bar || !me) return;
    SK.clear(bar);
    var roles = { partner: 'organisatie', redacteur: 'redactie', admin: 'beheer', professional: 'professional' };
    var orgs = (me.organizations || []).map(function (o) { return o.name; }).join(', ');
    var out = el('button', { class: 'button secondary', type: 'button', id: 'logout' }, 'Uitloggen');
    out.addEventListener('click', function () {
      call('POST', 'auth/logout', {}).then(function () { location.href = '/portaal/inloggen.html'; });
    });
    bar.appendChild(el('p', null, 'Ingelogd als ', el('strong', null, me.name || me.email),
      ' (' + (roles[me.role] || me.role) + (orgs ? ', ' + orgs : '') + ')'));
    bar.appendChild(out);
  }

  function loadMe() {
    return call('GET', 'auth/me').then(function (r) {
      if (r.status !== 200) throw new Error('me');
      me = r.data;
      whoBar();
      return me;
    });
  }

  /* ---------- login ---------- */

  function pageLogin() {
    var form = SK.$('#login-form'), box = SK.$('#login-error');
    var p = SK.params();
    if (p.fout === 'vaak') box.appendChild(el('p', { class: 'notice error' }, 'Er is te vaak een verkeerd wachtwoord gebruikt. Wacht even en probeer het dan opnieuw.'));
    else if (p.fout) box.appendChild(el('p', { class: 'notice error' }, 'Het e-mailadres of het wachtwoord klopt niet.'));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      SK.clear(box);
      var email = SK.$('#email'), pw = SK.$('#password');
      [email, pw].forEach(function (f) { f.removeAttribute('aria-invalid'); });
      if (!email.value.trim() || !pw.value) {
        box.appendChild(el('p', { class: 'notice error' }, 'Vul uw e-mailadres en uw wachtwoord in.'));
        (email.value.trim() ? pw : email).setAttribute('aria-invalid', 'true');
        return;
      }
      call('POST', 'auth/login', { email: email.value.trim(), password: pw.value }).then(function (r) {
        if (r.status === 200) {
          /* Back where the login was asked for, else where this role works
             (the server says where: professionals on their view). */
          var back = SK.params().terug;
          var home = r.data && typeof r.data.home === 'string' && /^\/[a-z]/.test(r.data.home) ? r.data.home : '/portaal/';
          location.href = back && /^\/portaal\/[a-z.]*(\?[^:]*)?$/.test(back) ? back : home;
          return;
        }
        pw.value = '';
        box.appendChild(el('p', { class: 'notice error' }, message(r, 'Inloggen lukt nu niet.')));
        pw.focus();
      }, function () { box.appendChild(el('p', { class: 'notice error' }, 'Inloggen lukt nu niet. Probeer het later.')); });
    });
  }

  /* ---------- mijn aanbod ---------- */

  function freshness(e) {
    if (e.flagged) return el('span', { class: 'badge stale' }, 'Niet recent gecontroleerd');
    if (e.stale) return el('span', { class: 'badge stale' }, 'Controleer of dit nog klopt');
    return el('span', { class: 'badge open' }, 'Gecontroleerd op ' + dateText(e.assured_date));
  }

  function confirmButton(e, route, onDone) {
    var b = el('button', { class: 'button secondary', type: 'button' }, 'Gegevens kloppen nog',
      el('span', { class: 'visually-hidden' }, ': ' + (e.name || '')));
    b.addEventListener('click', function () {
      b.disabled = true;
      call('POST', 'partner/' + route + '/' + encodeURIComponent(e.id) + '/confirm', {}).then(function (r) {
        b.disabled = false;
        if (r.status === 200) { say('Dank u wel. ‘' + (e.name || '') + '’ is gecontroleerd.'); onDone(); }
        else say(message(r), true);
      });
    });
    return b;
  }

  function entryItem(e, refresh) {
    var route = routeOf(e);
    var li = el('li', { class: 'entry' });
    li.appendChild(el('h3', null, e.name || '(zonder naam)'));
    var kind = route === 'locations' ? 'Locatie' : route === 'activities' ? 'Activiteit' : 'Aanbod';
    li.appendChild(el('p', null, kind + (e.status === 'withdrawn' ? ' (ingetrokken)' : '') + ' · ',
      route === 'locations' ? '' : freshness(e)));
    var editable = e.editable !== undefined ? e.editable : e.source === 'portal';
    if (!editable) {
      li.appendChild(el('p', { class: 'hint' }, e.feed_partner
        ? 'Komt uit de feed van ' + e.feed_partner + '. Klopt er iets niet? Open het en stuur een correctie naar de beheerder van de feed.'
        : 'Komt niet uit het portaal en kan hier niet veranderen.'));
    }
    if (e.pending && (e.pending > 0 || e.pending.length)) li.appendChild(el('p', { class: 'hint' }, 'Er wacht een wijziging op de redactie.'));
    if (e.corrections) li.appendChild(el('p', { class: 'hint' }, 'Meldingen: ' + e.corrections));
    var acts = el('p', { class: 'actions' },
      el('a', { class: 'button secondary', href: editHref(route, e.id) }, editable ? 'Bewerken' : 'Bekijken',
        el('span', { class: 'visually-hidden' }, ': ' + (e.name || ''))));
    if (route !== 'locations' && editable && e.status !== 'withdrawn') acts.appendChild(confirmButton(e, route, refresh));
    li.appendChild(acts);
    return li;
  }

  function renderTodo(t, refresh) {
    var box = SK.$('#todo');
    SK.clear(box);
    box.removeAttribute('aria-busy');
    var any = false;
    if (t.stale && t.stale.length) {
      any = true;
      box.appendChild(el('p', null, 'Deze onderdelen heeft u al meer dan een half jaar niet gecontroleerd. Kloppen ze nog? Klik dan op ‘Gegevens kloppen nog’. Klopt er iets niet? Pas het dan aan.'));
      var ul = el('ul', { class: 'entry-list' });
      t.stale.forEach(function (e) { e.stale = true; e.editable = true; ul.appendChild(entryItem(e, refresh)); });
      box.appendChild(ul);
    }
    if (t.corrections && t.corrections.length) {
      any = true;
      box.appendChild(el('h3', null, 'Meldingen van bezoekers'));
      box.appendChild(correctionList(t.corrections, refresh));
    }
    var rejected = (t.submissions || []).filter(function (s) { return s.status === 'rejected'; });
    var waiting = (t.submissions || []).filter(function (s) { return s.status === 'pending'; });
    if (waiting.length) { any = true; box.appendChild(el('p', null, waiting.length === 1 ? 'Er wacht 1 wijziging op de redactie.' : 'Er wachten ' + waiting.length + ' wijzigingen op de redactie.')); }
    rejected.forEach(function (s) {
      any = true;
      box.appendChild(el('p', { class: 'notice' }, 'Uw wijziging van ‘' + (s.name || '') + '’ is niet overgenomen. Reden: ' + (s.reason || '')));
    });
    if (!any) box.appendChild(el('p', null, 'U hoeft nu niets te doen. Alles is gecontroleerd.'));
  }

  function correctionList(items, refresh) {
    var ul = el('ul', { class: 'entry-list' });
    items.forEach(function (c) {
      var li = el('li', { class: 'entry' },
        el('h3', null, c.entry_name || 'Melding'),
        c.feed ? el('p', { class: 'hint' }, 'Correctie voor de feed' + (c.feed_partner ? ' van ' + c.feed_partner : '') + '. Pas het aan in de feed.') : null,
        el('p', null, c.message || ''),
        el('p', { class: 'hint' }, 'Ontvangen op ' + dateText(c.created) + (c.name ? ' van ' + c.name : '') + (c.email ? ' (' + c.email + ')' : '')));
      var b = el('button', { class: 'button secondary', type: 'button' }, 'Afgehandeld');
      b.addEventListener('click', function () {
        call('POST', 'partner/corrections/' + encodeURIComponent(c.id) + '/close', {}).then(function (r) {
          if (r.status === 200) { say('De melding is afgehandeld.'); refresh(); } else say(message(r), true);
        });
      });
      var acts = el('p', { class: 'actions' }, b);
      /* A feed correction is fixed in the feed: the public page shows what it says now. */
      if (c.entity_id && c.feed && c.entity !== 'location') acts.appendChild(el('a', { href: SK.detailHref({ id: c.entity_id, name: c.entry_name }) }, 'Bekijk het op de website'));
      else if (c.entity_id && !c.feed) acts.appendChild(el('a', { href: editHref(c.entity === 'location' ? 'locations' : 'services', c.entity_id) }, 'Naar het aanbod'));
      li.appendChild(acts);
      ul.appendChild(li);
    });
    return ul;
  }

  /* A value as a person reads it: labels for codes, opening hours and
     phone numbers as text; never raw JSON (the history stores JSON text). */
  var TAX_KIND = { needs: 'need', target_groups: 'target_group', laws: 'law', access: 'access', cost: 'cost', areas: 'municipality', municipality: 'municipality' };
  var STATUS_TEXT = { active: 'op de website', inactive: 'niet actief', withdrawn: 'ingetrokken' };
  var historyTax = null;
  function valueText(v, field) {
    if (typeof v === 'string' && /^\s*[[{]/.test(v)) { try { v = JSON.parse(v); } catch (e) { /* plain text */ } }
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return '(leeg)';
    if (field === 'status' && STATUS_TEXT[v]) return STATUS_TEXT[v];
    if (field === 'assured_date' && typeof v === 'string') return whenText(v);
    if (typeof v === 'string' && /^(account|feed):/.test(v)) return whoText({ actor: v });
    if (field === 'hours' && Array.isArray(v)) {
      return v.map(function (h) {
        return (DAYS[h.weekday] || '') + ' ' + (h.opens || '?') + ' tot ' + (h.closes || '?') + ' uur' + (h.note ? ' (' + h.note + ')' : '');
      }).join('; ');
    }
    if (field === 'occurrences' && Array.isArray(v)) {
      return v.map(function (o) { return dateText(o.starts_at) + (o.cancelled ? ' (gaat niet door)' : ''); }).join('; ');
    }
    if (field === 'phones' && Array.isArray(v)) {
      return v.map(function (ph) { return (ph.number || '') + (ph.description ? ' (' + ph.description + ')' : ''); }).join('; ');
    }
    if (TAX_KIND[field]) {
      return (Array.isArray(v) ? v : [v]).map(function (x) {
        var code = SK.code(x);
        return historyTax ? historyTax.label(TAX_KIND[field], code) : code;
      }).join(', ');
    }
    if (typeof v === 'boolean') return v ? 'ja' : 'nee';
    if (typeof v !== 'object') return String(v);
    if (Array.isArray(v)) return v.map(function (x) { return valueText(x, ''); }).join('; ');
    return Object.keys(v).map(function (k) { return fieldName(k) + ': ' + valueText(v[k], k); }).join(', ');
  }

  /* Date and time in the Netherlands, whatever the device's time zone. */
  function whenText(iso) {
    if (!iso || !/T\d/.test(iso)) return dateText(iso);
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    try {
      return new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', day: 'numeric', month: 'long', year: 'numeric',
        hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d).replace(/(,| om)? (\d\d:\d\d)$/, ' om $2 uur');
    } catch (e) { return SK.dateNL(d); }
  }

  function whoText(c) {
    if (c.actor_name) return c.actor_name + (/^feed:/.test(c.actor || '') ? ' (feed)' : '');
    if (/^feed:/.test(c.actor || '')) return 'de feed';
    if (/^account:/.test(c.actor || '')) return 'een account dat niet meer bestaat';
    return c.actor || 'onbekend';
  }

  var NOTE_TEXT = { create: 'aangemaakt', update: 'gewijzigd', withdraw: 'ingetrokken', confirm: 'gecontroleerd' };
  function noteText(n) {
    if (!n) return '';
    if (NOTE_TEXT[n]) return NOTE_TEXT[n];
    if (/^restore:/.test(n)) return 'versie ' + n.slice(8) + ' teruggezet';
    if (/^approve:/.test(n)) return 'goedgekeurd door de redactie';
    return n;
  }

  var FIELD_NAMES = {
    name: 'Naam', summary: 'Korte uitleg', description: 'Beschrijving', keywords: 'Zoekwoorden', url: 'Website',
    email: 'E-mailadres', application_process: 'Hoe krijgt iemand het?', eligibility_description: 'Voor wie?',
    fees_description: 'Kosten (uitleg)', referral_contact: 'Contact voor verwijzers', min_age: 'Vanaf leeftijd',
    max_age: 'Tot en met leeftijd', needs: 'Onderwerpen', target_groups: 'Doelgroepen', laws: 'Wet', access: 'Toegang',
    cost: 'Kosten', areas: 'Gemeenten', locations: 'Locaties', phones: 'Telefoonnummers', hours: 'Openingstijden',
    location_text: 'Waar?', recurrence: 'Hoe vaak?', organizer: 'Organisator', occurrences: 'Data', status: 'Status',
    organization: 'Organisatie', address: 'Adres', postal_code: 'Postcode', city: 'Plaats', municipality: 'Gemeente',
    latitude: 'Breedtegraad', longitude: 'Lengtegraad', accessibility: 'Toegankelijkheid',
    assured_date: 'Gecontroleerd op', assured_by: 'Gecontroleerd door', kind: 'Soort'
  };
  function fieldName(f) { return FIELD_NAMES[f] || f; }

  function diffTable(diff, caption) {
    var t = el('table', { class: 'diff' }, el('caption', { class: 'visually-hidden' }, caption),
      el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Veld'), el('th', { scope: 'col' }, 'Was'), el('th', { scope: 'col' }, 'Wordt'))));
    var tb = el('tbody');
    (diff || []).forEach(function (d) {
      tb.appendChild(el('tr', null, el('th', { scope: 'row' }, d.label || fieldName(d.field)), el('td', null, el('del', null, valueText(d.old, d.field))), el('td', null, el('ins', null, valueText(d['new'], d.field)))));
    });
    t.appendChild(tb);
    return el('div', { class: 'table-wrap' }, t);
  }

  function renderReviews(items, refresh) {
    var box = SK.$('#reviews');
    SK.clear(box);
    if (!items.length) { box.appendChild(el('p', null, 'Er wachten geen wijzigingen.')); return; }
    var ul = el('ul', { class: 'entry-list' });
    items.forEach(function (it, i) {
      var name = (it.doc && it.doc.name) || it.entry_name || it.name || 'Wijziging';
      var when = it.submitted_at || it.created;
      var li = el('li', { class: 'entry review' }, el('h3', null, name),
        el('p', { class: 'hint' }, 'Ingestuurd op ' + dateText(when) + (it.changed_since ? '. Let op: het aanbod is daarna nog gewijzigd.' : '')),
        diffTable(it.diff, 'Wijzigingen in ' + name));
      if (it.status && it.status !== 'pending') { li.appendChild(el('p', null, 'Status: ' + it.status)); ul.appendChild(li); return; }
      var rid = 'reason-' + i;
      var reason = el('input', { type: 'text', id: rid, maxlength: '500' });
      var ok = el('button', { class: 'button', type: 'button' }, 'Goedkeuren', el('span', { class: 'visually-hidden' }, ': ' + name));
      var no = el('button', { class: 'button secondary', type: 'button' }, 'Afwijzen', el('span', { class: 'visually-hidden' }, ': ' + name));
      ok.addEventListener('click', function () {
        call('POST', 'partner/reviews/' + encodeURIComponent(it.id) + '/approve', {}).then(function (r) {
          if (r.status === 200) { say('De wijziging is goedgekeurd en staat nu op de website.'); refresh(); } else say(message(r), true);
        });
      });
      no.addEventListener('click', function () {
        if (!reason.value.trim()) { reason.setAttribute('aria-invalid', 'true'); say('Schrijf waarom u de wijziging afwijst. De organisatie ziet de reden.', true); reason.focus(); return; }
        call('POST', 'partner/reviews/' + encodeURIComponent(it.id) + '/reject', { reason: reason.value }).then(function (r) {
          if (r.status === 200) { say('De wijziging is afgewezen.'); refresh(); } else say(message(r), true);
        });
      });
      li.appendChild(el('div', { class: 'field' }, el('label', { for: rid }, 'Reden bij afwijzen'), reason));
      li.appendChild(el('p', { class: 'actions' }, ok, no));
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  /* Services a feed gave without our classification (issue 12). */
  function renderAuto(items, refresh) {
    var box = SK.clear(SK.$('#auto-classified'));
    if (!items.length) { box.appendChild(el('p', null, 'Er zijn geen automatisch ingedeelde diensten.')); return; }
    var ul = el('ul', { class: 'entry-list' });
    items.slice(0, 200).forEach(function (it) {
      var name = it.name || 'Dienst';
      var needs = (it.needs || []).join(', ') || 'geen hulpvraag gevonden';
      var ok = el('button', { class: 'button', type: 'button' }, 'Indeling klopt', el('span', { class: 'visually-hidden' }, ': ' + name));
      ok.addEventListener('click', function () {
        call('POST', 'partner/auto-classified/' + encodeURIComponent(it.id) + '/confirm', {}).then(function (r) {
          if (r.status === 200) { say('De indeling van ' + name + ' is bevestigd.'); refresh(); } else say(message(r), true);
        });
      });
      ul.appendChild(el('li', { class: 'entry' }, el('h3', null, name),
        el('p', { class: 'hint' }, (it.organization || '') + ' (' + (it.source || '') + ')'),
        el('p', null, 'Hulpvraag: ' + needs + '. Toegang: ' + ((it.access || [])[0] || '-') + '. Kosten: ' + ((it.cost || [])[0] || '-') + '.'),
        el('p', { class: 'actions' }, ok)));
    });
    box.appendChild(ul);
  }

  /* "12 in totaal, 1–50" and Vorige/Volgende for a paged list answer
   * {items, total, page, per_page}; go(page) loads another page. */
  function pager(d, go, what) {
    var total = d.total || 0, page = d.page || 1, per = d.per_page || 50;
    var pages = Math.max(1, Math.ceil(total / per));
    var first = total ? (page - 1) * per + 1 : 0, last = Math.min(total, page * per);
    var nav = el('nav', { class: 'pager', 'aria-label': 'Pagina’s ' + what },
      el('p', null, total + ' ' + what + ' in totaal' + (total > per ? ', nummer ' + first + ' tot en met ' + last : '') + '.'));
    if (pages > 1) {
      var prev = el('button', { class: 'button secondary', type: 'button' }, 'Vorige');
      var next = el('button', { class: 'button secondary', type: 'button' }, 'Volgende');
      if (page <= 1) prev.disabled = true;
      if (page >= pages) next.disabled = true;
      prev.addEventListener('click', function () { go(page - 1); });
      next.addEventListener('click', function () { go(page + 1); });
      nav.appendChild(el('p', { class: 'actions' }, prev, ' Pagina ' + page + ' van ' + pages + ' ', next));
    }
    return nav;
  }

  /* The verification cycle's open work (GET partner/verify-tasks): entries
   * to phone about, hidden entries, bounced addresses, and feeds (due,
   * escalated, or down for a week). */
  var FEED_STEP = { due: 'Moet bevestigd worden', task: 'Geen antwoord', down: 'Werkt niet' };
  function renderVerifyTasks(d) {
    var box = SK.clear(SK.$('#verify-tasks'));
    function group(title, items, line) {
      box.appendChild(el('h3', null, title + ' (' + items.length + ')'));
      if (!items.length) { box.appendChild(el('p', null, 'Niets te doen.')); return; }
      var ul = el('ul', { class: 'entry-list' });
      items.slice(0, 200).forEach(function (it) { ul.appendChild(line(it)); });
      box.appendChild(ul);
      if (items.length > 200) box.appendChild(el('p', { class: 'hint' }, 'De eerste 200 staan hier.'));
    }
    function orgLine(o) {
      var p = el('p', null, o.name || '');
      if (o.email) p.appendChild(document.createTextNode(' – '));
      if (o.email) p.appendChild(el('a', { href: 'mailto:' + o.email }, o.email));
      return p;
    }
    function entryLine(it) {
      return el('li', { class: 'entry' }, el('h4', null, el('a', { href: editHref('services', it.id) }, it.name || 'Aanbod')),
        orgLine(it.organization || {}),
        el('p', { class: 'hint' }, (it.todo || '') + ' Sinds ' + dateText(it.since) + '.'));
    }
    group('Bellen', d.tasks || [], entryLine);
    group('Verborgen voor inwoners', d.hidden || [], entryLine);
    group('E-mailadres werkt niet', d.bounced || [], function (o) {
      return el('li', { class: 'entry' }, el('h4', null, o.name || ''), el('p', null, o.email || ''), el('p', { class: 'hint' }, o.todo || ''));
    });
    group('Feeds', d.feeds || [], function (f) {
      var li = el('li', { class: 'entry' }, el('h4', null, (f.partner || f.id) + ': ' + (FEED_STEP[f.step] || f.step)),
        el('p', { class: 'hint' }, (f.todo || '') + ' Sinds ' + dateText(f.since) + '.'));
      if (f.step === 'down' && f.last_error) li.appendChild(el('p', null, 'Laatste fout: ' + f.last_error));
      li.appendChild(el('p', null, el('a', { href: '/portaal/feeds.html' }, 'Naar de feeds'), ' (feed ' + f.id + ')'));
      return li;
    });
  }

  /* Filed claims ("Is dit uw organisatie?"): approve makes an account for
   * that organisation only; reject needs a reason. */
  function renderClaims(items, refresh) {
    var box = SK.clear(SK.$('#claims'));
    if (!items.length) { box.appendChild(el('p', null, 'Er wachten geen aanvragen.')); return; }
    var ul = el('ul', { class: 'entry-list' });
    items.forEach(function (it, i) {
      var name = (it.organization && it.organization.name) || 'Organisatie';
      var rid = 'claim-reason-' + i;
      var reason = el('input', { type: 'text', id: rid, maxlength: '500' });
      var ok = el('button', { class: 'button', type: 'button' }, 'Goedkeuren', el('span', { class: 'visually-hidden' }, ': ' + name));
      var no = el('button', { class: 'button secondary', type: 'button' }, 'Afwijzen', el('span', { class: 'visually-hidden' }, ': ' + name));
      ok.addEventListener('click', function () {
        call('POST', 'partner/claims/' + encodeURIComponent(it.id) + '/approve', {}).then(function (r) {
          if (r.status === 200) { say('De aanvraag van ' + name + ' is goedgekeurd. Er is een account gemaakt; ' + (it.email || 'de organisatie') + ' krijgt een e-mail om een wachtwoord te kiezen.'); refresh(); } else say(message(r), true);
        });
      });
      no.addEventListener('click', function () {
        if (!reason.value.trim()) { reason.setAttribute('aria-invalid', 'true'); say('Schrijf waarom u de aanvraag afwijst.', true); reason.focus(); return; }
        call('POST', 'partner/claims/' + encodeURIComponent(it.id) + '/reject', { reason: reason.value }).then(function (r) {
          if (r.status === 200) { say('De aanvraag van ' + name + ' is afgewezen.'); refresh(); } else say(message(r), true);
        });
      });
      ul.appendChild(el('li', { class: 'entry claim' }, el('h3', null, name),
        el('p', null, 'E-mailadres: ' + (it.email || '-')),
        el('p', { class: 'hint' }, 'Aangevraagd op ' + dateText(it.filed) + '.'),
        el('div', { class: 'field' }, el('label', { for: rid }, 'Reden bij afwijzen'), reason),
        el('p', { class: 'actions' }, ok, no)));
    });
    box.appendChild(ul);
  }

  function renderOutbox(items) {
    var box = SK.$('#outbox');
    SK.clear(box);
    if (!items.length) { box.appendChild(el('p', null, 'Er staan geen herinneringen klaar.')); return; }
    var ul = el('ul', { class: 'entry-list' });
    items.slice(0, 50).forEach(function (m) {
      ul.appendChild(el('li', { class: 'entry' }, el('h3', null, (m.subject || '') + ' – ' + (m.to || '')),
        el('p', { class: 'hint' }, 'Periode ' + (m.period || '') + ', ' + (m.sent_at ? 'verstuurd op ' + dateText(m.sent_at) : 'nog niet verstuurd')),
        el('details', null, el('summary', null, 'Tekst van het bericht'), el('p', { class: 'pre' }, m.body || ''))));
    });
    box.appendChild(ul);
  }

  /* The redactie picks an organisation by name: a GET form (?zoek=…) whose
     answer is a list of links (?organisatie=…); with JS the list follows
     the typing. */
  function orgPicker(choose) {
    var box = SK.clear(SK.$('#org-choice'));
    var p = SK.params();
    var input = el('input', { type: 'search', id: 'org-q', name: 'zoek', autocomplete: 'off', 'aria-describedby': 'org-hint', 'aria-controls': 'org-matches' });
    input.value = p.zoek || '';
    var form = el('form', { class: 'portal-form narrow', method: 'get', action: '/portaal/', role: 'search', 'aria-label': 'Organisatie kiezen' },
      el('div', { class: 'field' }, el('label', { for: 'org-q' }, 'Zoek een organisatie op naam'),
        el('p', { class: 'hint', id: 'org-hint' }, 'Typ een deel van de naam, bijvoorbeeld ‘voedselbank’. Kies dan de organisatie.'), input),
      el('button', { class: 'button secondary', type: 'submit' }, 'Zoeken'));
    var status = el('p', { id: 'org-status', role: 'status', class: 'hint' });
    var list = el('ul', { id: 'org-matches', class: 'org-matches' });
    var now = el('p', { id: 'org-current' });
    box.appendChild(form);
    box.appendChild(status);
    box.appendChild(list);
    box.appendChild(now);
    var seq = 0;
    function find(q, announce) {
      var mine = ++seq;
      call('GET', 'partner/organizations?q=' + encodeURIComponent(q)).then(function (r) {
        if (mine !== seq) return;
        SK.clear(list);
        if (r.status !== 200) { status.textContent = message(r); return; }
        var items = r.data.items || [];
        items.forEach(function (o) {
          var a = el('a', { href: '/portaal/?organisatie=' + encodeURIComponent(o.id) }, o.name || o.id);
          a.addEventListener('click', function (ev) {
            ev.preventDefault();
            SK.clear(list);
            status.textContent = '';
            input.value = '';
            showCurrent(o);
            choose(o.id);
          });
          list.appendChild(el('li', null, a, ' ', el('span', { class: 'hint' }, '(' + (o.services === 1 ? '1 aanbod' : o.services + ' aanbod') + ')')));
        });
        if (announce || q) {
          status.textContent = !r.data.total ? 'Geen organisatie gevonden met ‘' + q + '’ in de naam.'
            : r.data.total > items.length ? r.data.total + ' organisaties gevonden; de eerste ' + items.length + ' staan hieronder. Typ meer van de naam.'
              : (r.data.total === 1 ? '1 organisatie gevonden.' : r.data.total + ' organisaties gevonden.');
        }
      });
    }
    function showCurrent(o) {
      SK.clear(now);
      if (o) { now.appendChild(document.createTextNode('U ziet nu het aanbod van: ')); now.appendChild(el('strong', null, o.name || o.id)); }
    }
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { seq++; SK.clear(list); status.textContent = ''; return; }
      timer = setTimeout(function () { find(q, false); }, 200);
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      SK.setUrl({ zoek: input.value.trim() });
      find(input.value.trim(), true);
    });
    if (p.zoek) find(p.zoek, true);
    return showCurrent;
  }

  function pageMine() {
    var editor = me.role === 'redacteur' || me.role === 'admin';
    /* Not a dead end: a professional has no entries; its work is the
       professional view. */
    if (me.role === 'professional') { location.replace(me.home || '/professionals'); return; }
    /* The redactie's work comes first: the review queue above the rest. */
    if (editor) {
      var rs = SK.$('#reviews-section'), anchor = SK.$('#org-choice');
      if (rs && anchor) anchor.parentNode.insertBefore(rs, anchor);
    }
    var orgs = me.organizations || [];
    var p = SK.params();
    var org = p.organisatie || (orgs[0] && orgs[0].id) || '';
    var showOrg = null;
    function refresh() {
      var q = editor ? (org ? '?organization=' + encodeURIComponent(org) : null) : '';
      var news = SK.$('#new-links');
      SK.clear(news);
      var target = org || (orgs[0] && orgs[0].id);
      if (target) {
        news.appendChild(el('a', { class: 'button', href: '/portaal/bewerken.html?soort=services&organisatie=' + encodeURIComponent(target) }, 'Nieuw aanbod'));
        news.appendChild(document.createTextNode(' '));
        news.appendChild(el('a', { class: 'button secondary', href: '/portaal/bewerken.html?soort=activities&organisatie=' + encodeURIComponent(target) }, 'Nieuwe activiteit'));
        news.appendChild(document.createTextNode(' '));
        news.appendChild(el('a', { class: 'button secondary', href: '/portaal/bewerken.html?soort=locations&organisatie=' + encodeURIComponent(target) }, 'Nieuwe locatie'));
      }
      var box = SK.$('#entries');
      if (q === null) {
        SK.clear(box).appendChild(el('p', null, 'Kies hierboven een organisatie.'));
        box.removeAttribute('aria-busy');
      } else {
        call('GET', 'partner/entries' + q).then(function (r) {
          SK.clear(box);
          box.removeAttribute('aria-busy');
          if (r.status !== 200) { box.appendChild(el('p', { class: 'notice error' }, message(r))); return; }
          var items = (r.data && r.data.items) || [];
          if (showOrg && items[0]) showOrg({ id: org, name: items[0].organization_name });
          if (!items.length) { box.appendChild(el('p', null, 'Er staat nog niets. Voeg aanbod toe met de knop hierboven.')); return; }
          var ul = el('ul', { class: 'entry-list' });
          items.forEach(function (e) { ul.appendChild(entryItem(e, refresh)); });
          box.appendChild(ul);
        });
      }
      call('GET', 'partner/todo').then(function (r) {
        if (r.status === 200) renderTodo(r.data, refresh);
        else { SK.$('#todo').removeAttribute('aria-busy'); SK.clear(SK.$('#todo')).appendChild(el('p', null, message(r))); }
      });
      if (editor) {
        SK.$('#reviews-section').hidden = false;
        SK.$('#corrections-section').hidden = false;
        SK.$('#outbox-section').hidden = false;
        SK.$('#auto-section').hidden = false;
        SK.$('#verify-section').hidden = false;
        SK.$('#claims-section').hidden = false;
        call('GET', 'partner/verify-tasks').then(function (r) {
          if (r.status === 200) renderVerifyTasks(r.data);
          else SK.clear(SK.$('#verify-tasks')).appendChild(el('p', { class: 'notice error' }, message(r)));
        });
        call('GET', 'partner/claims').then(function (r) {
          if (r.status === 200) renderClaims(r.data.items || [], refresh);
          else SK.clear(SK.$('#claims')).appendChild(el('p', { class: 'notice error' }, message(r)));
        });
        call('GET', 'partner/auto-classified').then(function (r) { if (r.status === 200) renderAuto(r.data.items || [], refresh); });
        var loadReviews = function (page) {
          call('GET', 'partner/reviews?page=' + page).then(function (r) {
            if (r.status !== 200) return;
            renderReviews(r.data.items || [], refresh);
            if (r.data.total) SK.$('#reviews').appendChild(pager(r.data, loadReviews, 'wijzigingen'));
          });
        };
        var loadCorrections = function (page) {
          call('GET', 'partner/corrections?page=' + page).then(function (r) {
            var box2 = SK.clear(SK.$('#corrections'));
            if (r.status !== 200) return;
            var items = r.data.items || [];
            box2.appendChild(items.length ? correctionList(items, refresh) : el('p', null, 'Er zijn geen open meldingen.'));
            if (r.data.total) box2.appendChild(pager(r.data, loadCorrections, 'meldingen'));
          });
        };
        loadReviews(1);
        loadCorrections(1);
        call('GET', 'partner/outbox').then(function (r) { if (r.status === 200) renderOutbox(r.data.items || []); });
      }
    }
    if (editor) showOrg = orgPicker(function (id) { org = id; SK.setUrl({ organisatie: org, zoek: '' }); refresh(); });
    refresh();
  }

  /* ---------- the edit form ---------- */

  var TEXT_FIELDS = {
    services: [
      ['name', 'Naam', 'input', 'Kort en duidelijk, zoals mensen het noemen.'],
      ['summary', 'Korte uitleg', 'input', 'Eén zin: wat is het? (hoogstens 300 tekens)'],
      ['description', 'Beschrijving', 'textarea', 'Wat kunnen mensen verwachten?'],
      ['application_process', 'Hoe krijgt iemand het?', 'textarea', 'Bijvoorbeeld: bel of loop binnen op het spreekuur.'],
      ['eligibility_description', 'Voor wie?', 'textarea', null],
      ['fees_description', 'Kosten (uitleg)', 'input', null],
      ['keywords', 'Zoekwoorden', 'input', 'Andere woorden die mensen gebruiken, met komma’s.'],
      ['url', 'Website', 'input', 'Begint met https://'],
      ['email', 'E-mailadres', 'input', null],
      ['referral_contact', 'Contact voor verwijzers', 'input', 'Alleen zichtbaar voor professionals.'],
      ['min_age', 'Vanaf leeftijd', 'number', null],
      ['max_age', 'Tot en met leeftijd', 'number', null]
    ],
    locations: [
      ['name', 'Naam', 'input', null],
      ['address', 'Adres', 'input', 'Straat en huisnummer.'],
      ['postal_code', 'Postcode', 'input', 'Bijvoorbeeld 1271 AB.'],
      ['city', 'Plaats', 'input', null],
      ['accessibility', 'Toegankelijkheid', 'input', 'Bijvoorbeeld: rolstoeltoegankelijk, lift.']
    ]
  };
  TEXT_FIELDS.activities = TEXT_FIELDS.services.filter(function (f) { return f[0] !== 'referral_contact'; }).concat([
    ['location_text', 'Waar?', 'input', 'Bijvoorbeeld: Bibliotheek Laren, Brink 1.'],
    ['recurrence', 'Hoe vaak?', 'input', 'Bijvoorbeeld: elke woensdag.'],
    ['organizer', 'Organisator', 'input', null]
  ]);
  var DAYS = ['', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'];
  var LABELS = { needs: 'Waar helpt het bij?', target_groups: 'Voor wie?', laws: 'Wet', access: 'Hoe krijgt iemand het?', cost: 'Kosten', areas: 'Voor welke gemeenten?', hours: 'Openingstijden', phones: 'Telefoonnummers', occurrences: 'Data', organization: 'Organisatie', locations: 'Locaties' };

  function fieldId(name) { return 'f-' + name; }

  function textField(def, doc) {
    var name = def[0], id = fieldId(name), hintId = id + '-hint', errId = id + '-error';
    var v = doc[name];
    var input = def[2] === 'textarea'
      ? el('textarea', { id: id, name: name, rows: '4' })
      : el('input', { type: def[2] === 'number' ? 'number' : 'text', id: id, name: name, min: def[2] === 'number' ? '0' : null, max: def[2] === 'number' ? '120' : null, inputmode: name === 'email' ? 'email' : null });
    input.value = v === null || v === undefined ? '' : String(v);
    input.setAttribute('aria-describedby', (def[3] ? hintId + ' ' : '') + errId);
    return el('div', { class: 'field', 'data-field': name }, el('label', { for: id }, def[1] + (name === 'name' ? ' (verplicht)' : '')),
      def[3] ? el('p', { class: 'hint', id: hintId }, def[3]) : null, input,
      el('p', { class: 'field-error', id: errId }));
  }

  function checkList(name, items, chosen, type) {
    var ul = el('ul', { class: 'choice-list' });
    function add(list, it, depth) {
      var id = fieldId(name) + '-' + it.code.replace(/[^a-z0-9]/gi, '-');
      var li = el('li', null, el('label', { class: 'check', for: id },
        el('input', { type: type, id: id, name: name, value: it.code, checked: chosen.indexOf(it.code) >= 0 }), it.label || it.code));
      if (it.children && it.children.length && depth < 1) {
        var sub = el('ul');
        it.children.forEach(function (c) { add(sub, c, depth + 1); });
        li.appendChild(sub);
      }
      list.appendChild(li);
    }
    items.forEach(function (it) { add(ul, it, 0); });
    return el('fieldset', { 'data-field': name, 'aria-describedby': fieldId(name) + '-error' }, el('legend', null, LABELS[name] + (/^(needs|areas|access|cost)$/.test(name) ? ' (verplicht)' : '')),
      ul, el('p', { class: 'field-error', id: fieldId(name) + '-error' }));
  }

  function rowsField(name, rows, makeRow, blank) {
    var list = el('div', { class: 'rows' });
    var n = 0;
    function add(r) {
      var i = n++;
      var row = makeRow(r || blank(), i);
      var rm = el('button', { class: 'button secondary', type: 'button' }, 'Weghalen', el('span', { class: 'visually-hidden' }, ' (' + LABELS[name] + ' ' + (i + 1) + ')'));
      rm.addEventListener('click', function () { list.removeChild(row); });
      row.appendChild(el('div', null, rm));
      list.appendChild(row);
    }
    (rows || []).forEach(add);
    var more = el('button', { class: 'button secondary', type: 'button' }, 'Regel toevoegen', el('span', { class: 'visually-hidden' }, ' (' + LABELS[name] + ')'));
    more.addEventListener('click', function () { add(null); });
    return el('fieldset', { 'data-field': name, 'data-rows': name }, el('legend', null, LABELS[name]), list, more,
      el('p', { class: 'field-error', id: fieldId(name) + '-error' }));
  }

  function small(label, id, input) { return el('div', null, el('label', { for: id }, label), input); }

  function hourRow(h, i) {
    var id = 'h-' + i;
    var day = el('select', { id: id + '-day', 'data-k': 'weekday' });
    for (var d = 1; d <= 7; d++) day.appendChild(el('option', { value: String(d), selected: h.weekday === d }, DAYS[d]));
    var opens = el('input', { type: 'text', id: id + '-opens', 'data-k': 'opens', inputmode: 'numeric', placeholder: '09:00' });
    var closes = el('input', { type: 'text', id: id + '-closes', 'data-k': 'closes', inputmode: 'numeric', placeholder: '12:00' });
    var note = el('input', { type: 'text', id: id + '-note', 'data-k': 'note' });
    opens.value = h.opens || ''; closes.value = h.closes || ''; note.value = h.note || '';
    return el('div', { class: 'row' }, small('Dag', id + '-day', day), small('Van', id + '-opens', opens), small('Tot', id + '-closes', closes), small('Opmerking', id + '-note', note));
  }
  function phoneRow(p, i) {
    var id = 'p-' + i;
    var num = el('input', { type: 'text', id: id + '-number', 'data-k': 'number', inputmode: 'tel' });
    var desc = el('input', { type: 'text', id: id + '-desc', 'data-k': 'description' });
    var res = el('input', { type: 'checkbox', id: id + '-restricted', 'data-k': 'restricted', checked: !!p.restricted });
    num.value = p.number || ''; desc.value = p.description || '';
    return el('div', { class: 'row' }, small('Nummer', id + '-number', num), small('Waarvoor', id + '-desc', desc),
      el('div', null, el('label', { class: 'check', for: id + '-restricted' }, res, 'Alleen voor professionals')));
  }
  function occRow(o, i) {
    var id = 'o-' + i;
    var start = el('input', { type: 'text', id: id + '-start', 'data-k': 'starts_at', placeholder: '2026-06-09T10:00+02:00' });
    var loc = el('input', { type: 'text', id: id + '-loc', 'data-k': 'location_text' });
    var canc = el('input', { type: 'checkbox', id: id + '-cancelled', 'data-k': 'cancelled', checked: !!o.cancelled });
    start.value = o.starts_at || ''; loc.value = o.location_text || '';
    return el('div', { class: 'row' }, small('Begint (datum en tijd)', id + '-start', start), small('Waar (als het anders is)', id + '-loc', loc),
      el('div', null, el('label', { class: 'check', for: id + '-cancelled' }, canc, 'Gaat niet door')));
  }

  function readRows(form, name) {
    var box = form.querySelector('[data-rows="' + name + '"] .rows');
    if (!box) return undefined;
    var out = [];
    Array.prototype.forEach.call(box.children, function (row) {
      var o = {};
      row.querySelectorAll('[data-k]').forEach(function (f) {
        var k = f.getAttribute('data-k');
        if (f.type === 'checkbox') o[k] = f.checked;
        else if (k === 'weekday') o[k] = parseInt(f.value, 10);
        else o[k] = f.value.trim() === '' ? null : f.value.trim();
      });
      out.push(o);
    });
    return out.filter(function (o) { return o.number || o.opens || o.closes || o.starts_at || (o.weekday && (o.opens || o.closes)); });
  }

  function readForm(form, route, doc) {
    var out = {};
    TEXT_FIELDS[route].forEach(function (def) {
      var f = form.querySelector('#' + fieldId(def[0]));
      var v = f.value.trim();
      out[def[0]] = def[2] === 'number' ? (v === '' ? null : Number(v)) : (v === '' ? null : v);
    });
    function checked(name) {
      return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
    }
    if (route !== 'locations') {
      out.needs = checked('needs');
      out.target_groups = checked('target_groups');
      out.laws = checked('laws');
      if (route === 'services') { out.access = checked('access')[0] || null; out.cost = checked('cost')[0] || null; }
      /* Keep the age limits and notes of areas that stay. */
      var old = {};
      (doc.areas || []).forEach(function (a) { old[a.code] = a; });
      out.areas = checked('areas').map(function (c) { return old[c] || { code: c }; });
      out.phones = readRows(form, 'phones');
      if (route === 'activities') out.occurrences = readRows(form, 'occurrences');
    }
    if (route !== 'activities') out.hours = readRows(form, 'hours');
    return out;
  }

  /* Checks the browser can do at once; the server checks everything again
     and its errors name the field in the same way. */
  function localErrors(route, d) {
    var errs = [];
    if (!d.name) errs.push({ field: 'name', message: 'Vul een naam in.' });
    if (d.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(d.email)) errs.push({ field: 'email', message: 'Dit is geen e-mailadres. Bijvoorbeeld: info@organisatie.nl.' });
    if (d.url && !/^https?:\/\/\S+$/.test(d.url)) errs.push({ field: 'url', message: 'Een website begint met https://.' });
    if (d.postal_code && !/^\s*\d{4}\s?[a-zA-Z]{2}\s*$/.test(d.postal_code)) errs.push({ field: 'postal_code', message: 'Een postcode is 4 cijfers en 2 letters, zoals 1271 AB.' });
    ['min_age', 'max_age'].forEach(function (k) { if (d[k] !== null && d[k] !== undefined && (isNaN(d[k]) || d[k] < 0 || d[k] > 120)) errs.push({ field: k, message: 'Vul een leeftijd van 0 tot en met 120 in.' }); });
    if (route !== 'locations') {
      if (!d.needs || !d.needs.length) errs.push({ field: 'needs', message: 'Kies minstens één onderwerp.' });
      if (!d.areas || !d.areas.length) errs.push({ field: 'areas', message: 'Kies minstens één gemeente.' });
      if (route === 'services' && !d.access) errs.push({ field: 'access', message: 'Kies hoe iemand het krijgt.' });
      if (route === 'services' && !d.cost) errs.push({ field: 'cost', message: 'Kies wat het kost.' });
    }
    return errs;
  }

  function showErrors(form, errs) {
    form.querySelectorAll('.field-error').forEach(function (p) { p.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (f) { f.removeAttribute('aria-invalid'); });
    var sum = SK.clear(SK.$('#error-summary'));
    if (!errs.length) return;
    var list = el('ul');
    errs.forEach(function (e) {
      var base = String(e.field || '').split(/[.[]/)[0];
      var box = form.querySelector('[data-field="' + base + '"]');
      var target = box && (box.querySelector('input, textarea, select') || box);
      if (box) {
        var p = box.querySelector('.field-error');
        if (p) p.textContent = p.textContent ? p.textContent + ' ' + e.message : e.message;
        if (target && target.tagName !== 'FIELDSET') target.setAttribute('aria-invalid', 'true');
      }
      var link = el('a', { href: '#' + (target && target.id ? target.id : 'edit-form') }, e.message);
      list.appendChild(el('li', null, link));
    });
    sum.appendChild(el('div', { class: 'notice error', role: 'alert' }, el('h2', null, 'Dit moet nog anders'), list));
  }

  /* An entry from a feed: whose feed, and the way forward. The keeper of
     the feed changes it there; anyone else sends the keeper a correction. */
  function feedNote(box, doc, route, id) {
    var f = doc.feed;
    if (!f) { box.appendChild(el('p', { class: 'notice' }, doc.feed_message || 'Dit kan hier niet veranderen.')); return; }
    if (f.yours) {
      box.appendChild(el('p', { class: 'notice' }, 'Dit komt uit uw feed (' + f.partner + '). Pas het aan in de feed; de kaart neemt het daarna vanzelf over.'));
      return;
    }
    box.appendChild(el('p', { class: 'notice' }, 'Dit komt uit de feed van ' + f.partner + '. U kunt het hier niet aanpassen. Klopt er iets niet? Stuur dan een correctie naar de beheerder van de feed.'));
    var ta = el('textarea', { id: 'feed-correction-message', rows: '4', maxlength: '2000', 'aria-describedby': 'feed-correction-hint feed-correction-error' });
    var err = el('p', { class: 'field-error', id: 'feed-correction-error' });
    var send = el('button', { class: 'button', type: 'submit' }, 'Correctie versturen');
    var form = el('form', { class: 'portal-form', id: 'feed-correction', novalidate: 'novalidate' },
      el('div', { class: 'field' }, el('label', { for: 'feed-correction-message' }, 'Wat klopt er niet?'),
        el('p', { class: 'hint', id: 'feed-correction-hint' }, 'Schrijf wat er anders moet, bijvoorbeeld ‘Het spreekuur is nu op dinsdag’. De beheerder ziet uw naam en e-mailadres.'),
        ta, err), el('p', { class: 'actions' }, send));
    var det = el('details', { class: 'feed-correction' }, el('summary', null, 'Stuur een correctie naar de beheerder van de feed'), form);
    det.addEventListener('toggle', function () { if (det.open) ta.focus(); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      err.textContent = '';
      ta.removeAttribute('aria-invalid');
      if (!ta.value.trim()) { err.textContent = 'Schrijf wat er niet klopt.'; ta.setAttribute('aria-invalid', 'true'); ta.focus(); return; }
      send.disabled = true;
      call('POST', 'partner/' + route + '/' + encodeURIComponent(id) + '/feed-correction', { message: ta.value.trim() }).then(function (r) {
        send.disabled = false;
        if (r.status === 201) {
          SK.clear(det).appendChild(el('p', { class: 'notice' }, r.data.message || 'Uw correctie is verstuurd.'));
          det.open = true;
          say(r.data.message || 'Uw correctie is verstuurd.');
          return;
        }
        err.textContent = message(r);
        ta.setAttribute('aria-invalid', 'true');
        ta.focus();
      });
    });
    box.appendChild(det);
  }

  function pageEdit() {
    var p = SK.params();
    var route = KIND_NAME[p.soort] ? p.soort : 'services';
    var id = p.id, etag = null, doc = null;
    var form = SK.$('#edit-form');
    var title = SK.$('#edit-title');
    var editor = me.role === 'redacteur' || me.role === 'admin';
    var what = route === 'locations' ? 'locatie' : route === 'activities' ? 'activiteit' : 'aanbod';

    function render(tax) {
      SK.clear(form);
      form.removeAttribute('aria-busy');
      var editable = !id || doc.editable !== false;
      title.textContent = id ? (editable ? 'Bewerken: ' : 'Bekijken: ') + (doc.name || '') : 'Nieuw: ' + what;
      document.title = title.textContent + ' – Portaal Sociale Kaart';
      var note = SK.clear(SK.$('#feed-note'));
      if (!editable) feedNote(note, doc, route, id);
      if (id && doc.pending && doc.pending.length) note.appendChild(el('p', { class: 'notice' }, 'Er wacht al een wijziging op de redactie.'));
      TEXT_FIELDS[route].forEach(function (def) { form.appendChild(textField(def, doc)); });
      if (route !== 'locations') {
        form.appendChild(checkList('needs', tax.needs, doc.needs || [], 'checkbox'));
        form.appendChild(checkList('target_groups', tax.target_groups.filter(function (g) { return g.code; }), doc.target_groups || [], 'checkbox'));
        if (route === 'services') {
          form.appendChild(checkList('access', tax.access, doc.access ? [doc.access] : [], 'radio'));
          form.appendChild(checkList('cost', tax.costs, doc.cost ? [doc.cost] : [], 'radio'));
        }
        form.appendChild(checkList('laws', tax.laws, doc.laws || [], 'checkbox'));
        form.appendChild(checkList('areas', tax.municipalities.concat(tax.scopes), (doc.areas || []).map(function (a) { return a.code; }), 'checkbox'));
        form.appendChild(rowsField('phones', doc.phones, phoneRow, function () { return {}; }));
        if (route === 'activities') form.appendChild(rowsField('occurrences', doc.occurrences, occRow, function () { return {}; }));
      }
      if (route !== 'activities') form.appendChild(rowsField('hours', doc.hours, hourRow, function () { return { weekday: 1 }; }));
      var save = el('button', { class: 'button', type: 'submit', id: 'save' }, 'Opslaan');
      var acts = el('p', { class: 'actions' }, save);
      if (id && route !== 'locations' && editable) {
        var ok = el('button', { class: 'button secondary', type: 'button', id: 'confirm' }, 'Gegevens kloppen nog');
        ok.addEventListener('click', function () {
          call('POST', 'partner/' + route + '/' + encodeURIComponent(id) + '/confirm', {}).then(function (r) {
            if (r.status === 200) { etag = r.etag || etag; doc = r.data; say('Dank u wel. U heeft bevestigd dat de gegevens kloppen (' + dateText(doc.assured_date) + ').'); }
            else say(message(r), true);
          });
        });
        acts.appendChild(ok);
      }
      if (editable) form.appendChild(acts);
      else form.querySelectorAll('input, textarea, select, button').forEach(function (f) { f.disabled = true; });
      if (id && doc.assured_date !== undefined && route !== 'locations') form.appendChild(el('p', { class: 'hint' }, 'Laatst gecontroleerd: ' + dateText(doc.assured_date)));
      /* Live checks while typing: the same rules and words as the server. */
      form.addEventListener('focusout', function (ev) {
        var box = ev.target.closest && ev.target.closest('[data-field]');
        if (!box) return;
        var name = box.getAttribute('data-field');
        var errs = localErrors(route, readForm(form, route, doc)).filter(function (e) { return e.field === name; });
        var pe = box.querySelector('.field-error');
        if (pe) pe.textContent = errs.length ? errs[0].message : '';
        var input = box.querySelector('input, textarea, select');
        if (input && input.tagName !== 'FIELDSET') { if (errs.length) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid'); }
      });
    }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var d = readForm(form, route, doc);
      var errs = localErrors(route, d);
      if (errs.length) { showErrors(form, errs); SK.$('#error-summary').focus(); return; }
      var req;
      if (id) {
        req = call('PATCH', 'partner/' + route + '/' + encodeURIComponent(id), d, { 'If-Match': etag || '' });
      } else {
        d.organization = p.organisatie;
        req = call('POST', 'partner/' + route, d);
      }
      req.then(function (r) {
        if (r.status === 200 || r.status === 201) {
          showErrors(form, []);
          etag = r.etag || (r.data && r.data.etag) || etag;
          doc = r.data;
          if (!id) { id = doc.id; SK.setUrl({ soort: route, id: id }); }
          say('Opgeslagen. Het staat nu op de website.');
          return;
        }
        if (r.status === 202) {
          showErrors(form, []);
          if (!id && r.data && r.data.id) { id = r.data.id; }
          say('Opgeslagen. De redactie kijkt uw wijziging na. Daarna staat ze op de website.');
          return;
        }
        if (r.status === 422 && r.data && r.data.errors) { showErrors(form, r.data.errors); SK.$('#error-summary').focus(); return; }
        if (r.status === 412) { say('Iemand anders heeft dit intussen gewijzigd. Laad de pagina opnieuw; uw wijzigingen zijn dan weg. Kopieer ze eerst.', true); return; }
        say(message(r), true);
      });
    });

    function loadHistory() {
      var sec = SK.$('#history-section');
      if (!id) return;
      call('GET', 'partner/' + route + '/' + encodeURIComponent(id) + '/history').then(function (r) {
        if (r.status !== 200) return;
        sec.hidden = false;
        var box = SK.clear(SK.$('#history'));
        var vs = r.data.versions || [];
        var ch = r.data.changes || [];
        if (ch.length) {
          /* One row per change: when (Dutch time), who (by name), what, was, became. */
          var t = el('table', { class: 'diff history' }, el('caption', { class: 'visually-hidden' }, 'Wijzigingen, de nieuwste eerst'),
            el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Wanneer'), el('th', { scope: 'col' }, 'Wie'),
              el('th', { scope: 'col' }, 'Veld'), el('th', { scope: 'col' }, 'Was'), el('th', { scope: 'col' }, 'Wordt'))));
          var tb = el('tbody');
          ch.slice(0, 100).forEach(function (c) {
            tb.appendChild(el('tr', null, el('td', null, whenText(c.at)), el('td', null, whoText(c)),
              el('th', { scope: 'row' }, fieldName(c.field)), el('td', null, el('del', null, c.old_name || valueText(c.old, c.field))),
              el('td', null, el('ins', null, c.new_name || valueText(c['new'], c.field)))));
          });
          t.appendChild(tb);
          box.appendChild(el('div', { class: 'table-wrap' }, t));
        }
        if (editor && doc && doc.source === 'portal') {
          var ul = el('ul', { class: 'entry-list' });
          vs.forEach(function (v) {
            var b = el('button', { class: 'button secondary', type: 'button' }, 'Versie ' + v.version + ' terugzetten');
            b.addEventListener('click', function () {
              call('POST', 'partner/' + route + '/' + encodeURIComponent(id) + '/restore', { version: v.version }, { 'If-Match': etag || '' }).then(function (rr) {
                if (rr.status === 200) { say('Versie ' + v.version + ' is teruggezet.'); load(); } else say(message(rr), true);
              });
            });
            ul.appendChild(el('li', { class: 'entry' }, el('p', null, 'Versie ' + v.version + ': ' + noteText(v.note) + ' op ' + whenText(v.at) + ' door ' + whoText(v) + '.'), b));
          });
          box.appendChild(el('h3', null, 'Versies'));
          box.appendChild(ul);
        }
      });
    }

    function load() {
      SK.taxonomy().then(function (tax) {
        if (!id) {
          doc = route === 'locations' ? { hours: [] } : { needs: [], areas: [], phones: [], hours: [], occurrences: [] };
          render(tax);
          return;
        }
        historyTax = tax;
        call('GET', 'partner/' + route + '/' + encodeURIComponent(id)).then(function (r) {
          if (r.status !== 200) { form.removeAttribute('aria-busy'); say(message(r, 'Dit onderdeel kunt u niet openen.'), true); return; }
          etag = r.etag; doc = r.data;
          render(tax);
          loadHistory();
        });
      }, function () { say('De keuzelijsten konden niet worden geladen. Probeer het opnieuw.', true); });
    }
    load();
  }

  /* ---------- feed health ---------- */

  function pageFeeds() {
    /* partner/feeds: the reasons in full (they may quote a restricted
     * number), only for this partner's feeds or, for the redactie, all. */
    call('GET', 'partner/feeds').then(function (r) {
      if (r.status !== 200) throw new Error(message(r, 'De feeds konden niet worden geladen.'));
      var d = r.data || {};
      var box = SK.clear(SK.$('#feeds'));
      box.removeAttribute('aria-busy');
      var ul = el('ul', { class: 'entry-list' });
      (d.feeds || []).forEach(function (f) {
        var li = el('li', { class: 'entry' }, el('h3', null, (f.partner || f.id) + ' (' + f.id + ')'),
          el('p', null, f.healthy ? el('span', { class: 'badge open' }, 'In orde') : el('span', { class: 'badge stale' }, 'Er is een probleem')),
          el('p', null, 'Laatst gelezen: ' + dateText(f.last_attempt) + '. Laatst gelukt: ' + dateText(f.last_success) + '.'),
          f.last_error ? el('p', { class: 'notice error' }, 'Fout: ' + f.last_error) : null,
          el('p', null, 'Onderdelen: ' + ((f.counts && f.counts.records) || 0) + ', niet gebruikt: ' + ((f.counts && f.counts.rejected) || 0) + '.'));
        if (f.rejections && f.rejections.length) {
          var rl = el('ul');
          f.rejections.forEach(function (r) { rl.appendChild(el('li', null, (r.record_key ? r.record_key + ': ' : '') + (r.reason || ''))); });
          li.appendChild(el('details', null, el('summary', null, 'Waarom niet gebruikt'), rl));
        }
        ul.appendChild(li);
      });
      if (!(d.feeds || []).length) box.appendChild(el('p', null, 'Er zijn geen feeds van uw organisatie.'));
      box.appendChild(ul);
    }).catch(function (e) { SK.clear(SK.$('#feeds')).appendChild(SK.errorBox(e)); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var page = document.body.getAttribute('data-page');
    /* /portaal/ is server-rendered (it works without JavaScript); this
       script draws the richer list in its place. */
    document.querySelectorAll('[data-server-list]').forEach(function (n) { n.hidden = true; });
    if (page === 'login') { pageLogin(); return; }
    loadMe().then(function () {
      if (page === 'mine') pageMine();
      else if (page === 'edit') pageEdit();
      else if (page === 'feeds') pageFeeds();
    }, function () { say('Het portaal is nu niet bereikbaar. Probeer het later opnieuw.', true); });
  });
})();
