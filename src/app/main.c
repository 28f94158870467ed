/* src/app/main.c: `dnt`, the command line: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dnt/run.h"
#include "dnt/study.h"

static void print_help(FILE *f) {
  fprintf(f,
          "dnt %s: a digital network twin with safe edge caching, federated\n"
          "forecasting and Byzantine-robust federated RL.\n\n"
          "usage: dnt <command> [options]    (dnt <command> --help for its options)\n\n"
          "commands:\n",
          dnt_version());
  for (size_t i = 0; i < app_n_commands; i++)
    if (app_commands[i].summary)
      fprintf(f, "  %-10s %s\n", app_commands[i].name, app_commands[i].summary);
  for (size_t i = 0; i < dnt_n_studies; i++)
    fprintf(f, "  %-10s %s\n", dnt_studies[i]->name, dnt_studies[i]->summary);
  fprintf(f, "\n  --version  print the version and git revision\n"
             "  --help     this help\n\n" APP_EXIT_TABLE);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    print_help(stderr);
    return APP_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    print_help(stdout);
    return APP_EXIT_OK;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    printf("dnt %s (git %s)\n", dnt_version(), dnt_git_revision());
    return APP_EXIT_OK;
  }
  for (size_t i = 0; i < app_n_commands; i++)
    if (!strcmp(cmd, app_commands[i].name)) return app_commands[i].run(argc - 1, argv + 1);
  const dnt_study *s = dnt_study_find(cmd);
  if (s) return app_study_main(s, argc - 1, argv + 1);
  fprintf(stderr, "dnt: unknown command '%s' (expected one of:", cmd);
  for (size_t i = 0; i < app_n_commands; i++)
    if (app_commands[i].summary) fprintf(stderr, " %s", app_commands[i].name);
  for (size_t i = 0; i < dnt_n_studies; i++)
    fprintf(stderr, " %s", dnt_studies[i]->name);
  fprintf(stderr, "); see dnt --help\n");
  return APP_EXIT_USAGE;
}
