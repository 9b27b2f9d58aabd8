#include "ix_fetch.h"
#include "ix_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <sodium.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"

/* CURLOPT_PROTOCOLS_STR / CURLOPT_REDIR_PROTOCOLS_STR appeared in 7.85.0. */
#if LIBCURL_VERSION_NUM < 0x075500
#error "ix_fetch needs libcurl 7.85.0 or newer"
#endif

#define IX_FETCH_MAX_URL 4096
#define IX_FETCH_USER_AGENT "sociale-kaart-indexer/1"

void ix_fetch_opts_default(struct ix_fetch_opts *o) {
  memset(o, 0, sizeof *o); /* every field, also those added later (binary) */
  o->connect_timeout_ms = 10 * 1000;
  o->total_timeout_ms = 120 * 1000;
  o->low_speed_bytes = 1;
  o->low_speed_seconds = 30;
  o->max_bytes = (size_t)50 * 1024 * 1024;
  o->max_redirects = 3;
  o->user_agent = NULL;
}

int ix_fetch_global_init(void) {
  const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  if (!v || v->version_num < 0x075500)
    return SK_EINVAL;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return SK_EINVAL;
  if (sodium_init() < 0)
    return SK_EINVAL;
  return SK_OK;
}

void ix_fetch_result_free(struct ix_fetch_result *r) {
  if (!r)
    return;
  free(r->body);
  r->body = NULL;
  r->len = 0;
}

/* Per-transfer state shared with the curl callbacks; lives on ix_fetch's stack. */
struct fetch_ctx {
  struct sk_buf body;
  char etag[256];
  char last_modified[128];
  int too_big;
  int no_memory;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
  struct fetch_ctx *c = userdata;
  size_t n = size * nmemb;
  int rc = sk_buf_add(&c->body, data, n);
  if (rc == SK_ETOOBIG) {
    c->too_big = 1;
    return 0; /* anything but n aborts the transfer at once */
  }
  if (rc) {
    c->no_memory = 1;
    return 0;
  }
  return n;
}

/* Copy a header value, trimmed, into dst when it fits and is plain printable
 * ASCII: it is sent back verbatim in a later request, so it must not be
 * able to smuggle in a header line. Otherwise dst becomes "". */
static void copy_header_value(char *dst, size_t dstlen, const char *v, size_t n) {
  while (n && (*v == ' ' || *v == '\t')) {
    v++;
    n--;
  }
  while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
    n--;
  dst[0] = '\0';
  if (n == 0 || n >= dstlen)
    return;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
      return;
  memcpy(dst, v, n);
  dst[n] = '\0';
}

static int header_is(const char *line, size_t n, const char *name) {
  size_t k = strlen(name);
  return n > k && line[k] == ':' && strncasecmp(line, name, k) == 0;
}

static size_t on_header(char *line, size_t size, size_t nitems, void *userdata) {
  struct fetch_ctx *c = userdata;
  size_t n = size * nitems;
  /* Each response of a redirect chain starts with a status line; only the
   * headers of the last one describe the body we keep. */
  if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
    c->etag[0] = '\0';
    c->last_modified[0] = '\0';
  } else if (header_is(line, n, "ETag")) {
    copy_header_value(c->etag, sizeof c->etag, line + 5, n - 5);
  } else if (header_is(line, n, "Last-Modified")) {
    copy_header_value(c->last_modified, sizeof c->last_modified, line + 14, n - 14);
  }
  return n;
}

/* A validator from our own store, still untrusted: same rule as above. */
static int header_value_ok(const char *v, size_t max) {
  size_t n = strlen(v);
  if (n == 0 || n >= max)
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
      return 0;
  return 1;
}

/* out->error = "<dutch> (<detail>)". The detail comes from curl or the
 * server and is reduced to printable ASCII, so cutting it to fit can never
 * split a UTF-8 sequence of the Dutch part. */
static void set_error(struct ix_fetch_result *out, const char *dutch, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_error(struct ix_fetch_result *out, const char *dutch, const char *fmt, ...) {
  char detail[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  for (char *p = detail; *p; p++)
    if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
      *p = '?';
  size_t dl = strlen(dutch);
  if (dl + 4 >= sizeof out->error) {
    snprintf(out->error, sizeof out->error, "%s", dutch);
    return;
  }
  int room = (int)(sizeof out->error - dl - 4);
  snprintf(out->error, sizeof out->error, "%s (%.*s)", dutch, room, detail);
}

static void format_size(char *buf, size_t n, size_t bytes) {
  const size_t mib = (size_t)1024 * 1024;
  if (bytes >= mib && bytes % mib == 0)
    snprintf(buf, n, "%zu MB", bytes / mib);
  else if (bytes >= mib)
    snprintf(buf, n, "%.1f MB", (double)bytes / (double)mib);
  else if (bytes >= 1024)
    snprintf(buf, n, "%zu kB", bytes / 1024);
  else
    snprintf(buf, n, "%zu bytes", bytes);
}

static int too_big_error(struct ix_fetch_result *out, size_t max) {
  char human[32], msg[96];
  format_size(human, sizeof human, max);
  snprintf(msg, sizeof msg, "Het bestand is groter dan %s.", human);
  set_error(out, msg, "max %zu bytes", max);
  return SK_ETOOBIG;
}

/* http://, https:// or file:///abs (file://localhost/abs). Anything else is
 * refused before curl sees it; curl's own allow list is the second fence. */
static int check_url(const char *url, int *is_file) {
  *is_file = 0;
  if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0)
    return 1;
  if (strncasecmp(url, "file://", 7) == 0) {
    const char *rest = url + 7;
    if (strncasecmp(rest, "localhost/", 10) == 0)
      rest += 9;
    *is_file = 1;
    return rest[0] == '/';
  }
  return 0;
}

/* curl opens a file:// path with a blocking open(2) and reads to the end,
 * which no timeout can interrupt: a FIFO would hang the indexer and
 * /dev/zero would stream forever. Only regular files may be read. */
static int check_local_file(const char *url, size_t max_bytes, struct ix_fetch_result *out) {
  CURLU *u = curl_url();
  if (!u) {
    set_error(out, "Er was niet genoeg geheugen om het bestand op te halen.", "curl_url failed");
    return SK_ENOMEM;
  }
  char *path = NULL;
  int rc = SK_OK;
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK) {
    set_error(out, "Het adres van de feed klopt niet.", "%.60s", url);
    rc = SK_EFETCH;
    goto done;
  }
  struct stat sb;
  if (stat(path, &sb) != 0) {
    char eb[128];
    const char *why = strerror_r(errno, eb, sizeof eb); /* GNU variant: thread-safe */
    set_error(out, "Het bestand bestaat niet of we kunnen het niet lezen.", "%s: %s", path, why);
    rc = SK_EFETCH;
  } else if (!S_ISREG(sb.st_mode)) {
    set_error(out,
              "Dit adres is geen gewoon bestand. Gebruik het pad van een bestand, zoals "
              "file:///map/feed.json.",
              "%s: not a regular file", path);
    rc = SK_EFETCH;
  } else if ((unsigned long long)sb.st_size > (unsigned long long)max_bytes) {
    rc = too_big_error(out, max_bytes);
  }
done:
  curl_free(path);
  curl_url_cleanup(u);
  return rc;
}

/* Map a failed transfer to a sentence for the partner. */
static int transfer_error(struct ix_fetch_result *out, CURL *h, CURLcode cc, const char *errbuf,
                          const struct fetch_ctx *c, size_t max_bytes, long max_redirects) {
  const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(cc);
  if (c->too_big || cc == CURLE_FILESIZE_EXCEEDED)
    return too_big_error(out, max_bytes);
  if (c->no_memory) {
    set_error(out, "Er was niet genoeg geheugen om het bestand op te halen.", "out of memory");
    return SK_ENOMEM;
  }
  switch (cc) {
  case CURLE_HTTP_RETURNED_ERROR: {
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    char msg[160];
    if (status == 404 || status == 410)
      snprintf(msg, sizeof msg,
               "De server gaf foutcode %ld. Het bestand staat niet (meer) op dit adres.", status);
    else if (status == 401 || status == 403)
      snprintf(msg, sizeof msg, "De server gaf foutcode %ld. We mogen het bestand niet ophalen.",
               status);
    else
      snprintf(msg, sizeof msg, "De server gaf foutcode %ld.", status);
    set_error(out, msg, "HTTP %ld", status);
    break;
  }
  case CURLE_OPERATION_TIMEDOUT: {
    curl_off_t connect_us = 0;
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
    if (strstr(errbuf, "too slow"))
      set_error(out, "De server stuurde de gegevens te langzaam.", "%s", detail);
    else if (connect_us == 0)
      set_error(out, "De server is niet bereikbaar: er kwam op tijd geen verbinding.", "%s",
                detail);
    else
      set_error(out, "De server reageerde te traag.", "%s", detail);
    break;
  }
  case CURLE_TOO_MANY_REDIRECTS: {
    char msg[160];
    snprintf(msg, sizeof msg,
             "De server stuurt ons steeds door naar een ander adres (vaker dan %ld keer).",
             max_redirects);
    set_error(out, msg, "%s", detail);
    break;
  }
  case CURLE_UNSUPPORTED_PROTOCOL:
    set_error(
        out,
        "De server stuurt ons door naar een adres dat we niet ophalen. Alleen http en https mogen.",
        "%s", detail);
    break;
  case CURLE_PARTIAL_FILE:
    set_error(out, "De verbinding werd verbroken voordat het hele bestand binnen was.", "%s",
              detail);
    break;
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING:
    set_error(out, "De verbinding met de server werd verbroken.", "%s", detail);
    break;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    set_error(out, "De naam van de server is onbekend. Klopt het adres?", "%s", detail);
    break;
  case CURLE_COULDNT_CONNECT: set_error(out, "De server is niet bereikbaar.", "%s", detail); break;
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CACERT_BADFILE:
    set_error(out, "De beveiligde verbinding met de server is niet in orde.", "%s", detail);
    break;
  case CURLE_FILE_COULDNT_READ_FILE:
  case CURLE_READ_ERROR:
    set_error(out, "Het bestand bestaat niet of we kunnen het niet lezen.", "%s", detail);
    break;
  case CURLE_BAD_CONTENT_ENCODING:
    set_error(out, "De server stuurde beschadigde gegevens.", "%s", detail);
    break;
  case CURLE_URL_MALFORMAT:
    set_error(out, "Het adres van de feed klopt niet.", "%s", detail);
    break;
  default:
    set_error(out, "Het ophalen van de feed is mislukt.", "curl %d: %s", (int)cc, detail);
    break;
  }
  return SK_EFETCH;
}

static void clear_validators(struct ix_fetch_result *out) {
  out->etag[0] = '\0';
  out->last_modified[0] = '\0';
  out->content_hash[0] = '\0';
}

static void sha256_hex(const char *data, size_t n, char hex[65]) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)data, n);
  sodium_bin2hex(hex, 65, digest, sizeof digest);
}

/* Hash, compare, check UTF-8; hands the body to out on success. */
static int finish_body(struct ix_fetch_result *out, struct fetch_ctx *c, const char *known_hash,
                       int binary) {
  size_t len = c->body.len;
  char *body = sk_buf_detach(&c->body, &len);
  if (!body) {
    set_error(out, "Er was niet genoeg geheugen om het bestand op te halen.", "out of memory");
    return SK_ENOMEM;
  }
  if (binary)
    goto hash; /* an archive: its parser checks the text of each member */
  /* A byte order mark is an artefact of some editors, not content. */
  if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
    memmove(body, body + 3, len - 3 + 1);
    len -= 3;
  }
  /* Encoding (ix_text): UTF-8 as it is, else Windows-1252 with a warning;
   * NUL bytes and UTF-16 are refused. */
  char *decoded = NULL;
  size_t dlen = 0, bad_at = 0, bad_line = 0;
  unsigned bad_byte = 0;
  int verdict = ix_text_decode(body, len, &decoded, &dlen, &bad_at, &bad_byte, &bad_line);
  if (verdict < 0) {
    free(body);
    set_error(out, "Er was niet genoeg geheugen om het bestand te lezen.", "out of memory");
    return SK_ENOMEM;
  }
  if (verdict == IX_TEXT_NUL || verdict == IX_TEXT_UTF16) {
    /* What a partner most often sends instead of text: the spreadsheet
     * itself (.xlsx and .ods are zips, .xls an OLE file). */
    int sheet = len >= 4 &&
                (memcmp(body, "PK\x03\x04", 4) == 0 || memcmp(body, "\xD0\xCF\x11\xE0", 4) == 0);
    free(body);
    if (verdict == IX_TEXT_UTF16)
      set_error(
          out, "Het bestand is opgeslagen als UTF-16. Sla het op als UTF-8 en probeer het opnieuw.",
          "UTF-16 byte order mark");
    else if (sheet)
      set_error(out,
                "Dit is een Excel- of zip-bestand, geen tekst. Sla het blad op als CSV (in Excel: "
                "Opslaan als, 'CSV UTF-8') en gebruik dat bestand; een HSDS-pakket in een zip "
                "heeft de soort hsds-csv.",
                "binary spreadsheet or zip");
    else
      set_error(out,
                "Het bestand bevat een NUL-teken; dat hoort niet in een tekstbestand. Controleer "
                "of u het "
                "goede bestand gebruikt (geen Excel- of Word-bestand) en sla het op als UTF-8.",
                "NUL byte at offset %zu", bad_at);
    clear_validators(out);
    return SK_EFETCH;
  }
  if (verdict == IX_TEXT_CP1252) {
    free(body);
    body = decoded;
    len = dlen;
    snprintf(
        out->warning, sizeof out->warning,
        "Het bestand is geen geldige UTF-8 (eerste fout: byte 0x%02X op regel %zu, positie %zu); "
        "we hebben het gelezen als Windows-1252. Sla het bestand op als UTF-8.",
        bad_byte, bad_line, bad_at + 1);
  }
hash:
  sha256_hex(body, len, out->content_hash);
  if (known_hash && strcasecmp(known_hash, out->content_hash) == 0) {
    free(body);
    out->not_modified = 1;
    return SK_OK;
  }
  out->body = body;
  out->len = len;
  return SK_OK;
}

int ix_fetch(const struct ix_fetch_opts *o, const char *url, const char *etag,
             const char *last_modified, const char *known_hash, struct ix_fetch_result *out) {
  /* The validators may point into *out (the caller passes back last run's
   * result): copy them before out is cleared. An unusable one is dropped. */
  char etag_in[sizeof out->etag], lm_in[sizeof out->last_modified],
      hash_in[sizeof out->content_hash];
  etag_in[0] = lm_in[0] = hash_in[0] = '\0';
  if (etag && header_value_ok(etag, sizeof etag_in))
    snprintf(etag_in, sizeof etag_in, "%s", etag);
  if (last_modified && header_value_ok(last_modified, sizeof lm_in))
    snprintf(lm_in, sizeof lm_in, "%s", last_modified);
  if (known_hash && strlen(known_hash) == 64)
    snprintf(hash_in, sizeof hash_in, "%s", known_hash);
  etag = etag_in[0] ? etag_in : NULL;
  last_modified = lm_in[0] ? lm_in : NULL;
  known_hash = hash_in[0] ? hash_in : NULL;
  memset(out, 0, sizeof *out);
  struct ix_fetch_opts d;
  ix_fetch_opts_default(&d);
  struct ix_fetch_opts opt = o ? *o : d;
  if (opt.connect_timeout_ms <= 0)
    opt.connect_timeout_ms = d.connect_timeout_ms;
  if (opt.total_timeout_ms <= 0)
    opt.total_timeout_ms = d.total_timeout_ms;
  if (opt.low_speed_bytes <= 0 || opt.low_speed_seconds <= 0) {
    opt.low_speed_bytes = d.low_speed_bytes;
    opt.low_speed_seconds = d.low_speed_seconds;
  }
  if (opt.max_bytes == 0)
    opt.max_bytes = d.max_bytes;
  if (opt.max_redirects < 0)
    opt.max_redirects = d.max_redirects;

  if (!url || !*url) {
    set_error(out, "De feed heeft geen adres.", "empty url");
    return SK_EFETCH;
  }
  if (strnlen(url, IX_FETCH_MAX_URL) >= IX_FETCH_MAX_URL) {
    set_error(out, "Het adres van de feed is te lang.", "url longer than %d bytes",
              IX_FETCH_MAX_URL - 1);
    return SK_EFETCH;
  }
  int is_file = 0;
  if (!check_url(url, &is_file)) {
    if (is_file)
      set_error(out, "Een bestand moet een volledig pad hebben, zoals file:///map/feed.json.",
                "%.60s", url);
    else
      set_error(
          out,
          "Dit soort adres kunnen we niet ophalen. Gebruik een adres dat begint met https://, "
          "http:// of file://.",
          "%.60s", url);
    return SK_EFETCH;
  }

  if (is_file) {
    int frc = check_local_file(url, opt.max_bytes, out);
    if (frc)
      return frc;
  }

  CURL *h = curl_easy_init();
  if (!h) {
    set_error(out, "Er was niet genoeg geheugen om het bestand op te halen.",
              "curl_easy_init failed");
    return SK_ENOMEM;
  }
  struct fetch_ctx c;
  memset(&c, 0, sizeof c);
  sk_buf_init(&c.body, opt.max_bytes);
  char errbuf[CURL_ERROR_SIZE];
  errbuf[0] = '\0';
  struct curl_slist *headers = NULL;
  int rc = SK_OK;

  char line[512];
  if (etag) {
    snprintf(line, sizeof line, "If-None-Match: %s", etag);
    struct curl_slist *t = curl_slist_append(headers, line);
    if (!t)
      goto nomem;
    headers = t;
  }
  if (last_modified) {
    snprintf(line, sizeof line, "If-Modified-Since: %s", last_modified);
    struct curl_slist *t = curl_slist_append(headers, line);
    if (!t)
      goto nomem;
    headers = t;
  }

  CURLcode sc = CURLE_OK;
#define SETOPT(opt_, val_)                                                                         \
  do {                                                                                             \
    if (sc == CURLE_OK)                                                                            \
      sc = curl_easy_setopt(h, opt_, val_);                                                        \
  } while (0)
  SETOPT(CURLOPT_URL, url);
  SETOPT(CURLOPT_PROTOCOLS_STR, "http,https,file");
  SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  /* Signals are process-wide; timeouts must not use them in threads. */
  SETOPT(CURLOPT_NOSIGNAL, 1L);
  SETOPT(CURLOPT_CONNECTTIMEOUT_MS, opt.connect_timeout_ms);
  SETOPT(CURLOPT_TIMEOUT_MS, opt.total_timeout_ms);
  SETOPT(CURLOPT_LOW_SPEED_LIMIT, opt.low_speed_bytes);
  SETOPT(CURLOPT_LOW_SPEED_TIME, opt.low_speed_seconds);
  SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)opt.max_bytes);
  SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
  SETOPT(CURLOPT_MAXREDIRS, opt.max_redirects);
  SETOPT(CURLOPT_FAILONERROR, 1L);
  /* Decompressed bytes pass through on_body, so the cap also stops a zip bomb. */
  SETOPT(CURLOPT_ACCEPT_ENCODING, "");
  SETOPT(CURLOPT_USERAGENT, opt.user_agent ? opt.user_agent : IX_FETCH_USER_AGENT);
  SETOPT(CURLOPT_HTTPHEADER, headers);
  SETOPT(CURLOPT_WRITEFUNCTION, on_body);
  SETOPT(CURLOPT_WRITEDATA, &c);
  SETOPT(CURLOPT_HEADERFUNCTION, on_header);
  SETOPT(CURLOPT_HEADERDATA, &c);
  SETOPT(CURLOPT_ERRORBUFFER, errbuf);
#undef SETOPT
  if (sc != CURLE_OK) {
    set_error(out, "Het ophalen van de feed is mislukt.", "setopt: %s", curl_easy_strerror(sc));
    rc = SK_EFETCH;
    goto done;
  }

  CURLcode cc = curl_easy_perform(h);
  long status = 0;
  if (!is_file)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  out->http_status = status;
  if (cc != CURLE_OK) {
    rc = transfer_error(out, h, cc, errbuf, &c, opt.max_bytes, opt.max_redirects);
    goto done;
  }
  snprintf(out->etag, sizeof out->etag, "%s", c.etag);
  snprintf(out->last_modified, sizeof out->last_modified, "%s", c.last_modified);
  if (status == 304) {
    /* Keep the validators the caller already has when the 304 omits them. */
    if (!out->etag[0] && etag)
      snprintf(out->etag, sizeof out->etag, "%s", etag);
    if (!out->last_modified[0] && last_modified)
      snprintf(out->last_modified, sizeof out->last_modified, "%s", last_modified);
    if (known_hash)
      snprintf(out->content_hash, sizeof out->content_hash, "%s", known_hash);
    out->not_modified = 1;
    goto done;
  }
  if (!is_file && (status < 200 || status >= 300)) {
    /* A 3xx that curl did not follow: no Location, or one it could not use. */
    char msg[160];
    if (status >= 300 && status < 400)
      snprintf(msg, sizeof msg,
               "De server stuurt ons door, maar niet naar een bruikbaar adres (code %ld).", status);
    else
      snprintf(msg, sizeof msg, "De server gaf een onverwacht antwoord (code %ld).", status);
    set_error(out, msg, "HTTP %ld", status);
    clear_validators(out);
    rc = SK_EFETCH;
    goto done;
  }
  rc = finish_body(out, &c, known_hash, opt.binary);
  goto done;

nomem:
  set_error(out, "Er was niet genoeg geheugen om het bestand op te halen.", "out of memory");
  rc = SK_ENOMEM;
done:
  if (rc != SK_OK) {
    clear_validators(out);
    ix_fetch_result_free(out);
    out->not_modified = 0;
  }
  sk_buf_free(&c.body);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  return rc;
}
