/* tests/nn/test_seq_forecast.c: the forecasters' training loop
 * (dnt/seq_forecast.h). Hand-computed windows (with horizon and season),
 * splits and z-score statistics (the training part's mean and sd, whatever
 * the other parts hold); the early-stopping rule on a known loss sequence and
 * in training (it stops patience epochs after the best validation epoch and
 * keeps that epoch's weights); a linear series learned to small error; the
 * test part never seen (changing it changes neither the weights nor the
 * chosen epoch); S models trained in one call bit-identical to S separate
 * trainings on 1 and 3 threads; errors naming what is wrong. */
#include <math.h>
#include <string.h>

#include "dnt/rng.h"
#include "dnt/seq_forecast.h"
#include "dnt/status.h"
#include "test.h"

static void test_windows(void) {
  double z[20];
  for (int t = 0; t < 20; t++)
    z[t] = t;
  dnt_seq_window w = {.window = 3, .horizon = 2, .season = 4};
  CHECK(dnt_seq_window_features(&w) == 2);
  CHECK(dnt_seq_window_lead(&w) == 6); /* T - 1 + max(h, s) */
  float x[6];
  dnt_seq_window_fill(&w, z, 10, x); /* inputs u = 6, 7, 8; seasonal u + 2 - 4 */
  float want[6] = {6, 4, 7, 5, 8, 6};
  CHECK(memcmp(x, want, sizeof x) == 0);
  dnt_seq_window one = {.window = 2, .horizon = 1, .season = 0};
  CHECK(dnt_seq_window_features(&one) == 1 && dnt_seq_window_lead(&one) == 2);
  dnt_seq_window_fill(&one, z, 5, x);
  CHECK(x[0] == 3 && x[1] == 4);

  dnt_seq_split s;
  CHECK_OK(dnt_seq_split_fractions(100, 0.8, 0.25, &s));
  CHECK(s.train_end == 60 && s.val_end == 80 && s.len == 100);
  CHECK_OK(dnt_seq_split_fractions(100, 1, 0, &s));
  CHECK(s.train_end == 100 && s.val_end == 100);
  CHECK(dnt_seq_split_fractions(100, 0, 0.2, &s) == DNT_ERR_ARG);
  CHECK(dnt_seq_split_fractions(100, 0.8, 1, &s) == DNT_ERR_ARG);
  CHECK(dnt_seq_split_fractions(10, 0.5, 0.1, &s) == DNT_ERR_ARG); /* 5 fit, 0 validation */

  /* windows by part: len 20, train [0, 10), val [10, 15), test [15, 20) */
  dnt_seq_data d;
  dnt_seq_split sp = {10, 15, 20};
  double two[40];
  for (int t = 0; t < 40; t++)
    two[t] = t < 20 ? t : 100 - t;
  CHECK_OK(dnt_seq_data_init(&d, &one, two, 2, &sp));
  CHECK(dnt_seq_data_count(&d, DNT_SEQ_TRAIN) == 2 * 8);
  CHECK(dnt_seq_data_count(&d, DNT_SEQ_VAL) == 2 * 5);
  CHECK(dnt_seq_data_count(&d, DNT_SEQ_TEST) == 2 * 5);
  size_t j, tau;
  float y;
  dnt_seq_data_window(&d, DNT_SEQ_TRAIN, 9, x, &y, &j, &tau);
  CHECK(j == 1 && tau == 3);
  CHECK_NEAR(y * d.sd[1] + d.mean[1], 100 - 23, 1e-4);
  CHECK_NEAR(x[1] * d.sd[1] + d.mean[1], 100 - 22, 1e-4);
  dnt_seq_data_window(&d, DNT_SEQ_TEST, 4, NULL, NULL, &j, &tau);
  CHECK(j == 0 && tau == 19);
  dnt_seq_data_free(&d);
}

static void test_zscore_training_part_only(void) {
  /* training part 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squares 32, sample sd
   * sqrt(32 / 7) */
  double y[12] = {2, 4, 4, 4, 5, 5, 7, 9, 50, 60, 70, 80};
  dnt_seq_window w = {.window = 2, .horizon = 1, .season = 0};
  dnt_seq_split sp = {8, 10, 12};
  dnt_seq_data d;
  CHECK_OK(dnt_seq_data_init(&d, &w, y, 1, &sp));
  CHECK(d.mean[0] == 5 && d.sd[0] == sqrt(32.0 / 7));
  CHECK(d.z[0] == -3 / sqrt(32.0 / 7) && d.z[11] == 75 / sqrt(32.0 / 7));
  dnt_seq_data_free(&d);
  double flat[6] = {3, 3, 3, 3, 9, 9};
  dnt_seq_split fs = {4, 4, 6};
  CHECK_OK(dnt_seq_data_init(&d, &w, flat, 1, &fs));
  CHECK(d.mean[0] == 3 && d.sd[0] == 1 && d.z[5] == 6); /* flat: centred only */
  dnt_seq_data_free(&d);
}

static void test_errors(void) {
  double y[30];
  for (int t = 0; t < 30; t++)
    y[t] = sin(t);
  dnt_seq_window w = {.window = 8, .horizon = 1, .season = 0};
  dnt_seq_data d;
  dnt_seq_split shortp = {8, 20, 30}; /* 8 training values, window 8: no window */
  CHECK(dnt_seq_data_init(&d, &w, y, 1, &shortp) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "too short") != NULL);
  dnt_seq_split beyond = {10, 31, 30};
  CHECK(dnt_seq_data_init(&d, &w, y, 1, &beyond) == DNT_ERR_ARG);
  dnt_seq_window bad = {.window = 4, .horizon = 3, .season = 2};
  dnt_seq_split ok = {20, 25, 30};
  CHECK(dnt_seq_data_init(&d, &bad, y, 1, &ok) == DNT_ERR_ARG);
  double two[60];
  for (int t = 0; t < 60; t++)
    two[t] = t % 30 == 27 && t > 30 ? NAN : 1.0 + t;
  CHECK(dnt_seq_data_init(&d, &w, two, 2, &ok) == DNT_ERR_NUMERIC);
  CHECK_MSG(strstr(dnt_last_error(), "series 1, value 27") != NULL, "%s", dnt_last_error());

  dnt_seq_config c;
  dnt_seq_config_default(&c);
  dnt_seq_model *m;
  c.batch = 0;
  CHECK(dnt_seq_model_create(&c, 0, &m) == DNT_ERR_ARG && m == NULL);
  dnt_seq_config_default(&c);
  c.win.window = 4;
  CHECK_OK(dnt_seq_model_create(&c, 0, &m));
  CHECK_OK(dnt_seq_data_init(&d, &w, y, 1, &ok));
  CHECK(dnt_seq_train(m, &d, NULL) == DNT_ERR_MISMATCH); /* window 8 data, window 4 model */
  dnt_seq_data_free(&d);
  /* a validation value whose square overflows: a numeric error, not a kept model */
  dnt_seq_window w4 = c.win;
  y[22] = 1e200;
  CHECK_OK(dnt_seq_data_init(&d, &w4, y, 1, &ok));
  CHECK(dnt_seq_train(m, &d, NULL) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "validation loss") != NULL);
  dnt_seq_data_free(&d);
  dnt_seq_model_destroy(m);
}

static void test_early_stop_rule(void) {
  double loss[] = {5, 4, 3, 3.5, 3, 2.5, 2.6, 2.7, 2.8, 1};
  dnt_seq_verdict want[] = {DNT_SEQ_IMPROVED,
                            DNT_SEQ_IMPROVED,
                            DNT_SEQ_IMPROVED,
                            DNT_SEQ_GO_ON,
                            DNT_SEQ_GO_ON /* equal is no better */,
                            DNT_SEQ_IMPROVED,
                            DNT_SEQ_GO_ON,
                            DNT_SEQ_GO_ON,
                            DNT_SEQ_STOP};
  dnt_seq_early_stop s;
  dnt_seq_early_stop_init(&s, 3);
  for (int e = 0; e < 9; e++)
    CHECK_MSG(dnt_seq_early_stop_update(&s, loss[e]) == want[e], "epoch %d", e + 1);
  CHECK(s.best_epoch == 6 && s.best == 2.5 && s.epoch == 9);
  dnt_seq_early_stop_init(&s, 0); /* never stops */
  for (int e = 0; e < 9; e++)
    CHECK(dnt_seq_early_stop_update(&s, e == 0 ? 1 : NAN) != DNT_SEQ_STOP);
  CHECK(s.best_epoch == 1);
}

/* n values: level + slope t + a season-8 wave + noise of sd `noise`. */
static void make_series(double *y, size_t n, double slope, double amp, double noise,
                        uint64_t seed) {
  dnt_rng r;
  dnt_rng_for(&r, seed, DNT_STREAM_DATA, 0);
  for (size_t t = 0; t < n; t++)
    y[t] =
        3 + slope * (double)t + amp * sin(2 * M_PI * (double)t / 8) + dnt_rng_normal(&r, 0, noise);
}

static void small_config(dnt_seq_config *c) {
  dnt_seq_config_default(c);
  c->win.window = 6;
  c->hidden = 8;
  c->batch = 16;
  c->max_epochs = 30;
  c->patience = 5;
  c->lr = 1e-2f;
}

static void test_linear_learned(void) {
  /* y_t = 2 cos(2 pi / 12) y_{t-1} - y_{t-2}: a sine of period 12, a linear
   * recurrence a net with 6 inputs can express exactly. Training part sd
   * 1 / sqrt(2): the validation MSE (z-scored) and the test RMSE (units)
   * must be a small share of it */
  enum { N = 240 };
  double y[N];
  for (int t = 0; t < N; t++)
    y[t] = 1 + sin(2 * M_PI * t / 12.0 + 0.3);
  dnt_seq_config c;
  small_config(&c);
  c.max_epochs = 60;
  c.patience = 10;
  dnt_seq_split sp;
  CHECK_OK(dnt_seq_split_fractions(N, 0.8, 0.25, &sp));
  dnt_seq_data d;
  CHECK_OK(dnt_seq_data_init(&d, &c.win, y, 1, &sp));
  dnt_seq_model *m;
  CHECK_OK(dnt_seq_model_create(&c, 0, &m));
  double before = dnt_seq_part_mse(m, &d, DNT_SEQ_VAL);
  dnt_seq_report r;
  memset(&r, 0, sizeof r);
  CHECK_OK(dnt_seq_train(m, &d, &r));
  double pred[N];
  size_t nt = dnt_seq_data_count(&d, DNT_SEQ_TEST);
  CHECK_OK(dnt_seq_predict_part(m, &d, DNT_SEQ_TEST, pred));
  double se = 0;
  for (size_t k = 0; k < nt; k++) {
    size_t tau;
    dnt_seq_data_window(&d, DNT_SEQ_TEST, k, NULL, NULL, NULL, &tau);
    se += (pred[k] - y[tau]) * (pred[k] - y[tau]);
  }
  double test_rmse = sqrt(se / (double)nt);
  printf("linear: val mse %.3g -> %.3g (epoch %d of %d), test rmse %.4f\n", before, r.val_mse,
         r.best_epoch, r.epochs, test_rmse);
  CHECK(r.val_mse < 1e-3 && r.val_mse < before / 100);
  CHECK(r.val_mse == dnt_seq_part_mse(m, &d, DNT_SEQ_VAL)); /* kept weights are the best's */
  CHECK(test_rmse < 0.02);
  dnt_seq_model_destroy(m);
  dnt_seq_data_free(&d);
}

static void test_early_stop_in_training(void) {
  /* 60 training values of noise around a wave, a big net, a high rate: it
   * overfits, validation loss turns up and training stops patience epochs
   * after its lowest point, with that epoch's weights */
  enum { N = 120 };
  double y[N];
  make_series(y, N, 0, 1, 0.8, 5);
  dnt_seq_config c;
  small_config(&c);
  c.hidden = 32;
  c.batch = 8;
  c.max_epochs = 200;
  c.patience = 4;
  c.lr = 2e-2f;
  dnt_seq_split sp = {60, 90, N};
  dnt_seq_data d;
  CHECK_OK(dnt_seq_data_init(&d, &c.win, y, 1, &sp));
  dnt_seq_model *m;
  CHECK_OK(dnt_seq_model_create(&c, 0, &m));
  double tc[200], vc[200];
  dnt_seq_report r = {.train_curve = tc, .val_curve = vc};
  CHECK_OK(dnt_seq_train(m, &d, &r));
  int argmin = 0;
  for (int e = 1; e < r.epochs; e++)
    if (vc[e] < vc[argmin]) argmin = e;
  printf("early stop: best epoch %d, stopped after %d (val %.4f, train %.4f)\n", r.best_epoch,
         r.epochs, r.val_mse, r.train_mse);
  CHECK(r.epochs < c.max_epochs);
  CHECK(r.best_epoch == argmin + 1);
  CHECK(r.epochs == r.best_epoch + c.patience);
  CHECK(r.val_mse == vc[argmin] && r.train_mse == tc[argmin]);
  CHECK(dnt_seq_part_mse(m, &d, DNT_SEQ_VAL) == vc[argmin]);
  CHECK(r.steps == (int64_t)r.epochs * 7); /* ceil(54 windows / 8) per epoch */
  /* a step budget ends training mid-epoch */
  dnt_seq_model *b;
  c.max_steps = 10;
  CHECK_OK(dnt_seq_model_create(&c, 0, &b));
  CHECK_OK(dnt_seq_train(b, &d, &r));
  CHECK(r.steps == 10 && r.epochs == 2);
  dnt_seq_model_destroy(b);
  dnt_seq_model_destroy(m);
  dnt_seq_data_free(&d);
}

static void test_test_part_unseen(void) {
  enum { N = 200 };
  double y[N], y2[N];
  make_series(y, N, 0.01, 1, 0.3, 7);
  memcpy(y2, y, sizeof y);
  dnt_seq_split sp;
  CHECK_OK(dnt_seq_split_fractions(N, 0.7, 0.3, &sp));
  for (size_t t = sp.val_end; t < N; t++)
    y2[t] = -1000 + 7 * (double)t; /* the test part changes, wildly */
  dnt_seq_config c;
  small_config(&c);
  c.max_epochs = 15;
  c.patience = 2;
  dnt_seq_data d1, d2;
  CHECK_OK(dnt_seq_data_init(&d1, &c.win, y, 1, &sp));
  CHECK_OK(dnt_seq_data_init(&d2, &c.win, y2, 1, &sp));
  dnt_seq_model *m1, *m2;
  CHECK_OK(dnt_seq_model_create(&c, 3, &m1));
  CHECK_OK(dnt_seq_model_create(&c, 3, &m2));
  double v1[15], v2[15];
  dnt_seq_report r1 = {.val_curve = v1}, r2 = {.val_curve = v2};
  CHECK_OK(dnt_seq_train(m1, &d1, &r1));
  CHECK_OK(dnt_seq_train(m2, &d2, &r2));
  size_t np = dnt_net_nparams(dnt_seq_model_net(m1));
  CHECK(memcmp(dnt_net_params(dnt_seq_model_net(m1)), dnt_net_params(dnt_seq_model_net(m2)),
               np * sizeof(float)) == 0);
  CHECK(r1.best_epoch == r2.best_epoch && r1.epochs == r2.epochs);
  CHECK(memcmp(v1, v2, (size_t)r1.epochs * sizeof *v1) == 0);
  CHECK(d1.mean[0] == d2.mean[0] && d1.sd[0] == d2.sd[0]);
  /* ...while the test windows do differ: the change was seen by the test */
  CHECK(dnt_seq_part_mse(m1, &d1, DNT_SEQ_TEST) != dnt_seq_part_mse(m2, &d2, DNT_SEQ_TEST));
  /* and a change in the validation part does move the chosen model */
  y2[sp.train_end + 3] += 5;
  dnt_seq_data d3;
  CHECK_OK(dnt_seq_data_init(&d3, &c.win, y2, 1, &sp));
  dnt_seq_model *m3;
  CHECK_OK(dnt_seq_model_create(&c, 3, &m3));
  double v3[15];
  dnt_seq_report r3 = {.val_curve = v3};
  CHECK_OK(dnt_seq_train(m3, &d3, &r3));
  CHECK(v3[0] != v1[0]);
  dnt_seq_model_destroy(m1);
  dnt_seq_model_destroy(m2);
  dnt_seq_model_destroy(m3);
  dnt_seq_data_free(&d1);
  dnt_seq_data_free(&d2);
  dnt_seq_data_free(&d3);
}

static void test_many_equals_separate(void) {
  enum { S = 5, N = 160 };
  double y[S][N];
  dnt_seq_data d[S];
  const dnt_seq_data *dp[S];
  dnt_seq_config c;
  small_config(&c);
  c.max_epochs = 6;
  c.win.season = 8; /* two features */
  dnt_seq_split sp;
  CHECK_OK(dnt_seq_split_fractions(N, 0.75, 0.2, &sp));
  for (int i = 0; i < S; i++) {
    make_series(y[i], N, 0.002 * i, 1 + 0.2 * i, 0.3, 11 + (uint64_t)i);
    CHECK_OK(dnt_seq_data_init(&d[i], &c.win, y[i], 1, &sp));
    dp[i] = &d[i];
  }
  dnt_seq_model *sep[S], *one[S], *three[S];
  dnt_seq_report rs[S], r1[S], r3[S];
  memset(r1, 0, sizeof r1); /* no curves */
  memset(r3, 0, sizeof r3);
  for (int i = 0; i < S; i++) {
    CHECK_OK(dnt_seq_model_create(&c, (uint64_t)i, &sep[i]));
    CHECK_OK(dnt_seq_model_create(&c, (uint64_t)i, &one[i]));
    CHECK_OK(dnt_seq_model_create(&c, (uint64_t)i, &three[i]));
    memset(&rs[i], 0, sizeof rs[i]);
    CHECK_OK(dnt_seq_train(sep[i], &d[i], &rs[i]));
  }
  CHECK_OK(dnt_seq_train_many(one, dp, S, 1, r1));
  CHECK_OK(dnt_seq_train_many(three, dp, S, 3, r3));
  size_t np = dnt_net_nparams(dnt_seq_model_net(sep[0]));
  for (int i = 0; i < S; i++) {
    const float *p = dnt_net_params(dnt_seq_model_net(sep[i]));
    CHECK_MSG(memcmp(p, dnt_net_params(dnt_seq_model_net(one[i])), np * sizeof *p) == 0,
              "model %d, 1 thread", i);
    CHECK_MSG(memcmp(p, dnt_net_params(dnt_seq_model_net(three[i])), np * sizeof *p) == 0,
              "model %d, 3 threads", i);
    CHECK(rs[i].best_epoch == r1[i].best_epoch && rs[i].val_mse == r3[i].val_mse);
  }
  /* models differ by index: their own init and shuffles */
  CHECK(memcmp(dnt_net_params(dnt_seq_model_net(sep[0])), dnt_net_params(dnt_seq_model_net(sep[1])),
               np * sizeof(float)) != 0);
  /* a failing model is named by its position */
  dnt_seq_config hot = c;
  hot.lr = 1e30f;
  hot.clip = 0;
  dnt_seq_model_destroy(one[3]);
  CHECK_OK(dnt_seq_model_create(&hot, 3, &one[3]));
  CHECK(dnt_seq_train_many(one, dp, S, 2, NULL) == DNT_ERR_NUMERIC);
  CHECK_MSG(strstr(dnt_last_error(), "model 3 of 5") != NULL, "%s", dnt_last_error());
  CHECK(dnt_seq_train_many(one, dp, S, 0, NULL) == DNT_ERR_ARG);
  for (int i = 0; i < S; i++) {
    dnt_seq_model_destroy(sep[i]);
    dnt_seq_model_destroy(one[i]);
    dnt_seq_model_destroy(three[i]);
    dnt_seq_data_free(&d[i]);
  }
}

int main(void) {
  test_windows();
  test_zscore_training_part_only();
  test_errors();
  test_early_stop_rule();
  test_linear_learned();
  test_early_stop_in_training();
  test_test_part_unseen();
  test_many_equals_separate();
  return test_done("nn.seq_forecast");
}
