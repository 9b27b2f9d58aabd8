#include "ix_registry.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ix_kind.h"
#include "sk_err.h"
#include "sk_fold.h"

#define REGISTRY_MAX_BYTES (4 * 1024 * 1024)
#define REGISTRY_MAX_FEEDS 1000

int ix_feed_kind_known(const char *kind) { return ix_feed_kind_find(kind) != NULL; }

static void free_strv(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void feed_clear(struct ix_feed *f) {
  free(f->id);
  free(f->partner);
  free(f->kind);
  free(f->location);
  free(f->url);
  free(f->defaults.organization);
  free(f->defaults.municipality);
  free(f->defaults.access);
  free(f->defaults.cost);
  free_strv(f->defaults.needs, f->defaults.n_needs);
  free_strv(f->defaults.target_groups, f->defaults.n_target_groups);
  memset(f, 0, sizeof *f);
}

void ix_registry_free(struct ix_registry *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->n; i++)
    feed_clear(&r->feeds[i]);
  free(r->feeds);
  free(r->path);
  free(r->dir);
  json_decref(r->root);
  free(r);
}

const struct ix_feed *ix_registry_find(const struct ix_registry *r, const char *id) {
  for (size_t i = 0; r && id && i < r->n; i++)
    if (strcmp(r->feeds[i].id, id) == 0)
      return &r->feeds[i];
  return NULL;
}

static int id_ok(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > IX_FEED_ID_MAX || id[0] == '-')
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
      return 0;
  return 1;
}

/* The absolute folder of path. */
static char *abs_dir(const char *path) {
  char *copy = strdup(path);
  if (!copy)
    return NULL;
  char *d = dirname(copy);
  char *real = realpath(d, NULL);
  if (!real) { /* the folder may not exist yet (ix_registry_new) */
    if (d[0] == '/') {
      real = strdup(d);
    } else {
      char cwd[PATH_MAX];
      if (getcwd(cwd, sizeof cwd)) {
        size_t n = strlen(cwd) + strlen(d) + 2;
        real = malloc(n);
        if (real)
          snprintf(real, n, "%s/%s", cwd, d);
      }
    }
  }
  free(copy);
  return real;
}

static char *resolve_location(const char *dir, const char *loc) {
  if (strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0 ||
      strncmp(loc, "file://", 7) == 0)
    return strdup(loc);
  size_t n = strlen(dir) + strlen(loc) + 16;
  char *u = malloc(n);
  if (!u)
    return NULL;
  if (loc[0] == '/')
    snprintf(u, n, "file://%s", loc);
  else
    snprintf(u, n, "file://%s/%s", dir, loc[0] == '.' && loc[1] == '/' ? loc + 2 : loc);
  return u;
}

static int get_str(json_t *obj, const char *field, int required, size_t max, char **out,
                   const char *feed, char *err, size_t errlen) {
  json_t *v = json_object_get(obj, field);
  *out = NULL;
  if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
    if (required) {
      snprintf(err, errlen, "feed '%s': het veld '%s' ontbreekt", feed, field);
      return SK_EINVAL;
    }
    return SK_OK;
  }
  if (!json_is_string(v) || json_string_length(v) > max) {
    snprintf(err, errlen, "feed '%s': het veld '%s' moet tekst zijn (hoogstens %zu tekens)", feed,
             field, max);
    return SK_EINVAL;
  }
  *out = strdup(json_string_value(v));
  return *out ? SK_OK : SK_ENOMEM;
}

static int check_code(const struct sk_taxonomy *tax, const char *code, int vocab, int vocab2,
                      const char *field, const char *feed, char *err, size_t errlen) {
  if (!tax || !code)
    return SK_OK;
  if (sk_taxonomy_find(tax, vocab, code) || (vocab2 >= 0 && sk_taxonomy_find(tax, vocab2, code)))
    return SK_OK;
  snprintf(err, errlen, "feed '%s': de code '%.60s' in 'defaults.%s' bestaat niet", feed, code,
           field);
  return SK_EINVAL;
}

static int get_codes(json_t *obj, const char *field, const struct sk_taxonomy *tax, int vocab,
                     char ***out, size_t *n_out, const char *feed, char *err, size_t errlen) {
  json_t *v = json_object_get(obj, field);
  *out = NULL;
  *n_out = 0;
  if (!v || json_is_null(v))
    return SK_OK;
  if (!json_is_array(v) || json_array_size(v) > 64) {
    snprintf(err, errlen, "feed '%s': 'defaults.%s' moet een lijst met codes zijn", feed, field);
    return SK_EINVAL;
  }
  size_t n = json_array_size(v);
  if (!n)
    return SK_OK;
  char **arr = calloc(n, sizeof *arr);
  if (!arr)
    return SK_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const char *c = json_string_value(json_array_get(v, i));
    int rc = SK_OK;
    if (!c) {
      snprintf(err, errlen, "feed '%s': 'defaults.%s' mag alleen codes (tekst) bevatten", feed,
               field);
      rc = SK_EINVAL;
    } else if ((rc = check_code(tax, c, vocab, -1, field, feed, err, errlen)) == SK_OK &&
               !(arr[i] = strdup(c))) {
      rc = SK_ENOMEM;
    }
    if (rc) {
      free_strv(arr, n);
      return rc;
    }
  }
  *out = arr;
  *n_out = n;
  return SK_OK;
}

static int only_fields(json_t *obj, const char *const *known, const char *what, const char *feed,
                       char *err, size_t errlen) {
  const char *name;
  json_t *v;
  json_object_foreach(obj, name, v) {
    int ok = name[0] == '$'; /* "$comment" and the like */
    for (const char *const *k = known; *k && !ok; k++)
      ok = strcmp(name, *k) == 0;
    if (!ok) {
      snprintf(err, errlen, "feed '%s': onbekend veld '%.60s' in %s (een tikfout?)", feed, name,
               what);
      return SK_EINVAL;
    }
  }
  return SK_OK;
}

/* Validate obj into f (zeroed first). dir: for relative locations. */
static int feed_from_json(json_t *obj, const char *dir, const struct sk_taxonomy *tax,
                          struct ix_feed *f, char *err, size_t errlen) {
  static const char *const known[] = {"id",       "partner",     "kind", "location", "enabled",
                                      "defaults", "description", "note", "notes",    NULL};
  static const char *const known_defaults[] = {
      "organization", "municipality", "needs", "target_groups", "access", "cost", NULL};
  memset(f, 0, sizeof *f);
  if (!json_is_object(obj)) {
    snprintf(err, errlen, "elke feed in 'feeds' moet een object zijn ({ ... })");
    return SK_EINVAL;
  }
  const char *id = json_string_value(json_object_get(obj, "id"));
  if (!id || !id_ok(id)) {
    snprintf(err, errlen,
             "een feed heeft geen geldige 'id' (kleine letters, cijfers en '-', hoogstens %d "
             "tekens)",
             IX_FEED_ID_MAX);
    return SK_EINVAL;
  }
  int rc;
  if ((rc = only_fields(obj, known, "de feed", id, err, errlen)))
    return rc;
  if (!(f->id = strdup(id)))
    return SK_ENOMEM;
  if ((rc = get_str(obj, "partner", 1, 200, &f->partner, id, err, errlen)) ||
      (rc = get_str(obj, "kind", 1, 32, &f->kind, id, err, errlen)) ||
      (rc = get_str(obj, "location", 1, 4000, &f->location, id, err, errlen)))
    goto fail;
  if (!ix_feed_kind_known(f->kind)) {
    char names[128] = "";
    for (size_t k = 0; k < ix_n_feed_kinds; k++)
      snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
               k ? (k + 1 == ix_n_feed_kinds ? " of " : ", ") : "", ix_feed_kinds[k].name);
    snprintf(err, errlen, "feed '%s': soort '%.32s' kennen we niet (%s)", id, f->kind, names);
    rc = SK_EINVAL;
    goto fail;
  }
  if (!sk_utf8_valid(f->location, strlen(f->location)) || strchr(f->location, '\n')) {
    snprintf(err, errlen, "feed '%s': 'location' is geen geldige plek", id);
    rc = SK_EINVAL;
    goto fail;
  }
  if (strncmp(f->location, "file://", 7) == 0 && f->location[7] != '/') {
    snprintf(err, errlen, "feed '%s': een file://-adres moet een volledig pad hebben", id);
    rc = SK_EINVAL;
    goto fail;
  }
  if (strstr(f->location, "://") && strncmp(f->location, "http://", 7) &&
      strncmp(f->location, "https://", 8) && strncmp(f->location, "file://", 7)) {
    snprintf(err, errlen, "feed '%s': 'location' moet http://, https://, file:// of een pad zijn",
             id);
    rc = SK_EINVAL;
    goto fail;
  }
  if (!(f->url = resolve_location(dir, f->location))) {
    rc = SK_ENOMEM;
    goto fail;
  }
  json_t *en = json_object_get(obj, "enabled");
  if (en && !json_is_boolean(en)) {
    snprintf(err, errlen, "feed '%s': 'enabled' moet true of false zijn", id);
    rc = SK_EINVAL;
    goto fail;
  }
  f->enabled = !en || json_is_true(en);
  json_t *d = json_object_get(obj, "defaults");
  if (d && !json_is_null(d)) {
    if (!json_is_object(d)) {
      snprintf(err, errlen, "feed '%s': 'defaults' moet een object zijn", id);
      rc = SK_EINVAL;
      goto fail;
    }
    struct ix_feed_defaults *df = &f->defaults;
    if ((rc = only_fields(d, known_defaults, "'defaults'", id, err, errlen)) ||
        (rc = get_str(d, "organization", 0, 200, &df->organization, id, err, errlen)) ||
        (rc = get_str(d, "municipality", 0, 64, &df->municipality, id, err, errlen)) ||
        (rc = get_str(d, "access", 0, 64, &df->access, id, err, errlen)) ||
        (rc = get_str(d, "cost", 0, 64, &df->cost, id, err, errlen)) ||
        (rc = check_code(tax, df->municipality, SK_VOCAB_MUNICIPALITY, SK_VOCAB_SCOPE,
                         "municipality", id, err, errlen)) ||
        (rc = check_code(tax, df->access, SK_VOCAB_ACCESS, -1, "access", id, err, errlen)) ||
        (rc = check_code(tax, df->cost, SK_VOCAB_COST, -1, "cost", id, err, errlen)) ||
        (rc = get_codes(d, "needs", tax, SK_VOCAB_NEED, &df->needs, &df->n_needs, id, err,
                        errlen)) ||
        (rc = get_codes(d, "target_groups", tax, SK_VOCAB_TARGET_GROUP, &df->target_groups,
                        &df->n_target_groups, id, err, errlen)))
      goto fail;
  }
  const struct ix_feed_kind *k = ix_feed_kind_find(f->kind);
  if (k && k->needs_org_defaults && (!f->defaults.organization || !f->defaults.municipality)) {
    snprintf(err, errlen,
             "feed '%s': een agenda (ical) heeft 'defaults.organization' en "
             "'defaults.municipality' nodig",
             id);
    rc = SK_EINVAL;
    goto fail;
  }
  return SK_OK;
fail:
  feed_clear(f);
  return rc;
}

static int push_feed(struct ix_registry *r, json_t *obj, const struct sk_taxonomy *tax, char *err,
                     size_t errlen) {
  if (r->n >= REGISTRY_MAX_FEEDS) {
    snprintf(err, errlen, "te veel feeds (hoogstens %d)", REGISTRY_MAX_FEEDS);
    return SK_EINVAL;
  }
  struct ix_feed f;
  int rc = feed_from_json(obj, r->dir, tax, &f, err, errlen);
  if (rc)
    return rc;
  if (ix_registry_find(r, f.id)) {
    snprintf(err, errlen, "feed '%s' staat er al; elke id mag maar één keer", f.id);
    feed_clear(&f);
    return SK_EINVAL;
  }
  struct ix_feed *nv = realloc(r->feeds, (r->n + 1) * sizeof *nv);
  if (!nv) {
    feed_clear(&f);
    return SK_ENOMEM;
  }
  r->feeds = nv;
  r->feeds[r->n++] = f;
  return SK_OK;
}

int ix_registry_new(const char *path, struct ix_registry **out) {
  *out = NULL;
  struct ix_registry *r = calloc(1, sizeof *r);
  if (!r)
    return SK_ENOMEM;
  r->path = strdup(path);
  r->dir = abs_dir(path);
  r->root = json_pack("{s:[]}", "feeds");
  if (!r->path || !r->dir || !r->root) {
    ix_registry_free(r);
    return SK_ENOMEM;
  }
  *out = r;
  return SK_OK;
}

int ix_registry_load(const char *path, const struct sk_taxonomy *tax, struct ix_registry **out,
                     char *err, size_t errlen) {
  *out = NULL;
  struct stat sb;
  if (stat(path, &sb) != 0) {
    snprintf(err, errlen, "%s bestaat niet", path);
    return SK_ENOTFOUND;
  }
  if (sb.st_size > REGISTRY_MAX_BYTES) {
    snprintf(err, errlen, "%s is te groot", path);
    return SK_ETOOBIG;
  }
  struct ix_registry *r = NULL;
  int rc = ix_registry_new(path, &r);
  if (rc)
    return rc;
  json_decref(r->root);
  json_error_t jerr;
  r->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (!r->root) {
    snprintf(err, errlen, "%s is geen geldige JSON (regel %d): %s", path, jerr.line, jerr.text);
    ix_registry_free(r);
    return SK_EPARSE;
  }
  json_t *feeds = json_object_get(r->root, "feeds");
  if (!json_is_object(r->root) || !json_is_array(feeds)) {
    snprintf(err, errlen, "%s moet een object met een lijst 'feeds' zijn", path);
    ix_registry_free(r);
    return SK_EPARSE;
  }
  size_t i;
  json_t *f;
  json_array_foreach(feeds, i, f) {
    if ((rc = push_feed(r, f, tax, err, errlen))) {
      ix_registry_free(r);
      return rc;
    }
  }
  *out = r;
  return SK_OK;
}

int ix_registry_add(struct ix_registry *r, json_t *feed, const struct sk_taxonomy *tax, char *err,
                    size_t errlen) {
  int rc = push_feed(r, feed, tax, err, errlen);
  if (rc)
    return rc;
  json_t *feeds = json_object_get(r->root, "feeds");
  json_t *copy = json_deep_copy(feed);
  if (!copy || json_array_append_new(feeds, copy)) {
    feed_clear(&r->feeds[--r->n]);
    return SK_ENOMEM;
  }
  return SK_OK;
}

int ix_registry_save(const struct ix_registry *r, char *err, size_t errlen) {
  size_t n = strlen(r->path) + 16;
  char *tmp = malloc(n);
  if (!tmp)
    return SK_ENOMEM;
  snprintf(tmp, n, "%s.tmp", r->path);
  int rc = SK_OK;
  if (json_dump_file(r->root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
    snprintf(err, errlen, "kan %s niet schrijven: %s", tmp, strerror(errno));
    rc = SK_EIO;
  } else {
    FILE *fp = fopen(tmp, "a"); /* json_dump_file writes no final newline */
    if (fp) {
      fputc('\n', fp);
      fclose(fp);
    }
    if (rename(tmp, r->path) != 0) {
      snprintf(err, errlen, "kan %s niet vervangen: %s", r->path, strerror(errno));
      rc = SK_EIO;
    }
  }
  if (rc)
    unlink(tmp);
  free(tmp);
  return rc;
}
