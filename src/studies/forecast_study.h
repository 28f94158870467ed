/* src/studies/forecast_study.h: what the files of the forecast study share
 * (internal): forecast.c the config side and the run, forecast_data.c the
 * series, sites and split, forecast_base.c the baselines and metrics,
 * forecast_lstm.c local_only and centralized, forecast_fed.c the federated
 * methods, forecast_out.c summary.json, the CSV tables and figures. */
#ifndef DNT_STUDIES_FORECAST_STUDY_H
#define DNT_STUDIES_FORECAST_STUDY_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/cellular.h"
#include "dnt/cluster.h"
#include "dnt/seq_forecast.h"
#include "dnt/study_forecast.h"

/* The data every method sees. */
typedef struct fc_data {
  size_t n_bs, len;
  double *y;   /* (n_bs, len) series, row-major by BS */
  char **name; /* (n_bs) series names, owned */
  dnt_cell_sites sites;
  int *plant; /* (n_bs) planted clusters (generated data), else NULL */
  dnt_cell_missing_report missing;
  char source[512];
  dnt_seq_window win;
  dnt_seq_split split;
  dnt_seq_data *bs; /* (n_bs) one series each; NULL until fc_data_windows */
  size_t n_test;    /* test windows per BS */
  double *truth;    /* (n_bs, n_test) the test targets in original units */
} fc_data;

/* Reads or generates the series and the sites (quiet: no warnings, report
 * left empty) and checks the lengths; fc_data_windows then makes the
 * per-BS windows. */
int fc_data_load(const dnt_study_forecast_config *cfg, uint64_t seed, int quiet, fc_data *d);
int fc_data_windows(fc_data *d);
void fc_data_free(fc_data *d);

/* What a method produced. */
typedef struct fc_result {
  int ran;
  double *pred;          /* (n_bs, n_test) test forecasts in original units */
  double sim_time;       /* simulated seconds when its kept model was made (NAN: no clock) */
  double time_to_target; /* first simulated time at the common target (NAN: never) */
  double bytes_up, bytes_down, rounds;
  double *curve_t, *curve_e; /* (n_curve) simulated time and test NRMSE of each evaluation */
  double *curve_b;           /* (n_curve) bytes up + down spent by then */
  size_t n_curve, cap_curve;
} fc_result;

int fc_result_alloc(fc_result *r, const fc_data *d);
/* Appends (t, e) and the bytes spent so far to the curve. */
int fc_result_point(fc_result *r, double t, double e);
void fc_result_free(fc_result *r);

/* Mean test NRMSE over the BSs of forecasts pred (n_bs, n_test), the BSs of
 * constant truth left out (NAN when none is left). */
double fc_mean_nrmse(const fc_data *d, const double *pred);

/* The baselines into r: persistence, seasonal_naive, linear_ar (with the
 * chosen penalty of each BS into lambda, n_bs). */
int fc_baselines(const dnt_study_forecast_config *cfg, const fc_data *d, fc_result *persist,
                 fc_result *seasonal, fc_result *ridge, double *lambda);

/* The LSTM forecaster config of the study (seed = the run's). */
dnt_seq_config fc_seq_config(const dnt_study_forecast_config *cfg, uint64_t seed);

/* local_only (one model per BS) and centralized (one on all BSs). */
int fc_local_only(const dnt_study_forecast_config *cfg, const fc_data *d, uint64_t seed,
                  int threads, fc_result *r);
int fc_centralized(const dnt_study_forecast_config *cfg, const fc_data *d, uint64_t seed,
                   fc_result *r);

/* The clustering of the BS graph built on the first n_steps steps of every
 * series (the training part, or the part seen so far). */
int fc_cluster(const dnt_study_forecast_config *cfg, const fc_data *d, size_t n_steps,
               uint64_t seed, dnt_clustering *out);

/* A federated method (FEDAVG .. ASYNC_ONLY) into r; clusters (n_bs) is the
 * clustering on the training part (used by the clustered methods). */
int fc_federated(const dnt_study_forecast_config *cfg, const fc_data *d, dnt_forecast_method m,
                 const dnt_clustering *clusters, uint64_t seed, int threads,
                 const dnt_study_progress *p, fc_result *r);

/* The common target NRMSE: fl.target, or 1.01 x the largest of the best
 * test NRMSEs on the curves of the federated methods that ran, a level each
 * of them reaches (NAN: none). res: DNT_FC_N_METHODS. */
double fc_target(const dnt_study_forecast_config *cfg, const fc_result *res);

/* summary.json, the tables and the figures; cl may be NULL (no clustering
 * made). */
int fc_write(dnt_run *run, const dnt_study_forecast_config *cfg, const fc_data *d,
             const fc_result *res, const dnt_clustering *cl);

#endif
