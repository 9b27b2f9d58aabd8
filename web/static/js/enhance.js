/* Small enhancements of the server-rendered pages; every page works
   without this file. "Snel weg" is handled in common.js. */
(function () {
  'use strict';

  /* A search that raised the crisis block: it is first on the page; move
     focus to it and say so in the live region. */
  function crisisFirst() {
    var crisis = document.getElementById('crisis');
    if (!crisis) return;
    crisis.focus({ preventScroll: true });
    crisis.scrollIntoView({ block: 'start' });
    var live = document.getElementById('sr-status');
    if (!live) {
      live = document.createElement('p');
      live.className = 'visually-hidden';
      live.setAttribute('role', 'status');
      live.id = 'sr-status';
      document.body.appendChild(live);
    }
    /* Set after the page settled, so screen readers announce the change. */
    window.requestAnimationFrame(function () {
      live.textContent = 'Heeft u nu hulp nodig? Bovenaan staan telefoonnummers die u meteen kunt bellen.';
    });
  }

  /* "Klopt er iets niet?": open the form and put the cursor in it. */
  function openReport() {
    if (location.hash !== '#klopt-niet') return;
    var box = document.getElementById('klopt-niet');
    var field = document.getElementById('report-message');
    if (!box || !field) return;
    box.open = true;
    box.scrollIntoView({ block: 'start' });
    field.focus({ preventScroll: true });
  }

  document.addEventListener('DOMContentLoaded', crisisFirst);
  /* After load: the browser's own scroll to the #fragment (a <details>,
     not focusable) clears the focus; ours must come after it. */
  window.addEventListener('load', function () { window.requestAnimationFrame(openReport); });
  window.addEventListener('hashchange', openReport);
})();
