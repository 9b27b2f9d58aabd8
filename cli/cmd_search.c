/* sociale-kaart search: search the offerings like the site does; prints
 * results for people, or the /api/v1/search JSON with --json. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sk_err.h"
#include "sk_lexicon.h"
#include "sk_search.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

void cmd_search_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart search [OPTIONS] \"WORDS\"\n"
          "       sociale-kaart search --suggest \"WORDS\"\n"
          "\n"
          "Search the offerings and activities in the database, as the site does.\n"
          "Any text is fine: words are matched in every form (schuld, schulden),\n"
          "inside compound words and with small typing errors.\n"
          "\n"
          "  --municipality CODE  for residents of this municipality (huizen, blaricum,\n"
          "                       eemnes, laren, ...): includes regional and national offers\n"
          "  --need CODE          need (hulpvraag), e.g. geld or geld.schulden; repeatable\n"
          "  --target-group CODE  target group, e.g. jongeren\n"
          "  --age N              the age of the person (0-120)\n"
          "  --access CODE        vrij, aanmelden, verwijzing or indicatie; repeatable\n"
          "  --cost CODE          gratis, eigen-bijdrage, vergoed or betaald; repeatable\n"
          "  --law CODE           wmo, jeugdwet, wgs, ... (any of them); repeatable\n"
          "  --kind KIND          aanbod or activiteit\n"
          "  --open-now           only what is open now\n"
          "  --postcode PC        for sorting by distance (e.g. 1251 AB)\n"
          "  --sort SORT          relevance (default), name, distance or soonest\n"
          "  --page N, --per-page N\n"
          "  --facets             also count results per need, group, municipality ...\n"
          "  --professional       show fields for professionals (referral contact)\n"
          "  --suggest            complete the words instead of searching\n"
          "  --json               print the API's JSON instead of text\n"
          "  --db PATH            database file (env SK_DB, default %s)\n",
          SK_DEFAULT_DB);
}

static void print_codes(const char *label, const struct sk_search_code *c, size_t n) {
  if (!n)
    return;
  printf("   %s: ", label);
  for (size_t i = 0; i < n; i++)
    printf("%s%s", i ? ", " : "", c[i].label);
  printf("\n");
}

static void print_item(size_t no, const struct sk_search_item *it) {
  printf("%2zu. ", no);
  for (size_t i = 0; i < it->n_name_segments; i++)
    printf(it->name_segments[i].hit ? "[%s]" : "%s", it->name_segments[i].text);
  printf(" (%s)\n", it->organization ? it->organization : "?");
  if (it->summary)
    printf("   %s\n", it->summary);
  print_codes("Toegang", it->access, it->n_access);
  print_codes("Kosten", it->cost, it->n_cost);
  print_codes("Wet", it->laws, it->n_laws);
  print_codes("Voor", it->areas, it->n_areas);
  if (it->area_note)
    printf("   Let op: %s\n", it->area_note);
  for (size_t i = 0; i < it->n_phones; i++)
    printf("   Telefoon: %s%s%s\n", it->phones[i].number, it->phones[i].description ? " - " : "",
           it->phones[i].description ? it->phones[i].description : "");
  if (it->next_start)
    printf("   Volgende keer: %s\n", it->next_start);
  if (it->distance_km >= 0)
    printf("   Afstand: %.1f km\n", it->distance_km);
  if (it->referral_contact)
    printf("   Verwijzers: %s\n", it->referral_contact);
  if (it->stale)
    printf("   (Niet recent bevestigd%s%s)\n", it->assured_date ? "; laatst: " : "",
           it->assured_date ? it->assured_date : "");
  if (it->why)
    printf("   Gevonden op: %s\n", it->why);
}

static void print_result(const struct sk_search_result *r) {
  if (r->crisis && r->n_crisis_lines) {
    printf("Hulp nodig? Direct bereikbaar:\n");
    for (size_t i = 0; i < r->n_crisis_lines; i++) {
      const struct sk_search_item *it = &r->crisis_lines[i];
      printf("  * %s", it->name);
      if (it->n_phones)
        printf(" - bel %s", it->phones[0].number);
      if (it->n_phones > 1)
        printf(" of %s", it->phones[1].number);
      if (it->url)
        printf(" - %s", it->url);
      printf("\n");
    }
    printf("\n");
  }
  if (r->did_you_mean)
    printf("Bedoelde u: %s\n", r->did_you_mean);
  if (r->n_concepts) {
    printf("Gezocht op: ");
    for (size_t i = 0; i < r->n_concepts; i++)
      printf("%s%s", i ? ", " : "", r->concepts[i].label);
    printf("\n");
  }
  if (r->relaxed)
    printf("Niets gevonden met alle woorden; dit zijn resultaten met een deel ervan.\n");
  if (r->total_is_lower_bound)
    printf("meer dan %ld resultaten", r->total);
  else
    printf("%ld resultaten", r->total);
  if (r->total > (long)r->n_items)
    printf(" (pagina %d)", r->page);
  printf("\n\n");
  for (size_t i = 0; i < r->n_items; i++)
    print_item((size_t)(r->page - 1) * (size_t)r->per_page + i + 1, &r->items[i]);
  if (!r->total && r->n_suggested_needs) {
    printf("Misschien zoekt u:");
    for (size_t i = 0; i < r->n_suggested_needs; i++)
      printf("%s %s", i ? "," : "", r->suggested_needs[i].label);
    printf("\n");
  }
  if (r->has_facets) {
    printf("\n");
    for (int f = 0; f < SK_SEARCH_N_FACETS; f++) {
      if (!r->facets[f].n_values)
        continue;
      printf("%s:", r->facets[f].name);
      for (size_t i = 0; i < r->facets[f].n_values; i++)
        printf(" %s (%ld)%s", r->facets[f].values[i].code, r->facets[f].values[i].count,
               i + 1 < r->facets[f].n_values ? "," : "");
      printf("\n");
    }
  }
}

int cmd_search(int argc, char **argv) {
  enum {
    O_MUNI = 1000,
    O_NEED,
    O_TG,
    O_AGE,
    O_ACCESS,
    O_COST,
    O_KIND,
    O_OPEN,
    O_POSTCODE,
    O_SORT,
    O_PAGE,
    O_PER_PAGE,
    O_FACETS,
    O_LAW,
    O_PRO,
    O_SUGGEST,
    O_JSON,
    O_DB
  };
  static const struct option opts[] = {{"municipality", required_argument, NULL, O_MUNI},
                                       {"need", required_argument, NULL, O_NEED},
                                       {"target-group", required_argument, NULL, O_TG},
                                       {"age", required_argument, NULL, O_AGE},
                                       {"access", required_argument, NULL, O_ACCESS},
                                       {"cost", required_argument, NULL, O_COST},
                                       {"kind", required_argument, NULL, O_KIND},
                                       {"open-now", no_argument, NULL, O_OPEN},
                                       {"postcode", required_argument, NULL, O_POSTCODE},
                                       {"sort", required_argument, NULL, O_SORT},
                                       {"page", required_argument, NULL, O_PAGE},
                                       {"per-page", required_argument, NULL, O_PER_PAGE},
                                       {"facets", no_argument, NULL, O_FACETS},
                                       {"professional", no_argument, NULL, O_PRO},
                                       {"suggest", no_argument, NULL, O_SUGGEST},
                                       {"json", no_argument, NULL, O_JSON},
                                       {"db", required_argument, NULL, O_DB},
                                       {"law", required_argument, NULL, O_LAW},
                                       {NULL, 0, NULL, 0}};
  static const char *const names[] = {
      "municipality", "need",     "target_group", "age",  "access",   "cost",   "kind",
      "open_now",     "postcode", "sort",         "page", "per_page", "facets", "law"};
  struct sk_search_query q;
  sk_search_query_init(&q);
  struct sk_search_error e;
  const char *db_path = cli_default("SK_DB", SK_DEFAULT_DB);
  int json = 0, suggest = 0, ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (ch >= O_MUNI && ch <= O_LAW) {
      const char *v = optarg ? optarg : "1";
      if (sk_search_query_set(&q, names[ch - O_MUNI], v, &e) != SK_OK)
        return cli_usage_error("search", "%s", e.message);
    } else if (ch == O_PRO) {
      q.professional = 1;
    } else if (ch == O_SUGGEST) {
      suggest = 1;
    } else if (ch == O_JSON) {
      json = 1;
    } else if (ch == O_DB) {
      db_path = optarg;
    } else {
      return cli_usage_error("search", "unknown option '%s'", argv[optind - 1]);
    }
  }
  /* the words: every remaining argument */
  size_t len = 0;
  for (int i = optind; i < argc; i++)
    len += strlen(argv[i]) + 1;
  char *text = calloc(1, len + 1);
  if (!text)
    return SK_EXIT_FAIL;
  for (int i = optind; i < argc; i++) {
    if (i > optind)
      strcat(text, " ");
    strcat(text, argv[i]);
  }
  q.q = text;
  char err[512] = "";
  struct sk_store *st = NULL;
  struct sk_taxonomy *tax = NULL;
  struct sk_searcher *s = NULL;
  int code = SK_EXIT_FAIL;
  if (sk_store_open(db_path, SK_STORE_READONLY, &st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart search: %s\n", err);
    goto out;
  }
  if (sk_taxonomy_from_store(st, &tax, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart search: taxonomy: %s\n", err);
    goto out;
  }
  if (!(s = sk_searcher_new(st, tax))) {
    /* the built-in lexicon must fit the store's taxonomy: say why not */
    size_t ll;
    const char *lt = sk_lexicon_builtin(&ll);
    struct sk_lexicon *lx = NULL;
    if (sk_lexicon_parse(lt, ll, "feeds/lexicon.txt", tax, &lx, err, sizeof err) != SK_OK)
      fprintf(stderr, "sociale-kaart search: lexicon: %s\n", err);
    else
      fprintf(stderr, "sociale-kaart search: cannot read the search index of %s\n", db_path);
    sk_lexicon_free(lx);
    goto out;
  }
  json_t *body = NULL;
  if (suggest) {
    struct sk_suggest_result *sr = NULL;
    if (sk_suggest(s, text, 10, &sr) != SK_OK) {
      fprintf(stderr, "sociale-kaart search: suggest failed\n");
      goto out;
    }
    if (json) {
      body = sk_suggest_result_json(sr);
    } else {
      for (size_t i = 0; i < sr->n_items; i++)
        printf("%s\t(%s)\n", sr->items[i].text, sr->items[i].kind);
    }
    sk_suggest_result_free(sr);
  } else {
    struct sk_search_result *r = NULL;
    int rc = sk_search(s, &q, &r, &e);
    if (rc == SK_EINVAL) {
      code = cli_usage_error("search", "%s", e.message);
      goto out;
    }
    if (rc != SK_OK) {
      fprintf(stderr, "sociale-kaart search: %s\n", e.message);
      goto out;
    }
    if (json)
      body = sk_search_result_json(r);
    else
      print_result(r);
    sk_search_result_free(r);
  }
  if (json) {
    if (!body || json_dumpf(body, stdout, JSON_INDENT(2)) != 0) {
      json_decref(body);
      goto out;
    }
    printf("\n");
    json_decref(body);
  }
  code = SK_EXIT_OK;
out:
  sk_searcher_free(s);
  sk_taxonomy_free(tax);
  sk_store_close(st);
  free(text);
  return code;
}
