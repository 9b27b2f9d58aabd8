/* The server-rendered site (web_pages.c) and its HTML writer (web_html.c):
 * escaping by construction, readable URLs, JSON-LD that parses, the
 * sitemap, the HTML 404 beside the API's problem+json, gzip, the no-JS
 * correction form. The real server on a loopback port, raw HTTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <zlib.h>

#include "test_web_fixture.h"

#include "web_html.h"

/* ---- the writer ----------------------------------------------------------- */

static char *wh_done(struct wh *h) {
  size_t n = 0;
  char *s = wh_take(h, &n);
  assert_non_null(s);
  assert_int_equal(strlen(s), n);
  return s;
}

static void test_text_is_escaped(void **state) {
  (void)state;
  struct wh h;
  wh_init(&h);
  WH(&h, "<p title=\"");
  wh_text(&h, "a\"b'c<d>&e");
  WH(&h, "\">");
  wh_text(&h, "<script>alert(1)</script>\x01\x7f ok \xff\xfe caf\xc3\xa9");
  WH(&h, "</p>");
  char *s = wh_done(&h);
  assert_string_equal(
      s, "<p title=\"a&quot;b&#39;c&lt;d&gt;&amp;e\">&lt;script&gt;alert(1)&lt;/script&gt;"
         " ok  caf\xc3\xa9</p>");
  free(s);
  wh_init(&h);
  wh_textf(&h, "%d <%s>", 3, "b");
  wh_q(&h, "a b/é&=");
  s = wh_done(&h);
  assert_string_equal(s, "3 &lt;b&gt;a%20b%2F%C3%A9%26%3D");
  free(s);
}

static void test_urls_slugs_and_phones(void **state) {
  (void)state;
  assert_true(wh_url_ok("https://example.org/a?b=c"));
  assert_true(wh_url_ok("mailto:a@b.nl"));
  assert_false(wh_url_ok("javascript:alert(1)"));
  assert_false(wh_url_ok(" https://x"));
  assert_false(wh_url_ok("data:text/html,<b>"));
  assert_false(wh_url_ok("https://x\"onmouseover=1"));
  assert_false(wh_url_ok(NULL));
  char s[72];
  wh_slug_to("Taalcafé Laren", s, sizeof s);
  assert_string_equal(s, "taalcafe-laren");
  wh_slug_to("  <b>Hulp</b> & advies!! ", s, sizeof s);
  assert_string_equal(s, "b-hulp-b-advies");
  wh_slug_to("", s, sizeof s);
  assert_string_equal(s, "aanbod");
  wh_slug_to("ééé", s, sizeof s);
  assert_string_equal(s, "eee");
  wh_slug_to("een heel lange naam die veel langer is dan zestig tekens in totaal, echt waar", s,
             sizeof s);
  assert_true(strlen(s) <= 60);
  struct {
    const char *in, *out;
  } tel[] = {
      {"035 000 0101", "tel:+31350000101"},    {"0800-2000", "tel:08002000"},   {"112", "tel:112"},
      {"+31 6 1234 5678", "tel:+31612345678"}, {"0031 35 123", "tel:+3135123"}, {"geen", ""}};
  for (size_t i = 0; i < sizeof tel / sizeof tel[0]; i++) {
    struct wh h;
    wh_init(&h);
    int ok = wh_tel(&h, tel[i].in);
    char *t = wh_done(&h);
    assert_int_equal(ok, tel[i].out[0] != '\0');
    assert_string_equal(t, tel[i].out);
    free(t);
  }
}

static void test_jsonld_cannot_end_its_script(void **state) {
  (void)state;
  json_t *v = json_pack("{s:s, s:s}", "name", "</script><script>alert(1)</script>", "x",
                        "<!-- \xe2\x80\xa8 & -->");
  struct wh h;
  wh_init(&h);
  wh_jsonld(&h, v);
  char *s = wh_done(&h);
  const char *body = s + strlen("<script type=\"application/ld+json\">");
  const char *end = strstr(body, "</script>");
  assert_non_null(end);
  assert_string_equal(end, "</script>\n"); /* the only end tag is ours */
  assert_null(memchr(body, '<', (size_t)(end - body)));
  json_t *back = json_loadb(body, (size_t)(end - body), 0, NULL);
  assert_non_null(back);
  assert_true(json_equal(back, v));
  json_decref(back);
  json_decref(v);
  free(s);
}

/* ---- the pages -------------------------------------------------------------- */

static json_t *jsonld_of(const struct resp *r) {
  const char *open = "<script type=\"application/ld+json\">";
  const char *a = strstr(r->body, open);
  if (!a)
    return NULL;
  a += strlen(open);
  const char *b = strstr(a, "</script>");
  return b ? json_loadb(a, (size_t)(b - a), 0, NULL) : NULL;
}

static void test_offering_page(void **state) {
  (void)state;
  struct resp r = fx_get("/aanbod/" SVC_SHV);
  assert_int_equal(r.status, 301);
  assert_string_equal(fx_header(&r, "Location"), "/aanbod/" SVC_SHV "/schuldhulpverlening");
  resp_free(&r);
  r = fx_get("/aanbod/" SVC_SHV "/oude-naam");
  assert_int_equal(r.status, 301);
  resp_free(&r);
  r = fx_get("/aanbod/" SVC_SHV "/schuldhulpverlening");
  assert_int_equal(r.status, 200);
  assert_string_equal(fx_header(&r, "Content-Type"), "text/html; charset=utf-8");
  assert_non_null(strstr(r.body, "<html lang=\"nl\">"));
  assert_non_null(strstr(r.body, "<h1>Schuldhulpverlening</h1>"));
  /* Feed markup is text. */
  assert_non_null(strstr(r.body, "&lt;b&gt;gratis&lt;/b&gt;"));
  assert_null(strstr(r.body, "<b>gratis"));
  assert_non_null(strstr(r.body, "rel=\"canonical\" href=\"http://"));
  assert_non_null(strstr(r.body, "/aanbod/" SVC_SHV "/schuldhulpverlening\">"));
  assert_non_null(strstr(r.body, "Direct hulp: <a href=\"tel:112\">112</a>"));
  /* What to do comes before what it is. */
  const char *todo = strstr(r.body, "Zo krijgt u deze hulp"), *what = strstr(r.body, "Wat is het?");
  assert_true(todo && what && todo < what);
  /* "Gratis." as fees and "Gratis" as cost: said once. */
  assert_null(strstr(r.body, "Gratis. Gratis"));
  assert_non_null(strstr(r.body, "name=\"form_token\" value=\""));
  json_t *ld = jsonld_of(&r);
  assert_non_null(ld);
  assert_string_equal(json_string_value(json_object_get(ld, "@type")), "GovernmentService");
  assert_string_equal(json_string_value(json_object_get(ld, "name")), "Schuldhulpverlening");
  assert_non_null(json_object_get(ld, "provider"));
  json_decref(ld);
  resp_free(&r);
  /* An activity is an Event with its first date. */
  r = fx_get("/aanbod/" SVC_ACT "/taalcafe-laren");
  assert_int_equal(r.status, 200);
  ld = jsonld_of(&r);
  assert_non_null(ld);
  assert_string_equal(json_string_value(json_object_get(ld, "@type")), "Event");
  json_decref(ld);
  assert_non_null(strstr(r.body, "Waar en wanneer?"));
  resp_free(&r);
  /* Withdrawn, unknown, not an id: the site's 404 page. */
  const char *gone[] = {"/aanbod/" SVC_GONE "/x", "/aanbod/00000000-0000-4000-8000-000000000000/x",
                        "/aanbod/%3Cscript%3E/x", "/organisatie/nope/x", "/hulp/bestaat-niet"};
  for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
    r = fx_get(gone[i]);
    if (r.status != 404)
      fail_msg("GET %s: %d", gone[i], r.status);
    assert_string_equal(fx_header(&r, "Content-Type"), "text/html; charset=utf-8");
    assert_null(strstr(r.body, "<script>"));
    resp_free(&r);
  }
}

static void test_organization_page(void **state) {
  (void)state;
  struct resp r = fx_get("/organisatie/" ORG_VERSA "/versa-welzijn");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "href=\"/aanbod/" SVC_SHV "/schuldhulpverlening\""));
  json_t *ld = jsonld_of(&r);
  assert_non_null(ld);
  assert_string_equal(json_string_value(json_object_get(ld, "@type")), "Organization");
  json_decref(ld);
  resp_free(&r);
  r = fx_get("/organisatie/" ORG_VERSA);
  assert_int_equal(r.status, 301);
  resp_free(&r);
}

static void test_search_page(void **state) {
  (void)state;
  struct resp r = fx_get("/zoeken?q=schulden&gemeente=huizen&target_group=volwassenen");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "href=\"/aanbod/" SVC_SHV "/schuldhulpverlening\""));
  /* Every filter is said: the target group is not dropped. */
  assert_non_null(strstr(r.body, "voor ‘schulden’ voor Volwassenen in Huizen."));
  assert_non_null(strstr(r.body, "<option value=\"huizen\" selected>"));
  assert_non_null(strstr(r.body, "(1 filter aan)"));
  assert_non_null(strstr(r.body, "<details class=\"filters\" id=\"filters\">")); /* closed */
  resp_free(&r);
  /* Query text is text. */
  r = fx_get("/zoeken?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22");
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body, "<script>alert"));
  assert_non_null(strstr(r.body, "value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;\""));
  resp_free(&r);
  /* Immediate danger with nothing else asked: the block is the answer,
   * no advice to try other words. */
  r = fx_get("/zoeken?q=mijn+vader+heeft+een+hartaanval");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "tel:112"));
  assert_non_null(strstr(r.body, "Bel dan meteen het nummer hierboven."));
  assert_null(strstr(r.body, "Probeer andere woorden"));
  resp_free(&r);
  /* A refused value is a page that says so, not a 500. */
  r = fx_get("/zoeken?q=x&need=bestaat-niet");
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(r.body, "role=\"alert\""));
  resp_free(&r);
  r = fx_get("/zoeken?q=x&page=99999");
  assert_true(r.status == 400 || r.status == 200);
  resp_free(&r);
  /* The home page's form works without JavaScript: it is not hidden. */
  r = fx_get("/");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "action=\"/zoeken\""));
  assert_null(strstr(r.body, "data-needs-js"));
  assert_non_null(strstr(r.body, "href=\"/hulp/geld\""));
  resp_free(&r);
  r = fx_get("/hulp/geld");
  assert_int_equal(r.status, 200);
  const char *choice = strstr(r.body, "href=\"/hulp/geld.schulden\""),
             *list = strstr(r.body, "id=\"results\"");
  assert_true(choice && list && choice < list); /* category first */
  resp_free(&r);
}

static void test_sitemap_robots_404(void **state) {
  (void)state;
  struct resp r = fx_get("/sitemap.xml");
  assert_int_equal(r.status, 200);
  assert_string_equal(fx_header(&r, "Content-Type"), "application/xml; charset=utf-8");
  assert_non_null(strstr(r.body, "/aanbod/" SVC_SHV "/schuldhulpverlening</loc>"));
  assert_non_null(strstr(r.body, "/aanbod/" SVC_DAG "/dagbesteding-de-linde</loc>"));
  assert_non_null(strstr(r.body, "/organisatie/" ORG_VERSA "/versa-welzijn</loc>"));
  assert_null(strstr(r.body, SVC_GONE));
  resp_free(&r);
  r = fx_get("/robots.txt");
  assert_non_null(strstr(r.body, "Disallow: /portaal/"));
  resp_free(&r);
  r = fx_get("/bestaat/niet");
  assert_int_equal(r.status, 404);
  assert_string_equal(fx_header(&r, "Content-Type"), "text/html; charset=utf-8");
  assert_non_null(strstr(r.body, "<title>Deze pagina bestaat niet"));
  resp_free(&r);
  r = fx_get("/api/v1/bestaat-niet");
  assert_int_equal(r.status, 404);
  assert_string_equal(fx_header(&r, "Content-Type"), "application/problem+json; charset=utf-8");
  resp_free(&r);
  r = fx_req("DELETE", "/zoeken", "Content-Length: 0\r\n");
  assert_int_equal(r.status, 405);
  resp_free(&r);
}

static char *gunzip(const char *in, size_t n, size_t *out_len) {
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
  size_t cap = 1 << 22;
  char *out = malloc(cap);
  z.next_in = (unsigned char *)in;
  z.avail_in = (uInt)n;
  z.next_out = (unsigned char *)out;
  z.avail_out = (uInt)cap;
  assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
  *out_len = z.total_out;
  inflateEnd(&z);
  return out;
}

static void test_gzip(void **state) {
  (void)state;
  const char *targets[] = {"/zoeken?q=schulden", "/api/v1/search?q=schulden", "/sitemap.xml"};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
    struct resp plain = fx_req("GET", targets[i], "Accept-Encoding: identity\r\n");
    struct resp z = fx_req("GET", targets[i], "Accept-Encoding: br, gzip;q=0.8\r\n");
    assert_int_equal(z.status, 200);
    assert_null(fx_header(&plain, "Content-Encoding"));
    assert_string_equal(fx_header(&z, "Content-Encoding"), "gzip");
    assert_non_null(strstr(fx_header(&z, "Vary"), "Accept-Encoding"));
    assert_true(z.body_len < plain.body_len);
    char etag_z[100], etag_p[100];
    snprintf(etag_z, sizeof etag_z, "%s", fx_header(&z, "ETag"));
    snprintf(etag_p, sizeof etag_p, "%s", fx_header(&plain, "ETag"));
    assert_string_not_equal(etag_z, etag_p);
    size_t n = 0;
    char *un = gunzip(z.body, z.body_len, &n);
    /* The search answer is the same JSON; pages carry a fresh form token. */
    if (strstr(targets[i], "/api/"))
      assert_memory_equal(un, plain.body, plain.body_len);
    assert_true(n > 0);
    free(un);
    resp_free(&plain);
    resp_free(&z);
  }
  struct resp r = fx_req("GET", "/api/v1/search?q=schulden", "Accept-Encoding: gzip;q=0\r\n");
  assert_null(fx_header(&r, "Content-Encoding"));
  resp_free(&r);
  /* A 304 for the gzip variant's ETag. */
  r = fx_req("GET", "/api/v1/search?q=schulden", "Accept-Encoding: gzip\r\n");
  char hdr[200];
  snprintf(hdr, sizeof hdr, "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n",
           fx_header(&r, "ETag"));
  resp_free(&r);
  r = fx_req("GET", "/api/v1/search?q=schulden", hdr);
  assert_int_equal(r.status, 304);
  resp_free(&r);
}

static void test_correction_without_js(void **state) {
  (void)state;
  const char *body = "message=De+tijden+kloppen+niet&name=&email=&website=&form_token=fout";
  char req[1024];
  int n = snprintf(req, sizeof req,
                   "POST /aanbod/" SVC_SHV "/schuldhulpverlening/melding HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n"
                   "Connection: close\r\n\r\n%s",
                   strlen(body), body);
  struct resp r = fx_raw(req, (size_t)n);
  /* A bad token: a page that says it was not sent (never a 500). */
  assert_true(r.status >= 400 && r.status < 500);
  assert_string_equal(fx_header(&r, "Content-Type"), "text/html; charset=utf-8");
  assert_non_null(strstr(r.body, "Uw melding is niet verstuurd"));
  resp_free(&r);
  r = fx_get("/aanbod/" SVC_SHV "/schuldhulpverlening/melding");
  assert_int_equal(r.status, 303);
  resp_free(&r);
}

static int setup(void **state) {
  (void)state;
  fx_start(5);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  web_server_stop(g_srv, 2000);
  g_srv = NULL;
  return 0;
}

/* Links come from the configured public address, never from the request's
 * Host (a forged Host must not reach others through a shared cache). */
static void test_links_never_from_host(void **state) {
  (void)state;
  const char *paths[] = {"/robots.txt", "/sitemap.xml", "/"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    int fd = fx_connect();
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
                     paths[i]);
    assert_int_equal(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
    size_t len = 0;
    char *all = fx_read_all(fd, &len, 10000);
    close(fd);
    assert_non_null(strstr(all, " 200 "));
    if (strstr(all, "evil.example"))
      fail_msg("%s: the forged Host came back: %.400s", paths[i], all);
    free(all);
  }
  struct resp r = fx_get("/robots.txt");
  assert_non_null(strstr(r.body, "Sitemap: http://127.0.0.1/sitemap.xml"));
  resp_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_is_escaped),
      cmocka_unit_test(test_urls_slugs_and_phones),
      cmocka_unit_test(test_jsonld_cannot_end_its_script),
      cmocka_unit_test(test_offering_page),
      cmocka_unit_test(test_organization_page),
      cmocka_unit_test(test_search_page),
      cmocka_unit_test(test_sitemap_robots_404),
      cmocka_unit_test(test_links_never_from_host),
      cmocka_unit_test(test_gzip),
      cmocka_unit_test(test_correction_without_js),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
