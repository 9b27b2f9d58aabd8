#include "sk_err.h"

const char *sk_strerror(int err) {
  switch (err) {
  case SK_OK: return "ok";
  case SK_ENOMEM: return "out of memory";
  case SK_EINVAL: return "invalid input";
  case SK_EIO: return "input/output error";
  case SK_EDB: return "database error";
  case SK_ETOOBIG: return "too large";
  case SK_ENOTFOUND: return "not found";
  case SK_EPARSE: return "malformed data";
  case SK_ECONFLICT: return "conflict";
  case SK_EFETCH: return "fetch failed";
  case SK_EFORBIDDEN: return "forbidden";
  case SK_EBUSY: return "database busy";
  default: return "unknown error";
  }
}
