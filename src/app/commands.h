/* src/app/commands.h: the table of `dnt` commands that are not studies
 * (defined in commands.c); studies come from the registry (dnt/study.h). */
#ifndef DNT_APP_COMMANDS_H
#define DNT_APP_COMMANDS_H

#include <stddef.h>

typedef struct app_command {
  const char *name;
  const char *summary; /* one line for `dnt --help`; NULL: a study's, listed with the studies */
  int (*run)(int argc, char **argv);
} app_command;

extern const app_command app_commands[];
extern const size_t app_n_commands;

/* One declaration per subcommand, each defined in cmd_<name>.c. */
int cmd_run(int argc, char **argv);
int cmd_fl(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
