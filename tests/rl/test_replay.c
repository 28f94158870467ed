/* tests/rl/test_replay.c: uniform sampling is uniform (chi-square), the ring
 * overwrites the oldest, prioritised sampling follows p^alpha (chi-square),
 * importance weights match Schaul et al.'s formula, the trees stay exact. */
#include <math.h>
#include <string.h>

#include "test.h"

#include "dnt/replay.h"
#include "dnt/status.h"

static void add_indexed(dnt_replay *rb, int k) {
  float obs[2] = {(float)k, -(float)k}, next[2] = {(float)k + 0.5f, 0};
  float cost = (float)(k % 3);
  unsigned char mask[3] = {1, (unsigned char)(k & 1), 1};
  dnt_replay_add(rb, obs, k % 3, NULL, (float)k * 0.25f, &cost, next, k % 5 == 0, mask);
}

/* Pearson's statistic of counts against expected probabilities. */
static double chi_square(const long *count, const double *p, int n, long total) {
  double x2 = 0;
  for (int i = 0; i < n; i++) {
    double e = p[i] * (double)total;
    x2 += (count[i] - e) * (count[i] - e) / e;
  }
  return x2;
}

static void test_uniform(void) {
  dnt_replay_shape shape = {50, 2, 3, 0, 1, 1};
  dnt_replay rb;
  dnt_replay_batch b;
  CHECK_OK(dnt_replay_init(&rb, &shape, 0, 0));
  CHECK_OK(dnt_replay_batch_init(&b, &rb, 100));
  for (int k = 0; k < 50; k++)
    add_indexed(&rb, k);
  dnt_rng rng;
  dnt_rng_seed(&rng, 11);
  long count[50] = {0};
  int rows_ok = 1;
  for (int r = 0; r < 2000; r++) {
    dnt_replay_sample(&rb, &rng, 100, 0.4, &b);
    for (int k = 0; k < b.n; k++) {
      int i = b.idx[k];
      count[i]++;
      rows_ok &= b.obs[2 * k] == (float)i && b.obs[2 * k + 1] == -(float)i &&
                 b.next_obs[2 * k] == (float)i + 0.5f && b.action[k] == i % 3 &&
                 b.reward[k] == (float)i * 0.25f && b.terminal[k] == (i % 5 == 0) &&
                 b.cost[k] == (float)(i % 3) && b.next_mask[3 * k + 1] == (i & 1) &&
                 b.weight[k] == 1.0f;
    }
  }
  CHECK(rows_ok);
  double p[50];
  for (int i = 0; i < 50; i++)
    p[i] = 1.0 / 50;
  double x2 = chi_square(count, p, 50, 200000);
  /* 49 degrees of freedom: P(X2 > 85.35) = 0.001 */
  CHECK_MSG(x2 < 85.35, "chi-square %g", x2);
  CHECK_NEAR(dnt_replay_probability(&rb, 7), 0.02, 1e-12);
  dnt_replay_batch_free(&b);
  dnt_replay_free(&rb);
}

static void test_ring(void) {
  dnt_replay_shape shape = {10, 2, 3, 0, 1, 1};
  dnt_replay rb;
  CHECK_OK(dnt_replay_init(&rb, &shape, 0, 0));
  for (int k = 0; k < 25; k++)
    add_indexed(&rb, k);
  CHECK(rb.size == 10 && rb.pos == 5 && rb.added == 25);
  for (int i = 0; i < 10; i++)
    CHECK(rb.obs[2 * i] == (float)(i < 5 ? 20 + i : 10 + i));
  dnt_replay_free(&rb);
  dnt_replay_shape bad = {10, 2, 3, 2, 0, 0}; /* both action kinds */
  CHECK(dnt_replay_init(&rb, &bad, 0, 0) == DNT_ERR_ARG);
}

static void test_prioritized(void) {
  const int n = 6;
  const double alpha = 0.7, beta = 0.5;
  dnt_replay_shape shape = {n, 2, 3, 0, 1, 1};
  dnt_replay rb;
  dnt_replay_batch b;
  CHECK_OK(dnt_replay_init(&rb, &shape, 1, alpha));
  CHECK_OK(dnt_replay_batch_init(&b, &rb, 60));
  CHECK(rb.tree_leaves == 8);
  for (int k = 0; k < n; k++)
    add_indexed(&rb, k);
  /* new transitions all enter at the max priority (1): uniform so far */
  CHECK_NEAR(dnt_replay_probability(&rb, 3), 1.0 / n, 1e-12);
  int idx[6] = {0, 1, 2, 3, 4, 5};
  float td[6] = {0.1f, 0.5f, 1.0f, 2.0f, 4.0f, 0.25f};
  CHECK_OK(dnt_replay_update_priorities(&rb, idx, td, n));
  double p[6], sum = 0;
  for (int i = 0; i < n; i++)
    sum += p[i] = pow(fabs((double)td[i]) + 1e-6, alpha);
  double pmin = 1e9;
  for (int i = 0; i < n; i++) {
    p[i] /= sum;
    pmin = fmin(pmin, p[i]);
    CHECK_NEAR(dnt_replay_probability(&rb, i), p[i], 1e-12);
  }
  dnt_rng rng;
  dnt_rng_seed(&rng, 12);
  long count[6] = {0};
  int weights_ok = 1;
  for (int r = 0; r < 2000; r++) {
    dnt_replay_sample(&rb, &rng, 60, beta, &b);
    for (int k = 0; k < b.n; k++) {
      int i = b.idx[k];
      count[i]++;
      double w = pow(p[i] / pmin, -beta); /* (N P(i))^-beta / max_j (N P(j))^-beta */
      weights_ok &= fabs(b.weight[k] - w) < 1e-5 && b.obs[2 * k] == (float)i;
    }
  }
  CHECK(weights_ok);
  double x2 = chi_square(count, p, n, 120000);
  /* 5 degrees of freedom: P(X2 > 20.52) = 0.001 */
  CHECK_MSG(x2 < 20.52, "chi-square %g", x2);
  /* a transition added now enters at the largest priority seen (4^alpha) */
  add_indexed(&rb, 99);
  CHECK_NEAR(rb.sum_tree[rb.tree_leaves + 0], pow(4.0 + 1e-6, alpha), 1e-9);
  /* many random updates: the root stays the exact sum of the leaves */
  for (int r = 0; r < 10000; r++) {
    int i = (int)dnt_rng_below(&rng, n);
    float t = (float)dnt_rng_exponential(&rng, 1.0);
    CHECK_OK(dnt_replay_update_priorities(&rb, &i, &t, 1));
  }
  double leaves = 0, lmin = INFINITY;
  for (int i = 0; i < n; i++) {
    leaves += rb.sum_tree[rb.tree_leaves + i];
    lmin = fmin(lmin, rb.min_tree[rb.tree_leaves + i]);
  }
  CHECK_NEAR(rb.sum_tree[1], leaves, 1e-12 * leaves);
  CHECK(rb.min_tree[1] == lmin);
  /* a NaN TD error or a slot past the end changes nothing */
  double root = rb.sum_tree[1];
  int two[2] = {1, 2};
  float bad[2] = {0.5f, NAN};
  CHECK(dnt_replay_update_priorities(&rb, two, bad, 2) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "slot 2") != NULL);
  two[1] = n;
  bad[1] = 1.0f;
  CHECK(dnt_replay_update_priorities(&rb, two, bad, 2) == DNT_ERR_ARG);
  CHECK(rb.sum_tree[1] == root);
  dnt_replay_batch_free(&b);
  dnt_replay_free(&rb);
}

/* Continuous actions are stored and gathered as act_dim floats. */
static void test_continuous(void) {
  dnt_replay_shape shape = {4, 1, 0, 2, 0, 0};
  dnt_replay rb;
  dnt_replay_batch b;
  CHECK_OK(dnt_replay_init(&rb, &shape, 0, 0));
  CHECK_OK(dnt_replay_batch_init(&b, &rb, 8));
  for (int k = 0; k < 4; k++) {
    float o = (float)k, u[2] = {(float)k / 4, -(float)k / 4};
    dnt_replay_add(&rb, &o, 0, u, 0, NULL, &o, 0, NULL);
  }
  dnt_rng rng;
  dnt_rng_seed(&rng, 3);
  dnt_replay_sample(&rb, &rng, 8, 0, &b);
  for (int k = 0; k < 8; k++)
    CHECK(b.caction[2 * k] == b.obs[k] / 4 && b.caction[2 * k + 1] == -b.obs[k] / 4);
  dnt_replay_batch_free(&b);
  dnt_replay_free(&rb);
}

int main(void) {
  test_uniform();
  test_ring();
  test_prioritized();
  test_continuous();
  return test_done("rl.replay");
}
