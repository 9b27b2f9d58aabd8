// The server-rendered site (web/web_pages.c): every resident task with
// JavaScript on and off, at 375 and 1280 px, asserting what a person sees.
// Also: axe on every page type, a crawl from / that reaches every offering,
// JSON-LD, sitemap, robots, the HTML 404, gzip. Run by run.sh.
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

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-pages-'));
  const db = path.join(tmp, 'sk.db');
  const reg = JSON.parse(fs.readFileSync(path.join(SRC, 'feeds/feeds.json'), 'utf8'));
  for (const f of reg.feeds) {
    if (!/^[a-z]+:\/\//.test(f.location) && !path.isAbsolute(f.location)) f.location = 'file://' + path.join(SRC, 'feeds', f.location);
  }
  reg.feeds.push({ id: 'markup-test', partner: 'Browsertest', kind: 'partner-json',
    location: 'file://' + path.join(SRC, 'tests/browser/xss-feed.json'), enabled: true });
  fs.writeFileSync(path.join(tmp, 'feeds.json'), JSON.stringify(reg));
  execFileSync(BIN, ['index', '--db', db, '--feeds', path.join(tmp, 'feeds.json'), '--taxonomy', path.join(SRC, 'feeds/taxonomy.json')],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 60000 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--db', db, '--bind', '127.0.0.1', '--port', String(port),
    '--static', path.join(SRC, 'web/static'), '--reindex-every', '0', '--access-log', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { serverLog = (serverLog + d).slice(-4000); });
  server.stderr.on('data', (d) => { serverLog = (serverLog + d).slice(-4000); });
  const end = Date.now() + 15000;
  for (;;) {
    try { if ((await fetch(base + '/healthz')).ok) break; } catch { /* not up yet */ }
    if (server.exitCode !== null || Date.now() > end) throw new Error('server did not come up: ' + serverLog);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({ executablePath: process.env.SK_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] });
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

const MODES = [];
for (const js of [true, false]) for (const width of [375, 1280]) MODES.push({ js, width, height: width === 375 ? 812 : 900, name: `${js ? 'js' : 'nojs'}-${width}` });

async function open(mode, url) {
  const context = await browser.newContext({ viewport: { width: mode.width, height: mode.height }, javaScriptEnabled: mode.js,
    reducedMotion: 'reduce', locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push('console: ' + m.text()); });
  page.on('dialog', (d) => { page.problems.push('dialog: ' + d.message()); d.dismiss(); });
  if (url) await page.goto(base + url, { waitUntil: 'networkidle' });
  return page;
}
const close = (page) => page.context().close();

// With JavaScript, wait for a search the script started to settle (a
// server-rendered list is enhanced, not fetched again).
async function settled(page, mode) {
  if (!mode.js) return;
  await page.waitForFunction(() => {
    const s = document.querySelector('#results-section');
    const st = document.querySelector('#status');
    return !s || s.hidden || (!s.hasAttribute('aria-busy') && st && !/Even zoeken/.test(st.textContent));
  }, null, { timeout: 10000 });
}

// Where an element is, relative to the window (after any scroll).
const box = (page, sel) => page.evaluate((s) => {
  const e = document.querySelector(s);
  if (!e) return null;
  const r = e.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, h: window.innerHeight };
}, sel);

async function axe(page, name) {
  await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const v = r.violations.map((x) => `${x.id}: ${x.help} (${x.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')})`);
  assert.deepEqual(v, [], `axe violations on ${name}`);
}

async function searchFromHome(page, mode, words) {
  await page.fill('#q', words);
  if (mode.js) {
    await page.press('#q', 'Enter');
  } else {
    await Promise.all([page.waitForURL(/\/zoeken\?/), page.click('#search-button')]);
  }
  await page.waitForSelector('#results-section:not([hidden]) #results li, .crisis', { timeout: 10000 });
  await settled(page, mode);
}

for (const mode of MODES) {
  test(`resident: search from the home page, results above the fold (${mode.name})`, async () => {
    const page = await open(mode, '/');
    assert.equal(await page.isVisible('#q'), true, 'the search box is there');
    await searchFromHome(page, mode, 'schulden');
    const first = await box(page, '#results li:first-child h3 a');
    assert.ok(first && first.top >= 0 && first.bottom <= first.h, `first result in the first screen: ${JSON.stringify(first)}`);
    assert.equal(await page.getAttribute('#filters', 'open'), null, 'filters are closed');
    assert.match(await page.textContent('#status'), /\d+ resultat?e?n? voor ‘schulden’/);
    await page.screenshot({ path: path.join(ART, `pages-results-${mode.name}.png`) });
    assert.deepEqual(page.problems, []);
    await close(page);
  });

  test(`resident: a crisis search puts the crisis block in view first (${mode.name})`, async () => {
    const page = await open(mode, '/');
    await searchFromHome(page, mode, 'huiselijk geweld');
    await page.waitForSelector('#crisis');
    const c = await box(page, '#crisis h2');
    assert.ok(c.top >= 0 && c.bottom <= c.h, `crisis heading in view: ${JSON.stringify(c)}`);
    assert.ok(await page.locator('#crisis a[href="tel:112"]').count() === 1, '112 always');
    assert.ok(await page.locator('#crisis a[href^="tel:"]').count() >= 2, 'tap to call');
    assert.ok(await page.locator('#crisis a[href*="113.nl"]').count() === 1, '113 chat link');
    const exit = page.locator('#crisis a.quick-exit');
    assert.equal(await exit.count(), 1, 'Snel weg on violence results');
    if (mode.js) {
      await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'crisis');
      await page.waitForFunction(() => /Heeft u nu hulp nodig/.test(document.querySelector('#sr-status').textContent));
    }
    await page.screenshot({ path: path.join(ART, `pages-crisis-${mode.name}.png`) });
    assert.deepEqual(page.problems, []);
    await close(page);
  });

  test(`resident: a need tile shows the sub-needs first, then the list (${mode.name})`, async () => {
    const page = await open(mode, '/');
    await Promise.all([page.waitForURL(/\/hulp\/geld$/), page.click('a.tile[data-need="geld"]')]);
    const order = await page.evaluate(() => {
      const c = document.querySelector('.choices'), r = document.querySelector('#results');
      return c && r ? !!(c.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING) : null;
    });
    assert.equal(order, true, 'choices before results');
    await Promise.all([page.waitForURL(/\/hulp\/geld\.schulden/), page.click('a.choice:has-text("Schulden")')]);
    assert.match(await page.textContent('h1'), /Schulden/);
    assert.ok(await page.locator('#results li').count() > 0);
    await close(page);
  });

  test(`resident: the detail page starts with what to do; report form (${mode.name})`, async () => {
    const page = await open(mode, '/zoeken?q=schuldhulpverlening');
    await settled(page, mode);
    const link = page.locator('#results li h3 a').first();
    await Promise.all([page.waitForURL(/\/aanbod\/[0-9a-f-]{36}\/[a-z0-9-]+$/), link.click()]);
    const call = await box(page, '.todo a[href^="tel:"]');
    assert.ok(call && call.bottom <= call.h, `call link in the first screen: ${JSON.stringify(call)}`);
    const ld = await page.$$eval('script[type="application/ld+json"]', (s) => s.map((x) => JSON.parse(x.textContent)));
    assert.equal(ld[0]['@type'], 'GovernmentService');
    assert.match(await page.getAttribute('link[rel="canonical"]', 'href'), /\/aanbod\//);
    // "Klopt er iets niet?" from a result card.
    await page.goBack({ waitUntil: 'networkidle' });
    await settled(page, mode);
    await Promise.all([page.waitForURL(/#klopt-niet$/), page.locator('#results a[href$="#klopt-niet"]').first().click()]);
    if (mode.js) {
      await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'report-message');
      const f = await box(page, '#report-message');
      assert.ok(f.top >= 0 && f.bottom <= f.h, 'the form field is in view');
    } else {
      const s = await box(page, '#klopt-niet summary');
      assert.ok(s.top >= 0 && s.bottom <= s.h, 'the form is in view');
    }
    await page.screenshot({ path: path.join(ART, `pages-detail-${mode.name}.png`) });
    assert.deepEqual(page.problems, []);
    await close(page);
  });

  test(`resident: filters as a plain form, with the count of active ones (${mode.name})`, async () => {
    const page = await open(mode, '/zoeken?q=hulp&gemeente=eemnes&target_group=jongeren');
    await settled(page, mode);
    assert.match(await page.textContent('#status'), /voor Jongeren \(12-17 jaar\) in Eemnes/);
    assert.match(await page.textContent('#filters summary'), /1 filter aan/);
    await page.click('#filters summary');
    await page.check('#gratis');
    await Promise.all([page.waitForURL(/cost=gratis/), page.click('#filters button[type="submit"]')]);
    await settled(page, mode);
    assert.match(await page.textContent('#filters summary'), /2 filters aan/);
    await close(page);
  });

  test(`agenda: days, webcal subscription with an https fallback (${mode.name})`, async () => {
    const page = await open(mode, '/agenda?gemeente=huizen');
    assert.match(await page.getAttribute('#webcal-link', 'href'), /^webcal:\/\/127\.0\.0\.1:\d+\/api\/v1\/activities\.ics\?municipality=huizen$/);
    assert.match(await page.getAttribute('#ics-link', 'href'), /^http:\/\/.*activities\.ics\?municipality=huizen$/);
    assert.ok(await page.locator('.agenda-day').count() > 0, 'activities by day');
    const ld = await page.$$eval('script[type="application/ld+json"]', (s) => s.map((x) => JSON.parse(x.textContent)));
    assert.equal(ld[0]['@graph'][0]['@type'], 'Event');
    await close(page);
  });

  test(`professional: tick offerings, the overview shows them (${mode.name})`, async () => {
    const page = await open(mode, '/professionals?q=schulden');
    const boxes = page.locator('input[name="sel"]');
    assert.ok(await boxes.count() >= 2);
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await Promise.all([page.waitForURL(/sel=/), page.click('.select-form button[type="submit"]')]);
    assert.equal(await page.locator('#overzicht > ol > li').count(), 2);
    assert.match(await page.textContent('#overzicht'), /Kosten:/);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('#overzicht'), true);
    assert.equal(await page.isVisible('.select-form'), false, 'only the overview prints');
    await close(page);
  });
}

// Issue 13: with JavaScript on, the server's results are enhanced, not
// searched again: no /api/v1/search request while the page loads, the
// filter counts come from the page; a filter change is one request.
for (const width of [375, 1280]) {
  test(`search results are fetched once, not twice (js-${width})`, async () => {
    const page = await open({ js: true, width, height: width === 375 ? 812 : 900 }, null);
    const searches = [];
    page.on('request', (r) => { if (/\/api\/v1\/search\b/.test(r.url())) searches.push(r.url()); });
    for (const u of ['/zoeken?q=schulden', '/?need=geld', '/zoeken?q=huiselijk+geweld&gemeente=huizen']) {
      searches.length = 0;
      await page.goto(base + u, { waitUntil: 'networkidle' });
      assert.ok(await page.locator('#results li').count() > 0, u + ': results');
      assert.deepEqual(searches, [], u + ': no second search');
    }
    // The place in the URL, not a remembered one; chips and counts are there.
    assert.equal(await page.inputValue('#gemeente'), 'huizen');
    await page.goto(base + '/?need=geld', { waitUntil: 'networkidle' });
    await page.waitForSelector('#chips .chip');
    const free = parseInt((await page.textContent('#count-gratis')).replace(/\D/g, ''), 10);
    assert.ok(free > 0, 'the count next to Gratis, from the page');
    searches.length = 0;
    await page.click('#filters summary');
    await page.check('#gratis');
    await page.waitForFunction((n) => parseInt(document.querySelector('#status').textContent, 10) === n, free, { timeout: 10000 });
    assert.equal(searches.length, 1, 'one search for one filter: ' + searches.join(' '));
    assert.deepEqual(page.problems, []);
    await close(page);
  });
}

// Every page type, server-rendered (JS off) and enhanced (JS on).
test('every page type: no axe violations, JS on and off', async () => {
  const r = await (await fetch(base + '/api/v1/search?q=schuldhulpverlening')).json();
  const a = await (await fetch(base + '/api/v1/activities?per_page=1')).json();
  const svc = r.items[0];
  const pages = ['/', '/zoeken?q=schulden', '/zoeken?q=huiselijk+geweld', '/hulp', '/hulp/geld', `/aanbod/${svc.id}/x`,
    `/aanbod/${a.items[0].activity.id}/x`, `/organisatie/${svc.organization.id}/x`, '/aanbod', '/agenda',
    '/professionals?q=schulden', '/bestaat-niet'];
  // With JavaScript, axe again where the scripts change the page (search
  // re-renders results, facets and the crisis block; the report form opens).
  const enhanced = ['/', '/zoeken?q=schulden', '/zoeken?q=huiselijk+geweld', `/aanbod/${svc.id}/x#klopt-niet`];
  for (const js of [false, true]) {
    for (const u of js ? enhanced : pages) {
      // Without JavaScript = the server's HTML alone: the site's scripts are
      // not loaded (axe itself needs a page that runs script).
      const page = await open({ js: true, width: 1280, height: 900 }, null);
      if (!js) await page.route(/\/js\/.*\.js$/, (route) => route.abort());
      await page.goto(base + u, { waitUntil: 'networkidle' });
      await settled(page, { js });
      await axe(page, `${u} (${js ? 'js' : 'no js'})`);
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.deepEqual(page.problems.filter((p) => !/404|net::ERR_FAILED/.test(p)), [], u);
      await close(page);
    }
  }
});

// A crawl of the server-rendered site from / (links only, no JavaScript).
test('a crawl from / reaches every offering; JSON-LD parses; the sitemap lists them', async () => {
  const seen = new Set(['/']), queue = ['/'], offerings = new Map();
  while (queue.length && seen.size < 3000) {
    const u = queue.shift();
    const res = await fetch(base + u);
    if (!res.ok || !/text\/html/.test(res.headers.get('content-type') || '')) continue;
    const html = await res.text();
    const m = u.match(/^\/aanbod\/([0-9a-f-]{36})\//);
    if (m) {
      const lds = [...html.matchAll(/<script type="application\/ld\+json">([^<]*)<\/script>/g)].map((x) => JSON.parse(x[1]));
      assert.equal(lds.length, 1, u + ' has one JSON-LD block');
      assert.match(lds[0]['@type'], /^(GovernmentService|Event)$/);
      offerings.set(m[1], u);
    }
    for (const h of html.matchAll(/href="([^"#]+)/g)) {
      let l = h[1].replace(/&amp;/g, '&');
      if (!l.startsWith('/') || l.startsWith('//')) continue;
      if (/^\/(api|portaal|hsds|css|js|favicon)/.test(l) || /\.(html|ics|svg)/.test(l)) continue;
      if (l.includes('?') && !/^\/aanbod\?page=\d+$/.test(l)) continue; // searches are not a crawl path
      if (!seen.has(l)) { seen.add(l); queue.push(l); }
    }
  }
  // The services as the HSDS API lists them (an independent path to the data).
  const all = [];
  for (let p = 1; ; p++) {
    const hsds = await (await fetch(base + '/hsds/services?per_page=50&page=' + p)).json();
    all.push(...hsds.contents);
    if (hsds.last_page || !hsds.contents.length) break;
  }
  assert.ok(all.length > 100, 'the demo data has its services');
  const missing = all.filter((s) => !offerings.has(s.id)).map((s) => s.name);
  assert.deepEqual(missing, [], 'every service is reachable from /');
  const sm = await (await fetch(base + '/sitemap.xml')).text();
  const inMap = new Set([...sm.matchAll(/<loc>[^<]*\/aanbod\/([0-9a-f-]{36})\//g)].map((x) => x[1]));
  assert.deepEqual([...offerings.keys()].filter((id) => !inMap.has(id)), [], 'every crawled offering is in the sitemap');
  assert.equal(inMap.size, offerings.size, 'the sitemap lists exactly the offerings the crawl found');
});

test('robots, 404, gzip', async () => {
  const robots = await (await fetch(base + '/robots.txt')).text();
  assert.match(robots, /Disallow: \/portaal\//);
  assert.match(robots, /Sitemap: http:\/\/127\.0\.0\.1:\d+\/sitemap\.xml/);
  const nf = await fetch(base + '/bestaat-niet');
  assert.equal(nf.status, 404);
  assert.match(nf.headers.get('content-type'), /text\/html/);
  assert.match(await nf.text(), /<html lang="nl">[\s\S]*Deze pagina bestaat niet/);
  const api = await fetch(base + '/api/v1/bestaat-niet');
  assert.match(api.headers.get('content-type'), /problem\+json/);
  for (const u of ['/js/common.js', '/css/site.css', '/', '/api/v1/search?q=schulden']) {
    const z = await fetch(base + u, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(z.headers.get('content-encoding'), 'gzip', u);
    assert.match(z.headers.get('vary') || '', /Accept-Encoding/, u);
    const plain = await fetch(base + u, { headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null, u);
    assert.equal(await z.text(), await plain.text(), u + ': same content');
  }
});
