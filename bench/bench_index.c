/* bench_index: indexing throughput of partner-json feeds.
 *
 *   bench_index N [--feed-size K] [--db PATH] [--taxonomy PATH] [--serial]
 *
 * Generates N synthetic offerings (deterministic: the same N gives the same
 * text), split into feeds of at most K offerings (default 100000; one
 * organisation and location per 50 offerings), then times parse, validate
 * and apply of each feed into a fresh store, and a second run over the same
 * feeds (everything unchanged). Generation is not timed.
 *
 * By default feeds go through as in ix_run: the next feed is parsed,
 * validated and prepared (ix_apply_prepare) on a worker thread while the
 * current one is applied; parse/validate are then the worker's times and
 * "total" is the wall time. --serial does one step after the other on one
 * thread (no prepare), the way runs went before. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ix_apply.h"
#include "ix_partner_json.h"
#include "ix_validate.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state;
static uint64_t rnd(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}
#define PICK(arr) (arr[rnd() % (sizeof arr / sizeof arr[0])])

static const char *const w_what[] = {"Spreekuur", "Inloop",     "Cursus", "Hulp",
                                     "Advies",    "Groep",      "Maatje", "Ondersteuning",
                                     "Training",  "Begeleiding"};
static const char *const w_topic[] = {
    "schulden", "administratie", "opvoeding", "eenzaamheid",           "werk", "taal", "mantelzorg",
    "bewegen",  "geheugen",      "wonen",     "digitale vaardigheden", "rouw"};
static const char *const w_place[] = {"Huizen", "Blaricum",  "Eemnes",
                                      "Laren",  "Hilversum", "de regio"};
static const char *const w_sent[] = {"U kunt zonder afspraak binnenlopen.",
                                     "Een vrijwilliger denkt met u mee.",
                                     "We zoeken samen naar een oplossing die bij u past.",
                                     "Neem uw post en papieren mee als dat kan.",
                                     "Het gesprek is vertrouwelijk.",
                                     "Ook voor mantelzorgers en naasten.",
                                     "Wij verwijzen u door als dat nodig is.",
                                     "Bel gerust als u twijfelt.",
                                     "De koffie staat klaar.",
                                     "U hoeft geen verwijzing van de huisarts te hebben."};
static const char *const needs[] = {"geld.schulden",
                                    "geld.administratie",
                                    "opvoeden.vragen",
                                    "ontmoeten.activiteiten",
                                    "werk.zoeken",
                                    "taal.digitaal",
                                    "mantelzorg.ondersteuning",
                                    "gezondheid.bewegen",
                                    "geheugen.ontmoeten",
                                    "wonen.woningzoeken",
                                    "psychisch.klachten",
                                    "thuis.huishouden"};
static const char *const groups[] = {"volwassenen", "ouderen",       "jongeren",
                                     "ouders",      "mantelzorgers", "nieuwkomers"};
static const char *const areas[] = {"huizen", "blaricum", "eemnes", "laren",
                                    "hbel",   "bel",      "regio",  "landelijk"};
static const char *const access_codes[] = {"vrij", "aanmelden", "verwijzing", "indicatie"};
static const char *const cost_codes[] = {"gratis", "eigen-bijdrage", "vergoed", "betaald"};
static const char *const days[] = {"ma", "di", "wo", "do", "vr"};

/* One feed of offerings [first, first + n) as partner-json text. */
static int gen_feed(struct sk_buf *b, long first, long n) {
  sk_buf_reset(b);
  int rc = sk_buf_addstr(b, "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": [");
  long orgs = (n + 49) / 50;
  for (long o = 0; o < orgs && !rc; o++)
    rc = sk_buf_printf(
        b,
        "%s{\"key\": \"org-%ld\", \"name\": \"Stichting Voorbeeld %ld\","
        " \"website\": \"https://org%ld.example.org\", \"phone\": \"035 000 %04ld\"}",
        o ? "," : "", first / 50 + o, first / 50 + o, first / 50 + o, o % 10000);
  if (!rc)
    rc = sk_buf_addstr(b, "], \"locations\": [");
  for (long o = 0; o < orgs && !rc; o++)
    rc = sk_buf_printf(b,
                       "%s{\"key\": \"loc-%ld\", \"organization\": \"org-%ld\", \"name\":"
                       " \"Buurthuis %ld\", \"address\": \"Voorbeeldstraat %ld\", \"postal_code\":"
                       " \"127%ld AB\", \"city\": \"Huizen\"}",
                       o ? "," : "", first / 50 + o, first / 50 + o, o, o % 200 + 1, o % 8);
  if (!rc)
    rc = sk_buf_addstr(b, "], \"services\": [");
  for (long i = 0; i < n && !rc; i++) {
    long id = first + i;
    rng_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)(id + 1) * 0xBF58476D1CE4E5B9ull;
    const char *what = PICK(w_what), *topic = PICK(w_topic), *place = PICK(w_place);
    const char *n1 = PICK(needs), *n2 = PICK(needs);
    long org = first / 50 + i / 50;
    rc = sk_buf_printf(
        b,
        "%s{\"key\": \"s-%ld\", \"organization\": \"org-%ld\", \"name\": \"%s %s %s\","
        " \"summary\": \"%s bij %s in %s.\", \"description\": \"%s %s %s %s\","
        " \"keywords\": [\"%s\", \"%s\"], \"needs\": [\"%s\"%s%s%s], \"target_groups\": [\"%s\"],"
        " \"areas\": [\"%s\"], \"access\": \"%s\", \"cost\": \"%s\", \"min_age\": %d,"
        " \"url\": \"https://org%ld.example.org/aanbod/%ld\", \"email\": "
        "\"info@org%ld.example.org\","
        " \"phones\": [{\"number\": \"035 000 %04ld\"}], \"locations\": [\"loc-%ld\"],"
        " \"hours\": [{\"days\": [\"%s\"], \"opens\": \"09:00\", \"closes\": \"12:00\"}],"
        " \"assured_date\": \"2026-10-01\"}",
        i ? "," : "", id, org, what, topic, place, what, topic, place, PICK(w_sent), PICK(w_sent),
        PICK(w_sent), PICK(w_sent), topic, what, n1, strcmp(n1, n2) ? ", \"" : "",
        strcmp(n1, n2) ? n2 : "", strcmp(n1, n2) ? "\"" : "", PICK(groups), PICK(areas),
        PICK(access_codes), PICK(cost_codes), (int)(rnd() % 3) * 9, org, id, org, id % 10000, org,
        PICK(days));
  }
  if (!rc)
    rc = sk_buf_addstr(b, "]}");
  return rc;
}

struct timing {
  double parse, validate, apply, wall, cpu;
  long rejected, new_, unchanged;
};

/* One feed from text to a validated (and maybe prepared) batch. */
struct load {
  const struct sk_buf *text;
  const struct sk_taxonomy *tax;
  const char *feed_id;
  int prepare;
  struct ix_batch b;
  double parse, validate;
  int rc;
  char err[512];
};

static void *load_feed(void *arg) {
  struct load *l = arg;
  ix_batch_init(&l->b, 0);
  double t0 = now_s();
  l->rc = ix_partner_json_parse(l->text->ptr, l->text->len, &l->b, l->err, sizeof l->err);
  double t1 = now_s();
  if (!l->rc)
    l->rc = ix_validate_batch(&l->b, l->tax);
  if (!l->rc && l->prepare)
    l->rc = ix_apply_prepare(l->feed_id, &l->b);
  l->parse = t1 - t0;
  l->validate = now_s() - t1;
  return NULL;
}

static int apply_loaded(struct sk_store *st, struct load *l, struct timing *t) {
  struct ix_apply_stats s;
  char err[512];
  if (l->rc) {
    fprintf(stderr, "feed %s: %s (%s)\n", l->feed_id, l->err, sk_strerror(l->rc));
    return 1;
  }
  double t0 = now_s();
  int rc = ix_apply(st, l->feed_id, &l->b, NULL, &s, err, sizeof err);
  t->apply += now_s() - t0;
  t->parse += l->parse;
  t->validate += l->validate;
  if (rc) {
    fprintf(stderr, "feed %s: %s (%s)\n", l->feed_id, err, sk_strerror(rc));
    return 1;
  }
  t->rejected += s.n_rejected;
  t->new_ += s.n_new;
  t->unchanged += s.n_unchanged;
  return 0;
}

static int run_pass(struct sk_store *st, const struct sk_taxonomy *tax, long n, long feed_size,
                    int serial, struct sk_buf text[2], struct timing *t) {
  memset(t, 0, sizeof *t);
  long feeds = (n + feed_size - 1) / feed_size;
  char ids[2][32];
  struct load l[2];
  memset(l, 0, sizeof l);
  for (long f = 0; f < feeds; f++) {
    long first = f * feed_size, count = n - first < feed_size ? n - first : feed_size;
    int cur = (int)(f % 2), nxt = 1 - cur;
    if (f == 0) { /* the first feed has nothing to overlap with */
      if (gen_feed(&text[cur], first, count))
        return 1;
      snprintf(ids[cur], sizeof ids[cur], "bench-%ld", f);
      l[cur] = (struct load){
          .text = &text[cur], .tax = tax, .feed_id = ids[cur], .prepare = !serial};
      double c0 = cpu_s(), w0 = now_s();
      load_feed(&l[cur]);
      t->cpu += cpu_s() - c0;
      t->wall += now_s() - w0;
    }
    int more = f + 1 < feeds;
    if (more) { /* untimed */
      long first2 = (f + 1) * feed_size;
      long count2 = n - first2 < feed_size ? n - first2 : feed_size;
      if (gen_feed(&text[nxt], first2, count2)) {
        ix_batch_free(&l[cur].b);
        return 1;
      }
      snprintf(ids[nxt], sizeof ids[nxt], "bench-%ld", f + 1);
      l[nxt] = (struct load){
          .text = &text[nxt], .tax = tax, .feed_id = ids[nxt], .prepare = !serial};
    }
    double c0 = cpu_s(), w0 = now_s();
    pthread_t th;
    int threaded = more && !serial && pthread_create(&th, NULL, load_feed, &l[nxt]) == 0;
    int rc = apply_loaded(st, &l[cur], t);
    if (threaded)
      pthread_join(th, NULL);
    else if (more)
      load_feed(&l[nxt]);
    t->cpu += cpu_s() - c0;
    t->wall += now_s() - w0;
    ix_batch_free(&l[cur].b);
    if (rc) {
      if (more)
        ix_batch_free(&l[nxt].b);
      return 1;
    }
  }
  return 0;
}

/* total is wall time: with the worker thread, parse and validate (which
 * then includes ix_apply_prepare) overlap apply and do not add up. */
static void print_pass(const char *label, long n, int serial, const struct timing *t) {
  double total = t->wall;
  printf("%-10s offerings=%ld parse=%.2fs %s=%.2fs apply=%.2fs total=%.2fs "
         "=> %.0f offerings/s; cpu=%.2fs => %.0f offerings/cpu-s (new=%ld unchanged=%ld "
         "rejected=%ld)\n",
         label, n, t->parse, serial ? "validate" : "validate+prepare", t->validate, t->apply, total,
         total > 0 ? (double)n / total : 0, t->cpu, t->cpu > 0 ? (double)n / t->cpu : 0, t->new_,
         t->unchanged, t->rejected);
}

int main(int argc, char **argv) {
  long n = 0, feed_size = 100000;
  int serial = 0;
  const char *db = NULL, *tax_path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--feed-size") == 0 && i + 1 < argc)
      feed_size = atol(argv[++i]);
    else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
      db = argv[++i];
    else if (strcmp(argv[i], "--taxonomy") == 0 && i + 1 < argc)
      tax_path = argv[++i];
    else if (strcmp(argv[i], "--serial") == 0)
      serial = 1;
    else if (argv[i][0] != '-' && n == 0)
      n = atol(argv[i]);
    else {
      fprintf(stderr, "usage: bench_index N [--feed-size K] [--db PATH] [--taxonomy PATH]"
                      " [--serial]\n");
      return 2;
    }
  }
  if (n <= 0 || feed_size <= 0) {
    fprintf(stderr, "usage: bench_index N [--feed-size K] [--db PATH] [--taxonomy PATH]\n");
    return 2;
  }
  char tax_buf[1024], db_buf[256];
  if (!tax_path) {
    const char *src = getenv("SK_SOURCE_DIR");
    snprintf(tax_buf, sizeof tax_buf, "%s/feeds/taxonomy.json", src && *src ? src : ".");
    tax_path = tax_buf;
  }
  if (!db) {
    snprintf(db_buf, sizeof db_buf, "/tmp/bench_index_%d.db", (int)getpid());
    db = db_buf;
  }
  char err[512];
  struct sk_taxonomy *tax = NULL;
  if (sk_taxonomy_load(tax_path, &tax, err, sizeof err)) {
    fprintf(stderr, "taxonomy %s: %s\n", tax_path, err);
    return 1;
  }
  char path[300];
  unlink(db);
  snprintf(path, sizeof path, "%s-wal", db);
  unlink(path);
  snprintf(path, sizeof path, "%s-shm", db);
  unlink(path);
  struct sk_store *st = NULL;
  if (sk_store_open(db, SK_STORE_CREATE, &st, err, sizeof err) || sk_store_begin(st) ||
      sk_taxonomy_save(tax, st) || sk_store_commit(st)) {
    fprintf(stderr, "store %s: %s\n", db, err);
    return 1;
  }
  struct sk_buf text[2];
  sk_buf_init(&text[0], (size_t)1 << 31);
  sk_buf_init(&text[1], (size_t)1 << 31);
  printf("bench_index: %ld offerings in feeds of at most %ld, store %s, %s\n", n, feed_size, db,
         serial ? "serial" : "next feed loaded while the current one is applied");
  struct timing t;
  int rc = run_pass(st, tax, n, feed_size, serial, text, &t);
  if (!rc)
    print_pass("first", n, serial, &t);
  if (!rc && (rc = run_pass(st, tax, n, feed_size, serial, text, &t)) == 0)
    print_pass("unchanged", n, serial, &t);
  struct rusage ru;
  if (!rc && getrusage(RUSAGE_SELF, &ru) == 0)
    printf("peak RSS %.0f MB (includes the generated feed texts: two at a time)\n",
           (double)ru.ru_maxrss / 1024);
  sk_buf_free(&text[0]);
  sk_buf_free(&text[1]);
  sk_store_close(st);
  sk_taxonomy_free(tax);
  if (!getenv("BENCH_KEEP_DB")) {
    unlink(db);
    snprintf(path, sizeof path, "%s-wal", db);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", db);
    unlink(path);
  }
  return rc;
}
