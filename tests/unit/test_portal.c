/* Partner portal core: access by any route, If-Match conflicts, history
 * and restore, moderation, confirmation, the reminder outbox, corrections
 * with rate limit and spam guard, and reindexing never touching portal
 * rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_apply.h"
#include "ix_partner_json.h"
#include "ix_validate.h"
#include "sk_err.h"
#include "sk_portal.h"

#define T0 1780000000LL /* 2026-05-28 */
#define DAY 86400LL

struct fx {
  struct sk_store *st;
  struct sk_portal p;
  char org_a[SK_UUID_LEN], org_b[SK_UUID_LEN];
  struct sk_actor partner_a, partner_b, untrusted_a, redacteur, professional;
};

static void insert_org(struct sk_store *st, const char *id, const char *name) {
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(st->db,
                                      "INSERT INTO organization(id, source, source_key, name,"
                                      " created, last_modified) VALUES(?1, 'portal', ?1, ?2,"
                                      " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                                      -1, &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
}

/* An account row linked to orgs, loaded back as an actor. */
static void account(struct sk_store *st, const char *id, const char *role, int trusted,
                    const char *org1, const char *org2, struct sk_actor *out) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "INSERT INTO account(id, email, name, role, trusted, created) VALUES('%s',"
           " '%s@example.org', 'Naam %s', '%s', %d, '2026-01-01T00:00:00Z')",
           id, id, id, role, trusted);
  assert_int_equal(sk_store_exec(st, sql), SK_OK);
  const char *orgs[2] = {org1, org2};
  for (int i = 0; i < 2; i++) {
    if (!orgs[i])
      continue;
    snprintf(sql, sizeof sql,
             "INSERT INTO account_organization(account_rid, organization_rid) SELECT"
             " (SELECT rid FROM account WHERE id = '%s'), rid FROM organization WHERE id = '%s'",
             id, orgs[i]);
    assert_int_equal(sk_store_exec(st, sql), SK_OK);
  }
  assert_int_equal(sk_portal_actor_load(st, id, out), SK_OK);
}

static void fx_init(struct fx *f, const char *name) {
  memset(f, 0, sizeof *f);
  f->st = th_store_with_taxonomy(name);
  sk_portal_init(&f->p, f->st, th_taxonomy());
  f->p.now = T0;
  sk_uuid_random(f->org_a);
  sk_uuid_random(f->org_b);
  insert_org(f->st, f->org_a, "Welzijn A");
  insert_org(f->st, f->org_b, "Stichting B");
  account(f->st, "acc-a", "partner", 1, f->org_a, NULL, &f->partner_a);
  account(f->st, "acc-b", "partner", 1, f->org_b, NULL, &f->partner_b);
  account(f->st, "acc-a2", "partner", 0, f->org_a, NULL, &f->untrusted_a);
  account(f->st, "acc-r", "redacteur", 0, NULL, NULL, &f->redacteur);
  account(f->st, "acc-p", "professional", 0, NULL, NULL, &f->professional);
}

static void fx_free(struct fx *f) { sk_store_close(f->st); }

static json_t *svc_doc(const char *org, const char *name) {
  return json_pack("{s:s, s:s, s:[s], s:[s], s:s, s:s}", "organization", org, "name", name, "needs",
                   "geld", "areas", "huizen", "access", "vrij", "cost", "gratis");
}

/* Create an offering (must publish) and return its id and etag. */
static void create_svc(struct fx *f, const struct sk_actor *a, const char *org, const char *name,
                       char id[SK_UUID_LEN], char etag[48]) {
  json_t *d = svc_doc(org, name);
  struct sk_portal_result r;
  int rc = sk_portal_create(&f->p, a, SK_PORTAL_SERVICE, d, &r);
  if (rc)
    fail_msg("create %s: %d %s", name, r.http, r.message);
  json_decref(d);
  assert_int_equal(r.http, 201);
  snprintf(id, SK_UUID_LEN, "%s", json_string_value(json_object_get(r.body, "id")));
  if (etag)
    snprintf(etag, 48, "%s", r.etag);
  sk_portal_result_free(&r);
}

static long long q_int(struct sk_store *st, const char *fmt, const char *arg) {
  char sql[1024];
  snprintf(sql, sizeof sql, fmt, arg);
  return th_query_int(st, sql);
}

static void text_of(struct sk_store *st, const char *fmt, const char *arg, char *out, size_t n) {
  char sql[1024];
  snprintf(sql, sizeof sql, fmt, arg);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    fail_msg("prepare %s: %s", sql, sqlite3_errmsg(st->db));
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  const char *v = (const char *)sqlite3_column_text(s, 0);
  snprintf(out, n, "%s", v ? v : "(null)");
  sqlite3_finalize(s);
}

static long long found(struct sk_store *st, const char *word) {
  return q_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH '%s'", word);
}

/* The errors array holds a message for this field containing text. */
static void has_error(const struct sk_portal_result *r, const char *field, const char *text) {
  size_t i;
  json_t *e;
  json_array_foreach(r->errors, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0 &&
        strstr(json_string_value(json_object_get(e, "message")), text))
      return;
  }
  char *dump = json_dumps(r->errors, 0);
  fail_msg("no error for %s with '%s' in %s", field, text, dump ? dump : "(null)");
}

/* ---- tests -------------------------------------------------------------- */

static void test_create_read_update_roundtrip(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "roundtrip.db");
  struct sk_portal_result r;
  /* a location, postcode normalised and municipality derived from it */
  json_t *loc = json_pack("{s:s, s:s, s:s, s:s, s:[{s:i, s:s, s:s}]}", "organization", f.org_a,
                          "name", "Wijkcentrum De Draaikolk", "address", "Kerkstraat 1",
                          "postal_code", "1271ab", "hours", "weekday", 1, "opens", "09:00",
                          "closes", "12:00");
  assert_int_equal(sk_portal_create(&f.p, &f.partner_a, SK_PORTAL_LOCATION, loc, &r), SK_OK);
  json_decref(loc);
  assert_int_equal(r.http, 201);
  assert_string_equal(json_string_value(json_object_get(r.body, "postal_code")), "1271 AB");
  assert_string_equal(json_string_value(json_object_get(r.body, "municipality")), "huizen");
  char loc_id[SK_UUID_LEN];
  snprintf(loc_id, sizeof loc_id, "%s", json_string_value(json_object_get(r.body, "id")));
  sk_portal_result_free(&r);

  json_t *d = svc_doc(f.org_a, "Schuldhulp Huizen");
  json_object_set_new(d, "locations", json_pack("[s]", loc_id));
  json_object_set_new(
      d, "phones", json_pack("[{s:s, s:s}]", "number", "035 000 0001", "description", "spreekuur"));
  json_object_set_new(
      d, "hours",
      json_pack("[{s:i, s:s, s:s}]", "weekday", 2, "opens", "13:00", "closes", "16:30"));
  assert_int_equal(sk_portal_create(&f.p, &f.partner_a, SK_PORTAL_SERVICE, d, &r), SK_OK);
  json_decref(d);
  assert_int_equal(r.http, 201);
  assert_true(r.etag[0] == '"');
  char id[SK_UUID_LEN], etag[48];
  snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.body, "id")));
  snprintf(etag, sizeof etag, "%s", r.etag);
  assert_string_equal(json_string_value(json_object_get(r.body, "source")), "portal");
  assert_true(json_is_true(json_object_get(r.body, "editable")));
  assert_int_equal(json_integer_value(json_object_get(r.body, "version")), 1);
  /* created by the partner: confirmed now */
  assert_string_equal(json_string_value(json_object_get(r.body, "assured_date")),
                      "2026-05-28T20:26:40Z");
  sk_portal_result_free(&r);
  assert_int_equal(found(f.st, "schuldhulp"), 1);

  /* reading gives the same ETag */
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, &r), SK_OK);
  assert_string_equal(r.etag, etag);
  assert_string_equal(json_string_value(json_array_get(json_object_get(r.body, "locations"), 0)),
                      loc_id);
  sk_portal_result_free(&r);

  /* a merge patch changes one field and keeps the rest */
  f.p.now = T0 + 60;
  json_t *patch = json_pack("{s:s}", "summary", "Hulp bij schulden");
  assert_int_equal(sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, etag, patch, &r),
                   SK_OK);
  json_decref(patch);
  assert_int_equal(r.http, 200);
  assert_string_not_equal(r.etag, etag);
  assert_string_equal(json_string_value(json_object_get(r.body, "summary")), "Hulp bij schulden");
  assert_string_equal(json_string_value(json_object_get(r.body, "name")), "Schuldhulp Huizen");
  assert_int_equal(json_array_size(json_object_get(r.body, "phones")), 1);
  sk_portal_result_free(&r);

  /* activity with dates, through the activities route */
  json_t *act = json_pack("{s:s, s:s, s:[s], s:[s], s:s, s:[{s:s, s:s}, {s:s}]}", "organization",
                          f.org_a, "name", "Taalcafé", "needs", "taal", "areas", "huizen",
                          "location_text", "Bibliotheek Huizen", "occurrences", "starts_at",
                          "2026-06-09T10:00+02:00", "ends_at", "2026-06-09T12:00+02:00",
                          "starts_at", "2026-06-02T10:00+02:00");
  assert_int_equal(sk_portal_create(&f.p, &f.partner_a, SK_PORTAL_ACTIVITY, act, &r), SK_OK);
  json_decref(act);
  assert_string_equal(json_string_value(json_object_get(r.body, "kind")), "activiteit");
  json_t *occ = json_object_get(r.body, "occurrences");
  assert_int_equal(json_array_size(occ), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(occ, 0), "starts_at")),
                      "2026-06-02T10:00+02:00"); /* sorted */
  sk_portal_result_free(&r);
  assert_int_equal(
      th_query_int(f.st, "SELECT start_utc FROM occurrence ORDER BY start_utc LIMIT 1"),
      1780387200LL);
  fx_free(&f);
}

static void test_validation_names_the_field_in_dutch(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "validate.db");
  struct sk_portal_result r;
  json_t *d = svc_doc(f.org_a, "");
  json_object_set_new(d, "needs", json_pack("[s]", "bestaatniet"));
  json_object_set_new(d, "email", json_string("geen-adres"));
  json_object_set_new(d, "url", json_string("javascript:alert(1)"));
  json_object_set_new(d, "min_age", json_integer(30));
  json_object_set_new(d, "max_age", json_integer(12));
  json_object_set_new(d, "colour", json_string("rood"));
  json_object_set_new(
      d, "hours",
      json_pack("[{s:i, s:s, s:s}]", "weekday", 8, "opens", "09:00", "closes", "10:00"));
  assert_int_equal(sk_portal_create(&f.p, &f.partner_a, SK_PORTAL_SERVICE, d, &r), SK_EINVAL);
  json_decref(d);
  assert_int_equal(r.http, 422);
  assert_string_equal(r.code, "invalid");
  has_error(&r, "name", "Het veld 'name' is leeg.");
  has_error(&r, "needs", "De code 'bestaatniet' in het veld 'needs' bestaat niet.");
  has_error(&r, "email", "geen geldig e-mailadres");
  has_error(&r, "url", "geen geldig webadres");
  has_error(&r, "min_age", "hoger dan 'max_age'");
  has_error(&r, "colour", "Het veld 'colour' bestaat niet.");
  has_error(&r, "hours", "dag");
  assert_null(r.body);
  sk_portal_result_free(&r);
  /* an offering needs access and cost; nothing was written */
  d = json_pack("{s:s, s:s, s:[s], s:[s]}", "organization", f.org_a, "name", "X", "needs", "geld",
                "areas", "huizen");
  assert_int_equal(sk_portal_create(&f.p, &f.partner_a, SK_PORTAL_SERVICE, d, &r), SK_EINVAL);
  json_decref(d);
  has_error(&r, "access", "Het veld 'access' is leeg");
  has_error(&r, "cost", "Het veld 'cost' is leeg");
  sk_portal_result_free(&r);
  /* a location with a wrong postcode */
  d = json_pack("{s:s, s:s, s:s}", "organization", f.org_a, "name", "Loc", "postal_code", "12345");
  assert_int_equal(sk_portal_create(&f.p, &f.partner_a, SK_PORTAL_LOCATION, d, &r), SK_EINVAL);
  json_decref(d);
  has_error(&r, "postal_code", "geen Nederlandse postcode");
  sk_portal_result_free(&r);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM service"), 0);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM location"), 0);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM change_log"), 0);
  fx_free(&f);
}

static void test_partner_cannot_touch_other_partners_entry_by_any_route(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "access.db");
  char b_id[SK_UUID_LEN], b_etag[48], a_id[SK_UUID_LEN], a_etag[48];
  create_svc(&f, &f.partner_b, f.org_b, "Aanbod van B", b_id, b_etag);
  create_svc(&f, &f.partner_a, f.org_a, "Aanbod van A", a_id, a_etag);
  json_t *bl = json_pack("{s:s, s:s}", "organization", f.org_b, "name", "Locatie van B");
  struct sk_portal_result r;
  assert_int_equal(sk_portal_create(&f.p, &f.partner_b, SK_PORTAL_LOCATION, bl, &r), SK_OK);
  json_decref(bl);
  char b_loc[SK_UUID_LEN];
  snprintf(b_loc, sizeof b_loc, "%s", json_string_value(json_object_get(r.body, "id")));
  sk_portal_result_free(&r);
  long long log_before = th_query_int(f.st, "SELECT count(*) FROM change_log");

  /* 1. B's id, straight: read, change, withdraw, confirm, history */
  json_t *patch = json_pack("{s:s}", "name", "Gekaapt");
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, b_id, &r), SK_EFORBIDDEN);
  assert_int_equal(r.http, 403);
  assert_null(r.body);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_SERVICE, b_id, b_etag, patch, &r),
                   SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_withdraw(&f.p, &f.partner_a, SK_PORTAL_SERVICE, b_id, b_etag, &r),
                   SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_confirm(&f.p, &f.partner_a, SK_PORTAL_SERVICE, b_id, NULL, &r),
                   SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_history(&f.p, &f.partner_a, SK_PORTAL_SERVICE, b_id, &r),
                   SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  /* B's offering through the activities or locations route: not found */
  assert_int_equal(
      sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_LOCATION, b_id, b_etag, patch, &r),
      SK_ENOTFOUND);
  sk_portal_result_free(&r);
  /* B's location straight */
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_LOCATION, b_loc, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);

  /* 2. creating in B's organisation */
  json_t *d = svc_doc(f.org_b, "Nep-aanbod");
  assert_int_equal(sk_portal_create(&f.p, &f.partner_a, SK_PORTAL_SERVICE, d, &r), SK_EFORBIDDEN);
  assert_int_equal(r.http, 403);
  json_decref(d);
  sk_portal_result_free(&r);

  /* 3. moving A's own entry to B's organisation */
  json_t *move = json_pack("{s:s}", "organization", f.org_b);
  assert_int_equal(sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_SERVICE, a_id, a_etag, move, &r),
                   SK_EFORBIDDEN);
  json_decref(move);
  sk_portal_result_free(&r);

  /* 4. a nested object pointing at B: B's location in A's offering */
  json_t *nest = json_pack("{s:[s]}", "locations", b_loc);
  assert_int_equal(sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_SERVICE, a_id, a_etag, nest, &r),
                   SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  d = svc_doc(f.org_a, "Met locatie van B");
  json_object_set(d, "locations", json_object_get(nest, "locations"));
  assert_int_equal(sk_portal_create(&f.p, &f.partner_a, SK_PORTAL_SERVICE, d, &r), SK_EFORBIDDEN);
  json_decref(d);
  json_decref(nest);
  sk_portal_result_free(&r);

  /* 5. a guessed id: not found; an id that is no UUID: not found */
  char guess[SK_UUID_LEN];
  sk_uuid_random(guess);
  assert_int_equal(
      sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_SERVICE, guess, b_etag, patch, &r),
      SK_ENOTFOUND);
  assert_int_equal(r.http, 404);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, "1 OR 1=1", &r),
                   SK_ENOTFOUND);
  sk_portal_result_free(&r);

  /* 6. other roles: a professional or no actor changes nothing */
  assert_int_equal(
      sk_portal_update(&f.p, &f.professional, SK_PORTAL_SERVICE, b_id, b_etag, patch, &r),
      SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_update(&f.p, NULL, SK_PORTAL_SERVICE, b_id, b_etag, patch, &r),
                   SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  json_decref(patch);

  /* nothing changed anywhere */
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM change_log"), log_before);
  assert_int_equal(sk_portal_get(&f.p, &f.partner_b, SK_PORTAL_SERVICE, b_id, &r), SK_OK);
  assert_string_equal(r.etag, b_etag);
  assert_string_equal(json_string_value(json_object_get(r.body, "organization")), f.org_b);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, a_id, &r), SK_OK);
  assert_string_equal(r.etag, a_etag);
  sk_portal_result_free(&r);
  /* a disabled account is no actor at all */
  struct sk_actor gone;
  assert_int_equal(sk_store_exec(f.st, "UPDATE account SET disabled = 1 WHERE id = 'acc-b'"),
                   SK_OK);
  assert_int_equal(sk_portal_actor_load(f.st, "acc-b", &gone), SK_ENOTFOUND);
  assert_int_equal(gone.role, SK_ROLE_NONE);
  assert_int_equal(gone.n_orgs, 0);
  /* the redacteur may */
  patch = json_pack("{s:s}", "name", "Aanbod van B (redactie)");
  assert_int_equal(sk_portal_update(&f.p, &f.redacteur, SK_PORTAL_SERVICE, b_id, b_etag, patch, &r),
                   SK_OK);
  json_decref(patch);
  sk_portal_result_free(&r);
  fx_free(&f);
}

/* Parse, validate and apply one partner-json document for feed id. */
static void apply_feed(struct sk_store *st, const char *feed, const char *orgs,
                       const char *services) {
  char doc[8192], err[512];
  snprintf(doc, sizeof doc,
           "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": [%s], \"services\": [%s]}",
           orgs, services);
  struct ix_batch b;
  ix_batch_init(&b, 0);
  if (ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err))
    fail_msg("parse: %s", err);
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  assert_int_equal(b.rejections.n, 0);
  if (ix_apply(st, feed, &b, NULL, NULL, err, sizeof err))
    fail_msg("apply: %s", err);
  ix_batch_free(&b);
}

#define FEED_ORG(name) "{\"key\": \"o\", \"name\": \"" name "\"}"
#define FEED_SVC(key, name)                                                                        \
  "{\"key\": \"" key "\", \"organization\": \"o\", \"name\": \"" name "\", \"needs\": "            \
  "[\"geld\"], \"areas\": [\"huizen\"], \"access\": \"vrij\", \"cost\": \"gratis\"}"

static void test_feed_entries_are_edited_in_the_feed(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "feedro.db");
  assert_int_equal(
      ix_apply_register_feed(f.st, "versa", "Versa Welzijn", "partner-json", "file:///x.json", 1),
      SK_OK);
  apply_feed(f.st, "versa", FEED_ORG("Versa"), FEED_SVC("a", "Mantelzorgsteunpunt"));
  char feed_org[64], feed_svc[64];
  text_of(f.st, "SELECT id FROM organization WHERE source = '%s'", "feed:versa", feed_org,
          sizeof feed_org);
  text_of(f.st, "SELECT id FROM service WHERE source = '%s'", "feed:versa", feed_svc,
          sizeof feed_svc);
  struct sk_actor versa;
  account(f.st, "acc-v", "partner", 1, feed_org, NULL, &versa);
  struct sk_portal_result r;
  assert_int_equal(sk_portal_get(&f.p, &versa, SK_PORTAL_SERVICE, feed_svc, &r), SK_OK);
  assert_false(json_is_true(json_object_get(r.body, "editable")));
  char etag[48];
  snprintf(etag, sizeof etag, "%s", r.etag);
  sk_portal_result_free(&r);
  json_t *patch = json_pack("{s:s}", "name", "Anders");
  const struct sk_actor *who[2] = {&versa, &f.redacteur};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(sk_portal_update(&f.p, who[i], SK_PORTAL_SERVICE, feed_svc, etag, patch, &r),
                     SK_EFORBIDDEN);
    assert_string_equal(r.code, "feed");
    assert_string_equal(r.message,
                        "Dit aanbod komt uit de feed van Versa Welzijn; pas het daar aan.");
    sk_portal_result_free(&r);
  }
  assert_int_equal(sk_portal_confirm(&f.p, &versa, SK_PORTAL_SERVICE, feed_svc, NULL, &r),
                   SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  json_decref(patch);
  /* but the partner may add portal offerings to its (feed) organisation */
  char id[SK_UUID_LEN];
  create_svc(&f, &versa, feed_org, "Extra inloop", id, NULL);
  fx_free(&f);
}

/* Issue 13: an entry from someone else's feed is not a dead end. The
 * portal says whose feed it is; "Stuur een correctie naar de beheerder van
 * de feed" reaches the feed's keeper (its list, its to-do list), not the
 * organisation's own partner, and the keeper can close it. */
static void test_feed_correction_reaches_the_feed_keeper(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "feedcorr.db");
  assert_int_equal(ix_apply_register_feed(f.st, "sociale-basis", "Sociale basis HBEL",
                                          "partner-json", "file:///x.json", 1),
                   SK_OK);
  apply_feed(f.st, "sociale-basis", FEED_ORG("Voedselbank"), FEED_SVC("a", "Voedselpakket"));
  char feed_org[64], feed_svc[64];
  text_of(f.st, "SELECT id FROM organization WHERE source = '%s'", "feed:sociale-basis", feed_org,
          sizeof feed_org);
  text_of(f.st, "SELECT id FROM service WHERE source = '%s'", "feed:sociale-basis", feed_svc,
          sizeof feed_svc);
  struct sk_actor voedselbank, keeper;
  account(f.st, "acc-vb", "partner", 1, feed_org, NULL, &voedselbank);
  account(f.st, "acc-keeper", "partner", 1, NULL, NULL, &keeper);
  struct sk_portal_result r;
  /* Nobody keeps the feed yet: the entry says whose feed, with 0 keepers. */
  assert_int_equal(sk_portal_get(&f.p, &voedselbank, SK_PORTAL_SERVICE, feed_svc, &r), SK_OK);
  json_t *feed = json_object_get(r.body, "feed");
  assert_string_equal(json_string_value(json_object_get(feed, "partner")), "Sociale basis HBEL");
  assert_false(json_is_true(json_object_get(feed, "yours")));
  assert_int_equal(json_integer_value(json_object_get(feed, "keepers")), 0);
  sk_portal_result_free(&r);
  assert_int_equal(sk_store_exec(f.st, "INSERT INTO account_feed(account_rid, feed_id) SELECT rid,"
                                       " 'sociale-basis' FROM account WHERE id = 'acc-keeper'"),
                   SK_OK);
  assert_int_equal(sk_portal_get(&f.p, &keeper, SK_PORTAL_SERVICE, feed_svc, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);

  /* Empty message: a clear error, nothing stored. */
  json_t *empty = json_pack("{s:s}", "message", "  ");
  assert_int_equal(
      sk_portal_feed_correction(&f.p, &voedselbank, SK_PORTAL_SERVICE, feed_svc, empty, &r),
      SK_EINVAL);
  assert_int_equal(r.http, 422);
  has_error(&r, "message", "niet klopt");
  sk_portal_result_free(&r);
  json_decref(empty);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_correction"), 0);

  json_t *d = json_pack("{s:s}", "message", "Het uitgiftepunt is verhuisd naar de Kerkstraat.");
  assert_int_equal(
      sk_portal_feed_correction(&f.p, &voedselbank, SK_PORTAL_SERVICE, feed_svc, d, &r), SK_OK);
  assert_int_equal(r.http, 201);
  assert_int_equal(json_integer_value(json_object_get(r.body, "keepers")), 1);
  assert_non_null(strstr(json_string_value(json_object_get(r.body, "message")), "beheerder"));
  char cid[64];
  snprintf(cid, sizeof cid, "%s", json_string_value(json_object_get(r.body, "id")));
  sk_portal_result_free(&r);
  json_decref(d);

  /* The keeper sees it, with the sender's name, in both lists. */
  struct sk_portal_page pg = {1, 50};
  assert_int_equal(sk_portal_corrections(&f.p, &keeper, NULL, &pg, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 1);
  json_t *c = json_array_get(json_object_get(r.body, "items"), 0);
  assert_string_equal(json_string_value(json_object_get(c, "feed")), "sociale-basis");
  assert_string_equal(json_string_value(json_object_get(c, "name")), "Naam acc-vb");
  assert_string_equal(json_string_value(json_object_get(c, "entry_name")), "Voedselpakket");
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_todo(&f.p, &keeper, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "corrections")), 1);
  sk_portal_result_free(&r);
  /* The organisation's partner sent it; it is not a visitor's message for them. */
  assert_int_equal(sk_portal_todo(&f.p, &voedselbank, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "corrections")), 0);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_correction_close(&f.p, &voedselbank, cid, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  /* Another partner sees nothing; the redactie sees it too. */
  assert_int_equal(sk_portal_corrections(&f.p, &f.partner_b, NULL, &pg, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 0);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_corrections(&f.p, &f.redacteur, NULL, &pg, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 1);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_correction_close(&f.p, &keeper, cid, &r), SK_OK);
  sk_portal_result_free(&r);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_correction WHERE status ="
                                      " 'closed' AND closed_by = 'account:acc-keeper'"),
                   1);

  /* A portal entry is changed in the portal: no feed correction. */
  char own[SK_UUID_LEN];
  create_svc(&f, &f.partner_a, f.org_a, "Eigen inloop", own, NULL);
  d = json_pack("{s:s}", "message", "x");
  assert_int_equal(sk_portal_feed_correction(&f.p, &f.partner_a, SK_PORTAL_SERVICE, own, d, &r),
                   SK_EINVAL);
  assert_int_equal(r.http, 409);
  sk_portal_result_free(&r);
  /* Nor for an entry of another organisation. */
  assert_int_equal(
      sk_portal_feed_correction(&f.p, &f.partner_b, SK_PORTAL_SERVICE, feed_svc, d, &r),
      SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  json_decref(d);
  fx_free(&f);
}

/* The organisation picker finds by part of the name, whatever the case or
 * accents; a partner finds only its own organisations. */
static void test_organisation_picker_finds_by_name(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "orgpick.db");
  char cafe[SK_UUID_LEN];
  sk_uuid_random(cafe);
  insert_org(f.st, cafe, "Repair Café Blaricum");
  struct sk_portal_result r;
  assert_int_equal(sk_portal_organizations(&f.p, &f.redacteur, "cafe blar", &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 1);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(r.body, "items"), 0), "id")),
      cafe);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_organizations(&f.p, &f.redacteur, "STICHTING", &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 1);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_organizations(&f.p, &f.redacteur, "", &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 3);
  sk_portal_result_free(&r);
  /* A partner: only its own, even with an empty query. */
  assert_int_equal(sk_portal_organizations(&f.p, &f.partner_a, "", &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 1);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_organizations(&f.p, &f.partner_a, "stichting", &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 0);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_organizations(&f.p, &f.professional, "", &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  fx_free(&f);
}

static void test_concurrent_edits_conflict(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "conflict.db");
  char id[SK_UUID_LEN], etag[48];
  create_svc(&f, &f.partner_a, f.org_a, "Inloopspreekuur", id, etag);
  struct sk_actor colleague;
  account(f.st, "acc-a3", "partner", 1, f.org_a, NULL, &colleague);
  struct sk_portal_result r;
  /* both read the same version; the first save wins */
  json_t *p1 = json_pack("{s:s}", "summary", "Elke dinsdag");
  json_t *p2 = json_pack("{s:s}", "summary", "Elke woensdag");
  assert_int_equal(sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, etag, p1, &r),
                   SK_OK);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_update(&f.p, &colleague, SK_PORTAL_SERVICE, id, etag, p2, &r),
                   SK_ECONFLICT);
  assert_int_equal(r.http, 412);
  assert_string_equal(r.code, "precondition_failed");
  sk_portal_result_free(&r);
  /* no If-Match, or "*": refused (428) */
  assert_int_equal(sk_portal_update(&f.p, &colleague, SK_PORTAL_SERVICE, id, NULL, p2, &r),
                   SK_EINVAL);
  assert_int_equal(r.http, 428);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_update(&f.p, &colleague, SK_PORTAL_SERVICE, id, "*", p2, &r),
                   SK_EINVAL);
  assert_int_equal(r.http, 428);
  sk_portal_result_free(&r);
  /* withdrawing with the old ETag: also refused */
  assert_int_equal(sk_portal_withdraw(&f.p, &colleague, SK_PORTAL_SERVICE, id, etag, &r),
                   SK_ECONFLICT);
  sk_portal_result_free(&r);
  char summary[64];
  text_of(f.st, "SELECT summary FROM service WHERE id = '%s'", id, summary, sizeof summary);
  assert_string_equal(summary, "Elke dinsdag");
  /* with the fresh ETag (unquoted or weak-listed forms work too) it goes */
  assert_int_equal(sk_portal_get(&f.p, &colleague, SK_PORTAL_SERVICE, id, &r), SK_OK);
  char fresh[64];
  snprintf(fresh, sizeof fresh, "\"nope\", %s", r.etag);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_update(&f.p, &colleague, SK_PORTAL_SERVICE, id, fresh, p2, &r), SK_OK);
  sk_portal_result_free(&r);
  text_of(f.st, "SELECT summary FROM service WHERE id = '%s'", id, summary, sizeof summary);
  assert_string_equal(summary, "Elke woensdag");
  json_decref(p1);
  json_decref(p2);
  fx_free(&f);
}

static void test_history_and_restore(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "history.db");
  char id[SK_UUID_LEN], etag[48];
  create_svc(&f, &f.partner_a, f.org_a, "Voedselbank", id, etag);
  struct sk_portal_result r;
  const char *names[2] = {"Voedselbank Huizen", "Voedselbank HBEL"};
  for (int i = 0; i < 2; i++) {
    f.p.now = T0 + 100 * (i + 1);
    json_t *patch = json_pack("{s:s, s:[s, s]}", "name", names[i], "areas", "huizen",
                              i ? "laren" : "huizen");
    assert_int_equal(sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, etag, patch, &r),
                     SK_OK);
    snprintf(etag, sizeof etag, "%s", r.etag);
    json_decref(patch);
    sk_portal_result_free(&r);
  }
  /* every change is in the history: who, when, field, old, new */
  assert_int_equal(sk_portal_history(&f.p, &f.redacteur, SK_PORTAL_SERVICE, id, &r), SK_OK);
  json_t *versions = json_object_get(r.body, "versions");
  assert_int_equal(json_array_size(versions), 3);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(versions, 0), "version")), 3);
  /* People by name, not account:<id> (issue 13). */
  assert_string_equal(json_string_value(json_object_get(json_array_get(versions, 0), "actor_name")),
                      "Naam acc-a");
  assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(r.body, "changes"), 0), "actor_name")),
                      "Naam acc-a");
  sk_portal_result_free(&r);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM change_log WHERE entity_id = '%s' AND"
                         " field = 'name' AND actor = 'account:acc-a'",
                         id),
                   3);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM change_log WHERE entity_id = '%s' AND"
                         " field = 'name' AND old_value = 'Voedselbank Huizen' AND"
                         " new_value = 'Voedselbank HBEL' AND at = '2026-05-28T20:30:00Z'"
                         " AND version = 3",
                         id),
                   1);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM change_log WHERE entity_id = '%s' AND"
                         " field = 'areas' AND version = 3",
                         id),
                   1);
  /* a partner cannot restore; the redacteur can, and that is logged too */
  assert_int_equal(sk_portal_restore(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, 1, etag, &r),
                   SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_restore(&f.p, &f.redacteur, SK_PORTAL_SERVICE, id, 1, "\"old\"", &r),
                   SK_ECONFLICT);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_restore(&f.p, &f.redacteur, SK_PORTAL_SERVICE, id, 9, etag, &r),
                   SK_ENOTFOUND);
  sk_portal_result_free(&r);
  f.p.now = T0 + 1000;
  assert_int_equal(sk_portal_restore(&f.p, &f.redacteur, SK_PORTAL_SERVICE, id, 1, etag, &r),
                   SK_OK);
  assert_string_equal(json_string_value(json_object_get(r.body, "name")), "Voedselbank");
  assert_int_equal(json_array_size(json_object_get(r.body, "areas")), 1);
  assert_int_equal(json_integer_value(json_object_get(r.body, "version")), 4);
  sk_portal_result_free(&r);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM change_log WHERE entity_id = '%s' AND"
                         " field = 'name' AND old_value = 'Voedselbank HBEL' AND"
                         " new_value = 'Voedselbank' AND actor = 'account:acc-r'",
                         id),
                   1);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM portal_version WHERE entity_id = '%s' AND"
                         " version = 4 AND note = 'restore:1'",
                         id),
                   1);
  assert_int_equal(found(f.st, "hbel"), 0);
  /* a withdrawal is in the history too, and can be undone by a restore */
  assert_int_equal(sk_portal_get(&f.p, &f.redacteur, SK_PORTAL_SERVICE, id, &r), SK_OK);
  snprintf(etag, sizeof etag, "%s", r.etag);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_withdraw(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, etag, &r), SK_OK);
  snprintf(etag, sizeof etag, "%s", r.etag);
  sk_portal_result_free(&r);
  assert_int_equal(found(f.st, "voedselbank"), 0);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM change_log WHERE entity_id = '%s' AND"
                         " field = 'status' AND new_value = 'withdrawn'",
                         id),
                   1);
  assert_int_equal(sk_portal_restore(&f.p, &f.redacteur, SK_PORTAL_SERVICE, id, 4, etag, &r),
                   SK_OK);
  sk_portal_result_free(&r);
  assert_int_equal(found(f.st, "voedselbank"), 1);
  fx_free(&f);
}

static const char *review_item_for(const json_t *items, const char *entity_id) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (strcmp(json_string_value(json_object_get(it, "entity_id")), entity_id) == 0)
      return json_string_value(json_object_get(it, "id"));
  }
  return NULL;
}

static void test_moderation_holds_edit_until_approved(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "moderation.db");
  char id[SK_UUID_LEN], etag[48];
  create_svc(&f, &f.partner_a, f.org_a, "Sportief Huizen", id, etag);
  struct sk_portal_result r;
  /* an untrusted account of the same organisation: held */
  json_t *patch = json_pack("{s:s}", "name", "Beweegcoach Huizen");
  assert_int_equal(sk_portal_update(&f.p, &f.untrusted_a, SK_PORTAL_SERVICE, id, etag, patch, &r),
                   SK_OK);
  json_decref(patch);
  assert_int_equal(r.http, 202);
  assert_string_equal(r.code, "pending");
  char pid[SK_UUID_LEN];
  snprintf(pid, sizeof pid, "%s", json_string_value(json_object_get(r.body, "pending")));
  sk_portal_result_free(&r);
  /* not published: name, search and ETag as before; the entry shows it waits */
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, &r), SK_OK);
  assert_string_equal(json_string_value(json_object_get(r.body, "name")), "Sportief Huizen");
  assert_string_equal(r.etag, etag);
  assert_int_equal(json_array_size(json_object_get(r.body, "pending")), 1);
  sk_portal_result_free(&r);
  assert_int_equal(found(f.st, "beweegcoach"), 0);
  /* a held creation does not exist yet either */
  json_t *d = svc_doc(f.org_a, "Wandelgroep");
  assert_int_equal(sk_portal_create(&f.p, &f.untrusted_a, SK_PORTAL_SERVICE, d, &r), SK_OK);
  json_decref(d);
  assert_int_equal(r.http, 202);
  char new_id[SK_UUID_LEN];
  snprintf(new_id, sizeof new_id, "%s", json_string_value(json_object_get(r.body, "id")));
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, new_id, &r), SK_ENOTFOUND);
  sk_portal_result_free(&r);

  /* the review queue: a field-by-field diff; partners cannot decide */
  assert_int_equal(sk_portal_review_list(&f.p, &f.redacteur, NULL, &r), SK_OK);
  json_t *items = json_object_get(r.body, "items");
  assert_int_equal(json_array_size(items), 2);
  json_t *first = json_array_get(items, 0);
  assert_string_equal(json_string_value(json_object_get(first, "id")), pid);
  json_t *diff = json_object_get(first, "diff");
  assert_int_equal(json_array_size(diff), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(diff, 0), "field")), "name");
  assert_string_equal(json_string_value(json_object_get(json_array_get(diff, 0), "old")),
                      "Sportief Huizen");
  assert_string_equal(json_string_value(json_object_get(json_array_get(diff, 0), "new")),
                      "Beweegcoach Huizen");
  char create_pid[SK_UUID_LEN];
  snprintf(create_pid, sizeof create_pid, "%s", review_item_for(items, new_id));
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_review_approve(&f.p, &f.untrusted_a, pid, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_review_approve(&f.p, &f.partner_a, pid, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  /* partner B does not see A's submissions */
  assert_int_equal(sk_portal_review_list(&f.p, &f.partner_b, NULL, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 0);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_review_get(&f.p, &f.partner_b, pid, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);

  /* approve: applied, logged under the partner, search follows */
  f.p.now = T0 + 3600;
  assert_int_equal(sk_portal_review_approve(&f.p, &f.redacteur, pid, &r), SK_OK);
  assert_string_equal(json_string_value(json_object_get(r.body, "name")), "Beweegcoach Huizen");
  sk_portal_result_free(&r);
  assert_int_equal(found(f.st, "beweegcoach"), 1);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM change_log WHERE entity_id = '%s' AND"
                         " field = 'name' AND actor = 'account:acc-a2' AND"
                         " new_value = 'Beweegcoach Huizen'",
                         id),
                   1);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM portal_version WHERE entity_id = '%s' AND"
                         " note LIKE 'approve:%%'",
                         id),
                   1);
  assert_int_equal(sk_portal_review_approve(&f.p, &f.redacteur, pid, &r), SK_ECONFLICT);
  sk_portal_result_free(&r);

  /* reject needs a reason; the partner sees it */
  assert_int_equal(sk_portal_review_reject(&f.p, &f.redacteur, create_pid, "  ", &r), SK_EINVAL);
  sk_portal_result_free(&r);
  assert_int_equal(
      sk_portal_review_reject(&f.p, &f.redacteur, create_pid, "Dit aanbod staat er al.", &r),
      SK_OK);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, new_id, &r), SK_ENOTFOUND);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_todo(&f.p, &f.untrusted_a, &r), SK_OK);
  json_t *subs = json_object_get(r.body, "submissions");
  assert_int_equal(json_array_size(subs), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(subs, 0), "reason")),
                      "Dit aanbod staat er al.");
  sk_portal_result_free(&r);

  /* a held edit that went stale cannot be approved over a newer version */
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, &r), SK_OK);
  snprintf(etag, sizeof etag, "%s", r.etag);
  sk_portal_result_free(&r);
  patch = json_pack("{s:s}", "summary", "Van de partner");
  assert_int_equal(sk_portal_update(&f.p, &f.untrusted_a, SK_PORTAL_SERVICE, id, etag, patch, &r),
                   SK_OK);
  snprintf(pid, sizeof pid, "%s", json_string_value(json_object_get(r.body, "pending")));
  sk_portal_result_free(&r);
  json_decref(patch);
  patch = json_pack("{s:s}", "summary", "Van de vertrouwde partner");
  assert_int_equal(sk_portal_update(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, etag, patch, &r),
                   SK_OK);
  sk_portal_result_free(&r);
  json_decref(patch);
  assert_int_equal(sk_portal_review_approve(&f.p, &f.redacteur, pid, &r), SK_ECONFLICT);
  assert_int_equal(r.http, 409);
  sk_portal_result_free(&r);
  char summary[64];
  text_of(f.st, "SELECT summary FROM service WHERE id = '%s'", id, summary, sizeof summary);
  assert_string_equal(summary, "Van de vertrouwde partner");
  fx_free(&f);
}

/* "Gegevens kloppen nog" after an edit was sent does not block that edit:
 * a confirmation changes no content. */
static void test_confirm_does_not_block_a_held_edit(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "confirm_held.db");
  char id[SK_UUID_LEN], etag[48];
  create_svc(&f, &f.partner_a, f.org_a, "Koffieochtend", id, etag);
  struct sk_portal_result r;
  json_t *patch = json_pack("{s:s}", "name", "Koffieochtend De Bijenkorf");
  assert_int_equal(sk_portal_update(&f.p, &f.untrusted_a, SK_PORTAL_SERVICE, id, etag, patch, &r),
                   SK_OK);
  json_decref(patch);
  assert_int_equal(r.http, 202);
  char pid[SK_UUID_LEN];
  snprintf(pid, sizeof pid, "%s", json_string_value(json_object_get(r.body, "pending")));
  sk_portal_result_free(&r);
  f.p.now = T0 + DAY;
  assert_int_equal(sk_portal_confirm(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, etag, &r), SK_OK);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_review_approve(&f.p, &f.redacteur, pid, &r), SK_OK);
  assert_string_equal(json_string_value(json_object_get(r.body, "name")),
                      "Koffieochtend De Bijenkorf");
  sk_portal_result_free(&r);
  fx_free(&f);
}

static void test_confirm_sets_assured_date(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "confirm.db");
  char id[SK_UUID_LEN], etag[48];
  create_svc(&f, &f.redacteur, f.org_a, "Geheugenhuis", id, etag);
  f.p.now = T0 + 30 * DAY;
  struct sk_portal_result r;
  long long before = th_query_int(f.st, "SELECT count(*) FROM portal_version");
  /* an untrusted partner may confirm too: it changes no content */
  assert_int_equal(sk_portal_confirm(&f.p, &f.untrusted_a, SK_PORTAL_SERVICE, id, NULL, &r), SK_OK);
  assert_int_equal(r.http, 200);
  assert_string_equal(json_string_value(json_object_get(r.body, "assured_date")),
                      "2026-06-27T20:26:40Z");
  assert_string_equal(json_string_value(json_object_get(r.body, "assured_by")), "account:acc-a2");
  assert_string_not_equal(r.etag, etag);
  sk_portal_result_free(&r);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_version"), before);
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM change_log WHERE entity_id = '%s' AND"
                         " field = 'assured_date' AND new_value = '2026-06-27T20:26:40Z'",
                         id),
                   1);
  /* with a stale If-Match: refused */
  assert_int_equal(sk_portal_confirm(&f.p, &f.partner_a, SK_PORTAL_SERVICE, id, etag, &r),
                   SK_ECONFLICT);
  sk_portal_result_free(&r);
  fx_free(&f);
}

static int outbox_lists(const json_t *items, const char *account_id, const char *const *ids,
                        size_t n) {
  size_t i;
  json_t *m;
  json_array_foreach(items, i, m) {
    if (strcmp(json_string_value(json_object_get(m, "account_id")), account_id) != 0)
      continue;
    json_t *e = json_object_get(m, "entries");
    if (json_array_size(e) != n)
      fail_msg("%s: %zu entries, want %zu", account_id, json_array_size(e), n);
    const char *body = json_string_value(json_object_get(m, "body"));
    for (size_t k = 0; k < n; k++) {
      int hit = 0;
      for (size_t j = 0; j < json_array_size(e); j++)
        hit |= strcmp(json_string_value(json_array_get(e, j)), ids[k]) == 0;
      if (!hit)
        fail_msg("%s: %s missing", account_id, ids[k]);
      char link[128];
      snprintf(link, sizeof link, "https://sk.example/aanbod.html?id=%s", ids[k]);
      assert_non_null(strstr(body, link));
    }
    return 1;
  }
  return 0;
}

static void test_reminder_outbox_lists_exactly_the_stale_entries(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "reminders.db");
  char a1[SK_UUID_LEN], a2[SK_UUID_LEN], a3[SK_UUID_LEN], a4[SK_UUID_LEN], b1[SK_UUID_LEN];
  create_svc(&f, &f.partner_a, f.org_a, "Oud en niet bevestigd", a1, NULL);
  create_svc(&f, &f.partner_a, f.org_a, "Oud maar bevestigd", a2, NULL);
  create_svc(&f, &f.partner_a, f.org_a, "Oud en ingetrokken", a3, NULL);
  create_svc(&f, &f.partner_b, f.org_b, "Oud bij B", b1, NULL);
  /* a feed entry of A's organisation without assured_date: edited in the
   * feed, so not on the portal to-do list */
  assert_int_equal(sk_store_exec(f.st, "INSERT INTO service(id, organization_rid, source,"
                                       " source_key, name, created, last_modified) SELECT"
                                       " 'feed-x', rid, 'feed:f', 'x', 'Uit feed', 'a', 'a'"
                                       " FROM organization WHERE name = 'Welzijn A'"),
                   SK_OK);
  struct sk_portal_result r;
  f.p.now = T0 + 150 * DAY;
  create_svc(&f, &f.partner_a, f.org_a, "Nieuw", a4, NULL);
  f.p.now = T0 + 190 * DAY;
  assert_int_equal(sk_portal_confirm(&f.p, &f.partner_a, SK_PORTAL_SERVICE, a2, NULL, &r), SK_OK);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, a3, &r), SK_OK);
  char etag[48];
  snprintf(etag, sizeof etag, "%s", r.etag);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_withdraw(&f.p, &f.redacteur, SK_PORTAL_SERVICE, a3, etag, &r), SK_OK);
  sk_portal_result_free(&r);

  /* 190 days on: a1 is stale (a2 confirmed, a3 withdrawn, a4 150 days old) */
  assert_int_equal(sk_portal_todo(&f.p, &f.partner_a, &r), SK_OK);
  json_t *stale = json_object_get(r.body, "stale");
  assert_int_equal(json_array_size(stale), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(stale, 0), "id")), a1);
  sk_portal_result_free(&r);
  /* "mijn aanbod" shows the same freshness */
  assert_int_equal(sk_portal_list(&f.p, &f.partner_a, NULL, &r), SK_OK);
  size_t i, n_stale = 0;
  json_t *it;
  json_array_foreach(json_object_get(r.body, "items"), i, it)
      n_stale += json_is_true(json_object_get(it, "stale")) &&
                 strcmp(json_string_value(json_object_get(it, "source")), "portal") == 0;
  assert_int_equal(n_stale, 1);
  sk_portal_result_free(&r);

  struct sk_portal_reminder_opts o = {.base_url = "https://sk.example"};
  int n = -1;
  assert_int_equal(sk_portal_reminders_build(&f.p, &o, &n), SK_OK);
  assert_int_equal(n, 3); /* acc-a and acc-a2 (both of A), acc-b */
  assert_int_equal(sk_portal_outbox(&f.p, &f.partner_a, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_outbox(&f.p, &f.redacteur, &r), SK_OK);
  json_t *items = json_object_get(r.body, "items");
  assert_int_equal(json_array_size(items), 3);
  const char *want_a[] = {a1}, *want_b[] = {b1};
  assert_true(outbox_lists(items, "acc-a", want_a, 1));
  assert_true(outbox_lists(items, "acc-a2", want_a, 1));
  assert_true(outbox_lists(items, "acc-b", want_b, 1));
  assert_false(outbox_lists(items, "acc-r", NULL, 0));
  const char *body = json_string_value(json_object_get(json_array_get(items, 0), "body"));
  assert_non_null(strstr(body, "Gegevens kloppen nog"));
  assert_null(strstr(body, "Oud maar bevestigd"));
  assert_null(strstr(body, "Nieuw"));
  assert_null(strstr(body, "Uit feed"));
  sk_portal_result_free(&r);
  /* idempotent per period: a second run the same month adds nothing */
  f.p.now += 3 * DAY;
  assert_int_equal(sk_portal_reminders_build(&f.p, &o, &n), SK_OK);
  assert_int_equal(n, 0);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_outbox"), 3);
  /* next period, after A confirmed a1: only B is reminded */
  assert_int_equal(sk_portal_confirm(&f.p, &f.partner_a, SK_PORTAL_SERVICE, a1, NULL, &r), SK_OK);
  sk_portal_result_free(&r);
  o.period = "2099-01";
  assert_int_equal(sk_portal_reminders_build(&f.p, &o, &n), SK_OK);
  assert_int_equal(n, 1);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_outbox WHERE period ="
                                      " '2099-01' AND account_id = 'acc-b'"),
                   1);
  fx_free(&f);
}

static void test_corrections_spam_guard_and_rate_limit(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "corrections.db");
  char id[SK_UUID_LEN];
  create_svc(&f, &f.partner_a, f.org_a, "Buurtkamer", id, NULL);
  char tok[96];
  assert_int_equal(sk_portal_correction_token(&f.p, tok, sizeof tok), SK_OK);
  struct sk_portal_result r;
  json_t *d = json_pack("{s:s, s:s, s:s}", "message", "Het telefoonnummer klopt niet meer.", "name",
                        "Jan", "form_token", tok);
  /* too fast: a robot; answered kindly, nothing stored */
  f.p.now = T0 + 1;
  assert_int_equal(sk_portal_correction_submit(&f.p, id, d, "192.0.2.1", &r), SK_OK);
  assert_int_equal(r.spam, 1);
  assert_int_equal(r.http, 201);
  sk_portal_result_free(&r);
  /* the honeypot filled: the same */
  f.p.now = T0 + 30;
  json_object_set_new(d, "website", json_string("http://spam.example"));
  assert_int_equal(sk_portal_correction_submit(&f.p, id, d, "192.0.2.1", &r), SK_OK);
  assert_int_equal(r.spam, 1);
  sk_portal_result_free(&r);
  json_object_del(d, "website");
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_correction"), 0);
  /* a forged or missing token */
  json_t *forged = json_deep_copy(d);
  json_object_set_new(forged, "form_token", json_string("1780000000.00"));
  assert_int_equal(sk_portal_correction_submit(&f.p, id, forged, "192.0.2.1", &r), SK_EINVAL);
  has_error(&r, "form_token", "verlopen");
  sk_portal_result_free(&r);
  json_decref(forged);
  /* the message is required and bounded */
  json_t *empty = json_pack("{s:s, s:s}", "message", "   ", "form_token", tok);
  assert_int_equal(sk_portal_correction_submit(&f.p, id, empty, "192.0.2.1", &r), SK_EINVAL);
  has_error(&r, "message", "Het veld 'message' is leeg.");
  sk_portal_result_free(&r);
  char *big = malloc(SK_CORRECTION_MAX_MESSAGE + 2);
  memset(big, 'x', SK_CORRECTION_MAX_MESSAGE + 1);
  big[SK_CORRECTION_MAX_MESSAGE + 1] = '\0';
  json_object_set_new(empty, "message", json_string(big));
  free(big);
  assert_int_equal(sk_portal_correction_submit(&f.p, id, empty, "192.0.2.1", &r), SK_EINVAL);
  has_error(&r, "message", "te lang");
  sk_portal_result_free(&r);
  json_decref(empty);
  /* an unknown entry */
  char guess[SK_UUID_LEN];
  sk_uuid_random(guess);
  assert_int_equal(sk_portal_correction_submit(&f.p, guess, d, "192.0.2.1", &r), SK_ENOTFOUND);
  sk_portal_result_free(&r);
  /* five an hour per address; the sixth waits; another address is fine */
  for (int i = 0; i < SK_CORRECTION_PER_HOUR; i++) {
    f.p.now = T0 + 60 + i;
    assert_int_equal(sk_portal_correction_submit(&f.p, id, d, "192.0.2.1", &r), SK_OK);
    assert_int_equal(r.http, 201);
    assert_int_equal(r.spam, 0);
    sk_portal_result_free(&r);
  }
  assert_int_equal(sk_portal_correction_submit(&f.p, id, d, "192.0.2.1", &r), SK_EFORBIDDEN);
  assert_int_equal(r.http, 429);
  assert_string_equal(r.code, "too_many");
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_correction_submit(&f.p, id, d, "2001:db8::7", &r), SK_OK);
  sk_portal_result_free(&r);
  /* an hour later the first address may again */
  f.p.now = T0 + 60 + 3600 + 10;
  assert_int_equal(sk_portal_correction_submit(&f.p, id, d, "192.0.2.1", &r), SK_OK);
  sk_portal_result_free(&r);
  json_decref(d);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_correction"), 7);
  /* the address itself is not kept */
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_correction WHERE ip_hash"
                                      " LIKE '%192.0.2%'"),
                   0);
  /* it lands with the owning partner and the redactie, not with B */
  assert_int_equal(sk_portal_corrections(&f.p, &f.partner_a, NULL, NULL, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 7);
  char cid[SK_UUID_LEN];
  snprintf(cid, sizeof cid, "%s",
           json_string_value(
               json_object_get(json_array_get(json_object_get(r.body, "items"), 0), "id")));
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_corrections(&f.p, &f.redacteur, NULL, NULL, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 7);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_corrections(&f.p, &f.partner_b, NULL, NULL, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 0);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_correction_close(&f.p, &f.partner_b, cid, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_todo(&f.p, &f.partner_a, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "corrections")), 7);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_correction_close(&f.p, &f.partner_a, cid, &r), SK_OK);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_corrections(&f.p, &f.partner_a, "open", NULL, &r), SK_OK);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 6);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_list(&f.p, &f.partner_a, NULL, &r), SK_OK);
  json_t *first = json_array_get(json_object_get(r.body, "items"), 0);
  assert_string_equal(json_string_value(json_object_get(first, "id")), id);
  assert_int_equal(json_integer_value(json_object_get(first, "corrections")), 6);
  sk_portal_result_free(&r);
  fx_free(&f);
}

/* Issue 16 point 6: the review and correction lists are paged with a
 * total (they stopped at 1000 without saying so), and an untrusted partner
 * can queue only so many held edits per hour. */
static void test_lists_are_paged_and_held_edits_limited(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "paging.db");
  struct sk_portal_result r;
  /* Held creations, one a minute, up to the hourly limit. */
  for (int i = 0; i < SK_PORTAL_HELD_PER_HOUR; i++) {
    f.p.now = T0 + 60 * i;
    char name[64];
    snprintf(name, sizeof name, "Wachtend aanbod %d", i);
    json_t *d = svc_doc(f.org_a, name);
    assert_int_equal(sk_portal_create(&f.p, &f.untrusted_a, SK_PORTAL_SERVICE, d, &r), SK_OK);
    json_decref(d);
    assert_int_equal(r.http, 202);
    sk_portal_result_free(&r);
  }
  /* One more in the same hour: 429 with a Dutch reason, nothing queued. */
  json_t *d = svc_doc(f.org_a, "Eén te veel");
  assert_int_equal(sk_portal_create(&f.p, &f.untrusted_a, SK_PORTAL_SERVICE, d, &r), SK_EFORBIDDEN);
  assert_int_equal(r.http, 429);
  assert_string_equal(r.code, "too_many");
  assert_non_null(strstr(r.message, "over een uur"));
  sk_portal_result_free(&r);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM portal_pending"),
                   SK_PORTAL_HELD_PER_HOUR);
  /* A trusted partner is not held, so not limited; an hour after the first
   * held edit the untrusted one may again. */
  char id[SK_UUID_LEN];
  create_svc(&f, &f.partner_a, f.org_a, "Direct gepubliceerd", id, NULL);
  f.p.now = T0 + 3600 + 1;
  assert_int_equal(sk_portal_create(&f.p, &f.untrusted_a, SK_PORTAL_SERVICE, d, &r), SK_OK);
  assert_int_equal(r.http, 202);
  sk_portal_result_free(&r);
  json_decref(d);
  long long total = SK_PORTAL_HELD_PER_HOUR + 1;

  /* The review list in pages of 7: every item once, oldest first, with the total. */
  struct sk_portal_page pg = {1, 7};
  long long seen = 0;
  char prev[SK_UUID_LEN] = "";
  for (pg.page = 1; pg.page <= total / 7 + 2; pg.page++) {
    assert_int_equal(sk_portal_review_list(&f.p, &f.redacteur, &pg, &r), SK_OK);
    assert_int_equal(json_integer_value(json_object_get(r.body, "total")), total);
    assert_int_equal(json_integer_value(json_object_get(r.body, "page")), pg.page);
    assert_int_equal(json_integer_value(json_object_get(r.body, "per_page")), 7);
    json_t *items = json_object_get(r.body, "items");
    long long want = total - (pg.page - 1) * 7;
    want = want < 0 ? 0 : want > 7 ? 7 : want;
    assert_int_equal(json_array_size(items), want);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
      const char *pid = json_string_value(json_object_get(it, "id"));
      assert_string_not_equal(pid, prev);
      snprintf(prev, sizeof prev, "%s", pid);
      seen++;
    }
    sk_portal_result_free(&r);
  }
  assert_int_equal(seen, total);
  /* The partner sees its own in pages too; partner B sees none. */
  pg.page = 1;
  pg.per_page = 10;
  assert_int_equal(sk_portal_review_list(&f.p, &f.untrusted_a, &pg, &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), total);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 10);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_review_list(&f.p, &f.partner_b, &pg, &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 0);
  sk_portal_result_free(&r);
  /* per_page is capped; no page means page 1 of the default size. */
  pg.per_page = 100000;
  assert_int_equal(sk_portal_review_list(&f.p, &f.redacteur, &pg, &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "per_page")), SK_PORTAL_PER_PAGE_MAX);
  sk_portal_result_free(&r);

  /* Corrections: 1205 of them (more than the old cap of 1000), paged. */
  assert_int_equal(sk_store_exec(f.st, "BEGIN"), SK_OK);
  for (int i = 0; i < 1205; i++) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO portal_correction(id, entity, entity_id, organization_id, message,"
             " ip_hash, created) VALUES('corr-%d', 'service', '%s', '%s', 'Klopt niet %d', 'x',"
             " '2026-05-28T00:00:00Z')",
             i, id, i % 5 ? f.org_a : f.org_b, i);
    assert_int_equal(sk_store_exec(f.st, sql), SK_OK);
  }
  assert_int_equal(sk_store_exec(f.st, "COMMIT"), SK_OK);
  pg.page = 7;
  pg.per_page = 200;
  assert_int_equal(sk_portal_corrections(&f.p, &f.redacteur, NULL, &pg, &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 1205);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 5);
  /* newest first: the last page ends with the first one sent */
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(r.body, "items"), 4), "id")),
      "corr-0");
  sk_portal_result_free(&r);
  pg.page = 1;
  assert_int_equal(sk_portal_corrections(&f.p, &f.partner_a, "open", &pg, &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 964);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 200);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_corrections(&f.p, &f.partner_b, "open", &pg, &r), SK_OK);
  assert_int_equal(json_integer_value(json_object_get(r.body, "total")), 241);
  sk_portal_result_free(&r);
  fx_free(&f);
}

static void test_reindex_never_touches_portal_data(void **state) {
  (void)state;
  struct fx f;
  fx_init(&f, "reindex.db");
  apply_feed(f.st, "versa", FEED_ORG("Versa"),
             FEED_SVC("a", "Mantelzorgsteunpunt") "," FEED_SVC("b", "Dementiecafe"));
  char feed_org[64];
  text_of(f.st, "SELECT id FROM organization WHERE source = '%s'", "feed:versa", feed_org,
          sizeof feed_org);
  struct sk_actor versa;
  account(f.st, "acc-v", "partner", 1, feed_org, NULL, &versa);
  /* portal entries under the feed's organisation and under a portal one */
  struct sk_portal_result r;
  json_t *loc = json_pack("{s:s, s:s, s:s}", "organization", feed_org, "name", "Portaallocatie",
                          "postal_code", "1251 AB");
  assert_int_equal(sk_portal_create(&f.p, &versa, SK_PORTAL_LOCATION, loc, &r), SK_OK);
  json_decref(loc);
  char loc_id[SK_UUID_LEN];
  snprintf(loc_id, sizeof loc_id, "%s", json_string_value(json_object_get(r.body, "id")));
  sk_portal_result_free(&r);
  char p1[SK_UUID_LEN], p2[SK_UUID_LEN], e1[48], e2[48], el[48];
  json_t *d = svc_doc(feed_org, "Mantelzorgsteunpunt");
  json_object_set_new(d, "locations", json_pack("[s]", loc_id));
  assert_int_equal(sk_portal_create(&f.p, &versa, SK_PORTAL_SERVICE, d, &r), SK_OK);
  json_decref(d);
  snprintf(p1, sizeof p1, "%s", json_string_value(json_object_get(r.body, "id")));
  sk_portal_result_free(&r);
  create_svc(&f, &f.partner_a, f.org_a, "Dementiecafe", p2, NULL);
  json_t *patch = json_pack("{s:s}", "summary", "Met de hand bijgewerkt");
  assert_int_equal(sk_portal_get(&f.p, &versa, SK_PORTAL_SERVICE, p1, &r), SK_OK);
  snprintf(e1, sizeof e1, "%s", r.etag);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_update(&f.p, &versa, SK_PORTAL_SERVICE, p1, e1, patch, &r), SK_OK);
  snprintf(e1, sizeof e1, "%s", r.etag);
  json_t *before1 = json_incref(r.body);
  sk_portal_result_free(&r);
  json_decref(patch);
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, p2, &r), SK_OK);
  snprintf(e2, sizeof e2, "%s", r.etag);
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_get(&f.p, &versa, SK_PORTAL_LOCATION, loc_id, &r), SK_OK);
  snprintf(el, sizeof el, "%s", r.etag);
  sk_portal_result_free(&r);
  long long portal_log = th_query_int(f.st, "SELECT count(*) FROM change_log WHERE actor NOT LIKE"
                                            " 'feed:%'");
  long long portal_rows = th_query_int(f.st, "SELECT count(*) FROM service WHERE source ="
                                             " 'portal'");

  /* the feed changes: renamed organisation, one offering gone, one changed,
   * one new with the same name as a portal offering; then a full rebuild */
  apply_feed(f.st, "versa", FEED_ORG("Versa Welzijn"),
             FEED_SVC("a", "Steunpunt Mantelzorg") "," FEED_SVC("c", "Dementiecafe"));
  apply_feed(f.st, "versa", FEED_ORG("Versa Welzijn"), FEED_SVC("a", "Steunpunt Mantelzorg"));
  assert_int_equal(sk_store_reindex_all(f.st), SK_OK);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM service WHERE source = 'feed:versa'"
                                      " AND status = 'withdrawn'"),
                   2);

  /* the portal rows are exactly as they were */
  assert_int_equal(sk_portal_get(&f.p, &versa, SK_PORTAL_SERVICE, p1, &r), SK_OK);
  assert_string_equal(r.etag, e1);
  json_object_del(before1, "pending");
  json_object_del(r.body, "pending");
  assert_true(json_equal(before1, r.body));
  sk_portal_result_free(&r);
  json_decref(before1);
  assert_int_equal(sk_portal_get(&f.p, &f.partner_a, SK_PORTAL_SERVICE, p2, &r), SK_OK);
  assert_string_equal(r.etag, e2);
  assert_string_equal(json_string_value(json_object_get(r.body, "status")), "active");
  sk_portal_result_free(&r);
  assert_int_equal(sk_portal_get(&f.p, &versa, SK_PORTAL_LOCATION, loc_id, &r), SK_OK);
  assert_string_equal(r.etag, el);
  sk_portal_result_free(&r);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM change_log WHERE actor NOT LIKE"
                                      " 'feed:%'"),
                   portal_log);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM change_log WHERE actor LIKE 'feed:%'"
                                      " AND entity_id IN (SELECT id FROM service WHERE source ="
                                      " 'portal' UNION SELECT id FROM location WHERE source ="
                                      " 'portal')"),
                   0);
  assert_int_equal(th_query_int(f.st, "SELECT count(*) FROM service WHERE source = 'portal' AND"
                                      " status = 'active'"),
                   portal_rows);
  /* and still found, under the feed organisation's new name */
  assert_int_equal(q_int(f.st,
                         "SELECT count(*) FROM search_fts WHERE rowid = (SELECT rid FROM"
                         " service WHERE id = '%s') AND organization = 'Versa Welzijn'",
                         p1),
                   1);
  fx_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_read_update_roundtrip),
      cmocka_unit_test(test_validation_names_the_field_in_dutch),
      cmocka_unit_test(test_partner_cannot_touch_other_partners_entry_by_any_route),
      cmocka_unit_test(test_feed_entries_are_edited_in_the_feed),
      cmocka_unit_test(test_concurrent_edits_conflict),
      cmocka_unit_test(test_history_and_restore),
      cmocka_unit_test(test_moderation_holds_edit_until_approved),
      cmocka_unit_test(test_confirm_does_not_block_a_held_edit),
      cmocka_unit_test(test_confirm_sets_assured_date),
      cmocka_unit_test(test_reminder_outbox_lists_exactly_the_stale_entries),
      cmocka_unit_test(test_corrections_spam_guard_and_rate_limit),
      cmocka_unit_test(test_feed_correction_reaches_the_feed_keeper),
      cmocka_unit_test(test_organisation_picker_finds_by_name),
      cmocka_unit_test(test_reindex_never_touches_portal_data),
      cmocka_unit_test(test_lists_are_paged_and_held_edits_limited),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
