#include "ix_json.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

/* Objects with more keys than this are checked for duplicates by sorting;
 * smaller ones pairwise (faster for the usual 5-30 keys). */
#define PAIRWISE_MAX 32

struct ix_json_key {
  size_t off, len; /* in text */
  uint64_t h;
  const char *at; /* in the input, for the error position */
};

/* Bytes that need no attention inside a string: printable ASCII but '"'
 * and '\\'. */
static const unsigned char plain[256] = {
#define R8(v) v, v, v, v, v, v, v, v
#define R16(v) R8(v), R8(v)
    R16(0), R16(0),                                                       /* 0x00-0x1f */
    1,      1,      0,      1,      1,      1,      1,      1,     R8(1), /* 0x20-0x2f: '"' */
    R16(1),                                                               /* 0x30-0x3f */
    R16(1),                                                               /* 0x40-0x4f */
    R8(1),  1,      1,      1,      1,      0,      1,      1,     1,     /* 0x50-0x5f: '\\' */
    R16(1), R16(1),                                                       /* 0x60-0x7f */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)        /* 0x80-0xff */
#undef R16
#undef R8
};

void ix_json_init(struct ix_json *j, const char *data, size_t len) {
  memset(j, 0, sizeof *j);
  j->start = j->p = data;
  j->end = data + len;
}

void ix_json_free(struct ix_json *j) {
  free(j->nodes);
  free(j->text);
  free(j->keys);
  j->nodes = NULL;
  j->text = NULL;
  j->keys = NULL;
  j->n_nodes = j->cap_nodes = j->text_len = j->text_cap = j->n_keys = j->cap_keys = 0;
}

void ix_json_reset(struct ix_json *j) {
  j->n_nodes = 0;
  j->text_len = 0;
}

static int fail(struct ix_json *j, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct ix_json *j, const char *at, const char *fmt, ...) {
  if (!j->err_at) {
    j->err_at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err, sizeof j->err, fmt, ap);
    va_end(ap);
  }
  return SK_EPARSE;
}

static int oom(struct ix_json *j) {
  j->oom = 1;
  return SK_ENOMEM;
}

static int eof_fail(struct ix_json *j) {
  return fail(j, j->end, "de tekst houdt op voordat de JSON af is");
}

/* What is at p, for a message: "'x'" or "het einde". */
static int unexpected(struct ix_json *j, const char *p, const char *wanted) {
  if (p >= j->end)
    return eof_fail(j);
  unsigned char c = (unsigned char)*p;
  if (c >= 0x21 && c < 0x7f)
    return fail(j, p, "hier verwachtten we %s, maar er staat '%c'", wanted, c);
  return fail(j, p, "hier verwachtten we %s", wanted);
}

void ix_json_message(const struct ix_json *j, char *out, size_t outlen) {
  const char *at = j->err_at ? j->err_at : j->p;
  long line = 1, col = 1;
  for (const char *q = j->start; q < at && q < j->end; q++) {
    if (*q == '\n') {
      line++;
      col = 1;
    } else if (((unsigned char)*q & 0xC0) != 0x80) {
      col++;
    }
  }
  snprintf(out, outlen, "regel %ld, kolom %ld: %s", line, col,
           j->err[0] ? j->err : "onbekende fout");
}

static inline const char *skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  return p;
}

int ix_json_eat(struct ix_json *j, char c) {
  j->p = skip_ws(j->p, j->end);
  if (j->p < j->end && *j->p == c) {
    j->p++;
    return 1;
  }
  return 0;
}

int ix_json_at_end(struct ix_json *j) {
  j->p = skip_ws(j->p, j->end);
  return j->p >= j->end;
}

/* ---- text ------------------------------------------------------------- */

static int text_add(struct ix_json *j, const void *s, size_t n) {
  if (n + 1 > j->text_cap - j->text_len) {
    size_t need = j->text_len + n + 1;
    size_t ncap = j->text_cap ? j->text_cap : 4096;
    while (ncap < need) {
      if (ncap > SIZE_MAX / 2)
        return oom(j);
      ncap *= 2;
    }
    char *nt = realloc(j->text, ncap);
    if (!nt)
      return oom(j);
    j->text = nt;
    j->text_cap = ncap;
  }
  memcpy(j->text + j->text_len, s, n);
  j->text_len += n;
  return SK_OK;
}

/* Length of the valid UTF-8 sequence starting at s (a byte >= 0x80), or 0:
 * no overlong forms, no surrogates, nothing past U+10FFFF (as jansson). */
static size_t utf8_len(const unsigned char *s, const unsigned char *e) {
  unsigned c = s[0];
  size_t n;
  unsigned lo = 0x80, hi = 0xBF;
  if (c < 0xC2)
    return 0;
  if (c < 0xE0)
    n = 2;
  else if (c < 0xF0) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F;
  } else if (c < 0xF5) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  if ((size_t)(e - s) < n)
    return 0;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

static int hex4(const unsigned char *s, const unsigned char *e, unsigned *out) {
  if (e - s < 4)
    return 0;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = s[i], d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return 0;
    v = v * 16 + d;
  }
  *out = v;
  return 1;
}

static size_t utf8_put(unsigned cp, char out[4]) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* A string at j->p ('"'); decoded into text when keep (NUL-terminated,
 * *off / *len), else only checked. */
static int string_at(struct ix_json *j, int keep, size_t *off, size_t *len) {
  const unsigned char *s = (const unsigned char *)j->p + 1, *e = (const unsigned char *)j->end;
  size_t start = j->text_len;
  for (;;) {
    const unsigned char *run = s;
    while (s < e && plain[*s])
      s++;
    if (keep && s > run && text_add(j, run, (size_t)(s - run)))
      return SK_ENOMEM;
    if (s >= e)
      return eof_fail(j);
    unsigned c = *s;
    if (c == '"') {
      s++;
      break;
    }
    if (c == '\\') {
      if (e - s < 2)
        return eof_fail(j);
      char out[4];
      size_t n = 1;
      switch (s[1]) {
      case '"': out[0] = '"'; break;
      case '\\': out[0] = '\\'; break;
      case '/': out[0] = '/'; break;
      case 'b': out[0] = '\b'; break;
      case 'f': out[0] = '\f'; break;
      case 'n': out[0] = '\n'; break;
      case 'r': out[0] = '\r'; break;
      case 't': out[0] = '\t'; break;
      case 'u': {
        unsigned cp;
        if (!hex4(s + 2, e, &cp))
          return fail(j, (const char *)s, "na \\u moeten vier hexadecimale cijfers staan");
        const unsigned char *esc = s;
        s += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned lo;
          if (e - s < 2 || s[0] != '\\' || s[1] != 'u' || !hex4(s + 2, e, &lo) || lo < 0xDC00 ||
              lo > 0xDFFF)
            return fail(j, (const char *)esc, "ongeldig Unicode-teken (een losse surrogaat)");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          s += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return fail(j, (const char *)esc, "ongeldig Unicode-teken (een losse surrogaat)");
        } else if (cp == 0) {
          return fail(j, (const char *)esc, "\\u0000 mag niet in tekst staan");
        }
        n = utf8_put(cp, out);
        if (keep && text_add(j, out, n))
          return SK_ENOMEM;
        continue;
      }
      default: return fail(j, (const char *)s, "ongeldig escape-teken na '\\'");
      }
      if (keep && text_add(j, out, n))
        return SK_ENOMEM;
      s += 2;
      continue;
    }
    if (c < 0x20)
      return fail(j, (const char *)s,
                  "een stuurteken (zoals een regeleinde of tab) in tekst moet als \\n of \\t "
                  "geschreven worden");
    size_t n = utf8_len(s, e);
    if (!n)
      return fail(j, (const char *)s, "ongeldige tekens: de tekst is geen UTF-8");
    if (keep && text_add(j, s, n))
      return SK_ENOMEM;
    s += n;
  }
  if (keep) {
    if (text_add(j, "", 1))
      return SK_ENOMEM;
    *off = start;
    *len = j->text_len - start - 1; /* without the NUL */
  }
  j->p = (const char *)s;
  return SK_OK;
}

int ix_json_string(struct ix_json *j, size_t *off, size_t *len) {
  j->p = skip_ws(j->p, j->end);
  if (j->p >= j->end || *j->p != '"')
    return unexpected(j, j->p, "een naam tussen aanhalingstekens");
  return string_at(j, 1, off, len);
}

/* strtod in the "C" way whatever the locale. */
static double c_strtod(const char *s, size_t n, int *overflow) {
  char small[64];
  char *buf = n < sizeof small ? small : malloc(n + 1);
  if (!buf) {
    *overflow = -1;
    return 0;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  const char *dp = localeconv()->decimal_point;
  if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
    char *dot = strchr(buf, '.');
    if (dot)
      *dot = dp[0];
  }
  errno = 0;
  double v = strtod(buf, NULL);
  *overflow = (v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE;
  if (buf != small)
    free(buf);
  return v;
}

static int is_digit(const char *p, const char *e) { return p < e && *p >= '0' && *p <= '9'; }

/* A number at j->p. */
static int number_at(struct ix_json *j, enum ix_jtype *type, long long *iv, double *dv) {
  const char *s = j->p, *e = j->end, *p = s;
  int neg = 0;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  if (!is_digit(p, e))
    return fail(j, s, "ongeldig getal");
  unsigned long long acc = 0;
  int too_big = 0;
  if (*p == '0') {
    p++;
  } else {
    while (is_digit(p, e)) {
      unsigned d = (unsigned)(*p - '0');
      if (acc > (ULLONG_MAX - d) / 10)
        too_big = 1;
      else
        acc = acc * 10 + d;
      p++;
    }
  }
  int real = 0;
  if (p < e && *p == '.') {
    real = 1;
    p++;
    if (!is_digit(p, e))
      return fail(j, s, "ongeldig getal");
    while (is_digit(p, e))
      p++;
  }
  if (p < e && (*p == 'e' || *p == 'E')) {
    real = 1;
    p++;
    if (p < e && (*p == '+' || *p == '-'))
      p++;
    if (!is_digit(p, e))
      return fail(j, s, "ongeldig getal");
    while (is_digit(p, e))
      p++;
  }
  if (real) {
    int overflow;
    double v = c_strtod(s, (size_t)(p - s), &overflow);
    if (overflow < 0)
      return oom(j);
    if (overflow)
      return fail(j, s, "het getal is te groot");
    *type = IX_JREAL;
    *dv = v;
    *iv = 0;
  } else {
    unsigned long long lim = neg ? (unsigned long long)LLONG_MAX + 1
                                 : (unsigned long long)LLONG_MAX;
    if (too_big || acc > lim)
      return fail(j, s, "het getal is te groot");
    long long v = neg ? (acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)acc)
                      : (long long)acc;
    *type = IX_JINT;
    *iv = v;
    *dv = (double)v;
  }
  j->p = p;
  return SK_OK;
}

static int literal_at(struct ix_json *j, enum ix_jtype *type) {
  const char *p = j->p;
  size_t left = (size_t)(j->end - p);
  if (left >= 4 && memcmp(p, "true", 4) == 0) {
    *type = IX_JTRUE;
    j->p += 4;
  } else if (left >= 5 && memcmp(p, "false", 5) == 0) {
    *type = IX_JFALSE;
    j->p += 5;
  } else if (left >= 4 && memcmp(p, "null", 4) == 0) {
    *type = IX_JNULL;
    j->p += 4;
  } else {
    return unexpected(j, p, "een waarde");
  }
  return SK_OK;
}

/* ---- checking --------------------------------------------------------- */

static uint64_t key_hash(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

struct key_ref {
  uint64_t h;
  size_t len;
  const char *s, *at;
};

static int key_ref_cmp(const void *x, const void *y) {
  const struct key_ref *a = x, *b = y;
  if (a->h != b->h)
    return a->h < b->h ? -1 : 1;
  if (a->len != b->len)
    return a->len < b->len ? -1 : 1;
  int c = memcmp(a->s, b->s, a->len);
  if (c)
    return c;
  return a->at < b->at ? -1 : a->at > b->at;
}

/* Part of a key for a message: at most 60 bytes, cut on a character. */
static void key_for_message(const char *s, size_t n, char *out, size_t outlen) {
  size_t m = n < 60 ? n : 60;
  while (m < n && m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
    m--;
  snprintf(out, outlen, "%.*s%s", (int)m, s, m < n ? "…" : "");
}

static int duplicate(struct ix_json *j, const char *s, size_t n, const char *at) {
  char name[80];
  key_for_message(s, n, name, sizeof name);
  return fail(j, at, "de naam '%s' staat twee keer in hetzelfde object", name);
}

/* Keys [base, n_keys) of one object: any two equal? */
static int check_duplicates(struct ix_json *j, size_t base) {
  size_t n = j->n_keys - base;
  if (n < 2)
    return SK_OK; /* also before any key exists: j->keys may still be NULL */
  const struct ix_json_key *k = j->keys + base;
  if (n <= PAIRWISE_MAX) {
    for (size_t a = 1; a < n; a++)
      for (size_t b = 0; b < a; b++)
        if (k[a].h == k[b].h && k[a].len == k[b].len &&
            memcmp(j->text + k[a].off, j->text + k[b].off, k[a].len) == 0)
          return duplicate(j, j->text + k[a].off, k[a].len, k[a].at);
    return SK_OK;
  }
  struct key_ref *r = malloc(n * sizeof *r);
  if (!r)
    return oom(j);
  for (size_t i = 0; i < n; i++)
    r[i] = (struct key_ref){k[i].h, k[i].len, j->text + k[i].off, k[i].at};
  qsort(r, n, sizeof *r, key_ref_cmp);
  int rc = SK_OK;
  for (size_t i = 1; i < n && !rc; i++)
    if (r[i].h == r[i - 1].h && r[i].len == r[i - 1].len &&
        memcmp(r[i].s, r[i - 1].s, r[i].len) == 0)
      rc = duplicate(j, r[i].s, r[i].len, r[i].at);
  free(r);
  return rc;
}

static int push_key(struct ix_json *j, size_t off, size_t len, const char *at) {
  if (j->n_keys == j->cap_keys) {
    size_t ncap = j->cap_keys ? j->cap_keys * 2 : 256;
    struct ix_json_key *nk = realloc(j->keys, ncap * sizeof *nk);
    if (!nk)
      return oom(j);
    j->keys = nk;
    j->cap_keys = ncap;
  }
  j->keys[j->n_keys++] = (struct ix_json_key){off, len, key_hash(j->text + off, len), at};
  return SK_OK;
}

static int check_value(struct ix_json *j, enum ix_jtype *type, size_t *count);

static int check_object(struct ix_json *j, ix_json_member_fn fn, void *ctx, size_t *count) {
  j->p++; /* '{' */
  size_t key_base = j->n_keys, text_base = j->text_len, n = 0;
  int rc = SK_OK;
  if (!ix_json_eat(j, '}')) {
    for (;;) {
      j->p = skip_ws(j->p, j->end);
      if (j->p >= j->end || *j->p != '"') {
        rc = unexpected(j, j->p, "een naam tussen aanhalingstekens");
        break;
      }
      const char *at = j->p;
      size_t off, len;
      enum ix_jtype t;
      if ((rc = string_at(j, 1, &off, &len)) || (rc = push_key(j, off, len, at)))
        break;
      if (!ix_json_eat(j, ':')) {
        rc = unexpected(j, j->p, "':'");
        break;
      }
      j->p = skip_ws(j->p, j->end);
      if ((rc = fn ? fn(ctx, j, j->text + off, len) : check_value(j, &t, NULL)))
        break;
      n++;
      if (ix_json_eat(j, ','))
        continue;
      if (ix_json_eat(j, '}'))
        break;
      rc = unexpected(j, j->p, "',' of '}'");
      break;
    }
  }
  if (!rc)
    rc = check_duplicates(j, key_base);
  j->n_keys = key_base;
  j->text_len = text_base;
  if (count)
    *count = n;
  return rc;
}

int ix_json_check_object(struct ix_json *j, ix_json_member_fn fn, void *ctx) {
  j->p = skip_ws(j->p, j->end);
  if (j->p >= j->end || *j->p != '{')
    return unexpected(j, j->p, "'{'");
  if (++j->depth > IX_JSON_MAX_DEPTH)
    return fail(j, j->p, "de JSON is meer dan %d lagen diep", IX_JSON_MAX_DEPTH);
  int rc = check_object(j, fn, ctx, NULL);
  j->depth--;
  return rc;
}

int ix_json_expected(struct ix_json *j, const char *wanted) {
  j->p = skip_ws(j->p, j->end);
  return unexpected(j, j->p, wanted);
}

static int check_array(struct ix_json *j, size_t *count) {
  j->p++; /* '[' */
  size_t n = 0;
  if (ix_json_eat(j, ']')) {
    if (count)
      *count = 0;
    return SK_OK;
  }
  for (;;) {
    enum ix_jtype t;
    int rc = check_value(j, &t, NULL);
    if (rc)
      return rc;
    n++;
    if (ix_json_eat(j, ','))
      continue;
    if (ix_json_eat(j, ']'))
      break;
    return unexpected(j, j->p, "',' of ']'");
  }
  if (count)
    *count = n;
  return SK_OK;
}

static int check_value(struct ix_json *j, enum ix_jtype *type, size_t *count) {
  j->p = skip_ws(j->p, j->end);
  if (j->p >= j->end)
    return eof_fail(j);
  if (++j->depth > IX_JSON_MAX_DEPTH)
    return fail(j, j->p, "de JSON is meer dan %d lagen diep", IX_JSON_MAX_DEPTH);
  if (j->count_depth && j->depth >= j->count_depth) {
    if (j->depth == j->count_depth)
      j->counted = 0;
    if (++j->counted > j->count_max)
      return fail(j, j->p, "een record heeft meer dan %zu waarden", j->count_max);
  }
  int rc;
  long long iv;
  double dv;
  if (count)
    *count = 0;
  switch (*j->p) {
  case '{':
    *type = IX_JOBJ;
    rc = check_object(j, NULL, NULL, count);
    break;
  case '[':
    *type = IX_JARR;
    rc = check_array(j, count);
    break;
  case '"':
    *type = IX_JSTR;
    rc = string_at(j, 0, NULL, NULL);
    break;
  case '-':
  case '0':
  case '1':
  case '2':
  case '3':
  case '4':
  case '5':
  case '6':
  case '7':
  case '8':
  case '9': rc = number_at(j, type, &iv, &dv); break;
  default: rc = literal_at(j, type); break;
  }
  j->depth--;
  return rc;
}

int ix_json_check(struct ix_json *j, enum ix_jtype *type, size_t *count) {
  return check_value(j, type, count);
}

/* ---- reading into nodes ----------------------------------------------- */

static size_t new_node(struct ix_json *j) {
  if (j->n_nodes == 0)
    j->n_nodes = 1; /* index 0 means "none" */
  if (j->n_nodes >= j->cap_nodes) {
    size_t ncap = j->cap_nodes ? j->cap_nodes * 2 : 256;
    struct ix_jnode *nn = realloc(j->nodes, ncap * sizeof *nn);
    if (!nn) {
      oom(j);
      return 0;
    }
    j->nodes = nn;
    j->cap_nodes = ncap;
  }
  size_t i = j->n_nodes++;
  memset(&j->nodes[i], 0, sizeof j->nodes[i]);
  return i;
}

static int read_value(struct ix_json *j, size_t *out);

/* Append child to container c (indices: nodes may move). */
static void link_child(struct ix_json *j, size_t c, size_t *last, size_t child) {
  if (*last)
    j->nodes[*last].next = child;
  else
    j->nodes[c].off = child;
  j->nodes[c].len++;
  *last = child;
}

static int read_value(struct ix_json *j, size_t *out) {
  j->p = skip_ws(j->p, j->end);
  if (j->p >= j->end)
    return eof_fail(j);
  if (++j->depth > IX_JSON_MAX_DEPTH)
    return fail(j, j->p, "de JSON is meer dan %d lagen diep", IX_JSON_MAX_DEPTH);
  size_t me = new_node(j);
  if (!me)
    return SK_ENOMEM;
  *out = me;
  int rc = SK_OK;
  char c = *j->p;
  if (c == '{' || c == '[') {
    int obj = c == '{';
    j->nodes[me].type = obj ? IX_JOBJ : IX_JARR;
    j->p++;
    size_t last = 0;
    if (!ix_json_eat(j, obj ? '}' : ']')) {
      for (;;) {
        size_t key = 0, klen = 0, child;
        if (obj) {
          if ((rc = ix_json_string(j, &key, &klen)))
            break;
          if (!ix_json_eat(j, ':')) {
            rc = unexpected(j, j->p, "':'");
            break;
          }
        }
        if ((rc = read_value(j, &child)))
          break;
        j->nodes[child].key = key;
        j->nodes[child].klen = klen;
        link_child(j, me, &last, child);
        if (ix_json_eat(j, ','))
          continue;
        if (ix_json_eat(j, obj ? '}' : ']'))
          break;
        rc = unexpected(j, j->p, obj ? "',' of '}'" : "',' of ']'");
        break;
      }
    }
  } else if (c == '"') {
    size_t off, len;
    if (!(rc = string_at(j, 1, &off, &len))) {
      j->nodes[me].type = IX_JSTR;
      j->nodes[me].off = off;
      j->nodes[me].len = len;
    }
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    enum ix_jtype t;
    long long iv;
    double dv;
    if (!(rc = number_at(j, &t, &iv, &dv))) {
      j->nodes[me].type = t;
      j->nodes[me].i = iv;
      j->nodes[me].d = dv;
    }
  } else {
    enum ix_jtype t;
    if (!(rc = literal_at(j, &t)))
      j->nodes[me].type = t;
  }
  j->depth--;
  return rc;
}

int ix_json_read(struct ix_json *j, size_t *node) {
  *node = 0;
  return read_value(j, node);
}

const struct ix_jnode *ix_jnode_get(const struct ix_json *j, const struct ix_jnode *obj,
                                    const char *name) {
  if (!obj || obj->type != IX_JOBJ)
    return NULL;
  size_t n = strlen(name);
  for (size_t i = obj->off; i; i = j->nodes[i].next) {
    const struct ix_jnode *m = &j->nodes[i];
    if (m->klen == n && memcmp(j->text + m->key, name, n) == 0)
      return m;
  }
  return NULL;
}
