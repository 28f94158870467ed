/* tests/fl/test_async.c: staleness weights against hand-computed values, the
 * event queue's tie-breaking by insertion order, FedAsync mixing step by step
 * by hand, thread-count independence of FedBuff, the synchronous-to-
 * asynchronous switch (after R rounds and on a plateau), the staleness bound,
 * the rule/attack checks of FedAsync, NaN/Inf/wrong-length updates rejected
 * and counted in both modes, and a failed synchronous round that does not
 * stop the simulator. */
#include <string.h>

#include "dnt/fl_async.h"
#include "dnt/fl_quadratic.h"
#include "dnt/status.h"
#include "fl/fl_events.h"
#include "test.h"

static void test_staleness(void) {
  CHECK_NEAR(dnt_staleness_weight(DNT_STALE_CONSTANT, 7, 1, 1), 1, 0);
  CHECK_NEAR(dnt_staleness_weight(DNT_STALE_POLY, 3, 0.5, 0), 0.5, 1e-15); /* 4^-0.5 */
  CHECK_NEAR(dnt_staleness_weight(DNT_STALE_POLY, 0, 2, 0), 1, 1e-15);
  CHECK_NEAR(dnt_staleness_weight(DNT_STALE_HINGE, 5, 1, 10), 1, 0);        /* t <= b */
  CHECK_NEAR(dnt_staleness_weight(DNT_STALE_HINGE, 14, 1, 10), 0.2, 1e-15); /* 1/(4+1) */
  CHECK_NEAR(dnt_staleness_weight(DNT_STALE_HINGE, 12, 2, 10), 0.2, 1e-15); /* 1/(2*2+1) */
  CHECK_NEAR(dnt_staleness_weight(DNT_STALE_INV, 3, 0, 0), 0.25, 1e-15);
  CHECK_NEAR(dnt_staleness_weight(DNT_STALE_INV_SQRT, 4, 0, 0), 1.0 / 3, 1e-15);
  dnt_staleness_fn f;
  CHECK(dnt_staleness_parse("hinge", &f) == 0 && f == DNT_STALE_HINGE);
  CHECK(dnt_staleness_parse("linear", &f) == DNT_ERR_ARG);
}

static void test_events(void) {
  fl_events q;
  CHECK_OK(fl_events_init(&q, 200));
  double times[5] = {1.0, 0.5, 1.0, 0.5, 1.0};
  for (int i = 0; i < 5; i++)
    CHECK_OK(fl_events_push(&q, times[i], i));
  int want[5] = {1, 3, 0, 2, 4}, ok = 1;
  fl_event e;
  for (int i = 0; i < 5; i++)
    ok &= fl_events_pop(&q, &e) == 0 && e.client == want[i];
  CHECK(ok);
  CHECK(fl_events_pop(&q, &e) == 1);
  /* 200 events on 4 distinct times: out by (time, insertion order) */
  dnt_rng r;
  dnt_rng_seed(&r, 1);
  for (int i = 0; i < 200; i++)
    CHECK_OK(fl_events_push(&q, (double)dnt_rng_below(&r, 4), i));
  CHECK(fl_events_push(&q, 0, 0) == DNT_ERR_ARG);
  fl_event prev = {-1, 0, -1};
  ok = 1;
  while (fl_events_pop(&q, &e) == 0) {
    ok &= e.time > prev.time || (e.time == prev.time && e.client > prev.client);
    prev = e;
  }
  CHECK(ok);
  fl_events_free(&q);
}

/* Client returns its local model = target (1 for client 0, 3 for client 1). */
static int to_target(void *ctx, const dnt_fl_train_args *a, dnt_fl_update *u) {
  (void)ctx;
  double target = a->client_id == 0 ? 1 : 3;
  for (size_t j = 0; j < a->d; j++)
    u->delta[j] = (float)(target - a->global[j]);
  return 0;
}

static void test_fedasync_by_hand(void) {
  dnt_fl_client cl[2] = {{NULL, to_target}, {NULL, to_target}};
  dnt_fl_dist one[2] = {{DNT_DIST_CONST, 1, 0}, {DNT_DIST_CONST, 1, 0}};
  dnt_fl_async_cfg cfg = dnt_fl_async_defaults(2, cl, 1);
  cfg.mode = DNT_ASYNC_FEDASYNC;
  cfg.alpha = 0.5;
  cfg.staleness = DNT_STALE_POLY;
  cfg.stale_a = 1;
  cfg.pop.compute = one;
  float w0 = 0;
  dnt_fl_async *s;
  CHECK_OK(dnt_fl_async_create(&cfg, &w0, &s));
  dnt_fl_async_metrics m;
  /* t = 1: client 0 (dispatched first) then client 1 tie; t = 2: client 0 again.
   *   w1 = 0.5 * 0 + 0.5 * 1                  (staleness 0, a_t = 0.5)
   *   w2 = 0.75 w1 + 0.25 * 3                 (client 1, staleness 1: a_t = 0.5 / 2)
   *   w3 = 0.75 w2 + 0.25 * (w1 + (1 - w1))   (client 0 from w1, staleness 1) */
  double w1 = 0.5, w2 = 0.75 * w1 + 0.75, w3 = 0.75 * w2 + 0.25;
  CHECK_OK(dnt_fl_async_step(s, &m));
  CHECK_NEAR(dnt_fl_async_model(s)[0], w1, 1e-6);
  CHECK(m.stale_hist[0] == 1 && m.time == 1);
  CHECK_OK(dnt_fl_async_step(s, &m));
  CHECK_NEAR(dnt_fl_async_model(s)[0], w2, 1e-6);
  CHECK(m.stale_hist[1] == 1 && m.time == 1);
  CHECK_OK(dnt_fl_async_step(s, &m));
  CHECK_NEAR(dnt_fl_async_model(s)[0], w3, 1e-6);
  CHECK(m.stale_hist[1] == 1 && m.time == 2 && m.version == 3);
  dnt_fl_async_destroy(s);

  /* FedAsync refuses a rule that needs several updates, and LIE */
  cfg.stage.agg = dnt_agg_defaults(DNT_AGG_KRUM);
  cfg.stage.agg.f = 1;
  CHECK(dnt_fl_async_create(&cfg, &w0, &s) == DNT_ERR_ARG);
  cfg.stage.agg = dnt_agg_defaults(DNT_AGG_MEAN);
  cfg.stage.attack = dnt_attack_defaults(DNT_ATTACK_LIE);
  CHECK(dnt_fl_async_create(&cfg, &w0, &s) == DNT_ERR_ARG);
}

static double constant_eval(void *ctx, const float *w, size_t d) {
  (void)ctx, (void)w, (void)d;
  return 1.0;
}

/* FedBuff on the quadratic task; returns the model after `steps` steps. */
static void fedbuff(int threads, int sync_rounds, int eval, int max_stale, int steps, float *w,
                    dnt_fl_async_metrics *ms) {
  enum { N = 12, QD = 20 };
  unsigned char mal[N] = {1, 1};
  dnt_fl_quadratic t;
  CHECK_OK(dnt_fl_quadratic_init(&t, N, QD, 1, 1, 3, mal));
  dnt_fl_async_cfg cfg = dnt_fl_async_defaults(N, t.clients, QD);
  cfg.buffer_k = 5;
  cfg.concurrency = 8;
  cfg.pop.threads = threads;
  cfg.sync_rounds = sync_rounds;
  cfg.eval = eval ? constant_eval : NULL;
  cfg.plateau_patience = 2;
  cfg.max_staleness = max_stale;
  cfg.pop.malicious = mal;
  cfg.server_lr = 0.5;
  cfg.stage.agg = dnt_agg_defaults(DNT_AGG_TRMEAN);
  cfg.stage.agg.f = 2;
  /* IPM, not LIE: a client re-dispatched at once can fill a buffer of 5 with
   * 3 rows of the 2 malicious clients, where LIE's s = n/2 + 1 - c is < 1 */
  cfg.stage.attack = dnt_attack_defaults(DNT_ATTACK_IPM);
  float w0[QD] = {0};
  dnt_fl_async *s;
  CHECK_OK(dnt_fl_async_create(&cfg, w0, &s));
  for (int i = 0; i < steps; i++)
    CHECK_OK(dnt_fl_async_step(s, &ms[i]));
  memcpy(w, dnt_fl_async_model(s), sizeof(float) * QD);
  dnt_fl_async_destroy(s);
  dnt_fl_quadratic_free(&t);
}

static void test_fedbuff(void) {
  float a[20], b[20];
  dnt_fl_async_metrics ma[40], mb[40];
  fedbuff(1, 0, 0, -1, 40, a, ma);
  fedbuff(3, 0, 0, -1, 40, b, mb);
  CHECK(memcmp(a, b, sizeof a) == 0);
  CHECK(ma[39].time == mb[39].time && ma[39].time > 0);
  int hist = 0, agg = 0;
  for (int i = 0; i < 40; i++) {
    agg += ma[i].aggregated;
    for (int k = 0; k < DNT_FL_STALE_BINS; k++)
      hist += ma[i].stale_hist[k];
  }
  CHECK(agg == 200 && hist == 200); /* K = 5, nothing rejected */
  int stale = 0;
  for (int i = 0; i < 40; i++)
    for (int k = 1; k < DNT_FL_STALE_BINS; k++)
      stale += ma[i].stale_hist[k];
  CHECK(stale > 0);

  /* 3 synchronous rounds first: every client, staleness 0, then FedBuff */
  fedbuff(2, 3, 0, -1, 6, a, ma);
  CHECK(ma[0].sync && ma[2].sync && !ma[3].sync);
  CHECK(ma[0].aggregated == 12 && ma[0].stale_hist[0] == 12 && ma[4].aggregated == 5);
  /* plateau: a constant metric stalls; switch after 1 + patience rounds */
  fedbuff(1, 0, 1, -1, 5, a, ma);
  CHECK(ma[0].sync && ma[2].sync && !ma[3].sync);
  /* staleness bound 0: stale arrivals are dropped and counted */
  fedbuff(1, 0, 0, 0, 20, a, ma);
  int dropped = 0;
  for (int i = 0; i < 20; i++)
    dropped += ma[i].stale_dropped;
  CHECK(dropped > 0);
}

/* Client 0 sends a NaN, client 1 an Inf, client 2 one float too few; the
 * others send delta = 1. */
static int bad_or_one(void *ctx, const dnt_fl_train_args *a, dnt_fl_update *u) {
  (void)ctx;
  for (size_t j = 0; j < a->d; j++)
    u->delta[j] = 1;
  if (a->client_id == 0) u->delta[1] = NAN;
  if (a->client_id == 1) u->delta[0] = -INFINITY;
  if (a->client_id == 2) u->d = a->d - 1;
  return 0;
}

/* The asynchronous path rejects and counts bad updates like the synchronous
 * server: never buffered, never mixed, the model stays finite. */
static void test_rejects(void) {
  enum { N = 6, QD = 4 };
  dnt_fl_client cl[N];
  for (int i = 0; i < N; i++)
    cl[i] = (dnt_fl_client){NULL, bad_or_one};
  float w0[QD] = {0};
  for (int mode = 0; mode < 2; mode++) {
    dnt_fl_async_cfg cfg = dnt_fl_async_defaults(N, cl, QD);
    cfg.mode = mode ? DNT_ASYNC_FEDBUFF : DNT_ASYNC_FEDASYNC;
    cfg.buffer_k = 3;
    cfg.staleness = DNT_STALE_CONSTANT;
    dnt_fl_async *s;
    CHECK_OK(dnt_fl_async_create(&cfg, w0, &s));
    int rejected = 0, aggregated = 0;
    for (int k = 0; k < 12; k++) {
      dnt_fl_async_metrics m;
      CHECK_OK(dnt_fl_async_step(s, &m));
      rejected += m.rejected;
      aggregated += m.aggregated;
    }
    const float *w = dnt_fl_async_model(s);
    int finite = 1;
    for (int j = 0; j < QD; j++)
      finite &= isfinite(w[j]) && w[j] > 0;
    CHECK_MSG(finite, "mode %d: model (%g, %g, ...) after bad updates", mode, w[0], w[1]);
    CHECK_MSG(rejected > 0, "mode %d: no update rejected", mode);
    /* FedAsync mixes 1 per step, FedBuff 3: only the good ones */
    CHECK(aggregated == (mode ? 36 : 12));
    /* FedBuff with constant staleness and lr 1 adds mean(1) = 1 per step */
    if (mode) CHECK_NEAR(w[0], 12, 1e-5);
    dnt_fl_async_destroy(s);
  }
}

/* Clients 0 and 1 send a NaN at server version 0, good updates afterwards. */
static int bad_at_start(void *ctx, const dnt_fl_train_args *a, dnt_fl_update *u) {
  int rc = bad_or_one(ctx, a, u);
  if (a->round > 0 || a->client_id > 1) {
    u->d = a->d;
    for (size_t j = 0; j < a->d; j++)
      u->delta[j] = 1;
  }
  return rc;
}

/* A synchronous round whose aggregation fails (two rejected updates leave 3
 * rows, Krum with f = 1 needs 5) fails its step, and the next round runs. */
static void test_failed_sync_round(void) {
  enum { N = 5, QD = 3 };
  dnt_fl_client cl[N];
  for (int i = 0; i < N; i++)
    cl[i] = (dnt_fl_client){NULL, bad_at_start};
  float w0[QD] = {0};
  dnt_fl_async_cfg cfg = dnt_fl_async_defaults(N, cl, QD);
  cfg.sync_rounds = 3;
  cfg.buffer_k = 5;
  cfg.stage.agg = dnt_agg_defaults(DNT_AGG_KRUM);
  cfg.stage.agg.f = 1;
  dnt_fl_async *s;
  CHECK_OK(dnt_fl_async_create(&cfg, w0, &s));
  dnt_fl_async_metrics m;
  CHECK(dnt_fl_async_step(s, &m) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "needs n >= 5") != NULL);
  CHECK(m.rejected == 2 && dnt_fl_async_model(s)[0] == 0);
  CHECK_OK(dnt_fl_async_step(s, &m));
  CHECK(m.sync && m.rejected == 0 && m.aggregated == 5);
  CHECK_NEAR(dnt_fl_async_model(s)[0], 1, 0);
  dnt_fl_async_destroy(s);
}

int main(void) {
  test_staleness();
  test_failed_sync_round();
  test_rejects();
  test_events();
  test_fedasync_by_hand();
  test_fedbuff();
  return test_done("fl.async");
}
