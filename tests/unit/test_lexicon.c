/* The everyday-Dutch lexicon (feeds/lexicon.txt) and what a resident sees
 * with it on the demo data: every entry resolves to needs of the taxonomy,
 * every entry finds offerings in the demo data or is listed as a gap
 * (tests/data/lexicon-gaps.txt, checked to be exact), everyday words get a
 * sensible first result, a place in the query filters, need lists start
 * with the need's core services, and no query ends in nothing. */
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
#include "sk_err.h"
#include "sk_lexicon.h"
#include "sk_search.h"

#define MIN_ENTRIES 1500

static void test_builtin_resolves(void **state) {
  (void)state;
  const struct sk_taxonomy *tax = th_taxonomy();
  size_t len;
  const char *text = sk_lexicon_builtin(&len);
  assert_true(len > 0);
  struct sk_lexicon *lx = NULL;
  char err[256] = "";
  int rc = sk_lexicon_parse(text, len, "feeds/lexicon.txt", tax, &lx, err, sizeof err);
  if (rc != SK_OK)
    fail_msg("%s", err);
  size_t n = sk_lexicon_count(lx);
  printf("lexicon: %zu entries\n", n);
  assert_true(n >= MIN_ENTRIES);
  for (size_t i = 0; i < n; i++) {
    const char *const *codes;
    size_t nc;
    int line;
    const char *e = sk_lexicon_entry(lx, i, &line, &codes, &nc);
    assert_non_null(e);
    assert_true(nc >= 1);
    for (size_t k = 0; k < nc; k++) {
      const struct sk_term *t = sk_taxonomy_find(tax, SK_VOCAB_NEED, codes[k]);
      if (!t || t->crisis)
        fail_msg("line %d '%s': need '%s' %s", line, e, codes[k],
                 t ? "is a crisis need" : "unknown");
    }
  }
  assert_null(sk_lexicon_entry(lx, n, NULL, NULL, NULL));
  /* the file in the source tree is the one built in */
  struct sk_lexicon *from_file = NULL;
  assert_int_equal(
      sk_lexicon_load(th_source_path("feeds/lexicon.txt"), tax, &from_file, err, sizeof err),
      SK_OK);
  assert_int_equal(sk_lexicon_count(from_file), n);
  sk_lexicon_free(from_file);
  sk_lexicon_free(lx);
}

static void expect_refused(const char *text, const char *want) {
  struct sk_lexicon *lx = NULL;
  char err[256] = "";
  int rc = sk_lexicon_parse(text, strlen(text), "t.txt", th_taxonomy(), &lx, err, sizeof err);
  if (rc != SK_EINVAL || !strstr(err, want))
    fail_msg("'%s': rc %d, message '%s', want '%s'", text, rc, err, want);
  assert_null(lx);
}

static void test_bad_lexicon_refused(void **state) {
  (void)state;
  expect_refused("# x\n[need geld.schulden]\nboete\n[need geld.bestaatniet]\nwiet\n",
                 "t.txt:4: unknown need 'geld.bestaatniet'");
  expect_refused("[need psychisch.crisis]\nik wil dood\n",
                 "t.txt:1: need 'psychisch.crisis' is a crisis need");
  expect_refused("[need geld.schulden]\nboete\n[need geld.inkomen]\nBoete\n",
                 "t.txt:4: 'boete' is listed twice");
  expect_refused("boete\n", "t.txt:1: an entry before the first section");
  expect_refused("[need geld]\neen twee drie vier vijf zes zeven\n", "more than 6 words");
  expect_refused("[need geld]\nde\n", "stop word");
  expect_refused("[place amsterdam]\nmokum\n", "unknown municipality 'amsterdam'");
  expect_refused("[feeling geld]\nx\n", "unknown section 'feeling'");
  expect_refused("[need]\nboete\n", "section without a code");
  expect_refused("[fallback advies.toegang]\nhelp\n", "no entries");
  expect_refused("[need geld]\nboete = \n", "'=' is followed by");
  expect_refused("[need ontmoeten]\nnieuw in laren\n",
                 "t.txt:2: 'nieuw in laren' names the place 'laren'");
  expect_refused("[close vrienden]\nbuurman\n", "t.txt:1: unknown target group 'vrienden'");
  expect_refused("[close mantelzorgers ouders]\nbuurman\n", "names one target group");
  expect_refused("[child ouders]\nmijn zoon\n", "t.txt:2: a relative is one word");
  expect_refused("[need geld]\nbo\xff"
                 "te\n",
                 "not UTF-8");
  /* a good small one */
  struct sk_lexicon *lx = NULL;
  char err[256];
  const char *ok = "[need geld.schulden geld.inkomen]\n  Energierekening = rekeningen \n\n[place "
                   "laren]\nlaaren\n";
  assert_int_equal(sk_lexicon_parse(ok, strlen(ok), "t.txt", th_taxonomy(), &lx, err, sizeof err),
                   SK_OK);
  assert_int_equal(sk_lexicon_count(lx), 1);
  const char *const *codes;
  size_t nc;
  assert_string_equal(sk_lexicon_entry(lx, 0, NULL, &codes, &nc), "energierekening");
  assert_int_equal(nc, 2);
  assert_string_equal(codes[1], "geld.inkomen");
  sk_lexicon_free(lx);
  assert_int_equal(sk_lexicon_load(th_path("absent.txt"), th_taxonomy(), &lx, err, sizeof err),
                   SK_EIO);
}

/* ---- on the demo data ---- */

static struct sk_store *g_st;
static struct sk_taxonomy *g_tax;
static struct sk_searcher *g_s;

static int demo_setup(void **state) {
  (void)state;
  const char *db = th_path("lexicon-demo.db");
  if (th_index_demo(db) != 0)
    return -1;
  char err[256];
  if (sk_store_open(db, SK_STORE_READONLY, &g_st, err, sizeof err) != SK_OK ||
      sk_taxonomy_from_store(g_st, &g_tax, err, sizeof err) != SK_OK ||
      !(g_s = sk_searcher_new(g_st, g_tax)))
    return -1;
  return 0;
}

static int demo_teardown(void **state) {
  (void)state;
  sk_searcher_free(g_s);
  sk_taxonomy_free(g_tax);
  sk_store_close(g_st);
  return 0;
}

static struct sk_search_result *search(const char *q, const char *need, const char *muni,
                                       int per_page) {
  struct sk_search_query sq;
  sk_search_query_init(&sq);
  sq.q = q;
  if (need)
    sq.needs[sq.n_needs++] = need;
  sq.municipality = muni;
  sq.per_page = per_page;
  struct sk_search_result *r = NULL;
  struct sk_search_error e;
  if (sk_search(g_s, &sq, &r, &e) != SK_OK)
    fail_msg("search '%s': %s %s", q ? q : "", e.param, e.message);
  return r;
}

static int has_need(const struct sk_search_item *it, const char *prefix) {
  for (size_t i = 0; i < it->n_needs; i++)
    if (!strncmp(it->needs[i].code, prefix, strlen(prefix)))
      return 1;
  return 0;
}

static void dump(const char *q, const struct sk_search_result *r) {
  fprintf(stderr, "'%s': %ld results%s\n", q, r->total, r->fallback_reason ? " (fallback)" : "");
  for (size_t i = 0; i < r->n_items && i < 10; i++)
    fprintf(stderr, "  %zu %s %.2f\n", i + 1, r->items[i].name, r->items[i].score);
}

/* The first result for an everyday word: named, and within the need. */
static void expect_first(const char *q, const char *name, const char *need) {
  struct sk_search_result *r = search(q, NULL, NULL, 10);
  if (!r->n_items || r->fallback_reason || (name && strcmp(r->items[0].name, name)) ||
      (need && !has_need(&r->items[0], need))) {
    dump(q, r);
    sk_search_result_free(r);
    fail_msg("'%s': want '%s' (%s) first", q, name ? name : "-", need ? need : "-");
  }
  int lexicon = 0;
  for (size_t i = 0; i < r->n_concepts; i++)
    lexicon |= r->concepts[i].source && !strcmp(r->concepts[i].source, "lexicon");
  assert_true(lexicon); /* "Gezocht op: ..." says how the word was understood */
  sk_search_result_free(r);
}

static void test_everyday_words(void **state) {
  (void)state;
  expect_first("spijbelen", "Leerplicht en voortijdig schoolverlaten", "opvoeden.school");
  expect_first("wiet", NULL, "psychisch.verslaving");
  expect_first("mijn zoon blowt", NULL, "psychisch.verslaving");
  expect_first("weduwnaar", "Gespreksgroep na verlies", NULL);
  expect_first("begrafenis", "Gespreksgroep na verlies", NULL);
  expect_first("energierekening", NULL, "geld.schulden");
  expect_first("boete", "Schuldhulpverlening", NULL);
  expect_first("CJIB", "Schuldhulpverlening", NULL);
  expect_first("brief van het CJIB", NULL, "geld");
  expect_first("paniekaanval", NULL, "psychisch.klachten");
  expect_first("gepest", NULL, NULL);
  expect_first("geen geld voor eten", "Voedselpakket van de voedselbank", NULL);
  /* a compound the stemmer does not fold still finds its entry */
  expect_first("paniekaanvallen", NULL, "psychisch.klachten");
}

/* The concepts of a query include (or not) this need. */
static int has_concept(const char *q, const char *need, char *matched, size_t matched_len) {
  struct sk_search_result *r = search(q, NULL, NULL, 10);
  int found = 0;
  for (size_t i = 0; i < r->n_concepts && !found; i++)
    if (!strcmp(r->concepts[i].vocab, "need") && !strcmp(r->concepts[i].code, need)) {
      found = 1;
      if (matched)
        snprintf(matched, matched_len, "%s", r->concepts[i].matched ? r->concepts[i].matched : "");
    }
  sk_search_result_free(r);
  return found;
}

static int in_top(const char *q, const char *name, size_t k) {
  struct sk_search_result *r = search(q, NULL, NULL, (int)k);
  int found = 0;
  for (size_t i = 0; i < r->n_items && !found; i++)
    found = strcmp(r->items[i].name, name) == 0;
  sk_search_result_free(r);
  return found;
}

/* Dutch word order and the little words inside a phrase: the lexicon's
 * "uit huis gezet" is "ik word uit mijn huis gezet", its "werk zoeken" is
 * "ik zoek werk", "alleen voelen" is "ik voel me zo alleen". */
static void test_word_order_and_fillers(void **state) {
  (void)state;
  char m[256];
  expect_first("ik word uit mijn huis gezet", NULL, "wonen.dakloos");
  assert_true(has_concept("ik word uit mijn huis gezet", "wonen.dakloos", m, sizeof m));
  assert_string_equal(m, "uit mijn huis gezet"); /* "Gezocht op" shows the words as typed */
  expect_first("ik zoek werk", NULL, "werk.zoeken");
  expect_first("ik voel me zo alleen", NULL, "ontmoeten.activiteiten");
  expect_first("waar kan ik gratis kleding krijgen", "Kledingbank", NULL);
  /* a verb in another person is the same verb ("loopt", "ziet" for the
   * entries' "lopen", "zien"), and "niet goed" is "slecht" */
  assert_true(has_concept("mijn vader loopt slecht", "thuis.valpreventie", NULL, 0));
  assert_true(has_concept("mijn moeder ziet slecht", "beperking.lichamelijk", NULL, 0));
  assert_true(has_concept("ik kan niet meer goed lopen", "thuis.valpreventie", m, sizeof m));
  assert_string_equal(m, "niet meer goed lopen");
  assert_false(has_concept("iemand die elke dag belt of alles goed is", "thuis.vervoer", NULL, 0));
  /* a compound written as two words is one concept; two words the texts
   * have apart stay two */
  assert_true(has_concept("mantel zorg", "mantelzorg", NULL, 0));
  assert_true(has_concept("geld problemen", "geld", NULL, 0));
  assert_true(in_top("repair cafe", "Repair Café Blaricum", 3));
  /* a longer entry that starts inside a shorter one wins: bullying at
   * work is no school question */
  assert_true(has_concept("ik word gepest op mijn werk", "advies.juridisch", NULL, 0));
  assert_false(has_concept("ik word gepest op mijn werk", "opvoeden.school", NULL, 0));
  /* a word after "mijn" is whole: "mijn vrouw" is no "vrouwenopvang" */
  assert_false(has_concept("ik voel me alleen sinds de dood van mijn vrouw",
                           "veiligheid.huiselijkgeweld", NULL, 0));
  /* "nog niet" (not yet) is not "niet" (no longer) */
  assert_false(has_concept("ik kan nog niet alleen wonen", "thuis", NULL, 0));
  /* a negation is no filler: "uit huis gezet" is not "uit huis niet gezet" */
  assert_false(has_concept("ik ben uit huis niet gezet", "wonen.dakloos", NULL, 0));
}

/* Separable verbs: the particle stands at the end of the clause, apart from
 * its verb ("wie vult mijn formulier in" is invullen, "ik maak mijn huis niet
 * meer schoon" is schoonmaken); a particle that does not end the clause is
 * a preposition ("ik vul het in huizen"). */
static void test_separable_verbs(void **state) {
  (void)state;
  char m[256];
  assert_true(has_concept("wie vult mijn belastingpapieren in", "geld.administratie", m, sizeof m));
  assert_true(has_concept("ik maak mijn huis niet meer schoon", "thuis.huishouden", m, sizeof m));
  expect_first("ik maak mijn huis niet meer schoon", "Hulp bij het huishouden (Wmo)", NULL);
  /* a verb of the third person ("betaalt ... uit": uitbetalen), and a
   * phrase after the particle ("ik meld me aan bij ...") */
  assert_true(
      has_concept("mijn werkgever betaalt mijn loon niet uit", "geld.inkomen", m, sizeof m));
  assert_string_equal(m, "betaalt uit");
  /* the particle must end the clause: "in" before more words is a preposition */
  assert_false(has_concept("ik vul het in huizen", "geld.administratie", NULL, 0));
  /* a conjunction ends the clause */
  assert_true(has_concept("ik maak het niet schoon en ik ben moe", "thuis.huishouden", NULL, 0));
  /* a verb that the texts use on its own ("kom" of "zo kom je rond") is
   * still the verb of its particle: the question is about money, not about
   * every text with "kom" in it */
  assert_true(has_concept("ik kom niet rond", "geld", m, sizeof m));
  expect_first("ik kom niet rond", NULL, "geld");
  assert_true(has_concept("ik geef te veel geld uit", "geld.administratie", NULL, 0));
  assert_true(has_concept("ik slaap buiten", "wonen.dakloos", NULL, 0));
}

/* The first result of q is the offering called name. */
static void expect_top(const char *q, const char *name) {
  struct sk_search_result *r = search(q, NULL, NULL, 10);
  if (!r->n_items || strcmp(r->items[0].name, name)) {
    dump(q, r);
    sk_search_result_free(r);
    fail_msg("'%s': want '%s' first", q, name);
  }
  sk_search_result_free(r);
}

static int has_group(const char *q, const char *tg) {
  struct sk_search_result *r = search(q, NULL, NULL, 10);
  int found = 0;
  for (size_t i = 0; i < r->n_concepts && !found; i++)
    found = !strcmp(r->concepts[i].vocab, "target_group") && !strcmp(r->concepts[i].code, tg);
  sk_search_result_free(r);
  return found;
}

/* Who asks. The person in crisis gets their own line first; one who asks
 * about "mijn dochter" gets what is for those around her first. "mijn
 * moeder" is someone close, not the target group ouders; a relative who
 * died is no one to care for ("mijn vrouw is overleden" is not asked by a
 * mantelzorger, so no help for the last phase of life). */
static void test_who_asks(void **state) {
  (void)state;
  const char *own = "Hulplijn 113: praten over zelfmoordgedachten";
  const char *around = "113 voor naasten en nabestaanden";
  expect_top("zelfbeschadiging", own);
  expect_top("ik snij mezelf", own);
  expect_top("ik wil dood", own);
  expect_top("mijn dochter doet aan zelfbeschadiging", around);
  expect_top("mijn vriend wil dood", around);
  assert_false(has_group("mijn moeder kan niet meer alleen wonen", "ouders"));
  /* one who has a wife is an adult: youth care is for someone else */
  assert_true(in_top("mijn vrouw is depressief", "POH-GGZ Laren en Blaricum", 5));
  assert_false(
      in_top("mijn vrouw is depressief", "Jeugd-ggz: behandeling voor kinderen en jongeren", 5));
  assert_true(has_group("ik ben een moeder en zoek opvoedadvies", "ouders"));
  assert_false(in_top("mijn vrouw is overleden en ik ben nu alleen",
                      "Vrijwilligers in de laatste levensfase", 10));
  assert_true(in_top("mijn vrouw is overleden en ik ben nu alleen", "Gespreksgroep na verlies", 3));
}

/* An age in the words ranks, it does not select: "van 15" puts what is for
 * young people first; "3 jaar" is no word an offering must have. */
static void test_ages(void **state) {
  (void)state;
  expect_top("mijn dochter van 15 is heel somber",
             "Jeugd-ggz: behandeling voor kinderen en jongeren");
  /* a municipality's age rule keeps an offering from that age there:
   * Team jeugd en gezin serves adults only in Eemnes */
  assert_true(in_top("mijn zoon van 12 heeft driftbuien", "Team jeugd en gezin (27-)", 10));
  assert_false(
      in_top("mijn zoon van 12 heeft driftbuien in eemnes", "Team jeugd en gezin (27-)", 10));
  /* a child asks about its own parents: what is only for parents is for
   * someone else */
  assert_true(in_top("ik ben 13 en mijn ouders maken steeds ruzie", "De Kindertelefoon", 3));
  struct sk_search_result *r = search("kind van 3 jaar", NULL, NULL, 10);
  assert_true(r->total >= 10);
  sk_search_result_free(r);
}

/* Compounds that no list names: a modifier and a head, the head a need
 * word ("seniorenvervoer") or a word for help ("gokprobleem",
 * "valpreventiecursus": the modifier's need). */
static void test_compounds_through_their_parts(void **state) {
  (void)state;
  expect_first("gokprobleem", NULL, "psychisch.verslaving");
  expect_first("seniorenvervoer", NULL, "thuis.vervoer");
  expect_first("valpreventiecursus", NULL, "thuis.valpreventie");
  expect_first("dementiehulp", NULL, "geheugen.casemanagement");
  /* no reading through a part that only looks like one: "jeugdhulpverlening"
   * ends in "lening" (a loan) but is youth care */
  assert_false(has_concept("jeugdhulpverlening", "geld.schulden", NULL, 0));
  struct sk_search_result *r = search("jeugdhulpverlening", NULL, NULL, 10);
  assert_true(r->n_items > 0 && has_need(&r->items[0], "opvoeden.jeugdhulp"));
  sk_search_result_free(r);
  /* vague words are no parts: "huiswerk" (homework) is not work */
  assert_false(has_concept("huiswerk", "werk", NULL, 0));
  assert_false(has_concept("huiswerk", "werk.zoeken", NULL, 0));
}

/* An offering serves Laren when one of its areas is Laren, its scopes, the
 * region or the country. */
static int serves_laren(const struct sk_search_item *it) {
  static const char *const ok[] = {"laren", "bel", "hbel", "regio", "landelijk"};
  for (size_t i = 0; i < it->n_areas; i++)
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
      if (!strcmp(it->areas[i].code, ok[k]))
        return 1;
  return 0;
}

static void test_place_in_query_filters(void **state) {
  (void)state;
  /* "ik woon in Laren" says where, it is no question about housing */
  assert_false(has_concept("ik wil meer bewegen, ik woon in laren", "wonen", NULL, 0));
  assert_true(in_top("ik wil meer bewegen, ik woon in laren", "Beweegcoach BEL", 3));
  static const char *const qs[] = {
      "schulden Laren", "schulden laren",           "schulden in Laren", "schulden gemeente Laren",
      "Laren schulden", "hulp bij schulden laaren", "boete larenaar"};
  for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
    struct sk_search_result *r = search(qs[k], NULL, NULL, 100);
    if (!r->place || strcmp(r->place, "laren") || !r->place_from_query || !r->total) {
      dump(qs[k], r);
      fail_msg("'%s': place laren not applied", qs[k]);
    }
    for (size_t i = 0; i < r->n_items; i++)
      if (!serves_laren(&r->items[i])) {
        dump(qs[k], r);
        fail_msg("'%s': '%s' does not serve Laren", qs[k], r->items[i].name);
      }
    assert_true(has_need(&r->items[0], "geld.schulden"));
    sk_search_result_free(r);
  }
  /* "overal zoeken" undoes it: Huizen's own offerings come back (the API's
   * place_filter=0) */
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = "schulden Laren";
  q.per_page = 100;
  struct sk_search_error e;
  assert_int_equal(sk_search_query_set(&q, "place_filter", "misschien", &e), SK_EINVAL);
  assert_string_equal(e.param, "place_filter");
  assert_int_equal(sk_search_query_set(&q, "place_filter", "0", &e), SK_OK);
  assert_true(q.place_as_preference);
  struct sk_search_result *r = NULL;
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_OK);
  assert_null(r->place);
  int other = 0;
  for (size_t i = 0; i < r->n_items; i++)
    other |= !serves_laren(&r->items[i]);
  assert_true(other);
  sk_search_result_free(r);
  /* the place said in the words wins over the municipality parameter */
  sk_search_query_init(&q);
  q.q = "schulden laren";
  q.municipality = "huizen";
  q.per_page = 100;
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_OK);
  assert_string_equal(r->place, "laren");
  assert_true(r->place_from_query);
  for (size_t i = 0; i < r->n_items; i++)
    assert_true(serves_laren(&r->items[i]));
  sk_search_result_free(r);
  /* the parameter alone: the same filter, not from the words */
  r = search("schulden", NULL, "laren", 100);
  assert_string_equal(r->place, "laren");
  assert_false(r->place_from_query);
  sk_search_result_free(r);
  /* "huizen" as houses is not the place; as a place it is */
  r = search("betaalbare huizen", NULL, NULL, 10);
  assert_null(r->place);
  sk_search_result_free(r);
  r = search("maatje in huizen", NULL, NULL, 10);
  assert_non_null(r->place);
  assert_string_equal(r->place, "huizen");
  sk_search_result_free(r);
  /* nor is "huis" (Huizen's stem): a place is matched as written */
  r = search("vochtig huis", NULL, NULL, 10);
  assert_null(r->place);
  sk_search_result_free(r);
  /* the Eemnes youth route: the Eemnes team is there, and every offering
   * that narrows itself for Eemnes says so */
  r = search("jeugdhulp eemnes", NULL, NULL, 100);
  assert_non_null(r->place);
  assert_string_equal(r->place, "eemnes");
  int route = 0;
  for (size_t i = 0; i < r->n_items; i++)
    route |= !strcmp(r->items[i].name, "Jeugdhulp voor Eemnes (route regio Amersfoort)");
  assert_true(route);
  sk_search_result_free(r);
  /* a youth of 12 from Eemnes never gets an offering that is adults-only there */
  sk_search_query_init(&q);
  q.q = "jeugdhulp Eemnes";
  q.age = 12;
  q.per_page = 100;
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_OK);
  for (size_t i = 0; i < r->n_items; i++)
    assert_string_not_equal(r->items[i].name, "Team jeugd en gezin (27-)");
  sk_search_result_free(r);
}

static void test_need_list_by_centrality(void **state) {
  (void)state;
  struct sk_search_result *r = search(NULL, "geld", "laren", 100);
  if (r->total < 10 || strcmp(r->items[0].name, "Schuldhulpverlening")) {
    dump("need geld, laren", r);
    fail_msg("need geld + Laren: Schuldhulpverlening first");
  }
  /* the information desk for everything comes after the money services */
  int desk = -1, clothes = -1;
  for (size_t i = 0; i < r->n_items; i++) {
    if (!strcmp(r->items[i].name, "Informatiepunt BEL"))
      desk = (int)i;
    if (!strcmp(r->items[i].name, "Kledingbank"))
      clothes = (int)i;
  }
  assert_true(desk > 5 && clothes > 0);
  sk_search_result_free(r);
  r = search(NULL, "geld.schulden", "huizen", 10);
  assert_string_equal(r->items[0].name, "Schuldhulpverlening");
  sk_search_result_free(r);
  r = search(NULL, "taal.lezenschrijven", "huizen", 10);
  assert_string_equal(r->items[0].name, "Taalhuis Huizen");
  sk_search_result_free(r);
}

static void test_never_a_dead_end(void **state) {
  (void)state;
  /* a real word that nothing uses: the closest need's offerings */
  struct sk_search_result *r = search("spijbelweek", NULL, NULL, 10);
  if (!r->total || !r->fallback_reason || strcmp(r->fallback_reason, "closest")) {
    dump("spijbelweek", r);
    fail_msg("spijbelweek: no closest-need fallback");
  }
  assert_int_equal(r->n_fallback_needs, 1);
  assert_string_equal(r->fallback_needs[0].code, "opvoeden.school");
  assert_non_null(strstr(r->fallback_message, "School en onderwijs"));
  json_t *j = sk_search_result_json(r);
  json_t *fb = json_object_get(j, "fallback");
  assert_string_equal(json_string_value(json_object_get(fb, "reason")), "closest");
  json_decref(j);
  sk_search_result_free(r);
  /* nothing close at all: the places for any question, in the place said */
  r = search("xqzt vbnm laren", NULL, NULL, 10);
  assert_true(r->total > 0);
  assert_string_equal(r->fallback_reason, "general");
  assert_string_equal(r->place, "laren");
  for (size_t i = 0; i < r->n_items; i++) {
    assert_true(serves_laren(&r->items[i]));
    assert_true(has_need(&r->items[i], "advies.toegang"));
  }
  sk_search_result_free(r);
  /* words with a need chosen: the need's offerings */
  r = search("xqzt", "geld.schulden", NULL, 10);
  assert_string_equal(r->fallback_reason, "chosen");
  assert_string_equal(r->items[0].name, "Schuldhulpverlening");
  sk_search_result_free(r);
  /* a match is never a fallback */
  r = search("schulden", NULL, NULL, 10);
  assert_null(r->fallback_reason);
  j = sk_search_result_json(r);
  assert_true(json_is_null(json_object_get(j, "fallback")));
  json_decref(j);
  sk_search_result_free(r);
}

/* Every entry finds at least one offering in the demo data (understood as
 * a need, not through the fallback), or is listed in the gap file; the gap
 * file lists exactly the entries that do not. */
static void test_every_entry_finds_offerings(void **state) {
  (void)state;
  size_t len;
  const char *text = sk_lexicon_builtin(&len);
  struct sk_lexicon *lx = NULL;
  char err[256];
  assert_int_equal(sk_lexicon_parse(text, len, "feeds/lexicon.txt", g_tax, &lx, err, sizeof err),
                   SK_OK);
  /* the gap file: one entry per line, # comments */
  char *gaps[512];
  size_t n_gaps = 0;
  FILE *f = fopen(th_source_path("tests/data/lexicon-gaps.txt"), "r");
  assert_non_null(f);
  char line[512];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#')
      continue;
    assert_true(n_gaps < 512);
    gaps[n_gaps++] = strdup(line);
  }
  fclose(f);
  size_t found = 0, missing = 0, stale = 0;
  uint8_t *listed = calloc(n_gaps ? n_gaps : 1, 1);
  for (size_t i = 0; i < sk_lexicon_count(lx); i++) {
    int ln;
    const char *e = sk_lexicon_entry(lx, i, &ln, NULL, NULL);
    struct sk_search_result *r = search(e, NULL, NULL, 1);
    int need = 0; /* understood as a need (not only a place) */
    for (size_t k = 0; k < r->n_concepts; k++)
      need |= !strcmp(r->concepts[k].vocab, "need");
    int ok = r->total > 0 && !r->fallback_reason && need;
    sk_search_result_free(r);
    size_t g = 0;
    while (g < n_gaps && strcmp(gaps[g], e))
      g++;
    if (g < n_gaps)
      listed[g] = 1;
    if (ok) {
      found++;
      if (g < n_gaps) {
        printf("stale gap: '%s' finds offerings now (remove it from tests/data/lexicon-gaps.txt)\n",
               e);
        stale++;
      }
    } else if (g == n_gaps) {
      printf("gap: '%s' (line %d) finds nothing in the demo data: add it to "
             "tests/data/lexicon-gaps.txt\n",
             e, ln);
      missing++;
    }
  }
  for (size_t g = 0; g < n_gaps; g++) {
    if (!listed[g]) {
      printf("stale gap: '%s' is not an entry of the lexicon\n", gaps[g]);
      stale++;
    }
    free(gaps[g]);
  }
  free(listed);
  printf("lexicon on the demo data: %zu of %zu entries find offerings, %zu listed gaps\n", found,
         sk_lexicon_count(lx), n_gaps);
  sk_lexicon_free(lx);
  assert_int_equal(missing, 0);
  assert_int_equal(stale, 0);
}

int main(void) {
  const struct CMUnitTest plain[] = {cmocka_unit_test(test_builtin_resolves),
                                     cmocka_unit_test(test_bad_lexicon_refused)};
  const struct CMUnitTest demo[] = {cmocka_unit_test(test_everyday_words),
                                    cmocka_unit_test(test_word_order_and_fillers),
                                    cmocka_unit_test(test_separable_verbs),
                                    cmocka_unit_test(test_who_asks),
                                    cmocka_unit_test(test_ages),
                                    cmocka_unit_test(test_compounds_through_their_parts),
                                    cmocka_unit_test(test_place_in_query_filters),
                                    cmocka_unit_test(test_need_list_by_centrality),
                                    cmocka_unit_test(test_never_a_dead_end),
                                    cmocka_unit_test(test_every_entry_finds_offerings)};
  int rc = cmocka_run_group_tests(plain, NULL, NULL);
  return rc | cmocka_run_group_tests(demo, demo_setup, demo_teardown);
}
