#include "ix_csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ix_area.h"
#include "ix_run.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"

/* The columns we read, each with the header names people use (folded:
 * lower case, no accents, punctuation as one space). */
enum col {
  C_KEY,
  C_NAME,
  C_DESC,
  C_ORG,
  C_URL,
  C_EMAIL,
  C_PHONE,
  C_ADDRESS,
  C_POSTCODE,
  C_CITY,
  C_NEEDS,
  C_GROUPS,
  C_ACCESS,
  C_COST,
  C_AREAS,
  C_MIN_AGE,
  C_MAX_AGE,
  C_HOURS,
  C_ELIGIBILITY,
  C_APPLY,
  C_FEES,
  C_KEYWORDS,
  C_COUNT
};

static const struct {
  enum col col;
  const char *names; /* '|'-separated */
} headers[] = {
    {C_KEY, "id|key|kenmerk|nummer|code|referentie"},
    {C_NAME,
     "naam|naam dienst|naam aanbod|dienst|aanbod|activiteit|titel|name|service|service name"},
    {C_DESC, "omschrijving|beschrijving|toelichting|wat|wat is het|description"},
    {C_ORG,
     "organisatie|aanbieder|organisatie naam|naam organisatie|organization|organisation|provider"},
    {C_URL, "website|url|webadres|internet|site|web"},
    {C_EMAIL, "e mail|email|e mailadres|emailadres|mail|e mail adres"},
    {C_PHONE, "telefoon|telefoonnummer|tel|telefoon nummer|phone|telephone"},
    {C_ADDRESS, "adres|straat|straat en huisnummer|bezoekadres|address"},
    {C_POSTCODE, "postcode|postal code|zip"},
    {C_CITY, "plaats|woonplaats|stad|city|town"},
    {C_NEEDS, "hulpvraag|hulpvragen|thema|themas|categorie|categorieen|onderwerp|needs"},
    {C_GROUPS, "doelgroep|doelgroepen|voor wie bedoeld|target groups|target group"},
    {C_ACCESS, "toegang|toegankelijkheid aanmelding|access"},
    {C_COST, "kosten|prijs|cost|costs"},
    {C_AREAS, "werkgebied|gemeente|gemeenten|gebied|regio|areas|area|service area"},
    {C_MIN_AGE, "leeftijd vanaf|vanaf leeftijd|minimumleeftijd|minimum leeftijd|van leeftijd|min "
                "age|minimum age"},
    {C_MAX_AGE, "leeftijd tot|tot leeftijd|maximumleeftijd|maximum leeftijd|tot en met "
                "leeftijd|max age|maximum age"},
    {C_HOURS, "openingstijden|tijden|wanneer|opening hours|hours"},
    {C_ELIGIBILITY, "voor wie|voorwaarden|eligibility"},
    {C_APPLY, "aanmelden|hoe aanmelden|aanmelding|hoe kom ik er|application process"},
    {C_FEES, "kosten toelichting|toelichting kosten|fees"},
    {C_KEYWORDS, "trefwoorden|zoekwoorden|andere naam|keywords|alternate name"},
};

struct cctx {
  struct ix_batch *b;
  const struct sk_taxonomy *tax;
  struct ix_csv_reader rd;
  size_t row;                  /* the line the current row starts on */
  int col_of[IX_CSV_MAX_COLS]; /* column index -> enum col, -1 unknown */
  size_t n_unknown_values;
};

const char *ix_csv_cell(const struct ix_csv_row *r, size_t i) {
  return i < r->n ? r->buf.ptr + r->off[i] : "";
}

int ix_csv_read_row(struct ix_csv_reader *c, struct ix_csv_row *r) {
  sk_buf_reset(&r->buf);
  r->n = 0;
  r->too_many = 0;
  if (c->p >= c->end)
    return 0;
  int quoted = 0, in_cell_start = 1;
  size_t cell_len = 0;
  r->off[r->n++] = 0;
  while (c->p < c->end) {
    char ch = *c->p++;
    if (quoted) {
      if (ch == '"') {
        if (c->p < c->end && *c->p == '"') {
          c->p++;
        } else {
          quoted = 0;
          continue;
        }
      } else if (ch == '\n') {
        c->line++;
      } else if (ch == '\r' && c->p < c->end && *c->p == '\n') {
        continue; /* a line break in a cell is "\n", whatever the file uses */
      }
    } else if (ch == '"' && in_cell_start) {
      quoted = 1;
      in_cell_start = 0;
      continue;
    } else if (ch == c->sep || ch == '\n' || ch == '\r') {
      if (sk_buf_addc(&r->buf, '\0'))
        return -3;
      if (ch == '\r' && c->p < c->end && *c->p == '\n')
        c->p++;
      if (ch != c->sep) {
        c->line++;
        return 1;
      }
      if (r->n == IX_CSV_MAX_COLS) {
        r->too_many = 1;
      } else {
        r->off[r->n++] = r->buf.len;
      }
      in_cell_start = 1;
      cell_len = 0;
      continue;
    }
    in_cell_start = 0;
    if (++cell_len > IX_CSV_MAX_FIELD)
      return -2;
    if (r->too_many)
      continue;
    if (sk_buf_addc(&r->buf, ch))
      return -3;
  }
  if (quoted)
    return -1;
  if (sk_buf_addc(&r->buf, '\0'))
    return -3;
  return 1;
}

size_t ix_csv_sep_hint(const char *data, size_t len, char *sep) {
  if (len < 5 || strncasecmp(data, "sep=", 4) != 0 ||
      (data[4] != ';' && data[4] != ',' && data[4] != '\t' && data[4] != '|'))
    return 0;
  size_t n = 5;
  if (n < len && data[n] == '\r')
    n++;
  if (n < len && data[n] == '\n')
    n++;
  else if (n < len && data[n - 1] != '\r')
    return 0; /* something else after it: not the hint */
  *sep = data[4];
  return n;
}

char ix_csv_guess_sep(const char *data, size_t len) {
  size_t cnt[3] = {0, 0, 0};
  int q = 0;
  for (const char *p = data; p < data + len && (*p != '\n' || q); p++) {
    if (*p == '"')
      q = !q;
    else if (!q)
      cnt[0] += *p == ';', cnt[1] += *p == ',', cnt[2] += *p == '\t';
  }
  return cnt[0] >= cnt[1] && cnt[0] >= cnt[2] ? ';' : cnt[1] >= cnt[2] ? ',' : '\t';
}

void ix_csv_row_init(struct ix_csv_row *r) {
  sk_buf_init(&r->buf, IX_CSV_MAX_COLS * (size_t)IX_CSV_MAX_FIELD + 64);
}

/* s folded: lower case, accents off, punctuation as one space, trimmed. */
static void fold_words(const char *s, char *out, size_t cap) {
  struct sk_buf f;
  sk_buf_init(&f, 4 * cap + 16);
  size_t n = strlen(s);
  if (n > cap)
    n = sk_utf8_prefix(s, n, cap);
  size_t o = 0;
  if (sk_fold(s, n, &f) == SK_OK && f.ptr) {
    int space = 1;
    for (size_t i = 0; i < f.len && o + 2 < cap; i++) {
      unsigned char ch = (unsigned char)f.ptr[i];
      if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80) {
        out[o++] = (char)ch;
        space = 0;
      } else if (!space) {
        out[o++] = ' ';
        space = 1;
      }
    }
  }
  while (o && out[o - 1] == ' ')
    o--;
  out[o] = '\0';
  sk_buf_free(&f);
}

static int header_col(const char *h);

/* At most this many rows (a title, a blank line) before the column names. */
#define CSV_TITLE_ROWS 5

/* Does row r name the 'naam' column (is it the header)? */
static int row_names(const struct ix_csv_row *r) {
  for (size_t i = 0; i < r->n; i++)
    if (header_col(ix_csv_cell(r, i)) == C_NAME)
      return 1;
  return 0;
}

static int header_col(const char *h) {
  char f[128];
  fold_words(h, f, sizeof f);
  size_t fl = strlen(f);
  for (size_t i = 0; i < sizeof headers / sizeof *headers; i++) {
    const char *p = headers[i].names;
    while (*p) {
      const char *bar = strchr(p, '|');
      size_t l = bar ? (size_t)(bar - p) : strlen(p);
      if (l == fl && memcmp(p, f, l) == 0)
        return (int)headers[i].col;
      p += l + (bar ? 1 : 0);
    }
  }
  return -1;
}

/* A code of vocabulary v written as code, label or synonym (folded). */
static const struct sk_term *term_for(const struct sk_taxonomy *tax, enum sk_vocab v,
                                      const char *text) {
  if (!tax)
    return NULL;
  char want[160], have[160];
  fold_words(text, want, sizeof want);
  if (!want[0])
    return NULL;
  const struct sk_term *t = sk_taxonomy_find(tax, v, text);
  if (t)
    return t;
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *u = &tax->terms[i];
    if (u->vocab != v)
      continue;
    fold_words(u->code, have, sizeof have);
    if (strcmp(have, want) == 0)
      return u;
    fold_words(u->label, have, sizeof have);
    if (strcmp(have, want) == 0)
      return u;
  }
  for (size_t i = 0; i < tax->n_terms; i++) { /* synonyms last: a label wins */
    const struct sk_term *u = &tax->terms[i];
    for (size_t k = 0; u->vocab == v && k < u->n_synonyms; k++) {
      fold_words(u->synonyms[k], have, sizeof have);
      if (strcmp(have, want) == 0)
        return u;
    }
  }
  return NULL;
}

static int warn_row(struct cctx *c, const char *fmt, const char *a, const char *b2) {
  char ca[64], cb[64];
  snprintf(ca, sizeof ca, "%.*s", (int)sk_utf8_prefix(a, strlen(a), 60), a);
  snprintf(cb, sizeof cb, "%.*s", b2 ? (int)sk_utf8_prefix(b2, strlen(b2), 60) : 0, b2 ? b2 : "");
  char msg[300];
  snprintf(msg, sizeof msg, fmt, ca, cb);
  return ix_batch_warn(c->b, "Rij %zu: %s", c->row, msg) ? SK_ENOMEM : SK_OK;
}

/* Split a cell on , ; | / and newlines into trimmed parts. */
static size_t split(char *s, char **parts, size_t max) {
  size_t n = 0;
  char *p = s;
  while (*p && n < max) {
    while (*p == ' ' || *p == ',' || *p == ';' || *p == '|' || *p == '/' || *p == '\n' ||
           *p == '\t')
      p++;
    if (!*p)
      break;
    char *start = p;
    while (*p && *p != ',' && *p != ';' && *p != '|' && *p != '/' && *p != '\n')
      p++;
    char *e = p;
    if (*p)
      *p++ = '\0';
    while (e > start && (e[-1] == ' ' || e[-1] == '\t'))
      *--e = '\0';
    if (*start)
      parts[n++] = start;
  }
  return n;
}

static int add_codes(struct cctx *c, struct ix_strv *sv, enum sk_vocab v, const char *text,
                     const char *what) {
  char *copy = strdup(text);
  if (!copy)
    return SK_ENOMEM;
  char *parts[IX_CSV_MAX_COLS];
  size_t n = split(copy, parts, IX_CSV_MAX_COLS);
  int rc = SK_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    const struct sk_term *t = term_for(c->tax, v, parts[i]);
    const char *code = t ? t->code : (!c->tax ? parts[i] : NULL);
    if (!code) {
      rc = warn_row(c, "%s '%s' kennen we niet; die is weggelaten", what, parts[i]);
      continue;
    }
    int dup = 0;
    for (size_t k = 0; k < sv->n; k++)
      dup |= strcmp(sv->v[k], code) == 0;
    if (!dup && sv->n < 64)
      rc = ix_strv_push(c->b, sv, code);
  }
  free(copy);
  return rc;
}

/* An age: "18", "18 jaar", "18+", "17,5" (rounded). IX_UNSET when empty or unreadable (warning). */
static int read_age(struct cctx *c, const char *text, const char *what, int *out, int *bad) {
  *out = IX_UNSET;
  while (*text == ' ')
    text++;
  if (!*text)
    return SK_OK;
  char buf[32];
  snprintf(buf, sizeof buf, "%s", text);
  for (char *q = buf; *q; q++)
    if (*q == ',')
      *q = '.';
  char *end;
  double v = strtod(buf, &end);
  while (*end == ' ' || *end == '+')
    end++;
  if (end == buf || !isfinite(v) || v < 0 || v > 120 ||
      (*end && strcmp(end, "jaar") != 0 && strcmp(end, "jr") != 0)) {
    *bad = 1;
    return ix_batch_reject(c->b, NULL, what,
                           "Rij %zu: '%.40s' in '%s' is geen leeftijd van 0 tot en met 120.",
                           c->row, text, what)
               ? SK_ENOMEM
               : SK_OK;
  }
  *out = (int)lround(v);
  if (v != floor(v))
    return ix_batch_warn(c->b, "Rij %zu: de leeftijd '%.20s' is afgerond op %d jaar.", c->row, text,
                         *out)
               ? SK_ENOMEM
               : SK_OK;
  return SK_OK;
}

static const char *dup_or_null(struct ix_batch *b, const char *s, int *oom) {
  if (!s || !*s)
    return NULL;
  const char *d = ix_strdup(b, s);
  if (!d)
    *oom = 1;
  return d;
}

/* The organisation with this name (created once). */
static const char *org_key_for(struct cctx *c, const char *name, int *oom) {
  char slug[128];
  ix_slug(name, slug, sizeof slug);
  for (size_t i = 0; i < c->b->orgs.n; i++)
    if (strcmp(c->b->orgs.v[i].key, slug) == 0)
      return c->b->orgs.v[i].key;
  struct ix_org *o = ix_batch_add_org(c->b);
  if (!o || !(o->key = ix_strdup(c->b, slug)) || !(o->name = ix_strdup(c->b, name))) {
    *oom = 1;
    return NULL;
  }
  return o->key;
}

static int read_record(struct cctx *c, const struct ix_csv_row *r) {
  const char *v[C_COUNT] = {0};
  for (size_t i = 0; i < r->n && i < IX_CSV_MAX_COLS; i++) {
    int col = c->col_of[i];
    const char *t = ix_csv_cell(r, i);
    while (*t == ' ' || *t == '\t')
      t++;
    if (col >= 0 && *t && !v[col])
      v[col] = t;
  }
  int empty = 1;
  for (int k = 0; k < C_COUNT; k++)
    empty &= v[k] == NULL;
  if (empty)
    return SK_OK; /* a blank line (Excel adds them) */
  if (!v[C_NAME])
    return ix_batch_reject(c->b, v[C_KEY], "name",
                           "Rij %zu: de kolom 'naam' is leeg; deze rij is overgeslagen.", c->row)
               ? SK_ENOMEM
               : SK_OK;
  int oom = 0, bad = 0;
  int min_age, max_age;
  int rc = read_age(c, v[C_MIN_AGE] ? v[C_MIN_AGE] : "", "leeftijd vanaf", &min_age, &bad);
  if (!rc)
    rc = read_age(c, v[C_MAX_AGE] ? v[C_MAX_AGE] : "", "leeftijd tot", &max_age, &bad);
  if (rc || bad)
    return rc;
  struct ix_service *s = ix_batch_add_service(c->b);
  if (!s)
    return SK_ENOMEM;
  s->kind = IX_KIND_SERVICE;
  s->min_age = min_age;
  s->max_age = max_age;
  s->org_key = v[C_ORG] ? org_key_for(c, v[C_ORG], &oom) : NULL;
  if (v[C_KEY]) {
    s->key = dup_or_null(c->b, v[C_KEY], &oom);
  } else { /* stable between uploads: organisation and name */
    char a[128], bname[128];
    ix_slug(v[C_ORG] ? v[C_ORG] : "", a, sizeof a);
    ix_slug(v[C_NAME], bname, sizeof bname);
    s->key = ix_printf(c->b, "%s/%s", v[C_ORG] ? a : "-", bname);
    if (!s->key)
      oom = 1;
  }
  s->name = dup_or_null(c->b, v[C_NAME], &oom);
  s->url = dup_or_null(c->b, v[C_URL], &oom);
  s->email = dup_or_null(c->b, v[C_EMAIL], &oom);
  s->eligibility = dup_or_null(c->b, v[C_ELIGIBILITY], &oom);
  s->application_process = dup_or_null(c->b, v[C_APPLY], &oom);
  s->fees = dup_or_null(c->b, v[C_FEES], &oom);
  s->keywords = dup_or_null(c->b, v[C_KEYWORDS], &oom);
  if (v[C_HOURS] && v[C_DESC])
    s->description = ix_printf(c->b, "%s\n\nOpeningstijden: %s", v[C_DESC], v[C_HOURS]);
  else if (v[C_HOURS])
    s->description = ix_printf(c->b, "Openingstijden: %s", v[C_HOURS]);
  else
    s->description = dup_or_null(c->b, v[C_DESC], &oom);
  if ((v[C_DESC] || v[C_HOURS]) && !s->description)
    oom = 1;
  if (oom)
    return SK_ENOMEM;
  if (v[C_PHONE]) {
    struct ix_phone *ph = IX_PUSH(c->b, s->phones);
    if (!ph || !(ph->number = ix_strdup(c->b, v[C_PHONE])))
      return SK_ENOMEM;
  }
  if (v[C_NEEDS] && (rc = add_codes(c, &s->needs, SK_VOCAB_NEED, v[C_NEEDS], "hulpvraag")))
    return rc;
  if (v[C_GROUPS] &&
      (rc = add_codes(c, &s->target_groups, SK_VOCAB_TARGET_GROUP, v[C_GROUPS], "doelgroep")))
    return rc;
  if (v[C_ACCESS]) {
    const struct sk_term *t = term_for(c->tax, SK_VOCAB_ACCESS, v[C_ACCESS]);
    if (t)
      s->access = t->code;
    else if ((rc = warn_row(c, "toegang '%s' kennen we niet; die is weggelaten", v[C_ACCESS],
                            NULL)))
      return rc;
  }
  if (v[C_COST]) {
    const struct sk_term *t = term_for(c->tax, SK_VOCAB_COST, v[C_COST]);
    if (t)
      s->cost = t->code;
    else if (!s->fees && !(s->fees = ix_strdup(c->b, v[C_COST]))) /* "€ 2,50 per keer" is a fee */
      return SK_ENOMEM;
  }
  if (v[C_AREAS]) {
    struct ix_area_result ar;
    if (ix_area_resolve(c->tax, v[C_AREAS], &ar))
      return SK_ENOMEM;
    for (size_t k = 0; k < ar.n; k++) {
      struct ix_area *a = IX_PUSH(c->b, s->areas);
      if (!a || !(a->code = ix_strdup(c->b, ar.codes[k])))
        return SK_ENOMEM;
      a->min_age = a->max_age = IX_UNSET;
    }
    if (ar.unplaced[0]) {
      if ((rc = warn_row(c, "werkgebied '%s' kennen we niet; het is overgeslagen", ar.unplaced,
                         NULL)))
        return rc;
      if (!s->unplaced_area && !(s->unplaced_area = ix_strdup(c->b, ar.unplaced)))
        return SK_ENOMEM;
    }
  }
  if (v[C_ADDRESS] || v[C_POSTCODE]) {
    char a[128];
    ix_slug(s->key, a, sizeof a);
    struct ix_location *l = ix_batch_add_location(c->b);
    if (!l || !(l->key = ix_printf(c->b, "%s-adres", a)))
      return SK_ENOMEM;
    l->org_key = s->org_key;
    l->name = v[C_ORG] ? dup_or_null(c->b, v[C_ORG], &oom) : NULL;
    l->address = dup_or_null(c->b, v[C_ADDRESS], &oom);
    l->postal_code = dup_or_null(c->b, v[C_POSTCODE], &oom);
    l->city = dup_or_null(c->b, v[C_CITY], &oom);
    if (oom || ix_strv_push(c->b, &s->location_keys, l->key))
      return SK_ENOMEM;
  }
  return SK_OK;
}

int ix_csv_parse(const char *data, size_t len, const struct sk_taxonomy *tax, struct ix_batch *out,
                 char *err, size_t errlen) {
  err[0] = '\0';
  if (len > IX_CSV_MAX_BYTES) {
    snprintf(err, errlen, "Het bestand is te groot (meer dan %zu MB).", IX_CSV_MAX_BYTES >> 20);
    return SK_ETOOBIG;
  }
  if (memchr(data, '\0', len)) {
    snprintf(err, errlen,
             "Dit is geen tekstbestand (het bevat een NUL-teken). Sla het blad op als CSV.");
    return SK_EPARSE;
  }
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
    data += 3;
    len -= 3;
  }
  char hint;
  size_t skip = ix_csv_sep_hint(data, len, &hint);
  data += skip;
  len -= skip;
  struct cctx c = {
      .b = out, .tax = tax, .rd = {.p = data, .end = data + len, .line = skip ? 2 : 1}};
  /* The separator: Excel's "sep=" line, else the one the header line uses
   * most, outside quotes. */
  c.rd.sep = skip ? hint : ix_csv_guess_sep(data, len);
  struct ix_csv_row r;
  ix_csv_row_init(&r);
  int got = ix_csv_read_row(&c.rd, &r);
  int rc = SK_OK;
  if (got <= 0) {
    snprintf(err, errlen,
             got == 0 ? "Het bestand is leeg." : "De eerste regel van het bestand is onleesbaar.");
    rc = got == -3 ? SK_ENOMEM : SK_EPARSE;
    goto done;
  }
  /* A title above the column names ("Aanbod 2026", an empty line): the
   * header is the first of the next rows that names 'naam'. */
  if (!row_names(&r)) {
    struct ix_csv_reader probe = c.rd, before = c.rd;
    struct ix_csv_row t;
    ix_csv_row_init(&t);
    for (int k = 1; k <= CSV_TITLE_ROWS; k++) {
      before = probe;
      if (ix_csv_read_row(&probe, &t) != 1)
        break;
      if (row_names(&t)) {
        c.rd = before;
        got = ix_csv_read_row(&c.rd, &r);
        if (got == 1 && ix_batch_warn(out,
                                      "De eerste %d regel(s) boven de kolomnamen (zoals een "
                                      "titel) zijn overgeslagen.",
                                      k))
          got = -3;
        break;
      }
    }
    sk_buf_free(&t.buf);
    if (got != 1) {
      rc = got == -3 ? SK_ENOMEM : SK_EPARSE;
      if (rc == SK_EPARSE)
        snprintf(err, errlen, "De regel met de kolomnamen is onleesbaar.");
      goto done;
    }
  }
  int known = 0, has_name = 0;
  for (size_t i = 0; i < IX_CSV_MAX_COLS; i++)
    c.col_of[i] = -1;
  for (size_t i = 0; i < r.n; i++) {
    const char *h = ix_csv_cell(&r, i);
    int col = header_col(h);
    c.col_of[i] = col;
    for (size_t k = 0; k < i && col >= 0; k++)
      if (c.col_of[k] == col) {
        c.col_of[i] = -1; /* the first column of a name counts */
        if (ix_batch_warn(out, "Kolom '%.60s' staat twee keer in de kopregel; de eerste telt.",
                          h)) {
          rc = SK_ENOMEM;
          goto done;
        }
      }
    known += c.col_of[i] >= 0;
    has_name |= c.col_of[i] == C_NAME;
    if (col < 0 && *h &&
        ix_batch_warn(out, "Kolom '%.60s' kennen we niet; die is overgeslagen.", h)) {
      rc = SK_ENOMEM;
      goto done;
    }
  }
  if (!has_name) {
    snprintf(err, errlen,
             "De eerste regel moet de kolomnamen hebben, met minstens 'naam' (zie het "
             "voorbeeldbestand); "
             "we vonden %d kolom(men) die we kennen.",
             known);
    rc = SK_EPARSE;
    goto done;
  }
  size_t rows = 0;
  for (;;) {
    c.row = c.rd.line;
    if ((got = ix_csv_read_row(&c.rd, &r)) != 1)
      break;
    if (++rows > IX_CSV_MAX_ROWS) {
      snprintf(err, errlen, "Het bestand heeft meer dan %u rijen.", IX_CSV_MAX_ROWS);
      rc = SK_ETOOBIG;
      goto done;
    }
    if (r.too_many &&
        ix_batch_warn(out, "Rij %zu heeft meer dan %d kolommen; de rest is overgeslagen.", c.row,
                      IX_CSV_MAX_COLS)) {
      rc = SK_ENOMEM;
      goto done;
    }
    if ((rc = read_record(&c, &r)))
      goto done;
  }
  if (got == -1) {
    snprintf(err, errlen, "Vanaf rij %zu staat een aanhalingsteken (\") dat niet wordt gesloten.",
             c.row);
    rc = SK_EPARSE;
  } else if (got == -2) {
    snprintf(err, errlen, "Rij %zu heeft een cel van meer dan %d tekens.", c.row, IX_CSV_MAX_FIELD);
    rc = SK_EPARSE;
  } else if (got == -3) {
    rc = SK_ENOMEM;
  }
done:
  if (rc == SK_ENOMEM && !err[0])
    snprintf(err, errlen, "Te weinig geheugen om het bestand te lezen.");
  sk_buf_free(&r.buf);
  return rc;
}
