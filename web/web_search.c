/* /api/v1/search and /api/v1/suggest: thin adapters over core/sk_search.h,
 * so the CLI and the server share one query language and one JSON shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "web_internal.h"

#include "sk_search.h"

struct search_args {
  struct sk_search_query *q;
  struct sk_search_error e;
  int rc;
};

static enum MHD_Result set_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
  (void)kind;
  struct search_args *a = cls;
  int rc = sk_search_query_set(a->q, key, value ? value : "", &a->e);
  if (rc == SK_ENOTFOUND) {
    snprintf(a->e.param, sizeof a->e.param, "%.31s", key);
    snprintf(a->e.message, sizeof a->e.message, "De parameter '%.64s' bestaat niet voor dit adres.",
             key);
  }
  if (rc != SK_OK) {
    a->rc = rc;
    return MHD_NO;
  }
  return MHD_YES;
}

int web_api_search(struct web_ctx *x) {
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.facets = 1;
  q.professional = x->professional; /* set from the session by the dispatcher */
  struct search_args a = {.q = &q, .rc = SK_OK};
  MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, set_arg, &a);
  if (a.rc != SK_OK)
    return web_bad_param(x, a.e.param[0] ? a.e.param : NULL, "%s", a.e.message);
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  struct sk_search_result *r = NULL;
  struct sk_search_error e = {"", ""};
  int rc = sk_search(w->searcher, &q, &r, &e);
  if (rc == SK_EINVAL)
    return web_bad_param(x, e.param[0] ? e.param : NULL, "%s", e.message);
  if (rc != SK_OK || !r)
    return web_unavailable(x, e.message[0] ? e.message : "Zoeken lukt nu niet. Probeer het opnieuw.");
  json_t *body = sk_search_result_json(r);
  if (body) {
    struct web_page pg = {r->page, r->per_page};
    long per = r->per_page > 0 ? r->per_page : 1;
    long long last = r->total < SK_SEARCH_MAX_RESULTS ? r->total : SK_SEARCH_MAX_RESULTS;
    json_object_set_new(body, "total_pages", json_integer((r->total + per - 1) / per));
    json_object_set_new(body, "next", web_next_link(x, &pg, last));
  }
  sk_search_result_free(r);
  return web_reply_json(x, 200, body);
}

int web_api_suggest(struct web_ctx *x) {
  long limit;
  if (web_arg_int(x, "limit", 1, SK_SUGGEST_MAX, 10, &limit))
    return SK_EINVAL;
  const char *q = web_arg(x, "q");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  struct sk_suggest_result *r = NULL;
  if (sk_suggest(w->searcher, q ? q : "", (int)limit, &r) != SK_OK || !r)
    return web_unavailable(x, "Suggesties lukken nu niet. Probeer het opnieuw.");
  json_t *body = sk_suggest_result_json(r);
  sk_suggest_result_free(r);
  int rc = web_reply_json(x, 200, body);
  x->out.cache = "public, max-age=300";
  return rc;
}

