/* gzip for text responses when the client accepts it (RFC 9110 12.5.3).
 *
 * Applied by the dispatcher to every 200 answer of a GET/HEAD: pages, the
 * API's JSON, the static site's CSS/JS/SVG. A body under 512 bytes is left
 * as it is (the gzip header and trailer would eat the gain); so is one
 * that does not shrink. The compressed representation has its own ETag
 * (the plain one with "-gz"), so a cache never mixes the two, and every
 * compressible answer says Vary: Accept-Encoding. The portal's ETags name
 * an entry's version for If-Match and are left as they are. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "web_internal.h"

#define GZ_MIN 512
#define GZ_MAX_FILE (4u << 20) /* static files larger than this are sent as they are */

static int compressible(const char *ctype) {
  if (!ctype)
    return 0;
  return !strncmp(ctype, "text/", 5) || !strncmp(ctype, "application/json", 16) ||
         !strncmp(ctype, "application/problem+json", 24) ||
         !strncmp(ctype, "application/xml", 15) || !strncmp(ctype, "image/svg+xml", 13) ||
         !strncmp(ctype, "application/manifest+json", 25);
}

/* 1 when Accept-Encoding lists gzip with a q-value above 0. */
static int accepts_gzip(const char *h) {
  if (!h)
    return 0;
  const char *p = h;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    const char *tok = p;
    while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
      p++;
    size_t n = (size_t)(p - tok);
    int is_gzip = (n == 4 && !strncasecmp(tok, "gzip", 4)) ||
                  (n == 6 && !strncasecmp(tok, "x-gzip", 6));
    double q = 1.0;
    while (*p && *p != ',') {
      if (*p == ';') {
        p++;
        while (*p == ' ' || *p == '\t')
          p++;
        if ((*p == 'q' || *p == 'Q') && p[1] == '=')
          q = strtod(p + 2, NULL);
      } else {
        p++;
      }
    }
    if (is_gzip)
      return q > 0;
  }
  return 0;
}

static const char *vary_with_encoding(const char *vary) {
  if (!vary)
    return "Accept-Encoding";
  if (!strcmp(vary, "Cookie, Authorization"))
    return "Cookie, Authorization, Accept-Encoding";
  return NULL; /* unknown Vary: leave the answer uncompressed */
}

/* The body in memory: a file answer (static) is read in. */
static int load_body(struct web_out *o) {
  if (o->fd < 0)
    return o->body != NULL;
  if (o->len > GZ_MAX_FILE)
    return 0;
  char *b = malloc(o->len + 1);
  if (!b)
    return 0;
  size_t got = 0;
  while (got < o->len) {
    ssize_t n = pread(o->fd, b + got, o->len - got, (off_t)got);
    if (n <= 0) {
      free(b);
      return 0;
    }
    got += (size_t)n;
  }
  close(o->fd);
  o->fd = -1;
  free(o->body);
  o->body = b;
  return 1;
}

void web_gzip_apply(struct web_ctx *x, char etag[80]) {
  struct web_out *o = &x->out;
  if (o->encoding || !compressible(o->ctype))
    return;
  const char *vary = vary_with_encoding(o->vary);
  if (!vary)
    return;
  o->vary = vary;
  if (o->len < GZ_MIN ||
      !accepts_gzip(MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "Accept-Encoding")))
    return;
  if (!load_body(o))
    return;
  z_stream z;
  memset(&z, 0, sizeof z);
  /* windowBits 15 + 16: a gzip wrapper; level 6 is zlib's default trade. */
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return;
  uLong cap = deflateBound(&z, (uLong)o->len);
  unsigned char *out = malloc(cap);
  if (!out) {
    deflateEnd(&z);
    return;
  }
  z.next_in = (unsigned char *)o->body;
  z.avail_in = (uInt)o->len;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  size_t n = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END || n >= o->len) {
    free(out);
    return;
  }
  free(o->body);
  o->body = (char *)out;
  o->len = n;
  o->encoding = "gzip";
  /* An ETag that names a version (the portal's entries: If-Match on the
   * next write) stays what it is; a body hash gets its variant. */
  if (x->req &&
      (x->req->route == WR_PARTNER || x->req->route == WR_AUTH || x->req->route == WR_CORRECTION))
    return;
  size_t el = strlen(etag);
  if (el >= 2 && etag[el - 1] == '"' && el + 3 < 80) {
    memcpy(etag + el - 1, "-gz\"", 5);
  }
}
