/* Sociale Kaart HBEL: shared helpers for every page.
   Rule: text from the API is only ever inserted with createElement and
   textContent (SK.el), never as HTML, so markup in a feed shows as text. */
(function () {
  'use strict';

  var SK = window.SK = {};

  /* The Informatiepunt: the one number to call when the site cannot help. */
  SK.INFO_PHONES = [
    { number: '035 000 0101', where: 'Huizen' },
    { number: '035 000 0102', where: 'Blaricum, Eemnes en Laren' }
  ];

  /* "het Informatiepunt: 035 000 0101 (Huizen) of 035 000 0102 (...)" as nodes. */
  SK.infoPhones = function () {
    var out = ['het Informatiepunt: '];
    SK.INFO_PHONES.forEach(function (p, i) {
      if (i) out.push(' of ');
      out.push(SK.telLink(p.number), ' (' + p.where + ')');
    });
    return out;
  };

  /* National crisis lines: shown when the search flags crisis and the API
     sends no lines of its own. */
  SK.CRISIS_LINES = [
    { name: '113 Zelfmoordpreventie', number: '0800 0113', note: 'Gratis, dag en nacht. Praten met iemand die u begrijpt.' },
    { name: 'Veilig Thuis', number: '0800 2000', note: 'Bij huiselijk geweld of kindermishandeling. Gratis, dag en nacht.' },
    { name: 'Alarmnummer', number: '112', note: 'Bij direct gevaar.' }
  ];

  /* ---------- DOM ---------- */

  /* el('a', {href: x, class: 'y'}, 'text', child, [more]) */
  SK.el = function (tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        var v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'text') node.textContent = String(v);
        else if (k === 'on') { for (var ev in v) node.addEventListener(ev, v[ev]); }
        else if (k === 'class') node.className = v;
        else node.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (var i = 2; i < arguments.length; i++) SK.append(node, arguments[i]);
    return node;
  };

  SK.append = function (node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { SK.append(node, c); }); return; }
    if (typeof child === 'string' || typeof child === 'number') node.appendChild(document.createTextNode(String(child)));
    else node.appendChild(child);
  };

  SK.clear = function (node) { while (node.firstChild) node.removeChild(node.firstChild); return node; };

  SK.$ = function (sel, root) { return (root || document).querySelector(sel); };

  var ICONS = {
    geld: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M15 9.5c-.5-1-1.6-1.5-3-1.5-1.7 0-3 .8-3 2s1.3 1.7 3 2 3 .8 3 2-1.3 2-3 2c-1.4 0-2.5-.5-3-1.5 M12 6v2 M12 16v2',
    werk: 'M3 8h18v11H3z M8 8V5h8v3 M3 13h18',
    opvoeden: 'M8 7a2.5 2.5 0 1 0 0-5a2.5 2.5 0 1 0 0 5z M4 21v-7a4 4 0 0 1 8 0v7 M17 12a2 2 0 1 0 0-4a2 2 0 1 0 0 4z M14 21v-4a3 3 0 0 1 6 0v4',
    psychisch: 'M4 5h16v11H9l-5 4z M12 13.5l-2.6-2.6a1.6 1.6 0 0 1 2.6-1.9 1.6 1.6 0 0 1 2.6 1.9z',
    ontmoeten: 'M9 8a3 3 0 1 0 0-6a3 3 0 1 0 0 6z M3 20v-2a6 6 0 0 1 12 0v2 M17 10a2.5 2.5 0 1 0 0-5 M21 20v-1.5a5 5 0 0 0-3-4.6',
    thuis: 'M3 11l9-8 9 8 M5 9.5V21h14V9.5 M10 21v-6h4v6',
    geheugen: 'M9 18h6 M10 21h4 M12 3a6 6 0 0 0-3.5 10.9c.6.5 1 1.2 1 2v.1h5v-.1c0-.8.4-1.5 1-2A6 6 0 0 0 12 3z',
    mantelzorg: 'M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z',
    gezondheid: 'M3 12h4l2-5 4 10 2-5h6',
    wonen: 'M4 21V4h10v17 M14 9h6v12 M2 21h20 M7 8h1 M10 8h1 M7 12h1 M10 12h1 M7 16h1 M10 16h1',
    veiligheid: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z M9 12l2 2 4-4',
    taal: 'M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2z M4 21a2 2 0 0 1 2-2h13 M8 7h7 M8 11h5',
    beperking: 'M10 5a2 2 0 1 0 0-4a2 2 0 1 0 0 4z M10 7v6h6l2 6 M10 10h5 M7.5 11.5A5.5 5.5 0 1 0 15 18',
    advies: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 11v6 M12 7.5v.5',
    phone: 'M5 3h4l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2z',
    clock: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 7v5l3 2',
    pin: 'M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z M12 12a2.5 2.5 0 1 0 0-5a2.5 2.5 0 1 0 0 5z',
    door: 'M5 21h14 M7 21V3h10v18 M14 12h.5',
    euro: 'M17 6.5A6.5 6.5 0 1 0 17 17.5 M4 10h9 M4 14h9',
    search: 'M10.5 4a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13z M15.5 15.5L21 21',
    close: 'M6 6l12 12 M18 6L6 18',
    print: 'M7 9V3h10v6 M7 17H4v-8h16v8h-3 M7 14h10v7H7z',
    calendar: 'M4 5h16v16H4z M4 10h16 M8 3v4 M16 3v4',
    mail: 'M3 5h18v14H3z M3 6l9 7 9-7',
    copy: 'M8 8h12v12H8z M4 16V4h12',
    people: 'M9 8a3 3 0 1 0 0-6a3 3 0 1 0 0 6z M3 20v-2a6 6 0 0 1 12 0v2'
  };

  /* An inline SVG icon, hidden from screen readers (the text next to it speaks). */
  SK.icon = function (name) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('fill', 'none');
    svg.setAttribute('stroke', 'currentColor');
    svg.setAttribute('stroke-width', '2');
    svg.setAttribute('stroke-linecap', 'round');
    svg.setAttribute('stroke-linejoin', 'round');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name] || ICONS.advies);
    svg.appendChild(path);
    return svg;
  };

  /* ---------- URL state ---------- */

  SK.params = function () {
    var out = {};
    new URLSearchParams(location.search).forEach(function (v, k) { if (v !== '') out[k] = v; });
    return out;
  };

  SK.query = function (obj) {
    var p = new URLSearchParams();
    Object.keys(obj).forEach(function (k) {
      var v = obj[k];
      if (v === undefined || v === null || v === '' || v === false) return;
      if (Array.isArray(v)) { if (v.length) p.set(k, v.join(',')); } else p.set(k, String(v));
    });
    var s = p.toString();
    return s ? '?' + s : '';
  };

  SK.setUrl = function (obj, push) {
    var url = location.pathname + SK.query(obj);
    if (url === location.pathname + location.search) return;
    if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
  };

  /* ---------- API ---------- */

  SK.ApiError = function (status, title, detail) {
    this.status = status; this.title = title; this.detail = detail;
  };

  var pending = {};
  /* GET /api/v1/<path>?<params> as JSON. A newer call with the same `slot`
     aborts the older one, so fast typing never shows stale results. */
  SK.api = function (path, params, slot) {
    if (slot && pending[slot]) pending[slot].abort();
    var ctl = typeof AbortController === 'function' ? new AbortController() : null;
    if (slot && ctl) pending[slot] = ctl;
    var url = '/api/v1/' + path + (params ? SK.query(params) : '');
    return fetch(url, { headers: { Accept: 'application/json' }, signal: ctl ? ctl.signal : undefined })
      .then(function (res) {
        return res.text().then(function (body) {
          var data = null;
          try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
          if (!res.ok) {
            throw new SK.ApiError(res.status, (data && data.title) || 'Er ging iets mis', (data && data.detail) || '');
          }
          return data;
        });
      });
  };

  SK.isAbort = function (e) { return e && e.name === 'AbortError'; };

  /* A Dutch message for a failed request, always with the way out: the phone. */
  SK.errorBox = function (e) {
    var msg = 'Het lukt nu niet om gegevens op te halen.';
    if (e instanceof SK.ApiError && e.status === 404) msg = 'Dit onderdeel bestaat niet (meer).';
    else if (e instanceof SK.ApiError && e.status === 400) msg = e.title + (e.detail ? ': ' + e.detail : '');
    return SK.el('div', { class: 'notice error', role: 'alert' },
      SK.el('p', null, msg),
      SK.el('p', null, 'U kunt ook bellen met ', SK.infoPhones(), '.'));
  };

  /* ---------- taxonomy ---------- */

  var taxPromise = null;
  SK.taxonomy = function () {
    if (taxPromise) return taxPromise;
    var cached = null;
    try { cached = JSON.parse(sessionStorage.getItem('sk-taxonomy') || 'null'); } catch (e) { cached = null; }
    if (cached && cached.needs) { taxPromise = Promise.resolve(indexTaxonomy(cached)); return taxPromise; }
    taxPromise = SK.api('taxonomy').then(function (t) {
      try { sessionStorage.setItem('sk-taxonomy', JSON.stringify(t)); } catch (e) { /* private mode */ }
      return indexTaxonomy(t);
    }, function (e) { taxPromise = null; throw e; });
    return taxPromise;
  };

  function list(t, names) {
    for (var i = 0; i < names.length; i++) if (Array.isArray(t[names[i]])) return t[names[i]];
    return [];
  }

  /* The API sends flat lists with parent_code; nest them as the file does. */
  function nest(items) {
    if (!items.some(function (x) { return x.parent_code; })) return items;
    var byCode = {}, roots = [];
    items.forEach(function (x) { byCode[x.code] = Object.assign({}, x, { children: [] }); });
    items.forEach(function (x) {
      var parent = x.parent_code && byCode[x.parent_code];
      if (parent) parent.children.push(byCode[x.code]); else roots.push(byCode[x.code]);
    });
    return roots;
  }

  function indexTaxonomy(t) {
    var tax = {
      raw: t,
      needs: nest(list(t, ['needs'])),
      target_groups: list(t, ['target_groups', 'targetGroups']),
      municipalities: list(t, ['municipalities']),
      scopes: list(t, ['scopes']),
      access: list(t, ['access']),
      costs: list(t, ['costs', 'cost']),
      laws: list(t, ['laws']),
      byCode: {}
    };
    function add(kind, items) {
      items.forEach(function (it) {
        tax.byCode[kind + ':' + it.code] = it;
        if (it.children) add(kind, it.children);
      });
    }
    add('need', tax.needs);
    add('target_group', tax.target_groups);
    add('municipality', tax.municipalities);
    add('municipality', tax.scopes);
    add('access', tax.access);
    add('cost', tax.costs);
    add('law', tax.laws);
    tax.label = function (kind, code) {
      var it = tax.byCode[kind + ':' + code];
      return it ? (it.label || it.name || code) : code;
    };
    tax.item = function (kind, code) { return tax.byCode[kind + ':' + code] || null; };
    return tax;
  }

  /* Short labels for the tiles; the full label is in the taxonomy. */
  SK.SHORT_NEED = {
    geld: 'Geld en schulden', werk: 'Werk en meedoen', opvoeden: 'Opvoeden en opgroeien',
    psychisch: 'Je niet goed voelen', ontmoeten: 'Mensen ontmoeten', thuis: 'Thuis blijven wonen',
    geheugen: 'Geheugen en dementie', mantelzorg: 'Zorgen voor een ander', gezondheid: 'Gezond leven',
    wonen: 'Een huis vinden', veiligheid: 'Veiligheid en geweld', taal: 'Taal en computer',
    beperking: 'Beperking of ziekte', advies: 'Advies en rechten'
  };

  /* Target groups residents choose from (not "Professionals en verwijzers"). */
  SK.forResidents = function (g) { return !(g.professional_only || g.code === 'professionals'); };

  /* ---------- reading API records defensively ---------- */

  /* A field may arrive as a code string or as {code, label}. */
  SK.code = function (x) {
    if (Array.isArray(x)) x = x[0];
    return x && typeof x === 'object' ? (x.code || x.id || '') : (x || '');
  };
  SK.codes = function (x) { return Array.isArray(x) ? x.map(SK.code) : (x ? [SK.code(x)] : []); };
  SK.labelOf = function (tax, kind, x) {
    if (Array.isArray(x)) x = x[0];
    if (x && typeof x === 'object' && (x.label || x.name)) return x.label || x.name;
    return tax ? tax.label(kind, SK.code(x)) : SK.code(x);
  };

  SK.orgName = function (s) {
    var o = s.organization;
    if (!o) return s.organization_name || '';
    return typeof o === 'string' ? o : (o.name || '');
  };
  SK.orgEmail = function (s) {
    var o = s.organization;
    return (o && typeof o === 'object' && o.email) || s.organization_email || '';
  };

  SK.phones = function (s) {
    var ph = s.phones || [];
    if (!ph.length && s.phone) ph = [{ number: s.phone }];
    if (!ph.length && s.organization && s.organization.phone) ph = [{ number: s.organization.phone }];
    if (!ph.length && s.organization && Array.isArray(s.organization.phones)) ph = s.organization.phones;
    return ph.map(function (p) { return typeof p === 'string' ? { number: p } : p; })
      .filter(function (p) { return p && p.number; });
  };

  SK.locations = function (s) {
    var ls = s.locations || [];
    if (!ls.length && s.service_at_locations) ls = s.service_at_locations.map(function (x) { return x.location || x; });
    return ls.filter(Boolean);
  };

  SK.address = function (loc) {
    if (!loc) return '';
    var a = loc.address;
    if (a && typeof a === 'object') loc = Object.assign({}, loc, a);
    else if (!a && loc.addresses && loc.addresses[0]) loc = Object.assign({}, loc, loc.addresses[0]);
    var street = typeof loc.address === 'string' ? loc.address : (loc.address_1 || loc.street || '');
    var pc = loc.postal_code || loc.postcode || '';
    var parts = [street, [pc, loc.city].filter(Boolean).join(' ')].filter(Boolean);
    return parts.join(', ');
  };

  /* ---------- phone numbers ---------- */

  SK.telHref = function (number) {
    var digits = String(number).replace(/[^\d+]/g, '');
    if (/^00/.test(digits)) digits = '+' + digits.slice(2);
    else if (/^0[1-9]/.test(digits) && !/^0800|^0900/.test(digits)) digits = '+31' + digits.slice(1);
    return 'tel:' + digits;
  };

  SK.telLink = function (number, label) {
    return SK.el('a', { class: 'tel', href: SK.telHref(number) }, label || number);
  };

  /* ---------- opening hours ---------- */

  var DAYS = ['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'];
  var DAY_NAMES = { ma: 'maandag', di: 'dinsdag', wo: 'woensdag', do: 'donderdag', vr: 'vrijdag', za: 'zaterdag', zo: 'zondag' };
  var RFC_DAY = { MO: 'ma', TU: 'di', WE: 'wo', TH: 'do', FR: 'vr', SA: 'za', SU: 'zo' };

  function normDay(d) {
    if (typeof d === 'number') return d >= 1 && d <= 7 ? DAYS[d - 1] : (d === 0 ? 'zo' : null);
    d = String(d).trim();
    if (RFC_DAY[d.toUpperCase()]) return RFC_DAY[d.toUpperCase()];
    d = d.toLowerCase().slice(0, 2);
    return DAYS.indexOf(d) >= 0 ? d : null;
  }

  /* Schedules as [{days:['ma',..], opens:'09:00', closes:'12:00', note}] whatever the API calls them. */
  SK.schedules = function (s) {
    var raw = s.hours || s.schedules || s.regular_schedules || [];
    return raw.map(function (h) {
      var days = h.days || h.byday || h.weekdays || (h.weekday !== undefined && h.weekday !== null ? [h.weekday] : null) || (h.day ? [h.day] : []);
      if (typeof days === 'string') days = days.split(/[,\s]+/);
      return {
        days: days.map(normDay).filter(Boolean),
        opens: String(h.opens || h.opens_at || '').slice(0, 5),
        closes: String(h.closes || h.closes_at || '').slice(0, 5),
        note: h.note || h.description || ''
      };
    }).filter(function (h) { return h.days.length && h.opens && h.closes; });
  };

  function time(t) { return t.replace(/^0(\d)/, '$1').replace(':', '.'); }

  function dayRun(days) {
    var idx = days.map(function (d) { return DAYS.indexOf(d); }).sort(function (a, b) { return a - b; });
    var contiguous = idx.length > 2 && idx[idx.length - 1] - idx[0] === idx.length - 1;
    if (contiguous) return DAY_NAMES[DAYS[idx[0]]] + ' tot en met ' + DAY_NAMES[DAYS[idx[idx.length - 1]]];
    var names = idx.map(function (i) { return DAY_NAMES[DAYS[i]]; });
    if (names.length === 1) return names[0];
    return names.slice(0, -1).join(', ') + ' en ' + names[names.length - 1];
  }

  /* Opening hours as Dutch lines: "maandag tot en met vrijdag: 9.00 tot 12.00 uur". */
  SK.hoursLines = function (s) {
    var groups = {};
    var order = [];
    SK.schedules(s).forEach(function (h) {
      var key = h.opens + '-' + h.closes + '|' + h.note;
      if (!groups[key]) { groups[key] = { days: [], h: h }; order.push(key); }
      h.days.forEach(function (d) { if (groups[key].days.indexOf(d) < 0) groups[key].days.push(d); });
    });
    return order.map(function (k) {
      var g = groups[k];
      var line = dayRun(g.days) + ': ' + time(g.h.opens) + ' tot ' + time(g.h.closes) + ' uur';
      if (g.h.note) line += ' (' + g.h.note + ')';
      return line.charAt(0).toUpperCase() + line.slice(1);
    });
  };

  /* Day and time now in the Netherlands, whatever the device's time zone. */
  SK.nowNL = function (date) {
    var d = date || new Date();
    var parts = {};
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
    } catch (e) {
      parts = { weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()], hour: String(d.getHours()), minute: String(d.getMinutes()) };
    }
    var map = { Mon: 'ma', Tue: 'di', Wed: 'wo', Thu: 'do', Fri: 'vr', Sat: 'za', Sun: 'zo' };
    var hh = ('0' + parts.hour).slice(-2), mm = ('0' + parts.minute).slice(-2);
    return { day: map[parts.weekday], time: hh + ':' + mm };
  };

  /* true/false when hours are known, null when not. The API's own open_now wins. */
  SK.openNow = function (s) {
    if (typeof s.open_now === 'boolean') return s.open_now;
    if (s.open_now === 1 || s.open_now === 0) return s.open_now === 1;
    var hs = SK.schedules(s);
    if (!hs.length) return null;
    var now = SK.nowNL();
    return hs.some(function (h) { return h.days.indexOf(now.day) >= 0 && h.opens <= now.time && now.time < h.closes; });
  };

  /* ---------- dates ---------- */

  var MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];

  SK.parseDate = function (iso) {
    if (!iso) return null;
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
    if (!m) return null;
    return new Date(+m[1], +m[2] - 1, +m[3]);
  };

  SK.dateNL = function (d) { return d.getDate() + ' ' + MONTHS[d.getMonth()] + ' ' + d.getFullYear(); };

  SK.STALE_DAYS = 365;

  SK.isActivity = function (s) { return !!s && (s.kind === 'activiteit' || (!s.kind && !!s.activity)); };

  /* "Laatst gecontroleerd" line, flagged when older than a year or unknown.
     Activities come from a calendar that is read again every day and carry
     no check date: for them, say whose calendar it is. */
  SK.checked = function (s) {
    var iso = s.assured_date || (s.assured && s.assured.date) || '';
    var d = SK.parseDate(iso);
    var p = SK.el('p', { class: 'checked' });
    if (!d && SK.isActivity(s)) {
      var who = (s.activity && s.activity.organizer) || SK.orgName(s);
      SK.append(p, (who ? 'Uit de agenda van ' + who + '.' : 'Uit een agenda van een organisatie.') +
        ' Wij lezen die agenda elke dag opnieuw.');
      return p;
    }
    if (!d) {
      SK.append(p, [SK.el('span', { class: 'badge stale' }, 'Niet recent gecontroleerd'), ' Niet bekend wanneer dit is gecontroleerd.']);
      return p;
    }
    var age = (Date.now() - d.getTime()) / 86400000;
    SK.append(p, 'Laatst gecontroleerd: ' + SK.dateNL(d) + '. ');
    if (age > SK.STALE_DAYS || s.stale === true || s.stale === 1) {
      SK.append(p, SK.el('span', { class: 'badge stale' }, 'Niet recent gecontroleerd'));
    }
    return p;
  };

  /* ---------- areas ---------- */

  function ageText(min, max) {
    var lo = typeof min === 'number' && min >= 0 ? min : null;
    var hi = typeof max === 'number' && max >= 0 ? max : null;
    if (lo !== null && hi !== null) return 'alleen van ' + lo + ' tot en met ' + hi + ' jaar.';
    if (lo !== null) return 'alleen vanaf ' + lo + ' jaar.';
    if (hi !== null) return 'alleen tot en met ' + hi + ' jaar.';
    return '';
  }

  /* Where an offering is for, each municipality once. An area exception
     (Eemnes with its own youth route inside HBEL) is a municipality that a
     listed scope already covers: it is not listed again but becomes a note.
     Works on /services/{id} areas ({code, type, min_age, max_age, note}) and
     on search items ({code, label} plus area_match/area_note).
     Returns {text: 'Huizen, Blaricum, Eemnes en Laren (HBEL)', notes: [...]} */
  SK.areaInfo = function (tax, s) {
    var areas = (s.areas || []).map(function (a) { return typeof a === 'string' ? { code: a } : a; })
      .filter(function (a) { return a && SK.code(a); });
    function isScope(a) {
      return a.type === 'scope' || !!(tax && tax.scopes.some(function (x) { return x.code === SK.code(a); }));
    }
    var scopes = areas.filter(isScope).map(function (a) { return SK.code(a); });
    function covered(a) {
      if (isScope(a) || !tax) return false;
      var m = tax.item('municipality', SK.code(a));
      var in_ = (m && m.scopes) || [];
      return scopes.some(function (sc) { return in_.indexOf(sc) >= 0; });
    }
    var labels = [], notes = [], usedAreaNote = false;
    function note(t) { if (t && notes.indexOf(t) < 0) notes.push(t); }
    areas.forEach(function (a) {
      var code = SK.code(a), label = SK.labelOf(tax, 'municipality', a);
      var detailed = 'note' in a || 'min_age' in a || 'max_age' in a;
      if (!covered(a)) {
        if (labels.indexOf(label) < 0) labels.push(label);
        if (detailed) note(a.note ? String(a.note) : '');
        return;
      }
      var text = detailed ? [ageText(a.min_age, a.max_age), a.note ? String(a.note) : ''].filter(Boolean).join(' ') : '';
      if (!detailed && s.area_note && s.area_match === code) { text = String(s.area_note); usedAreaNote = true; }
      if (!detailed && !text) text = 'hier gelden andere regels. Kijk bij de details.';
      if (text) note(label + ': ' + text);
    });
    if (s.area_note && !usedAreaNote) note(String(s.area_note));
    return { text: labels.join(', '), notes: notes };
  };

  /* ---------- plain-language explanations ---------- */

  SK.GLOSSARY = [
    { re: /\bWmo\b/i, text: 'Wmo: de wet waarmee de gemeente u helpt om zelfstandig te wonen en mee te doen.' },
    { re: /\bindicatie\b/i, text: 'Indicatie: de gemeente praat met u en besluit dan of u deze hulp krijgt.' },
    { re: /\bPOH\b/, text: 'POH: de praktijkondersteuner bij de huisarts, bijvoorbeeld voor psychische klachten.' }
  ];

  /* One-line explanations for the jargon found in the given texts, each once per page area. */
  SK.explainTerms = function (texts, seen) {
    var all = texts.filter(Boolean).join(' ');
    var out = [];
    SK.GLOSSARY.forEach(function (g) {
      if (g.re.test(all) && !(seen && seen[g.text])) { out.push(g.text); if (seen) seen[g.text] = true; }
    });
    return out;
  };

  var ACCESS_RESIDENT = {
    vrij: 'U kunt zelf binnenlopen, bellen of mailen. U heeft geen verwijzing nodig.',
    aanmelden: 'U heeft geen verwijzing nodig. U moet zich wel eerst aanmelden of een afspraak maken.',
    verwijzing: 'U heeft een verwijzing nodig, bijvoorbeeld van de huisarts, de POH of een consulent.',
    indicatie: 'U heeft een indicatie van de gemeente nodig. Bel eerst de gemeente voor een gesprek.'
  };

  /* Costs in plain words (as the server's word list, web_pages.c plain_terms). */
  var COST_RESIDENT = {
    'eigen-bijdrage': { label: 'U betaalt een deel zelf', explain: 'U betaalt elke maand een vast bedrag. Dat bedrag regelt het CAK, een landelijke organisatie.' },
    vergoed: { label: 'Uw zorgverzekering betaalt', explain: 'Vraag bij uw verzekering of u zelf iets betaalt, zoals eigen risico.' },
    betaald: { label: 'U betaalt zelf', explain: '' }
  };

  /* The access route in plain words: the taxonomy's explanation, or ours. */
  SK.accessText = function (tax, s) {
    var a = Array.isArray(s.access) ? s.access[0] : s.access;
    var code = SK.code(a);
    var item = tax && tax.item('access', code);
    /* The resident's words win over the taxonomy's (B1 rather than 'algemene voorziening'). */
    var explain = ACCESS_RESIDENT[code] || (a && typeof a === 'object' && a.explain) || (item && item.explain) || '';
    var label = SK.labelOf(tax, 'access', a);
    return { code: code, label: label, explain: explain };
  };

  SK.costText = function (tax, s) {
    var c = Array.isArray(s.cost) ? s.cost[0] : s.cost;
    var code = SK.code(c);
    var item = tax && tax.item('cost', code);
    var label = COST_RESIDENT[code] ? COST_RESIDENT[code].label : SK.labelOf(tax, 'cost', c);
    var explain = s.fees || s.fees_description || (COST_RESIDENT[code] && COST_RESIDENT[code].explain) ||
      (c && c.explain) || (item && item.explain) || '';
    /* "Gratis" and fees "Gratis." say the same: once. */
    if (explain.replace(/[.\s]+$/, '').toLowerCase() === String(label).toLowerCase()) explain = '';
    return { code: code, label: label, explain: explain };
  };

  /* ---------- municipality memory ---------- */

  SK.getPlace = function () {
    try { return localStorage.getItem('sk-gemeente') || ''; } catch (e) { return ''; }
  };
  SK.setPlace = function (code) {
    try { if (code) localStorage.setItem('sk-gemeente', code); else localStorage.removeItem('sk-gemeente'); } catch (e) { /* private mode */ }
  };

  /* The four HBEL municipalities first, then the rest of the region. */
  SK.fillPlaces = function (select, tax, emptyLabel) {
    SK.clear(select);
    select.appendChild(SK.el('option', { value: '' }, emptyLabel || 'Alle gemeenten'));
    var hbel = [], other = [];
    tax.municipalities.forEach(function (m) {
      ((m.scopes || []).indexOf('hbel') >= 0 ? hbel : other).push(m);
    });
    var g1 = SK.el('optgroup', { label: 'Huizen, Blaricum, Eemnes en Laren' });
    hbel.forEach(function (m) { g1.appendChild(SK.el('option', { value: m.code }, m.name || m.label)); });
    select.appendChild(g1);
    if (other.length) {
      var g2 = SK.el('optgroup', { label: 'Rest van de regio' });
      other.forEach(function (m) { g2.appendChild(SK.el('option', { value: m.code }, m.name || m.label)); });
      select.appendChild(g2);
    }
  };

  SK.fillOptions = function (select, items, emptyLabel) {
    SK.clear(select);
    select.appendChild(SK.el('option', { value: '' }, emptyLabel));
    items.forEach(function (it) { select.appendChild(SK.el('option', { value: it.code }, it.label || it.name)); });
  };

  /* ---------- shared pieces of a result ---------- */

  /* The readable address of a name, as the server makes it (web_html.c wh_slug). */
  SK.slug = function (name) {
    var t = String(name || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    t = t.slice(0, 60).replace(/-+$/, '');
    return t || 'aanbod';
  };
  SK.detailHref = function (s) { return '/aanbod/' + encodeURIComponent(s.id) + '/' + SK.slug(s.name); };

  /* "Klopt er iets niet?" on a result card: to the form on the detail page. */
  SK.reportLink = function (s) {
    return SK.el('a', { href: SK.detailHref(s) + '#klopt-niet' },
      'Klopt er iets niet?', SK.el('span', { class: 'visually-hidden' }, ' ' + (s.name || '')));
  };

  /* POST JSON to the API (same origin); resolves {status, data}. */
  SK.post = function (path, body, headers) {
    var h = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (headers) Object.keys(headers).forEach(function (k) { h[k] = headers[k]; });
    return fetch('/api/v1/' + path, { method: 'POST', headers: h, body: JSON.stringify(body || {}), credentials: 'same-origin' })
      .then(function (res) {
        return res.text().then(function (t) {
          var data = null;
          try { data = t ? JSON.parse(t) : null; } catch (e) { data = null; }
          return { status: res.status, data: data, res: res };
        });
      });
  };

  /* "Klopt er iets niet?": a small form that sends a correction to the
     organisation and the redactie (no login; the server guards against spam). */
  SK.reportForm = function (s) {
    var el = SK.el, token = null, tokenAt = 0;
    var status = el('div', { role: 'status', class: 'report-status' });
    var msg = el('textarea', { id: 'report-message', name: 'message', rows: '4', maxlength: '2000', required: true, 'aria-describedby': 'report-message-hint' });
    var name = el('input', { type: 'text', id: 'report-name', name: 'name', maxlength: '100', autocomplete: 'name' });
    var mail = el('input', { type: 'text', inputmode: 'email', id: 'report-email', name: 'email', maxlength: '254', autocomplete: 'email', 'aria-describedby': 'report-email-hint' });
    var trap = el('input', { type: 'text', id: 'report-website', name: 'website', tabindex: '-1', autocomplete: 'off' });
    var send = el('button', { class: 'button', type: 'submit' }, 'Versturen');
    var form = el('form', { class: 'report-form', novalidate: true },
      el('p', { class: 'hint' }, 'Schrijf wat er niet klopt. De organisatie en de redactie lezen het en passen het aan.'),
      el('div', { class: 'field' }, el('label', { for: 'report-message' }, 'Wat klopt er niet?'),
        el('p', { class: 'hint', id: 'report-message-hint' }, 'Bijvoorbeeld: het telefoonnummer is veranderd.'), msg),
      el('div', { class: 'field' }, el('label', { for: 'report-name' }, 'Uw naam (mag leeg blijven)'), name),
      el('div', { class: 'field' }, el('label', { for: 'report-email' }, 'Uw e-mailadres (mag leeg blijven)'),
        el('p', { class: 'hint', id: 'report-email-hint' }, 'Alleen als u antwoord wilt.'), mail),
      el('div', { class: 'visually-hidden', 'aria-hidden': 'true' }, el('label', { for: 'report-website' }, 'Laat dit veld leeg'), trap),
      send, status);
    var box = el('details', { class: 'report no-print', id: 'klopt-niet' },
      el('summary', null, 'Klopt er iets niet?'), form);
    function getToken() {
      if (token) return;
      SK.api('corrections/token').then(function (t) { token = t.form_token; tokenAt = Date.now(); }, function () { token = null; });
    }
    box.addEventListener('toggle', function () { if (box.open) getToken(); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      msg.removeAttribute('aria-invalid');
      if (!msg.value.trim()) {
        msg.setAttribute('aria-invalid', 'true');
        status.textContent = 'Schrijf eerst wat er niet klopt.';
        msg.focus();
        return;
      }
      if (!token) { getToken(); status.textContent = 'Even geduld. Probeer het zo nog een keer.'; return; }
      /* The server drops forms sent within seconds of opening (robots). */
      var wait = Math.max(0, 3500 - (Date.now() - tokenAt));
      send.disabled = true;
      status.textContent = 'Bezig met versturen…';
      setTimeout(function () {
        SK.post('services/' + encodeURIComponent(s.id) + '/corrections',
          { message: msg.value, name: name.value, email: mail.value, form_token: token, website: trap.value })
          .then(function (r) {
            send.disabled = false;
            if (r.status === 201) {
              SK.clear(form);
              form.appendChild(el('p', { class: 'notice', role: 'status' }, 'Dank u wel. Uw bericht is verstuurd naar de organisatie en de redactie.'));
              return;
            }
            var d = r.data || {};
            var first = d.errors && d.errors[0];
            if (first && first.field === 'message') msg.setAttribute('aria-invalid', 'true');
            if (first && first.field === 'form_token') token = null;
            status.textContent = (d.message || d.detail || 'Versturen lukt nu niet.') + (r.status === 429 ? '' : '');
          }, function () {
            send.disabled = false;
            status.textContent = 'Versturen lukt nu niet. Probeer het later nog een keer.';
          });
      }, wait);
    });
    if (location.hash === '#klopt-niet') { box.open = true; getToken(); }
    return box;
  };

  SK.fact = function (icon, children) {
    return SK.el('div', { class: 'fact' }, SK.icon(icon), SK.el('div', null, children));
  };

  /* The crisis banner: large, first, every number tap-to-call. */
  SK.crisisBanner = function (lines, violence) {
    if (!Array.isArray(lines) || !lines.length) lines = SK.CRISIS_LINES;
    var list = SK.el('ul');
    var has112 = false;
    /* The search's lines in its order, every number of each (at most 3). */
    lines.forEach(function (l) {
      var numbers = (l.phones || []).map(function (p) { return p && p.number; }).filter(Boolean).slice(0, 3);
      if (!numbers.length && (l.number || l.phone)) numbers = [l.number || l.phone];
      numbers.forEach(function (number) {
        if (String(number).replace(/\D/g, '') === '112') has112 = true;
        list.appendChild(SK.el('li', null,
          SK.el('a', { class: 'call', href: SK.telHref(number) }, SK.icon('phone'),
            SK.el('span', { class: 'call-text' },
              SK.el('span', { class: 'call-name' }, (l.name || '') + ':'),
              SK.el('span', { class: 'call-number' }, 'Bel ' + number)))));
      });
    });
    if (!has112) list.appendChild(SK.el('li', null,
      SK.el('a', { class: 'call', href: 'tel:112' }, SK.icon('phone'),
        SK.el('span', { class: 'call-text' },
          SK.el('span', { class: 'call-name' }, 'Bij direct gevaar:'),
          SK.el('span', { class: 'call-number' }, 'Bel 112')))));
    return SK.el('section', { class: 'crisis', 'aria-labelledby': 'crisis-title', id: 'crisis', tabindex: '-1' },
      SK.el('h2', { id: 'crisis-title' }, 'Heeft u nu hulp nodig?'),
      SK.el('p', null, 'U staat er niet alleen voor. Bel meteen. Bellen is gratis.'),
      list,
      SK.el('p', null, 'Liever chatten? ', SK.el('a', { href: 'https://www.113.nl/' }, 'Chat met 113'), ' (gratis, dag en nacht).'),
      violence ? SK.el('p', { class: 'quick-exit-row' }, 'Wilt u deze website snel wegklikken? ', SK.quickExit()) : null);
  };

  /* "Snel weg": to a neutral site, and this page leaves the history. */
  SK.QUICK_EXIT_URL = 'https://www.google.nl/';
  SK.quickExit = function () {
    var a = SK.el('a', { class: 'quick-exit', href: SK.QUICK_EXIT_URL, 'data-quick-exit': '', rel: 'noreferrer' },
      'Snel weg', SK.el('span', { class: 'visually-hidden' }, ' van deze website'));
    return a;
  };
  /* A crisis about violence: the search's crisis kind, else its need codes. */
  SK.isViolence = function (r, need) {
    var kind = r && (r.crisis_kind || (r.crisis && typeof r.crisis === 'object' && r.crisis.kind));
    var kinds = (r && Array.isArray(r.crisis_kinds) ? r.crisis_kinds : []).concat(kind ? [kind] : []);
    if (kinds.length) return kinds.some(function (k) { return /geweld|violence|veilig/.test(String(k)); });
    if (need && need.indexOf('veiligheid') === 0) return true;
    var codes = [];
    (r && r.concepts || []).forEach(function (c) { codes.push(c.code || ''); });
    (r && r.crisis_lines || []).forEach(function (l) { (l.needs || []).forEach(function (n) { codes.push(n.code || ''); }); });
    return codes.some(function (c) { return c.indexOf('veiligheid') === 0; });
  };
  document.addEventListener('click', function (ev) {
    var a = ev.target && ev.target.closest && ev.target.closest('[data-quick-exit]');
    if (!a) return;
    ev.preventDefault();
    try { document.body.hidden = true; } catch (e) { /* nothing */ }
    window.location.replace(a.href);
  });

  /* Copy text to the clipboard; a promise. Falls back to a hidden textarea. */
  SK.copyText = function (text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var ta = SK.el('textarea', { class: 'visually-hidden', readonly: true });
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) resolve(); else reject(new Error('copy'));
    });
  };

  /* Mark the current page in the navigation; show what needs JavaScript. */
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-needs-js]').forEach(function (n) { n.hidden = false; });
  });
})();
