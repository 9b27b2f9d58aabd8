/* The server's mail sender: password-reset links go out at once instead of
 * waiting for the next `sociale-kaart reminders` run (docs/operations.md).
 * One thread with its own writable store, so a slow SMTP server never holds
 * portal_mu or a request. The monthly reminders stay with the reminders
 * command; only messages of the period "wachtwoord:..." are sent here. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "sk_mail.h"
#include "sk_portal.h"
#include "web_internal.h"

#define MAIL_RETRY_S 60
#define MAIL_PERIOD_PREFIX "wachtwoord:"

struct web_mailer {
  struct web_server *srv;
  char *url, *from, *user, *password; /* owned copies */
  struct sk_mail_config cfg;          /* points into the copies */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int kicked, stop; /* guarded by mu */
  atomic_ullong sent;
};

static char *dup_opt(const char *s) { return s ? strdup(s) : NULL; }

static void mailer_free(struct web_mailer *m) {
  if (!m)
    return;
  free(m->url);
  free(m->from);
  free(m->user);
  free(m->password);
  pthread_cond_destroy(&m->cv);
  pthread_mutex_destroy(&m->mu);
  free(m);
}

/* One pass over the outbox; 1 when something is left to retry. */
static int send_pass(struct web_mailer *m, struct sk_store **st) {
  char err[512] = "";
  if (!*st && sk_store_open(m->srv->db_path, 0, st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart serve: mail: %s\n", err[0] ? err : "cannot open the database");
    *st = NULL;
    return 1;
  }
  sk_store_set_busy_wait(*st, WEB_WRITE_WAIT_MS);
  struct sk_portal p;
  sk_portal_init(&p, *st, m->srv->tax);
  struct sk_mail_counts n;
  if (sk_mail_send_outbox(&p, &m->cfg, MAIL_PERIOD_PREFIX, "sociale-kaart serve: mail", &n) !=
      SK_OK)
    return 1;
  atomic_fetch_add(&m->sent, n.sent);
  return n.failed > 0;
}

static void *mailer_main(void *arg) {
  struct web_mailer *m = arg;
  struct sk_store *st = NULL;
  /* Links queued while the server was down (or had no SMTP) go first. */
  int retry = send_pass(m, &st);
  pthread_mutex_lock(&m->mu);
  while (!m->stop) {
    if (!m->kicked) {
      if (retry) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += MAIL_RETRY_S;
        while (!m->stop && !m->kicked &&
               pthread_cond_timedwait(&m->cv, &m->mu, &until) != ETIMEDOUT) {
        }
      } else {
        while (!m->stop && !m->kicked)
          pthread_cond_wait(&m->cv, &m->mu);
      }
    }
    if (m->stop)
      break;
    m->kicked = 0;
    pthread_mutex_unlock(&m->mu);
    retry = send_pass(m, &st);
    pthread_mutex_lock(&m->mu);
  }
  pthread_mutex_unlock(&m->mu);
  sk_store_close(st);
  return NULL;
}

int web_mailer_start(struct web_server *srv, const struct sk_mail_config *c) {
  if (!c || !c->url || !*c->url)
    return SK_OK;
  if (!sk_mail_header_safe(c->from) || !strchr(c->from, '@'))
    return SK_EINVAL;
  struct web_mailer *m = calloc(1, sizeof *m);
  if (!m)
    return SK_ENOMEM;
  m->srv = srv;
  pthread_mutex_init(&m->mu, NULL);
  pthread_cond_init(&m->cv, NULL);
  m->url = dup_opt(c->url);
  m->from = dup_opt(c->from);
  m->user = dup_opt(c->user);
  m->password = dup_opt(c->password);
  if (!m->url || !m->from || (c->user && !m->user) || (c->password && !m->password)) {
    mailer_free(m);
    return SK_ENOMEM;
  }
  m->cfg = (struct sk_mail_config){m->url, m->from, m->user, m->password};
  if (sk_mail_global_init() != SK_OK || pthread_create(&m->thread, NULL, mailer_main, m) != 0) {
    mailer_free(m);
    return SK_EIO;
  }
  srv->mailer = m;
  return SK_OK;
}

void web_mailer_kick(struct web_server *srv) {
  struct web_mailer *m = srv->mailer;
  if (!m)
    return;
  pthread_mutex_lock(&m->mu);
  m->kicked = 1;
  pthread_cond_signal(&m->cv);
  pthread_mutex_unlock(&m->mu);
}

void web_mailer_stop(struct web_server *srv) {
  struct web_mailer *m = srv->mailer;
  if (!m)
    return;
  pthread_mutex_lock(&m->mu);
  m->stop = 1;
  pthread_cond_signal(&m->cv);
  pthread_mutex_unlock(&m->mu);
  pthread_join(m->thread, NULL); /* at most one SMTP exchange (60 s cap) */
  mailer_free(m);
  srv->mailer = NULL;
}
