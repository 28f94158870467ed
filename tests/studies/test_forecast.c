/* tests/studies/test_forecast.c: the parts of the forecast study against
 * known answers: the closeness/period windows by hand, z-scores and every
 * fitted number independent of the test part (no leakage), MAE/RMSE/NRMSE in
 * original units on a hand case, the ridge against the closed form of a
 * one-input case and an exact fit, the adjusted Rand index on hand cases,
 * the method list, the planted generator, and traffic files through the
 * missing-value policy (a short gap filled and counted; a long gap and a
 * malformed cell refused naming file, column and rows / line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/run.h"
#include "dnt/status.h"
#include "dnt/study_forecast.h"
#include "test.h"

static void windows_by_hand(void) {
  dnt_study_forecast_config cfg;
  dnt_study_forecast_defaults(&cfg);
  cfg.closeness = 3;
  cfg.period = 24;
  cfg.horizon = 1;
  dnt_seq_window w = dnt_forecast_window(&cfg);
  CHECK(w.window == 3 && w.season == 24 && w.horizon == 1);
  CHECK(dnt_seq_window_lead(&w) == 26); /* T - 1 + max(h, s) */
  double z[100];
  for (int t = 0; t < 100; t++)
    z[t] = t; /* the value is its index */
  float x[6];
  dnt_seq_window_fill(&w, z, 50, x); /* target y(50): closeness 47, 48, 49; period 24, 25, 26 */
  const float want[6] = {47, 24, 48, 25, 49, 26};
  for (int i = 0; i < 6; i++)
    CHECK_NEAR(x[i], want[i], 0);
  cfg.horizon = 2; /* y(50) from data up to 48: closeness 46..48, period 24..26 */
  w = dnt_forecast_window(&cfg);
  dnt_seq_window_fill(&w, z, 50, x);
  const float want2[6] = {46, 24, 47, 25, 48, 26};
  for (int i = 0; i < 6; i++)
    CHECK_NEAR(x[i], want2[i], 0);
}

static void errors_by_hand(void) {
  const double truth[4] = {10, 20, 30, 50}, pred[4] = {12, 18, 33, 50};
  double mae, rmse, nrmse;
  dnt_forecast_errors(truth, pred, 4, &mae, &rmse, &nrmse);
  CHECK_NEAR(mae, 7.0 / 4, 1e-12);                      /* |2| + |2| + |3| + 0 */
  CHECK_NEAR(rmse, sqrt(17.0 / 4), 1e-12);              /* 4 + 4 + 9 + 0 */
  CHECK_NEAR(nrmse, sqrt(17.0 / 4) / (50 - 10), 1e-12); /* range of the truth */
  /* original units: scaling both by 1000 scales MAE and RMSE, not NRMSE */
  double t2[4], p2[4], mae2, rmse2, nrmse2;
  for (int i = 0; i < 4; i++) {
    t2[i] = 1000 * truth[i];
    p2[i] = 1000 * pred[i];
  }
  dnt_forecast_errors(t2, p2, 4, &mae2, &rmse2, &nrmse2);
  CHECK_NEAR(mae2, 1000 * mae, 1e-9);
  CHECK_NEAR(nrmse2, nrmse, 1e-12);
  const double flat[3] = {5, 5, 5};
  dnt_forecast_errors(flat, pred, 3, &mae, &rmse, &nrmse);
  CHECK(isnan(nrmse)); /* no range */
}

static void ridge_closed_form(void) {
  /* one input: beta = (Sxy - n mx my) / (Sxx - n mx^2 + lambda), b = my - beta mx */
  const double X[5] = {1, 2, 3, 4, 6}, y[5] = {2.1, 3.9, 6.2, 7.8, 12.5};
  double mx = 16.0 / 5, my = 32.5 / 5, sxx = 0, sxy = 0;
  for (int i = 0; i < 5; i++) {
    sxx += (X[i] - mx) * (X[i] - mx);
    sxy += (X[i] - mx) * (y[i] - my);
  }
  for (double lambda = 0; lambda <= 10; lambda += 5) {
    double beta[2];
    CHECK_OK(dnt_forecast_ridge_fit(X, y, 5, 1, lambda, beta));
    double slope = sxy / (sxx + lambda);
    CHECK_NEAR(beta[0], slope, 1e-12);
    CHECK_NEAR(beta[1], my - slope * mx, 1e-12);
  }
  /* an exact linear relation in two inputs is found with lambda 0 */
  double X2[12], y2[6], b2[3];
  for (int i = 0; i < 6; i++) {
    X2[2 * i] = i;
    X2[2 * i + 1] = (i * i) % 5;
    y2[i] = 3 * X2[2 * i] - 2 * X2[2 * i + 1] + 0.5;
  }
  CHECK_OK(dnt_forecast_ridge_fit(X2, y2, 6, 2, 0, b2));
  CHECK_NEAR(b2[0], 3, 1e-9);
  CHECK_NEAR(b2[1], -2, 1e-9);
  CHECK_NEAR(b2[2], 0.5, 1e-9);
  /* an input that is always 0 makes the system singular without a penalty
   * (an exact zero pivot), not with one */
  double Xc[8] = {1, 0, 2, 0, 3, 0, 4, 0}, yc[4] = {1, 2, 3, 4}, bc[3];
  CHECK(dnt_forecast_ridge_fit(Xc, yc, 4, 2, 0, bc) == DNT_ERR_NUMERIC);
  CHECK_OK(dnt_forecast_ridge_fit(Xc, yc, 4, 2, 1e-3, bc));
  /* the one-input closed form: centred Sxx = 5, Sxy = 5, mean x = mean y = 2.5 */
  CHECK_NEAR(bc[0], 5 / (5 + 1e-3), 1e-9);
  CHECK_NEAR(bc[1], 0, 1e-12);
  CHECK_NEAR(bc[2], 2.5 * (1 - 5 / (5 + 1e-3)), 1e-9);
}

static void ari_by_hand(void) {
  const int a[6] = {0, 0, 1, 1, 2, 2}, b[6] = {5, 5, 3, 3, 0, 0};
  CHECK_NEAR(dnt_forecast_ari(a, b, 6), 1, 1e-12); /* same partition, other names */
  /* a = {0,0,1,1}, c = {0,1,0,1}: index 0, expected 2/6 * ... -> ARI = -0.5 */
  const int a4[4] = {0, 0, 1, 1}, c4[4] = {0, 1, 0, 1};
  CHECK_NEAR(dnt_forecast_ari(a4, c4, 4), -0.5, 1e-12);
  /* {0,0,0,1,1,1} vs {0,0,1,1,2,2}: sum C(n_ij) = 1 + 0 + 0 + 1 = 2 (cells 2,1,1,2),
   * a: 3 + 3 = 6, b: 1 + 1 + 1 = 3, expected 6 * 3 / 15 = 1.2, max 4.5:
   * (2 - 1.2) / (4.5 - 1.2) = 0.242424... */
  const int p[6] = {0, 0, 0, 1, 1, 1}, q[6] = {0, 0, 1, 1, 2, 2};
  CHECK_NEAR(dnt_forecast_ari(p, q, 6), 0.8 / 3.3, 1e-12);
  const int one[3] = {0, 0, 0};
  CHECK_NEAR(dnt_forecast_ari(one, one, 3), 1, 0);
}

/* FedAtt by hand: deltas of norms 3 and 4 get softmax(3, 4) = (1, e) / (1 + e). */
static void fedatt_by_hand(void) {
  const float deltas[4] = {3, 0, 0, -4};
  double att[2], out[2], e = exp(1.0);
  dnt_forecast_fedatt(deltas, 2, 2, 0.5, att, out);
  CHECK_NEAR(att[0], 1 / (1 + e), 1e-12);
  CHECK_NEAR(att[1], e / (1 + e), 1e-12);
  CHECK_NEAR(out[0], 0.5 * 3 / (1 + e), 1e-12);
  CHECK_NEAR(out[1], 0.5 * -4 * e / (1 + e), 1e-12);
  dnt_forecast_fedatt(deltas, 1, 2, 1, att, out); /* one client: its delta */
  CHECK_NEAR(out[0], 3, 1e-12);
  CHECK_NEAR(out[1], 0, 1e-12);
}

static void methods_list(void) {
  int on[DNT_FC_N_METHODS];
  CHECK_OK(dnt_forecast_methods_parse("all", on));
  for (int m = 0; m < DNT_FC_N_METHODS; m++)
    CHECK(on[m] == 1);
  CHECK_OK(dnt_forecast_methods_parse("linear_ar,fedavg", on));
  CHECK(on[DNT_FC_LINEAR_AR] && on[DNT_FC_FEDAVG] && !on[DNT_FC_PERSISTENCE] &&
        !on[DNT_FC_CLUSTERED_SYNC]);
  CHECK(dnt_forecast_methods_parse("linear_ar,fedsgd", on) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "fedsgd") && strstr(dnt_last_error(), "forecast.methods"));
  CHECK(!strcmp(dnt_forecast_method_name(DNT_FC_CLUSTERED_SYNC_ASYNC), "clustered_sync_async"));
}

/* The test part never reaches a fitted number: the z-scores and the ridge's
 * forecasts of the test targets are the same when the test values change
 * (the ridge's inputs for a test target are earlier values, so only targets
 * whose inputs lie before the test part are compared). */
static void no_leakage(void) {
  enum { N = 600 };
  double y[N], y2[N];
  dnt_cell_sites sites = {0};
  int plant[1];
  CHECK_OK(dnt_forecast_generate(1, 1, N, 3, y, plant, &sites));
  dnt_cell_sites_free(&sites);
  dnt_seq_window w = {.window = 24, .horizon = 1, .season = 24};
  dnt_seq_split split;
  CHECK_OK(dnt_seq_split_fractions(N, 0.8, 0.2, &split));
  memcpy(y2, y, sizeof y);
  for (size_t t = split.val_end; t < N; t++)
    y2[t] = 1000 + 50 * y[t]; /* a wholly different test part */
  dnt_seq_data a, b;
  CHECK_OK(dnt_seq_data_init(&a, &w, y, 1, &split));
  CHECK_OK(dnt_seq_data_init(&b, &w, y2, 1, &split));
  CHECK(a.mean[0] == b.mean[0] && a.sd[0] == b.sd[0]);
  const double lambdas[3] = {0.1, 1, 10};
  double pa[N], pb[N], la, lb;
  CHECK_OK(dnt_forecast_linear_ar(&a, 0, lambdas, 3, pa, &la));
  CHECK_OK(dnt_forecast_linear_ar(&b, 0, lambdas, 3, pb, &lb));
  CHECK(la == lb);
  CHECK(pa[0] == pb[0]); /* the first test target's inputs all precede the test part */
  /* a later one reads test values as inputs (that is forecasting), with the
   * same coefficients: its forecast follows the changed inputs */
  CHECK(pa[30] != pb[30]);
  dnt_seq_data_free(&a);
  dnt_seq_data_free(&b);
}

static void planted_generator(void) {
  enum { NB = 12, K = 3, T = 24 * 14 };
  double *y = malloc(NB * T * sizeof *y), *y2 = malloc(NB * T * sizeof *y2);
  int plant[NB], plant2[NB];
  dnt_cell_sites s = {0}, s2 = {0};
  CHECK_OK(dnt_forecast_generate(NB, K, T, 5, y, plant, &s));
  CHECK_OK(dnt_forecast_generate(NB, K, T, 5, y2, plant2, &s2));
  CHECK(!memcmp(y, y2, NB * T * sizeof *y) && s.x[7] == s2.x[7]); /* reproducible */
  for (int i = 0; i < NB; i++)
    CHECK(plant[i] == i % K);
  int positive = 1;
  for (int i = 0; i < NB * T; i++)
    positive &= y[i] > 0 && isfinite(y[i]);
  CHECK(positive);
  /* same-cluster series correlate more than other-cluster ones */
  double same = 0, other = 0;
  int ns = 0, no = 0;
  for (int i = 0; i < NB; i++)
    for (int j = i + 1; j < NB; j++) {
      double mi = 0, mj = 0, sij = 0, sii = 0, sjj = 0;
      for (int t = 0; t < T; t++) {
        mi += y[i * T + t] / T;
        mj += y[j * T + t] / T;
      }
      for (int t = 0; t < T; t++) {
        double a = y[i * T + t] - mi, b = y[j * T + t] - mj;
        sij += a * b;
        sii += a * a;
        sjj += b * b;
      }
      double r = sij / sqrt(sii * sjj);
      if (plant[i] == plant[j]) {
        same += r;
        ns++;
      } else {
        other += r;
        no++;
      }
    }
  CHECK_MSG(same / ns > other / no + 0.2, "within %g, across %g", same / ns, other / no);
  dnt_cell_sites_free(&s);
  dnt_cell_sites_free(&s2);
  free(y);
  free(y2);
}

/* A wide CSV of two series with a hole of `gap` steps in the second at
 * lines 101.. (line 1 is the header), or a word in a cell with `word`. */
static void write_file(const char *path, int gap, int word) {
  FILE *f = fopen(path, "w");
  fprintf(f, "date,a,b\n");
  for (int t = 0; t < 400; t++) {
    double va = 5 + 3 * sin(t * 0.2618), vb = 4 + 2 * cos(t * 0.2618);
    int line = t + 2;
    if (word && line == 57)
      fprintf(f, "%d,%.4f,lots\n", t, va);
    else if (line >= 101 && line < 101 + gap)
      fprintf(f, "%d,%.4f,\n", t, va);
    else
      fprintf(f, "%d,%.4f,%.4f\n", t, va, vb);
  }
  fclose(f);
}

static void traffic_files(void) {
  dnt_study_forecast_config cfg;
  dnt_study_forecast_defaults(&cfg);
  cfg.methods = "persistence,seasonal_naive,linear_ar";
  const char *path = DNT_BINARY_DIR "/forecast-gaps.csv";
  cfg.data_file = path;
  write_file(path, 2, 0); /* 2 <= max_gap 3: filled */
  CHECK_OK(dnt_study_forecast_check(&cfg));
  dnt_run *run = NULL;
  CHECK_OK(
      dnt_run_open_mode(DNT_BINARY_DIR "/forecast-gaps", "forecast", NULL, 1, DNT_RUN_FORCE, &run));
  CHECK_OK(dnt_study_forecast_run(&cfg, run, NULL));
  double filled = -1, bs = 0, nr = NAN;
  CHECK_OK(dnt_run_summary_get(run, "data_filled", &filled));
  CHECK_OK(dnt_run_summary_get(run, "bs", &bs));
  CHECK_OK(dnt_run_summary_get(run, "linear_ar_nrmse", &nr));
  CHECK(filled == 2 && bs == 2);
  CHECK_MSG(nr < 0.05, "linear_ar NRMSE %g on two sinusoids", nr);
  CHECK_OK(dnt_run_close(run));

  write_file(path, 5, 0); /* 5 > 3: the error names file, column and rows */
  CHECK(dnt_study_forecast_check(&cfg) != 0);
  const char *e = dnt_last_error();
  CHECK_MSG(strstr(e, "forecast-gaps.csv") && strstr(e, "'b'") && strstr(e, "lines 101-105"), "%s",
            e);
  cfg.data_missing = "drop"; /* or the series is left out */
  CHECK_OK(dnt_study_forecast_check(&cfg));
  cfg.data_missing = "interpolate";

  write_file(path, 0, 1); /* a word in a cell: file and line */
  CHECK(dnt_study_forecast_check(&cfg) == DNT_ERR_PARSE);
  CHECK_MSG(strstr(dnt_last_error(), "forecast-gaps.csv:57"), "%s", dnt_last_error());

  cfg.data_file = DNT_BINARY_DIR "/no-such-traffic.csv"; /* a named file must read */
  CHECK(dnt_study_forecast_check(&cfg) != 0);
  CHECK(strstr(dnt_last_error(), "no-such-traffic.csv") != NULL);
}

int main(void) {
  windows_by_hand();
  errors_by_hand();
  ridge_closed_form();
  ari_by_hand();
  fedatt_by_hand();
  methods_list();
  no_leakage();
  planted_generator();
  traffic_files();
  return test_done("studies.forecast");
}
