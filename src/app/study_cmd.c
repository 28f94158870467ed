/* src/app/study_cmd.c: `dnt <study>`, the same for every study of the
 * registry (dnt/study.h): options, config, checks, the result folder, the run,
 * and the headline numbers on stdout. A study with no options beyond its
 * config aliases needs no code of its own here. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dnt/interrupt.h"
#include "dnt/progress.h"
#include "dnt/status.h"
#include "dnt/study.h"

enum { OPT_PRINT_CONFIG = 1100, OPT_RESUME, OPT_FORCE, OPT_ALIAS = 1200 };
enum { MAX_ALIASES = 48 };

/* The progress bar of the phase under way (one bar per phase). */
typedef struct bar_state {
  dnt_progress bar;
  char phase[96];
  int active;
} bar_state;

static void on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total) {
  bar_state *b = ctx;
  if (!b->active || strcmp(b->phase, phase)) {
    if (b->active) dnt_progress_finish(&b->bar);
    snprintf(b->phase, sizeof b->phase, "%s", phase);
    dnt_progress_init(&b->bar, b->phase, total);
    b->active = 1;
  }
  dnt_progress_update(&b->bar, done);
}

static void print_usage(const dnt_study *s) {
  printf("usage: dnt %s [options]\n\n%s\noptions:\n", s->name, s->usage);
  for (size_t i = 0; i < s->n_aliases; i++) {
    char opt[64];
    const char *v = s->aliases[i].value;
    snprintf(opt, sizeof opt, "--%s%s", s->aliases[i].option, v ? "" : " X");
    printf("      %-16s --set %s=%s\n", opt, s->aliases[i].key, v ? v : "X");
  }
  printf("      --print-config   print the effective config as JSON and exit\n"
         "      --force          empty the result folder --out first (only a result folder)\n");
  if (s->resumable)
    printf("      --resume         continue the run in --out from its checkpoint\n");
  fputs(APP_COMMON_HELP, stdout);
}

int app_study_config(const dnt_study *s, const app_opts *o, const char *cmd, dnt_config **out) {
  return app_load_config_preset(o, cmd, s->rows, s->n_rows, o->quick ? s->quick : NULL, out);
}

/* Prints the headline metrics the run recorded. */
static void print_headline(const dnt_study *s, const dnt_run *run) {
  printf("%s: results in %s\n", s->name, dnt_run_dir(run));
  for (const char *const *h = s->headline; h && *h; h++) {
    double v;
    if (dnt_run_summary_get(run, *h, &v) != DNT_OK) continue;
    printf("    %-32s %.6g\n", *h, v);
  }
}

int app_study_execute(const dnt_study *s, const app_opts *o, const dnt_config *cfg) {
  void *c = calloc(1, s->config_size);
  if (!c) return app_fail(s->name);
  dnt_config_to_struct(cfg, c);
  int rc = APP_EXIT_OK, st;
  app_catch_signals(); /* before the folder exists: a stop request is never lost */
  if (s->check && (st = s->check(c))) {
    rc = app_fail_status(s->name, st, 1); /* the check reads the inputs */
    goto cleanup;
  }
  dnt_run *run = NULL;
  if ((rc = app_open_run_mode(o, s->name, cfg, &run))) goto cleanup;
  dnt_run_set_threads(run, o->threads);
  dnt_run_set_resuming(run, o->resume);
  bar_state bar = {0};
  dnt_study_progress progress = {on_progress, &bar};
  if ((st = s->run(c, run, &progress))) {
    if (bar.active) dnt_progress_finish(&bar.bar);
    if (st == DNT_ERR_INTERRUPTED) {
      int sig = dnt_interrupt_pending();
      fprintf(stderr, "dnt %s: %s%s%s\n", s->name, dnt_last_error(),
              s->resumable ? "; continue it with --resume --out " : "",
              s->resumable ? dnt_run_dir(run) : "");
      dnt_run_interrupted(run, dnt_last_error());
      rc = 128 + (sig > 0 ? sig : SIGINT);
      goto cleanup;
    }
    rc = app_fail_status(s->name, st, 1);
    dnt_run_abort(run, dnt_last_error());
    goto cleanup;
  }
  if (bar.active) dnt_progress_finish(&bar.bar);
  print_headline(s, run);
  if (dnt_run_close(run)) rc = app_fail(s->name);
cleanup:
  free(c);
  return rc;
}

int app_study_main(const dnt_study *s, int argc, char **argv) {
  static const struct option common[] = {APP_COMMON_LONGOPTS};
  enum { N_COMMON = sizeof common / sizeof common[0] };
  struct option longopts[N_COMMON + 3 + MAX_ALIASES + 1];
  size_t n = 0;
  for (size_t i = 0; i < N_COMMON; i++)
    longopts[n++] = common[i];
  longopts[n++] = (struct option){"print-config", no_argument, 0, OPT_PRINT_CONFIG};
  longopts[n++] = (struct option){"resume", no_argument, 0, OPT_RESUME};
  longopts[n++] = (struct option){"force", no_argument, 0, OPT_FORCE};
  for (size_t i = 0; i < s->n_aliases && i < MAX_ALIASES; i++)
    longopts[n++] =
        (struct option){s->aliases[i].option, s->aliases[i].value ? no_argument : required_argument,
                        0, OPT_ALIAS + (int)i};
  longopts[n] = (struct option){0, 0, 0, 0};

  app_opts o;
  app_opts_init(&o);
  int print_config = 0, opt;
  char sets[APP_MAX_SETS][512];
  optind = 1;
  while ((opt = getopt_long(argc, argv, APP_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    if (opt == 'h') {
      print_usage(s);
      return APP_EXIT_OK;
    }
    if (opt == OPT_PRINT_CONFIG) {
      print_config = 1;
    } else if (opt == OPT_RESUME) {
      o.resume = 1;
    } else if (opt == OPT_FORCE) {
      o.force = 1;
    } else if (opt >= OPT_ALIAS && opt < OPT_ALIAS + MAX_ALIASES) {
      /* an alias is a --set, in command-line order with the others */
      if (o.n_sets == APP_MAX_SETS)
        return app_usage_error(s->name, "too many --set options (at most %d)", APP_MAX_SETS);
      const dnt_study_alias *a = &s->aliases[opt - OPT_ALIAS];
      snprintf(sets[o.n_sets], sizeof sets[0], "%s=%s", a->key, a->value ? a->value : optarg);
      o.sets[o.n_sets] = sets[o.n_sets];
      o.n_sets++;
    } else {
      int h = app_common_option(&o, opt, optarg, s->name, "", s->rows, s->n_rows);
      if (h < 0) return -h;
      if (h == 0) return app_usage_error(s->name, "unknown option");
    }
  }
  if (optind < argc) return app_usage_error(s->name, "unexpected argument '%s'", argv[optind]);
  if (o.resume && !s->resumable)
    return app_usage_error(s->name, "--resume: this study has no checkpoint to resume from");
  if (o.resume && !o.out) return app_usage_error(s->name, "--resume needs --out DIR");
  if (o.resume && o.force)
    return app_usage_error(s->name, "--resume and --force exclude each other");
  dnt_config *cfg = NULL;
  if (app_study_config(s, &o, s->name, &cfg)) return APP_EXIT_USAGE; /* config, any source */
  int rc;
  if (print_config) {
    char *json = dnt_config_to_json(cfg);
    rc = json ? (fputs(json, stdout), fputc('\n', stdout), APP_EXIT_OK) : app_fail(s->name);
    free(json);
  } else {
    rc = app_study_execute(s, &o, cfg);
  }
  dnt_config_destroy(cfg);
  return rc;
}
