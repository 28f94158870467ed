/* src/app/cmd_run.c: `dnt run`, the main job: every study of the registry
 * marked main_job, at default scale on the embedded defaults, each in its own
 * subfolder of the result folder, then a report of their headline numbers. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dnt/fileio.h"
#include "dnt/progress.h"
#include "dnt/status.h"
#include "dnt/study.h"

static const char usage[] =
    "usage: dnt run [options]\n\n"
    "Runs every study of the main job at default scale, each in <out>/<study>/,\n"
    "and writes <out>/report.md with their headline numbers. --set KEY=VAL goes\n"
    "to every study whose config has KEY (a key that none has is an error);\n"
    "--config is per study: use dnt <study> --config.\n\n"
    "options:\n"
    "      --force         empty the result folder --out first (only a result "
    "folder)\n" APP_COMMON_HELP;

/* 1 if some main-job study has the config key of assignment `set`. */
static int known_somewhere(const char *set) {
  size_t klen = strcspn(set, "=");
  for (size_t i = 0; i < dnt_n_studies; i++) {
    const dnt_study *s = dnt_studies[i];
    for (size_t k = 0; s->main_job && k < s->n_rows; k++)
      if (strlen(s->rows[k].path) == klen && !strncmp(s->rows[k].path, set, klen)) return 1;
  }
  return 0;
}

/* The --set options that study s has a key for. */
static void sets_for(const dnt_study *s, const app_opts *o, app_opts *out) {
  *out = *o;
  out->n_sets = 0;
  for (int i = 0; i < o->n_sets; i++) {
    size_t klen = strcspn(o->sets[i], "=");
    for (size_t k = 0; k < s->n_rows; k++)
      if (strlen(s->rows[k].path) == klen && !strncmp(s->rows[k].path, o->sets[i], klen))
        out->sets[out->n_sets++] = o->sets[i];
  }
}

/* Runs study s in <dir>/<name> and appends its headline numbers to the report. */
static int run_one(const dnt_study *s, const app_opts *o, const char *dir, FILE *report) {
  app_opts so;
  sets_for(s, o, &so);
  char sub[1024];
  snprintf(sub, sizeof sub, "%s/%s", dir, s->name);
  so.out = sub;
  so.started = dnt_now();
  so.force = 0; /* the subfolder is new: the top folder was emptied or new */
  dnt_config *cfg = NULL;
  int rc = app_study_config(s, &so, "run", &cfg);
  if (rc) return rc;
  fprintf(report, "## %s: %s\n\nresults in `%s/`\n\n", s->name, s->summary, s->name);
  rc = app_study_execute(s, &so, cfg, report);
  dnt_config_destroy(cfg);
  return rc;
}

int cmd_run(int argc, char **argv) {
  static const struct option longopts[] = {
      APP_COMMON_LONGOPTS, {"force", no_argument, 0, 'F'}, {0, 0, 0, 0}};
  app_opts o;
  app_opts_init(&o);
  int opt, rc;
  optind = 1;
  while ((opt = getopt_long(argc, argv, APP_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    if (opt == 'F') {
      o.force = 1;
      continue;
    }
    int h = app_common_option(&o, opt, optarg, "run", usage, NULL, 0);
    if (h < 0) return -h;
    if (h == 0) return app_usage_error("run", "unknown option");
  }
  if (optind < argc) return app_usage_error("run", "unexpected argument '%s'", argv[optind]);
  if (o.n_configs) return app_usage_error("run", "--config is per study (dnt <study> --config)");
  for (int i = 0; i < o.n_sets; i++)
    if (!known_somewhere(o.sets[i]))
      return app_usage_error("run", "--set %s: no study of the main job has that key", o.sets[i]);
  dnt_run *top = NULL;
  if ((rc = app_open_run_mode(&o, "run", NULL, &top))) return rc;
  char path[1024];
  dnt_afile *report = NULL;
  if (dnt_run_path(top, "report.md", path, sizeof path) || dnt_afile_open(path, &report)) {
    rc = app_fail("run");
    dnt_run_abort(top, dnt_last_error());
    return rc;
  }
  FILE *f = dnt_afile_stream(report);
  fprintf(f, "# dnt run: our numbers beside the paper's\n\nseed %llu\n\n",
          (unsigned long long)o.seed);
  for (size_t i = 0; i < dnt_n_studies && !rc; i++)
    if (dnt_studies[i]->main_job) rc = run_one(dnt_studies[i], &o, dnt_run_dir(top), f);
  if (rc) {
    dnt_afile_abort(report);
    if (rc == APP_EXIT_SIGINT || rc == APP_EXIT_SIGTERM)
      dnt_run_interrupted(top, "a study was interrupted");
    else
      dnt_run_abort(top, "a study failed");
    return rc;
  }
  if (dnt_afile_commit(report) || dnt_run_close(top)) return app_fail("run");
  printf("report: %s\n", path);
  return APP_EXIT_OK;
}
