/* The partner portal without JavaScript (issue 13): server-rendered pages
 * over the same core/portal calls as the JSON API in web_partner.c, never a
 * second writer. portal.js enhances /portaal/ as before: the page carries
 * its containers (hidden until JavaScript runs) next to the server-rendered
 * task list (data-server-list, hidden by portal.js).
 *
 *   GET  /portaal/                         the task list (303 to login without a session)
 *   POST /portaal/bevestigen               "Gegevens kloppen nog" (soort, id)
 *   GET  /portaal/bewerk/{soort}/{id}      the edit form, filled in
 *   POST /portaal/bewerk/{soort}/{id}      save (etag as the If-Match)
 *   POST /portaal/melding/{id}/afgehandeld close a correction
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
                {"cost", "Kosten"}};

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
  return NULL;
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
    WH(h, "<h3>Meldingen van bezoekers</h3>\n<ul class=\"entry-list\">\n");
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
          !json_is_string(json_object_get(e, "feed")) &&
          !json_is_true(json_object_get(e, "feed"))) {
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

static void pp_entries(struct wh *h, const struct web_viewer *v, const json_t *list) {
  const json_t *items = json_object_get(list, "items"), *e;
  size_t i;
  WH(h, "<section aria-labelledby=\"s-all\" class=\"portal-section\">\n"
        "<h2 id=\"s-all\">Alles van uw organisatie</h2>\n");
  if (!json_array_size(items)) {
    WH(h, "<p>Er staat nog niets.</p>\n</section>\n");
    return;
  }
  WH(h, "<ul class=\"entry-list\">\n");
  json_array_foreach(items, i, e) {
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
      WH(h, "<p><a href=\"/portaal/bewerken.html?soort=locations&amp;id=");
      wh_q(h, js(e, "id"));
      WH(h, "\">Bekijken<span class=\"visually-hidden\">: ");
      wh_text(h, js(e, "name"));
      WH(h, "</span></a> (met JavaScript)</p>");
    }
    WH(h, "</li>\n");
  }
  WH(h, "</ul>\n</section>\n");
}

/* The JavaScript portal's containers, as in static/portaal/index.html. */
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

static int pp_home(struct web_ctx *x) {
  struct web_viewer v;
  struct sk_actor a;
  if (pp_who(x, 0, &v, &a) != SK_OK)
    return SK_EINVAL;
  if (a.role == SK_ROLE_PROFESSIONAL) { /* each role lands where it works */
    web_viewer_free(&v);
    return pp_redirect(x, "/professionals");
  }
  struct sk_portal_result todo, list;
  memset(&todo, 0, sizeof todo);
  memset(&list, 0, sizeof list);
  int partner = sk_role_edits_own(a.role);
  pthread_mutex_lock(&x->srv->portal_mu);
  x->srv->portal->now = 0;
  if (partner) {
    sk_portal_todo(x->srv->portal, &a, &todo);
    sk_portal_list(x->srv->portal, &a, NULL, &list);
  }
  pthread_mutex_unlock(&x->srv->portal_mu);
  struct wh h;
  wh_init(&h);
  pp_head(&h, "Mijn aanbod", 1);
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
  if (!partner) {
    WH(&h, "<p>Het beoordelen van wijzigingen en de andere taken van de redactie werken alleen "
           "met JavaScript aan. Zet JavaScript aan, of vraag een collega.</p>\n");
  } else if (todo.rc != SK_OK) {
    WH(&h, "<div class=\"notice error\" role=\"alert\"><p>");
    wh_text(&h, todo.message[0] ? todo.message : "De takenlijst kon niet worden geladen.");
    WH(&h, "</p></div>\n");
  } else {
    pp_todo(&h, &v, todo.body);
    if (list.rc == SK_OK)
      pp_entries(&h, &v, list.body);
  }
  WH(&h, "</div>\n");
  pp_js_shell(&h);
  pp_foot(&h);
  web_viewer_free(&v);
  sk_portal_result_free(&todo);
  sk_portal_result_free(&list);
  return pp_done(x, &h, 200);
}

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

/* ---- the edit form ------------------------------------------------------------ */

/* The errors of one field ("phones.description" counts for "phones"). */
static int pp_errors_of(const json_t *errors, const char *key, struct wh *h, int write) {
  size_t i, kl = strlen(key);
  const json_t *e;
  int n = 0;
  json_array_foreach(errors, i, e) {
    const char *f = js(e, "field");
    if (!f || strncmp(f, key, kl) || (f[kl] && f[kl] != '.'))
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

static int pp_known_field(const char *f) {
  if (!f)
    return 0;
  for (size_t i = 0; i < PP_NFIELDS; i++)
    if (!strcmp(f, pp_fields[i].key))
      return 1;
  return !strncmp(f, "phones", 6) || !strncmp(f, "hours", 5);
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

static void pp_form(struct wh *h, const struct web_viewer *v, const char *soort, const char *id,
                    const char *etag, const json_t *doc, const json_t *errors) {
  int act = !strcmp(soort, "activities");
  size_t i;
  const json_t *e;
  if (json_array_size(errors)) {
    WH(h, "<div class=\"notice error\" role=\"alert\" aria-labelledby=\"fout-titel\">"
          "<h2 id=\"fout-titel\">Er klopt iets niet</h2><p>Uw wijziging is niet opgeslagen. "
          "Verbeter dit:</p><ul>");
    json_array_foreach(errors, i, e) {
      const char *f = js(e, "field");
      char key[32] = "";
      if (f)
        snprintf(key, sizeof key, "%.*s", (int)strcspn(f, "."), f);
      WH(h, "<li>");
      if (pp_known_field(key)) {
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
  WH(h, "<form method=\"post\" class=\"edit-form\" novalidate action=\"/portaal/bewerk/");
  wh_text(h, soort);
  WH(h, "/");
  wh_q(h, id);
  WH(h, "\">");
  pp_csrf(h, v);
  WH(h, "<input type=\"hidden\" name=\"etag\" value=\"");
  wh_text(h, etag);
  WH(h, "\">\n");
  for (size_t f = 0; f < PP_NFIELDS; f++) {
    const struct pp_field *pf = &pp_fields[f];
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
  /* Phones: the rows there are, and one empty row. */
  const json_t *phones = json_object_get(doc, "phones");
  size_t np = json_array_size(phones) + 1;
  if (np > PP_PHONE_ROWS)
    np = PP_PHONE_ROWS;
  WH(h, "<fieldset class=\"field\" id=\"veld-phones\"><legend>Telefoonnummers</legend>"
        "<span class=\"hint\">Laat een nummer leeg om het weg te halen.</span>");
  pp_field_error(h, errors, "phones");
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
  if (!act) {
    const json_t *hours = json_object_get(doc, "hours");
    size_t nh = json_array_size(hours) + 2;
    if (nh > PP_HOUR_ROWS)
      nh = PP_HOUR_ROWS;
    WH(h, "<fieldset class=\"field\" id=\"veld-hours\"><legend>Openingstijden</legend>"
          "<span class=\"hint\">Schrijf de tijden als 09:00. Kies ‘geen’ bij de dag om een "
          "tijd weg te halen.</span>");
    pp_field_error(h, errors, "hours");
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
  WH(h, "<p class=\"hint\">Onderwerpen, doelgroepen, gemeenten en locaties past u aan in het "
        "portaal met JavaScript aan; hier blijven ze zoals ze zijn.</p>\n"
        "<p class=\"actions\"><button class=\"button\" type=\"submit\">Opslaan</button> "
        "<a href=\"/portaal/\">Annuleren</a></p>\n</form>\n");
}

/* The form's values as a merge patch over the fields it shows: an empty
 * text clears the field; phones and hours replace the lists. Values go to
 * the core as typed (a wrong age stays text), so its validation speaks. */
static json_t *pp_patch(const char *body, int act) {
  json_t *d = json_object();
  char *v = malloc(PP_VALUE_MAX);
  if (!d || !v) {
    json_decref(d);
    free(v);
    return NULL;
  }
  for (size_t f = 0; f < PP_NFIELDS; f++) {
    const struct pp_field *pf = &pp_fields[f];
    if (pf->service_only && act)
      continue;
    if (!web_form_value(body, pf->key, v, PP_VALUE_MAX) || !v[0]) {
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
  json_t *phones = json_array();
  char key[40], desc[600];
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
  if (!act) {
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
  free(v);
  return d;
}

static int pp_form_page(struct web_ctx *x, const struct web_viewer *v, int status,
                        const char *soort, const char *id, const char *etag, const char *name,
                        const json_t *doc, const json_t *errors, const char *notice) {
  struct wh h;
  wh_init(&h);
  pp_head(&h, json_array_size(errors) ? "Fout: bewerken" : "Bewerken", 0);
  WH(&h, "<p><a href=\"/portaal/\">Terug naar mijn aanbod</a></p>\n<h1>");
  wh_text(&h, name && *name ? name : "Bewerken");
  WH(&h, "</h1>\n");
  if (notice) {
    WH(&h, "<div class=\"notice error\" role=\"alert\"><p>");
    wh_text(&h, notice);
    WH(&h, "</p></div>\n");
  }
  pp_form(&h, v, soort, id, etag, doc, errors);
  pp_foot(&h);
  return pp_done(x, &h, status);
}

static int pp_edit(struct web_ctx *x, const char *soort, const char *id, int post) {
  if (strcmp(soort, "services") && strcmp(soort, "activities"))
    return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
  enum sk_portal_entity ent = strcmp(soort, "activities") ? SK_PORTAL_SERVICE : SK_PORTAL_ACTIVITY;
  struct web_viewer v;
  struct sk_actor a;
  if (pp_who(x, post, &v, &a) != SK_OK)
    return SK_EINVAL;
  struct web_server *srv = x->srv;
  struct sk_portal_result r, cur;
  memset(&r, 0, sizeof r);
  memset(&cur, 0, sizeof cur);
  json_t *patch = NULL;
  char etag[80] = "";
  int rc;
  if (post) {
    const char *body = x->req->body ? x->req->body : "";
    patch = pp_patch(body, ent == SK_PORTAL_ACTIVITY);
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
    sk_portal_update(srv->portal, &a, ent, id, etag, patch, &r);
  /* The entry as it is now: for the form, and after a conflict. */
  if (!post || r.http == 412 || r.http == 428 || r.http == 422)
    sk_portal_get(srv->portal, &a, ent, id, &cur);
  pthread_mutex_unlock(&srv->portal_mu);
  if (post && r.rc == SK_OK && (r.http == 200 || r.http == 202)) {
    web_server_data_changed(srv);
    rc = pp_redirect(x,
                     r.http == 202 ? "/portaal/?gedaan=ingediend" : "/portaal/?gedaan=opgeslagen");
  } else if (post && r.http == 422 && cur.rc == SK_OK) {
    /* What was typed stays in the form; the heading keeps the stored name. */
    rc = pp_form_page(x, &v, 422, soort, id, etag, js(cur.body, "name"), patch, r.errors, NULL);
  } else if (post && (r.http == 412 || r.http == 428) && cur.rc == SK_OK) {
    rc = pp_form_page(x, &v, 409, soort, id, cur.etag, js(cur.body, "name"), cur.body, NULL,
                      "Iemand anders heeft dit intussen gewijzigd. Uw wijziging is niet "
                      "opgeslagen. Hieronder staan de gegevens zoals ze nu zijn. Vul uw "
                      "wijziging opnieuw in en klik op Opslaan.");
  } else if (post) {
    rc = pp_fail(x, &r);
  } else if (cur.rc != SK_OK) {
    rc = pp_fail(x, &cur);
  } else if (!json_is_true(json_object_get(cur.body, "editable"))) {
    const char *fm = js(cur.body, "feed_message");
    rc = pp_message_page(x, 403, "U kunt dit hier niet aanpassen",
                         fm ? fm : "Dit komt niet uit het portaal en kan hier niet veranderen.");
  } else {
    rc = pp_form_page(x, &v, 200, soort, id, cur.etag, js(cur.body, "name"), cur.body, NULL, NULL);
  }
  web_viewer_free(&v);
  json_decref(patch);
  sk_portal_result_free(&r);
  sk_portal_result_free(&cur);
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
  if (!strncmp(u, "/portaal/bewerk/", 16)) {
    const char *s = u + 16, *slash = strchr(s, '/');
    char soort[16], id[80];
    if (!slash || (size_t)(slash - s) >= sizeof soort || !slash[1] || strchr(slash + 1, '/') ||
        strlen(slash + 1) >= sizeof id)
      return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
    memcpy(soort, s, (size_t)(slash - s));
    soort[slash - s] = '\0';
    snprintf(id, sizeof id, "%s", slash + 1);
    if (!post && !read) {
      x->out.allow = "GET, HEAD, POST";
      return pp_message_page(x, 405, "Dit kan hier niet", "Deze pagina kent dit verzoek niet.");
    }
    return pp_edit(x, soort, id, post);
  }
  return pp_message_page(x, 404, "Niet gevonden", "Dit adres bestaat niet.");
not_allowed_get:
  x->out.allow = "GET, HEAD";
  return pp_message_page(x, 405, "Dit kan hier niet", "Deze pagina kunt u alleen bekijken.");
not_allowed_post:
  x->out.allow = "POST";
  return pp_message_page(x, 405, "Dit kan hier niet", "Dit adres is voor een formulier.");
}
