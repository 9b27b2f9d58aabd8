// Browser tests of the portal (web/static/portaal) against the real server:
// accounts made with `sociale-kaart user add --password-stdin` in a temp
// database. A partner logs in, edits an entry (validation errors first),
// confirms one; the redactie approves the held edit; a visitor sends
// "Klopt er iets niet?". Issue 13: each role lands where it works; a
// partner sends a correction for an entry from someone else's feed to that
// feed's keeper; the redactie picks an organisation by name; the history
// reads as text; the printed client overview shows only what the client
// may see. Issue 15: an organisation claims its entry without JavaScript
// and the redactie approves it next to the verification and feed tasks.
// axe on every portal page; screenshots.
// Run by run.sh; environment: SK_SOURCE_DIR, SK_BIN, SK_CHROMIUM, SK_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const SRC = process.env.SK_SOURCE_DIR;
const BIN = process.env.SK_BIN;
const ART = path.join(process.env.SK_ARTIFACTS || path.join(SRC, 'tests/artifacts'), 'portal');
const AXE = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const PARTNER = 'partner@example.org', REDACTIE = 'redactie@example.org';
const KEEPER = 'feedbeheer@example.org', VOEDSELBANK = 'voedselbank@example.org', PRO = 'pro@example.org';
const FEED = 'sociale-basis-hbel';
const PASSWORD = 'een lang wachtwoord 42';

let tmp, db, server, serverLog = '', base, browser, orgId, entryId, vbOrg, vbEntry;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitHealthy(url, ms) {
  const end = Date.now() + ms;
  for (;;) {
    try { const r = await fetch(url + '/healthz'); if (r.ok) return; } catch { /* not up yet */ }
    if (server.exitCode !== null) throw new Error('server exited: ' + serverLog);
    if (Date.now() > end) throw new Error('server did not come up: ' + serverLog);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function userAdd(email, role, org, name, feed) {
  const args = ['user', 'add', '--db', db, '--email', email, '--name', name || (role === 'partner' ? 'Partner Test' : 'Redactie Test'),
    '--role', role, '--password-stdin'];
  if (org) args.push('--organization', org);
  if (feed) args.push('--feed', feed);
  execFileSync(BIN, args, { input: PASSWORD + '\n', stdio: ['pipe', 'ignore', 'inherit'] });
}

// One SQL statement on the test database with Debian's sqlite3 (scripts/setup.sh).
function sql(q) {
  return execFileSync('sqlite3', [db, q], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

// Log in with fetch (no browser): cookie and CSRF token for API set-up.
async function apiLogin(email) {
  const r = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }) });
  assert.equal(r.status, 200, 'login ' + email);
  const me = await r.json();
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: me.csrf };
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-portal-'));
  db = path.join(tmp, 'sk.db');
  const reg = JSON.parse(fs.readFileSync(path.join(SRC, 'feeds/feeds.json'), 'utf8'));
  for (const f of reg.feeds) {
    if (!/^[a-z]+:\/\//.test(f.location) && !path.isAbsolute(f.location)) f.location = 'file://' + path.join(SRC, 'feeds', f.location);
  }
  fs.writeFileSync(path.join(tmp, 'feeds.json'), JSON.stringify(reg));
  execFileSync(BIN, ['index', '--db', db, '--feeds', path.join(tmp, 'feeds.json'), '--taxonomy', path.join(SRC, 'feeds/taxonomy.json')],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 60000 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--db', db, '--bind', '127.0.0.1', '--port', String(port),
    '--static', path.join(SRC, 'web/static'), '--reindex-every', '0', '--access-log', '', '--public-url', base],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { serverLog = (serverLog + d).slice(-4000); });
  server.stderr.on('data', (d) => { serverLog = (serverLog + d).slice(-4000); });
  await waitHealthy(base, 15000);
  const s = await (await fetch(base + '/api/v1/search?q=schuldhulpverlening')).json();
  orgId = s.items[0].organization.id;
  userAdd(PARTNER, 'partner', orgId); // not trusted: its edits wait for the redactie
  userAdd(REDACTIE, 'redacteur', null);
  // An organisation that an aggregated feed lists (it does not keep that
  // feed), the feed's keeper, and a professional.
  const vb = (await (await fetch(base + '/api/v1/search?q=voedselpakket')).json()).items
    .find((x) => x.name === 'Voedselpakket van de voedselbank');
  vbOrg = vb.organization.id;
  vbEntry = vb.id;
  userAdd(VOEDSELBANK, 'partner', vbOrg, 'Vera Voedselbank');
  userAdd(KEEPER, 'partner', null, 'Kees Feedbeheer', FEED);
  userAdd(PRO, 'professional', null, 'Pim Professional');
  // The redactie makes a portal entry for the partner's organisation.
  const red = await apiLogin(REDACTIE);
  const r = await fetch(base + '/api/v1/partner/services', { method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: red.cookie, 'X-CSRF-Token': red.csrf },
    body: JSON.stringify({ organization: orgId, name: 'Hulp bij formulieren', summary: 'Samen uw post en formulieren invullen.',
      needs: ['geld'], areas: ['huizen'], access: 'vrij', cost: 'gratis',
      hours: [{ weekday: 2, opens: '09:00', closes: '12:00' }] }) });
  assert.equal(r.status, 201, await r.clone().text());
  entryId = (await r.json()).id;
  browser = await chromium.launch({
    executablePath: process.env.SK_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  fs.mkdirSync(ART, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(() => { server.kill('SIGKILL'); r(); }, 5000); server.once('exit', () => { clearTimeout(t); r(); }); });
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function open(url, opts = {}) {
  const context = opts.context || await browser.newContext({ viewport: { width: opts.width || 1280, height: 900 },
    javaScriptEnabled: opts.js !== false, reducedMotion: 'reduce', locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    // A 4xx answer the page handles (a 422 with field errors) is logged by chromium; that is fine.
    if (m.type() === 'error' && !/favicon|status of 4\d\d/.test(m.text())) page.problems.push('console: ' + m.text());
  });
  page.on('dialog', (d) => { page.problems.push('dialog: ' + d.message()); d.dismiss(); });
  if (url) await page.goto(base + url, { waitUntil: 'networkidle' });
  return page;
}

async function axe(page, name) {
  await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const v = r.violations.map((x) => `${x.id}: ${x.help} (${x.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')})`);
  assert.deepEqual(v, [], `axe violations on ${name}`);
}

async function shots(page, name) {
  for (const w of [375, 1280]) {
    await page.setViewportSize({ width: w, height: 900 });
    await page.screenshot({ path: path.join(ART, `${name}-${w}.png`), fullPage: true });
    const sw = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(sw[0] <= sw[1], `${name}: ${sw[0]} px wide in a ${sw[1]} px window`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

// Log in through the form, by keyboard; returns the page where the role
// lands (a partner on /portaal/, the redactie on its review queue there).
async function login(email, opts = {}) {
  const page = await open('/portaal/inloggen.html', opts);
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(opts.lands || /\/portaal\/(#reviews-title)?$/);
  if (!opts.lands) await page.waitForSelector('#entries:not([aria-busy])');
  return page;
}

test('login page: accessible, wrong password gives one clear message', async () => {
  const page = await open('/portaal/inloggen.html');
  await axe(page, 'login');
  await shots(page, 'login');
  await page.fill('#email', PARTNER);
  await page.fill('#password', 'niet het wachtwoord');
  await page.click('button[type="submit"]');
  await page.waitForSelector('#login-error .notice');
  assert.match(await page.textContent('#login-error'), /e-mailadres of het wachtwoord klopt niet/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('partner: mijn aanbod with to-do list, edit with validation errors, held for review, confirm', async () => {
  const page = await login(PARTNER);
  assert.match(await page.textContent('#who'), /Partner Test/);
  assert.match(await page.textContent('#entries'), /Hulp bij formulieren/);
  await page.waitForSelector('#todo:not([aria-busy])');
  await axe(page, 'mijn aanbod');
  await shots(page, 'mijn-aanbod');
  // The session cookie is HttpOnly: scripts cannot read it.
  assert.equal(await page.evaluate(() => document.cookie), '');

  // "Gegevens kloppen nog" from the list (before the edit: a confirmation
  // changes the entry, and a held edit based on the older version would conflict).
  await page.locator('#entries .entry', { hasText: 'Hulp bij formulieren' }).getByRole('button', { name: /Gegevens kloppen nog/ }).click();
  await page.waitForFunction(() => /is gecontroleerd/.test(document.querySelector('#page-status').textContent));
  const after = await (await fetch(base + '/api/v1/services/' + entryId)).json();
  assert.equal(after.stale, false);

  await page.goto(base + '/portaal/bewerken.html?soort=services&id=' + entryId, { waitUntil: 'networkidle' });
  await page.waitForSelector('#edit-form:not([aria-busy])');
  assert.equal(await page.inputValue('#f-name'), 'Hulp bij formulieren');
  assert.ok(await page.locator('#edit-form input[name="needs"][value="geld"]').isChecked(), 'taxonomy as choices');
  await axe(page, 'bewerken');
  // Live check on leaving the field.
  await page.fill('#f-name', '');
  await page.focus('#f-summary');
  await page.waitForFunction(() => document.querySelector('#f-name-error').textContent.length > 0);
  assert.equal(await page.getAttribute('#f-name', 'aria-invalid'), 'true');
  // Errors from the server, per field (the browser does not check min <= max).
  await page.fill('#f-name', 'Hulp bij post en formulieren');
  await page.fill('#f-min_age', '40');
  await page.fill('#f-max_age', '18');
  await page.click('#save');
  await page.waitForSelector('#error-summary .notice');
  const summary = await page.textContent('#error-summary');
  assert.match(summary, /leeftijd|min_age|max_age/i, summary);
  assert.ok((await page.textContent('[data-field="min_age"] .field-error')) + (await page.textContent('[data-field="max_age"] .field-error')), 'error next to the field');
  await axe(page, 'bewerken met fouten');
  await shots(page, 'bewerken-fouten');
  await page.fill('#f-min_age', '');
  await page.fill('#f-max_age', '');
  await page.click('#save');
  await page.waitForFunction(() => /redactie kijkt/.test(document.querySelector('#page-status').textContent));
  // Held: the public page still shows the old name.
  const pub = await (await fetch(base + '/api/v1/services/' + entryId)).json();
  assert.equal(pub.name, 'Hulp bij formulieren');

  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('redacteur: review queue with the field diff, approve; history', async () => {
  const page = await login(REDACTIE);
  await page.waitForSelector('#reviews .review');
  const item = page.locator('#reviews .review', { hasText: 'Hulp bij post en formulieren' });
  assert.match(await item.textContent(), /Naam/);
  await axe(page, 'redactie');
  await shots(page, 'redactie');
  await item.getByRole('button', { name: /Goedkeuren/ }).click();
  await page.waitForFunction(() => /goedgekeurd/.test(document.querySelector('#page-status').textContent));
  const pub = await (await fetch(base + '/api/v1/services/' + entryId)).json();
  assert.equal(pub.name, 'Hulp bij post en formulieren');
  // History with versions to restore.
  await page.goto(base + '/portaal/bewerken.html?soort=services&id=' + entryId, { waitUntil: 'networkidle' });
  await page.waitForSelector('#history-section:not([hidden]) .entry');
  assert.match(await page.textContent('#history'), /Versie 1/);
  await axe(page, 'geschiedenis');
  await shots(page, 'geschiedenis');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('feed health page', async () => {
  const page = await login(PARTNER);
  await page.goto(base + '/portaal/feeds.html', { waitUntil: 'networkidle' });
  await page.waitForSelector('#feeds:not([aria-busy]) .entry');
  await axe(page, 'feeds');
  await shots(page, 'feeds');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('"Klopt er iets niet?" sends a correction that reaches the partner', async () => {
  const page = await open('/aanbod.html?id=' + entryId);
  await page.waitForSelector('#detail:not([aria-busy])');
  await page.click('#klopt-niet summary');
  await page.fill('#report-message', 'Het spreekuur is verplaatst naar dinsdag.');
  await axe(page, 'detail met meldformulier');
  await page.click('#klopt-niet button[type="submit"]');
  await page.waitForFunction(() => /Dank u wel/.test(document.querySelector('#klopt-niet').textContent), null, { timeout: 10000 });
  await shots(page, 'klopt-niet');
  assert.deepEqual(page.problems, []);
  await page.context().close();
  const p = await apiLogin(PARTNER);
  const c = await (await fetch(base + '/api/v1/partner/corrections', { headers: { Cookie: p.cookie } })).json();
  assert.ok(c.items.some((x) => /dinsdag/.test(x.message)), JSON.stringify(c));
});

test('claim without JavaScript from an offering; the redacteur sees the tasks and approves it', async () => {
  // An organisation with an address in the data, no account, and an offering.
  const row = sql("SELECT o.id, o.email, s.id FROM organization o JOIN service s ON s.organization_rid = o.rid"
    + " WHERE o.status = 'active' AND coalesce(o.email, '') <> '' AND s.status = 'active' AND s.kind = 'aanbod'"
    + " AND NOT EXISTS (SELECT 1 FROM account_organization ao WHERE ao.organization_rid = o.rid)"
    + " AND NOT EXISTS (SELECT 1 FROM account a WHERE a.email = o.email) ORDER BY o.name LIMIT 1");
  const [org, email, svc] = row.split('|');
  assert.ok(org && email && svc, 'an organisation to claim: ' + row);

  // The offering's page, server-rendered, with scripts off.
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'nl-NL', viewport: { width: 1280, height: 900 } });
  const pub = await open('/aanbod/' + svc, { context });
  await pub.click('#uw-organisatie summary');
  const form = pub.locator('#uw-organisatie form');
  assert.equal(await form.getAttribute('action'), '/organisatie/' + org + '/aanvragen');
  await form.getByRole('button', { name: /Vraag een account aan/ }).click();
  await pub.waitForLoadState('load');
  assert.match(await pub.textContent('main'), /Bedankt voor uw aanvraag/);
  // The link went to the organisation's own address; following it shows a button.
  const body = sql("SELECT body FROM portal_outbox WHERE to_email = '" + email.replace(/'/g, "''")
    + "' AND period LIKE 'claim:%' ORDER BY rid DESC LIMIT 1");
  const m = /\/aanvraag\?t=(\S+)/.exec(body);
  assert.ok(m, 'claim link in the message: ' + body);
  // axe needs scripts: the same two pages (showing them changes nothing) in a normal browser.
  const look = await open('/aanbod/' + svc);
  await look.click('#uw-organisatie summary');
  await axe(look, 'aanbod met aanvraagformulier');
  await look.goto(base + '/aanvraag?t=' + m[1], { waitUntil: 'networkidle' });
  await axe(look, 'aanvraag bevestigen');
  assert.deepEqual(look.problems, []);
  await look.context().close();
  await pub.goto(base + '/aanvraag?t=' + m[1]);
  await pub.getByRole('button', { name: /Ja, vraag het account aan/ }).click();
  await pub.waitForLoadState('load');
  assert.match(await pub.textContent('main'), /Uw aanvraag is ontvangen/);
  assert.deepEqual(pub.problems, []);
  await context.close();

  // An entry nobody answered for, and a feed whose partner did not confirm it.
  sql("INSERT INTO verify_log(service_rid, cycle, step, at) SELECT rid, '2025-01-01', 'task',"
    + " '2026-02-01T08:00:00Z' FROM service WHERE id = '" + svc + "'");
  const feed = sql("SELECT id FROM feed WHERE enabled = 1 ORDER BY id LIMIT 1");
  sql("INSERT INTO feed_verify_log(feed_id, cycle, step, at) VALUES ('" + feed + "', '2025-01-01', 'task', '2026-02-01T08:00:00Z')");

  // The same work without JavaScript: the server's page lists the task, the feed and the claim.
  const nojs = await login(REDACTIE, { js: false, lands: /\/portaal\/(#reviews-title)?$/ });
  const served = await nojs.textContent('[data-server-list]');
  assert.match(served, /Bellen \(1\)/);
  assert.match(served, /bel de organisatie/);
  assert.match(served, /Feeds \(1\)/);
  assert.ok(served.includes(email), 'the claim, with the address the link went to');
  await asServed(nojs, 'redactie zonder JS met taken en aanvragen');
  assert.deepEqual(nojs.problems, []);
  await nojs.context().close();

  const page = await login(REDACTIE);
  await page.waitForSelector('#claims .claim');
  await page.waitForSelector('#verify-tasks .entry');
  const tasks = await page.textContent('#verify-tasks');
  assert.match(tasks, /Bellen \(1\)/);
  assert.match(tasks, /bel de organisatie/);
  assert.match(tasks, /Feeds \(1\)/);
  assert.match(tasks, /Geen antwoord/);
  const claim = page.locator('#claims .claim');
  assert.equal(await claim.count(), 1);
  assert.ok((await claim.textContent()).includes(email), 'the address the link went to');
  await axe(page, 'redactie met taken en aanvragen');
  await shots(page, 'redactie-taken');
  await claim.getByRole('button', { name: /Goedkeuren/ }).click();
  await page.waitForFunction(() => /goedgekeurd/.test(document.querySelector('#page-status').textContent));
  await page.waitForFunction(() => /geen aanvragen/.test(document.querySelector('#claims').textContent));
  // An account for that address, linked to that organisation only.
  assert.equal(sql("SELECT group_concat(o.id) FROM account a JOIN account_organization ao ON ao.account_rid = a.rid"
    + " JOIN organization o ON o.rid = ao.organization_rid WHERE a.email = '" + email.replace(/'/g, "''") + "'"), org);
  await axe(page, 'redactie na goedkeuren');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// ---- issue 13: the portal without dead ends --------------------------------

const WIDTHS = [375, 1280];

test('each role lands where it works, with JavaScript on and off', async () => {
  const lands = [
    [PARTNER, /\/portaal\/$/, 'Mijn aanbod'],
    [REDACTIE, /\/portaal\/#reviews-title$/, 'Mijn aanbod'],
    [PRO, /\/professionals$/, 'Voor professionals'],
  ];
  for (const js of [true, false]) {
    for (const width of WIDTHS) {
      for (const [email, where, heading] of lands) {
        const page = await login(email, { js, width, lands: where });
        assert.match(await page.textContent('h1'), new RegExp(heading), `${email} (${js ? 'js' : 'no js'}, ${width})`);
        if (js && email === REDACTIE) {
          // The review queue comes first, above the organisation picker.
          await page.waitForSelector('#reviews-section:not([hidden])');
          const order = await page.evaluate(() => ['#reviews-section', '#org-choice', '#todo-title']
            .map((s) => document.querySelector(s).getBoundingClientRect().top));
          assert.ok(order[0] < order[1] && order[1] < order[2], `review queue first: ${order}`);
        }
        if (js && email === PARTNER) await page.waitForSelector('#todo:not([aria-busy])');
        if (email === PRO) assert.doesNotMatch(await page.textContent('main'), /takenlijst is voor partners/);
        assert.deepEqual(page.problems, []);
        await page.context().close();
      }
    }
  }
  // A professional who opens the portal anyway goes to the professional view.
  const page = await login(PRO, { lands: /\/professionals$/ });
  await page.goto(base + '/portaal/', { waitUntil: 'networkidle' });
  await page.waitForURL(/\/professionals$/);
  await page.context().close();
});

test('partner: an entry from someone else\'s feed sends a correction to the feed\'s keeper', async () => {
  for (const width of WIDTHS) {
    const page = await login(VOEDSELBANK, { width });
    const item = page.locator('#entries .entry', { hasText: 'Voedselpakket van de voedselbank' });
    assert.match(await item.textContent(), /Komt uit de feed van Sociale basis HBEL/);
    await item.getByRole('link', { name: /Bekijken/ }).click();
    await page.waitForSelector('#edit-form:not([aria-busy])');
    assert.match(await page.textContent('#feed-note'), /komt uit de feed van Sociale basis HBEL/);
    await page.click('#feed-note summary');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'feed-correction-message',
      null, { timeout: 5000 }); // focus in the form
    // Empty: a clear message next to the field, nothing sent.
    await page.click('#feed-correction button[type="submit"]');
    assert.match(await page.textContent('#feed-correction-error'), /Schrijf wat er niet klopt/);
    await axe(page, `feed-correctie (${width})`);
    await page.fill('#feed-correction-message', `Het uitgiftepunt in Laren is verhuisd (${width}).`);
    await page.click('#feed-correction button[type="submit"]');
    await page.waitForFunction(() => /beheerder van de feed/.test(document.querySelector('#page-status').textContent));
    if (width === 375) await shots(page, 'feed-correctie');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
  // The keeper of the feed finds both on its to-do list, with the sender's name.
  const page = await login(KEEPER);
  await page.waitForSelector('#todo:not([aria-busy])');
  const todo = await page.textContent('#todo');
  for (const width of WIDTHS) assert.match(todo, new RegExp(`verhuisd \\(${width}\\)`));
  assert.match(todo, /Correctie voor de feed van Sociale basis HBEL/);
  assert.match(todo, /Vera Voedselbank/);
  await axe(page, 'takenlijst feedbeheerder');
  // It is the keeper's to close.
  await page.locator('#todo .entry', { hasText: 'verhuisd (375)' }).getByRole('button', { name: 'Afgehandeld' }).click();
  await page.waitForFunction(() => /afgehandeld/.test(document.querySelector('#page-status').textContent));
  assert.deepEqual(page.problems, []);
  await page.context().close();
  // Not a visitor's message for the organisation itself.
  const vb = await apiLogin(VOEDSELBANK);
  const t = await (await fetch(base + '/api/v1/partner/todo', { headers: { Cookie: vb.cookie } })).json();
  assert.equal(t.corrections.filter((c) => /verhuisd/.test(c.message)).length, 0);
});

test('redacteur: picks an organisation by name, not by pasting its id', async () => {
  for (const width of WIDTHS) {
    const page = await login(REDACTIE, { width });
    assert.equal(await page.locator('#org-choice input[name="zoek"]').count(), 1);
    assert.doesNotMatch(await page.textContent('#org-choice'), /Plak het id/);
    await page.fill('#org-q', 'voedsel');
    const link = page.locator('#org-matches a', { hasText: 'Voedselbank Huizen en BEL' });
    await link.waitFor();
    await axe(page, `organisatie kiezen (${width})`);
    if (width === 375) await shots(page, 'organisatie-kiezen');
    await link.click();
    await page.waitForFunction(() => /Voedselpakket/.test(document.querySelector('#entries').textContent));
    assert.match(page.url(), new RegExp('organisatie=' + vbOrg));
    assert.match(await page.textContent('#org-current'), /Voedselbank Huizen en BEL/);
    // The form is a GET form: its address gives the same list (and can be bookmarked).
    await page.goto(base + '/portaal/?zoek=VOEDSELBANK', { waitUntil: 'networkidle' });
    await page.waitForSelector('#org-matches a');
    assert.match(await page.textContent('#org-status'), /1 organisatie gevonden/);
    await page.fill('#org-q', 'bestaatnietxyz');
    await page.press('#org-q', 'Enter');
    await page.waitForFunction(() => /Geen organisatie gevonden/.test(document.querySelector('#org-status').textContent));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('history reads as text: Dutch field names, hours, names, local dates', async () => {
  const page = await login(REDACTIE);
  await page.goto(base + '/portaal/bewerken.html?soort=services&id=' + entryId, { waitUntil: 'networkidle' });
  await page.waitForSelector('#history-section:not([hidden]) table');
  const h = await page.textContent('#history');
  assert.doesNotMatch(h, /account:|feed:|[[{]"|\d{4}-\d\d-\d\dT/, 'no ids, JSON or ISO times');
  assert.match(h, /Redactie Test/, 'people by name');
  assert.match(h, /Openingstijden/);
  assert.match(h, /dinsdag 09:00 tot 12:00 uur/, 'hours as text');
  assert.match(h, /Onderwerpen[\s\S]*Geld/, 'codes as labels');
  // Times in the Netherlands: the server's UTC time, shown as Amsterdam time.
  const at = (await (await fetch(base + '/api/v1/partner/services/' + entryId + '/history',
    { headers: { Cookie: (await apiLogin(REDACTIE)).cookie } })).json()).versions.at(-1).at;
  const local = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
  assert.ok(h.includes('om ' + local + ' uur'), `local time ${local} for ${at}`);
  await axe(page, 'leesbare geschiedenis');
  await shots(page, 'geschiedenis-leesbaar');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// Issue 13 item 8: what the client takes home has no professional-only
// lines, and does have costs and hours. Both paths: the server's
// /professionals (JS on and off) and the script's /professionals.html.
test('the printed client overview shows only what the client may see, with costs and hours', async () => {
  const RESTRICTED = '035 000 0669', PUBLIC = '035 000 0661';
  for (const js of [true, false]) {
    for (const width of WIDTHS) {
      const page = await login(PRO, { js, width, lands: /\/professionals$/ });
      await page.goto(base + '/professionals?q=voedselpakket', { waitUntil: 'networkidle' });
      // The professional sees the line for referrers in the list...
      assert.match(await page.textContent('main'), new RegExp(RESTRICTED));
      await page.check(`input[name="sel"][value="${vbEntry}"]`);
      await Promise.all([page.waitForURL(/sel=/), page.click('.select-form button[type="submit"]')]);
      const ov = await page.textContent('#overzicht');
      // ...the client's overview does not have it.
      assert.doesNotMatch(ov, new RegExp(RESTRICTED), 'no professional-only number');
      assert.match(ov, new RegExp(PUBLIC));
      assert.match(ov, /Kosten: ?Gratis/);
      assert.match(ov, /donderdag/i, 'hours');
      await page.emulateMedia({ media: 'print' });
      const printed = await page.evaluate(() => document.body.innerText);
      assert.match(printed, /Voedselpakket van de voedselbank/);
      assert.doesNotMatch(printed, new RegExp(RESTRICTED), 'nothing professional-only on paper');
      await page.emulateMedia({ media: 'screen' });
      if (js) await axe(page, `overzicht voor de cliënt (${width})`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
  }
  // pro.js: tick in the list, the text to copy and the print block.
  const page = await login(PRO, { lands: /\/professionals$/ });
  await page.goto(base + '/professionals.html?q=voedselpakket', { waitUntil: 'networkidle' });
  const item = page.locator('.pro-item', { hasText: 'Voedselpakket van de voedselbank' });
  await item.waitFor();
  assert.match(await item.textContent(), new RegExp(RESTRICTED), 'the professional sees the referral line');
  await item.locator('input[type="checkbox"]').check();
  await page.waitForFunction(() => /Voedselpakket/.test(document.querySelector('#sel-text').value));
  const text = await page.inputValue('#sel-text');
  const block = await page.textContent('#print-overview');
  for (const t of [text, block]) {
    assert.doesNotMatch(t, new RegExp(RESTRICTED), 'no professional-only number');
    assert.match(t, new RegExp(PUBLIC));
    assert.match(t, /Kosten:? ?Gratis/);
    assert.match(t, /Donderdag|donderdag/, 'hours');
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// ---- issue 13: the partner's tasks with JavaScript off ---------------------
// /portaal/ is server-rendered (web_portal_pages.c): the to-do list with
// plain forms for "Gegevens kloppen nog", the edit form (errors next to the
// field, a conflict said in Dutch) and closing a correction. With
// JavaScript on, portal.js draws its own list in the same page.

async function redactieEntry(name) {
  const red = await apiLogin(REDACTIE);
  const r = await fetch(base + '/api/v1/partner/services', { method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: red.cookie, 'X-CSRF-Token': red.csrf },
    body: JSON.stringify({ organization: orgId, name, needs: ['geld'], areas: ['huizen'], access: 'vrij', cost: 'gratis',
      phones: [{ number: '035 000 0199' }] }) });
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()).id;
}

async function publicCorrection(id, message) {
  const tok = (await (await fetch(base + '/api/v1/corrections/token')).json()).form_token;
  await new Promise((r) => setTimeout(r, 3500)); // a form sent faster counts as a robot
  const r = await fetch(base + '/api/v1/services/' + id + '/corrections', { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message, form_token: tok }) });
  assert.ok(r.status < 300, await r.text());
}


// axe and the layout check need scripts, which a page opened with scripts
// off cannot run (page.evaluate never returns there). So the page as the
// server sent it (its HTML, read through the DOM) is shown again in a
// context with scripts on but the site's own scripts blocked, and checked
// there: the same markup and styles that a visitor without JavaScript gets.
async function asServed(page, name, shotName) {
  const html = await page.content();
  const url = page.url().replace(/#.*$/, ''); // a request never carries the fragment
  const width = page.viewportSize().width;
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'nl-NL' });
  await context.route('**/*', (route) => {
    const req = route.request();
    if (req.url() === url) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    if (req.resourceType() === 'script') return route.abort();
    return route.continue();
  });
  const look = await context.newPage();
  look.setDefaultTimeout(30000);
  await look.goto(url, { waitUntil: 'load' });
  await axe(look, name);
  const sw = await look.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw[0] <= sw[1], `${name}: ${sw[0]} px wide in a ${sw[1]} px window`);
  if (shotName) await shots(look, shotName);
  await context.close();
}
test('partner without JavaScript: confirm, edit (errors, conflict), close a correction, at 375 and 1280 px',
  async () => {
  for (const width of WIDTHS) {
    const name = `Formulierenspreekuur ${width}`;
    const id = await redactieEntry(name);
    // due for its yearly check, so the list offers "Gegevens kloppen nog"
    sql(`UPDATE service SET assured_date = '2020-01-01' WHERE id = '${id}'`);
    await publicCorrection(id, `Het spreekuur begint later (${width}).`);
    const page = await login(PARTNER, { js: false, width, lands: /\/portaal\/$/ });
    const list = page.locator('[data-server-list]');
    assert.ok(await list.isVisible(), 'the server-rendered list shows without JavaScript');
    assert.match(await list.textContent(), new RegExp(name));
    await asServed(page, `mijn aanbod zonder JS (${width})`, width === 375 ? 'mijn-aanbod-zonder-js' : null);

    // "Gegevens kloppen nog": a POST form, back on the list (303) with a message.
    await list.locator('.entry', { hasText: name }).first().getByRole('button', { name: /Gegevens kloppen nog/ }).click();
    await page.waitForURL(/\/portaal\/\?gedaan=bevestigd$/);
    assert.match(await page.textContent('[role="status"]'), /gecontroleerd/);
    const pub = await (await fetch(base + '/api/v1/services/' + id)).json();
    assert.equal(pub.stale, false, 'confirmed');

    // Edit: filled in; an empty name and a bad website are refused next to the field.
    // (the address its "Bewerken" link has, in the to-do list and under "Alles van uw organisatie")
    await page.goto(base + '/portaal/bewerk/services/' + id);
    assert.equal(await page.inputValue('#veld-name'), name);
    assert.equal(await page.inputValue('input[name="phone0_number"]'), '035 000 0199');
    await asServed(page, `bewerken zonder JS (${width})`);
    await page.fill('#veld-name', '');
    await page.fill('#veld-url', 'geen website');
    await page.click('button[type="submit"]');
    assert.match(await page.textContent('[role="alert"]'), /Er klopt iets niet/);
    assert.match(await page.textContent('#fout-url'), /‘Website’ is geen geldig webadres/);
    assert.ok(await page.textContent('#fout-name'), 'error next to the name');
    assert.equal(await page.getAttribute('#veld-url', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#veld-url'), 'geen website', 'what was typed stays');
    await asServed(page, `bewerken zonder JS met fouten (${width})`, width === 375 ? 'bewerken-zonder-js-fouten' : null);

    if (width === 1280) {
      // Someone else changes the entry meanwhile: the save says so, nothing is lost silently.
      const red = await apiLogin(REDACTIE);
      const cur = await fetch(base + '/api/v1/partner/services/' + id, { headers: { Cookie: red.cookie } });
      await cur.text();
      const r = await fetch(base + '/api/v1/partner/services/' + id, { method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Cookie: red.cookie, 'X-CSRF-Token': red.csrf, 'If-Match': cur.headers.get('etag') },
        body: JSON.stringify({ summary: 'Door de redactie aangepast.' }) });
      assert.equal(r.status, 200, await r.text());
      await page.fill('#veld-name', name + ' (nieuw)');
      await page.fill('#veld-url', 'https://example.org/spreekuur');
      await page.click('button[type="submit"]');
      assert.match(await page.textContent('[role="alert"]'), /Iemand anders heeft dit intussen gewijzigd/);
      assert.equal(await page.inputValue('#veld-summary'), 'Door de redactie aangepast.');
      await asServed(page, 'bewerken zonder JS, conflict');
    }
    await page.fill('#veld-name', name + ' (nieuw)');
    await page.fill('#veld-url', 'https://example.org/spreekuur');
    await page.selectOption('select[name="hour0_weekday"]', '3');
    await page.fill('input[name="hour0_opens"]', '13:00');
    await page.fill('input[name="hour0_closes"]', '16:00');
    await page.click('button[type="submit"]');
    // This partner is not trusted: the edit waits for the redactie.
    await page.waitForURL(/\/portaal\/\?gedaan=ingediend$/);
    assert.match(await page.textContent('[role="status"]'), /redactie kijkt ernaar/);
    assert.match(await page.textContent('[data-server-list]'), /wacht.*op de redactie/);

    // Close a correction: the visitor's message leaves the list.
    const corr = page.locator('[data-server-list] .entry', { hasText: `begint later (${width})` });
    assert.equal(await corr.count(), 1);
    await corr.getByRole('button', { name: /Afgehandeld/ }).click();
    await page.waitForURL(/\/portaal\/\?gedaan=afgehandeld$/);
    assert.equal(await page.locator('[data-server-list] .entry', { hasText: `begint later (${width})` }).count(), 0);
    await asServed(page, `mijn aanbod na afhandelen (${width})`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
  // With JavaScript on the same address is the enhanced portal, the server list hidden.
  for (const width of WIDTHS) {
    const page = await login(PARTNER, { width });
    assert.equal(await page.locator('[data-server-list]').isVisible(), false);
    await page.waitForSelector('#todo:not([aria-busy])');
    assert.match(await page.textContent('#entries'), /Formulierenspreekuur 375/);
    await axe(page, `mijn aanbod met JS (${width})`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

// ---- the rest of the portal with JavaScript off ----------------------------
// New entries and locations (plain checkboxes, errors next to the field),
// the history as text, and the redactie's queue: approve, reject with a
// reason. Checked as served at 375 and 1280 px with axe.
test('without JavaScript: a new entry and location, the history, the redactie approves and rejects',
  async () => {
  for (const width of WIDTHS) {
    const page = await login(PARTNER, { js: false, width, lands: /\/portaal\/$/ });
    await page.getByRole('link', { name: 'Nieuw aanbod' }).first().click();
    await page.waitForURL(/\/portaal\/nieuw\/services$/);
    await asServed(page, `nieuw aanbod zonder JS (${width})`, width === 375 ? 'nieuw-aanbod-zonder-js' : null);
    const name = `Budgetmaatje zonder JS ${width}`;
    await page.fill('#veld-name', name);
    await page.fill('#veld-summary', 'Samen uw post en rekeningen op orde.');
    await page.click('button[type="submit"]');
    // no subject, no municipality: said next to the fields, what was typed stays
    assert.match(await page.textContent('[role="alert"]'), /Er klopt iets niet/);
    assert.match(await page.textContent('#fout-needs'), /‘Onderwerpen’ is leeg/);
    assert.match(await page.textContent('#fout-areas'), /‘Gemeenten’ is leeg/);
    assert.equal(await page.inputValue('#veld-name'), name);
    await asServed(page, `nieuw aanbod zonder JS met fouten (${width})`);
    await page.check('input[name="need_geld"]');
    await page.check('input[name="area_huizen"]');
    await page.check('input[name="access"][value="vrij"]');
    await page.check('input[name="cost"][value="gratis"]');
    await page.click('button[type="submit"]');
    // This partner is not trusted: the new entry waits for the redactie.
    await page.waitForURL(/\/portaal\/\?gedaan=ingediend$/);
    assert.match(await page.textContent('[role="status"]'), /redactie kijkt ernaar/);

    // A location: a wrong postcode is refused next to its field.
    await page.getByRole('link', { name: 'Nieuwe locatie' }).first().click();
    await page.fill('#veld-name', `Buurthuis zonder JS ${width}`);
    await page.fill('#veld-postal_code', '123');
    await page.click('button[type="submit"]');
    assert.match(await page.textContent('#fout-postal_code'), /‘Postcode’ is geen Nederlandse postcode/);
    assert.equal(await page.getAttribute('#veld-postal_code', 'aria-invalid'), 'true');
    await page.fill('#veld-postal_code', '1271 AB');
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/portaal\/\?gedaan=ingediend$/);

    // The history of an entry, as text, on its edit page.
    const id = await redactieEntry(`Geschiedenis zonder JS ${width}`);
    const red = await apiLogin(REDACTIE);
    const cur = await fetch(base + '/api/v1/partner/services/' + id, { headers: { Cookie: red.cookie } });
    await cur.text();
    const r = await fetch(base + '/api/v1/partner/services/' + id, { method: 'PATCH',
      headers: { 'Content-Type': 'application/json', Cookie: red.cookie, 'X-CSRF-Token': red.csrf, 'If-Match': cur.headers.get('etag') },
      body: JSON.stringify({ summary: 'Nu ook op zaterdag.', hours: [{ weekday: 6, opens: '10:00', closes: '12:00' }] }) });
    assert.equal(r.status, 200, await r.text());
    await page.goto(base + '/portaal/bewerk/services/' + id);
    const hist = await page.textContent('#s-geschiedenis + *');
    assert.match(hist, /Korte uitleg/);
    assert.match(hist, /Nu ook op zaterdag\./);
    assert.match(hist, /zaterdag 10:00 tot 12:00 uur/);
    assert.doesNotMatch(hist, /account:|"weekday"|T\d\d:\d\d/);
    await asServed(page, `geschiedenis zonder JS (${width})`);
    assert.deepEqual(page.problems, []);
    await page.context().close();

    // The redactie's queue: the new entry with its fields; reject needs a reason.
    const rq = await login(REDACTIE, { js: false, width, lands: /\/portaal\/(#reviews-title)?$/ });
    const item = rq.locator('[data-server-list] .entry', { hasText: name });
    assert.equal(await item.count(), 1, 'the held entry is in the queue');
    assert.match(await item.textContent(), /Samen uw post en rekeningen op orde\./);
    await asServed(rq, `redactie zonder JS (${width})`, width === 375 ? 'redactie-zonder-js' : null);
    await item.getByRole('button', { name: /Afwijzen/ }).click();
    assert.match(rq.url(), /\/portaal\/beoordeling\/[^/]+\/afwijzen$/);
    assert.equal(await rq.locator('[aria-invalid="true"]').count(), 1, 'the reason field is marked');
    assert.match(await rq.textContent('[role="alert"]'), /Schrijf op waarom/);
    await asServed(rq, `redactie zonder JS, reden ontbreekt (${width})`);
    await rq.locator('[data-server-list] .entry', { hasText: name }).getByRole('button', { name: /Goedkeuren/ }).click();
    await rq.waitForURL(/\/portaal\/\?gedaan=goedgekeurd$/);
    assert.equal(await rq.locator('[data-server-list] .entry', { hasText: name }).count(), 0);
    // and the location: rejected with a reason
    const locItem = rq.locator('[data-server-list] .entry', { hasText: `Buurthuis zonder JS ${width}` });
    await locItem.locator('textarea').fill('Dit adres is al bekend.');
    await locItem.getByRole('button', { name: /Afwijzen/ }).click();
    await rq.waitForURL(/\/portaal\/\?gedaan=afgewezen$/);
    assert.deepEqual(rq.problems, []);
    await rq.context().close();
    const found = await (await fetch(base + '/api/v1/search?q=' + encodeURIComponent('Budgetmaatje zonder JS'))).json();
    assert.ok(JSON.stringify(found).includes(name), 'approved: on the site');
  }
});
