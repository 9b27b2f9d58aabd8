#include "sk_schema.h"

/*
 * Data model (HSDS 3.0 shaped, Dutch profile). Conventions:
 *  - rid: the integer row id (joins, FTS rowid); id: the public, stable UUID.
 *  - source: 'feed:<feed id>' or 'portal'; source_key: the record's key in
 *    its source (HSDS id or the partner's own key). (source, source_key) is
 *    unique, so the next fetch of the same record finds the same row.
 *  - status: 'active', 'inactive' or 'withdrawn' (hidden, kept with history).
 *  - times are ISO 8601 text in UTC ("2026-11-22T05:00:00Z"); assured_date is
 *    when the data was last confirmed correct, apart from last_modified.
 */
static const char migration_1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"

    /* Taxonomy: needs, target groups, municipalities, scopes, access, cost, law. */
    "CREATE TABLE taxonomy_term(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  vocabulary TEXT NOT NULL CHECK (vocabulary IN\n"
    "    ('need','target_group','municipality','scope','access','cost','law')),\n"
    "  code TEXT NOT NULL,\n"
    "  parent_code TEXT,\n"
    "  label TEXT NOT NULL,\n"
    "  explain TEXT,\n"
    "  min_age INTEGER,\n"
    "  max_age INTEGER,\n"
    "  crisis INTEGER NOT NULL DEFAULT 0,\n"
    "  position INTEGER NOT NULL DEFAULT 0,\n"
    "  extra TEXT,\n" /* JSON: synonyms, postcodes, centroid, scopes, cbs_code */
    "  UNIQUE(vocabulary, code));\n"

    /* Feeds and their health. */
    "CREATE TABLE feed(\n"
    "  id TEXT PRIMARY KEY,\n"
    "  partner TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('partner-json','hsds','ical','csv')),\n"
    "  location TEXT NOT NULL,\n"
    "  enabled INTEGER NOT NULL DEFAULT 1,\n"
    "  http_etag TEXT,\n"
    "  http_last_modified TEXT,\n"
    "  content_hash TEXT,\n"
    "  last_attempt TEXT,\n"
    "  last_success TEXT,\n"
    "  last_error TEXT,\n"
    "  n_records INTEGER NOT NULL DEFAULT 0,\n"
    "  n_new INTEGER NOT NULL DEFAULT 0,\n"
    "  n_changed INTEGER NOT NULL DEFAULT 0,\n"
    "  n_unchanged INTEGER NOT NULL DEFAULT 0,\n"
    "  n_withdrawn INTEGER NOT NULL DEFAULT 0,\n"
    "  n_rejected INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE feed_rejection(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  feed_id TEXT NOT NULL REFERENCES feed(id) ON DELETE CASCADE,\n"
    "  record_key TEXT,\n"
    "  field TEXT,\n"
    "  reason TEXT NOT NULL,\n" /* Dutch, for the partner */
    "  at TEXT NOT NULL);\n"
    "CREATE INDEX feed_rejection_feed ON feed_rejection(feed_id);\n"

    "CREATE TABLE organization(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  source TEXT NOT NULL,\n"
    "  source_key TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  description TEXT,\n"
    "  email TEXT,\n"
    "  website TEXT,\n"
    "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive','withdrawn')),\n"
    "  content_hash TEXT,\n"
    "  created TEXT NOT NULL,\n"
    "  last_modified TEXT NOT NULL,\n"
    "  UNIQUE(source, source_key));\n"

    /* An offering. kind 'activiteit' rows come from calendars and have an
     * activity row and occurrences; 'aanbod' rows are services. */
    "CREATE TABLE service(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  organization_rid INTEGER NOT NULL REFERENCES organization(rid),\n"
    "  source TEXT NOT NULL,\n"
    "  source_key TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL DEFAULT 'aanbod' CHECK (kind IN ('aanbod','activiteit')),\n"
    "  name TEXT NOT NULL,\n"
    "  summary TEXT,\n" /* one line: what it is */
    "  description TEXT,\n"
    "  keywords TEXT,\n"
    "  url TEXT,\n"
    "  email TEXT,\n"
    "  application_process TEXT,\n" /* how to get it / how to refer */
    "  eligibility_description TEXT,\n"
    "  fees_description TEXT,\n"
    "  referral_contact TEXT,\n" /* restricted: professionals only */
    "  min_age INTEGER,\n"
    "  max_age INTEGER,\n"
    "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive','withdrawn')),\n"
    "  content_hash TEXT,\n"
    "  assured_date TEXT,\n"
    "  assured_by TEXT,\n"
    "  created TEXT NOT NULL,\n"
    "  last_modified TEXT NOT NULL,\n"
    "  UNIQUE(source, source_key));\n"
    "CREATE INDEX service_org ON service(organization_rid);\n"
    "CREATE INDEX service_status ON service(status, kind);\n"

    /* Classification: vocabulary is need, target_group, access, cost or law. */
    "CREATE TABLE service_taxonomy(\n"
    "  service_rid INTEGER NOT NULL REFERENCES service(rid) ON DELETE CASCADE,\n"
    "  vocabulary TEXT NOT NULL,\n"
    "  code TEXT NOT NULL,\n"
    "  PRIMARY KEY(service_rid, vocabulary, code)) WITHOUT ROWID;\n"
    "CREATE INDEX service_taxonomy_code ON service_taxonomy(vocabulary, code);\n"

    /* Where an offering is for: a municipality code or a scope (hbel, bel,
     * regio, landelijk). A row for one municipality with ages narrows the
     * offering there ("for Eemnes: adults only": eemnes, min_age 18). */
    "CREATE TABLE service_area(\n"
    "  service_rid INTEGER NOT NULL REFERENCES service(rid) ON DELETE CASCADE,\n"
    "  area_code TEXT NOT NULL,\n"
    "  min_age INTEGER,\n"
    "  max_age INTEGER,\n"
    "  note TEXT,\n"
    "  PRIMARY KEY(service_rid, area_code)) WITHOUT ROWID;\n"
    "CREATE INDEX service_area_code ON service_area(area_code);\n"

    "CREATE TABLE location(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  organization_rid INTEGER REFERENCES organization(rid),\n"
    "  source TEXT NOT NULL,\n"
    "  source_key TEXT NOT NULL,\n"
    "  name TEXT,\n"
    "  address TEXT,\n"
    "  postal_code TEXT,\n"
    "  city TEXT,\n"
    "  municipality_code TEXT,\n"
    "  latitude REAL,\n"
    "  longitude REAL,\n"
    "  accessibility TEXT,\n"
    "  status TEXT NOT NULL DEFAULT 'active',\n"
    "  last_modified TEXT NOT NULL,\n"
    "  UNIQUE(source, source_key));\n"
    "CREATE TABLE service_at_location(\n"
    "  service_rid INTEGER NOT NULL REFERENCES service(rid) ON DELETE CASCADE,\n"
    "  location_rid INTEGER NOT NULL REFERENCES location(rid) ON DELETE CASCADE,\n"
    "  PRIMARY KEY(service_rid, location_rid)) WITHOUT ROWID;\n"
    "CREATE INDEX service_at_location_loc ON service_at_location(location_rid);\n"

    "CREATE TABLE phone(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  service_rid INTEGER REFERENCES service(rid) ON DELETE CASCADE,\n"
    "  organization_rid INTEGER REFERENCES organization(rid) ON DELETE CASCADE,\n"
    "  location_rid INTEGER REFERENCES location(rid) ON DELETE CASCADE,\n"
    "  number TEXT NOT NULL,\n"
    "  description TEXT,\n"
    "  restricted INTEGER NOT NULL DEFAULT 0);\n" /* 1: professionals only */
    "CREATE INDEX phone_service ON phone(service_rid);\n"
    "CREATE INDEX phone_org ON phone(organization_rid);\n"

    /* Opening hours: weekday 1 = Monday .. 7 = Sunday, local times HH:MM. */
    "CREATE TABLE schedule(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  service_rid INTEGER REFERENCES service(rid) ON DELETE CASCADE,\n"
    "  location_rid INTEGER REFERENCES location(rid) ON DELETE CASCADE,\n"
    "  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),\n"
    "  opens_at TEXT NOT NULL,\n"
    "  closes_at TEXT NOT NULL,\n"
    "  valid_from TEXT,\n"
    "  valid_to TEXT,\n"
    "  description TEXT);\n"
    "CREATE INDEX schedule_service ON schedule(service_rid);\n"

    /* Calendar activities (HSDS has no events): one row per VEVENT series,
     * its service row (kind 'activiteit') carries name, text and taxonomy. */
    "CREATE TABLE activity(\n"
    "  service_rid INTEGER PRIMARY KEY REFERENCES service(rid) ON DELETE CASCADE,\n"
    "  uid TEXT NOT NULL,\n"
    "  location_text TEXT,\n"
    "  municipality_code TEXT,\n"
    "  recurrence TEXT,\n" /* the RRULE as text, for display */
    "  organizer TEXT);\n"
    "CREATE TABLE occurrence(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  service_rid INTEGER NOT NULL REFERENCES service(rid) ON DELETE CASCADE,\n"
    "  starts_at TEXT NOT NULL,\n" /* local time with offset, or a date */
    "  ends_at TEXT,\n"
    "  start_utc INTEGER NOT NULL,\n" /* unix seconds, for ordering and windows */
    "  end_utc INTEGER,\n"
    "  all_day INTEGER NOT NULL DEFAULT 0,\n"
    "  cancelled INTEGER NOT NULL DEFAULT 0,\n"
    "  location_text TEXT);\n"
    "CREATE INDEX occurrence_start ON occurrence(start_utc);\n"
    "CREATE INDEX occurrence_service ON occurrence(service_rid, start_utc);\n"

    /* Per-field change log: who changed what, when, from and to. */
    "CREATE TABLE change_log(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  at TEXT NOT NULL,\n"
    "  actor TEXT NOT NULL,\n"  /* 'feed:<id>', 'account:<id>', 'system' */
    "  entity TEXT NOT NULL,\n" /* 'service', 'organization', ... */
    "  entity_id TEXT NOT NULL,\n"
    "  field TEXT NOT NULL,\n"
    "  old_value TEXT,\n"
    "  new_value TEXT);\n"
    "CREATE INDEX change_log_entity ON change_log(entity, entity_id);\n"

    /* Accounts for partners, editors, admins and professionals. */
    "CREATE TABLE account(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
    "  name TEXT NOT NULL,\n"
    "  role TEXT NOT NULL CHECK (role IN ('partner','redacteur','admin','professional')),\n"
    "  password_hash TEXT,\n"
    "  disabled INTEGER NOT NULL DEFAULT 0,\n"
    "  trusted INTEGER NOT NULL DEFAULT 0,\n"
    "  created TEXT NOT NULL);\n"
    "CREATE TABLE account_organization(\n"
    "  account_rid INTEGER NOT NULL REFERENCES account(rid) ON DELETE CASCADE,\n"
    "  organization_rid INTEGER NOT NULL REFERENCES organization(rid) ON DELETE CASCADE,\n"
    "  PRIMARY KEY(account_rid, organization_rid)) WITHOUT ROWID;\n"

    /* Full-text index over active offerings; rowid = service.rid. Kept in
     * step by sk_store_index_service. Columns in bm25 weight order. */
    "CREATE VIRTUAL TABLE search_fts USING fts5(\n"
    "  name, needs, organization, keywords, description,\n"
    "  tokenize = 'dutch');\n";

/* Search support (owner: search). search_words holds the same text as
 * search_fts, folded but not stemmed, only for its vocabulary: the words
 * that really occur, for "did you mean" and for finding compounds that
 * contain a query word ("centrum" -> "wijkcentrum"). detail=none keeps it
 * small. Filled here from search_fts for stores made before this version. */
static const char migration_2[] =
    "CREATE VIRTUAL TABLE search_words USING fts5(\n"
    "  words, tokenize = 'unicode61 remove_diacritics 2', detail = none);\n"
    "CREATE VIRTUAL TABLE search_words_vocab USING fts5vocab(search_words, 'row');\n"
    "INSERT INTO search_words(rowid, words)\n"
    "  SELECT rowid, coalesce(name, '') || ' ' || coalesce(needs, '') || ' ' ||\n"
    "    coalesce(organization, '') || ' ' || coalesce(keywords, '') || ' ' ||\n"
    "    coalesce(description, '')\n"
    "  FROM search_fts;\n";

/* Accounts and access (owner: auth). Times here are unix seconds (INTEGER):
 * they are compared with "now" on every request. Secrets are never stored:
 * auth_session.id_hash, api_token.hash and password_reset.hash are BLAKE2b-256
 * (hex) of tokens that only the client holds; login_attempt keeps a hash of
 * the typed e-mail address, so typos and pasted passwords are not kept. */
static const char migration_3[] =
    "ALTER TABLE account ADD COLUMN last_login TEXT;\n"
    "CREATE TABLE auth_session(\n"
    "  id_hash TEXT PRIMARY KEY,\n"
    "  account_rid INTEGER NOT NULL REFERENCES account(rid) ON DELETE CASCADE,\n"
    "  created INTEGER NOT NULL,\n"
    "  last_seen INTEGER NOT NULL,\n"
    "  expires INTEGER NOT NULL,\n" /* absolute end; idle end is last_seen + idle */
    "  csrf TEXT NOT NULL,\n"
    "  ip TEXT,\n"
    "  user_agent TEXT) WITHOUT ROWID;\n"
    "CREATE INDEX auth_session_account ON auth_session(account_rid);\n"
    "CREATE INDEX auth_session_expires ON auth_session(expires);\n"
    "CREATE TABLE api_token(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  account_rid INTEGER NOT NULL REFERENCES account(rid) ON DELETE CASCADE,\n"
    "  prefix TEXT NOT NULL,\n" /* the first characters of the token, to find and show it */
    "  hash TEXT NOT NULL,\n"
    "  label TEXT,\n"
    "  created INTEGER NOT NULL,\n"
    "  expires INTEGER,\n" /* NULL: until revoked */
    "  last_used INTEGER,\n"
    "  revoked INTEGER);\n" /* when it was revoked; NULL: active */
    "CREATE INDEX api_token_prefix ON api_token(prefix);\n"
    "CREATE INDEX api_token_account ON api_token(account_rid);\n"
    "CREATE TABLE password_reset(\n"
    "  hash TEXT PRIMARY KEY,\n"
    "  account_rid INTEGER NOT NULL REFERENCES account(rid) ON DELETE CASCADE,\n"
    "  created INTEGER NOT NULL,\n"
    "  expires INTEGER NOT NULL) WITHOUT ROWID;\n"
    "CREATE INDEX password_reset_account ON password_reset(account_rid);\n"
    "CREATE TABLE login_attempt(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  at INTEGER NOT NULL,\n"
    "  email_hash TEXT NOT NULL,\n"
    "  ip TEXT,\n"
    "  ok INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX login_attempt_email ON login_attempt(email_hash, at);\n"
    "CREATE INDEX login_attempt_ip ON login_attempt(ip, at);\n"
    "CREATE INDEX login_attempt_at ON login_attempt(at);\n";

/* Partner portal (owner: portal). change_log.version ties the per-field
 * rows of one portal change to its snapshot in portal_version (NULL for
 * feed changes). portal_version keeps the whole editable document after
 * every portal change, so any earlier version can be restored exactly.
 * portal_pending holds edits of untrusted partners until a redacteur
 * decides; portal_correction holds "Klopt er iets niet?" messages (the
 * sender's IP only as a keyed hash, for the rate limit); portal_outbox the
 * reminder messages, one per partner account and period. Times are ISO
 * 8601 UTC text like the rest of the model. */
static const char migration_4[] =
    "ALTER TABLE change_log ADD COLUMN version INTEGER;\n"
    "CREATE TABLE portal_version(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  entity TEXT NOT NULL,\n"
    "  entity_id TEXT NOT NULL,\n"
    "  version INTEGER NOT NULL,\n"
    "  at TEXT NOT NULL,\n"
    "  actor TEXT NOT NULL,\n"
    "  note TEXT NOT NULL,\n" /* create, update, withdraw, restore:<n>, approve:<pending id> */
    "  doc TEXT NOT NULL,\n"
    "  UNIQUE(entity, entity_id, version));\n"
    "CREATE TABLE portal_pending(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  entity TEXT NOT NULL,\n"
    "  entity_id TEXT NOT NULL,\n"
    "  organization_id TEXT NOT NULL,\n"
    "  action TEXT NOT NULL CHECK (action IN ('create','update','withdraw')),\n"
    "  base_etag TEXT,\n"
    "  doc TEXT NOT NULL,\n"
    "  submitted_by TEXT NOT NULL,\n"
    "  submitted_at TEXT NOT NULL,\n"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN "
    "('pending','approved','rejected')),\n"
    "  decided_by TEXT,\n"
    "  decided_at TEXT,\n"
    "  reason TEXT);\n"
    "CREATE INDEX portal_pending_status ON portal_pending(status, submitted_at);\n"
    "CREATE INDEX portal_pending_entity ON portal_pending(entity, entity_id);\n"
    "CREATE TABLE portal_correction(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  entity TEXT NOT NULL,\n"
    "  entity_id TEXT NOT NULL,\n"
    "  organization_id TEXT,\n"
    "  name TEXT,\n"
    "  email TEXT,\n"
    "  message TEXT NOT NULL,\n"
    "  ip_hash TEXT NOT NULL,\n"
    "  created TEXT NOT NULL,\n"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),\n"
    "  closed_by TEXT,\n"
    "  closed_at TEXT);\n"
    "CREATE INDEX portal_correction_org ON portal_correction(organization_id, status);\n"
    "CREATE INDEX portal_correction_ip ON portal_correction(ip_hash, created);\n"
    "CREATE TABLE portal_outbox(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  account_id TEXT NOT NULL,\n"
    "  period TEXT NOT NULL,\n"
    "  to_email TEXT NOT NULL,\n"
    "  subject TEXT NOT NULL,\n"
    "  body TEXT NOT NULL,\n"
    "  entries TEXT NOT NULL,\n" /* JSON array of the entry ids listed */
    "  created TEXT NOT NULL,\n"
    "  sent_at TEXT,\n"
    "  UNIQUE(account_id, period));\n";

/* Keeping the map current (owner: portal, sk_verify.c; docs/portal.md,
 * "Verification"). Every offering has a cycle: it starts at its baseline
 * (the latest of assured_date, confirmed_date and created) and is due
 * verify_months later (NULL: 12). verify_log has one row per step an entry
 * went through in a cycle (due, reminded, reminded_again, task, flagged,
 * hidden, confirmed, change_requested); a daily run adds each step once.
 * confirmed_date is the last "Klopt nog" over the personal link: feeds
 * never write it, so a feed entry keeps its confirmation across fetches.
 * verify_hidden = 1: left unconfirmed too long, out of search until
 * confirmed. */
static const char migration_5[] =
    "ALTER TABLE organization ADD COLUMN verify_months INTEGER"
    " CHECK (verify_months IS NULL OR verify_months BETWEEN 1 AND 60);\n"
    "ALTER TABLE service ADD COLUMN confirmed_date TEXT;\n"
    "ALTER TABLE service ADD COLUMN verify_hidden INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE TABLE verify_log(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  service_rid INTEGER NOT NULL REFERENCES service(rid) ON DELETE CASCADE,\n"
    "  cycle TEXT NOT NULL,\n" /* the cycle's baseline day, YYYY-MM-DD */
    "  step TEXT NOT NULL CHECK (step IN ('due','reminded','reminded_again','task','flagged',"
    "'hidden','confirmed','change_requested')),\n"
    "  at TEXT NOT NULL,\n"
    "  detail TEXT,\n"
    "  UNIQUE(service_rid, cycle, step));\n"
    "CREATE INDEX verify_log_step ON verify_log(step, at);\n";

/* Search statistics (owner: portal, sk_dashboard.c): no address, no
 * session id; visitor is an HMAC under a key of that month alone. */
static const char migration_6[] =
    "CREATE TABLE search_stat(\n"
    "  month TEXT NOT NULL,\n"
    "  query TEXT NOT NULL,\n"
    "  visitor TEXT NOT NULL,\n"
    "  searches INTEGER NOT NULL DEFAULT 1,\n"
    "  PRIMARY KEY(month, query, visitor)) WITHOUT ROWID;\n"
    /* A message the receiving server refused for good (5xx): the message is
     * done (sent_at) and bounced; the organisation's address that bounced is
     * kept, so it is not used again until the data gives another one. */
    "ALTER TABLE portal_outbox ADD COLUMN bounced_at TEXT;\n"
    "ALTER TABLE portal_outbox ADD COLUMN bounce_reason TEXT;\n"
    "ALTER TABLE organization ADD COLUMN email_bounced TEXT;\n";

/* Feeds verified too, and claiming an organisation (owner: portal,
 * sk_verify.c, sk_claim.c). feed.confirmed_date: the feed's partner
 * confirmed the feed itself over its personal link (a feed whose records
 * carry no assured_date counts its fetches only while that is recent).
 * feed_verify_log: the feed's cycle (due, reminded, reminded_again, task,
 * confirmed) and its outages (down: cycle = the day of the last successful
 * fetch). org_claim: "Is dit uw organisatie?", requested -> filed (the link
 * in the mail to the organisation's own address was followed) -> approved
 * (an account linked to that organisation only) or rejected; ip_hash is a
 * keyed hash for throttling. search_stat.results/crisis: what the search
 * found when the visitor made it (the dashboard reads them, no searches). */
static const char migration_7[] =
    "ALTER TABLE feed ADD COLUMN confirmed_date TEXT;\n"
    "CREATE TABLE feed_verify_log(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  feed_id TEXT NOT NULL REFERENCES feed(id) ON DELETE CASCADE,\n"
    "  cycle TEXT NOT NULL,\n"
    "  step TEXT NOT NULL CHECK (step IN ('due','reminded','reminded_again','task',"
    "'confirmed','down')),\n"
    "  at TEXT NOT NULL,\n"
    "  detail TEXT,\n"
    "  UNIQUE(feed_id, cycle, step));\n"
    "CREATE TABLE org_claim(\n"
    "  id TEXT PRIMARY KEY,\n"
    "  organization_id TEXT NOT NULL,\n"
    "  email TEXT NOT NULL,\n"
    "  status TEXT NOT NULL CHECK (status IN ('requested','filed','approved','rejected')),\n"
    "  ip_hash TEXT NOT NULL,\n"
    "  requested TEXT NOT NULL,\n"
    "  filed TEXT,\n"
    "  decided TEXT,\n"
    "  decided_by TEXT,\n"
    "  account_id TEXT,\n"
    "  reason TEXT);\n"
    "CREATE INDEX org_claim_org ON org_claim(organization_id, requested);\n"
    "CREATE INDEX org_claim_ip ON org_claim(ip_hash, requested);\n"
    "ALTER TABLE search_stat ADD COLUMN results INTEGER;\n"
    "ALTER TABLE search_stat ADD COLUMN crisis INTEGER NOT NULL DEFAULT 0;\n";

/* Issue 13 (migration 8): who manages a feed. account_feed links a partner account to a
 * feed it keeps (not every organisation a feed lists is its keeper: an
 * aggregated feed lists many). A correction sent to a feed's keeper has
 * feed_id: it is shown to the accounts of that feed (and the redactie),
 * not to the organisation's own partners. */
static const char migration_8[] =
    "CREATE TABLE account_feed(\n"
    "  account_rid INTEGER NOT NULL REFERENCES account(rid) ON DELETE CASCADE,\n"
    "  feed_id TEXT NOT NULL,\n"
    "  PRIMARY KEY(account_rid, feed_id)) WITHOUT ROWID;\n"
    "CREATE INDEX account_feed_feed ON account_feed(feed_id);\n"
    "ALTER TABLE portal_correction ADD COLUMN feed_id TEXT;\n"
    "CREATE INDEX portal_correction_feed ON portal_correction(feed_id, status);\n";

/* The feed kinds are one table in the indexer (ix_feed_kinds[],
 * indexer/ix_kind.c), which refuses an unknown kind where a feed is
 * registered (ix_apply_register_feed); the CHECK listing them here again
 * made a new format touch the schema too. The table is rebuilt without it
 * (SQLite's ALTER TABLE recipe: the store runs every migration with foreign
 * keys off and checks them before the commit; feed_rejection and
 * feed_verify_log refer to the table by name, so their rows and foreign
 * keys stay as they are). */
static const char migration_9[] =
    "CREATE TABLE new_feed(\n"
    "  id TEXT PRIMARY KEY,\n"
    "  partner TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  location TEXT NOT NULL,\n"
    "  enabled INTEGER NOT NULL DEFAULT 1,\n"
    "  http_etag TEXT,\n"
    "  http_last_modified TEXT,\n"
    "  content_hash TEXT,\n"
    "  last_attempt TEXT,\n"
    "  last_success TEXT,\n"
    "  last_error TEXT,\n"
    "  n_records INTEGER NOT NULL DEFAULT 0,\n"
    "  n_new INTEGER NOT NULL DEFAULT 0,\n"
    "  n_changed INTEGER NOT NULL DEFAULT 0,\n"
    "  n_unchanged INTEGER NOT NULL DEFAULT 0,\n"
    "  n_withdrawn INTEGER NOT NULL DEFAULT 0,\n"
    "  n_rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  confirmed_date TEXT);\n"
    "INSERT INTO new_feed SELECT id, partner, kind, location, enabled, http_etag,\n"
    "  http_last_modified, content_hash, last_attempt, last_success, last_error, n_records,\n"
    "  n_new, n_changed, n_unchanged, n_withdrawn, n_rejected, confirmed_date FROM feed;\n"
    "DROP TABLE feed;\n"
    "ALTER TABLE new_feed RENAME TO feed;\n";

/* The source's own last_modified of a service (HSDS, issue 12), kept beside
 * ours: last_modified stays our time of change (what /hsds publishes and
 * modified_after filters on). Written by ix_apply via sk_write. */
static const char migration_10[] = "ALTER TABLE service ADD COLUMN source_modified TEXT;\n";

const char *const sk_schema_migrations[SK_SCHEMA_VERSION] = {
    migration_1, migration_2, migration_3, migration_4, migration_5,
    migration_6, migration_7, migration_8, migration_9, migration_10};
