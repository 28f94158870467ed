/* src/nn/blas.c: the one door to OpenBLAS's sgemm, and its thread count.
 *
 * The nets here are small (tens to hundreds of units), where OpenBLAS's threads
 * cost more than they give, so a net sets one thread on its first creation
 * unless the caller chose a count with dnt_blas_set_threads. A single row or
 * column product goes to sgemv, which skips sgemm's packing. A product with
 * beta = 0 clears C with memset and asks for beta = 1: OpenBLAS 0.3.21's own
 * beta pass (sgemm_beta) clears about 3 floats per ns, which cost 3 us of each
 * 20 us LSTM gate product and 5 us of the 8 us in a (64, 5) x (5, 128) one. */
#include <assert.h>
#include <stdatomic.h>
#include <string.h>

#include "dnt/nn.h"
#include "nn/nn_internal.h"

static atomic_int threads_chosen;

void dnt_blas_set_threads(int n) {
  assert(n >= 1);
  atomic_store(&threads_chosen, 1);
  openblas_set_num_threads(n);
}

void nn_blas_default_threads(void) {
  if (!atomic_exchange(&threads_chosen, 1)) openblas_set_num_threads(1);
}

void nn_sgemm(enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, int m, int n, int k, const float *a,
              int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  if (m == 1) {
    /* c (1, n) = a' (1, k) op(B): the row a' has stride 1, or lda if A is transposed */
    int inca = ta == CblasNoTrans ? 1 : lda;
    if (tb == CblasNoTrans)
      cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.0f, b, ldb, a, inca, beta, c, 1);
    else
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, b, ldb, a, inca, beta, c, 1);
  } else if (n == 1) {
    /* c (m, 1) = op(A) (m, k) b' (k, 1): the column b' has stride ldb, or 1 if transposed */
    int incb = tb == CblasNoTrans ? ldb : 1;
    if (ta == CblasNoTrans)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, m, k, 1.0f, a, lda, b, incb, beta, c, ldc);
    else
      cblas_sgemv(CblasRowMajor, CblasTrans, k, m, 1.0f, a, lda, b, incb, beta, c, ldc);
  } else {
    if (beta == 0.0f) {
      for (int r = 0; r < m; r++)
        memset(c + (size_t)r * ldc, 0, (size_t)n * sizeof *c);
      beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  }
}
