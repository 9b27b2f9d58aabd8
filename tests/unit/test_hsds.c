/* HSDS 3.0 import: our profile fully mapped, wrong types, duplicates, the
 * paged envelope, size and depth bounds, and the Open Referral examples in
 * ../shared/corpora/hsds (the corpus group is skipped when it is absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_hsds.h"
#include "sk_err.h"

#include "ix_validate.h"

/* ----------------------------------------------------------------- helpers */

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  size_t r;
  while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

struct parsed {
  struct ix_batch b;
  int rc, pages;
  char err[512];
};

static void parse_mem(struct parsed *p, const char *data, size_t len) {
  ix_batch_init(&p->b, 0);
  p->pages = -5;
  p->err[0] = '\0';
  p->rc = ix_hsds_parse(data, len, th_taxonomy(), &p->b, &p->pages, p->err, sizeof p->err);
}

static void parse_str(struct parsed *p, const char *json) { parse_mem(p, json, strlen(json)); }

static void parse_data_file(struct parsed *p, const char *name) {
  char rel[256];
  snprintf(rel, sizeof rel, "tests/data/hsds/%s", name);
  size_t len;
  char *data = read_all(th_source_path(rel), &len);
  if (!data)
    fail_msg("cannot read %s", rel);
  parse_mem(p, data, len);
  free(data);
}

static const struct ix_service *svc(const struct ix_batch *b, const char *key) {
  for (size_t i = 0; i < b->services.n; i++)
    if (strcmp(b->services.v[i].key, key) == 0)
      return &b->services.v[i];
  return NULL;
}

static const struct ix_location *loc(const struct ix_batch *b, const char *key) {
  for (size_t i = 0; i < b->locations.n; i++)
    if (strcmp(b->locations.v[i].key, key) == 0)
      return &b->locations.v[i];
  return NULL;
}

static const struct ix_org *org(const struct ix_batch *b, const char *key) {
  for (size_t i = 0; i < b->orgs.n; i++)
    if (strcmp(b->orgs.v[i].key, key) == 0)
      return &b->orgs.v[i];
  return NULL;
}

/* The first warning containing all of the given fragments, or NULL. */
static const char *warning_with(const struct ix_batch *b, const char *a, const char *c) {
  for (size_t i = 0; i < b->warnings.n; i++)
    if (strstr(b->warnings.v[i], a) && (!c || strstr(b->warnings.v[i], c)))
      return b->warnings.v[i];
  return NULL;
}

static const struct ix_rejection *rejection_for(const struct ix_batch *b, const char *key) {
  for (size_t i = 0; i < b->rejections.n; i++) {
    const char *k = b->rejections.v[i].record_key;
    if ((!key && !k) || (key && k && strcmp(k, key) == 0))
      return &b->rejections.v[i];
  }
  return NULL;
}

static void dump_warnings(const struct ix_batch *b) {
  for (size_t i = 0; i < b->warnings.n; i++)
    print_message("  warning: %s\n", b->warnings.v[i]);
  for (size_t i = 0; i < b->rejections.n; i++)
    print_message("  rejection: %s\n", b->rejections.v[i].reason);
}

/* ------------------------------------------------------------ our profile */

static void test_profile_fully_mapped(void **state) {
  (void)state;
  struct parsed p;
  parse_data_file(&p, "profile.json");
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.pages, 1);
  if (p.b.warnings.n || p.b.rejections.n)
    dump_warnings(&p.b);
  assert_int_equal(p.b.warnings.n, 0); /* our own profile loses nothing */
  assert_int_equal(p.b.rejections.n, 0);
  assert_int_equal(p.b.services.n, 2);
  assert_int_equal(p.b.orgs.n, 1);      /* shared by both services */
  assert_int_equal(p.b.locations.n, 1); /* shared by both services */

  const struct ix_service *s = svc(&p.b, "svc-schuldhulp");
  assert_non_null(s);
  assert_int_equal(s->kind, IX_KIND_SERVICE);
  assert_string_equal(s->name, "Schuldhulpverlening");
  assert_string_equal(s->keywords, "Hulp bij schulden");
  assert_string_equal(s->description, "U praat met een schuldhulpverlener over uw geldzorgen.");
  assert_string_equal(s->url, "https://voorbeeld.example.org/schulden");
  assert_string_equal(s->email, "geld@voorbeeld.example.org");
  assert_string_equal(s->application_process, "Bel of loop binnen op dinsdag.");
  assert_string_equal(s->eligibility, "Voor inwoners van HBEL met schulden.");
  assert_string_equal(s->fees, "Gratis.");
  assert_int_equal(s->min_age, 18);
  assert_int_equal(s->max_age, 120);
  assert_string_equal(s->assured_date, "2026-10-01");
  assert_string_equal(s->assured_by, "redactie@voorbeeld.example.org");
  assert_string_equal(s->org_key, "org-voorbeeld");
  assert_null(s->summary);
  assert_null(s->referral_contact);

  assert_int_equal(s->needs.n, 2);
  assert_string_equal(s->needs.v[0], "geld.schulden");
  assert_string_equal(s->needs.v[1], "geld.administratie");
  assert_int_equal(s->target_groups.n, 1);
  assert_string_equal(s->target_groups.v[0], "volwassenen");
  assert_string_equal(s->access, "vrij");
  assert_string_equal(s->cost, "gratis");
  assert_int_equal(s->laws.n, 1);
  assert_string_equal(s->laws.v[0], "wgs");

  assert_int_equal(s->areas.n, 2);
  assert_string_equal(s->areas.v[0].code, "hbel");
  assert_string_equal(s->areas.v[1].code, "laren"); /* from the label "Laren" */
  assert_int_equal(s->areas.v[0].min_age, IX_UNSET);

  assert_int_equal(s->phones.n, 1);
  assert_string_equal(s->phones.v[0].number, "035 000 0001");
  assert_string_equal(s->phones.v[0].description, "Algemeen");
  assert_int_equal(s->phones.v[0].restricted, 0);

  assert_int_equal(s->hours.n, 3);
  assert_int_equal(s->hours.v[0].weekday, 1);
  assert_string_equal(s->hours.v[0].opens, "09:00");
  assert_string_equal(s->hours.v[0].closes, "12:00");
  assert_null(s->hours.v[0].note);
  assert_int_equal(s->hours.v[1].weekday, 2);
  assert_int_equal(s->hours.v[2].weekday, 4);
  assert_string_equal(s->hours.v[2].opens, "13:30");
  assert_string_equal(s->hours.v[2].closes, "16:00");
  assert_string_equal(s->hours.v[2].note, "Alleen op afspraak");

  assert_int_equal(s->location_keys.n, 1);
  assert_string_equal(s->location_keys.v[0], "loc-bijenkorf");
  const struct ix_location *l = loc(&p.b, "loc-bijenkorf");
  assert_non_null(l);
  assert_string_equal(l->name, "Buurthuis De Bijenkorf");
  assert_string_equal(l->org_key, "org-voorbeeld");
  assert_string_equal(l->address, "Voorbeeldstraat 1");
  assert_string_equal(l->postal_code, "1271 AB");
  assert_string_equal(l->city, "Huizen");
  assert_string_equal(l->municipality, "huizen"); /* from the postcode */
  assert_string_equal(l->accessibility, "Rolstoeltoegankelijk\nInvalidentoilet");
  assert_int_equal(l->has_coordinates, 1);
  assert_true(fabs(l->latitude - 52.2991) < 1e-9);
  assert_true(fabs(l->longitude - 5.2413) < 1e-9);

  const struct ix_org *o = org(&p.b, "org-voorbeeld");
  assert_non_null(o);
  assert_string_equal(o->name, "Voorbeeld Welzijn");
  assert_string_equal(o->description, "Welzijnswerk in Huizen.");
  assert_string_equal(o->email, "info@voorbeeld.example.org");
  assert_string_equal(o->website, "https://voorbeeld.example.org");
  assert_string_equal(o->phone, "035 000 0000");

  /* No taxonomy attributes: still parsed, with empty needs; the validator
   * rejects it later. */
  const struct ix_service *t = svc(&p.b, "svc-budgetcoach");
  assert_non_null(t);
  assert_int_equal(t->needs.n, 0);
  assert_null(t->access);
  assert_null(t->cost);
  assert_string_equal(t->org_key, "org-voorbeeld");
  assert_int_equal(t->location_keys.n, 1);
  assert_string_equal(t->location_keys.v[0], "loc-bijenkorf");
  assert_int_equal(t->areas.n, 1);
  assert_string_equal(t->areas.v[0].code, "huizen");
  assert_int_equal(t->min_age, IX_UNSET);

  /* With the validator in the tree: our profile passes it, and the service
   * without needs is rejected with a reason. */
  assert_int_equal(ix_validate_batch(&p.b, th_taxonomy()), SK_OK);
  if (!svc(&p.b, "svc-schuldhulp"))
    dump_warnings(&p.b);
  assert_non_null(svc(&p.b, "svc-schuldhulp"));
  assert_null(svc(&p.b, "svc-budgetcoach"));
  assert_non_null(rejection_for(&p.b, "svc-budgetcoach"));
  ix_batch_free(&p.b);
}

/* Extra HSDS text with no field of its own lands in the description. */
static void test_extras_go_into_description(void **state) {
  (void)state;
  struct parsed p;
  parse_str(
      &p,
      "[{\"id\":\"x\",\"name\":\"Inloop\",\"status\":\"temporarily closed\","
      "\"description\":\"Koffie en een praatje.\",\"alert\":\"Dicht in de kerstvakantie.\","
      "\"interpretation_services\":\"Tolk op afspraak\",\"wait_time\":\"Twee weken\","
      "\"languages\":[{\"id\":\"l1\",\"name\":\"Nederlands\"},{\"id\":\"l2\",\"code\":\"ar\"}],"
      "\"required_documents\":[{\"id\":\"d\",\"document\":\"Legitimatie\"}],"
      "\"fees_description\":\"Kleine bijdrage.\","
      "\"cost_options\":[{\"id\":\"c\",\"option\":\"Koffie\",\"amount\":0.5,\"currency\":\"EUR\"},"
      "{\"id\":\"c2\",\"amount\":35,\"amount_description\":\"per "
      "maand\",\"valid_from\":\"2026-01-01\"}],"
      "\"schedules\":[{\"id\":\"s\",\"freq\":\"MONTHLY\",\"byday\":\"1SA\",\"opens_at\":\"10:00\","
      "\"closes_at\":\"12:00\",\"description\":\"Elke eerste zaterdag van 10 tot 12 uur\"}]}]");
  assert_int_equal(p.rc, SK_OK);
  const struct ix_service *s = svc(&p.b, "x");
  assert_non_null(s);
  assert_string_equal(
      s->description,
      "Let op: Dicht in de kerstvakantie.\nLet op: deze dienst is tijdelijk gesloten.\n\n"
      "Koffie en een praatje.\n\n"
      "Tolk: Tolk op afspraak\nTalen: Nederlands, ar\nWachttijd: Twee weken\n"
      "Meenemen: Legitimatie\nOpeningstijden: Elke eerste zaterdag van 10 tot 12 uur");
  assert_string_equal(s->fees,
                      "Kleine bijdrage.\nKoffie: € 0,50\n€ 35 per maand (vanaf 2026-01-01)");
  /* Monthly: one dated row per first Saturday in the window (issue 12). */
  assert_true(s->hours.n >= 5);
  for (size_t i = 0; i < s->hours.n; i++) {
    assert_int_equal(s->hours.v[i].weekday, 6);
    assert_string_equal(s->hours.v[i].valid_from, s->hours.v[i].valid_to);
    assert_true(atoi(s->hours.v[i].valid_from + 8) <= 7); /* the first one of its month */
  }
  ix_batch_free(&p.b);
}

/* Words, languages and documents as text or lists, days by name, a day
 * as a number (not read: Monday or Sunday?), every day with DAILY. */
static void test_values_as_people_write_them(void **state) {
  (void)state;
  struct parsed p;
  parse_str(&p, "[{\"id\": \"v1\", \"name\": \"Inloop\", \"status\": \" Active\","
                " \"minimum_age\": \"18+\", \"maximum_age\": \"65 jaar\","
                " \"alternate_name\": \"Koffieochtend\", \"keywords\": [\"koffie\", \"praatje\"],"
                " \"languages\": \"Nederlands, Engels\", \"required_documents\": \"ID-bewijs\","
                " \"schedules\": [{\"byday\": \"Monday, woensdag\", \"opens_at\": \"9:00\","
                " \"closes_at\": \"11:00\"}, {\"weekday\": 2, \"opens_at\": \"13:00\","
                " \"closes_at\": \"15:00\"}]},"
                " {\"id\": \"v3\", \"name\": \"Spreekuur\", \"status\": \"active\","
                " \"schedules\": [{\"byday\": \"di\", \"opens_at\": \"9 uur\", \"closes_at\":"
                " \"12.30u\", \"valid_from\": \"1-1-2026\", \"valid_to\": \"31-12-2026\"}, "
                "{\"byday\": \"do\", \"opens_at\": \"9h30\", \"closes_at\":"
                " \"11:00 uur\"}], \"service_at_locations\": [{\"location\": {\"id\": \"vl\","
                " \"location_type\": \"Fysiek\", \"addresses\": [{\"address_type\":"
                " \"bezoekadres\", \"address_1\": \"Plein 1\", \"city\": \"Huizen\"}]}}]},"
                " {\"id\": \"v4\", \"name\": \"Zonder status\", \"description\": \"Een dienst.\","
                " \"schedules\": {\"byday\": \"vr\", \"opens_at\": \"10:00\", \"closes_at\":"
                " \"11:00\"}},"
                " {\"id\": \"v2\", \"name\": \"Telefoon\", \"status\": \"tijdelijk gesloten\","
                " \"schedules\": [{\"freq\": \"daily\", \"byday\": [\"SA\", \"SU\"],"
                " \"opens_at\": \"10:00\", \"closes_at\": \"12:00\"}]}]");
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.b.rejections.n, 0);
  const struct ix_service *s = svc(&p.b, "v1");
  assert_non_null(s);
  assert_string_equal(s->keywords, "Koffieochtend, koffie, praatje");
  assert_int_equal(s->min_age, 18); /* "18+" */
  assert_int_equal(s->max_age, 65); /* "65 jaar" */
  assert_string_equal(s->description, "Talen: Nederlands, Engels\nMeenemen: ID-bewijs");
  assert_int_equal(s->hours.n, 2);
  assert_int_equal(s->hours.v[0].weekday, 1);
  assert_int_equal(s->hours.v[1].weekday, 3);
  assert_non_null(warning_with(&p.b, "HSDS schedule.weekday", "maandag of zondag"));
  /* Dutch times ("9 uur", "12.30u", "9h30") and Dutch words for a place
   * one can visit (location_type "Fysiek", address_type "bezoekadres"). */
  s = svc(&p.b, "v3");
  assert_non_null(s);
  assert_int_equal(s->hours.n, 2);
  assert_string_equal(s->hours.v[0].opens, "09:00");
  assert_string_equal(s->hours.v[0].closes, "12:30");
  assert_string_equal(s->hours.v[0].valid_from, "2026-01-01"); /* written 1-1-2026 */
  assert_string_equal(s->hours.v[0].valid_to, "2026-12-31");
  assert_string_equal(s->hours.v[1].opens, "09:30");
  assert_string_equal(s->hours.v[1].closes, "11:00");
  const struct ix_location *l = loc(&p.b, "vl");
  assert_non_null(l);
  assert_string_equal(l->address, "Plein 1");
  /* No status, but hours of its own: a service (read as active), not an
   * organisation because it has a description. Its one schedule is an
   * object where HSDS has a list: read as a list of one. */
  s = svc(&p.b, "v4");
  assert_non_null(s);
  assert_int_equal(s->hours.n, 1);
  assert_int_equal(p.b.orgs.n, 0);
  assert_non_null(warning_with(&p.b, "HSDS service.schedules", "lijst van één"));
  s = svc(&p.b, "v2");
  assert_non_null(s);
  assert_non_null(strstr(s->description, "tijdelijk gesloten"));
  assert_int_equal(s->hours.n, 2);
  assert_int_equal(s->hours.v[0].weekday, 6);
  assert_int_equal(s->hours.v[1].weekday, 7);
  ix_batch_free(&p.b);

  /* A list of a service, its organisation and its location (by id, later
   * in the list): all three, linked. */
  parse_str(&p, "[{\"id\": \"m1\", \"name\": \"Spreekuur\", \"status\": \"active\","
                " \"organization_id\": \"o1\", \"service_at_locations\": [{\"location_id\":"
                " \"l1\"}]}, {\"id\": \"o1\", \"name\": \"Stichting\", \"description\": \"x\"},"
                " {\"id\": \"l1\", \"name\": \"Buurthuis\", \"location_type\": \"physical\"}]");
  assert_int_equal(p.rc, SK_OK);
  s = svc(&p.b, "m1");
  assert_non_null(s);
  assert_int_equal(s->location_keys.n, 1);
  assert_string_equal(s->location_keys.v[0], "l1");
  assert_string_equal(s->org_key, "o1");
  assert_int_equal(p.b.orgs.n, 1);
  assert_null(warning_with(&p.b, "zonder dienst", NULL)); /* all three belong together */
  ix_batch_free(&p.b);
}

/* ------------------------------------------------------------- wrong input */

static void test_wrong_types_reject_or_warn(void **state) {
  (void)state;
  struct parsed p;
  parse_data_file(&p, "wrong_types.json");
  assert_int_equal(p.rc, SK_OK);
  /* Records we cannot identify or scope are rejected with a reason. An id
   * that is a number (older APIs number their records) is its text. */
  assert_non_null(svc(&p.b, "42"));
  const struct ix_rejection *r;
  assert_non_null((r = rejection_for(&p.b, "wt-name")));
  assert_string_equal(r->field, "name");
  assert_non_null((r = rejection_for(&p.b, "wt-age")));
  assert_string_equal(r->field, "minimum_age");
  assert_non_null(strstr(r->reason, "getal van 0 tot en met 120"));
  /* A maximum age of 1e300 is no upper limit (valid HSDS: any number). */
  assert_null(rejection_for(&p.b, "wt-age2"));
  assert_int_equal(svc(&p.b, "wt-age2")->max_age, IX_UNSET);
  assert_non_null(warning_with(&p.b, "HSDS service.maximum_age", "geen bovengrens"));
  assert_non_null((r = rejection_for(&p.b, "wt-status")));
  assert_string_equal(r->field, "status");
  assert_int_equal(p.b.rejections.n, 5); /* 3 services + "geen object" + null */

  /* The rest survives; fields with a wrong type are dropped with a warning. */
  assert_int_equal(p.b.services.n, 3);
  const struct ix_service *s = svc(&p.b, "wt-fields");
  assert_non_null(s);
  assert_null(s->url);
  assert_null(s->email);
  /* description {"tekst": …} is dropped; languages "nl" is read as text */
  assert_string_equal(s->description, "Talen: nl");
  assert_null(s->fees);
  assert_null(s->org_key);
  assert_int_equal(s->phones.n, 0);
  assert_int_equal(s->hours.n, 0);
  /* {"name": 3} is dropped; the plain text "huizen" is an area's name */
  assert_int_equal(s->areas.n, 1);
  assert_string_equal(s->areas.v[0].code, "huizen");
  assert_int_equal(s->needs.n, 0);
  assert_int_equal(s->location_keys.n, 2); /* "l1", and 17 read as "17" */
  assert_non_null(loc(&p.b, "17"));
  const struct ix_location *l = loc(&p.b, "l1");
  assert_non_null(l);
  assert_null(l->name);
  assert_null(l->address);
  assert_int_equal(l->has_coordinates, 0);
  assert_non_null(warning_with(&p.b, "HSDS service.url", "tekst"));
  assert_non_null(warning_with(&p.b, "HSDS service.email", "tekst"));
  assert_non_null(warning_with(&p.b, "HSDS service.phones", "lijst"));
  assert_non_null(warning_with(&p.b, "HSDS service.organization", "object"));
  assert_non_null(warning_with(&p.b, "HSDS location.latitude", NULL));
  assert_non_null(warning_with(&p.b, "HSDS location.addresses", "lijst"));
  assert_non_null(warning_with(&p.b, "HSDS cost_option.amount", "getal"));
  assert_non_null(warning_with(&p.b, "HSDS attribute", NULL));
  assert_non_null(warning_with(&p.b, "HSDS service_area", NULL));
  assert_non_null(warning_with(&p.b, "'wt-fields'", NULL)); /* warnings name an example */
  ix_batch_free(&p.b);
}

static void test_document_errors(void **state) {
  (void)state;
  /* clang-format would wrap the comments inside the column beside the strings. */
  /* clang-format off */
  static const char *const bad[] = {
      "",                                            /* empty */
      "{\"id\": \"a\", \"name\": \"x\"",             /* truncated */
      "42",                                          /* not an object or list */
      "\"dienst\"",
      "{\"contents\": {\"id\": \"a\"}}",             /* contents not a list */
      "[{\"id\": \"a\", \"name\": \"b\", \"status\": \"active\", \"status\": \"inactive\"}]", /* duplicate key */
      "{\"id\": \"t\", \"name\": \"Schulden\", \"version\": \"1\", \"uri\": \"https://x\"}", /* a taxonomy */
      "[\"a\", 1, null]",                            /* nothing that is a service */
      "[{\"id\": \"a\", \"name\": \"\\u0000\", \"status\": \"active\"}]", /* NUL */
      "[{\"id\": \"a\", \"name\": \"\xff\xfe\", \"status\": \"active\"}]", /* invalid UTF-8 */
  };
  /* clang-format on */
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    struct parsed p;
    parse_str(&p, bad[i]);
    if (p.rc != SK_EPARSE)
      fail_msg("case %zu: rc %d", i, p.rc);
    assert_true(strlen(p.err) > 10); /* a reason for the partner */
    assert_int_equal(p.pages, 1);
    ix_batch_free(&p.b);
  }
  struct parsed p;
  parse_str(&p,
            "[{\"id\": \"a\", \"name\": \"b\", \"status\": \"active\", \"status\": \"inactive\"}]");
  assert_non_null(strstr(p.err, "JSON"));
  assert_non_null(strstr(p.err, "duplicate"));
  ix_batch_free(&p.b);
  parse_str(&p, "{\"id\": \"t\", \"name\": \"Schulden\", \"version\": \"1\", \"uri\": \"x\"}");
  assert_non_null(strstr(p.err, "taxonomie"));
  assert_non_null(strstr(p.err, "eigen indeling"));
  ix_batch_free(&p.b);
  parse_str(&p, "{\"version\": \"3.0\", \"openapi_url\": \"https://x/openapi.json\"}");
  assert_non_null(strstr(p.err, "/services"));
  ix_batch_free(&p.b);
  /* An empty list is a valid feed with no services. */
  parse_str(&p, "[]");
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.b.services.n, 0);
  ix_batch_free(&p.b);
  /* NULL arguments. */
  int pages;
  char err[64];
  struct ix_batch b;
  ix_batch_init(&b, 0);
  assert_int_equal(ix_hsds_parse(NULL, 0, NULL, &b, &pages, err, sizeof err), SK_EINVAL);
  assert_int_equal(ix_hsds_parse("[]", 2, NULL, NULL, &pages, err, sizeof err), SK_EINVAL);
  assert_int_equal(ix_hsds_parse("[]", 2, NULL, &b, NULL, err, sizeof err), SK_EINVAL);
  assert_int_equal(ix_hsds_parse("[]", 2, NULL, &b, &pages, NULL, 0), SK_OK);
  ix_batch_free(&b);
}

static void test_duplicate_ids_and_statuses(void **state) {
  (void)state;
  struct parsed p;
  parse_str(&p, "["
                "{\"id\":\"a\",\"name\":\"Eerste\",\"status\":\"active\"},"
                "{\"id\":\"a\",\"name\":\"Tweede\",\"status\":\"active\"},"
                "{\"id\":\"b\",\"name\":\"Gestopt\",\"status\":\"inactive\"},"
                "{\"id\":\"c\",\"name\":\"Opgeheven\",\"status\":\"defunct\"},"
                "{\"id\":\"d\",\"name\":\"Onbekend\",\"status\":\"paused\"},"
                "{\"id\":\"e\",\"name\":\"Zonder status\",\"application_process\":\"Bellen.\"},"
                "{\"id\":\"f\",\"name\":\"Hoofdletters\",\"status\":\"ACTIVE\"}"
                "]");
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.b.services.n, 3);
  assert_string_equal(svc(&p.b, "a")->name, "Eerste");
  assert_null(svc(&p.b, "b"));
  assert_null(svc(&p.b, "c"));
  assert_null(svc(&p.b, "d"));
  assert_non_null(svc(&p.b, "e"));
  assert_non_null(svc(&p.b, "f"));
  assert_non_null(strstr(rejection_for(&p.b, "a")->reason, "twee keer"));
  assert_non_null(strstr(rejection_for(&p.b, "d")->reason, "paused"));
  assert_int_equal(p.b.rejections.n, 2);
  assert_non_null(warning_with(&p.b, "status 'inactive'", "'b'"));
  assert_non_null(warning_with(&p.b, "status 'defunct'", "'c'"));
  assert_non_null(warning_with(&p.b, "status mist", "'e'"));
  ix_batch_free(&p.b);
}

static void test_schedules(void **state) {
  (void)state;
  struct parsed p;
  parse_str(
      &p,
      "[{\"id\":\"s\",\"name\":\"Spreekuur\",\"status\":\"active\",\"schedules\":["
      "{\"id\":\"1\",\"byday\":\"mo, we ,FR\",\"opens_at\":\"9:00\",\"closes_at\":\"12:00:00\"},"
      "{\"id\":\"2\",\"byday\":\"MO\",\"opens_at\":\"09:00\",\"closes_at\":\"12:00\"}," /* duplicate
                                                                                         */
      "{\"id\":\"3\",\"byday\":\"SA\",\"opens_at\":\"14:00\",\"closes_at\":\"13:00\"}," /* backwards
                                                                                         */
      "{\"id\":\"4\",\"byday\":\"SU\",\"opens_at\":\"25:00\",\"closes_at\":\"26:00\"}," /* no such
                                                                                           time */
      "{\"id\":\"5\",\"byday\":\"XX\",\"opens_at\":\"10:00\",\"closes_at\":\"11:00\"}," /* no such
                                                                                           day */
      "{\"id\":\"6\",\"byday\":\"TU\",\"interval\":2,\"opens_at\":\"10:00\",\"closes_at\":\"11:"
      "00\"},"
      "{\"id\":\"7\",\"byday\":\"TH\",\"opens_at\":\"10:00+01:00\",\"closes_at\":\"11:00Z\"}"
      "]}]");
  assert_int_equal(p.rc, SK_OK);
  const struct ix_service *s = svc(&p.b, "s");
  assert_non_null(s);
  /* 14:00-13:00 runs overnight: Saturday 14:00-24:00 and Sunday 00:00-13:00. */
  assert_int_equal(s->hours.n, 6);
  int days[6] = {1, 3, 5, 6, 7, 4};
  for (int i = 0; i < 6; i++)
    assert_int_equal(s->hours.v[i].weekday, days[i]);
  assert_string_equal(s->hours.v[0].opens, "09:00");
  assert_string_equal(s->hours.v[0].closes, "12:00");
  assert_string_equal(s->hours.v[3].closes, "24:00");
  assert_string_equal(s->hours.v[4].opens, "00:00");
  assert_string_equal(s->hours.v[4].closes, "13:00");
  assert_string_equal(s->hours.v[5].opens, "10:00");
  assert_non_null(warning_with(&p.b, "HSDS schedule:", "geldige opens_at"));
  assert_non_null(warning_with(&p.b, "HSDS schedule:", "'byday'"));
  assert_non_null(warning_with(&p.b, "HSDS schedule:", "zonder 'dtstart'"));
  assert_non_null(warning_with(&p.b, "tijdzone", NULL));
  ix_batch_free(&p.b);
}

static void test_areas_and_attributes(void **state) {
  (void)state;
  struct parsed p;
  parse_str(
      &p,
      "[{\"id\":\"s\",\"name\":\"Hulp\",\"status\":\"active\","
      "\"service_areas\":[{\"id\":\"1\",\"name\":\" Huizen "
      "\"},{\"id\":\"2\",\"name\":\"LANDELIJK\"},"
      "{\"id\":\"3\",\"name\":\"Heel Nederland\"},{\"id\":\"4\",\"name\":\"Amsterdam\"},"
      "{\"id\":\"5\",\"name\":\"huizen\"}],"
      "\"attributes\":["
      "{\"id\":\"a\",\"taxonomy_term\":{\"taxonomy\":\"SK-Hulpvraag\",\"code\":\" geld \"}},"
      "{\"id\":\"b\",\"taxonomy_term\":{\"taxonomy\":\"sk-hulpvraag\",\"name\":\"Schulden\"}},"
      "{\"id\":\"c\",\"taxonomy_term\":{\"taxonomy\":\"sk-hulpvraag\",\"code\":\"bestaat.niet\"}},"
      "{\"id\":\"d\",\"taxonomy_term\":{\"taxonomy\":\"sk-hulpvraag\",\"code\":\"geld\"}},"
      "{\"id\":\"e\",\"taxonomy_term\":{\"taxonomy_detail\":{\"name\":\"sk-toegang\"},\"code\":"
      "\"verwijzing\"}},"
      "{\"id\":\"f\",\"taxonomy_term\":{\"taxonomy\":\"sk-toegang\",\"code\":\"vrij\"}},"
      "{\"id\":\"g\",\"taxonomy_term\":{\"taxonomy\":\"sk-kosten\",\"code\":\"Gratis\"}},"
      "{\"id\":\"h\",\"taxonomy_term\":{\"taxonomy\":\"OpenEligibility\",\"code\":\"food\"}},"
      "{\"id\":\"i\",\"taxonomy_term_id\":\"3f7b145d\"}"
      "]}]");
  assert_int_equal(p.rc, SK_OK);
  const struct ix_service *s = svc(&p.b, "s");
  assert_non_null(s);
  assert_int_equal(s->areas.n, 2);
  assert_string_equal(s->areas.v[0].code, "huizen");
  assert_string_equal(s->areas.v[1].code, "landelijk"); /* code or label, any case */
  assert_non_null(warning_with(&p.b, "werkgebied 'Amsterdam'", NULL));
  assert_int_equal(s->needs.n, 3);
  assert_string_equal(s->needs.v[0], "geld");
  assert_string_equal(s->needs.v[1], "geld.schulden"); /* label -> code */
  assert_string_equal(s->needs.v[2], "bestaat.niet");  /* kept for the validator */
  assert_string_equal(s->access, "verwijzing");        /* the first one counts */
  assert_string_equal(s->cost, "gratis");
  assert_non_null(warning_with(&p.b, "sk-toegang", "één waarde"));
  assert_non_null(warning_with(&p.b, "taxonomie 'OpenEligibility' is niet de onze", NULL));
  assert_non_null(warning_with(&p.b, "taxonomy_term", "zonder taxonomy_term"));
  ix_batch_free(&p.b);
}

/* ---------------------------------------------------------------- envelope */

static void test_envelope_and_pages(void **state) {
  (void)state;
  struct parsed p;
  parse_data_file(&p, "envelope.json");
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.pages, 3);
  assert_int_equal(p.b.warnings.n, 0);
  assert_int_equal(p.b.services.n, 1);
  const struct ix_service *s = svc(&p.b, "svc-page1");
  assert_non_null(s);
  assert_string_equal(s->areas.v[0].code, "hbel");
  assert_string_equal(s->needs.v[0], "ontmoeten.maatje");

  /* Page 2 goes into the same batch: the organization is not added twice,
   * a service seen on page 1 again (same id, same name: the API's pages
   * shifted) is reported, not rejected; the first copy counts. */
  const char *page2 = "{\"total_pages\":3,\"page_number\":2,\"contents\":["
                      "{\"id\":\"svc-page2\",\"name\":\"Maaltijden\",\"status\":\"active\","
                      "\"organization\":{\"id\":\"org-voorbeeld\",\"name\":\"Voorbeeld Welzijn\"}},"
                      "{\"id\":\"svc-page1\",\"name\":\"Maatjesproject\",\"status\":\"active\"}]}";
  int pages = 0;
  char err[256];
  assert_int_equal(
      ix_hsds_parse(page2, strlen(page2), th_taxonomy(), &p.b, &pages, err, sizeof err), SK_OK);
  assert_int_equal(pages, 3);
  assert_int_equal(p.b.services.n, 2);
  assert_int_equal(p.b.orgs.n, 1);
  assert_string_equal(svc(&p.b, "svc-page2")->org_key, "org-voorbeeld");
  assert_null(rejection_for(&p.b, "svc-page1"));
  assert_non_null(warning_with(&p.b, "twee keer in de feed; de eerste telt", "svc-page1"));
  ix_batch_free(&p.b);

  /* Absurd or wrong page counts are bounded. */
  parse_str(&p, "{\"total_pages\": 100000000, \"contents\": []}");
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.pages, IX_HSDS_MAX_PAGES);
  assert_non_null(warning_with(&p.b, "total_pages", NULL));
  ix_batch_free(&p.b);
  parse_str(&p, "{\"total_pages\": \"drie\", \"contents\": []}");
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.pages, 1);
  assert_non_null(warning_with(&p.b, "total_pages", "heel getal"));
  ix_batch_free(&p.b);
  parse_str(&p, "{\"total_pages\": 0, \"total_items\": 0, \"empty\": true, \"contents\": []}");
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.pages, 1);
  ix_batch_free(&p.b);
  parse_str(&p, "{\"total_pages\": 2.5, \"contents\": []}");
  assert_int_equal(p.pages, 1);
  ix_batch_free(&p.b);
}

/* ------------------------------------------------------------------ bounds */

static void test_deep_input_is_refused(void **state) {
  (void)state;
  size_t depth = 100000;
  char *deep = malloc(2 * depth + 1);
  assert_non_null(deep);
  memset(deep, '[', depth);
  memset(deep + depth, ']', depth);
  struct parsed p;
  parse_mem(&p, deep, 2 * depth);
  assert_int_equal(p.rc, SK_EPARSE);
  ix_batch_free(&p.b);
  /* Deep nesting inside a service, under jansson's limit, is just ignored
   * data: no recursion of ours follows it. */
  size_t d2 = 1500, off = 0;
  char *inner = malloc(2 * d2 + 128);
  assert_non_null(inner);
  off += (size_t)sprintf(inner, "[{\"id\":\"a\",\"name\":\"b\",\"status\":\"active\",\"x\":");
  memset(inner + off, '[', d2);
  off += d2;
  memset(inner + off, ']', d2);
  off += d2;
  off += (size_t)sprintf(inner + off, "}]");
  parse_mem(&p, inner, off);
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.b.services.n, 1);
  assert_non_null(warning_with(&p.b, "HSDS service.x", NULL));
  ix_batch_free(&p.b);
  free(inner);
  free(deep);
}

static void test_huge_input_is_bounded(void **state) {
  (void)state;
  /* Past the byte cap: refused before parsing. */
  size_t big = IX_HSDS_MAX_BYTES + 1;
  char *data = malloc(big);
  assert_non_null(data);
  memset(data, ' ', big);
  data[0] = '[';
  data[big - 1] = ']';
  struct parsed p;
  parse_mem(&p, data, big);
  assert_int_equal(p.rc, SK_ETOOBIG);
  assert_non_null(strstr(p.err, "te groot"));
  ix_batch_free(&p.b);
  free(data);

  /* Many services: parsed; with a small arena cap: SK_ETOOBIG, no crash. */
  size_t n = 20000, cap = n * 200 + 16, off = 0;
  char *many = malloc(cap);
  assert_non_null(many);
  many[off++] = '[';
  for (size_t i = 0; i < n; i++)
    off += (size_t)snprintf(many + off, cap - off,
                            "%s{\"id\":\"s%zu\",\"name\":\"Dienst %zu\",\"status\":\"active\","
                            "\"organization\":{\"id\":\"o%zu\",\"name\":\"Org\"},\"languages\":[]}",
                            i ? "," : "", i, i, i % 50);
  many[off++] = ']';
  parse_mem(&p, many, off);
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.b.services.n, n);
  assert_int_equal(p.b.orgs.n, 50);
  ix_batch_free(&p.b);

  struct ix_batch small;
  ix_batch_init(&small, 64 * 1024);
  int pages;
  char err[256];
  assert_int_equal(ix_hsds_parse(many, off, th_taxonomy(), &small, &pages, err, sizeof err),
                   SK_ETOOBIG);
  assert_int_equal(pages, 1);
  assert_true(strlen(err) > 0);
  ix_batch_free(&small);
  free(many);

  /* One service with very many phones, hours, areas and codes: capped, in
   * linear time. */
  cap = 8 * 1024 * 1024;
  char *fat = malloc(cap);
  assert_non_null(fat);
  off = (size_t)snprintf(fat, cap,
                         "[{\"id\":\"f\",\"name\":\"Vol\",\"status\":\"active\",\"phones\":[");
  for (int i = 0; i < 100000; i++)
    off += (size_t)snprintf(fat + off, cap - off, "%s{\"number\":\"%d\"}", i ? "," : "", i);
  off += (size_t)snprintf(fat + off, cap - off, "],\"schedules\":[");
  for (int i = 0; i < 20000; i++)
    off += (size_t)snprintf(
        fat + off, cap - off,
        "%s{\"byday\":\"MO\",\"opens_at\":\"%02d:%02d\",\"closes_at\":\"23:59\"}", i ? "," : "",
        (i / 60) % 23, i % 60);
  off += (size_t)snprintf(fat + off, cap - off, "],\"attributes\":[");
  for (int i = 0; i < 20000; i++)
    off += (size_t)snprintf(
        fat + off, cap - off,
        "%s{\"taxonomy_term\":{\"taxonomy\":\"sk-hulpvraag\",\"code\":\"c%d\"}}", i ? "," : "", i);
  off += (size_t)snprintf(fat + off, cap - off, "]}]");
  assert_true(off < cap - 1);
  parse_mem(&p, fat, off);
  assert_int_equal(p.rc, SK_OK);
  const struct ix_service *fs = svc(&p.b, "f");
  assert_non_null(fs);
  assert_int_equal(fs->phones.n, 20);
  assert_int_equal(fs->hours.n, 100);
  assert_int_equal(fs->needs.n, 64);
  assert_non_null(warning_with(&p.b, "telefoonnummers", NULL));
  ix_batch_free(&p.b);
  free(fat);

  /* Very many distinct unknown fields: the report stays bounded. */
  cap = 64 * 1024;
  char *wide = malloc(cap);
  assert_non_null(wide);
  off = (size_t)snprintf(wide, cap, "[{\"id\":\"w\",\"name\":\"Breed\",\"status\":\"active\"");
  for (int i = 0; i < 1000; i++)
    off += (size_t)snprintf(wide + off, cap - off, ",\"extra_%d\":1", i);
  off += (size_t)snprintf(wide + off, cap - off, "}]");
  parse_mem(&p, wide, off);
  assert_int_equal(p.rc, SK_OK);
  assert_true(p.b.warnings.n <= 200);
  assert_non_null(warning_with(&p.b, "andere meldingen", NULL));
  ix_batch_free(&p.b);
  free(wide);
}

/* Every demo HSDS feed (feeds/demo, files ending in .hsds.json) reads without a warning, and
 * with the validator in the tree, without a rejection. */
static void test_demo_feeds_parse_cleanly(void **state) {
  (void)state;
  DIR *d = opendir(th_source_path("feeds/demo"));
  if (!d)
    skip();
  int n_files = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t nl = strlen(e->d_name);
    if (nl < 11 || strcmp(e->d_name + nl - 10, ".hsds.json") != 0)
      continue;
    char rel[512];
    snprintf(rel, sizeof rel, "feeds/demo/%s", e->d_name);
    size_t len;
    char *data = read_all(th_source_path(rel), &len);
    assert_non_null(data);
    struct parsed p;
    parse_mem(&p, data, len);
    free(data);
    if (p.rc || p.b.warnings.n || p.b.rejections.n) {
      dump_warnings(&p.b);
      fail_msg("%s: rc %d (%s), %zu warnings, %zu rejections", rel, p.rc, p.err, p.b.warnings.n,
               p.b.rejections.n);
    }
    assert_true(p.b.services.n > 0);
    size_t n_services = p.b.services.n;
    assert_int_equal(ix_validate_batch(&p.b, th_taxonomy()), SK_OK);
    if (p.b.rejections.n)
      dump_warnings(&p.b);
    assert_int_equal(p.b.rejections.n, 0);
    assert_int_equal(p.b.services.n, n_services);
    print_message("%s: %zu services, %zu organizations, %zu locations\n", rel, n_services,
                  p.b.orgs.n, p.b.locations.n);
    ix_batch_free(&p.b);
    n_files++;
  }
  closedir(d);
  if (!n_files)
    skip();
}

/* ------------------------------------------------------------------ corpus */

struct corpus_stats {
  int files, with_services, refused, services, records_only;
};

static void parse_corpus_dir(const char *dir, struct corpus_stats *st) {
  DIR *d = opendir(dir);
  if (!d)
    fail_msg("corpus folder missing: %s", dir);
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t nl = strlen(e->d_name);
    if (nl < 6 || strcmp(e->d_name + nl - 5, ".json") != 0)
      continue;
    char path[2048];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path)
      fail_msg("corpus path too long: %s/%s", dir, e->d_name);
    size_t len;
    char *data = read_all(path, &len);
    assert_non_null(data);
    struct parsed p;
    parse_mem(&p, data, len);
    free(data);
    st->files++;
    /* Services, service_at_locations and organizations with services
     * produce services; other HSDS objects are refused with a reason. */
    int expect_services = strncmp(e->d_name, "service", 7) == 0 ||
                          strcmp(e->d_name, "organization_full.json") == 0 ||
                          strcmp(e->d_name, "tabular.json") == 0; /* the package as JSON */
    if (expect_services) {
      if (p.rc != SK_OK)
        fail_msg("%s: rc %d (%s)", path, p.rc, p.err);
      assert_true(p.b.services.n >= 1);
      st->with_services++;
      st->services += (int)p.b.services.n;
      for (size_t i = 0; i < p.b.services.n; i++) {
        assert_string_equal(p.b.services.v[i].key, "ac148810-d857-441c-9679-408f346de14b");
        assert_string_equal(p.b.services.v[i].name, "Community Counselling");
        assert_string_equal(p.b.services.v[i].org_key, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
        assert_int_equal(p.b.services.v[i].needs.n, 0); /* no sk-* attributes */
      }
    } else if (strcmp(e->d_name, "organization_list.json") == 0 ||
               strcmp(e->d_name, "location.json") == 0) {
      /* An organisation or a location without services: kept, with a
       * warning that it shows with a service only. */
      if (p.rc != SK_OK)
        fail_msg("%s: rc %d (%s)", path, p.rc, p.err);
      assert_int_equal(p.b.services.n, 0);
      assert_int_equal(p.b.orgs.n + p.b.locations.n, 1);
      assert_non_null(warning_with(&p.b, "zonder dienst: we bewaren ze", NULL));
      st->records_only++;
    } else {
      /* Taxonomies, terms, the API's base: nothing our model holds. */
      if (p.rc != SK_EPARSE)
        fail_msg("%s: rc %d, expected a refusal", path, p.rc);
      assert_non_null(strstr(p.err, "Dit bestand bevat geen diensten, organisaties of locaties"));
      assert_true(strstr(p.err, "taxonomie") || strstr(p.err, "/services"));
      st->refused++;
    }
    ix_batch_free(&p.b);
  }
  closedir(d);
}

static void test_corpus_examples(void **state) {
  (void)state;
  const char *root = th_corpora_dir();
  if (!root)
    skip();
  static const char *const dirs[] = {"hsds/openreferral-specification-3.0/examples",
                                     "hsds/openreferral-specification-3.1-dev/examples",
                                     "hsds/uk-profile/examples"};
  struct corpus_stats st = {0};
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", root, dirs[i]);
    parse_corpus_dir(dir, &st);
  }
  print_message("hsds corpus: %d files, %d with services (%d services), %d with only an"
                " organisation or location, %d refused\n",
                st.files, st.with_services, st.services, st.records_only, st.refused);
  assert_int_equal(st.files, 36);
  assert_int_equal(st.with_services, 17);
  assert_int_equal(st.records_only, 5); /* organization_list x3, location x2 */
  assert_int_equal(st.refused, 14);     /* taxonomy(_term)(_list) x3, base x2 */
}

static void test_corpus_service_full_values(void **state) {
  (void)state;
  const char *root = th_corpora_dir();
  if (!root)
    skip();
  char path[1024];
  snprintf(path, sizeof path, "%s/hsds/openreferral-specification-3.0/examples/service_full.json",
           root);
  size_t len;
  char *data = read_all(path, &len);
  assert_non_null(data);
  struct parsed p;
  parse_mem(&p, data, len);
  free(data);
  assert_int_equal(p.rc, SK_OK);
  const struct ix_service *s = svc(&p.b, "ac148810-d857-441c-9679-408f346de14b");
  assert_non_null(s);
  assert_string_equal(s->name, "Community Counselling");
  /* alternate_name, then the term of the example's other taxonomy */
  assert_string_equal(s->keywords, "MyCity Counselling Services, name");
  assert_string_equal(s->url, "http://example.com/counselling");
  assert_int_equal(s->min_age, 12);
  assert_int_equal(s->max_age, 100);
  assert_string_equal(s->assured_date, "2005-01-01");
  assert_string_equal(s->assured_by, "email@example.com");
  assert_non_null(strstr(s->description, "Let op: Following COVID-19"));
  assert_non_null(
      strstr(s->description, "Counselling Services provided by trained professionals."));
  assert_non_null(strstr(s->description, "Talen: Urdu"));
  assert_non_null(
      strstr(s->description, "Openingstijden: The service is available from 10 am to 6pm"));
  assert_non_null(strstr(s->fees, "\u00a350 per hour"));
  assert_non_null(strstr(s->fees, "Under 18s and Over 60s: 35 gbp per 1 hour session"));
  assert_int_equal(s->phones.n, 1);
  /* the example writes the quotes into the number; they are taken off */
  assert_string_equal(s->phones.v[0].number, "+44 1234 234567");
  assert_non_null(warning_with(&p.b, "HSDS phone.number: aanhalingstekens", NULL));
  assert_string_equal(s->phones.v[0].extension, "100"); /* its own field, not in the number */
  assert_int_equal(s->hours.n, 0); /* the example's schedule is not plain weekly */
  assert_int_equal(s->areas.n, 0); /* "MyCity" is not one of ours */
  assert_int_equal(s->location_keys.n, 1);
  const struct ix_location *l = loc(&p.b, "3a19ff88-4620-4d17-9830-ac1d859eb5d5");
  assert_non_null(l);
  assert_string_equal(l->name, "MyCity Civic Center");
  assert_null(l->address);                 /* only a postal address */
  assert_int_equal(l->has_coordinates, 0); /* latitude 100 is not on earth */
  assert_non_null(strstr(l->accessibility, "induction loops"));
  const struct ix_org *o = org(&p.b, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
  assert_non_null(o);
  assert_string_equal(o->name, "Example Organization Inc.");
  assert_string_equal(o->website, "http://example.com");
  assert_non_null(warning_with(&p.b, "werkgebied 'The service is available", NULL));
  assert_non_null(warning_with(&p.b, "HSDS service.contacts", NULL));
  assert_non_null(warning_with(&p.b, "HSDS service.metadata", NULL));
  assert_non_null(warning_with(&p.b, "HSDS location.latitude", NULL));
  assert_non_null(warning_with(&p.b, "taxonomie 'taxonomy' is niet de onze", NULL));
  ix_batch_free(&p.b);

  /* The paged list: one service, ten pages announced. */
  snprintf(path, sizeof path, "%s/hsds/openreferral-specification-3.0/examples/service_list.json",
           root);
  data = read_all(path, &len);
  assert_non_null(data);
  parse_mem(&p, data, len);
  free(data);
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.pages, 10);
  assert_int_equal(p.b.services.n, 1);
  ix_batch_free(&p.b);

  /* The UK profile's service_at_location list: service plus its location. */
  snprintf(path, sizeof path, "%s/hsds/uk-profile/examples/service_at_location_list.json", root);
  data = read_all(path, &len);
  assert_non_null(data);
  parse_mem(&p, data, len);
  free(data);
  assert_int_equal(p.rc, SK_OK);
  assert_int_equal(p.b.services.n, 1);
  assert_int_equal(p.b.locations.n, 1);
  assert_string_equal(p.b.services.v[0].location_keys.v[0], "3a19ff88-4620-4d17-9830-ac1d859eb5d5");
  ix_batch_free(&p.b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_profile_fully_mapped),
      cmocka_unit_test(test_extras_go_into_description),
      cmocka_unit_test(test_values_as_people_write_them),
      cmocka_unit_test(test_wrong_types_reject_or_warn),
      cmocka_unit_test(test_document_errors),
      cmocka_unit_test(test_duplicate_ids_and_statuses),
      cmocka_unit_test(test_schedules),
      cmocka_unit_test(test_areas_and_attributes),
      cmocka_unit_test(test_envelope_and_pages),
      cmocka_unit_test(test_deep_input_is_refused),
      cmocka_unit_test(test_huge_input_is_bounded),
      cmocka_unit_test(test_demo_feeds_parse_cleanly),
  };
  const struct CMUnitTest corpus[] = {
      cmocka_unit_test(test_corpus_examples),
      cmocka_unit_test(test_corpus_service_full_values),
  };
  int failed = cmocka_run_group_tests_name("hsds", tests, NULL, NULL);
  if (!th_corpora_dir()) {
    print_message("../shared/corpora is absent: the HSDS corpus tests are skipped\n");
    return failed ? failed : 77;
  }
  return failed + cmocka_run_group_tests_name("hsds corpus", corpus, NULL, NULL);
}
