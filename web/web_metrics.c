/* /metrics in the Prometheus text format (version 0.0.4): requests by route
 * and status, a latency histogram per route, index age and feed health. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "web_internal.h"

const double web_lat_bounds_ms[WEB_LAT_BUCKETS] = {0.25, 0.5, 1,   2.5, 5,    10,
                                                   20,   50,  100, 250, 1000, 5000};
const int web_status_codes[WEB_STATUS_SLOTS] = {200, 204, 304, 400, 404, 405,
                                                413, 414, 500, 503, 429, 0};

void web_metrics_record(struct web_server *srv, enum web_route r, int status, double ms) {
  if ((unsigned)r >= WR_COUNT)
    r = WR_NOT_FOUND;
  int slot = WEB_STATUS_SLOTS - 1;
  for (int i = 0; i < WEB_STATUS_SLOTS - 1; i++)
    if (web_status_codes[i] == status) {
      slot = i;
      break;
    }
  atomic_fetch_add_explicit(&srv->m.requests[r][slot], 1, memory_order_relaxed);
  int b = 0;
  while (b < WEB_LAT_BUCKETS && ms > web_lat_bounds_ms[b])
    b++;
  if (b < WEB_LAT_BUCKETS)
    atomic_fetch_add_explicit(&srv->m.lat_bucket[r][b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&srv->m.lat_count[r], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&srv->m.lat_sum_us[r], (unsigned long long)(ms * 1000.0),
                            memory_order_relaxed);
}

/* Feed ids come from the registry (lower case, digits, '-'); escape the
 * label anyway. */
static int label_value(struct sk_buf *b, const char *s) {
  for (; s && *s; s++) {
    int rc = (*s == '"' || *s == '\\') ? sk_buf_printf(b, "\\%c", *s)
             : *s == '\n'              ? sk_buf_addstr(b, "\\n")
                                       : sk_buf_addc(b, *s);
    if (rc)
      return rc;
  }
  return SK_OK;
}

int web_metrics_handler(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  struct sk_buf b;
  sk_buf_init(&b, 1024 * 1024);
  int rc = sk_buf_addstr(&b, "# HELP sk_http_requests_total HTTP requests by route and status.\n"
                             "# TYPE sk_http_requests_total counter\n");
  for (int r = 0; r < WR_COUNT && !rc; r++)
    for (int i = 0; i < WEB_STATUS_SLOTS && !rc; i++) {
      unsigned long long n = atomic_load(&srv->m.requests[r][i]);
      if (!n)
        continue;
      if (web_status_codes[i])
        rc = sk_buf_printf(&b, "sk_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                           web_route_name((enum web_route)r), web_status_codes[i], n);
      else
        rc = sk_buf_printf(&b, "sk_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                           web_route_name((enum web_route)r), n);
    }
  if (!rc)
    rc = sk_buf_addstr(&b, "# HELP sk_http_request_duration_seconds Time to answer a request.\n"
                           "# TYPE sk_http_request_duration_seconds histogram\n");
  for (int r = 0; r < WR_COUNT && !rc; r++) {
    unsigned long long count = atomic_load(&srv->m.lat_count[r]);
    if (!count)
      continue;
    const char *name = web_route_name((enum web_route)r);
    unsigned long long cum = 0;
    for (int i = 0; i < WEB_LAT_BUCKETS && !rc; i++) {
      cum += atomic_load(&srv->m.lat_bucket[r][i]);
      rc = sk_buf_printf(&b,
                         "sk_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                         name, web_lat_bounds_ms[i] / 1000.0, cum);
    }
    if (!rc)
      rc = sk_buf_printf(&b,
                         "sk_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                         "sk_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                         "sk_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                         name, count, name, (double)atomic_load(&srv->m.lat_sum_us[r]) / 1e6, name,
                         count);
  }
  if (!rc)
    rc = sk_buf_printf(&b,
                       "# HELP sk_http_in_flight Requests being answered now.\n"
                       "# TYPE sk_http_in_flight gauge\n"
                       "sk_http_in_flight %d\n"
                       "# HELP sk_uptime_seconds Seconds since the server started.\n"
                       "# TYPE sk_uptime_seconds gauge\n"
                       "sk_uptime_seconds %lld\n",
                       atomic_load(&srv->inflight), (long long)(time(NULL) - srv->started));
  if (!rc)
    rc = sk_buf_printf(&b,
                       "# HELP sk_http_requests_cut_total Requests cut at the whole-request "
                       "deadline (slow clients).\n"
                       "# TYPE sk_http_requests_cut_total counter\n"
                       "sk_http_requests_cut_total %llu\n"
                       "# HELP sk_http_connections_refused_total Connections refused because "
                       "their address held its share.\n"
                       "# TYPE sk_http_connections_refused_total counter\n"
                       "sk_http_connections_refused_total %llu\n",
                       atomic_load(&srv->n_cut), atomic_load(&srv->n_refused));
  if (!rc && srv->forgot) {
    unsigned long long done, dropped;
    web_forgot_counts(srv, &done, &dropped);
    rc = sk_buf_printf(&b,
                       "# HELP sk_password_reset_requests_total 'Wachtwoord vergeten' requests "
                       "looked up (a link made or not), or dropped (queue full).\n"
                       "# TYPE sk_password_reset_requests_total counter\n"
                       "sk_password_reset_requests_total{outcome=\"looked_up\"} %llu\n"
                       "sk_password_reset_requests_total{outcome=\"dropped\"} %llu\n",
                       done, dropped);
  }

  struct web_worker *w = web_worker_get(x);
  if (w && !rc) {
    long long age = web_index_age(w);
    rc = sk_buf_printf(&b,
                       "# HELP sk_index_age_seconds Seconds since the last successful index "
                       "(-1: never).\n"
                       "# TYPE sk_index_age_seconds gauge\n"
                       "sk_index_age_seconds %lld\n",
                       age);
    sqlite3_stmt *s = rc ? NULL : web_stmt(w, WQ_FEEDS);
    if (s)
      sqlite3_bind_int64(s, 1, 0); /* every feed */
    if (s) {
      struct sk_buf up, succ, recs, rej;
      sk_buf_init(&up, 256 * 1024);
      sk_buf_init(&succ, 256 * 1024);
      sk_buf_init(&recs, 256 * 1024);
      sk_buf_init(&rej, 256 * 1024);
      while (!rc && sqlite3_step(s) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        const char *attempt = (const char *)sqlite3_column_text(s, 4);
        const char *success = (const char *)sqlite3_column_text(s, 5);
        int healthy = success && (!attempt || strcmp(success, attempt) >= 0);
        int64_t t = 0;
        if (success)
          web_parse_time(success, &t);
        rc = sk_buf_addstr(&up, "sk_feed_up{feed=\"") || label_value(&up, id) ||
             sk_buf_printf(&up, "\"} %d\n", healthy) ||
             sk_buf_addstr(&succ, "sk_feed_last_success_timestamp_seconds{feed=\"") ||
             label_value(&succ, id) || sk_buf_printf(&succ, "\"} %lld\n", (long long)t) ||
             sk_buf_addstr(&recs, "sk_feed_records{feed=\"") || label_value(&recs, id) ||
             sk_buf_printf(&recs, "\"} %lld\n", (long long)sqlite3_column_int64(s, 7)) ||
             sk_buf_addstr(&rej, "sk_feed_rejected_records{feed=\"") || label_value(&rej, id) ||
             sk_buf_printf(&rej, "\"} %lld\n", (long long)sqlite3_column_int64(s, 12));
      }
      sqlite3_reset(s);
      if (!rc)
        rc = sk_buf_addstr(&b, "# HELP sk_feed_up 1 when the last fetch of the feed succeeded.\n"
                               "# TYPE sk_feed_up gauge\n") ||
             sk_buf_addstr(&b, sk_buf_str(&up)) ||
             sk_buf_addstr(&b, "# HELP sk_feed_last_success_timestamp_seconds Last successful "
                               "fetch (0: never).\n"
                               "# TYPE sk_feed_last_success_timestamp_seconds gauge\n") ||
             sk_buf_addstr(&b, sk_buf_str(&succ)) ||
             sk_buf_addstr(&b, "# HELP sk_feed_records Records in the feed at the last run.\n"
                               "# TYPE sk_feed_records gauge\n") ||
             sk_buf_addstr(&b, sk_buf_str(&recs)) ||
             sk_buf_addstr(&b, "# HELP sk_feed_rejected_records Records rejected at the last "
                               "run.\n"
                               "# TYPE sk_feed_rejected_records gauge\n") ||
             sk_buf_addstr(&b, sk_buf_str(&rej));
      sk_buf_free(&up);
      sk_buf_free(&succ);
      sk_buf_free(&recs);
      sk_buf_free(&rej);
    }
  }
  if (!rc)
    rc = web_search_cache_metrics(&b);
  if (rc) {
    sk_buf_free(&b);
    return web_unavailable(x, "De meetwaarden zijn te groot.");
  }
  size_t len;
  x->out.body = sk_buf_detach(&b, &len);
  if (!x->out.body)
    return web_unavailable(x, "Geen geheugen vrij.");
  x->out.len = len;
  x->out.status = 200;
  x->out.ctype = "text/plain; version=0.0.4; charset=utf-8";
  x->out.cache = "no-store";
  return SK_OK;
}
