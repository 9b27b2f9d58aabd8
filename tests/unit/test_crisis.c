/* Crisis recognition (core/crisis): the team's phrasings as data
 * (tests/data/crisis/), focused behaviour, load errors, and the crisis block
 * through search on the demo data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_test.h"
#include "sk_crisis.h"
#include "sk_err.h"
#include "sk_search.h"

static struct sk_crisis *project_crisis;

static struct sk_crisis *crisis(void) {
  if (!project_crisis) {
    char err[256];
    if (sk_crisis_load(th_source_path("feeds/crisis.json"), &project_crisis, err, sizeof err))
      fail_msg("crisis data: %s", err);
  }
  return project_crisis;
}

static unsigned kinds_of(const char *q) {
  struct sk_crisis_match m;
  assert_int_equal(sk_crisis_check(crisis(), q, strlen(q), &m), SK_OK);
  return m.kinds;
}

static const char *primary_of(const char *q) {
  struct sk_crisis_match m;
  assert_int_equal(sk_crisis_check(crisis(), q, strlen(q), &m), SK_OK);
  return m.kinds ? sk_crisis_kind_name(m.primary) : "-";
}

/* ---- the team's sets: recall and silence ---- */

static unsigned kind_bit(const char *name) {
  if (!strcmp(name, "danger"))
    return SK_CRISIS_DANGER;
  if (!strcmp(name, "suicide"))
    return SK_CRISIS_SUICIDE;
  if (!strcmp(name, "violence"))
    return SK_CRISIS_VIOLENCE;
  fail_msg("unknown kind '%s' in the test data", name);
  return 0;
}

static void test_recall(void **state) {
  (void)state;
  FILE *f = fopen(th_source_path("tests/data/crisis/crisis.tsv"), "r");
  assert_non_null(f);
  char line[2048];
  int n = 0, hit = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0] || line[0] == '#')
      continue;
    char *q = strchr(line, '\t');
    assert_non_null(q);
    *q++ = 0;
    unsigned want = kind_bit(line);
    struct sk_crisis_match m;
    assert_int_equal(sk_crisis_check(crisis(), q, strlen(q), &m), SK_OK);
    /* the right kind, and for danger its lines (112) first */
    int ok = (m.kinds & want) && (want != SK_CRISIS_DANGER || m.primary == SK_CRISIS_DANGER);
    n++;
    hit += ok;
    if (!ok)
      printf("  missed (%s): \"%s\" -> %s\n", line, q,
             m.kinds ? sk_crisis_kind_name(m.primary) : "nothing");
  }
  fclose(f);
  printf("crisis recall: %d of %d (%.1f %%)\n", hit, n, 100.0 * hit / n);
  assert_true(n >= 200);
  assert_true(hit * 100 >= n * 98);
}

static void test_near_miss_silence(void **state) {
  (void)state;
  FILE *f = fopen(th_source_path("tests/data/crisis/near_miss.tsv"), "r");
  assert_non_null(f);
  char line[2048];
  int n = 0, quiet = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0] || line[0] == '#')
      continue;
    struct sk_crisis_match m;
    assert_int_equal(sk_crisis_check(crisis(), line, strlen(line), &m), SK_OK);
    n++;
    quiet += m.kinds == 0;
    if (m.kinds)
      printf("  false alarm: \"%s\" -> %s (pattern %s)\n", line, sk_crisis_kind_name(m.primary),
             m.pattern);
  }
  fclose(f);
  printf("near-miss silence: %d of %d (%.1f %%)\n", quiet, n, 100.0 * quiet / n);
  assert_true(n >= 150);
  assert_true(quiet * 100 >= n * 98);
}

/* ---- focused behaviour ---- */

static void test_order_free(void **state) {
  (void)state;
  assert_string_equal(primary_of("ik wil dood"), "suicide");
  assert_string_equal(primary_of("dood wil ik"), "suicide");
  assert_string_equal(primary_of("leven wil ik niet meer"), "suicide");
  assert_string_equal(primary_of("slaat mij mijn man"), "violence");
  /* but within a window: the words far apart in a long text are no pattern */
  assert_string_equal(
      primary_of("ik wil graag weten waar ik in Huizen en Laren en Blaricum en Eemnes een "
                 "cursus kan volgen over het onderhouden van een moestuin en over de dood "
                 "van planten in de winter"),
      "-");
}

static void test_inflections(void **state) {
  (void)state;
  const char *violence[] = {"hij slaat me",
                            "hij sloeg me",
                            "ik ben geslagen door hem",
                            "de buren slaan hun kind",
                            "mijn man heeft me geschopt",
                            "hij mishandelde mij",
                            "ik word bedreigd",
                            "hij bedreigt me",
                            "ik werd achtervolgd"};
  for (size_t i = 0; i < sizeof violence / sizeof *violence; i++)
    if (!(kinds_of(violence[i]) & SK_CRISIS_VIOLENCE))
      fail_msg("not violence: %s", violence[i]);
  const char *suicide[] = {"ik wil dood",      "ik wilde dood",          "ik wou dood",
                           "ik wil sterven",   "ik wil niet meer leven", "wil niet langer leven",
                           "ik ga me ophangen"};
  for (size_t i = 0; i < sizeof suicide / sizeof *suicide; i++)
    if (!(kinds_of(suicide[i]) & SK_CRISIS_SUICIDE))
      fail_msg("not suicide: %s", suicide[i]);
}

static void test_spelling_and_compounds(void **state) {
  (void)state;
  /* diacritics, case, spaces inside a compound, hyphens, letter runs, one typo */
  const char *q[] = {"suïcide",      "SUICIDE",      "Suicidaal",
                     "zelf moord",   "zelf-moord",   "zelfmoordgedachten",
                     "zelfmoort",    "zelfmoord!!!", "ik wil dooooood",
                     "ik wil dood.", "zelfmoodr"};
  for (size_t i = 0; i < sizeof q / sizeof *q; i++)
    if (!(kinds_of(q[i]) & SK_CRISIS_SUICIDE))
      fail_msg("not suicide: %s", q[i]);
  assert_true(kinds_of("huiselijk geweld") & SK_CRISIS_VIOLENCE);
  assert_true(kinds_of("huiselijk-geweld") & SK_CRISIS_VIOLENCE);
  assert_true(kinds_of("blijf van mijn lijf") & SK_CRISIS_VIOLENCE);
}

static void test_exclusions(void **state) {
  (void)state;
  const char *q[] = {
      "geweldig",  "geweldige dag",       "doodmoe",          "ik ben doodziek",  "dodelijk saai",
      "rouw",      "overleden",           "begrafenis",       "palliatieve zorg", "zelfverdediging",
      "huiselijk", "film over zelfmoord", "zelfmoordaanslag", "de klok slaat",    "sla recept"};
  for (size_t i = 0; i < sizeof q / sizeof *q; i++)
    if (kinds_of(q[i]))
      fail_msg("false alarm: %s", q[i]);
}

/* 1 when word w is one of the match's crisis words. */
static int crisis_word(const char *q, const char *w) {
  struct sk_crisis_match m;
  assert_int_equal(sk_crisis_check(crisis(), q, strlen(q), &m), SK_OK);
  for (unsigned i = 0; i < m.n_words; i++)
    if (strcmp(m.words[i], w) == 0)
      return 1;
  return 0;
}

/* The people of a violence crisis are its words too ("ex" is the one who
 * stalks, no question about a divorce); not in another kind of crisis,
 * and not when nothing matched. */
static void test_actors_are_crisis_words(void **state) {
  (void)state;
  assert_true(crisis_word("mijn ex stalkt mij", "stalkt"));
  assert_true(crisis_word("mijn ex stalkt mij", "ex"));
  assert_true(crisis_word("mijn man slaat mij", "man"));
  assert_false(crisis_word("mijn ex wil niet meer praten over de kinderen", "ex"));
  assert_false(crisis_word("ik wil dood, mijn man weet het niet", "man"));
  /* a neighbour who abuses is no neighbours' quarrel (no mediation) */
  assert_true(crisis_word("de kinderen van de buren worden geslagen", "buren"));
}

/* Two everyday words joined are not the word they spell: "met een" is not
 * "meteen" (now: 112 first), "in een" not "ineen" (an idiom of slaan that
 * silenced "hij slaat me in een dronken bui"). */
static void test_joined_words_not_a_word(void **state) {
  (void)state;
  assert_string_equal(primary_of("mijn man slaat me in een dronken bui"), "violence");
  assert_string_equal(primary_of("ik word afgeperst met een filmpje van mij"), "violence");
  assert_string_equal(primary_of("ik verbrand mijn armen met een aansteker"), "suicide");
  /* the real word, and real joins, still count */
  assert_string_equal(primary_of("hij slaat me meteen"), "danger");
  assert_true(kinds_of("zelf moord") & SK_CRISIS_SUICIDE);
  assert_true(kinds_of("hij slaat me in elkaar") & SK_CRISIS_VIOLENCE);
}

/* Self-harm said in the first person is not violence, and a person saying
 * someone else wants to die is no death threat: each gets its own lines
 * first and nothing of the other kind. */
static void test_one_kind_for_self_harm(void **state) {
  (void)state;
  assert_int_equal(kinds_of("ik sla mijn hoofd tegen de muur"), SK_CRISIS_SUICIDE);
  assert_int_equal(kinds_of("mijn oma zegt dat ze liever dood is"), SK_CRISIS_SUICIDE);
  assert_int_equal(kinds_of("hij slaat mijn hoofd tegen de muur"), SK_CRISIS_VIOLENCE);
  assert_int_equal(kinds_of("hij zegt dat hij mij dood maakt"), SK_CRISIS_VIOLENCE);
}

/* Every pattern that matches gives its words, not only the first of a kind:
 * "leven" of "... ik wil stoppen met leven" is the crisis even when "ik wil
 * niet meer verder" matched first (else search lists life's last phase). */
static void test_every_pattern_gives_its_words(void **state) {
  (void)state;
  const char *q = "ik kan niet meer verder zo ik wil stoppen met leven";
  assert_true(crisis_word(q, "verder"));
  assert_true(crisis_word(q, "leven"));
}

static void test_lines(void **state) {
  (void)state;
  const struct sk_crisis_line *l[SK_CRISIS_MAX_LINES];
  size_t n = sk_crisis_lines(crisis(), SK_CRISIS_SUICIDE, 0, l, SK_CRISIS_MAX_LINES);
  assert_int_equal(n, 2);
  assert_string_equal(l[0]->number, "0800-0113");
  assert_string_equal(l[1]->number, "112");
  n = sk_crisis_lines(crisis(), SK_CRISIS_VIOLENCE, 0, l, SK_CRISIS_MAX_LINES);
  assert_int_equal(n, 2);
  assert_string_equal(l[0]->number, "0800-2000");
  assert_string_equal(l[1]->number, "112");
  /* danger and violence: 112 first, once */
  n = sk_crisis_lines(crisis(), SK_CRISIS_DANGER | SK_CRISIS_VIOLENCE, 0, l, SK_CRISIS_MAX_LINES);
  assert_int_equal(n, 2);
  assert_string_equal(l[0]->number, "112");
  assert_string_equal(l[1]->number, "0800-2000");
  assert_int_equal(sk_crisis_lines(crisis(), 0, 0, l, SK_CRISIS_MAX_LINES), 0);
  assert_int_equal(sk_crisis_need_kinds(crisis(), "psychisch.crisis"), SK_CRISIS_SUICIDE);
  assert_int_equal(sk_crisis_need_kinds(crisis(), "veiligheid.huiselijkgeweld"),
                   SK_CRISIS_VIOLENCE);
  assert_int_equal(sk_crisis_need_kinds(crisis(), "geld"), 0);
  const char *never[SK_CRISIS_MAX_NEVER];
  size_t nn = sk_crisis_never(crisis(), SK_CRISIS_VIOLENCE, never, SK_CRISIS_MAX_NEVER);
  assert_true(nn >= 1);
  assert_string_equal(never[0], "bemiddeling");
  assert_int_equal(sk_crisis_never(crisis(), SK_CRISIS_SUICIDE, never, SK_CRISIS_MAX_NEVER), 0);
}

static void test_bounded_input(void **state) {
  (void)state;
  struct sk_crisis_match m;
  assert_int_equal(sk_crisis_check(crisis(), NULL, 0, &m), SK_OK);
  assert_int_equal(m.kinds, 0);
  assert_int_equal(sk_crisis_check(crisis(), "", 0, &m), SK_OK);
  assert_int_equal(sk_crisis_check(NULL, "x", 1, &m), SK_EINVAL);
  /* invalid UTF-8, NUL bytes, a word far longer than any we know */
  const char bad[] = "ik \xff\xfe wil\0 dood \xc3";
  assert_int_equal(sk_crisis_check(crisis(), bad, sizeof bad - 1, &m), SK_OK);
  size_t big = 1 << 20;
  char *t = malloc(big + 1);
  assert_non_null(t);
  for (size_t i = 0; i < big; i++)
    t[i] = (i % 7 == 6) ? ' ' : 'a' + (char)(i % 5);
  t[big] = 0;
  assert_int_equal(sk_crisis_check(crisis(), t, big, &m), SK_OK);
  assert_int_equal(m.kinds, 0);
  /* only the first SK_CRISIS_Q_MAX bytes are looked at */
  memset(t, 'x', big);
  memcpy(t + big - 12, " ik wil dood", 12);
  assert_int_equal(sk_crisis_check(crisis(), t, big, &m), SK_OK);
  assert_int_equal(m.kinds, 0);
  memcpy(t, "ik wil dood ", 12);
  assert_int_equal(sk_crisis_check(crisis(), t, big, &m), SK_OK);
  assert_true(m.kinds & SK_CRISIS_SUICIDE);
  /* a crafted query: every slot of a five-slot pattern filled sixteen
   * times, never within the window; the work is bounded (pruned by the
   * window, then a budget per pattern) and a real phrase still counts */
  size_t o = 0;
  const char *groups[] = {"wil", "er", "niet", "meer", "zijn"};
  for (int g = 0; g < 5; g++) {
    for (int k = 0; k < 16; k++)
      o += (size_t)snprintf(t + o, big - o, "%s ", groups[g]);
    o += (size_t)snprintf(t + o, big - o, "x x x x x x x x ");
  }
  assert_int_equal(sk_crisis_check(crisis(), t, o, &m), SK_OK);
  assert_int_equal(m.kinds, 0);
  o += (size_t)snprintf(t + o, big - o, "mijn man slaat mij");
  assert_int_equal(sk_crisis_check(crisis(), t, o, &m), SK_OK);
  assert_true(m.kinds & SK_CRISIS_VIOLENCE);
  free(t);
}

/* ---- load errors name the problem ---- */

static void expect_load_error(const char *json, int code, const char *words) {
  struct sk_crisis *c = (struct sk_crisis *)1;
  char err[256] = "";
  int rc = sk_crisis_parse(json, strlen(json), &c, err, sizeof err);
  if (rc != code || c != NULL || !strstr(err, words))
    fail_msg("for %.80s: rc %d, err \"%s\" (want %d, \"%s\")", json, rc, err, code, words);
}

#define LINES                                                                                      \
  "\"lines\":[{\"key\":\"a\",\"id\":\"7f311348-1d1f-5c78-9e93-271566f774cc\",\"name\":\"A\","      \
  "\"number\":\"112\","                                                                            \
  "\"note\":\"n\"}],"
#define KINDS                                                                                      \
  "\"kinds\":[{\"kind\":\"danger\",\"lines\":[\"a\"]},{\"kind\":\"suicide\",\"lines\":[\"a\"]},{"  \
  "\"kind\":"                                                                                      \
  "\"violence\",\"lines\":[\"a\"]}],"

static void test_load_errors(void **state) {
  (void)state;
  expect_load_error("{", SK_EPARSE, "line 1");
  expect_load_error("[]", SK_EINVAL, "expected an object");
  expect_load_error("{\"version\":2}", SK_EINVAL, "version");
  expect_load_error("{\"version\":1," LINES KINDS "\"always\":[\"nope\"]}", SK_EINVAL,
                    "\"always\"");
  expect_load_error("{\"version\":1," LINES KINDS
                    "\"always\":[\"a\"],\"sets\":{\"x\":[\"dood\"]},\"patterns\":"
                    "[{\"id\":\"p\",\"kind\":\"suicide\",\"slots\":[\"@y\"]}]}",
                    SK_EINVAL, "set @y is not defined");
  expect_load_error("{\"version\":1," LINES KINDS
                    "\"always\":[\"a\"],\"sets\":{\"x\":[\"dood\"]},\"patterns\":"
                    "[{\"id\":\"p\",\"kind\":\"sad\",\"slots\":[\"@x\"]}]}",
                    SK_EINVAL, "(p): \"kind\"");
  expect_load_error("{\"version\":1," LINES KINDS
                    "\"always\":[\"a\"],\"sets\":{\"x\":[\"do*\"]},\"patterns\":"
                    "[{\"id\":\"p\",\"kind\":\"suicide\",\"slots\":[\"@x\"]}]}",
                    SK_EINVAL, "prefix");
  expect_load_error("{\"version\":1," LINES KINDS
                    "\"always\":[\"a\"],\"sets\":{\"x\":[\"dood\"]},\"patterns\":"
                    "[{\"id\":\"p\",\"kind\":\"suicide\",\"slots\":[\"@x\",\"@x\"],\"window\":0}]}",
                    SK_EINVAL, "window");
  expect_load_error("{\"version\":1," LINES
                    "\"kinds\":[{\"kind\":\"danger\",\"lines\":[\"a\"]},{\"kind\":\"suicide\","
                    "\"lines\":[\"a\"]},{\"kind\":\"violence\",\"lines\":[\"a\"],\"never\":["
                    "\"twee woorden\"]}],\"always\":[\"a\"]}",
                    SK_EINVAL, "kinds[2].never[0]");
  /* the same number twice is refused: no line twice in a crisis block */
  expect_load_error(
      "{\"version\":1,\"lines\":[{\"key\":\"a\",\"id\":\"7f311348-1d1f-5c78-9e93-271566f774cc\","
      "\"name\":\"A\",\"number\":\"112\",\"note\":\"n\"},{\"key\":\"b\",\"id\":"
      "\"7f311348-1d1f-5c78-9e93-271566f774cd\",\"name\":\"B\",\"number\":\"112\",\"note\":\"n\"}]"
      "}",
      SK_EINVAL, "no line twice");
  /* without 112 in every block the data is refused */
  expect_load_error(
      "{\"version\":1,\"lines\":[{\"key\":\"a\",\"id\":\"7f311348-1d1f-5c78-9e93-271566f774cc\","
      "\"name\":\"A\",\"number\":\"113\",\"note\":\"n\"}]," KINDS "\"always\":[\"a\"]}",
      SK_EINVAL, "112");
  struct sk_crisis *c = NULL;
  char err[256];
  assert_int_equal(sk_crisis_load(th_path("no-such-file.json"), &c, err, sizeof err), SK_EIO);
  assert_non_null(strstr(err, "no-such-file.json"));
}

static void test_store_round_trip(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("crisis-rt.db");
  struct sk_crisis *c = NULL;
  char err[256];
  assert_int_equal(sk_crisis_from_store(st, &c, err, sizeof err), SK_OK);
  struct sk_crisis_match m;
  assert_int_equal(sk_crisis_check(c, "mijn ex bedreigt mij", 20, &m), SK_OK);
  assert_int_equal(m.primary, SK_CRISIS_VIOLENCE);
  sk_crisis_free(c);
  sk_store_close(st);
}

/* ---- through search, on the demo data ---- */

static struct sk_store *demo;
static struct sk_taxonomy *demo_tax;

/* The demo data indexed by the real 'sociale-kaart index', which also
 * loads feeds/crisis.json (beside the taxonomy) into the database. */
static void demo_open(void) {
  if (demo)
    return;
  const char *bin = getenv("SK_BINARY_DIR");
  char exe[1024], cmd[4096];
  snprintf(exe, sizeof exe, "%s/sociale-kaart", bin ? bin : ".");
  if (access(exe, X_OK) != 0)
    fail_msg("%s not built", exe);
  const char *db = th_path("crisis-demo.db");
  snprintf(cmd, sizeof cmd,
           "cd '%s' && '%s' index --db '%s' --taxonomy feeds/taxonomy.json --feeds "
           "feeds/feeds.json >/dev/null",
           th_source_dir(), exe, db);
  assert_int_equal(system(cmd), 0);
  char err[256];
  assert_int_equal(sk_store_open(db, SK_STORE_READONLY, &demo, err, sizeof err), SK_OK);
  assert_int_equal(sk_taxonomy_from_store(demo, &demo_tax, err, sizeof err), SK_OK);
}

static json_t *search_json(const char *q, const char *need, int professional) {
  demo_open();
  struct sk_searcher *s = sk_searcher_new(demo, demo_tax);
  assert_non_null(s);
  struct sk_search_query sq;
  sk_search_query_init(&sq);
  sq.q = q;
  if (need) {
    sq.needs[0] = need;
    sq.n_needs = 1;
  }
  sq.professional = professional;
  struct sk_search_result *r = NULL;
  struct sk_search_error e;
  assert_int_equal(sk_search(s, &sq, &r, &e), SK_OK);
  json_t *j = sk_search_result_json(r);
  sk_search_result_free(r);
  sk_searcher_free(s);
  return j;
}

/* crisis true, kind, the first line's first number, 112 present, no
 * number twice, no line for professionals only */
static void expect_block(const char *q, const char *need, const char *kind, const char *first) {
  json_t *j = search_json(q, need, 0);
  if (!json_is_true(json_object_get(j, "crisis")))
    fail_msg("no crisis block for \"%s\"", q ? q : need);
  assert_string_equal(json_string_value(json_object_get(j, "crisis_kind")), kind);
  json_t *lines = json_object_get(j, "crisis_lines");
  assert_true(json_array_size(lines) >= 2);
  int has112 = 0;
  const char *seen[16];
  size_t n_seen = 0;
  size_t i;
  json_t *l;
  json_array_foreach(lines, i, l) {
    const char *name = json_string_value(json_object_get(l, "name"));
    assert_null(strstr(name, "professional"));
    json_t *ph = json_object_get(l, "phones");
    assert_true(json_array_size(ph) >= 1);
    const char *num = json_string_value(json_object_get(json_array_get(ph, 0), "number"));
    if (i == 0 && strcmp(num, first))
      fail_msg("\"%s\": first line %s (%s), want %s", q ? q : need, num, name, first);
    has112 |= !strcmp(num, "112");
    for (size_t k = 0; k < n_seen; k++)
      if (!strcmp(seen[k], num))
        fail_msg("\"%s\": line %s twice", q ? q : need, num);
    if (n_seen < 16)
      seen[n_seen++] = num;
  }
  assert_true(has112);
  json_decref(j);
}

/* Whether the list of a search names an offering (by name). */
static int lists(json_t *j, const char *name) {
  json_t *items = json_object_get(j, "items");
  for (size_t i = 0; i < json_array_size(items); i++)
    if (!strcmp(json_string_value(json_object_get(json_array_get(items, i), "name")), name))
      return 1;
  return 0;
}

/* Under a crisis the words are the crisis: the list under the block holds
 * no offering that only the everyday sense of those words reached, while
 * what the other words of the query ask for stays. */
static void test_search_list_under_the_block(void **state) {
  (void)state;
  json_t *j = search_json("ik wil niet meer leven", NULL, 0);
  assert_true(json_is_true(json_object_get(j, "crisis")));
  assert_true(json_array_size(json_object_get(j, "items")) > 0);
  assert_false(
      lists(j, "Vrijwilligers in de laatste levensfase")); /* "leven" is not life's last phase */
  json_decref(j);
  j = search_json("ik doe mezelf pijn", NULL, 0);
  assert_false(lists(j, "Lotgenotencontact chronische pijn en vermoeidheid"));
  json_decref(j);
  j = search_json("de buren slaan hun kinderen", NULL, 0);
  assert_true(lists(j, "Veilig Thuis: advies en melding"));
  json_decref(j);
  /* the list starts where the block starts: the line's own offering */
  j = search_json("mijn man slaat mij", NULL, 0);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "name")),
      "Veilig Thuis: advies en melding");
  json_decref(j);
  j = search_json("hij staat met een mes voor de deur", NULL, 0);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "name")),
      "Veilig Thuis: advies en melding");
  json_decref(j);
  /* immediate danger with nothing else asked: the block is the answer, no
   * list of the needs the words are closest to */
  j = search_json("mijn vader heeft een hartaanval", NULL, 0);
  assert_true(json_is_true(json_object_get(j, "crisis")));
  assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
  assert_true(json_is_null(json_object_get(j, "fallback")));
  json_decref(j);
  /* mediation presumes two equal sides: never listed under violence (its
   * name says it, also inside a compound), while a quarrel with the
   * neighbours still finds it */
  j = search_json("mijn ex bedreigt mij", NULL, 0);
  assert_true(lists(j, "Veilig Thuis: advies en melding"));
  assert_false(lists(j, "Buurtbemiddeling"));
  assert_false(lists(j, "Ouderschapsbemiddeling"));
  json_decref(j);
  j = search_json("mijn man slaat mij en ik wil mediation", NULL, 0);
  assert_false(lists(j, "Ouderschapsbemiddeling"));
  json_decref(j);
  j = search_json("ruzie met de buren", NULL, 0);
  assert_true(lists(j, "Buurtbemiddeling"));
  json_decref(j);
  /* a second question in the same sentence keeps its offerings */
  j = search_json("ik wil niet meer leven want ik heb schulden", NULL, 0);
  assert_true(json_is_true(json_object_get(j, "crisis")));
  assert_true(lists(j, "Schuldhulpverlening"));
  json_decref(j);
}

static void test_search_block(void **state) {
  (void)state;
  expect_block("ik wil dood", NULL, "suicide", "0800-0113");
  expect_block("ik zie het niet meer zitten", NULL, "suicide", "0800-0113");
  expect_block("mijn man slaat mij", NULL, "violence", "0800-2000");
  expect_block("mijn ex bedreigt mij", NULL, "violence", "0800-2000");
  expect_block("iemand volgt mij overal", NULL, "violence", "0800-2000");
  expect_block("hij staat met een mes voor de deur", NULL, "danger", "112");
  /* a crisis need chosen as a filter (its tile), with or without words */
  expect_block(NULL, "psychisch.crisis", "suicide", "0800-0113");
  expect_block(NULL, "veiligheid.huiselijkgeweld", "violence", "0800-2000");
  expect_block("hulp", "veiligheid.huiselijkgeweld", "violence", "0800-2000");
  /* the 113 line is the store's offering, with the chat on the website */
  json_t *j = search_json("ik wil dood", NULL, 0);
  json_t *l0 = json_array_get(json_object_get(j, "crisis_lines"), 0);
  assert_non_null(strstr(json_string_value(json_object_get(l0, "url")), "113.nl"));
  assert_true(json_is_true(json_object_get(l0, "crisis_line")));
  json_decref(j);
  /* the CLI prints the same JSON */
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s/sociale-kaart' search --db '%s' --json 'mijn ex bedreigt mij'",
           getenv("SK_BINARY_DIR"), th_path("crisis-demo.db"));
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  json_error_t je;
  j = json_loadf(p, 0, &je);
  assert_int_equal(pclose(p), 0);
  if (!j)
    fail_msg("sociale-kaart search --json: %s", je.text);
  assert_true(json_is_true(json_object_get(j, "crisis")));
  assert_string_equal(json_string_value(json_object_get(j, "crisis_kind")), "violence");
  assert_string_equal(
      json_string_value(json_object_get(
          json_array_get(
              json_object_get(json_array_get(json_object_get(j, "crisis_lines"), 0), "phones"), 0),
          "number")),
      "0800-2000");
  json_decref(j);
  /* silent where it must be */
  const char *quiet[] = {"geweldig", "doodmoe", "begrafenis", "zelfverdediging", "huiselijk"};
  for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++) {
    j = search_json(quiet[i], NULL, 0);
    if (json_is_true(json_object_get(j, "crisis")))
      fail_msg("crisis block for \"%s\"", quiet[i]);
    assert_int_equal(json_array_size(json_object_get(j, "crisis_lines")), 0);
    assert_true(json_is_null(json_object_get(j, "crisis_kind")));
    json_decref(j);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_recall),
      cmocka_unit_test(test_near_miss_silence),
      cmocka_unit_test(test_order_free),
      cmocka_unit_test(test_inflections),
      cmocka_unit_test(test_spelling_and_compounds),
      cmocka_unit_test(test_exclusions),
      cmocka_unit_test(test_actors_are_crisis_words),
      cmocka_unit_test(test_joined_words_not_a_word),
      cmocka_unit_test(test_one_kind_for_self_harm),
      cmocka_unit_test(test_every_pattern_gives_its_words),
      cmocka_unit_test(test_lines),
      cmocka_unit_test(test_bounded_input),
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test(test_store_round_trip),
      cmocka_unit_test(test_search_block),
      cmocka_unit_test(test_search_list_under_the_block),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (demo)
    sk_store_close(demo);
  sk_taxonomy_free(demo_tax);
  sk_crisis_free(project_crisis);
  return rc;
}
