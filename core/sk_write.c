/* The one writer of the model: statements made from the column lists in
 * sk_write.h, written one at a time or many rows per INSERT. */
#include "sk_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sk_buf.h"

#define W_BULK_MAX 256 /* rows per multi-row INSERT (see docs/performance.md) */
#define W_BULK_MID 16  /* a remainder goes this many at a time, then one by one */

/* ---- values ------------------------------------------------------------ */

struct wval {
  enum { WV_NULL, WV_INT, WV_REAL, WV_TEXT } type;
  long long i;
  double d;
  const char *s;
};

static void wv_text(struct wval *v, const char *s) {
  v->type = s ? WV_TEXT : WV_NULL;
  v->s = s;
}
static void wv_int(struct wval *v, long long i) {
  v->type = WV_INT;
  v->i = i;
}
static void wv_age(struct wval *v, int i) {
  if (i == SK_WRITE_UNSET)
    v->type = WV_NULL;
  else
    wv_int(v, i);
}
static void wv_real(struct wval *v, double d) {
  if (isnan(d)) {
    v->type = WV_NULL;
    return;
  }
  v->type = WV_REAL;
  v->d = d;
}
#define wv_TEXT wv_text
#define wv_INT wv_int
#define wv_AGE wv_age
#define wv_REAL wv_real

static void bind_vals(sqlite3_stmt *s, int first, const struct wval *v, int n) {
  for (int i = 0; i < n; i++) {
    if (v[i].type == WV_INT)
      sqlite3_bind_int64(s, first + i, v[i].i);
    else if (v[i].type == WV_REAL)
      sqlite3_bind_double(s, first + i, v[i].d);
    else if (v[i].type == WV_TEXT)
      sqlite3_bind_text(s, first + i, v[i].s, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(s, first + i);
  }
}

/* The column lists as SQL text and as values. */
#define COL_NAME(col, type, key) #col ", "
#define COL_SET(col, type, key) #col " = ?, "
#define COL_Q(col, type, key) "?, "
#define COL_ONE(col, type, key) +1
#define COL_VAL(col, type, key) wv_##type(&v[n++], r->col);

enum {
  N_SVC = 0 SK_WRITE_SERVICE_COLUMNS(COL_ONE),
  N_LOC = 0 SK_WRITE_LOCATION_COLUMNS(COL_ONE),
  N_ORG = 0 SK_WRITE_ORG_COLUMNS(COL_ONE)
};

static int svc_vals(struct wval *v, const struct sk_write_service *r) {
  int n = 0;
  SK_WRITE_SERVICE_COLUMNS(COL_VAL)
  return n;
}
static int loc_vals(struct wval *v, const struct sk_write_location *r) {
  int n = 0;
  SK_WRITE_LOCATION_COLUMNS(COL_VAL)
  return n;
}
static int org_vals(struct wval *v, const struct sk_write_org *r) {
  int n = 0;
  SK_WRITE_ORG_COLUMNS(COL_VAL)
  return n;
}

struct sk_write_service sk_write_service_blank(void) {
  struct sk_write_service v;
  memset(&v, 0, sizeof v);
  v.min_age = v.max_age = SK_WRITE_UNSET;
  return v;
}

struct sk_write_location sk_write_location_blank(void) {
  struct sk_write_location v;
  memset(&v, 0, sizeof v);
  v.latitude = v.longitude = NAN;
  return v;
}

/* ---- statements -------------------------------------------------------- */

enum stmt {
  S_ORG_INS,
  S_ORG_UPD,
  S_ORG_PHONE_DEL,
  S_ORG_PHONE_INS,
  S_LOC_INS,
  S_LOC_UPD,
  S_LOC_HOURS_DEL,
  S_SVC_UPD,
  S_TAX_DEL,
  S_AREA_DEL,
  S_SAL_DEL,
  S_PHONE_DEL,
  S_SCHED_DEL,
  S_ACT_DEL,
  S_OCC_DEL,
  S_ACT_INS,
  S_ORG_STATUS,
  S_LOC_STATUS,
  S_SVC_STATUS,
  S_SVC_ASSURED,
  S_COUNT
};

/* The service's own children, deleted when a document replaces them. */
static const enum stmt svc_child_dels[] = {S_TAX_DEL,   S_AREA_DEL, S_SAL_DEL, S_PHONE_DEL,
                                           S_SCHED_DEL, S_ACT_DEL,  S_OCC_DEL};

/* The string-joining macros below do not come out of clang-format stable. */
/* clang-format off */
static const char *const stmt_sql[S_COUNT] = {
    [S_ORG_INS] = "INSERT INTO organization(" SK_WRITE_ORG_COLUMNS(COL_NAME)
                  "id, source, source_key, created, last_modified) VALUES("
                  SK_WRITE_ORG_COLUMNS(COL_Q) "?, ?, ?, ?, ?)",
    [S_ORG_UPD] = "UPDATE organization SET " SK_WRITE_ORG_COLUMNS(COL_SET)
                  "last_modified = ? WHERE rid = ?",
    [S_ORG_PHONE_DEL] = "DELETE FROM phone WHERE organization_rid = ?1 AND service_rid IS NULL"
                        " AND location_rid IS NULL",
    [S_ORG_PHONE_INS] = "INSERT INTO phone(organization_rid, number) VALUES(?1, ?2)",
    [S_LOC_INS] = "INSERT INTO location(" SK_WRITE_LOCATION_COLUMNS(COL_NAME)
                  "id, source, source_key, last_modified) VALUES("
                  SK_WRITE_LOCATION_COLUMNS(COL_Q) "?, ?, ?, ?)",
    [S_LOC_UPD] = "UPDATE location SET " SK_WRITE_LOCATION_COLUMNS(COL_SET)
                  "last_modified = ? WHERE rid = ?",
    [S_LOC_HOURS_DEL] = "DELETE FROM schedule WHERE location_rid = ?1 AND service_rid IS NULL",
    [S_SVC_UPD] = "UPDATE service SET " SK_WRITE_SERVICE_COLUMNS(COL_SET)
                  "last_modified = ? WHERE rid = ?",
    [S_TAX_DEL] = "DELETE FROM service_taxonomy WHERE service_rid = ?1",
    [S_AREA_DEL] = "DELETE FROM service_area WHERE service_rid = ?1",
    [S_SAL_DEL] = "DELETE FROM service_at_location WHERE service_rid = ?1",
    [S_PHONE_DEL] = "DELETE FROM phone WHERE service_rid = ?1",
    [S_SCHED_DEL] = "DELETE FROM schedule WHERE service_rid = ?1",
    [S_ACT_DEL] = "DELETE FROM activity WHERE service_rid = ?1",
    [S_OCC_DEL] = "DELETE FROM occurrence WHERE service_rid = ?1",
    [S_ACT_INS] = "INSERT INTO activity(service_rid, uid, location_text, municipality_code,"
                  " recurrence, organizer) VALUES(?1, ?2, ?3, (SELECT area_code FROM service_area"
                  " WHERE service_rid = ?1 AND area_code IN (SELECT code FROM taxonomy_term"
                  " WHERE vocabulary = 'municipality') ORDER BY area_code LIMIT 1), ?4, ?5)",
    [S_ORG_STATUS] = "UPDATE organization SET status = ?2, last_modified = ?3 WHERE rid = ?1",
    [S_LOC_STATUS] = "UPDATE location SET status = ?2, last_modified = ?3 WHERE rid = ?1",
    [S_SVC_STATUS] = "UPDATE service SET status = ?2, last_modified = ?3 WHERE rid = ?1",
    [S_SVC_ASSURED] = "UPDATE service SET assured_date = ?2, assured_by = ?3 WHERE rid = ?1",
};
/* clang-format on */

/* Rows of one table written many at a time: a statement with W_BULK_MAX
 * rows of VALUES runs once per that many rows (cursors opened once, one
 * statement start and halt) instead of once per row. */
enum bulk_id { B_SVC, B_TAX, B_AREA, B_SAL, B_PHONE, B_SCHED, B_OCC, B_LOG, B_COUNT };

static const struct {
  const char *head;
  int ncols;
} bulk_def[B_COUNT] = {
    [B_SVC] = {"INSERT INTO service(" SK_WRITE_SERVICE_COLUMNS(
                   COL_NAME) "rid, id, source, source_key, created, last_modified) VALUES",
               N_SVC + 6},
    [B_TAX] = {"INSERT OR IGNORE INTO service_taxonomy(service_rid, vocabulary, code) VALUES", 3},
    [B_AREA] = {"INSERT OR IGNORE INTO service_area(service_rid, area_code, min_age, max_age,"
                " note) VALUES",
                5},
    [B_SAL] = {"INSERT OR IGNORE INTO service_at_location(service_rid, location_rid) VALUES", 2},
    [B_PHONE] = {"INSERT INTO phone(service_rid, number, description, restricted) VALUES", 4},
    [B_SCHED] = {"INSERT INTO schedule(service_rid, location_rid, weekday, opens_at, closes_at,"
                 " description, valid_from, valid_to) VALUES",
                 8},
    [B_OCC] = {"INSERT INTO occurrence(service_rid, starts_at, ends_at, start_utc, end_utc,"
               " all_day, cancelled, location_text) VALUES",
               8},
    [B_LOG] = {"INSERT INTO change_log(at, actor, entity, entity_id, field, old_value,"
               " new_value, version) VALUES",
               8},
};

struct bulk {
  int nrows;
  sqlite3_stmt *one, *mid, *many;
  struct wval *v; /* cap * ncols, allocated on first use */
};

/* Copies of change-log text until its rows are flushed. */
struct chunk {
  struct chunk *next;
  size_t used, cap;
  char data[];
};

struct sk_writer {
  struct sk_store *st;
  int cap; /* rows per bulk statement; 1: immediate */
  sqlite3_stmt *s[S_COUNT];
  struct bulk bk[B_COUNT];
  struct chunk *text;
  struct sk_buf sql;
};

static int prep(struct sk_writer *w, enum stmt i, sqlite3_stmt **out) {
  if (!w->s[i] && sqlite3_prepare_v2(w->st->db, stmt_sql[i], -1, &w->s[i], NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_reset(w->s[i]);
  sqlite3_clear_bindings(w->s[i]);
  *out = w->s[i];
  return SK_OK;
}

static int run(sqlite3_stmt *s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SK_OK : SK_EDB;
}

static int run_rid(struct sk_writer *w, enum stmt i, long long rid) {
  sqlite3_stmt *s;
  if (prep(w, i, &s))
    return SK_EDB;
  sqlite3_bind_int64(s, 1, rid);
  return run(s);
}

int sk_write_open(struct sk_writer **out, struct sk_store *st, int bulk_rows) {
  *out = NULL;
  if (!st || bulk_rows < 1 || bulk_rows > W_BULK_MAX)
    return SK_EINVAL;
  struct sk_writer *w = calloc(1, sizeof *w);
  if (!w)
    return SK_ENOMEM;
  w->st = st;
  w->cap = bulk_rows;
  sk_buf_init(&w->sql, 1024 * 1024);
  *out = w;
  return SK_OK;
}

static void text_free(struct sk_writer *w) {
  while (w->text) {
    struct chunk *n = w->text->next;
    free(w->text);
    w->text = n;
  }
}

void sk_write_close(struct sk_writer *w) {
  if (!w)
    return;
  for (int i = 0; i < S_COUNT; i++)
    sqlite3_finalize(w->s[i]);
  for (int i = 0; i < B_COUNT; i++) {
    sqlite3_finalize(w->bk[i].one);
    sqlite3_finalize(w->bk[i].mid);
    sqlite3_finalize(w->bk[i].many);
    free(w->bk[i].v);
  }
  text_free(w);
  sk_buf_free(&w->sql);
  free(w);
}

/* n bytes of s (plus a suffix) as a NUL-terminated copy that lives until
 * the change log is flushed. */
static const char *text_copy(struct sk_writer *w, const char *s, size_t n, const char *suffix) {
  size_t sl = suffix ? strlen(suffix) : 0, need = n + sl + 1;
  struct chunk *c = w->text;
  if (!c || c->cap - c->used < need) {
    size_t cap = need > 64 * 1024 ? need : 64 * 1024;
    c = malloc(sizeof *c + cap);
    if (!c)
      return NULL;
    c->next = w->text;
    c->used = 0;
    c->cap = cap;
    w->text = c;
  }
  char *p = c->data + c->used;
  memcpy(p, s, n);
  if (sl)
    memcpy(p + n, suffix, sl);
  p[n + sl] = '\0';
  c->used += need;
  return p;
}

static int bulk_prepare(struct sk_writer *w, enum bulk_id b, sqlite3_stmt **s, int rows) {
  if (*s)
    return SK_OK;
  sk_buf_reset(&w->sql);
  int rc = sk_buf_addstr(&w->sql, bulk_def[b].head);
  for (int r = 0; r < rows && !rc; r++) {
    rc = sk_buf_addstr(&w->sql, r ? ",(" : " (");
    for (int c = 0; c < bulk_def[b].ncols && !rc; c++)
      rc = sk_buf_addstr(&w->sql, c ? ",?" : "?");
    if (!rc)
      rc = sk_buf_addc(&w->sql, ')');
  }
  if (rc)
    return rc;
  if (sqlite3_prepare_v2(w->st->db, w->sql.ptr, (int)w->sql.len, s, NULL) != SQLITE_OK)
    return SK_EDB;
  return SK_OK;
}

static int bulk_flush(struct sk_writer *w, enum bulk_id b) {
  struct bulk *bk = &w->bk[b];
  int rc = SK_OK;
  /* Offerings before their rows in other tables, so that the order is
   * right even with foreign keys checked. */
  if (b != B_SVC && w->bk[B_SVC].nrows && (rc = bulk_flush(w, B_SVC)))
    return rc;
  int ncols = bulk_def[b].ncols, r = 0;
  while (!rc && r < bk->nrows) {
    int left = bk->nrows - r;
    int rows = left >= W_BULK_MAX ? W_BULK_MAX : left >= W_BULK_MID ? W_BULK_MID : 1;
    sqlite3_stmt **s = rows == W_BULK_MAX ? &bk->many : rows == W_BULK_MID ? &bk->mid : &bk->one;
    if (!(rc = bulk_prepare(w, b, s, rows))) {
      bind_vals(*s, 1, bk->v + r * ncols, rows * ncols);
      rc = run(*s);
    }
    r += rows;
  }
  bk->nrows = 0;
  if (b == B_LOG)
    text_free(w); /* nothing points there any more */
  return rc;
}

int sk_write_flush(struct sk_writer *w) {
  for (int b = 0; b < B_COUNT; b++) {
    int rc = bulk_flush(w, (enum bulk_id)b);
    if (rc)
      return rc;
  }
  return SK_OK;
}

/* The values of a new row (all NULL), or NULL with *rc set. */
static struct wval *bulk_row(struct sk_writer *w, enum bulk_id b, int *rc) {
  struct bulk *bk = &w->bk[b];
  int ncols = bulk_def[b].ncols;
  if (!bk->v && !(bk->v = malloc((size_t)w->cap * (size_t)ncols * sizeof *bk->v))) {
    *rc = SK_ENOMEM;
    return NULL;
  }
  if (bk->nrows == w->cap && (*rc = bulk_flush(w, b)) != SK_OK)
    return NULL;
  struct wval *v = bk->v + bk->nrows++ * ncols;
  memset(v, 0, (size_t)ncols * sizeof *v);
  return v;
}

/* A row is complete: in immediate mode it is written now. */
static int bulk_done(struct sk_writer *w, enum bulk_id b) {
  return w->cap == 1 ? bulk_flush(w, b) : SK_OK;
}

/* ---- organisations and locations --------------------------------------- */

/* A new row: its columns v[0..n), then id, source, source_key and now
 * (times_now times: created and/or last_modified). *rid: its rid. */
static int insert_row(struct sk_writer *w, enum stmt i, struct wval *v, int n,
                      const struct sk_write_origin *o, const char *now, int times_now,
                      long long *rid) {
  sqlite3_stmt *s;
  if (!o || !o->id || !rid)
    return SK_EINVAL;
  if (prep(w, i, &s))
    return SK_EDB;
  wv_text(&v[n++], o->id);
  wv_text(&v[n++], o->source);
  wv_text(&v[n++], o->source_key);
  while (times_now-- > 0)
    wv_text(&v[n++], now);
  bind_vals(s, 1, v, n);
  int rc = run(s);
  if (!rc)
    *rid = sqlite3_last_insert_rowid(w->st->db);
  return rc;
}

/* Row rid gets its columns v[0..n) and last_modified = now. */
static int update_row(struct sk_writer *w, enum stmt i, struct wval *v, int n, const char *now,
                      long long rid) {
  sqlite3_stmt *s;
  if (prep(w, i, &s))
    return SK_EDB;
  wv_text(&v[n++], now);
  wv_int(&v[n++], rid);
  bind_vals(s, 1, v, n);
  return run(s);
}

int sk_write_org_insert(struct sk_writer *w, const struct sk_write_origin *o,
                        const struct sk_write_org *r, const char *now, long long *rid) {
  struct wval v[N_ORG + 5];
  return insert_row(w, S_ORG_INS, v, org_vals(v, r), o, now, 2, rid);
}

int sk_write_org_update(struct sk_writer *w, long long rid, const struct sk_write_org *r,
                        const char *now) {
  struct wval v[N_ORG + 2];
  return update_row(w, S_ORG_UPD, v, org_vals(v, r), now, rid);
}

int sk_write_org_phone(struct sk_writer *w, long long rid, const char *number) {
  int rc = run_rid(w, S_ORG_PHONE_DEL, rid);
  sqlite3_stmt *s;
  if (rc || !number)
    return rc;
  if (prep(w, S_ORG_PHONE_INS, &s))
    return SK_EDB;
  sqlite3_bind_int64(s, 1, rid);
  sqlite3_bind_text(s, 2, number, -1, SQLITE_STATIC);
  return run(s);
}

int sk_write_location_insert(struct sk_writer *w, const struct sk_write_origin *o,
                             const struct sk_write_location *r, const char *now, long long *rid) {
  struct wval v[N_LOC + 4];
  return insert_row(w, S_LOC_INS, v, loc_vals(v, r), o, now, 1, rid);
}

int sk_write_location_update(struct sk_writer *w, long long rid, const struct sk_write_location *r,
                             const char *now) {
  struct wval v[N_LOC + 2];
  return update_row(w, S_LOC_UPD, v, loc_vals(v, r), now, rid);
}

int sk_write_location_clear(struct sk_writer *w, long long rid) {
  return run_rid(w, S_LOC_HOURS_DEL, rid);
}

/* ---- offerings --------------------------------------------------------- */

int sk_write_service_insert(struct sk_writer *w, const struct sk_write_origin *o,
                            const struct sk_write_service *r, const char *now, long long *rid) {
  if (!o || !o->id || !rid || *rid < 0)
    return SK_EINVAL;
  int rc = SK_OK, chosen = *rid > 0;
  /* A rid the store chooses must not collide with one waiting in the bulk. */
  if (!chosen && (rc = bulk_flush(w, B_SVC)))
    return rc;
  struct wval *v = bulk_row(w, B_SVC, &rc);
  if (!v)
    return rc;
  int n = svc_vals(v, r);
  if (chosen)
    wv_int(&v[n], *rid);
  n++; /* NULL: the store chooses */
  wv_text(&v[n++], o->id);
  wv_text(&v[n++], o->source);
  wv_text(&v[n++], o->source_key);
  wv_text(&v[n++], now);
  wv_text(&v[n++], now);
  if (chosen)
    return bulk_done(w, B_SVC);
  if ((rc = bulk_flush(w, B_SVC)))
    return rc;
  *rid = sqlite3_last_insert_rowid(w->st->db);
  return SK_OK;
}

int sk_write_service_update(struct sk_writer *w, long long rid, const struct sk_write_service *r,
                            const char *now) {
  struct wval v[N_SVC + 2];
  return update_row(w, S_SVC_UPD, v, svc_vals(v, r), now, rid);
}

int sk_write_status(struct sk_writer *w, const char *entity, long long rid, const char *status,
                    const char *now) {
  enum stmt i = !entity                               ? S_COUNT
                : strcmp(entity, "organization") == 0 ? S_ORG_STATUS
                : strcmp(entity, "location") == 0     ? S_LOC_STATUS
                : strcmp(entity, "service") == 0      ? S_SVC_STATUS
                                                      : S_COUNT;
  sqlite3_stmt *s;
  if (i == S_COUNT || !status)
    return SK_EINVAL;
  if (prep(w, i, &s))
    return SK_EDB;
  sqlite3_bind_int64(s, 1, rid);
  sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
  return run(s);
}

int sk_write_assured(struct sk_writer *w, long long rid, const char *date, const char *by) {
  sqlite3_stmt *s;
  if (prep(w, S_SVC_ASSURED, &s))
    return SK_EDB;
  sqlite3_bind_int64(s, 1, rid);
  if (date)
    sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
  if (by)
    sqlite3_bind_text(s, 3, by, -1, SQLITE_STATIC);
  return run(s);
}

int sk_write_service_clear(struct sk_writer *w, long long rid) {
  for (size_t i = 0; i < sizeof svc_child_dels / sizeof svc_child_dels[0]; i++) {
    int rc = run_rid(w, svc_child_dels[i], rid);
    if (rc)
      return rc;
  }
  return SK_OK;
}

int sk_write_code(struct sk_writer *w, long long rid, const char *vocabulary, const char *code) {
  int rc = SK_OK;
  struct wval *v = bulk_row(w, B_TAX, &rc);
  if (!v)
    return rc;
  wv_int(&v[0], rid);
  wv_text(&v[1], vocabulary);
  wv_text(&v[2], code);
  return bulk_done(w, B_TAX);
}

int sk_write_area(struct sk_writer *w, long long rid, const struct sk_write_area *a) {
  int rc = SK_OK;
  struct wval *v = bulk_row(w, B_AREA, &rc);
  if (!v)
    return rc;
  wv_int(&v[0], rid);
  wv_text(&v[1], a->code);
  wv_age(&v[2], a->min_age);
  wv_age(&v[3], a->max_age);
  wv_text(&v[4], a->note);
  return bulk_done(w, B_AREA);
}

int sk_write_service_location(struct sk_writer *w, long long rid, long long location_rid) {
  int rc = SK_OK;
  struct wval *v = bulk_row(w, B_SAL, &rc);
  if (!v)
    return rc;
  wv_int(&v[0], rid);
  wv_int(&v[1], location_rid);
  return bulk_done(w, B_SAL);
}

int sk_write_phone(struct sk_writer *w, long long rid, const struct sk_write_phone *p) {
  int rc = SK_OK;
  struct wval *v = bulk_row(w, B_PHONE, &rc);
  if (!v)
    return rc;
  wv_int(&v[0], rid);
  wv_text(&v[1], p->number);
  wv_text(&v[2], p->description);
  wv_int(&v[3], p->restricted ? 1 : 0);
  return bulk_done(w, B_PHONE);
}

int sk_write_hours(struct sk_writer *w, long long service_rid, long long location_rid,
                   const struct sk_write_hours *h) {
  int rc = SK_OK;
  struct wval *v = bulk_row(w, B_SCHED, &rc);
  if (!v)
    return rc;
  if (service_rid)
    wv_int(&v[0], service_rid);
  if (location_rid)
    wv_int(&v[1], location_rid);
  wv_int(&v[2], h->weekday);
  wv_text(&v[3], h->opens);
  wv_text(&v[4], h->closes);
  wv_text(&v[5], h->note);
  wv_text(&v[6], h->valid_from);
  wv_text(&v[7], h->valid_to);
  return bulk_done(w, B_SCHED);
}

int sk_write_activity(struct sk_writer *w, long long rid, const struct sk_write_activity *a) {
  sqlite3_stmt *s;
  int rc = bulk_flush(w, B_AREA); /* the municipality is read from the areas */
  if (rc || (rc = prep(w, S_ACT_INS, &s)))
    return rc;
  struct wval v[4];
  wv_text(&v[0], a->uid);
  wv_text(&v[1], a->location_text);
  wv_text(&v[2], a->recurrence);
  wv_text(&v[3], a->organizer);
  sqlite3_bind_int64(s, 1, rid);
  bind_vals(s, 2, v, 4);
  return run(s);
}

int sk_write_occurrence(struct sk_writer *w, long long rid, const struct sk_write_occurrence *o) {
  int rc = SK_OK;
  struct wval *v = bulk_row(w, B_OCC, &rc);
  if (!v)
    return rc;
  wv_int(&v[0], rid);
  wv_text(&v[1], o->starts_at);
  wv_text(&v[2], o->ends_at);
  wv_int(&v[3], o->start_utc);
  if (o->end_utc != SK_WRITE_UNSET)
    wv_int(&v[4], o->end_utc);
  wv_int(&v[5], o->all_day ? 1 : 0);
  wv_int(&v[6], o->cancelled ? 1 : 0);
  wv_text(&v[7], o->location_text);
  return bulk_done(w, B_OCC);
}

/* ---- change log -------------------------------------------------------- */

/* A change-log value as kept: whole, or cut on a character boundary. */
static const char *log_value(struct sk_writer *w, const char *s, int *rc) {
  if (!s)
    return NULL;
  size_t n = strlen(s);
  const char *out;
  if (n <= SK_WRITE_CHANGE_VALUE_MAX) {
    out = text_copy(w, s, n, NULL);
  } else {
    size_t m = SK_WRITE_CHANGE_VALUE_MAX;
    while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
      m--;
    out = text_copy(w, s, m, "…");
  }
  if (!out)
    *rc = SK_ENOMEM;
  return out;
}

int sk_write_log(struct sk_writer *w, const struct sk_write_change *c) {
  int rc = SK_OK;
  /* The row first: making room may flush and free the copies. */
  struct wval *v = bulk_row(w, B_LOG, &rc);
  if (!v)
    return rc;
  const char *vals[] = {c->at, c->actor, c->entity, c->entity_id, c->field};
  for (int i = 0; i < 5 && !rc; i++)
    wv_text(&v[i], log_value(w, vals[i], &rc));
  wv_text(&v[5], log_value(w, c->old_value, &rc));
  wv_text(&v[6], log_value(w, c->new_value, &rc));
  if (c->version > 0)
    wv_int(&v[7], c->version);
  if (rc) { /* never a half row: drop it */
    w->bk[B_LOG].nrows--;
    return rc;
  }
  return bulk_done(w, B_LOG);
}

int sk_write_log_once(struct sk_store *st, const struct sk_write_change *c) {
  struct sk_writer *w;
  int rc = sk_write_open(&w, st, 1);
  if (rc)
    return rc;
  rc = sk_write_log(w, c);
  sk_write_close(w);
  return rc;
}
