/* The site: files under the static folder, nothing outside it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_err.h"
#include "web_internal.h"

static const struct {
  const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".webmanifest", "application/manifest+json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".webp", "image/webp"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".xml", "application/xml; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".pdf", "application/pdf"},
};

static const char *content_type(const char *path) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (dot && (!slash || dot > slash))
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      if (strcasecmp(dot, types[i].ext) == 0)
        return types[i].type;
  return "application/octet-stream";
}

/* 1 when every segment of the (decoded) path is a plain name: no "..",
 * no ".", no hidden files, no backslashes or control characters. */
static int path_is_clean(const char *url) {
  if (url[0] != '/' || strlen(url) > 1024)
    return 0;
  for (const char *p = url; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f)
      return 0;
  const char *seg = url + 1;
  while (*seg) {
    const char *end = strchr(seg, '/');
    size_t n = end ? (size_t)(end - seg) : strlen(seg);
    if (n == 0 && end) /* "//" */
      return 0;
    if (n > 0 && seg[0] == '.')
      return 0;
    if (!end)
      break;
    seg = end + 1;
  }
  return 1;
}

/* Open root + rel as a regular file inside root. -1 when it is not one. */
static int open_inside(const char *root, const char *rel, struct stat *sb) {
  char full[PATH_MAX], real[PATH_MAX];
  int n = snprintf(full, sizeof full, "%s%s", root, rel);
  if (n < 0 || (size_t)n >= sizeof full)
    return -1;
  /* Symlinks are resolved first and the target must still be inside. */
  if (!realpath(full, real))
    return -1;
  size_t rl = strlen(root);
  if (strncmp(real, root, rl) != 0 || real[rl] != '/')
    return -1;
  /* Only regular files: open(2) on a FIFO waits for a writer and on a
   * device may do anything, and a directory fd sent to MHD spins in
   * sendfile(). stat first so those are never opened; O_NONBLOCK and fstat
   * for one swapped in between (O_NONBLOCK does nothing to a regular
   * file's reads). */
  if (stat(real, sb) != 0 || !S_ISREG(sb->st_mode))
    return -1;
  int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return -1;
  if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
    close(fd);
    return -1;
  }
  return fd;
}

static int not_found(struct web_ctx *x) {
  struct stat sb;
  int fd = open_inside(x->srv->static_real, "/404.html", &sb);
  if (fd < 0)
    return web_problem(x, 404, "Niet gevonden", NULL, "Deze pagina bestaat niet.");
  x->out.fd = fd;
  x->out.len = (size_t)sb.st_size;
  x->out.status = 404;
  x->out.ctype = "text/html; charset=utf-8";
  x->out.cache = "no-cache";
  return SK_OK;
}

int web_static(struct web_ctx *x) {
  if (!path_is_clean(x->url))
    return not_found(x);
  char rel[1100];
  size_t ul = strlen(x->url);
  snprintf(rel, sizeof rel, "%s%s", x->url, x->url[ul - 1] == '/' ? "index.html" : "");
  struct stat sb;
  int fd = open_inside(x->srv->static_real, rel, &sb);
  if (fd < 0)
    return not_found(x);
  x->out.fd = fd;
  x->out.len = (size_t)sb.st_size;
  x->out.status = 200;
  x->out.ctype = content_type(rel);
  /* Pages must be revalidated so a new site shows at once; assets may be
   * kept a while (the ETag makes the check cheap). */
  x->out.cache = strstr(x->out.ctype, "text/html") ? "no-cache" : "public, max-age=3600";
  snprintf(x->out.etag_value, sizeof x->out.etag_value, "\"%llx-%llx-%llx\"",
           (unsigned long long)sb.st_mtim.tv_sec, (unsigned long long)sb.st_mtim.tv_nsec,
           (unsigned long long)sb.st_size);
  return SK_OK;
}
