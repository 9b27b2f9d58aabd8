/* The HTML writer of the server-rendered pages: escaping by construction. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "web_html.h"

void wh_init(struct wh *h) {
  sk_buf_init(&h->b, WH_MAX_PAGE);
  h->failed = 0;
}

void wh_free(struct wh *h) { sk_buf_free(&h->b); }

char *wh_take(struct wh *h, size_t *len) {
  if (h->failed) {
    sk_buf_free(&h->b);
    return NULL;
  }
  return sk_buf_detach(&h->b, len);
}

static void put(struct wh *h, const char *s, size_t n) {
  if (!h->failed && sk_buf_add(&h->b, s, n) != SK_OK)
    h->failed = 1;
}

void wh_raw_(struct wh *h, const char *lit, size_t n) { put(h, lit, n); }

void wh_textn(struct wh *h, const char *s, size_t n) {
  if (!s)
    return;
  size_t i = 0, run = 0;
  while (i < n && s[i]) {
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, n - i, &cp);
    const char *rep = NULL;
    if (k == 0) {
      rep = ""; /* invalid byte: dropped */
      k = 1;
    } else if (cp == '&') {
      rep = "&amp;";
    } else if (cp == '<') {
      rep = "&lt;";
    } else if (cp == '>') {
      rep = "&gt;";
    } else if (cp == '"') {
      rep = "&quot;";
    } else if (cp == '\'') {
      rep = "&#39;";
    } else if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      rep = ""; /* control characters are not text */
    }
    if (rep) {
      put(h, s + i - run, run);
      put(h, rep, strlen(rep));
      run = 0;
    } else {
      run += k;
    }
    i += k;
  }
  put(h, s + i - run, run);
}

void wh_text(struct wh *h, const char *s) {
  if (s)
    wh_textn(h, s, strlen(s));
}

void wh_textf(struct wh *h, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  size_t len = (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
  wh_textn(h, tmp, sk_utf8_prefix(tmp, len, len));
}

void wh_q(struct wh *h, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  if (!s)
    return;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '_' || *p == '.' || *p == '~') {
      put(h, (const char *)p, 1);
    } else {
      char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      put(h, e, 3);
    }
  }
}

int wh_url_ok(const char *url) {
  if (!url)
    return 0;
  if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0 &&
      strncmp(url, "mailto:", 7) != 0 && strncmp(url, "tel:", 4) != 0)
    return 0;
  for (const unsigned char *p = (const unsigned char *)url; *p; p++)
    if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
      return 0;
  return strlen(url) <= 2000;
}

void wh_href(struct wh *h, const char *url) {
  if (wh_url_ok(url))
    wh_text(h, url);
  else
    WH(h, "#");
}

void wh_slug_to(const char *name, char *out, size_t cap) {
  size_t o = 0;
  int dash = 0;
  if (cap < 8) {
    if (cap)
      out[0] = '\0';
    return;
  }
  size_t n = name ? strlen(name) : 0, i = 0;
  /* At most 60 bytes, cut between characters, never ending in "-" (as
   * common.js SK.slug: the first 60, trailing dashes dropped). */
  while (i < n && o < 60 && o + 4 < cap) {
    uint32_t cp;
    size_t k = sk_utf8_decode(name + i, n - i, &cp);
    if (k == 0) {
      i++;
      continue;
    }
    i += k;
    char f[4];
    size_t fl = sk_fold_cp(cp, f);
    char c = 0;
    if (fl == 1)
      c = f[0];
    else if (fl == 0 && cp < 0x80)
      c = (char)cp;
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && o && o + 2 > 60)
        break;
      if (dash && o)
        out[o++] = '-';
      dash = 0;
      out[o++] = c;
    } else {
      dash = 1;
    }
  }
  if (!o) {
    snprintf(out, cap, "aanbod");
    return;
  }
  out[o] = '\0';
}

void wh_slug(struct wh *h, const char *name) {
  char s[72];
  wh_slug_to(name, s, sizeof s);
  put(h, s, strlen(s));
}

int wh_tel(struct wh *h, const char *number) {
  char d[40];
  size_t n = 0;
  for (const char *p = number; p && *p && n + 1 < sizeof d; p++)
    if ((*p >= '0' && *p <= '9') || (*p == '+' && n == 0))
      d[n++] = *p;
  d[n] = '\0';
  if (n == 0 || (n == 1 && d[0] == '+'))
    return 0;
  WH(h, "tel:");
  if (d[0] == '0' && d[1] == '0') {
    WH(h, "+");
    put(h, d + 2, n - 2);
  } else if (d[0] == '0' && d[1] >= '1' && d[1] <= '9' && strncmp(d, "0800", 4) != 0 &&
             strncmp(d, "0900", 4) != 0) {
    WH(h, "+31");
    put(h, d + 1, n - 1);
  } else {
    put(h, d, n);
  }
  return 1;
}

void wh_jsonld(struct wh *h, const json_t *v) { wh_json_script(h, "application/ld+json", NULL, v); }

void wh_json_script(struct wh *h, const char *type, const char *id, const json_t *v) {
  char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
  if (!s) {
    h->failed = 1;
    return;
  }
  WH(h, "<script type=\"");
  wh_text(h, type);
  if (id) {
    WH(h, "\" id=\"");
    wh_text(h, id);
  }
  WH(h, "\">");
  /* JSON_ENSURE_ASCII writes U+2028/2029 as \u escapes already; < > & can
   * only occur inside strings, where \u003c etc. mean the same. */
  size_t run = 0, i = 0;
  for (; s[i]; i++) {
    const char *rep = s[i] == '<'   ? "\\u003c"
                      : s[i] == '>' ? "\\u003e"
                      : s[i] == '&' ? "\\u0026"
                                    : NULL;
    if (rep) {
      put(h, s + i - run, run);
      put(h, rep, 6);
      run = 0;
    } else {
      run++;
    }
  }
  put(h, s + i - run, run);
  WH(h, "</script>\n");
  free(s);
}
