#include "sk_taxonomy.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

static const char *const vocab_names[SK_VOCAB_COUNT] = {
    "need", "target_group", "municipality", "scope", "access", "cost", "law"};
/* The key of each vocabulary in taxonomy.json. */
static const char *const vocab_keys[SK_VOCAB_COUNT] = {
    "needs", "target_groups", "municipalities", "scopes", "access", "costs", "laws"};

const char *sk_vocab_name(enum sk_vocab v) {
  return (unsigned)v < SK_VOCAB_COUNT ? vocab_names[v] : "?";
}

int sk_vocab_parse(const char *name) {
  for (int i = 0; i < SK_VOCAB_COUNT; i++)
    if (strcmp(name, vocab_names[i]) == 0)
      return i;
  return -1;
}

static void term_clear(struct sk_term *t) {
  free(t->code);
  free(t->parent_code);
  free(t->label);
  free(t->explain);
  for (size_t i = 0; i < t->n_synonyms; i++)
    free(t->synonyms[i]);
  free(t->synonyms);
  for (size_t i = 0; i < t->n_scopes; i++)
    free(t->scopes[i]);
  free(t->extra_json);
}

void sk_taxonomy_free(struct sk_taxonomy *tax) {
  if (!tax)
    return;
  for (size_t i = 0; i < tax->n_terms; i++)
    term_clear(&tax->terms[i]);
  free(tax->terms);
  free(tax);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* A code is lower-case ASCII letters, digits, '-' and '.', 1..64 bytes. */
static int code_ok(const char *c) {
  size_t n = strlen(c);
  if (n == 0 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = c[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
      return 0;
  }
  return 1;
}

static int parse_postcodes(struct sk_term *t, json_t *arr) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    const char *s = json_string_value(v);
    if (!s || t->n_postcode_ranges >= SK_TERM_MAX_POSTCODE_RANGES)
      return SK_EPARSE;
    int lo, hi;
    if (sscanf(s, "%d-%d", &lo, &hi) == 2) {
    } else if (sscanf(s, "%d", &lo) == 1) {
      hi = lo;
    } else {
      return SK_EPARSE;
    }
    if (lo < 1000 || hi > 9999 || lo > hi)
      return SK_EPARSE;
    t->postcode_lo[t->n_postcode_ranges] = lo;
    t->postcode_hi[t->n_postcode_ranges] = hi;
    t->n_postcode_ranges++;
  }
  return SK_OK;
}

/* Add one term (and its children, for needs). */
static int add_term(struct sk_taxonomy *tax, size_t *cap, enum sk_vocab vocab, json_t *obj,
                    const char *parent, char *err, size_t errlen) {
  const char *code = json_string_value(json_object_get(obj, "code"));
  const char *label = json_string_value(json_object_get(obj, "label"));
  if (!label) /* municipalities have a name, not a label */
    label = json_string_value(json_object_get(obj, "name"));
  if (!code || !code_ok(code) || !label || !*label) {
    snprintf(err, errlen, "%s: a term without a valid code or label", vocab_keys[vocab]);
    return SK_EPARSE;
  }
  if (sk_taxonomy_find(tax, vocab, code)) {
    snprintf(err, errlen, "%s: code '%s' appears twice", vocab_keys[vocab], code);
    return SK_EPARSE;
  }
  if (tax->n_terms == *cap) {
    size_t ncap = *cap ? *cap * 2 : 64;
    struct sk_term *n = realloc(tax->terms, ncap * sizeof *n);
    if (!n)
      return SK_ENOMEM;
    tax->terms = n;
    *cap = ncap;
  }
  struct sk_term *t = &tax->terms[tax->n_terms];
  memset(t, 0, sizeof *t);
  tax->n_terms++;
  t->vocab = vocab;
  t->code = strdup(code);
  t->label = strdup(label);
  t->parent_code = dup_or_null(parent);
  t->explain = dup_or_null(json_string_value(json_object_get(obj, "explain")));
  if (!t->explain)
    t->explain = dup_or_null(json_string_value(json_object_get(obj, "note")));
  t->min_age = json_is_integer(json_object_get(obj, "min_age"))
                   ? (int)json_integer_value(json_object_get(obj, "min_age"))
                   : -1;
  t->max_age = json_is_integer(json_object_get(obj, "max_age"))
                   ? (int)json_integer_value(json_object_get(obj, "max_age"))
                   : -1;
  t->crisis = json_is_true(json_object_get(obj, "crisis"));
  t->professional_only = json_is_true(json_object_get(obj, "professional_only"));
  json_t *extra = json_deep_copy(obj);
  if (extra)
    json_object_del(extra, "children");
  t->extra_json = extra ? json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(extra);
  if (!t->code || !t->label || (parent && !t->parent_code) || !t->extra_json)
    return SK_ENOMEM;

  json_t *syn = json_object_get(obj, "synonyms");
  if (json_is_array(syn) && json_array_size(syn)) {
    t->synonyms = calloc(json_array_size(syn), sizeof(char *));
    if (!t->synonyms)
      return SK_ENOMEM;
    size_t i;
    json_t *v;
    json_array_foreach(syn, i, v) {
      if (json_is_string(v)) {
        t->synonyms[t->n_synonyms] = strdup(json_string_value(v));
        if (!t->synonyms[t->n_synonyms])
          return SK_ENOMEM;
        t->n_synonyms++;
      }
    }
  }
  json_t *scopes = json_object_get(obj, "scopes");
  if (json_is_array(scopes)) {
    size_t i;
    json_t *v;
    json_array_foreach(scopes, i, v) {
      if (!json_is_string(v) || t->n_scopes >= SK_TERM_MAX_SCOPES) {
        snprintf(err, errlen, "%s '%s': scopes must be at most %d codes", vocab_keys[vocab], code,
                 SK_TERM_MAX_SCOPES);
        return SK_EPARSE;
      }
      t->scopes[t->n_scopes] = strdup(json_string_value(v));
      if (!t->scopes[t->n_scopes])
        return SK_ENOMEM;
      t->n_scopes++;
    }
  }
  json_t *pc = json_object_get(obj, "postcodes");
  if (json_is_array(pc) && parse_postcodes(t, pc) != SK_OK) {
    snprintf(err, errlen, "municipality '%s': bad postcode range (at most %d ranges 1000-9999)",
             code, SK_TERM_MAX_POSTCODE_RANGES);
    return SK_EPARSE;
  }
  json_t *centroid = json_object_get(obj, "centroid");
  if (json_is_array(centroid) && json_array_size(centroid) == 2) {
    t->lat = json_number_value(json_array_get(centroid, 0));
    t->lon = json_number_value(json_array_get(centroid, 1));
  }
  /* t may move when the array grows: copy what the children need. */
  char parent_buf[80];
  snprintf(parent_buf, sizeof parent_buf, "%s", code);
  json_t *children = json_object_get(obj, "children");
  if (json_is_array(children)) {
    size_t i;
    json_t *child;
    json_array_foreach(children, i, child) {
      int rc = add_term(tax, cap, vocab, child, parent_buf, err, errlen);
      if (rc)
        return rc;
    }
  }
  return SK_OK;
}

/* Refuse a vocabulary larger than search's masks hold (sk_taxonomy.h). */
static int check_limits(const struct sk_taxonomy *tax, char *err, size_t errlen) {
  size_t n[SK_VOCAB_COUNT] = {0};
  for (size_t i = 0; i < tax->n_terms; i++)
    n[tax->terms[i].vocab]++;
  struct {
    const char *what;
    size_t have, max;
  } lim[] = {
      {"needs", n[SK_VOCAB_NEED], SK_TAXONOMY_MAX_NEEDS},
      {"target_groups", n[SK_VOCAB_TARGET_GROUP], SK_TAXONOMY_MAX_SMALL},
      {"laws", n[SK_VOCAB_LAW], SK_TAXONOMY_MAX_SMALL},
      {"municipalities and scopes", n[SK_VOCAB_MUNICIPALITY] + n[SK_VOCAB_SCOPE],
       SK_TAXONOMY_MAX_SMALL},
      {"access", n[SK_VOCAB_ACCESS], SK_TAXONOMY_MAX_CHOICES},
      {"costs", n[SK_VOCAB_COST], SK_TAXONOMY_MAX_CHOICES},
  };
  for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++)
    if (lim[i].have > lim[i].max) {
      snprintf(err, errlen, "taxonomy: %zu %s, at most %zu are supported", lim[i].have, lim[i].what,
               lim[i].max);
      return SK_ETOOBIG;
    }
  return SK_OK;
}

static int taxonomy_from_json(json_t *root, struct sk_taxonomy **out, char *err, size_t errlen) {
  struct sk_taxonomy *tax = calloc(1, sizeof *tax);
  if (!tax)
    return SK_ENOMEM;
  size_t cap = 0;
  tax->version = (int)json_integer_value(json_object_get(root, "version"));
  int rc = SK_OK;
  for (int v = 0; v < SK_VOCAB_COUNT && !rc; v++) {
    json_t *arr = json_object_get(root, vocab_keys[v]);
    if (!json_is_array(arr)) {
      snprintf(err, errlen, "taxonomy has no '%s' list", vocab_keys[v]);
      rc = SK_EPARSE;
      break;
    }
    size_t i;
    json_t *obj;
    json_array_foreach(arr, i, obj) {
      rc = add_term(tax, &cap, (enum sk_vocab)v, obj, NULL, err, errlen);
      if (rc)
        break;
    }
  }
  if (!rc)
    rc = check_limits(tax, err, errlen);
  if (rc) {
    if (rc == SK_ENOMEM)
      snprintf(err, errlen, "out of memory");
    sk_taxonomy_free(tax);
    return rc;
  }
  *out = tax;
  return SK_OK;
}

int sk_taxonomy_load(const char *path, struct sk_taxonomy **out, char *err, size_t errlen) {
  *out = NULL;
  json_error_t jerr;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    return SK_EPARSE;
  }
  int rc = taxonomy_from_json(root, out, err, errlen);
  json_decref(root);
  return rc;
}

const struct sk_term *sk_taxonomy_find(const struct sk_taxonomy *tax, enum sk_vocab v,
                                       const char *code) {
  if (!code)
    return NULL;
  /* Linear (a few hundred terms), called per query word: the first byte
   * decides most comparisons without a call. */
  for (size_t i = 0; i < tax->n_terms; i++)
    if (tax->terms[i].vocab == v && tax->terms[i].code[0] == code[0] &&
        strcmp(tax->terms[i].code, code) == 0)
      return &tax->terms[i];
  return NULL;
}

int sk_taxonomy_is_within(const struct sk_taxonomy *tax, const char *code, const char *child_code) {
  const char *c = child_code;
  for (int depth = 0; c && depth < 8; depth++) {
    if (strcmp(c, code) == 0)
      return 1;
    const struct sk_term *t = sk_taxonomy_find(tax, SK_VOCAB_NEED, c);
    c = t ? t->parent_code : NULL;
  }
  return 0;
}

const struct sk_term *sk_taxonomy_municipality_for_postcode(const struct sk_taxonomy *tax,
                                                            int digits4) {
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_MUNICIPALITY)
      continue;
    for (size_t r = 0; r < t->n_postcode_ranges; r++)
      if (digits4 >= t->postcode_lo[r] && digits4 <= t->postcode_hi[r])
        return t;
  }
  return NULL;
}

int sk_taxonomy_save(const struct sk_taxonomy *tax, struct sk_store *st) {
  if (sk_store_exec(st, "DELETE FROM taxonomy_term"))
    return SK_EDB;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO taxonomy_term(vocabulary, code, parent_code, label, explain,"
                         " min_age, max_age, crisis, position, extra)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  int rc = SK_OK;
  for (size_t i = 0; i < tax->n_terms && !rc; i++) {
    const struct sk_term *t = &tax->terms[i];
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, sk_vocab_name(t->vocab), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, t->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, t->parent_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, t->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, t->explain, -1, SQLITE_STATIC);
    if (t->min_age >= 0)
      sqlite3_bind_int(s, 6, t->min_age);
    else
      sqlite3_bind_null(s, 6);
    if (t->max_age >= 0)
      sqlite3_bind_int(s, 7, t->max_age);
    else
      sqlite3_bind_null(s, 7);
    sqlite3_bind_int(s, 8, t->crisis);
    sqlite3_bind_int64(s, 9, (sqlite3_int64)i);
    sqlite3_bind_text(s, 10, t->extra_json, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
      rc = SK_EDB;
  }
  sqlite3_finalize(s);
  if (!rc) {
    char v[16];
    snprintf(v, sizeof v, "%d", tax->version);
    rc = sk_store_meta_set(st, "taxonomy_version", v);
  }
  return rc;
}

int sk_taxonomy_from_store(struct sk_store *st, struct sk_taxonomy **out, char *err,
                           size_t errlen) {
  *out = NULL;
  /* Rebuild the JSON document shape from the rows, then reuse the parser:
   * one code path for both sources. */
  json_t *root = json_object();
  if (!root)
    return SK_ENOMEM;
  for (int v = 0; v < SK_VOCAB_COUNT; v++)
    json_object_set_new(root, vocab_keys[v], json_array());
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT vocabulary, code, parent_code, extra FROM taxonomy_term"
                         " ORDER BY position",
                         -1, &s, NULL) != SQLITE_OK) {
    json_decref(root);
    snprintf(err, errlen, "cannot read the taxonomy: %s", sqlite3_errmsg(st->db));
    return SK_EDB;
  }
  int rc = SK_OK;
  while (sqlite3_step(s) == SQLITE_ROW) {
    int v = sk_vocab_parse((const char *)sqlite3_column_text(s, 0));
    const char *parent = (const char *)sqlite3_column_text(s, 2);
    json_t *obj = json_loads((const char *)sqlite3_column_text(s, 3), 0, NULL);
    if (v < 0 || !obj) {
      json_decref(obj);
      rc = SK_EPARSE;
      break;
    }
    json_t *list = json_object_get(root, vocab_keys[v]);
    if (parent) {
      /* Attach to the parent (parents come first in position order). */
      json_t *p = NULL;
      size_t i;
      json_t *cand;
      json_array_foreach(list, i, cand) {
        if (strcmp(json_string_value(json_object_get(cand, "code")), parent) == 0) {
          p = cand;
          break;
        }
      }
      if (!p) {
        json_decref(obj);
        rc = SK_EPARSE;
        break;
      }
      json_t *ch = json_object_get(p, "children");
      if (!ch) {
        ch = json_array();
        json_object_set_new(p, "children", ch);
      }
      json_array_append_new(ch, obj);
    } else {
      json_array_append_new(list, obj);
    }
  }
  sqlite3_finalize(s);
  char vbuf[16];
  if (!rc && sk_store_meta_get(st, "taxonomy_version", vbuf, sizeof vbuf) == SK_OK)
    json_object_set_new(root, "version", json_integer(atoi(vbuf)));
  if (rc) {
    snprintf(err, errlen, "the stored taxonomy is damaged");
    json_decref(root);
    return rc;
  }
  rc = taxonomy_from_json(root, out, err, errlen);
  json_decref(root);
  return rc;
}
