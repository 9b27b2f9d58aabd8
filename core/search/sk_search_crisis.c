/* The crisis block over a crisis query's list: the lines sk_crisis
 * (core/crisis) names for the kinds recognised in the query, each the
 * store's offering when it has it, else the line as the data file has it;
 * for a store without crisis data, the offerings of the taxonomy's crisis
 * needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_search_stages.h"

/* The crisis lines for a crisis query: those with a number to call first
 * (a line one cannot phone is no help in a crisis), then by relevance to
 * the words of the query (bm25, as in the list) and sks_locality, then name. */
static int crisis_lines(struct render_ctx *rc, const struct analysis *an,
                        struct sk_search_result *r) {
  struct sk_searcher *s = rc->s;
  const struct sks_snap *sn = s->snap;
  struct cand best[3];
  size_t nb = 0;
  int m = rc->f->muni >= 0 ? rc->f->muni : rc->f->pref;
  /* text relevance of the crisis offerings: stamp them, then add the
   * scores of every word group of the query */
  if (++s->p_gen == 0) {
    memset(s->p_stamp, 0, s->scratch_cap * sizeof *s->p_stamp);
    s->p_gen = 1;
  }
  for (size_t k = 0; k < an->n_need; k++) {
    int b = an->need_concepts[k];
    if (!s->need.terms[b]->crisis)
      continue;
    for (uint32_t i = 0; i < sn->need_ndocs[b]; i++) {
      uint32_t rid = sn->need_docs[b][i];
      s->p_stamp[rid] = s->p_gen;
      s->p_wf[rid] = 0;
    }
  }
  const struct sks_group *groups[3] = {an->req, an->opt, an->boost};
  size_t ng[3] = {an->n_req, an->n_opt, an->n_boost};
  for (int g = 0; g < 3; g++)
    for (size_t k = 0; k < ng[g]; k++) {
      const struct sks_post *p;
      int e = sks_postings(s, &groups[g][k], &p);
      if (e)
        return e;
      for (uint32_t i = 0; i < p->n; i++)
        if (s->p_stamp[p->rid[i]] == s->p_gen)
          s->p_wf[p->rid[i]] += p->score[i];
    }
  for (size_t k = 0; k < an->n_need; k++) {
    int b = an->need_concepts[k];
    if (!s->need.terms[b]->crisis)
      continue;
    for (uint32_t i = 0; i < sn->need_ndocs[b]; i++) {
      uint32_t rid = sn->need_docs[b][i];
      const struct sks_doc *d = &sn->docs[rid];
      if ((d->flags & SKS_DOC_PRO_ONLY) && !rc->f->pro_ok)
        continue; /* a line for professionals (the meldcode consult) is no line for a resident */
      double rel = (1.0 + s->p_wf[rid]) * sks_locality(s, d, m);
      struct cand c = {rid, (float)rel,
                       ((d->flags & SKS_DOC_HAS_PHONE) ? 0 : 1e9) - rel * 1e3 +
                           d->name_rank * 1e-9};
      int dup = 0;
      for (size_t j = 0; j < nb; j++)
        dup |= best[j].rid == rid;
      if (!dup)
        sks_heap_push(best, &nb, 3, c);
    }
  }
  qsort(best, nb, sizeof *best, sks_cand_cmp);
  r->crisis_lines = sk_arena_alloc(sks_result_arena(r), (nb ? nb : 1) * sizeof *r->crisis_lines);
  if (!r->crisis_lines)
    return SK_ENOMEM;
  for (size_t i = 0; i < nb; i++) {
    int e = sks_render_item(rc, best[i].rid, 0, &r->crisis_lines[r->n_crisis_lines]);
    if (e == SK_OK)
      r->n_crisis_lines++;
    else if (e != SK_ENOTFOUND)
      return e;
  }
  return SK_OK;
}

/* ---- the crisis block decided by sk_crisis (core/crisis) ---- */

/* A crisis recognised in the resident's own words ("ik wil dood") names no
 * need, so the list under the crisis block was whatever the words matched
 * (a volunteer for the last phase of life, an education desk). Add the
 * taxonomy's crisis needs of the recognised kinds as concepts, as a tile of
 * that need would: their offerings join the list and rank first (M_CRISIS). */
void sks_crisis_family(const struct sk_searcher *s, const struct sk_crisis_match *cm,
                       struct sks_needmask *out) {
  struct sks_needmask tops = {{0, 0}};
  memset(out, 0, sizeof *out);
  for (size_t b = 0; cm && cm->kinds && b < s->need.n; b++)
    if (s->need.terms[b]->crisis &&
        (sk_crisis_need_kinds(s->crisis, s->need.terms[b]->code) & cm->kinds)) {
      size_t t = s->need_top[b];
      tops.w[t >> 6] |= 1ull << (t & 63);
    }
  for (size_t b = 0; b < s->need.n; b++) {
    size_t t = s->need_top[b];
    if (tops.w[t >> 6] >> (t & 63) & 1)
      out->w[b >> 6] |= 1ull << (b & 63);
  }
}

void sks_add_crisis_needs(struct sk_searcher *s, const struct sk_crisis_match *cm,
                          struct analysis *an) {
  size_t cap = sizeof an->need_concepts / sizeof an->need_concepts[0];
  for (size_t b = 0; b < s->need.n && an->n_need < cap; b++) {
    const struct sk_term *t = s->need.terms[b];
    if (!t->crisis || !(sk_crisis_need_kinds(s->crisis, t->code) & cm->kinds))
      continue;
    int have = 0;
    for (size_t k = 0; k < an->n_need; k++)
      have |= an->need_concepts[k] == (int)b;
    if (!have)
      an->need_concepts[an->n_need++] = (int)b;
  }
}

/* The query's crisis kinds: its text as typed, and every need chosen as a
 * filter (a crisis need's tile) that the crisis data names. */
void sks_crisis_check(struct sk_searcher *s, const struct sk_search_query *q,
                      struct sk_crisis_match *cm) {
  /* SK_EINVAL only for a NULL crisis or match, which these are not */
  if (q->q && sk_crisis_check(s->crisis, q->q, strnlen(q->q, SK_SEARCH_Q_MAX), cm) != SK_OK)
    memset(cm, 0, sizeof *cm);
  for (size_t i = 0; i < q->n_needs && i < SK_SEARCH_MAX_VALUES; i++)
    cm->kinds |= sk_crisis_need_kinds(s->crisis, q->needs[i]);
  cm->primary = sk_crisis_primary(s->crisis, cm->kinds);
}

/* The snapshot's rid of the offering a line names (by its feed's own id,
 * which stays the same across reindexing), when it is active and
 * may be shown to this person (not professional-only for a resident). */
static int line_offering(struct sk_searcher *s, int professional, const struct sk_crisis_line *l,
                         uint32_t *rid) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(s->st->db,
                         "SELECT rid FROM service WHERE source = 'feed:' || ?1 AND source_key = ?2 "
                         "AND status = 'active'",
                         -1, &st, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(st, 1, l->offering_feed, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, l->offering, -1, SQLITE_STATIC);
  int rc2 = sqlite3_step(st);
  sqlite3_int64 v = rc2 == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  if (rc2 != SQLITE_ROW && rc2 != SQLITE_DONE)
    return SK_EDB;
  const struct sks_snap *sn = s->snap;
  if (v < 0 || (uint64_t)v >= sn->n_docs_cap || !sn->docs[v].flags)
    return SK_ENOTFOUND;
  if ((sn->docs[v].flags & SKS_DOC_PRO_ONLY) && !professional)
    return SK_ENOTFOUND;
  *rid = (uint32_t)v;
  return SK_OK;
}

/* The line's own numbers go first in the item's phones: the data file is
 * the authority for a crisis number, a feed only adds detail. */
static int line_phones(struct sk_arena *a, const struct sk_crisis_line *l,
                       struct sk_search_item *it) {
  const char *num[2] = {l->number, l->number2}, *note[2] = {l->number_note, l->number2_note};
  struct sk_search_phone *ph = sk_arena_alloc(a, (it->n_phones + 2) * sizeof *ph);
  if (!ph)
    return SK_ENOMEM;
  size_t n = 0;
  for (int k = 0; k < 2; k++) {
    if (!num[k])
      continue;
    ph[n].number = num[k];
    ph[n].description = note[k];
    for (size_t i = 0; i < it->n_phones; i++)
      if (it->phones[i].number && strcmp(it->phones[i].number, num[k]) == 0 &&
          it->phones[i].description)
        ph[n].description = it->phones[i].description;
    n++;
  }
  for (size_t i = 0; i < it->n_phones; i++) {
    int dup = 0;
    for (size_t j = 0; j < n; j++)
      dup |= it->phones[i].number && strcmp(it->phones[i].number, ph[j].number) == 0;
    if (!dup)
      ph[n++] = it->phones[i];
  }
  it->phones = ph;
  it->n_phones = n;
  return SK_OK;
}

/* A line that is no offering of the store (112, or a store without the
 * national feed) as an item of its own, from the data file. */
static int line_item(struct sk_arena *a, const struct sk_crisis_line *l,
                     struct sk_search_item *it) {
  memset(it, 0, sizeof *it);
  snprintf(it->id, sizeof it->id, "%s", l->id);
  snprintf(it->organization_id, sizeof it->organization_id, "%s", l->id);
  it->kind = "aanbod";
  it->name = l->name;
  it->organization = l->name;
  it->summary = l->note;
  it->url = l->url ? l->url : l->chat;
  it->min_age = it->max_age = -1;
  it->distance_km = -1;
  it->open_now = -1;
  it->crisis_line = 1;
  it->why = "crisislijn";
  struct sk_search_segment *seg = sk_arena_alloc(a, sizeof *seg);
  if (!seg)
    return SK_ENOMEM;
  seg->text = l->name;
  it->name_segments = seg;
  it->n_name_segments = 1;
  return line_phones(a, l, it);
}

static int crisis_block(struct render_ctx *rc, const struct sk_crisis_match *cm,
                        struct sk_search_result *r) {
  struct sk_searcher *s = rc->s;
  const struct sk_crisis_line *lines[SK_CRISIS_MAX_LINES];
  size_t n = sk_crisis_lines(s->crisis, cm->kinds, rc->q->professional, lines, SK_CRISIS_MAX_LINES);
  r->crisis_kind = sk_crisis_kind_name(cm->primary);
  r->crisis_kinds = cm->kinds;
  r->crisis_lines = sk_arena_alloc(sks_result_arena(r), (n ? n : 1) * sizeof *r->crisis_lines);
  if (!r->crisis_lines)
    return SK_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const struct sk_crisis_line *l = lines[i];
    struct sk_search_item *it = &r->crisis_lines[r->n_crisis_lines];
    uint32_t rid;
    int e = l->offering ? line_offering(s, rc->q->professional, l, &rid) : SK_ENOTFOUND;
    if (e == SK_OK)
      e = sks_render_item(rc, rid, 0, it);
    if (e == SK_OK) {
      it->crisis_line = 1;
      e = line_phones(rc->a, l, it);
    } else {
      /* not in the store, or the store cannot be read now: the line as
       * the data file has it; a crisis block never fails for a feed */
      e = line_item(rc->a, l, it);
    }
    if (e)
      return e; /* out of memory */
    r->n_crisis_lines++;
  }
  return SK_OK;
}

int sks_crisis_line_rids(struct sk_searcher *s, const struct sk_crisis_match *cm, int professional,
                         struct analysis *an) {
  an->n_line_rids = 0;
  if (!s->crisis || !cm->kinds)
    return SK_OK;
  /* the block's lines in its order (112 for danger has no offering:
   * "hij staat met een mes voor de deur" lists Veilig Thuis first) */
  const struct sk_crisis_line *lines[SK_CRISIS_MAX_LINES];
  size_t n = sk_crisis_lines(s->crisis, cm->kinds, professional, lines, SK_CRISIS_MAX_LINES);
  for (size_t i = 0; i < n && an->n_line_rids < sizeof an->line_rids / sizeof an->line_rids[0];
       i++) {
    uint32_t rid;
    int e = lines[i]->offering ? line_offering(s, professional, lines[i], &rid) : SK_ENOTFOUND;
    if (e == SK_OK)
      an->line_rids[an->n_line_rids++] = rid;
    else if (e != SK_ENOTFOUND)
      return e;
  }
  return SK_OK;
}

int sks_crisis_lines(struct render_ctx *rc, const struct sk_crisis_match *cm,
                     struct sk_search_result *r) {
  return rc->s->crisis ? crisis_block(rc, cm, r) : crisis_lines(rc, rc->an, r);
}
