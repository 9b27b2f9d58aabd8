/* /api/v1: services, organisations, activities, taxonomy, feeds, health. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "web_internal.h"

/* CROSS JOIN keeps the occurrences in the time window as the outer loop:
 * without statistics the planner would otherwise walk every service. */
#define ACT_WHERE                                                                                  \
  " FROM occurrence oc CROSS JOIN service s ON s.rid = oc.service_rid"                             \
  " JOIN organization o ON o.rid = s.organization_rid"                                             \
  " LEFT JOIN activity a ON a.service_rid = s.rid"                                                 \
  " WHERE s.status = 'active' AND o.status = 'active' AND oc.start_utc >= ?1 AND oc.start_utc < "  \
  "?2"                                                                                             \
  " AND (?3 IS NULL OR a.municipality_code = ?3 OR EXISTS (SELECT 1 FROM service_area sa"          \
  "      WHERE sa.service_rid = s.rid AND sa.area_code IN (SELECT value FROM json_each(?4))))"     \
  " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM service_taxonomy t WHERE t.service_rid = s.rid"       \
  "      AND t.vocabulary = 'need' AND (t.code = ?5 OR substr(t.code, 1, length(?5) + 1) = ?5 || " \
  "'.')))"                                                                                         \
  " AND (?6 IS NULL OR EXISTS (SELECT 1 FROM service_taxonomy t WHERE t.service_rid = s.rid"       \
  "      AND t.vocabulary = 'target_group' AND t.code = ?6))"

/* /hsds (web_hsds.c binds these). A service is live when it and its
 * organization are active; any other row of kind 'aanbod' is a tombstone,
 * listed (as HSDS status 'inactive') only when ?9 gives the oldest change
 * still shown. HSDS_LM is the time of the service's last change, counting
 * its organization's withdrawal; HSDS_PUB_LM the one published. Binds: ?1
 * organization id, ?2 modified_after (on HSDS_PUB_LM), ?3/?4 vocabulary and code of a term, ?5
 * vocabulary, ?6 FTS match, ?9 tombstone cut-off, ?10 area codes (JSON) that serve a postcode, ?11
 * its municipality, ?12/?13 origin latitude/longitude, ?14 cos(?12), ?15 the squared radius in
 * degrees of latitude. */
#define HSDS_LIVE "(s.status = 'active' AND o.status = 'active')"
#define HSDS_LM                                                                                    \
  "max(s.last_modified, CASE WHEN o.status = 'active' THEN '' ELSE o.last_modified END)"
/* The last_modified /hsds publishes: a live service imported from an HSDS
 * feed shows its source's own time of change (service.source_modified,
 * RFC 3339, here in UTC), any other row ours. modified_after filters on
 * this, so a consumer gets what the times it is shown say. */
#define HSDS_PUB_LM                                                                                \
  "(CASE WHEN " HSDS_LIVE " AND s.source_modified IS NOT NULL THEN"                                \
  " coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', s.source_modified), " HSDS_LM ") ELSE " HSDS_LM        \
  " END)"
#define HSDS_NEAR(l)                                                                               \
  "(" l ".latitude IS NOT NULL AND " l ".longitude IS NOT NULL AND"                                \
  " ((" l ".longitude - ?13) * ?14) * ((" l ".longitude - ?13) * ?14)"                             \
  " + (" l ".latitude - ?12) * (" l ".latitude - ?12) <= ?15)"
#define HSDS_FILTERS                                                                               \
  " AND s.kind = 'aanbod' AND (" HSDS_LIVE " OR (?9 IS NOT NULL AND " HSDS_LM " >= ?9))"           \
  " AND (?1 IS NULL OR o.id = ?1) AND (?2 IS NULL OR " HSDS_PUB_LM " >= ?2)"                       \
  " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM service_taxonomy t WHERE t.service_rid = s.rid"       \
  "      AND t.vocabulary = ?3 AND t.code = ?4))"                                                  \
  " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM service_taxonomy t WHERE t.service_rid = s.rid"       \
  "      AND t.vocabulary = ?5))"                                                                  \
  " AND (?6 IS NULL OR s.rid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?6))"         \
  " AND (?10 IS NULL OR EXISTS (SELECT 1 FROM service_area sa WHERE sa.service_rid = s.rid"        \
  "      AND sa.area_code IN (SELECT value FROM json_each(?10)))"                                  \
  "   OR (?11 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM service_area sa"                           \
  "      WHERE sa.service_rid = s.rid) AND EXISTS (SELECT 1 FROM service_at_location x2"           \
  "      JOIN location l2 ON l2.rid = x2.location_rid WHERE x2.service_rid = s.rid"                \
  "      AND l2.municipality_code = ?11)))"
#define HSDS_WHERE                                                                                 \
  " FROM service s JOIN organization o ON o.rid = s.organization_rid WHERE 1" HSDS_FILTERS         \
  " AND (?15 IS NULL OR EXISTS (SELECT 1 FROM service_at_location x3 JOIN location l3"             \
  "      ON l3.rid = x3.location_rid WHERE x3.service_rid = s.rid"                                 \
  "      AND (l3.status = 'active' OR NOT " HSDS_LIVE ") AND " HSDS_NEAR("l3") "))"
/* One row per service at a location; the location must be active too. */
#define HSDS_SAL_WHERE                                                                             \
  " FROM service_at_location x JOIN service s ON s.rid = x.service_rid"                            \
  " JOIN organization o ON o.rid = s.organization_rid JOIN location l ON l.rid = x.location_rid"   \
  " WHERE (l.status = 'active' OR NOT " HSDS_LIVE ")" HSDS_FILTERS                                 \
  " AND (?15 IS NULL OR " HSDS_NEAR("l") ")"
/* Organizations; ?1 a LIKE pattern (escape '\\') on name and description. */
#define HSDS_ORG_WHERE                                                                             \
  " FROM organization o WHERE o.status = 'active'"                                                 \
  " AND (?1 IS NULL OR o.name LIKE ?1 ESCAPE '\\' OR o.description LIKE ?1 ESCAPE '\\')"

static const char *const query_sql[WQ_COUNT] = {
    [WQ_SERVICE] =
        "SELECT s.rid, s.id, s.kind, s.name, s.summary, s.description, s.keywords, s.url, s.email,"
        " s.application_process, s.eligibility_description, s.fees_description, s.min_age,"
        " s.max_age, s.status, s.assured_date, s.created, s.last_modified, s.source,"
        " o.rid, o.id, o.name, o.description, o.email, o.website, s.source_modified"
        " FROM service s JOIN organization o ON o.rid = s.organization_rid"
        " WHERE s.id = ?1 AND s.status <> 'withdrawn' AND o.status <> 'withdrawn'",
    [WQ_SERVICE_TAXONOMY] = "SELECT vocabulary, code FROM service_taxonomy WHERE service_rid = ?1"
                            " ORDER BY vocabulary, code",
    [WQ_SERVICE_AREAS] = "SELECT area_code, min_age, max_age, note FROM service_area"
                         " WHERE service_rid = ?1 ORDER BY area_code",
    [WQ_SERVICE_LOCATIONS] =
        "SELECT l.rid, l.id, l.name, l.address, l.postal_code, l.city, l.municipality_code,"
        " l.latitude, l.longitude, l.accessibility FROM service_at_location x"
        " JOIN location l ON l.rid = x.location_rid WHERE x.service_rid = ?1 AND l.status = "
        "'active'"
        " ORDER BY l.name, l.rid LIMIT 200",
    [WQ_SERVICE_PHONES] = "SELECT number, description FROM phone WHERE service_rid = ?1"
                          " AND restricted = 0 ORDER BY rid LIMIT 50",
    [WQ_ORG_PHONES] = "SELECT number, description FROM phone WHERE organization_rid = ?1"
                      " AND service_rid IS NULL AND location_rid IS NULL AND restricted = 0"
                      " ORDER BY rid LIMIT 50",
    [WQ_LOCATION_PHONES] = "SELECT number, description FROM phone WHERE location_rid = ?1"
                           " AND service_rid IS NULL AND restricted = 0 ORDER BY rid LIMIT 50",
    [WQ_SERVICE_HOURS] =
        "SELECT weekday, opens_at, closes_at, valid_from, valid_to, description"
        " FROM schedule WHERE service_rid = ?1 ORDER BY weekday, opens_at LIMIT 100",
    [WQ_ACTIVITY] = "SELECT location_text, municipality_code, recurrence, organizer FROM activity"
                    " WHERE service_rid = ?1",
    [WQ_OCCURRENCES] =
        "SELECT starts_at, ends_at, all_day, cancelled, location_text FROM occurrence"
        " WHERE service_rid = ?1 AND coalesce(end_utc, start_utc) >= ?2"
        " ORDER BY start_utc, rid LIMIT 200",
    [WQ_ORGANIZATION] = "SELECT rid, id, name, description, email, website, last_modified"
                        " FROM organization WHERE id = ?1 AND status <> 'withdrawn'",
    [WQ_ORG_SERVICES] = "SELECT id, kind, name, summary, assured_date FROM service"
                        " WHERE organization_rid = ?1 AND status = 'active'"
                        " ORDER BY kind, name, rid LIMIT 1000",
    [WQ_ORG_LOCATIONS] =
        "SELECT rid, id, name, address, postal_code, city, municipality_code, latitude, longitude,"
        " accessibility FROM location WHERE organization_rid = ?1 AND status = 'active'"
        " ORDER BY name, rid LIMIT 200",
    [WQ_ACTIVITIES_COUNT] = "SELECT count(*)" ACT_WHERE,
    [WQ_ACTIVITIES_LIST] = "SELECT oc.starts_at, oc.ends_at, oc.all_day, oc.cancelled,"
                           " coalesce(oc.location_text, a.location_text), s.id, s.name, s.summary,"
                           " a.municipality_code, o.id, o.name, a.recurrence" ACT_WHERE
                           " ORDER BY oc.start_utc, oc.rid LIMIT ?7 OFFSET ?8",
    [WQ_ACTIVITIES_ICS] =
        "SELECT oc.starts_at, oc.ends_at, oc.all_day, oc.cancelled,"
        " coalesce(oc.location_text, a.location_text), s.id, s.name, s.summary, s.description,"
        " o.name, oc.start_utc, oc.end_utc, s.last_modified" ACT_WHERE
        " ORDER BY oc.start_utc, oc.rid LIMIT ?7",
    /* Column 13: may ?1 read the feed's stored reasons and error, which
     * quote its values (restricted phones too)? The redactie (?1 = 0), the
     * feed's keeper (account_feed), or a partner of every organisation in
     * it; not a partner of one organisation among the many of an
     * aggregated feed. */
    [WQ_FEEDS] = "SELECT id, partner, kind, enabled, last_attempt, last_success, last_error,"
                 " n_records, n_new, n_changed, n_unchanged, n_withdrawn, n_rejected,"
                 " ?1 = 0 OR id IN (SELECT feed_id FROM account_feed WHERE account_rid = ?1)"
                 " OR NOT EXISTS (SELECT 1 FROM organization o WHERE o.source = 'feed:' || feed.id"
                 " AND o.rid NOT IN (SELECT organization_rid FROM account_organization"
                 " WHERE account_rid = ?1))"
                 " FROM feed WHERE ?1 = 0 OR id IN (SELECT substr(o.source, 6)"
                 " FROM organization o JOIN account_organization ao ON ao.organization_rid = o.rid"
                 " WHERE ao.account_rid = ?1 AND o.source LIKE 'feed:%')"
                 " OR id IN (SELECT feed_id FROM account_feed WHERE account_rid = ?1) ORDER BY id",
    [WQ_FEED_REJECTIONS] = "SELECT record_key, field, reason, at FROM feed_rejection"
                           " WHERE feed_id = ?1 ORDER BY rid LIMIT 100",
    [WQ_HSDS_COUNT] = "SELECT count(*)" HSDS_WHERE,
    [WQ_HSDS_LIST] = "SELECT s.id, " HSDS_LIVE ", s.name, " HSDS_LM ", o.id" HSDS_WHERE
                     " ORDER BY s.name, s.rid LIMIT ?7 OFFSET ?8",
    [WQ_HSDS_SAL_COUNT] = "SELECT count(*)" HSDS_SAL_WHERE,
    [WQ_HSDS_SAL_LIST] = "SELECT s.id, l.id, " HSDS_LIVE
                         " AND l.status = 'active', s.name, " HSDS_LM ", o.id" HSDS_SAL_WHERE
                         " ORDER BY s.name, s.rid, l.name, l.rid LIMIT ?7 OFFSET ?8",
    /* Every live pair, to find a service_at_location by its derived id. */
    [WQ_HSDS_SAL_ALL] = "SELECT s.id, l.id FROM service_at_location x"
                        " JOIN service s ON s.rid = x.service_rid"
                        " JOIN organization o ON o.rid = s.organization_rid"
                        " JOIN location l ON l.rid = x.location_rid"
                        " WHERE s.kind = 'aanbod' AND " HSDS_LIVE " AND l.status = 'active'",
    /* A service that is not live (withdrawn or its organization withdrawn). */
    [WQ_HSDS_TOMBSTONE] = "SELECT s.id, s.name, " HSDS_LM ", o.id"
                          " FROM service s JOIN organization o ON o.rid = s.organization_rid"
                          " WHERE s.id = ?1 AND s.kind = 'aanbod' AND NOT " HSDS_LIVE,
    [WQ_HSDS_ORG_COUNT] = "SELECT count(*)" HSDS_ORG_WHERE,
    [WQ_HSDS_ORG_LIST] = "SELECT o.id" HSDS_ORG_WHERE " ORDER BY o.name, o.rid LIMIT ?2 OFFSET ?3",
    [WQ_HSDS_ORG] = "SELECT rid, id, name, description, email, website FROM organization"
                    " WHERE id = ?1 AND status = 'active'",
    [WQ_HSDS_ORG_SERVICES] = "SELECT id, name FROM service WHERE organization_rid = ?1"
                             " AND kind = 'aanbod' AND status = 'active' ORDER BY name, rid"
                             " LIMIT 1000",
    [WQ_INDEX_AGE] = "SELECT max(v) FROM (SELECT max(last_success) AS v FROM feed"
                     " UNION ALL SELECT value FROM meta WHERE key IN ('indexed_at', 'last_index'))",
    [WQ_BEGIN] = "BEGIN",
    [WQ_COMMIT] = "COMMIT",
};

sqlite3_stmt *web_stmt(struct web_worker *w, enum web_query q) {
  sqlite3_stmt *s = w->stmt[q];
  if (s) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
  }
  if (sqlite3_prepare_v3(w->st->db, query_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
      SQLITE_OK) {
    fprintf(stderr, "sociale-kaart serve: query %d: %s\n", (int)q, sqlite3_errmsg(w->st->db));
    sqlite3_finalize(s);
    return NULL;
  }
  w->stmt[q] = s;
  return s;
}

void web_read_begin(struct web_worker *w) {
  sqlite3_stmt *s = web_stmt(w, WQ_BEGIN);
  if (s) {
    sqlite3_step(s);
    sqlite3_reset(s);
  }
}

void web_read_end(struct web_worker *w) {
  if (sqlite3_get_autocommit(w->st->db))
    return;
  sqlite3_stmt *s = web_stmt(w, WQ_COMMIT);
  if (s) {
    sqlite3_step(s);
    sqlite3_reset(s);
  }
  if (!sqlite3_get_autocommit(w->st->db))
    sqlite3_exec(w->st->db, "ROLLBACK", NULL, NULL, NULL);
}

static const char *const day_names[8] = {"",          "maandag", "dinsdag",  "woensdag",
                                         "donderdag", "vrijdag", "zaterdag", "zondag"};

/* Stale: not confirmed in the last twelve months (or never). Activities
 * come from calendars, which carry no confirmation date: never stale. */
static int is_stale(const char *kind, const char *assured) {
  if (kind && strcmp(kind, "activiteit") == 0)
    return 0;
  int64_t t;
  char day[11];
  if (!assured || strlen(assured) < 10)
    return 1;
  memcpy(day, assured, 10);
  day[10] = '\0';
  if (web_parse_time(day, &t) != SK_OK)
    return 1;
  return (int64_t)time(NULL) - t > 365LL * 86400;
}

static json_t *phones_json(struct web_worker *w, enum web_query q, long long rid) {
  json_t *a = json_array();
  sqlite3_stmt *s = web_stmt(w, q);
  if (!s)
    return a;
  sqlite3_bind_int64(s, 1, rid);
  while (sqlite3_step(s) == SQLITE_ROW)
    json_array_append_new(a, json_pack("{s:o, s:o}", "number", web_json_text(s, 0), "description",
                                       web_json_text(s, 1)));
  sqlite3_reset(s);
  return a;
}

static json_t *term_explained(const struct sk_taxonomy *tax, enum sk_vocab v, const char *code) {
  if (!code)
    return json_null();
  const struct sk_term *t = sk_taxonomy_find(tax, v, code);
  return json_pack("{s:s, s:s, s:s?}", "code", code, "label", t && t->label ? t->label : code,
                   "explain", t ? t->explain : NULL);
}

/* Locations from a statement whose columns are: rid, id, name, address,
 * postal_code, city, municipality_code, latitude, longitude, accessibility. */
static json_t *locations_json(struct web_worker *w, sqlite3_stmt *s) {
  const struct sk_taxonomy *tax = w->srv->tax;
  /* Collect first: the phone query needs the connection's other statement. */
  json_t *a = json_array();
  json_t *rids = json_array();
  while (sqlite3_step(s) == SQLITE_ROW) {
    const char *m = (const char *)sqlite3_column_text(s, 6);
    json_array_append_new(rids, json_integer(sqlite3_column_int64(s, 0)));
    json_array_append_new(
        a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", web_json_text(s, 1),
                     "name", web_json_text(s, 2), "address", web_json_text(s, 3), "postal_code",
                     web_json_text(s, 4), "city", web_json_text(s, 5), "municipality",
                     web_json_term(tax, SK_VOCAB_MUNICIPALITY, m), "latitude", web_json_real(s, 7),
                     "longitude", web_json_real(s, 8), "accessibility", web_json_text(s, 9)));
  }
  sqlite3_reset(s);
  size_t i;
  json_t *loc;
  json_array_foreach(a, i, loc) {
    long long rid = json_integer_value(json_array_get(rids, i));
    json_object_set_new(loc, "phones", phones_json(w, WQ_LOCATION_PHONES, rid));
  }
  json_decref(rids);
  return a;
}

json_t *web_service_detail(struct web_worker *w, const char *id, int *found) {
  const struct sk_taxonomy *tax = w->srv->tax;
  *found = 0;
  sqlite3_stmt *s = web_stmt(w, WQ_SERVICE);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  if (step != SQLITE_ROW) {
    sqlite3_reset(s);
    if (step == SQLITE_DONE)
      return json_null();
    return NULL;
  }
  *found = 1;
  long long rid = sqlite3_column_int64(s, 0), org_rid = sqlite3_column_int64(s, 19);
  const char *assured = (const char *)sqlite3_column_text(s, 15);
  int kind_activity = sqlite3_column_text(s, 2) &&
                      strcmp((const char *)sqlite3_column_text(s, 2), "activiteit") == 0;
  json_t *svc = json_pack(
      "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
      web_json_text(s, 1), "kind", web_json_text(s, 2), "status", web_json_text(s, 14), "name",
      web_json_text(s, 3), "summary", web_json_text(s, 4), "description", web_json_text(s, 5),
      "keywords", web_json_text(s, 6), "url", web_json_text(s, 7), "email", web_json_text(s, 8),
      "application_process", web_json_text(s, 9), "eligibility_description", web_json_text(s, 10),
      "fees_description", web_json_text(s, 11), "min_age", web_json_int(s, 12), "max_age",
      web_json_int(s, 13));
  json_t *org = json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", web_json_text(s, 20), "name",
                          web_json_text(s, 21), "description", web_json_text(s, 22), "email",
                          web_json_text(s, 23), "website", web_json_text(s, 24));
  json_object_set_new(svc, "assured_date", web_json_text(s, 15));
  json_object_set_new(svc, "stale",
                      json_boolean(is_stale((const char *)sqlite3_column_text(s, 2), assured)));
  json_object_set_new(svc, "created", web_json_text(s, 16));
  json_object_set_new(svc, "last_modified", web_json_text(s, 17));
  json_object_set_new(svc, "source_modified", web_json_text(s, 25));
  json_object_set_new(svc, "source", web_json_text(s, 18));
  sqlite3_reset(s);

  /* Classification. */
  json_t *needs = json_array(), *groups = json_array(), *laws = json_array();
  json_t *access = NULL, *cost = NULL;
  int auto_classified = 0;
  s = web_stmt(w, WQ_SERVICE_TAXONOMY);
  if (s) {
    sqlite3_bind_int64(s, 1, rid);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const char *vocab = (const char *)sqlite3_column_text(s, 0);
      const char *code = (const char *)sqlite3_column_text(s, 1);
      if (!vocab || !code)
        continue;
      if (strcmp(vocab, "classification") == 0 && strcmp(code, "automatisch") == 0)
        auto_classified = 1;
      int v = sk_vocab_parse(vocab);
      if (v == SK_VOCAB_NEED)
        json_array_append_new(needs, web_json_term(tax, SK_VOCAB_NEED, code));
      else if (v == SK_VOCAB_TARGET_GROUP)
        json_array_append_new(groups, web_json_term(tax, SK_VOCAB_TARGET_GROUP, code));
      else if (v == SK_VOCAB_LAW)
        json_array_append_new(laws, web_json_term(tax, SK_VOCAB_LAW, code));
      else if (v == SK_VOCAB_ACCESS && !access)
        access = term_explained(tax, SK_VOCAB_ACCESS, code);
      else if (v == SK_VOCAB_COST && !cost)
        cost = term_explained(tax, SK_VOCAB_COST, code);
    }
    sqlite3_reset(s);
  }
  json_object_set_new(svc, "needs", needs);
  json_object_set_new(svc, "target_groups", groups);
  json_object_set_new(svc, "access", access ? access : json_null());
  json_object_set_new(svc, "cost", cost ? cost : json_null());
  json_object_set_new(svc, "laws", laws);
  /* The indexer proposed the classification; a redacteur has not checked it. */
  json_object_set_new(svc, "auto_classified", json_boolean(auto_classified));

  json_t *areas = json_array();
  s = web_stmt(w, WQ_SERVICE_AREAS);
  if (s) {
    sqlite3_bind_int64(s, 1, rid);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const char *code = (const char *)sqlite3_column_text(s, 0);
      if (!code)
        continue;
      const struct sk_term *t = sk_taxonomy_find(tax, SK_VOCAB_MUNICIPALITY, code);
      const char *type = "municipality";
      if (!t) {
        t = sk_taxonomy_find(tax, SK_VOCAB_SCOPE, code);
        type = "scope";
      }
      json_array_append_new(areas, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "code", code,
                                             "label", t && t->label ? t->label : code, "type", type,
                                             "min_age", web_json_int(s, 1), "max_age",
                                             web_json_int(s, 2), "note", web_json_text(s, 3)));
    }
    sqlite3_reset(s);
  }
  json_object_set_new(svc, "areas", areas);

  json_object_set_new(org, "phones", phones_json(w, WQ_ORG_PHONES, org_rid));
  json_object_set_new(svc, "organization", org);

  s = web_stmt(w, WQ_SERVICE_LOCATIONS);
  if (s) {
    sqlite3_bind_int64(s, 1, rid);
    json_object_set_new(svc, "locations", locations_json(w, s));
  } else {
    json_object_set_new(svc, "locations", json_array());
  }
  json_object_set_new(svc, "phones", phones_json(w, WQ_SERVICE_PHONES, rid));

  json_t *hours = json_array();
  s = web_stmt(w, WQ_SERVICE_HOURS);
  if (s) {
    sqlite3_bind_int64(s, 1, rid);
    while (sqlite3_step(s) == SQLITE_ROW) {
      int wd = sqlite3_column_int(s, 0);
      json_array_append_new(
          hours, json_pack("{s:i, s:s, s:o, s:o, s:o, s:o, s:o}", "weekday", wd, "day",
                           day_names[wd >= 1 && wd <= 7 ? wd : 0], "opens_at", web_json_text(s, 1),
                           "closes_at", web_json_text(s, 2), "valid_from", web_json_text(s, 3),
                           "valid_to", web_json_text(s, 4), "description", web_json_text(s, 5)));
    }
    sqlite3_reset(s);
  }
  json_object_set_new(svc, "hours", hours);

  json_t *activity = json_null();
  if (kind_activity && (s = web_stmt(w, WQ_ACTIVITY))) {
    sqlite3_bind_int64(s, 1, rid);
    if (sqlite3_step(s) == SQLITE_ROW) {
      const char *m = (const char *)sqlite3_column_text(s, 1);
      json_decref(activity);
      activity = json_pack("{s:o, s:o, s:o, s:o}", "location_text", web_json_text(s, 0),
                           "municipality", web_json_term(tax, SK_VOCAB_MUNICIPALITY, m),
                           "recurrence", web_json_text(s, 2), "organizer", web_json_text(s, 3));
    }
    sqlite3_reset(s);
    if (json_is_object(activity)) {
      json_t *occ = json_array();
      if ((s = web_stmt(w, WQ_OCCURRENCES))) {
        sqlite3_bind_int64(s, 1, rid);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL) - 86400);
        while (sqlite3_step(s) == SQLITE_ROW)
          json_array_append_new(occ, json_pack("{s:o, s:o, s:b, s:b, s:o}", "starts_at",
                                               web_json_text(s, 0), "ends_at", web_json_text(s, 1),
                                               "all_day", sqlite3_column_int(s, 2), "cancelled",
                                               sqlite3_column_int(s, 3), "location_text",
                                               web_json_text(s, 4)));
        sqlite3_reset(s);
      }
      json_object_set_new(activity, "occurrences", occ);
    }
  }
  json_object_set_new(svc, "activity", activity);
  return svc;
}

int web_api_service(struct web_ctx *x) {
  if (!web_is_uuid(x->id))
    return web_not_found(x, "Het aanbod");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  int found;
  web_read_begin(w);
  json_t *svc = web_service_detail(w, x->id, &found);
  web_read_end(w);
  if (!svc)
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  if (!found) {
    json_decref(svc);
    return web_not_found(x, "Het aanbod");
  }
  return web_reply_json(x, 200, svc);
}

int web_api_organization(struct web_ctx *x) {
  if (!web_is_uuid(x->id))
    return web_not_found(x, "De organisatie");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  sqlite3_stmt *s = web_stmt(w, WQ_ORGANIZATION);
  if (!s) {
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  sqlite3_bind_text(s, 1, x->id, -1, SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    web_read_end(w);
    return web_not_found(x, "De organisatie");
  }
  long long rid = sqlite3_column_int64(s, 0);
  json_t *org = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "id", web_json_text(s, 1), "name",
                          web_json_text(s, 2), "description", web_json_text(s, 3), "email",
                          web_json_text(s, 4), "website", web_json_text(s, 5), "last_modified",
                          web_json_text(s, 6));
  sqlite3_reset(s);
  json_object_set_new(org, "phones", phones_json(w, WQ_ORG_PHONES, rid));
  s = web_stmt(w, WQ_ORG_LOCATIONS);
  if (s) {
    sqlite3_bind_int64(s, 1, rid);
    json_object_set_new(org, "locations", locations_json(w, s));
  } else {
    json_object_set_new(org, "locations", json_array());
  }
  json_t *services = json_array();
  s = web_stmt(w, WQ_ORG_SERVICES);
  if (s) {
    sqlite3_bind_int64(s, 1, rid);
    while (sqlite3_step(s) == SQLITE_ROW) {
      char href[80];
      snprintf(href, sizeof href, "/api/v1/services/%s", (const char *)sqlite3_column_text(s, 0));
      json_array_append_new(
          services, json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:s}", "id", web_json_text(s, 0),
                              "kind", web_json_text(s, 1), "name", web_json_text(s, 2), "summary",
                              web_json_text(s, 3), "assured_date", web_json_text(s, 4), "stale",
                              is_stale((const char *)sqlite3_column_text(s, 1),
                                       (const char *)sqlite3_column_text(s, 4)),
                              "href", href));
    }
    sqlite3_reset(s);
  }
  json_object_set_new(org, "services", services);
  web_read_end(w);
  return web_reply_json(x, 200, org);
}

int web_act_filter_parse(struct web_ctx *x, int64_t def_back, int64_t def_span,
                         struct web_act_filter *f) {
  const struct sk_taxonomy *tax = x->srv->tax;
  int has_from, has_to;
  if (web_arg_code(x, "municipality", SK_VOCAB_MUNICIPALITY, &f->muni) ||
      web_arg_code(x, "need", SK_VOCAB_NEED, &f->need) ||
      web_arg_code(x, "target_group", SK_VOCAB_TARGET_GROUP, &f->group) ||
      web_arg_time(x, "from", &f->from, &has_from) || web_arg_time(x, "to", &f->to, &has_to))
    return SK_EINVAL;
  int64_t now = (int64_t)time(NULL);
  if (!has_from)
    f->from = now - def_back;
  if (!has_to)
    f->to = (has_from ? f->from : now) + def_span;
  if (f->to <= f->from)
    return web_bad_param(x, "to", "'to' moet na 'from' liggen.");
  if (f->to - f->from > 366LL * 86400)
    return web_bad_param(x, "to", "De periode van 'from' tot 'to' mag hoogstens een jaar zijn.");
  /* A resident of Laren is served by offerings for Laren and for every
   * scope Laren is part of (bel, hbel, ...); regio and landelijk always. */
  snprintf(f->areas, sizeof f->areas, "[]");
  if (f->muni) {
    const struct sk_term *t = sk_taxonomy_find(tax, SK_VOCAB_MUNICIPALITY, f->muni);
    int n = snprintf(f->areas, sizeof f->areas, "[\"%s\",\"regio\",\"landelijk\"", f->muni);
    for (size_t i = 0; t && i < t->n_scopes && n > 0 && (size_t)n < sizeof f->areas - 40; i++)
      n += snprintf(f->areas + n, sizeof f->areas - (size_t)n, ",\"%s\"", t->scopes[i]);
    if (n > 0 && (size_t)n < sizeof f->areas - 2)
      snprintf(f->areas + n, sizeof f->areas - (size_t)n, "]");
  }
  return SK_OK;
}

void web_act_filter_bind(sqlite3_stmt *s, const struct web_act_filter *f) {
  sqlite3_bind_int64(s, 1, f->from);
  sqlite3_bind_int64(s, 2, f->to);
  if (f->muni) {
    sqlite3_bind_text(s, 3, f->muni, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, f->areas, -1, SQLITE_STATIC);
  }
  if (f->need)
    sqlite3_bind_text(s, 5, f->need, -1, SQLITE_STATIC);
  if (f->group)
    sqlite3_bind_text(s, 6, f->group, -1, SQLITE_STATIC);
}

int web_api_activities(struct web_ctx *x) {
  const struct sk_taxonomy *tax = x->srv->tax;
  struct web_act_filter f;
  struct web_page pg;
  if (web_act_filter_parse(x, 0, 31LL * 86400, &f) || web_arg_page(x, 50, 200, &pg))
    return SK_EINVAL;
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  sqlite3_stmt *c = web_stmt(w, WQ_ACTIVITIES_COUNT);
  long long total = 0;
  if (!c) {
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  web_act_filter_bind(c, &f);
  if (sqlite3_step(c) == SQLITE_ROW)
    total = sqlite3_column_int64(c, 0);
  sqlite3_reset(c);
  json_t *items = json_array();
  sqlite3_stmt *s = web_stmt(w, WQ_ACTIVITIES_LIST);
  if (s) {
    web_act_filter_bind(s, &f);
    sqlite3_bind_int64(s, 7, pg.per_page);
    sqlite3_bind_int64(s, 8, (pg.page - 1) * pg.per_page);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const char *m = (const char *)sqlite3_column_text(s, 8);
      json_array_append_new(
          items,
          json_pack("{s:o, s:o, s:b, s:b, s:o, s:{s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}}}",
                    "starts_at", web_json_text(s, 0), "ends_at", web_json_text(s, 1), "all_day",
                    sqlite3_column_int(s, 2), "cancelled", sqlite3_column_int(s, 3),
                    "location_text", web_json_text(s, 4), "activity", "id", web_json_text(s, 5),
                    "name", web_json_text(s, 6), "summary", web_json_text(s, 7), "municipality",
                    web_json_term(tax, SK_VOCAB_MUNICIPALITY, m), "recurrence",
                    web_json_text(s, 11), "organization", "id", web_json_text(s, 9), "name",
                    web_json_text(s, 10)));
    }
    sqlite3_reset(s);
  }
  web_read_end(w);
  char fs[32], ts[32];
  web_iso_utc(f.from, fs);
  web_iso_utc(f.to, ts);
  json_t *body = json_pack("{s:I, s:I, s:I, s:I, s:o, s:s, s:s, s:o}", "total", (json_int_t)total,
                           "page", (json_int_t)pg.page, "per_page", (json_int_t)pg.per_page,
                           "total_pages", (json_int_t)((total + pg.per_page - 1) / pg.per_page),
                           "next", web_next_link(x, &pg, total), "from", fs, "to", ts, "items",
                           items);
  return web_reply_json(x, 200, body);
}

static json_t *term_full(const struct sk_term *t) {
  json_t *syn = json_array(), *scopes = json_array();
  for (size_t i = 0; i < t->n_synonyms; i++)
    json_array_append_new(syn, json_string(t->synonyms[i]));
  for (size_t i = 0; i < t->n_scopes; i++)
    json_array_append_new(scopes, json_string(t->scopes[i]));
  json_t *o = json_pack("{s:s, s:s?, s:s, s:s?, s:o, s:o, s:b, s:o, s:o}", "code", t->code,
                        "parent_code", t->parent_code, "label", t->label, "explain", t->explain,
                        "min_age", t->min_age >= 0 ? json_integer(t->min_age) : json_null(),
                        "max_age", t->max_age >= 0 ? json_integer(t->max_age) : json_null(),
                        "crisis", t->crisis, "synonyms", syn, "scopes", scopes);
  if (o && !t->parent_code)
    json_object_set_new(o, "parent_code", json_null());
  if (o && !t->explain)
    json_object_set_new(o, "explain", json_null());
  return o;
}

int web_api_build_taxonomy(struct web_server *srv) {
  static const char *const keys[SK_VOCAB_COUNT] = {[SK_VOCAB_NEED] = "needs",
                                                   [SK_VOCAB_TARGET_GROUP] = "target_groups",
                                                   [SK_VOCAB_MUNICIPALITY] = "municipalities",
                                                   [SK_VOCAB_SCOPE] = "scopes",
                                                   [SK_VOCAB_ACCESS] = "access",
                                                   [SK_VOCAB_COST] = "costs",
                                                   [SK_VOCAB_LAW] = "laws"};
  json_t *o = json_object();
  json_object_set_new(o, "version", json_integer(srv->tax->version));
  for (int v = 0; v < SK_VOCAB_COUNT; v++) {
    json_t *a = json_array();
    for (size_t i = 0; i < srv->tax->n_terms; i++)
      if ((int)srv->tax->terms[i].vocab == v)
        json_array_append_new(a, term_full(&srv->tax->terms[i]));
    json_object_set_new(o, keys[v], a);
  }
  srv->taxonomy_body = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  if (!srv->taxonomy_body)
    return SK_ENOMEM;
  srv->taxonomy_len = strlen(srv->taxonomy_body);
  return SK_OK;
}

int web_api_taxonomy(struct web_ctx *x) {
  x->out.body = malloc(x->srv->taxonomy_len + 1);
  if (!x->out.body)
    return web_unavailable(x, "Geen geheugen vrij.");
  memcpy(x->out.body, x->srv->taxonomy_body, x->srv->taxonomy_len + 1);
  x->out.len = x->srv->taxonomy_len;
  x->out.status = 200;
  x->out.ctype = "application/json; charset=utf-8";
  x->out.cache = "public, max-age=3600";
  x->out.etag = 1;
  return SK_OK;
}

/* A field name from the indexer's own code ("phones", "DTSTART"); anything
 * else is left out rather than shown. */
static int plain_field(const char *f) {
  size_t n = f ? strlen(f) : 0;
  return n > 0 && n <= 64 &&
         strspn(f, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]-") == n;
}

/* What anonymous readers see of a rejection: built from the field name
 * alone, never from the stored reason, which quotes the feed's values (a
 * restricted phone number that failed its check, say). */
static json_t *public_reason(sqlite3_stmt *r) {
  const char *reason = (const char *)sqlite3_column_text(r, 2);
  const char *field = (const char *)sqlite3_column_text(r, 1);
  char text[160];
  if (reason && strncmp(reason, "Waarschuwing: ", 14) == 0)
    snprintf(text, sizeof text, "Waarschuwing bij het lezen van de feed.");
  else if (plain_field(field))
    snprintf(text, sizeof text, "Niet overgenomen: het veld '%s' klopt niet.", field);
  else
    snprintf(text, sizeof text, "Niet overgenomen: dit onderdeel klopt niet.");
  return json_string(text);
}

json_t *web_feeds_json(struct web_worker *w, int full, int64_t account_rid) {
  web_read_begin(w);
  sqlite3_stmt *s = web_stmt(w, WQ_FEEDS);
  if (!s) {
    web_read_end(w);
    return NULL;
  }
  sqlite3_bind_int64(s, 1, account_rid);
  json_t *feeds = json_array();
  while (sqlite3_step(s) == SQLITE_ROW) {
    /* The full report for this reader (column 13); kept under "_full" until
     * the rejections below are read, then dropped. */
    int full_here = full && sqlite3_column_int(s, 13);
    const char *attempt = (const char *)sqlite3_column_text(s, 4);
    const char *success = (const char *)sqlite3_column_text(s, 5);
    int healthy = success && (!attempt || strcmp(success, attempt) >= 0);
    /* The stored error names the file or address and quotes what the
     * server said: the partner's and the redactie's business only. */
    json_t *error = sqlite3_column_type(s, 6) == SQLITE_NULL ? json_null()
                    : full_here                              ? web_json_text(s, 6)
                                : json_string("Het lezen van de feed is mislukt. De partner en de "
                                              "redactie zien de reden in het portaal.");
    json_array_append_new(
        feeds,
        json_pack("{s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:b, s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
                  "id", web_json_text(s, 0), "partner", web_json_text(s, 1), "kind",
                  web_json_text(s, 2), "enabled", sqlite3_column_int(s, 3), "last_attempt",
                  web_json_text(s, 4), "last_success", web_json_text(s, 5), "last_error", error,
                  "healthy", healthy, "counts", "records", (json_int_t)sqlite3_column_int64(s, 7),
                  "new", (json_int_t)sqlite3_column_int64(s, 8), "changed",
                  (json_int_t)sqlite3_column_int64(s, 9), "unchanged",
                  (json_int_t)sqlite3_column_int64(s, 10), "withdrawn",
                  (json_int_t)sqlite3_column_int64(s, 11), "rejected",
                  (json_int_t)sqlite3_column_int64(s, 12)));
    json_t *last = json_array_get(feeds, json_array_size(feeds) - 1);
    if (last)
      json_object_set_new(last, "_full", json_boolean(full_here));
  }
  sqlite3_reset(s);
  size_t i;
  json_t *f;
  json_array_foreach(feeds, i, f) {
    int full_here = json_is_true(json_object_get(f, "_full"));
    json_object_del(f, "_full");
    json_t *rej = json_array();
    sqlite3_stmt *r = web_stmt(w, WQ_FEED_REJECTIONS);
    if (r) {
      sqlite3_bind_text(r, 1, json_string_value(json_object_get(f, "id")), -1, SQLITE_STATIC);
      while (sqlite3_step(r) == SQLITE_ROW)
        json_array_append_new(
            rej, json_pack("{s:o, s:o, s:o, s:o}", "record_key", web_json_text(r, 0), "field",
                           plain_field((const char *)sqlite3_column_text(r, 1)) || full_here
                               ? web_json_text(r, 1)
                               : json_null(),
                           "reason", full_here ? web_json_text(r, 2) : public_reason(r), "at",
                           web_json_text(r, 3)));
      sqlite3_reset(r);
    }
    json_object_set_new(f, "rejections", rej);
  }
  web_read_end(w);
  return feeds;
}

int web_api_feeds(struct web_ctx *x) {
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  json_t *feeds = web_feeds_json(w, 0, 0);
  if (!feeds)
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  int rc = web_reply_json(x, 200, json_pack("{s:o}", "feeds", feeds));
  x->out.cache = "public, max-age=30";
  return rc;
}

/* Seconds since the last successful index, or -1 when unknown. */
long long web_index_age(struct web_worker *w) {
  sqlite3_stmt *s = web_stmt(w, WQ_INDEX_AGE);
  long long age = -1;
  if (s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
    int64_t t;
    if (web_parse_time((const char *)sqlite3_column_text(s, 0), &t) == SK_OK)
      age = (long long)time(NULL) - t;
  }
  if (s)
    sqlite3_reset(s);
  return age;
}

int web_api_healthz(struct web_ctx *x) {
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  long long age = web_index_age(w);
  int rc = web_reply_json(x, 200,
                          json_pack("{s:s, s:o}", "status", "ok", "index_age_seconds",
                                    age >= 0 ? json_integer(age) : json_null()));
  x->out.cache = "no-store";
  x->out.etag = 0;
  return rc;
}

int web_api_openapi(struct web_ctx *x) {
  size_t n = strlen(web_openapi_json);
  x->out.body = malloc(n + 1);
  if (!x->out.body)
    return web_unavailable(x, "Geen geheugen vrij.");
  memcpy(x->out.body, web_openapi_json, n + 1);
  x->out.len = n;
  x->out.status = 200;
  x->out.ctype = "application/json; charset=utf-8";
  x->out.cache = "public, max-age=3600";
  x->out.etag = 1;
  return SK_OK;
}
