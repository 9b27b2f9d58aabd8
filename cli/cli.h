#ifndef SK_CLI_H
#define SK_CLI_H
/*
 * The sociale-kaart program: one command per file (cmd_<name>.c), listed in
 * main.c. A command returns the process exit code: 0 success, 1 failure,
 * 2 usage error (unknown flag, missing argument).
 */
#include <stdio.h>

#define SK_EXIT_OK 0
#define SK_EXIT_FAIL 1
#define SK_EXIT_USAGE 2

/* Defaults, each overridable by a flag and an environment variable. */
#define SK_DEFAULT_DB "data/sociale-kaart.db"     /* SK_DB */
#define SK_DEFAULT_TAXONOMY "feeds/taxonomy.json" /* SK_TAXONOMY */
#define SK_DEFAULT_FEEDS "feeds/feeds.json"       /* SK_FEEDS */

struct sk_command {
  const char *name;
  const char *summary;               /* one line for the overview */
  int (*run)(int argc, char **argv); /* argv[0] is the command name */
  void (*usage)(FILE *out);
};

/* The value of environment variable env when set and not empty, else def. */
const char *cli_default(const char *env, const char *def);
/* Print "sociale-kaart CMD: message" plus a --help hint; returns SK_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Make the parent folder of a file path (one level, like mkdir -p of dirname). */
int cli_ensure_parent_dir(const char *path);

int cmd_backup(int argc, char **argv);
int cmd_publish(int argc, char **argv);
void cmd_publish_usage(FILE *out);
void cmd_backup_usage(FILE *out);
int cmd_feed(int argc, char **argv);
void cmd_feed_usage(FILE *out);
int cmd_index(int argc, char **argv);
void cmd_index_usage(FILE *out);
int cmd_reminders(int argc, char **argv);
void cmd_reminders_usage(FILE *out);
int cmd_serve(int argc, char **argv);
void cmd_serve_usage(FILE *out);
int cmd_search(int argc, char **argv);
void cmd_search_usage(FILE *out);
int cmd_stem(int argc, char **argv);
void cmd_stem_usage(FILE *out);
int cmd_verify(int argc, char **argv);
void cmd_verify_usage(FILE *out);
int cmd_user(int argc, char **argv);
void cmd_user_usage(FILE *out);

#endif
