/* tests/cellular/test_world.c: the cellular world behind dnt/world.h.
 * Determinism, forks that never touch their parent, save/load, a mirror that
 * equals the physical state after assimilating everything, actions, exact
 * replay of a traffic matrix, and the generated traffic's statistics (mean,
 * daily and weekly cycles, spatial correlation) against the model's
 * closed forms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/status.h"
#include "dnt/world_check.h"
#include "test.h"

static dnt_world *generated_world(size_t n, uint64_t seed, const dnt_cellular_params *p) {
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  sp.n = n;
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_generate(&sp, seed, &s));
  dnt_world *w = NULL;
  CHECK_OK(dnt_cellular_create(&s, NULL, p, seed, &w));
  dnt_cell_sites_free(&s);
  return w;
}

static void run(dnt_world *w, int steps, const double *action) {
  for (int t = 0; t < steps; t++)
    CHECK_OK(dnt_world_step(w, action));
}

static int same_telemetry(const dnt_world *a, const dnt_world *b) {
  size_t nf = dnt_world_get_info(a)->n_fields;
  double *x = malloc(nf * sizeof *x), *y = malloc(nf * sizeof *y);
  dnt_world_observe(a, x);
  dnt_world_observe(b, y);
  int same = memcmp(x, y, nf * sizeof *x) == 0;
  free(x);
  free(y);
  return same;
}

static void test_interface(void) {
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  p.fault_prob = 0.01; /* exercise faults in every copy/save path */
  dnt_world *a = generated_world(40, 3, &p), *b = generated_world(40, 3, &p);
  const dnt_world_info *info = dnt_world_get_info(a);
  CHECK(info->n_fields == 160 && info->n_actions == 40 && info->n_groups == 2);
  CHECK(!strcmp(info->field_names[0], "traffic.bs0"));
  CHECK(!strcmp(info->field_names[41], "load.bs1"));
  CHECK(info->field_group[79] == 0 && info->field_group[80] == 1 && info->field_group[159] == 1);
  CHECK(info->dt == 3600 && !strcmp(dnt_world_kind(a), "cellular"));
  /* determinism */
  run(a, 50, NULL);
  run(b, 50, NULL);
  CHECK(same_telemetry(a, b));
  CHECK_OK(dnt_world_reset(b, 4));
  run(b, 50, NULL);
  CHECK(!same_telemetry(a, b));

  /* a fork is independent of its parent, and steps like it */
  dnt_world *fork = NULL;
  CHECK_OK(dnt_world_copy(a, &fork));
  size_t nf = info->n_fields;
  double *before = malloc(nf * sizeof *before), *now = malloc(nf * sizeof *now);
  dnt_world_observe(fork, before);
  double act[40];
  for (int i = 0; i < 40; i++)
    act[i] = 0.5;
  run(a, 20, act);
  dnt_world_observe(fork, now);
  CHECK(memcmp(before, now, nf * sizeof *now) == 0);
  run(fork, 20, act);
  CHECK(same_telemetry(a, fork));
  dnt_world_destroy(a); /* the fork outlives its parent */
  run(fork, 5, NULL);
  CHECK(dnt_cellular_n_bs(fork) == 40);

  /* save, run on, load, run again: the same numbers */
  unsigned char *buf = NULL;
  size_t len = 0;
  CHECK_OK(dnt_world_save(fork, &buf, &len));
  run(fork, 30, NULL);
  dnt_world_observe(fork, before);
  CHECK_OK(dnt_world_load(fork, buf, len));
  run(fork, 30, NULL);
  dnt_world_observe(fork, now);
  CHECK(memcmp(before, now, nf * sizeof *now) == 0);
  CHECK(dnt_world_load(fork, buf, len - 1) < 0);
  buf[20] ^= 0xff; /* the wrapper's framing or our magic/size must catch it */
  CHECK(dnt_world_load(b, buf, len - 8) < 0);
  free(buf);
  dnt_world_destroy(fork);
  dnt_world_destroy(b);
  free(before);
  free(now);
}

static void test_mirror_and_actions(void) {
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  p.fault_prob = 0.05;
  dnt_world *phys = generated_world(30, 9, &p), *twin = generated_world(30, 9, &p);
  CHECK_OK(dnt_world_reset(twin, 1234));
  size_t n = 30, nf = 4 * n;
  double tel[120];
  for (int t = 0; t < 40; t++) {
    CHECK_OK(dnt_world_step(phys, NULL));
    CHECK_OK(dnt_world_step(twin, NULL));
    dnt_world_observe(phys, tel);
    CHECK_OK(dnt_world_assimilate(twin, tel, -1));
  }
  CHECK(same_telemetry(phys, twin)); /* zero latency, all groups: equal state */
  /* group 0 only leaves capacity/backhaul alone */
  for (size_t i = 0; i < n; i++)
    tel[i] = 2.0, tel[2 * n + i] = 123;
  CHECK_OK(dnt_world_assimilate(twin, tel, 0));
  CHECK(dnt_cellular_demand(twin)[3] == 2.0 && dnt_cellular_capacity(twin)[3] != 123);
  tel[2 * n + 5] = -1; /* a bad value is rejected and changes nothing */
  tel[0] = 7;
  CHECK(dnt_world_assimilate(twin, tel, -1) == DNT_ERR_ARG);
  CHECK(dnt_cellular_demand(twin)[0] == 2.0);

  /* actions scale capacity (clamped), load follows */
  const dnt_cell_sites *s = dnt_cellular_sites(phys);
  double act[30];
  for (size_t i = 0; i < n; i++)
    act[i] = i == 0 ? 100 : 0.5;
  CHECK_OK(dnt_world_step(phys, act));
  dnt_world_observe(phys, tel);
  CHECK_NEAR(tel[2 * n + 0], 10 * s->capacity[0], 1e-9);
  CHECK_NEAR(tel[2 * n + 1], 0.5 * s->capacity[1], 1e-9);
  CHECK_NEAR(tel[n + 1], tel[1] / (0.5 * s->capacity[1]), 1e-12);
  CHECK_OK(dnt_world_step(phys, NULL)); /* an action holds until changed */
  CHECK_NEAR(dnt_cellular_capacity(phys)[1], 0.5 * s->capacity[1], 1e-9);
  act[2] = NAN;
  CHECK(dnt_world_step(phys, act) == DNT_ERR_ARG);
  dnt_cellular_stats st;
  dnt_cellular_stats_get(phys, &st);
  CHECK(st.served <= st.demand && st.dropped >= 0 && st.mean_load <= st.max_load);
  CHECK_NEAR(st.dropped, st.demand - st.served, 1e-12);
  (void)nf;
  dnt_world_destroy(phys);
  dnt_world_destroy(twin);
}

/* A saved state with a negative step (replay read row t mod T before the
 * matrix: found by fuzz_world), a step past 2^53 or the all-zero RNG state
 * (a world that never steps: the polar method loops) is refused, and the
 * world keeps its own state. Layout: the wrapper's 12 + kind + 8 bytes, then
 * magic, n, K (8 each), the step at 24 and the RNG words at 40. */
static void test_corrupt_state(dnt_world *w) {
  unsigned char *buf = NULL, *again = NULL;
  size_t len = 0, len2 = 0;
  CHECK_OK(dnt_world_save(w, &buf, &len));
  size_t body = 12 + strlen(dnt_world_kind(w)) + 8;
  int64_t steps[] = {-9, INT64_MIN, DNT_WORLD_MAX_TIME + 1}, t;
  for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
    memcpy(&t, buf + body + 24, 8);
    memcpy(buf + body + 24, &steps[k], 8);
    CHECK(dnt_world_load(w, buf, len) == DNT_ERR_CORRUPT);
    memcpy(buf + body + 24, &t, 8);
  }
  unsigned char rng[32];
  memcpy(rng, buf + body + 40, 32);
  memset(buf + body + 40, 0, 32);
  CHECK(dnt_world_load(w, buf, len) == DNT_ERR_CORRUPT);
  memcpy(buf + body + 40, rng, 32);
  CHECK_OK(dnt_world_save(w, &again, &len2));
  CHECK(len2 == len && memcmp(buf, again, len) == 0);
  CHECK_OK(dnt_world_step(w, NULL));
  free(again);
  free(buf);
}

static void test_replay(void) {
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_alloc(&s, 3));
  for (int i = 0; i < 3; i++)
    s.x[i] = 100.0 * i;
  dnt_cell_traffic tr;
  CHECK_OK(dnt_cell_traffic_alloc(&tr, 4, 2));
  double v[8] = {1, 10, 2, 20, 3, 30, 4, 40};
  memcpy(tr.v, v, sizeof v);
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  p.replay_shift = 1;
  p.fault_prob = 0;
  dnt_world *w = NULL;
  CHECK_OK(dnt_cellular_create(&s, &tr, &p, 1, &w));
  CHECK(dnt_cellular_is_replay(w));
  /* BS 2 replays series 0 shifted by one step; capacity = 1.3 x peak */
  const dnt_cell_sites *rs = dnt_cellular_sites(w);
  CHECK_NEAR(rs->capacity[0], 1.3 * 4, 1e-12);
  CHECK_NEAR(rs->capacity[1], 1.3 * 40, 1e-12);
  CHECK_NEAR(rs->backhaul[1], 1.5 * 1.3 * 40, 1e-9);
  CHECK_NEAR(rs->radius[0], 2 * 100, 1e-9); /* 2 x mean nearest-neighbour distance */
  int ok = 1;
  for (int t = 0; t < 9; t++) {
    const double *d = dnt_cellular_demand(w);
    ok &= d[0] == v[2 * (t % 4)] && d[1] == v[2 * (t % 4) + 1] && d[2] == v[2 * ((t + 1) % 4)];
    CHECK_OK(dnt_world_step(w, NULL));
  }
  CHECK(ok);
  test_corrupt_state(w);
  dnt_cell_traffic series;
  CHECK_OK(dnt_cellular_series(w, 5, &series));
  CHECK(series.n_series == 3 && series.v[4 * 3 + 2] == 2 && series.v[3] == 2);
  dnt_cell_traffic_free(&series);
  dnt_world_destroy(w);
  tr.v[3] = -1;
  CHECK(dnt_cellular_create(&s, &tr, &p, 1, &w) == DNT_ERR_ARG);
  dnt_cell_traffic_free(&tr);
  dnt_cell_sites_free(&s);
}

/* Pearson correlation of log demand of BSs i and j over T steps of an (T, n) matrix. */
static double log_corr(const dnt_cell_traffic *t, size_t i, size_t j) {
  double mi = 0, mj = 0, sij = 0, sii = 0, sjj = 0;
  size_t n = t->n_series, T = t->n_steps;
  for (size_t r = 0; r < T; r++)
    mi += log(t->v[r * n + i]), mj += log(t->v[r * n + j]);
  mi /= (double)T, mj /= (double)T;
  for (size_t r = 0; r < T; r++) {
    double a = log(t->v[r * n + i]) - mi, b = log(t->v[r * n + j]) - mj;
    sij += a * b, sii += a * a, sjj += b * b;
  }
  return sij / sqrt(sii * sjj);
}

static void test_generated_statistics(void) {
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  sp.n = 100;
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_generate(&sp, 2, &s));
  dnt_cell_traffic_params tp;
  dnt_cell_traffic_params_default(&tp);
  tp.base_sd = 0;
  tp.peak_sd = 0;
  tp.burst_prob = 0;
  size_t T = 24 * 7 * 12, n = s.n; /* twelve weeks of hours */
  dnt_cell_traffic t;
  CHECK_OK(dnt_cell_traffic_generate(&s, &tp, 77, T, &t));
  /* E[d] = mean x E[day] x E[week] = 1 x 1 x (5 + 2 x 0.7) / 7 */
  double sum = 0, hour[24] = {0}, weekday = 0, weekend = 0;
  for (size_t r = 0; r < T; r++)
    for (size_t i = 0; i < n; i++) {
      double d = t.v[r * n + i];
      sum += d;
      hour[r % 24] += d;
      if ((r / 24) % 7 >= 5)
        weekend += d;
      else
        weekday += d;
    }
  CHECK_NEAR(sum / (double)(T * n), 6.4 / 7, 0.03);
  CHECK_NEAR(hour[14] / hour[2], (1 + 0.6) / (1 - 0.6), 0.4); /* peak / trough */
  CHECK_NEAR((weekend / 2) / (weekday / 5), 0.7, 0.04);
  /* same seed, same series; the world's series is the generator's */
  dnt_cell_traffic t2;
  CHECK_OK(dnt_cell_traffic_generate(&s, &tp, 77, 50, &t2));
  CHECK(memcmp(t2.v, t.v, 50 * n * sizeof(double)) == 0);
  dnt_cell_traffic_free(&t2);
  dnt_cell_traffic_free(&t);

  /* spatial correlation: two pairs 10 m apart, the pairs 20 km apart. With
   * rho = 0 the log demand of i and j correlates as beta^2 W_i . W_j: about
   * beta^2 within a pair, much less across pairs. */
  dnt_cell_sites q;
  CHECK_OK(dnt_cell_sites_alloc(&q, 4));
  double qx[4] = {0, 10, 20000, 20010};
  memcpy(q.x, qx, sizeof qx);
  tp.daily_amp = 0;
  tp.weekend = 1;
  tp.rho = 0;
  tp.beta = 0.9;
  tp.n_factors = 16;
  CHECK_OK(dnt_cell_traffic_generate(&q, &tp, 5, 20000, &t));
  double near = log_corr(&t, 0, 1), far = log_corr(&t, 0, 2);
  CHECK_MSG(near > 0.75 && near < 0.87, "near pair correlation %g (beta^2 = 0.81)", near);
  CHECK_MSG(far < near - 0.3, "far pair correlation %g vs near %g", far, near);
  dnt_cell_traffic_free(&t);
  tp.beta = 0;
  CHECK_OK(dnt_cell_traffic_generate(&q, &tp, 5, 20000, &t));
  CHECK_NEAR(log_corr(&t, 0, 1), 0, 0.04);
  dnt_cell_traffic_free(&t);
  dnt_cell_sites_free(&q);
  dnt_cell_sites_free(&s);
}

/* The world from the cellular.* rows: defaults as documented, generated
 * sites and traffic, the same world as built by hand; a missing file is
 * DNT_ERR_IO. */
static void test_config(void) {
  dnt_cellular_config c;
  dnt_cellular_config_defaults(&c);
  CHECK(c.n_bs == 125 && !strcmp(c.process, "matern") && c.gen_factors == 8 &&
        c.capacity_headroom == 1.3 && !c.sites[0] && !c.traffic[0]);
  c.n_bs = 60;
  dnt_cellular_inputs in;
  CHECK_OK(dnt_cellular_inputs_read(&c, 3, "interpolate", 0, 11, &in));
  CHECK(in.sites.n == 60 && in.traffic.n_steps == 0);
  dnt_world *w = NULL, *by_hand = NULL;
  CHECK_OK(dnt_cellular_create_from(&c, &in, 11, &w));
  CHECK(dnt_cellular_n_bs(w) == 60 && !dnt_cellular_is_replay(w));
  dnt_cell_site_params sp;
  dnt_cellular_params p;
  dnt_cell_site_params_default(&sp);
  dnt_cellular_params_default(&p);
  sp.n = 60;
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_generate(&sp, 11, &s));
  CHECK(memcmp(s.x, in.sites.x, 60 * sizeof(double)) == 0);
  CHECK_OK(dnt_cellular_create(&s, NULL, &p, 11, &by_hand));
  for (int t = 0; t < 5; t++) {
    CHECK_OK(dnt_world_step(w, NULL));
    CHECK_OK(dnt_world_step(by_hand, NULL));
  }
  CHECK(memcmp(dnt_cellular_demand(w), dnt_cellular_demand(by_hand), 60 * sizeof(double)) == 0);
  dnt_world_destroy(w);
  dnt_world_destroy(by_hand);
  dnt_cell_sites_free(&s);
  dnt_cellular_inputs_free(&in);
  c.sites = "/nonexistent/sites.csv";
  CHECK(dnt_cellular_inputs_read(&c, 3, "interpolate", 0, 11, &in) == DNT_ERR_IO);
  dnt_cellular_inputs_free(&in);
}

/* The twin layer's conformance check (determinism, save/load, deep copies,
 * assimilate, reseed), and reseeded forks of one state diverge. */
static void test_conformance(void) {
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  p.fault_prob = 0.01;
  dnt_world *w = generated_world(30, 5, &p);
  CHECK_OK(dnt_world_check(w, 5, 20, NULL));
  dnt_world *f1 = NULL, *f2 = NULL;
  CHECK_OK(dnt_world_copy(w, &f1));
  CHECK_OK(dnt_world_copy(w, &f2));
  CHECK_OK(dnt_world_reseed(f1, 11));
  CHECK_OK(dnt_world_reseed(f2, 12));
  CHECK(dnt_world_time(f1) == dnt_world_time(w));
  run(f1, 5, NULL);
  run(f2, 5, NULL);
  CHECK(!same_telemetry(f1, f2));
  dnt_world_destroy(f1);
  dnt_world_destroy(f2);
  dnt_world_destroy(w);
}

int main(void) {
  test_interface();
  test_conformance();
  test_mirror_and_actions();
  test_replay();
  test_generated_statistics();
  test_config();
  return test_done("cellular.world");
}
