/* src/app/cmd_run.c: `dnt run`, the main job: every study of the registry
 * marked main_job, at default scale on the embedded defaults, each in its own
 * subfolder of the result folder, then one report (dnt/report.h). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dnt/fileio.h"
#include "dnt/progress.h"
#include "dnt/report.h"
#include "dnt/status.h"
#include "dnt/study.h"

static const char usage[] =
    "usage: dnt run [options]\n\n"
    "Runs every study of the main job (each on its embedded defaults, or its\n"
    "--quick scale), one after the other, each in <out>/<study>/, then writes\n"
    "<out>/report.html (self-contained: dnt report) and <out>/report.txt, the\n"
    "text also on stdout. A study that fails is named and the others still run;\n"
    "the exit code is then the first failure's. --set KEY=VAL goes to every\n"
    "study whose config has KEY (a key that none has is an error); --config is\n"
    "per study: use dnt <study> --config.\n\n"
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

/* Runs study s in <dir>/<name>. Returns its exit code. */
static int run_one(const dnt_study *s, const app_opts *o, const char *dir) {
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
  rc = app_study_execute(s, &so, cfg);
  dnt_config_destroy(cfg);
  return rc;
}

/* The report of the studies' folders under `dir`: report.html and
 * report.txt, the text also on stdout. */
static int write_report(const char *dir, int quiet) {
  dnt_report *r = NULL;
  int rc = dnt_report_create(&r);
  for (size_t i = 0; i < dnt_n_studies && !rc; i++) {
    char sub[1024], summary[1100];
    snprintf(sub, sizeof sub, "%s/%s", dir, dnt_studies[i]->name);
    snprintf(summary, sizeof summary, "%s/summary.json", sub);
    if (dnt_studies[i]->main_job && dnt_path_exists(summary)) rc = dnt_report_add(r, sub);
  }
  char path[1100];
  snprintf(path, sizeof path, "%s/report.html", dir);
  if (!rc) rc = dnt_report_write_html(r, path);
  dnt_afile *txt = NULL;
  snprintf(path, sizeof path, "%s/report.txt", dir);
  if (!rc && !(rc = dnt_afile_open(path, &txt))) {
    rc = dnt_report_write_text(r, dnt_afile_stream(txt));
    rc = rc ? (dnt_afile_abort(txt), rc) : dnt_afile_commit(txt);
  }
  if (!rc && !quiet) rc = dnt_report_write_text(r, stdout);
  dnt_report_destroy(r);
  return rc;
}

int cmd_run(int argc, char **argv) {
  static const struct option longopts[] = {
      APP_COMMON_LONGOPTS, {"force", no_argument, 0, 'F'}, {0, 0, 0, 0}};
  app_opts o;
  app_opts_init(&o);
  int opt, rc = APP_EXIT_OK;
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
  size_t n = 0, k = 0;
  for (size_t i = 0; i < dnt_n_studies; i++)
    n += dnt_studies[i]->main_job != 0;
  char failed[512] = "";
  int first_fail = APP_EXIT_OK;
  for (size_t i = 0; i < dnt_n_studies; i++) {
    const dnt_study *s = dnt_studies[i];
    if (!s->main_job) continue;
    if (!o.quiet) fprintf(stderr, "dnt run: [%zu/%zu] %s: %s\n", ++k, n, s->name, s->summary);
    int src = run_one(s, &o, dnt_run_dir(top));
    if (src == APP_EXIT_SIGINT || src == APP_EXIT_SIGTERM) {
      dnt_run_interrupted(top, "interrupted during a study");
      return src;
    }
    if (src != APP_EXIT_OK) {
      fprintf(stderr, "dnt run: study %s failed (exit code %d); going on with the others\n",
              s->name, src);
      size_t used = strlen(failed);
      snprintf(failed + used, sizeof failed - used, "%s%s", used ? ", " : "", s->name);
      if (first_fail == APP_EXIT_OK) first_fail = src;
    }
  }
  if (write_report(dnt_run_dir(top), o.quiet)) {
    rc = app_fail("run");
    dnt_run_abort(top, dnt_last_error());
    return rc;
  }
  if (first_fail != APP_EXIT_OK) {
    char why[600];
    snprintf(why, sizeof why, "failed: %s", failed);
    fprintf(stderr, "dnt run: %s (report in %s)\n", why, dnt_run_dir(top));
    dnt_run_abort(top, why);
    return first_fail;
  }
  char html[1100];
  snprintf(html, sizeof html, "%s/report.html", dnt_run_dir(top));
  if (dnt_run_close(top)) return app_fail("run");
  printf("report: %s\n", html);
  return APP_EXIT_OK;
}
