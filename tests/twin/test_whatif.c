/* tests/twin/test_whatif.c: what-if forks (dnt/whatif.h). A fork never
 * changes its parent (saved bytes and the twin session's future unchanged);
 * forks are independent (their spread matches the random walk's sigma sqrt(H))
 * while alternatives share common random numbers; the thread count does not
 * change a result; known means for two action plans and for a configuration
 * applied by `prepare`; a policy sees its
 * fork's telemetry; errors name the failing fork; percentiles as numpy;
 * the parked worker threads: many small calls, a what-if nested in a
 * callback and calls from two threads at once give the 1-thread numbers. */
#include <pthread.h>
#include <string.h>

#include "../../docs/example_world.c"
#include "dnt/twin.h"
#include "dnt/whatif.h"
#include "test.h"

static const example_links_config cfg = {
    .n_links = 2, .drift = 0, .sigma = 0.1, .capacity = 100, .capacity_every = 0};

/* metrics: final load_0, and the count of steps with load_0 above 5 */
static int metric(void *ctx, int alt, int h, const dnt_world *fork, const double *tel,
                  const double *action, double *m) {
  const int *fail = ctx;
  if (fail && alt == fail[0] && h == 3) return dnt_error(DNT_ERR_NUMERIC, "planted failure");
  m[0] = tel[0];
  m[1] += tel[0] > 50;
  return 0;
}

static void test_parent_untouched_and_threads(void) {
  dnt_world *base;
  CHECK_OK(example_links_create(&cfg, 3, &base));
  for (int i = 0; i < 7; i++)
    CHECK_OK(dnt_world_step(base, NULL));
  unsigned char *before, *after;
  size_t lb, la;
  CHECK_OK(dnt_world_save(base, &before, &lb));
  const double plans[3] = {0, 0, 0.01}; /* alternatives 0 and 1 are the same plan */
  dnt_whatif_spec spec = {.n_alternatives = 3,
                          .n_forks = 400,
                          .horizon = 25,
                          .n_metrics = 2,
                          .threads = 1,
                          .seed = 9,
                          .actions = plans,
                          .metric = metric};
  dnt_whatif_result r1, r2;
  CHECK_OK(dnt_whatif_run(base, &spec, &r1));
  spec.threads = 3;
  CHECK_OK(dnt_whatif_run(base, &spec, &r2));
  CHECK_OK(dnt_world_save(base, &after, &la));
  CHECK(la == lb && memcmp(before, after, lb) == 0);
  CHECK(dnt_world_time(base) == 7);
  size_t nv = 3 * 400 * 2;
  CHECK(memcmp(r1.values, r2.values, nv * sizeof(double)) == 0);
  /* common random numbers: the same plan gives the same numbers per fork */
  CHECK(memcmp(r1.values, r1.values + 400 * 2, 400 * 2 * sizeof(double)) == 0);
  /* independent forks: final load ~ N(x0, sigma^2 H) */
  double x0[3];
  dnt_world_observe(base, x0);
  dnt_dist d;
  CHECK_OK(dnt_whatif_dist(&r1, 0, 0, &d));
  double sd = 0.1 * sqrt(25.0);
  CHECK_NEAR(d.mean, x0[0], 4 * sd / sqrt(400));
  CHECK_NEAR(d.sd, sd, 0.1 * sd);
  CHECK(d.min < d.p05 && d.p05 < d.p50 && d.p50 < d.p95 && d.p95 < d.max);
  /* shedding 1% per step: mean x0 0.99^25 (the noise is unchanged) */
  CHECK_OK(dnt_whatif_dist(&r1, 2, 0, &d));
  CHECK_NEAR(d.mean, x0[0] * pow(0.99, 25), 4 * sd / sqrt(400));
  dnt_whatif_result_free(&r1);
  dnt_whatif_result_free(&r2);
  free(before);
  free(after);
  dnt_world_destroy(base);
}

/* Policy: shed 10% whenever load_0 is above its start value x0 (ctx). */
static int shed_above(void *ctx, int alt, int h, const double *tel, dnt_rng *rng, double *a) {
  if (alt == 0) return 1; /* alternative 0: never act */
  a[0] = tel[0] > *(const double *)ctx ? 0.1 : 0;
  return 0;
}

static void test_policy_and_twin_session(void) {
  example_links_config tc = cfg; /* a stochastic twin: its forks spread */
  dnt_world *p1, *w1, *p2, *w2;
  dnt_twin *a, *b;
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.channel.uplink_latency = 2;
  CHECK_OK(example_links_create(&cfg, 1, &p1));
  CHECK_OK(example_links_create(&tc, 2, &w1));
  CHECK_OK(example_links_create(&cfg, 1, &p2));
  CHECK_OK(example_links_create(&tc, 2, &w2));
  CHECK_OK(dnt_twin_create(p1, w1, &sc, &a));
  CHECK_OK(dnt_twin_create(p2, w2, &sc, &b));
  int same = 1;
  for (int s = 1; s <= 40; s++) {
    CHECK_OK(dnt_twin_step(a, NULL));
    CHECK_OK(dnt_twin_step(b, NULL));
    if (s % 10 == 0) { /* what-if on session a's twin only */
      double x0 = dnt_twin_telemetry(a)[0];
      dnt_whatif_spec spec = {.n_alternatives = 2,
                              .n_forks = 50,
                              .horizon = 20,
                              .n_metrics = 2,
                              .threads = 2,
                              .seed = (uint64_t)s,
                              .policy = shed_above,
                              .metric = metric,
                              .ctx = &x0};
      dnt_whatif_result r;
      CHECK_OK(dnt_whatif_run(dnt_twin_world(a), &spec, &r));
      dnt_dist d0, d1;
      CHECK_OK(dnt_whatif_dist(&r, 0, 0, &d0));
      CHECK_OK(dnt_whatif_dist(&r, 1, 0, &d1));
      CHECK(d1.p95 < d0.p95); /* the policy caps the upper tail */
      dnt_whatif_result_free(&r);
    }
    same &= memcmp(dnt_twin_telemetry(a), dnt_twin_telemetry(b), 3 * sizeof(double)) == 0;
  }
  CHECK(same);
  dnt_twin_destroy(a);
  dnt_twin_destroy(b);
  dnt_world_destroy(p1);
  dnt_world_destroy(p2);
}

static void test_errors_and_dist(void) {
  dnt_world *base;
  CHECK_OK(example_links_create(&cfg, 3, &base));
  int fail[1] = {1};
  dnt_whatif_spec spec = {.n_alternatives = 2,
                          .n_forks = 8,
                          .horizon = 5,
                          .n_metrics = 2,
                          .threads = 2,
                          .seed = 1,
                          .metric = metric,
                          .ctx = fail};
  dnt_whatif_result r;
  CHECK(dnt_whatif_run(base, &spec, &r) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "alternative 1, fork 0: planted failure") != NULL);
  CHECK(r.values == NULL);
  spec.horizon = 0;
  CHECK(dnt_whatif_run(base, &spec, &r) == DNT_ERR_ARG);
  dnt_world_destroy(base);
  /* numpy: percentile([1..5], [5, 25, 50, 75, 95]) = 1.2, 2, 3, 4, 4.8 */
  dnt_dist d;
  CHECK_OK(dnt_dist_of((double[]){5, 3, 1, 4, 2}, 5, &d));
  CHECK_NEAR(d.p05, 1.2, 1e-12);
  CHECK_NEAR(d.p25, 2, 1e-12);
  CHECK_NEAR(d.p50, 3, 1e-12);
  CHECK_NEAR(d.p95, 4.8, 1e-12);
  CHECK_NEAR(d.sd, sqrt(2.5), 1e-12);
  CHECK(d.min == 1 && d.max == 5 && d.mean == 3);
}

/* Alternative 1 starts every fork with all loads at 70. */
static int raise_loads(void *ctx, int alt, dnt_world *fork) {
  if (alt == 0) return 0;
  double x[3];
  dnt_world_observe(fork, x);
  x[0] = x[1] = 70;
  return dnt_world_assimilate(fork, x, 0);
}

static void test_prepare(void) {
  dnt_world *base;
  CHECK_OK(example_links_create(&cfg, 3, &base));
  dnt_whatif_spec spec = {.n_alternatives = 2,
                          .n_forks = 200,
                          .horizon = 16,
                          .n_metrics = 2,
                          .threads = 2,
                          .seed = 4,
                          .prepare = raise_loads,
                          .metric = metric};
  dnt_whatif_result r;
  CHECK_OK(dnt_whatif_run(base, &spec, &r));
  dnt_dist d0, d1;
  CHECK_OK(dnt_whatif_dist(&r, 0, 0, &d0));
  CHECK_OK(dnt_whatif_dist(&r, 1, 0, &d1));
  CHECK_NEAR(d0.mean, 50, 4 * 0.4 / sqrt(200)); /* sigma sqrt(H) = 0.4 */
  CHECK_NEAR(d1.mean, 70, 4 * 0.4 / sqrt(200));
  CHECK_NEAR(d1.mean - d0.mean, 20, 1e-9); /* common random numbers: the same noise */
  double x[3];
  dnt_world_observe(base, x);
  CHECK(x[0] == 50 && x[1] == 50);
  dnt_whatif_result_free(&r);
  dnt_world_destroy(base);
}

/* The numbers of a small what-if on `base` with `threads` threads (no
 * CHECK inside: the test counters are not thread-safe). */
static int small_run_rc(const dnt_world *base, int threads, uint64_t seed, double out[2 * 4 * 2]) {
  dnt_whatif_spec spec = {.n_alternatives = 2,
                          .n_forks = 4,
                          .horizon = 6,
                          .n_metrics = 2,
                          .threads = threads,
                          .seed = seed,
                          .actions = (const double[]){0, 0.05},
                          .metric = metric};
  dnt_whatif_result r;
  int rc = dnt_whatif_run(base, &spec, &r);
  if (rc == 0) memcpy(out, r.values, 2 * 4 * 2 * sizeof *out);
  dnt_whatif_result_free(&r);
  return rc;
}

static void small_run(const dnt_world *base, int threads, uint64_t seed, double out[2 * 4 * 2]) {
  CHECK_OK(small_run_rc(base, threads, seed, out));
}

/* metric that runs a what-if of its own on the fork (a monitor inside a
 * what-if does this); m[0] gets the nested run's first value. */
static int nested_metric(void *ctx, int alt, int h, const dnt_world *fork, const double *tel,
                         const double *action, double *m) {
  double v[16];
  int rc = small_run_rc(fork, 2, 5, v);
  m[0] = v[0];
  return rc;
}

typedef struct concurrent {
  const dnt_world *base;
  uint64_t seed;
  int rc;
  double got[64][16];
} concurrent;

static void *call_many(void *arg) {
  concurrent *c = arg;
  for (int i = 0; i < 64 && !c->rc; i++)
    c->rc = small_run_rc(c->base, 2, c->seed + (uint64_t)i, c->got[i]);
  return NULL;
}

static void test_pool(void) {
  dnt_world *base;
  CHECK_OK(example_links_create(&cfg, 3, &base));
  double one[16], two[16];
  for (uint64_t seed = 1; seed <= 200; seed++) { /* many small calls reuse the workers */
    small_run(base, 1, seed, one);
    small_run(base, 2, seed, two);
    CHECK(memcmp(one, two, sizeof one) == 0);
  }
  /* nested: the inner call finds the pool held and runs on its own thread */
  dnt_whatif_spec spec = {.n_alternatives = 2,
                          .n_forks = 6,
                          .horizon = 3,
                          .n_metrics = 1,
                          .threads = 2,
                          .seed = 2,
                          .metric = nested_metric};
  dnt_whatif_result r;
  CHECK_OK(dnt_whatif_run(base, &spec, &r));
  dnt_whatif_result_free(&r);
  /* two threads calling at once get what one thread gets alone */
  static concurrent a, b;
  a = (concurrent){.base = base, .seed = 1000};
  b = (concurrent){.base = base, .seed = 2000};
  pthread_t ta, tb;
  CHECK(pthread_create(&ta, NULL, call_many, &a) == 0);
  CHECK(pthread_create(&tb, NULL, call_many, &b) == 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  CHECK(a.rc == 0 && b.rc == 0);
  for (int i = 0; i < 64; i++) {
    small_run(base, 1, 1000 + (uint64_t)i, one);
    CHECK(memcmp(one, a.got[i], sizeof one) == 0);
    small_run(base, 1, 2000 + (uint64_t)i, one);
    CHECK(memcmp(one, b.got[i], sizeof one) == 0);
  }
  dnt_world_destroy(base);
}

int main(void) {
  test_pool();
  test_prepare();
  test_parent_untouched_and_threads();
  test_policy_and_twin_session();
  test_errors_and_dist();
  return test_done("twin.whatif");
}
