// Browser tests of the site against the real server on the demo data.
// Run by run.sh (which checks the tools); environment: SK_SOURCE_DIR, SK_BIN,
// SK_CHROMIUM, SK_ARTIFACTS.
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
const ART = process.env.SK_ARTIFACTS || path.join(SRC, 'tests/artifacts');
const AXE = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

let tmp, server, serverLog = '', base, browser;

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

// feeds.json of the repo with absolute locations, plus the markup test feed.
function writeFeeds(dir) {
  const reg = JSON.parse(fs.readFileSync(path.join(SRC, 'feeds/feeds.json'), 'utf8'));
  for (const f of reg.feeds) {
    if (!/^[a-z]+:\/\//.test(f.location) && !path.isAbsolute(f.location)) {
      f.location = 'file://' + path.join(SRC, 'feeds', f.location);
    }
  }
  reg.feeds.push({ id: 'markup-test', partner: 'Browsertest', kind: 'partner-json',
    location: 'file://' + path.join(SRC, 'tests/browser/xss-feed.json'), enabled: true });
  const out = path.join(dir, 'feeds.json');
  fs.writeFileSync(out, JSON.stringify(reg, null, 2));
  return out;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-browser-'));
  const db = path.join(tmp, 'sk.db');
  const feeds = writeFeeds(tmp);
  execFileSync(BIN, ['index', '--db', db, '--feeds', feeds, '--taxonomy', path.join(SRC, 'feeds/taxonomy.json')],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 60000 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--db', db, '--bind', '127.0.0.1', '--port', String(port),
    '--static', path.join(SRC, 'web/static'), '--reindex-every', '0', '--access-log', ''],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { serverLog = (serverLog + d).slice(-4000); });
  server.stderr.on('data', (d) => { serverLog = (serverLog + d).slice(-4000); });
  await waitHealthy(base, 15000);
  // Every page needs search: fail loudly rather than time out page by page.
  const probe = await fetch(base + '/api/v1/search?q=test');
  assert.equal(probe.status, 200, `GET /api/v1/search answered ${probe.status}`);
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

// A fresh page; collects page errors, CSP violations and dialogs (an XSS would open one).
async function open(url, opts = {}) {
  const context = await browser.newContext({ viewport: { width: opts.width || 1280, height: 900 },
    javaScriptEnabled: opts.js !== false, reducedMotion: 'reduce', locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.text())) page.problems.push('console: ' + m.text()); });
  page.on('dialog', (d) => { page.problems.push('dialog: ' + d.message()); d.dismiss(); });
  if (url) await page.goto(base + url, { waitUntil: 'networkidle' });
  return page;
}
async function close(page) { await page.context().close(); }

async function resultsReady(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector('#status');
    return s && s.textContent && !/Even zoeken/.test(s.textContent) && document.querySelector('#results-section:not([hidden])');
  }, null, { timeout: 10000 });
}

async function axe(page, name) {
  await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const v = r.violations.map((x) => `${x.id}: ${x.help} (${x.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')})`);
  assert.deepEqual(v, [], `axe violations on ${name}`);
}

async function noHorizontalScroll(page, name) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(w[0] <= w[1], `${name}: page is ${w[0]} px wide in a ${w[1]} px window`);
}

const PAGES = [
  ['home', '/', null],
  ['results', '/?q=schulden', resultsReady],
  ['detail', null, null],
  ['agenda', '/agenda.html', (p) => p.waitForFunction(() => !/Even laden/.test(document.querySelector('#agenda-status').textContent || 'x') && document.querySelector('#agenda-status').textContent)],
  ['professionals', '/professionals.html?municipality=eemnes', (p) => p.waitForSelector('.pro-item')],
];

async function detailUrl() {
  const r = await (await fetch(base + '/api/v1/search?q=schuldhulpverlening')).json();
  assert.ok(r.items.length > 0, 'schuldhulpverlening is found');
  return '/aanbod.html?id=' + encodeURIComponent(r.items[0].id);
}

test('search by words shows plain-language results with access, cost, phone and check date', async (t) => {
  const page = await open('/');
  await page.fill('#q', 'schulden');
  await page.press('#q', 'Enter');
  await resultsReady(page);
  assert.match(page.url(), /[?&]q=schulden/);
  const names = await page.$$eval('#results h3', (hs) => hs.map((h) => h.textContent));
  assert.ok(names.some((n) => /Schuldhulpverlening/.test(n)), 'Schuldhulpverlening in ' + names.join(', '));
  const card = page.locator('#results .card', { hasText: 'Schuldhulpverlening' }).first();
  assert.match(await card.textContent(), /aanmelden|binnenlopen|verwijzing|indicatie/i);
  assert.match(await card.textContent(), /Laatst gecontroleerd|Niet recent gecontroleerd/);
  const tel = await card.locator('a[href^="tel:"]').first().getAttribute('href');
  assert.match(tel, /^tel:\+31\d{9}$/);
  assert.deepEqual(page.problems, []);
  await close(page);
});

test('suggestions appear while typing and can be chosen with the keyboard', async (t) => {
  const page = await open('/');
  await page.locator('#q').pressSequentially('schul', { delay: 30 });
  await page.waitForSelector('#suggestions li', { timeout: 5000 });
  assert.equal(await page.getAttribute('#q', 'aria-expanded'), 'true');
  await page.press('#q', 'ArrowDown');
  assert.equal(await page.getAttribute('#q', 'aria-activedescendant'), 'sug-0');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => location.search.length > 1 || location.pathname !== '/');
  assert.deepEqual(page.problems, []);
  await close(page);
});

test('the suggestion list closes on Enter, on the Zoeken button and when focus leaves the box', async () => {
  const page = await open('/');
  const closed = () => page.evaluate(() => document.querySelector('#suggestions').hidden &&
    document.querySelector('#q').getAttribute('aria-expanded') === 'false');
  // Enter right after typing: the answer to the last suggest request arrives
  // after the search started and must not open the list again.
  await page.locator('#q').pressSequentially('schulden', { delay: 10 });
  await page.press('#q', 'Enter');
  await resultsReady(page);
  await page.waitForTimeout(800);
  assert.ok(await closed(), 'list closed after Enter');
  // The list open, then the Zoeken button.
  await page.fill('#q', '');
  await page.locator('#q').pressSequentially('schul', { delay: 30 });
  await page.waitForSelector('#suggestions li', { timeout: 5000 });
  await page.click('#search-form button[type="submit"]');
  await page.waitForFunction(() => /q=schul/.test(location.search));
  await page.waitForTimeout(800);
  assert.ok(await closed(), 'list closed after Zoeken');
  // The list open, then Tab away.
  await page.focus('#q');
  await page.fill('#q', '');
  await page.locator('#q').pressSequentially('taal', { delay: 30 });
  await page.waitForSelector('#suggestions li', { timeout: 5000 });
  await page.keyboard.press('Tab');
  await page.waitForTimeout(400);
  assert.ok(await closed(), 'list closed when focus left the box');
  assert.deepEqual(page.problems, []);
  await close(page);
});

test('each municipality once in "Voor", an area exception as its note', async () => {
  const twice = (text) => ['Huizen', 'Blaricum', 'Eemnes', 'Laren'].filter((m) => text.split(m).length > 2);
  const page = await open('/professionals.html?q=' + encodeURIComponent('team jeugd en gezin'));
  await page.waitForSelector('.pro-item');
  const rows = await page.$$eval('.pro-item', (items) => items.map((it) => {
    const out = {};
    it.querySelectorAll('dt').forEach((dt) => { out[dt.textContent] = dt.nextElementSibling.textContent; });
    return out;
  }));
  const voor = rows.map((r) => r.Voor || '');
  assert.ok(voor.some((v) => /\(HBEL\)/.test(v)), 'an HBEL offering: ' + voor.join(' | '));
  for (const v of voor) assert.deepEqual(twice(v), [], '"Voor: ' + v + '"');
  const ex = rows.find((r) => /\(HBEL\)/.test(r.Voor || '') && /Eemnes/.test(r['Let op'] || ''));
  assert.ok(ex, 'the Eemnes exception is a note: ' + JSON.stringify(rows.slice(0, 3)));
  await close(page);

  const res = await open('/?q=' + encodeURIComponent('team jeugd en gezin'));
  await resultsReady(res);
  // The server's card says "Voor: …" (the list the script renders after a
  // change says "Voor inwoners van: …").
  const lines = await res.$$eval('#results .card p, #results .card li', (ps) => ps.map((p) => p.textContent).filter((t) => /^Voor( inwoners van)?: /.test(t)));
  assert.ok(lines.length > 0);
  for (const l of lines) assert.deepEqual(twice(l), [], l);
  // The detail page has the whole exception: its age and its note.
  const href = await res.locator('#results .card h3 a', { hasText: 'Team jeugd en gezin' }).first().getAttribute('href');
  await res.goto(new URL(href, base + '/').href, { waitUntil: 'networkidle' });
  await res.waitForSelector('#detail:not([aria-busy])');
  const who = await res.textContent('#voor-wie + *, section[aria-labelledby="voor-wie"]');
  assert.deepEqual(twice(who.split('Eemnes:')[0].replace(/^.*Waar:/s, '')), [], who);
  assert.match(who, /Eemnes: alleen vanaf 18 jaar\./);
  assert.deepEqual(res.problems, []);
  await close(res);
});

test('an activity shows its calendar and dates, not "niet recent gecontroleerd"', async () => {
  const page = await open('/agenda.html');
  await PAGES[3][2](page);
  const link = page.locator('.event h4 a').first();
  const name = (await link.textContent()).trim();
  await Promise.all([page.waitForURL(/\/aanbod\/[0-9a-f-]{36}\//), link.click()]);
  await page.waitForSelector('#detail:not([aria-busy])');
  assert.equal((await page.textContent('h1')).trim(), name);
  const text = await page.textContent('#detail');
  assert.doesNotMatch(text, /[Nn]iet recent gecontroleerd/);
  assert.match(text, /Uit de agenda van \S/);
  assert.match(text, /Waar en wanneer\?/);
  assert.match(text, /(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} \w+/);
  assert.deepEqual(page.problems, []);
  await axe(page, 'activity detail');
  await page.screenshot({ path: path.join(ART, 'activity-1280.png'), fullPage: true });
  await close(page);
});

test('search by tile, then filters as chips with counts', async (t) => {
  // A tile is a link to its need page (pages.test.mjs); the need as a filter:
  const page = await open('/?need=geld');
  await resultsReady(page);
  assert.match(page.url(), /need=geld/);
  const total = parseInt(await page.textContent('#status'), 10);
  assert.ok(total > 0, 'results for the tile');
  // "Gratis" shows how many results it leaves; choosing it gives exactly that.
  const countText = await page.textContent('#count-gratis');
  const freeCount = parseInt(countText.replace(/\D/g, ''), 10);
  assert.ok(freeCount > 0 && freeCount <= total, `gratis count ${countText} of ${total}`);
  await page.click('#filters summary'); // the filters are closed by default
  await page.check('#gratis');
  await page.waitForFunction((n) => parseInt(document.querySelector('#status').textContent, 10) === n, freeCount, { timeout: 10000 });
  assert.match(page.url(), /cost=gratis/);
  const chip = page.locator('#chips .chip', { hasText: 'Gratis' });
  assert.equal(await chip.count(), 1);
  // Facet counts are shown next to each value.
  assert.match(await page.textContent('#facets'), /\(\d+\)/);
  await chip.click();
  await page.waitForFunction((n) => parseInt(document.querySelector('#status').textContent, 10) === n, total, { timeout: 10000 });
  assert.doesNotMatch(page.url(), /cost=/);
  assert.equal(await page.isChecked('#gratis'), false);
  assert.deepEqual(page.problems, []);
  await close(page);
});

test('the municipality choice is remembered', async () => {
  const page = await open('/');
  await page.selectOption('#gemeente', 'laren');
  await page.goto(base + '/', { waitUntil: 'networkidle' });
  assert.equal(await page.inputValue('#gemeente'), 'laren');
  await close(page);
});

test('detail page: shareable URL, contact, report link, print layout', async (t) => {
  const url = await detailUrl();
  const page = await open(url);
  await page.waitForSelector('#detail:not([aria-busy])');
  assert.match(await page.textContent('h1'), /Schuldhulpverlening/);
  assert.match(await page.title(), /Schuldhulpverlening/);
  assert.ok(await page.locator('#detail a[href^="tel:"]').count() > 0, 'tap-to-call');
  // "Klopt er iets niet?" is a form now (portal.test.mjs sends one).
  assert.equal(await page.locator('details#klopt-niet summary', { hasText: 'Klopt er iets niet?' }).count(), 1);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('.site-header'), false, 'no header in print');
  assert.equal(await page.isVisible('#detail h1'), true);
  await page.emulateMedia({ media: 'screen' });
  assert.deepEqual(page.problems, []);
  await close(page);
});

test('crisis words put the crisis lines first, large and tap-to-call', async (t) => {
  const page = await open('/?q=' + encodeURIComponent('ik wil niet meer leven zelfmoord'));
  await resultsReady(page);
  await page.waitForSelector('#crisis');
  const first = await page.$eval('#crisis a.call', (a) => a.getAttribute('href'));
  assert.match(first, /^tel:/);
  const before = await page.evaluate(() => {
    const c = document.querySelector('#crisis'), r = document.querySelector('#results');
    return !!(c.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(before, 'crisis banner comes before the results');
  assert.deepEqual(page.problems, []);
  await close(page);
});

test('professional view: filters and selection in the URL, referral overview', async (t) => {
  const page = await open('/professionals.html?municipality=eemnes&access=indicatie');
  await page.waitForSelector('.pro-item');
  assert.equal(await page.isChecked('#p-access-indicatie'), true);
  const first = page.locator('.pro-item').first();
  const name = (await first.locator('h3 a').textContent()).trim();
  await first.locator('input[type="checkbox"]').check();
  await page.waitForFunction(() => /sel=/.test(location.search));
  await page.waitForFunction((n) => document.querySelector('#sel-text').value.includes(n), name, { timeout: 10000 });
  const shared = page.url();
  const page2 = await open(shared.slice(base.length));
  await page2.waitForSelector('.pro-item');
  await page2.waitForFunction((n) => document.querySelector('#sel-text').value.includes(n), name, { timeout: 10000 });
  assert.match(await page2.textContent('#sel-status'), /1 resultaat gekozen/);
  assert.equal(await page2.inputValue('#p-gemeente'), 'eemnes');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page2.problems, []);
  await close(page2);
  await close(page);
});

test('agenda by municipality and week, with an .ics subscription of the same selection', async (t) => {
  const page = await open('/agenda.html');
  await PAGES[3][2](page);
  await page.selectOption('#a-gemeente', 'huizen');
  await page.waitForFunction(() => /municipality=huizen/.test(document.querySelector('#ics-link').getAttribute('href')));
  await page.waitForFunction(() => / in Huizen /.test(document.querySelector('#agenda-status').textContent));
  assert.match(page.url(), /municipality=huizen/);
  const events = await page.locator('.event').count();
  const names = (await page.$$eval('.event h4', (hs) => hs.map((h) => h.textContent.trim())));
  const href = await page.getAttribute('#ics-link', 'href');
  assert.match(href, /^\/api\/v1\/activities\.ics\?/);
  await page.click('#next-week');
  await page.waitForFunction(() => /week=/.test(location.search));
  assert.deepEqual(page.problems, []);
  await close(page);
  const res = await fetch(base + href);
  assert.equal(res.status, 200, 'GET ' + href);
  assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const body = await res.text();
  assert.match(body, /^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\n/);
  assert.match(body, /END:VCALENDAR\r\n$/);
  const unfolded = body.replace(/\r\n[ \t]/g, '');
  assert.match(unfolded, /\r\nX-WR-CALNAME:Sociale Kaart – Activiteiten in Huizen\r\n/);
  // The same selection: every activity of the week shown is in the calendar.
  assert.ok(events > 0, 'the demo data has activities in Huizen this week');
  for (const n of names) {
    const esc = n.replace(/[\\;,]/g, (c) => '\\' + c);
    assert.ok(unfolded.includes('\r\nSUMMARY:' + esc + '\r\n') || unfolded.includes('\r\nSUMMARY:Gaat niet door: ' + esc + '\r\n'),
      `"${n}" is in the .ics`);
  }
  for (const line of body.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, 'folded: ' + line);
});

test('keyboard only: skip link, search, open a result', async (t) => {
  const page = await open('/');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, 'none', 'focus is visible');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'inhoud');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
  await page.keyboard.type('schuldhulpverlening');
  await page.keyboard.press('Enter');
  await resultsReady(page);
  // Tab from the search box until the first result link.
  let onResult = false;
  for (let i = 0; i < 40 && !onResult; i++) {
    await page.keyboard.press('Tab');
    onResult = await page.evaluate(() => !!document.activeElement.closest('#results h3'));
  }
  assert.ok(onResult, 'a result link is reachable with Tab');
  await Promise.all([page.waitForURL(/\/aanbod\/[0-9a-f-]{36}\//), page.keyboard.press('Enter')]);
  await page.waitForSelector('#detail:not([aria-busy])');
  assert.deepEqual(page.problems, []);
  await close(page);
});

test('markup in a feed is shown as text and never runs', async (t) => {
  const page = await open('/?q=Markeringstest');
  await resultsReady(page);
  const card = page.locator('#results .card', { hasText: 'Markeringstest' });
  assert.equal(await card.count(), 1, 'the test feed was indexed');
  assert.match(await card.textContent(), /<img src=x onerror=/);
  await card.locator('h3 a').click();
  await page.waitForSelector('#detail:not([aria-busy])');
  const text = await page.textContent('#detail');
  assert.match(text, /<script>window.__skXss = 'description'<\/script>/);
  assert.equal(await page.locator('#detail img, #detail script, #detail b, #detail i').count(), 0);
  assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
  assert.equal(await page.evaluate(() => window.__skXss), undefined);
  assert.deepEqual(page.problems, []);
  await close(page);
});

test('without JavaScript the page says whom to call', async () => {
  for (const url of ['/', '/agenda.html', '/professionals.html', '/aanbod.html?id=x']) {
    const page = await open(url, { js: false });
    const text = await page.textContent('body');
    assert.match(text, /Informatiepunt/);
    assert.ok(await page.locator('noscript a[href^="tel:"], .noscript a[href^="tel:"]').count() >= 1 ||
      /035 000 0101/.test(text), url + ' shows a phone number');
    await close(page);
  }
});

test('first load is under 100 KB transferred', async () => {
  const page = await open(null);
  const reqs = [];
  page.on('requestfinished', (r) => reqs.push(r));
  await page.goto(base + '/', { waitUntil: 'networkidle' });
  let bytes = 0;
  const lines = [];
  for (const r of reqs) {
    const z = await r.sizes();
    const n = z.responseHeadersSize + z.responseBodySize;
    bytes += n;
    lines.push(`${n}\t${new URL(r.url()).pathname}`);
  }
  fs.writeFileSync(path.join(ART, 'first-load.txt'), `${bytes} bytes transferred (headers + bodies as sent)\n${lines.join('\n')}\n`);
  assert.ok(bytes < 100 * 1024, `first load ${bytes} bytes: ${lines.join(', ')}`);
  await close(page);
});

test('every page type: no axe violations, no horizontal scroll at 320 px, screenshots at 375 and 1280 px', async (t) => {
  const detail = await detailUrl();
  for (const [name, url0, ready] of PAGES) {
    const url = url0 || detail;
    for (const width of [1280, 375, 320]) {
      const page = await open(url, { width });
      if (ready) await ready(page);
      if (name === 'detail') await page.waitForSelector('#detail:not([aria-busy])');
      await noHorizontalScroll(page, `${name} at ${width}`);
      if (width === 1280) await axe(page, name);
      if (width !== 320) await page.screenshot({ path: path.join(ART, `${name}-${width}.png`), fullPage: true });
      assert.deepEqual(page.problems, [], `${name} at ${width}`);
      await close(page);
    }
  }
  // The crisis banner and the referral overview are page states of their own.
  const crisis = await open('/?q=zelfmoord', { width: 375 });
  await resultsReady(crisis);
  await axe(crisis, 'crisis');
  await crisis.screenshot({ path: path.join(ART, 'crisis-375.png') });
  await close(crisis);
});
