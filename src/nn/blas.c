/* src/nn/blas.c: the one door to OpenBLAS's sgemm, and its thread count.
 *
 * The nets here are small (tens to hundreds of units), where OpenBLAS's threads
 * cost more than they give, so a net sets one thread on its first creation
 * unless the caller chose a count with dnt_blas_set_threads. A single row
 * goes to sgemv, which skips sgemm's packing, and so does each column of a
 * product with fewer than NN_GEMV_COLS columns (a DQN's action head): sgemm pads
 * such a narrow C to its kernel's width, and five sgemv calls took 3.9 us
 * against 5.6 for one (64, 128) x (128, 5) sgemm, 1.7 against 4.2 for two
 * columns; at 8 columns sgemm wins (3.9 against 6.3). A product with
 * beta = 0 clears C with memset and asks for beta = 1: OpenBLAS 0.3.21's own
 * beta pass (sgemm_beta) clears about 3 floats per ns, which cost 3 us of each
 * 20 us LSTM gate product and 5 us of the 8 us in a (64, 5) x (5, 128) one. */
#include <assert.h>
#include <stdatomic.h>
#include <string.h>

#include "dnt/nn.h"
#include "nn/nn_internal.h"

#define NN_GEMV_COLS 6

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
  } else if (n < NN_GEMV_COLS) {
    /* column j: c (m, 1) = op(A) (m, k) b_j (k, 1); b_j starts at b + j with
     * stride ldb, or at row j of B with stride 1 if B is transposed */
    int incb = tb == CblasNoTrans ? ldb : 1;
    size_t step = tb == CblasNoTrans ? 1 : (size_t)ldb;
    for (int j = 0; j < n; j++) {
      if (ta == CblasNoTrans)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, m, k, 1.0f, a, lda, b + (size_t)j * step, incb,
                    beta, c + j, ldc);
      else
        cblas_sgemv(CblasRowMajor, CblasTrans, k, m, 1.0f, a, lda, b + (size_t)j * step, incb, beta,
                    c + j, ldc);
    }
  } else {
    if (beta == 0.0f) {
      for (int r = 0; r < m; r++)
        memset(c + (size_t)r * (size_t)ldc, 0, (size_t)n * sizeof *c);
      beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  }
}
