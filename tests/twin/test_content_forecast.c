/* tests/twin/test_content_forecast.c: the twin's content forecaster
 * (dnt/content_forecast.h). On planted popularity whose next-step
 * distribution is known (a periodic swap of two hot sets; a drift where the
 * hot set moves on every few steps), the LSTM's one-step distribution is
 * closer (L1) to the planted one than the running-frequency estimate; the
 * tracked set is the top-K; shapes; argument errors; same seed, same
 * forecasts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/content_forecast.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "test.h"

enum { N_ITEMS = 40, K = 20, BLOCK = 100 };

/* Planted weights of the items at step s: periodic (the sets 0..9 and
 * 10..19 swap every 3 steps) or drifting (a hot window of 6 items moves by
 * 2 every 4 steps around items 0..19); items 20..39 are rare. */
static void planted(int drift, int64_t s, double *w) {
  for (int i = 0; i < N_ITEMS; i++)
    w[i] = i < 20 ? 1.0 : 0.2;
  if (!drift) {
    int phase = (int)((s / 3) % 2);
    for (int i = 0; i < 10; i++)
      w[i + 10 * phase] = 5.0;
  } else {
    int start = (int)((s / 4) * 2 % 20);
    for (int j = 0; j < 6; j++)
      w[(start + j) % 20] = 6.0;
  }
}

/* L1 distance of a distribution over the tracked items to the planted one
 * restricted to them. */
static double l1_to_planted(const dnt_content_forecast *f, const double *p, const double *w) {
  int n = dnt_content_forecast_n_tracked(f);
  const int *items = dnt_content_forecast_tracked(f);
  double total = 0, d = 0;
  for (int s = 0; s < n; s++)
    total += w[items[s]];
  for (int s = 0; s < n; s++)
    d += fabs(p[s] - w[items[s]] / total);
  return d;
}

static dnt_content_forecast_config config(void) {
  dnt_content_forecast_config c;
  dnt_content_forecast_config_default(&c, N_ITEMS);
  c.k = K;
  c.block = BLOCK;
  c.history = 40;
  c.window = 8;
  c.hidden = 16;
  c.train_steps = 150;
  c.refit_every = 10;
  c.seed = 7;
  return c;
}

/* Runs `steps` planted steps; from step `from` on, sums the L1 errors of
 * the forecast and of the running frequency to the next step's plant. */
static void run_plant(int drift, int steps, int from, double *err_lstm, double *err_freq) {
  dnt_content_forecast_config c = config();
  dnt_content_forecast *f;
  CHECK_OK(dnt_content_forecast_create(&c, &f));
  dnt_rng rng;
  dnt_rng_for(&rng, 3, DNT_STREAM_DATA, (uint64_t)drift);
  double w[N_ITEMS], freq[K];
  dnt_alias table;
  *err_lstm = *err_freq = 0;
  for (int64_t s = 0; s < steps; s++) {
    planted(drift, s, w);
    CHECK_OK(dnt_alias_init(&table, w, N_ITEMS));
    for (int r = 0; r < BLOCK; r++)
      CHECK_OK(dnt_content_forecast_observe(f, (int)dnt_alias_sample(&table, &rng)));
    dnt_alias_free(&table);
    if (s + 1 >= from && dnt_content_forecast_ready(f)) {
      planted(drift, s + 1, w);
      dnt_content_forecast_frequency(f, freq);
      *err_lstm += l1_to_planted(f, dnt_content_forecast_probs(f), w);
      *err_freq += l1_to_planted(f, freq, w);
    }
  }
  CHECK(dnt_content_forecast_steps(f) == steps);
  dnt_content_forecast_destroy(f);
}

static void test_beats_frequency(void) {
  int small = getenv("DNT_SANITIZED") != NULL;
  int steps = small ? 90 : 160, from = small ? 60 : 100;
  for (int drift = 0; drift < 2; drift++) {
    double el, ef;
    run_plant(drift, steps, from, &el, &ef);
    printf("%s: mean L1 to the plant: lstm %.4f, running frequency %.4f\n",
           drift ? "drift" : "periodic", el / (steps - from + 1), ef / (steps - from + 1));
    CHECK_MSG(el < 0.75 * ef, "%s: lstm %.4f vs frequency %.4f", drift ? "drift" : "periodic", el,
              ef);
  }
}

static void test_shapes_and_tracking(void) {
  dnt_content_forecast_config c = config();
  c.refit_every = 0;
  dnt_content_forecast *f;
  CHECK_OK(dnt_content_forecast_create(&c, &f));
  CHECK(!dnt_content_forecast_ready(f) && dnt_content_forecast_n_tracked(f) == 0);
  CHECK(dnt_content_forecast_prob(f, 0) == 0 && isnan(dnt_content_forecast_loss(f)));
  CHECK(dnt_content_forecast_fit(f) == DNT_ERR_ARG); /* nothing kept yet */
  CHECK(dnt_content_forecast_observe(f, N_ITEMS) == DNT_ERR_ARG);
  CHECK(dnt_content_forecast_observe(f, -1) == DNT_ERR_ARG);
  /* per step of 100: item 0 40 times, item 1 39, item 2 21; the top-K are
   * 0, 1, 2, then the unrequested items by id (ties to the lower id) */
  for (int s = 0; s < 20; s++) {
    int r = 0;
    for (int i = 0; r < BLOCK; i++)
      for (int j = 0; j < 40 - i && r < BLOCK; j++, r++)
        CHECK_OK(dnt_content_forecast_observe(f, i));
  }
  CHECK_OK(dnt_content_forecast_fit(f));
  CHECK(dnt_content_forecast_ready(f) && dnt_content_forecast_n_tracked(f) == K);
  for (int s = 0; s < K; s++)
    CHECK(dnt_content_forecast_tracked(f)[s] == s);
  CHECK(dnt_content_forecast_prob(f, K) == 0); /* untracked */
  /* a constant plant: the forecast is the share of each item, 0.40/0.39/0.21 */
  CHECK_NEAR(dnt_content_forecast_prob(f, 0), 0.40, 0.05);
  CHECK_NEAR(dnt_content_forecast_prob(f, 2), 0.21, 0.05);
  CHECK(dnt_content_forecast_prob(f, 5) < 0.02);
  dnt_content_forecast_destroy(f);
  /* k bounded by the catalogue, and the config errors */
  c = config();
  c.k = N_ITEMS + 1;
  CHECK(dnt_content_forecast_create(&c, &f) == DNT_ERR_ARG && f == NULL);
  c = config();
  c.history = c.window + 2;
  CHECK(dnt_content_forecast_create(&c, &f) == DNT_ERR_ARG && f == NULL);
}

static void test_determinism(void) {
  dnt_content_forecast_config c = config();
  dnt_content_forecast *a, *b;
  CHECK_OK(dnt_content_forecast_create(&c, &a));
  CHECK_OK(dnt_content_forecast_create(&c, &b));
  dnt_rng rng;
  dnt_rng_for(&rng, 5, DNT_STREAM_DATA, 0);
  for (int r = 0; r < 30 * BLOCK; r++) {
    int item = (int)dnt_rng_below(&rng, N_ITEMS);
    CHECK_OK(dnt_content_forecast_observe(a, item));
    CHECK_OK(dnt_content_forecast_observe(b, item));
  }
  CHECK(dnt_content_forecast_ready(a) && dnt_content_forecast_n_tracked(a) == K);
  double sum = 0;
  for (int s = 0; s < K; s++)
    sum += dnt_content_forecast_probs(a)[s];
  CHECK_NEAR(sum, 1, 1e-12);
  CHECK(memcmp(dnt_content_forecast_probs(a), dnt_content_forecast_probs(b), K * sizeof(double)) ==
        0);
  CHECK(memcmp(dnt_content_forecast_tracked(a), dnt_content_forecast_tracked(b), K * sizeof(int)) ==
        0);
  int tracked0 = dnt_content_forecast_tracked(a)[0];
  CHECK(dnt_content_forecast_prob(a, tracked0) == dnt_content_forecast_probs(a)[0]);
  dnt_content_forecast_destroy(a);
  dnt_content_forecast_destroy(b);
}

int main(void) {
  test_shapes_and_tracking();
  test_determinism();
  test_beats_frequency();
  return test_done("twin.content_forecast");
}
