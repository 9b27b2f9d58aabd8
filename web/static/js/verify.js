/* The page behind the personal verification link (bevestigen.html?t=...):
 * lists the organisation's offerings and sends "Klopt nog" or "Dit moet
 * anders" per offering to /api/v1/verify/{token}/{id}. The token in the
 * address is the only credential; it is never stored. */
(function () {
  'use strict';
  var token = new URLSearchParams(location.search).get('t') || '';
  var statusEl = document.getElementById('verify-status');
  var listEl = document.getElementById('verify-list');
  var orgEl = document.getElementById('verify-org');

  function say(text) { statusEl.textContent = text; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  function api(path, body) {
    var opts = body ? {method: 'POST', headers: {'Content-Type': 'application/json'},
                       body: JSON.stringify(body)} : {};
    return fetch('/api/v1/verify/' + encodeURIComponent(token) + path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error(j.detail || j.message || 'Er ging iets mis. Probeer het later opnieuw.');
        return j;
      });
    });
  }

  function row(entry) {
    var li = el('li', {'class': 'verify-item'});
    li.appendChild(el('h3', {}, entry.name));
    var state = el('p', {'class': 'verify-state'}, 'Stand: ' + entry.state +
                   (entry.due ? ' (graag nakijken voor ' + entry.due + ')' : ''));
    li.appendChild(state);
    var done = el('p', {'class': 'verify-done', role: 'status'});
    var ok = el('button', {type: 'button'}, 'Klopt nog');
    var change = el('button', {type: 'button', 'class': 'secondary'}, 'Dit moet anders');
    var form = el('form', {hidden: ''});
    var id = 'msg-' + entry.id;
    form.appendChild(el('label', {'for': id}, 'Wat moet er anders?'));
    var ta = el('textarea', {id: id, rows: '4', maxlength: '2000', required: ''});
    form.appendChild(ta);
    form.appendChild(el('button', {type: 'submit'}, 'Versturen'));
    function answered(j) {
      ok.hidden = change.hidden = form.hidden = true;
      done.textContent = j.message || 'Dank u wel.';
      done.focus && done.setAttribute('tabindex', '-1');
      done.focus();
    }
    function failed(e) { done.textContent = e.message; }
    ok.addEventListener('click', function () {
      api('/' + entry.id, {answer: 'ok'}).then(answered, failed);
    });
    change.addEventListener('click', function () { form.hidden = false; ta.focus(); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      api('/' + entry.id, {answer: 'change', message: ta.value}).then(answered, failed);
    });
    li.appendChild(ok);
    li.appendChild(change);
    li.appendChild(form);
    li.appendChild(done);
    return li;
  }

  if (!token) { say('Deze link is niet compleet. Open de link uit de e-mail opnieuw.'); return; }
  say('Even geduld…');
  api('').then(function (j) {
    orgEl.textContent = (j.organization && j.organization.name) || '';
    orgEl.hidden = false;
    (j.entries || []).forEach(function (e) { listEl.appendChild(row(e)); });
    say(j.entries && j.entries.length ? (j.entries.length + ' onderdelen') :
        'Er is niets om na te kijken.');
  }, function (e) { say(e.message); });
})();
