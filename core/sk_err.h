#ifndef SK_ERR_H
#define SK_ERR_H
/*
 * Error codes shared by every module. Functions that can fail return int:
 * SK_OK (0) on success, a negative SK_E* code on failure. Callers must check.
 */

enum sk_err {
  SK_OK = 0,
  SK_ENOMEM = -1,    /* out of memory */
  SK_EINVAL = -2,    /* invalid argument or input */
  SK_EIO = -3,       /* file or socket error */
  SK_EDB = -4,       /* SQLite error */
  SK_ETOOBIG = -5,   /* a bounded buffer or size cap was exceeded */
  SK_ENOTFOUND = -6, /* no such record, file or key */
  SK_EPARSE = -7,    /* malformed data (JSON, iCal, ...) */
  SK_ECONFLICT = -8, /* concurrent change or duplicate */
  SK_EFETCH = -9,    /* a network fetch failed */
  SK_EFORBIDDEN = -10,
  SK_EBUSY = -11 /* the database stayed locked by another writer too long */
};

/* On the declaration of a function that can fail: the compiler warns (and
 * with -Werror refuses) a call whose result is dropped. GCC does not accept a (void)
 * cast as using it: a call whose failure is harmless tests the result and
 * says why in a comment. */
#define SK_MUST_CHECK __attribute__((warn_unused_result))

/* A static, human-readable English name for an SK_E* code. Never NULL. */
const char *sk_strerror(int err);

#endif
