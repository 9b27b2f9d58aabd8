/* The partner portal without JavaScript (issue 13): server-rendered pages
 * over the same core/portal calls as the JSON API in web_partner.c, never a
 * second writer. portal.js enhances /portaal/ as before: the page carries
 * its containers (hidden until JavaScript runs) next to the server-rendered
 * task list (data-server-list, hidden by portal.js).
 *
 *   GET  /portaal/                         a partner's task list and entries (paged), the
 *                                          redactie's queue (303 to login without a session)
 *   POST /portaal/bevestigen               "Gegevens kloppen nog" (soort, id)
 *   GET  /portaal/bewerk/{soort}/{id}      the edit form, filled in, and the history
 *   POST /portaal/bewerk/{soort}/{id}      save (etag as the If-Match)
 *   GET  /portaal/nieuw/{soort}            the form for a new entry
 *   POST /portaal/nieuw/{soort}            create it
 *   POST /portaal/melding/{id}/afgehandeld close a correction
 *   POST /portaal/beoordeling/{id}/goedkeuren|afwijzen       a held edit (redactie)
 *   POST /portaal/account-aanvraag/{id}/goedkeuren|afwijzen  a claim (redactie)
 * ({soort}: services, activities, locations.)
 *
 * Every POST: a cookie session, the CSRF token in the "csrf" field and
 * web_same_origin (Origin / Sec-Fetch-Site); 303 after success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_auth.h"
#include "sk_err.h"
#include "sk_portal.h"
#include "web_html.h"
#include "web_internal.h"

#define PP_PHONE_ROWS 20 /* phone rows read from a form */
#define PP_HOUR_ROWS 30  /* opening-hour rows read from a form */
#define PP_VALUE_MAX 40000
#define PP_VERIFY_ROWS 200 /* rows per group of the verification list */
#define PP_STR_(n) #n
#define PP_STR(n) PP_STR_(n)

static const char *const pp_day[8] = {"",          "maandag", "dinsdag",  "woensdag",
                                      "donderdag", "vrijdag", "zaterdag", "zondag"};
static const char *const pp_month[13] = {"",        "januari",  "februari", "maart",    "april",
                                         "mei",     "juni",     "juli",     "augustus", "september",
                                         "oktober", "november", "december"};

/* The text fields of the form: key, label, multi-line, hint, services only. */
static const struct pp_field {
  const char *key, *label;
  int area;
  const char *hint;
  int service_only, number;
} pp_fields[] = {
    {"name", "Naam", 0, "Kort en duidelijk, zoals mensen het noemen.", 0, 0},
    {"summary", "Korte uitleg", 0, "Eén zin: wat is het? (hoogstens 300 tekens)", 0, 0},
    {"description", "Beschrijving", 1, "Wat kunnen mensen verwachten?", 0, 0},
    {"application_process", "Hoe krijgt iemand het?", 1,
     "Bijvoorbeeld: bel of loop binnen op het spreekuur.", 0, 0},
    {"eligibility_description", "Voor wie?", 1, NULL, 0, 0},
    {"fees_description", "Kosten (uitleg)", 0, NULL, 0, 0},
    {"keywords", "Zoekwoorden", 0, "Andere woorden die mensen gebruiken, met komma’s.", 0, 0},
    {"url", "Website", 0, "Begint met https://", 0, 0},
    {"email", "E-mailadres", 0, NULL, 0, 0},
    {"referral_contact", "Contact voor verwijzers", 0, "Alleen zichtbaar voor professionals.", 1,
     0},
    {"min_age", "Vanaf leeftijd", 0, NULL, 0, 1},
    {"max_age", "Tot en met leeftijd", 0, NULL, 0, 1},
};
#define PP_NFIELDS (sizeof pp_fields / sizeof pp_fields[0])

static const struct pp_field pp_loc_fields[] = {
    {"name", "Naam", 0, "Zoals mensen de plek kennen, bijvoorbeeld ‘Buurthuis De Kern’.", 0, 0},
    {"address", "Adres", 0, "Straat en huisnummer.", 0, 0},
    {"postal_code", "Postcode", 0, "Bijvoorbeeld 1271 AB.", 0, 0},
    {"city", "Plaats", 0, NULL, 0, 0},
    {"accessibility", "Toegankelijkheid", 1,
     "Bijvoorbeeld: zonder drempels, met een lift, parkeren voor de deur.", 0, 0},
};

/* What the forms handle per kind of entry ({soort} in the address). */
static const struct pp_kind {
  const char *soort;
  enum sk_portal_entity ent;
  const struct pp_field *fields;
  size_t nfields;
  int phones, hours, choices, access_cost;
  const char *title_new, *done_new;
} pp_kinds[] = {
    {"services", SK_PORTAL_SERVICE, pp_fields, PP_NFIELDS, 1, 1, 1, 1, "Nieuw aanbod", "aanbod"},
    {"activities", SK_PORTAL_ACTIVITY, pp_fields, PP_NFIELDS, 1, 0, 1, 0, "Nieuwe activiteit",
     "activiteit"},
    {"locations", SK_PORTAL_LOCATION, pp_loc_fields, sizeof pp_loc_fields / sizeof pp_loc_fields[0],
     0, 1, 0, 0, "Nieuwe locatie", "locatie"},
};

static const struct pp_kind *pp_kind_of(const char *soort) {
  for (size_t i = 0; i < sizeof pp_kinds / sizeof pp_kinds[0]; i++)
    if (!strcmp(pp_kinds[i].soort, soort))
      return &pp_kinds[i];
  return NULL;
}

/* Field keys in the core's messages, as the form names them. */
static const struct {
  const char *key, *label;
} pp_names[] = {{"name", "Naam"},
                {"summary", "Korte uitleg"},
                {"description", "Beschrijving"},
                {"application_process", "Hoe krijgt iemand het?"},
                {"eligibility_description", "Voor wie?"},
                {"fees_description", "Kosten (uitleg)"},
                {"keywords", "Zoekwoorden"},
                {"url", "Website"},
                {"email", "E-mailadres"},
                {"referral_contact", "Contact voor verwijzers"},
                {"min_age", "Vanaf leeftijd"},
                {"max_age", "Tot en met leeftijd"},
                {"phones", "Telefoonnummers"},
                {"phones.description", "Uitleg bij het nummer"},
                {"hours", "Openingstijden"},
                {"hours.note", "Opmerking bij de tijd"},
                {"weekday", "Dag"},
                {"opens", "Van"},
                {"closes", "Tot"},
                {"needs", "Onderwerpen"},
                {"areas", "Gemeenten"},
                {"access", "Toegang"},
                {"cost", "Kosten"},
                {"organization", "Organisatie"},
                {"address", "Adres"},
                {"postal_code", "Postcode"},
                {"city", "Plaats"},
                {"municipality", "Gemeente"},
                {"accessibility", "Toegankelijkheid"},
                {"target_groups", "Doelgroepen"},
                {"laws", "Wet"},
                {"locations", "Locaties"},
                {"status", "Status"},
                {"assured_date", "Gecontroleerd op"},
                {"assured_by", "Gecontroleerd door"},
                {"kind", "Soort"},
                {"latitude", "Breedtegraad"},
                {"longitude", "Lengtegraad"},
                {"location_text", "Waar?"},
                {"recurrence", "Hoe vaak?"},
                {"organizer", "Organisator"},
                {"occurrences", "Data"},
                {"reason", "Reden"}};

/* The form's word for a field key (the key itself when it has none). */
static const char *pp_label(const char *key) {
  for (size_t i = 0; key && i < sizeof pp_names / sizeof pp_names[0]; i++)
    if (!strcmp(pp_names[i].key, key))
      return pp_names[i].label;
  return key ? key : "";
}

/* A core message with 'key' written as ‘Label’ (the form's words). */
static void pp_message(struct wh *h, const char *msg) {
  const char *m = msg ? msg : "";
  while (*m) {
    const char *q = strchr(m, '\'');
    if (!q) {
      wh_text(h, m);
      return;
    }
    const char *e = strchr(q + 1, '\'');
    if (!e) {
      wh_text(h, m);
      return;
    }
    wh_textn(h, m, (size_t)(q - m));
    size_t n = (size_t)(e - q - 1);
    const char *label = NULL;
    for (size_t i = 0; i < sizeof pp_names / sizeof pp_names[0]; i++)
      if (strlen(pp_names[i].key) == n && !strncmp(pp_names[i].key, q + 1, n))
        label = pp_names[i].label;
    WH(h, "‘");
    if (label)
      wh_text(h, label);
    else
      wh_textn(h, q + 1, n);
    WH(h, "’");
    m = e + 1;
  }
}

/* "12 maart 2026" for an ISO date or date-time (its date part). */
static void pp_date(struct wh *h, const char *iso) {
  int y, mo, d;
  if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &mo, &d) != 3 || mo < 1 || mo > 12) {
    wh_text(h, iso);
    return;
  }
  wh_textf(h, "%d %s %d", d, pp_month[mo], y);
}

static const char *js(const json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

static void pp_value_read(struct wh *h, const struct sk_taxonomy *tax, const char *field,
                          const json_t *v, int depth);

/* ---- the page shell ----------------------------------------------------- */

static void pp_head(struct wh *h, const char *title, int scripts) {
  WH(h, "<!doctype html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n<title>");
  wh_text(h, title);
  WH(h, " – Portaal Sociale Kaart</title>\n"
        "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n"
        "<link rel=\"stylesheet\" href=\"/css/site.css\">\n"
        "<link rel=\"stylesheet\" href=\"/portaal/portaal.css\">\n"
        "<script src=\"/js/common.js\" defer></script>\n");
  if (scripts)
    WH(h, "<script src=\"/js/portal.js\" defer></script>\n</head>\n<body data-page=\"mine\">\n");
  else
    WH(h, "</head>\n<body>\n");
  WH(h, "<a class=\"skip-link\" href=\"#inhoud\">Naar de inhoud</a>\n"
        "<header class=\"site-header\">\n  <div class=\"wrap\">\n"
        "    <a class=\"site-name\" href=\"/\">Sociale Kaart <small>Portaal voor organisaties"
        "</small></a>\n    <nav class=\"site-nav\" aria-label=\"Portaalmenu\">\n      <ul>\n"
        "        <li><a href=\"/portaal/\">Mijn aanbod</a></li>\n"
        "        <li><a href=\"/portaal/feeds.html\">Feeds</a></li>\n"
        "        <li><a href=\"/\">Naar de website</a></li>\n      </ul>\n    </nav>\n"
        "  </div>\n</header>\n\n<main id=\"inhoud\" tabindex=\"-1\">\n  <div class=\"wrap\">\n");
}

static void pp_foot(struct wh *h) {
  WH(h, "  </div>\n</main>\n\n<footer class=\"site-footer\">\n  <div class=\"wrap\">\n"
        "    <p>Vragen over het portaal? Bel het Informatiepunt: <a href=\"tel:+31350000101\">"
        "035 000 0101</a>.</p>\n  </div>\n</footer>\n</body>\n</html>\n");
}

static int pp_done(struct web_ctx *x, struct wh *h, int status) {
  size_t len = 0;
  char *body = wh_take(h, &len);
  if (!body)
    return web_problem(x, 500, "Interne fout", NULL, "De pagina kon niet worden gemaakt.");
  free(x->out.body);
  x->out.body = body;
  x->out.len = len;
  x->out.status = status;
  x->out.ctype = "text/html; charset=utf-8";
  x->out.cache = "no-store";
  x->out.etag = 0;
  x->out.vary = "Cookie";
  return SK_OK;
}

/* A page with one message (an error or a dead end) and a way back. */
static int pp_message_page(struct web_ctx *x, int status, const char *title, const char *text) {
  struct wh h;
  wh_init(&h);
  pp_head(&h, title, 0);
  WH(&h, "<h1>");
  wh_text(&h, title);
  WH(&h, "</h1>\n<div class=\"notice error\" role=\"alert\"><p>");
  pp_message(&h, text);
  WH(&h, "</p></div>\n<p><a href=\"/portaal/\">Terug naar mijn aanbod</a></p>\n");
  pp_foot(&h);
  return pp_done(x, &h, status);
}

static int pp_redirect(struct web_ctx *x, const char *location) {
  x->out.status = 303;
  snprintf(x->out.location, sizeof x->out.location, "%s", location);
  x->out.cache = "no-store";
  return SK_OK;
}

static void pp_csrf(struct wh *h, const struct web_viewer *v) {
  WH(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
  wh_text(h, v->sess ? v->sess->csrf : "");
  WH(h, "\">");
}

/* ---- who is asking ------------------------------------------------------ */

/* The session and the actor; on failure an answer was set (a redirect to
 * the login page for a GET without a session). */
static int pp_who(struct web_ctx *x, int post, struct web_viewer *v, struct sk_actor *a) {
  if (web_viewer_get(x, 0, v) != SK_OK)
    return SK_EINVAL;
  if (v->how != WEB_COOKIE) {
    web_viewer_free(v);
    if (!post) {
      pp_redirect(x, "/portaal/inloggen.html?terug=/portaal/");
    } else {
      pp_message_page(x, 401, "U bent niet ingelogd",
                      "Log opnieuw in en probeer het dan nog een keer.");
    }
    return SK_EINVAL;
  }
  if (post) {
    char form_csrf[SK_AUTH_TOKEN_LEN + 2] = "";
    web_form_value(x->req->body ? x->req->body : "", "csrf", form_csrf, sizeof form_csrf);
    if (!web_same_origin(x) || !web_csrf_ok(x, v, form_csrf)) {
      web_viewer_free(v);
      pp_message_page(x, 403, "Dit is niet gelukt",
                      "Het formulier is verlopen of kwam niet van deze website. Open de pagina "
                      "opnieuw en probeer het nog een keer.");
      return SK_EINVAL;
    }
  }
  pthread_mutex_lock(&x->srv->portal_mu);
  x->srv->portal->now = 0;
  int rc = sk_portal_actor_load(x->srv->portal->st, v->acct->id, a);
  pthread_mutex_unlock(&x->srv->portal_mu);
  if (rc != SK_OK) {
    web_viewer_free(v);
    if (rc == SK_ENOTFOUND)
      pp_message_page(x, 401, "U bent niet ingelogd", sk_auth_message(SK_AUTH_ENOSESSION));
    else
      web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
    return SK_EINVAL;
  }
  return SK_OK;
}

/* ---- the task list -------------------------------------------------------- */

static const char *pp_route_of(const json_t *e) {
  const char *kind = js(e, "kind");
  return kind && !strcmp(kind, "activiteit") ? "activities" : "services";
}

static void pp_edit_link(struct wh *h, const json_t *e, const char *text) {
  WH(h, "<a class=\"button secondary\" href=\"/portaal/bewerk/");
  wh_text(h, pp_route_of(e));
  WH(h, "/");
  wh_q(h, js(e, "id"));
  WH(h, "\">");
  wh_text(h, text);
  WH(h, "<span class=\"visually-hidden\">: ");
  wh_text(h, js(e, "name"));
  WH(h, "</span></a>");
}

static void pp_confirm_form(struct wh *h, const struct web_viewer *v, const json_t *e) {
  WH(h, "<form method=\"post\" action=\"/portaal/bevestigen\" class=\"inline-form\">");
  pp_csrf(h, v);
  WH(h, "<input type=\"hidden\" name=\"soort\" value=\"");
  wh_text(h, pp_route_of(e));
  WH(h, "\"><input type=\"hidden\" name=\"id\" value=\"");
  wh_text(h, js(e, "id"));
  WH(h, "\"><button class=\"button\" type=\"submit\">Gegevens kloppen nog"
        "<span class=\"visually-hidden\">: ");
  wh_text(h, js(e, "name"));
  WH(h, "</span></button></form>");
}

static void pp_checked(struct wh *h, const json_t *e) {
  const char *d = js(e, "assured_date");
  if (d) {
    WH(h, "Gecontroleerd op ");
    pp_date(h, d);
  } else {
    WH(h, "Nog nooit gecontroleerd");
  }
}

static const char *pp_done_text(const char *gedaan) {
  if (!gedaan)
    return NULL;
  if (!strcmp(gedaan, "bevestigd"))
    return "Dank u wel. De gegevens zijn gecontroleerd.";
  if (!strcmp(gedaan, "opgeslagen"))
    return "Uw wijziging is opgeslagen en staat op de website.";
  if (!strcmp(gedaan, "ingediend"))
    return "Uw wijziging is ontvangen. De redactie kijkt ernaar; daarna staat ze op de website.";
  if (!strcmp(gedaan, "afgehandeld"))
    return "De melding is afgehandeld.";
  if (!strcmp(gedaan, "toegevoegd"))
    return "Het is toegevoegd en staat op de website.";
  if (!strcmp(gedaan, "goedgekeurd"))
    return "De wijziging is goedgekeurd en staat op de website.";
  if (!strcmp(gedaan, "afgewezen"))
    return "De wijziging is afgewezen. De partner ziet uw reden.";
  if (!strcmp(gedaan, "aanvraag-goedgekeurd"))
    return "De aanvraag is goedgekeurd. De organisatie krijgt een link om een wachtwoord te "
           "kiezen.";
  if (!strcmp(gedaan, "aanvraag-afgewezen"))
    return "De aanvraag is afgewezen.";
  return NULL;
}

/* Open corrections ("Klopt er iets niet?"), each with its close form. */
static void pp_correction_items(struct wh *h, const struct web_viewer *v, const json_t *corr) {
  const json_t *e;
  size_t i;
  WH(h, "<ul class=\"entry-list\">\n");
  json_array_foreach(corr, i, e) {
    WH(h, "<li class=\"entry\"><h4>");
    wh_text(h, js(e, "entry_name") ? js(e, "entry_name") : "Melding");
    WH(h, "</h4>");
    if (json_is_string(json_object_get(e, "feed")) || json_is_true(json_object_get(e, "feed"))) {
      WH(h, "<p class=\"hint\">Correctie voor de feed");
      if (js(e, "feed_partner")) {
        WH(h, " van ");
        wh_text(h, js(e, "feed_partner"));
      }
      WH(h, ". Pas het aan in de feed.</p>");
    }
    WH(h, "<p>");
    wh_text(h, js(e, "message"));
    WH(h, "</p><p class=\"hint\">Ontvangen op ");
    pp_date(h, js(e, "created"));
    if (js(e, "name")) {
      WH(h, " van ");
      wh_text(h, js(e, "name"));
    }
    if (js(e, "email")) {
      WH(h, " (");
      wh_text(h, js(e, "email"));
      WH(h, ")");
    }
    WH(h, "</p><div class=\"actions\"><form method=\"post\" class=\"inline-form\" "
          "action=\"/portaal/melding/");
    wh_q(h, js(e, "id"));
    WH(h, "/afgehandeld\">");
    pp_csrf(h, v);
    WH(h, "<button class=\"button secondary\" type=\"submit\">Afgehandeld"
          "<span class=\"visually-hidden\">: melding over ");
    wh_text(h, js(e, "entry_name"));
    WH(h, "</span></button></form>");
    const char *ent = js(e, "entity");
    if (js(e, "entity_id") && ent && !strcmp(ent, "service") &&
        !json_is_string(json_object_get(e, "feed")) && !json_is_true(json_object_get(e, "feed"))) {
      WH(h, " <a href=\"/portaal/bewerk/services/");
      wh_q(h, js(e, "entity_id"));
      WH(h, "\">Naar het aanbod<span class=\"visually-hidden\">: ");
      wh_text(h, js(e, "entry_name"));
      WH(h, "</span></a>");
    }
    WH(h, "</div></li>\n");
  }
  WH(h, "</ul>\n");
}

static void pp_todo(struct wh *h, const struct web_viewer *v, const json_t *t) {
  const json_t *stale = json_object_get(t, "stale"), *corr = json_object_get(t, "corrections"),
               *subs = json_object_get(t, "submissions"), *e;
  size_t i;
  int any = 0;
  WH(h, "<section aria-labelledby=\"s-todo\" class=\"portal-section\">\n"
        "<h2 id=\"s-todo\">Te doen</h2>\n");
  if (json_array_size(stale)) {
    any = 1;
    WH(h, "<h3>Controleer of dit nog klopt</h3>\n<p>Deze onderdelen heeft u al meer dan een half "
          "jaar niet gecontroleerd. Kloppen ze nog? Klik dan op ‘Gegevens kloppen nog’. Klopt er "
          "iets niet? Pas het dan aan.</p>\n<ul class=\"entry-list\">\n");
    json_array_foreach(stale, i, e) {
      WH(h, "<li class=\"entry\"><h4>");
      wh_text(h, js(e, "name"));
      WH(h, "</h4><p>");
      wh_text(h, js(e, "organization_name"));
      WH(h, " · ");
      pp_checked(h, e);
      WH(h, "</p><div class=\"actions\">");
      pp_confirm_form(h, v, e);
      WH(h, " ");
      pp_edit_link(h, e, "Bewerken");
      WH(h, "</div></li>\n");
    }
    WH(h, "</ul>\n");
  }
  if (json_array_size(corr)) {
    any = 1;
    WH(h, "<h3>Meldingen van bezoekers</h3>\n");
    pp_correction_items(h, v, corr);
  }
  size_t waiting = 0;
  json_array_foreach(subs, i, e) if (js(e, "status") && !strcmp(js(e, "status"), "pending"))
      waiting++;
  if (waiting) {
    any = 1;
    WH(h, "<h3>Bij de redactie</h3>\n<p>");
    if (waiting == 1)
      WH(h, "Er wacht 1 wijziging op de redactie.");
    else
      wh_textf(h, "Er wachten %zu wijzigingen op de redactie.", waiting);
    WH(h, "</p>\n<ul>\n");
    json_array_foreach(subs, i, e) if (js(e, "status") && !strcmp(js(e, "status"), "pending")) {
      WH(h, "<li>");
      wh_text(h, js(e, "name") ? js(e, "name") : "(zonder naam)");
      WH(h, ", ingediend op ");
      pp_date(h, js(e, "submitted_at"));
      WH(h, "</li>\n");
    }
    WH(h, "</ul>\n");
  }
  json_array_foreach(subs, i, e) if (js(e, "status") && !strcmp(js(e, "status"), "rejected")) {
    any = 1;
    WH(h, "<p class=\"notice\">Uw wijziging van ‘");
    wh_text(h, js(e, "name"));
    WH(h, "’ is niet overgenomen. Reden: ");
    wh_text(h, js(e, "reason"));
    WH(h, "</p>\n");
  }
  if (!any)
    WH(h, "<p>U hoeft nu niets te doen. Alles is gecontroleerd.</p>\n");
  WH(h, "</section>\n");
}

#define PP_PER_PAGE 25      /* entries per page of the server list */
#define PP_PAGER_NUMBERS 20 /* up to this many pages, each gets a link */

/* A page number from the query (1 when absent or wrong). */
static long pp_page_arg(struct web_ctx *x, const char *name) {
  const char *s = web_arg(x, name);
  char *end = NULL;
  long n = s ? strtol(s, &end, 10) : 1;
  return s && end && !*end && n >= 1 && n <= 1000000 ? n : 1;
}

/* Links to the other pages: base ends in '?' or '&'. */
static void pp_pager(struct wh *h, const char *base, const char *param, long page, long pages,
                     const char *label) {
  if (pages <= 1)
    return;
  WH(h, "<nav class=\"pager\" aria-label=\"");
  wh_text(h, label);
  WH(h, "\"><p>");
  wh_textf(h, "Pagina %ld van %ld", page, pages);
  WH(h, "</p><ul class=\"actions\">");
  for (long p = 1; p <= pages; p++) {
    int edge = p == page - 1 || p == page + 1;
    if (pages > PP_PAGER_NUMBERS && !edge)
      continue;
    WH(h, "<li>");
    if (p == page) {
      WH(h, "<span aria-current=\"page\">");
      wh_textf(h, "%ld", p);
      WH(h, "</span>");
    } else {
      WH(h, "<a href=\"");
      wh_text(h, base);
      wh_text(h, param);
      wh_textf(h, "=%ld", p);
      WH(h, "\"");
      if (p == page - 1)
        WH(h, " rel=\"prev\"");
      if (p == page + 1)
        WH(h, " rel=\"next\"");
      WH(h, ">");
      if (p == page - 1)
        WH(h, "Vorige pagina");
      else if (p == page + 1)
        WH(h, "Volgende pagina");
      else
        wh_textf(h, "Pagina %ld", p);
      WH(h, "</a>");
    }
    WH(h, "</li>");
  }
  WH(h, "</ul></nav>\n");
}

/* "Nieuw aanbod", "Nieuwe activiteit", "Nieuwe locatie" (for org, if given). */
static void pp_new_links(struct wh *h, const char *org) {
  WH(h, "<p class=\"actions\">");
  for (size_t i = 0; i < sizeof pp_kinds / sizeof pp_kinds[0]; i++) {
    WH(h, "<a class=\"button secondary\" href=\"/portaal/nieuw/");
    wh_text(h, pp_kinds[i].soort);
    if (org) {
      WH(h, "?organisatie=");
      wh_q(h, org);
    }
    WH(h, "\">");
    wh_text(h, pp_kinds[i].title_new);
    WH(h, "</a> ");
  }
  WH(h, "</p>\n");
}

/* All entries, PP_PER_PAGE at a time (page from 1); base: this list's
 * address up to the page parameter. */
static void pp_entries(struct wh *h, const struct web_viewer *v, const json_t *list, long page,
                       const char *base, const char *title, const char *org) {
  const json_t *items = json_object_get(list, "items"), *e;
  size_t n = json_array_size(items);
  long pages = n ? (long)((n + PP_PER_PAGE - 1) / PP_PER_PAGE) : 1;
  if (page > pages)
    page = pages;
  WH(h, "<section aria-labelledby=\"s-all\" class=\"portal-section\">\n<h2 id=\"s-all\">");
  wh_text(h, title);
  WH(h, "</h2>\n");
  pp_new_links(h, org);
  if (!n) {
    WH(h, "<p>Er staat nog niets.</p>\n</section>\n");
    return;
  }
  if (pages > 1) {
    WH(h, "<p>");
    wh_textf(h, "%zu onderdelen. U ziet %zu tot en met %zu.", n,
             (size_t)(page - 1) * PP_PER_PAGE + 1,
             (size_t)page * PP_PER_PAGE < n ? (size_t)page * PP_PER_PAGE : n);
    WH(h, "</p>\n");
  }
  WH(h, "<ul class=\"entry-list\">\n");
  for (size_t i = (size_t)(page - 1) * PP_PER_PAGE; i < n && i < (size_t)page * PP_PER_PAGE; i++) {
    e = json_array_get(items, i);
    const char *ent = js(e, "entity");
    int loc = ent && !strcmp(ent, "location");
    int editable = json_is_true(json_object_get(e, "editable"));
    int active = js(e, "status") && !strcmp(js(e, "status"), "active");
    WH(h, "<li class=\"entry\"><h3>");
    wh_text(h, js(e, "name") ? js(e, "name") : "(zonder naam)");
    WH(h, "</h3><p>");
    wh_text(h, loc ? "Locatie" : pp_route_of(e)[0] == 'a' ? "Activiteit" : "Aanbod");
    if (!active)
      WH(h, " (ingetrokken)");
    if (!loc) {
      WH(h, " · ");
      pp_checked(h, e);
    }
    WH(h, "</p>");
    if (!editable) {
      WH(h, "<p class=\"hint\">");
      if (js(e, "feed_partner")) {
        WH(h, "Komt uit de feed van ");
        wh_text(h, js(e, "feed_partner"));
        WH(h, ". Pas het daar aan.");
      } else {
        WH(h, "Komt niet uit het portaal en kan hier niet veranderen.");
      }
      WH(h, "</p>");
    }
    if (json_integer_value(json_object_get(e, "pending")) > 0)
      WH(h, "<p class=\"hint\">Er wacht een wijziging op de redactie.</p>");
    if (!loc && editable && active) {
      WH(h, "<div class=\"actions\">");
      pp_edit_link(h, e, "Bewerken");
      WH(h, " ");
      pp_confirm_form(h, v, e);
      WH(h, "</div>");
    } else if (loc && editable) {
      WH(h, "<div class=\"actions\"><a class=\"button secondary\" "
            "href=\"/portaal/bewerk/locations/");
      wh_q(h, js(e, "id"));
      WH(h, "\">Bewerken<span class=\"visually-hidden\">: ");
      wh_text(h, js(e, "name"));
      WH(h, "</span></a></div>");
    }
    WH(h, "</li>\n");
  }
  WH(h, "</ul>\n");
  pp_pager(h, base, "pagina", page, pages, "Pagina's van de lijst");
  WH(h, "</section>\n");
}

/* ---- the redactie's queue ---------------------------------------------------- */

/* A decision that could not be taken, shown next to its form. */
struct pp_queue_error {
  const char *id;      /* the review item or claim */
  const char *message; /* the core's */
  const char *typed;   /* the reason as typed */
};

static void pp_reason_field(struct wh *h, const char *id, const char *label, const char *hint,
                            const struct pp_queue_error *qe) {
  int bad = qe && qe->id && !strcmp(qe->id, id);
  WH(h, "<div class=\"field\"><label for=\"reden-");
  wh_text(h, id);
  WH(h, "\">");
  wh_text(h, label);
  WH(h, "</label><span class=\"hint\" id=\"uitleg-reden-");
  wh_text(h, id);
  WH(h, "\">");
  wh_text(h, hint);
  WH(h, "</span>");
  if (bad) {
    WH(h, "<p class=\"field-error-box\" id=\"fout-reden-");
    wh_text(h, id);
    WH(h, "\"><span class=\"field-error\">");
    pp_message(h, qe->message);
    WH(h, "</span></p>");
  }
  WH(h, "<textarea rows=\"3\" name=\"reden\" id=\"reden-");
  wh_text(h, id);
  WH(h, "\" aria-describedby=\"");
  if (bad) {
    WH(h, "fout-reden-");
    wh_text(h, id);
    WH(h, " ");
  }
  WH(h, "uitleg-reden-");
  wh_text(h, id);
  WH(h, "\"");
  if (bad)
    WH(h, " aria-invalid=\"true\"");
  WH(h, ">");
  if (bad && qe->typed)
    wh_text(h, qe->typed);
  WH(h, "</textarea></div>");
}

/* A POST button form: action base + id + tail. */
static void pp_button_form(struct wh *h, const struct web_viewer *v, const char *base,
                           const char *id, const char *tail, const char *text, const char *what,
                           int secondary) {
  WH(h, "<form method=\"post\" class=\"inline-form\" action=\"");
  wh_text(h, base);
  wh_q(h, id);
  wh_text(h, tail);
  WH(h, "\">");
  pp_csrf(h, v);
  if (secondary)
    WH(h, "<button class=\"button secondary\" type=\"submit\">");
  else
    WH(h, "<button class=\"button\" type=\"submit\">");
  wh_text(h, text);
  WH(h, "<span class=\"visually-hidden\">: ");
  wh_text(h, what);
  WH(h, "</span></button></form>");
}

static void pp_reviews(struct wh *h, const struct web_viewer *v, const struct sk_taxonomy *tax,
                       const json_t *list, const struct pp_queue_error *qe) {
  const json_t *items = json_object_get(list, "items"), *e, *d;
  size_t i, j;
  WH(h, "<section aria-labelledby=\"s-beoordelen\" class=\"portal-section\">\n"
        "<h2 id=\"s-beoordelen\">Wijzigingen om te beoordelen</h2>\n");
  if (!json_array_size(items)) {
    WH(h, "<p>Er wachten geen wijzigingen.</p>\n</section>\n");
    return;
  }
  json_int_t total = json_integer_value(json_object_get(list, "total"));
  WH(h, "<p>");
  wh_textf(h, "%s %lld %s. De oudste staat bovenaan.", total == 1 ? "Er wacht" : "Er wachten",
           (long long)total, total == 1 ? "wijziging" : "wijzigingen");
  WH(h, "</p>\n");
  WH(h, "<ul class=\"entry-list\">\n");
  json_array_foreach(items, i, e) {
    const char *id = js(e, "id"), *name = js(e, "name") ? js(e, "name") : "(zonder naam)";
    const char *action = js(e, "action");
    if (!id)
      continue;
    WH(h, "<li class=\"entry\"><h3>");
    wh_text(h, name);
    WH(h, "</h3><p>");
    wh_text(h, action && !strcmp(action, "create")     ? "Nieuw"
               : action && !strcmp(action, "withdraw") ? "Intrekken"
                                                       : "Wijziging");
    WH(h, ", ingediend op ");
    pp_date(h, js(e, "submitted_at"));
    WH(h, "</p>");
    if (json_is_true(json_object_get(e, "changed_since")))
      WH(h, "<p class=\"notice\">Het item is veranderd nadat deze wijziging werd ingediend. "
            "Kijk goed of de wijziging nog past.</p>");
    const json_t *diff = json_object_get(e, "diff");
    int create = action && !strcmp(action, "create"); /* nothing was there: no "Was" */
    if (js(e, "organization_name")) {
      WH(h, "<p>Van ");
      wh_text(h, js(e, "organization_name"));
      WH(h, "</p>");
    }
    if (json_array_size(diff)) {
      WH(h,
         "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Wat verandert: ");
      wh_text(h, name);
      WH(h, "\"><table class=\"diff\"><caption class=\"visually-hidden\">Wat verandert</caption>"
            "<thead><tr><th scope=\"col\">Veld</th>");
      if (!create)
        WH(h, "<th scope=\"col\">Was</th>");
      WH(h, "<th scope=\"col\">Wordt</th></tr></thead><tbody>");
      json_array_foreach(diff, j, d) {
        const char *f = js(d, "field"), *nv = js(d, "new");
        WH(h, "<tr><th scope=\"row\">");
        wh_text(h, pp_label(f));
        WH(h, "</th><td>");
        if (!create) {
          WH(h, "<del>");
          pp_value_read(h, tax, f, json_object_get(d, "old"), 0);
          WH(h, "</del></td><td>");
        }
        WH(h, "<ins>");
        if (f && !strcmp(f, "organization") && nv && js(e, "organization") &&
            !strcmp(nv, js(e, "organization")) && js(e, "organization_name"))
          wh_text(h, js(e, "organization_name"));
        else
          pp_value_read(h, tax, f, json_object_get(d, "new"), 0);
        WH(h, "</ins></td></tr>");
      }
      WH(h, "</tbody></table></div>");
    }
    WH(h, "<div class=\"actions\">");
    pp_button_form(h, v, "/portaal/beoordeling/", id, "/goedkeuren", "Goedkeuren", name, 0);
    WH(h, "</div><form method=\"post\" class=\"reject-form\" action=\"/portaal/beoordeling/");
    wh_q(h, id);
    WH(h, "/afwijzen\">");
    pp_csrf(h, v);
    pp_reason_field(h, id, "Reden om af te wijzen", "De partner ziet deze reden.", qe);
    WH(h, "<button class=\"button secondary\" type=\"submit\">Afwijzen"
          "<span class=\"visually-hidden\">: ");
    wh_text(h, name);
    WH(h, "</span></button></form></li>\n");
  }
  WH(h, "</ul>\n");
  json_int_t per = json_integer_value(json_object_get(list, "per_page"));
  if (per > 0)
    pp_pager(h, "/portaal/?", "beoordelingen",
             (long)json_integer_value(json_object_get(list, "page")),
             (long)((total + per - 1) / per), "Pagina's met wijzigingen");
  WH(h, "</section>\n");
}

static void pp_claims(struct wh *h, const struct web_viewer *v, const json_t *list,
                      const struct pp_queue_error *qe) {
  const json_t *items = json_object_get(list, "items"), *e;
  size_t i;
  WH(h, "<section aria-labelledby=\"s-aanvragen\" class=\"portal-section\">\n"
        "<h2 id=\"s-aanvragen\">Aanvragen voor een account</h2>\n");
  if (!json_array_size(items)) {
    WH(h, "<p>Er zijn geen aanvragen.</p>\n</section>\n");
    return;
  }
  WH(h, "<p class=\"hint\">Een organisatie vroeg via ‘Is dit uw organisatie?’ een account aan. "
        "De link ging naar het e-mailadres dat bij ons bekend is. Controleer of de organisatie "
        "echt bestaat en of het adres van de organisatie is.</p>\n<ul class=\"entry-list\">\n");
  json_array_foreach(items, i, e) {
    const json_t *org = json_object_get(e, "organization");
    const char *id = js(e, "id"), *name = js(org, "name") ? js(org, "name") : "Organisatie";
    if (!id)
      continue;
    WH(h, "<li class=\"entry\"><h3>");
    wh_text(h, name);
    WH(h, "</h3><p>Account voor ");
    wh_text(h, js(e, "email"));
    WH(h, ", aangevraagd op ");
    pp_date(h, js(e, "filed"));
    WH(h, "</p><div class=\"actions\">");
    pp_button_form(h, v, "/portaal/account-aanvraag/", id, "/goedkeuren", "Goedkeuren", name, 0);
    WH(h, "</div><form method=\"post\" class=\"reject-form\" action=\"/portaal/account-aanvraag/");
    wh_q(h, id);
    WH(h, "/afwijzen\">");
    pp_csrf(h, v);
    pp_reason_field(h, id, "Reden om af te wijzen", "Alleen voor de redactie.", qe);
    WH(h, "<button class=\"button secondary\" type=\"submit\">Afwijzen"
          "<span class=\"visually-hidden\">: aanvraag van ");
    wh_text(h, name);
    WH(h, "</span></button></form></li>\n");
  }
  WH(h, "</ul>\n</section>\n");
}

/* The verification cycle's open work (sk_portal_verify_tasks): entries to
 * phone about and entries hidden from residents (each with its edit link
 * and "Gegevens kloppen nog"), bounced addresses, feeds. */
static void pp_verify_group(struct wh *h, const struct web_viewer *v, const char *title,
                            const json_t *items, int entries) {
  const json_t *e;
  size_t i;
  WH(h, "<h3>");
  wh_text(h, title);
  wh_textf(h, " (%zu)", json_array_size(items));
  WH(h, "</h3>\n");
  if (!json_array_size(items)) {
    WH(h, "<p>Niets te doen.</p>\n");
    return;
  }
  WH(h, "<ul class=\"entry-list\">\n");
  json_array_foreach(items, i, e) {
    if (i >= PP_VERIFY_ROWS)
      break;
    const json_t *org = json_object_get(e, "organization");
    const char *name = js(e, "name") ? js(e, "name") : js(e, "partner") ? js(e, "partner") : "";
    const char *email = entries ? js(org, "email") : js(e, "email");
    WH(h, "<li class=\"entry\"><h4>");
    wh_text(h, name);
    WH(h, "</h4>");
    if (entries || email) {
      WH(h, "<p>");
      if (entries)
        wh_text(h, js(org, "name"));
      if (email) {
        if (entries)
          WH(h, " – ");
        WH(h, "<a href=\"mailto:");
        wh_text(h, email);
        WH(h, "\">");
        wh_text(h, email);
        WH(h, "</a>");
      }
      WH(h, "</p>");
    }
    WH(h, "<p class=\"hint\">");
    wh_text(h, js(e, "todo"));
    if (js(e, "since")) {
      WH(h, " Sinds ");
      pp_date(h, js(e, "since"));
      WH(h, ".");
    }
    WH(h, "</p>");
    if (js(e, "last_error")) {
      WH(h, "<p>Laatste fout: ");
      wh_text(h, js(e, "last_error"));
      WH(h, "</p>");
    }
    if (entries && js(e, "id")) {
      WH(h, "<div class=\"actions\">");
      pp_edit_link(h, e, "Bewerken");
      WH(h, " ");
      pp_confirm_form(h, v, e);
      WH(h, "</div>");
    }
    WH(h, "</li>\n");
  }
  WH(h, "</ul>\n");
  if (json_array_size(items) > PP_VERIFY_ROWS)
    WH(h, "<p class=\"hint\">De eerste " PP_STR(PP_VERIFY_ROWS) " staan hier.</p>\n");
}

static void pp_verify(struct wh *h, const struct web_viewer *v, const json_t *d) {
  WH(h, "<section aria-labelledby=\"s-controle\" class=\"portal-section\">\n"
        "<h2 id=\"s-controle\">Controle: wie moet u bellen?</h2>\n<p class=\"hint\">Organisaties "
        "en feeds die hun gegevens niet op tijd bevestigden. Bel of mail ze. Bevestig daarna voor "
        "hen met ‘Gegevens kloppen nog’, of pas de gegevens aan.</p>\n");
  pp_verify_group(h, v, "Bellen", json_object_get(d, "tasks"), 1);
  pp_verify_group(h, v, "Verborgen voor inwoners", json_object_get(d, "hidden"), 1);
  pp_verify_group(h, v, "E-mailadres werkt niet", json_object_get(d, "bounced"), 0);
  pp_verify_group(h, v, "Feeds", json_object_get(d, "feeds"), 0);
  WH(h, "</section>\n");
}

/* The organisation picker: a GET form by name, the matches as links. */
static void pp_org_picker(struct wh *h, const char *q, const json_t *found) {
  const json_t *items = json_object_get(found, "items"), *o;
  size_t i;
  WH(h, "<section aria-labelledby=\"s-organisatie\" class=\"portal-section\">\n"
        "<h2 id=\"s-organisatie\">Aanbod van een organisatie</h2>\n"
        "<form method=\"get\" action=\"/portaal/\" class=\"inline-form\" role=\"search\">"
        "<div class=\"field\"><label for=\"zoek-organisatie\">Naam van de organisatie</label>"
        "<input type=\"text\" id=\"zoek-organisatie\" name=\"zoek\" value=\"");
  wh_text(h, q ? q : "");
  WH(h, "\"></div> <button class=\"button\" type=\"submit\">Zoeken</button></form>\n");
  if (q && !json_array_size(items))
    WH(h, "<p role=\"status\">Geen organisatie gevonden. Probeer een deel van de naam.</p>\n");
  if (json_array_size(items)) {
    WH(h, "<ul>\n");
    json_array_foreach(items, i, o) {
      WH(h, "<li><a href=\"/portaal/?organisatie=");
      wh_q(h, js(o, "id"));
      WH(h, "\">");
      wh_text(h, js(o, "name"));
      WH(h, "</a></li>\n");
    }
    WH(h, "</ul>\n");
  }
  WH(h, "</section>\n");
}

/* The JavaScript portal's containers: the one copy of that markup (the
 * static index.html is gone; portal.js fills these on this page). */
static void pp_js_shell(struct wh *h) {
  WH(h,
     "<div data-needs-js hidden>\n<div class=\"portal-bar\" id=\"who\"></div>\n"
     "<h1>Mijn aanbod</h1>\n<div id=\"page-status\" role=\"status\"></div>\n"
     "<div id=\"org-choice\"></div>\n"
     "<section aria-labelledby=\"todo-title\" class=\"portal-section\">\n"
     "<h2 id=\"todo-title\">Te doen</h2>\n<div id=\"todo\" aria-busy=\"true\"><p>Even laden…"
     "</p></div>\n</section>\n"
     "<section aria-labelledby=\"entries-title\" class=\"portal-section\">\n"
     "<h2 id=\"entries-title\">Alles van uw organisatie</h2>\n<p id=\"new-links\"></p>\n"
     "<div id=\"entries\" aria-busy=\"true\"><p>Even laden…</p></div>\n</section>\n"
     "<section aria-labelledby=\"reviews-title\" class=\"portal-section\" "
     "id=\"reviews-section\" hidden>\n<h2 id=\"reviews-title\">Wijzigingen om te beoordelen"
     "</h2>\n<div id=\"reviews\"></div>\n</section>\n"
     "<section aria-labelledby=\"verify-title\" class=\"portal-section\" id=\"verify-section\" "
     "hidden>\n<h2 id=\"verify-title\">Controle: wie moet u bellen?</h2>\n<p class=\"hint\">"
     "Organisaties en feeds die hun gegevens niet op tijd bevestigden. Bel of mail ze. Bevestig "
     "daarna voor hen met ‘Gegevens kloppen nog’, of pas de gegevens aan.</p>\n"
     "<div id=\"verify-tasks\"></div>\n</section>\n"
     "<section aria-labelledby=\"claims-title\" class=\"portal-section\" id=\"claims-section\" "
     "hidden>\n<h2 id=\"claims-title\">Aanvragen voor een account</h2>\n<p class=\"hint\">Een "
     "organisatie vroeg via ‘Is dit uw organisatie?’ een account aan. De link ging naar het "
     "e-mailadres dat bij ons bekend is. Controleer of de organisatie echt bestaat en of het adres "
     "van de organisatie is.</p>\n<div id=\"claims\"></div>\n</section>\n"
     "<section aria-labelledby=\"auto-title\" class=\"portal-section\" id=\"auto-section\" "
     "hidden>\n<h2 id=\"auto-title\">Automatisch ingedeeld</h2>\n<p class=\"hint\">Deze "
     "diensten kwamen uit een feed zonder onze indeling. De hulpvragen zijn voorgesteld; "
     "toegang en kosten zijn soms nog onbekend. Controleer ze en bevestig de indeling.</p>\n"
     "<div id=\"auto-classified\"></div>\n</section>\n"
     "<section aria-labelledby=\"corr-title\" class=\"portal-section\" "
     "id=\"corrections-section\" hidden>\n<h2 id=\"corr-title\">Meldingen ‘Klopt er iets "
     "niet?’</h2>\n<div id=\"corrections\"></div>\n</section>\n"
     "<section aria-labelledby=\"outbox-title\" class=\"portal-section\" "
     "id=\"outbox-section\" hidden>\n<h2 id=\"outbox-title\">Herinneringen (uitgaande "
     "berichten)</h2>\n<div id=\"outbox\"></div>\n</section>\n</div>\n");
}

/* The task list (a partner) or the queue (the redactie); status and qe
 * when a decision in the queue was refused (its error next to its form). */
static int pp_home_page(struct web_ctx *x, int status, const struct pp_queue_error *qe) {
  struct web_viewer v;
  struct sk_actor a;
  if (pp_who(x, 0, &v, &a) != SK_OK)
    return SK_EINVAL;
  if (a.role == SK_ROLE_PROFESSIONAL) { /* each role lands where it works */
    web_viewer_free(&v);
    return pp_redirect(x, "/professionals");
  }
  struct sk_portal_result todo, list, reviews, corr, claims, orgs, verify;
  memset(&todo, 0, sizeof todo);
  memset(&list, 0, sizeof list);
  memset(&reviews, 0, sizeof reviews);
  memset(&corr, 0, sizeof corr);
  memset(&claims, 0, sizeof claims);
  memset(&orgs, 0, sizeof orgs);
  memset(&verify, 0, sizeof verify);
  int partner = sk_role_edits_own(a.role);
  const char *org = partner ? NULL : web_arg(x, "organisatie");
  const char *q = partner ? NULL : web_arg(x, "zoek");
  if (org && (!*org || strlen(org) >= SK_UUID_LEN))
    org = NULL;
  struct sk_portal_page pg = {pp_page_arg(x, "beoordelingen"), SK_PORTAL_PER_PAGE_DEFAULT};
  pthread_mutex_lock(&x->srv->portal_mu);
  x->srv->portal->now = 0;
  if (partner) {
    sk_portal_todo(x->srv->portal, &a, &todo);
    sk_portal_list(x->srv->portal, &a, NULL, &list);
  } else {
    sk_portal_review_list(x->srv->portal, &a, &pg, &reviews);
    sk_portal_corrections(x->srv->portal, &a, NULL, NULL, &corr);
    sk_portal_claims(x->srv->portal, &a, &claims);
    sk_portal_verify_tasks(x->srv->portal, &a, &verify);
    if (q)
      sk_portal_organizations(x->srv->portal, &a, q, &orgs);
    if (org)
      sk_portal_list(x->srv->portal, &a, org, &list);
  }
  pthread_mutex_unlock(&x->srv->portal_mu);
  struct wh h;
  wh_init(&h);
  pp_head(&h, status >= 400 ? "Fout: mijn aanbod" : "Mijn aanbod", 1);
  WH(&h, "<div data-server-list>\n<div class=\"portal-bar\"><p>Ingelogd als ");
  wh_text(&h, v.acct->name[0] ? v.acct->name : v.acct->email);
  WH(&h, "</p><form method=\"post\" action=\"/api/v1/auth/logout\" class=\"inline-form\">");
  pp_csrf(&h, &v);
  WH(&h, "<button class=\"button secondary\" type=\"submit\">Uitloggen</button></form></div>\n"
         "<h1>Mijn aanbod</h1>\n");
  const char *done = pp_done_text(web_arg(x, "gedaan"));
  if (done) {
    WH(&h, "<div class=\"notice\" role=\"status\"><p>");
    wh_text(&h, done);
    WH(&h, "</p></div>\n");
  }
  if (qe && qe->id) {
    WH(&h, "<div class=\"notice error\" role=\"alert\"><p>Dit is niet gelukt. <a href=\"#reden-");
    wh_text(&h, qe->id);
    WH(&h, "\">");
    pp_message(&h, qe->message);
    WH(&h, "</a></p></div>\n");
  }
  if (!partner) {
    if (reviews.rc == SK_OK)
      pp_reviews(&h, &v, x->srv->tax, reviews.body, qe);
    WH(&h, "<section aria-labelledby=\"s-meldingen\" class=\"portal-section\">\n"
           "<h2 id=\"s-meldingen\">Meldingen ‘Klopt er iets niet?’</h2>\n");
    if (corr.rc == SK_OK && json_array_size(json_object_get(corr.body, "items")))
      pp_correction_items(&h, &v, json_object_get(corr.body, "items"));
    else
      WH(&h, "<p>Er zijn geen open meldingen.</p>\n");
    WH(&h, "</section>\n");
    if (claims.rc == SK_OK)
      pp_claims(&h, &v, claims.body, qe);
    if (verify.rc == SK_OK)
      pp_verify(&h, &v, verify.body);
    pp_org_picker(&h, q, orgs.rc == SK_OK ? orgs.body : NULL);
    if (org && list.rc == SK_OK) {
      struct wh base;
      wh_init(&base);
      WH(&base, "/portaal/?organisatie=");
      wh_q(&base, org);
      WH(&base, "&");
      size_t bl = 0;
      char *b = wh_take(&base, &bl);
      const json_t *first = json_array_get(json_object_get(list.body, "items"), 0);
      pp_entries(&h, &v, list.body, pp_page_arg(x, "pagina"), b ? b : "/portaal/?",
                 js(first, "organization_name") ? js(first, "organization_name")
                                                : "Alles van deze organisatie",
                 org);
      free(b);
    } else if (org) {
      WH(&h, "<div class=\"notice error\" role=\"alert\"><p>");
      wh_text(&h, list.message[0] ? list.message : "Deze organisatie kon niet worden geladen.");
      WH(&h, "</p></div>\n");
    }
  } else if (todo.rc != SK_OK) {
    WH(&h, "<div class=\"notice error\" role=\"alert\"><p>");
    wh_text(&h, todo.message[0] ? todo.message : "De takenlijst kon niet worden geladen.");
    WH(&h, "</p></div>\n");
  } else {
    pp_todo(&h, &v, todo.body);
    if (list.rc == SK_OK)
      pp_entries(&h, &v, list.body, pp_page_arg(x, "pagina"), "/portaal/?",
                 "Alles van uw organisatie", NULL);
  }
  WH(&h, "</div>\n");
  pp_js_shell(&h);
  pp_foot(&h);
  web_viewer_free(&v);
  sk_portal_result_free(&todo);
  sk_portal_result_free(&list);
  sk_portal_result_free(&reviews);
  sk_portal_result_free(&corr);
  sk_portal_result_free(&claims);
  sk_portal_result_free(&orgs);
  sk_portal_result_free(&verify);
  return pp_done(x, &h, status);
}

static int pp_home(struct web_ctx *x) { return pp_home_page(x, 200, NULL); }

/* ---- POST /portaal/bevestigen, /portaal/melding/{id}/afgehandeld ------------ */

static int pp_fail(struct web_ctx *x, const struct sk_portal_result *r) {
  if (r->rc == SK_EBUSY)
    return web_busy(x, r->message[0] ? r->message : "Het is nu even druk. Probeer het zo opnieuw.");
  int st = r->http >= 400 ? r->http : 500;
  return pp_message_page(x, st,
                         st == 403   ? "Geen toegang"
                         : st == 404 ? "Niet gevonden"
                                     : "Dit is niet gelukt",
                         r->message[0] ? r->message : "Er ging iets mis. Probeer het opnieuw.");
}

static int pp_confirm(struct web_ctx *x) {
  struct web_viewer v;
  struct sk_actor a;
  if (pp_who(x, 1, &v, &a) != SK_OK)
    return SK_EINVAL;
  web_viewer_free(&v);
  char soort[16] = "", id[80] = "";
  const char *body = x->req->body ? x->req->body : "";
  web_form_value(body, "soort", soort, sizeof soort);
  web_form_value(body, "id", id, sizeof id);
  if (!id[0] || (strcmp(soort, "services") && strcmp(soort, "activities")))
    return pp_message_page(x, 400, "Dit is niet gelukt", "Het formulier is niet compleet.");
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  pthread_mutex_lock(&x->srv->portal_mu);
  x->srv->portal->now = 0;
  sk_portal_confirm(x->srv->portal, &a,
                    strcmp(soort, "activities") ? SK_PORTAL_SERVICE : SK_PORTAL_ACTIVITY, id, NULL,
                    &r);
  pthread_mutex_unlock(&x->srv->portal_mu);
  int rc;
  if (r.rc == SK_OK && r.http == 200) {
    web_server_data_changed(x->srv);
    rc = pp_redirect(x, "/portaal/?gedaan=bevestigd");
  } else {
    rc = pp_fail(x, &r);
  }
  sk_portal_result_free(&r);
  return rc;
}

static int pp_close(struct web_ctx *x, const char *id) {
  struct web_viewer v;
  struct sk_actor a;
  if (pp_who(x, 1, &v, &a) != SK_OK)
    return SK_EINVAL;
  web_viewer_free(&v);
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  pthread_mutex_lock(&x->srv->portal_mu);
  x->srv->portal->now = 0;
  sk_portal_correction_close(x->srv->portal, &a, id, &r);
  pthread_mutex_unlock(&x->srv->portal_mu);
  int rc = r.rc == SK_OK && r.http == 200 ? pp_redirect(x, "/portaal/?gedaan=afgehandeld")
                                          : pp_fail(x, &r);
  sk_portal_result_free(&r);
  return rc;
}

/* ---- the redactie's decisions --------------------------------------------------- */

#define PP_REASON_MAX 4000

/* POST /portaal/beoordeling/{id}/goedkeuren|afwijzen (claim 0) and
 * /portaal/account-aanvraag/{id}/goedkeuren|afwijzen (claim 1). A refused
 * reason comes back as the queue with the error next to that form. */
static int pp_decide(struct web_ctx *x, const char *id, int claim, int approve) {
  struct web_viewer v;
  struct sk_actor a;
  if (pp_who(x, 1, &v, &a) != SK_OK)
    return SK_EINVAL;
  web_viewer_free(&v);
  if (claim && approve && !x->srv->public_url)
    return web_unavailable(x, "Zonder eigen adres (SK_PUBLIC_URL) kan de server geen link sturen.");
  char *reason = malloc(PP_REASON_MAX);
  if (!reason)
    return web_problem(x, 500, "Interne fout", NULL, "Er ging iets mis.");
  if (approve || !web_form_value(x->req->body ? x->req->body : "", "reden", reason, PP_REASON_MAX))
    reason[0] = '\0';
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  if (claim && !approve && !reason[strspn(reason, " \t\r\n")] && sk_role_reviews(a.role)) {
    /* as portal.js asks: a rejected claim says why (for the redactie's own record) */
    struct pp_queue_error qe = {id, "Schrijf op waarom u de aanvraag afwijst.", reason};
    int rc = pp_home_page(x, 422, &qe);
    free(reason);
    return rc;
  }
  pthread_mutex_lock(&x->srv->portal_mu);
  x->srv->portal->now = 0;
  if (claim)
    sk_portal_claim_decide(x->srv->portal, &a, id, approve, reason[0] ? reason : NULL,
                           x->srv->public_url, &r);
  else if (approve)
    sk_portal_review_approve(x->srv->portal, &a, id, &r);
  else
    sk_portal_review_reject(x->srv->portal, &a, id, reason, &r);
  pthread_mutex_unlock(&x->srv->portal_mu);
  int rc;
  if (r.rc == SK_OK && r.http == 200) {
    if (!claim && approve)
      web_server_data_changed(x->srv);
    rc = pp_redirect(x, claim     ? approve ? "/portaal/?gedaan=aanvraag-goedgekeurd"
                                            : "/portaal/?gedaan=aanvraag-afgewezen"
                        : approve ? "/portaal/?gedaan=goedgekeurd"
                                  : "/portaal/?gedaan=afgewezen");
  } else if (r.http == 422 && !approve && sk_role_reviews(a.role)) {
    struct pp_queue_error qe = {id, r.message, reason};
    rc = pp_home_page(x, 422, &qe);
  } else {
    rc = pp_fail(x, &r);
  }
  free(reason);
  sk_portal_result_free(&r);
  return rc;
}

/* ---- the entry forms: edit and new ------------------------------------------- */

/* The field key of an error ("phones.description", "hours[1]" count for
 * "phones", "hours"). */
static size_t pp_key_len(const char *f) { return strcspn(f, ".["); }

/* The errors of one field. */
static int pp_errors_of(const json_t *errors, const char *key, struct wh *h, int write) {
  size_t i, kl = strlen(key);
  const json_t *e;
  int n = 0;
  json_array_foreach(errors, i, e) {
    const char *f = js(e, "field");
    if (!f || pp_key_len(f) != kl || strncmp(f, key, kl))
      continue;
    if (write) {
      WH(h, "<span class=\"field-error\">");
      pp_message(h, js(e, "message"));
      WH(h, "</span> ");
    }
    n++;
  }
  return n;
}

/* 1 when the form of kind k shows field f (so an error can link to it). */
static int pp_known_field(const struct pp_kind *k, int create, const char *f) {
  static const char *const lists[] = {"phones", "hours"};
  static const char *const choices[] = {"organization", "needs", "areas", "access", "cost"};
  for (size_t i = 0; i < k->nfields; i++)
    if (!strcmp(f, k->fields[i].key))
      return 1;
  if ((!strcmp(f, lists[0]) && k->phones) || (!strcmp(f, lists[1]) && k->hours))
    return 1;
  for (size_t i = 0; create && i < sizeof choices / sizeof choices[0]; i++)
    if (!strcmp(f, choices[i]) && (i == 0 || k->choices) && (i < 3 || k->access_cost))
      return 1;
  return 0;
}

static void pp_field_error(struct wh *h, const json_t *errors, const char *key) {
  if (!pp_errors_of(errors, key, h, 0))
    return;
  WH(h, "<p class=\"field-error-box\" id=\"fout-");
  wh_text(h, key);
  WH(h, "\">");
  pp_errors_of(errors, key, h, 1);
  WH(h, "</p>");
}

static void pp_input_attrs(struct wh *h, const json_t *errors, const char *key, const char *hint) {
  int bad = pp_errors_of(errors, key, h, 0) > 0;
  if (bad || hint) {
    WH(h, " aria-describedby=\"");
    if (bad) {
      WH(h, "fout-");
      wh_text(h, key);
    }
    if (hint) {
      if (bad)
        WH(h, " ");
      WH(h, "uitleg-");
      wh_text(h, key);
    }
    WH(h, "\"");
  }
  if (bad)
    WH(h, " aria-invalid=\"true\"");
}

static void pp_value_text(struct wh *h, const json_t *v) {
  if (json_is_string(v))
    wh_text(h, json_string_value(v));
  else if (json_is_integer(v))
    wh_textf(h, "%lld", (long long)json_integer_value(v));
}

/* 1 when list (codes, or objects with a "code", or one code) holds code. */
static int pp_has_code(const json_t *list, const char *code) {
  size_t i;
  const json_t *e;
  if (json_is_string(list))
    return !strcmp(json_string_value(list), code);
  json_array_foreach(list, i, e) {
    const char *c = json_is_string(e) ? json_string_value(e) : js(e, "code");
    if (c && !strcmp(c, code))
      return 1;
  }
  return 0;
}

static void pp_fieldset_open(struct wh *h, const json_t *errors, const char *key,
                             const char *legend, const char *hint) {
  WH(h, "<fieldset class=\"field\" id=\"veld-");
  wh_text(h, key);
  WH(h, "\"><legend>");
  wh_text(h, legend);
  WH(h, "</legend>");
  if (hint) {
    WH(h, "<span class=\"hint\">");
    wh_text(h, hint);
    WH(h, "</span>");
  }
  pp_field_error(h, errors, key);
}

/* One checkbox (name prefix + code) or radio button (name, value code). */
static void pp_choice(struct wh *h, int radio, const char *name, const struct sk_term *t, int on) {
  WH(h, "<label class=\"check\"><input type=\"");
  if (radio)
    WH(h, "radio");
  else
    WH(h, "checkbox");
  WH(h, "\" name=\"");
  wh_text(h, name);
  if (!radio)
    wh_text(h, t->code);
  WH(h, "\" value=\"");
  wh_text(h, radio ? t->code : "1");
  WH(h, "\"");
  if (on)
    WH(h, " checked");
  WH(h, "> ");
  wh_text(h, t->label);
  WH(h, "</label>");
}

/* The needs under parent (NULL: the top level), as nested lists. */
static void pp_need_tree(struct wh *h, const struct sk_taxonomy *tax, const char *parent,
                         const json_t *chosen, int depth) {
  int open = 0;
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_NEED ||
        (parent ? !t->parent_code || strcmp(t->parent_code, parent) : t->parent_code != NULL))
      continue;
    if (!open) {
      if (parent)
        WH(h, "<ul>");
      else
        WH(h, "<ul class=\"choice-list\">");
      open = 1;
    }
    WH(h, "<li>");
    pp_choice(h, 0, "need_", t, pp_has_code(chosen, t->code));
    if (depth < 3)
      pp_need_tree(h, tax, t->code, chosen, depth + 1);
    WH(h, "</li>");
  }
  if (open)
    WH(h, "</ul>");
}

static void pp_radios(struct wh *h, const struct sk_taxonomy *tax, enum sk_vocab vocab,
                      const char *name, const json_t *chosen) {
  WH(h, "<ul class=\"choice-list\">");
  for (size_t i = 0; i < tax->n_terms; i++)
    if (tax->terms[i].vocab == vocab) {
      WH(h, "<li>");
      pp_choice(h, 1, name, &tax->terms[i], pp_has_code(chosen, tax->terms[i].code));
      WH(h, "</li>");
    }
  WH(h, "</ul>");
}

/* A new entry's organisation: one of orgs (sk_portal_organizations). */
static void pp_org_choice(struct wh *h, const json_t *doc, const json_t *errors,
                          const json_t *orgs) {
  const json_t *items = json_object_get(orgs, "items"), *o;
  const char *org = js(doc, "organization");
  size_t i;
  WH(h, "<div class=\"field\"><label for=\"veld-organization\">Organisatie</label>");
  pp_field_error(h, errors, "organization");
  WH(h, "<select id=\"veld-organization\" name=\"organization\"");
  pp_input_attrs(h, errors, "organization", NULL);
  WH(h, ">");
  json_array_foreach(items, i, o) {
    WH(h, "<option value=\"");
    wh_text(h, js(o, "id"));
    WH(h, "\"");
    if (org && js(o, "id") && !strcmp(org, js(o, "id")))
      WH(h, " selected");
    WH(h, ">");
    wh_text(h, js(o, "name"));
    WH(h, "</option>");
  }
  WH(h, "</select></div>\n");
}

/* For a new offering or activity: its classification (in an edit these
 * are kept as they are). */
static void pp_choices(struct wh *h, const struct sk_taxonomy *tax, const struct pp_kind *k,
                       const json_t *doc, const json_t *errors) {
  size_t i;
  if (!k->choices || !tax)
    return;
  pp_fieldset_open(h, errors, "needs", "Onderwerpen",
                   "Kies minstens één onderwerp: waar helpt het mensen bij?");
  pp_need_tree(h, tax, NULL, json_object_get(doc, "needs"), 0);
  WH(h, "</fieldset>\n");
  pp_fieldset_open(h, errors, "areas", "Gemeenten",
                   "Voor inwoners van welke gemeenten is het? Kies er minstens één.");
  WH(h, "<ul class=\"choice-list\">");
  for (i = 0; i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_MUNICIPALITY && t->vocab != SK_VOCAB_SCOPE)
      continue;
    WH(h, "<li>");
    pp_choice(h, 0, "area_", t, pp_has_code(json_object_get(doc, "areas"), t->code));
    WH(h, "</li>");
  }
  WH(h, "</ul></fieldset>\n");
  if (!k->access_cost)
    return;
  pp_fieldset_open(h, errors, "access", "Toegang", "Hoe krijgt iemand dit?");
  pp_radios(h, tax, SK_VOCAB_ACCESS, "access", json_object_get(doc, "access"));
  WH(h, "</fieldset>\n");
  pp_fieldset_open(h, errors, "cost", "Kosten", "Wat kost het?");
  pp_radios(h, tax, SK_VOCAB_COST, "cost", json_object_get(doc, "cost"));
  WH(h, "</fieldset>\n");
}

/* The form for entry id of kind k (id NULL: a new entry, with orgs to
 * choose from). doc: the values to show; errors: the core's, if any. */
static void pp_form(struct wh *h, const struct web_viewer *v, const struct sk_taxonomy *tax,
                    const struct pp_kind *k, const char *id, const char *etag, const json_t *doc,
                    const json_t *errors, const json_t *orgs) {
  int act = k->ent == SK_PORTAL_ACTIVITY;
  size_t i;
  const json_t *e;
  if (json_array_size(errors)) {
    WH(h, "<div class=\"notice error\" role=\"alert\" aria-labelledby=\"fout-titel\">"
          "<h2 id=\"fout-titel\">Er klopt iets niet</h2><p>");
    wh_text(h, id ? "Uw wijziging is niet opgeslagen." : "Het is nog niet toegevoegd.");
    WH(h, " Verbeter dit:</p><ul>");
    json_array_foreach(errors, i, e) {
      const char *f = js(e, "field");
      char key[32] = "";
      if (f)
        snprintf(key, sizeof key, "%.*s", (int)pp_key_len(f), f);
      WH(h, "<li>");
      if (pp_known_field(k, !id, key)) {
        WH(h, "<a href=\"#veld-");
        wh_text(h, key);
        WH(h, "\">");
        pp_message(h, js(e, "message"));
        WH(h, "</a>");
      } else {
        pp_message(h, js(e, "message"));
      }
      WH(h, "</li>");
    }
    WH(h, "</ul></div>\n");
  }
  WH(h, "<form method=\"post\" class=\"edit-form\" novalidate action=\"/portaal/");
  wh_text(h, id ? "bewerk/" : "nieuw/");
  wh_text(h, k->soort);
  if (id) {
    WH(h, "/");
    wh_q(h, id);
  }
  WH(h, "\">");
  pp_csrf(h, v);
  if (id) {
    WH(h, "<input type=\"hidden\" name=\"etag\" value=\"");
    wh_text(h, etag);
    WH(h, "\">");
  }
  WH(h, "\n");
  if (!id) /* a new entry: whose it is first; its classification after the texts */
    pp_org_choice(h, doc, errors, orgs);
  for (size_t f = 0; f < k->nfields; f++) {
    const struct pp_field *pf = &k->fields[f];
    if (pf->service_only && act)
      continue;
    const json_t *val = json_object_get(doc, pf->key);
    WH(h, "<div class=\"field\"><label for=\"veld-");
    wh_text(h, pf->key);
    WH(h, "\">");
    wh_text(h, pf->label);
    WH(h, "</label>");
    if (pf->hint) {
      WH(h, "<span class=\"hint\" id=\"uitleg-");
      wh_text(h, pf->key);
      WH(h, "\">");
      wh_text(h, pf->hint);
      WH(h, "</span>");
    }
    pp_field_error(h, errors, pf->key);
    if (pf->area) {
      WH(h, "<textarea rows=\"5\" id=\"veld-");
      wh_text(h, pf->key);
      WH(h, "\" name=\"");
      wh_text(h, pf->key);
      WH(h, "\"");
      pp_input_attrs(h, errors, pf->key, pf->hint);
      WH(h, ">");
      pp_value_text(h, val);
      WH(h, "</textarea>");
    } else {
      WH(h, "<input type=\"text\" id=\"veld-");
      wh_text(h, pf->key);
      WH(h, "\" name=\"");
      wh_text(h, pf->key);
      WH(h, "\"");
      if (pf->number)
        WH(h, " inputmode=\"numeric\" size=\"4\"");
      else if (!strcmp(pf->key, "email"))
        WH(h, " inputmode=\"email\" autocomplete=\"off\"");
      else if (!strcmp(pf->key, "url"))
        WH(h, " inputmode=\"url\"");
      pp_input_attrs(h, errors, pf->key, pf->hint);
      WH(h, " value=\"");
      pp_value_text(h, val);
      WH(h, "\">");
    }
    WH(h, "</div>\n");
  }
  if (!id)
    pp_choices(h, tax, k, doc, errors);
  if (k->phones) { /* the rows there are, and one empty row */
    const json_t *phones = json_object_get(doc, "phones");
    size_t np = json_array_size(phones) + 1;
    if (np > PP_PHONE_ROWS)
      np = PP_PHONE_ROWS;
    pp_fieldset_open(h, errors, "phones", "Telefoonnummers",
                     "Laat een nummer leeg om het weg te halen.");
    for (i = 0; i < np; i++) {
      const json_t *ph = json_array_get(phones, i);
      WH(h, "<div class=\"row\"><label>");
      wh_textf(h, "Nummer %zu", i + 1);
      WH(h, " <input type=\"text\" inputmode=\"tel\" name=\"");
      wh_textf(h, "phone%zu_number", i);
      WH(h, "\" value=\"");
      pp_value_text(h, json_object_get(ph, "number"));
      WH(h, "\"></label> <label>Uitleg <input type=\"text\" name=\"");
      wh_textf(h, "phone%zu_description", i);
      WH(h, "\" value=\"");
      pp_value_text(h, json_object_get(ph, "description"));
      WH(h, "\"></label> <label><input type=\"checkbox\" value=\"1\" name=\"");
      wh_textf(h, "phone%zu_restricted", i);
      WH(h, "\"");
      if (json_is_true(json_object_get(ph, "restricted")))
        WH(h, " checked");
      WH(h, "> Alleen voor professionals</label></div>");
    }
    WH(h, "</fieldset>\n");
  }
  if (k->hours) { /* the rows there are, and two empty rows */
    const json_t *hours = json_object_get(doc, "hours");
    size_t nh = json_array_size(hours) + 2;
    if (nh > PP_HOUR_ROWS)
      nh = PP_HOUR_ROWS;
    pp_fieldset_open(h, errors, "hours", "Openingstijden",
                     "Schrijf de tijden als 09:00. Kies ‘geen’ bij de dag om een tijd weg te "
                     "halen.");
    for (i = 0; i < nh; i++) {
      const json_t *hr = json_array_get(hours, i);
      json_int_t wd = json_integer_value(json_object_get(hr, "weekday"));
      WH(h, "<div class=\"row\"><label>Dag <select name=\"");
      wh_textf(h, "hour%zu_weekday", i);
      WH(h, "\"><option value=\"\">geen</option>");
      for (int d = 1; d <= 7; d++) {
        WH(h, "<option value=\"");
        wh_textf(h, "%d", d);
        WH(h, "\"");
        if (wd == d)
          WH(h, " selected");
        WH(h, ">");
        wh_text(h, pp_day[d]);
        WH(h, "</option>");
      }
      WH(h, "</select></label> <label>Van <input type=\"text\" size=\"5\" inputmode=\"numeric\" "
            "name=\"");
      wh_textf(h, "hour%zu_opens", i);
      WH(h, "\" value=\"");
      pp_value_text(h, json_object_get(hr, "opens"));
      WH(h, "\"></label> <label>Tot <input type=\"text\" size=\"5\" inputmode=\"numeric\" "
            "name=\"");
      wh_textf(h, "hour%zu_closes", i);
      WH(h, "\" value=\"");
      pp_value_text(h, json_object_get(hr, "closes"));
      WH(h, "\"></label> <label>Opmerking <input type=\"text\" name=\"");
      wh_textf(h, "hour%zu_note", i);
      WH(h, "\" value=\"");
      pp_value_text(h, json_object_get(hr, "note"));
      WH(h, "\"></label></div>");
    }
    WH(h, "</fieldset>\n");
  }
  if (id && k->choices)
    WH(h, "<p class=\"hint\">Onderwerpen, doelgroepen, gemeenten en locaties past u aan in het "
          "portaal met JavaScript aan; hier blijven ze zoals ze zijn.</p>\n");
  WH(h, "<p class=\"actions\"><button class=\"button\" type=\"submit\">");
  wh_text(h, id ? "Opslaan" : "Toevoegen");
  WH(h, "</button> <a href=\"/portaal/\">Annuleren</a></p>\n</form>\n");
}

/* The form's values as a document. An edit is a merge patch over the
 * fields the form shows: an empty text clears the field; phones and hours
 * replace the lists. A new entry (create) leaves empty fields out and adds
 * the organisation and the chosen codes. Values go to the core as typed (a
 * wrong age stays text), so its validation speaks. */
static json_t *pp_patch(const char *body, const struct pp_kind *k, int create,
                        const struct sk_taxonomy *tax) {
  json_t *d = json_object();
  char *v = malloc(PP_VALUE_MAX);
  if (!d || !v) {
    json_decref(d);
    free(v);
    return NULL;
  }
  for (size_t f = 0; f < k->nfields; f++) {
    const struct pp_field *pf = &k->fields[f];
    if (pf->service_only && k->ent == SK_PORTAL_ACTIVITY)
      continue;
    if (!web_form_value(body, pf->key, v, PP_VALUE_MAX) || !v[0]) {
      if (!create)
        json_object_set_new(d, pf->key, json_null());
      continue;
    }
    char *end = NULL;
    long n = pf->number ? strtol(v, &end, 10) : 0;
    if (pf->number && end && !*end && end != v)
      json_object_set_new(d, pf->key, json_integer(n));
    else
      json_object_set_new(d, pf->key, json_string(v));
  }
  char key[96], desc[600];
  if (k->phones) {
    json_t *phones = json_array();
    for (int i = 0; i < PP_PHONE_ROWS; i++) {
      snprintf(key, sizeof key, "phone%d_number", i);
      if (!web_form_value(body, key, v, PP_VALUE_MAX) || !v[0])
        continue;
      snprintf(key, sizeof key, "phone%d_description", i);
      int has_desc = web_form_value(body, key, desc, sizeof desc) && desc[0];
      snprintf(key, sizeof key, "phone%d_restricted", i);
      char r[4] = "";
      web_form_value(body, key, r, sizeof r);
      json_array_append_new(phones, json_pack("{s:s, s:o, s:b}", "number", v, "description",
                                              has_desc ? json_string(desc) : json_null(),
                                              "restricted", r[0] == '1'));
    }
    json_object_set_new(d, "phones", phones);
  }
  if (k->hours) {
    json_t *hours = json_array();
    char o[40], c[40], note[600];
    for (int i = 0; i < PP_HOUR_ROWS; i++) {
      snprintf(key, sizeof key, "hour%d_weekday", i);
      if (!web_form_value(body, key, v, 8) || !v[0])
        continue;
      snprintf(key, sizeof key, "hour%d_opens", i);
      if (!web_form_value(body, key, o, sizeof o))
        o[0] = '\0';
      snprintf(key, sizeof key, "hour%d_closes", i);
      if (!web_form_value(body, key, c, sizeof c))
        c[0] = '\0';
      snprintf(key, sizeof key, "hour%d_note", i);
      int has_note = web_form_value(body, key, note, sizeof note) && note[0];
      long wd = strtol(v, NULL, 10);
      json_array_append_new(hours, json_pack("{s:I, s:s, s:s, s:o}", "weekday", (json_int_t)wd,
                                             "opens", o, "closes", c, "note",
                                             has_note ? json_string(note) : json_null()));
    }
    json_object_set_new(d, "hours", hours);
  }
  if (create) {
    if (web_form_value(body, "organization", v, 80) && v[0])
      json_object_set_new(d, "organization", json_string(v));
    if (k->choices && tax) {
      json_t *needs = json_array(), *areas = json_array();
      for (size_t i = 0; i < tax->n_terms; i++) {
        const struct sk_term *t = &tax->terms[i];
        int need = t->vocab == SK_VOCAB_NEED,
            area = t->vocab == SK_VOCAB_MUNICIPALITY || t->vocab == SK_VOCAB_SCOPE;
        if (!need && !area)
          continue;
        snprintf(key, sizeof key, "%s%s", need ? "need_" : "area_", t->code);
        char on[4] = "";
        if (web_form_value(body, key, on, sizeof on) && on[0] == '1')
          json_array_append_new(need ? needs : areas, json_string(t->code));
      }
      json_object_set_new(d, "needs", needs);
      json_object_set_new(d, "areas", areas);
    }
    if (k->access_cost) {
      if (web_form_value(body, "access", v, 80) && v[0])
        json_object_set_new(d, "access", json_string(v));
      if (web_form_value(body, "cost", v, 80) && v[0])
        json_object_set_new(d, "cost", json_string(v));
    }
  }
  free(v);
  return d;
}

/* ---- the history, as text ------------------------------------------------------ */

static enum sk_vocab pp_vocab_of(const char *field) {
  static const struct {
    const char *field;
    enum sk_vocab v;
  } m[] = {{"needs", SK_VOCAB_NEED},
           {"target_groups", SK_VOCAB_TARGET_GROUP},
           {"laws", SK_VOCAB_LAW},
           {"access", SK_VOCAB_ACCESS},
           {"cost", SK_VOCAB_COST},
           {"areas", SK_VOCAB_MUNICIPALITY},
           {"municipality", SK_VOCAB_MUNICIPALITY}};
  for (size_t i = 0; field && i < sizeof m / sizeof m[0]; i++)
    if (!strcmp(m[i].field, field))
      return m[i].v;
  return SK_VOCAB_COUNT;
}

/* A stored value as a person reads it: labels for codes, hours and phone
 * numbers as text, dates in Dutch; never raw JSON (the log keeps JSON text). */
static void pp_value_read(struct wh *h, const struct sk_taxonomy *tax, const char *field,
                          const json_t *v, int depth) {
  json_t *parsed = NULL;
  size_t i;
  const json_t *e;
  if (json_is_string(v)) {
    const char *s = json_string_value(v);
    if (s[strspn(s, " \t\n")] == '[' || s[strspn(s, " \t\n")] == '{')
      parsed = json_loads(s, JSON_DECODE_ANY, NULL);
    if (parsed)
      v = parsed;
  }
  if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)) ||
      (json_is_array(v) && !json_array_size(v))) {
    WH(h, "(leeg)");
  } else if (depth > 3) {
    WH(h, "…");
  } else if (field && !strcmp(field, "hours") && json_is_array(v)) {
    json_array_foreach(v, i, e) {
      json_int_t wd = json_integer_value(json_object_get(e, "weekday"));
      if (i)
        WH(h, "; ");
      wh_text(h, wd >= 1 && wd <= 7 ? pp_day[wd] : "");
      wh_textf(h, " %s tot %s uur", js(e, "opens") ? js(e, "opens") : "?",
               js(e, "closes") ? js(e, "closes") : "?");
      if (js(e, "note")) {
        WH(h, " (");
        wh_text(h, js(e, "note"));
        WH(h, ")");
      }
    }
  } else if (field && !strcmp(field, "phones") && json_is_array(v)) {
    json_array_foreach(v, i, e) {
      if (i)
        WH(h, "; ");
      wh_text(h, js(e, "number"));
      if (js(e, "description")) {
        WH(h, " (");
        wh_text(h, js(e, "description"));
        WH(h, ")");
      }
    }
  } else if (pp_vocab_of(field) != SK_VOCAB_COUNT && tax) {
    enum sk_vocab voc = pp_vocab_of(field);
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (i = 0; i < n; i++) {
      e = json_is_array(v) ? json_array_get(v, i) : v;
      const char *code = json_is_string(e) ? json_string_value(e) : js(e, "code");
      const struct sk_term *t = code ? sk_taxonomy_find(tax, voc, code) : NULL;
      if (!t && code && voc == SK_VOCAB_MUNICIPALITY)
        t = sk_taxonomy_find(tax, SK_VOCAB_SCOPE, code);
      if (i)
        WH(h, ", ");
      wh_text(h, t ? t->label : code ? code : "?");
    }
  } else if (field && !strcmp(field, "status") && json_is_string(v)) {
    const char *s = json_string_value(v);
    wh_text(h, !strcmp(s, "active")      ? "op de website"
               : !strcmp(s, "inactive")  ? "niet actief"
               : !strcmp(s, "withdrawn") ? "ingetrokken"
                                         : s);
  } else if (field && strstr(field, "date") && json_is_string(v)) {
    pp_date(h, json_string_value(v));
  } else if (json_is_string(v)) {
    const char *s = json_string_value(v);
    wh_text(h, !strncmp(s, "feed:", 5)      ? "de feed"
               : !strncmp(s, "account:", 8) ? "een account"
                                            : s);
  } else if (json_is_boolean(v)) {
    wh_text(h, json_is_true(v) ? "ja" : "nee");
  } else if (json_is_integer(v)) {
    wh_textf(h, "%lld", (long long)json_integer_value(v));
  } else if (json_is_real(v)) {
    wh_textf(h, "%g", json_real_value(v));
  } else if (json_is_array(v)) {
    json_array_foreach(v, i, e) {
      if (i)
        WH(h, "; ");
      pp_value_read(h, tax, "", e, depth + 1);
    }
  } else if (json_is_object(v)) {
    const char *k;
    json_t *x;
    int first = 1;
    json_object_foreach((json_t *)v, k, x) {
      if (!first)
        WH(h, ", ");
      first = 0;
      wh_text(h, pp_label(k));
      WH(h, ": ");
      pp_value_read(h, tax, k, x, depth + 1);
    }
  }
  json_decref(parsed);
}

static void pp_who_text(struct wh *h, const json_t *c) {
  const char *actor = js(c, "actor"), *name = js(c, "actor_name");
  int feed = actor && !strncmp(actor, "feed:", 5);
  if (name) {
    wh_text(h, name);
    if (feed)
      WH(h, " (feed)");
  } else {
    wh_text(h, feed ? "de feed" : "een account dat niet meer bestaat");
  }
}

#define PP_HISTORY_ROWS 100

/* The history section of an edit page: one row per change, newest first. */
static void pp_history(struct wh *h, const struct sk_taxonomy *tax, const json_t *hist) {
  const json_t *ch = json_object_get(hist, "changes"), *c;
  size_t i;
  WH(h, "<section aria-labelledby=\"s-geschiedenis\" class=\"portal-section\">\n"
        "<h2 id=\"s-geschiedenis\">Geschiedenis</h2>\n");
  if (!json_array_size(ch)) {
    WH(h, "<p>Er is nog niets veranderd.</p>\n</section>\n");
    return;
  }
  if (json_array_size(ch) > PP_HISTORY_ROWS)
    WH(h, "<p>De laatste " PP_STR(PP_HISTORY_ROWS) " wijzigingen.</p>\n");
  WH(h, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
        "aria-labelledby=\"s-geschiedenis\"><table class=\"diff history\">"
        "<caption class=\"visually-hidden\">Wijzigingen, de nieuwste eerst</caption>"
        "<thead><tr><th scope=\"col\">Wanneer</th><th scope=\"col\">Wie</th>"
        "<th scope=\"col\">Veld</th><th scope=\"col\">Was</th><th scope=\"col\">Wordt</th>"
        "</tr></thead><tbody>\n");
  json_array_foreach(ch, i, c) {
    if (i >= PP_HISTORY_ROWS)
      break;
    const char *field = js(c, "field");
    WH(h, "<tr><td>");
    pp_date(h, js(c, "at"));
    WH(h, "</td><td>");
    pp_who_text(h, c);
    WH(h, "</td><th scope=\"row\">");
    wh_text(h, pp_label(field));
    WH(h, "</th><td><del>");
    if (js(c, "old_name"))
      wh_text(h, js(c, "old_name"));
    else
      pp_value_read(h, tax, field, json_object_get(c, "old"), 0);
    WH(h, "</del></td><td><ins>");
    if (js(c, "new_name"))
      wh_text(h, js(c, "new_name"));
    else
      pp_value_read(h, tax, field, json_object_get(c, "new"), 0);
    WH(h, "</ins></td></tr>\n");
  }
  WH(h, "</tbody></table></div>\n</section>\n");
}

/* ---- the pages: edit and new -------------------------------------------------- */

static int pp_form_page(struct web_ctx *x, const struct web_viewer *v, int status,
                        const struct pp_kind *k, const char *id, const char *etag, const char *name,
                        const json_t *doc, const json_t *errors, const char *notice,
                        const json_t *orgs, const json_t *hist) {
  struct wh h;
  wh_init(&h);
  char title[80];
  snprintf(title, sizeof title, "%s%s", json_array_size(errors) ? "Fout: " : "",
           id ? "bewerken" : k->title_new);
  if (!json_array_size(errors))
    title[0] = (char)(title[0] == 'b' ? 'B' : title[0]);
  pp_head(&h, title, 0);
  WH(&h, "<p><a href=\"/portaal/\">Terug naar mijn aanbod</a></p>\n<h1>");
  wh_text(&h, id ? (name && *name ? name : "Bewerken") : k->title_new);
  WH(&h, "</h1>\n");
  if (notice) {
    WH(&h, "<div class=\"notice error\" role=\"alert\"><p>");
    wh_text(&h, notice);
    WH(&h, "</p></div>\n");
  }
  json_int_t total = json_integer_value(json_object_get(orgs, "total"));
  if (!id && (size_t)total > json_array_size(json_object_get(orgs, "items"))) {
    /* more organisations than the choice holds: narrow it by name first */
    WH(&h, "<form method=\"get\" class=\"inline-form\" role=\"search\" action=\"/portaal/nieuw/");
    wh_text(&h, k->soort);
    WH(&h, "\"><div class=\"field\"><label for=\"zoek-organisatie\">Zoek de organisatie</label>"
           "<span class=\"hint\" id=\"uitleg-zoek\">");
    wh_textf(&h, "U ziet er %zu van de %lld. Typ een deel van de naam.",
             json_array_size(json_object_get(orgs, "items")), (long long)total);
    WH(&h, "</span><input type=\"text\" id=\"zoek-organisatie\" name=\"zoek\" "
           "aria-describedby=\"uitleg-zoek\"></div> <button class=\"button secondary\" "
           "type=\"submit\">Zoeken</button></form>\n");
  }
  pp_form(&h, v, x->srv->tax, k, id, etag, doc, errors, orgs);
  if (hist)
    pp_history(&h, x->srv->tax, hist);
  pp_foot(&h);
  return pp_done(x, &h, status);
}

static int pp_edit(struct web_ctx *x, const struct pp_kind *k, const char *id, int post) {
  struct web_viewer v;
  struct sk_actor a;
  if (pp_who(x, post, &v, &a) != SK_OK)
    return SK_EINVAL;
  struct web_server *srv = x->srv;
  struct sk_portal_result r, cur, hist;
  memset(&r, 0, sizeof r);
  memset(&cur, 0, sizeof cur);
  memset(&hist, 0, sizeof hist);
  json_t *patch = NULL;
  char etag[80] = "";
  int rc;
  if (post) {
    const char *body = x->req->body ? x->req->body : "";
    patch = pp_patch(body, k, 0, srv->tax);
    if (!web_form_value(body, "etag", etag, sizeof etag))
      etag[0] = '\0';
    if (!patch) {
      web_viewer_free(&v);
      return web_problem(x, 500, "Interne fout", NULL, "Er ging iets mis.");
    }
  }
  pthread_mutex_lock(&srv->portal_mu);
  srv->portal->now = 0;
  if (post)
    sk_portal_update(srv->portal, &a, k->ent, id, etag, patch, &r);
  /* The entry as it is now: for the form, and after a conflict. */
  if (!post || r.http == 412 || r.http == 428 || r.http == 422)
    sk_portal_get(srv->portal, &a, k->ent, id, &cur);
  if (cur.rc == SK_OK && cur.body)
    sk_portal_history(srv->portal, &a, k->ent, id, &hist);
  pthread_mutex_unlock(&srv->portal_mu);
  const json_t *hb = hist.rc == SK_OK ? hist.body : NULL;
  if (post && r.rc == SK_OK && (r.http == 200 || r.http == 202)) {
    web_server_data_changed(srv);
    rc = pp_redirect(x,
                     r.http == 202 ? "/portaal/?gedaan=ingediend" : "/portaal/?gedaan=opgeslagen");
  } else if (post && r.http == 422 && cur.rc == SK_OK) {
    /* What was typed stays in the form; the heading keeps the stored name. */
    rc = pp_form_page(x, &v, 422, k, id, etag, js(cur.body, "name"), patch, r.errors, NULL, NULL,
                      hb);
  } else if (post && (r.http == 412 || r.http == 428) && cur.rc == SK_OK) {
    rc = pp_form_page(x, &v, 409, k, id, cur.etag, js(cur.body, "name"), cur.body, NULL,
                      "Iemand anders heeft dit intussen gewijzigd. Uw wijziging is niet "
                      "opgeslagen. Hieronder staan de gegevens zoals ze nu zijn. Vul uw "
                      "wijziging opnieuw in en klik op Opslaan.",
                      NULL, hb);
  } else if (post) {
    rc = pp_fail(x, &r);
  } else if (cur.rc != SK_OK) {
    rc = pp_fail(x, &cur);
  } else if (!json_is_true(json_object_get(cur.body, "editable"))) {
    const char *fm = js(cur.body, "feed_message");
    rc = pp_message_page(x, 403, "U kunt dit hier niet aanpassen",
                         fm ? fm : "Dit komt niet uit het portaal en kan hier niet veranderen.");
  } else {
    rc = pp_form_page(x, &v, 200, k, id, cur.etag, js(cur.body, "name"), cur.body, NULL, NULL, NULL,
                      hb);
  }
  web_viewer_free(&v);
  json_decref(patch);
  sk_portal_result_free(&r);
  sk_portal_result_free(&cur);
  sk_portal_result_free(&hist);
  return rc;
}

/* GET: the empty form for a new entry of kind k; POST: create it. */
static int pp_new(struct web_ctx *x, const struct pp_kind *k, int post) {
  struct web_viewer v;
  struct sk_actor a;
  if (pp_who(x, post, &v, &a) != SK_OK)
    return SK_EINVAL;
  struct web_server *srv = x->srv;
  struct sk_portal_result r, orgs;
  memset(&r, 0, sizeof r);
  memset(&orgs, 0, sizeof orgs);
  json_t *doc = NULL;
  int rc;
  if (post) {
    doc = pp_patch(x->req->body ? x->req->body : "", k, 1, srv->tax);
  } else {
    const char *org = web_arg(x, "organisatie");
    doc = org ? json_pack("{s:s}", "organization", org) : json_object();
  }
  if (!doc) {
    web_viewer_free(&v);
    return web_problem(x, 500, "Interne fout", NULL, "Er ging iets mis.");
  }
  pthread_mutex_lock(&srv->portal_mu);
  srv->portal->now = 0;
  const char *q = post ? NULL : web_arg(x, "zoek");
  sk_portal_organizations(srv->portal, &a, q ? q : "", &orgs);
  if (post && orgs.rc == SK_OK)
    sk_portal_create(srv->portal, &a, k->ent, doc, &r);
  pthread_mutex_unlock(&srv->portal_mu);
  if (orgs.rc != SK_OK) {
    rc = pp_fail(x, &orgs);
  } else if (post && r.rc == SK_OK && (r.http == 201 || r.http == 202)) {
    web_server_data_changed(srv);
    rc = pp_redirect(x,
                     r.http == 202 ? "/portaal/?gedaan=ingediend" : "/portaal/?gedaan=toegevoegd");
  } else if (post && r.http == 422) {
    rc = pp_form_page(x, &v, 422, k, NULL, NULL, NULL, doc, r.errors, NULL, orgs.body, NULL);
  } else if (post) {
    rc = pp_fail(x, &r);
  } else {
    rc = pp_form_page(x, &v, 200, k, NULL, NULL, NULL, doc, NULL, NULL, orgs.body, NULL);
  }
  web_viewer_free(&v);
  json_decref(doc);
  sk_portal_result_free(&r);
  sk_portal_result_free(&orgs);
  return rc;
}

/* ---- routing ------------------------------------------------------------ */

int web_portal_page_handler(struct web_ctx *x) {
  const char *u = x->url;
  int post = !strcmp(x->method, "POST");
  int read = !strcmp(x->method, "GET") || !strcmp(x->method, "HEAD");
  if (!strcmp(u, "/portaal/")) {
    if (!read)
      goto not_allowed_get;
    return pp_home(x);
  }
  if (!strcmp(u, "/portaal/bevestigen")) {
    if (!post)
      goto not_allowed_post;
    return pp_confirm(x);
  }
  if (!strncmp(u, "/portaal/melding/", 17)) {
    const char *id = u + 17, *slash = strchr(id, '/');
    char buf[80];
    if (!slash || (size_t)(slash - id) >= sizeof buf || strcmp(slash, "/afgehandeld"))
      return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
    if (!post)
      goto not_allowed_post;
    memcpy(buf, id, (size_t)(slash - id));
    buf[slash - id] = '\0';
    return pp_close(x, buf);
  }
  if (!strcmp(u, "/portaal/index.html")) /* the one page is /portaal/ */
    return pp_redirect(x, "/portaal/");
  if (!strncmp(u, "/portaal/beoordeling/", 21) || !strncmp(u, "/portaal/account-aanvraag/", 26)) {
    int claim = u[9] == 'a';
    const char *id = u + (claim ? 26 : 21), *slash = strchr(id, '/');
    char buf[80];
    int approve = slash && !strcmp(slash, "/goedkeuren");
    if (!slash || slash == id || (size_t)(slash - id) >= sizeof buf ||
        (!approve && strcmp(slash, "/afwijzen")))
      return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
    if (!post)
      goto not_allowed_post;
    memcpy(buf, id, (size_t)(slash - id));
    buf[slash - id] = '\0';
    return pp_decide(x, buf, claim, approve);
  }
  if (!strncmp(u, "/portaal/nieuw/", 15)) {
    const struct pp_kind *k = pp_kind_of(u + 15);
    if (!k)
      return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
    if (!post && !read) {
      x->out.allow = "GET, HEAD, POST";
      return pp_message_page(x, 405, "Dit kan hier niet", "Deze pagina kent dit verzoek niet.");
    }
    return pp_new(x, k, post);
  }
  if (!strncmp(u, "/portaal/bewerk/", 16)) {
    const char *s = u + 16, *slash = strchr(s, '/');
    char soort[16], id[80];
    if (!slash || (size_t)(slash - s) >= sizeof soort || !slash[1] || strchr(slash + 1, '/') ||
        strlen(slash + 1) >= sizeof id)
      return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
    memcpy(soort, s, (size_t)(slash - s));
    soort[slash - s] = '\0';
    snprintf(id, sizeof id, "%s", slash + 1);
    const struct pp_kind *k = pp_kind_of(soort);
    if (!k)
      return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
    if (!post && !read) {
      x->out.allow = "GET, HEAD, POST";
      return pp_message_page(x, 405, "Dit kan hier niet", "Deze pagina kent dit verzoek niet.");
    }
    return pp_edit(x, k, id, post);
  }
  return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
not_allowed_get:
  x->out.allow = "GET, HEAD";
  return pp_message_page(x, 405, "Dit kan hier niet", "Deze pagina kunt u alleen bekijken.");
not_allowed_post:
  x->out.allow = "POST";
  return pp_message_page(x, 405, "Dit kan hier niet", "Dit adres is voor een formulier.");
}
