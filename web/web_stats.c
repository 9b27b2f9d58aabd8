/* Search statistics for the dashboard (sk_portal.h, "search statistics"):
 * each search's normalised query and a monthly-keyed visitor hash are kept
 * in memory and written in batches through the portal's writer connection.
 * Best effort by design: a batch the database refuses is dropped (and
 * logged), never a reason to slow down or fail a search. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "sk_portal.h"
#include "web_internal.h"

#define STATS_BATCH 256
#define STATS_FLUSH_SECONDS 60

struct web_stats {
  pthread_mutex_t mu; /* guards everything below */
  struct sk_stats_hit hits[STATS_BATCH];
  size_t n;
  time_t first; /* when hits[0] was taken */
  char month[8];
  unsigned char key[32];
  int have_key;
  int warned;
};

struct web_stats *web_stats_new(void) {
  struct web_stats *st = calloc(1, sizeof *st);
  if (st)
    pthread_mutex_init(&st->mu, NULL);
  return st;
}

/* Write the batch (called with st->mu held; takes portal_mu inside). */
static void flush_locked(struct web_server *srv, struct web_stats *st) {
  if (!st->n)
    return;
  pthread_mutex_lock(&srv->portal_mu);
  int rc = sk_stats_store(srv->pst, st->hits, st->n, st->month);
  pthread_mutex_unlock(&srv->portal_mu);
  if (rc != SK_OK && !st->warned) {
    fprintf(stderr, "sociale-kaart serve: search statistics not stored (%s); dropped\n",
            sk_strerror(rc));
    st->warned = 1;
  }
  st->n = 0;
}

void web_stats_free(struct web_server *srv, struct web_stats *st) {
  if (!st)
    return;
  pthread_mutex_lock(&st->mu);
  if (srv && srv->pst)
    flush_locked(srv, st);
  sodium_memzero(st->key, sizeof st->key);
  pthread_mutex_unlock(&st->mu);
  pthread_mutex_destroy(&st->mu);
  free(st);
}

void web_stats_record(struct web_ctx *x, const char *q, long results, int crisis) {
  struct web_server *srv = x->srv;
  struct web_stats *st = srv->stats;
  char norm[SK_STATS_QUERY_MAX + 1];
  if (!st || x->professional || !sk_stats_normalize(q, norm))
    return; /* professionals' searches are work, not residents' needs */
  char ip[64];
  web_client_ip(x, ip);
  const char *agent = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "User-Agent");
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  char month[8];
  strftime(month, sizeof month, "%Y-%m", &tm);
  pthread_mutex_lock(&st->mu);
  if (!st->have_key || strcmp(month, st->month) != 0) {
    flush_locked(srv, st); /* the old month's hits under the old month */
    pthread_mutex_lock(&srv->portal_mu);
    int rc = sk_stats_month_key(srv->pst, month, st->key);
    pthread_mutex_unlock(&srv->portal_mu);
    if (rc != SK_OK) {
      st->have_key = 0;
      pthread_mutex_unlock(&st->mu);
      return;
    }
    snprintf(st->month, sizeof st->month, "%s", month);
    st->have_key = 1;
  }
  struct sk_stats_hit *h = &st->hits[st->n];
  snprintf(h->month, sizeof h->month, "%s", st->month);
  snprintf(h->query, sizeof h->query, "%s", norm);
  sk_stats_visitor(st->key, ip, agent, h->visitor);
  h->results = results;
  h->crisis = crisis ? 1 : 0;
  /* One visitor's query once per batch (at most STATS_FLUSH_SECONDS): the
   * server-rendered /zoeken and the script's fetch of the same query for
   * its facets are one search; what it found is the latest answer's. */
  for (size_t i = 0; i < st->n; i++)
    if (strcmp(st->hits[i].query, h->query) == 0 && strcmp(st->hits[i].visitor, h->visitor) == 0) {
      if (results >= 0)
        st->hits[i].results = results;
      st->hits[i].crisis |= h->crisis;
      pthread_mutex_unlock(&st->mu);
      return;
    }
  if (st->n++ == 0)
    st->first = now;
  if (st->n == STATS_BATCH || now - st->first >= STATS_FLUSH_SECONDS)
    flush_locked(srv, st);
  pthread_mutex_unlock(&st->mu);
}

void web_stats_flush(struct web_server *srv) {
  if (!srv->stats)
    return;
  pthread_mutex_lock(&srv->stats->mu);
  flush_locked(srv, srv->stats);
  pthread_mutex_unlock(&srv->stats->mu);
}
