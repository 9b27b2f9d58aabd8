/* The searcher's in-memory snapshot of the store: one compact record per
 * active offering (filters and facets run on these, not in SQL), the index
 * vocabulary with a trigram index (typos, compounds) and organisations. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_search_int.h"

/* ---- arena ---- */
struct sk_arena_block {
  struct sk_arena_block *next;
  size_t used, cap;
  max_align_t data[];
};

#define ARENA_BLOCK 65536

void *sk_arena_alloc(struct sk_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (n == 0)
    n = 16;
  struct sk_arena_block *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
    struct sk_arena_block *nb = malloc(sizeof *nb + cap);
    if (!nb)
      return NULL;
    nb->used = 0;
    nb->cap = cap;
    if (cap == n && b) { /* a big one: keep the current block for small ones */
      nb->next = b->next;
      b->next = nb;
    } else {
      nb->next = b;
      a->head = nb;
    }
    b = nb;
  }
  void *p = (char *)b->data + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *sk_arena_strndup(struct sk_arena *a, const char *s, size_t n) {
  if (!s)
    return NULL;
  char *p = sk_arena_alloc(a, n + 1);
  if (p)
    memcpy(p, s, n);
  return p;
}

char *sk_arena_strdup(struct sk_arena *a, const char *s) {
  return s ? sk_arena_strndup(a, s, strlen(s)) : NULL;
}

void sk_arena_free(struct sk_arena *a) {
  struct sk_arena_block *b = a->head;
  while (b) {
    struct sk_arena_block *n = b->next;
    free(b);
    b = n;
  }
  a->head = NULL;
}

/* ---- time ---- */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

int32_t sks_day_from_iso(const char *iso) {
  if (!iso)
    return -1;
  int y, m, d;
  if (strlen(iso) < 10 || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 ||
      d > 31)
    return -1;
  return (int32_t)days_from_civil(y, (unsigned)m, (unsigned)d);
}

/* Last Sunday of a month, 01:00 UTC: when EU summer time starts/ends. */
static int64_t eu_switch(int64_t year, unsigned month) {
  int64_t last = days_from_civil(year, month, 31);
  int64_t wd = (last + 4) % 7; /* 1970-01-01 was a Thursday: 0 = Sunday */
  if (wd < 0)
    wd += 7;
  return (last - wd) * 86400 + 3600;
}

void sks_local_time(int64_t t, int *weekday, int *minutes) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  /* civil year of t (good enough: the switch dates are far from New Year) */
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  if (mp >= 10)
    y++;
  int64_t off = 3600;
  if (t >= eu_switch(y, 3) && t < eu_switch(y, 10))
    off = 7200;
  int64_t lt = t + off;
  int64_t ld = lt >= 0 ? lt / 86400 : (lt - 86399) / 86400;
  int64_t wd = (ld + 3) % 7; /* 0 = Monday */
  if (wd < 0)
    wd += 7;
  *weekday = (int)wd + 1;
  *minutes = (int)((lt - ld * 86400) / 60);
}

/* ---- loading ---- */
static int bit_of(const struct sks_vocab *v, const char *code) {
  if (!code)
    return -1;
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->terms[i]->code, code) == 0)
      return (int)i;
  return -1;
}

static int hhmm(const char *s) {
  int h, m;
  if (!s || sscanf(s, "%2d:%2d", &h, &m) != 2 || h < 0 || h > 24 || m < 0 || m > 59)
    return -1;
  return h * 60 + m;
}

static void need_set(struct sks_needmask *m, int bit) {
  if (bit >= 0 && bit < SKS_MAX_NEEDS)
    m->w[bit / 64] |= (uint64_t)1 << (bit % 64);
}

static int need_has(const struct sks_needmask *m, int bit) {
  return (m->w[bit / 64] >> (bit % 64)) & 1;
}

static int word_cmp(const void *a, const void *b) {
  const struct sks_word *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->w, y->w, n);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

int sks_word_find(const struct sks_snap *sn, const char *w, size_t len) {
  size_t lo = 0, hi = sn->n_words;
  struct sks_word key = {w, (uint32_t)len, 0};
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = word_cmp(&sn->words[mid], &key);
    if (c == 0)
      return (int)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

int sks_word_prefix_exists(const struct sks_snap *sn, const char *w, size_t len) {
  size_t lo = 0, hi = sn->n_words;
  struct sks_word key = {w, (uint32_t)len, 0};
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (word_cmp(&sn->words[mid], &key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < sn->n_words && sn->words[lo].len >= len && memcmp(sn->words[lo].w, w, len) == 0;
}

static uint32_t tri_hash(const char *p) {
  uint32_t h = (uint8_t)p[0] * 2654435761u ^ (uint8_t)p[1] * 40503u ^ (uint8_t)p[2];
  return (h ^ (h >> 16)) & (SKS_TRI_BUCKETS - 1);
}

static int load_vocab(struct sk_searcher *s, struct sks_snap *sn) {
  sqlite3_stmt *q = NULL;
  /* Words of 2..40 bytes that are letters (digits alone are no use for
   * typos or compounds). */
  if (sqlite3_prepare_v2(
          s->st->db, "SELECT term, doc FROM search_words_vocab WHERE length(term) BETWEEN 2 AND 40",
          -1, &q, NULL) != SQLITE_OK)
    return SK_EDB;
  size_t cap = 1024;
  sn->words = malloc(cap * sizeof *sn->words);
  if (!sn->words) {
    sqlite3_finalize(q);
    return SK_ENOMEM;
  }
  int step;
  while ((step = sqlite3_step(q)) == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(q, 0);
    int n = sqlite3_column_bytes(q, 0);
    if (!t || n < 2)
      continue;
    if (sn->n_words == cap) {
      cap *= 2;
      struct sks_word *nw = realloc(sn->words, cap * sizeof *nw);
      if (!nw) {
        sqlite3_finalize(q);
        return SK_ENOMEM;
      }
      sn->words = nw;
    }
    char *w = sk_arena_strndup(&sn->arena, t, (size_t)n);
    if (!w) {
      sqlite3_finalize(q);
      return SK_ENOMEM;
    }
    sn->words[sn->n_words++] = (struct sks_word){w, (uint32_t)n,
                                                 (uint32_t)sqlite3_column_int(q, 1)};
  }
  sqlite3_finalize(q);
  if (step != SQLITE_DONE)
    return SK_EDB;
  qsort(sn->words, sn->n_words, sizeof *sn->words,
        word_cmp); /* fts5vocab order is bytewise already */
  /* trigram buckets: counting pass, then fill */
  sn->tri_off = calloc(SKS_TRI_BUCKETS + 1, sizeof *sn->tri_off);
  if (!sn->tri_off)
    return SK_ENOMEM;
  size_t total = 0;
  for (size_t i = 0; i < sn->n_words; i++)
    for (uint32_t k = 0; k + 3 <= sn->words[i].len; k++) {
      sn->tri_off[tri_hash(sn->words[i].w + k) + 1]++;
      total++;
    }
  for (size_t b = 0; b < SKS_TRI_BUCKETS; b++)
    sn->tri_off[b + 1] += sn->tri_off[b];
  sn->tri_ids = malloc((total ? total : 1) * sizeof *sn->tri_ids);
  uint32_t *fill = malloc(SKS_TRI_BUCKETS * sizeof *fill);
  if (!sn->tri_ids || !fill) {
    free(fill);
    return SK_ENOMEM;
  }
  memcpy(fill, sn->tri_off, SKS_TRI_BUCKETS * sizeof *fill);
  for (size_t i = 0; i < sn->n_words; i++)
    for (uint32_t k = 0; k + 3 <= sn->words[i].len; k++) {
      uint32_t b = tri_hash(sn->words[i].w + k);
      /* one entry per word per bucket */
      if (fill[b] > sn->tri_off[b] && sn->tri_ids[fill[b] - 1] == (uint32_t)i)
        continue;
      sn->tri_ids[fill[b]++] = (uint32_t)i;
    }
  /* buckets may hold fewer than counted (duplicates skipped): mark the
   * unused tail with an impossible id */
  for (size_t b = 0; b < SKS_TRI_BUCKETS; b++)
    for (uint32_t k = fill[b]; k < sn->tri_off[b + 1]; k++)
      sn->tri_ids[k] = UINT32_MAX;
  free(fill);
  return SK_OK;
}

uint32_t sks_tri_bucket(const char *p) { return tri_hash(p); }

static int load_orgs(struct sk_searcher *s, struct sks_snap *sn) {
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(
          s->st->db,
          "SELECT id, name FROM organization o WHERE status = 'active' AND EXISTS "
          "(SELECT 1 FROM service s WHERE s.organization_rid = o.rid AND s.status = 'active') "
          "ORDER BY name LIMIT 200000",
          -1, &q, NULL) != SQLITE_OK)
    return SK_EDB;
  size_t cap = 64;
  sn->orgs = malloc(cap * sizeof *sn->orgs);
  int rc = sn->orgs ? SK_OK : SK_ENOMEM;
  struct sk_buf f;
  sk_buf_init(&f, 4096);
  while (!rc && sqlite3_step(q) == SQLITE_ROW) {
    const char *id = (const char *)sqlite3_column_text(q, 0);
    const char *name = (const char *)sqlite3_column_text(q, 1);
    if (!id || !name || strlen(id) >= SK_UUID_LEN)
      continue;
    if (sn->n_orgs == cap) {
      cap *= 2;
      void *n = realloc(sn->orgs, cap * sizeof *sn->orgs);
      if (!n) {
        rc = SK_ENOMEM;
        break;
      }
      sn->orgs = n;
    }
    sk_buf_reset(&f);
    if (sk_fold(name, strlen(name), &f)) {
      sk_buf_init(&f, 4096);
      continue;
    }
    sn->orgs[sn->n_orgs].name = sk_arena_strdup(&sn->arena, name);
    sn->orgs[sn->n_orgs].folded = sk_arena_strdup(&sn->arena, sk_buf_str(&f));
    if (!sn->orgs[sn->n_orgs].name || !sn->orgs[sn->n_orgs].folded)
      rc = SK_ENOMEM;
    snprintf(sn->orgs[sn->n_orgs].id, SK_UUID_LEN, "%s", id);
    sn->n_orgs++;
  }
  sk_buf_free(&f);
  sqlite3_finalize(q);
  return rc;
}

/* Prepare, bind nothing, iterate: a tiny helper for the loading queries. */
static sqlite3_stmt *prep(struct sk_searcher *s, const char *sql) {
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(s->st->db, sql, -1, &q, NULL) != SQLITE_OK)
    return NULL;
  return q;
}

static struct sks_doc *doc_at(struct sks_snap *sn, sqlite3_int64 rid) {
  if (rid <= 0 || rid >= sn->n_docs_cap || !sn->docs[rid].flags)
    return NULL;
  return &sn->docs[rid];
}

/* What a snapshot was read from, comparable between connections (PRAGMA
 * data_version is not): the full-text index's structure record changes
 * with every write to it (every offering the indexer stores is
 * re-indexed), plus the newest rows of the tables the indexer may change
 * without re-indexing an offering (occurrences, hours, phones). Used only
 * when a new searcher joins a snapshot that other searchers already hold. */
static int fingerprint(sqlite3 *db, uint64_t *out) {
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT (SELECT block FROM search_fts_data WHERE id = 10), "
                         "(SELECT max(rowid) FROM occurrence), (SELECT max(rowid) FROM schedule), "
                         "(SELECT max(rowid) FROM phone), (SELECT max(rid) FROM service), "
                         "(SELECT max(rid) FROM organization)",
                         -1, &q, NULL) != SQLITE_OK)
    return SK_EDB;
  uint64_t h = 1469598103934665603ull;
  if (sqlite3_step(q) == SQLITE_ROW) {
    const uint8_t *b = sqlite3_column_blob(q, 0);
    int n = sqlite3_column_bytes(q, 0);
    for (int i = 0; b && i < n; i++)
      h = (h ^ b[i]) * 1099511628211ull;
    for (int c = 1; c < 6; c++) {
      uint64_t v = (uint64_t)sqlite3_column_int64(q, c);
      for (int k = 0; k < 8; k++)
        h = (h ^ ((v >> (8 * k)) & 0xff)) * 1099511628211ull;
    }
  }
  int rc = sqlite3_finalize(q) == SQLITE_OK ? SK_OK : SK_EDB;
  *out = h;
  return rc;
}

int sks_snap_load(struct sk_searcher *s, struct sks_snap **out) {
  *out = NULL;
  struct sks_snap *sn = calloc(1, sizeof *sn);
  if (!sn)
    return SK_ENOMEM;
  int rc = SK_EDB;
  sqlite3_stmt *q = NULL;
  if (sk_store_exec(s->st, "BEGIN"))
    goto fail;
  sqlite3_int64 max_rid = 0;
  if (!(q = prep(s, "SELECT coalesce(max(rid), 0) FROM service")) || sqlite3_step(q) != SQLITE_ROW)
    goto fail;
  max_rid = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  q = NULL;
  if (max_rid >= UINT32_MAX - 1) {
    rc = SK_ETOOBIG;
    goto fail;
  }
  sn->n_docs_cap = (uint32_t)max_rid + 1;
  sn->docs = calloc(sn->n_docs_cap, sizeof *sn->docs);
  rc = SK_ENOMEM;
  if (!sn->docs)
    goto fail;
  rc = SK_EDB;
  /* Assured: the later of the partner's assured_date and a confirmation over
   * the verification link. An entry left unconfirmed too long
   * (verify_hidden, core/portal/sk_verify.c) is not searchable. */
  if (!(q = prep(s,
                 "SELECT s.rid, s.kind, s.min_age, s.max_age,"
                 " nullif(max(coalesce(s.assured_date, ''), coalesce(s.confirmed_date, '')), ''),"
                 " s.organization_rid "
                 "FROM service s JOIN organization o ON o.rid = s.organization_rid "
                 "WHERE s.status = 'active' AND o.status = 'active' AND s.verify_hidden = 0")))
    goto fail;
  while (sqlite3_step(q) == SQLITE_ROW) {
    sqlite3_int64 rid = sqlite3_column_int64(q, 0);
    if (rid <= 0 || rid >= sn->n_docs_cap)
      continue;
    struct sks_doc *d = &sn->docs[rid];
    d->flags = SKS_DOC_ACTIVE;
    const char *kind = (const char *)sqlite3_column_text(q, 1);
    if (kind && strcmp(kind, "activiteit") == 0)
      d->flags |= SKS_DOC_ACTIVITY;
    d->min_age = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : (int16_t)sqlite3_column_int(q, 2);
    d->max_age = sqlite3_column_type(q, 3) == SQLITE_NULL ? -1 : (int16_t)sqlite3_column_int(q, 3);
    d->assured_day = sks_day_from_iso((const char *)sqlite3_column_text(q, 4));
    d->org = (uint32_t)sqlite3_column_int64(q, 5);
    sn->n_active++;
  }
  sqlite3_finalize(q);
  /* classification */
  if (!(q = prep(s, "SELECT service_rid, vocabulary, code FROM service_taxonomy")))
    goto fail;
  int16_t *tg_lo = calloc(sn->n_docs_cap, sizeof *tg_lo), *tg_hi = NULL;
  if (!tg_lo)
    goto fail;
  tg_hi = calloc(sn->n_docs_cap, sizeof *tg_hi);
  if (!tg_hi) {
    free(tg_lo);
    goto fail;
  }
  for (uint32_t i = 0; i < sn->n_docs_cap; i++)
    tg_lo[i] = 999, tg_hi[i] = -2;
  while (sqlite3_step(q) == SQLITE_ROW) {
    struct sks_doc *d = doc_at(sn, sqlite3_column_int64(q, 0));
    const char *voc = (const char *)sqlite3_column_text(q, 1);
    const char *code = (const char *)sqlite3_column_text(q, 2);
    if (!d || !voc || !code)
      continue;
    int b;
    if (strcmp(voc, "need") == 0) {
      /* the need and every ancestor */
      const char *c = code;
      for (int depth = 0; c && depth < 8; depth++) {
        if ((b = bit_of(&s->need, c)) < 0)
          break;
        need_set(&d->needs, b);
        if (s->need.terms[b]->crisis)
          d->flags |= SKS_DOC_CRISIS;
        c = s->need.terms[b]->parent_code;
      }
    } else if (strcmp(voc, "target_group") == 0 && (b = bit_of(&s->tg, code)) >= 0) {
      d->tg |= (uint16_t)(1u << b);
      const struct sk_term *t = s->tg.terms[b];
      uint32_t rid = (uint32_t)(d - sn->docs);
      int lo = t->min_age >= 0 ? t->min_age : 0, hi = t->max_age >= 0 ? t->max_age : 999;
      if (t->min_age < 0 && t->max_age < 0)
        lo = 0, hi = 999;
      if (lo < tg_lo[rid])
        tg_lo[rid] = (int16_t)lo;
      if (hi > tg_hi[rid])
        tg_hi[rid] = (int16_t)hi;
    } else if (strcmp(voc, "access") == 0 && (b = bit_of(&s->access, code)) >= 0) {
      d->access |= (uint8_t)(1u << b);
    } else if (strcmp(voc, "cost") == 0 && (b = bit_of(&s->cost, code)) >= 0) {
      d->cost |= (uint8_t)(1u << b);
    } else if (strcmp(voc, "law") == 0 && (b = bit_of(&s->law, code)) >= 0) {
      d->laws |= (uint16_t)(1u << b);
    }
  }
  sqlite3_finalize(q);
  q = NULL;
  /* An offering without its own ages takes the span of its target groups
   * ("Jongeren (12-17)"), so an age filter of 40 leaves it out. */
  for (uint32_t i = 0; i < sn->n_docs_cap; i++) {
    struct sks_doc *d = &sn->docs[i];
    if (!d->flags || d->min_age >= 0 || d->max_age >= 0 || tg_hi[i] < -1)
      continue;
    if (tg_lo[i] > 0)
      d->min_age = tg_lo[i];
    if (tg_hi[i] < 999)
      d->max_age = tg_hi[i];
  }
  free(tg_lo);
  free(tg_hi);
  /* areas, with the age rules for one municipality */
  if (!(q = prep(s, "SELECT service_rid, area_code, min_age, max_age FROM service_area "
                    "ORDER BY service_rid")))
    goto fail;
  size_t rcap = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    struct sks_doc *d = doc_at(sn, sqlite3_column_int64(q, 0));
    int b = bit_of(&s->area, (const char *)sqlite3_column_text(q, 1));
    if (!d || b < 0)
      continue;
    d->areas |= (uint16_t)(1u << b);
    if (sqlite3_column_type(q, 2) == SQLITE_NULL && sqlite3_column_type(q, 3) == SQLITE_NULL)
      continue;
    if (sn->n_rules == rcap) {
      rcap = rcap ? rcap * 2 : 64;
      void *n = realloc(sn->rules, rcap * sizeof *sn->rules);
      if (!n) {
        rc = SK_ENOMEM;
        goto fail;
      }
      sn->rules = n;
    }
    if (!d->n_rules)
      d->rule_off = (uint32_t)sn->n_rules;
    else if (d->rule_off + d->n_rules != sn->n_rules)
      continue; /* not contiguous (cannot happen with ORDER BY) */
    sn->rules[sn->n_rules++] = (struct sks_rule){
        (uint8_t)b,
        sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : (int16_t)sqlite3_column_int(q, 2),
        sqlite3_column_type(q, 3) == SQLITE_NULL ? -1 : (int16_t)sqlite3_column_int(q, 3)};
    d->n_rules++;
  }
  sqlite3_finalize(q);
  q = NULL;
  /* opening hours */
  if (!(q = prep(
            s,
            "SELECT service_rid, weekday, opens_at, closes_at, valid_from, valid_to FROM schedule "
            "WHERE service_rid IS NOT NULL ORDER BY service_rid")))
    goto fail;
  size_t hcap = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    struct sks_doc *d = doc_at(sn, sqlite3_column_int64(q, 0));
    int wd = sqlite3_column_int(q, 1);
    int o = hhmm((const char *)sqlite3_column_text(q, 2));
    int c = hhmm((const char *)sqlite3_column_text(q, 3));
    if (!d || wd < 1 || wd > 7 || o < 0 || c < 0 || d->n_hours == UINT16_MAX)
      continue;
    if (sn->n_hours == hcap) {
      hcap = hcap ? hcap * 2 : 256;
      void *n = realloc(sn->hours, hcap * sizeof *sn->hours);
      if (!n) {
        rc = SK_ENOMEM;
        goto fail;
      }
      sn->hours = n;
    }
    if (!d->n_hours)
      d->hours_off = (uint32_t)sn->n_hours;
    else if (d->hours_off + d->n_hours != sn->n_hours)
      continue;
    const char *vf = (const char *)sqlite3_column_text(q, 4),
               *vt = (const char *)sqlite3_column_text(q, 5);
    sn->hours[sn->n_hours++] = (struct sks_hours){(uint8_t)wd, (uint16_t)o, (uint16_t)c,
                                                  vf ? sks_day_from_iso(vf) : -1,
                                                  vt ? sks_day_from_iso(vt) : -1};
    d->n_hours++;
  }
  sqlite3_finalize(q);
  q = NULL;
  /* occurrences (the indexer keeps only a window of them) */
  if (!(q = prep(s, "SELECT service_rid, start_utc, coalesce(end_utc, start_utc) FROM occurrence "
                    "WHERE cancelled = 0 ORDER BY service_rid, start_utc")))
    goto fail;
  size_t ocap = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    struct sks_doc *d = doc_at(sn, sqlite3_column_int64(q, 0));
    if (!d || d->n_occ == UINT16_MAX)
      continue;
    if (sn->n_occ == ocap) {
      ocap = ocap ? ocap * 2 : 256;
      void *n = realloc(sn->occ, ocap * sizeof *sn->occ);
      if (!n) {
        rc = SK_ENOMEM;
        goto fail;
      }
      sn->occ = n;
    }
    if (!d->n_occ)
      d->occ_off = (uint32_t)sn->n_occ;
    else if (d->occ_off + d->n_occ != sn->n_occ)
      continue;
    sn->occ[sn->n_occ++] = (struct sks_occ){sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 2)};
    d->n_occ++;
  }
  sqlite3_finalize(q);
  q = NULL;
  /* a place: the first location with coordinates, else the centroid of
   * the offering's first municipality */
  if (!(q = prep(s, "SELECT sl.service_rid, l.latitude, l.longitude FROM service_at_location sl "
                    "JOIN location l ON l.rid = sl.location_rid "
                    "WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL")))
    goto fail;
  while (sqlite3_step(q) == SQLITE_ROW) {
    struct sks_doc *d = doc_at(sn, sqlite3_column_int64(q, 0));
    if (!d || (d->flags & SKS_DOC_HAS_POINT))
      continue;
    d->lat = (float)sqlite3_column_double(q, 1);
    d->lon = (float)sqlite3_column_double(q, 2);
    d->flags |= SKS_DOC_HAS_POINT;
  }
  sqlite3_finalize(q);
  q = NULL;
  for (uint32_t i = 0; i < sn->n_docs_cap; i++) {
    struct sks_doc *d = &sn->docs[i];
    if (!d->flags || (d->flags & SKS_DOC_HAS_POINT))
      continue;
    for (size_t b = 0; b < s->area.n; b++)
      if ((d->areas >> b & 1) && s->area.terms[b]->vocab == SK_VOCAB_MUNICIPALITY &&
          (s->area.terms[b]->lat != 0 || s->area.terms[b]->lon != 0)) {
        d->lat = (float)s->area.terms[b]->lat;
        d->lon = (float)s->area.terms[b]->lon;
        d->flags |= SKS_DOC_HAS_POINT;
        break;
      }
  }
  /* crisis lines with a number to call come first */
  if (!(q = prep(s, "SELECT DISTINCT service_rid FROM phone WHERE restricted = 0 AND service_rid "
                    "IS NOT NULL")))
    goto fail;
  while (sqlite3_step(q) == SQLITE_ROW) {
    struct sks_doc *d = doc_at(sn, sqlite3_column_int64(q, 0));
    if (d)
      d->flags |= SKS_DOC_HAS_PHONE;
  }
  sqlite3_finalize(q);
  q = NULL;
  for (uint32_t i = 0; i < sn->n_docs_cap; i++)
    if (sn->docs[i].flags && s->tg_pro && sn->docs[i].tg && !(sn->docs[i].tg & ~s->tg_pro))
      sn->docs[i].flags |= SKS_DOC_PRO_ONLY;
  /* name order, for sort=name */
  if (!(q = prep(
            s,
            "SELECT rid FROM service WHERE status = 'active' ORDER BY name COLLATE NOCASE, rid")))
    goto fail;
  uint32_t rank = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    struct sks_doc *d = doc_at(sn, sqlite3_column_int64(q, 0));
    if (d)
      d->name_rank = rank++;
  }
  sqlite3_finalize(q);
  q = NULL;
  /* per need: the offerings within it */
  rc = SK_ENOMEM;
  for (size_t b = 0; b < s->need.n; b++) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < sn->n_docs_cap; i++)
      if (sn->docs[i].flags && need_has(&sn->docs[i].needs, (int)b))
        n++;
    sn->need_docs[b] = malloc((n ? n : 1) * sizeof(uint32_t));
    if (!sn->need_docs[b])
      goto fail;
    n = 0;
    for (uint32_t i = 0; i < sn->n_docs_cap; i++)
      if (sn->docs[i].flags && need_has(&sn->docs[i].needs, (int)b))
        sn->need_docs[b][n++] = i;
    sn->need_ndocs[b] = n;
  }
  if ((rc = load_vocab(s, sn)) || (rc = load_orgs(s, sn)) || (rc = sks_index_load(s->st->db, sn)) ||
      (rc = fingerprint(s->st->db, &sn->fp)))
    goto fail;
  sk_store_exec(s->st, "COMMIT");
  *out = sn;
  return SK_OK;
fail:
  sqlite3_finalize(q);
  sk_store_exec(s->st, "ROLLBACK");
  sks_snap_free(sn);
  return rc;
}

void sks_snap_free(struct sks_snap *sn) {
  if (!sn)
    return;
  free(sn->docs);
  free(sn->rules);
  free(sn->hours);
  free(sn->occ);
  for (size_t b = 0; b < SKS_MAX_NEEDS; b++)
    free(sn->need_docs[b]);
  free(sn->words);
  free(sn->tri_off);
  free(sn->tri_ids);
  free(sn->orgs);
  sks_index_free(&sn->ix);
  sk_arena_free(&sn->arena);
  free(sn);
}

/* ---- one snapshot per store and taxonomy, shared by the process ---- */
struct sks_shared {
  struct sks_shared *next;
  char *path; /* the store's file; NULL: not shared (in-memory store) */
  const struct sk_taxonomy *tax;
  int n_searchers;
  struct sks_snap *snap; /* current; holds one reference */
  uint64_t ticket;       /* last ticket handed out */
  int building;          /* a snapshot is being read (in a query or by the builder) */
  int bg_active;         /* a background builder thread exists (waiting or reading) */
  int bg_stop;           /* the last searcher left: the builder ends without building */
  time_t bg_retry;       /* a background build failed: not again before this time */
};

static double mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_built = PTHREAD_COND_INITIALIZER;
static struct sks_shared *g_shared;
static uint64_t g_serial; /* last snapshot serial handed out */

static void snap_release_locked(struct sks_snap *sn) {
  if (sn && --sn->refs == 0)
    sks_snap_free(sn);
}

static void adopt_locked(struct sk_searcher *s, struct sks_snap *sn) {
  sn->refs++;
  snap_release_locked(s->snap);
  s->snap = sn;
}

/* Publish sn, built for ticket t, as the process's snapshot (g_mu held). */
static void publish_locked(struct sks_shared *sh, struct sks_snap *sn, uint64_t t) {
  sn->ticket = t;
  sn->refs = 1; /* the process's reference */
  sn->serial = ++g_serial;
  snap_release_locked(sh->snap);
  sh->snap = sn;
}

/* Build a snapshot for ticket t on this searcher's connection (called
 * with g_mu held and nobody building; returns with g_mu held). */
static int build_locked(struct sk_searcher *s) {
  struct sks_shared *sh = s->sh;
  uint64_t t = sh->ticket;
  sh->building = 1;
  pthread_mutex_unlock(&g_mu);
  struct sks_snap *sn = NULL;
  int rc = sks_snap_load(s, &sn);
  pthread_mutex_lock(&g_mu);
  sh->building = 0;
  if (rc == SK_OK)
    publish_locked(sh, sn, t);
  pthread_cond_broadcast(&g_built);
  return rc;
}

/* ---- background builds (sk_searcher_set_background) ----
 * The builder reads the store on its own read-only connection, so the
 * searcher that saw the change goes on answering from its snapshot (a full
 * build takes about a second per 100k offerings; building it inside a
 * request made every request queued behind it wait, > 2 s during a
 * reindex).
 *
 * A reindex commits about every 100 ms (docs/indexer.md). Building after
 * each commit, paced by the last build's length, showed the end of a run
 * only after up to three builds (~25 s under load): so the builder first
 * waits until the store has been still for SKS_BG_QUIET_MS, then builds
 * once; a change that came while it read starts the wait again. A writer
 * that never pauses still gets a snapshot every SKS_BG_MAX_WAIT_MS. One
 * builder per store at a time; it lives as long as changes keep coming.
 * The shared record stays alive while it runs: the last searcher to leave
 * stops it and waits for it (sks_snap_detach). */
#define SKS_BG_QUIET_MS 1000
#define SKS_BG_MAX_WAIT_MS 30000
#define SKS_BG_POLL_MS 50

struct builder {
  struct sks_shared *sh;
  struct sk_searcher ctx; /* the fields sks_snap_load reads, over the builder's own store */
};

static int64_t builder_data_version(sqlite3_stmt *q) {
  int64_t v = -1;
  sqlite3_reset(q);
  if (sqlite3_step(q) == SQLITE_ROW)
    v = sqlite3_column_int64(q, 0);
  sqlite3_reset(q);
  return v;
}

/* Sleep ms with g_mu held (released meanwhile); wakes early on a broadcast. */
static void builder_nap_locked(int ms) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += (long)ms * 1000000L;
  ts.tv_sec += ts.tv_nsec / 1000000000L;
  ts.tv_nsec %= 1000000000L;
  pthread_cond_timedwait(&g_built, &g_mu, &ts);
}

/* Wait (g_mu held) until the store has not changed for SKS_BG_QUIET_MS, or
 * SKS_BG_MAX_WAIT_MS have passed, then until no query is reading a
 * snapshot. 0 = build now, 1 = stop. *changed: the store changed meanwhile. */
static int builder_wait_locked(struct sks_shared *sh, sqlite3_stmt *dv_q, int *changed) {
  double start = mono_now(), last = start;
  pthread_mutex_unlock(&g_mu);
  int64_t dv = builder_data_version(dv_q);
  pthread_mutex_lock(&g_mu);
  while (!sh->bg_stop) {
    double now = mono_now();
    if (now - last >= SKS_BG_QUIET_MS / 1e3 || now - start >= SKS_BG_MAX_WAIT_MS / 1e3)
      break;
    builder_nap_locked(SKS_BG_POLL_MS);
    pthread_mutex_unlock(&g_mu);
    int64_t v = builder_data_version(dv_q);
    pthread_mutex_lock(&g_mu);
    if (v != dv) {
      dv = v;
      last = mono_now();
      *changed = 1;
    }
  }
  while (sh->building && !sh->bg_stop) /* a query builds in place (after its own write) */
    pthread_cond_wait(&g_built, &g_mu);
  return sh->bg_stop;
}

static void *builder_main(void *arg) {
  struct builder *b = arg;
  struct sks_shared *sh = b->sh;
  struct sk_store *st = NULL;
  sqlite3_stmt *dv_q = NULL;
  int rc = sk_store_open(sh->path, SK_STORE_READONLY, &st, NULL, 0);
  if (rc == SK_OK) {
    sk_store_exec(st, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16384;");
    b->ctx.st = st;
    if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &dv_q, NULL) != SQLITE_OK)
      rc = SK_EDB;
  }
  pthread_mutex_lock(&g_mu);
  int changed = 1; /* a searcher saw a change: that is why we run */
  while (rc == SK_OK) {
    if (builder_wait_locked(sh, dv_q, &changed))
      break;
    /* Nothing new since the last snapshot (a query built it in place meanwhile). */
    if (!changed && sh->snap && sh->snap->ticket >= sh->ticket)
      break;
    uint64_t t = sh->ticket;
    sh->building = 1;
    pthread_mutex_unlock(&g_mu);
    int64_t dv0 = builder_data_version(dv_q);
    struct sks_snap *sn = NULL;
    rc = sks_snap_load(&b->ctx, &sn);
    int64_t dv1 = builder_data_version(dv_q);
    pthread_mutex_lock(&g_mu);
    sh->building = 0;
    if (rc == SK_OK)
      publish_locked(sh, sn, t);
    pthread_cond_broadcast(&g_built);
    /* A commit during the read, or a searcher that saw one: again. */
    changed = dv1 != dv0;
    if (!changed && sh->ticket == t)
      break;
  }
  if (rc)
    sh->bg_retry = time(NULL) + 1;
  sh->bg_active = 0;
  pthread_cond_broadcast(&g_built);
  pthread_mutex_unlock(&g_mu); /* sh may be freed from here on */
  sqlite3_finalize(dv_q);
  sk_store_close(st);
  free(b);
  return NULL;
}

/* Start a background builder for this store (g_mu held). SK_OK when one
 * runs now (the caller answers from its snapshot); else the caller builds
 * in place. */
static int builder_start_locked(struct sk_searcher *s) {
  struct sks_shared *sh = s->sh;
  if (sh->bg_active)
    return SK_OK;
  if (!sh->path || time(NULL) < sh->bg_retry)
    return SK_EINVAL;
  struct builder *b = calloc(1, sizeof *b);
  if (!b)
    return SK_ENOMEM;
  b->sh = sh;
  b->ctx.tax = s->tax;
  b->ctx.need = s->need;
  b->ctx.tg = s->tg;
  b->ctx.access = s->access;
  b->ctx.cost = s->cost;
  b->ctx.law = s->law;
  b->ctx.area = s->area;
  memcpy(b->ctx.muni_allowed, s->muni_allowed, sizeof b->ctx.muni_allowed);
  memcpy(b->ctx.muni_scopes, s->muni_scopes, sizeof b->ctx.muni_scopes);
  b->ctx.muni_bits = s->muni_bits;
  b->ctx.area_landelijk = s->area_landelijk;
  b->ctx.area_regio = s->area_regio;
  b->ctx.tg_pro = s->tg_pro;
  pthread_attr_t at;
  pthread_t th;
  int ok = pthread_attr_init(&at) == 0;
  if (ok) {
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    sh->bg_active = 1;
    ok = pthread_create(&th, &at, builder_main, b) == 0;
    pthread_attr_destroy(&at);
  }
  if (!ok) {
    sh->bg_active = 0;
    free(b);
    return SK_ENOMEM;
  }
  return SK_OK;
}

int sks_snap_attach(struct sk_searcher *s) {
  const char *path = sqlite3_db_filename(s->st->db, "main");
  uint64_t fp = 0;
  int rc = SK_OK;
  if (path && *path) {
    if (sk_store_exec(s->st, "BEGIN"))
      return SK_EDB;
    rc = fingerprint(s->st->db, &fp);
    sk_store_exec(s->st, "COMMIT");
    if (rc)
      return rc;
  }
  pthread_mutex_lock(&g_mu);
  struct sks_shared *sh = NULL;
  if (path && *path)
    for (sh = g_shared; sh; sh = sh->next)
      if (sh->tax == s->tax && !strcmp(sh->path, path))
        break;
  if (!sh) {
    sh = calloc(1, sizeof *sh);
    if (!sh || (path && *path && !(sh->path = strdup(path)))) {
      free(sh);
      pthread_mutex_unlock(&g_mu);
      return SK_ENOMEM;
    }
    sh->tax = s->tax;
    if (sh->path) {
      sh->next = g_shared;
      g_shared = sh;
    }
  }
  sh->n_searchers++;
  sh->bg_stop = 0;
  s->sh = sh;
  for (;;) {
    if (sh->snap && sh->snap->fp == fp && sh->path) {
      adopt_locked(s, sh->snap);
      break;
    }
    if (sh->building) { /* another searcher is reading it: wait for that one */
      pthread_cond_wait(&g_built, &g_mu);
      continue;
    }
    sh->ticket++;
    if ((rc = build_locked(s)))
      break;
    adopt_locked(s, sh->snap);
    break;
  }
  pthread_mutex_unlock(&g_mu);
  return rc;
}

void sks_snap_changed(struct sk_searcher *s) {
  pthread_mutex_lock(&g_mu);
  /* Always a new ticket: a want still pending from an earlier change would
   * be met by a snapshot that began before this change (search then missed
   * a reindex until the next change, 25 s in test_web_partner). */
  s->want = ++s->sh->ticket;
  pthread_mutex_unlock(&g_mu);
}

int sks_snap_update(struct sk_searcher *s, int *swapped) {
  *swapped = 0;
  if (!s->want)
    return SK_OK;
  int rc = SK_OK;
  pthread_mutex_lock(&g_mu);
  struct sks_shared *sh = s->sh;
  for (;;) {
    if (sh->snap && sh->snap->ticket >= s->want) {
      if (sh->snap != s->snap) {
        adopt_locked(s, sh->snap);
        *swapped = 1;
      }
      s->want = 0;
      break;
    }
    /* Not new enough, but newer than ours: take it meanwhile (during a
     * reindex every searcher then moves on with the same snapshots). */
    if (sh->snap && s->snap && sh->snap != s->snap && sh->snap->ticket > s->snap->ticket) {
      adopt_locked(s, sh->snap);
      *swapped = 1;
    }
    if (sh->building) {
      if (s->snap)
        break; /* answer from the one we have; the new one is on its way */
      pthread_cond_wait(&g_built, &g_mu);
      continue;
    }
    /* A background builder that is waiting for the store to be still
     * delivers it later; a query after its own write (background off)
     * builds in place, so its caller sees that write. */
    if (s->background && s->snap && builder_start_locked(s) == SK_OK)
      break;
    if ((rc = build_locked(s)))
      break;
  }
  pthread_mutex_unlock(&g_mu);
  return rc;
}

void sks_snap_detach(struct sk_searcher *s) {
  if (!s->sh) {
    sks_snap_free(s->snap); /* never attached: a private one, if any */
    s->snap = NULL;
    return;
  }
  pthread_mutex_lock(&g_mu);
  snap_release_locked(s->snap);
  s->snap = NULL;
  struct sks_shared *sh = s->sh;
  if (--sh->n_searchers == 0) {
    sh->bg_stop = 1; /* a waiting builder ends now; a reading one after its read */
    pthread_cond_broadcast(&g_built);
    while (sh->bg_active)
      pthread_cond_wait(&g_built, &g_mu);
  }
  if (sh->n_searchers == 0) {
    snap_release_locked(sh->snap);
    for (struct sks_shared **p = &g_shared; *p; p = &(*p)->next)
      if (*p == sh) {
        *p = sh->next;
        break;
      }
    free(sh->path);
    free(sh);
  }
  s->sh = NULL;
  pthread_mutex_unlock(&g_mu);
}
