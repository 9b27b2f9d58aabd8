/* Responses (JSON, problem+json), query parameters and JSON helpers. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "web_internal.h"

int web_reply_json(struct web_ctx *x, int status, json_t *v) {
  if (!v)
    return web_problem(x, 500, "Interne fout", NULL,
                       "Er ging iets mis bij het maken van het antwoord.");
  char *body = json_dumps(v, JSON_COMPACT);
  json_decref(v);
  if (!body)
    return web_problem(x, 500, "Interne fout", NULL,
                       "Er ging iets mis bij het maken van het antwoord.");
  free(x->out.body);
  x->out.body = body;
  x->out.len = strlen(body);
  x->out.status = status;
  x->out.ctype = "application/json; charset=utf-8";
  x->out.cache = "public, max-age=60";
  x->out.etag = 1;
  return SK_OK;
}

int web_problem(struct web_ctx *x, int status, const char *title, const char *param,
                const char *detail_fmt, ...) {
  char detail[600];
  va_list ap;
  va_start(ap, detail_fmt);
  vsnprintf(detail, sizeof detail, detail_fmt, ap);
  va_end(ap);
  /* Text from the request may be cut mid-character by the bounds above;
   * jansson refuses invalid UTF-8, so trim back to a whole character. */
  size_t n = strlen(detail);
  while (n > 0 && !sk_utf8_valid(detail, n))
    detail[--n] = '\0';
  json_t *p = json_object();
  json_object_set_new(p, "type", json_string("about:blank"));
  json_object_set_new(p, "title", json_string(title));
  json_object_set_new(p, "status", json_integer(status));
  json_object_set_new(p, "detail", json_string(detail));
  if (x->url) {
    char inst[300];
    snprintf(inst, sizeof inst, "%.250s", x->url);
    size_t m = strlen(inst);
    while (m > 0 && !sk_utf8_valid(inst, m))
      inst[--m] = '\0';
    json_object_set_new(p, "instance", json_string(inst));
  }
  if (param) {
    json_t *ip = json_array(), *one = json_object();
    char name[80];
    snprintf(name, sizeof name, "%.64s", param);
    size_t m = strlen(name);
    while (m > 0 && !sk_utf8_valid(name, m))
      name[--m] = '\0';
    json_object_set_new(one, "name", json_string(name));
    json_object_set_new(one, "reason", json_string(detail));
    json_array_append_new(ip, one);
    json_object_set_new(p, "invalid_params", ip);
  }
  char *body = json_dumps(p, JSON_COMPACT);
  json_decref(p);
  free(x->out.body);
  x->out.body = body;
  x->out.len = body ? strlen(body) : 0;
  x->out.status = status;
  x->out.ctype = "application/problem+json; charset=utf-8";
  x->out.cache = "no-store";
  x->out.etag = 0;
  return SK_EINVAL;
}

int web_not_found(struct web_ctx *x, const char *what) {
  return web_problem(x, 404, "Niet gevonden", NULL, "%s met id '%.40s' bestaat niet.", what,
                     x->id ? x->id : "");
}

int web_unavailable(struct web_ctx *x, const char *detail) {
  return web_problem(x, 503, "Tijdelijk niet beschikbaar", NULL, "%s", detail);
}

int web_busy(struct web_ctx *x, const char *detail) {
  /* For the operator: how often writers give up during reindexes. */
  char path[300];
  web_log_path(x->url, path, sizeof path);
  fprintf(stderr,
          "sociale-kaart serve: %s %s: the database stayed locked for %d ms; answered 503\n",
          x->req ? x->req->method : "?", path, WEB_WRITE_WAIT_MS);
  int rc = web_unavailable(x, detail);
  x->out.retry_after = "2";
  x->out.cache = "no-store";
  return rc;
}

const char *web_arg(struct web_ctx *x, const char *name) {
  const char *v = MHD_lookup_connection_value(x->conn, MHD_GET_ARGUMENT_KIND, name);
  return v && *v ? v : NULL;
}

int web_arg_int(struct web_ctx *x, const char *name, long lo, long hi, long def, long *out) {
  const char *v = web_arg(x, name);
  if (!v) {
    *out = def;
    return SK_OK;
  }
  const char *p = v;
  if (*p == '+' || *p == '-')
    p++;
  int digits = 0;
  for (; *p; p++) {
    if (!isdigit((unsigned char)*p) || ++digits > 9)
      return web_bad_param(x, name,
                           "De parameter '%s' moet een geheel getal van %ld tot en met %ld zijn.",
                           name, lo, hi);
  }
  long n = strtol(v, NULL, 10);
  if (!digits || n < lo || n > hi)
    return web_bad_param(x, name,
                         "De parameter '%s' moet een geheel getal van %ld tot en met %ld zijn.",
                         name, lo, hi);
  *out = n;
  return SK_OK;
}

int web_arg_code(struct web_ctx *x, const char *name, enum sk_vocab v, const char **out) {
  const char *s = web_arg(x, name);
  *out = NULL;
  if (!s)
    return SK_OK;
  const struct sk_term *t = sk_taxonomy_find(x->srv->tax, v, s);
  if (!t && v == SK_VOCAB_MUNICIPALITY)
    t = sk_taxonomy_find(x->srv->tax, SK_VOCAB_SCOPE, s);
  if (!t)
    return web_bad_param(x, name, "'%.60s' is geen bekende code voor '%s'. Zie /api/v1/taxonomy.",
                         s, name);
  *out = t->code;
  return SK_OK;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/* Last Sunday of month m in year y, as days since the epoch. */
static int64_t last_sunday(int64_t y, unsigned m, unsigned days_in_month) {
  int64_t d = days_from_civil(y, m, days_in_month);
  int64_t wd = (d + 4) % 7; /* 0 = Sunday; 1970-01-01 was a Thursday */
  if (wd < 0)
    wd += 7;
  return d - wd;
}

/* Offset of Europe/Amsterdam from UTC (seconds) at local midnight of a day:
 * summer time runs from the last Sunday of March to that of October. */
static int amsterdam_offset(int64_t y, int64_t day) {
  int64_t start = last_sunday(y, 3, 31), end = last_sunday(y, 10, 31);
  return day > start && day <= end ? 7200 : 3600;
}

static int parse_digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int web_parse_time(const char *s, int64_t *out) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  size_t n = strlen(s);
  if (n < 10 || parse_digits(s, 4, &y) || s[4] != '-' || parse_digits(s + 5, 2, &mo) ||
      s[7] != '-' || parse_digits(s + 8, 2, &d))
    return SK_EINVAL;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
    return SK_EINVAL;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap)
    return SK_EINVAL;
  int64_t day = days_from_civil(y, (unsigned)mo, (unsigned)d);
  if (n == 10) { /* a date: local midnight in the Netherlands */
    *out = day * 86400 - amsterdam_offset(y, day);
    return SK_OK;
  }
  const char *p = s + 10;
  if ((*p != 'T' && *p != 't' && *p != ' ') || parse_digits(p + 1, 2, &h) || p[3] != ':' ||
      parse_digits(p + 4, 2, &mi))
    return SK_EINVAL;
  p += 6;
  if (*p == ':') {
    if (parse_digits(p + 1, 2, &se))
      return SK_EINVAL;
    p += 3;
    if (*p == '.') {
      p++;
      int frac = 0;
      while (isdigit((unsigned char)*p) && frac < 9) {
        p++;
        frac++;
      }
      if (!frac)
        return SK_EINVAL;
    }
  }
  if (h > 23 || mi > 59 || se > 60)
    return SK_EINVAL;
  int off;
  if ((*p == 'Z' || *p == 'z') && !p[1]) {
    off = 0;
  } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
    int oh, om;
    if (parse_digits(p + 1, 2, &oh) || parse_digits(p + 4, 2, &om) || oh > 14 || om > 59)
      return SK_EINVAL;
    off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
  } else {
    return SK_EINVAL; /* no offset: ambiguous */
  }
  *out = day * 86400 + h * 3600 + mi * 60 + se - off;
  return SK_OK;
}

int web_arg_time(struct web_ctx *x, const char *name, int64_t *out, int *present) {
  const char *s = web_arg(x, name);
  *present = s != NULL;
  if (!s)
    return SK_OK;
  if (web_parse_time(s, out) != SK_OK)
    return web_bad_param(x, name,
                         "De parameter '%s' moet een datum (2026-11-22) of een tijdstip met "
                         "tijdzone (2026-11-22T09:00:00+01:00) zijn.",
                         name);
  return SK_OK;
}

int web_is_uuid(const char *s) { return s && strlen(s) == 36 && sk_uuid_valid(s); }

int web_arg_page(struct web_ctx *x, long def_per_page, long max_per_page, struct web_page *p) {
  if (web_arg_int(x, "page", 1, 100000, 1, &p->page) ||
      web_arg_int(x, "per_page", 1, max_per_page, def_per_page, &p->per_page))
    return SK_EINVAL;
  return SK_OK;
}

struct link_build {
  struct sk_buf *b;
  int first;
  int failed;
};

static int url_encode(struct sk_buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    int rc;
    if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
      rc = sk_buf_addc(b, (char)*p);
    } else {
      char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      rc = sk_buf_add(b, e, 3);
    }
    if (rc)
      return rc;
  }
  return SK_OK;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
  (void)kind;
  struct link_build *lb = cls;
  if (strcmp(key, "page") == 0)
    return MHD_YES;
  if (sk_buf_addc(lb->b, lb->first ? '?' : '&') || url_encode(lb->b, key) ||
      sk_buf_addc(lb->b, '=') || url_encode(lb->b, value ? value : "")) {
    lb->failed = 1;
    return MHD_NO;
  }
  lb->first = 0;
  return MHD_YES;
}

json_t *web_next_link(struct web_ctx *x, const struct web_page *p, long long total) {
  if ((long long)p->page * p->per_page >= total)
    return json_null();
  struct sk_buf b;
  sk_buf_init(&b, 8192);
  struct link_build lb = {&b, 1, 0};
  if (sk_buf_addstr(&b, x->url)) {
    sk_buf_free(&b);
    return json_null();
  }
  MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, add_arg, &lb);
  if (lb.failed || sk_buf_printf(&b, "%cpage=%ld", lb.first ? '?' : '&', p->page + 1)) {
    sk_buf_free(&b);
    return json_null();
  }
  json_t *s = json_string(sk_buf_str(&b));
  sk_buf_free(&b);
  return s ? s : json_null();
}

json_t *web_json_text(sqlite3_stmt *s, int col) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL)
    return json_null();
  const char *t = (const char *)sqlite3_column_text(s, col);
  json_t *v = t ? json_stringn(t, (size_t)sqlite3_column_bytes(s, col)) : NULL;
  return v ? v : json_null(); /* invalid UTF-8 never reaches a client */
}

json_t *web_json_int(sqlite3_stmt *s, int col) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL)
    return json_null();
  return json_integer(sqlite3_column_int64(s, col));
}

json_t *web_json_real(sqlite3_stmt *s, int col) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL)
    return json_null();
  return json_real(sqlite3_column_double(s, col));
}

long web_term_index(const struct sk_taxonomy *tax, enum sk_vocab v, const char *code) {
  const struct sk_term *t = sk_taxonomy_find(tax, v, code);
  return t ? (long)(t - tax->terms) : -1;
}

json_t *web_json_term(const struct sk_taxonomy *tax, enum sk_vocab v, const char *code) {
  if (!code)
    return json_null();
  const struct sk_term *t = sk_taxonomy_find(tax, v, code);
  return json_pack("{s:s, s:s}", "code", code, "label", t && t->label ? t->label : code);
}

void web_iso_utc(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
