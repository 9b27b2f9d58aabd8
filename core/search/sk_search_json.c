/* The JSON shape of a search result, shared by the API and the CLI
 * (documented at sk_search_result_json in sk_search.h). */
#include <math.h>

#include "sk_crisis.h"
#include "sk_search.h"

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *jcodes(const struct sk_search_code *c, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < n; i++)
    json_array_append_new(a, json_pack("{s:s?, s:s?}", "code", c[i].code, "label", c[i].label));
  return a;
}

static json_t *jsegs(const struct sk_search_segment *g, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < n; i++)
    json_array_append_new(a, json_pack("{s:s?, s:b}", "text", g[i].text, "hit", g[i].hit));
  return a;
}

static json_t *jitem(const struct sk_search_item *it) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  json_object_set_new(o, "id", json_string(it->id));
  json_object_set_new(o, "kind", jstr(it->kind));
  json_object_set_new(o, "name", jstr(it->name));
  json_object_set_new(
      o, "organization",
      json_pack("{s:s, s:s?}", "id", it->organization_id, "name", it->organization));
  json_object_set_new(o, "summary", jstr(it->summary));
  json_object_set_new(o, "url", jstr(it->url));
  json_object_set_new(o, "needs", jcodes(it->needs, it->n_needs));
  json_object_set_new(o, "target_groups", jcodes(it->target_groups, it->n_target_groups));
  json_object_set_new(o, "access", jcodes(it->access, it->n_access));
  json_object_set_new(o, "cost", jcodes(it->cost, it->n_cost));
  json_object_set_new(o, "laws", jcodes(it->laws, it->n_laws));
  json_object_set_new(o, "areas", jcodes(it->areas, it->n_areas));
  json_object_set_new(o, "area_match", jstr(it->area_match));
  json_object_set_new(o, "area_note", jstr(it->area_note));
  json_object_set_new(o, "min_age", it->min_age >= 0 ? json_integer(it->min_age) : json_null());
  json_object_set_new(o, "max_age", it->max_age >= 0 ? json_integer(it->max_age) : json_null());
  json_t *ph = json_array();
  for (size_t i = 0; ph && i < it->n_phones; i++)
    json_array_append_new(ph, json_pack("{s:s?, s:s?}", "number", it->phones[i].number,
                                        "description", it->phones[i].description));
  json_object_set_new(o, "phones", ph);
  if (it->referral_contact)
    json_object_set_new(o, "referral_contact", json_string(it->referral_contact));
  json_object_set_new(o, "next_start", jstr(it->next_start));
  json_object_set_new(o, "distance_km",
                      it->distance_km >= 0 ? json_real(it->distance_km) : json_null());
  json_object_set_new(o, "assured_date", jstr(it->assured_date));
  json_object_set_new(o, "stale", json_boolean(it->stale));
  json_object_set_new(o, "crisis_line", json_boolean(it->crisis_line));
  json_object_set_new(o, "open_now", it->open_now < 0 ? json_null() : json_boolean(it->open_now));
  json_object_set_new(o, "name_segments", jsegs(it->name_segments, it->n_name_segments));
  json_object_set_new(o, "snippet", jsegs(it->snippet, it->n_snippet));
  json_object_set_new(o, "why", jstr(it->why));
  json_object_set_new(o, "score", json_real(round(it->score * 1000) / 1000));
  return o;
}

json_t *sk_search_result_json(const struct sk_search_result *r) {
  if (!r)
    return NULL;
  json_t *o = json_object();
  if (!o)
    return NULL;
  json_object_set_new(o, "total", json_integer(r->total));
  json_object_set_new(o, "total_is_lower_bound", json_boolean(r->total_is_lower_bound));
  json_object_set_new(o, "page", json_integer(r->page));
  json_object_set_new(o, "per_page", json_integer(r->per_page));
  json_object_set_new(o, "sort", jstr(r->sort));
  json_object_set_new(o, "relaxed", json_boolean(r->relaxed));
  json_object_set_new(o, "corrected", json_boolean(r->corrected));
  json_object_set_new(o, "did_you_mean", jstr(r->did_you_mean));
  json_object_set_new(o, "crisis", json_boolean(r->crisis));
  json_t *cl = json_array();
  for (size_t i = 0; cl && i < r->n_crisis_lines; i++)
    json_array_append_new(cl, jitem(&r->crisis_lines[i]));
  json_object_set_new(o, "crisis_lines", cl);
  json_object_set_new(o, "crisis_kind", jstr(r->crisis ? r->crisis_kind : NULL));
  json_t *ck = json_array();
  for (unsigned b = 1; ck && b < 1u << SK_CRISIS_N_KINDS; b <<= 1)
    if (r->crisis && (r->crisis_kinds & b))
      json_array_append_new(ck, json_string(sk_crisis_kind_name(b)));
  json_object_set_new(o, "crisis_kinds", ck);
  json_t *co = json_array();
  for (size_t i = 0; co && i < r->n_concepts; i++)
    json_array_append_new(co, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "vocab",
                                        r->concepts[i].vocab, "code", r->concepts[i].code, "label",
                                        r->concepts[i].label, "matched", r->concepts[i].matched,
                                        "source", r->concepts[i].source));
  json_object_set_new(o, "concepts", co);
  json_object_set_new(o, "suggested_needs", jcodes(r->suggested_needs, r->n_suggested_needs));
  json_object_set_new(o, "place",
                      r->place ? json_pack("{s:s, s:s?, s:b}", "code", r->place, "label",
                                           r->place_label, "from_query", r->place_from_query)
                               : json_null());
  json_object_set_new(o, "fallback",
                      r->fallback_reason
                          ? json_pack("{s:s, s:s?, s:o}", "reason", r->fallback_reason, "message",
                                      r->fallback_message, "needs",
                                      jcodes(r->fallback_needs, r->n_fallback_needs))
                          : json_null());
  json_t *items = json_array();
  for (size_t i = 0; items && i < r->n_items; i++)
    json_array_append_new(items, jitem(&r->items[i]));
  json_object_set_new(o, "items", items);
  if (r->has_facets) {
    json_t *fo = json_object();
    for (int f = 0; fo && f < SK_SEARCH_N_FACETS; f++) {
      json_t *va = json_array();
      for (size_t i = 0; va && i < r->facets[f].n_values; i++)
        json_array_append_new(va,
                              json_pack("{s:s?, s:s?, s:I}", "code", r->facets[f].values[i].code,
                                        "label", r->facets[f].values[i].label, "count",
                                        (json_int_t)r->facets[f].values[i].count));
      json_object_set_new(fo, r->facets[f].name, va);
    }
    json_object_set_new(o, "facets", fo);
  } else {
    json_object_set_new(o, "facets", json_null());
  }
  return o;
}
