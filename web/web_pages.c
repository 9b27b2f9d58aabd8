/* The server-rendered site: every resident task works with HTML alone; the
 * JavaScript in web/static enhances these pages. Pages are written with
 * web_html (escaping by construction) from the same data the JSON API
 * serves: sk_search for search, need and professional pages, the service
 * and organisation builders of web_api.c for detail pages, the activities
 * handler for the agenda. Paths (Dutch, stable, readable):
 *
 *   /  /zoeken  /hulp  /hulp/{need}  /aanbod  /aanbod/{id}/{slug}
 *   /organisatie/{id}/{slug}  /agenda  /professionals
 *   /sitemap.xml  /robots.txt   (and the HTML 404 of every non-API path)
 *
 * Form fields are the API's parameter names, plus "gemeente" for the
 * municipality (the resident's word; "municipality" works too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sk_err.h"
#include "sk_portal.h"
#include "sk_search.h"
#include "web_html.h"
#include "web_internal.h"

/* Demo values (as web/static/js/common.js SK.INFO_PHONES). */
#define INFO_HUIZEN "035 000 0101"
#define INFO_BEL "035 000 0102"
#define QUICK_EXIT_URL "https://www.google.nl/"
#define CHAT_113_URL "https://www.113.nl/"
#define PER_PAGE 10

/* ---- small JSON accessors ------------------------------------------------- */

static const char *js(const json_t *o, const char *k) {
  const json_t *v = json_object_get(o, k);
  return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}
static const json_t *jo(const json_t *o, const char *k) { return json_object_get(o, k); }
static int js_is(const json_t *v, const char *s) {
  return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}
static const char *jlabel(const json_t *v) {
  if (json_is_array(v))
    v = json_array_get(v, 0);
  return js(v, "label");
}
static const char *jcode(const json_t *v) {
  if (json_is_array(v))
    v = json_array_get(v, 0);
  return js(v, "code");
}

/* ---- words for residents (B1, "u"): they win over the taxonomy's terms --- */

struct plain_term {
  enum sk_vocab vocab;
  const char *code, *label, *explain;
};

/* The word list: taxonomy terms residents do not understand, and their
 * plain replacements. Professionals see the taxonomy's exact labels. */
static const struct plain_term plain_terms[] = {
    {SK_VOCAB_ACCESS, "vrij", "Zonder verwijzing",
     "U kunt zelf binnenlopen, bellen of mailen. U heeft geen verwijzing nodig."},
    {SK_VOCAB_ACCESS, "aanmelden", "Zelf aanmelden",
     "U heeft geen verwijzing nodig. U meldt zich wel eerst aan of maakt een afspraak."},
    {SK_VOCAB_ACCESS, "verwijzing", "Verwijzing nodig",
     "U heeft een verwijzing nodig, bijvoorbeeld van de huisarts of een consulent."},
    {SK_VOCAB_ACCESS, "indicatie", "Eerst een gesprek met de gemeente",
     "De gemeente praat eerst met u. Daarna besluit de gemeente of u deze hulp krijgt."},
    {SK_VOCAB_COST, "gratis", "Gratis", NULL},
    {SK_VOCAB_COST, "eigen-bijdrage", "U betaalt een deel zelf",
     "U betaalt elke maand een vast bedrag. Dat bedrag regelt het CAK, een landelijke "
     "organisatie."},
    {SK_VOCAB_COST, "vergoed", "Uw zorgverzekering betaalt",
     "Vraag bij uw verzekering of u zelf iets betaalt, zoals eigen risico."},
    {SK_VOCAB_COST, "betaald", "U betaalt zelf", NULL},
    {SK_VOCAB_TARGET_GROUP, "psychisch", "Mensen met psychische problemen", NULL},
    {SK_VOCAB_TARGET_GROUP, "nieuwkomers", "Nieuwkomers in Nederland", NULL},
};

static const struct plain_term *plain(enum sk_vocab v, const char *code) {
  for (size_t i = 0; code && i < sizeof plain_terms / sizeof plain_terms[0]; i++)
    if (plain_terms[i].vocab == v && strcmp(plain_terms[i].code, code) == 0)
      return &plain_terms[i];
  return NULL;
}

/* The label residents see for a code (plain word first, then taxonomy). */
static const char *label_for(const struct sk_taxonomy *tax, enum sk_vocab v, const char *code,
                             int professional) {
  const struct plain_term *p = professional ? NULL : plain(v, code);
  if (p)
    return p->label;
  const struct sk_term *t = code ? sk_taxonomy_find(tax, v, code) : NULL;
  return t && t->label ? t->label : code;
}

/* Short names of the top-level needs (as common.js SK.SHORT_NEED). */
static const struct {
  const char *code, *label;
} short_need[] = {
    {"geld", "Geld en schulden"},           {"werk", "Werk en meedoen"},
    {"opvoeden", "Opvoeden en opgroeien"},  {"psychisch", "Als u zich niet goed voelt"},
    {"ontmoeten", "Mensen ontmoeten"},      {"thuis", "Thuis blijven wonen"},
    {"geheugen", "Geheugen en dementie"},   {"mantelzorg", "Zorgen voor een ander"},
    {"gezondheid", "Gezond leven"},         {"wonen", "Een huis vinden"},
    {"veiligheid", "Veiligheid en geweld"}, {"taal", "Taal en computer"},
    {"beperking", "Beperking of ziekte"},   {"advies", "Advies en rechten"},
};

static const char *need_title(const struct sk_taxonomy *tax, const char *code) {
  for (size_t i = 0; i < sizeof short_need / sizeof short_need[0]; i++)
    if (strcmp(short_need[i].code, code) == 0)
      return short_need[i].label;
  return label_for(tax, SK_VOCAB_NEED, code, 0);
}

static int is_violence_need(const char *code) {
  return code && strncmp(code, "veiligheid", 10) == 0;
}

/* ---- local time (Europe/Amsterdam) ------------------------------------------ */

static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Unix seconds of 01:00 UTC on the last Sunday of month m of year y. */
static int64_t last_sunday_0100(int y, int m) {
  int64_t last = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
  int64_t wd = (last + 4) % 7; /* 0 = Sunday; 1970-01-01 was a Thursday */
  if (wd < 0)
    wd += 7;
  return (last - wd) * 86400 + 3600;
}

/* Local broken-down time in the Netherlands (CET/CEST, EU rules). */
static void nl_time(int64_t t, struct tm *out) {
  struct tm u;
  time_t tt = (time_t)t;
  gmtime_r(&tt, &u);
  int y = u.tm_year + 1900;
  int dst = t >= last_sunday_0100(y, 3) && t < last_sunday_0100(y, 10);
  tt = (time_t)(t + 3600 + (dst ? 3600 : 0));
  gmtime_r(&tt, out);
}

static const char *const day_name[8] = {"",          "maandag", "dinsdag",  "woensdag",
                                        "donderdag", "vrijdag", "zaterdag", "zondag"};
static const char *const month_name[13] = {
    "",     "januari",  "februari",  "maart",   "april",    "mei",     "juni",
    "juli", "augustus", "september", "oktober", "november", "december"};

/* "09:00" -> minutes, -1 when not a time. */
static int hm_minutes(const char *s) {
  if (!s || strlen(s) < 5 || s[2] != ':')
    return -1;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  return h >= 0 && h <= 24 && m >= 0 && m < 60 ? h * 60 + m : -1;
}

/* 1 open, 0 closed, -1 unknown, from the detail's hours (weekday 1 = Monday). */
static int open_now(const json_t *hours, int64_t now) {
  if (!json_array_size(hours))
    return -1;
  struct tm lt;
  nl_time(now, &lt);
  int wd = lt.tm_wday == 0 ? 7 : lt.tm_wday, min = lt.tm_hour * 60 + lt.tm_min;
  size_t i;
  const json_t *hr;
  json_array_foreach(hours, i, hr) {
    int o = hm_minutes(js(hr, "opens_at")), c = hm_minutes(js(hr, "closes_at"));
    if (json_integer_value(jo(hr, "weekday")) == wd && o >= 0 && c > o && min >= o && min < c)
      return 1;
  }
  return 0;
}

/* "9.30" from "09:30" (Dutch time style), into out[8]. */
static void nl_hm(const char *s, char out[8]) {
  int m = hm_minutes(s);
  if (m < 0) {
    snprintf(out, 8, "?");
    return;
  }
  snprintf(out, 8, "%d.%02d", (m / 60) % 100, m % 60);
}

/* ---- the request ---------------------------------------------------------------- */

struct page {
  struct web_ctx *x;
  struct wh h;
  int status;
  int violence;     /* show "Snel weg" in the page's top bar */
  int professional; /* the professional view (exact terms) */
  char base[300];   /* "https://host" for canonical links */
  int host_based;   /* base came from the request's Host: never for a shared cache */
};

static void page_init(struct page *p, struct web_ctx *x) {
  memset(p, 0, sizeof *p);
  p->x = x;
  p->status = 200;
  wh_init(&p->h);
  /* Canonical, sitemap and calendar links: the configured public address
   * (SK_PUBLIC_URL). Without it (development), the request's Host, cleaned,
   * and the page is then only cached privately, so a forged Host can never
   * reach other visitors through a shared cache. */
  if (x->srv->public_url) {
    snprintf(p->base, sizeof p->base, "%s", x->srv->public_url);
    return;
  }
  p->host_based = 1;
  const char *host = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "Host");
  char clean[256] = "";
  size_t n = 0;
  for (const char *c = host; c && *c && n + 1 < sizeof clean; c++) {
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '.' || *c == '-' || *c == ':' || *c == '[' || *c == ']'))
      break;
    clean[n++] = *c;
  }
  clean[n] = '\0';
  snprintf(p->base, sizeof p->base, "%s://%s", web_is_secure(x) ? "https" : "http",
           n ? clean : "localhost");
}

/* Hand the page to the response. */
static int page_done(struct page *p, const char *ctype) {
  size_t len = 0;
  char *body = wh_take(&p->h, &len);
  if (!body)
    return web_problem(p->x, 500, "Interne fout", NULL, "De pagina kon niet worden gemaakt.");
  free(p->x->out.body);
  p->x->out.body = body;
  p->x->out.len = len;
  p->x->out.status = p->status;
  p->x->out.ctype = ctype ? ctype : "text/html; charset=utf-8";
  p->x->out.cache = p->status != 200 ? "no-store"
                    : p->host_based  ? "private, max-age=60"
                                     : "public, max-age=60";
  p->x->out.etag = p->status == 200;
  return SK_OK;
}

enum nav { NAV_NONE, NAV_SEARCH, NAV_AGENDA, NAV_PRO };
enum script { JS_NONE = 0, JS_SEARCH = 1, JS_ENHANCE = 2 };

static void quick_exit_link(struct wh *h) {
  WH(h, "<a class=\"quick-exit\" href=\"" QUICK_EXIT_URL "\" data-quick-exit rel=\"noreferrer\">"
        "Snel weg<span class=\"visually-hidden\"> van deze website</span></a>");
}

static void page_head(struct page *p, const char *title, const char *canonical_path,
                      const char *description, enum nav nav, int scripts) {
  struct wh *h = &p->h;
  WH(h, "<!doctype html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
  wh_text(h, title);
  WH(h, " – Sociale Kaart Huizen, Blaricum, Eemnes en Laren</title>\n");
  if (description) {
    WH(h, "<meta name=\"description\" content=\"");
    wh_text(h, description);
    WH(h, "\">\n");
  }
  if (canonical_path) {
    WH(h, "<link rel=\"canonical\" href=\"");
    wh_text(h, p->base);
    wh_text(h, canonical_path);
    WH(h, "\">\n");
  } else {
    WH(h, "<meta name=\"robots\" content=\"noindex\">\n");
  }
  WH(h, "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n"
        "<link rel=\"stylesheet\" href=\"/css/site.css\">\n");
  if (scripts)
    WH(h, "<script src=\"/js/common.js\" defer></script>\n");
  if (scripts & JS_SEARCH)
    WH(h, "<script src=\"/js/search.js\" defer></script>\n");
  if (scripts & JS_ENHANCE)
    WH(h, "<script src=\"/js/enhance.js\" defer></script>\n");
  WH(h, "</head>\n<body>\n<a class=\"skip-link\" href=\"#inhoud\">Naar de inhoud</a>\n"
        "<div class=\"urgent-bar\"><div class=\"wrap\"><p>Direct hulp: "
        "<a href=\"tel:112\">112</a> · <a href=\"tel:08000113\">113</a>"
        " <span class=\"urgent-note\">(gratis, dag en nacht)</span></p>");
  if (p->violence)
    quick_exit_link(h);
  WH(h, "</div></div>\n<header class=\"site-header\">\n  <div class=\"wrap\">\n"
        "    <a class=\"site-name\" href=\"/\">Sociale Kaart <small>Hulp in Huizen, Blaricum, "
        "Eemnes en Laren</small></a>\n    <nav class=\"site-nav\" aria-label=\"Hoofdmenu\">\n"
        "      <ul>\n        <li><a href=\"/\"");
  if (nav == NAV_SEARCH)
    WH(h, " aria-current=\"page\"");
  WH(h, ">Hulp zoeken</a></li>\n        <li><a href=\"/agenda\"");
  if (nav == NAV_AGENDA)
    WH(h, " aria-current=\"page\"");
  WH(h, ">Wat is er te doen?</a></li>\n        <li><a href=\"/professionals\"");
  if (nav == NAV_PRO)
    WH(h, " aria-current=\"page\"");
  WH(h, ">Voor professionals</a></li>\n      </ul>\n    </nav>\n  </div>\n</header>\n\n"
        "<main id=\"inhoud\" tabindex=\"-1\">\n  <div class=\"wrap\">\n");
}

static void page_foot(struct page *p) {
  WH(&p->h,
     "  </div>\n</main>\n\n<footer class=\"site-footer\">\n  <div class=\"wrap\">\n"
     "    <p>Vindt u niet wat u zoekt? Bel het Informatiepunt: <a "
     "href=\"tel:+31350000101\">" INFO_HUIZEN
     "</a> (Huizen) of\n      <a href=\"tel:+31350000102\">" INFO_BEL
     "</a> (Blaricum, Eemnes en Laren).</p>\n"
     "    <p>De organisaties houden hun eigen gegevens bij. Ziet u een fout? Gebruik ‘Klopt er "
     "iets niet?’ bij het aanbod.</p>\n"
     "    <nav aria-label=\"Alles op deze website\"><ul class=\"footer-links\">"
     "<li><a href=\"/hulp\">Alle onderwerpen</a></li>"
     "<li><a href=\"/aanbod\">Alle hulp van A tot Z</a></li>"
     "<li><a href=\"/agenda\">Wat is er te doen?</a></li>"
     "<li><a href=\"/portaal/\">Voor organisaties</a></li></ul></nav>\n"
     "  </div>\n</footer>\n</body>\n</html>\n");
}

/* ---- pieces --------------------------------------------------------------------- */

static void offering_href(struct wh *h, const char *id, const char *name) {
  WH(h, "/aanbod/");
  wh_q(h, id);
  WH(h, "/");
  wh_slug(h, name);
}

static void org_href(struct wh *h, const char *id, const char *name) {
  WH(h, "/organisatie/");
  wh_q(h, id);
  WH(h, "/");
  wh_slug(h, name);
}

static void tel_link(struct wh *h, const char *number, int big, const char *label_prefix) {
  WH(h, "<a class=\"");
  if (big)
    WH(h, "button call");
  else
    WH(h, "tel");
  WH(h, "\" href=\"");
  if (!wh_tel(h, number))
    WH(h, "#");
  WH(h, "\">");
  if (label_prefix)
    wh_text(h, label_prefix);
  wh_text(h, number);
  WH(h, "</a>");
}

/* A number as it may be dialled, for comparing ("0800-0113" = "08000113"). */
static int same_number(const char *a, const char *b) {
  while (a && b) {
    while (*a && (*a < '0' || *a > '9'))
      a++;
    while (*b && (*b < '0' || *b > '9'))
      b++;
    if (!*a || !*b)
      return !*a && !*b;
    if (*a++ != *b++)
      return 0;
  }
  return 0;
}

/* The crisis block: first in view after a search that raises it. The
 * search's crisis lines in its order, every number of each as a call link;
 * 112 is added when no line has it. */
static void crisis_block(struct page *p, const json_t *lines) {
  struct wh *h = &p->h;
  WH(h,
     "<section class=\"crisis\" id=\"crisis\" tabindex=\"-1\" aria-labelledby=\"crisis-title\">\n"
     "<h2 id=\"crisis-title\">Heeft u nu hulp nodig?</h2>\n"
     "<p>U staat er niet alleen voor. Bel meteen. Bellen is gratis.</p>\n<ul "
     "class=\"crisis-lines\">\n");
  size_t i, k;
  const json_t *l, *ph;
  int has112 = 0;
  json_array_foreach(lines, i, l) {
    const char *name = js(l, "name");
    json_array_foreach(jo(l, "phones"), k, ph) {
      const char *number = js(ph, "number");
      if (!number || k >= 3)
        continue;
      has112 |= same_number(number, "112");
      WH(h, "<li><a class=\"call\" href=\"");
      if (!wh_tel(h, number))
        WH(h, "#");
      WH(h, "\"><span class=\"call-text\"><span class=\"call-name\">");
      wh_text(h, name);
      WH(h, ":</span> <span class=\"call-number\">Bel ");
      wh_text(h, number);
      WH(h, "</span></span></a>");
      if (js(ph, "description")) {
        WH(h, " <span class=\"call-note\">");
        wh_text(h, js(ph, "description"));
        WH(h, "</span>");
      }
      WH(h, "</li>\n");
    }
  }
  if (!has112)
    WH(h,
       "<li><a class=\"call\" href=\"tel:112\"><span class=\"call-text\"><span class=\"call-name\">"
       "Bij direct gevaar:</span> <span class=\"call-number\">Bel 112</span></span></a></li>\n");
  WH(h, "</ul>\n<p>Liever chatten? <a href=\"" CHAT_113_URL
        "\">Chat met 113</a> (gratis, dag en nacht).</p>\n");
  if (p->violence) {
    WH(h, "<p class=\"quick-exit-row\">Wilt u deze website snel wegklikken? ");
    quick_exit_link(h);
    WH(h, "</p>\n");
  }
  WH(h, "</section>\n");
}

/* The crisis is about violence: the search's crisis kind when it gives one,
 * else the need codes of what it understood and of its crisis lines. */
static int result_is_violence(const json_t *r, const char *need) {
  const json_t *c = jo(r, "crisis");
  const char *kind = js(r, "crisis_kind");
  if (!kind && json_is_object(c))
    kind = js(c, "kind");
  size_t i, j;
  const json_t *v, *n;
  int any = kind != NULL;
  if (kind && (strstr(kind, "geweld") || strstr(kind, "violence") || strstr(kind, "veilig")))
    return 1;
  json_array_foreach(jo(r, "crisis_kinds"), i, v) {
    any = 1;
    if (js_is(v, "violence"))
      return 1;
  }
  if (any)
    return 0;
  if (is_violence_need(need))
    return 1;
  json_array_foreach(jo(r, "concepts"), i, v) if (is_violence_need(js(v, "code"))) return 1;
  json_array_foreach(jo(r, "crisis_lines"), i, v)
      json_array_foreach(jo(v, "needs"), j, n) if (is_violence_need(js(n, "code"))) return 1;
  return 0;
}

/* The cost in plain words, without saying the same twice ("Gratis Gratis."). */
static void cost_text(struct page *p, const json_t *cost, const char *fees) {
  struct wh *h = &p->h;
  const char *code = jcode(cost);
  const char *label = label_for(p->x->srv->tax, SK_VOCAB_COST, code, p->professional);
  if (!label)
    label = jlabel(cost);
  const struct plain_term *pt = p->professional ? NULL : plain(SK_VOCAB_COST, code);
  if (label)
    wh_text(h, label);
  if (fees) {
    size_t ll = label ? strlen(label) : 0;
    int same = label && strncasecmp(fees, label, ll) == 0 &&
               (fees[ll] == '\0' || (fees[ll] == '.' && fees[ll + 1] == '\0'));
    if (!same) {
      if (label)
        WH(h, ". ");
      wh_text(h, fees);
    }
  } else if (pt && pt->explain) {
    WH(h, ". ");
    wh_text(h, pt->explain);
  } else if (p->professional && json_is_object(cost) && js(cost, "explain")) {
    WH(h, ". ");
    wh_text(h, js(cost, "explain"));
  }
}

static void access_text(struct page *p, const json_t *access) {
  const char *code = jcode(access);
  const struct plain_term *pt = p->professional ? NULL : plain(SK_VOCAB_ACCESS, code);
  if (pt) {
    wh_text(&p->h, pt->explain);
    return;
  }
  wh_text(&p->h, jlabel(access));
  const char *ex = json_is_object(access) ? js(access, "explain") : NULL;
  if (ex) {
    WH(&p->h, ": ");
    wh_text(&p->h, ex);
  }
}

/* "Voor: Huizen, Blaricum, Eemnes en Laren" with each area's note. */
/* 1 when municipality area a is inside a scope that is also listed (Eemnes
 * beside HBEL): then it is an exception, said as a note, not a second time
 * in the list. */
static int area_covered(const struct sk_taxonomy *tax, const json_t *areas, const json_t *a) {
  const struct sk_term *t = sk_taxonomy_find(tax, SK_VOCAB_MUNICIPALITY,
                                             js(a, "code") ? js(a, "code") : "");
  size_t i;
  const json_t *b;
  for (size_t k = 0; t && k < t->n_scopes; k++)
    json_array_foreach(areas, i, b) if (b != a && js(b, "code") &&
                                        !strcmp(js(b, "code"), t->scopes[k])) return 1;
  return 0;
}

static void areas_text(struct page *p, const json_t *areas) {
  struct wh *h = &p->h;
  const struct sk_taxonomy *tax = p->x->srv->tax;
  size_t i, n = 0, k = 0;
  const json_t *a;
  json_array_foreach(areas, i, a) n += !area_covered(tax, areas, a);
  json_array_foreach(areas, i, a) {
    if (area_covered(tax, areas, a))
      continue;
    if (k && k + 1 == n)
      WH(h, " en ");
    else if (k)
      WH(h, ", ");
    k++;
    wh_text(h, js(a, "label") ? js(a, "label") : js(a, "code"));
  }
  /* An area exception (Eemnes inside HBEL): its ages and its note. */
  json_array_foreach(areas, i, a) {
    const char *note = js(a, "note");
    const json_t *mn = jo(a, "min_age"), *mx = jo(a, "max_age");
    if (!note && !json_is_integer(mn) && !json_is_integer(mx))
      continue;
    WH(h, "<br><strong class=\"area-note\">");
    wh_text(h, js(a, "label"));
    WH(h, ":");
    if (json_is_integer(mn) && json_is_integer(mx))
      wh_textf(h, " alleen van %lld tot en met %lld jaar.", (long long)json_integer_value(mn),
               (long long)json_integer_value(mx));
    else if (json_is_integer(mn))
      wh_textf(h, " alleen vanaf %lld jaar.", (long long)json_integer_value(mn));
    else if (json_is_integer(mx))
      wh_textf(h, " alleen tot en met %lld jaar.", (long long)json_integer_value(mx));
    if (note) {
      WH(h, " ");
      wh_text(h, note);
    }
    WH(h, "</strong>");
  }
}

static void segments(struct wh *h, const json_t *segs, const char *fallback) {
  if (!json_array_size(segs)) {
    wh_text(h, fallback);
    return;
  }
  size_t i;
  const json_t *s;
  json_array_foreach(segs, i, s) {
    if (json_is_true(jo(s, "hit"))) {
      WH(h, "<mark>");
      wh_text(h, js(s, "text"));
      WH(h, "</mark>");
    } else {
      wh_text(h, js(s, "text"));
    }
  }
}

/* One result card. */
static void result_card(struct page *p, const json_t *it) {
  struct wh *h = &p->h;
  const char *id = js(it, "id"), *name = js(it, "name");
  const json_t *org = jo(it, "organization");
  if (!id)
    return;
  WH(h, "<li><article class=\"card result\"><h3><a href=\"");
  offering_href(h, id, name);
  WH(h, "\">");
  segments(h, jo(it, "name_segments"), name);
  WH(h, "</a></h3>\n");
  if (js(org, "name")) {
    WH(h, "<p class=\"org\">");
    if (js(org, "id")) {
      WH(h, "<a href=\"");
      org_href(h, js(org, "id"), js(org, "name"));
      WH(h, "\">");
      wh_text(h, js(org, "name"));
      WH(h, "</a>");
    } else {
      wh_text(h, js(org, "name"));
    }
    WH(h, "</p>\n");
  }
  WH(h, "<p class=\"summary\">");
  segments(h, jo(it, "snippet"), js(it, "summary"));
  WH(h, "</p>\n<ul class=\"card-facts\">\n");
  if (json_array_size(jo(it, "access"))) {
    WH(h, "<li><strong>Hoe: </strong>");
    access_text(p, json_array_get(jo(it, "access"), 0));
    WH(h, "</li>\n");
  }
  if (json_array_size(jo(it, "cost"))) {
    WH(h, "<li><strong>Kosten: </strong>");
    cost_text(p, json_array_get(jo(it, "cost"), 0), NULL);
    WH(h, "</li>\n");
  }
  if (json_array_size(jo(it, "areas"))) {
    WH(h, "<li><strong>Voor: </strong>");
    areas_text(p, jo(it, "areas"));
    if (js(it, "area_note")) {
      WH(h, "<br><strong>");
      wh_text(h, js(it, "area_note"));
      WH(h, "</strong>");
    }
    WH(h, "</li>\n");
  }
  if (js(it, "next_start")) {
    WH(h, "<li><strong>Wanneer: </strong>");
    wh_text(h, js(it, "next_start"));
    WH(h, "</li>\n");
  }
  const json_t *on = jo(it, "open_now");
  if (json_is_boolean(on))
    WH(h, "<li class=\"open\">");
  if (json_is_true(on))
    WH(h, "Nu open</li>\n");
  else if (json_is_false(on))
    WH(h, "Nu gesloten</li>\n");
  size_t i;
  const json_t *ph;
  json_array_foreach(jo(it, "phones"), i, ph) {
    if (i == 2)
      break;
    WH(h, "<li><strong>Bel: </strong>");
    tel_link(h, js(ph, "number"), 0, NULL);
    if (js(ph, "description")) {
      WH(h, " (");
      wh_text(h, js(ph, "description"));
      WH(h, ")");
    }
    WH(h, "</li>\n");
  }
  if (p->professional && js(it, "referral_contact")) {
    WH(h, "<li><strong>Verwijzen: </strong>");
    wh_text(h, js(it, "referral_contact"));
    WH(h, "</li>\n");
  }
  if (p->professional && json_array_size(jo(it, "laws"))) {
    WH(h, "<li><strong>Wet: </strong>");
    const json_t *lw;
    json_array_foreach(jo(it, "laws"), i, lw) {
      if (i)
        WH(h, ", ");
      wh_text(h, js(lw, "label"));
    }
    WH(h, "</li>\n");
  }
  WH(h, "</ul>\n");
  if (json_is_true(jo(it, "stale")))
    WH(h, "<p class=\"stale\">Niet recent gecontroleerd</p>\n");
  if (p->professional) {
    WH(h, "<p><label class=\"check\"><input type=\"checkbox\" name=\"sel\" value=\"");
    wh_text(h, id);
    WH(h, "\"> Zet in het overzicht</label></p>\n");
  } else {
    WH(h, "<p class=\"report-link\"><a href=\"");
    offering_href(h, id, name);
    WH(h, "#klopt-niet\">Klopt er iets niet?</a></p>\n");
  }
  WH(h, "</article></li>\n");
}

/* ---- the search form and the results -------------------------------------------- */

#define SF_MAX 40

/* The page's query, from its GET parameters (API names; "gemeente" and
 * "doelgroep" as aliases). Values are borrowed from the connection. */
struct sform {
  const char *name[SF_MAX], *val[SF_MAX];
  size_t n;
  const char *q, *need, *muni, *group, *kind, *age, *law;
  int open_now, page;
  int n_active; /* filters set, other than q and the municipality */
};

static const char *sf_api_name(const char *k) {
  static const char *const same[] = {"q",      "need", "municipality", "target_group",
                                     "access", "cost", "open_now",     "kind",
                                     "page",   "age",  "law",          NULL};
  if (strcmp(k, "gemeente") == 0)
    return "municipality";
  if (strcmp(k, "doelgroep") == 0)
    return "target_group";
  for (const char *const *s = same; *s; s++)
    if (strcmp(*s, k) == 0)
      return *s;
  return NULL;
}

static enum MHD_Result sf_take(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
  (void)kind;
  struct sform *f = cls;
  const char *k = key ? sf_api_name(key) : NULL;
  if (!k || !value || !*value || f->n == SF_MAX)
    return MHD_YES;
  f->name[f->n] = k;
  f->val[f->n++] = value;
  if (!strcmp(k, "q"))
    f->q = value;
  else if (!strcmp(k, "need"))
    f->need = value;
  else if (!strcmp(k, "municipality"))
    f->muni = value;
  else if (!strcmp(k, "target_group"))
    f->group = value;
  else if (!strcmp(k, "kind"))
    f->kind = value;
  else if (!strcmp(k, "age"))
    f->age = value;
  else if (!strcmp(k, "law"))
    f->law = value;
  else if (!strcmp(k, "open_now"))
    f->open_now = strcmp(value, "0") != 0;
  else if (!strcmp(k, "page"))
    f->page = atoi(value);
  if (strcmp(k, "q") && strcmp(k, "municipality") && strcmp(k, "page"))
    f->n_active++;
  return MHD_YES;
}

static void sf_read(struct web_ctx *x, struct sform *f) {
  memset(f, 0, sizeof *f);
  MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, sf_take, f);
  if (f->page < 1)
    f->page = 1;
}

/* 1 when parameter name has value code (also inside "a,b" lists). */
static int sf_has(const struct sform *f, const char *name, const char *code) {
  size_t cl = strlen(code);
  for (size_t i = 0; i < f->n; i++) {
    if (strcmp(f->name[i], name))
      continue;
    const char *v = f->val[i];
    while (*v) {
      const char *e = strchr(v, ',');
      size_t n = e ? (size_t)(e - v) : strlen(v);
      if (n == cl && strncmp(v, code, n) == 0)
        return 1;
      v += n + (e ? 1 : 0);
    }
  }
  return 0;
}

static void option(struct wh *h, const char *value, const char *label, int selected) {
  WH(h, "<option value=\"");
  wh_text(h, value);
  WH(h, "\"");
  if (selected)
    WH(h, " selected");
  WH(h, ">");
  wh_text(h, label);
  WH(h, "</option>");
}

static void select_vocab(struct page *p, const char *id, const char *name, const char *label,
                         const char *empty, enum sk_vocab v, const char *current, int top_only) {
  struct wh *h = &p->h;
  const struct sk_taxonomy *tax = p->x->srv->tax;
  WH(h, "<div class=\"field\"><label for=\"");
  wh_text(h, id);
  WH(h, "\">");
  wh_text(h, label);
  WH(h, "</label><select id=\"");
  wh_text(h, id);
  WH(h, "\" name=\"");
  wh_text(h, name);
  WH(h, "\">");
  option(h, "", empty, !current);
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != v || (top_only && strchr(t->code, '.')))
      continue;
    if (v == SK_VOCAB_TARGET_GROUP && !p->professional && strcmp(t->code, "professionals") == 0)
      continue;
    option(h, t->code, label_for(tax, v, t->code, p->professional),
           current && strcmp(current, t->code) == 0);
  }
  WH(h, "</select></div>\n");
}

static void municipality_select(struct page *p, const char *current) {
  struct wh *h = &p->h;
  WH(h, "<div class=\"field\"><label for=\"gemeente\">Waar woont u?</label>"
        "<select id=\"gemeente\" name=\"gemeente\">");
  option(h, "", "Alle gemeenten", !current);
  static const char *const hbel[] = {"huizen", "blaricum", "eemnes", "laren"};
  const struct sk_taxonomy *tax = p->x->srv->tax;
  WH(h, "<optgroup label=\"Huizen, Blaricum, Eemnes en Laren\">");
  for (size_t i = 0; i < 4; i++)
    option(h, hbel[i], label_for(tax, SK_VOCAB_MUNICIPALITY, hbel[i], 0),
           current && !strcmp(current, hbel[i]));
  WH(h, "</optgroup><optgroup label=\"Rest van de regio\">");
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    int in_hbel = 0;
    for (size_t j = 0; j < 4; j++)
      in_hbel |= !strcmp(t->code, hbel[j]);
    if (t->vocab == SK_VOCAB_MUNICIPALITY && !in_hbel)
      option(h, t->code, t->label, current && !strcmp(current, t->code));
  }
  WH(h, "</optgroup></select></div>\n");
}

static void check(struct wh *h, const char *id, const char *name, const char *value,
                  const char *label, int checked) {
  WH(h, "<label class=\"check\"><input type=\"checkbox\"");
  if (id) {
    WH(h, " id=\"");
    wh_text(h, id);
    WH(h, "\"");
  }
  WH(h, " name=\"");
  wh_text(h, name);
  WH(h, "\" value=\"");
  wh_text(h, value);
  WH(h, "\"");
  if (checked)
    WH(h, " checked");
  WH(h, "> ");
  wh_text(h, label);
  WH(h, "</label>\n");
}

/* The search form: a plain GET form, every filter in it. action: "/zoeken"
 * or "/professionals". Filters sit in a closed <details> with the count of
 * the active ones. */
static void search_form(struct page *p, const struct sform *f, const char *action) {
  struct wh *h = &p->h;
  const struct sk_taxonomy *tax = p->x->srv->tax;
  WH(h, "<section class=\"search-hero\" aria-labelledby=\"zoek-titel\">\n<form id=\"search-form\" "
        "role=\"search\" method=\"get\" action=\"");
  wh_text(h, action);
  WH(h, "\">\n<label for=\"q\" id=\"zoek-titel\">Waar zoekt u hulp bij?</label>\n"
        "<p class=\"hint\" id=\"q-hint\">Typ in uw eigen woorden, bijvoorbeeld ‘schulden’, "
        "‘eenzaam’ of ‘hulp in huis’.</p>\n<div class=\"search-row\"><div class=\"combo\">"
        "<input type=\"search\" id=\"q\" name=\"q\" autocomplete=\"off\" spellcheck=\"true\" "
        "aria-describedby=\"q-hint\" value=\"");
  wh_text(h, f->q);
  WH(h,
     "\"><ul id=\"suggestions\" class=\"suggestions\" role=\"listbox\" aria-label=\"Suggesties\" "
     "hidden></ul></div>\n<button class=\"button\" type=\"submit\" id=\"search-button\">Zoeken"
     "</button></div>\n<div class=\"place-row\">");
  municipality_select(p, f->muni);
  WH(h, "</div>\n<details class=\"filters\" id=\"filters\"><summary>Verfijn uw zoekopdracht");
  if (f->n_active) {
    WH(h, " <span class=\"filter-count\">(");
    wh_textf(h, "%d %s aan", f->n_active, f->n_active == 1 ? "filter" : "filters");
    WH(h, ")</span>");
  }
  WH(h, "</summary>\n<div class=\"filter-body\">\n");
  select_vocab(p, "onderwerp", "need", "Onderwerp", "Alle onderwerpen", SK_VOCAB_NEED, f->need, 0);
  WH(h, "<div class=\"field\"><label for=\"doelgroep\">Voor wie?</label><select id=\"doelgroep\" "
        "name=\"target_group\">");
  option(h, "", "Iedereen", !f->group);
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab == SK_VOCAB_TARGET_GROUP && (p->professional || strcmp(t->code, "professionals")))
      option(h, t->code, label_for(tax, SK_VOCAB_TARGET_GROUP, t->code, p->professional),
             f->group && !strcmp(f->group, t->code));
  }
  WH(h, "</select></div>\n<fieldset class=\"checks\"><legend>Alleen laten zien:</legend>\n");
  check(h, "gratis", "cost", "gratis", "Gratis", sf_has(f, "cost", "gratis"));
  WH(h, "<span class=\"count\" id=\"count-gratis\"></span>");
  check(h, "zonder-verwijzing", "access", "vrij,aanmelden", "Zonder verwijzing",
        sf_has(f, "access", "vrij") && sf_has(f, "access", "aanmelden"));
  WH(h, "<span class=\"count\" id=\"count-zonder\"></span>");
  check(h, "nu-open", "open_now", "1", "Nu open", f->open_now);
  WH(h, "</fieldset>\n<fieldset class=\"checks\"><legend>Hoe krijgt u het?</legend>\n");
  static const char *const acc[] = {"verwijzing", "indicatie"};
  for (size_t i = 0; i < 2; i++)
    check(h, NULL, "access", acc[i], label_for(tax, SK_VOCAB_ACCESS, acc[i], p->professional),
          sf_has(f, "access", acc[i]));
  WH(h, "</fieldset>\n<fieldset class=\"checks\"><legend>Kosten</legend>\n");
  static const char *const cst[] = {"eigen-bijdrage", "vergoed", "betaald"};
  for (size_t i = 0; i < 3; i++)
    check(h, NULL, "cost", cst[i], label_for(tax, SK_VOCAB_COST, cst[i], p->professional),
          sf_has(f, "cost", cst[i]));
  WH(h, "</fieldset>\n<div class=\"field\"><label for=\"soort\">Soort</label><select id=\"soort\" "
        "name=\"kind\">");
  option(h, "", "Hulp en activiteiten", !f->kind);
  option(h, "aanbod", "Alleen hulp en voorzieningen", f->kind && !strcmp(f->kind, "aanbod"));
  option(h, "activiteit", "Alleen activiteiten", f->kind && !strcmp(f->kind, "activiteit"));
  WH(h, "</select></div>\n");
  if (p->professional) {
    WH(h, "<div class=\"field\"><label for=\"leeftijd\">Leeftijd</label><input id=\"leeftijd\" "
          "name=\"age\" inputmode=\"numeric\" size=\"4\" value=\"");
    wh_text(h, f->age);
    WH(h, "\"></div>\n");
    select_vocab(p, "wet", "law", "Wet", "Alle wetten", SK_VOCAB_LAW, f->law, 0);
  }
  WH(h, "<p><button class=\"button secondary\" type=\"submit\">Toon resultaten</button></p>\n"
        "</div></details>\n</form>\n<p id=\"sr-status\" class=\"visually-hidden\" role=\"status\" "
        "aria-live=\"polite\"></p>\n</section>\n");
}

/* "7 resultaten voor ‘x’ voor Jongeren in Eemnes" with every filter said. */
static void result_summary(struct page *p, const struct sform *f, const json_t *r) {
  struct wh *h = &p->h;
  const struct sk_taxonomy *tax = p->x->srv->tax;
  long long total = json_integer_value(jo(r, "total"));
  WH(h, "<p class=\"status\" id=\"status\">");
  if (json_is_true(jo(r, "total_is_lower_bound")))
    wh_textf(h, "Meer dan %lld resultaten", total);
  else
    wh_textf(h, "%lld %s", total, total == 1 ? "resultaat" : "resultaten");
  if (f->q) {
    WH(h, " voor ‘");
    wh_text(h, json_is_true(jo(r, "corrected")) && js(r, "did_you_mean") ? js(r, "did_you_mean")
                                                                         : f->q);
    WH(h, "’");
  }
  if (f->need) {
    WH(h, " over ");
    wh_text(h, label_for(tax, SK_VOCAB_NEED, f->need, p->professional));
  }
  if (f->group) {
    WH(h, " voor ");
    wh_text(h, label_for(tax, SK_VOCAB_TARGET_GROUP, f->group, p->professional));
  }
  if (f->muni) {
    WH(h, " in ");
    wh_text(h, label_for(tax, SK_VOCAB_MUNICIPALITY, f->muni, 0));
  }
  int extra = 0;
  if (sf_has(f, "cost", "gratis"))
    extra++, WH(h, ", gratis");
  if (sf_has(f, "access", "vrij") && sf_has(f, "access", "aanmelden"))
    extra++, WH(h, ", zonder verwijzing");
  if (f->open_now)
    extra++, WH(h, ", nu open");
  WH(h, ".</p>\n");
  (void)extra;
}

/* Link to this page with page=n, keeping every other parameter. */
static void page_link(struct wh *h, const char *path, const struct sform *f, int n) {
  wh_text(h, path);
  char sep = '?';
  for (size_t i = 0; i < f->n; i++) {
    if (!strcmp(f->name[i], "page"))
      continue;
    if (sep == '?')
      WH(h, "?");
    else
      WH(h, "&amp;");
    sep = '&';
    wh_text(h, f->name[i]);
    WH(h, "=");
    wh_q(h, f->val[i]);
  }
  if (sep == '?')
    WH(h, "?");
  else
    WH(h, "&amp;");
  wh_textf(h, "page=%d", n);
}

static void results_list(struct page *p, const struct sform *f, const json_t *r, const char *path) {
  struct wh *h = &p->h;
  WH(h,
     "<section aria-labelledby=\"results-title\" id=\"results-section\" data-server>\n"
     "<h2 id=\"results-title\" tabindex=\"-1\">Resultaten</h2>\n<ul class=\"chips\" id=\"chips\" "
     "aria-label=\"Gekozen filters\"></ul><div class=\"facets\" id=\"facets\"></div>\n");
  const char *dym = js(r, "did_you_mean");
  WH(h, "<p class=\"did-you-mean\" id=\"did-you-mean\"");
  if (!dym && !json_is_true(jo(r, "relaxed")))
    WH(h, " hidden");
  WH(h, ">");
  if (dym && json_is_true(jo(r, "corrected"))) {
    WH(h, "Wij zochten op ‘");
    wh_text(h, dym);
    WH(h, "’. ");
  } else if (dym) {
    WH(h, "Bedoelt u <a href=\"");
    wh_text(h, path);
    WH(h, "?q=");
    wh_q(h, dym);
    WH(h, "\">");
    wh_text(h, dym);
    WH(h, "</a>?");
  } else if (json_is_true(jo(r, "relaxed"))) {
    WH(h, "Niets had al uw woorden. Dit zijn resultaten met een deel ervan.");
  }
  WH(h, "</p>\n");
  result_summary(p, f, r);
  const json_t *items = jo(r, "items");
  if (!json_array_size(items) && json_is_true(jo(r, "crisis"))) {
    /* the block above is the answer: no advice to try other words */
    WH(h, "<ol class=\"results\" id=\"results\"></ol>\n<div class=\"empty\"><p>Is er nu gevaar? "
          "Bel dan meteen het nummer hierboven.</p><p>Wilt u daarna verder zoeken? Typ dan waar u "
          "hulp bij zoekt.</p></div>\n");
  } else if (!json_array_size(items)) {
    WH(h, "<ol class=\"results\" id=\"results\"></ol>\n<div class=\"empty\"><p>Wij vonden niets. "
          "Probeer andere woorden, of minder filters.</p>");
    if (json_array_size(jo(r, "suggested_needs"))) {
      WH(h, "<p>Of kijk bij:</p><ul>");
      size_t i;
      const json_t *n;
      json_array_foreach(jo(r, "suggested_needs"), i, n) {
        WH(h, "<li><a href=\"/hulp/");
        wh_q(h, js(n, "code"));
        WH(h, "\">");
        wh_text(h, js(n, "label"));
        WH(h, "</a></li>");
      }
      WH(h, "</ul>");
    }
    WH(h, "<p>U kunt ook het Informatiepunt bellen: <a href=\"tel:+31350000101\">" INFO_HUIZEN
          "</a> (Huizen) of <a href=\"tel:+31350000102\">" INFO_BEL
          "</a> (Blaricum, Eemnes en Laren).</p></div>\n");
  } else {
    WH(h, "<ol class=\"results\" id=\"results\">\n");
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it) result_card(p, it);
    WH(h, "</ol>\n");
  }
  long long total = json_integer_value(jo(r, "total"));
  long long per = json_integer_value(jo(r, "per_page"));
  long long pages = per > 0 ? (total + per - 1) / per : 1;
  if (pages > SK_SEARCH_MAX_RESULTS / (per > 0 ? per : 1))
    pages = SK_SEARCH_MAX_RESULTS / (per > 0 ? per : 1);
  WH(h, "<nav class=\"pager\" id=\"pager\" aria-label=\"Meer resultaten\">");
  if (f->page > 1) {
    WH(h, "<a rel=\"prev\" href=\"");
    page_link(h, path, f, f->page - 1);
    WH(h, "\">Vorige</a> ");
  }
  if (pages > 1)
    wh_textf(h, "Pagina %d van %lld", f->page, pages);
  if (f->page < pages) {
    WH(h, " <a rel=\"next\" href=\"");
    page_link(h, path, f, f->page + 1);
    WH(h, "\">Volgende</a>");
  }
  WH(h, "</nav>\n</section>\n");
}

/* Run the page's query through sk_search (as /api/v1/search does) and
 * return its JSON; NULL with *status and msg set on a refused query. */
static json_t *run_search(struct web_ctx *x, const struct sform *f, const char *need_override,
                          int professional, int per_page, int facets, int *status, char *msg,
                          size_t msglen) {
  struct web_worker *w = web_worker_get(x);
  if (!w) {
    *status = 503;
    snprintf(msg, msglen, "Zoeken lukt nu niet. Probeer het later opnieuw.");
    return NULL;
  }
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.facets = facets;
  q.professional = professional;
  q.per_page = per_page;
  struct sk_search_error e = {"", ""};
  for (size_t i = 0; i < f->n; i++) {
    if (need_override && !strcmp(f->name[i], "need"))
      continue;
    int rc = sk_search_query_set(&q, f->name[i], f->val[i], &e);
    if (rc != SK_OK) {
      *status = 400;
      snprintf(msg, msglen, "%s", e.message);
      return NULL;
    }
  }
  if (need_override && sk_search_query_set(&q, "need", need_override, &e) != SK_OK) {
    *status = 404;
    snprintf(msg, msglen, "%s", e.message);
    return NULL;
  }
  struct sk_search_result *r = NULL;
  int rc = sk_search(w->searcher, &q, &r, &e);
  if (rc != SK_OK || !r) {
    *status = rc == SK_EINVAL ? 400 : 503;
    snprintf(msg, msglen, "%s", e.message[0] ? e.message : "Zoeken lukt nu niet.");
    return NULL;
  }
  json_t *j = sk_search_result_json(r);
  sk_search_result_free(r);
  if (!j) {
    *status = 503;
    snprintf(msg, msglen, "Zoeken lukt nu niet.");
  }
  return j;
}

static void error_box(struct wh *h, const char *msg) {
  WH(h, "<div class=\"error-box\" role=\"alert\"><p><strong>Dit lukte niet.</strong> ");
  wh_text(h, msg);
  WH(h, "</p></div>\n");
}

/* The need tiles: links to the need pages (category first). */
static void need_tiles(struct page *p, int hidden) {
  struct wh *h = &p->h;
  WH(h, "<section aria-labelledby=\"tiles-title\" id=\"tiles-section\"");
  if (hidden)
    WH(h, " hidden");
  WH(h, ">\n<h2 id=\"tiles-title\">"
        "Of kies een onderwerp</h2>\n<ul class=\"tiles\" id=\"tiles\">\n");
  for (size_t i = 0; i < sizeof short_need / sizeof short_need[0]; i++) {
    if (!sk_taxonomy_find(p->x->srv->tax, SK_VOCAB_NEED, short_need[i].code))
      continue;
    WH(h, "<li><a class=\"tile\" data-need=\"");
    wh_text(h, short_need[i].code);
    WH(h, "\" href=\"/hulp/");
    wh_q(h, short_need[i].code);
    WH(h, "\">");
    wh_text(h, short_need[i].label);
    WH(h, "</a></li>\n");
  }
  WH(h, "</ul>\n</section>\n");
}

/* / and /zoeken: the home page, and search results when there is a query. */
static int page_search(struct web_ctx *x, int home) {
  struct page p;
  page_init(&p, x);
  struct sform f;
  sf_read(x, &f);
  int active = f.q || f.need || (!home && f.n);
  json_t *r = NULL;
  char msg[300] = "";
  int st = 200;
  if (active) {
    r = run_search(x, &f, NULL, 0, PER_PAGE, 1, &st, msg, sizeof msg);
    if (!r)
      p.status = st;
    else
      p.violence = json_is_true(jo(r, "crisis")) && result_is_violence(r, f.need);
    if (r && f.page == 1) /* as /api/v1/search: a search, not its next pages */
      web_stats_record(x, f.q, (long)json_integer_value(jo(r, "total")),
                       json_is_true(jo(r, "crisis")));
  }
  const char *title = home ? "Hulp zoeken" : "Zoekresultaten";
  char tbuf[300];
  if (!home && f.q) {
    snprintf(tbuf, sizeof tbuf, "%.200s – zoeken", f.q);
    title = tbuf;
  }
  page_head(&p, title, home && !active ? "/" : NULL,
            "Waar vindt u hulp in Huizen, Blaricum, Eemnes en Laren? Zoek op wat u nodig heeft.",
            NAV_SEARCH, JS_SEARCH | JS_ENHANCE);
  struct wh *h = &p.h;
  WH(h, "<div id=\"crisis-slot\">");
  if (r && json_is_true(jo(r, "crisis")))
    crisis_block(&p, jo(r, "crisis_lines"));
  WH(h, "</div>\n<h1 class=\"visually-hidden\">");
  wh_text(h, home ? "Hulp zoeken" : "Zoekresultaten");
  WH(h, "</h1>\n");
  search_form(&p, &f, "/zoeken");
  if (!r && active)
    error_box(h, msg);
  if (r) {
    results_list(&p, &f, r, home ? "/" : "/zoeken");
    /* search.js enhances this list instead of searching again: it takes
     * the filter counts from here (issue 13: one search per page view). */
    if (json_is_object(jo(r, "facets")))
      wh_json_script(h, "application/json", "search-facets", jo(r, "facets"));
  } else
    WH(h,
       "<section aria-labelledby=\"results-title\" id=\"results-section\" hidden>"
       "<h2 id=\"results-title\" tabindex=\"-1\">Resultaten</h2><ul class=\"chips\" id=\"chips\" "
       "aria-label=\"Gekozen filters\"></ul><div class=\"facets\" id=\"facets\"></div>"
       "<p class=\"did-you-mean\" id=\"did-you-mean\" hidden></p><p class=\"status\" "
       "id=\"status\"></p><ol class=\"results\" id=\"results\"></ol><nav class=\"pager\" "
       "id=\"pager\" aria-label=\"Meer resultaten\"></nav></section>\n");
  need_tiles(&p, r != NULL);
  json_decref(r);
  page_foot(&p);
  return page_done(&p, NULL);
}

/* ---- need pages: the sub-needs as choices first, then the ranked list ---------- */

static void breadcrumb_start(struct wh *h) {
  WH(h, "<nav class=\"breadcrumb\" aria-label=\"U bent hier\"><ol><li><a href=\"/\">Hulp "
        "zoeken</a></li>");
}

/* /hulp: every need with its sub-needs. */
static int page_needs(struct web_ctx *x) {
  struct page p;
  page_init(&p, x);
  const struct sk_taxonomy *tax = x->srv->tax;
  page_head(&p, "Alle onderwerpen", "/hulp", "Alle onderwerpen waarover u hulp kunt vinden.",
            NAV_SEARCH, JS_ENHANCE);
  struct wh *h = &p.h;
  breadcrumb_start(h);
  WH(h, "<li aria-current=\"page\">Alle onderwerpen</li></ol></nav>\n<h1>Alle onderwerpen</h1>\n"
        "<ul class=\"need-index\">\n");
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_NEED || t->parent_code)
      continue;
    WH(h, "<li><a href=\"/hulp/");
    wh_q(h, t->code);
    WH(h, "\"><strong>");
    wh_text(h, need_title(tax, t->code));
    WH(h, "</strong></a><ul>");
    for (size_t j = 0; j < tax->n_terms; j++) {
      const struct sk_term *c = &tax->terms[j];
      if (c->vocab != SK_VOCAB_NEED || !c->parent_code || strcmp(c->parent_code, t->code))
        continue;
      WH(h, "<li><a href=\"/hulp/");
      wh_q(h, c->code);
      WH(h, "\">");
      wh_text(h, c->label);
      WH(h, "</a></li>");
    }
    WH(h, "</ul></li>\n");
  }
  WH(h, "</ul>\n");
  page_foot(&p);
  return page_done(&p, NULL);
}

static int page_not_found_html(struct web_ctx *x, const char *what);

/* /hulp/{need} */
static int page_need(struct web_ctx *x, const char *code) {
  const struct sk_taxonomy *tax = x->srv->tax;
  const struct sk_term *t = sk_taxonomy_find(tax, SK_VOCAB_NEED, code);
  if (!t)
    return page_not_found_html(x, "Dit onderwerp bestaat niet.");
  struct page p;
  page_init(&p, x);
  struct sform f;
  sf_read(x, &f);
  char msg[300] = "";
  int st = 200;
  json_t *r = run_search(x, &f, t->code, 0, PER_PAGE, 0, &st, msg, sizeof msg);
  if (!r)
    p.status = st;
  p.violence = is_violence_need(t->code);
  char path[200];
  snprintf(path, sizeof path, "/hulp/%s", t->code);
  const char *title = t->parent_code ? t->label : need_title(tax, t->code);
  page_head(&p, title, path, t->explain ? t->explain : title, NAV_SEARCH, JS_ENHANCE);
  struct wh *h = &p.h;
  WH(h, "<div id=\"crisis-slot\">");
  if (r && json_is_true(jo(r, "crisis")))
    crisis_block(&p, jo(r, "crisis_lines"));
  WH(h, "</div>\n");
  breadcrumb_start(h);
  WH(h, "<li><a href=\"/hulp\">Onderwerpen</a></li>");
  if (t->parent_code) {
    WH(h, "<li><a href=\"/hulp/");
    wh_q(h, t->parent_code);
    WH(h, "\">");
    wh_text(h, need_title(tax, t->parent_code));
    WH(h, "</a></li>");
  }
  WH(h, "<li aria-current=\"page\">");
  wh_text(h, title);
  WH(h, "</li></ol></nav>\n<h1>");
  wh_text(h, title);
  WH(h, "</h1>\n");
  /* Category first: the sub-needs as choices. */
  int kids = 0;
  for (size_t j = 0; j < tax->n_terms; j++) {
    const struct sk_term *c = &tax->terms[j];
    if (c->vocab != SK_VOCAB_NEED || !c->parent_code || strcmp(c->parent_code, t->code))
      continue;
    if (!kids++)
      WH(h, "<section aria-labelledby=\"sub-title\" class=\"sub-needs\"><h2 id=\"sub-title\">"
            "Waar gaat het over?</h2>\n<ul class=\"choices\">\n");
    WH(h, "<li><a class=\"choice\" href=\"/hulp/");
    wh_q(h, c->code);
    if (f.muni) {
      WH(h, "?gemeente=");
      wh_q(h, f.muni);
    }
    WH(h, "\">");
    wh_text(h, c->label);
    WH(h, "</a></li>\n");
  }
  if (kids)
    WH(h, "</ul>\n</section>\n");
  WH(h, "<form class=\"place-form\" method=\"get\" action=\"");
  wh_text(h, path);
  WH(h, "\">");
  municipality_select(&p, f.muni);
  WH(h, "<button class=\"button secondary\" type=\"submit\">Toon hulp</button></form>\n");
  f.need = t->code; /* said in the summary line */
  if (r)
    results_list(&p, &f, r, path);
  else
    error_box(h, msg);
  json_decref(r);
  page_foot(&p);
  return page_done(&p, NULL);
}

/* ---- detail pages ------------------------------------------------------------------- */

static void location_line(struct wh *h, const json_t *loc) {
  const char *name = js(loc, "name"), *addr = js(loc, "address"), *pc = js(loc, "postal_code"),
             *city = js(loc, "city");
  if (name) {
    wh_text(h, name);
    if (addr || city)
      WH(h, ", ");
  }
  wh_text(h, addr);
  if (addr && (pc || city))
    WH(h, ", ");
  wh_text(h, pc);
  if (pc && city)
    WH(h, " ");
  wh_text(h, city);
}

/* A route link (OpenStreetMap): by coordinates when known, else the address. */
static void route_link(struct wh *h, const json_t *loc) {
  const json_t *lat = jo(loc, "latitude"), *lon = jo(loc, "longitude");
  WH(h, "<a class=\"route\" href=\"");
  if (json_is_number(lat) && json_is_number(lon)) {
    WH(h, "https://www.openstreetmap.org/directions?to=");
    wh_textf(h, "%.6f%%2C%.6f", json_number_value(lat), json_number_value(lon));
  } else {
    char q[400];
    snprintf(q, sizeof q, "%s %s %s", js(loc, "address") ? js(loc, "address") : "",
             js(loc, "postal_code") ? js(loc, "postal_code") : "",
             js(loc, "city") ? js(loc, "city") : "");
    WH(h, "https://www.openstreetmap.org/search?query=");
    wh_q(h, q);
  }
  WH(h, "\">Route<span class=\"visually-hidden\"> naar ");
  wh_text(h, js(loc, "name") ? js(loc, "name") : js(loc, "address"));
  WH(h, "</span></a>");
}

static void hours_list(struct wh *h, const json_t *hours) {
  WH(h, "<ul class=\"hours\">");
  size_t i;
  const json_t *hr;
  json_array_foreach(hours, i, hr) {
    long wd = (long)json_integer_value(jo(hr, "weekday"));
    char o[8], c[8];
    nl_hm(js(hr, "opens_at"), o);
    nl_hm(js(hr, "closes_at"), c);
    WH(h, "<li>");
    wh_text(h, wd >= 1 && wd <= 7 ? day_name[wd] : "");
    WH(h, " ");
    wh_textf(h, "%s tot %s uur", o, c);
    if (js(hr, "description")) {
      WH(h, " (");
      wh_text(h, js(hr, "description"));
      WH(h, ")");
    }
    WH(h, "</li>");
  }
  WH(h, "</ul>");
}

/* "dinsdag 8 december, 9.30 tot 11.00 uur" from ISO local times. */
static void when_text(struct wh *h, const char *start, const char *end, int all_day) {
  int y, mo, d, hh = 0, mi = 0;
  if (!start || sscanf(start, "%4d-%2d-%2d", &y, &mo, &d) != 3 || mo < 1 || mo > 12) {
    wh_text(h, start);
    return;
  }
  int wd = (int)((days_from_civil(y, mo, d) + 3) % 7); /* 0 = Monday */
  if (wd < 0)
    wd += 7;
  wh_textf(h, "%s %d %s", day_name[wd + 1], d, month_name[mo]);
  if (all_day)
    return;
  if (strlen(start) >= 16 && sscanf(start + 11, "%2d:%2d", &hh, &mi) == 2)
    wh_textf(h, ", %d.%02d", hh, mi);
  int eh, em;
  if (end && strlen(end) >= 16 && sscanf(end + 11, "%2d:%2d", &eh, &em) == 2)
    wh_textf(h, " tot %d.%02d", eh, em);
  WH(h, " uur");
}

static json_t *ld_address(const json_t *loc) {
  return json_pack("{s:s, s:s*, s:s*, s:s*, s:s}", "@type", "PostalAddress", "streetAddress",
                   js(loc, "address"), "postalCode", js(loc, "postal_code"), "addressLocality",
                   js(loc, "city"), "addressCountry", "NL");
}

/* schema.org for an offering: GovernmentService (or Event for an activity). */
static json_t *offering_ld(struct page *p, const json_t *s, const char *url) {
  const json_t *org = jo(s, "organization");
  const json_t *act = jo(s, "activity");
  int is_act = json_is_object(act);
  json_t *ld = json_pack("{s:s, s:s, s:s*, s:s*, s:s}", "@context", "https://schema.org", "@type",
                         is_act ? "Event" : "GovernmentService", "name", js(s, "name"),
                         "description", js(s, "summary") ? js(s, "summary") : js(s, "description"),
                         "url", url);
  if (!ld)
    return NULL;
  if (js(org, "name")) {
    char ourl[400];
    char slug[72];
    wh_slug_to(js(org, "name"), slug, sizeof slug);
    snprintf(ourl, sizeof ourl, "%s/organisatie/%s/%s", p->base, js(org, "id") ? js(org, "id") : "",
             slug);
    json_object_set_new(ld, is_act ? "organizer" : "provider",
                        json_pack("{s:s, s:s, s:s}", "@type", "Organization", "name",
                                  js(org, "name"), "url", ourl));
  }
  json_t *area = json_array();
  size_t i;
  const json_t *a;
  json_array_foreach(jo(s, "areas"), i, a) if (js(a, "label")) json_array_append_new(
      area, json_pack("{s:s, s:s}", "@type", "AdministrativeArea", "name", js(a, "label")));
  if (!is_act)
    json_object_set_new(ld, "areaServed", area);
  else
    json_decref(area);
  const json_t *loc = json_array_get(jo(s, "locations"), 0);
  if (is_act) {
    const json_t *occ = jo(act, "occurrences");
    const json_t *first = NULL;
    json_array_foreach(occ, i, a) if (!json_is_true(jo(a, "cancelled"))) {
      first = a;
      break;
    }
    if (first && js(first, "starts_at"))
      json_object_set_new(ld, "startDate", json_string(js(first, "starts_at")));
    if (first && js(first, "ends_at"))
      json_object_set_new(ld, "endDate", json_string(js(first, "ends_at")));
    const char *place = first && js(first, "location_text") ? js(first, "location_text")
                                                            : js(act, "location_text");
    if (place)
      json_object_set_new(ld, "location", json_pack("{s:s, s:s}", "@type", "Place", "name", place));
    json_object_set_new(ld, "eventAttendanceMode",
                        json_string("https://schema.org/OfflineEventAttendanceMode"));
  } else {
    json_t *ch = json_array();
    const json_t *ph = json_array_get(jo(s, "phones"), 0);
    if (js(ph, "number"))
      json_array_append_new(
          ch, json_pack("{s:s, s:s}", "@type", "ServiceChannel", "servicePhone", js(ph, "number")));
    if (loc)
      json_array_append_new(ch,
                            json_pack("{s:s, s:o}", "@type", "ServiceChannel", "serviceLocation",
                                      json_pack("{s:s, s:s*, s:o}", "@type", "Place", "name",
                                                js(loc, "name"), "address", ld_address(loc))));
    if (wh_url_ok(js(s, "url")))
      json_array_append_new(
          ch, json_pack("{s:s, s:s}", "@type", "ServiceChannel", "serviceUrl", js(s, "url")));
    json_object_set_new(ld, "availableChannel", ch);
  }
  return ld;
}

static void section_start(struct wh *h, const char *id, const char *title) {
  WH(h, "<section class=\"detail-part\" aria-labelledby=\"");
  wh_text(h, id);
  WH(h, "\"><h2 id=\"");
  wh_text(h, id);
  WH(h, "\">");
  wh_text(h, title);
  WH(h, "</h2>\n");
}

static void para(struct wh *h, const char *text) {
  if (!text)
    return;
  WH(h, "<p>");
  wh_text(h, text);
  WH(h, "</p>\n");
}

/* The correction form; a plain POST that works without JavaScript. */
static void report_form(struct page *p, const char *id, const char *name) {
  struct wh *h = &p->h;
  char tok[128] = "";
  struct web_server *srv = p->x->srv;
  pthread_mutex_lock(&srv->portal_mu);
  srv->portal->now = 0;
  int rc = sk_portal_correction_token(srv->portal, tok, sizeof tok);
  pthread_mutex_unlock(&srv->portal_mu);
  WH(h, "<details class=\"report\" id=\"klopt-niet\"><summary>Klopt er iets niet?</summary>\n");
  if (rc != SK_OK) {
    WH(h, "<p>Het formulier werkt nu niet. Bel het Informatiepunt.</p></details>\n");
    return;
  }
  WH(h, "<form method=\"post\" action=\"");
  offering_href(h, id, name);
  WH(h, "/melding\" class=\"report-form\">\n<p>Ziet u een fout? Laat het ons weten. De organisatie "
        "past het dan aan.</p>\n<div class=\"field\"><label for=\"report-message\">Wat klopt er "
        "niet?</label><textarea id=\"report-message\" name=\"message\" rows=\"4\" "
        "maxlength=\"2000\" required></textarea></div>\n<div class=\"field\"><label "
        "for=\"report-name\">Uw naam (mag leeg blijven)</label><input type=\"text\" "
        "id=\"report-name\" name=\"name\" maxlength=\"100\" autocomplete=\"name\"></div>\n"
        "<div class=\"field\"><label for=\"report-email\">Uw e-mailadres (mag leeg blijven)"
        "</label><input type=\"text\" inputmode=\"email\" id=\"report-email\" name=\"email\" "
        "maxlength=\"254\" autocomplete=\"email\"></div>\n<div class=\"trap\" aria-hidden=\"true\">"
        "<label for=\"report-website\">Laat dit veld leeg</label><input type=\"text\" "
        "id=\"report-website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>\n"
        "<input type=\"hidden\" name=\"form_token\" value=\"");
  wh_text(h, tok);
  WH(h, "\">\n<button class=\"button\" type=\"submit\">Verstuur</button>\n</form></details>\n");
}

/* "Is dit uw organisatie?": a plain POST that works without JavaScript.
 * The visitor types no address: the link goes to the one in our data. */
static void claim_box(struct wh *h, const char *org_id) {
  WH(h, "<details class=\"report\" id=\"uw-organisatie\"><summary>Is dit uw organisatie?"
        "</summary>\n<form method=\"post\" action=\"/organisatie/");
  wh_q(h, org_id);
  WH(h, "/aanvragen\" class=\"report-form\">\n<p>Werkt u hier? Dan kunt u een account aanvragen. "
        "Daarmee past u zelf de gegevens aan. We sturen een e-mail naar het adres van de "
        "organisatie dat bij ons bekend is.</p>\n<button class=\"button\" type=\"submit\">"
        "Vraag een account aan</button>\n</form></details>\n");
}

/* /aanbod/{id}/{slug} */
static int page_offering(struct web_ctx *x, const char *id, const char *slug) {
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  int found = 0;
  web_read_begin(w);
  json_t *s = web_is_uuid(id) ? web_service_detail(w, id, &found) : json_null();
  web_read_end(w);
  if (!s)
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  if (!found) {
    json_decref(s);
    return page_not_found_html(x, "Dit aanbod bestaat niet (meer).");
  }
  const char *name = js(s, "name");
  char want[72];
  wh_slug_to(name, want, sizeof want);
  if (!slug || strcmp(slug, want) != 0) {
    /* One address per offering: an old or missing slug moves on. */
    snprintf(x->out.location, sizeof x->out.location, "/aanbod/%.40s/%s", id, want);
    x->out.status = 301;
    x->out.cache = "public, max-age=3600";
    json_decref(s);
    return SK_OK;
  }
  struct page p;
  page_init(&p, x);
  const struct sk_taxonomy *tax = x->srv->tax;
  size_t i;
  const json_t *v;
  json_array_foreach(jo(s, "needs"), i, v) if (is_violence_need(js(v, "code"))) p.violence = 1;
  char path[200];
  snprintf(path, sizeof path, "/aanbod/%s/%s", id, want);
  page_head(&p, name ? name : "Aanbod", path, js(s, "summary"), NAV_SEARCH, JS_ENHANCE);
  struct wh *h = &p.h;
  const json_t *org = jo(s, "organization");
  const json_t *act = jo(s, "activity");
  const json_t *needs = jo(s, "needs");
  const char *need0 = jcode(needs);
  breadcrumb_start(h);
  if (need0) {
    const struct sk_term *nt = sk_taxonomy_find(tax, SK_VOCAB_NEED, need0);
    WH(h, "<li><a href=\"/hulp/");
    wh_q(h, need0);
    WH(h, "\">");
    wh_text(h, nt && nt->parent_code ? nt->label : need_title(tax, need0));
    WH(h, "</a></li>");
  }
  WH(h, "<li aria-current=\"page\">");
  wh_text(h, name);
  WH(h, "</li></ol></nav>\n<article class=\"detail\" id=\"detail\">\n<h1>");
  wh_text(h, name);
  WH(h, "</h1>\n");
  if (js(org, "name")) {
    WH(h, "<p class=\"org\">Van <a href=\"");
    org_href(h, js(org, "id"), js(org, "name"));
    WH(h, "\">");
    wh_text(h, js(org, "name"));
    WH(h, "</a></p>\n");
  }
  /* What to do first: call, walk in, route, hours, open now. */
  WH(h, "<section class=\"todo\" aria-labelledby=\"wat-doen\">\n<h2 id=\"wat-doen\">");
  WH(h, "Zo krijgt u deze hulp</h2>\n");
  if (jo(s, "access") && !json_is_null(jo(s, "access"))) {
    WH(h, "<p class=\"access\">");
    access_text(&p, jo(s, "access"));
    WH(h, "</p>\n");
  }
  para(h, js(s, "application_process"));
  const json_t *phones = jo(s, "phones");
  if (!json_array_size(phones))
    phones = jo(org, "phones");
  if (json_array_size(phones)) {
    WH(h, "<ul class=\"call-list\">");
    const json_t *ph;
    json_array_foreach(phones, i, ph) {
      if (i == 3)
        break;
      WH(h, "<li>");
      tel_link(h, js(ph, "number"), 1, "Bel ");
      if (js(ph, "description")) {
        WH(h, " <span class=\"call-note\">");
        wh_text(h, js(ph, "description"));
        WH(h, "</span>");
      }
      WH(h, "</li>");
    }
    WH(h, "</ul>\n");
  }
  const json_t *locs = jo(s, "locations");
  if (json_array_size(locs)) {
    WH(h, "<ul class=\"where\">");
    const json_t *loc;
    json_array_foreach(locs, i, loc) {
      if (i == 5)
        break;
      WH(h, "<li><strong>Langskomen: </strong>");
      location_line(h, loc);
      WH(h, " ");
      route_link(h, loc);
      WH(h, "</li>");
    }
    WH(h, "</ul>\n");
  }
  const json_t *hours = jo(s, "hours");
  if (json_array_size(hours)) {
    int on = open_now(hours, (int64_t)time(NULL));
    WH(h, "<div class=\"hours-box\"><p><strong>Open:</strong>");
    if (on == 1)
      WH(h, " <span class=\"open-now\">Nu open</span>");
    else if (on == 0)
      WH(h, " <span class=\"closed-now\">Nu gesloten</span>");
    WH(h, "</p>");
    hours_list(h, hours);
    WH(h, "</div>\n");
  }
  const char *email = js(s, "email") ? js(s, "email") : js(org, "email");
  if (email || wh_url_ok(js(s, "url"))) {
    WH(h, "<p class=\"more-contact\">");
    if (email) {
      WH(h, "Mail: <a href=\"mailto:");
      wh_q(h, email);
      WH(h, "\">");
      wh_text(h, email);
      WH(h, "</a>");
    }
    if (wh_url_ok(js(s, "url"))) {
      if (email)
        WH(h, "<br>");
      WH(h, "Website: <a href=\"");
      wh_href(h, js(s, "url"));
      WH(h, "\">");
      wh_text(h, js(s, "url"));
      WH(h, "</a>");
    }
    WH(h, "</p>\n");
  }
  WH(h, "</section>\n");
  if (json_is_object(act)) {
    section_start(h, "wanneer", "Waar en wanneer?");
    para(h, js(act, "location_text"));
    WH(h, "<ul class=\"dates\">");
    int shown = 0;
    json_array_foreach(jo(act, "occurrences"), i, v) {
      if (shown++ == 8)
        break;
      WH(h, "<li>");
      when_text(h, js(v, "starts_at"), js(v, "ends_at"), json_is_true(jo(v, "all_day")));
      if (json_is_true(jo(v, "cancelled")))
        WH(h, " <strong>Gaat niet door</strong>");
      WH(h, "</li>");
    }
    if (!shown)
      WH(h, "<li>Er staan nu geen data in de agenda.</li>");
    WH(h, "</ul>\n</section>\n");
  }
  section_start(h, "wat", "Wat is het?");
  para(h, js(s, "summary"));
  para(h, js(s, "description"));
  WH(h, "</section>\n");
  section_start(h, "voor-wie", "Voor wie?");
  if (json_array_size(jo(s, "target_groups"))) {
    WH(h, "<p>");
    json_array_foreach(jo(s, "target_groups"), i, v) {
      if (i)
        WH(h, ", ");
      wh_text(h, label_for(tax, SK_VOCAB_TARGET_GROUP, js(v, "code"), 0));
    }
    WH(h, ".</p>\n");
  }
  const json_t *mn = jo(s, "min_age"), *mx = jo(s, "max_age");
  if (json_is_integer(mn) || json_is_integer(mx))
    WH(h, "<p>");
  if (json_is_integer(mn) && json_is_integer(mx))
    wh_textf(h, "Leeftijd: %lld tot en met %lld jaar.", (long long)json_integer_value(mn),
             (long long)json_integer_value(mx));
  else if (json_is_integer(mn))
    wh_textf(h, "Leeftijd: vanaf %lld jaar.", (long long)json_integer_value(mn));
  else if (json_is_integer(mx))
    wh_textf(h, "Leeftijd: tot en met %lld jaar.", (long long)json_integer_value(mx));
  if (json_is_integer(mn) || json_is_integer(mx))
    WH(h, "</p>\n");
  para(h, js(s, "eligibility_description"));
  if (json_array_size(jo(s, "areas"))) {
    WH(h, "<p><strong>Waar: </strong>");
    areas_text(&p, jo(s, "areas"));
    WH(h, "</p>\n");
  }
  WH(h, "</section>\n");
  section_start(h, "kosten", "Wat kost het?");
  WH(h, "<p>");
  if (jo(s, "cost") && !json_is_null(jo(s, "cost")))
    cost_text(&p, jo(s, "cost"), js(s, "fees_description"));
  else
    wh_text(h, js(s, "fees_description") ? js(s, "fees_description")
                                         : "Dat staat er niet bij. Vraag het na.");
  WH(h, "</p>\n</section>\n");
  if (json_is_object(act)) {
    WH(h, "<p class=\"checked\">Uit de agenda van ");
    wh_text(h, js(act, "organizer") ? js(act, "organizer") : js(org, "name"));
    WH(h, ".</p>\n");
  } else if (js(s, "assured_date") && !json_is_true(jo(s, "stale"))) {
    int y, m, d;
    WH(h, "<p class=\"checked\">Laatst gecontroleerd: ");
    if (sscanf(js(s, "assured_date"), "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
      wh_textf(h, "%d %s %d", d, month_name[m], y);
    else
      wh_text(h, js(s, "assured_date"));
    WH(h, ".</p>\n");
  } else {
    WH(h, "<p class=\"stale\">Niet recent gecontroleerd. Bel even om te vragen of het nog "
          "klopt.</p>\n");
  }
  report_form(&p, id, name);
  if (js(org, "id") && web_is_uuid(js(org, "id")))
    claim_box(h, js(org, "id")); /* the same form as on the organisation's page */
  WH(h, "</article>\n");
  char url[700];
  snprintf(url, sizeof url, "%s%s", p.base, path);
  json_t *ld = offering_ld(&p, s, url);
  if (ld)
    wh_jsonld(h, ld);
  json_decref(ld);
  json_decref(s);
  page_foot(&p);
  return page_done(&p, NULL);
}

/* /organisatie/{id}/{slug}: built from /api/v1/organizations/{id}. */
static int page_organization(struct web_ctx *x, const char *id, const char *slug) {
  x->id = id;
  web_api_organization(x);
  if (x->out.status == 404) {
    free(x->out.body);
    x->out.body = NULL;
    return page_not_found_html(x, "Deze organisatie staat niet (meer) op de kaart.");
  }
  if (x->out.status != 200)
    return SK_OK; /* the handler's answer (503) stands */
  json_t *o = json_loadb(x->out.body, x->out.len, 0, NULL);
  free(x->out.body);
  x->out.body = NULL;
  x->out.status = 0;
  if (!o)
    return web_problem(x, 500, "Interne fout", NULL, "De pagina kon niet worden gemaakt.");
  const char *name = js(o, "name");
  char want[72];
  wh_slug_to(name, want, sizeof want);
  if (!slug || strcmp(slug, want)) {
    snprintf(x->out.location, sizeof x->out.location, "/organisatie/%.40s/%s", id, want);
    x->out.status = 301;
    x->out.cache = "public, max-age=3600";
    json_decref(o);
    return SK_OK;
  }
  struct page p;
  page_init(&p, x);
  char path[200];
  snprintf(path, sizeof path, "/organisatie/%s/%s", id, want);
  page_head(&p, name, path, js(o, "description"), NAV_SEARCH, JS_ENHANCE);
  struct wh *h = &p.h;
  breadcrumb_start(h);
  WH(h, "<li aria-current=\"page\">");
  wh_text(h, name);
  WH(h, "</li></ol></nav>\n<article class=\"detail\">\n<h1>");
  wh_text(h, name);
  WH(h, "</h1>\n<section class=\"todo\" aria-labelledby=\"contact\"><h2 "
        "id=\"contact\">Contact</h2>\n");
  size_t i;
  const json_t *v;
  if (json_array_size(jo(o, "phones"))) {
    WH(h, "<ul class=\"call-list\">");
    json_array_foreach(jo(o, "phones"), i, v) {
      WH(h, "<li>");
      tel_link(h, js(v, "number"), 1, "Bel ");
      if (js(v, "description")) {
        WH(h, " <span class=\"call-note\">");
        wh_text(h, js(v, "description"));
        WH(h, "</span>");
      }
      WH(h, "</li>");
    }
    WH(h, "</ul>\n");
  }
  json_array_foreach(jo(o, "locations"), i, v) {
    WH(h, "<p><strong>Adres: </strong>");
    location_line(h, v);
    WH(h, " ");
    route_link(h, v);
    WH(h, "</p>\n");
  }
  if (js(o, "email")) {
    WH(h, "<p>Mail: <a href=\"mailto:");
    wh_q(h, js(o, "email"));
    WH(h, "\">");
    wh_text(h, js(o, "email"));
    WH(h, "</a></p>\n");
  }
  if (wh_url_ok(js(o, "website"))) {
    WH(h, "<p>Website: <a href=\"");
    wh_href(h, js(o, "website"));
    WH(h, "\">");
    wh_text(h, js(o, "website"));
    WH(h, "</a></p>\n");
  }
  WH(h, "</section>\n");
  para(h, js(o, "description"));
  section_start(h, "aanbod", "Hulp en activiteiten van deze organisatie");
  WH(h, "<ul class=\"plain-list\">");
  json_array_foreach(jo(o, "services"), i, v) {
    WH(h, "<li><a href=\"");
    offering_href(h, js(v, "id"), js(v, "name"));
    WH(h, "\">");
    wh_text(h, js(v, "name"));
    WH(h, "</a>");
    if (js(v, "summary")) {
      WH(h, ": ");
      wh_text(h, js(v, "summary"));
    }
    WH(h, "</li>");
  }
  WH(h, "</ul>\n</section>\n");
  claim_box(h, id);
  WH(h, "</article>\n");
  char url[700];
  snprintf(url, sizeof url, "%s%s", p.base, path);
  json_t *ld = json_pack("{s:s, s:s, s:s*, s:s*, s:s}", "@context", "https://schema.org", "@type",
                         "Organization", "name", name, "description", js(o, "description"), "url",
                         url);
  if (ld) {
    const json_t *ph = json_array_get(jo(o, "phones"), 0);
    if (js(ph, "number"))
      json_object_set_new(ld, "telephone", json_string(js(ph, "number")));
    if (js(o, "email"))
      json_object_set_new(ld, "email", json_string(js(o, "email")));
    if (wh_url_ok(js(o, "website")))
      json_object_set_new(ld, "sameAs", json_string(js(o, "website")));
    const json_t *loc = json_array_get(jo(o, "locations"), 0);
    if (loc)
      json_object_set_new(ld, "address", ld_address(loc));
    wh_jsonld(h, ld);
    json_decref(ld);
  }
  json_decref(o);
  page_foot(&p);
  return page_done(&p, NULL);
}

/* ---- the agenda ---------------------------------------------------------------------- */

static int valid_date(const char *s) {
  int y, m, d;
  char tail;
  return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 2000 &&
         y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static void date_add(const char *s, int days, char out[16]) {
  int y, m, d;
  sscanf(s, "%4d-%2d-%2d", &y, &m, &d);
  int64_t t = (days_from_civil(y, m, d) + days) * 86400;
  struct tm u;
  time_t tt = (time_t)t;
  gmtime_r(&tt, &u);
  snprintf(out, 16, "%04d-%02d-%02d", (u.tm_year + 1900) % 10000, (u.tm_mon + 1) % 100,
           u.tm_mday % 100);
}

/* The agenda's query string (municipality, need, target_group) for links. */
static void agenda_query(struct wh *h, const char *muni, const char *need, const char *group) {
  char sep = '?';
  const char *names[3] = {"municipality", "need", "target_group"}, *vals[3] = {muni, need, group};
  for (int i = 0; i < 3; i++) {
    if (!vals[i])
      continue;
    if (sep == '?')
      WH(h, "?");
    else
      WH(h, "&amp;");
    sep = '&';
    wh_text(h, names[i]);
    WH(h, "=");
    wh_q(h, vals[i]);
  }
}

/* /agenda?gemeente=&need=&target_group=&week=YYYY-MM-DD: 7 days from week. */
static int page_agenda(struct web_ctx *x) {
  const struct sk_taxonomy *tax = x->srv->tax;
  const char *muni = web_arg(x, "gemeente");
  if (!muni)
    muni = web_arg(x, "municipality");
  const char *need = web_arg(x, "need"), *group = web_arg(x, "target_group");
  const char *week = web_arg(x, "week");
  const struct sk_term *mt = muni ? sk_taxonomy_find(tax, SK_VOCAB_MUNICIPALITY, muni) : NULL;
  const struct sk_term *nt = need ? sk_taxonomy_find(tax, SK_VOCAB_NEED, need) : NULL;
  const struct sk_term *gt = group ? sk_taxonomy_find(tax, SK_VOCAB_TARGET_GROUP, group) : NULL;
  struct page p;
  page_init(&p, x);
  if ((muni && !mt) || (need && !nt) || (group && !gt) || (week && !valid_date(week)))
    p.status = 400;
  char *from = x->req->page_arg[0], *to = x->req->page_arg[1];
  if (week && valid_date(week)) {
    snprintf(from, 16, "%s", week);
  } else {
    struct tm lt;
    nl_time((int64_t)time(NULL), &lt);
    snprintf(from, 16, "%04d-%02d-%02d", (lt.tm_year + 1900) % 10000, (lt.tm_mon + 1) % 100,
             lt.tm_mday % 100);
  }
  date_add(from, 7, to);
  json_t *r = NULL;
  if (p.status == 200) {
    /* The activities handler, with this page's selection. */
    if (mt && !web_arg(x, "municipality"))
      MHD_set_connection_value(x->conn, MHD_GET_ARGUMENT_KIND, "municipality", mt->code);
    MHD_set_connection_value(x->conn, MHD_GET_ARGUMENT_KIND, "from", from);
    MHD_set_connection_value(x->conn, MHD_GET_ARGUMENT_KIND, "to", to);
    MHD_set_connection_value(x->conn, MHD_GET_ARGUMENT_KIND, "per_page", "200");
    web_api_activities(x);
    int got = x->out.status;
    if (got == 200)
      r = json_loadb(x->out.body, x->out.len, 0, NULL);
    free(x->out.body);
    x->out.body = NULL;
    x->out.status = 0;
    x->out.ctype = NULL;
    if (!r)
      p.status = got == 400 ? 400 : 503; /* a bad from/to/page of the caller's own */
  }
  page_head(&p, "Wat is er te doen?", "/agenda",
            "Activiteiten in Huizen, Blaricum, Eemnes en Laren: deze week en daarna.", NAV_AGENDA,
            JS_ENHANCE);
  struct wh *h = &p.h;
  WH(h, "<h1>Wat is er te doen?</h1>\n<form class=\"agenda-form\" method=\"get\" "
        "action=\"/agenda\">\n");
  municipality_select(&p, mt ? mt->code : NULL);
  select_vocab(&p, "onderwerp", "need", "Onderwerp", "Alle onderwerpen", SK_VOCAB_NEED,
               nt ? nt->code : NULL, 1);
  select_vocab(&p, "doelgroep", "target_group", "Voor wie?", "Iedereen", SK_VOCAB_TARGET_GROUP,
               gt ? gt->code : NULL, 0);
  WH(h, "<div class=\"field\"><label for=\"week\">Vanaf</label><input type=\"date\" id=\"week\" "
        "name=\"week\" value=\"");
  wh_text(h, from);
  WH(h, "\"></div>\n<button class=\"button secondary\" type=\"submit\">Toon activiteiten</button>\n"
        "</form>\n");
  if (p.status == 400)
    error_box(h, "Deze keuze kennen wij niet. Kies opnieuw.");
  else if (!r)
    error_box(h, "De agenda kan nu niet worden geladen. Probeer het later opnieuw.");
  json_t *ld = json_array();
  if (r) {
    size_t i;
    const json_t *it;
    char day[16] = "";
    int any = 0;
    json_array_foreach(jo(r, "items"), i, it) {
      const char *st = js(it, "starts_at");
      const json_t *a = jo(it, "activity");
      if (!st || strlen(st) < 10 || !js(a, "id"))
        continue;
      if (strncmp(day, st, 10)) {
        if (any)
          WH(h, "</ul></section>\n");
        snprintf(day, sizeof day, "%.10s", st);
        WH(h, "<section class=\"agenda-day\" aria-labelledby=\"dag-");
        wh_text(h, day);
        WH(h, "\"><h2 id=\"dag-");
        wh_text(h, day);
        WH(h, "\">");
        when_text(h, day, NULL, 1);
        WH(h, "</h2><ul class=\"agenda-list\">\n");
        any = 1;
      }
      WH(h, "<li><a href=\"");
      offering_href(h, js(a, "id"), js(a, "name"));
      WH(h, "\">");
      wh_text(h, js(a, "name"));
      WH(h, "</a><br>");
      if (json_is_true(jo(it, "all_day"))) {
        WH(h, "De hele dag");
      } else {
        int hh, mi, eh, em;
        const char *en = js(it, "ends_at");
        if (strlen(st) >= 16 && sscanf(st + 11, "%2d:%2d", &hh, &mi) == 2) {
          wh_textf(h, "%d.%02d", hh, mi);
          if (en && strlen(en) >= 16 && sscanf(en + 11, "%2d:%2d", &eh, &em) == 2)
            wh_textf(h, " tot %d.%02d", eh, em);
          WH(h, " uur");
        }
      }
      if (js(it, "location_text")) {
        WH(h, ", ");
        wh_text(h, js(it, "location_text"));
      }
      if (json_is_true(jo(it, "cancelled")))
        WH(h, " <strong>Gaat niet door</strong>");
      WH(h, "</li>\n");
      if (json_array_size(ld) < 50 && !json_is_true(jo(it, "cancelled"))) {
        char url[400], slug[72];
        wh_slug_to(js(a, "name"), slug, sizeof slug);
        snprintf(url, sizeof url, "%s/aanbod/%s/%s", p.base, js(a, "id"), slug);
        json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s}", "@type", "Event", "name", js(a, "name"),
                               "startDate", st, "url", url, "eventAttendanceMode",
                               "https://schema.org/OfflineEventAttendanceMode");
        if (ev && js(it, "ends_at"))
          json_object_set_new(ev, "endDate", json_string(js(it, "ends_at")));
        if (ev && js(it, "location_text"))
          json_object_set_new(
              ev, "location",
              json_pack("{s:s, s:s}", "@type", "Place", "name", js(it, "location_text")));
        if (ev && js(jo(a, "organization"), "name"))
          json_object_set_new(ev, "organizer",
                              json_pack("{s:s, s:s}", "@type", "Organization", "name",
                                        js(jo(a, "organization"), "name")));
        if (ev)
          json_array_append_new(ld, ev);
      }
    }
    if (any)
      WH(h, "</ul></section>\n");
    else
      WH(h, "<p>Er staat deze week niets in de agenda voor deze keuze.</p>\n");
    char next[16];
    date_add(from, 7, next);
    WH(h, "<nav class=\"pager\" aria-label=\"Andere weken\"><a href=\"/agenda");
    agenda_query(h, mt ? mt->code : NULL, nt ? nt->code : NULL, gt ? gt->code : NULL);
    if (mt || nt || gt)
      WH(h, "&amp;week=");
    else
      WH(h, "?week=");
    wh_text(h, next);
    WH(h, "\">Volgende week</a></nav>\n");
  }
  /* Subscribe: webcal:// opens the calendar app as a subscription (kept up
   * to date); the https link is the fallback that downloads the same file. */
  const char *host = strstr(p.base, "://");
  WH(h, "<section class=\"subscribe\" aria-labelledby=\"abonneer\"><h2 id=\"abonneer\">In uw eigen "
        "agenda</h2>\n<p>Zet deze activiteiten in de agenda van uw telefoon of computer. Nieuwe "
        "activiteiten komen er dan vanzelf bij.</p>\n<p><a class=\"button secondary\" "
        "id=\"webcal-link\" href=\"webcal");
  wh_text(h, host ? host : "://localhost");
  WH(h, "/api/v1/activities.ics");
  agenda_query(h, mt ? mt->code : NULL, nt ? nt->code : NULL, gt ? gt->code : NULL);
  WH(h, "\">Abonneer in uw agenda</a></p>\n<p>Lukt dat niet? <a id=\"ics-link\" href=\"");
  wh_text(h, p.base);
  WH(h, "/api/v1/activities.ics");
  agenda_query(h, mt ? mt->code : NULL, nt ? nt->code : NULL, gt ? gt->code : NULL);
  WH(h, "\">Download het agendabestand</a>.</p>\n</section>\n");
  if (json_array_size(ld)) {
    json_t *list = json_pack("{s:s, s:o}", "@context", "https://schema.org", "@graph", ld);
    if (list)
      wh_jsonld(h, list);
    json_decref(list);
  } else {
    json_decref(ld);
  }
  json_decref(r);
  page_foot(&p);
  return page_done(&p, NULL);
}

/* ---- the professional view ------------------------------------------------------------ */

struct sel {
  const char *id[20];
  size_t n;
};

static enum MHD_Result sel_take(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value) {
  (void)kind;
  struct sel *s = cls;
  if (!key || strcmp(key, "sel") || !value)
    return MHD_YES;
  /* "sel=a,b" (the JavaScript view) or sel=a&sel=b (the form). */
  const char *v = value;
  while (*v && s->n < 20) {
    const char *e = strchr(v, ',');
    size_t n = e ? (size_t)(e - v) : strlen(v);
    if (n == 36)
      s->id[s->n++] = v; /* checked with web_is_uuid on a copy below */
    v += n + (e ? 1 : 0);
  }
  return MHD_YES;
}

/* The overview of ticked offerings, for the client: what they may see
 * (public fields only), with cost and hours. */
static void pro_overview(struct page *p, const struct sel *sl) {
  struct wh *h = &p->h;
  struct web_worker *w = web_worker_get(p->x);
  if (!w || !sl->n)
    return;
  WH(h, "<section class=\"overview\" id=\"overzicht\" aria-labelledby=\"overzicht-titel\">"
        "<h2 id=\"overzicht-titel\">Overzicht voor uw cliënt</h2>\n<ol>\n");
  p->professional = 0; /* the client reads it: plain words */
  for (size_t i = 0; i < sl->n; i++) {
    char id[40];
    snprintf(id, sizeof id, "%.36s", sl->id[i]);
    if (!web_is_uuid(id))
      continue;
    int found = 0;
    web_read_begin(w);
    json_t *s = web_service_detail(w, id, &found);
    web_read_end(w);
    if (s && found) {
      WH(h, "<li><h3>");
      wh_text(h, js(s, "name"));
      WH(h, "</h3><p>");
      wh_text(h, js(jo(s, "organization"), "name"));
      WH(h, "</p><p>");
      wh_text(h, js(s, "summary"));
      WH(h, "</p><ul>");
      if (!json_is_null(jo(s, "access"))) {
        WH(h, "<li><strong>Hoe: </strong>");
        access_text(p, jo(s, "access"));
        WH(h, "</li>");
      }
      WH(h, "<li><strong>Kosten: </strong>");
      if (!json_is_null(jo(s, "cost")))
        cost_text(p, jo(s, "cost"), js(s, "fees_description"));
      else
        wh_text(h, js(s, "fees_description") ? js(s, "fees_description") : "Vraag het na.");
      WH(h, "</li>");
      size_t k;
      const json_t *ph;
      const json_t *phones = json_array_size(jo(s, "phones")) ? jo(s, "phones")
                                                              : jo(jo(s, "organization"), "phones");
      json_array_foreach(phones, k, ph) {
        WH(h, "<li><strong>Bel: </strong>");
        tel_link(h, js(ph, "number"), 0, NULL);
        WH(h, "</li>");
      }
      json_array_foreach(jo(s, "locations"), k, ph) {
        WH(h, "<li><strong>Adres: </strong>");
        location_line(h, ph);
        WH(h, "</li>");
      }
      if (json_array_size(jo(s, "hours"))) {
        WH(h, "<li><strong>Open: </strong>");
        hours_list(h, jo(s, "hours"));
        WH(h, "</li>");
      }
      WH(h, "</ul><p class=\"print-url\">Meer: ");
      wh_text(h, p->base);
      offering_href(h, id, js(s, "name"));
      WH(h, "</p></li>\n");
    }
    json_decref(s);
  }
  p->professional = 1;
  WH(h, "</ol>\n<p class=\"no-print\">Gebruik ‘Afdrukken’ in uw browser om dit overzicht te "
        "printen. Alleen het overzicht wordt geprint.</p></section>\n");
}

/* /professionals: dense list with the exact terms; tick entries for an
 * overview (a GET form, so the whole state is in the URL). */
static int page_pro(struct web_ctx *x) {
  struct page p;
  page_init(&p, x);
  p.professional = 1;
  struct sform f;
  sf_read(x, &f);
  struct sel sl = {{0}, 0};
  MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, sel_take, &sl);
  int active = f.n > 0;
  json_t *r = NULL;
  char msg[300] = "";
  int st = 200;
  if (active) {
    r = run_search(x, &f, NULL, x->professional, 20, 0, &st, msg, sizeof msg);
    if (!r)
      p.status = st;
  }
  page_head(&p, "Voor professionals", "/professionals",
            "Sociale kaart voor professionals: verwijsinformatie per aanbod.", NAV_PRO, JS_ENHANCE);
  struct wh *h = &p.h;
  if (r && json_is_true(jo(r, "crisis")))
    crisis_block(&p, jo(r, "crisis_lines"));
  WH(h, "<h1>Voor professionals</h1>\n");
  if (sl.n)
    pro_overview(&p, &sl);
  search_form(&p, &f, "/professionals");
  if (!r && active)
    error_box(h, msg);
  if (r) {
    /* The ticks are a second form: it carries the query along. */
    WH(h, "<form method=\"get\" action=\"/professionals\" class=\"select-form\">\n");
    for (size_t i = 0; i < f.n; i++) {
      WH(h, "<input type=\"hidden\" name=\"");
      wh_text(h, f.name[i]);
      WH(h, "\" value=\"");
      wh_text(h, f.val[i]);
      WH(h, "\">");
    }
    results_list(&p, &f, r, "/professionals");
    WH(h, "<p><button class=\"button\" type=\"submit\">Maak overzicht van de aangevinkte hulp"
          "</button></p>\n</form>\n");
  }
  json_decref(r);
  page_foot(&p);
  return page_done(&p, NULL);
}

/* ---- every offering: A to Z, the sitemap ------------------------------------------------ */

#define LIST_SQL                                                                                   \
  "SELECT s.id, s.name, s.last_modified, o.id, o.name FROM service s"                              \
  " JOIN organization o ON o.rid = s.organization_rid"                                             \
  " WHERE s.status = 'active' AND o.status = 'active'"                                             \
  " ORDER BY s.name COLLATE NOCASE, s.id LIMIT ?1 OFFSET ?2"

#define AZ_PER_PAGE 500

static sqlite3_stmt *list_stmt(struct web_worker *w, long limit, long offset) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(w->st->db, LIST_SQL, -1, &s, NULL) != SQLITE_OK) {
    sqlite3_finalize(s);
    return NULL;
  }
  sqlite3_bind_int64(s, 1, limit);
  sqlite3_bind_int64(s, 2, offset);
  return s;
}

/* /aanbod?page=n: every active offering by name; the crawl path to all. */
static int page_az(struct web_ctx *x) {
  long page;
  if (web_arg_int(x, "page", 1, 100000, 1, &page))
    return page_not_found_html(x, "Deze pagina bestaat niet.");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  struct page p;
  page_init(&p, x);
  page_head(&p, "Alle hulp van A tot Z", page == 1 ? "/aanbod" : NULL,
            "Alle hulp en activiteiten op de sociale kaart, op naam.", NAV_SEARCH, JS_ENHANCE);
  struct wh *h = &p.h;
  breadcrumb_start(h);
  WH(h, "<li aria-current=\"page\">Alle hulp van A tot Z</li></ol></nav>\n"
        "<h1>Alle hulp van A tot Z</h1>\n<ul class=\"plain-list az\">\n");
  web_read_begin(w);
  sqlite3_stmt *s = list_stmt(w, AZ_PER_PAGE + 1, (page - 1) * AZ_PER_PAGE);
  int n = 0, more = 0;
  while (s && sqlite3_step(s) == SQLITE_ROW) {
    if (++n > AZ_PER_PAGE) {
      more = 1;
      break;
    }
    const char *id = (const char *)sqlite3_column_text(s, 0);
    const char *name = (const char *)sqlite3_column_text(s, 1);
    WH(h, "<li><a href=\"");
    offering_href(h, id, name);
    WH(h, "\">");
    wh_text(h, name);
    WH(h, "</a> <span class=\"org\">(");
    wh_text(h, (const char *)sqlite3_column_text(s, 4));
    WH(h, ")</span></li>\n");
  }
  sqlite3_finalize(s);
  web_read_end(w);
  WH(h, "</ul>\n<nav class=\"pager\" aria-label=\"Meer\">");
  if (page > 1) {
    WH(h, "<a rel=\"prev\" href=\"/aanbod?page=");
    wh_textf(h, "%ld", page - 1);
    WH(h, "\">Vorige</a> ");
  }
  if (more) {
    WH(h, "<a rel=\"next\" href=\"/aanbod?page=");
    wh_textf(h, "%ld", page + 1);
    WH(h, "\">Volgende</a>");
  }
  WH(h, "</nav>\n");
  if (!s)
    p.status = 503;
  page_foot(&p);
  return page_done(&p, NULL);
}

static void xml_url(struct wh *h, const char *base, const char *lastmod) {
  (void)base;
  if (lastmod && strlen(lastmod) >= 10) {
    WH(h, "<lastmod>");
    wh_textn(h, lastmod, 10);
    WH(h, "</lastmod>");
  }
}

/* /sitemap.xml: the home page, the need pages, every active offering and
 * every organisation with one (at most 50,000 URLs, as the protocol says). */
static int page_sitemap(struct web_ctx *x) {
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  struct page p;
  page_init(&p, x);
  struct wh *h = &p.h;
  WH(h, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
  static const char *const fixed[] = {"/", "/hulp", "/aanbod", "/agenda", "/professionals"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    WH(h, "<url><loc>");
    wh_text(h, p.base);
    wh_text(h, fixed[i]);
    WH(h, "</loc></url>\n");
  }
  const struct sk_taxonomy *tax = x->srv->tax;
  for (size_t i = 0; i < tax->n_terms; i++) {
    if (tax->terms[i].vocab != SK_VOCAB_NEED)
      continue;
    WH(h, "<url><loc>");
    wh_text(h, p.base);
    WH(h, "/hulp/");
    wh_q(h, tax->terms[i].code);
    WH(h, "</loc></url>\n");
  }
  web_read_begin(w);
  sqlite3_stmt *s = list_stmt(w, 45000, 0);
  json_t *orgs = json_object();
  while (s && sqlite3_step(s) == SQLITE_ROW) {
    const char *id = (const char *)sqlite3_column_text(s, 0);
    WH(h, "<url><loc>");
    wh_text(h, p.base);
    offering_href(h, id, (const char *)sqlite3_column_text(s, 1));
    WH(h, "</loc>");
    xml_url(h, p.base, (const char *)sqlite3_column_text(s, 2));
    WH(h, "</url>\n");
    const char *oid = (const char *)sqlite3_column_text(s, 3);
    if (oid && orgs)
      json_object_set_new(orgs, oid, json_string((const char *)sqlite3_column_text(s, 4)));
  }
  sqlite3_finalize(s);
  web_read_end(w);
  const char *oid;
  json_t *on;
  json_object_foreach(orgs, oid, on) {
    WH(h, "<url><loc>");
    wh_text(h, p.base);
    org_href(h, oid, json_string_value(on));
    WH(h, "</loc></url>\n");
  }
  json_decref(orgs);
  WH(h, "</urlset>\n");
  if (!s)
    p.status = 503;
  return page_done(&p, "application/xml; charset=utf-8");
}

static int page_robots(struct web_ctx *x) {
  struct page p;
  page_init(&p, x);
  struct wh *h = &p.h;
  WH(h, "# The partner portal and the API are not for search engines.\nUser-agent: *\n"
        "Disallow: /portaal/\nDisallow: /api/\nDisallow: /hsds/\nDisallow: /zoeken\n"
        "Disallow: /professionals?\n\nSitemap: ");
  wh_text(h, p.base);
  WH(h, "/sitemap.xml\n");
  return page_done(&p, "text/plain; charset=utf-8");
}

/* ---- errors ------------------------------------------------------------------------------ */

static int page_error_html(struct web_ctx *x, int status, const char *title, const char *what) {
  struct page p;
  page_init(&p, x);
  p.status = status;
  page_head(&p, title, NULL, NULL, NAV_NONE, JS_ENHANCE);
  struct wh *h = &p.h;
  WH(h, "<h1>");
  wh_text(h, title);
  WH(h, "</h1>\n");
  para(h, what);
  WH(h, "<p>Zoek hieronder wat u nodig heeft, of kies een onderwerp.</p>\n");
  struct sform f;
  memset(&f, 0, sizeof f);
  f.page = 1;
  search_form(&p, &f, "/zoeken");
  need_tiles(&p, 0);
  page_foot(&p);
  return page_done(&p, NULL);
}

static int page_not_found_html(struct web_ctx *x, const char *what) {
  return page_error_html(x, 404, "Deze pagina bestaat niet", what);
}

int web_page_not_found(struct web_ctx *x) {
  return page_not_found_html(x, "Misschien is het adres veranderd, of zit er een typfout in.");
}

/* ---- "Klopt er iets niet?" without JavaScript ------------------------------------------ */

/* The correction form's fields, read with the shared form decoder
 * (web_form_value, web_auth.c). A field that is absent, too long or not
 * UTF-8 is left out, and the portal's validation then says what is missing. */
static json_t *form_json(const char *body) {
  static const char *const fields[] = {"message", "name", "email", "form_token", "website"};
  json_t *o = json_object();
  char *v = malloc(SK_CORRECTION_MAX_MESSAGE * 4 + 1);
  for (size_t i = 0; o && v && i < sizeof fields / sizeof fields[0]; i++)
    if (web_form_value(body, fields[i], v, SK_CORRECTION_MAX_MESSAGE * 4 + 1))
      json_object_set_new(o, fields[i], json_string(v));
  if (!v) {
    json_decref(o);
    o = NULL;
  }
  free(v);
  return o;
}

static int page_correction_post(struct web_ctx *x, const char *id) {
  struct web_server *srv = x->srv;
  json_t *doc = form_json(x->req->body ? x->req->body : "");
  if (!doc)
    return web_problem(x, 500, "Interne fout", NULL, "Er ging iets mis.");
  char ip[64];
  web_client_ip(x, ip);
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  pthread_mutex_lock(&srv->portal_mu);
  srv->portal->now = 0;
  sk_portal_correction_submit(srv->portal, id, doc, ip, &r);
  pthread_mutex_unlock(&srv->portal_mu);
  json_decref(doc);
  int ok = r.rc == SK_OK && r.http >= 200 && r.http < 300;
  struct page p;
  page_init(&p, x);
  p.status = ok ? 200 : (r.http >= 400 ? r.http : 400);
  page_head(&p, ok ? "Bedankt voor uw melding" : "Uw melding is niet verstuurd", NULL, NULL,
            NAV_SEARCH, JS_ENHANCE);
  struct wh *h = &p.h;
  if (ok) {
    WH(h, "<h1>Bedankt voor uw melding</h1>\n<p role=\"status\">Wij hebben uw melding ontvangen. "
          "De organisatie kijkt ernaar en past de gegevens aan als dat nodig is.</p>\n");
  } else {
    WH(h, "<h1>Uw melding is niet verstuurd</h1>\n");
    error_box(h, r.message[0] ? r.message : "Probeer het later opnieuw.");
    WH(h, "<p>Ga terug en probeer het opnieuw. Lukt het niet? Bel het Informatiepunt.</p>\n");
  }
  WH(h, "<p><a href=\"/aanbod/");
  wh_q(h, id);
  WH(h, "\">Terug naar het aanbod</a></p>\n");
  sk_portal_result_free(&r);
  page_foot(&p);
  return page_done(&p, NULL);
}

/* ---- claiming an organisation without JavaScript ------------------------------------------ */

static int claim_page(struct web_ctx *x, int status, const char *title, const char *text,
                      int error) {
  struct page p;
  page_init(&p, x);
  p.status = status;
  page_head(&p, title, NULL, NULL, NAV_SEARCH, JS_ENHANCE);
  struct wh *h = &p.h;
  WH(h, "<h1>");
  wh_text(h, title);
  WH(h, "</h1>\n");
  if (error)
    error_box(h, text);
  else {
    WH(h, "<p role=\"status\">");
    wh_text(h, text);
    WH(h, "</p>\n");
  }
  page_foot(&p);
  int rc = page_done(&p, NULL);
  x->out.cache = "no-store";
  return rc;
}

/* POST /organisatie/{id}/aanvragen */
static int page_claim_request(struct web_ctx *x, const char *org_id) {
  struct web_server *srv = x->srv;
  if (!web_same_origin(x))
    return claim_page(x, 403, "Uw aanvraag is niet verstuurd",
                      "Stuur het formulier vanaf de pagina van de organisatie.", 1);
  if (!srv->public_url) /* a link may never come from the Host header */
    return claim_page(x, 503, "Uw aanvraag is niet verstuurd",
                      "Dit kan nu niet. Bel of mail de redactie.", 1);
  char ip[64];
  web_client_ip(x, ip);
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  pthread_mutex_lock(&srv->portal_mu);
  srv->portal->now = 0;
  sk_portal_claim_request(srv->portal, org_id, ip, srv->public_url, &r);
  pthread_mutex_unlock(&srv->portal_mu);
  int ok = r.rc == SK_OK;
  int rc = claim_page(
      x, ok ? 200 : r.http, ok ? "Bedankt voor uw aanvraag" : "Uw aanvraag is niet verstuurd",
      r.message[0] ? r.message : json_string_value(json_object_get(r.body, "message")), !ok);
  sk_portal_result_free(&r);
  return rc;
}

/* GET /aanvraag?t=… shows a button; POST /aanvraag (t=…) files the claim.
 * Following the link alone changes nothing (a mail scanner opens links). */
static int page_claim_link(struct web_ctx *x, int post) {
  struct web_server *srv = x->srv;
  char token[SK_VERIFY_TOKEN_MAX] = "";
  if (post) {
    if (!web_same_origin(x))
      return claim_page(x, 403, "Uw aanvraag is niet verstuurd",
                        "Gebruik de knop op de pagina uit de e-mail.", 1);
    web_form_value(x->req->body ? x->req->body : "", "t", token, sizeof token);
  } else {
    const char *t = web_arg(x, "t");
    snprintf(token, sizeof token, "%s", t && strlen(t) < sizeof token ? t : "");
  }
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  pthread_mutex_lock(&srv->portal_mu);
  srv->portal->now = 0;
  if (post)
    sk_portal_claim_file(srv->portal, token, &r);
  else
    sk_portal_claim_peek(srv->portal, token, &r);
  pthread_mutex_unlock(&srv->portal_mu);
  int rc;
  if (r.rc != SK_OK) {
    rc = claim_page(x, r.http, "Deze link werkt niet", r.message, 1);
  } else if (post) {
    rc = claim_page(x, 200, "Uw aanvraag is ontvangen",
                    json_string_value(json_object_get(r.body, "message")), 0);
  } else {
    struct page p;
    page_init(&p, x);
    page_head(&p, "Een account voor uw organisatie", NULL, NULL, NAV_SEARCH, JS_ENHANCE);
    struct wh *h = &p.h;
    WH(h, "<h1>Een account voor uw organisatie</h1>\n<p>U vraagt een account aan voor <strong>");
    wh_text(h, json_string_value(json_object_get(r.body, "organization")));
    WH(h, "</strong>. De redactie kijkt naar uw aanvraag. Daarna krijgt u een e-mail om uw "
          "wachtwoord te kiezen.</p>\n<form method=\"post\" action=\"/aanvraag\">"
          "<input type=\"hidden\" name=\"t\" value=\"");
    wh_q(h, token);
    WH(h, "\"><button class=\"button\" type=\"submit\">Ja, vraag het account aan</button>"
          "</form>\n");
    page_foot(&p);
    rc = page_done(&p, NULL);
    x->out.cache = "no-store";
  }
  sk_portal_result_free(&r);
  return rc;
}

/* ---- routing ------------------------------------------------------------------------------ */

/* Split "/prefix/{a}/{b}/{c}" into segments (copies, bounded). */
static int split3(const char *rest, char a[80], char b[80], char c[80]) {
  a[0] = b[0] = c[0] = '\0';
  char *outs[3] = {a, b, c};
  int n = 0;
  while (*rest && n < 3) {
    const char *e = strchr(rest, '/');
    size_t len = e ? (size_t)(e - rest) : strlen(rest);
    if (len >= 80)
      return -1;
    memcpy(outs[n], rest, len);
    outs[n][len] = '\0';
    n++;
    if (!e)
      return n;
    rest = e + 1;
  }
  return *rest ? -1 : n;
}

int web_page_route(const char *url) {
  return !strcmp(url, "/") || !strcmp(url, "/zoeken") || !strcmp(url, "/hulp") ||
         !strncmp(url, "/hulp/", 6) || !strcmp(url, "/aanbod") || !strncmp(url, "/aanbod/", 8) ||
         !strncmp(url, "/organisatie/", 13) || !strcmp(url, "/agenda") ||
         !strcmp(url, "/professionals") || !strcmp(url, "/sitemap.xml") ||
         !strcmp(url, "/robots.txt") || !strcmp(url, "/aanvraag");
}

int web_page_handler(struct web_ctx *x) {
  const char *u = x->url;
  int post = strcmp(x->method, "POST") == 0;
  char a[80], b[80], c[80];
  if (!post && strcmp(x->method, "GET") && strcmp(x->method, "HEAD"))
    goto not_allowed;
  if (!strncmp(u, "/aanbod/", 8)) {
    int n = split3(u + 8, a, b, c);
    if (n == 3 && !strcmp(c, "melding") && web_is_uuid(a)) {
      if (!post) {
        /* Back to the offering's page. The slug is the client's (decoded)
         * text and goes into a header: kept only when it is a slug, else
         * the page's own redirect supplies the right one. */
        int slug = b[0] && strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(b);
        snprintf(x->out.location, sizeof x->out.location, "/aanbod/%s%s%s", a, slug ? "/" : "",
                 slug ? b : "");
        x->out.status = 303;
        return SK_OK;
      }
      return page_correction_post(x, a);
    }
    if (post)
      goto not_allowed;
    if (n == 1 || (n == 2 && b[0]) || (n == 2 && !b[0]))
      return page_offering(x, a, n == 2 && b[0] ? b : NULL);
    return page_not_found_html(x, "Dit aanbod bestaat niet (meer).");
  }
  if (!strcmp(u, "/aanvraag"))
    return page_claim_link(x, post);
  if (!strncmp(u, "/organisatie/", 13) && post) {
    int n = split3(u + 13, a, b, c);
    if (n == 2 && web_is_uuid(a) && !strcmp(b, "aanvragen"))
      return page_claim_request(x, a);
    goto not_allowed;
  }
  if (post)
    goto not_allowed;
  if (!strcmp(u, "/"))
    return page_search(x, 1);
  if (!strcmp(u, "/zoeken"))
    return page_search(x, 0);
  if (!strcmp(u, "/hulp"))
    return page_needs(x);
  if (!strncmp(u, "/hulp/", 6)) {
    int n = split3(u + 6, a, b, c);
    if (n == 1)
      return page_need(x, a);
    return page_not_found_html(x, "Dit onderwerp bestaat niet.");
  }
  if (!strcmp(u, "/aanbod"))
    return page_az(x);
  if (!strncmp(u, "/organisatie/", 13)) {
    int n = split3(u + 13, a, b, c);
    if ((n == 1 || n == 2) && web_is_uuid(a))
      return page_organization(x, a, n == 2 && b[0] ? b : NULL);
    return page_not_found_html(x, "Deze organisatie staat niet op de kaart.");
  }
  if (!strcmp(u, "/agenda"))
    return page_agenda(x);
  if (!strcmp(u, "/professionals"))
    return page_pro(x);
  if (!strcmp(u, "/sitemap.xml"))
    return page_sitemap(x);
  if (!strcmp(u, "/robots.txt"))
    return page_robots(x);
  return web_page_not_found(x);
not_allowed:
  x->out.allow = "GET, HEAD";
  return page_error_html(x, 405, "Dit kan hier niet", "Deze pagina kunt u alleen bekijken.");
}
