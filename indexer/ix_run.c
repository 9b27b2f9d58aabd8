#include "ix_run.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ix_classify.h"
#include "ix_kind.h"
#include "ix_partner_json.h"
#include "ix_validate.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"

#include "ix_hsds.h"
#include "ix_ical.h"

void ix_run_opts_default(struct ix_run_opts *o) {
  memset(o, 0, sizeof *o);
  ix_fetch_opts_default(&o->fetch);
}

void ix_slug(const char *name, char *out, size_t outlen) {
  if (!outlen)
    return;
  struct sk_buf folded;
  sk_buf_init(&folded, 4096);
  const char *src = name;
  if (sk_fold(name, strlen(name), &folded) == SK_OK)
    src = sk_buf_str(&folded);
  size_t w = 0;
  int dash = 0;
  for (const char *p = src; *p && w + 1 < outlen; p++) {
    char c = *p;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && w)
        out[w++] = '-';
      if (w + 1 < outlen)
        out[w++] = c;
      dash = 0;
    } else if (c >= 'A' && c <= 'Z') {
      if (dash && w)
        out[w++] = '-';
      if (w + 1 < outlen)
        out[w++] = (char)(c - 'A' + 'a');
      dash = 0;
    } else {
      dash = 1;
    }
  }
  out[w] = '\0';
  if (w == 0)
    snprintf(out, outlen, "organisatie");
  sk_buf_free(&folded);
}

static void stage(const struct ix_run_opts *o, size_t i, size_t n, const char *id, const char *s) {
  if (o && o->on_stage)
    o->on_stage(o->ctx, i, n, id, s);
}

/* What the registry says for fields a format cannot carry; only where the
 * record has none. */
static int fill_defaults(const struct ix_feed *f, struct ix_batch *b) {
  const struct ix_feed_defaults *d = &f->defaults;
  const char *org_key = NULL;
  if (d->organization) {
    char slug[128];
    ix_slug(d->organization, slug, sizeof slug);
    int need_org = 0;
    for (size_t i = 0; i < b->services.n; i++)
      need_org |= b->services.v[i].org_key == NULL;
    if (need_org) {
      org_key = ix_strdup(b, slug);
      if (!org_key)
        return SK_ENOMEM;
      int have = 0;
      for (size_t i = 0; i < b->orgs.n; i++)
        have |= strcmp(b->orgs.v[i].key, org_key) == 0;
      if (!have) {
        struct ix_org *o = ix_batch_add_org(b);
        if (!o || !(o->name = ix_strdup(b, d->organization)))
          return SK_ENOMEM;
        o->key = org_key;
      }
    }
  }
  for (size_t i = 0; i < b->services.n; i++) {
    struct ix_service *s = &b->services.v[i];
    if (!s->org_key)
      s->org_key = org_key;
    if (s->needs.n == 0)
      for (size_t j = 0; j < d->n_needs; j++)
        if (ix_strv_push(b, &s->needs, d->needs[j]))
          return SK_ENOMEM;
    if (s->target_groups.n == 0)
      for (size_t j = 0; j < d->n_target_groups; j++)
        if (ix_strv_push(b, &s->target_groups, d->target_groups[j]))
          return SK_ENOMEM;
    if (s->areas.n == 0 && d->municipality) {
      struct ix_area *a = IX_PUSH(b, s->areas);
      if (!a || !(a->code = ix_strdup(b, d->municipality)))
        return SK_ENOMEM;
      a->min_age = a->max_age = IX_UNSET;
    }
    if (!s->access && d->access && !(s->access = ix_strdup(b, d->access)))
      return SK_ENOMEM;
    if (!s->cost && d->cost && !(s->cost = ix_strdup(b, d->cost)))
      return SK_ENOMEM;
  }
  return SK_OK;
}

/* Valid HSDS needs no organisation (service.organization_id is optional in
 * 3.0 and 3.1) and may name one the document does not hold (an API serves
 * them at /organizations). We show every offering with its organisation:
 * such a service gets a stand-in named after the feed's partner, under the
 * key the service names (so the real organisation, once the feed brings
 * it, is the same record) or, without one, "partner:<slug>". One warning
 * for each case. Kinds of other people's formats only (kind->classify). */
static int stand_in_orgs(const struct ix_feed *f, struct ix_batch *b) {
  if (!f->partner || !*f->partner)
    return SK_OK;
  struct ix_keymap have = {0};
  int rc = SK_OK;
  for (size_t i = 0; i < b->orgs.n && !rc; i++)
    if (b->orgs.v[i].key) {
      int r = ix_keymap_put(&have, b->orgs.v[i].key, i);
      if (r && r != SK_ECONFLICT)
        rc = r;
    }
  size_t n_none = 0, n_foreign = 0;
  const char *example = NULL, *own_key = NULL;
  for (size_t i = 0; i < b->services.n && !rc; i++) {
    struct ix_service *s = &b->services.v[i];
    if (!s->org_key) {
      if (!own_key) {
        char slug[128];
        ix_slug(f->partner, slug, sizeof slug);
        if (!(own_key = ix_printf(b, "partner:%s", slug))) {
          rc = SK_ENOMEM;
          break;
        }
      }
      s->org_key = own_key;
      n_none++;
    } else if (!ix_keymap_get(&have, s->org_key, NULL)) {
      n_foreign++;
      if (!example)
        example = s->org_key;
    } else {
      continue;
    }
    if (ix_keymap_get(&have, s->org_key, NULL))
      continue;
    struct ix_org *o = ix_batch_add_org(b);
    if (!o || !(o->name = ix_strdup(b, f->partner)) || !(o->key = ix_strdup(b, s->org_key)) ||
        ix_keymap_put(&have, o->key, b->orgs.n - 1)) {
      rc = SK_ENOMEM;
      break;
    }
  }
  /* A location naming an organisation the document does not hold (an
   * API's /locations): the same stand-in, so the location is kept. */
  for (size_t i = 0; i < b->locations.n && !rc; i++) {
    const char *k = b->locations.v[i].org_key;
    if (!k || ix_keymap_get(&have, k, NULL))
      continue;
    n_foreign++;
    if (!example)
      example = k;
    struct ix_org *o = ix_batch_add_org(b);
    if (!o || !(o->name = ix_strdup(b, f->partner)) || !(o->key = ix_strdup(b, k)) ||
        ix_keymap_put(&have, o->key, b->orgs.n - 1))
      rc = SK_ENOMEM;
  }
  ix_keymap_free(&have);
  if (!rc && n_none &&
      ix_batch_warn(b,
                    "%zu diensten zonder organisatie: we tonen ze bij de partner van de feed "
                    "('%.80s'). Geef organization of organization_id mee, of een "
                    "standaardorganisatie (defaults.organization).",
                    n_none, f->partner))
    rc = SK_ENOMEM;
  if (!rc && n_foreign &&
      ix_batch_warn(b,
                    "%zu diensten of locaties noemen een organisatie die niet in de feed staat "
                    "(bijvoorbeeld "
                    "'%.80s'): we tonen ze bij de partner van de feed ('%.80s') tot de feed die "
                    "organisatie meegeeft.",
                    n_foreign, example, f->partner))
    rc = SK_ENOMEM;
  return rc;
}

static int parse_one(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                     const char *data, size_t len, struct ix_batch *b, int *total_pages, char *err,
                     size_t errlen) {
  *total_pages = 1;
  const struct ix_feed_kind *k = ix_feed_kind_find(f->kind);
  if (!k) { /* the registry refuses unknown kinds; a hand-made ix_feed may not */
    snprintf(err, errlen, "Onbekende soort feed '%s'.", f->kind);
    return SK_EINVAL;
  }
  return k->parse(f, tax, now, data, len, b, total_pages, err, errlen);
}

/* A failed fetch: its Dutch reason, else a generic one. */
static void fetch_error(const struct ix_fetch_result *r, int rc, char *err, size_t errlen) {
  if (r->error[0])
    snprintf(err, errlen, "%s", r->error);
  else
    snprintf(err, errlen, "De feed kon niet worden opgehaald (%s).", sk_strerror(rc));
}

/* The /services address of an HSDS API whose root is url (http or https,
 * not already /services): "https://x/hsds/" -> "https://x/hsds/services",
 * a query string kept after it. 1 when written into out. */
static int api_services_url(const char *url, char *out, size_t cap) {
  if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
    return 0;
  size_t path = strcspn(url, "?#");
  size_t end = path;
  while (end > 0 && url[end - 1] == '/')
    end--;
  if (end >= 9 && strncmp(url + end - 9, "/services", 9) == 0)
    return 0;
  int n = snprintf(out, cap, "%.*s/services%s", (int)end, url, url + path);
  return n > 0 && (size_t)n < cap;
}

/* The address of page p: the feed's address with its page parameter set
 * to p ("…/services?per_page=200&page=1" → "…&page=2"; without one,
 * "?page=p" or "&page=p" is added). out has room for base + 32. */
static void page_url(const char *base, int p, char *out, size_t cap) {
  const char *q = strchr(base, '?');
  const char *at = NULL;
  for (const char *s = q; s && *s; s = strchr(s + 1, '&')) {
    if (strncmp(s + 1, "page=", 5) == 0) {
      at = s + 1;
      break;
    }
  }
  if (!at) {
    snprintf(out, cap, "%s%cpage=%d", base, q ? '&' : '?', p);
    return;
  }
  const char *end = strchr(at, '&');
  snprintf(out, cap, "%.*spage=%d%s", (int)(at - base), base, p, end ? end : "");
}

static int fetch_pages(const struct ix_feed *f, const struct sk_taxonomy *tax,
                       const struct ix_run_opts *o, int64_t now, int total_pages,
                       const char *first_hash, const char *known_hash, struct ix_batch *b,
                       struct ix_load_info *info, char *err, size_t errlen) {
  if (strncmp(f->url, "file://", 7) == 0) {
    ix_batch_warn(b,
                  "De feed heeft %d pagina's, maar een bestand heeft er maar één; we lezen "
                  "alleen de eerste.",
                  total_pages);
    snprintf(info->content_hash, sizeof info->content_hash, "%s", first_hash);
    return SK_OK;
  }
  /* The pages together are the feed: hash them together. */
  crypto_generichash_state h;
  unsigned char d[16];
  crypto_generichash_init(&h, NULL, 0, sizeof d);
  crypto_generichash_update(&h, (const unsigned char *)first_hash, strlen(first_hash));
  size_t ulen = strlen(f->url) + 32;
  char *url = malloc(ulen);
  if (!url)
    return SK_ENOMEM;
  int rc = SK_OK;
  /* Pages are numbered from 1 (HSDS) or from 0 (Spring: the first said
   * "number": 0); either way total_pages of them. */
  int base = b->zero_based_pages ? 0 : 1;
  for (int p = base + 1; p < base + total_pages && !rc; p++) {
    page_url(f->url, p, url, ulen);
    struct ix_fetch_result r;
    rc = ix_fetch(&o->fetch, url, NULL, NULL, NULL, &r);
    if (rc) {
      fetch_error(&r, rc, err, errlen);
      size_t n = strlen(err);
      snprintf(err + n, errlen - n, " (pagina %d)", p);
    } else if (!r.body) {
      snprintf(err, errlen, "Pagina %d van de feed is leeg.", p);
      rc = SK_EFETCH;
    } else {
      crypto_generichash_update(&h, (const unsigned char *)r.content_hash, strlen(r.content_hash));
      int pages_again;
      rc = parse_one(f, tax, now, r.body, r.len, b, &pages_again, err, errlen);
      if (!rc && r.warning[0] && ix_batch_warn(b, "Pagina %d: %s", p, r.warning))
        rc = SK_ENOMEM;
      if (rc) {
        size_t n = strlen(err);
        snprintf(err + n, errlen - n, " (pagina %d)", p);
      }
    }
    ix_fetch_result_free(&r);
  }
  free(url);
  if (rc)
    return rc;
  crypto_generichash_final(&h, d, sizeof d);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, d, sizeof d);
  snprintf(info->content_hash, sizeof info->content_hash, "pages:%s", hex);
  if (known_hash && strcmp(known_hash, info->content_hash) == 0)
    info->not_modified = 1;
  return SK_OK;
}

int ix_feed_load(const struct ix_feed *f, const struct sk_taxonomy *tax,
                 const struct ix_run_opts *o, const char *etag, const char *last_modified,
                 const char *known_hash, struct ix_batch *b, struct ix_load_info *info, char *err,
                 size_t errlen) {
  struct ix_run_opts defaults;
  if (!o) {
    ix_run_opts_default(&defaults);
    o = &defaults;
  }
  memset(info, 0, sizeof *info);
  err[0] = '\0';
  int64_t now = o->now ? o->now : (int64_t)time(NULL);
  /* A feed that had several pages last time is only unchanged when all of
   * its pages are: the first page alone cannot tell. */
  int paged_before = known_hash && strncmp(known_hash, "pages:", 6) == 0;
  const struct ix_feed_kind *kind = ix_feed_kind_find(f->kind);
  int rc;
  /* A kind that reads a folder (the HSDS tabular package): a file:// of a
   * directory is read member by member, every time (no validators). */
  struct stat sb;
  const char *path = strncmp(f->url, "file://", 7) == 0 ? f->url + 7 : NULL;
  if (path && strncmp(path, "localhost/", 10) == 0)
    path += 9;
  if (kind && kind->parse_dir && path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    rc = kind->parse_dir(f, tax, now, path, b, err, errlen);
    goto parsed;
  }
  struct ix_fetch_opts fo = o->fetch;
  fo.binary = kind && kind->binary;
  struct ix_fetch_result r;
  rc = ix_fetch(&fo, f->url, paged_before ? NULL : etag, paged_before ? NULL : last_modified,
                paged_before ? NULL : known_hash, &r);
  if (rc) {
    fetch_error(&r, rc, err, errlen);
    ix_fetch_result_free(&r);
    return rc;
  }
  snprintf(info->etag, sizeof info->etag, "%s", r.etag);
  snprintf(info->last_modified, sizeof info->last_modified, "%s", r.last_modified);
  snprintf(info->content_hash, sizeof info->content_hash, "%s", r.content_hash);
  if (r.not_modified || !r.body) {
    info->not_modified = 1;
    ix_fetch_result_free(&r);
    return SK_OK;
  }
  int total_pages = 1;
  rc = parse_one(f, tax, now, r.body, r.len, b, &total_pages, err, errlen);
  if (!rc && r.warning[0] && ix_batch_warn(b, "%s", r.warning))
    rc = SK_ENOMEM;
  ix_fetch_result_free(&r);
  /* The address is an HSDS API's root (its base: version, openapi_url):
   * its data is at /services. Read that, once, and say so. */
  size_t scap = strlen(f->url) + 16;
  char *services = rc == SK_EPARSE && b->api_base ? malloc(scap) : NULL;
  if (services && api_services_url(f->url, services, scap)) {
    struct ix_feed g = *f;
    g.url = services;
    size_t cap = b->arena.max;
    ix_batch_free(b);
    ix_batch_init(b, cap);
    rc = ix_feed_load(&g, tax, o, NULL, NULL, known_hash, b, info, err, errlen);
    if (!rc && !info->not_modified &&
        ix_batch_warn(b,
                      "Het adres van de feed is de beschrijving van een HSDS-API; we lezen de "
                      "diensten van %.200s. Zet dat adres in de feed.",
                      services))
      rc = SK_ENOMEM;
    free(services);
    return rc;
  }
  free(services);
  if (!rc && total_pages > 1) {
    char first[80];
    snprintf(first, sizeof first, "%s", info->content_hash);
    rc = fetch_pages(f, tax, o, now, total_pages, first, known_hash, b, info, err, errlen);
    if (!rc && info->not_modified) {
      ix_batch_free(b);
      return SK_OK;
    }
  }
parsed:
  if (!rc && (rc = fill_defaults(f, b)) != SK_OK)
    snprintf(err, errlen, "Te weinig geheugen om de feed te lezen.");
  if (!rc && kind && kind->classify && (rc = stand_in_orgs(f, b)) != SK_OK)
    snprintf(err, errlen, "Te weinig geheugen om de feed te lezen.");
  /* HSDS does not carry our codes: what the source and the defaults leave
   * open is proposed by us and marked for the redactie. */
  if (!rc && kind && kind->classify && (rc = ix_classify_batch(b, tax, NULL)) != SK_OK)
    snprintf(err, errlen, "Te weinig geheugen om de feed in te delen.");
  if (!rc && (rc = ix_validate_batch(b, tax)) != SK_OK)
    snprintf(err, errlen, "Te weinig geheugen om de feed te controleren.");
  if (rc && !err[0])
    snprintf(err, errlen, "De feed kon niet worden gelezen (%s).", sk_strerror(rc));
  return rc;
}

/* What the last good run stored for this feed. */
/* A calendar's occurrences are expanded over a window that moves with the
 * day: an unchanged .ics must still be read again on a new day. */
static void stored_validators(struct sk_store *st, const struct ix_feed *f, char *etag,
                              size_t etaglen, char *lm, size_t lmlen, char *hash, size_t hashlen) {
  etag[0] = lm[0] = hash[0] = '\0';
  sqlite3_stmt *s = NULL;
  char today[32];
  sk_now_iso(today);
  today[10] = '\0';
  if (sqlite3_prepare_v2(st->db,
                         "SELECT http_etag, http_last_modified, content_hash FROM feed "
                         "WHERE id = ?1 AND last_success IS NOT NULL AND"
                         " (?2 = 0 OR substr(last_success, 1, 10) = ?3)",
                         -1, &s, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text(s, 1, f->id, -1, SQLITE_STATIC);
  const struct ix_feed_kind *k = ix_feed_kind_find(f->kind);
  sqlite3_bind_int(s, 2, k && k->refetch_daily);
  sqlite3_bind_text(s, 3, today, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    const char *v;
    if ((v = (const char *)sqlite3_column_text(s, 0)))
      snprintf(etag, etaglen, "%s", v);
    if ((v = (const char *)sqlite3_column_text(s, 1)))
      snprintf(lm, lmlen, "%s", v);
    if ((v = (const char *)sqlite3_column_text(s, 2)))
      snprintf(hash, hashlen, "%s", v);
  }
  sqlite3_finalize(s);
}

/* One feed on its way through a run. Loading (fetch, parse, defaults,
 * validate, prepare) touches no store, so it runs on a worker thread for
 * the next feed while the current one is written: the store is written by
 * one thread only, in registry order. */
struct feed_job {
  const struct ix_feed *f;
  const struct sk_taxonomy *tax;
  const struct ix_run_opts *o;
  struct ix_feed_report *rep;
  double load_seconds; /* fetch .. prepare, on whichever thread */
  int ready;           /* registered and validators read: load may start */
  char etag[256], lm[128], hash[80];
  struct ix_batch b;
  struct ix_load_info info;
  int rc; /* of the load */
  pthread_t thread;
  int threaded; /* thread must be joined */
};

/* Main thread: register the feed and read what the last good run stored. */
static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void job_begin(struct sk_store *st, struct feed_job *j) {
  struct ix_feed_report *rep = j->rep;
  const struct ix_feed *f = j->f;
  memset(rep, 0, sizeof *rep);
  snprintf(rep->id, sizeof rep->id, "%s", f->id);
  snprintf(rep->kind, sizeof rep->kind, "%s", f->kind);
  ix_batch_init(&j->b, IX_RUN_BATCH_MAX);
  if (ix_apply_register_feed(st, f->id, f->partner, f->kind, f->location, f->enabled) != SK_OK) {
    snprintf(rep->error, sizeof rep->error, "De database is bezet of niet schrijfbaar: %s",
             sqlite3_errmsg(st->db));
    rep->failed = 1;
    return;
  }
  stored_validators(st, f, j->etag, sizeof j->etag, j->lm, sizeof j->lm, j->hash, sizeof j->hash);
  j->ready = 1;
}

/* Any thread: no store, no callbacks. */
static void *job_load(void *arg) {
  struct feed_job *j = arg;
  const struct ix_run_opts *o = j->o;
  double t0 = now_seconds();
  j->rc = ix_feed_load(j->f, j->tax, o, o->force || !j->etag[0] ? NULL : j->etag,
                       o->force || !j->lm[0] ? NULL : j->lm,
                       o->force || !j->hash[0] ? NULL : j->hash, &j->b, &j->info, j->rep->error,
                       sizeof j->rep->error);
  /* Hashes and ids ahead of the write; on failure ix_apply does it. */
  if (j->rc == SK_OK && !j->info.not_modified && ix_apply_prepare(j->f->id, &j->b) != SK_OK) {
    /* out of memory: nothing is marked prepared and ix_apply does it all */
  }
  j->load_seconds = now_seconds() - t0;
  return NULL;
}

static void job_start(struct feed_job *j) {
  if (!j->ready)
    return;
  if (pthread_create(&j->thread, NULL, job_load, j) == 0)
    j->threaded = 1;
  else
    job_load(j); /* no thread: load here */
}

/* Keep the feed's data and record why this run failed. When even that
 * cannot be written, the report says so too. */
static void record_error(struct sk_store *st, const char *feed_id, struct ix_feed_report *rep,
                         const struct ix_batch *rejections) {
  if (ix_apply_record_error(st, feed_id, rep->error, rejections) != SK_OK) {
    size_t n = strlen(rep->error);
    snprintf(rep->error + n, sizeof rep->error - n, " (De fout kon niet worden bewaard.)");
  }
}

/* Main thread: wait for the load, then write (or record why not). */
static void job_finish(struct sk_store *st, struct feed_job *j, size_t index, size_t total) {
  struct ix_feed_report *rep = j->rep;
  const struct ix_feed *f = j->f;
  const struct ix_run_opts *o = j->o;
  double t0 = now_seconds();
  if (j->ready) {
    stage(o, index, total, f->id, "ophalen");
    if (j->threaded) {
      pthread_join(j->thread, NULL);
      j->threaded = 0;
    }
    t0 = now_seconds();
    if (j->rc) {
      rep->failed = 1;
      record_error(st, f->id, rep, NULL);
    } else if (j->info.not_modified) {
      rep->not_modified = 1;
      if (ix_apply_record_unchanged(st, f->id, &rep->stats)) {
        rep->failed = 1;
        snprintf(rep->error, sizeof rep->error, "Databasefout: %s", sqlite3_errmsg(st->db));
      }
    } else {
      struct ix_load_info *info = &j->info;
      rep->n_warnings = (long)j->b.warnings.n;
      stage(o, index, total, f->id, "opslaan");
      struct ix_apply_meta meta = {
          .etag = info->etag[0] ? info->etag : NULL,
          .last_modified = info->last_modified[0] ? info->last_modified : NULL,
          .content_hash = info->content_hash[0] ? info->content_hash : NULL};
      int rc = ix_apply(st, f->id, &j->b, &meta, &rep->stats, rep->error, sizeof rep->error);
      if (rc) {
        rep->failed = 1;
        rep->held = rep->stats.held;
        rep->stats.n_rejected = (long)j->b.rejections.n;
        record_error(st, f->id, rep, &j->b);
      }
    }
  }
  ix_batch_free(&j->b);
  /* Its own work, not the time it waited behind the feed before it. */
  rep->seconds = j->load_seconds + (now_seconds() - t0);
  if (o->on_feed_done)
    o->on_feed_done(o->ctx, index, total, rep);
}

int ix_run(struct sk_store *st, const struct sk_taxonomy *tax, const struct ix_registry *reg,
           const struct ix_run_opts *o, struct ix_feed_report **reports, size_t *n_reports) {
  struct ix_run_opts defaults;
  if (!o) {
    ix_run_opts_default(&defaults);
    o = &defaults;
  }
  *reports = NULL;
  *n_reports = 0;
  if (o->only_id && !ix_registry_find(reg, o->only_id))
    return SK_ENOTFOUND;
  size_t total = 0;
  for (size_t i = 0; i < reg->n; i++)
    if (o->only_id ? strcmp(reg->feeds[i].id, o->only_id) == 0 : reg->feeds[i].enabled)
      total++;
  struct ix_feed_report *reps = calloc(total ? total : 1, sizeof *reps);
  if (!reps)
    return SK_ENOMEM;
  /* Two jobs in flight at most: the one being written and the next one
   * being loaded (two batches in memory). */
  struct feed_job *jobs = calloc(total ? total : 1, sizeof *jobs);
  if (!jobs) {
    free(reps);
    return SK_ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < reg->n && k < total; i++) {
    const struct ix_feed *f = &reg->feeds[i];
    if (o->only_id ? strcmp(f->id, o->only_id) != 0 : !f->enabled)
      continue;
    jobs[k] = (struct feed_job){.f = f, .tax = tax, .o = o, .rep = &reps[k]};
    k++;
  }
  if (total) {
    job_begin(st, &jobs[0]);
    job_start(&jobs[0]);
  }
  for (k = 0; k < total; k++) {
    if (k + 1 < total) {
      job_begin(st, &jobs[k + 1]);
      job_start(&jobs[k + 1]);
    }
    job_finish(st, &jobs[k], k, total);
  }
  free(jobs);
  /* Let readers' WAL shrink back after a big run. */
  sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  *reports = reps;
  *n_reports = k;
  return SK_OK;
}
