/* tests/fl/test_twin_validated.c: the twin-validated filter on constructed
 * rounds with a toy twin whose behaviour is known in closed form:
 *   validation scenario k (K of them) has a braking demand c_k uniform on
 *   [-0.3, 0.3]; a model p collides in it when p[0] < c_k, drives an unsafe
 *   headway when p[0] < c_k + 0.3; its speed is 25 + 5 tanh(p[2]) m/s;
 *   p[1] and p[3..] change nothing (where honest clients differ a lot).
 * Planted malicious rows: a boosted one (statistics), one that looks like
 * every honest row but for p[0] (rehearsal: collisions) and one that slows
 * the car (rehearsal: speed). The filter sees no label; the test checks it
 * drops exactly them, keeps every honest row, and the aggregate rehearsal. */
#include <math.h>
#include <string.h>

#include "dnt/fl_server.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "dnt/twin_validated.h"
#include "test.h"

#define D 8
#define K 600

typedef struct toy {
  int calls;
  int hazard; /* 1: also collide when |p[3]| < 0.1 (a non-convex hazard) */
  int broken; /* 1: return a NaN speed */
} toy;

static int toy_score(void *ctx, const float *p, size_t d, dnt_tv_behaviour *b) {
  toy *t = ctx;
  t->calls++;
  if (d != D) return DNT_ERR_ARG;
  int col = 0, uns = 0;
  for (int k = 0; k < K; k++) {
    double c = -0.3 + 0.6 * (k + 0.5) / K;
    col += p[0] < c || (t->hazard && fabsf(p[3]) < 0.1f);
    uns += p[0] < c + 0.3;
  }
  b->collision = (double)col / K;
  b->unsafe = (double)uns / K;
  b->speed = t->broken ? NAN : 25 + 5 * tanh(p[2]);
  return 0;
}

static const float global[D] = {0.5f, 0, 0.5f, 0, 0, 0, 0, 0};

/* An honest row: a small improvement in p[0] and p[2], large harmless noise. */
static void honest(float *x, dnt_rng *r) {
  x[0] = (float)dnt_rng_normal(r, 0.05, 0.01);
  x[1] = (float)dnt_rng_normal(r, 0, 1);
  x[2] = (float)dnt_rng_normal(r, 0.1, 0.02);
  for (int j = 3; j < D; j++)
    x[j] = (float)dnt_rng_normal(r, 0, 1);
}

static void test_planted_round(void) {
  enum { NB = 8, N = NB + 3 };
  float X[N * D];
  double w[N];
  dnt_rng r;
  dnt_rng_for(&r, 7, DNT_STREAM_TASK, 0);
  for (int i = 0; i < N; i++) {
    honest(X + i * D, &r);
    w[i] = 1;
  }
  /* row 8: boosted honest mean; row 9: honest-looking, p[0] -> -0.4; row 10:
   * honest-looking, p[2] -> -2.5 (speed 20.1 against the trusted 27.3) */
  for (int j = 0; j < D; j++)
    X[8 * D + j] = 10.0f * (j == 0 ? 0.05f : j == 2 ? 0.1f : 0.3f);
  X[9 * D + 0] = -0.9f;
  X[10 * D + 2] = -3.0f;
  toy t = {0};
  dnt_tv *tv;
  dnt_tv_params p = dnt_tv_defaults();
  CHECK_OK(dnt_tv_create(&p, N, D, toy_score, &t, &tv));
  int ids[N];
  for (int i = 0; i < N; i++)
    ids[i] = N - 1 - i;
  CHECK_OK(dnt_tv_filter(tv, global, X, N, D, ids, w));
  const unsigned char *why = dnt_tv_reasons(tv);
  for (int i = 0; i < NB; i++)
    CHECK_MSG(w[i] == 1 && why[i] == DNT_TV_KEPT, "honest row %d: weight %g, %s", i, w[i],
              dnt_tv_reason_name(why[i]));
  CHECK_MSG(w[8] == 0 && why[8] == DNT_TV_STAT, "boosted row: %s", dnt_tv_reason_name(why[8]));
  CHECK_MSG(w[9] == 0 && why[9] == DNT_TV_COLLISION, "p[0] row: %s", dnt_tv_reason_name(why[9]));
  CHECK_MSG(w[10] == 0 && why[10] == DNT_TV_SLOW, "slow row: %s", dnt_tv_reason_name(why[10]));
  const dnt_tv_round *last = dnt_tv_last(tv);
  CHECK(last->n == N && last->flagged == 3 && !last->held);
  /* trusted p[0] = 0.5: no collision, unsafe where c_k > 0.2: 1/6 of them */
  CHECK_NEAR(last->trusted.collision, 0, 0);
  CHECK_NEAR(last->trusted.unsafe, 100.0 / K, 1e-12);
  CHECK_NEAR(last->trusted.speed, 25 + 5 * tanh(0.5), 1e-6);
  /* 1 trusted + 3 simulated + 10 rehearsed (the boosted row never is) + 1 aggregate */
  CHECK(last->rollouts == 15 && t.calls == 15);
  /* the mildest simulated attack (IPM, -0.5 m) still beats trusted's speed
   * by less than it: the speed slack is capped at half the gap */
  CHECK(last->slack.speed <= 0.05 * last->trusted.speed + 1e-12);
  CHECK(last->accepted.collision == 0 && last->accepted.speed > last->trusted.speed);
  /* the precision and recall the FL stage would count: all 3 planted, no honest */
  unsigned char status[N], mal[N];
  for (int i = 0; i < N; i++) {
    status[i] = w[i] > 0 ? DNT_FL_KEPT : DNT_FL_FILTERED;
    mal[i] = i >= NB;
  }
  dnt_fl_detection det = {0};
  dnt_fl_detection_count(&det, status, mal, N);
  CHECK_NEAR(dnt_fl_precision(&det), 1, 0);
  CHECK_NEAR(dnt_fl_recall(&det), 1, 0);

  /* the next round's history: a row 3x the median norm of the rows accepted
   * is out even when the round's statistics cannot tell (all boosted alike) */
  double norms[NB], hist_norm = 0;
  for (int i = 0; i < NB; i++) {
    norms[i] = 0;
    for (int j = 0; j < D; j++)
      norms[i] += (double)X[i * D + j] * X[i * D + j];
    norms[i] = sqrt(norms[i]);
  }
  for (int i = 0; i < NB; i++) /* the largest of the 8 is above the median */
    if (norms[i] > hist_norm) hist_norm = norms[i];
  float Y[3 * D];
  double w3[3] = {1, 1, 1};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < D; j++)
      Y[i * D + j] = j == 1 ? (float)(4 * hist_norm) : 0;
  CHECK_OK(dnt_tv_filter(tv, global, Y, 3, D, ids, w3));
  CHECK(w3[0] == 0 && w3[1] == 0 && w3[2] == 0 && dnt_tv_last(tv)->held);
  CHECK(dnt_tv_reasons(tv)[0] == DNT_TV_HISTORY);
  dnt_tv_reset(tv);
  w3[0] = w3[1] = w3[2] = 1;
  CHECK_OK(dnt_tv_filter(tv, global, Y, 3, D, ids, w3));
  CHECK(w3[0] == 1 && w3[1] == 1 && w3[2] == 1 && !dnt_tv_last(tv)->held);
  dnt_tv_destroy(tv);
}

/* Honest rows only: nothing is dropped. */
static void test_all_honest(void) {
  enum { N = 10 };
  float X[N * D];
  double w[N];
  dnt_rng r;
  dnt_rng_for(&r, 11, DNT_STREAM_TASK, 0);
  for (int i = 0; i < N; i++) {
    honest(X + i * D, &r);
    w[i] = 1 + i; /* sample counts */
  }
  toy t = {0};
  dnt_tv *tv;
  dnt_tv_params p = dnt_tv_defaults();
  CHECK_OK(dnt_tv_create(&p, N, D, toy_score, &t, &tv));
  CHECK_OK(dnt_tv_filter(tv, global, X, N, D, NULL, w));
  for (int i = 0; i < N; i++)
    CHECK_MSG(w[i] == 1 + i, "row %d: %s", i, dnt_tv_reason_name(dnt_tv_reasons(tv)[i]));
  CHECK(dnt_tv_last(tv)->flagged == 0);
  dnt_tv_destroy(tv);
}

/* Each row alone is safe, their mean is not (the hazard at p[3] = 0): the
 * aggregate rehearsal drops the worst rows until the mean passes. */
static void test_aggregate_rehearsal(void) {
  enum { N = 4 };
  float X[N * D];
  memset(X, 0, sizeof X);
  double w[N] = {1, 1, 1, 1};
  const float p3[N] = {1.0f, -1.0f, 0.9f, -1.2f}; /* mean -0.075: in the hazard */
  for (int i = 0; i < N; i++) {
    X[i * D + 0] = 0.05f;
    X[i * D + 3] = p3[i];
  }
  toy t = {.hazard = 1};
  dnt_tv *tv;
  dnt_tv_params p = dnt_tv_defaults();
  p.stat_k = 1e6;                                 /* rehearsal only */
  float g[D] = {0.5f, 0, 0.5f, 0.5f, 0, 0, 0, 0}; /* trusted: p[3] = 0.5, safe */
  CHECK_OK(dnt_tv_create(&p, N, D, toy_score, &t, &tv));
  CHECK_OK(dnt_tv_filter(tv, g, X, N, D, NULL, w));
  const unsigned char *why = dnt_tv_reasons(tv);
  /* each candidate alone has p[3] = 1.5, -0.5, 1.4, -0.7 and the mean
   * 0.425: all safe, nothing dropped */
  CHECK(dnt_tv_last(tv)->flagged == 0);
  /* from a trusted p[3] of 0.15 (safe) every candidate is safe but the
   * mean lands on 0.075, in the hazard */
  g[3] = 0.15f;
  for (int i = 0; i < N; i++)
    w[i] = 1;
  CHECK_OK(dnt_tv_filter(tv, g, X, N, D, NULL, w));
  const dnt_tv_round *last = dnt_tv_last(tv);
  int aggregate = 0;
  for (int i = 0; i < N; i++)
    aggregate += why[i] == DNT_TV_AGGREGATE;
  CHECK_MSG(aggregate >= 1 && last->flagged == aggregate && !last->held,
            "aggregate drops %d, flagged %d", aggregate, last->flagged);
  CHECK(last->accepted.collision == 0);
  dnt_tv_destroy(tv);
}

static void test_errors(void) {
  toy t = {.broken = 1};
  dnt_tv *tv = NULL;
  dnt_tv_params p = dnt_tv_defaults();
  p.calib_alpha = 0;
  CHECK(dnt_tv_create(&p, 4, D, toy_score, &t, &tv) == DNT_ERR_ARG && !tv);
  CHECK(strstr(dnt_last_error(), "calib_alpha") != NULL);
  p = dnt_tv_defaults();
  CHECK(dnt_tv_create(&p, 4, D, NULL, &t, &tv) == DNT_ERR_ARG);
  CHECK_OK(dnt_tv_create(&p, 4, D, toy_score, &t, &tv));
  float X[4 * D] = {0};
  double w[4] = {1, 1, 1, 1};
  CHECK(dnt_tv_filter(tv, global, X, 4, D, NULL, w) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "speed nan") != NULL);
  CHECK(dnt_tv_filter(tv, global, X, 5, D, NULL, w) == DNT_ERR_ARG);
  CHECK(dnt_tv_filter(tv, global, X, 4, D - 1, NULL, w) == DNT_ERR_ARG);
  dnt_tv_destroy(tv);
}

int main(void) {
  test_planted_round();
  test_all_honest();
  test_aggregate_rehearsal();
  test_errors();
  return test_done("fl.twin_validated");
}
