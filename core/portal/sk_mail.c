#include "sk_mail.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_id.h"

int sk_mail_header_safe(const char *s) {
  return s && *s && !strpbrk(s, "\r\n<>") && strlen(s) < 255;
}

int sk_mail_config_from_env(struct sk_mail_config *c) {
  memset(c, 0, sizeof *c);
  c->url = getenv("SK_SMTP_URL");
  c->from = getenv("SK_SMTP_FROM");
  c->user = getenv("SK_SMTP_USER");
  c->password = getenv("SK_SMTP_PASSWORD");
  if (!c->url || !*c->url) {
    c->url = NULL;
    return 0;
  }
  return sk_mail_header_safe(c->from) && strchr(c->from, '@') ? 1 : SK_EINVAL;
}

int sk_mail_global_init(void) {
  return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? SK_OK : SK_EIO;
}

struct upload {
  const char *data;
  size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg) {
  struct upload *u = arg;
  size_t room = size * n, left = u->len - u->off;
  size_t k = left < room ? left : room;
  memcpy(buf, u->data + u->off, k);
  u->off += k;
  return k;
}

/* The RFC 5322 message: plain text, UTF-8, CRLF line ends. */
static int build_mail(struct sk_buf *b, const char *from, const char *to, const char *subject,
                      const char *body) {
  char date[64], mid[SK_UUID_LEN];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  sk_uuid_random(mid);
  const char *at = strchr(from, '@');
  int rc = sk_buf_printf(b,
                         "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s@%s>\r\n"
                         "Subject: %s\r\nMIME-Version: 1.0\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\n"
                         "Content-Transfer-Encoding: 8bit\r\n\r\n",
                         date, from, to, mid, at ? at + 1 : "sociale-kaart", subject);
  for (const char *p = body; !rc && *p; p++) {
    if (*p == '\n')
      rc = sk_buf_add(b, "\r\n", 2);
    else if (*p != '\r')
      rc = sk_buf_addc(b, *p);
  }
  if (!rc)
    rc = sk_buf_add(b, "\r\n", 2);
  return rc;
}

int sk_mail_send(const struct sk_mail_config *c, const char *to, const char *subject,
                 const char *body, char *err, size_t errlen) {
  if (!sk_mail_header_safe(to) || !strchr(to, '@') || !sk_mail_header_safe(subject)) {
    snprintf(err, errlen, "unusable address or subject");
    return SK_EINVAL;
  }
  struct sk_buf msg;
  sk_buf_init(&msg, 1 << 20);
  if (build_mail(&msg, c->from, to, subject, body ? body : "") != SK_OK) {
    sk_buf_free(&msg);
    snprintf(err, errlen, "message too large");
    return SK_ETOOBIG;
  }
  CURL *h = curl_easy_init();
  if (!h) {
    sk_buf_free(&msg);
    snprintf(err, errlen, "libcurl cannot start");
    return SK_EIO;
  }
  struct curl_slist *rcpt = NULL;
  char addr[300];
  snprintf(addr, sizeof addr, "<%s>", to);
  rcpt = curl_slist_append(rcpt, addr);
  snprintf(addr, sizeof addr, "<%s>", c->from);
  struct upload u = {sk_buf_str(&msg), msg.len, 0};
  curl_easy_setopt(h, CURLOPT_URL, c->url);
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(h, CURLOPT_READDATA, &u);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  /* Never in clear over a network; a relay on this machine may speak plain SMTP. */
  int local = strncmp(c->url, "smtp://localhost", 16) == 0 ||
              strncmp(c->url, "smtp://127.0.0.1", 16) == 0;
  curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(local ? CURLUSESSL_TRY : CURLUSESSL_ALL));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (c->user && *c->user) {
    curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
  }
  CURLcode cc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(h);
  sk_buf_free(&msg);
  if (cc != CURLE_OK) {
    snprintf(err, errlen, "%s (SMTP %ld)", curl_easy_strerror(cc), code);
    return code >= 500 && code < 600 ? SK_EINVAL : SK_EFETCH;
  }
  return SK_OK;
}

int sk_mail_send_outbox(struct sk_portal *p, const struct sk_mail_config *c,
                        const char *period_prefix, const char *who, struct sk_mail_counts *n) {
  memset(n, 0, sizeof *n);
  struct sk_portal_result r;
  if (sk_portal_outbox_unsent(p, &r) != SK_OK) {
    fprintf(stderr, "%s: cannot read the outbox: %s\n", who, r.message);
    sk_portal_result_free(&r);
    return SK_EDB;
  }
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(r.body, "items"), i, it) {
    if (!json_is_null(json_object_get(it, "sent_at")))
      continue;
    const char *id = json_string_value(json_object_get(it, "id"));
    const char *to = json_string_value(json_object_get(it, "to"));
    const char *period = json_string_value(json_object_get(it, "period"));
    if (!id ||
        (period_prefix && (!period || strncmp(period, period_prefix, strlen(period_prefix)))))
      continue;
    if (!sk_mail_header_safe(to) || !strchr(to, '@')) {
      fprintf(stderr, "%s: message %s: unusable address, skipped\n", who, id);
      n->failed++;
      continue;
    }
    char e[256] = "";
    int mrc = sk_mail_send(c, to, json_string_value(json_object_get(it, "subject")),
                           json_string_value(json_object_get(it, "body")), e, sizeof e);
    if (mrc == SK_OK && sk_portal_outbox_mark_sent(p, id) == SK_OK) {
      n->sent++;
    } else if (mrc == SK_EINVAL && sk_portal_outbox_mark_bounced(p, id, e) == SK_OK) {
      fprintf(stderr, "%s: message %s to %s bounced: %s\n", who, id, to ? to : "?", e);
      n->bounced++;
    } else {
      fprintf(stderr, "%s: message %s to %s not sent: %s\n", who, id, to ? to : "?",
              e[0] ? e : "error");
      n->failed++;
    }
  }
  sk_portal_result_free(&r);
  return SK_OK;
}
