// Reference check of the iCal reader: every calendar is expanded by ical.js
// (Mozilla's RFC 5545 engine, tests/ical/package.json) and by our own code
// (ical_dump, indexer/ix_ical) over one fixed window, and the instances are
// compared per UID in UTC: start, end, all-day (all-day instances by their
// dates). Every difference is printed; one that is listed in allow.tsv (a
// deliberate choice or a reference bug, with its RFC 5545 section) is
// counted as allowed, any other fails the check.
//
//   node reference.mjs ICAL_DUMP FILE_OR_DIR...
//
// Exit 0 when every difference is allowed, 1 otherwise, 2 on a usage error.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ICAL from 'ical.js';

// 2017-01-01T00:00:00Z .. 2028-01-01T00:00:00Z (11 years, the longest
// window ix_ical accepts): most corpus events and all of tests/data/ical.
export const WS = 1483228800;
export const WE = 1830297600;
const MAX_OCC = 10000;     // the per-series cap given to ical_dump
const MAX_STEPS = 200000;  // reference iteration bound per series
const DEFAULT_ZONE = 'Europe/Amsterdam';
let skippedEvents = 0;
const here = new URL('.', import.meta.url).pathname;

function usage() {
  console.error('usage: node reference.mjs ICAL_DUMP FILE_OR_DIR...');
  process.exit(2);
}

function listFiles(p, out) {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort()) listFiles(join(p, e), out);
  } else if (st.isFile() && st.size <= (8 << 20)) {
    out.push(p);
  }
}

// ---- our side -------------------------------------------------------------
function ours(dump, files) {
  const res = new Map();
  // in chunks, so one command line stays short
  for (let i = 0; i < files.length; i += 200) {
    const chunk = files.slice(i, i + 200);
    const text = execFileSync(dump, [String(WS), String(WE), ...chunk],
                              { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
    let cur = null;
    for (const line of text.split('\n')) {
      const f = line.split('\t');
      if (f[0] === 'F') {
        cur = { rc: Number(f[2]), uids: new Map(), warnings: [] };
        res.set(f[1], cur);
      } else if (f[0] === 'O' && cur) {
        const [, uid, s, e, ad, sa, ea] = f;
        if (!uid) continue;
        const inst = ad === '1'
          ? { allDay: true, key: `${sa}..${ea || sa}` }
          : { allDay: false, key: `${s}..${e === '-' ? s : e}` };
        inst.shown = ad === '1' ? `${sa}/${ea || sa} (all day)` : `${iso(Number(s))}/${iso(e === '-' ? Number(s) : Number(e))}`;
        push(cur.uids, uid, inst);
      } else if (f[0] === 'W' && cur) {
        cur.warnings.push(f.slice(1).join(' '));
      }
    }
  }
  return res;
}

function push(map, k, v) {
  if (!map.has(k)) map.set(k, []);
  map.get(k).push(v);
}

function iso(t) {
  return new Date(t * 1000).toISOString().replace('.000', '');
}

// ---- reference side -------------------------------------------------------
// Zones that ical.js cannot resolve (no VTIMEZONE in the calendar) come back
// floating; they are read like RFC 5545 3.3.5 says for a TZID the reader
// knows: the IANA zone of that name (Node's ICU tzdata), else the calendar's
// X-WR-TIMEZONE, else Europe/Amsterdam. A local time in a DST gap takes the
// offset before the gap, one that exists twice is the first.
const zoneOk = new Map();
function knownZone(name) {
  if (!name) return null;
  name = String(name).replace(/^\/?(freeassociation\.sourceforge\.net\/(Tzfile\/)?|mozilla\.org\/[^/]+\/)/, '');
  if (/^(UTC|GMT|Z)$/i.test(name)) return 'UTC';
  if (!zoneOk.has(name)) {
    let ok = false;
    try { new Intl.DateTimeFormat('en', { timeZone: name }); ok = name.includes('/'); } catch { ok = false; }
    zoneOk.set(name, ok);
  }
  return zoneOk.get(name) ? name : null;
}

const fmts = new Map();
function offsetAt(zone, t) {  // seconds east of UTC at unix time t
  if (zone === 'UTC') return 0;
  let f = fmts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric',
                                           day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    fmts.set(zone, f);
  }
  const p = {};
  for (const x of f.formatToParts(new Date(t * 1000))) p[x.type] = Number(x.value);
  return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000) - t;
}

function wallToUtc(t, zone) {
  const naive = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) / 1000;
  const before = offsetAt(zone, naive - 36 * 3600), after = offsetAt(zone, naive + 36 * 3600);
  const cands = [naive - before, naive - after].filter((u) => offsetAt(zone, u) + u === naive);
  if (cands.length) return Math.min(...cands);
  return naive - before;  // in the gap
}

function utcOf(time, fallback) {
  if (time.zone && time.zone.tzid === 'UTC') return time.toUnixTime();
  if (time.zone && time.zone.tzid && time.zone.tzid !== 'floating' && time.zone !== ICAL.Timezone.localTimezone)
    return time.toUnixTime();
  return wallToUtc(time, fallback);
}

function dateStr(t) {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}`;
}

function zoneOfProp(comp, name, calZone) {
  const p = comp.getFirstProperty(name);
  const tzid = p && p.getParameter('tzid');
  return knownZone(tzid) || calZone;
}

function instance(start, end, fallbackStart, fallbackEnd) {
  if (start.isDate) {
    let last = end ? end.clone() : start.clone();
    if (end && end.compare(start) > 0) last.adjust(-1, 0, 0, 0);
    if (!end || last.compare(start) < 0) last = start.clone();
    const s = wallToUtc(start, fallbackStart);
    const e = wallToUtc(last, fallbackStart) + 86400;
    return { allDay: true, key: `${dateStr(start)}..${dateStr(last)}`, s, e,
             shown: `${dateStr(start)}/${dateStr(last)} (all day)` };
  }
  const s = utcOf(start, fallbackStart);
  let e = end ? utcOf(end, fallbackEnd) : s;
  if (e < s) e = s;
  return { allDay: false, key: `${s}..${e}`, s, e, shown: `${iso(s)}/${iso(e)}` };
}

function inWindow(i) {
  if (i.s >= WE) return false;
  return i.e > i.s ? i.e > WS : i.s >= WS;
}

function publishable(c) {
  const cls = String(c.getFirstPropertyValue('class') || '').toUpperCase();
  return cls !== 'PRIVATE' && cls !== 'CONFIDENTIAL' && c.getFirstPropertyValue('summary') &&
         c.getFirstProperty('dtstart');
}

function reference(text) {
  const parsed = ICAL.parse(text);
  // several VCALENDARs in one file come back as a list of components
  const roots = Array.isArray(parsed[0]) ? parsed : [parsed];
  // A bare VEVENT without its VCALENDAR (an export of one event) is read
  // like ix_ical reads it: as the only event of a calendar (docs/ical.md).
  const cals = [];
  for (const r of roots) {
    const root = new ICAL.Component(r);
    if (root.name === 'vevent') {
      const cal = new ICAL.Component('vcalendar');
      cal.addSubcomponent(root);
      cals.push(cal);
    } else {
      cals.push(...(root.name === 'vcalendar' ? [root] : root.getAllSubcomponents('vcalendar')));
    }
  }
  const uids = new Map();
  // a UID is one series across the whole file, like ix_ical reads it
  const byUid = new Map();
  let calZone = DEFAULT_ZONE;
  for (const cal of cals) {
    calZone = knownZone(cal.getFirstPropertyValue('x-wr-timezone')) || calZone;
    for (const ev of cal.getAllSubcomponents('vevent')) {
      const uid = ev.getFirstPropertyValue('uid');
      if (!uid || !publishable(ev)) continue;
      // ical.js normalises a huge DURATION one unit at a time (hangs): such
      // an event is not compared
      const du = ev.getFirstProperty('duration');
      if (du && /\d{7}/.test(String(du.getFirstValue()))) { skippedEvents++; continue; }
      push(byUid, String(uid).trim(), ev);
    }
  }
  {
    for (const [uid, comps] of byUid) {
      // revisions ordered like ix_ical orders them: SEQUENCE, then DTSTAMP
      // (RFC 5546 2.1.5), then file order (a stable sort); the newest last
      const seq = (c) => Number(c.getFirstPropertyValue('sequence')) || 0;
      const stamp = (c) => {  // an unreadable DTSTAMP (ical.js throws) counts as none
        try { const v = c.getFirstPropertyValue('dtstamp'); return v && v.toUnixTime ? v.toUnixTime() : -Infinity; }
        catch { return -Infinity; }
      };
      const older = (a, b) => (seq(a) - seq(b)) || (stamp(a) === stamp(b) ? 0 : stamp(a) < stamp(b) ? -1 : 1);
      const masters = comps.filter((c) => !c.hasProperty('recurrence-id'));
      const excs = comps.filter((c) => c.hasProperty('recurrence-id')).sort(older);
      const out = [];
      if (!masters.length) {
        for (const x of excs) {
          const e = new ICAL.Event(x);
          out.push(instance(e.startDate, e.endDate, zoneOfProp(x, 'dtstart', calZone), zoneOfProp(x, 'dtend', calZone)));
        }
      } else {
        let m = masters[0];
        for (const c of masters) if (older(c, m) >= 0) m = c;
        // Without options, ICAL.Event relates every RECURRENCE-ID VEVENT of
        // the master's VCALENDAR, whatever its UID; only this UID's
        // overrides are related (RFC 5545 3.8.4.4: UID and RECURRENCE-ID
        // name the instance), the higher SEQUENCE last so it wins.
        const ev = new ICAL.Event(m, { strictExceptions: true, exceptions: [] });
        for (const x of excs) ev.relateException(x);
        const mz = zoneOfProp(m, 'dtstart', calZone), mze = m.hasProperty('dtend') ? zoneOfProp(m, 'dtend', calZone) : mz;
        const it = ev.iterator();
        for (let steps = 0, next; steps < MAX_STEPS && (next = it.next()); steps++) {
          const d = ev.getOccurrenceDetails(next);
          let zs = mz, ze = mze;
          if (d.item !== ev && d.item && d.item.component) {
            zs = zoneOfProp(d.item.component, 'dtstart', calZone);
            ze = d.item.component.hasProperty('dtend') ? zoneOfProp(d.item.component, 'dtend', calZone) : zs;
          }
          const inst = instance(d.startDate, d.endDate, zs, ze);
          out.push(inst);
          if (utcOf(next, mz) >= WE + 400 * 86400) break;
        }
      }
      const kept = out.filter(inWindow).sort((a, b) => a.s - b.s).slice(0, MAX_OCC);
      for (const k of kept) push(uids, uid, k);
    }
  }
  return uids;
}

// ---- comparison -----------------------------------------------------------
function loadAllow() {
  const rules = [];
  const text = readFileSync(join(here, 'allow.tsv'), 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [file, uid, reason] = line.split('\t');
    if (!reason || !/RFC 5545|reference|^OPEN/i.test(reason)) {
      console.error(`allow.tsv: an entry needs a file, a UID and a reason naming RFC 5545 (or the reference's bug): ${line}`);
      process.exit(2);
    }
    rules.push({ file, uid, reason, used: 0 });
  }
  return rules;
}

function main() {
  const [dump, ...paths] = process.argv.slice(2);
  if (!dump || !paths.length) usage();
  const files = [];
  for (const p of paths) listFiles(p, files);
  const allow = loadAllow();
  const t0 = process.cpuUsage();
  const our = ours(dump, files);
  let nFiles = 0, nEvents = 0, nInst = 0, nDiff = 0, nAllowed = 0, nOpen = 0, nRefErr = 0, nOurRej = 0;
  const base = join(here, '..', '..');
  for (const f of files) {
    const rel = relative(base, f).replace(/^(\.\.\/)+shared\/corpora\//, 'corpora/');
    const o = our.get(f);
    let ref;
    if (process.env.SK_ICAL_REFERENCE_TRACE) console.error(rel);
    try {
      ref = reference(readFileSync(f, 'utf8'));
    } catch (e) {
      nRefErr++;
      continue;  // ical.js cannot read it: nothing to compare with
    }
    if (!o || o.rc !== 0) {
      if (ref.size) nOurRej++;
      continue;
    }
    nFiles++;
    const allUids = new Set([...o.uids.keys(), ...ref.keys()]);
    let fileInst = 0, fileDiff = 0;
    const lines = [];
    for (const uid of [...allUids].sort()) {
      nEvents++;
      const a = (o.uids.get(uid) || []).map((x) => x), b = ref.get(uid) || [];
      fileInst += Math.max(a.length, b.length);
      const count = new Map();
      for (const x of a) count.set(x.key, (count.get(x.key) || 0) + 1);
      const onlyRef = [];
      for (const x of b) {
        const c = count.get(x.key) || 0;
        if (c) count.set(x.key, c - 1); else onlyRef.push(x);
      }
      const onlyOurs = [];
      for (const x of a) {
        const c = count.get(x.key) || 0;
        if (c) { count.set(x.key, c - 1); onlyOurs.push(x); }
      }
      if (!onlyRef.length && !onlyOurs.length) continue;
      const rule = allow.find((r) => (r.file === rel || (r.file.endsWith("*") && rel.startsWith(r.file.slice(0, -1)))) &&
                                     (r.uid === '*' || r.uid === uid));
      const n = onlyRef.length + onlyOurs.length;
      fileDiff += n;
      nDiff += n;
      if (rule) { rule.used += n; nAllowed += n; if (/^OPEN/.test(rule.reason)) nOpen += n; }
      const tag = rule ? (/^OPEN/.test(rule.reason) ? 'open' : 'allowed') : 'DIFF';
      const shown = (xs) => xs.slice(0, 6).map((x) => x.shown).join(', ') + (xs.length > 6 ? `, … (${xs.length})` : '');
      lines.push(`  ${tag} ${uid}: ours ${a.length}, ical.js ${b.length}` +
                 (onlyOurs.length ? `; only ours: ${shown(onlyOurs)}` : '') +
                 (onlyRef.length ? `; only ical.js: ${shown(onlyRef)}` : '') +
                 (rule ? ` [${rule.reason}]` : ''));
    }
    nInst += fileInst;
    if (fileDiff || process.env.SK_ICAL_REFERENCE_VERBOSE)
      console.log(`${rel}: ${allUids.size} events, ${fileInst} instances, ${fileDiff} differences`);
    for (const l of lines) console.log(l);
  }
  const cpu = process.cpuUsage(t0);
  const unallowed = nDiff - nAllowed;
  console.log(`ical reference (window ${iso(WS)} .. ${iso(WE)}): ${files.length} files, ${nFiles} compared, ` +
              `${nEvents} events, ${nInst} instances, ${nDiff} differences (${nAllowed - nOpen} allowed as deliberate or the reference's, ${nOpen} open, ${unallowed} not listed); ` +
              `${nRefErr} files ical.js cannot read, ${skippedEvents} events it cannot expand, ${nOurRej} that only we reject; ` +
              `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU in node`);
  for (const r of allow) if (!r.used) console.log(`allow.tsv: unused entry ${r.file} ${r.uid}`);
  process.exit(unallowed ? 1 : 0);
}

main();
