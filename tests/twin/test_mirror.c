/* tests/twin/test_mirror.c: the mirror (dnt/mirror.h) through a twin session
 * (dnt/twin.h): with zero latency and a report every step the twin equals the
 * physical state after every step; with uplink latency L it lags exactly L
 * steps and knows it (staleness L); the history ring keeps the newest rows. */
#include <string.h>

#include "../../docs/example_world.c"
#include "dnt/twin.h"
#include "test.h"

enum { NF = 7, STEPS = 60 };

static const example_links_config phys_cfg = {
    .n_links = NF - 1, .drift = 0.02, .sigma = 0.3, .capacity = 10, .capacity_every = 7};

/* A physical world and a twin whose own model is noiseless (different seed). */
static dnt_twin *session(int64_t latency, size_t history) {
  example_links_config twin_cfg = phys_cfg;
  twin_cfg.sigma = 0;
  dnt_world *p, *w;
  dnt_twin *t = NULL;
  CHECK_OK(example_links_create(&phys_cfg, 11, &p));
  CHECK_OK(example_links_create(&twin_cfg, 12, &w));
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.channel.uplink_latency = latency;
  sc.history_rows = history;
  CHECK_OK(dnt_twin_create(p, w, &sc, &t));
  return t;
}

static void end(dnt_twin *t) {
  dnt_world *p = (dnt_world *)dnt_twin_physical(t);
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
}

static void test_zero_latency(void) {
  dnt_twin *t = session(0, 16);
  const dnt_mirror *m = dnt_twin_mirror(t);
  int equal = 1;
  for (int s = 1; s <= STEPS; s++) {
    CHECK_OK(dnt_twin_step(t, NULL));
    const double *pt = dnt_twin_physical_telemetry(t);
    equal &= memcmp(pt, dnt_twin_telemetry(t), NF * sizeof(double)) == 0;
    equal &= memcmp(pt, m->value, NF * sizeof(double)) == 0;
    equal &= dnt_mirror_max_staleness(m, s) == 0;
  }
  CHECK(equal);
  dnt_twin_stats st;
  dnt_twin_get_stats(t, &st);
  CHECK(st.reports_sent == STEPS && st.reports_delivered == STEPS);
  CHECK(st.bytes_up == STEPS * (DNT_SYNC_HEADER_BYTES + 8 * NF));
  CHECK(st.maxabs_max == 0 && st.rmse_mean == 0);
  end(t);
}

static void test_latency(int64_t L) {
  dnt_twin *t = session(L, 1000);
  const dnt_mirror *m = dnt_twin_mirror(t);
  double phys[STEPS + 1][NF];
  int lag_ok = 1, stale_ok = 1;
  for (int s = 1; s <= STEPS; s++) {
    CHECK_OK(dnt_twin_step(t, NULL));
    memcpy(phys[s], dnt_twin_physical_telemetry(t), sizeof phys[s]);
    if (s <= L) {
      stale_ok &= dnt_mirror_staleness(m, 0, s) == -1 && m->measured_at[NF - 1] == -1;
      continue;
    }
    lag_ok &= memcmp(m->value, phys[s - L], sizeof phys[s]) == 0;
    lag_ok &= memcmp(dnt_twin_telemetry(t), phys[s - L], sizeof phys[s]) == 0;
    /* one step less of lag would be wrong whenever the physical value moved */
    if (L > 0 && memcmp(phys[s - L], phys[s - L + 1], sizeof phys[s]) != 0)
      lag_ok &= memcmp(m->value, phys[s - L + 1], sizeof phys[s]) != 0;
    for (int i = 0; i < NF; i++)
      stale_ok &= dnt_mirror_staleness(m, (size_t)i, s) == L;
    stale_ok &= m->received_at[0] == s && m->measured_at[0] == s - L;
  }
  CHECK_MSG(lag_ok, "latency %lld", (long long)L);
  CHECK_MSG(stale_ok, "latency %lld", (long long)L);
  /* history row of step s holds physical step s - L */
  double series[STEPS];
  size_t n = dnt_mirror_series(m, 2, series, STEPS);
  CHECK(n == STEPS);
  CHECK(series[STEPS - 1] == phys[STEPS - L][2]);
  CHECK(series[L + 4] == phys[5][2]);
  dnt_twin_stats st;
  dnt_twin_get_stats(t, &st);
  CHECK(st.reports_delivered == STEPS - L);
  end(t);
}

static void test_history_ring(void) {
  dnt_twin *t = session(0, 8);
  double last[20];
  for (int s = 1; s <= 20; s++) {
    CHECK_OK(dnt_twin_step(t, NULL));
    last[s - 1] = dnt_twin_physical_telemetry(t)[1];
  }
  const dnt_mirror *m = dnt_twin_mirror(t);
  CHECK(m->rows == 8);
  int64_t when;
  const double *row = dnt_mirror_row(m, 0, &when);
  CHECK(when == 13 && row[1] == last[12]);
  double s[30];
  CHECK(dnt_mirror_series(m, 1, s, 30) == 8);
  CHECK(s[7] == last[19] && s[0] == last[12]);
  CHECK(dnt_mirror_series(m, 1, s, 3) == 3 && s[0] == last[17]);
  end(t);
}

static void test_ingest_rules(void) {
  dnt_mirror m;
  CHECK_OK(dnt_mirror_init(&m, 3, 4));
  const int groups[3] = {0, 0, 1};
  dnt_mirror_ingest(&m, (double[]){1, 2, 3}, groups, 0, 5, 6);
  CHECK(m.value[0] == 1 && m.value[1] == 2 && m.value[2] == 0);
  CHECK(m.measured_at[2] == -1 && dnt_mirror_max_staleness(&m, 6) == -1);
  dnt_mirror_ingest(&m, (double[]){7, 8, 9}, groups, -1, 8, 9);
  /* an older report delivered late does not roll the state back */
  dnt_mirror_ingest(&m, (double[]){4, 4, 4}, groups, -1, 7, 10);
  CHECK(m.value[0] == 7 && m.value[2] == 9);
  CHECK(dnt_mirror_staleness(&m, 2, 10) == 2);
  CHECK(m.reports == 3);
  dnt_mirror_free(&m);
  CHECK(dnt_mirror_init(&m, 0, 4) == DNT_ERR_ARG);
}

int main(void) {
  test_zero_latency();
  test_latency(0);
  test_latency(1);
  test_latency(3);
  test_latency(10);
  test_history_ring();
  test_ingest_rules();
  return test_done("twin.mirror");
}
