#ifndef WEB_HTML_H
#define WEB_HTML_H
/*
 * web_html: the HTML writer of the server-rendered pages (web_pages.c).
 *
 * Escaping by construction: markup can only be written with WH(h, "…"),
 * which accepts a string literal and nothing else (the "" "lit" pasting
 * fails to compile for a variable). Every other text (feed text, query
 * text, labels) goes through wh_text, which escapes & < > " ' and drops
 * control characters, so it is safe both between tags and inside a
 * double-quoted attribute value. URLs from feeds go through wh_href (only
 * http, https, mailto and tel are linked); URL parts built here go through
 * wh_q (percent-encoding). JSON-LD is serialised by jansson and made safe
 * for a <script> element by wh_jsonld.
 *
 * Errors are sticky: after the first failed append (out of memory, past
 * the bound) every call is a no-op and wh_take returns NULL.
 */
#include <jansson.h>
#include <stddef.h>

#include "sk_buf.h"

struct wh {
  struct sk_buf b;
  int failed;
};

#define WH_MAX_PAGE (4u << 20) /* no page is larger than 4 MiB */

void wh_init(struct wh *h);
void wh_free(struct wh *h);
/* The page (malloc'd, NUL-terminated; caller frees) and its length; NULL
 * when any append failed. The writer is emptied. */
char *wh_take(struct wh *h, size_t *len);

/* Markup: a string literal only. */
#define WH(h, lit) wh_raw_((h), "" lit "", sizeof(lit) - 1)
void wh_raw_(struct wh *h, const char *lit, size_t n);

/* Text, escaped. NULL writes nothing. */
void wh_text(struct wh *h, const char *s);
void wh_textn(struct wh *h, const char *s, size_t n);
/* printf, then escaped as text. */
void wh_textf(struct wh *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A URL component, percent-encoded (unreserved characters kept). */
void wh_q(struct wh *h, const char *s);
/* 1 when url may be an href: http(s)://, mailto: or tel: without controls. */
int wh_url_ok(const char *url);
/* An href value for a feed URL (escaped); "#" when it is not wh_url_ok. */
void wh_href(struct wh *h, const char *url);
/* A readable URL slug of name: lower-case ASCII letters and digits, words
 * joined by "-", accents dropped, at most 60 bytes; "aanbod" when empty. */
void wh_slug(struct wh *h, const char *name);
/* The same slug into out (at least 64 bytes). */
void wh_slug_to(const char *name, char *out, size_t cap);
/* A tel: href for a Dutch phone number ("035 000 0101" -> tel:+31350000101,
 * "0800-2000" -> tel:08002000, "112" -> tel:112); 0 when it has no digits. */
int wh_tel(struct wh *h, const char *number);
/* <script type="application/ld+json">…</script> from v (borrowed): < > &
 * and U+2028/2029 written as \u escapes, so no text in v can end the
 * element or open a comment. */
void wh_jsonld(struct wh *h, const json_t *v);
/* The same for data a script on the page reads: <script type="type"
 * id="id"> (id may be NULL). */
void wh_json_script(struct wh *h, const char *type, const char *id, const json_t *v);

#endif
