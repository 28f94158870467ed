/* tests/nn/test_dense.c: dense layers against the double reference.
 * Gradient checks (parameters and inputs) of MLPs with every activation, with
 * batch 1 and single-unit outputs (the sgemv paths), and nn_sgemm's sgemv
 * shortcuts against a naive triple loop for every transpose combination. */
#include <stdio.h>

#include "dnt/nn.h"
#include "dnt/status.h"
#include "nn/nn_internal.h"
#include "ref_net.h"
#include "test.h"

static void check_mlp(int in, const int *sizes, int n, dnt_act hidden, dnt_act out, int B) {
  dnt_net_arch a = dnt_mlp_arch(in, sizes, n, hidden, out);
  ref_check c = ref_grad_check(&a, B, 7, 1e-3);
  char desc[256];
  dnt_net_arch_describe(&a, desc, sizeof desc);
  printf("%-48s B=%d: %d coords, max rel err %.2e, max |y - ref| %.2e\n", desc, B, c.checked,
         c.max_rel, c.max_out);
  CHECK_MSG(c.bad == 0 && c.checked > 0, "%s: %d of %d gradients off", desc, c.bad, c.checked);
  CHECK_MSG(c.max_out < 1e-5, "%s: forward differs from the reference by %g", desc, c.max_out);
}

/* C = op(A) op(B) + beta C by the definition. */
static void naive_gemm(int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b,
                       int ldb, float beta, float *c, int ldc) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int q = 0; q < k; q++)
        s +=
            (double)(ta ? a[q * lda + i] : a[i * lda + q]) * (tb ? b[j * ldb + q] : b[q * ldb + j]);
      c[i * ldc + j] = (float)(s + beta * c[i * ldc + j]);
    }
}

static void check_gemm_shapes(void) {
  dnt_rng r;
  dnt_rng_seed(&r, 3);
  const int shapes[][3] = {{1, 5, 4}, {6, 1, 3}, {1, 1, 7}, {4, 5, 6}};
  float a[64], b[64], c[64], ref[64];
  for (int s = 0; s < 4; s++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        /* padded leading dimensions catch a wrong stride */
        int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 1;
        ref_fill(a, 64, &r);
        ref_fill(b, 64, &r);
        ref_fill(c, 64, &r);
        for (int i = 0; i < 64; i++)
          ref[i] = c[i];
        nn_sgemm(ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, a, lda, b,
                 ldb, 0.5f, c, ldc);
        naive_gemm(ta, tb, m, n, k, a, lda, b, ldb, 0.5f, ref, ldc);
        double worst = 0;
        for (int i = 0; i < m; i++)
          for (int j = 0; j < n; j++)
            worst = fmax(worst, fabs(c[i * ldc + j] - ref[i * ldc + j]));
        CHECK_MSG(worst < 1e-5, "nn_sgemm %dx%dx%d ta=%d tb=%d: off by %g", m, n, k, ta, tb, worst);
        /* entries outside the (m, n) block are untouched */
        for (int i = 0; i < m; i++)
          CHECK(c[i * ldc + n] == ref[i * ldc + n]);
      }
}

int main(void) {
  const int sizes[] = {7, 3};
  for (int act = DNT_ACT_NONE; act <= DNT_ACT_SIGMOID; act++)
    check_mlp(5, sizes, 2, (dnt_act)act, (dnt_act)act, 4);
  const int one[] = {6, 1};
  check_mlp(4, one, 2, DNT_ACT_RELU, DNT_ACT_NONE, 1);
  check_mlp(4, one, 2, DNT_ACT_TANH, DNT_ACT_SIGMOID, 3);
  const int deep[] = {8, 8, 8, 2};
  check_mlp(3, deep, 4, DNT_ACT_TANH, DNT_ACT_NONE, 5);
  check_gemm_shapes();
  return test_done("nn.dense");
}
