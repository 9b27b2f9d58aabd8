/* The searcher: its vocabularies as bits, prepared statements, scratch
 * by rid, and the move to a newer snapshot when the store changed. */
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_search_stages.h"
#include "sk_spell.h"

static void vocab_fill(struct sks_vocab *v, const struct sk_taxonomy *tax, enum sk_vocab which,
                       size_t max) {
  for (size_t i = 0; i < tax->n_terms && v->n < max; i++)
    if (tax->terms[i].vocab == which)
      v->terms[v->n++] = &tax->terms[i];
}

int sks_vbit(const struct sks_vocab *v, const char *code) {
  if (!code)
    return -1;
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->terms[i]->code, code) == 0)
      return (int)i;
  return -1;
}

static int64_t data_version(struct sk_searcher *s) {
  sqlite3_stmt *q = s->stmt[ST_DV];
  int64_t v = -1;
  sqlite3_reset(q);
  if (sqlite3_step(q) == SQLITE_ROW)
    v = sqlite3_column_int64(q, 0);
  sqlite3_reset(q);
  return v;
}

static void scratch_free(struct sk_searcher *s) {
  free(s->stamp);
  free(s->acc);
  free(s->nreq);
  free(s->mark);
  free(s->g_stamp);
  free(s->g_acc);
  free(s->g_list);
  free(s->p_stamp);
  free(s->p_wf);
  free(s->p_cnt);
  free(s->p_list);
  free(s->c_bits);
  s->c_bits = NULL;
  free(s->pr_c);
  free(s->pr_sc);
  free(s->pr_tw);
  free(s->pr_pw);
  free(s->pr_hit);
  free(s->pr_cnt);
  free(s->pr_l0);
  free(s->pr_l1);
  s->pr_c = s->pr_l0 = s->pr_l1 = NULL;
  s->pr_sc = s->pr_tw = s->pr_pw = NULL;
  s->pr_hit = s->pr_cnt = NULL;
  s->pr_cap = 0;
  s->stamp = s->g_stamp = s->p_stamp = s->g_list = s->p_list = NULL;
  s->acc = s->g_acc = s->p_wf = NULL;
  s->nreq = s->mark = s->p_cnt = NULL;
}

static int scratch_fit(struct sk_searcher *s) {
  uint32_t need = s->snap->n_docs_cap;
  if (need <= s->scratch_cap)
    return SK_OK;
  scratch_free(s);
  s->stamp = calloc(need, sizeof *s->stamp);
  s->acc = calloc(need, sizeof *s->acc);
  s->nreq = calloc(need, sizeof *s->nreq);
  s->mark = calloc(need, sizeof *s->mark);
  s->g_stamp = calloc(need, sizeof *s->g_stamp);
  s->g_acc = calloc(need, sizeof *s->g_acc);
  s->g_list = calloc(need, sizeof *s->g_list);
  s->p_stamp = calloc(need, sizeof *s->p_stamp);
  s->p_wf = calloc(need, sizeof *s->p_wf);
  s->p_cnt = calloc(need, sizeof *s->p_cnt);
  s->p_list = calloc(need, sizeof *s->p_list);
  s->c_bits = calloc(need / 64 + 1, sizeof *s->c_bits);
  s->gen = s->g_gen = s->p_gen = 0;
  if (!s->stamp || !s->acc || !s->nreq || !s->mark || !s->g_stamp || !s->g_acc || !s->g_list ||
      !s->p_stamp || !s->p_wf || !s->p_cnt || !s->p_list || !s->c_bits) {
    s->scratch_cap = 0;
    return SK_ENOMEM;
  }
  s->scratch_cap = need;
  return SK_OK;
}

/* Use a newer snapshot when the store changed since ours was made: the
 * process's shared one when it is new enough, else build it (or, while
 * another searcher builds it, answer from ours in the meantime). */
int sks_refresh(struct sk_searcher *s) {
  int64_t dv = data_version(s);
  long long tc = sqlite3_total_changes64(s->st->db);
  if (dv != s->data_version || tc != s->total_changes) {
    s->data_version = dv;
    s->total_changes = tc;
    sks_snap_changed(s);
  }
  int swapped = 0;
  int rc = sks_snap_update(s, &swapped);
  if (rc)
    return rc;
  if (swapped)
    sks_cache_clear(s);
  return scratch_fit(s);
}

uint64_t sk_searcher_generation(struct sk_searcher *s) {
  if (!s || sks_refresh(s) != SK_OK || !s->snap)
    return 0;
  return s->snap->serial;
}

void sk_searcher_set_background(struct sk_searcher *s, int on) {
  if (s)
    s->background = on != 0;
}

static const char *const stmt_sql[ST_COUNT] = {
    /* ST_ITEM */
    "SELECT s.id, s.kind, s.name, s.summary, s.url, s.min_age, s.max_age, s.assured_date, "
    "s.referral_contact, o.id, o.name, s.description FROM service s "
    "JOIN organization o ON o.rid = s.organization_rid WHERE s.rid = ?1",
    /* ST_TAX */
    "SELECT vocabulary, code FROM service_taxonomy WHERE service_rid = ?1",
    /* ST_AREA */
    "SELECT area_code, note FROM service_area WHERE service_rid = ?1",
    /* ST_PHONE */
    "SELECT number, description, restricted FROM phone WHERE service_rid = ?1 ORDER BY rid LIMIT 8",
    /* ST_NEXT */
    "SELECT starts_at, start_utc FROM occurrence WHERE service_rid = ?1 AND cancelled = 0 "
    "AND coalesce(end_utc, start_utc) >= ?2 ORDER BY start_utc LIMIT 1",
    /* ST_ORG */
    "SELECT rid FROM organization WHERE id = ?1",
    /* ST_SUGGEST */
    "SELECT s.id, s.name FROM search_fts f JOIN service s ON s.rid = f.rowid "
    "WHERE search_fts MATCH ?1 ORDER BY rank LIMIT ?2",
    /* ST_DV */
    "PRAGMA data_version",
};

struct sk_searcher *sk_searcher_new(struct sk_store *st, const struct sk_taxonomy *tax) {
  if (!st || !tax)
    return NULL;
  struct sk_searcher *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->st = st;
  s->tax = tax;
  sks_spell_init(); /* once per process; search works without it */
  /* sk_taxonomy_load refused anything larger, so no term is dropped here. */
  vocab_fill(&s->need, tax, SK_VOCAB_NEED, SKS_MAX_NEEDS);
  vocab_fill(&s->tg, tax, SK_VOCAB_TARGET_GROUP, SKS_MAX_SMALL);
  vocab_fill(&s->access, tax, SK_VOCAB_ACCESS, SK_TAXONOMY_MAX_CHOICES);
  vocab_fill(&s->cost, tax, SK_VOCAB_COST, SK_TAXONOMY_MAX_CHOICES);
  vocab_fill(&s->law, tax, SK_VOCAB_LAW, SKS_MAX_SMALL);
  vocab_fill(&s->area, tax, SK_VOCAB_MUNICIPALITY, SKS_MAX_SMALL);
  vocab_fill(&s->area, tax, SK_VOCAB_SCOPE, SKS_MAX_SMALL);
  /* each need's top-level need, once: the family of a crisis and the
   * sense of a word are read from it per query */
  for (size_t b = 0; b < s->need.n; b++) {
    size_t t = b;
    for (int depth = 0; depth < 8 && s->need.terms[t]->parent_code; depth++) {
      size_t p = 0;
      while (p < s->need.n && strcmp(s->need.terms[p]->code, s->need.terms[t]->parent_code) != 0)
        p++;
      if (p == s->need.n)
        break;
      t = p;
    }
    s->need_top[b] = (uint8_t)t;
  }
  for (size_t i = 0; i < s->tg.n; i++)
    if (s->tg.terms[i]->professional_only)
      s->tg_pro |= (uint16_t)(1u << i);
  s->area_regio = sks_vbit(&s->area, "regio");
  s->area_landelijk = sks_vbit(&s->area, "landelijk");
  /* Who serves a municipality: itself, its scopes, the region, the country. */
  for (size_t i = 0; i < s->area.n; i++) {
    const struct sk_term *t = s->area.terms[i];
    if (t->vocab != SK_VOCAB_MUNICIPALITY)
      continue;
    uint16_t m = (uint16_t)(1u << i), sc = 0;
    for (size_t k = 0; k < t->n_scopes; k++) {
      int b = sks_vbit(&s->area, t->scopes[k]);
      if (b >= 0)
        sc |= (uint16_t)(1u << b);
    }
    s->muni_scopes[i] = sc & (uint16_t) ~(s->area_regio >= 0 ? 1u << s->area_regio : 0u);
    m |= sc;
    if (s->area_regio >= 0)
      m |= (uint16_t)(1u << s->area_regio);
    if (s->area_landelijk >= 0)
      m |= (uint16_t)(1u << s->area_landelijk);
    s->muni_allowed[i] = m;
    s->muni_bits |= (uint16_t)(1u << i);
  }
  /* Reads go through the OS page cache (mmap) rather than pread per page;
   * a modest private cache keeps the server's memory budget. */
  sk_store_exec(st, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16384;");
  s->stem = sk_stemmer_new();
  s->rcache = sks_rcache_new();
  /* the built-in lexicon, checked against this taxonomy (once per process) */
  s->lex = sks_lex_acquire(tax, NULL, 0);
  if (!s->rcache || !s->stem || !s->lex || sks_phrases_build(s) || sks_simwords_build(s))
    goto fail;
  for (size_t i = 0; i < ST_COUNT; i++)
    if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) !=
        SQLITE_OK)
      goto fail;
  s->data_version = data_version(s);
  s->total_changes = sqlite3_total_changes64(st->db);
  if (sks_snap_attach(s) || scratch_fit(s))
    goto fail;
  /* crisis patterns: the store's copy (sk_crisis_save at index time); a
   * store without one keeps the taxonomy's crisis needs. A copy that
   * cannot be read fails the searcher rather than search without it. */
  char cerr[256];
  int crc = sk_crisis_from_store(st, &s->crisis, cerr, sizeof cerr);
  if (crc && crc != SK_ENOTFOUND)
    goto fail;
  return s;
fail:
  sk_searcher_free(s);
  return NULL;
}

void sk_searcher_free(struct sk_searcher *s) {
  if (!s)
    return;
  sk_crisis_free(s->crisis);
  for (size_t i = 0; i < ST_COUNT; i++)
    sqlite3_finalize(s->stmt[i]);
  sks_cache_clear(s);
  free(s->rcache);
  sks_snap_detach(s);
  sks_simwords_free(s);
  sks_phrases_free(s);
  sks_lex_release(s->lex);
  sk_stemmer_free(s->stem);
  scratch_free(s);
  free(s->touched);
  free(s->tri_count);
  free(s->tri_touched);
  free(s);
}

/* ------------------------------------------------------------------ */
