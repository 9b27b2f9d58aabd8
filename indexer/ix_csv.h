#ifndef IX_CSV_H
#define IX_CSV_H
/*
 * csv: the one-sheet format for small partners (docs/feed-format.md, "Een
 * spreadsheet"; template feeds/templates/aanbod.csv). One row per
 * offering, a header row in Dutch (English names are read too), as Excel
 * writes it: ';' or ',' or tab as separator (the one the header uses most),
 * quotes per RFC 4180 (a separator, quote or line break inside quotes), CRLF
 * or LF. The encoding step before (ix_text) has made the bytes UTF-8.
 *
 * Each row becomes a service (key from the column "id" or the organisation
 * and the name), its organisation (by name, one per distinct name) and, with
 * an address or postcode, a location. Codes may be written as our codes or
 * labels; werkgebied as people write it (ix_area). What is missing is filled
 * by the registry defaults and then proposed (ix_classify), as for HSDS.
 * Unknown columns and unknown values are warnings; a row without a name is a
 * rejection; the rows after it are read.
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */

#include "ix_record.h"
#include "sk_buf.h"
#include "sk_taxonomy.h"

#define IX_CSV_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define IX_CSV_MAX_ROWS 200000u
#define IX_CSV_MAX_COLS 64
#define IX_CSV_MAX_FIELD (64 * 1024) /* bytes in one cell */

/* The RFC 4180 reader, shared with the HSDS tabular package (ix_hsds_csv). */
struct ix_csv_reader {
  const char *p, *end; /* what is left to read */
  char sep;            /* ',' ';' or '\t' */
  size_t line;         /* where the reader is, 1-based */
};
struct ix_csv_row {
  struct sk_buf buf; /* the cells, each NUL-terminated; owned, sk_buf_free when done */
  size_t off[IX_CSV_MAX_COLS];
  size_t n;
  int too_many; /* more than IX_CSV_MAX_COLS cells: the rest dropped */
};
/* An empty row whose buffer is capped at IX_CSV_MAX_COLS cells of IX_CSV_MAX_FIELD. */
void ix_csv_row_init(struct ix_csv_row *r);
/* Read one record into r. 1: read, 0: end of input, -1: an unclosed quote,
 * -2: a cell longer than IX_CSV_MAX_FIELD, -3: out of memory. */
int ix_csv_read_row(struct ix_csv_reader *c, struct ix_csv_row *r);
/* Cell i of r, "" past the end (borrowed from r). */
const char *ix_csv_cell(const struct ix_csv_row *r, size_t i);
/* The separator the first line uses most outside quotes (';' on a tie). */
char ix_csv_guess_sep(const char *data, size_t len);
/* Excel's hint line "sep=;" (or "sep=," / "sep=<tab>", before the header):
 * the length of that line with its line end, and the separator in *sep;
 * 0 when data does not start with one. */
size_t ix_csv_sep_hint(const char *data, size_t len, char *sep);

/* Parse data[0..len) and append its records to out. SK_OK (records or
 * rejections appended), SK_EPARSE with a Dutch reason in err when the sheet
 * cannot be read at all (empty, no header we know, an unclosed quote, a
 * NUL byte), SK_ETOOBIG, SK_ENOMEM. tax may be NULL (codes kept as given). */
SK_MUST_CHECK int ix_csv_parse(const char *data, size_t len, const struct sk_taxonomy *tax,
                               struct ix_batch *out, char *err, size_t errlen);

#endif
