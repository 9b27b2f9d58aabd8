#include "ix_apply.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ix_kind.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_id.h"
#include "sk_write.h"

/* A write transaction is committed and started again once it has been
 * open this long (at a record boundary), so other writers (the portal)
 * wait at most about this long for the store; see docs/indexer.md. */
#define IX_APPLY_CHUNK_MS 100
/* After such a commit the store is left free this long: a waiting writer
 * polls every few milliseconds (sk_store_set_busy_wait) and gets it. */
#define IX_APPLY_YIELD_MS 5

#define FV_MAX 40

enum entity { E_ORG, E_LOC, E_SVC, E_COUNT };
static const char *const entity_name[E_COUNT] = {"organization", "location", "service"};

/* A record's fields as text, in a fixed order: the content hash is taken
 * over them and the change log compares them with the stored row. */
struct fvec {
  size_t n;
  const char *name[FV_MAX];
  size_t off[FV_MAX];
  unsigned char null[FV_MAX];
  struct sk_buf buf;
  int err;
};

/* Rows go through the model's one writer (core/sk_write.h) in bulk: up to
 * this many rows per multi-row INSERT. (Measured on a 100k first load: 32
 * rows per statement 5.2 CPU-s, 128 4.75, 256 4.6, 512 4.6.) */
#define BULK_ROWS 256

_Static_assert(IX_UNSET == SK_WRITE_UNSET, "an unset age means the same to both");

/* What the store holds for one key of this feed. */
struct known {
  const char *key; /* in the apply arena */
  long long rid;
  int active;
  int seen;
  char hash[33];
};

struct kset {
  struct known *v;
  size_t n, cap;
  struct ix_keymap map; /* key -> index in v */
};

struct apply {
  struct sk_store *st;
  const char *feed_id;
  char source[160];
  char actor[160];
  char now[32];
  struct ix_batch arena; /* our own strings */
  struct kset known[E_COUNT];
  struct fvec fv, old;
  struct sk_buf tmp;
  struct ix_apply_stats stats;
  long long *changed_orgs;
  size_t n_changed_orgs, cap_changed_orgs;
  long long *touched;
  size_t n_touched, cap_touched;
  long long next_svc_rid;   /* new offerings get their rid here, before the insert */
  struct timespec tx_start; /* when the current write transaction began */
  long n_chunks;            /* transactions committed before the last one */
  int wal_pages;            /* pages in the WAL after the last commit (wal_hook) */
  int prepared;             /* the batch was prepared for this feed (ix_apply_prepare) */
  struct sk_writer *w;      /* the model's writer, bulk mode */
  /* prepared statements (reading), finalised at the end */
  sqlite3_stmt *s_org_old, *s_loc_old, *s_svc_old;
  sqlite3_stmt *s_id_own[E_COUNT], *s_id_used[E_COUNT]; /* make_id: the stored id, an id taken */
  char *err;
  size_t errlen;
  long n_svc_withdrawn; /* offerings withdrawn by this batch (the shrink guard) */
};

/* ---- field vectors ---------------------------------------------------- */

static void fv_reset(struct fvec *f) {
  f->n = 0;
  f->err = 0;
  sk_buf_reset(&f->buf);
}

static void fv_add(struct fvec *f, const char *name, const char *v) {
  if (f->n >= FV_MAX) {
    f->err = SK_EINVAL;
    return;
  }
  size_t i = f->n++;
  f->name[i] = name;
  f->off[i] = f->buf.len;
  f->null[i] = v == NULL;
  if (v) {
    int rc = sk_buf_add(&f->buf, v, strlen(v) + 1);
    if (rc)
      f->err = rc;
  }
}

static void fv_addf(struct fvec *f, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fv_addf(struct fvec *f, const char *name, const char *fmt, ...) {
  char v[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v, sizeof v, fmt, ap);
  va_end(ap);
  fv_add(f, name, v);
}

static void fv_add_int(struct fvec *f, const char *name, int v) {
  if (v == IX_UNSET)
    fv_add(f, name, NULL);
  else
    fv_addf(f, name, "%d", v);
}

static const char *fv_val(const struct fvec *f, size_t i) {
  return f->null[i] ? NULL : f->buf.ptr + f->off[i];
}

/* BLAKE2b-128 of "v1\0" entity "\0" then name "\0" value "\0" per field
 * ("\x01\0" for no value). The bytes are gathered first and hashed in one
 * call (many small updates cost more than the hashing); the digest is the
 * same as the stored content hashes. */
static int fv_hash(const struct fvec *f, enum entity e, struct sk_buf *tmp, char out[33]) {
  unsigned char d[16];
  sk_buf_reset(tmp);
  int rc = sk_buf_add(tmp, "v1", 3);
  if (!rc)
    rc = sk_buf_add(tmp, entity_name[e], strlen(entity_name[e]) + 1);
  for (size_t i = 0; i < f->n && !rc; i++) {
    const char *v = fv_val(f, i);
    rc = sk_buf_add(tmp, f->name[i], strlen(f->name[i]) + 1);
    if (!rc)
      rc = v ? sk_buf_add(tmp, v, strlen(v) + 1) : sk_buf_add(tmp, "\x01", 2);
  }
  if (rc) {
    sk_buf_init(tmp, tmp->max);
    return rc;
  }
  crypto_generichash(d, sizeof d, (const unsigned char *)tmp->ptr, tmp->len, NULL, 0);
  sodium_bin2hex(out, 33, d, sizeof d);
  return SK_OK;
}

/* Read the stored field values of one row (statement with ?1 = rid whose
 * columns follow the same order as the new record's fvec). */
static int fv_load_old(struct apply *a, sqlite3_stmt *s, long long rid) {
  fv_reset(&a->old);
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, rid);
  if (sqlite3_step(s) != SQLITE_ROW)
    return SK_EDB;
  int n = sqlite3_column_count(s);
  for (int i = 0; i < n && i < (int)a->fv.n; i++) {
    int t = sqlite3_column_type(s, i);
    if (t == SQLITE_NULL)
      fv_add(&a->old, a->fv.name[i], NULL);
    else if (t == SQLITE_FLOAT) /* formatted like the new side, by C */
      fv_addf(&a->old, a->fv.name[i], "%.6f", sqlite3_column_double(s, i));
    else
      fv_add(&a->old, a->fv.name[i], (const char *)sqlite3_column_text(s, i));
  }
  sqlite3_reset(s);
  return a->old.err ? a->old.err : SK_OK;
}

/* ---- statements -------------------------------------------------------- */

static int prep(struct apply *a, sqlite3_stmt **s, const char *sql) {
  if (*s) {
    sqlite3_reset(*s);
    sqlite3_clear_bindings(*s);
    return SK_OK;
  }
  if (sqlite3_prepare_v2(a->st->db, sql, -1, s, NULL) != SQLITE_OK) {
    snprintf(a->err, a->errlen, "Databasefout: %s", sqlite3_errmsg(a->st->db));
    return SK_EDB;
  }
  return SK_OK;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v) {
  if (v)
    sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(s, i);
}

static void finalize_all(struct apply *a) {
  sqlite3_stmt **all[] = {&a->s_org_old, &a->s_loc_old, &a->s_svc_old};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    sqlite3_finalize(*all[i]);
    *all[i] = NULL;
  }
  for (int e = 0; e < E_COUNT; e++) {
    sqlite3_finalize(a->s_id_own[e]);
    sqlite3_finalize(a->s_id_used[e]);
    a->s_id_own[e] = a->s_id_used[e] = NULL;
  }
  sk_write_close(a->w);
  a->w = NULL;
}

/* ---- change log -------------------------------------------------------- */

/* field, old_v and new_v may be in reused buffers: the writer copies them. */
static int log_change(struct apply *a, enum entity e, const char *id, const char *field,
                      const char *old_v, const char *new_v) {
  struct sk_write_change c = {a->now, a->actor, entity_name[e], id, field, old_v, new_v, 0};
  return sk_write_log(a->w, &c);
}

static int log_diff(struct apply *a, enum entity e, const char *id) {
  for (size_t i = 0; i < a->fv.n; i++) {
    const char *nv = fv_val(&a->fv, i), *ov = i < a->old.n ? fv_val(&a->old, i) : NULL;
    if ((!nv && !ov) || (nv && ov && strcmp(nv, ov) == 0))
      continue;
    int rc = log_change(a, e, id, a->fv.name[i], ov, nv);
    if (rc)
      return rc;
  }
  return SK_OK;
}

/* 1 when the statement gives a row; its first column (an id) into out. */
static int id_row(struct apply *a, sqlite3_stmt **s, const char *sql, const char *p1,
                  const char *p2, char out[SK_UUID_LEN]) {
  if (!*s && sqlite3_prepare_v2(a->st->db, sql, -1, s, NULL) != SQLITE_OK)
    return 0;
  sqlite3_reset(*s);
  sqlite3_bind_text(*s, 1, p1, -1, SQLITE_TRANSIENT);
  if (p2)
    sqlite3_bind_text(*s, 2, p2, -1, SQLITE_TRANSIENT);
  int got = sqlite3_step(*s) == SQLITE_ROW;
  const char *v = got ? (const char *)sqlite3_column_text(*s, 0) : NULL;
  if (got && out && v && strlen(v) < SK_UUID_LEN)
    snprintf(out, SK_UUID_LEN, "%s", v);
  sqlite3_reset(*s);
  return got;
}

/* The public id of record (e, key). A name-based UUID of source and key,
 * so a record keeps its id across fetches and rebuilds; but a key that is
 * itself a UUID (HSDS ids) is kept as our id when no other record of that
 * kind has it, so an exchange partner's references keep working (issue
 * 12). A record already stored keeps the id it has. Without a store
 * (ix_apply_prepare) only the name-based id is known. */
static void make_id(struct apply *a, enum entity e, const char *key, char out[SK_UUID_LEN]) {
  sk_buf_reset(&a->tmp);
  if (sk_buf_printf(&a->tmp, "%s\n%s\n%s", a->source, entity_name[e], key) == SK_OK)
    sk_uuid_from_name(a->tmp.ptr, a->tmp.len, out);
  else
    sk_uuid_random(out); /* unreachable in practice: keys are capped */
  if (!a->st || !sk_uuid_valid(key))
    return;
  static const char *const own[E_COUNT] = {
      "SELECT id FROM organization WHERE source = ?1 AND source_key = ?2",
      "SELECT id FROM location WHERE source = ?1 AND source_key = ?2",
      "SELECT id FROM service WHERE source = ?1 AND source_key = ?2"};
  static const char *const used[E_COUNT] = {"SELECT id FROM organization WHERE id = ?1",
                                            "SELECT id FROM location WHERE id = ?1",
                                            "SELECT id FROM service WHERE id = ?1"};
  if (id_row(a, &a->s_id_own[e], own[e], a->source, key, out))
    return;
  if (!id_row(a, &a->s_id_used[e], used[e], key, NULL, NULL))
    snprintf(out, SK_UUID_LEN, "%s", key);
}

/* ---- known records ----------------------------------------------------- */

static struct known *kset_add(struct apply *a, enum entity e, const char *key) {
  struct kset *k = &a->known[e];
  if (k->n == k->cap) {
    size_t ncap = k->cap ? k->cap * 2 : 256;
    struct known *nv = realloc(k->v, ncap * sizeof *nv);
    if (!nv)
      return NULL;
    k->v = nv;
    k->cap = ncap;
  }
  const char *copy = ix_strdup(&a->arena, key);
  if (!copy || ix_keymap_put(&k->map, copy, k->n))
    return NULL;
  struct known *r = &k->v[k->n++];
  memset(r, 0, sizeof *r);
  r->key = copy;
  return r;
}

static struct known *kset_get(struct apply *a, enum entity e, const char *key) {
  size_t i;
  return ix_keymap_get(&a->known[e].map, key, &i) ? &a->known[e].v[i] : NULL;
}

static int load_known(struct apply *a, enum entity e) {
  static const char *const sql[E_COUNT] = {
      "SELECT rid, source_key, status, content_hash FROM organization WHERE source = ?1",
      "SELECT rid, source_key, status, NULL FROM location WHERE source = ?1",
      "SELECT rid, source_key, status, content_hash FROM service WHERE source = ?1"};
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(a->st->db, sql[e], -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, a->source, -1, SQLITE_STATIC);
  int rc = SK_OK, step;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    struct known *k = kset_add(a, e, (const char *)sqlite3_column_text(s, 1));
    if (!k) {
      rc = SK_ENOMEM;
      break;
    }
    k->rid = sqlite3_column_int64(s, 0);
    const char *status = (const char *)sqlite3_column_text(s, 2);
    k->active = status && strcmp(status, "active") == 0;
    const char *h = (const char *)sqlite3_column_text(s, 3);
    snprintf(k->hash, sizeof k->hash, "%s", h ? h : "");
  }
  if (!rc && step != SQLITE_DONE)
    rc = SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

/* ---- collections as canonical text ------------------------------------ */

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Add the strings joined by sep, sorted when sort is set; NULL when empty. */
static void fv_add_list(struct apply *a, const char *name, const char *const *v, size_t n,
                        const char *sep, int sort) {
  if (n == 0) {
    fv_add(&a->fv, name, NULL);
    return;
  }
  const char **copy = malloc(n * sizeof *copy);
  if (!copy) {
    a->fv.err = SK_ENOMEM;
    return;
  }
  memcpy(copy, v, n * sizeof *copy);
  if (sort)
    qsort(copy, n, sizeof *copy, cmp_str);
  struct sk_buf *t = &a->tmp;
  sk_buf_reset(t);
  int rc = SK_OK;
  for (size_t i = 0; i < n && !rc; i++)
    if (!(rc = i ? sk_buf_addstr(t, sep) : SK_OK))
      rc = sk_buf_addstr(t, copy[i]);
  free(copy);
  if (rc) {
    a->fv.err = rc;
    sk_buf_init(t, t->max);
    return;
  }
  fv_add(&a->fv, name, sk_buf_str(t));
}

static void fv_add_one(struct apply *a, const char *name, const char *v) {
  fv_add(&a->fv, name, v);
}

/* Canonical text of each element, built into the arena so fv_add_list can
 * join them; the arena is freed at the end of the run. */
static const char *area_text(struct apply *a, const struct ix_area *ar) {
  if (ar->min_age == IX_UNSET && ar->max_age == IX_UNSET && !ar->note)
    return ar->code;
  char mn[16] = "", mx[16] = "";
  if (ar->min_age != IX_UNSET)
    snprintf(mn, sizeof mn, "%d", ar->min_age);
  if (ar->max_age != IX_UNSET)
    snprintf(mx, sizeof mx, "%d", ar->max_age);
  return ix_printf(&a->arena, "%s (%s-%s%s%s)", ar->code, mn, mx, ar->note ? " " : "",
                   ar->note ? ar->note : "");
}

/* ---- organisations ----------------------------------------------------- */

static void org_fields(struct apply *a, const struct ix_org *o) {
  fv_reset(&a->fv);
  fv_add_one(a, "name", o->name);
  fv_add_one(a, "description", o->description);
  fv_add_one(a, "email", o->email);
  fv_add_one(a, "website", o->website);
  fv_add_one(a, "phone", o->phone);
}

static const char sql_org_old[] =
    "SELECT name, description, email, website, "
    " (SELECT group_concat(number, ' | ') FROM (SELECT number FROM phone WHERE organization_rid = "
    "   ?1 AND service_rid IS NULL AND location_rid IS NULL ORDER BY rid)) "
    "FROM organization WHERE rid = ?1";

static int note_changed_org(struct apply *a, long long rid) {
  if (a->n_changed_orgs == a->cap_changed_orgs) {
    size_t ncap = a->cap_changed_orgs ? a->cap_changed_orgs * 2 : 64;
    long long *nv = realloc(a->changed_orgs, ncap * sizeof *nv);
    if (!nv)
      return SK_ENOMEM;
    a->changed_orgs = nv;
    a->cap_changed_orgs = ncap;
  }
  a->changed_orgs[a->n_changed_orgs++] = rid;
  return SK_OK;
}

static int apply_org(struct apply *a, const struct ix_org *o) {
  org_fields(a, o);
  if (a->fv.err)
    return a->fv.err;
  char hash[33], id[SK_UUID_LEN];
  int rc;
  if ((rc = fv_hash(&a->fv, E_ORG, &a->tmp, hash)))
    return rc;
  struct known *k = kset_get(a, E_ORG, o->key);
  if (k && k->seen)
    return SK_OK; /* duplicate key: the validator keeps only the first */
  long long rid;
  if (k && k->active && strcmp(k->hash, hash) == 0) {
    k->seen = 1;
    a->stats.n_unchanged++;
    return SK_OK;
  }
  make_id(a, E_ORG, o->key, id);
  struct sk_write_org v = {o->name, o->description, o->email, o->website, hash, "active"};
  if (k) {
    if ((rc = fv_load_old(a, a->s_org_old, k->rid)) || (rc = log_diff(a, E_ORG, id)))
      return rc;
    if (!k->active && (rc = log_change(a, E_ORG, id, "status", "withdrawn", "active")))
      return rc;
    if ((rc = sk_write_org_update(a->w, k->rid, &v, a->now)))
      return rc;
    rid = k->rid;
    k->seen = 1;
    k->active = 1;
    a->stats.n_changed++;
    if ((rc = note_changed_org(a, rid)) || (rc = sk_write_org_phone(a->w, rid, o->phone)))
      return rc;
  } else {
    struct sk_write_origin og = {id, a->source, o->key};
    if ((rc = sk_write_org_insert(a->w, &og, &v, a->now, &rid)))
      return rc;
    k = kset_add(a, E_ORG, o->key);
    if (!k)
      return SK_ENOMEM;
    k->rid = rid;
    k->seen = 1;
    k->active = 1;
    a->stats.n_new++;
    if ((rc = log_change(a, E_ORG, id, "status", NULL, "active")))
      return rc;
    if (o->phone && (rc = sk_write_org_phone(a->w, rid, o->phone)))
      return rc;
  }
  return SK_OK;
}

/* ---- locations --------------------------------------------------------- */

static void loc_fields(struct apply *a, const struct ix_location *l) {
  fv_reset(&a->fv);
  fv_add_one(a, "organization", l->org_key);
  fv_add_one(a, "name", l->name);
  fv_add_one(a, "address", l->address);
  fv_add_one(a, "postal_code", l->postal_code);
  fv_add_one(a, "city", l->city);
  fv_add_one(a, "municipality", l->municipality);
  if (l->has_coordinates) {
    fv_addf(&a->fv, "latitude", "%.6f", l->latitude);
    fv_addf(&a->fv, "longitude", "%.6f", l->longitude);
  } else {
    fv_add_one(a, "latitude", NULL);
    fv_add_one(a, "longitude", NULL);
  }
  fv_add_one(a, "accessibility", l->accessibility);
}

static const char sql_loc_old[] =
    "SELECT (SELECT source_key FROM organization WHERE rid = l.organization_rid), name, address,"
    " postal_code, city, municipality_code, latitude, longitude, accessibility "
    "FROM location l WHERE rid = ?1";

static int fv_equal(const struct fvec *x, const struct fvec *y) {
  if (x->n != y->n)
    return 0;
  for (size_t i = 0; i < x->n; i++) {
    const char *p = fv_val(x, i), *q = fv_val(y, i);
    if ((p == NULL) != (q == NULL) || (p && strcmp(p, q) != 0))
      return 0;
  }
  return 1;
}

static struct sk_write_location loc_row(struct apply *a, const struct ix_location *l) {
  struct known *org = l->org_key ? kset_get(a, E_ORG, l->org_key) : NULL;
  struct sk_write_location v = sk_write_location_blank();
  v.organization_rid = org ? org->rid : 0;
  v.name = l->name;
  v.address = l->address;
  v.postal_code = l->postal_code;
  v.city = l->city;
  v.municipality_code = l->municipality;
  if (l->has_coordinates) {
    v.latitude = l->latitude;
    v.longitude = l->longitude;
  }
  v.accessibility = l->accessibility;
  v.status = "active";
  return v;
}

/* Locations have no content hash column: compare with the stored row. */
static int apply_location(struct apply *a, const struct ix_location *l) {
  loc_fields(a, l);
  if (a->fv.err)
    return a->fv.err;
  char id[SK_UUID_LEN];
  make_id(a, E_LOC, l->key, id);
  struct known *k = kset_get(a, E_LOC, l->key);
  if (k && k->seen)
    return SK_OK;
  int rc;
  if (k) {
    if ((rc = fv_load_old(a, a->s_loc_old, k->rid)))
      return rc;
    k->seen = 1;
    if (k->active && fv_equal(&a->fv, &a->old)) {
      a->stats.n_unchanged++;
      return SK_OK;
    }
    if ((rc = log_diff(a, E_LOC, id)))
      return rc;
    if (!k->active && (rc = log_change(a, E_LOC, id, "status", "withdrawn", "active")))
      return rc;
    struct sk_write_location v = loc_row(a, l);
    if ((rc = sk_write_location_update(a->w, k->rid, &v, a->now)))
      return rc;
    k->active = 1;
    a->stats.n_changed++;
    return SK_OK;
  }
  struct sk_write_location v = loc_row(a, l);
  struct sk_write_origin og = {id, a->source, l->key};
  long long rid;
  if ((rc = sk_write_location_insert(a->w, &og, &v, a->now, &rid)))
    return rc;
  k = kset_add(a, E_LOC, l->key);
  if (!k)
    return SK_ENOMEM;
  k->rid = rid;
  k->seen = 1;
  k->active = 1;
  a->stats.n_new++;
  return log_change(a, E_LOC, id, "status", NULL, "active");
}

/* ---- services ---------------------------------------------------------- */

static void svc_fields(struct apply *a, const struct ix_service *s) {
  int act = s->kind == IX_KIND_ACTIVITY;
  struct fvec *f = &a->fv;
  fv_reset(f);
  fv_add_one(a, "kind", act ? "activiteit" : "aanbod");
  fv_add_one(a, "organization", s->org_key);
  fv_add_one(a, "name", s->name);
  fv_add_one(a, "summary", s->summary);
  fv_add_one(a, "description", s->description);
  fv_add_one(a, "keywords", s->keywords);
  fv_add_one(a, "url", s->url);
  fv_add_one(a, "email", s->email);
  fv_add_one(a, "application_process", s->application_process);
  fv_add_one(a, "eligibility", s->eligibility);
  fv_add_one(a, "fees", s->fees);
  fv_add_one(a, "referral_contact", s->referral_contact);
  fv_add_int(f, "min_age", s->min_age);
  fv_add_int(f, "max_age", s->max_age);
  fv_add_one(a, "assured_date", s->assured_date);
  fv_add_one(a, "assured_by", s->assured_by);
  fv_add_list(a, "needs", s->needs.v, s->needs.n, ", ", 1);
  fv_add_list(a, "target_groups", s->target_groups.v, s->target_groups.n, ", ", 1);
  fv_add_one(a, "access", s->access);
  fv_add_one(a, "cost", s->cost);
  fv_add_list(a, "laws", s->laws.v, s->laws.n, ", ", 1);
  size_t n = s->areas.n > s->phones.n ? s->areas.n : s->phones.n;
  if (s->hours.n > n)
    n = s->hours.n;
  if (s->occurrences.n > n)
    n = s->occurrences.n;
  const char **tv = n ? malloc(n * sizeof *tv) : NULL;
  if (n && !tv) {
    f->err = SK_ENOMEM;
    return;
  }
  for (size_t i = 0; i < s->areas.n; i++)
    if (!(tv[i] = area_text(a, &s->areas.v[i])))
      f->err = SK_ENOMEM;
  fv_add_list(a, "areas", tv, s->areas.n, ", ", 1);
  fv_add_list(a, "locations", s->location_keys.v, s->location_keys.n, ", ", 1);
  for (size_t i = 0; i < s->phones.n; i++) {
    const struct ix_phone *p = &s->phones.v[i];
    if (!(tv[i] = ix_printf(&a->arena, "%s%s%s%s%s", p->number, p->description ? " (" : "",
                            p->description ? p->description : "", p->description ? ")" : "",
                            p->restricted ? " [prof]" : "")))
      f->err = SK_ENOMEM;
  }
  fv_add_list(a, "phones", tv, s->phones.n, " | ", 0);
  for (size_t i = 0; i < s->hours.n; i++) {
    const struct ix_hours *h = &s->hours.v[i];
    /* The dates only when set, so rows without them keep their hash. */
    int dated = h->valid_from[0] || h->valid_to[0];
    if (!(tv[i] = ix_printf(&a->arena, "%d %s-%s%s%s%s%s%s%s%s", h->weekday, h->opens, h->closes,
                            h->note ? " " : "", h->note ? h->note : "", dated ? " [" : "",
                            h->valid_from, dated ? ".." : "", h->valid_to, dated ? "]" : "")))
      f->err = SK_ENOMEM;
  }
  fv_add_list(a, "hours", tv, s->hours.n, ", ", 0);
  fv_add_one(a, "uid", act ? s->uid : NULL);
  fv_add_one(a, "location", act ? s->location_text : NULL);
  fv_add_one(a, "recurrence", act ? s->recurrence : NULL);
  fv_add_one(a, "organizer", act ? s->organizer : NULL);
  size_t nocc = act ? s->occurrences.n : 0;
  for (size_t i = 0; i < nocc; i++) {
    const struct ix_occurrence *o = &s->occurrences.v[i];
    if (!(tv[i] = ix_printf(&a->arena, "%s%s%s%s%s%s", o->starts_at, o->ends_at[0] ? "/" : "",
                            o->ends_at, o->cancelled ? " vervalt" : "",
                            o->location_text ? " @ " : "",
                            o->location_text ? o->location_text : "")))
      f->err = SK_ENOMEM;
  }
  fv_add_list(a, "occurrences", tv, nocc, "; ", 0);
  free(tv);
  /* Last and only when set (issue 12), so records without it keep their
   * content hash and sql_svc_old's columns stay aligned. */
  if (s->auto_classified)
    fv_add_one(a, "classification", "automatisch");
}

static const char sql_svc_old[] =
    "SELECT s.kind, o.source_key, s.name, s.summary, s.description, s.keywords, s.url, s.email,"
    " s.application_process, s.eligibility_description, s.fees_description, s.referral_contact,"
    " CAST(s.min_age AS TEXT), CAST(s.max_age AS TEXT), s.assured_date, s.assured_by,"
    " (SELECT group_concat(code, ', ') FROM (SELECT code FROM service_taxonomy"
    "   WHERE service_rid = ?1 AND vocabulary = 'need' ORDER BY code)),"
    " (SELECT group_concat(code, ', ') FROM (SELECT code FROM service_taxonomy"
    "   WHERE service_rid = ?1 AND vocabulary = 'target_group' ORDER BY code)),"
    " (SELECT code FROM service_taxonomy WHERE service_rid = ?1 AND vocabulary = 'access'),"
    " (SELECT code FROM service_taxonomy WHERE service_rid = ?1 AND vocabulary = 'cost'),"
    " (SELECT group_concat(code, ', ') FROM (SELECT code FROM service_taxonomy"
    "   WHERE service_rid = ?1 AND vocabulary = 'law' ORDER BY code)),"
    " (SELECT group_concat(v, ', ') FROM (SELECT area_code || CASE WHEN min_age IS NULL AND"
    "   max_age IS NULL AND note IS NULL THEN '' ELSE ' (' || coalesce(min_age, '') || '-' ||"
    "   coalesce(max_age, '') || coalesce(' ' || note, '') || ')' END AS v FROM service_area"
    "   WHERE service_rid = ?1 ORDER BY v)),"
    " (SELECT group_concat(k, ', ') FROM (SELECT l.source_key AS k FROM service_at_location x"
    "   JOIN location l ON l.rid = x.location_rid WHERE x.service_rid = ?1 ORDER BY k)),"
    " (SELECT group_concat(v, ' | ') FROM (SELECT number || coalesce(' (' || description || ')',"
    "   '') || CASE WHEN restricted THEN ' [prof]' ELSE '' END AS v FROM phone"
    "   WHERE service_rid = ?1 ORDER BY rid)),"
    " (SELECT group_concat(v, ', ') FROM (SELECT weekday || ' ' || opens_at || '-' || closes_at"
    "   || coalesce(' ' || description, '') || CASE WHEN valid_from IS NULL AND valid_to IS NULL"
    "   THEN '' ELSE ' [' || coalesce(valid_from, '') || '..' || coalesce(valid_to, '') || ']' END"
    "   AS v FROM schedule WHERE service_rid = ?1 ORDER BY rid)),"
    " a.uid, a.location_text, a.recurrence, a.organizer,"
    " (SELECT group_concat(v, '; ') FROM (SELECT starts_at || CASE WHEN ends_at IS NULL OR"
    "   ends_at = '' THEN '' ELSE '/' || ends_at END || CASE WHEN cancelled THEN ' vervalt'"
    "   ELSE '' END || coalesce(' @ ' || location_text, '') AS v FROM occurrence"
    "   WHERE service_rid = ?1 ORDER BY start_utc, rid)),"
    " (SELECT code FROM service_taxonomy WHERE service_rid = ?1 AND vocabulary = 'classification') "
    "FROM service s JOIN organization o ON o.rid = s.organization_rid"
    " LEFT JOIN activity a ON a.service_rid = s.rid WHERE s.rid = ?1";

static struct sk_write_service svc_row(const struct ix_service *s, long long org_rid,
                                       const char *hash) {
  struct sk_write_service v = sk_write_service_blank();
  v.organization_rid = org_rid;
  v.kind = s->kind == IX_KIND_ACTIVITY ? "activiteit" : "aanbod";
  v.name = s->name;
  v.summary = s->summary;
  v.description = s->description;
  v.keywords = s->keywords;
  v.url = s->url;
  v.email = s->email;
  v.application_process = s->application_process;
  v.eligibility_description = s->eligibility;
  v.fees_description = s->fees;
  v.referral_contact = s->referral_contact;
  v.min_age = s->min_age;
  v.max_age = s->max_age;
  v.status = "active";
  v.content_hash = hash;
  v.assured_date = s->assured_date;
  v.assured_by = s->assured_by;
  /* Not in the content hash: a source's new time alone, with nothing we
   * keep changed, does not rewrite the row (docs/hsds.md). */
  v.source_modified = s->source_modified;
  return v;
}

static int ins_children(struct apply *a, long long rid, const struct ix_service *s) {
  struct sk_writer *w = a->w;
  int rc = SK_OK;
  for (size_t i = 0; i < s->needs.n && !rc; i++)
    rc = sk_write_code(w, rid, "need", s->needs.v[i]);
  for (size_t i = 0; i < s->target_groups.n && !rc; i++)
    rc = sk_write_code(w, rid, "target_group", s->target_groups.v[i]);
  for (size_t i = 0; i < s->laws.n && !rc; i++)
    rc = sk_write_code(w, rid, "law", s->laws.v[i]);
  if (!rc && s->access)
    rc = sk_write_code(w, rid, "access", s->access);
  if (!rc && s->cost)
    rc = sk_write_code(w, rid, "cost", s->cost);
  if (!rc && s->auto_classified) /* "automatisch ingedeeld": for the redactie to confirm */
    rc = sk_write_code(w, rid, "classification", "automatisch");
  for (size_t i = 0; i < s->areas.n && !rc; i++) {
    const struct ix_area *ar = &s->areas.v[i];
    struct sk_write_area v = {ar->code, ar->min_age, ar->max_age, ar->note};
    rc = sk_write_area(w, rid, &v);
  }
  for (size_t i = 0; i < s->location_keys.n && !rc; i++) {
    struct known *l = kset_get(a, E_LOC, s->location_keys.v[i]);
    if (l)
      rc = sk_write_service_location(w, rid, l->rid);
  }
  for (size_t i = 0; i < s->phones.n && !rc; i++) {
    const struct ix_phone *p = &s->phones.v[i];
    struct sk_write_phone v = {p->number, p->description, p->restricted};
    rc = sk_write_phone(w, rid, &v);
  }
  for (size_t i = 0; i < s->hours.n && !rc; i++) {
    const struct ix_hours *h = &s->hours.v[i];
    struct sk_write_hours v = {h->weekday,
                               h->opens,
                               h->closes,
                               h->note,
                               h->valid_from[0] ? h->valid_from : NULL,
                               h->valid_to[0] ? h->valid_to : NULL};
    rc = sk_write_hours(w, rid, 0, &v);
  }
  if (!rc && s->kind == IX_KIND_ACTIVITY) {
    struct sk_write_activity act = {s->uid ? s->uid : s->key, s->location_text, s->recurrence,
                                    s->organizer};
    rc = sk_write_activity(w, rid, &act);
    for (size_t i = 0; i < s->occurrences.n && !rc; i++) {
      const struct ix_occurrence *o = &s->occurrences.v[i];
      struct sk_write_occurrence v = {o->starts_at,    o->ends_at[0] ? o->ends_at : NULL,
                                      o->start_utc,    o->end_utc,
                                      o->all_day,      o->cancelled,
                                      o->location_text};
      rc = sk_write_occurrence(w, rid, &v);
    }
  }
  return rc;
}

/* Offerings whose full-text rows must be refreshed; done in one go at the
 * end of the run (set-based, far cheaper than a row at a time). */
static int fts(struct apply *a, long long rid) {
  if (a->n_touched == a->cap_touched) {
    size_t ncap = a->cap_touched ? a->cap_touched * 2 : 1024;
    long long *nv = realloc(a->touched, ncap * sizeof *nv);
    if (!nv)
      return SK_ENOMEM;
    a->touched = nv;
    a->cap_touched = ncap;
  }
  a->touched[a->n_touched++] = rid;
  return SK_OK;
}

static int fts_flush(struct apply *a) {
  int rc = sk_store_index_services(a->st, a->touched, a->n_touched);
  if (rc)
    snprintf(a->err, a->errlen, "Databasefout bij de zoekindex: %s", sqlite3_errmsg(a->st->db));
  a->n_touched = 0;
  return rc;
}

static long ms_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

static int begin_chunk(struct apply *a) {
  int rc = sk_store_begin(a->st);
  if (rc) {
    snprintf(a->err, a->errlen, "De database is bezet of niet schrijfbaar: %s",
             sqlite3_errmsg(a->st->db));
    return rc;
  }
  clock_gettime(CLOCK_MONOTONIC, &a->tx_start);
  return SK_OK;
}

/* WAL checkpoints on the apply's own schedule. SQLite's automatic one
 * (every 1 000 pages) ran at almost every chunk commit and copied the pages
 * that every chunk touches again (b-tree interiors, the full-text segments,
 * the indexes keyed by random UUIDs): about 40 % of the extra CPU that
 * chunked commits cost a first load (docs/performance.md). During the apply
 * the connection only counts the WAL's pages (wal_hook) and checkpoints
 * between chunks, outside any transaction (a passive checkpoint takes no
 * write lock, so a portal save goes on meanwhile), once the WAL holds
 * IX_APPLY_CHECKPOINT_PAGES. Other connections keep their automatic
 * checkpoint, so a save that commits after a chunk copies at most that
 * many pages. */
#define IX_APPLY_CHECKPOINT_PAGES 8192 /* 32 MiB of 4 KiB pages */

static int wal_count(void *arg, sqlite3 *db, const char *name, int pages) {
  (void)db;
  (void)name;
  ((struct apply *)arg)->wal_pages = pages;
  return SQLITE_OK;
}

static void checkpoint_point(struct apply *a) {
  if (a->wal_pages < IX_APPLY_CHECKPOINT_PAGES)
    return;
  sqlite3_wal_checkpoint_v2(a->st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  a->wal_pages = 0;
}

/* At a record boundary: when the transaction has been open long enough,
 * write what is pending (rows, their full-text rows), commit, leave the
 * store to others for a moment and begin again. Every record is committed
 * whole (row, children, change log, full text); what must be one step for
 * readers (withdrawing what left the feed, the report) comes in the last
 * transaction. */
static int chunk_point(struct apply *a) {
  if (ms_since(&a->tx_start) < IX_APPLY_CHUNK_MS)
    return SK_OK;
  int rc = sk_write_flush(a->w);
  if (!rc)
    rc = fts_flush(a);
  if (!rc && (rc = sk_store_commit(a->st)))
    snprintf(a->err, a->errlen, "Databasefout: %s", sqlite3_errmsg(a->st->db));
  if (rc)
    return rc;
  a->n_chunks++;
  checkpoint_point(a);
  struct timespec ts = {0, IX_APPLY_YIELD_MS * 1000000L};
  nanosleep(&ts, NULL);
  if ((rc = begin_chunk(a)))
    return rc;
  /* Others may have added offerings meanwhile (the portal). */
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(a->st->db, "SELECT coalesce(max(rid), 0) FROM service", -1, &s, NULL) !=
          SQLITE_OK ||
      sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_finalize(s);
    snprintf(a->err, a->errlen, "Databasefout: %s", sqlite3_errmsg(a->st->db));
    return SK_EDB;
  }
  long long max_rid = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  if (a->next_svc_rid && max_rid + 1 > a->next_svc_rid)
    a->next_svc_rid = max_rid + 1;
  return SK_OK;
}

static int apply_service(struct apply *a, const struct ix_service *s) {
  char hash[33], id[SK_UUID_LEN];
  int rc, prepared = a->prepared && s->content_hash && s->public_id;
  if (prepared) {
    snprintf(hash, sizeof hash, "%s", s->content_hash);
  } else {
    svc_fields(a, s);
    if (a->fv.err)
      return a->fv.err;
    if ((rc = fv_hash(&a->fv, E_SVC, &a->tmp, hash)))
      return rc;
  }
  struct known *org = kset_get(a, E_ORG, s->org_key);
  if (!org) {
    snprintf(a->err, a->errlen, "Dienst '%.100s': de organisatie ontbreekt.", s->key);
    return SK_EINVAL; /* the validator prevents this */
  }
  struct known *k = kset_get(a, E_SVC, s->key);
  if (k && k->seen)
    return SK_OK;
  long long rid;
  if (k && k->active && strcmp(k->hash, hash) == 0) {
    k->seen = 1;
    a->stats.n_unchanged++;
    return SK_OK;
  }
  if (prepared && !sk_uuid_valid(s->key)) /* a UUID key needs the store (make_id) */
    snprintf(id, sizeof id, "%s", s->public_id);
  else
    make_id(a, E_SVC, s->key, id);
  if (k) {
    if (prepared) { /* the field values, for the change log */
      svc_fields(a, s);
      if (a->fv.err)
        return a->fv.err;
    }
    if ((rc = fv_load_old(a, a->s_svc_old, k->rid)) || (rc = log_diff(a, E_SVC, id)))
      return rc;
    if (!k->active && (rc = log_change(a, E_SVC, id, "status", "withdrawn", "active")))
      return rc;
    struct sk_write_service v = svc_row(s, org->rid, hash);
    if ((rc = sk_write_service_update(a->w, k->rid, &v, a->now)) ||
        (rc = sk_write_service_clear(a->w, k->rid)))
      return rc;
    rid = k->rid;
    k->seen = 1;
    k->active = 1;
    a->stats.n_changed++;
  } else {
    /* The rid is ours to choose (the transaction is IMMEDIATE: nobody else
     * writes), so the row can wait in the bulk with its children. */
    const char *idc = ix_strdup(&a->arena, id), *hashc = ix_strdup(&a->arena, hash);
    if (!idc || !hashc)
      return SK_ENOMEM;
    rid = a->next_svc_rid++;
    struct sk_write_service v = svc_row(s, org->rid, hashc);
    struct sk_write_origin og = {idc, a->source, s->key};
    if ((rc = sk_write_service_insert(a->w, &og, &v, a->now, &rid)))
      return rc;
    k = kset_add(a, E_SVC, s->key);
    if (!k)
      return SK_ENOMEM;
    k->rid = rid;
    k->seen = 1;
    k->active = 1;
    a->stats.n_new++;
    if ((rc = log_change(a, E_SVC, id, "status", NULL, "active")))
      return rc;
  }
  if ((rc = ins_children(a, rid, s)))
    return rc;
  return fts(a, rid);
}

/* ---- withdrawal, rejections, feed row ---------------------------------- */

static int withdraw_unseen(struct apply *a, const struct ix_batch *b) {
  /* Records rejected this time keep their last good version. */
  for (size_t i = 0; i < b->rejections.n; i++) {
    const char *key = b->rejections.v[i].record_key;
    if (!key)
      continue;
    for (int e = 0; e < E_COUNT; e++) {
      struct known *k = kset_get(a, e, key);
      if (k)
        k->seen = 1;
    }
  }
  /* An organisation or location the feed no longer lists stays while
   * offerings of another source (portal entries, mostly) still use it:
   * withdrawing it would hide them from the public. */
  static const char *const in_use_sql[E_COUNT] = {
      "SELECT 1 FROM service WHERE organization_rid = ?1 AND source <> ?2"
      " AND status <> 'withdrawn' LIMIT 1",
      "SELECT 1 FROM service_at_location sl JOIN service s ON s.rid = sl.service_rid"
      " WHERE sl.location_rid = ?1 AND s.source <> ?2 AND s.status <> 'withdrawn' LIMIT 1",
      NULL};
  for (int e = E_SVC; e >= 0; e--) {
    sqlite3_stmt *in_use = NULL;
    for (size_t i = 0; i < a->known[e].n; i++) {
      struct known *k = &a->known[e].v[i];
      if (k->seen || !k->active)
        continue;
      if (in_use_sql[e]) {
        if (!in_use && sqlite3_prepare_v2(a->st->db, in_use_sql[e], -1, &in_use, NULL) != SQLITE_OK)
          return SK_EDB;
        sqlite3_reset(in_use);
        sqlite3_bind_int64(in_use, 1, k->rid);
        sqlite3_bind_text(in_use, 2, a->source, -1, SQLITE_STATIC);
        int step = sqlite3_step(in_use);
        if (step == SQLITE_ROW)
          continue;
        if (step != SQLITE_DONE) {
          sqlite3_finalize(in_use);
          return SK_EDB;
        }
      }
      char id[SK_UUID_LEN];
      make_id(a, (enum entity)e, k->key, id);
      int rc = sk_write_status(a->w, entity_name[e], k->rid, "withdrawn", a->now);
      if (!rc)
        rc = log_change(a, (enum entity)e, id, "status", "active", "withdrawn");
      if (!rc && e == E_SVC)
        rc = fts(a, k->rid);
      if (!rc && e == E_ORG)
        rc = note_changed_org(a, k->rid);
      if (rc) {
        sqlite3_finalize(in_use);
        return rc;
      }
      k->active = 0;
      a->stats.n_withdrawn++;
      a->n_svc_withdrawn += e == E_SVC;
    }
    sqlite3_finalize(in_use);
  }
  return SK_OK;
}

/* Offerings show their organisation's name in the full-text index, and an
 * organisation's status hides them: refresh those of changed organisations
 * (whatever their source: this does not change their rows). */
static int reindex_changed_orgs(struct apply *a) {
  if (!a->n_changed_orgs)
    return SK_OK;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(a->st->db, "SELECT rid FROM service WHERE organization_rid = ?1", -1, &s,
                         NULL) != SQLITE_OK)
    return SK_EDB;
  int rc = SK_OK;
  for (size_t i = 0; i < a->n_changed_orgs && !rc; i++) {
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, a->changed_orgs[i]);
    /* Collect first: sk_store_index_service writes while we read. */
    long long *rids = NULL;
    size_t n = 0, cap = 0;
    while (!rc && sqlite3_step(s) == SQLITE_ROW) {
      if (n == cap) {
        size_t ncap = cap ? cap * 2 : 16;
        long long *nv = realloc(rids, ncap * sizeof *nv);
        if (!nv) {
          rc = SK_ENOMEM;
          break;
        }
        rids = nv;
        cap = ncap;
      }
      rids[n++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    for (size_t j = 0; j < n && !rc; j++)
      rc = fts(a, rids[j]);
    free(rids);
  }
  sqlite3_finalize(s);
  return rc;
}

static int store_rejections(struct apply *a, const struct ix_batch *b) {
  sqlite3_stmt *s = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(a->st->db, "DELETE FROM feed_rejection WHERE feed_id = ?1", -1, &s,
                         NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, a->feed_id, -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  sqlite3_finalize(s);
  s = NULL;
  if (step != SQLITE_DONE)
    return SK_EDB;
  if (sqlite3_prepare_v2(a->st->db,
                         "INSERT INTO feed_rejection(feed_id, record_key, field, reason, at) "
                         "VALUES(?1, ?2, ?3, ?4, ?5)",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  size_t total = b->rejections.n + b->warnings.n;
  for (size_t i = 0; i < total; i++) {
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, a->feed_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, a->now, -1, SQLITE_STATIC);
    char *warn = NULL;
    if (i < b->rejections.n) {
      const struct ix_rejection *r = &b->rejections.v[i];
      bind_text(s, 2, r->record_key);
      bind_text(s, 3, r->field);
      bind_text(s, 4, r->reason ? r->reason : "Afgewezen.");
    } else {
      const char *w = b->warnings.v[i - b->rejections.n];
      if (!w)
        continue;
      warn = sqlite3_mprintf("Waarschuwing: %s", w);
      if (!warn)
        goto out;
      sqlite3_bind_null(s, 2);
      sqlite3_bind_null(s, 3);
      sqlite3_bind_text(s, 4, warn, -1, SQLITE_STATIC);
    }
    step = sqlite3_step(s);
    sqlite3_free(warn);
    if (step != SQLITE_DONE)
      goto out;
  }
  rc = SK_OK;
out:
  sqlite3_finalize(s);
  return rc;
}

static int ensure_feed(struct sk_store *st, const char *feed_id) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT OR IGNORE INTO feed(id, partner, kind, location) "
                         "VALUES(?1, ?1, 'partner-json', '')",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, feed_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

static int update_feed_row(struct apply *a, const struct ix_apply_meta *meta) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(a->st->db,
                         "UPDATE feed SET last_attempt = ?2, last_success = ?2, last_error = NULL,"
                         " n_records = ?3, n_new = ?4, n_changed = ?5, n_unchanged = ?6,"
                         " n_withdrawn = ?7, n_rejected = ?8, http_etag = ?9,"
                         " http_last_modified = ?10, content_hash = ?11 WHERE id = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, a->feed_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, a->now, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, a->stats.n_records);
  sqlite3_bind_int64(s, 4, a->stats.n_new);
  sqlite3_bind_int64(s, 5, a->stats.n_changed);
  sqlite3_bind_int64(s, 6, a->stats.n_unchanged);
  sqlite3_bind_int64(s, 7, a->stats.n_withdrawn);
  sqlite3_bind_int64(s, 8, a->stats.n_rejected);
  bind_text(s, 9, meta ? meta->etag : NULL);
  bind_text(s, 10, meta ? meta->last_modified : NULL);
  bind_text(s, 11, meta ? meta->content_hash : NULL);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

static int prepare_all(struct apply *a) {
  if (prep(a, &a->s_org_old, sql_org_old) || prep(a, &a->s_loc_old, sql_loc_old) ||
      prep(a, &a->s_svc_old, sql_svc_old))
    return SK_EDB;
  int rc = sk_write_open(&a->w, a->st, BULK_ROWS);
  if (rc)
    snprintf(a->err, a->errlen, "Te weinig geheugen.");
  return rc;
}

static void apply_cleanup(struct apply *a) {
  finalize_all(a);
  for (int e = 0; e < E_COUNT; e++) {
    free(a->known[e].v);
    ix_keymap_free(&a->known[e].map);
  }
  free(a->changed_orgs);
  free(a->touched);
  sk_buf_free(&a->fv.buf);
  sk_buf_free(&a->old.buf);
  sk_buf_free(&a->tmp);
  ix_batch_free(&a->arena);
}

/* The first column of the first row of sql, 0 when none. */
static long long query_int64(struct sk_store *st, const char *sql) {
  sqlite3_stmt *s = NULL;
  long long v = 0;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static int query_int(struct sk_store *st, const char *sql) { return (int)query_int64(st, sql); }

/* ---- the shrink guard ------------------------------------------------------
 * A feed that suddenly lists far fewer offerings is more often a broken or
 * half-written export than a partner closing them: a batch that would
 * withdraw more than half of a feed's active offerings, or more than
 * IX_SHRINK_MAX, is held (nothing changes, the feed reports why) until an
 * administrator accepts it (ix_apply_accept_shrink). */
#define IX_SHRINK_MAX 50
#define ACCEPT_KEY_FMT "feed_accept_shrink:%s"

static int shrink_too_far(long withdrawn, long active_before) {
  return withdrawn > IX_SHRINK_MAX || 2 * withdrawn > active_before;
}

static int shrink_key(sqlite3_stmt **s, struct sk_store *st, const char *sql, const char *feed_id) {
  char key[160]; /* feed ids are at most 64 bytes (ix_registry.h) */
  snprintf(key, sizeof key, ACCEPT_KEY_FMT, feed_id);
  if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(*s, 1, key, -1, SQLITE_TRANSIENT);
  return SK_OK;
}

static int shrink_accepted(struct sk_store *st, const char *feed_id) {
  sqlite3_stmt *s = NULL;
  int yes = shrink_key(&s, st, "SELECT 1 FROM meta WHERE key = ?1", feed_id) == SK_OK &&
            sqlite3_step(s) == SQLITE_ROW;
  sqlite3_finalize(s);
  return yes;
}

static int shrink_accept_used(struct sk_store *st, const char *feed_id) {
  sqlite3_stmt *s = NULL;
  int rc = shrink_key(&s, st, "DELETE FROM meta WHERE key = ?1", feed_id);
  if (!rc && sqlite3_step(s) != SQLITE_DONE)
    rc = SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

int ix_apply(struct sk_store *st, const char *feed_id, const struct ix_batch *b,
             const struct ix_apply_meta *meta, struct ix_apply_stats *stats, char *err,
             size_t errlen) {
  char dummy[8];
  if (!err || !errlen) {
    err = dummy;
    errlen = sizeof dummy;
  }
  err[0] = '\0';
  if (stats)
    memset(stats, 0, sizeof *stats);
  struct apply *a = calloc(1, sizeof *a);
  if (!a) {
    snprintf(err, errlen, "Te weinig geheugen.");
    return SK_ENOMEM;
  }
  a->st = st;
  a->feed_id = feed_id;
  a->err = err;
  a->errlen = errlen;
  snprintf(a->source, sizeof a->source, "feed:%s", feed_id);
  snprintf(a->actor, sizeof a->actor, "feed:%s", feed_id);
  if (meta && meta->now)
    snprintf(a->now, sizeof a->now, "%s", meta->now);
  else
    sk_now_iso(a->now);
  ix_batch_init(&a->arena, 0);
  sk_buf_init(&a->fv.buf, 64 * 1024 * 1024);
  sk_buf_init(&a->old.buf, 64 * 1024 * 1024);
  sk_buf_init(&a->tmp, 64 * 1024 * 1024);
  a->stats.n_records = (long)(b->orgs.n + b->locations.n + b->services.n);
  a->prepared = b->prepared_feed && strcmp(b->prepared_feed, feed_id) == 0;
  a->stats.n_rejected = (long)b->rejections.n;

  /* A feed of many thousand records dirties more pages than SQLite's
   * default 2 MB cache holds; spilling them mid-transaction costs more
   * than the memory. Restored below. */
  int cache_pages = query_int(st, "PRAGMA cache_size");
  if (b->services.n > 2000)
    sk_store_exec(st, "PRAGMA cache_size = -262144"); /* 256 MiB, allocated as used */
  /* Every reference we write points at a row we just read or wrote in this
   * transaction (organisation and location rids from the known sets, the
   * offering's own rid), and we never delete a parent row: the per-row
   * foreign key lookups only cost time. The pragma is a no-op inside a
   * transaction, so it is set before BEGIN and restored below. */
  int fk_was_on = sqlite3_get_autocommit(st->db) && query_int(st, "PRAGMA foreign_keys") == 1;
  if (fk_was_on)
    sk_store_exec(st, "PRAGMA foreign_keys = OFF");
  /* Between chunks others write; poll for the store as they do, or a
   * steady stream of short portal writes keeps SQLite's growing sleeps
   * (up to 100 ms) from ever finding it free. Restored below. */
  int busy_was = st->busy_ms;
  sk_store_set_busy_wait(st, busy_was > 0 ? busy_was : 5000);
  /* Our own checkpoint schedule (checkpoint_point); restored below. */
  int autockpt_was = (int)query_int(st, "PRAGMA wal_autocheckpoint");
  sqlite3_wal_hook(st->db, wal_count, a);
  int rc = begin_chunk(a);
  if (rc)
    goto out;
  if ((rc = ensure_feed(st, feed_id)) || (rc = prepare_all(a)))
    goto fail;
  for (int e = 0; e < E_COUNT && !rc; e++)
    rc = load_known(a, e);
  if (rc)
    goto fail;
  long svc_active = 0;
  for (size_t i = 0; i < a->known[E_SVC].n; i++)
    svc_active += a->known[E_SVC].v[i].active;
  int accepted = shrink_accepted(st, feed_id);
  if (a->stats.n_records == 0 && !accepted) {
    int any_active = 0;
    for (int e = 0; e < E_COUNT; e++)
      for (size_t i = 0; i < a->known[e].n; i++)
        any_active |= a->known[e].v[i].active;
    if (any_active) {
      snprintf(err, errlen,
               "De feed bevat geen enkel goedgekeurd record meer; we houden de vorige gegevens.");
      rc = SK_EINVAL;
      goto fail;
    }
  }
  for (size_t i = 0; i < b->orgs.n && !rc; i++)
    if (!(rc = apply_org(a, &b->orgs.v[i])))
      rc = chunk_point(a);
  for (size_t i = 0; i < b->locations.n && !rc; i++)
    if (!(rc = apply_location(a, &b->locations.v[i])))
      rc = chunk_point(a);
  if (!rc) {
    long long max_rid = query_int64(st, "SELECT coalesce(max(rid), 0) FROM service");
    a->next_svc_rid = max_rid + 1;
  }
  for (size_t i = 0; i < b->services.n && !rc; i++)
    if (!(rc = apply_service(a, &b->services.v[i])))
      rc = chunk_point(a);
  /* From here on the tables are read: write the pending rows first. */
  if (!rc)
    rc = sk_write_flush(a->w);
  if (!rc)
    rc = withdraw_unseen(a, b);
  if (!rc && !accepted && shrink_too_far(a->n_svc_withdrawn, svc_active)) {
    snprintf(err, errlen,
             "De feed zou %ld van de %ld aanbiedingen intrekken. Dat is te veel in een keer: vaak"
             " is de export dan kapot. We houden de vorige gegevens. Klopt het toch? Dan keurt"
             " een beheerder het goed met 'sociale-kaart feed accept %.64s'.",
             a->n_svc_withdrawn, svc_active, feed_id);
    if (stats) {
      *stats = a->stats;
      stats->n_new = stats->n_changed = stats->n_unchanged = 0;
      stats->n_withdrawn = a->n_svc_withdrawn;
      stats->held = 1;
    }
    rc = SK_EINVAL;
    goto fail;
  }
  if (!rc && accepted)
    rc = shrink_accept_used(st, feed_id);
  if (!rc)
    rc = reindex_changed_orgs(a);
  if (!rc)
    rc = sk_write_flush(a->w);
  if (!rc)
    rc = fts_flush(a);
  if (!rc)
    rc = store_rejections(a, b);
  if (!rc)
    rc = update_feed_row(a, meta);
  if (rc)
    goto fail;
  finalize_all(a);
  if ((rc = sk_store_commit(st)) != SK_OK)
    goto fail;
  if (stats)
    *stats = a->stats;
  goto out;
fail:
  if (!err[0])
    snprintf(err, errlen, "%s: %s", rc == SK_ENOMEM ? "Te weinig geheugen" : "Databasefout",
             sqlite3_errmsg(st->db));
  finalize_all(a);
  sk_store_rollback(st);
out:
  sqlite3_wal_autocheckpoint(st->db, autockpt_was); /* the default hook again */
  sk_store_set_busy_wait(st, busy_was);
  if (fk_was_on)
    sk_store_exec(st, "PRAGMA foreign_keys = ON");
  if (b->services.n > 2000 && cache_pages) {
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = %d", cache_pages);
    sk_store_exec(st, pragma);
  }
  apply_cleanup(a);
  free(a);
  return rc;
}

int ix_apply_prepare(const char *feed_id, struct ix_batch *b) {
  struct apply *a = calloc(1, sizeof *a);
  if (!a)
    return SK_ENOMEM;
  snprintf(a->source, sizeof a->source, "feed:%s", feed_id);
  ix_batch_init(&a->arena, 0);
  sk_buf_init(&a->fv.buf, 64 * 1024 * 1024);
  sk_buf_init(&a->tmp, 64 * 1024 * 1024);
  b->prepared_feed = NULL;
  int rc = SK_OK;
  for (size_t i = 0; i < b->services.n && !rc; i++) {
    struct ix_service *s = &b->services.v[i];
    char hash[33], id[SK_UUID_LEN];
    svc_fields(a, s);
    if ((rc = a->fv.err) || (rc = fv_hash(&a->fv, E_SVC, &a->tmp, hash)))
      break;
    make_id(a, E_SVC, s->key, id);
    if (!(s->content_hash = ix_strdup(b, hash)) || !(s->public_id = ix_strdup(b, id)))
      rc = SK_ENOMEM;
    if (i % 1024 == 1023)
      ix_batch_free(&a->arena); /* the canonical texts of lists are not needed again */
  }
  if (!rc && !(b->prepared_feed = ix_strdup(b, feed_id)))
    rc = SK_ENOMEM;
  apply_cleanup(a);
  free(a);
  return rc;
}

static int exec_feed_update(struct sk_store *st, const char *sql, const char *feed_id,
                            const char *text) {
  int own_tx = sqlite3_get_autocommit(st->db);
  if (own_tx && sk_store_begin(st))
    return SK_EDB;
  char now[32];
  sk_now_iso(now);
  sqlite3_stmt *s = NULL;
  int rc = ensure_feed(st, feed_id);
  if (!rc && sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    rc = SK_EDB;
  if (!rc) {
    sqlite3_bind_text(s, 1, feed_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
    bind_text(s, 3, text);
    rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  }
  sqlite3_finalize(s);
  if (own_tx) {
    if (!rc)
      rc = sk_store_commit(st);
    if (rc)
      sk_store_rollback(st);
  }
  return rc;
}

int ix_apply_register_feed(struct sk_store *st, const char *feed_id, const char *partner,
                           const char *kind, const char *location, int enabled) {
  if (!ix_feed_kind_find(kind))
    return SK_EINVAL;
  int own_tx = sqlite3_get_autocommit(st->db);
  if (own_tx && sk_store_begin(st))
    return SK_EDB;
  sqlite3_stmt *s = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO feed(id, partner, kind, location, enabled) "
                         "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET "
                         "partner = excluded.partner, kind = excluded.kind, "
                         "location = excluded.location, enabled = excluded.enabled",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, feed_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, partner ? partner : feed_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, location ? location : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 5, enabled ? 1 : 0);
    rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  }
  sqlite3_finalize(s);
  if (own_tx) {
    if (!rc)
      rc = sk_store_commit(st);
    if (rc)
      sk_store_rollback(st);
  }
  return rc;
}

int ix_apply_record_error(struct sk_store *st, const char *feed_id, const char *error,
                          const struct ix_batch *rejections) {
  int own_tx = sqlite3_get_autocommit(st->db);
  if (own_tx && sk_store_begin(st))
    return SK_EDB;
  int rc = exec_feed_update(st, "UPDATE feed SET last_attempt = ?2, last_error = ?3 WHERE id = ?1",
                            feed_id, error ? error : "Onbekende fout.");
  if (!rc && rejections) {
    struct apply a = {.st = st, .feed_id = feed_id};
    sk_now_iso(a.now);
    rc = store_rejections(&a, rejections);
    if (!rc) {
      char n[32];
      snprintf(n, sizeof n, "%zu", rejections->rejections.n);
      rc = exec_feed_update(st, "UPDATE feed SET n_rejected = CAST(?3 AS INTEGER) WHERE id = ?1",
                            feed_id, n);
    }
  }
  if (own_tx) {
    if (!rc)
      rc = sk_store_commit(st);
    if (rc)
      sk_store_rollback(st);
  }
  return rc;
}

int ix_apply_record_unchanged(struct sk_store *st, const char *feed_id,
                              struct ix_apply_stats *stats) {
  int rc = exec_feed_update(st,
                            "UPDATE feed SET last_attempt = ?2, last_success = ?2, last_error = ?3,"
                            " n_unchanged = n_records, n_new = 0, n_changed = 0, n_withdrawn = 0"
                            " WHERE id = ?1",
                            feed_id, NULL);
  if (stats) {
    memset(stats, 0, sizeof *stats);
    sqlite3_stmt *s = NULL;
    if (!rc && sqlite3_prepare_v2(st->db, "SELECT n_records, n_rejected FROM feed WHERE id = ?1",
                                  -1, &s, NULL) == SQLITE_OK) {
      sqlite3_bind_text(s, 1, feed_id, -1, SQLITE_STATIC);
      if (sqlite3_step(s) == SQLITE_ROW) {
        stats->n_records = stats->n_unchanged = (long)sqlite3_column_int64(s, 0);
        stats->n_rejected = (long)sqlite3_column_int64(s, 1);
      }
    }
    sqlite3_finalize(s);
  }
  return rc;
}

/* The acceptance lives in meta ("feed_accept_shrink:<id>" = when), so it
 * needs no schema change and is used up in the transaction that applies. */

int ix_apply_accept_shrink(struct sk_store *st, const char *feed_id) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM feed WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, feed_id, -1, SQLITE_STATIC);
  int found = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_finalize(s);
  if (!found)
    return SK_ENOTFOUND;
  char key[160], now[32]; /* feed ids are at most 64 bytes (ix_registry.h) */
  snprintf(key, sizeof key, ACCEPT_KEY_FMT, feed_id);
  sk_now_iso(now);
  if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &s,
                         NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}
