/* Relevance: the judged queries of tests/relevance/judgments.tsv over the
 * demo data, indexed by the real 'sociale-kaart index' into a temp store and
 * asked through sk_search exactly as GET /api/v1/search asks (the same
 * query struct, parameters set by sk_search_query_set, facets on); what is
 * measured is read from the JSON body the API serves (sk_search_result_json):
 * items, crisis, crisis_lines and their phone numbers.
 *
 * Prints per query its nDCG@10 and what went wrong (SK_RELEVANCE_VERBOSE=1:
 * its whole top 10 with grades; SK_RELEVANCE_PRINT_FLOORS=1: today's numbers
 * in floors.tsv form), then a table per kind:
 * nDCG@10, right place first, zero results, must-not violations and the
 * crisis block. It fails when
 *   - a judgment names an offering that is not in the demo data under that
 *     name (a stale judgment measures nothing);
 *   - a hard rule breaks: a search error, an offering twice in the top 10,
 *     a professionals-only offering in a resident's list, a crisis line
 *     twice;
 *   - a number falls past its floor in tests/relevance/floors.tsv (nDCG
 *     per kind below the floor minus the margin, more zero results or
 *     violations than allowed, fewer crisis queries recognised...).
 * The floors are today's numbers: a regression guard that the lead raises
 * as features land. docs/search.md ("Relevance") has the numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_test.h"
#include "sk_err.h"
#include "sk_search.h"

/* The instant every query is asked at, so that "unconfirmed for a year"
 * (which lowers a score) does not move the numbers as the calendar does:
 * 2026-12-01 12:00 UTC. */
#define RELEVANCE_NOW 1796126400LL

#define MAX_QUERIES 1024
#define MAX_JUDGED 64
#define MAX_PARAMS 8
#define MAX_KINDS 16
#define TOP_K 10

enum expect_line { LINE_ANY = 0, LINE_113, LINE_VEILIG_THUIS };

struct judgment {
  char id[SK_UUID_LEN];
  int grade; /* 1..3; -1 = must not be in the top 10 */
};

struct judged_query {
  int lineno;
  char kind[24];
  char text[512];
  char opts[256]; /* as written, for the report */
  char optbuf[256];
  const char *pname[MAX_PARAMS], *pvalue[MAX_PARAMS];
  size_t n_params;
  int professional;
  int expect_crisis; /* 1 crisis, 0 nocrisis, -1 not judged */
  enum expect_line line;
  int noanswer;
  char place[32];
  struct judgment j[MAX_JUDGED];
  size_t n_j;
};

struct kind_stats {
  char kind[24];
  int n;
  double ndcg_sum;
  int top_right; /* first item has the query's best grade */
  int zero;
  int viol_queries, viol_items;
  int crisis_expected, crisis_raised, first_line_right, has_112;
  int nocrisis_expected, false_alarms;
  int pro_lines; /* queries whose crisis block shows a professionals-only line */
};

static struct judged_query queries[MAX_QUERIES];
static size_t n_queries;

/* ---- reading the judgments ---- */

static char *next_field(char **p) {
  char *s = *p;
  if (!s)
    return NULL;
  char *tab = strchr(s, '\t');
  if (tab) {
    *tab = '\0';
    *p = tab + 1;
  } else {
    *p = NULL;
  }
  return s;
}

static void parse_options(struct judged_query *q, int lineno) {
  q->expect_crisis = -1;
  if (!strcmp(q->opts, "-"))
    return;
  memcpy(q->optbuf, q->opts, sizeof q->optbuf); /* same size, NUL-terminated */
  char *save = NULL;
  for (char *tok = strtok_r(q->optbuf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    char *eq = strchr(tok, '=');
    if (!strcmp(tok, "professional"))
      q->professional = 1;
    else if (!strcmp(tok, "crisis"))
      q->expect_crisis = 1;
    else if (!strcmp(tok, "nocrisis"))
      q->expect_crisis = 0;
    else if (!strcmp(tok, "noanswer"))
      q->noanswer = 1;
    else if (!strcmp(tok, "line=113"))
      q->line = LINE_113;
    else if (!strcmp(tok, "line=veiligthuis"))
      q->line = LINE_VEILIG_THUIS;
    else if (eq && !strncmp(tok, "place=", 6))
      snprintf(q->place, sizeof q->place, "%s", eq + 1);
    else if (eq && q->n_params < MAX_PARAMS) {
      *eq = '\0';
      q->pname[q->n_params] = tok;
      q->pvalue[q->n_params++] = eq + 1;
    } else
      fail_msg("judgments.tsv:%d: unknown option '%s'", lineno, tok);
  }
}

static void load_judgments(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    fail_msg("cannot open %s", path);
  char line[2048];
  int lineno = 0;
  struct judged_query *cur = NULL;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(f))
      fail_msg("judgments.tsv:%d: line too long", lineno);
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#')
      continue;
    char *p = line;
    char *first = next_field(&p);
    if (!strcmp(first, "Q")) {
      if (n_queries == MAX_QUERIES)
        fail_msg("judgments.tsv: more than %d queries", MAX_QUERIES);
      cur = &queries[n_queries++];
      memset(cur, 0, sizeof *cur);
      cur->lineno = lineno;
      char *kind = next_field(&p), *text = next_field(&p), *opts = next_field(&p);
      if (!kind || !text || !opts || p)
        fail_msg("judgments.tsv:%d: want Q<TAB>kind<TAB>query<TAB>options", lineno);
      if (strlen(kind) >= sizeof cur->kind || strlen(text) >= sizeof cur->text ||
          strlen(opts) >= sizeof cur->opts)
        fail_msg("judgments.tsv:%d: kind, query or options too long", lineno);
      memcpy(cur->kind, kind, strlen(kind) + 1);
      memcpy(cur->text, text, strlen(text) + 1);
      memcpy(cur->opts, opts, strlen(opts) + 1);
      parse_options(cur, lineno);
      continue;
    }
    char *id = next_field(&p), *name = next_field(&p);
    if (!cur || !id || !name || p || strlen(id) != SK_UUID_LEN - 1)
      fail_msg("judgments.tsv:%d: want grade<TAB>offering id<TAB>name after a Q line", lineno);
    int grade = !strcmp(first, "-") ? -1 : atoi(first);
    if (grade != -1 && (grade < 1 || grade > 3 || first[1]))
      fail_msg("judgments.tsv:%d: grade is 1, 2, 3 or -", lineno);
    if (cur->n_j == MAX_JUDGED)
      fail_msg("judgments.tsv:%d: more than %d judgments for one query", lineno, MAX_JUDGED);
    for (size_t k = 0; k < cur->n_j; k++)
      if (!strcmp(cur->j[k].id, id))
        fail_msg("judgments.tsv:%d: %s judged twice for one query", lineno, id);
    struct judgment *j = &cur->j[cur->n_j++];
    memcpy(j->id, id, SK_UUID_LEN);
    j->grade = grade;
    /* the name is checked against the store in check_judged_names */
  }
  fclose(f);
}

/* Every judged id is an active offering of the demo data with the name the
 * judgment was written for: if the data changes, the judgments must too. */
static void check_judged_names(struct sk_store *st, const char *path) {
  sqlite3_stmt *s = NULL;
  assert_int_equal(
      sqlite3_prepare_v2(st->db, "SELECT name FROM service WHERE id = ?1 AND status = 'active'", -1,
                         &s, NULL),
      SQLITE_OK);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[2048];
  int lineno = 0, bad = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#' || !strncmp(line, "Q\t", 2))
      continue;
    char *p = line;
    next_field(&p);
    char *id = next_field(&p), *name = next_field(&p);
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
      printf("judgments.tsv:%d: offering %s (%s) is not in the demo data\n", lineno, id, name);
      bad++;
    } else if (strcmp((const char *)sqlite3_column_text(s, 0), name)) {
      printf("judgments.tsv:%d: offering %s is now called '%s', judged as '%s'\n", lineno, id,
             (const char *)sqlite3_column_text(s, 0), name);
      bad++;
    }
  }
  fclose(f);
  sqlite3_finalize(s);
  assert_int_equal(bad, 0);
}

/* ---- facts about offerings, from the store (not from the engine) ---- */

struct facts {
  struct sk_store *st;
  const struct sk_taxonomy *tax;
  sqlite3_stmt *serves;  /* does offering ?1 serve any of the areas ?2..?7 */
  sqlite3_stmt *tgroups; /* target groups of offering ?1 */
};

/* 1 when a municipality's resident is served: the municipality itself,
 * one of its scopes (bel, hbel), the region or the whole country. */
static int serves_place(struct facts *fx, const char *id, const char *place) {
  const struct sk_term *m = sk_taxonomy_find(fx->tax, SK_VOCAB_MUNICIPALITY, place);
  if (!m)
    fail_msg("place=%s is not a municipality of the taxonomy", place);
  sqlite3_stmt *s = fx->serves;
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, place, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, "regio", -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, "landelijk", -1, SQLITE_STATIC);
  for (size_t k = 0; k < 3; k++)
    sqlite3_bind_text(s, 5 + (int)k, k < m->n_scopes ? m->scopes[k] : place, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  return sqlite3_column_int(s, 0);
}

/* 1 when every target group of the offering is for professionals only
 * (such offerings are never for a resident's eyes). */
static int professional_only(struct facts *fx, const char *id) {
  sqlite3_stmt *s = fx->tgroups;
  sqlite3_reset(s);
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  int any = 0, all_pro = 1;
  while (sqlite3_step(s) == SQLITE_ROW) {
    const struct sk_term *g = sk_taxonomy_find(fx->tax, SK_VOCAB_TARGET_GROUP,
                                               (const char *)sqlite3_column_text(s, 0));
    any = 1;
    if (!g || !g->professional_only)
      all_pro = 0;
  }
  return any && all_pro;
}

/* ---- scoring one query ---- */

static int grade_of(const struct judged_query *q, const char *id) {
  for (size_t k = 0; k < q->n_j; k++)
    if (!strcmp(q->j[k].id, id))
      return q->j[k].grade;
  return 0;
}

static int must_not(struct facts *fx, const struct judged_query *q, const char *id) {
  if (grade_of(q, id) < 0)
    return 1;
  return q->place[0] && !serves_place(fx, id, q->place);
}

static double gain(int grade) { return grade > 0 ? pow(2, grade) - 1 : 0; }

static int cmp_desc(const void *a, const void *b) { return *(const int *)b - *(const int *)a; }

/* What GET /api/v1/search answers, read from the JSON body it serves
 * (sk_search_result_json): borrowed from body. */
struct shown {
  const char *id, *name;
  json_t *phones;
};

#define MAX_LINES 8

struct answer {
  int crisis;
  struct shown items[TOP_K];
  size_t n_items;
  struct shown lines[MAX_LINES];
  size_t n_lines;
};

static size_t read_shown(json_t *arr, struct shown *out, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < json_array_size(arr) && n < max; i++) {
    json_t *it = json_array_get(arr, i);
    out[n].id = json_string_value(json_object_get(it, "id"));
    out[n].name = json_string_value(json_object_get(it, "name"));
    out[n].phones = json_object_get(it, "phones");
    if (!out[n].id)
      out[n].id = ""; /* a line that is not an offering (no id) */
    if (!out[n].name)
      out[n].name = "";
    n++;
  }
  return n;
}

static void read_answer(json_t *body, struct answer *a) {
  memset(a, 0, sizeof *a);
  a->crisis = json_is_true(json_object_get(body, "crisis"));
  a->n_items = read_shown(json_object_get(body, "items"), a->items, TOP_K);
  a->n_lines = read_shown(json_object_get(body, "crisis_lines"), a->lines, MAX_LINES);
}

static double ndcg10(const struct judged_query *q, const struct answer *r, int *best) {
  int grades[MAX_JUDGED];
  size_t n = 0;
  for (size_t k = 0; k < q->n_j; k++)
    if (q->j[k].grade > 0)
      grades[n++] = q->j[k].grade;
  qsort(grades, n, sizeof *grades, cmp_desc);
  *best = n ? grades[0] : 0;
  double dcg = 0, idcg = 0;
  for (size_t i = 0; i < n && i < TOP_K; i++)
    idcg += gain(grades[i]) / log2((double)i + 2);
  for (size_t i = 0; i < r->n_items; i++)
    dcg += gain(grade_of(q, r->items[i].id)) / log2((double)i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

/* Digits of a phone number: "0800-0113" -> "08000113". */
static void digits(const char *in, char *out, size_t outlen) {
  size_t n = 0;
  for (; in && *in && n + 1 < outlen; in++)
    if (isdigit((unsigned char)*in))
      out[n++] = *in;
  out[n] = '\0';
}

static int line_has_number(const struct shown *it, const char *want) {
  char d[32];
  for (size_t k = 0; k < json_array_size(it->phones); k++) {
    digits(json_string_value(json_object_get(json_array_get(it->phones, k), "number")), d,
           sizeof d);
    if (!strcmp(d, want))
      return 1;
  }
  return 0;
}

static int first_line_right(const struct judged_query *q, const struct answer *r) {
  if (!r->n_lines)
    return 0;
  const struct shown *l = &r->lines[0];
  if (q->line == LINE_113)
    return line_has_number(l, "113") || line_has_number(l, "08000113");
  if (q->line == LINE_VEILIG_THUIS)
    return line_has_number(l, "08002000");
  return 1;
}

static struct kind_stats *stats_for(struct kind_stats *ks, size_t *n_ks, const char *kind) {
  for (size_t k = 0; k < *n_ks; k++)
    if (!strcmp(ks[k].kind, kind))
      return &ks[k];
  if (*n_ks == MAX_KINDS)
    fail_msg("more than %d kinds", MAX_KINDS);
  struct kind_stats *k = &ks[(*n_ks)++];
  memset(k, 0, sizeof *k);
  snprintf(k->kind, sizeof k->kind, "%s", kind);
  return k;
}

static void add_stats(struct kind_stats *to, const struct kind_stats *from) {
  to->n += from->n;
  to->ndcg_sum += from->ndcg_sum;
  to->top_right += from->top_right;
  to->zero += from->zero;
  to->viol_queries += from->viol_queries;
  to->viol_items += from->viol_items;
  to->crisis_expected += from->crisis_expected;
  to->crisis_raised += from->crisis_raised;
  to->first_line_right += from->first_line_right;
  to->has_112 += from->has_112;
  to->nocrisis_expected += from->nocrisis_expected;
  to->false_alarms += from->false_alarms;
  to->pro_lines += from->pro_lines;
}

/* Runs one query, adds it to st; returns the number of hard-rule breaks. */
static int run_query(struct sk_searcher *s, struct facts *fx, const struct judged_query *jq,
                     struct kind_stats *st) {
  struct sk_search_query q;
  struct sk_search_error e = {"", ""};
  sk_search_query_init(&q);
  q.facets = 1; /* as the API asks */
  q.per_page = TOP_K;
  q.now = RELEVANCE_NOW;
  q.professional = jq->professional;
  assert_int_equal(sk_search_query_set(&q, "q", jq->text, &e), SK_OK);
  for (size_t k = 0; k < jq->n_params; k++)
    if (sk_search_query_set(&q, jq->pname[k], jq->pvalue[k], &e) != SK_OK)
      fail_msg("judgments.tsv:%d: %s=%s: %s", jq->lineno, jq->pname[k], jq->pvalue[k], e.message);
  struct sk_search_result *res = NULL;
  int rc = sk_search(s, &q, &res, &e);
  if (rc != SK_OK) {
    printf("BROKEN  %-8s %s: search failed (%d) %s\n", jq->kind, jq->text, rc, e.message);
    return 1;
  }
  json_t *body = sk_search_result_json(res);
  sk_search_result_free(res);
  assert_non_null(body);
  struct answer ans;
  read_answer(body, &ans);
  const struct answer *r = &ans;
  int broken = 0, best = 0;
  double v = ndcg10(jq, r, &best);
  st->n++;
  st->ndcg_sum += v;
  int top_grade = r->n_items ? grade_of(jq, r->items[0].id) : 0;
  if (best > 0 && top_grade == best)
    st->top_right++;
  if (!r->n_items)
    st->zero++;

  char notes[1024] = "";
  size_t nl = 0;
#define NOTE(...)                                                                                  \
  do {                                                                                             \
    if (nl < sizeof notes)                                                                         \
      nl += (size_t)snprintf(notes + nl, sizeof notes - nl, __VA_ARGS__);                          \
  } while (0)
  int viol = 0;
  for (size_t i = 0; i < r->n_items; i++) {
    const struct shown *it = &r->items[i];
    if (must_not(fx, jq, it->id)) {
      viol++;
      NOTE(" [must not #%zu: %s]", i + 1, it->name);
    }
    for (size_t k = 0; k < i; k++)
      if (!strcmp(r->items[k].id, it->id)) {
        NOTE(" [BROKEN: %s twice]", it->name);
        broken++;
      }
    if (!jq->professional && professional_only(fx, it->id)) {
      NOTE(" [BROKEN: professionals-only '%s' shown]", it->name);
      broken++;
    }
  }
  if (viol) {
    st->viol_queries++;
    st->viol_items += viol;
  }
  int pro_line = 0;
  for (size_t i = 0; i < r->n_lines; i++) {
    const struct shown *l = &r->lines[i];
    if (!jq->professional && l->id[0] && professional_only(fx, l->id)) {
      NOTE(" [professionals-only line: %s]", l->name);
      pro_line = 1;
    }
    for (size_t k = 0; k < i; k++)
      if (l->id[0] && !strcmp(r->lines[k].id, l->id)) {
        NOTE(" [BROKEN: line '%s' twice]", l->name);
        broken++;
      }
    if (line_has_number(l, "112"))
      st->has_112 += jq->expect_crisis == 1 && r->crisis;
  }
  st->pro_lines += pro_line;
  if (jq->expect_crisis == 1) {
    st->crisis_expected++;
    if (r->crisis) {
      st->crisis_raised++;
      if (first_line_right(jq, r))
        st->first_line_right++;
      else
        NOTE(" [first line: %s]", r->n_lines ? r->lines[0].name : "(none)");
    } else {
      NOTE(" [no crisis block]");
    }
  } else if (jq->expect_crisis == 0) {
    st->nocrisis_expected++;
    if (r->crisis) {
      st->false_alarms++;
      NOTE(" [false crisis alarm]");
    }
  }
#undef NOTE
  printf("%.3f  %-12s %-44s %-26.26s top: %s (%d)%s\n", v, jq->kind, jq->text,
         strcmp(jq->opts, "-") ? jq->opts : "", r->n_items ? r->items[0].name : "(none)", top_grade,
         notes);
  if (getenv("SK_RELEVANCE_VERBOSE")) /* the whole top 10, to review judgments */
    for (size_t i = 0; i < r->n_items; i++) {
      int g = grade_of(jq, r->items[i].id);
      printf("         %2zu. %c  %s  %s\n", i + 1, g < 0 ? '-' : (char)('0' + g), r->items[i].id,
             r->items[i].name);
    }
  json_decref(body);
  return broken;
}

/* ---- floors ---- */

struct floor {
  char metric[32], kind[24];
  double value;
};

static size_t load_floors(const char *path, struct floor *fl, size_t max, double *margin) {
  FILE *f = fopen(path, "r");
  if (!f)
    fail_msg("cannot open %s", path);
  char line[512];
  size_t n = 0;
  int lineno = 0;
  *margin = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#')
      continue;
    char *p = line, *metric = next_field(&p), *kind = next_field(&p), *val = next_field(&p);
    char *end = NULL;
    double v = val ? strtod(val, &end) : 0;
    if (!metric || !kind || !val || p || end == val || *end)
      fail_msg("floors.tsv:%d: want metric<TAB>kind<TAB>number", lineno);
    if (!strcmp(metric, "margin")) {
      *margin = v;
      continue;
    }
    if (n == max)
      fail_msg("floors.tsv: too many lines");
    if (strlen(metric) >= sizeof fl[n].metric || strlen(kind) >= sizeof fl[n].kind)
      fail_msg("floors.tsv:%d: metric or kind too long", lineno);
    memcpy(fl[n].metric, metric, strlen(metric) + 1);
    memcpy(fl[n].kind, kind, strlen(kind) + 1);
    fl[n++].value = v;
  }
  fclose(f);
  return n;
}

/* Returns the number of floors not met (and says which). */
static int check_floors(const struct floor *fl, size_t n_fl, double margin,
                        const struct kind_stats *ks, size_t n_ks, const struct kind_stats *all) {
  int failed = 0;
  for (size_t i = 0; i < n_fl; i++) {
    const struct kind_stats *k = NULL;
    if (!strcmp(fl[i].kind, "all"))
      k = all;
    for (size_t j = 0; !k && j < n_ks; j++)
      if (!strcmp(ks[j].kind, fl[i].kind))
        k = &ks[j];
    if (!k)
      fail_msg("floors.tsv: no judged queries of kind '%s'", fl[i].kind);
    const char *m = fl[i].metric;
    double have = 0, want = fl[i].value;
    int ok = 0;
    if (!strcmp(m, "ndcg")) {
      have = k->n ? k->ndcg_sum / k->n : 0;
      ok = have >= want - margin;
    } else if (!strcmp(m, "max_zero")) {
      have = k->zero;
      ok = have <= want;
    } else if (!strcmp(m, "max_violations")) {
      have = k->viol_queries;
      ok = have <= want;
    } else if (!strcmp(m, "min_crisis_raised")) {
      have = k->crisis_raised;
      ok = have >= want;
    } else if (!strcmp(m, "min_first_line_right")) {
      have = k->first_line_right;
      ok = have >= want;
    } else if (!strcmp(m, "max_false_alarms")) {
      have = k->false_alarms;
      ok = have <= want;
    } else if (!strcmp(m, "min_112")) {
      have = k->has_112;
      ok = have >= want;
    } else if (!strcmp(m, "max_pro_lines")) {
      have = k->pro_lines;
      ok = have <= want;
    } else {
      fail_msg("floors.tsv: unknown metric '%s'", m);
    }
    if (!ok) {
      printf("FLOOR NOT MET: %s %s = %.3f, floor %.3f%s\n", m, fl[i].kind, have, want,
             !strcmp(m, "ndcg") ? " (minus the margin)" : "");
      failed++;
    }
  }
  return failed;
}

static void print_row(const struct kind_stats *k) {
  char crisis[16] = "-", line[16] = "-", alarms[16] = "-", pro[16] = "-";
  if (k->crisis_expected) {
    snprintf(crisis, sizeof crisis, "%d/%d", k->crisis_raised, k->crisis_expected);
    snprintf(line, sizeof line, "%d/%d", k->first_line_right, k->crisis_expected);
  }
  if (k->pro_lines)
    snprintf(pro, sizeof pro, "%d", k->pro_lines);
  if (k->nocrisis_expected)
    snprintf(alarms, sizeof alarms, "%d/%d", k->false_alarms, k->nocrisis_expected);
  printf("| %-12s | %4d | %7.3f | %7.0f %% | %4d | %5d | %7s | %7s | %6s | %9s |\n", k->kind, k->n,
         k->n ? k->ndcg_sum / k->n : 0, k->n ? 100.0 * k->top_right / k->n : 0, k->zero,
         k->viol_queries, crisis, line, alarms, pro);
}

static void test_judged_queries(void **state) {
  (void)state;
  const char *db = th_path("demo.db");
  assert_int_equal(th_index_demo(db), 0);
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(db, SK_STORE_READONLY, &st, err, sizeof err), SK_OK);
  struct sk_taxonomy *tax = NULL;
  assert_int_equal(sk_taxonomy_from_store(st, &tax, err, sizeof err), SK_OK);
  struct sk_searcher *s = sk_searcher_new(st, tax);
  assert_non_null(s);

  const char *jpath = th_source_path("tests/relevance/judgments.tsv");
  load_judgments(jpath);
  check_judged_names(st, jpath);
  for (size_t i = 0; i < n_queries; i++) {
    int positive = 0;
    for (size_t k = 0; k < queries[i].n_j; k++)
      positive |= queries[i].j[k].grade > 0;
    if (!positive)
      fail_msg("judgments.tsv:%d: '%s' has no offering graded 1-3", queries[i].lineno,
               queries[i].text);
  }

  struct facts fx = {.st = st, .tax = tax};
  assert_int_equal(sqlite3_prepare_v2(st->db,
                                      "SELECT EXISTS(SELECT 1 FROM service s JOIN service_area a"
                                      " ON a.service_rid = s.rid WHERE s.id = ?1"
                                      " AND a.area_code IN (?2, ?3, ?4, ?5, ?6, ?7))",
                                      -1, &fx.serves, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(st->db,
                                      "SELECT t.code FROM service s JOIN service_taxonomy t"
                                      " ON t.service_rid = s.rid WHERE s.id = ?1"
                                      " AND t.vocabulary = 'target_group'",
                                      -1, &fx.tgroups, NULL),
                   SQLITE_OK);

  struct kind_stats ks[MAX_KINDS];
  size_t n_ks = 0;
  int broken = 0;
  printf("nDCG   kind         query                                        options"
         "                    top: first result (its grade) [problems]\n");
  for (size_t i = 0; i < n_queries; i++)
    broken += run_query(s, &fx, &queries[i], stats_for(ks, &n_ks, queries[i].kind));

  struct kind_stats all;
  memset(&all, 0, sizeof all);
  snprintf(all.kind, sizeof all.kind, "all");
  for (size_t k = 0; k < n_ks; k++)
    add_stats(&all, &ks[k]);
  printf("\nRelevance over %d judged queries (demo data; gain 2^grade-1). top right: the first"
         " result has the best grade; zero: no result; viol.: queries with a must-not in the top"
         " 10; crisis: block raised; line: right first line; alarms: block on a near miss;"
         " pro lines: a professionals-only crisis line shown to a resident\n",
         all.n);
  printf("| kind         |    n | nDCG@10 | top right | zero | viol. |  crisis |    line | alarms "
         "| pro lines |\n");
  printf("|--------------|------|---------|-----------|------|-------|---------|---------|--------|"
         "-----------|\n");
  for (size_t k = 0; k < n_ks; k++)
    print_row(&ks[k]);
  print_row(&all);
  printf("zero-result rate: %.1f %%; queries with a must-not offering in the top 10: %d (%d "
         "offerings);"
         " 112 in the crisis block: %d of %d crisis queries;"
         " a professionals-only line shown to a resident: %d queries\n",
         all.n ? 100.0 * all.zero / all.n : 0, all.viol_queries, all.viol_items, all.has_112,
         all.crisis_expected, all.pro_lines);

  struct floor fl[64];
  double margin = 0;
  size_t n_fl = load_floors(th_source_path("tests/relevance/floors.tsv"), fl, 64, &margin);
  int failed = check_floors(fl, n_fl, margin, ks, n_ks, &all);
  if (getenv("SK_RELEVANCE_PRINT_FLOORS")) { /* today's numbers in floors.tsv form, to raise them */
    printf("\n# measured; paste into tests/relevance/floors.tsv\nmargin\t-\t%.2f\n", margin);
    for (size_t k = 0; k < n_ks; k++)
      printf("ndcg\t%s\t%.3f\n", ks[k].kind, floor(1000 * ks[k].ndcg_sum / ks[k].n) / 1000);
    printf("ndcg\tall\t%.3f\nmax_zero\tall\t%d\nmax_violations\tall\t%d\n"
           "min_crisis_raised\tall\t%d\nmin_first_line_right\tall\t%d\nmin_112\tall\t%d\n"
           "max_false_alarms\tall\t%d\nmax_pro_lines\tall\t%d\n",
           floor(1000 * all.ndcg_sum / all.n) / 1000, all.zero, all.viol_queries, all.crisis_raised,
           all.first_line_right, all.has_112, all.false_alarms, all.pro_lines);
  }
  for (size_t k = 0; k < n_ks; k++) {
    int has = 0;
    for (size_t i = 0; i < n_fl; i++)
      has |= !strcmp(fl[i].metric, "ndcg") && !strcmp(fl[i].kind, ks[k].kind);
    if (!has) {
      printf("floors.tsv: no ndcg floor for kind '%s'\n", ks[k].kind);
      failed++;
    }
  }

  sqlite3_finalize(fx.serves);
  sqlite3_finalize(fx.tgroups);
  sk_searcher_free(s);
  sk_taxonomy_free(tax);
  sk_store_close(st);
  assert_true(n_queries >= 180);
  assert_int_equal(broken, 0);
  assert_int_equal(failed, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_judged_queries)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
