/* src/studies/forecast_out.c: what the forecast study writes.
 *
 * summary.json: a key per method with mae, rmse, nrmse (per BS in original
 * units, then averaged over the BSs; NRMSE leaves out BSs of constant
 * truth), simulated_time_s (when its kept model was made), time_to_target_s
 * (first simulated time at the common target NRMSE), bytes_up, bytes_down,
 * rounds, bytes_to_target (bytes up + down spent by then); flat <method>_nrmse numbers for the
 * headline; the clustering; the missing-value counts. Tables: per_bs.csv (position, cluster, the
 * NRMSE of every method per BS), curves.csv (test NRMSE against simulated time), forecast.csv
 * (truth and forecasts of a few BSs), and their figures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/status.h"
#include "forecast_study.h"

/* JSON number or null. */
static void num(char *buf, size_t len, double v) {
  if (isfinite(v))
    snprintf(buf, len, "%.10g", v);
  else
    snprintf(buf, len, "null");
}

/* The first point of a curve at or below target (n_curve: none). */
static size_t first_at(const fc_result *r, double target) {
  size_t k = 0;
  while (k < r->n_curve && !(r->curve_e[k] <= target))
    k++;
  return k;
}

double fc_target(const dnt_study_forecast_config *cfg, const fc_result *res) {
  if (cfg->target > 0) return cfg->target;
  double worst = NAN;
  for (int m = DNT_FC_FEDAVG; m < DNT_FC_N_METHODS; m++) {
    double best = INFINITY;
    for (size_t k = 0; k < res[m].n_curve; k++)
      if (res[m].curve_e[k] < best) best = res[m].curve_e[k];
    if (res[m].n_curve && !(worst >= best)) worst = best;
  }
  return 1.01 * worst;
}

/* Per-BS errors of one method and their averages. */
static void method_errors(const fc_data *d, const fc_result *r, double *bs_nrmse, double *mae,
                          double *rmse, double *nrmse) {
  double sa = 0, sr = 0, sn = 0;
  size_t nn = 0;
  for (size_t i = 0; i < d->n_bs; i++) {
    double a, e, n;
    dnt_forecast_errors(d->truth + i * d->n_test, r->pred + i * d->n_test, d->n_test, &a, &e, &n);
    sa += a;
    sr += e;
    bs_nrmse[i] = n;
    if (isfinite(n)) {
      sn += n;
      nn++;
    }
  }
  *mae = sa / (double)d->n_bs;
  *rmse = sr / (double)d->n_bs;
  *nrmse = nn ? sn / (double)nn : NAN;
}

static int write_summary(dnt_run *run, const fc_data *d, const fc_result *res, double target,
                         double *bs_nrmse) {
  int rc = 0;
  for (int m = 0; m < DNT_FC_N_METHODS && !rc; m++) {
    if (!res[m].ran) continue;
    double mae, rmse, nrmse;
    method_errors(d, &res[m], bs_nrmse + (size_t)m * d->n_bs, &mae, &rmse, &nrmse);
    char v[9][32], json[512];
    size_t at = first_at(&res[m], target);
    num(v[0], 32, mae);
    num(v[1], 32, rmse);
    num(v[2], 32, nrmse);
    num(v[3], 32, res[m].sim_time);
    num(v[4], 32, at < res[m].n_curve ? res[m].curve_t[at] : NAN);
    num(v[5], 32, res[m].bytes_up);
    num(v[6], 32, res[m].bytes_down);
    num(v[7], 32, res[m].rounds);
    num(v[8], 32, at < res[m].n_curve ? res[m].curve_b[at] : NAN);
    snprintf(json, sizeof json,
             "{\"mae\": %s, \"rmse\": %s, \"nrmse\": %s, \"simulated_time_s\": %s, "
             "\"time_to_target_s\": %s, \"bytes_up\": %s, \"bytes_down\": %s, \"rounds\": %s, "
             "\"bytes_to_target\": %s}",
             v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    const char *name = dnt_forecast_method_name((dnt_forecast_method)m);
    char key[64];
    snprintf(key, sizeof key, "%s_nrmse", name);
    if (!(rc = dnt_run_summary_json(run, name, json))) rc = dnt_run_summary_number(run, key, nrmse);
  }
  if (!rc && isfinite(target)) rc = dnt_run_summary_number(run, "target_nrmse", target);
  return rc;
}

static int write_clustering(dnt_run *run, const dnt_study_forecast_config *cfg, const fc_data *d,
                            const dnt_clustering *cl) {
  char json[256], q[32], ari[32];
  num(q, sizeof q, cl->modularity);
  num(ari, sizeof ari, d->plant ? dnt_forecast_ari(cl->membership, d->plant, d->n_bs) : NAN);
  snprintf(json, sizeof json, "{\"method\": \"%s\", \"k\": %d, \"modularity\": %s, \"ari\": %s}",
           cfg->cluster_method, cl->k, q, ari);
  return dnt_run_summary_json(run, "clustering", json);
}

/* Opens the table `name` of the run and writes its header; commit with
 * dnt_afile_commit. */
static int open_table(dnt_run *run, const char *name, const char *const *cols, size_t n,
                      dnt_afile **f) {
  char path[1024];
  int rc = dnt_run_path(run, name, path, sizeof path);
  if (rc || (rc = dnt_afile_open(path, f))) return rc;
  dnt_csv_write_header(dnt_afile_stream(*f), cols, n);
  return 0;
}

/* per_bs.csv and the figures of the cluster map and of the pipeline's
 * per-BS error against local_only. */
static int write_per_bs(dnt_run *run, const fc_data *d, const fc_result *res,
                        const dnt_clustering *cl, const double *bs_nrmse) {
  const char *cols[4 + DNT_FC_N_METHODS] = {"bs", "x_m", "y_m", "cluster"};
  int idx[DNT_FC_N_METHODS];
  size_t nc = 4;
  char names[DNT_FC_N_METHODS][64];
  for (int m = 0; m < DNT_FC_N_METHODS; m++)
    if (res[m].ran) {
      snprintf(names[m], sizeof names[m], "%s_nrmse",
               dnt_forecast_method_name((dnt_forecast_method)m));
      idx[nc - 4] = m;
      cols[nc++] = names[m];
    }
  dnt_afile *f = NULL;
  int rc = open_table(run, "per_bs.csv", cols, nc, &f);
  if (rc) return rc;
  FILE *out = dnt_afile_stream(f);
  for (size_t i = 0; i < d->n_bs; i++) {
    double row[4 + DNT_FC_N_METHODS] = {(double)i, d->sites.x[i], d->sites.y[i],
                                        cl ? cl->membership[i] : 0};
    for (size_t k = 4; k < nc; k++)
      row[k] = bs_nrmse[(size_t)idx[k - 4] * d->n_bs + i];
    dnt_csv_write_row(out, row, nc);
  }
  if ((rc = dnt_afile_commit(f))) return rc;
  dnt_figure_text map = {"Local twins: clusters of the BS graph", "x (m)", "y (m)", 0, 0, 0, 0};
  if ((rc = dnt_figure_scatter(dnt_run_dir(run), "clusters", "per_bs.csv", "x_m", "y_m", "cluster",
                               &map)))
    return rc;
  if (res[DNT_FC_CLUSTERED_SYNC_ASYNC].ran && res[DNT_FC_LOCAL_ONLY].ran) {
    dnt_figure_text t = {"Per-BS test NRMSE: pipeline against local_only",
                         "local_only NRMSE",
                         "clustered_sync_async NRMSE",
                         0,
                         0,
                         0,
                         0};
    rc = dnt_figure_scatter(dnt_run_dir(run), "per_bs", "per_bs.csv", "local_only_nrmse",
                            "clustered_sync_async_nrmse", "cluster", &t);
  }
  return rc;
}

/* curves.csv (method id, simulated time, test NRMSE) and its figure. */
static int write_curves(dnt_run *run, const fc_result *res) {
  dnt_afile *f = NULL;
  static const char *const cols[] = {"method", "simulated_time_s", "test_nrmse"};
  int rc = open_table(run, "curves.csv", cols, 3, &f);
  if (rc) return rc;
  FILE *out = dnt_afile_stream(f);
  int any = 0;
  for (int m = DNT_FC_FEDAVG; m < DNT_FC_N_METHODS; m++)
    for (size_t k = 0; k < res[m].n_curve; k++, any = 1) {
      double row[3] = {m, res[m].curve_t[k], res[m].curve_e[k]};
      dnt_csv_write_row(out, row, 3);
    }
  if ((rc = dnt_afile_commit(f)) || !any) return rc;
  dnt_figure_text t = {"Test NRMSE against simulated time (method: 5 fedavg, 6 clustered_sync, "
                       "7 clustered_sync_async, 8 async_only)",
                       "simulated time (s)",
                       "test NRMSE",
                       0,
                       0,
                       0,
                       0};
  return dnt_figure_scatter(dnt_run_dir(run), "curves", "curves.csv", "simulated_time_s",
                            "test_nrmse", "method", &t);
}

/* forecast.csv: truth and every method's forecast for the first BSs. */
#define FC_SHOWN 3
static int write_forecast(dnt_run *run, const fc_data *d, const fc_result *res) {
  size_t shown = d->n_bs < FC_SHOWN ? d->n_bs : FC_SHOWN;
  const char *cols[2 + DNT_FC_N_METHODS] = {"row", "truth"};
  int idx[DNT_FC_N_METHODS];
  size_t nc = 2;
  for (int m = 0; m < DNT_FC_N_METHODS; m++)
    if (res[m].ran) {
      idx[nc - 2] = m;
      cols[nc++] = dnt_forecast_method_name((dnt_forecast_method)m);
    }
  dnt_afile *f = NULL;
  int rc = open_table(run, "forecast.csv", cols, nc, &f);
  if (rc) return rc;
  FILE *out = dnt_afile_stream(f);
  for (size_t i = 0; i < shown; i++)
    for (size_t k = 0; k < d->n_test; k++) {
      double row[2 + DNT_FC_N_METHODS] = {(double)(i * d->n_test + k), d->truth[i * d->n_test + k]};
      for (size_t c = 2; c < nc; c++)
        row[c] = res[idx[c - 2]].pred[i * d->n_test + k];
      dnt_csv_write_row(out, row, nc);
    }
  if ((rc = dnt_afile_commit(f))) return rc;
  dnt_figure_text t = {"Test part of the first BSs, one after the other: truth and forecasts",
                       "test window",
                       "traffic",
                       0,
                       0,
                       0,
                       0};
  return dnt_figure_lines(dnt_run_dir(run), "forecast", "forecast.csv", "row", cols + 1, nc - 2,
                          &t);
}

int fc_write(dnt_run *run, const dnt_study_forecast_config *cfg, const fc_data *d,
             const fc_result *res, const dnt_clustering *cl) {
  double *bs_nrmse = malloc((size_t)DNT_FC_N_METHODS * d->n_bs * sizeof *bs_nrmse);
  if (!bs_nrmse) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for per-BS errors");
  for (size_t i = 0; i < (size_t)DNT_FC_N_METHODS * d->n_bs; i++)
    bs_nrmse[i] = NAN;
  double target = fc_target(cfg, res);
  int rc = write_summary(run, d, res, target, bs_nrmse);
  if (!rc) rc = dnt_run_summary_string(run, "source", d->source);
  if (!rc) rc = dnt_run_summary_number(run, "bs", (double)d->n_bs);
  if (!rc) rc = dnt_run_summary_number(run, "test_windows_per_bs", (double)d->n_test);
  if (!rc && cl) rc = write_clustering(run, cfg, d, cl);
  if (!rc) rc = dnt_cell_missing_summary(&d->missing, run);
  if (!rc) rc = write_per_bs(run, d, res, cl, bs_nrmse);
  if (!rc) rc = write_curves(run, res);
  if (!rc) rc = write_forecast(run, d, res);
  free(bs_nrmse);
  return rc;
}
