/* The HSDS tabular package (kind hsds-csv, issue 12): the specification's
 * examples/csv import through `index` to the same stored services as their
 * JSON equivalent (service_full.json), from a folder and from a zip; a zip
 * that tries to leave the package, lies about its sizes or is damaged is
 * refused or skipped with a Dutch reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "helper_feed.h"
#include "helper_test.h"
#include "ix_csv.h"
#include "ix_hsds_csv.h"
#include "ix_registry.h"
#include "ix_run.h"
#include "sk_buf.h"
#include "sk_err.h"

#define TEST_NOW 1793491200 /* 2026-11-01T00:00:00Z */

static struct ix_feed_report run_feed(struct sk_store *st, const char *id, const char *kind,
                                      const char *path, const char *defaults) {
  return th_run_feed(st, id, kind, path, defaults, TEST_NOW);
}

static struct ix_feed_report run_one(struct sk_store *st, const char *kind, const char *path,
                                     const char *defaults) {
  return run_feed(st, "f", kind, path, defaults);
}

/* Every row of sql, columns joined by '|', rows by '\n', into out. */
static void dump_rows(struct sk_store *st, const char *sql, struct sk_buf *out) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(st->db));
  while (sqlite3_step(s) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(s); c++) {
      const char *v = (const char *)sqlite3_column_text(s, c);
      sk_buf_printf(out, "%s%s", c ? "|" : "", v ? v : "NULL");
    }
    sk_buf_addc(out, '\n');
  }
  sqlite3_finalize(s);
}

/* What a resident and a consumer of /hsds see of the feed's records: every
 * stored field, joined by the feed's own keys (rids differ between stores). */
static char *stored_services(struct sk_store *st) {
  static const char *const q[] = {
      "SELECT 'service', s.id, s.source_key, o.source_key, s.kind, s.name, s.summary, "
      "s.description, s.keywords,"
      " s.url, s.email, s.application_process, s.eligibility_description, s.fees_description, "
      "s.referral_contact,"
      " s.min_age, s.max_age, s.status, s.assured_date, s.assured_by, s.content_hash, "
      "s.source_modified FROM"
      " service s JOIN"
      " organization o ON o.rid = s.organization_rid ORDER BY s.source_key",
      "SELECT 'organization', id, source_key, name, description, email, website, status, "
      "content_hash FROM"
      " organization ORDER BY source_key",
      "SELECT 'location', l.id, l.source_key, o.source_key, l.name, l.address, l.postal_code, "
      "l.city,"
      " l.municipality_code, l.latitude, l.longitude, l.accessibility, l.status FROM location l "
      "LEFT JOIN"
      " organization o ON o.rid = l.organization_rid ORDER BY l.source_key",
      "SELECT 'at', s.source_key, l.source_key FROM service_at_location x JOIN service s ON s.rid "
      "= x.service_rid"
      " JOIN location l ON l.rid = x.location_rid ORDER BY 2, 3",
      "SELECT 'phone', s.source_key, o.source_key, l.source_key, p.number, p.description, "
      "p.restricted FROM phone p"
      " LEFT JOIN service s ON s.rid = p.service_rid LEFT JOIN organization o ON o.rid = "
      "p.organization_rid"
      " LEFT JOIN location l ON l.rid = p.location_rid ORDER BY 2, 3, 4, 5, 6",
      "SELECT 'schedule', s.source_key, l.source_key, weekday, opens_at, closes_at, valid_from, "
      "valid_to,"
      " x.description FROM schedule x LEFT JOIN service s ON s.rid = x.service_rid LEFT JOIN "
      "location l ON"
      " l.rid = x.location_rid ORDER BY 2, 3, 4, 5, 6, 7",
      "SELECT 'taxonomy', s.source_key, vocabulary, code FROM service_taxonomy x JOIN service s ON"
      " s.rid = x.service_rid ORDER BY 2, 3, 4",
      "SELECT 'area', s.source_key, area_code, x.min_age, x.max_age, note FROM service_area x JOIN "
      "service s ON"
      " s.rid = x.service_rid ORDER BY 2, 3",
      "SELECT 'rejection', record_key, field, reason FROM feed_rejection WHERE reason NOT LIKE "
      "'Waarschuwing:%'"
      " ORDER BY 2, 3, 4",
  };
  struct sk_buf b;
  sk_buf_init(&b, (size_t)16 << 20);
  for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
    dump_rows(st, q[i], &b);
  size_t n;
  return sk_buf_detach(&b, &n);
}

/* The two texts line by line: the first line that differs, in the message. */
static void assert_same_dump(const char *a, const char *b, const char *what) {
  if (strcmp(a, b) == 0)
    return;
  size_t i = 0, line = 1, start = 0;
  while (a[i] && a[i] == b[i]) {
    if (a[i] == '\n')
      line++, start = i + 1;
    i++;
  }
  fail_msg("%s: line %zu differs:\n  csv:  %.300s\n  json: %.300s", what, line, a + start,
           b + start);
}

static long long count(struct sk_store *st, const char *sql) { return th_query_int(st, sql); }

/* ------------------------------------------------------------ a tiny zip */

struct member {
  const char *name;
  const char *data;
  size_t len;
  int deflate;
  uint32_t lie_usize; /* != 0: announce this uncompressed size instead */
  int bad_crc;
};

static void le16(struct sk_buf *b, uint32_t v) {
  sk_buf_addc(b, (char)(v & 0xFF));
  sk_buf_addc(b, (char)(v >> 8 & 0xFF));
}
static void le32(struct sk_buf *b, uint32_t v) {
  le16(b, v & 0xFFFF);
  le16(b, v >> 16);
}

/* A zip of the members, written like zip(1) does (local headers, central
 * directory, end record). The caller frees *len bytes. */
static char *make_zip(const struct member *m, size_t n, size_t *len) {
  struct sk_buf z, cd;
  sk_buf_init(&z, (size_t)64 << 20);
  sk_buf_init(&cd, (size_t)1 << 20);
  for (size_t i = 0; i < n; i++) {
    uLongf clen = compressBound((uLong)m[i].len) + 16;
    unsigned char *c = malloc(clen);
    assert_non_null(c);
    if (m[i].deflate) {
      z_stream s;
      memset(&s, 0, sizeof s);
      assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
      s.next_in = (unsigned char *)m[i].data;
      s.avail_in = (uInt)m[i].len;
      s.next_out = c;
      s.avail_out = (uInt)clen;
      assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
      clen = s.total_out;
      deflateEnd(&s);
    } else {
      memcpy(c, m[i].data, m[i].len);
      clen = m[i].len;
    }
    uint32_t crc = (uint32_t)crc32(0L, (const unsigned char *)m[i].data, (uInt)m[i].len) ^
                   (m[i].bad_crc ? 1u : 0u);
    uint32_t usize = m[i].lie_usize ? m[i].lie_usize : (uint32_t)m[i].len;
    uint32_t off = (uint32_t)z.len, nl = (uint32_t)strlen(m[i].name);
    le32(&z, 0x04034b50u);
    le16(&z, 20), le16(&z, 0), le16(&z, m[i].deflate ? 8 : 0), le16(&z, 0), le16(&z, 0);
    le32(&z, crc), le32(&z, (uint32_t)clen), le32(&z, usize), le16(&z, nl), le16(&z, 0);
    sk_buf_add(&z, m[i].name, nl);
    sk_buf_add(&z, (const char *)c, clen);
    le32(&cd, 0x02014b50u);
    le16(&cd, 20), le16(&cd, 20), le16(&cd, 0), le16(&cd, m[i].deflate ? 8 : 0), le16(&cd, 0),
        le16(&cd, 0);
    le32(&cd, crc), le32(&cd, (uint32_t)clen), le32(&cd, usize), le16(&cd, nl), le16(&cd, 0),
        le16(&cd, 0);
    le16(&cd, 0), le16(&cd, 0), le32(&cd, 0), le32(&cd, off);
    sk_buf_add(&cd, m[i].name, nl);
    free(c);
  }
  uint32_t cd_off = (uint32_t)z.len, cd_len = (uint32_t)cd.len;
  sk_buf_add(&z, cd.ptr, cd.len);
  le32(&z, 0x06054b50u);
  le16(&z, 0), le16(&z, 0), le16(&z, (uint32_t)n), le16(&z, (uint32_t)n);
  le32(&z, cd_len), le32(&z, cd_off), le16(&z, 0);
  sk_buf_free(&cd);
  return sk_buf_detach(&z, len);
}

/* The .csv files of dir as zip members (deflated, in a folder "pkg/"). */
static size_t members_of(const char *dir, struct member *m, size_t max) {
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  struct dirent *e;
  size_t n = 0;
  while ((e = readdir(dp)) && n < max) {
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 4, ".csv") != 0)
      continue;
    char path[PATH_MAX], *name = malloc(l + 8);
    int k = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (k < 0 || (size_t)k >= sizeof path)
      fail_msg("path too long: %s/%s", dir, e->d_name);
    snprintf(name, l + 8, "pkg/%s", e->d_name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *data = malloc(1 << 20);
    size_t got = fread(data, 1, 1 << 20, f);
    fclose(f);
    m[n++] = (struct member){.name = name, .data = data, .len = got, .deflate = 1};
  }
  closedir(dp);
  return n;
}

static void free_members(struct member *m, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free((char *)m[i].name);
    free((char *)m[i].data);
  }
}

/* ------------------------------------------------------------------ tests */

static void test_spec_csv_equals_json(void **state) {
  (void)state;
  static const char *const specs[] = {"hsds/openreferral-specification-3.0/examples",
                                      "hsds/openreferral-specification-3.1-dev/examples"};
  /* The examples' one area is "the MyCity area": out of our region, so the
   * feeds are registered as an out-of-region feed is, with a default. */
  const char *defaults = "{\"municipality\": \"huizen\"}";
  for (size_t k = 0; k < 2; k++) {
    char dir[PATH_MAX], csv[PATH_MAX + 8], json[PATH_MAX + 24];
    snprintf(dir, sizeof dir, "%s/%s", th_corpora_dir(), specs[k]);
    char real[PATH_MAX];
    if (!realpath(dir, real))
      fail_msg("corpus folder missing: %s", dir);
    snprintf(csv, sizeof csv, "%s/csv", real);
    snprintf(json, sizeof json, "%s/service_full.json", real);

    struct sk_store *a = th_store_with_taxonomy("csvpkg-a.db");
    struct ix_feed_report ra = run_one(a, "hsds-csv", csv, defaults);
    if (ra.failed)
      fail_msg("%s: %s", csv, ra.error);
    /* The CSV's attributes.csv row links to no record of the package
     * (link_id f28dd44b-…; the JSON nests that attribute in the service),
     * so the package has no attribute: the JSON is compared without it. Its
     * term of another taxonomy is kept as a search word: checked here. */
    json_error_t jerr;
    json_t *doc = json_load_file(json, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_object_del(doc, "attributes"), 0);
    char json_noattr[PATH_MAX];
    snprintf(json_noattr, sizeof json_noattr, "%s", th_path("service_full_noattr.json"));
    assert_int_equal(json_dump_file(doc, json_noattr, 0), 0);
    json_decref(doc);
    struct sk_store *b = th_store_with_taxonomy("csvpkg-b.db");
    struct ix_feed_report rb = run_one(b, "hsds", json, defaults);
    assert_false(rb.failed);
    assert_int_equal(count(b, "SELECT count(*) FROM service WHERE keywords ="
                              " 'MyCity Counselling Services, name'"),
                     1);
    sk_store_close(b);
    remove(th_path("csvpkg-b.db"));
    b = th_store_with_taxonomy("csvpkg-b.db");
    rb = run_one(b, "hsds", json_noattr, defaults);
    assert_false(rb.failed);
    assert_int_equal(count(a, "SELECT count(*) FROM service WHERE status = 'active'"), 1);
    char *da = stored_services(a), *db = stored_services(b);
    assert_non_null(strstr(da, "Community Counselling"));
    if (getenv("SK_TEST_VERBOSE"))
      print_message("%s", da);
    assert_non_null(strstr(da, "\nlocation|"));
    /* The source's own time of change is kept beside ours. */
    assert_non_null(strstr(da, "|2023-03-15T10:30:45.123Z\n"));
    assert_same_dump(da, db, specs[k]);
    print_message("%s: the csv package and service_full.json store the same %zu bytes of rows\n",
                  specs[k], strlen(da));
    /* The per-record report is the JSON parser's: the same warnings about
     * the same fields (plus the package's own about files and links). */
    assert_int_equal(
        count(a,
              "SELECT count(*) FROM feed_rejection WHERE reason LIKE "
              "'%location.latitude%' OR reason LIKE '%breedtegraad%' OR reason LIKE '%latitude%'"),
        count(b,
              "SELECT count(*) FROM feed_rejection WHERE reason LIKE "
              "'%location.latitude%' OR reason LIKE '%breedtegraad%' OR reason LIKE '%latitude%'"));
    free(da);
    free(db);

    /* The same package as a zip (members deflated, in a folder). */
    struct member m[IX_HSDS_CSV_MAX_FILES];
    size_t n = members_of(csv, m, IX_HSDS_CSV_MAX_FILES);
    size_t zlen;
    char *zip = make_zip(m, n, &zlen);
    th_write_file(th_path("csvpkg.zip"), zip, zlen);
    free(zip);
    free_members(m, n);
    struct sk_store *c = th_store_with_taxonomy("csvpkg-c.db");
    struct ix_feed_report rc = run_one(c, "hsds-csv", th_path("csvpkg.zip"), defaults);
    if (rc.failed)
      fail_msg("zip: %s", rc.error);
    char *dc = stored_services(c);
    db = stored_services(b);
    assert_same_dump(dc, db, "zip");
    free(dc);
    free(db);
    sk_store_close(a);
    sk_store_close(b);
    sk_store_close(c);
    remove(th_path("csvpkg-a.db"));
    remove(th_path("csvpkg-b.db"));
    remove(th_path("csvpkg-c.db"));
  }
}

/* A small package of our own, written as a Dutch partner would: the
 * service is found with its phone, hours and area; Windows-1252 in one
 * member is repaired with a warning. */
static const char services_csv[] =
    "id,organization_id,name,description,status,minimum_age\r\n"
    "0b0d1c5e-0000-4000-8000-000000000001,0b0d1c5e-0000-4000-8000-0000000000aa,Schuldhulp Huizen,"
    "\"Hulp bij schulden, ook \"\"brieven\"\"\",active,18\r\n";
static const char orgs_csv[] =
    "id,name,website\n0b0d1c5e-0000-4000-8000-0000000000aa,Caf\xE9 Hulp,www.cafehulp.nl\n";
static const char phones_csv[] =
    "id,service_id,number\np1,0b0d1c5e-0000-4000-8000-000000000001,035 123 4567\n";
static const char sched_csv[] = "id,service_id,freq,byday,opens_at,closes_at\ns1,0b0d1c5e-0000-"
                                "4000-8000-000000000001,WEEKLY,\"MO,TU\",09:00,12:00\n";
static const char areas_csv[] =
    "id,service_id,name\na1,0b0d1c5e-0000-4000-8000-000000000001,Gemeente Huizen\n";

static void test_own_package_zip(void **state) {
  (void)state;
  struct member m[] = {
      {.name = "services.csv", .data = services_csv, .len = sizeof services_csv - 1, .deflate = 1},
      {.name = "organizations.csv", .data = orgs_csv, .len = sizeof orgs_csv - 1},
      {.name = "phones.csv", .data = phones_csv, .len = sizeof phones_csv - 1, .deflate = 1},
      {.name = "schedules.csv", .data = sched_csv, .len = sizeof sched_csv - 1},
      {.name = "service_areas.csv", .data = areas_csv, .len = sizeof areas_csv - 1, .deflate = 1},
      {.name = "datapackage.json", .data = "{}", .len = 2},
  };
  size_t zlen;
  char *zip = make_zip(m, sizeof m / sizeof m[0], &zlen);
  th_write_file(th_path("own.zip"), zip, zlen);
  free(zip);
  struct sk_store *st = th_store_with_taxonomy("csvpkg-own.db");
  struct ix_feed_report r = run_one(st, "hsds-csv", th_path("own.zip"), NULL);
  if (r.failed)
    fail_msg("%s", r.error);
  assert_int_equal(
      count(st, "SELECT count(*) FROM service WHERE name = 'Schuldhulp Huizen' AND min_age = 18"
                " AND description LIKE '%\"brieven\"%'"),
      1);
  assert_int_equal(count(st, "SELECT count(*) FROM organization WHERE name = 'Café Hulp'"
                             " AND website = 'https://www.cafehulp.nl'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM phone WHERE number = '035 123 4567'"), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM schedule WHERE opens_at = '09:00'"), 2);
  assert_int_equal(count(st, "SELECT count(*) FROM service_area WHERE area_code = 'huizen'"), 1);
  assert_int_equal(
      count(st, "SELECT count(*) FROM feed_rejection WHERE reason LIKE '%organizations.csv%"
                "Windows-1252%'"),
      1);
  /* Identity: the feed's own UUIDs are our ids (service and organisation). */
  assert_int_equal(
      count(st, "SELECT count(*) FROM service WHERE id = '0b0d1c5e-0000-4000-8000-000000000001'"),
      1);
  assert_int_equal(count(st, "SELECT count(*) FROM organization WHERE id = "
                             "'0b0d1c5e-0000-4000-8000-0000000000aa'"),
                   1);
  /* Another feed with the same UUID cannot take it: it gets its name-based
   * id, and the first keeps its own on the next run. */
  r = run_feed(st, "g", "hsds-csv", th_path("own.zip"), NULL);
  assert_false(r.failed);
  assert_int_equal(
      count(st, "SELECT count(*) FROM service WHERE source = 'feed:g' AND id <> source_key"), 1);
  r = run_one(st, "hsds-csv", th_path("own.zip"), NULL);
  assert_false(r.failed);
  assert_int_equal(
      count(st, "SELECT count(*) FROM service WHERE source = 'feed:f' AND id = source_key"), 1);
  sk_store_close(st);
  remove(th_path("csvpkg-own.db"));
}

/* Zips written by another program (Python's zipfile: the fuzz seeds),
 * stored in a folder and deflated at the top: both read, with our own area
 * description read back into an age limit. */
static void test_zips_from_another_writer(void **state) {
  (void)state;
  static const char *const seeds[] = {"fuzz/seeds/hsds_csv/deflated.zip",
                                      "fuzz/seeds/hsds_csv/stored.zip"};
  for (size_t i = 0; i < 2; i++) {
    FILE *f = fopen(th_source_path(seeds[i]), "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct ix_batch b;
    ix_batch_init(&b, 0);
    char err[512];
    if (ix_hsds_csv_parse_zip(buf, n, th_taxonomy(), TEST_NOW, &b, err, sizeof err) != SK_OK)
      fail_msg("%s: %s", seeds[i], err);
    assert_int_equal(b.services.n, 1);
    const struct ix_service *s = &b.services.v[0];
    assert_int_equal(s->phones.n, 1);
    assert_int_equal(s->location_keys.n, 1);
    assert_int_equal(s->areas.n, 1);
    assert_string_equal(s->areas.v[0].code, "eemnes");
    assert_int_equal(s->areas.v[0].min_age, 18);
    assert_string_equal(s->areas.v[0].note, "alleen volwassenen");
    ix_batch_free(&b);
  }
}

/* One zip through the parser alone: its verdict and reason. */
static int zip_verdict(const struct member *m, size_t n, struct ix_batch *b, char *err,
                       size_t errlen) {
  size_t zlen;
  char *zip = make_zip(m, n, &zlen);
  int rc = ix_hsds_csv_parse_zip(zip, zlen, th_taxonomy(), TEST_NOW, b, err, errlen);
  free(zip);
  return rc;
}

static int warned(const struct ix_batch *b, const char *frag) {
  for (size_t i = 0; i < b->warnings.n; i++)
    if (strstr(b->warnings.v[i], frag))
      return 1;
  return 0;
}

static void test_hostile_zips(void **state) {
  (void)state;
  char err[512];
  struct ix_batch b;
  /* A member named to leave the package is never read (and never
   * written: we unpack into memory only). */
  struct member trav[] = {
      {.name = "services.csv", .data = services_csv, .len = sizeof services_csv - 1},
      {.name = "../services2.csv", .data = services_csv, .len = sizeof services_csv - 1},
      {.name = "/etc/organizations.csv", .data = orgs_csv, .len = sizeof orgs_csv - 1},
  };
  ix_batch_init(&b, 0);
  if (zip_verdict(trav, 3, &b, err, sizeof err) != SK_OK)
    fail_msg("traversal zip: %s", err);
  assert_true(warned(&b, "2 bestand(en) in de zip hebben een naam buiten het pakket"));
  assert_int_equal(b.services.n, 1);
  ix_batch_free(&b);

  /* A package zipped with its folders (archivers keep them): read by
   * the members' names; the same name in two folders is refused. */
  struct member deep[] = {{.name = "export/2026-12/hsds/services.csv",
                           .data = services_csv,
                           .len = sizeof services_csv - 1,
                           .deflate = 1},
                          {.name = "export/2026-12/hsds/organizations.csv",
                           .data = orgs_csv,
                           .len = sizeof orgs_csv - 1}};
  ix_batch_init(&b, 0);
  if (zip_verdict(deep, 2, &b, err, sizeof err) != SK_OK)
    fail_msg("deep zip: %s", err);
  assert_int_equal(b.services.n, 1);
  assert_int_equal(b.orgs.n, 1);
  ix_batch_free(&b);
  struct member twice[] = {
      {.name = "a/services.csv", .data = services_csv, .len = sizeof services_csv - 1},
      {.name = "b/services.csv", .data = services_csv, .len = sizeof services_csv - 1}};
  ix_batch_init(&b, 0);
  assert_int_equal(zip_verdict(twice, 2, &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "twee keer"));
  ix_batch_free(&b);

  /* A member that inflates to more than it announces (a zip bomb). */
  static char big[256 * 1024];
  memset(big, 'a', sizeof big);
  memcpy(big, "id,name\n", 8);
  struct member bomb[] = {
      {.name = "services.csv", .data = big, .len = sizeof big, .deflate = 1, .lie_usize = 100}};
  ix_batch_init(&b, 0);
  assert_int_equal(zip_verdict(bomb, 1, &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "groter dan de zip zegt"));
  ix_batch_free(&b);

  /* A member that announces more than the cap is not even unpacked. */
  struct member huge[] = {{.name = "services.csv",
                           .data = services_csv,
                           .len = sizeof services_csv - 1,
                           .deflate = 1,
                           .lie_usize = (uint32_t)IX_CSV_MAX_BYTES + 1}};
  ix_batch_init(&b, 0);
  assert_int_equal(zip_verdict(huge, 1, &b, err, sizeof err), SK_ETOOBIG);
  ix_batch_free(&b);

  /* A damaged member (CRC-32). */
  struct member bad[] = {{.name = "services.csv",
                          .data = services_csv,
                          .len = sizeof services_csv - 1,
                          .deflate = 1,
                          .bad_crc = 1}};
  ix_batch_init(&b, 0);
  assert_int_equal(zip_verdict(bad, 1, &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "controlesom"));
  ix_batch_free(&b);

  /* Only organizations.csv: its organisation is kept (no services to
   * show yet); no table we read at all is refused; not a zip; a truncated
   * zip. */
  struct member orgs_only[] = {
      {.name = "organizations.csv", .data = orgs_csv, .len = sizeof orgs_csv - 1}};
  ix_batch_init(&b, 0);
  assert_int_equal(zip_verdict(orgs_only, 1, &b, err, sizeof err), SK_OK);
  assert_int_equal(b.orgs.n, 1);
  assert_string_equal(b.orgs.v[0].name, "Caf\u00e9 Hulp");
  assert_int_equal(b.services.n, 0);
  ix_batch_free(&b);
  static const char contacts_csv[] = "id,name\nc1,Piet\n";
  struct member none[] = {
      {.name = "contacts.csv", .data = contacts_csv, .len = sizeof contacts_csv - 1}};
  ix_batch_init(&b, 0);
  assert_int_equal(zip_verdict(none, 1, &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "geen services.csv, organizations.csv of locations.csv"));
  ix_batch_free(&b);
  ix_batch_init(&b, 0);
  assert_int_equal(
      ix_hsds_csv_parse_zip("id,name\n", 8, th_taxonomy(), TEST_NOW, &b, err, sizeof err),
      SK_EPARSE);
  assert_non_null(strstr(err, "geen zip-bestand"));
  ix_batch_free(&b);
  size_t zlen;
  char *zip = make_zip(trav, 1, &zlen);
  for (size_t cut = 4; cut < zlen; cut += 7) {
    ix_batch_init(&b, 0);
    assert_int_not_equal(
        ix_hsds_csv_parse_zip(zip, cut, th_taxonomy(), TEST_NOW, &b, err, sizeof err), SK_OK);
    ix_batch_free(&b);
  }
  free(zip);
}

/* A package (a folder) whose tables write the same UUIDs in different
 * case, as a spreadsheet or a database export does: the joins hold (the
 * phone, the hours and the location reach the service) and the ids are
 * the publisher's in canonical lower case. */
static void test_uuid_case_joins(void **state) {
  (void)state;
  char dir[PATH_MAX], f[PATH_MAX + 64];
  snprintf(dir, sizeof dir, "%s", th_path("csv-uuidcase"));
  mkdir(dir, 0700);
  static const struct {
    const char *name, *text;
  } files[] = {
      {"services.csv", "id,organization_id,name,status\r\n"
                       "ABCDEF01-2345-4678-9ABC-DEF012345678,00AA00AA-BB11-4C22-8D33-EE44FF55AA66,"
                       "Maaltijdservice Laren,active\r\n"},
      {"organizations.csv", "id,name\n00aa00aa-bb11-4c22-8d33-ee44ff55aa66,Stichting Tafeltje\n"},
      {"phones.csv",
       "id,service_id,number\nP1,abcdef01-2345-4678-9abc-def012345678,035 531 0000\n"},
      {"schedules.csv", "id,service_id,freq,byday,opens_at,closes_at\n"
                        "S1,AbCdEf01-2345-4678-9aBc-DeF012345678,WEEKLY,WE,11:00,13:00\n"},
      {"service_areas.csv", "id,service_id,name\nA1,abcdef01-2345-4678-9abc-def012345678,Laren\n"},
      {"service_at_location.csv", "id,service_id,location_id\n"
                                  "X1,abcdef01-2345-4678-9abc-def012345678,"
                                  "CC00CC00-DD11-4E22-8F33-001122334455\n"},
      {"locations.csv", "id,name\ncc00cc00-dd11-4e22-8f33-001122334455,Dorpshuis Laren\n"},
      {"addresses.csv", "id,location_id,address_1,city,postal_code,country,address_type\n"
                        "AD1,Cc00Cc00-Dd11-4e22-8f33-001122334455,Brink 1,Laren,1251 KV,NL,"
                        "physical\n"},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(f, sizeof f, "%s/%s", dir, files[i].name);
    th_write_file(f, files[i].text, strlen(files[i].text));
  }
  struct sk_store *st = th_store_with_taxonomy("csvpkg-uuidcase.db");
  struct ix_feed_report r = run_one(st, "hsds-csv", dir, NULL);
  if (r.failed)
    fail_msg("%s", r.error);
  assert_int_equal(count(st, "SELECT count(*) FROM service s JOIN organization o ON o.rid ="
                             " s.organization_rid WHERE s.id ="
                             " 'abcdef01-2345-4678-9abc-def012345678' AND s.name ="
                             " 'Maaltijdservice Laren' AND o.id ="
                             " '00aa00aa-bb11-4c22-8d33-ee44ff55aa66'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM phone p JOIN service s ON s.rid ="
                             " p.service_rid WHERE p.number = '035 531 0000'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM schedule WHERE opens_at = '11:00' AND"
                             " closes_at = '13:00'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service_area WHERE area_code = 'laren'"), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM service_at_location x JOIN location l ON"
                             " l.rid = x.location_rid WHERE l.id ="
                             " 'cc00cc00-dd11-4e22-8f33-001122334455' AND l.postal_code ="
                             " '1251 KV'"),
                   1);
  sk_store_close(st);
  remove(th_path("csvpkg-uuidcase.db"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_own_package_zip),
      cmocka_unit_test(test_hostile_zips),
      cmocka_unit_test(test_zips_from_another_writer),
      cmocka_unit_test(test_uuid_case_joins),
  };
  int failed = cmocka_run_group_tests_name("hsds csv package", tests, NULL, NULL);
  if (!th_corpora_dir()) {
    print_message("../shared/corpora is absent: the specification's CSV examples are skipped\n");
    return failed;
  }
  const struct CMUnitTest corpus[] = {cmocka_unit_test(test_spec_csv_equals_json)};
  return failed + cmocka_run_group_tests_name("hsds csv package corpus", corpus, NULL, NULL);
}
