#ifndef SK_ERR_H
#define SK_ERR_H
/*
 * Error codes shared by every module. Functions that can fail return int:
 * SK_OK (0) on success, a negative SK_E* code on failure. Callers must check.
 */

/* On a function whose result says whether it failed: the compiler refuses
 * (with -Werror) a call that drops the result. A call whose failure truly
 * does not matter says so: `(void)!f(...)` with a comment why. */
#ifndef SK_MUST_CHECK
#define SK_MUST_CHECK __attribute__((warn_unused_result))
#endif
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
  SK_EBUSY = -11     /* the database stayed locked by another writer too long */
};

/* A static, human-readable English name for an SK_E* code. Never NULL. */
const char *sk_strerror(int err);

#endif
