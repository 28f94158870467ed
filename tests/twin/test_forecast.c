/* tests/twin/test_forecast.c: forecasters (dnt/forecast.h). Hand-computed
 * seasonal-naive and EWMA forecasts; the rolling-origin errors on series with
 * known errors (zero on a periodic series, h on a line for the naive
 * forecast); the LSTM beats or matches seasonal naive on a noisy seasonal
 * series, one step and six steps ahead; argument errors; the LSTM's initial
 * weights from its own stream (regression) and its validation part. */
#include <string.h>

#include "dnt/forecast.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "test.h"

static void test_baselines(void) {
  dnt_forecaster *sn, *ew;
  CHECK_OK(dnt_forecaster_seasonal_naive(3, &sn));
  CHECK_OK(dnt_forecaster_ewma(0.5, &ew));
  double out[5];
  CHECK_OK(dnt_forecaster_predict(sn, (double[]){1, 2, 3, 4, 5, 6}, 6, 5, out));
  CHECK(out[0] == 4 && out[1] == 5 && out[2] == 6 && out[3] == 4 && out[4] == 5);
  CHECK_OK(dnt_forecaster_predict(ew, (double[]){0, 0, 8}, 3, 2, out));
  CHECK(out[0] == 4 && out[1] == 4);
  CHECK_OK(dnt_forecaster_predict(ew, (double[]){2, 4}, 2, 1, out));
  CHECK(out[0] == 3);
  CHECK(dnt_forecaster_predict(sn, (double[]){1, 2}, 2, 1, out) == DNT_ERR_ARG);
  CHECK(dnt_forecaster_predict(sn, (double[]){1, 2, 3}, 3, 0, out) == DNT_ERR_ARG);
  CHECK(strcmp(dnt_forecaster_name(sn), "seasonal-naive") == 0);
  CHECK(dnt_forecaster_lstm_net(sn) == NULL);
  dnt_forecaster_destroy(sn);
  dnt_forecaster_destroy(ew);
  CHECK(dnt_forecaster_seasonal_naive(0, &sn) == DNT_ERR_ARG && sn == NULL);
  CHECK(dnt_forecaster_ewma(1.5, &ew) == DNT_ERR_ARG && ew == NULL);
}

static void test_evaluate_known(void) {
  enum { N = 100 };
  double periodic[N], line[N];
  for (int t = 0; t < N; t++) {
    periodic[t] = (double)(t % 7) * 1.5;
    line[t] = t;
  }
  dnt_forecaster *sn, *naive;
  CHECK_OK(dnt_forecaster_seasonal_naive(7, &sn));
  CHECK_OK(dnt_forecaster_seasonal_naive(1, &naive));
  dnt_forecast_error e;
  CHECK_OK(dnt_forecast_evaluate(sn, periodic, 1, N, 7, 10, 1, &e));
  CHECK(e.origins == N - 7 - 10 + 1 && e.rmse[0] == 0 && e.rmse[9] == 0);
  CHECK_OK(dnt_forecast_evaluate(naive, line, 1, N, 10, 4, 3, &e));
  for (int h = 0; h < 4; h++) {
    CHECK_NEAR(e.mae[h], h + 1, 1e-12);
    CHECK_NEAR(e.rmse[h], h + 1, 1e-12);
  }
  CHECK(dnt_forecast_evaluate(sn, periodic, 1, N, 3, 10, 1, &e) == DNT_ERR_ARG);
  CHECK(dnt_forecast_evaluate(sn, periodic, 0, N, 7, 10, 1, &e) == DNT_ERR_ARG);
  /* seen: the line held for 2 steps (a stale mirror); truth: the line. The
   * naive forecast from the held series at an even origin t is t - 2, at an
   * odd one t - 1; scored on the truth t + h its error is h + 2 or h + 1. */
  double held[N];
  for (int t = 0; t < N; t++)
    held[t] = line[t - t % 2];
  CHECK_OK(dnt_forecast_evaluate_against(naive, held, line, 1, N, 10, 2, 1, &e));
  double even = 0, odd = 0;
  for (int t = 10; t + 2 <= N; t++)
    *(t % 2 ? &odd : &even) += 1;
  CHECK(e.origins == (size_t)(even + odd));
  for (int h = 0; h < 2; h++)
    CHECK_NEAR(e.mae[h], (even * (h + 2) + odd * (h + 1)) / (even + odd), 1e-12);
  dnt_forecaster_destroy(sn);
  dnt_forecaster_destroy(naive);
}

/* The ticking evaluation: one tick per series, done = 1..n in order, and the
 * errors of the plain one bit for bit. */
typedef struct ticks {
  size_t calls, last, total;
  int in_order;
} ticks;

static void count_tick(void *ctx, size_t done, size_t total) {
  ticks *t = ctx;
  t->in_order &= done == t->last + 1;
  t->last = done, t->total = total, t->calls++;
}

static void test_evaluate_ticking(void) {
  enum { S = 5, N = 60 };
  double y[S * N], x[S * N];
  for (int j = 0; j < S; j++)
    for (int t = 0; t < N; t++) {
      y[j * N + t] = sin(0.3 * t + j) + 0.1 * j * t;
      x[j * N + t] = y[j * N + t] + 0.05 * cos(1.7 * t * (j + 1));
    }
  dnt_forecaster *ew;
  CHECK_OK(dnt_forecaster_ewma(0.4, &ew));
  dnt_forecast_error a, b;
  ticks tk = {0, 0, 0, 1};
  CHECK_OK(dnt_forecast_evaluate_against(ew, y, x, S, N, 8, 3, 2, &a));
  CHECK_OK(dnt_forecast_evaluate_ticking(ew, y, x, S, N, 8, 3, 2, count_tick, &tk, &b));
  CHECK(memcmp(&a, &b, sizeof a) == 0);
  CHECK(tk.calls == S && tk.last == S && tk.total == S && tk.in_order);
  CHECK_OK(dnt_forecast_evaluate_ticking(ew, y, x, S, N, 8, 3, 2, NULL, NULL, &b));
  CHECK(memcmp(&a, &b, sizeof a) == 0);
  dnt_forecaster_destroy(ew);
}

static void test_lstm_vs_seasonal(void) {
  /* 4 series, season 24, amplitude 3, noise sd 0.5: seasonal naive's one-step
   * RMSE is 0.5 sqrt(2) = 0.71; the best possible is 0.5 */
  enum { S = 4, LEN = 24 * 40, TRAIN = 24 * 30 };
  double *y = malloc(S * LEN * sizeof *y);
  dnt_rng rng;
  dnt_rng_seed(&rng, 3);
  for (int j = 0; j < S; j++)
    for (int t = 0; t < LEN; t++)
      y[j * LEN + t] =
          10 + 2 * j + 3 * sin(2 * M_PI * (t + 5 * j) / 24.0) + dnt_rng_normal(&rng, 0, 0.5);
  double *train = malloc(S * TRAIN * sizeof *train);
  for (int j = 0; j < S; j++)
    memcpy(train + j * TRAIN, y + j * LEN, TRAIN * sizeof *y);
  dnt_lstm_forecaster_config c;
  dnt_lstm_forecaster_config_default(&c);
  c.hidden = 16;
  c.train_steps = 800;
  dnt_forecaster *lstm, *sn, *ew;
  CHECK_OK(dnt_forecaster_lstm(&c, &lstm));
  CHECK_OK(dnt_forecaster_seasonal_naive(24, &sn));
  CHECK_OK(dnt_forecaster_ewma(0.3, &ew));
  CHECK(dnt_forecaster_min_history(lstm) == 24 + 23);
  CHECK(dnt_forecaster_lstm_net(lstm) != NULL);
  CHECK_OK(dnt_forecaster_fit(lstm, train, S, TRAIN));
  CHECK(dnt_forecaster_lstm_loss(lstm) < 0.2);
  dnt_forecast_error el, es, ee;
  CHECK_OK(dnt_forecast_evaluate(lstm, y, S, LEN, TRAIN, 6, 2, &el));
  CHECK_OK(dnt_forecast_evaluate(sn, y, S, LEN, TRAIN, 6, 2, &es));
  CHECK_OK(dnt_forecast_evaluate(ew, y, S, LEN, TRAIN, 6, 2, &ee));
  printf("rmse 1-step / 6-step: lstm %.3f / %.3f, seasonal naive %.3f / %.3f, ewma %.3f / %.3f\n",
         el.rmse[0], el.rmse[5], es.rmse[0], es.rmse[5], ee.rmse[0], ee.rmse[5]);
  CHECK(el.rmse[0] <= es.rmse[0]);
  CHECK(el.rmse[5] <= es.rmse[5]);
  CHECK(es.rmse[0] > 0.6 && es.rmse[0] < 0.85);
  CHECK(ee.rmse[5] > es.rmse[5]);
  /* determinism: same seed, same forecast */
  dnt_forecaster *again;
  CHECK_OK(dnt_forecaster_lstm(&c, &again));
  CHECK_OK(dnt_forecaster_fit(again, train, S, TRAIN));
  double a[3], b[3];
  CHECK_OK(dnt_forecaster_predict(lstm, y, LEN, 3, a));
  CHECK_OK(dnt_forecaster_predict(again, y, LEN, 3, b));
  CHECK(memcmp(a, b, sizeof a) == 0);
  CHECK(dnt_forecaster_fit(again, train, S, 40) == DNT_ERR_ARG); /* shorter than the window */
  train[5] = NAN;
  CHECK(dnt_forecaster_fit(again, train, S, TRAIN) == DNT_ERR_NUMERIC);
  dnt_forecaster_destroy(lstm);
  dnt_forecaster_destroy(again);
  dnt_forecaster_destroy(sn);
  dnt_forecaster_destroy(ew);
  free(y);
  free(train);
}

/* Regression: the initial weights came from dnt_rng_seed(seed), the
 * generator the site generator also seeded from the same seed. They come from
 * the stream (seed, DNT_STREAM_NET_INIT, 0) now. */
static void test_lstm_init_stream(void) {
  dnt_lstm_forecaster_config c;
  dnt_lstm_forecaster_config_default(&c);
  c.hidden = 4;
  c.window = 3;
  c.season = 0;
  c.seed = 42;
  dnt_forecaster *f;
  CHECK_OK(dnt_forecaster_lstm(&c, &f));
  dnt_net *net = dnt_forecaster_lstm_net(f);
  dnt_net *ref;
  CHECK_OK(dnt_net_create(dnt_net_get_arch(net), 1, NULL, NULL, &ref));
  size_t np = dnt_net_nparams(net);
  dnt_rng r;
  dnt_rng_seed(&r, 42); /* the old, colliding generator */
  dnt_net_init(ref, &r);
  CHECK(memcmp(dnt_net_params(ref), dnt_net_params(net), np * sizeof(float)) != 0);
  dnt_rng_for(&r, 42, DNT_STREAM_NET_INIT, 0);
  dnt_net_init(ref, &r);
  CHECK(memcmp(dnt_net_params(ref), dnt_net_params(net), np * sizeof(float)) == 0);
  CHECK(isnan(dnt_forecaster_lstm_loss(f))); /* no fit yet */
  /* the validation part must hold windows: 10 values, window 3, 20% */
  double y[10] = {1, 2, 3, 4, 5, 4, 3, 2, 1, 2};
  CHECK_OK(dnt_forecaster_fit(f, y, 1, 10));
  c.val_fraction = 0.05; /* half a value: no validation part */
  dnt_forecaster *g;
  CHECK_OK(dnt_forecaster_lstm(&c, &g));
  CHECK(dnt_forecaster_fit(g, y, 1, 10) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "lstm forecaster") != NULL);
  dnt_forecaster_destroy(g);
  c.val_fraction = 1;
  CHECK(dnt_forecaster_lstm(&c, &g) == DNT_ERR_ARG);
  dnt_net_destroy(ref);
  dnt_forecaster_destroy(f);
}

int main(void) {
  test_baselines();
  test_evaluate_known();
  test_evaluate_ticking();
  test_lstm_vs_seasonal();
  test_lstm_init_stream();
  return test_done("twin.forecast");
}
