/* The HSDS tabular package (ix_hsds_csv.h): zip or folder -> tables ->
 * the nested JSON of a service -> ix_hsds_parse_at. */
#include "ix_hsds_csv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ix_csv.h"
#include "ix_hsds.h"
#include "ix_text.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_id.h"

void ix_hsds_csv_pkg_free(struct ix_hsds_csv_pkg *p) {
  for (size_t i = 0; i < p->n; i++)
    free(p->files[i].data);
  p->n = 0;
  p->total = 0;
}

/* ------------------------------------------------------------- members */

/* Take one member's bytes (copied): its text checked and made UTF-8. */
static int add_member(struct ix_hsds_csv_pkg *p, const char *name, const char *bytes, size_t n,
                      struct ix_batch *b, char *err, size_t errlen) {
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->files[i].name, name) == 0) {
      snprintf(err, errlen, "Het pakket heeft het bestand '%s' twee keer.", name);
      return SK_EPARSE;
    }
  if (p->n == IX_HSDS_CSV_MAX_FILES) {
    snprintf(err, errlen, "Het pakket heeft meer dan %d CSV-bestanden.", IX_HSDS_CSV_MAX_FILES);
    return SK_ETOOBIG;
  }
  if (n > IX_CSV_MAX_BYTES || n > IX_HSDS_CSV_MAX_TOTAL - p->total) {
    snprintf(err, errlen,
             "Het pakket is te groot (een bestand boven %zu MB of samen boven %zu MB).",
             IX_CSV_MAX_BYTES >> 20, IX_HSDS_CSV_MAX_TOTAL >> 20);
    return SK_ETOOBIG;
  }
  if (n >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0)
    bytes += 3, n -= 3;
  char *dec = NULL;
  size_t dlen = 0, at = 0, line = 0;
  unsigned byte = 0;
  int v = ix_text_decode(bytes, n, &dec, &dlen, &at, &byte, &line);
  if (v < 0)
    return SK_ENOMEM;
  if (v == IX_TEXT_NUL || v == IX_TEXT_UTF16) {
    snprintf(err, errlen,
             "Het bestand '%s' in het pakket is geen tekst (%s). Sla het op als CSV in UTF-8.",
             name, v == IX_TEXT_NUL ? "het bevat een NUL-teken" : "UTF-16");
    return SK_EPARSE;
  }
  if (v == IX_TEXT_CP1252) {
    if (ix_batch_warn(b,
                      "Bestand '%s' is geen geldige UTF-8 (eerste fout: byte 0x%02X op regel %zu); "
                      "we hebben het "
                      "gelezen als Windows-1252.",
                      name, byte, line)) {
      free(dec);
      return SK_ENOMEM;
    }
  } else {
    if (!(dec = malloc(n + 1)))
      return SK_ENOMEM;
    memcpy(dec, bytes, n);
    dec[n] = '\0';
    dlen = n;
  }
  struct ix_hsds_csv_file *f = &p->files[p->n++];
  snprintf(f->name, sizeof f->name, "%s", name);
  f->data = dec;
  f->len = dlen;
  p->total += n;
  return SK_OK;
}

/* The base name of a member we read, or NULL (with *unsafe set when the
 * name tries to leave the package). */
static const char *member_name(const char *name, int *unsafe) {
  *unsafe = 0;
  size_t n = strlen(name);
  if (n == 0 || name[n - 1] == '/')
    return NULL; /* a folder */
  if (name[0] == '/' || strchr(name, '\\') || strstr(name, "..") || (n > 1 && name[1] == ':')) {
    *unsafe = 1;
    return NULL;
  }
  if (strncmp(name, "__MACOSX/", 9) == 0)
    return NULL;
  /* Any folder depth ("export/2026-12/hsds/services.csv", as archivers
   * keep the folder a partner zipped): names are only compared, nothing
   * is written, and a second member of the same name is refused. */
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  size_t bl = strlen(base);
  if (bl < 5 || bl >= sizeof((struct ix_hsds_csv_file *)0)->name ||
      strcasecmp(base + bl - 4, ".csv") != 0 || base[0] == '.')
    return NULL;
  return base;
}

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) { return le16(p) | le16(p + 2) << 16; }

/* Inflate exactly usize bytes of raw deflate from src[0..clen). */
static int inflate_exact(const unsigned char *src, size_t clen, unsigned char *dst, size_t usize) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
    return SK_ENOMEM;
  int rc = SK_EPARSE;
  size_t in_off = 0, out_off = 0;
  int zr = Z_OK;
  /* avail_in/out are uInt: feed in slices. */
  while (zr == Z_OK) {
    uInt in = (uInt)(clen - in_off > 1u << 30 ? 1u << 30 : clen - in_off);
    uInt out = (uInt)(usize - out_off > 1u << 30 ? 1u << 30 : usize - out_off);
    unsigned char spare;
    z.next_in = (unsigned char *)src + in_off;
    z.avail_in = in;
    /* One spare byte past the announced size tells a member that is
     * bigger than it says (a zip bomb) from one that fits. */
    z.next_out = out ? dst + out_off : &spare;
    z.avail_out = out ? out : 1;
    zr = inflate(&z, Z_NO_FLUSH);
    in_off += in - z.avail_in;
    if (out)
      out_off += out - z.avail_out;
    else if (z.avail_out == 0)
      break; /* wrote past usize */
    if (zr == Z_BUF_ERROR && z.avail_in == 0 && in_off == clen)
      break; /* truncated */
    if (zr == Z_BUF_ERROR)
      zr = Z_OK;
  }
  if (zr == Z_STREAM_END && out_off == usize)
    rc = SK_OK;
  inflateEnd(&z);
  return rc;
}

int ix_hsds_csv_read_zip(const char *data, size_t len, struct ix_hsds_csv_pkg *p,
                         struct ix_batch *b, char *err, size_t errlen) {
  const unsigned char *d = (const unsigned char *)data;
  err[0] = '\0';
  if (len < 22 || le32(d) != 0x04034b50u) {
    snprintf(
        err, errlen,
        "Dit is geen zip-bestand. Een HSDS-CSV-pakket is een zip of een map met CSV-bestanden.");
    return SK_EPARSE;
  }
  /* The end of central directory record: within the last 22 + 65535 bytes. */
  size_t eocd = 0;
  int found = 0;
  for (size_t i = len - 22 + 1; i-- > 0 && len - i <= 22 + 65535;)
    if (le32(d + i) == 0x06054b50u && i + 22 + le16(d + i + 20) == len) {
      eocd = i;
      found = 1;
      break;
    }
  if (!found) {
    snprintf(err, errlen,
             "Het zip-bestand is onvolledig (het einde van de inhoudsopgave ontbreekt).");
    return SK_EPARSE;
  }
  uint32_t disk = le16(d + eocd + 4), cd_disk = le16(d + eocd + 6), n_here = le16(d + eocd + 8),
           n_all = le16(d + eocd + 10), cd_size = le32(d + eocd + 12), cd_off = le32(d + eocd + 16);
  if (n_all == 0xFFFFu || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
    snprintf(err, errlen,
             "Dit zip-bestand is in het ZIP64-formaat; dat lezen we niet. Maak een gewone zip.");
    return SK_EPARSE;
  }
  if (disk || cd_disk || n_here != n_all) {
    snprintf(err, errlen, "Dit zip-bestand bestaat uit meerdere delen; dat lezen we niet.");
    return SK_EPARSE;
  }
  if (cd_off > eocd || cd_size > eocd - cd_off) {
    snprintf(err, errlen, "De inhoudsopgave van het zip-bestand klopt niet.");
    return SK_EPARSE;
  }
  if (n_all > 4 * IX_HSDS_CSV_MAX_FILES) {
    snprintf(err, errlen, "Het zip-bestand heeft meer dan %d bestanden.",
             4 * IX_HSDS_CSV_MAX_FILES);
    return SK_ETOOBIG;
  }
  size_t at = cd_off, cd_end = (size_t)cd_off + cd_size;
  int rc = SK_OK;
  unsigned skipped_unsafe = 0;
  int saw_sheet = 0; /* a member of an .xlsx or .ods */
  for (uint32_t k = 0; k < n_all && !rc; k++) {
    if (cd_end - at < 46 || le32(d + at) != 0x02014b50u) {
      snprintf(err, errlen, "De inhoudsopgave van het zip-bestand klopt niet (item %u).", k + 1);
      return SK_EPARSE;
    }
    const unsigned char *e = d + at;
    uint32_t flags = le16(e + 8), method = le16(e + 10), crc = le32(e + 16), csize = le32(e + 20),
             usize = le32(e + 24), nlen = le16(e + 28), xlen = le16(e + 30), clen = le16(e + 32),
             loff = le32(e + 42);
    if ((size_t)46 + nlen + xlen + clen > cd_end - at) {
      snprintf(err, errlen, "De inhoudsopgave van het zip-bestand klopt niet (item %u).", k + 1);
      return SK_EPARSE;
    }
    char name[256];
    size_t nl = nlen < sizeof name ? nlen : sizeof name - 1;
    memcpy(name, e + 46, nl);
    name[nl] = '\0';
    at += (size_t)46 + nlen + xlen + clen;
    int unsafe = 0;
    const char *base = nlen < sizeof name && !memchr(name, '\0', nl) ? member_name(name, &unsafe)
                                                                     : NULL;
    if (unsafe) {
      skipped_unsafe++;
      continue;
    }
    if (strncmp(name, "xl/", 3) == 0 || strcmp(name, "[Content_Types].xml") == 0 ||
        strcmp(name, "mimetype") == 0 || strcmp(name, "content.xml") == 0)
      saw_sheet = 1;
    if (!base)
      continue;
    if (flags & 1u) {
      snprintf(err, errlen, "Het bestand '%s' in de zip is versleuteld; dat lezen we niet.", base);
      return SK_EPARSE;
    }
    if (method != 0 && method != 8) {
      snprintf(
          err, errlen,
          "Het bestand '%s' in de zip is ingepakt op een manier die we niet lezen (methode %u).",
          base, method);
      return SK_EPARSE;
    }
    if (usize > IX_CSV_MAX_BYTES || usize > IX_HSDS_CSV_MAX_TOTAL - p->total) {
      snprintf(err, errlen, "Het pakket is te groot (uitgepakt meer dan %zu MB).",
               IX_CSV_MAX_BYTES >> 20);
      return SK_ETOOBIG;
    }
    if (loff > len || len - loff < 30 || le32(d + loff) != 0x04034b50u) {
      snprintf(err, errlen, "Het bestand '%s' in de zip is niet te vinden.", base);
      return SK_EPARSE;
    }
    size_t start = (size_t)loff + 30 + le16(d + loff + 26) + le16(d + loff + 28);
    if (start > len || csize > len - start || (method == 0 && csize != usize)) {
      snprintf(err, errlen, "Het bestand '%s' in de zip is onvolledig.", base);
      return SK_EPARSE;
    }
    unsigned char *buf = malloc((size_t)usize + 1);
    if (!buf)
      return SK_ENOMEM;
    if (method == 0)
      memcpy(buf, d + start, usize);
    else if ((rc = inflate_exact(d + start, csize, buf, usize)) != SK_OK) {
      free(buf);
      if (rc == SK_EPARSE)
        snprintf(err, errlen, "Het bestand '%s' in de zip is beschadigd of groter dan de zip zegt.",
                 base);
      return rc;
    }
    if ((uint32_t)crc32(0L, buf, (uInt)usize) != crc) {
      free(buf);
      snprintf(err, errlen, "Het bestand '%s' in de zip is beschadigd (de controlesom klopt niet).",
               base);
      return SK_EPARSE;
    }
    rc = add_member(p, base, (const char *)buf, usize, b, err, errlen);
    free(buf);
  }
  if (!rc && !p->n && saw_sheet) {
    snprintf(err, errlen,
             "Dit is een Excel- of LibreOffice-bestand (.xlsx, .ods), geen zip met CSV-bestanden. "
             "Sla elk blad op als CSV (in Excel: Opslaan als, 'CSV UTF-8') met de naam van de "
             "tabel (services.csv, organizations.csv, …) en zet die in een zip of een map.");
    return SK_EPARSE;
  }
  if (!rc && skipped_unsafe &&
      ix_batch_warn(
          b,
          "%u bestand(en) in de zip hebben een naam buiten het pakket (zoals '../' of een "
          "volledig pad); die zijn overgeslagen.",
          skipped_unsafe))
    rc = SK_ENOMEM;
  return rc;
}

int ix_hsds_csv_read_dir(const char *dir, struct ix_hsds_csv_pkg *p, struct ix_batch *b, char *err,
                         size_t errlen) {
  err[0] = '\0';
  DIR *dp = opendir(dir);
  if (!dp) {
    snprintf(err, errlen, "De map van het pakket kon niet worden geopend (%s).", strerror(errno));
    return SK_EFETCH;
  }
  int rc = SK_OK;
  struct dirent *de;
  while (!rc && (de = readdir(dp))) {
    int unsafe;
    const char *base = member_name(de->d_name, &unsafe);
    if (!base)
      continue;
    int fd = openat(dirfd(dp), base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
      if (fd >= 0)
        close(fd);
      continue; /* a link, a folder or a device is not a member */
    }
    if ((unsigned long long)sb.st_size > IX_CSV_MAX_BYTES) {
      close(fd);
      snprintf(err, errlen, "Het bestand '%s' is groter dan %zu MB.", base, IX_CSV_MAX_BYTES >> 20);
      rc = SK_ETOOBIG;
      break;
    }
    size_t n = (size_t)sb.st_size, got = 0;
    char *buf = malloc(n + 1);
    if (!buf) {
      close(fd);
      rc = SK_ENOMEM;
      break;
    }
    while (got < n) {
      ssize_t r = read(fd, buf + got, n - got);
      if (r <= 0)
        break;
      got += (size_t)r;
    }
    close(fd);
    rc = add_member(p, base, buf, got, b, err, errlen);
    free(buf);
  }
  closedir(dp);
  return rc;
}

/* -------------------------------------------------------------- tables */

/* Columns HSDS types as numbers: a cell that reads as one becomes one, so
 * the JSON parser sees what a JSON feed would send. */
static int numeric_column(const char *col) {
  static const char *const cols[] = {
      "minimum_age", "maximum_age", "latitude", "longitude", "year_incorporated",
      "interval",    "count",       "timezone", "amount",    NULL};
  for (size_t i = 0; cols[i]; i++)
    if (strcmp(cols[i], col) == 0)
      return 1;
  return 0;
}

/* "id" and the "*_id" columns that join the tables. */
static int id_column(const char *col) {
  size_t n = strlen(col);
  return strcmp(col, "id") == 0 || (n > 3 && strcmp(col + n - 3, "_id") == 0);
}

/* A column name as spreadsheets write it ("Organization ID", " Name ",
 * "service-id") in the form of the specification ("organization_id"):
 * lower case, blanks and '-' as '_'. Names are ASCII in HSDS, so other
 * bytes are kept. */
static void column_name(const char *in, char *out, size_t cap) {
  while (*in == ' ' || *in == '\t')
    in++;
  size_t n = 0;
  for (; *in && n + 1 < cap; in++) {
    char ch = *in;
    if (ch >= 'A' && ch <= 'Z')
      ch = (char)(ch - 'A' + 'a');
    else if (ch == ' ' || ch == '-' || ch == '\t')
      ch = '_';
    out[n++] = ch;
  }
  while (n && out[n - 1] == '_')
    n--;
  out[n] = '\0';
}

/* Columns that hold a date (or a date and time). */
static int date_column(const char *col) {
  static const char *const cols[] = {"valid_from",    "valid_to",   "dtstart",  "until",
                                     "assured_date",  "start_date", "end_date", "last_modified",
                                     "date_modified", NULL};
  for (size_t i = 0; cols[i]; i++)
    if (strcmp(cols[i], col) == 0)
      return 1;
  return 0;
}

/* 0 = Sunday .. 6 = Saturday (Sakamoto). */
static int day_of_week(int y, int m, int d) {
  static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
  y -= m < 3;
  return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/* A date as a Dutch spreadsheet writes it, as ISO 8601: "3-12-2026" and
 * "03-12-2026" are day-month-year (the Dutch order; with '-' nobody writes
 * month first), optionally followed by a time ("3-12-2026 9:30", Dutch
 * time, written with its offset). With '/' the order is only known when one part is above 12
 * ("24/12/2026", "12/24/2015"); "3/12/2026" is left as it is, and the reader reports it. 1 when
 * written into out. */
static int sheet_date(const char *v, char *out, size_t cap) {
  const char *p = v;
  int part[3], len[3];
  char sep = 0;
  for (int k = 0; k < 3; k++) {
    int x = 0, l = 0;
    while (*p >= '0' && *p <= '9' && l < 5) {
      x = x * 10 + (*p++ - '0');
      l++;
    }
    if (!l)
      return 0;
    part[k] = x;
    len[k] = l;
    if (k < 2) {
      if ((*p != '-' && *p != '/') || (sep && *p != sep))
        return 0;
      sep = *p++;
    }
  }
  if (len[0] > 2 || len[1] > 2 || len[2] != 4 || part[2] < 1900 || part[2] > 2200)
    return 0;
  int a = part[0], b = part[1], y = part[2];
  char s1 = sep;
  int d = a, m = b;
  if (s1 == '/') {
    if (a > 12 && b <= 12)
      d = a, m = b;
    else if (b > 12 && a <= 12)
      d = b, m = a;
    else if (a != b)
      return 0; /* ambiguous */
  }
  if (m < 1 || m > 12 || d < 1 || d > 31)
    return 0;
  const char *rest = p;
  int hh, mi, k = 0;
  if (!*rest) {
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
    return 1;
  }
  if (sscanf(rest, " %2d:%2d%n", &hh, &mi, &k) == 2 && hh <= 23 && mi <= 59) {
    int ss = 0, k2 = 0;
    if (rest[k] == ':' && sscanf(rest + k, ":%2d%n", &ss, &k2) == 1)
      k += k2;
    if (!rest[k]) {
      /* A Dutch sheet's time is Dutch time: +02:00 in summer time (the last
       * Sunday of March to the last Sunday of October), else +01:00. */
      int summer = m > 3 && m < 10;
      if (m == 3 || m == 10) {
        int last = 31 - day_of_week(y, m, 31); /* the last Sunday */
        int after = d > last || (d == last && hh >= (m == 3 ? 2 : 3));
        summer = m == 3 ? after : !after;
      }
      snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d+%02d:00", y, m, d, hh, mi, ss,
               summer ? 2 : 1);
      return 1;
    }
  }
  return 0;
}

static json_t *cell_value(const char *col, const char *v) {
  char *end, u[SK_UUID_LEN], iso[40];
  if (date_column(col) && sheet_date(v, iso, sizeof iso))
    return json_string(iso);
  if (id_column(col) && sk_uuid_canon(v, u)) /* joins ignore the case of a UUID */
    return json_string(u);
  if (numeric_column(col)) {
    double x = strtod(v, &end);
    if (end != v && !*end && isfinite(x))
      return x == floor(x) && fabs(x) < 1e15 ? json_integer((json_int_t)x) : json_real(x);
  } else if (strcmp(col, "extension") == 0 && v[0] >= '1' && v[0] <= '9' && strlen(v) < 10) {
    long x = strtol(v, &end, 10);
    if (!*end)
      return json_integer(x);
  }
  return json_string(v);
}

static const struct ix_hsds_csv_file *find_file(const struct ix_hsds_csv_pkg *p, const char *name) {
  for (size_t i = 0; i < p->n; i++)
    if (strcasecmp(p->files[i].name, name) == 0)
      return &p->files[i];
  return NULL;
}

/* The rows of one file appended to *out, as row objects (empty cells left
 * out); no file adds nothing. */
static int load_table(const struct ix_hsds_csv_file *f, struct ix_batch *b, json_t **out, char *err,
                      size_t errlen) {
  if (!*out && !(*out = json_array()))
    return SK_ENOMEM;
  if (!f)
    return SK_OK;
  char hint;
  size_t skip = ix_csv_sep_hint(f->data, f->len, &hint);
  struct ix_csv_reader rd = {.p = f->data + skip,
                             .end = f->data + f->len,
                             .sep = skip ? hint : ix_csv_guess_sep(f->data, f->len),
                             .line = skip ? 2 : 1};
  struct ix_csv_row hdr, r;
  ix_csv_row_init(&hdr);
  ix_csv_row_init(&r);
  int rc = SK_OK, got = ix_csv_read_row(&rd, &hdr);
  size_t rows = 0, line = 1;
  if (got > 0 && hdr.too_many)
    rc = ix_batch_warn(b, "Bestand '%s': meer dan %d kolommen; de rest is overgeslagen.", f->name,
                       IX_CSV_MAX_COLS)
             ? SK_ENOMEM
             : SK_OK;
  while (!rc && got > 0) {
    line = rd.line;
    if ((got = ix_csv_read_row(&rd, &r)) != 1)
      break;
    if (++rows > IX_CSV_MAX_ROWS) {
      snprintf(err, errlen, "Bestand '%s' heeft meer dan %u rijen.", f->name, IX_CSV_MAX_ROWS);
      rc = SK_ETOOBIG;
      break;
    }
    json_t *o = json_object();
    if (!o || json_array_append_new(*out, o)) {
      rc = SK_ENOMEM;
      break;
    }
    int any = 0;
    for (size_t i = 0; i < hdr.n && i < r.n; i++) {
      char col[128];
      column_name(ix_csv_cell(&hdr, i), col, sizeof col);
      const char *v = ix_csv_cell(&r, i);
      /* "null" is how exports from a database write an empty cell (the
       * specification's own field-guidance schedules.csv does). */
      if (!*col || !*v || strcmp(v, "null") == 0 || strcmp(v, "NULL") == 0 ||
          json_object_get(o, col))
        continue;
      json_t *jv = cell_value(col, v);
      if (!jv || json_object_set_new(o, col, jv)) {
        rc = SK_ENOMEM;
        break;
      }
      any = 1;
    }
    if (!any) /* an empty line */
      json_array_remove(*out, json_array_size(*out) - 1);
  }
  if (!rc && got == -1) {
    snprintf(
        err, errlen,
        "Bestand '%s': vanaf regel %zu staat een aanhalingsteken (\") dat niet wordt gesloten.",
        f->name, line);
    rc = SK_EPARSE;
  } else if (!rc && got == -2) {
    snprintf(err, errlen, "Bestand '%s': regel %zu heeft een cel van meer dan %d tekens.", f->name,
             line, IX_CSV_MAX_FIELD);
    rc = SK_EPARSE;
  } else if (!rc && got == -3) {
    rc = SK_ENOMEM;
  }
  sk_buf_free(&hdr.buf);
  sk_buf_free(&r.buf);
  return rc;
}

/* The rows of t grouped by the value of column col: {value: [rows]}. */
static json_t *group_by(json_t *t, const char *col) {
  json_t *g = json_object();
  size_t i;
  json_t *row;
  json_array_foreach(t, i, row) {
    const char *v = json_string_value(json_object_get(row, col));
    if (!v || !g)
      continue;
    json_t *a = json_object_get(g, v);
    if (!a && (!(a = json_array()) || json_object_set_new(g, v, a))) {
      json_decref(g);
      return NULL;
    }
    if (json_array_append(a, row)) {
      json_decref(g);
      return NULL;
    }
  }
  return g;
}

/* A shallow copy of row without the columns in drop (NULL-terminated). */
static json_t *without(json_t *row, const char *const *drop) {
  json_t *c = json_copy(row);
  for (size_t i = 0; c && drop && drop[i]; i++)
    json_object_del(c, drop[i]);
  return c;
}

/* The tables, by the names of the specification (3.0 and 3.1). */
enum tab {
  T_SERVICES,
  T_ORGS,
  T_LOCATIONS,
  T_SAL,
  T_PHONES,
  T_SCHEDULES,
  T_AREAS,
  T_ADDRESSES,
  T_ACCESS,
  T_LANGS,
  T_COSTS,
  T_DOCS,
  T_ATTRS,
  T_TERMS,
  T_TAXONOMIES,
  T_OLD_TAX, /* HSDS 1.x taxonomy.csv */
  T_SVC_TAX, /* HSDS 1.x/2.0 service_taxonomy.csv */
  T_ELIG,    /* HSDS 1.x/2.0 eligibility.csv */
  T_COUNT
};
/* Each table's name in 3.x, then the names of HSDS 1.x/2.0 (Ohana API's
 * sample, the 2.0 tabular package), read the same way (upgrade_old). */
#define TAB_NAMES 3
static const char *const tab_files[T_COUNT][TAB_NAMES] = {
    {"services.csv", "service.csv", NULL},
    {"organizations.csv", "organization.csv", NULL},
    {"locations.csv", "location.csv", NULL},
    {"service_at_location.csv", "service_at_locations.csv", NULL},
    {"phones.csv", "phone.csv", NULL},
    {"schedules.csv", "regular_schedules.csv", "regular_schedule.csv"},
    {"service_areas.csv", "service_area.csv", NULL},
    {"addresses.csv", "physical_addresses.csv", "physical_address.csv"},
    {"accessibility.csv", "accessibility_for_disabilities.csv", NULL},
    {"languages.csv", "language.csv", NULL},
    {"cost_options.csv", NULL, NULL},
    {"required_documents.csv", "required_document.csv", NULL},
    {"attributes.csv", "service_attributes.csv", "service_attribute.csv"},
    {"taxonomy_terms.csv", "taxonomy_term.csv", NULL},
    {"taxonomies.csv", NULL, NULL},
    {"taxonomy.csv", NULL, NULL},
    {"service_taxonomy.csv", "service_taxonomies.csv", NULL},
    {"eligibility.csv", "eligibilities.csv", NULL}};
/* Tables of HSDS that have no place in our model: read as nothing, reported. */
static const char *const unused_files[] = {
    "contacts.csv", "funding.csv", "programs.csv", "metadata.csv", "organization_identifiers.csv",
    "meta_table_descriptions.csv", "url.csv", "units.csv", "service_capacity.csv",
    /* HSDS 1.x/2.0 */
    "holiday_schedules.csv", "holiday_schedule.csv", "mail_addresses.csv", "postal_address.csv",
    "postal_addresses.csv", "contact.csv", "program.csv", "payment_accepted.csv", NULL};

struct join {
  json_t *t[T_COUNT];
  json_t *svc_by_id, *org_by_id, *loc_by_id, *term_by_id, *tax_by_id;
  json_t *phones_by_service, *phones_by_org, *phones_by_loc, *phones_by_sal;
  json_t *sched_by_service, *sched_by_loc, *sched_by_sal;
  json_t *areas_by_service, *addr_by_loc, *access_by_loc, *langs_by_service, *langs_by_loc;
  json_t *costs_by_service, *docs_by_service, *attrs_by_link, *sal_by_service;
};

static const char *const phone_fk[] = {
    "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", NULL};
static const char *const sched_fk[] = {"service_id", "location_id", "service_at_location_id", NULL};
static const char *const service_fk[] = {"service_id", "service_at_location_id", NULL};
static const char *const loc_fk[] = {"location_id", NULL};
static const char *const lang_fk[] = {"service_id", "location_id", "phone_id", NULL};

/* parent[key] = copies of the rows of group[id] without the columns drop. */
static int nest(json_t *parent, const char *key, json_t *group, const char *id,
                const char *const *drop) {
  json_t *rows = id ? json_object_get(group, id) : NULL;
  if (!rows || !json_array_size(rows))
    return SK_OK;
  json_t *a = json_array();
  if (!a || json_object_set_new(parent, key, a))
    return SK_ENOMEM;
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    if (json_array_append_new(a, without(row, drop)))
      return SK_ENOMEM;
  }
  return SK_OK;
}

static json_t *by_id(json_t *t) { return group_by(t, "id"); }
static json_t *first(json_t *group, const char *id) {
  return id ? json_array_get(json_object_get(group, id), 0) : NULL;
}

/* The nested location lid, or NULL: *oom tells out of memory from a
 * location the package does not hold. */
static json_t *build_location(struct join *j, const char *lid, size_t *foreign_org, int *oom) {
  json_t *row = first(j->loc_by_id, lid);
  *oom = 0;
  if (!row)
    return NULL;
  json_t *l = json_copy(row);
  if (!l) {
    *oom = 1;
    return NULL;
  }
  const char *oid = json_string_value(json_object_get(l, "organization_id"));
  /* A location's organisation that the package does not hold would make
   * the location point at nothing: the service's organisation counts. */
  if (oid && !first(j->org_by_id, oid)) {
    json_object_del(l, "organization_id");
    (*foreign_org)++;
  }
  if (nest(l, "addresses", j->addr_by_loc, lid, loc_fk) ||
      nest(l, "accessibility", j->access_by_loc, lid, loc_fk) ||
      nest(l, "phones", j->phones_by_loc, lid, phone_fk) ||
      nest(l, "schedules", j->sched_by_loc, lid, sched_fk) ||
      nest(l, "languages", j->langs_by_loc, lid, lang_fk)) {
    json_decref(l);
    *oom = 1;
    return NULL;
  }
  return l;
}

static json_t *build_attribute(struct join *j, json_t *row) {
  static const char *const drop[] = {"link_id", NULL};
  json_t *a = without(row, drop);
  const char *tid = json_string_value(json_object_get(row, "taxonomy_term_id"));
  json_t *term = first(j->term_by_id, tid);
  if (!a || !term)
    return a;
  static const char *const term_drop[] = {"taxonomy_id", NULL};
  json_t *t = without(term, term_drop);
  json_t *tax = first(j->tax_by_id, json_string_value(json_object_get(term, "taxonomy_id")));
  if (!t || (tax && json_object_set(t, "taxonomy_detail", tax)) ||
      json_object_set_new(a, "taxonomy_term", t)) {
    json_decref(a);
    return NULL;
  }
  json_object_del(a, "taxonomy_term_id");
  return a;
}

static json_t *build_service(struct join *j, json_t *row, size_t *foreign_org) {
  json_t *s = json_copy(row);
  const char *sid = json_string_value(json_object_get(row, "id"));
  if (!s || !sid)
    return s; /* the JSON parser rejects a service without an id */
  const char *oid = json_string_value(json_object_get(row, "organization_id"));
  json_t *org = first(j->org_by_id, oid);
  if (org) {
    json_t *o = json_copy(org);
    if (!o || nest(o, "phones", j->phones_by_org, oid, phone_fk) ||
        json_object_set_new(s, "organization", o))
      goto oom;
    json_object_del(s, "organization_id");
  }
  if (nest(s, "phones", j->phones_by_service, sid, phone_fk) ||
      nest(s, "schedules", j->sched_by_service, sid, sched_fk) ||
      nest(s, "service_areas", j->areas_by_service, sid, service_fk) ||
      nest(s, "languages", j->langs_by_service, sid, lang_fk) ||
      nest(s, "cost_options", j->costs_by_service, sid, service_fk) ||
      nest(s, "required_documents", j->docs_by_service, sid, service_fk))
    goto oom;
  json_t *attrs = json_object_get(j->attrs_by_link, sid);
  if (attrs && json_array_size(attrs)) {
    json_t *a = json_array();
    if (!a || json_object_set_new(s, "attributes", a))
      goto oom;
    size_t i;
    json_t *ar;
    json_array_foreach(attrs, i, ar) {
      if (json_array_append_new(a, build_attribute(j, ar)))
        goto oom;
    }
  }
  json_t *sals = json_object_get(j->sal_by_service, sid);
  if (sals && json_array_size(sals)) {
    json_t *a = json_array();
    if (!a || json_object_set_new(s, "service_at_locations", a))
      goto oom;
    size_t i;
    json_t *sr;
    json_array_foreach(sals, i, sr) {
      static const char *const drop[] = {"service_id", NULL};
      json_t *x = without(sr, drop);
      const char *said = json_string_value(json_object_get(sr, "id"));
      const char *lid = json_string_value(json_object_get(sr, "location_id"));
      if (!x || json_array_append_new(a, x) ||
          nest(x, "phones", j->phones_by_sal, said, phone_fk) ||
          nest(x, "schedules", j->sched_by_sal, said, sched_fk))
        goto oom;
      int oom;
      json_t *l = build_location(j, lid, foreign_org, &oom);
      if (oom)
        goto oom;
      if (l) {
        if (json_object_set_new(x, "location", l))
          goto oom;
        json_object_del(x, "location_id");
      }
    }
  }
  return s;
oom:
  json_decref(s);
  return NULL;
}

static void join_free(struct join *j) {
  json_t **all[] = {&j->svc_by_id,        &j->org_by_id,     &j->loc_by_id,
                    &j->term_by_id,       &j->tax_by_id,     &j->phones_by_service,
                    &j->phones_by_org,    &j->phones_by_loc, &j->phones_by_sal,
                    &j->sched_by_service, &j->sched_by_loc,  &j->sched_by_sal,
                    &j->areas_by_service, &j->addr_by_loc,   &j->access_by_loc,
                    &j->langs_by_service, &j->langs_by_loc,  &j->costs_by_service,
                    &j->docs_by_service,  &j->attrs_by_link, &j->sal_by_service};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    json_decref(*all[i]);
  for (size_t i = 0; i < T_COUNT; i++)
    json_decref(j->t[i]);
}

/* Column old of row renamed to new, unless new is there already. 1 when
 * renamed. */
static int rename_col(json_t *row, const char *old, const char *new) {
  json_t *v = json_object_get(row, old);
  if (!v || json_object_get(row, new))
    return 0;
  json_incref(v);
  json_object_del(row, old);
  return json_object_set_new(row, new, v) ? -1 : 1;
}

/* "Monday", "mo", "maandag" as an RFC 5545 day ("MO"), or NULL. */
static const char *weekday_code(const char *v) {
  static const char *const days[][4] = {
      {"MO", "monday", "maandag", "mon"},     {"TU", "tuesday", "dinsdag", "tue"},
      {"WE", "wednesday", "woensdag", "wed"}, {"TH", "thursday", "donderdag", "thu"},
      {"FR", "friday", "vrijdag", "fri"},     {"SA", "saturday", "zaterdag", "sat"},
      {"SU", "sunday", "zondag", "sun"}};
  for (size_t i = 0; v && i < 7; i++)
    for (size_t k = 0; k < 4; k++)
      if (strcasecmp(v, days[i][k]) == 0)
        return days[i][0];
  return NULL;
}

/* One term of an old taxonomy (taxonomy.csv: taxonomy_id or id, name,
 * vocabulary) linked to service sid as a 3.x attribute and term row, so
 * its name is a hint for the classifier like any other taxonomy's. */
static int old_term(struct join *j, json_t *tax_by_id, const char *sid, const char *tid,
                    json_t *seen) {
  json_t *t = first(tax_by_id, tid);
  const char *name = json_string_value(json_object_get(t, "name"));
  if (!name)
    return SK_OK;
  char key[160];
  snprintf(key, sizeof key, "old-taxonomy:%.140s", tid);
  if (!json_object_get(seen, key)) {
    json_t *voc = json_object_get(t, "vocabulary");
    json_t *term = json_pack("{s:s, s:s, s:s}", "id", key, "name", name, "taxonomy",
                             json_is_string(voc) ? json_string_value(voc) : "taxonomy.csv");
    if (!term || json_array_append_new(j->t[T_TERMS], term) ||
        json_object_set_new(seen, key, json_true()))
      return SK_ENOMEM;
  }
  json_t *a = json_pack("{s:s, s:s}", "link_id", sid, "taxonomy_term_id", key);
  return !a || json_array_append_new(j->t[T_ATTRS], a) ? SK_ENOMEM : SK_OK;
}

/* HSDS 1.x/2.0 taxonomy: services.taxonomy_ids ("101, 101-01", the Ohana
 * sample) and service_taxonomy.csv rows, named in taxonomy.csv. */
static int old_terms(struct join *j, size_t *n) {
  if (!json_array_size(j->t[T_OLD_TAX]))
    return SK_OK;
  json_t *by = group_by(j->t[T_OLD_TAX], "taxonomy_id"), *by2 = by_id(j->t[T_OLD_TAX]);
  json_t *seen = json_object();
  int rc = by && by2 && seen ? SK_OK : SK_ENOMEM;
  size_t i;
  json_t *row;
  json_array_foreach(j->t[T_SERVICES], i, row) {
    const char *sid = json_string_value(json_object_get(row, "id"));
    const char *ids = json_string_value(json_object_get(row, "taxonomy_ids"));
    if (rc || !sid || !ids)
      continue;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", ids);
    for (char *save = NULL, *tok = strtok_r(buf, ",; ", &save); tok && !rc;
         tok = strtok_r(NULL, ",; ", &save))
      rc = old_term(j, first(by, tok) ? by : by2, sid, tok, seen);
    json_object_del(row, "taxonomy_ids");
    (*n)++;
  }
  json_array_foreach(j->t[T_SVC_TAX], i, row) {
    const char *sid = json_string_value(json_object_get(row, "service_id"));
    const char *tid = json_string_value(json_object_get(row, "taxonomy_id"));
    if (!rc && sid && tid) {
      rc = old_term(j, first(by, tid) ? by : by2, sid, tid, seen);
      (*n)++;
    }
  }
  json_decref(by);
  json_decref(by2);
  json_decref(seen);
  return rc;
}

/* HSDS 1.x/2.0 eligibility.csv (service_id, eligibility, and in 2.0
 * minimum_age/maximum_age): the service's eligibility_description and
 * ages where it has none. */
static int old_eligibility(struct join *j, size_t *n) {
  if (!json_array_size(j->t[T_ELIG]))
    return SK_OK;
  json_t *svcs = by_id(j->t[T_SERVICES]);
  if (!svcs)
    return SK_ENOMEM;
  size_t i;
  json_t *row;
  int rc = SK_OK;
  json_array_foreach(j->t[T_ELIG], i, row) {
    json_t *svc = first(svcs, json_string_value(json_object_get(row, "service_id")));
    if (!svc)
      continue;
    const char *e = json_string_value(json_object_get(row, "eligibility"));
    const char *had = json_string_value(json_object_get(svc, "eligibility_description"));
    if (e && *e) {
      json_t *v = had ? json_sprintf("%s, %s", had, e) : json_string(e);
      if (!v || json_object_set_new(svc, "eligibility_description", v)) {
        rc = SK_ENOMEM;
        break;
      }
    }
    static const char *const ages[] = {"minimum_age", "maximum_age"};
    for (int k = 0; k < 2; k++) {
      json_t *a = json_object_get(row, ages[k]);
      if (a && !json_object_get(svc, ages[k]) && json_object_set(svc, ages[k], a))
        rc = SK_ENOMEM;
    }
    (*n)++;
  }
  json_decref(svcs);
  return rc;
}

/* HSDS 1.x/2.0 (the Ohana API sample, the 2.0 package) as 3.x: a service
 * belongs to a location (services.location_id: the location's organisation
 * is the service's, and the pair a service_at_location); website, fees,
 * eligibility, keywords and a service_areas text column; a schedule's
 * weekday; a phone's number_type; a location's accessibility text; the 2.0
 * columns service_area, language and accessibility. *n counts the
 * changes. SK_ENOMEM on allocation failure. */
static int upgrade_old(struct join *j, size_t *n) {
  size_t i;
  json_t *row;
  int r = 0;
#define TRY_UP(x)                                                                                  \
  do {                                                                                             \
    if ((x) != SK_OK)                                                                              \
      return SK_ENOMEM;                                                                            \
  } while (0)
#define REN(row, a, b)                                                                             \
  do {                                                                                             \
    if ((r = rename_col(row, a, b)) < 0)                                                           \
      return SK_ENOMEM;                                                                            \
    *n += (size_t)r;                                                                               \
  } while (0)
  json_t *locs = by_id(j->t[T_LOCATIONS]);
  if (!locs)
    return SK_ENOMEM;
  json_array_foreach(j->t[T_SERVICES], i, row) {
    REN(row, "website", "url");
    REN(row, "fees", "fees_description");
    REN(row, "eligibility", "eligibility_description");
    REN(row, "keywords", "alternate_name");
    json_t *area = json_object_get(row, "service_areas");
    if (json_is_string(area)) {
      json_t *a = json_pack("[{s:O}]", "name", area);
      if (!a || json_object_set_new(row, "service_areas", a)) {
        json_decref(locs);
        return SK_ENOMEM;
      }
      (*n)++;
    }
    const char *sid = json_string_value(json_object_get(row, "id"));
    const char *lid = json_string_value(json_object_get(row, "location_id"));
    if (!lid)
      continue;
    json_t *loc = first(locs, lid);
    json_t *oid = json_object_get(loc, "organization_id");
    if (oid && !json_object_get(row, "organization_id") &&
        json_object_set(row, "organization_id", oid)) {
      json_decref(locs);
      return SK_ENOMEM;
    }
    if (sid) {
      json_t *sal = json_pack("{s:s+, s:s, s:s}", "id", "sal-", sid, "service_id", sid,
                              "location_id", lid);
      if (!sal || json_array_append_new(j->t[T_SAL], sal)) {
        json_decref(locs);
        return SK_ENOMEM;
      }
    }
    json_object_del(row, "location_id");
    (*n)++;
  }
  json_decref(locs);
  json_array_foreach(j->t[T_SCHEDULES], i, row) {
    const char *wd = json_string_value(json_object_get(row, "weekday"));
    const char *code = weekday_code(wd);
    if (code && !json_object_get(row, "byday")) {
      if (json_object_set_new(row, "byday", json_string(code)) ||
          (!json_object_get(row, "freq") &&
           json_object_set_new(row, "freq", json_string("WEEKLY"))))
        return SK_ENOMEM;
      json_object_del(row, "weekday");
      (*n)++;
    }
  }
  TRY_UP(old_terms(j, n));
  TRY_UP(old_eligibility(j, n));
  /* HSDS 2.0: service_attribute.csv (service_id, taxonomy_term_id) and
   * taxonomy_term.csv (term, taxonomy) */
  json_array_foreach(j->t[T_ATTRS], i, row) REN(row, "service_id", "link_id");
  json_array_foreach(j->t[T_TERMS], i, row) REN(row, "term", "name");
  json_array_foreach(j->t[T_PHONES], i, row) REN(row, "number_type", "type");
  json_array_foreach(j->t[T_AREAS], i, row) REN(row, "service_area", "name");
  json_array_foreach(j->t[T_LANGS], i, row) REN(row, "language", "name");
  json_array_foreach(j->t[T_ACCESS], i, row) REN(row, "accessibility", "description");
  json_array_foreach(j->t[T_LOCATIONS], i, row) {
    json_t *acc = json_object_get(row, "accessibility");
    if (json_is_string(acc)) {
      json_t *a = json_pack("[{s:O}]", "description", acc);
      if (!a || json_object_set_new(row, "accessibility", a))
        return SK_ENOMEM;
      (*n)++;
    }
  }
#undef REN
#undef TRY_UP
  return SK_OK;
}

int ix_hsds_csv_parse_pkg(const struct ix_hsds_csv_pkg *p, const struct sk_taxonomy *tax,
                          int64_t now, struct ix_batch *out, char *err, size_t errlen) {
  err[0] = '\0';
  if (!find_file(p, "services.csv") && !find_file(p, "service.csv") &&
      !find_file(p, "organizations.csv") && !find_file(p, "organization.csv") &&
      !find_file(p, "locations.csv") && !find_file(p, "location.csv")) {
    snprintf(err, errlen,
             "Het pakket heeft geen services.csv, organizations.csv of locations.csv. Een "
             "HSDS-CSV-pakket heeft minstens een van die drie (en meestal ook "
             "service_at_location.csv, phones.csv, schedules.csv).");
    return SK_EPARSE;
  }
  struct join j;
  memset(&j, 0, sizeof j);
  int rc = SK_OK;
  /* Every file of a table counts: a package with both schedules.csv (3.x)
   * and regular_schedules.csv (1.x) has hours in both. */
  for (int t = 0; t < T_COUNT && !rc; t++) {
    const char *first_name = NULL;
    rc = load_table(NULL, out, &j.t[t], err, errlen);
    for (int k = 0; k < TAB_NAMES && !rc && tab_files[t][k]; k++) {
      const struct ix_hsds_csv_file *f = find_file(p, tab_files[t][k]);
      if (!f)
        continue;
      if (first_name && ix_batch_warn(out, "Het pakket heeft zowel %s als %s; we lezen ze allebei.",
                                      first_name, f->name))
        rc = SK_ENOMEM;
      if (!first_name)
        first_name = f->name;
      if (!rc)
        rc = load_table(f, out, &j.t[t], err, errlen);
    }
  }
  size_t n_old = 0;
  if (!rc)
    rc = upgrade_old(&j, &n_old);
  if (!rc && n_old &&
      ix_batch_warn(out,
                    "Dit pakket gebruikt de kolommen van HSDS 1 of 2 (zoals %s); we lezen ze als "
                    "HSDS 3 (%zu keer).",
                    "services.location_id, regular_schedules.weekday", n_old))
    rc = SK_ENOMEM;
  /* What the package holds that we do not read: one warning per file. */
  for (size_t i = 0; i < p->n && !rc; i++) {
    const char *name = p->files[i].name;
    int known = 0, unused = 0;
    for (int t = 0; t < T_COUNT; t++)
      for (int k = 0; k < TAB_NAMES && tab_files[t][k]; k++)
        known |= strcasecmp(name, tab_files[t][k]) == 0;
    for (size_t k = 0; unused_files[k]; k++)
      unused |= strcasecmp(name, unused_files[k]) == 0;
    if (!known &&
        ix_batch_warn(out,
                      unused ? "Bestand '%s': daar hebben we geen plek voor; het is overgeslagen."
                             : "Bestand '%s' hoort niet bij HSDS; het is overgeslagen.",
                      name))
      rc = SK_ENOMEM;
  }
  json_t *services = NULL;
  char *text = NULL;
  if (rc)
    goto done;
  j.svc_by_id = by_id(j.t[T_SERVICES]);
  j.org_by_id = by_id(j.t[T_ORGS]);
  j.loc_by_id = by_id(j.t[T_LOCATIONS]);
  j.term_by_id = by_id(j.t[T_TERMS]);
  j.tax_by_id = by_id(j.t[T_TAXONOMIES]);
  j.phones_by_service = group_by(j.t[T_PHONES], "service_id");
  j.phones_by_org = group_by(j.t[T_PHONES], "organization_id");
  j.phones_by_loc = group_by(j.t[T_PHONES], "location_id");
  j.phones_by_sal = group_by(j.t[T_PHONES], "service_at_location_id");
  j.sched_by_service = group_by(j.t[T_SCHEDULES], "service_id");
  j.sched_by_loc = group_by(j.t[T_SCHEDULES], "location_id");
  j.sched_by_sal = group_by(j.t[T_SCHEDULES], "service_at_location_id");
  j.areas_by_service = group_by(j.t[T_AREAS], "service_id");
  j.addr_by_loc = group_by(j.t[T_ADDRESSES], "location_id");
  j.access_by_loc = group_by(j.t[T_ACCESS], "location_id");
  j.langs_by_service = group_by(j.t[T_LANGS], "service_id");
  j.langs_by_loc = group_by(j.t[T_LANGS], "location_id");
  j.costs_by_service = group_by(j.t[T_COSTS], "service_id");
  j.docs_by_service = group_by(j.t[T_DOCS], "service_id");
  j.attrs_by_link = group_by(j.t[T_ATTRS], "link_id");
  j.sal_by_service = group_by(j.t[T_SAL], "service_id");
  if (!j.svc_by_id || !j.org_by_id || !j.loc_by_id || !j.term_by_id || !j.tax_by_id ||
      !j.phones_by_service || !j.phones_by_org || !j.phones_by_loc || !j.phones_by_sal ||
      !j.sched_by_service || !j.sched_by_loc || !j.sched_by_sal || !j.areas_by_service ||
      !j.addr_by_loc || !j.access_by_loc || !j.langs_by_service || !j.langs_by_loc ||
      !j.costs_by_service || !j.docs_by_service || !j.attrs_by_link || !j.sal_by_service ||
      !(services = json_array())) {
    rc = SK_ENOMEM;
    goto done;
  }
  size_t i, foreign_org = 0, n_services = 0;
  json_t *row;
  json_array_foreach(j.t[T_SERVICES], i, row) {
    json_t *s = build_service(&j, row, &foreign_org);
    if (!s || json_array_append_new(services, s)) {
      rc = SK_ENOMEM;
      goto done;
    }
    n_services++;
  }
  /* Organisations and locations no service of the package names are kept
   * too (a register of organisations, of places): the JSON reader stores
   * what the model holds of them and says they have no service. */
  size_t n_lone = 0;
  {
    json_t *used_org = json_object(), *used_loc = json_object();
    if (!used_org || !used_loc) {
      json_decref(used_org);
      json_decref(used_loc);
      rc = SK_ENOMEM;
      goto done;
    }
    json_array_foreach(j.t[T_SERVICES], i, row) {
      const char *oid = json_string_value(json_object_get(row, "organization_id"));
      if (oid)
        json_object_set_new(used_org, oid, json_true());
    }
    json_array_foreach(j.t[T_SAL], i, row) {
      const char *lid = json_string_value(json_object_get(row, "location_id"));
      if (lid)
        json_object_set_new(used_loc, lid, json_true());
    }
    json_array_foreach(j.t[T_ORGS], i, row) {
      const char *oid = json_string_value(json_object_get(row, "id"));
      json_t *o;
      if (!oid || json_object_get(used_org, oid))
        continue;
      if (!(o = json_copy(row)) || json_array_append_new(services, o) ||
          nest(o, "phones", j.phones_by_org, oid, phone_fk) ||
          json_object_set_new(o, "services", json_array())) {
        rc = SK_ENOMEM;
        break;
      }
      n_lone++;
    }
    json_array_foreach(j.t[T_LOCATIONS], i, row) {
      const char *lid = json_string_value(json_object_get(row, "id"));
      if (rc || !lid || json_object_get(used_loc, lid))
        continue;
      int lo_oom;
      json_t *l = build_location(&j, lid, &foreign_org, &lo_oom);
      if (lo_oom || (l && json_array_append_new(services, l)) ||
          (l && !json_object_get(l, "location_type") &&
           json_object_set_new(l, "location_type", json_string("physical")))) {
        rc = SK_ENOMEM;
        break;
      }
      n_lone += l != NULL;
    }
    json_decref(used_org);
    json_decref(used_loc);
    if (rc)
      goto done;
  }
  /* Attributes of something that is not a service of the package. */
  size_t stray = 0;
  const char *link;
  json_t *rows;
  json_object_foreach(j.attrs_by_link, link, rows) {
    if (!first(j.svc_by_id, link))
      stray += json_array_size(rows);
  }
  if (stray &&
      ix_batch_warn(
          out,
          "Bestand 'attributes.csv': %zu rij(en) horen bij iets dat geen dienst van het pakket "
          "is (link_id); die zijn overgeslagen.",
          stray))
    rc = SK_ENOMEM;
  if (!rc && foreign_org &&
      ix_batch_warn(out,
                    "Bestand 'locations.csv': %zu locatie(s) noemen een organisatie "
                    "(organization_id) die niet in "
                    "organizations.csv staat; daar telt de organisatie van de dienst.",
                    foreign_org))
    rc = SK_ENOMEM;
  if (rc)
    goto done;
  if (!n_services && !n_lone) {
    snprintf(err, errlen,
             "Het pakket heeft geen diensten, organisaties of locaties (alleen kopregels, of de "
             "bestanden zijn leeg).");
    rc = SK_EPARSE;
    goto done;
  }
  text = json_dumps(services, JSON_COMPACT);
  if (!text) {
    rc = SK_ENOMEM;
    goto done;
  }
  int pages;
  rc = ix_hsds_parse_at(text, strlen(text), tax, now, out, &pages, err, errlen);
done:
  if (rc == SK_ENOMEM && !err[0])
    snprintf(err, errlen, "Te weinig geheugen om het pakket te lezen.");
  free(text);
  json_decref(services);
  join_free(&j);
  return rc;
}

int ix_hsds_csv_parse_zip(const char *data, size_t len, const struct sk_taxonomy *tax, int64_t now,
                          struct ix_batch *out, char *err, size_t errlen) {
  struct ix_hsds_csv_pkg *p = calloc(1, sizeof *p);
  if (!p)
    return SK_ENOMEM;
  int rc = ix_hsds_csv_read_zip(data, len, p, out, err, errlen);
  if (!rc)
    rc = ix_hsds_csv_parse_pkg(p, tax, now, out, err, errlen);
  ix_hsds_csv_pkg_free(p);
  free(p);
  return rc;
}

/* ------------------------------------------------------ tabular as JSON */

/* One cell of a tabular-JSON row as CSV text: always quoted. */
static int put_cell(struct sk_buf *b, json_t *v) {
  char *own = NULL;
  const char *s = "";
  if (json_is_string(v))
    s = json_string_value(v);
  else if (v && !json_is_null(v) && !(s = own = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)))
    return SK_ENOMEM;
  int rc = sk_buf_addc(b, '"');
  for (const char *p = s; !rc && *p; p++)
    rc = *p == '"' ? sk_buf_addstr(b, "\"\"") : sk_buf_addc(b, *p);
  if (!rc)
    rc = sk_buf_addc(b, '"');
  free(own);
  return rc;
}

/* One table (an array of row objects) as CSV text into f. */
static int table_csv(const char *name, json_t *rows, struct ix_hsds_csv_file *f) {
  json_t *cols = json_array();
  if (!cols)
    return SK_ENOMEM;
  size_t i, k;
  json_t *row, *col;
  const char *key;
  json_t *v;
  int rc = SK_OK;
  json_array_foreach(rows, i, row) {
    json_object_foreach(row, key, v) {
      int seen = 0;
      json_array_foreach(cols, k, col) seen |= strcmp(json_string_value(col), key) == 0;
      if (!seen && json_array_size(cols) < IX_CSV_MAX_COLS &&
          json_array_append_new(cols, json_string(key)))
        rc = SK_ENOMEM;
    }
  }
  struct sk_buf b;
  sk_buf_init(&b, IX_HSDS_CSV_MAX_TOTAL);
  json_array_foreach(cols, k, col) {
    if (!rc && k)
      rc = sk_buf_addc(&b, ',');
    if (!rc)
      rc = put_cell(&b, col);
  }
  if (!rc)
    rc = sk_buf_addstr(&b, "\r\n");
  json_array_foreach(rows, i, row) {
    json_array_foreach(cols, k, col) {
      if (!rc && k)
        rc = sk_buf_addc(&b, ',');
      if (!rc)
        rc = put_cell(&b, json_object_get(row, json_string_value(col)));
    }
    if (!rc)
      rc = sk_buf_addstr(&b, "\r\n");
  }
  json_decref(cols);
  if (!rc && !(f->data = sk_buf_detach(&b, &f->len)))
    rc = SK_ENOMEM;
  if (!rc)
    snprintf(f->name, sizeof f->name, "%s", name);
  sk_buf_free(&b);
  return rc;
}

int ix_hsds_csv_parse_tabular(json_t *root, const struct sk_taxonomy *tax, int64_t now,
                              struct ix_batch *out, char *err, size_t errlen) {
  struct ix_hsds_csv_pkg *p = calloc(1, sizeof *p);
  if (!p)
    return SK_ENOMEM;
  int rc = SK_OK;
  const char *name;
  json_t *rows;
  json_object_foreach(root, name, rows) {
    size_t nl = strlen(name);
    if (nl < 5 || nl >= sizeof p->files[0].name || strcasecmp(name + nl - 4, ".csv") != 0 ||
        !json_is_array(rows)) {
      if (ix_batch_warn(out,
                        "Tabel '%.60s' is geen lijst van rijen (naam.csv); die is overgeslagen.",
                        name)) {
        rc = SK_ENOMEM;
        break;
      }
      continue;
    }
    if (p->n >= IX_HSDS_CSV_MAX_FILES) {
      snprintf(err, errlen, "Meer dan %d tabellen; zo'n pakket lezen we niet.",
               IX_HSDS_CSV_MAX_FILES);
      rc = SK_ETOOBIG;
      break;
    }
    if ((rc = table_csv(name, rows, &p->files[p->n])))
      break;
    p->total += p->files[p->n].len;
    p->n++;
    if (p->total > IX_HSDS_CSV_MAX_TOTAL) {
      snprintf(err, errlen, "De tabellen zijn samen te groot.");
      rc = SK_ETOOBIG;
      break;
    }
  }
  if (!rc)
    rc = ix_hsds_csv_parse_pkg(p, tax, now, out, err, errlen);
  ix_hsds_csv_pkg_free(p);
  free(p);
  return rc;
}
