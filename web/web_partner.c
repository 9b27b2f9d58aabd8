/* /api/v1/partner/...: the portal's endpoints, thin adapters over
 * core/portal/sk_portal.h (docs/portal.md has the endpoint -> function table), and
 * the public "Klopt er iets niet?" endpoints. Every call runs on the
 * server's one writer connection under portal_mu. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_auth.h"
#include "sk_err.h"
#include "sk_portal.h"
#include "web_internal.h"

static int is_method(struct web_ctx *x, const char *m) { return strcmp(x->method, m) == 0; }
static int is_read(struct web_ctx *x) { return is_method(x, "GET") || is_method(x, "HEAD"); }

static int wrong_method(struct web_ctx *x, const char *allow) {
  x->out.allow = allow;
  return web_problem(x, 405, "Methode niet toegestaan", NULL,
                     "Dit adres kent alleen %s, niet %.20s.", allow, x->method);
}

/* Turn a portal result into the answer. */
static int reply_result(struct web_ctx *x, struct sk_portal_result *r) {
  int status = r->http ? r->http : 500;
  if (r->rc == SK_EBUSY)
    return web_busy(x, r->message[0] ? r->message : "Het is nu even druk. Probeer het zo opnieuw.");
  if (r->rc == SK_OK && r->body) {
    json_t *body = r->body;
    r->body = NULL;
    if (json_is_object(body) && r->etag[0] && !json_object_get(body, "etag"))
      json_object_set_new(body, "etag", json_string(r->etag));
    web_reply_json(x, status, body);
    if (r->etag[0])
      snprintf(x->out.etag_value, sizeof x->out.etag_value, "%s", r->etag);
  } else {
    json_t *p = json_object();
    json_object_set_new(p, "type", json_string("about:blank"));
    json_object_set_new(p, "title",
                        json_string(status == 403   ? "Geen toegang"
                                    : status == 404 ? "Niet gevonden"
                                    : status == 412 ? "Intussen gewijzigd"
                                    : status == 428 ? "ETag nodig"
                                    : status == 422 ? "Niet goed ingevuld"
                                    : status == 429 ? "Te veel verzoeken"
                                    : status == 409 ? "Conflict"
                                                    : "Fout"));
    json_object_set_new(p, "status", json_integer(status));
    json_object_set_new(p, "detail", json_string(r->message[0] ? r->message : "Er ging iets mis."));
    json_object_set_new(p, "error", json_string(r->code ? r->code : "error"));
    json_object_set_new(p, "message",
                        json_string(r->message[0] ? r->message : "Er ging iets mis."));
    json_object_set_new(p, "errors", r->errors ? json_incref(r->errors) : json_array());
    web_reply_json(x, status, p);
    x->out.ctype = "application/problem+json; charset=utf-8";
    if (status == 429)
      x->out.retry_after = "3600";
  }
  x->out.cache = "no-store";
  x->out.etag = 0;
  x->out.vary = "Cookie, Authorization";
  return r->rc;
}

static json_t *body_json(struct web_ctx *x) {
  if (!x->req->body || !x->req->body_len)
    return json_object();
  json_error_t e;
  return json_loadb(x->req->body, x->req->body_len, JSON_REJECT_DUPLICATES, &e);
}

static int bad_body(struct web_ctx *x) {
  return web_problem(x, 400, "Ongeldig verzoek", NULL,
                     "De inhoud is geen geldig JSON-object. Stuur JSON (Content-Type: "
                     "application/json).");
}

/* The id path segment [start, next '/') into out; 0 when empty or too long. */
static int segment(const char *start, char *out, size_t outlen, const char **rest) {
  const char *end = strchr(start, '/');
  size_t n = end ? (size_t)(end - start) : strlen(start);
  *rest = end ? end : start + n;
  if (!n || n >= outlen)
    return 0;
  memcpy(out, start, n);
  out[n] = '\0';
  return 1;
}

static void data_changed(struct web_ctx *x, const struct sk_portal_result *r) {
  if (r->rc == SK_OK && (r->http == 200 || r->http == 201))
    web_server_data_changed(x->srv);
}

static const char *if_match(struct web_ctx *x) {
  return MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "If-Match");
}

/* /{services,activities,locations}[/{id}[/{confirm,history,restore}]] */
static int entity_route(struct web_ctx *x, struct sk_portal *p, const struct sk_actor *a,
                        enum sk_portal_entity e, const char *base, const char *rest,
                        struct sk_portal_result *r, int *changed) {
  if (!*rest) {
    if (!is_method(x, "POST"))
      return wrong_method(x, "POST");
    json_t *doc = body_json(x);
    if (!json_is_object(doc)) {
      json_decref(doc);
      return bad_body(x);
    }
    sk_portal_create(p, a, e, doc, r);
    json_decref(doc);
    *changed = 1;
    if (r->rc == SK_OK && r->http == 201) {
      const char *id = json_string_value(json_object_get(r->body, "id"));
      if (id)
        snprintf(x->out.location, sizeof x->out.location, "/api/v1/partner/%s/%s", base, id);
    }
    return SK_OK;
  }
  char id[80];
  const char *tail;
  if (*rest != '/' || !segment(rest + 1, id, sizeof id, &tail))
    return web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
  if (!*tail) {
    if (is_read(x)) {
      sk_portal_get(p, a, e, id, r);
    } else if (is_method(x, "PATCH") || is_method(x, "PUT")) {
      json_t *doc = body_json(x);
      if (!json_is_object(doc)) {
        json_decref(doc);
        return bad_body(x);
      }
      sk_portal_update(p, a, e, id, if_match(x), doc, r);
      json_decref(doc);
      *changed = 1;
    } else if (is_method(x, "DELETE")) {
      sk_portal_withdraw(p, a, e, id, if_match(x), r);
      *changed = 1;
    } else {
      return wrong_method(x, "GET, PATCH, PUT, DELETE");
    }
    return SK_OK;
  }
  if (strcmp(tail, "/history") == 0) {
    if (!is_read(x))
      return wrong_method(x, "GET");
    sk_portal_history(p, a, e, id, r);
    return SK_OK;
  }
  if (strcmp(tail, "/confirm") == 0 && e != SK_PORTAL_LOCATION) {
    if (!is_method(x, "POST"))
      return wrong_method(x, "POST");
    sk_portal_confirm(p, a, e, id, if_match(x), r);
    *changed = 1;
    return SK_OK;
  }
  if (strcmp(tail, "/feed-correction") == 0) {
    if (!is_method(x, "POST"))
      return wrong_method(x, "POST");
    json_t *doc = body_json(x);
    if (!json_is_object(doc)) {
      json_decref(doc);
      return bad_body(x);
    }
    sk_portal_feed_correction(p, a, e, id, doc, r);
    json_decref(doc);
    return SK_OK;
  }
  if (strcmp(tail, "/restore") == 0) {
    if (!is_method(x, "POST"))
      return wrong_method(x, "POST");
    json_t *doc = body_json(x);
    json_t *v = json_object_get(doc, "version");
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000) {
      json_decref(doc);
      return web_problem(x, 422, "Niet goed ingevuld", "version",
                         "Geef in 'version' het nummer van de versie die terug moet komen.");
    }
    sk_portal_restore(p, a, e, id, (int)json_integer_value(v), if_match(x), r);
    json_decref(doc);
    *changed = 1;
    return SK_OK;
  }
  return web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
}

/* ?page=&per_page= of a portal list; 400 (answer set) when malformed. */
static int page_args(struct web_ctx *x, struct sk_portal_page *pg) {
  if (web_arg_int(x, "page", 1, 1000000, 1, &pg->page) ||
      web_arg_int(x, "per_page", 1, SK_PORTAL_PER_PAGE_MAX, SK_PORTAL_PER_PAGE_DEFAULT,
                  &pg->per_page))
    return SK_EINVAL;
  return SK_OK;
}

static int reviews_route(struct web_ctx *x, struct sk_portal *p, const struct sk_actor *a,
                         const char *rest, struct sk_portal_result *r, int *changed) {
  if (!*rest) {
    if (!is_read(x))
      return wrong_method(x, "GET");
    struct sk_portal_page pg;
    if (page_args(x, &pg))
      return SK_EINVAL;
    sk_portal_review_list(p, a, &pg, r);
    return SK_OK;
  }
  char id[80];
  const char *tail;
  if (*rest != '/' || !segment(rest + 1, id, sizeof id, &tail))
    return web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
  if (!*tail) {
    if (!is_read(x))
      return wrong_method(x, "GET");
    sk_portal_review_get(p, a, id, r);
    return SK_OK;
  }
  if (!is_method(x, "POST"))
    return wrong_method(x, "POST");
  if (strcmp(tail, "/approve") == 0) {
    sk_portal_review_approve(p, a, id, r);
    *changed = 1;
    return SK_OK;
  }
  if (strcmp(tail, "/reject") == 0) {
    json_t *doc = body_json(x);
    if (!json_is_object(doc)) {
      json_decref(doc);
      return bad_body(x);
    }
    sk_portal_review_reject(p, a, id, json_string_value(json_object_get(doc, "reason")), r);
    json_decref(doc);
    return SK_OK;
  }
  return web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
}

static int corrections_route(struct web_ctx *x, struct sk_portal *p, const struct sk_actor *a,
                             const char *rest, struct sk_portal_result *r) {
  if (!*rest) {
    if (!is_read(x))
      return wrong_method(x, "GET");
    const char *status = web_arg(x, "status");
    if (status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0)
      return web_bad_param(x, "status", "De parameter 'status' is 'open' of 'closed'.");
    struct sk_portal_page pg;
    if (page_args(x, &pg))
      return SK_EINVAL;
    sk_portal_corrections(p, a, status, &pg, r);
    return SK_OK;
  }
  char id[80];
  const char *tail;
  if (*rest != '/' || !segment(rest + 1, id, sizeof id, &tail) || strcmp(tail, "/close") != 0)
    return web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
  if (!is_method(x, "POST"))
    return wrong_method(x, "POST");
  sk_portal_correction_close(p, a, id, r);
  return SK_OK;
}

/* GET /api/v1/partner/dashboard (redactie): sk_portal_dashboard plus the
 * search statistics. Both read only the store (the statistics hold what
 * each search found when it was made), so no search runs here. Called with
 * portal_mu held; releases it. */
static int dashboard(struct web_ctx *x, struct sk_portal *p, const struct sk_actor *a) {
  struct web_server *srv = x->srv;
  struct sk_portal_result r, sr;
  memset(&r, 0, sizeof r);
  memset(&sr, 0, sizeof sr);
  if (!is_read(x)) {
    pthread_mutex_unlock(&srv->portal_mu);
    return wrong_method(x, "GET");
  }
  int ok = sk_portal_dashboard(p, a, &r) == SK_OK && sk_portal_search_stats(p, a, 3, &sr) == SK_OK;
  pthread_mutex_unlock(&srv->portal_mu);
  if (!ok) {
    int rc = reply_result(x, r.rc ? &r : &sr);
    sk_portal_result_free(&r);
    sk_portal_result_free(&sr);
    return rc;
  }
  json_object_set(r.body, "searches", sr.body);
  int rc = reply_result(x, &r);
  x->out.cache = "private, no-store";
  x->out.etag = 0;
  sk_portal_result_free(&r);
  sk_portal_result_free(&sr);
  return rc;
}

/* GET /api/v1/partner/feeds: the feed report with the full reasons (they
 * quote the feed's values, restricted ones too): a partner sees the feeds
 * its organisations come from, the redactie every feed. */
static int feeds_report(struct web_ctx *x, const struct sk_account *acct) {
  if (!is_read(x))
    return wrong_method(x, "GET");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  /* A partner without organisations gets rid -1: no feed matches. */
  int64_t rid = sk_auth_can_manage_feeds(acct) ? 0 : acct->rid > 0 ? acct->rid : -1;
  json_t *feeds = web_feeds_json(w, 1, rid);
  if (!feeds)
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  int rc = web_reply_json(x, 200, json_pack("{s:o}", "feeds", feeds));
  x->out.cache = "no-store";
  x->out.etag = 0;
  return rc;
}

int web_partner_handler(struct web_ctx *x) {
  const char *path = x->url + strlen("/api/v1/partner");
  if (*path == '/')
    path++;
  struct web_viewer v;
  if (web_viewer_get(x, 1, &v) != SK_OK)
    return SK_EINVAL;
  int rc = SK_OK;
  if (!is_read(x) && !web_csrf_ok(x, &v, NULL)) {
    web_viewer_free(&v);
    return SK_EINVAL;
  }
  if (strcmp(path, "feeds") == 0) {
    rc = feeds_report(x, v.acct);
    web_viewer_free(&v);
    return rc;
  }
  struct web_server *srv = x->srv;
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  struct sk_actor a;
  int changed = 0, called = 0;
  int is_dashboard = strcmp(path, "dashboard") == 0;
  if (is_dashboard)
    web_stats_flush(srv); /* lock order: statistics before portal_mu */
  pthread_mutex_lock(&srv->portal_mu);
  struct sk_portal *p = srv->portal;
  p->now = 0;
  int arc = sk_portal_actor_load(p->st, v.acct->id, &a);
  if (arc != SK_OK) {
    pthread_mutex_unlock(&srv->portal_mu);
    web_viewer_free(&v);
    if (arc == SK_ENOTFOUND)
      return web_problem(x, 401, sk_auth_message(SK_AUTH_ENOSESSION), NULL, "%s",
                         sk_auth_message(SK_AUTH_ENOSESSION));
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  if (is_dashboard) {
    rc = dashboard(x, p, &a); /* releases portal_mu */
    web_viewer_free(&v);
    return rc;
  }
  const char *after;
  if (strcmp(path, "entries") == 0) {
    if (!is_read(x))
      rc = wrong_method(x, "GET");
    else
      sk_portal_list(p, &a, web_arg(x, "organization"), &r), called = 1;
  } else if (strcmp(path, "organizations") == 0) {
    if (!is_read(x))
      rc = wrong_method(x, "GET");
    else
      sk_portal_organizations(p, &a, web_arg(x, "q"), &r), called = 1;
  } else if (strcmp(path, "todo") == 0) {
    if (!is_read(x))
      rc = wrong_method(x, "GET");
    else
      sk_portal_todo(p, &a, &r), called = 1;
  } else if (strcmp(path, "outbox") == 0) {
    if (!is_read(x))
      rc = wrong_method(x, "GET");
    else
      sk_portal_outbox(p, &a, &r), called = 1;
  } else if (strcmp(path, "verify-tasks") == 0) {
    if (!is_read(x))
      rc = wrong_method(x, "GET");
    else
      sk_portal_verify_tasks(p, &a, &r), called = 1;
  } else if (strncmp(path, "services", 8) == 0 && (path[8] == '\0' || path[8] == '/')) {
    after = path + 8;
    rc = entity_route(x, p, &a, SK_PORTAL_SERVICE, "services", after, &r, &changed);
    called = r.http != 0;
  } else if (strncmp(path, "activities", 10) == 0 && (path[10] == '\0' || path[10] == '/')) {
    after = path + 10;
    rc = entity_route(x, p, &a, SK_PORTAL_ACTIVITY, "activities", after, &r, &changed);
    called = r.http != 0;
  } else if (strncmp(path, "locations", 9) == 0 && (path[9] == '\0' || path[9] == '/')) {
    after = path + 9;
    rc = entity_route(x, p, &a, SK_PORTAL_LOCATION, "locations", after, &r, &changed);
    called = r.http != 0;
  } else if (strncmp(path, "reviews", 7) == 0 && (path[7] == '\0' || path[7] == '/')) {
    rc = reviews_route(x, p, &a, path + 7, &r, &changed);
    called = r.http != 0;
  } else if (strncmp(path, "corrections", 11) == 0 && (path[11] == '\0' || path[11] == '/')) {
    rc = corrections_route(x, p, &a, path + 11, &r);
    called = r.http != 0;
  } else if (strcmp(path, "claims") == 0) {
    if (!is_read(x))
      rc = wrong_method(x, "GET");
    else
      sk_portal_claims(p, &a, &r), called = 1;
  } else if (strncmp(path, "claims/", 7) == 0) {
    char id[80];
    const char *tail;
    int approve = 0;
    if (!segment(path + 7, id, sizeof id, &tail) ||
        (!(approve = strcmp(tail, "/approve") == 0) && strcmp(tail, "/reject") != 0))
      rc = web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
    else if (!is_method(x, "POST"))
      rc = wrong_method(x, "POST");
    else if (approve && !srv->public_url)
      rc = web_unavailable(x, "Zonder eigen adres (SK_PUBLIC_URL) kan de server geen link sturen.");
    else {
      json_t *doc = approve ? NULL : body_json(x);
      sk_portal_claim_decide(p, &a, id, approve, json_string_value(json_object_get(doc, "reason")),
                             srv->public_url, &r);
      json_decref(doc);
      called = 1;
    }
  } else if (strcmp(path, "auto-classified") == 0) { /* issue 12 */
    if (!is_read(x))
      rc = wrong_method(x, "GET");
    else
      sk_portal_auto_list(p, &a, &r), called = 1;
  } else if (strncmp(path, "auto-classified/", 16) == 0) {
    char id[80];
    const char *tail;
    if (!segment(path + 16, id, sizeof id, &tail) || strcmp(tail, "/confirm") != 0)
      rc = web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
    else if (!is_method(x, "POST"))
      rc = wrong_method(x, "POST");
    else
      sk_portal_auto_confirm(p, &a, id, &r), called = 1, changed = 1;
  } else {
    rc = web_problem(x, 404, "Niet gevonden", NULL, "Het adres %.200s bestaat niet in deze API.",
                     x->url);
  }
  pthread_mutex_unlock(&srv->portal_mu);
  web_viewer_free(&v);
  if (called) {
    rc = reply_result(x, &r);
    if (changed)
      data_changed(x, &r);
  } else if (x->out.status) {
    x->out.cache = "no-store";
  }
  sk_portal_result_free(&r);
  return rc;
}

/* GET /api/v1/corrections/token, POST /api/v1/services/{id}/corrections:
 * anyone, no login; spam and rate limits are the core's. */
int web_correction_handler(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  if (strcmp(x->url, "/api/v1/corrections/token") == 0) {
    if (!is_read(x))
      return wrong_method(x, "GET");
    char tok[128] = "";
    pthread_mutex_lock(&srv->portal_mu);
    srv->portal->now = 0;
    int rc = sk_portal_correction_token(srv->portal, tok, sizeof tok);
    pthread_mutex_unlock(&srv->portal_mu);
    if (rc != SK_OK)
      return web_unavailable(x, "Het formulier kan nu niet worden gemaakt. Probeer het later.");
    web_reply_json(x, 200, json_pack("{s:s}", "form_token", tok));
    x->out.cache = "no-store";
    x->out.etag = 0;
    return SK_OK;
  }
  char id[80];
  const char *tail;
  if (!x->id || !segment(x->id, id, sizeof id, &tail) || strcmp(tail, "/corrections") != 0)
    return web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
  if (!is_method(x, "POST"))
    return wrong_method(x, "POST");
  json_t *doc = body_json(x);
  if (!json_is_object(doc)) {
    json_decref(doc);
    return bad_body(x);
  }
  char ip[64];
  web_client_ip(x, ip);
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  pthread_mutex_lock(&srv->portal_mu);
  srv->portal->now = 0;
  sk_portal_correction_submit(srv->portal, id, doc, ip, &r);
  pthread_mutex_unlock(&srv->portal_mu);
  json_decref(doc);
  int rc = reply_result(x, &r);
  sk_portal_result_free(&r);
  return rc;
}

/* The personal verification link (no account): GET /api/v1/verify/{token}
 * lists the organisation's entries; POST /api/v1/verify/{token}/{entry}
 * answers for one ({"answer": "ok"} or {"answer": "change", "message"}).
 * The token is the only credential and is for this alone (sk_verify.c). */
int web_verify_handler(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  char token[SK_VERIFY_TOKEN_MAX], entry[80] = "";
  const char *tail;
  if (!x->id || !segment(x->id, token, sizeof token, &tail))
    return web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
  if (*tail && (!segment(tail + 1, entry, sizeof entry, &tail) || *tail))
    return web_problem(x, 404, "Niet gevonden", NULL, "Dit adres bestaat niet.");
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  json_t *doc = NULL;
  if (!entry[0]) {
    if (!is_read(x))
      return wrong_method(x, "GET");
  } else {
    if (!is_method(x, "POST"))
      return wrong_method(x, "POST");
    doc = body_json(x);
    if (!json_is_object(doc)) {
      json_decref(doc);
      return bad_body(x);
    }
  }
  pthread_mutex_lock(&srv->portal_mu);
  srv->portal->now = 0;
  if (doc)
    sk_portal_verify_answer(srv->portal, token, entry, doc, &r);
  else
    sk_portal_verify_entries(srv->portal, token, &r);
  pthread_mutex_unlock(&srv->portal_mu);
  json_decref(doc);
  data_changed(x, &r); /* a confirmation may bring an entry back into search */
  x->out.cache = "no-store";
  x->out.etag = 0;
  int rc = reply_result(x, &r);
  sk_portal_result_free(&r);
  return rc;
}
