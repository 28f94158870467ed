/* src/studies/fl_table.c: the FL study's rules x attacks table (fl.rule
 * and/or fl.attack "all"; dnt/study_fl.h): every cell over fl.seeds seeds
 * with --attack all, and the honest column. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/interrupt.h"
#include "dnt/log.h"
#include "dnt/stats.h"
#include "dnt/status.h"
#include "fl_study.h"

/* One cell of the table: the outcome over the seeds. */
typedef struct fl_cell {
  double err[1000]; /* (seeds) final error, NaN where the run failed */
  int n, diverged;
  dnt_fl_detection det;
} fl_cell;

/* Runs rule rn under attack an (or honest: the malicious left out) for every
 * seed; the tasks (one per seed) were built by the caller. */
static void run_cell(const dnt_study_fl_config *cfg, const fl_job *j0,
                     const dnt_fl_quadratic *tasks, int seeds, const unsigned char *mal,
                     const double *honest, const char *rn, const char *an, fl_cell *cell) {
  memset(cell, 0, sizeof *cell);
  dnt_study_fl_config c = *cfg;
  c.rule = rn;
  c.attack = honest ? "none" : an;
  fl_job j = *j0;
  j.honest = honest;
  for (int k = 0; k < seeds; k++) {
    fl_outcome o;
    j.seed = j0->seed + (uint64_t)k;
    if (fl_run_task(&c, &j, &tasks[k], mal, 0, &o)) {
      /* a combination the rule cannot run (e.g. n < g(f)) is recorded, not fatal */
      DNT_WARN("fl: %s x %s (seed %" PRIu64 "): %s", rn, an, j.seed, dnt_last_error());
      cell->err[cell->n++] = NAN;
      continue;
    }
    cell->err[cell->n++] = o.diverged ? INFINITY : o.final_error;
    cell->diverged += o.diverged;
    cell->det.true_pos += o.det.true_pos, cell->det.false_pos += o.det.false_pos;
    cell->det.false_neg += o.det.false_neg;
  }
}

/* A number for the CSV, or an empty field when it is not defined. */
static void csv_num(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, ",%.6g", v);
  else
    fputc(',', f);
}

/* Writes one cell's row and summary metric. */
static int write_cell(FILE *f, dnt_run *run, const char *rn, const char *an, const fl_cell *cell) {
  double mean = NAN, sd = NAN;
  if (!cell->diverged) dnt_mean_sd(cell->err, (size_t)cell->n, &mean, &sd);
  /* The heatmap shows 1 - final_error (x = 0, the start, has error 1):
   * higher is better, as the red-to-green palette reads. A diverged cell
   * (some seed ended above the initial error) is marked -1, the only
   * negative value: every other cell ended at or below 1. */
  double red = cell->diverged ? -1 : 1 - mean;
  fprintf(f, "%s,%s", rn, an);
  csv_num(f, mean);
  csv_num(f, sd);
  fprintf(f, ",%d,%d", cell->n, cell->diverged);
  csv_num(f, dnt_fl_precision(&cell->det));
  csv_num(f, dnt_fl_recall(&cell->det));
  csv_num(f, red);
  fputc('\n', f);
  DNT_INFO("fl: %-10s %-10s final_error %s%.4g +- %.2g", rn, an, cell->diverged ? "diverged " : "",
           mean, sd);
  char key[96];
  snprintf(key, sizeof key, "final_error.%s.%s", rn, an);
  if (isfinite(mean)) return dnt_run_summary_number(run, key, mean);
  return dnt_run_summary_string(run, key, cell->diverged ? "diverged" : "error");
}

/* The table over the tasks (one per seed); honest (n) is the participation
 * of the honest column, or NULL for none. */
static int write_table(const dnt_study_fl_config *cfg, const fl_job *j,
                       const dnt_fl_quadratic *tasks, int seeds, const unsigned char *mal,
                       const double *honest) {
  char path[4096];
  dnt_afile *af = NULL; /* the table appears whole or not at all */
  int rc = dnt_run_path(j->run, "table.csv", path, sizeof path);
  if (rc || (rc = dnt_afile_open(path, &af))) return rc;
  fl_cell *cell = malloc(sizeof *cell);
  if (!cell) {
    dnt_afile_abort(af);
    return dnt_error(DNT_ERR_NOMEM, "fl: out of memory");
  }
  FILE *f = dnt_afile_stream(af);
  fprintf(f, "rule,attack,final_error,final_error_sd,seeds,diverged,precision,recall,"
             "error_reduction\n");
  uint64_t total = 0, done = 0;
  for (int pass = 0; pass < 2 && !rc; pass++) /* pass 0 counts the cells */
    for (int r = 0; r < DNT_AGG_N_RULES && !rc; r++) {
      const char *rn = dnt_agg_rule_name((dnt_agg_rule)r);
      if (strcmp(cfg->rule, "all") && strcmp(cfg->rule, rn)) continue;
      for (int a = 0; a <= DNT_ATTACK_N_KINDS && !rc; a++) {
        int is_honest = a == DNT_ATTACK_N_KINDS;
        const char *an = is_honest ? "honest" : dnt_attack_name((dnt_attack_kind)a);
        if (is_honest ? !honest : strcmp(cfg->attack, "all") && strcmp(cfg->attack, an)) continue;
        if (pass == 0) {
          total++;
          continue;
        }
        int sig = dnt_interrupt_pending();
        if (sig) {
          rc = dnt_error(DNT_ERR_INTERRUPTED,
                         "fl: table stopped after %" PRIu64 " of %" PRIu64
                         " cells (signal %d); a table has no checkpoint",
                         done, total, sig);
          break;
        }
        run_cell(cfg, j, tasks, seeds, mal, is_honest ? honest : NULL, rn, an, cell);
        rc = write_cell(f, j->run, rn, an, cell);
        dnt_study_progress_report(j->progress, "fl: table cells", ++done, total);
      }
    }
  free(cell);
  if (rc) {
    dnt_afile_abort(af);
    return rc;
  }
  if ((rc = dnt_afile_commit(af))) return rc;
  dnt_figure_text text = {"Quadratic task: 1 - mean final error over the seeds (1 solved, 0 no "
                          "better than x = 0, -1 diverged)",
                          "attack", "rule", 0};
  return dnt_figure_heatmap(dnt_run_dir(j->run), "heatmap", "table.csv", "attack", "rule",
                            "error_reduction", &text);
}

int fl_run_table(const dnt_study_fl_config *cfg, const fl_job *j, const dnt_fl_quadratic *task0,
                 const unsigned char *mal) {
  int all = !strcmp(cfg->attack, "all"), sync = !strcmp(cfg->mode, "sync");
  int seeds = all ? (int)cfg->seeds : 1, n = task0->n_clients, rc = 0;
  dnt_fl_quadratic *tasks = calloc((size_t)seeds, sizeof *tasks);
  double *honest = all && sync ? malloc((size_t)n * sizeof *honest) : NULL;
  unsigned char *m2 = NULL;
  if (!tasks || (all && sync && !honest)) rc = dnt_error(DNT_ERR_NOMEM, "fl: out of memory");
  for (int i = 0; !rc && honest && i < n; i++)
    honest[i] = mal[i] ? 0 : 1;
  for (int k = 0; !rc && k < seeds; k++) {
    if (k == 0) {
      tasks[0] = *task0;
      continue;
    }
    free(m2);
    m2 = NULL;
    rc = fl_make_task(cfg, j->seed + (uint64_t)k, &tasks[k], &m2);
  }
  if (!rc) rc = write_table(cfg, j, tasks, seeds, mal, honest);
  for (int k = 1; tasks && k < seeds; k++)
    dnt_fl_quadratic_free(&tasks[k]);
  free(tasks);
  free(honest);
  free(m2);
  return rc;
}
