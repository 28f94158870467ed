/* tests/twin/test_sync.c: sync policies and the channel (dnt/twin.h).
 * Event-triggered sync sends fewer bytes than periodic sync for the same
 * fidelity bound on a slowly changing series; multi-rate byte counts are exact;
 * the loss rate matches its probability and is reproducible; the downlink
 * delays actions by exactly its latency; an event sender waits for its report
 * to land; mismatched worlds and bad configs are refused; a twin reset after a
 * run equals a fresh one, and a snapshot puts the twin in sync at once. */
#include <string.h>

#include "../../docs/example_world.c"
#include "dnt/twin.h"
#include "test.h"

enum { LINKS = 4, NF = LINKS + 1 };

static example_links_config slow(double sigma) {
  example_links_config c = {
      .n_links = LINKS, .drift = 0, .sigma = sigma, .capacity = 10, .capacity_every = 0};
  return c;
}

/* Runs `steps` steps of a physical world with noise sigma against a noiseless
 * twin under sync config sc; returns the stats. */
static dnt_twin_stats run(const dnt_sync_config *sc, example_links_config pc, int steps,
                          const double *action) {
  example_links_config tc = pc;
  tc.sigma = 0;
  dnt_world *p, *w;
  dnt_twin *t;
  dnt_twin_stats st;
  memset(&st, 0, sizeof st);
  CHECK_OK(example_links_create(&pc, 21, &p));
  CHECK_OK(example_links_create(&tc, 22, &w));
  CHECK_OK(dnt_twin_create(p, w, sc, &t));
  for (int s = 0; s < steps; s++)
    CHECK_OK(dnt_twin_step(t, action));
  dnt_twin_get_stats(t, &st);
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
  return st;
}

static void test_event_vs_periodic(void) {
  const double eps = 0.1;
  const int steps = 5000;
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.policy = DNT_SYNC_EVENT;
  sc.threshold = eps;
  dnt_twin_stats ev = run(&sc, slow(0.01), steps, NULL);
  CHECK(ev.maxabs_max <= eps);
  /* the cheapest periodic sync that keeps the same bound */
  int64_t best_p = 0, best_bytes = 0;
  sc.policy = DNT_SYNC_PERIODIC;
  for (int64_t p = 1; p <= 64; p++) {
    sc.period = p;
    dnt_twin_stats pe = run(&sc, slow(0.01), steps, NULL);
    if (pe.maxabs_max > eps) break;
    best_p = p;
    best_bytes = pe.bytes_up;
  }
  printf("event: %lld bytes (%lld reports), max err %.4f; periodic: period %lld, %lld bytes\n",
         (long long)ev.bytes_up, (long long)ev.reports_sent, ev.maxabs_max, (long long)best_p,
         (long long)best_bytes);
  CHECK(best_p >= 1);
  CHECK(ev.bytes_up * 3 < best_bytes);
  /* a random walk leaves a band of half-width eps = 10 sigma after about
   * (eps/sigma)^2 = 100 steps; with 4 links in one group, a few tens */
  CHECK(ev.reports_sent > steps / 100 && ev.reports_sent < steps / 10);
  /* in units of a field scale of 10, a threshold of 0.01 is the same policy */
  const double scale[NF] = {10, 10, 10, 10, 1};
  sc.policy = DNT_SYNC_EVENT;
  sc.threshold = eps / 10;
  sc.field_scale = scale;
  dnt_twin_stats scaled = run(&sc, slow(0.01), steps, NULL);
  CHECK(scaled.reports_sent == ev.reports_sent && scaled.bytes_up == ev.bytes_up);
  CHECK_NEAR(scaled.maxabs_max, ev.maxabs_max / 10, 1e-15);
  CHECK_NEAR(scaled.rmse_mean, ev.rmse_mean / 10, 1e-15);
}

static void test_multirate(void) {
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.policy = DNT_SYNC_MULTIRATE;
  sc.group_period[0] = 1;
  sc.group_period[1] = 10;
  example_links_config pc = slow(0.05);
  pc.capacity_every = 25;
  dnt_twin_stats st = run(&sc, pc, 1000, NULL);
  CHECK(st.reports_sent == 1000 + 100);
  CHECK(st.bytes_up ==
        1000 * (DNT_SYNC_HEADER_BYTES + 8 * LINKS) + 100 * (DNT_SYNC_HEADER_BYTES + 8));
  /* the capacity changes every 25 steps and is seen up to 9 steps late */
  CHECK(st.maxabs_max > 0 && st.rmse_mean > 0);
}

static void test_loss(void) {
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.channel.uplink_loss = 0.3;
  sc.seed = 5;
  const int steps = 20000;
  dnt_twin_stats a = run(&sc, slow(0.05), steps, NULL);
  dnt_twin_stats b = run(&sc, slow(0.05), steps, NULL);
  CHECK(a.reports_lost == b.reports_lost);
  CHECK(a.reports_delivered + a.reports_lost == steps);
  double se = sqrt(0.3 * 0.7 / steps);
  CHECK_NEAR((double)a.reports_lost / steps, 0.3, 4 * se);
  CHECK(a.maxabs_max > 0); /* a lost report leaves the twin behind */
  sc.seed = 6;             /* other reports are lost (the count may coincide) */
  dnt_twin_stats c = run(&sc, slow(0.05), steps, NULL);
  CHECK(c.rmse_mean != a.rmse_mean);
}

static void test_downlink(void) {
  for (int64_t D = 0; D <= 3; D++) {
    dnt_sync_config sc;
    dnt_sync_config_default(&sc);
    sc.period = 1000; /* no sync during the test */
    sc.channel.downlink_latency = D;
    example_links_config c = slow(0);
    dnt_world *p, *w;
    dnt_twin *t;
    CHECK_OK(example_links_create(&c, 1, &p));
    CHECK_OK(example_links_create(&c, 2, &w));
    CHECK_OK(dnt_twin_create(p, w, &sc, &t));
    double shed = 0.5;
    int ok = 1;
    for (int s = 1; s <= 6; s++) {
      CHECK_OK(dnt_twin_step(t, s == 1 ? &shed : NULL));
      double twin_load = dnt_twin_telemetry(t)[0], phys_load = dnt_twin_physical_telemetry(t)[0];
      ok &= twin_load == 2.5;                      /* the twin acted at once */
      ok &= phys_load == (s >= 1 + D ? 2.5 : 5.0); /* the physical side D steps later */
    }
    CHECK_MSG(ok, "downlink latency %lld", (long long)D);
    dnt_twin_stats st;
    dnt_twin_get_stats(t, &st);
    CHECK(st.actions_sent == 1 && st.bytes_down == DNT_SYNC_HEADER_BYTES + 8);
    dnt_twin_destroy(t);
    dnt_world_destroy(p);
  }
}

static void test_event_inflight_and_heartbeat(void) {
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.policy = DNT_SYNC_EVENT;
  sc.threshold = 0; /* every divergence triggers */
  sc.channel.uplink_latency = 5;
  dnt_twin_stats st = run(&sc, slow(0.05), 600, NULL);
  /* group 0 diverges at once; it may send only when its last report landed */
  CHECK(st.reports_sent == 600 / 6);
  /* a world that never diverges sends only heartbeats */
  sc.channel.uplink_latency = 0;
  sc.max_silence = 50;
  st = run(&sc, slow(0), 600, NULL);
  CHECK(st.reports_sent == 2 * (600 / 50));
  CHECK(st.maxabs_max == 0);
}

static void test_refusals(void) {
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  example_links_config a = slow(0), b = slow(0);
  b.n_links = LINKS + 1;
  dnt_world *p, *w;
  dnt_twin *t;
  CHECK_OK(example_links_create(&a, 1, &p));
  CHECK_OK(example_links_create(&b, 1, &w));
  CHECK(dnt_twin_create(p, w, &sc, &t) == DNT_ERR_MISMATCH);
  CHECK_OK(example_links_create(&a, 1, &w));
  sc.channel.uplink_loss = 1.0;
  CHECK(dnt_twin_create(p, w, &sc, &t) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "loss") != NULL);
  sc.channel.uplink_loss = 0;
  const double bad_scale[NF] = {1, 1, 0, 1, 1};
  sc.field_scale = bad_scale;
  CHECK_OK(example_links_create(&a, 1, &w));
  CHECK(dnt_twin_create(p, w, &sc, &t) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "load_2") != NULL);
  dnt_world_destroy(p);
  dnt_sync_policy pol;
  CHECK_OK(dnt_sync_policy_parse("multirate", &pol));
  CHECK(pol == DNT_SYNC_MULTIRATE);
  CHECK(dnt_sync_policy_parse("sometimes", &pol) == DNT_ERR_ARG);
  CHECK(strcmp(dnt_sync_policy_name(DNT_SYNC_EVENT), "event") == 0);
}

/* Same stats and mirror for twins a and b. */
static int same_twin(const dnt_twin *a, const dnt_twin *b) {
  dnt_twin_stats x, y;
  dnt_twin_get_stats(a, &x);
  dnt_twin_get_stats(b, &y);
  const dnt_mirror *m = dnt_twin_mirror(a), *n = dnt_twin_mirror(b);
  int same = memcmp(&x, &y, sizeof x) == 0 && m->rows == n->rows && m->reports == n->reports;
  for (size_t i = 0; i < NF; i++)
    same &= m->value[i] == n->value[i] && m->measured_at[i] == n->measured_at[i] &&
            dnt_twin_telemetry(a)[i] == dnt_twin_telemetry(b)[i];
  for (size_t r = 0; same && r < m->rows; r++)
    same &=
        memcmp(dnt_mirror_row(m, r, NULL), dnt_mirror_row(n, r, NULL), NF * sizeof(double)) == 0;
  return same;
}

static void test_reset_equals_fresh(void) {
  example_links_config pc = slow(0.3), tc = slow(0);
  pc.capacity_every = tc.capacity_every = 5;
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.policy = DNT_SYNC_EVENT;
  sc.threshold = 0.2;
  sc.max_silence = 4;
  sc.channel.uplink_latency = 2;
  sc.channel.uplink_loss = 0.3;
  sc.channel.downlink_latency = 1;
  sc.history_rows = 16;
  sc.seed = 7;
  dnt_world *pa, *wa, *pb, *wb;
  dnt_twin *a, *b;
  CHECK_OK(example_links_create(&pc, 1, &pa));
  CHECK_OK(example_links_create(&tc, 2, &wa));
  CHECK_OK(dnt_twin_create(pa, wa, &sc, &a));
  sc.seed = 3; /* b runs first with another channel seed, then is reset */
  CHECK_OK(example_links_create(&pc, 1, &pb));
  CHECK_OK(example_links_create(&tc, 2, &wb));
  CHECK_OK(dnt_twin_create(pb, wb, &sc, &b));
  double shed = 0.1;
  for (int s = 0; s < 25; s++)
    CHECK_OK(dnt_twin_step(b, s % 3 ? &shed : NULL));
  CHECK(!same_twin(a, b));
  CHECK_OK(dnt_world_reset(pb, 1));
  CHECK_OK(dnt_world_reset(dnt_twin_world(b), 2));
  dnt_twin_reset(b, 7);
  CHECK(dnt_twin_now(b) == 0 && dnt_twin_mirror(b)->rows == 0 &&
        dnt_twin_mirror(b)->measured_at[0] == -1 && dnt_twin_mirror(b)->value[0] == 0);
  CHECK(same_twin(a, b));
  for (int s = 0; s < 40; s++) {
    CHECK_OK(dnt_twin_step(a, s % 3 ? &shed : NULL));
    CHECK_OK(dnt_twin_step(b, s % 3 ? &shed : NULL));
  }
  dnt_twin_stats st;
  dnt_twin_get_stats(b, &st);
  CHECK(st.reports_lost > 0 && st.reports_delivered > 0 && st.actions_sent > 0);
  CHECK_MSG(same_twin(a, b), "a reset twin differs from a fresh one");
  dnt_twin_destroy(a);
  dnt_twin_destroy(b);
  dnt_world_destroy(pa);
  dnt_world_destroy(pb);
}

static void test_snapshot(void) {
  example_links_config pc = slow(0.3), tc = slow(0);
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.channel.uplink_latency = 3;
  dnt_world *p, *w;
  dnt_twin *t;
  CHECK_OK(example_links_create(&pc, 4, &p));
  CHECK_OK(example_links_create(&tc, 5, &w));
  for (int s = 0; s < 3; s++) /* the physical side has moved: the twin is out of sync */
    CHECK_OK(dnt_world_step(p, NULL));
  CHECK_OK(dnt_twin_create(p, w, &sc, &t));
  CHECK(dnt_twin_physical_telemetry(t)[0] != dnt_twin_telemetry(t)[0]);
  CHECK_OK(dnt_twin_snapshot(t));
  const dnt_mirror *m = dnt_twin_mirror(t);
  double x[NF];
  dnt_world_observe(p, x);
  int64_t rt = -1;
  CHECK(m->rows == 1 && memcmp(dnt_mirror_row(m, 0, &rt), x, sizeof x) == 0 && rt == 0);
  for (int i = 0; i < NF; i++)
    CHECK(m->value[i] == x[i] && m->measured_at[i] == 0 && dnt_twin_telemetry(t)[i] == x[i]);
  dnt_twin_stats st;
  dnt_twin_get_stats(t, &st);
  CHECK(st.reports_sent == 0 && st.bytes_up == 0);
  for (int s = 0; s < 5; s++)
    CHECK_OK(dnt_twin_step(t, NULL));
  CHECK(m->measured_at[0] == 2);  /* step 5 holds the report of step 2 */
  CHECK_OK(dnt_twin_snapshot(t)); /* mid-run: this step's row is rewritten */
  dnt_world_observe(p, x);
  CHECK(m->rows == 6 && memcmp(dnt_mirror_row(m, 5, &rt), x, sizeof x) == 0 && rt == 5);
  CHECK(m->measured_at[0] == 5 && dnt_mirror_staleness(m, 0, 5) == 0);
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
}

int main(void) {
  test_event_vs_periodic();
  test_multirate();
  test_loss();
  test_downlink();
  test_event_inflight_and_heartbeat();
  test_refusals();
  test_reset_equals_fresh();
  test_snapshot();
  return test_done("twin.sync");
}
