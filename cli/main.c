/* sociale-kaart: the one program; dispatches to a subcommand. */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#ifndef SK_VERSION
#define SK_VERSION "dev"
#endif

static const struct sk_command commands[] = {
    {"backup", "write a consistent copy of the database while it is in use", cmd_backup,
     cmd_backup_usage},
    {"feed", "list, add, check and report the feeds of the registry", cmd_feed, cmd_feed_usage},
    {"index", "read the feeds (and the taxonomy) into the database", cmd_index, cmd_index_usage},
    {"publish", "publish a read snapshot of the database for the replicas", cmd_publish,
     cmd_publish_usage},
    {"reminders", "queue and send the monthly reminders for entries not confirmed", cmd_reminders,
     cmd_reminders_usage},
    {"serve", "serve the API, the HSDS API and the site over HTTP", cmd_serve, cmd_serve_usage},
    {"search", "search the offerings like the site does (or as JSON)", cmd_search,
     cmd_search_usage},
    {"stem", "show how words are folded and stemmed for search", cmd_stem, cmd_stem_usage},
    {"user", "add, list, disable and reset accounts; create API tokens", cmd_user, cmd_user_usage},
    {"verify", "walk every entry through its yearly verification (messages, escalation)",
     cmd_verify, cmd_verify_usage},
};
static const size_t n_commands = sizeof commands / sizeof commands[0];

const char *cli_default(const char *env, const char *def) {
  const char *v = getenv(env);
  return v && *v ? v : def;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "sociale-kaart %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry 'sociale-kaart %s --help'.\n", cmd);
  va_end(ap);
  return SK_EXIT_USAGE;
}

int cli_ensure_parent_dir(const char *path) {
  char *copy = strdup(path);
  if (!copy)
    return -1;
  const char *dir = dirname(copy);
  int rc = 0;
  if (strcmp(dir, ".") != 0 && mkdir(dir, 0755) != 0 && errno != EEXIST)
    rc = -1;
  free(copy);
  return rc;
}

static void usage(FILE *out) {
  fprintf(out, "Usage: sociale-kaart COMMAND [OPTIONS]\n"
               "\n"
               "The sociale kaart of Huizen, Blaricum, Eemnes and Laren: an index of\n"
               "offerings and activities with search, an API and a web site.\n"
               "\n"
               "Commands:\n");
  for (size_t i = 0; i < n_commands; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n"
               "Run 'sociale-kaart COMMAND --help' for the options of a command.\n"
               "Options: --help, --version.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return SK_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
    if (argc > 2 && strcmp(name, "help") == 0) {
      for (size_t i = 0; i < n_commands; i++)
        if (strcmp(argv[2], commands[i].name) == 0) {
          commands[i].usage(stdout);
          return SK_EXIT_OK;
        }
    }
    usage(stdout);
    return SK_EXIT_OK;
  }
  if (strcmp(name, "--version") == 0) {
    printf("sociale-kaart %s\n", SK_VERSION);
    return SK_EXIT_OK;
  }
  for (size_t i = 0; i < n_commands; i++) {
    if (strcmp(name, commands[i].name) == 0) {
      for (int a = 2; a < argc; a++) {
        if (strcmp(argv[a], "--") == 0)
          break;
        if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
          commands[i].usage(stdout);
          return SK_EXIT_OK;
        }
      }
      return commands[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "sociale-kaart: unknown command '%s'\nRun 'sociale-kaart --help' for the list.\n",
          name);
  return SK_EXIT_USAGE;
}
