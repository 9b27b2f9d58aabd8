/* Spelling and decompounding (core/search/sk_spell.c, sk_decompound.c and
 * their use in sk_search_analyse.c) over the demo data, indexed by the real
 * 'sociale-kaart index': a correct Dutch word is never "corrected", a
 * typo in a long word is, and a compound the texts do not use finds the
 * offerings that use its parts. Needs the hunspell-nl dictionary (CI
 * installs it): skipped (77) only when it is not on the machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper_test.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_search.h"
#include "sk_search_int.h"
#include "sk_spell.h"

static struct sk_store *g_st;
static struct sk_taxonomy *g_tax;
static struct sk_searcher *g_s;

static int index_demo(const char *db) { return th_index_demo(db); }

static int open_demo(const char *db) {
  char err[256];
  if (sk_store_open(db, SK_STORE_READONLY, &g_st, err, sizeof err) != SK_OK)
    return -1;
  if (sk_taxonomy_from_store(g_st, &g_tax, err, sizeof err) != SK_OK)
    return -1;
  g_s = sk_searcher_new(g_st, g_tax);
  return g_s ? 0 : -1;
}

static void close_demo(void) {
  sk_searcher_free(g_s);
  sk_taxonomy_free(g_tax);
  sk_store_close(g_st);
}

static int setup(void **state) {
  (void)state;
  if (!sks_spell_init()) {
    struct sks_spell_info in;
    sks_spell_info(&in);
    fprintf(stderr, "skipped: no Dutch dictionary at %s (apt-get install hunspell-nl)\n", in.path);
    exit(77);
  }
  const char *db = th_path("demo.db");
  if (index_demo(db) != 0)
    return -1;
  return open_demo(db);
}

static int teardown(void **state) {
  (void)state;
  close_demo();
  return 0;
}

static struct sk_search_result *run(const char *text) {
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = text;
  q.per_page = 10;
  struct sk_search_result *r = NULL;
  struct sk_search_error e;
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_OK);
  assert_non_null(r);
  return r;
}

/* The rank (1-based) of the first item whose name starts with name, or 0. */
static size_t rank_of(const struct sk_search_result *r, const char *name) {
  for (size_t i = 0; i < r->n_items; i++)
    if (!strncmp(r->items[i].name, name, strlen(name)))
      return i + 1;
  return 0;
}

/* 2,000 correct words (tests/data/spell/correct_words.txt): each is a word
 * of the dictionary, and searched alone it is neither corrected nor
 * offered a "Bedoelde u". */
static void test_correct_words_left_alone(void **state) {
  (void)state;
  FILE *f = fopen(th_source_path("tests/data/spell/correct_words.txt"), "r");
  assert_non_null(f);
  char line[256];
  int n = 0, bad = 0;
  struct sk_buf b;
  sk_buf_init(&b, 1024);
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#')
      continue;
    n++;
    sk_buf_reset(&b);
    assert_int_equal(sk_fold(line, strlen(line), &b), SK_OK);
    /* as the search sees it (folded), or as written: a compound with a
     * diacritic ("taalcafé") is known as written only, and is in the
     * index anyway */
    if (!sks_spell_known(sk_buf_str(&b), b.len) && !sks_spell_known(line, strlen(line))) {
      fprintf(stderr, "not in the dictionary: %s\n", line);
      bad++;
    }
    struct sk_search_result *r = run(line);
    if (r->did_you_mean || r->corrected) {
      fprintf(stderr, "corrected: %s -> %s\n", line, r->did_you_mean ? r->did_you_mean : "?");
      bad++;
    }
    sk_search_result_free(r);
    /* and inside a resident's sentence, not as the last word (so not a
     * prefix still being typed) */
    char sentence[300];
    snprintf(sentence, sizeof sentence, "ik zoek hulp bij %s in de buurt", line);
    r = run(sentence);
    if (r->did_you_mean || r->corrected) {
      fprintf(stderr, "corrected: %s -> %s\n", sentence, r->did_you_mean ? r->did_you_mean : "?");
      bad++;
    }
    sk_search_result_free(r);
  }
  fclose(f);
  sk_buf_free(&b);
  printf("%d correct words searched, %d corrected or unknown\n", n, bad);
  assert_int_equal(n, 2000);
  assert_int_equal(bad, 0);
}

/* What residents saw: a correct word turned into another one. */
static void test_reported_examples_not_corrected(void **state) {
  (void)state;
  const char *const q[] = {"mijn man slaat mij", "pillen",       "gisteren",
                           "bedreigt",           "honger",       "ik heb te veel pillen genomen",
                           "hij bedreigt mij",   "ik heb honger"};
  for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
    struct sk_search_result *r = run(q[i]);
    if (r->did_you_mean)
      fprintf(stderr, "%s -> %s\n", q[i], r->did_you_mean);
    assert_null(r->did_you_mean);
    assert_false(r->corrected);
    sk_search_result_free(r);
  }
}

/* A correct verb form the texts do not use finds the texts that use
 * another form of it (the dictionary's root), silently: "mishandelt"
 * finds mishandeling and mishandeld, and so the crisis need whose synonym
 * is "mishandeld"; nothing says "Bedoelde u". */
static void test_word_forms(void **state) {
  (void)state;
  char root[64];
  assert_int_equal(sks_spell_root("mishandelt", 10, root, sizeof root), 9);
  assert_string_equal(root, "mishandel");
  assert_int_equal(sks_spell_root("bedreigt", 8, root, sizeof root), 7);
  assert_string_equal(root, "bedreig");
  assert_int_equal(sks_spell_root("slaat", 5, root, sizeof root), 0);     /* "sla": too short */
  assert_int_equal(sks_spell_root("overleden", 9, root, sizeof root), 0); /* "leden" is no prefix */
  assert_int_equal(sks_spell_root("xqzjwv", 6, root, sizeof root), 0);
  assert_int_equal(sks_spell_root("mishandelt", 10, root, 4), 0); /* does not fit */
  struct sk_search_result *r = run("mijn vrouw mishandelt mij");
  assert_null(r->did_you_mean);
  assert_true(r->crisis);
  assert_true(r->n_items >= 1);
  /* "mishandelt" as the crisis: help against violence comes first */
  assert_true(strstr(r->items[0].name, "huiselijk geweld") ||
              strstr(r->items[0].name, "Veilig Thuis"));
  for (size_t i = 0; i < r->n_crisis_lines; i++)
    assert_null(strstr(r->crisis_lines[i].name, "professionals")); /* no line for professionals */
  sk_search_result_free(r);
  r = run("mijn buurman vervuilt zijn huis");
  assert_null(r->did_you_mean);
  assert_true(rank_of(r, "Interventieteam") == 1);
  sk_search_result_free(r);
}

/* A word with diacritics is known typed either way. */
static void test_diacritics(void **state) {
  (void)state;
  assert_true(sks_spell_known("ideeenbus", 9)); /* ideeënbus */
  assert_true(sks_spell_known("cafebaas", 8));  /* cafébaas */
  assert_true(sks_spell_known("cafe", 4));      /* café */
  assert_false(sks_spell_known("schuldhulpverleneing", 20));
  assert_false(sks_spell_known("", 0));
  assert_false(sks_spell_known("\xff\xfe", 2));
  char longw[300];
  memset(longw, 'a', sizeof longw);
  assert_false(sks_spell_known(longw, sizeof longw));
}

/* Typos in long words: searched as the word the index has, and the
 * response says so; or, found through the stem, just the right results. */
static void test_typos_in_long_words(void **state) {
  (void)state;
  static const struct {
    const char *q, *dym, *top; /* dym NULL: found as typed (stem), no message */
    size_t within;
  } cases[] = {
      {"mantelzorgconsulnet", "mantelzorgconsulent", "Mantelzorgconsulent", 3},
      {"schuldhulpverlning", "schuldhulpverlening", "Schuldhulpverlening", 1},
      {"thuisadministartie", "thuisadministratie", "Thuisadministratie", 1},
      {"jongerenbudgetcaoch", "jongerenbudgetcoach", "Jongerenbudgetcoach", 1},
      {"lotgenotengreop", "lotgenotengroep", "Lotgenotengroep mantelzorgers", 1},
      {"vrijwilligerwerk", "vrijwilligerswerk", "Vrijwilligerswerk", 1},
      {"hulp bij huurachterstnad", "hulp bij huurachterstand", "Hulp bij huurachterstand", 1},
      {"voedselbnak", "voedselbank", "Voedselpakket van de voedselbank", 1},
      {"schuldhulpverleneing", NULL, "Schuldhulpverlening", 1},
      {"huishoudlijke hulp", NULL, "Hulp bij het huishouden", 1},
      {"mantelzorgondersteunig", NULL, "Mantelzorg", 3},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct sk_search_result *r = run(cases[i].q);
    size_t k = rank_of(r, cases[i].top);
    printf("%-26s -> %-26s %s at %zu\n", cases[i].q, r->did_you_mean ? r->did_you_mean : "-",
           cases[i].top, k);
    if (cases[i].dym) {
      assert_non_null(r->did_you_mean);
      assert_string_equal(r->did_you_mean, cases[i].dym);
      assert_true(r->corrected);
    } else {
      assert_null(r->did_you_mean);
    }
    assert_true(k >= 1 && k <= cases[i].within);
    sk_search_result_free(r);
  }
}

/* 295 typos of long words of the demo texts (tests/data/spell/typos.tsv):
 * nearly every one gives the top result of the word it stands for, and
 * says so ("U ziet resultaten voor ..."). The few that do not: a typo that
 * is itself a correct compound (gezinstram), an edit the corrector reads
 * as another word of the index. */
static void test_typos_of_demo_words(void **state) {
  (void)state;
  FILE *f = fopen(th_source_path("tests/data/spell/typos.tsv"), "r");
  assert_non_null(f);
  char line[256];
  int n = 0, same = 0, told = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    char *tab = strchr(line, '\t');
    if (!line[0] || line[0] == '#' || !tab)
      continue;
    *tab = '\0';
    const char *word = line, *typo = tab + 1;
    struct sk_search_result *a = run(word), *b = run(typo);
    n++;
    if (a->n_items && b->n_items && !strcmp(a->items[0].name, b->items[0].name))
      same++;
    else
      fprintf(stderr, "%s -> %s: top %s\n", typo, word, b->n_items ? b->items[0].name : "(none)");
    told += b->corrected && b->did_you_mean && !strcmp(b->did_you_mean, word);
    sk_search_result_free(a);
    sk_search_result_free(b);
  }
  fclose(f);
  printf("%d typos: %d the same top result, %d corrected to the word\n", n, same, told);
  assert_true(n >= 290);
  assert_true(same * 100 >= n * 95);
  assert_true(told * 100 >= n * 90);
}

/* Compounds the demo texts do not use find the offerings that use their
 * parts, in other compounds or apart. */
static void test_compounds_found_by_parts(void **state) {
  (void)state;
  static const struct {
    const char *q, *top;
    size_t within;
  } cases[] = {
      {"opvoedhulp", "Opvoed", 3},   /* Opvoedavonden, Opvoedvragen in Eemnes */
      {"beweegaanbod", "Beweeg", 3}, /* Beweegloket, Beweegcoach */
      {"sportaanbod", "Buurtsportcoaches", 3},
      {"taalhulp", "Taalhuis", 1},
      {"taalcoach", "Taalhuis", 1},
      {"schuldenhulp", "Schuldhulpverlening", 1},
      {"huurachterstand", "Hulp bij huurachterstand", 1},
      {"energierekening", "Vroeg erop af bij betalingsachterstanden", 3},
      {"rouwverwerking", "Gespreksgroep na verlies", 3},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct sk_search_result *r = run(cases[i].q);
    size_t k = rank_of(r, cases[i].top);
    printf("%-16s total %-3ld %s at %zu\n", cases[i].q, r->total, cases[i].top, k);
    assert_null(r->did_you_mean);
    assert_true(k >= 1 && k <= cases[i].within);
    sk_search_result_free(r);
  }
}

/* The splits themselves, on the demo index. */
static void test_decompound_splits(void **state) {
  (void)state;
  struct sks_snap *sn = g_s->snap;
  assert_non_null(sn);
  static const struct {
    const char *w, *parts; /* parts joined by '+', a part not searched in () */
  } cases[] = {
      {"schuldenhulp", "schulden+hulp"},        {"verslavingshulp", "verslaving+hulp"},
      {"ontmoetingsavond", "ontmoeting+avond"}, {"opvoedhulp", "opvoed+hulp"},
      {"beweegaanbod", "beweeg+(aanbod)"},      {"energierekening", "energie+rekening"},
      {"kinderopvang", "kind+opvang"}, /* linking -er- */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct sks_split sp;
    const char *w = cases[i].w;
    assert_int_equal(sks_decompound(sn, g_s->stem, w, strlen(w), &sp), SK_OK);
    char got[128] = "";
    for (size_t k = 0; k < sp.n; k++) {
      size_t l = strlen(got);
      snprintf(got + l, sizeof got - l, "%s%s%.*s%s", k ? "+" : "", sp.part[k].searched ? "" : "(",
               (int)sp.part[k].len, w + sp.part[k].off, sp.part[k].searched ? "" : ")");
    }
    printf("%s -> %s\n", w, got);
    assert_string_equal(got, cases[i].parts);
  }
  /* not a compound of anything the index has; a derived word, not a
   * compound ("over" + "leden", "ver" + "kracht" would search for members
   * and strength); too short; too long */
  struct sks_split sp;
  const char *const none[] = {"gisteren",    "pillen",  "overleden", "verkracht", "achtervolgt",
                              "overspannen", "verveel", "algemeen",  "bedreigt",  "honger"};
  for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
    int rc = sks_decompound(sn, g_s->stem, none[i], strlen(none[i]), &sp);
    if (rc == SK_OK)
      fprintf(stderr, "split: %s into %zu parts\n", none[i], sp.n);
    assert_int_equal(rc, SK_ENOTFOUND);
  }
  assert_int_equal(sks_decompound(sn, g_s->stem, "abc", 3, &sp), SK_ENOTFOUND);
  char longw[200];
  memset(longw, 'a', sizeof longw);
  assert_int_equal(sks_decompound(sn, g_s->stem, longw, sizeof longw, &sp), SK_ENOTFOUND);
}

/* Hostile words go through the whole path without harm. */
static void test_hostile_words(void **state) {
  (void)state;
  char q[2100];
  memset(q, 'x', sizeof q - 1);
  q[sizeof q - 1] = '\0';
  const char *const cases[] = {q, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                               "\xc3\x28\xa0\xa1", "taal\"hulp\" OR NEAR(", "ééééééééééééééééééé",
                               "schuldschuldschuldschuldschuldschuldschuld",
                               /* libhunspell 1.7.1 reads before its copy of
                                * this one (tests/asan.supp); search must
                                * still answer */
                               "schuldenkinderen"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    sk_search_result_free(run(cases[i]));
}

/* Searcher threads share the one dictionary: each its own store and
 * searcher, all searching unknown and compound words at once and asking
 * the dictionary directly, whose answers must stay right (run under
 * ASan/UBSan too, where unguarded use of the handle shows). */
struct worker {
  const char *db;
  int ok;
};

static const char *const thread_words[] = {"opvoedhulp", "beweegaanbod",    "thuisadministartie",
                                           "pillen",     "energierekening", "jongerenbudgetcaoch",
                                           "gisteren",   "kinderopvang"};

static void *worker_run(void *arg) {
  struct worker *w = arg;
  struct sk_store *st = NULL;
  struct sk_taxonomy *tax = NULL;
  char err[256];
  if (sk_store_open(w->db, SK_STORE_READONLY, &st, err, sizeof err) != SK_OK)
    return NULL;
  if (sk_taxonomy_from_store(st, &tax, err, sizeof err) == SK_OK) {
    struct sk_searcher *s = sk_searcher_new(st, tax);
    int ok = s != NULL;
    for (int round = 0; ok && round < 20; round++)
      for (size_t i = 0; ok && i < sizeof thread_words / sizeof thread_words[0]; i++) {
        char q[64];
        /* a new word each round, so the word cache does not answer */
        snprintf(q, sizeof q, "%s %s", thread_words[i], thread_words[(i + (size_t)round) % 8]);
        struct sk_search_query sq;
        sk_search_query_init(&sq);
        sq.q = q;
        struct sk_search_result *r = NULL;
        struct sk_search_error e;
        ok = sk_search(s, &sq, &r, &e) == SK_OK;
        if (ok) {
          ok = sks_spell_known(thread_words[i], strlen(thread_words[i])) ==
               (strcmp(thread_words[i], "thuisadministartie") &&
                strcmp(thread_words[i], "jongerenbudgetcaoch"));
          sk_search_result_free(r);
        }
      }
    sk_searcher_free(s);
    w->ok = ok;
  }
  sk_taxonomy_free(tax);
  sk_store_close(st);
  return NULL;
}

static void test_threads_share_the_dictionary(void **state) {
  (void)state;
  pthread_t t[4];
  struct worker w[4];
  for (int i = 0; i < 4; i++) {
    w[i].db = th_path("demo.db");
    w[i].ok = 0;
    assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_true(w[i].ok);
  }
}

/* Without a dictionary search still answers (from the index vocabulary):
 * run in a child process of this program with SK_SPELL_DICT pointing
 * nowhere, as the dictionary is loaded once per process. */
static int child_no_dictionary(const char *db) {
  if (sks_spell_init())
    return 2;
  if (open_demo(db) != 0)
    return 3;
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = "schulden";
  struct sk_search_result *r = NULL;
  struct sk_search_error e;
  if (sk_search(g_s, &q, &r, &e) != SK_OK || r->total < 1)
    return 4;
  sk_search_result_free(r);
  q.q = "thuisadministartie"; /* still corrected from the index */
  if (sk_search(g_s, &q, &r, &e) != SK_OK || !r->did_you_mean ||
      strcmp(r->did_you_mean, "thuisadministratie"))
    return 5;
  sk_search_result_free(r);
  q.q = "opvoedhulp"; /* split on words and long stems only */
  if (sk_search(g_s, &q, &r, &e) != SK_OK)
    return 6;
  sk_search_result_free(r);
  close_demo();
  return 0;
}

static void test_without_dictionary(void **state) {
  (void)state;
  char self[1024];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  assert_true(n > 0);
  self[n] = '\0';
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    setenv("SK_SPELL_DICT", th_path("no-such-dictionary"), 1);
    execl(self, self, "--no-dictionary", th_path("demo.db"), (char *)NULL);
    _exit(127);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--no-dictionary"))
    return child_no_dictionary(argv[2]);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_diacritics),
      cmocka_unit_test(test_reported_examples_not_corrected),
      cmocka_unit_test(test_word_forms),
      cmocka_unit_test(test_typos_in_long_words),
      cmocka_unit_test(test_typos_of_demo_words),
      cmocka_unit_test(test_compounds_found_by_parts),
      cmocka_unit_test(test_decompound_splits),
      cmocka_unit_test(test_hostile_words),
      cmocka_unit_test(test_without_dictionary),
      cmocka_unit_test(test_threads_share_the_dictionary),
      cmocka_unit_test(test_correct_words_left_alone),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
