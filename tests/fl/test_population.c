/* tests/fl/test_population.c: the population shared by the servers:
 * regrouping mid-run to the same groups equals the run without regrouping
 * (synchronous and asynchronous); a real regroup changes the per-group byte
 * counts as computed by hand; per-group bytes sum to the totals; the
 * asynchronous server aggregates hierarchically by group (by hand);
 * participation (nobody online fails the round, everyone online equals no
 * participation); detection counting and its precision (NaN when nothing is
 * flagged); the checks name the field. */
#include <math.h>
#include <string.h>

#include "dnt/fl_async.h"
#include "dnt/fl_quadratic.h"
#include "dnt/status.h"
#include "test.h"

enum { N = 12, QD = 16, ROUNDS = 6 };

static const int G2[N] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
static const int G3[N] = {0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2};

/* Sync rounds of the quadratic task with groups G2; regroup_at >= 0 regroups
 * to `to` (n_to groups) before that round. Model into w, the last round's
 * metrics into last and its per-group bytes into gb (down[3], then up[3]). */
static void sync_run(int regroup_at, const int *to, int n_to, float *w, dnt_fl_metrics *last,
                     double *gb) {
  unsigned char mal[N] = {1, 1};
  dnt_fl_quadratic t;
  CHECK_OK(dnt_fl_quadratic_init(&t, N, QD, 1, 1, 4, mal));
  dnt_fl_server_cfg cfg = dnt_fl_server_defaults(N, t.clients, QD);
  cfg.pop.malicious = mal;
  cfg.pop.groups = G2;
  cfg.pop.n_groups = 2;
  cfg.pop.seed = 4;
  cfg.server_lr = 0.5;
  cfg.per_round = 10;
  cfg.group_agg = dnt_agg_defaults(DNT_AGG_MEDIAN);
  cfg.stage.agg = dnt_agg_defaults(DNT_AGG_MEAN);
  cfg.stage.attack = dnt_attack_defaults(DNT_ATTACK_LIE);
  float w0[QD] = {0};
  dnt_fl_server *s;
  CHECK_OK(dnt_fl_server_create(&cfg, w0, &s));
  for (int r = 0; r < ROUNDS; r++) {
    if (r == regroup_at) CHECK_OK(dnt_fl_server_regroup(s, to, n_to));
    CHECK_OK(dnt_fl_server_round(s, last));
  }
  memcpy(w, dnt_fl_server_model(s), sizeof(float) * QD);
  for (int g = 0; g < last->n_groups && g < 3; g++)
    gb[g] = last->group_bytes_down[g], gb[3 + g] = last->group_bytes_up[g];
  dnt_fl_server_destroy(s);
  dnt_fl_quadratic_free(&t);
}

static void test_sync_regroup(void) {
  float a[QD], b[QD], c[QD];
  double gb[6] = {0};
  dnt_fl_metrics m;
  sync_run(-1, NULL, 0, a, &m, gb);
  sync_run(3, G2, 2, b, &m, gb);
  CHECK(memcmp(a, b, sizeof a) == 0); /* same groups: the same run */
  sync_run(3, G3, 3, c, &m, gb);
  CHECK(memcmp(a, c, sizeof a) != 0); /* other groups: another aggregate */
  /* the last round (regrouped to G3): selected clients' bytes by group */
  CHECK(m.n_groups == 3);
  double down = 0, up = 0;
  for (int g = 0; g < 3; g++)
    down += gb[g], up += gb[3 + g];
  CHECK_NEAR(down, m.bytes_down, 0);
  CHECK_NEAR(up, m.bytes_up, 0);
  CHECK_NEAR(m.bytes_down, 10.0 * QD * 4, 0);
}

/* Client i returns delta = i everywhere. */
static int ident(void *ctx, const dnt_fl_train_args *a, dnt_fl_update *u) {
  (void)ctx;
  for (size_t j = 0; j < a->d; j++)
    u->delta[j] = (float)a->client_id;
  return 0;
}

/* Everyone, every round: bytes per group by hand before and after a regroup. */
static void test_group_bytes(void) {
  enum { D = 3 };
  dnt_fl_client cl[N];
  for (int i = 0; i < N; i++)
    cl[i] = (dnt_fl_client){NULL, ident};
  float w0[D] = {0};
  dnt_fl_server_cfg cfg = dnt_fl_server_defaults(N, cl, D);
  dnt_fl_server *s;
  CHECK_OK(dnt_fl_server_create(&cfg, w0, &s));
  dnt_fl_metrics m;
  CHECK_OK(dnt_fl_server_round(s, &m)); /* no groups: one group holds everything */
  CHECK(m.n_groups == 1 && m.group_bytes_down[0] == N * D * 4 && m.group_bytes_up[0] == N * D * 4);
  CHECK_OK(dnt_fl_server_regroup(s, G3, 3)); /* sizes 2, 5, 5 */
  CHECK_OK(dnt_fl_server_round(s, &m));
  CHECK(m.n_groups == 3);
  CHECK_NEAR(m.group_bytes_down[0], 2 * D * 4, 0);
  CHECK_NEAR(m.group_bytes_down[1], 5 * D * 4, 0);
  CHECK_NEAR(m.group_bytes_up[2], 5 * D * 4, 0);
  /* the model: round 1 mean 5.5; round 2 the mean of the group means
   * weighted by size = the plain mean again: 5.5 + 5.5 */
  CHECK_NEAR(dnt_fl_server_model(s)[1], 11, 1e-5);
  /* a bad grouping is refused and the old one stays */
  int bad[N] = {0};
  bad[4] = 7;
  CHECK(dnt_fl_server_regroup(s, bad, 3) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "population.groups[4]") != NULL);
  CHECK_OK(dnt_fl_server_round(s, &m));
  CHECK(m.n_groups == 3);
  dnt_fl_server_destroy(s);
}

/* FedBuff with groups: the first (synchronous) round aggregates every client
 * hierarchically: median inside {0..5} = 2.5 and {6..11} = 8.5, weighted
 * mean 5.5; then groups G3: medians 0.5, 4, 9, sizes 2, 5, 5:
 * (1 + 20 + 45) / 12 = 5.5. A median rule inside and a median on top shows
 * the grouping: G3 top median of (0.5, 4, 9) = 4. */
static void test_async_groups(void) {
  enum { D = 2 };
  dnt_fl_client cl[N];
  for (int i = 0; i < N; i++)
    cl[i] = (dnt_fl_client){NULL, ident};
  float w0[D] = {0};
  dnt_fl_async_cfg cfg = dnt_fl_async_defaults(N, cl, D);
  cfg.pop.groups = G2;
  cfg.pop.n_groups = 2;
  cfg.sync_rounds = 3;
  cfg.staleness = DNT_STALE_CONSTANT;
  cfg.group_agg = dnt_agg_defaults(DNT_AGG_MEDIAN);
  cfg.stage.agg = dnt_agg_defaults(DNT_AGG_MEDIAN);
  dnt_fl_async *s;
  CHECK_OK(dnt_fl_async_create(&cfg, w0, &s));
  dnt_fl_async_metrics m;
  CHECK_OK(dnt_fl_async_step(s, &m)); /* median of (2.5, 8.5), two groups = 5.5 */
  CHECK(m.sync && m.aggregated == N);
  CHECK_NEAR(dnt_fl_async_model(s)[0], 5.5, 1e-5);
  CHECK(m.n_groups == 2 && m.group_bytes_up[0] == 6 * D * 4 && m.group_bytes_up[1] == 6 * D * 4);
  CHECK_OK(dnt_fl_async_regroup(s, G3, 3));
  CHECK_OK(dnt_fl_async_step(s, &m)); /* + median(0.5, 4, 9) = 4 */
  CHECK_NEAR(dnt_fl_async_model(s)[0], 9.5, 1e-5);
  CHECK(m.n_groups == 3 && m.group_bytes_up[0] == 2 * D * 4 && m.group_bytes_up[1] == 5 * D * 4);
  double up = 0, down = 0;
  for (int g = 0; g < 3; g++)
    up += m.group_bytes_up[g], down += m.group_bytes_down[g];
  CHECK_NEAR(up, m.bytes_up, 0);
  CHECK_NEAR(down, m.bytes_down, 0);
  dnt_fl_async_destroy(s);
}

/* FedBuff on the quadratic task, groups G2, regrouped to `to` before step
 * regroup_at (or never); model into w. */
static void async_run(int regroup_at, const int *to, int n_to, float *w) {
  unsigned char mal[N] = {0, 0, 0, 1};
  dnt_fl_quadratic t;
  CHECK_OK(dnt_fl_quadratic_init(&t, N, QD, 1, 1, 6, mal));
  dnt_fl_async_cfg cfg = dnt_fl_async_defaults(N, t.clients, QD);
  cfg.pop.malicious = mal;
  cfg.pop.groups = G2;
  cfg.pop.n_groups = 2;
  cfg.buffer_k = 8;
  cfg.concurrency = 10;
  cfg.server_lr = 0.5;
  cfg.stage.attack = dnt_attack_defaults(DNT_ATTACK_SIGNFLIP);
  float w0[QD] = {0};
  dnt_fl_async *s;
  CHECK_OK(dnt_fl_async_create(&cfg, w0, &s));
  for (int k = 0; k < 10; k++) {
    if (k == regroup_at) CHECK_OK(dnt_fl_async_regroup(s, to, n_to));
    CHECK_OK(dnt_fl_async_step(s, NULL));
  }
  memcpy(w, dnt_fl_async_model(s), sizeof(float) * QD);
  dnt_fl_async_destroy(s);
  dnt_fl_quadratic_free(&t);
}

static void test_async_regroup(void) {
  float a[QD], b[QD];
  async_run(-1, NULL, 0, a);
  async_run(5, G2, 2, b);
  CHECK(memcmp(a, b, sizeof a) == 0);
}

static void test_participation(void) {
  enum { D = 2 };
  dnt_fl_client cl[N];
  for (int i = 0; i < N; i++)
    cl[i] = (dnt_fl_client){NULL, ident};
  float w0[D] = {0};
  double none[N] = {0}, all[N];
  for (int i = 0; i < N; i++)
    all[i] = 1;
  dnt_fl_server_cfg cfg = dnt_fl_server_defaults(N, cl, D);
  cfg.pop.participation = none;
  dnt_fl_server *s;
  dnt_fl_metrics m;
  CHECK_OK(dnt_fl_server_create(&cfg, w0, &s));
  CHECK(dnt_fl_server_round(s, &m) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "no client online") != NULL);
  dnt_fl_server_destroy(s);
  cfg.pop.participation = all;
  CHECK_OK(dnt_fl_server_create(&cfg, w0, &s));
  CHECK_OK(dnt_fl_server_round(s, &m));
  CHECK(m.selected == N);
  CHECK_NEAR(dnt_fl_server_model(s)[0], 5.5, 1e-6);
  dnt_fl_server_destroy(s);
  all[3] = 1.5;
  CHECK(dnt_fl_server_create(&cfg, w0, &s) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "population.participation[3]") != NULL);
  /* the asynchronous server's participation is its concurrency */
  dnt_fl_async_cfg ac = dnt_fl_async_defaults(N, cl, D);
  ac.pop.participation = none;
  dnt_fl_async *as;
  CHECK(dnt_fl_async_create(&ac, w0, &as) == DNT_ERR_ARG);
}

static void test_detection(void) {
  unsigned char st[6] = {DNT_FL_KEPT,     DNT_FL_DROPPED, DNT_FL_FILTERED,
                         DNT_FL_REJECTED, DNT_FL_KEPT,    DNT_FL_DROPPED};
  unsigned char mal[6] = {1, 1, 0, 1, 0, 0};
  dnt_fl_detection det = {0, 0, 0};
  CHECK(isnan(dnt_fl_precision(&det)) && isnan(dnt_fl_recall(&det)));
  dnt_fl_detection_count(&det, st, mal, 6); /* row 3 never reached the stage */
  CHECK(det.true_pos == 1 && det.false_pos == 2 && det.false_neg == 1);
  CHECK_NEAR(dnt_fl_precision(&det), 1.0 / 3, 1e-15);
  CHECK_NEAR(dnt_fl_recall(&det), 0.5, 1e-15);
  dnt_fl_detection quiet = {0, 0, 4}; /* flagged nothing: no precision */
  CHECK(isnan(dnt_fl_precision(&quiet)) && dnt_fl_recall(&quiet) == 0);
}

int main(void) {
  test_sync_regroup();
  test_group_bytes();
  test_async_groups();
  test_async_regroup();
  test_participation();
  test_detection();
  return test_done("fl.population");
}
