/* A place in the query ("schulden Laren", "hulp in huizen", "gemeente
 * Eemnes"): which municipality words are really places, and which words
 * around them belong to the place. The search then applies the place as
 * its municipality filter (sk_search_analyse.c, sk_search.c). */
#include <string.h>

#include "sk_lexicon_int.h"

/* Words that say "the next word is a place". */
static const char *const markers[] = {"in",     "uit",      "te",         "bij",      "rond",
                                      "rondom", "omgeving", "regio",      "gemeente", "gemeentes",
                                      "gem",    "dorp",     "woonplaats", "plaats",   "wonend"};

/* Words after which a plural noun follows, not a place: determiners,
 * numbers, quantities and the adjectives residents put before "huizen". */
static const char *const before_noun[] = {"de",         "die",
                                          "deze",       "alle",
                                          "veel",       "meer",
                                          "minder",     "weinig",
                                          "twee",       "drie",
                                          "vier",       "vijf",
                                          "tien",       "honderd",
                                          "duizend",    "mijn",
                                          "onze",       "uw",
                                          "hun",        "welke",
                                          "sommige",    "andere",
                                          "eigen",      "oude",
                                          "nieuwe",     "grote",
                                          "kleine",     "goedkope",
                                          "betaalbare", "dure",
                                          "sociale",    "lege",
                                          "mooie",      "leegstaande",
                                          "vrije",      "beschikbare",
                                          "aangepaste", "aanleunwoningen",
                                          "tiny",       "tijdelijke",
                                          "zulke",      "geen",
                                          "voor",       "van",
                                          "tussen",     "over",
                                          "met",        "naar",
                                          "bouwen",     "kopen",
                                          "huren"};

/* Words after a plural noun "huizen" that make it the noun. */
static const char *const after_noun[] = {"huren",  "kopen", "koop",     "bouwen", "verhuren",
                                         "zoeken", "te",    "bekijken", "voor",   "met"};

static int in_list(const char *w, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i], w) == 0)
      return 1;
  return 0;
}

static int ambiguous_place(const struct sk_lexicon *lx, const char *f) {
  for (size_t i = 0; lx && i < lx->n; i++)
    if (lx->e[i].kind == SKS_LEX_PLACE && lx->e[i].ambiguous && lx->e[i].n_words == 1 &&
        strcmp(lx->e[i].words[0], f) == 0)
      return 1;
  return 0;
}

void sks_place_review(const struct sk_lexicon *lx, const struct sks_place_word *w, size_t n,
                      uint8_t *keep, uint8_t *marker) {
  size_t n_content = 0;
  for (size_t k = 0; k < n; k++) {
    keep[k] = 1;
    marker[k] = 0;
    n_content += !sks_is_stopword(w[k].f);
  }
  for (size_t k = 0; k < n; k++) {
    if (!w[k].is_place)
      continue;
    int after_marker = k > 0 && in_list(w[k - 1].f, markers, sizeof markers / sizeof markers[0]);
    if (ambiguous_place(lx, w[k].f) && !w[k].upper && !after_marker && n_content > 1) {
      int noun = (k > 0 &&
                  in_list(w[k - 1].f, before_noun, sizeof before_noun / sizeof before_noun[0])) ||
                 (k + 1 < n &&
                  in_list(w[k + 1].f, after_noun, sizeof after_noun / sizeof after_noun[0]));
      if (noun) {
        keep[k] = 0;
        continue;
      }
    }
    /* "in Laren", "gemeente Laren", "uit de gemeente Laren": the marker
     * words are part of the place, not words to search for */
    for (size_t j = k; j > 0; j--) {
      const char *m = w[j - 1].f;
      if (!w[j - 1].free || w[j - 1].is_place)
        break;
      if (in_list(m, markers, sizeof markers / sizeof markers[0]) ||
          (j < k + 1 && !strcmp(m, "de") && j != k))
        marker[j - 1] = 1;
      else
        break;
    }
  }
}
