/* bench/nn/bench_seq_forecast.c: S forecasters trained through one call
 * (dnt_seq_train_many) against S separate dnt_seq_train calls, its peer.
 *
 *   build/bench_seq_forecast            # S = 8 series
 *   build/bench_seq_forecast --quick    # S = 4, fewer epochs
 *
 * Workload: the forecasting study's, one model per base station: S series of
 * 720 hourly values (a month; daily wave, trend, noise), window 24, season 24
 * (two features), LSTM hidden 32, batch 32, 5 epochs (patience 0: every epoch
 * runs, so both sides do the same work), validation 0.2 of the first 0.8.
 * Times are wall clock (threads are the point; CPU time beside it), median of
 * 3 repetitions with the sides alternated; fresh models each repetition, their creation not
 * timed. The run also checks that the S models of every side end bit-identical.
 *
 * A plain loop on one and two threads, run just before each 2-thread side,
 * gives the machine's own 2-thread ceiling at that moment (a shared machine
 * may offer one core's worth).
 *
 * The second table is the evidence for the design choice (dnt/seq_forecast.h):
 * one model's training cost per window at batch 32 and at batch 32 S. If
 * batching the S models into one larger product were possible (the weights
 * differ, so it would be a strided batch of S small products), it could save
 * at most the difference between these two per-window costs. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnt/seq_forecast.h"
#include "dnt/status.h"

enum { LEN = 720, MAX_S = 8 };

static double clock_s(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static double wall(void) {
  return clock_s(CLOCK_MONOTONIC);
}
static double cpu(void) { /* CPU time of the process, all threads */
  return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void die(const char *what) {
  fprintf(stderr, "bench_seq_forecast: %s: %s\n", what, dnt_last_error());
  exit(1);
}

/* Creates S fresh models (indices 0..S-1) of config c. */
static void fresh(const dnt_seq_config *c, int S, dnt_seq_model **m) {
  for (int i = 0; i < S; i++)
    if (dnt_seq_model_create(c, (uint64_t)i, &m[i])) die("model");
}

static void destroy(dnt_seq_model **m, int S) {
  for (int i = 0; i < S; i++)
    dnt_seq_model_destroy(m[i]);
}

/* Wall seconds for one side (CPU seconds into *cpu_s): mode 0 = S separate
 * calls, else train_many on `mode` threads. */
static double run_side(const dnt_seq_config *c, const dnt_seq_data *const *dp, int S, int mode,
                       dnt_seq_model **m, double *cpu_s) {
  fresh(c, S, m);
  double t0 = wall(), c0 = cpu();
  if (mode == 0) {
    for (int i = 0; i < S; i++)
      if (dnt_seq_train(m[i], dp[i], NULL)) die("train");
  } else if (dnt_seq_train_many(m, dp, (size_t)S, mode, NULL)) {
    die("train_many");
  }
  *cpu_s = cpu() - c0;
  return wall() - t0;
}

static int same(dnt_seq_model **a, dnt_seq_model **b, int S) {
  for (int i = 0; i < S; i++) {
    dnt_net *x = dnt_seq_model_net(a[i]), *y = dnt_seq_model_net(b[i]);
    if (memcmp(dnt_net_params(x), dnt_net_params(y), dnt_net_nparams(x) * sizeof(float))) return 0;
  }
  return 1;
}

/* The machine's own ceiling: a plain arithmetic loop twice on one thread,
 * then once on each of two threads (no memory, no locks, no BLAS). */
static void *spin(void *arg) {
  double x = *(double *)arg;
  for (long i = 0; i < 40000000L; i++)
    x = x * 0.999999 + 1e-7;
  *(double *)arg = x;
  return NULL;
}

static double machine_two_thread_ratio(void) {
  double a = 1, b = 1;
  double t0 = wall();
  spin(&a);
  spin(&b);
  double t1 = wall();
  pthread_t th;
  if (pthread_create(&th, NULL, spin, &a)) return 1;
  spin(&b);
  pthread_join(th, NULL);
  return (t1 - t0) / (wall() - t1);
}

int main(int argc, char **argv) {
  int quick = argc > 1 && !strcmp(argv[1], "--quick");
  int S = quick ? 4 : MAX_S;
  dnt_seq_config c;
  dnt_seq_config_default(&c);
  c.win = (dnt_seq_window){.window = 24, .horizon = 1, .season = 24};
  c.max_epochs = quick ? 2 : 5;
  c.patience = 0;
  dnt_seq_split split;
  if (dnt_seq_split_fractions(LEN, 0.8, 0.2, &split)) die("split");
  static double y[MAX_S][LEN];
  dnt_seq_data d[MAX_S];
  const dnt_seq_data *dp[MAX_S];
  for (int i = 0; i < S; i++) {
    dnt_rng r;
    dnt_rng_for(&r, 1, DNT_STREAM_DATA, (uint64_t)i);
    for (int t = 0; t < LEN; t++)
      y[i][t] = 5 + 0.001 * t * i + (2 + 0.1 * i) * sin(2 * M_PI * (t + 3 * i) / 24.0) +
                dnt_rng_normal(&r, 0, 0.4);
    if (dnt_seq_data_init(&d[i], &c.win, y[i], 1, &split)) die("data");
    dp[i] = &d[i];
  }
  static const char *const side[] = {"S separate dnt_seq_train", "train_many, 1 thread",
                                     "train_many, 2 threads"};
  double t[3][3], tc[3][3], ctl[3];
  dnt_seq_model *ref[MAX_S], *m[MAX_S];
  fresh(&c, S, ref); /* the reference: S separate trainings */
  for (int i = 0; i < S; i++)
    if (dnt_seq_train(ref[i], dp[i], NULL)) die("train");
  int identical = 1;
  for (int rep = 0; rep < 3; rep++)
    for (int k = 0; k < 3; k++) {
      int s = (k + rep) % 3;                             /* alternate the order */
      if (s == 2) ctl[rep] = machine_two_thread_ratio(); /* just before the 2-thread side */
      t[s][rep] = run_side(&c, dp, S, s, m, &tc[s][rep]);
      identical &= same(ref, m, S);
      destroy(m, S);
    }
  printf("S = %d forecasters (window 24, season 24, hidden 32, batch 32, %d epochs, %zu training "
         "windows each)\n\n",
         S, c.max_epochs, dnt_seq_data_count(&d[0], DNT_SEQ_TRAIN));
  printf(
      "| side | wall s (median of 3) | CPU s | speed-up vs separate (wall) |\n|---|---|---|---|\n");
  double base = 0;
  for (int s = 0; s < 3; s++) {
    qsort(t[s], 3, sizeof t[s][0], cmp_double);
    qsort(tc[s], 3, sizeof tc[s][0], cmp_double);
    if (s == 0) base = t[s][1];
    printf("| %s | %.3f | %.3f | %.2fx |\n", side[s], t[s][1], tc[s][1], base / t[s][1]);
  }
  printf("\nbit-identical to separate trainings: %s\n", identical ? "yes" : "NO");
  FILE *la = fopen("/proc/loadavg", "r");
  double load = -1;
  if (la) {
    if (fscanf(la, "%lf", &load) != 1) load = -1;
    fclose(la);
  }
  if (load >= 0) printf("load average (1 min) at the end: %.1f\n", load);
  qsort(ctl, 3, sizeof ctl[0], cmp_double);
  printf("the machine's own 2-thread speed-up just before each 2-thread side (a plain loop, no "
         "BLAS): %.2fx (median; %.2fx to %.2fx)\n",
         ctl[1], ctl[0], ctl[2]);

  /* one model, per-window cost at batch 32 and 32 S */
  printf("\n| one model, batch | CPU us per training window (epoch and its validation) "
         "|\n|---|---|\n");
  int batches[2] = {32, 32 * S};
  for (int b = 0; b < 2; b++) {
    dnt_seq_config cb = c;
    cb.batch = batches[b];
    cb.max_epochs = 2;
    double tb[3];
    for (int rep = 0; rep < 3; rep++) {
      dnt_seq_model *one;
      if (dnt_seq_model_create(&cb, 0, &one)) die("model");
      double t0 = cpu();
      if (dnt_seq_train(one, &d[0], NULL)) die("train");
      tb[rep] = cpu() - t0;
      dnt_seq_model_destroy(one);
    }
    qsort(tb, 3, sizeof tb[0], cmp_double);
    printf("| %d | %.1f |\n", batches[b],
           tb[1] * 1e6 / (2.0 * (double)dnt_seq_data_count(&d[0], DNT_SEQ_TRAIN)));
  }
  for (int i = 0; i < S; i++)
    dnt_seq_data_free(&d[i]);
  destroy(ref, S);
  return identical ? 0 : 1;
}
