/* sociale-kaart user: accounts for partners, redacteuren, admins and
 * professionals, for operators on the server. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sk_auth.h"
#include "sk_err.h"
#include "sk_store.h"

#define MAX_ORGS 64

void cmd_user_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart user add --email E --name N --role ROLE\n"
          "                              [--organization ORG_ID]... [--feed FEED_ID]...\n"
          "                              [--password-stdin]\n"
          "       sociale-kaart user list\n"
          "       sociale-kaart user disable EMAIL\n"
          "       sociale-kaart user enable EMAIL\n"
          "       sociale-kaart user reset EMAIL [--password-stdin]\n"
          "       sociale-kaart user token EMAIL [--label TEXT]\n"
          "       sociale-kaart user token list EMAIL\n"
          "       sociale-kaart user token revoke PREFIX\n"
          "       (each also takes --db PATH)\n"
          "\n"
          "Manage the accounts that log in to the portal.\n"
          "\n"
          "  add      create an account. ROLE is partner (edits the organisations\n"
          "           given with --organization, by their UUID, and keeps the feeds\n"
          "           given with --feed: corrections for that feed reach it), redacteur (edits\n"
          "           everything, reviews, manages feeds), admin (manages accounts)\n"
          "           or professional (sees restricted fields). The password is read\n"
          "           from standard input with --password-stdin (one line, at least\n"
          "           %d characters); otherwise a random one is printed once.\n"
          "  list     all accounts: e-mail, role, state, last login, organisations\n"
          "  disable  lock an account out at once: its sessions end, its API tokens\n"
          "           stop working (enable undoes this; tokens work again)\n"
          "  reset    set a new password: a random one (printed once) or one read\n"
          "           with --password-stdin. Ends all sessions of the account.\n"
          "  token    create an API token for the account and print it once; only\n"
          "           a hash is kept, so it cannot be shown again\n"
          "  token list    the account's tokens: prefix, label, created, last used,\n"
          "           revoked (never the token itself)\n"
          "  token revoke  revoke one token, named by its prefix (skapi_ and 8\n"
          "           characters, as 'token list' shows it) or the whole token\n"
          "  A new password (reset, or a change in the portal) revokes every token.\n"
          "\n"
          "  --db PATH   database file (env SK_DB, default %s)\n"
          "\n"
          "Exit status: 0 done, 1 failed (e.g. unknown e-mail), 2 wrong usage.\n",
          SK_AUTH_PASSWORD_MIN, SK_DEFAULT_DB);
}

struct user_args {
  const char *db, *email, *name, *role, *label;
  const char *orgs[MAX_ORGS];
  size_t n_orgs;
  const char *feeds[MAX_ORGS];
  size_t n_feeds;
  int password_stdin;
  const char *sub, *target, *target2;
};

static int parse_args(int argc, char **argv, struct user_args *a) {
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"email", required_argument, NULL, 'e'},
                                       {"name", required_argument, NULL, 'n'},
                                       {"role", required_argument, NULL, 'r'},
                                       {"organization", required_argument, NULL, 'o'},
                                       {"label", required_argument, NULL, 'l'},
                                       {"feed", required_argument, NULL, 'f'},
                                       {"password-stdin", no_argument, NULL, 'p'},
                                       {NULL, 0, NULL, 0}};
  memset(a, 0, sizeof *a);
  a->db = cli_default("SK_DB", SK_DEFAULT_DB);
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case 'd': a->db = optarg; break;
    case 'e': a->email = optarg; break;
    case 'n': a->name = optarg; break;
    case 'r': a->role = optarg; break;
    case 'l': a->label = optarg; break;
    case 'p': a->password_stdin = 1; break;
    case 'o':
      if (a->n_orgs >= MAX_ORGS)
        return cli_usage_error("user", "too many --organization options");
      a->orgs[a->n_orgs++] = optarg;
      break;
    case 'f':
      if (a->n_feeds >= MAX_ORGS)
        return cli_usage_error("user", "too many --feed options");
      a->feeds[a->n_feeds++] = optarg;
      break;
    default:
      return cli_usage_error("user", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return cli_usage_error("user", "give a subcommand: add, list, disable, enable, reset or token");
  a->sub = argv[optind++];
  if (optind < argc)
    a->target = argv[optind++];
  /* "token list EMAIL", "token revoke PREFIX" */
  if (optind < argc && strcmp(a->sub, "token") == 0 && a->target &&
      (strcmp(a->target, "list") == 0 || strcmp(a->target, "revoke") == 0))
    a->target2 = argv[optind++];
  if (optind < argc)
    return cli_usage_error("user", "unexpected argument '%s'", argv[optind]);
  return SK_EXIT_OK;
}

/* One line from stdin without its line end; the password never appears in
 * argv or the environment, where other users could read it. */
static int read_password(char *out, size_t outlen) {
  if (isatty(STDIN_FILENO))
    fprintf(stderr, "Password (one line): ");
  if (!fgets(out, (int)outlen, stdin))
    return -1;
  size_t n = strlen(out);
  if (n == outlen - 1 && out[n - 1] != '\n')
    return -1; /* longer than any allowed password */
  while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
    out[--n] = '\0';
  return 0;
}

static int open_store(const char *path, struct sk_store **st) {
  char err[512];
  if (sk_store_open(path, 0, st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart user: %s\n", err);
    return SK_EXIT_FAIL;
  }
  return SK_EXIT_OK;
}

static int find(struct sk_store *st, const char *email, struct sk_account *a) {
  int rc = sk_auth_account_by_email(st, email, a);
  if (rc == SK_ENOTFOUND)
    fprintf(stderr, "sociale-kaart user: no account with e-mail address %s\n", email);
  else if (rc)
    fprintf(stderr, "sociale-kaart user: cannot read accounts: %s\n", sk_strerror(rc));
  return rc;
}

static int user_add(const struct user_args *a, struct sk_store *st, int64_t now) {
  enum sk_role role;
  sk_auth_role_parse(a->role, &role);
  char pw[SK_AUTH_PASSWORD_MAX + 2];
  int generated = 0;
  if (a->password_stdin) {
    if (read_password(pw, sizeof pw) != 0) {
      fprintf(stderr, "sociale-kaart user add: no password on standard input (or too long)\n");
      return SK_EXIT_FAIL;
    }
  } else {
    sk_auth_random_password(pw);
    generated = 1;
  }
  char err[256];
  struct sk_account acc;
  /* Check the organisations first, so a typo does not leave an account
   * without its links. */
  for (size_t i = 0; i < a->n_orgs; i++) {
    sqlite3_stmt *q = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM organization WHERE id = ?1", -1, &q, NULL) ==
        SQLITE_OK) {
      sqlite3_bind_text(q, 1, a->orgs[i], -1, SQLITE_STATIC);
      found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    if (!found) {
      fprintf(stderr, "sociale-kaart user add: no organisation with id %s\n", a->orgs[i]);
      memset(pw, 0, sizeof pw);
      return SK_EXIT_FAIL;
    }
  }
  int rc = sk_auth_account_create(st, a->email, a->name, role, pw, "cli", now, &acc, err,
                                  sizeof err);
  if (rc) {
    fprintf(stderr, "sociale-kaart user add: %s\n",
            rc == SK_AUTH_EPASSWORD
                ? "the password needs at least 12 characters (at most 1024 bytes)"
            : rc == SK_AUTH_EEXISTS ? "an account with this e-mail address exists"
            : rc == SK_AUTH_EEMAIL  ? "not a valid e-mail address"
            : rc == SK_AUTH_ENAME   ? "the name must be 1 to 200 characters of text"
                                    : sk_strerror(rc));
    memset(pw, 0, sizeof pw);
    return SK_EXIT_FAIL;
  }
  for (size_t i = 0; i < a->n_orgs + a->n_feeds; i++) {
    int is_org = i < a->n_orgs;
    const char *what = is_org ? a->orgs[i] : a->feeds[i - a->n_orgs];
    rc = is_org ? sk_auth_link_organization(st, acc.rid, what, "cli", now)
                : sk_auth_link_feed(st, acc.rid, what, "cli", now);
    if (rc) {
      fprintf(stderr, "sociale-kaart user add: %s %s: %s; the account was not created\n",
              is_org ? "organisation" : "feed", what,
              rc == SK_ENOTFOUND
                  ? (is_org ? "no such organisation id" : "no such feed (run 'index' first)")
                  : sk_strerror(rc));
      char sql[128];
      snprintf(sql, sizeof sql, "DELETE FROM account WHERE rid = %lld", acc.rid);
      sk_store_exec(st, sql);
      memset(pw, 0, sizeof pw);
      return SK_EXIT_FAIL;
    }
  }
  printf("created %s account %s (%s)\n", sk_auth_role_name(acc.role), acc.email, acc.id);
  if (generated)
    printf("password: %s\n(shown once; hand it on safely and ask the user to change it)\n", pw);
  memset(pw, 0, sizeof pw);
  return SK_EXIT_OK;
}

static int user_list(struct sk_store *st) {
  struct sk_account *list = NULL;
  size_t n = 0;
  if (sk_auth_account_list(st, &list, &n) != SK_OK) {
    fprintf(stderr, "sociale-kaart user list: cannot read the accounts\n");
    return SK_EXIT_FAIL;
  }
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT o.id FROM account_organization ao JOIN organization o ON o.rid ="
                         " ao.organization_rid WHERE ao.account_rid = ?1 ORDER BY o.id",
                         -1, &q, NULL) != SQLITE_OK) {
    free(list);
    fprintf(stderr, "sociale-kaart user list: cannot read the organisations\n");
    return SK_EXIT_FAIL;
  }
  printf("%-32s %-12s %-9s %-20s %s\n", "E-MAIL", "ROLE", "STATE", "LAST LOGIN", "ORGANISATIONS");
  for (size_t i = 0; i < n; i++) {
    const struct sk_account *a = &list[i];
    printf("%-32s %-12s %-9s %-20s ", a->email, sk_auth_role_name(a->role),
           a->disabled        ? "disabled"
           : !a->has_password ? "no-pw"
           : a->trusted       ? "trusted"
                              : "active",
           a->last_login[0] ? a->last_login : "-");
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, a->rid);
    int first = 1;
    while (sqlite3_step(q) == SQLITE_ROW) {
      printf("%s%s", first ? "" : ",", (const char *)sqlite3_column_text(q, 0));
      first = 0;
    }
    printf("%s\n", first ? "-" : "");
  }
  sqlite3_finalize(q);
  printf("%zu account%s\n", n, n == 1 ? "" : "s");
  free(list);
  return SK_EXIT_OK;
}

static int user_reset(const struct user_args *a, struct sk_store *st, int64_t now) {
  struct sk_account acc;
  if (find(st, a->target, &acc))
    return SK_EXIT_FAIL;
  char pw[SK_AUTH_PASSWORD_MAX + 2];
  int generated = 0;
  if (a->password_stdin) {
    if (read_password(pw, sizeof pw) != 0) {
      fprintf(stderr, "sociale-kaart user reset: no password on standard input (or too long)\n");
      return SK_EXIT_FAIL;
    }
  } else {
    sk_auth_random_password(pw);
    generated = 1;
  }
  char err[256];
  int rc = sk_auth_set_password(st, acc.rid, pw, "cli", now, err, sizeof err);
  if (rc) {
    fprintf(stderr, "sociale-kaart user reset: %s\n",
            rc == SK_AUTH_EPASSWORD
                ? "the password needs at least 12 characters (at most 1024 bytes)"
                : sk_strerror(rc));
    memset(pw, 0, sizeof pw);
    return SK_EXIT_FAIL;
  }
  printf("new password set for %s; all its sessions have ended\n", acc.email);
  if (generated)
    printf("password: %s\n(shown once)\n", pw);
  memset(pw, 0, sizeof pw);
  return SK_EXIT_OK;
}

static void print_time(int64_t t) {
  if (!t) {
    printf("%-20s", "-");
    return;
  }
  char buf[32];
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  printf("%-20s", buf);
}

static int token_list(struct sk_store *st, const char *email) {
  struct sk_account acc;
  if (find(st, email, &acc))
    return SK_EXIT_FAIL;
  struct sk_api_token *list = NULL;
  size_t n = 0;
  if (sk_auth_token_list(st, acc.rid, &list, &n) != SK_OK) {
    fprintf(stderr, "sociale-kaart user token list: %s\n", sqlite3_errmsg(st->db));
    return SK_EXIT_FAIL;
  }
  printf("%-16s %-20s %-20s %-20s %s\n", "prefix", "created", "last used", "revoked", "label");
  for (size_t i = 0; i < n; i++) {
    printf("%-16s ", list[i].prefix);
    print_time(list[i].created);
    printf(" ");
    print_time(list[i].last_used);
    printf(" ");
    print_time(list[i].revoked);
    printf(" %s\n", list[i].label);
  }
  if (!n)
    printf("(no tokens for %s)\n", acc.email);
  free(list);
  return SK_EXIT_OK;
}

/* The prefix names the token; a whole token is cut to its prefix. Several
 * tokens with the same prefix (48 random bits) are refused, not guessed. */
static int token_revoke(struct sk_store *st, const char *given, int64_t now) {
  char prefix[SK_AUTH_API_PREFIX_LEN + 1];
  size_t len = strlen(given);
  if (len < SK_AUTH_API_PREFIX_LEN ||
      strncmp(given, SK_AUTH_API_TOKEN_PREFIX, strlen(SK_AUTH_API_TOKEN_PREFIX)) != 0) {
    fprintf(stderr,
            "sociale-kaart user token revoke: '%s' is not a token prefix (skapi_ and 8"
            " characters; see 'user token list EMAIL')\n",
            given);
    return SK_EXIT_FAIL;
  }
  memcpy(prefix, given, SK_AUTH_API_PREFIX_LEN);
  prefix[SK_AUTH_API_PREFIX_LEN] = '\0';
  struct sk_api_token *list = NULL;
  size_t n = 0;
  if (sk_auth_token_list(st, 0, &list, &n) != SK_OK) {
    fprintf(stderr, "sociale-kaart user token revoke: %s\n", sqlite3_errmsg(st->db));
    return SK_EXIT_FAIL;
  }
  size_t hits = 0, at = 0;
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i].prefix, prefix) == 0) {
      hits++;
      at = i;
    }
  int rc = SK_EXIT_FAIL;
  if (hits == 0) {
    fprintf(stderr, "sociale-kaart user token revoke: no token %s\n", prefix);
  } else if (hits > 1) {
    fprintf(stderr,
            "sociale-kaart user token revoke: %zu tokens start with %s; give the whole"
            " token\n",
            hits, prefix);
  } else if (sk_auth_token_revoke(st, 0, list[at].rid, now) != SK_OK) {
    fprintf(stderr, "sociale-kaart user token revoke: %s\n", sqlite3_errmsg(st->db));
  } else {
    printf("token %s (%s) revoked; it no longer works\n", prefix,
           list[at].label[0] ? list[at].label : "no label");
    rc = SK_EXIT_OK;
  }
  free(list);
  return rc;
}

int cmd_user(int argc, char **argv) {
  struct user_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc)
    return rc;
  int is_add = strcmp(a.sub, "add") == 0, is_list = strcmp(a.sub, "list") == 0;
  int is_disable = strcmp(a.sub, "disable") == 0, is_enable = strcmp(a.sub, "enable") == 0;
  int is_reset = strcmp(a.sub, "reset") == 0, is_token = strcmp(a.sub, "token") == 0;
  if (!(is_add || is_list || is_disable || is_enable || is_reset || is_token))
    return cli_usage_error("user", "unknown subcommand '%s'", a.sub);
  if (is_add) {
    enum sk_role role;
    if (!a.email || !a.name || !a.role)
      return cli_usage_error("user", "add needs --email, --name and --role");
    if (sk_auth_role_parse(a.role, &role) != SK_OK)
      return cli_usage_error("user", "unknown role '%s' (partner, redacteur, admin, professional)",
                             a.role);
    if (a.target)
      return cli_usage_error("user", "unexpected argument '%s'", a.target);
    if ((a.n_orgs || a.n_feeds) && role != SK_ROLE_PARTNER)
      return cli_usage_error("user", "--organization and --feed are only for partner accounts");
  } else if (is_list) {
    if (a.target)
      return cli_usage_error("user", "unexpected argument '%s'", a.target);
  } else if (!a.target) {
    return cli_usage_error("user", "%s needs the account's e-mail address", a.sub);
  } else if (is_token && (strcmp(a.target, "list") == 0 || strcmp(a.target, "revoke") == 0) &&
             !a.target2) {
    return cli_usage_error("user", "token %s needs %s", a.target,
                           strcmp(a.target, "list") == 0 ? "the account's e-mail address"
                                                         : "the token's prefix");
  }
  if (!is_add && (a.email || a.name || a.role || a.n_orgs))
    return cli_usage_error("user", "--email, --name, --role and --organization belong to 'add'");
  if (a.password_stdin && !is_add && !is_reset)
    return cli_usage_error("user", "--password-stdin belongs to 'add' and 'reset'");
  if (a.label && !is_token)
    return cli_usage_error("user", "--label belongs to 'token'");

  if (sk_auth_global_init(NULL) != SK_OK) {
    fprintf(stderr, "sociale-kaart user: cannot set up libsodium\n");
    return SK_EXIT_FAIL;
  }
  if (is_add && cli_ensure_parent_dir(a.db) != 0) {
    fprintf(stderr, "sociale-kaart user: cannot make the folder for %s\n", a.db);
    return SK_EXIT_FAIL;
  }
  struct sk_store *st = NULL;
  struct stat sb;
  if (!is_add && stat(a.db, &sb) != 0) {
    fprintf(stderr, "sociale-kaart user: database %s does not exist\n", a.db);
    return SK_EXIT_FAIL;
  }
  if (is_add) {
    char err[512];
    if (sk_store_open(a.db, SK_STORE_CREATE, &st, err, sizeof err) != SK_OK) {
      fprintf(stderr, "sociale-kaart user: %s\n", err);
      return SK_EXIT_FAIL;
    }
  } else if (open_store(a.db, &st)) {
    return SK_EXIT_FAIL;
  }
  int64_t now = (int64_t)time(NULL);
  struct sk_account acc;
  if (is_add) {
    rc = user_add(&a, st, now);
  } else if (is_list) {
    rc = user_list(st);
  } else if (is_reset) {
    rc = user_reset(&a, st, now);
  } else if (is_token && a.target2 && strcmp(a.target, "list") == 0) {
    rc = token_list(st, a.target2);
  } else if (is_token && a.target2) {
    rc = token_revoke(st, a.target2, now);
  } else if (find(st, a.target, &acc)) {
    rc = SK_EXIT_FAIL;
  } else if (is_disable || is_enable) {
    rc = sk_auth_account_set_disabled(st, acc.rid, is_disable, "cli", now);
    if (rc)
      fprintf(stderr, "sociale-kaart user %s: %s\n", a.sub, sk_strerror(rc));
    else
      printf("%s %s\n", acc.email, is_disable ? "disabled; its sessions have ended" : "enabled");
    rc = rc ? SK_EXIT_FAIL : SK_EXIT_OK;
  } else {
    char token[SK_AUTH_TOKEN_LEN];
    struct sk_api_token info;
    rc = sk_auth_token_create(st, acc.rid, a.label, 0, now, token, &info);
    if (rc == SK_EINVAL) {
      fprintf(stderr, "sociale-kaart user token: the label must be at most %d characters of text\n",
              SK_AUTH_LABEL_MAX);
    } else if (rc) {
      fprintf(stderr, "sociale-kaart user token: %s\n", sk_strerror(rc));
    } else {
      printf("API token for %s (shown once; send it as 'Authorization: Bearer TOKEN'):\n%s\n",
             acc.email, token);
      memset(token, 0, sizeof token);
    }
    rc = rc ? SK_EXIT_FAIL : SK_EXIT_OK;
  }
  sk_store_close(st);
  return rc;
}
