/* The password pages (portaal/wachtwoord.html, wachtwoord-vergeten.html):
 * forms that work without this script too; it only fills in the reset
 * token from the link, the CSRF token of the session, and says in words
 * what the server's answer (?fout=, ?verstuurd=) means. */
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var messages = {
    huidig: 'Uw huidige wachtwoord klopt niet. Probeer het opnieuw.',
    nieuw: 'Het nieuwe wachtwoord is te kort. Kies minstens 12 tekens.',
    vaak: 'U heeft het te vaak geprobeerd. Probeer het over een kwartier opnieuw.',
    link: 'Deze link werkt niet meer. Hij is al gebruikt of ouder dan 24 uur. Vraag een nieuwe link aan.',
    uit: 'Een nieuw wachtwoord aanvragen kan hier niet. Bel het Informatiepunt.'
  };
  function say(text, ok) {
    var box = document.getElementById('pw-message');
    if (!box) return;
    box.textContent = text;
    box.className = ok ? 'notice' : 'error';
  }
  document.addEventListener('DOMContentLoaded', function () {
    var fout = params.get('fout');
    if (fout && messages[fout]) say(messages[fout], false);
    if (params.get('verstuurd')) {
      say('Als dit e-mailadres bij ons bekend is, krijgt u binnen een paar minuten een e-mail met een link.', true);
    }
    var token = params.get('token');
    var reset = document.getElementById('reset');
    var change = document.getElementById('change');
    if (reset && token) {
      document.getElementById('reset-token').value = token;
      reset.hidden = false;
      if (change) change.hidden = true;
      return;
    }
    var csrf = document.getElementById('change-csrf');
    if (!csrf) return;
    fetch('/api/v1/auth/me', {credentials: 'same-origin'}).then(function (r) {
      if (r.status === 401) {
        location.href = '/portaal/inloggen.html';
        return null;
      }
      return r.ok ? r.json() : null;
    }).then(function (me) {
      if (me && me.csrf) csrf.value = me.csrf;
    }).catch(function () {
      say('Het portaal is nu niet bereikbaar. Probeer het later opnieuw.', false);
    });
  });
})();
