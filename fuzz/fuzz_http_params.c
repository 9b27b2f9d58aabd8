/* libFuzzer: what the server makes of request parameters and cookies once
 * libmicrohttpd has split them: form bodies (web_form_value: login, the
 * password pages, CSRF), query values (sk_search_query_set, the API's
 * parameters; web_parse_time; web_is_uuid) and the session cookie written
 * back (sk_auth_cookie, which must never let a value break out of the
 * header). Input: a form/query string "k=v&k2=v2" (percent-decoded here as
 * MHD does). The checks below are the oracle besides the sanitizers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sk_auth.h"
#include "sk_fold.h"
#include "sk_search.h"
#include "web_internal.h"

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* In place, like MHD's unescaping of query values ('+' stays: MHD keeps it
 * in GET arguments). */
static void unescape(char *s) {
  char *o = s;
  for (char *p = s; *p; p++) {
    if (*p == '%' && hexval((unsigned char)p[1]) >= 0 && hexval((unsigned char)p[2]) >= 0) {
      *o++ = (char)(hexval((unsigned char)p[1]) * 16 + hexval((unsigned char)p[2]));
      p += 2;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16384)
    return 0;
  char *body = malloc(size + 1);
  if (!body)
    return 0;
  memcpy(body, data, size);
  body[size] = '\0';

  /* A form body as the login and password pages read it. */
  static const char *const keys[] = {"email", "password", "csrf", "token", "huidig", "nieuw", ""};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    char small[8], big[600];
    if (web_form_value(body, keys[i], small, sizeof small) &&
        (strlen(small) >= sizeof small || !sk_utf8_valid(small, strlen(small))))
      __builtin_trap();
    if (web_form_value(body, keys[i], big, sizeof big) &&
        (strlen(big) >= sizeof big || !sk_utf8_valid(big, strlen(big))))
      __builtin_trap();
  }

  /* The same text as a query string. */
  struct sk_search_query q;
  sk_search_query_init(&q);
  struct sk_search_error e;
  int pairs = 0;
  for (char *p = body, *next; p && pairs < 32; p = next, pairs++) {
    next = strchr(p, '&');
    if (next)
      *next++ = '\0';
    char *eq = strchr(p, '=');
    const char *value = "";
    if (eq) {
      *eq = '\0';
      value = eq + 1;
      unescape(eq + 1);
    }
    unescape(p);
    /* a refused value or name always says which parameter it was (an
     * empty name is an empty param) */
    memset(&e, 0, sizeof e);
    if (sk_search_query_set(&q, p, value, &e) != SK_OK && *p && !e.param[0])
      abort();
    int64_t t;
    web_parse_time(value, &t);
    web_is_uuid(value);
    char cookie[400];
    if (sk_auth_cookie(value, 3600, pairs & 1, cookie, sizeof cookie) == 0) {
      /* An accepted value may only hold token characters. */
      for (const char *c = value; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
          __builtin_trap();
      if (strpbrk(cookie, "\r\n"))
        __builtin_trap();
    }
  }
  free(body);
  return 0;
}
