/* src/nn/nn_internal.h: what net.c, dense.c, lstm.c, act.c and blas.c share.
 *
 * A net's workspace is one aligned block carved by a bump allocator: every layer
 * runs its setup twice, first with a NULL arena base (sizing pass, counts
 * floats), then with the real block (hands out 64-byte aligned slices). The
 * parameter and gradient views are carved the same way from the two flat
 * vectors, in the order that dnt_net_arch_nparams counts them. */
#ifndef DNT_NN_INTERNAL_H
#define DNT_NN_INTERNAL_H

#include <cblas.h>
#include <stddef.h>
#include <stdint.h>

#include "dnt/nn.h"

/* Elementwise kernels (activations, LSTM cells, optimiser steps) get an AVX2 +
 * FMA clone (x86-64-v3) beside the baseline SSE2 code on x86-64 GCC builds,
 * picked once at load time (ifunc): twice the lanes, and fused multiply-adds in
 * the polynomials of nn_math.h (files that allow contraction), without asking
 * users for -march=native. The FMA cut the LSTM cell loop by a quarter. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#if __GNUC__ >= 12
#define NN_KERNEL __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define NN_KERNEL __attribute__((target_clones("avx2", "default")))
#endif
#else
#define NN_KERNEL
#endif

/* Bump allocator: base == NULL only counts. A request past NN_ARENA_LIMIT
 * floats leaves used == NN_ARENA_LIMIT, which the caller reports. */
#define NN_ARENA_LIMIT (SIZE_MAX / 64)
typedef struct nn_arena {
  float *base;
  size_t used; /* floats handed out so far, padded to 16-float boundaries */
} nn_arena;

/* n floats from the arena (NULL in the sizing pass). */
float *nn_arena_take(nn_arena *a, size_t n);

/* Cursor over the flat parameter and gradient vectors. */
typedef struct nn_views {
  float *params, *grads;
  size_t used;
} nn_views;

/* Points *p and *g at the next n parameters and their gradients. */
void nn_views_take(nn_views *v, size_t n, float **p, float **g);

/* C = op(A) op(B) + beta C, row-major (cblas_sgemm's arguments); a single row,
 * or each column of a C narrower than 6 columns, goes to cblas_sgemv, which
 * OpenBLAS runs faster there (blas.c gives the measurements). */
void nn_sgemm(enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, int m, int n, int k, const float *a,
              int lda, const float *b, int ldb, float beta, float *c, int ldc);

/* Sets OpenBLAS to one thread unless dnt_blas_set_threads was called. */
void nn_blas_default_threads(void);

/* y (rows, cols) = act(y + bias) in one pass. */
void nn_bias_act(dnt_act act, float *y, const float *bias, int rows, int cols);
/* dz = dy * act'(y) and db += column sums of dz, in one pass; with
 * DNT_ACT_NONE the gradient is dy itself and dz is not written. */
void nn_act_grad(dnt_act act, const float *y, const float *dy, float *dz, float *db, int rows,
                 int cols);

/* Uniform(-limit, limit) into n floats. */
void nn_fill_uniform(float *x, size_t n, float limit, dnt_rng *rng);

/* dst rows (ld ldd) = src rows (ld lds), rows x cols. */
void nn_copy_rows(float *dst, int ldd, const float *src, int lds, int rows, int cols);

/* Dense layer y = act(x W + b). */
typedef struct nn_dense {
  int in, out;
  dnt_act act;
  float *w, *b;   /* views into params: (in, out), (out) */
  float *dw, *db; /* views into grads, same shapes */
  float *y;       /* (max_rows, out) training output, kept for backward */
} nn_dense;

void nn_dense_setup(nn_dense *d, int in, int out, dnt_act act, int max_rows, nn_views *v,
                    nn_arena *ws);
void nn_dense_init(nn_dense *d, dnt_rng *rng);
/* y (rows, out) = act(x W + b); y is d->y in training, caller scratch in infer. */
void nn_dense_forward(const nn_dense *d, const float *x, int rows, float *y);
/* Backward of the last training forward on x: dW += x^T dz, db += colsum dz,
 * dx = dz W^T (skipped if dx == NULL); dz (rows, out) is scratch. */
void nn_dense_backward(nn_dense *d, const float *x, const float *dy, int rows, float *dz,
                       float *dx);

/* One layer of a stacked LSTM. I: its input size, H: hidden size. */
typedef struct nn_lstm_cell {
  int in;
  float *w, *b;   /* views: (in+H, 4H) rows [W_x; W_h], (4H); gate order i f g o */
  float *dw, *db; /* views into grads */
  /* training caches, batch-major like the input */
  float *xh;    /* (B, T, in+H) [x_t, h_{t-1}] */
  float *gates; /* (B, T, 4H) gate activations; dz (d loss / d pre-activation) after backward */
  float *c;     /* (B, T, H) cell states c_t */
  float *tc;    /* (B, T, H) tanh(c_t) */
  float *dh;    /* (B, T, H) d loss / d h_t from the layer above; NULL on the top layer */
  /* inference scratch, one time step */
  float *ixh;   /* (B, in+H) */
  float *iz;    /* (B, 4H) */
  float *ic[2]; /* (B, H) c_{t-1} and c_t, alternating */
  float *itc;   /* (B, H) */
} nn_lstm_cell;

typedef struct nn_lstm {
  int seq, hidden, layers, return_sequences;
  nn_lstm_cell *cell; /* (layers), malloc'd */
  float *y;           /* (B, T, H) or (B, H) training output of the top layer */
  float *dhrec;       /* (B, H) d loss / d h_{t-1} through the recurrence */
  float *dc;          /* (B, H) d loss / d c_t carried backwards through time */
  float *zero;        /* (H) zeros: h_{-1}, c_{-1} and absent gradients, with ld 0 */
} nn_lstm;

/* Returns DNT_ERR_NOMEM (cell array) or 0. */
int nn_lstm_setup(nn_lstm *m, int in, int seq, const dnt_layer_spec *spec, int max_batch,
                  nn_views *v, nn_arena *ws);
void nn_lstm_free(nn_lstm *m);
void nn_lstm_init(nn_lstm *m, dnt_rng *rng);
/* Training forward of x (B, T, in); returns m->y. */
const float *nn_lstm_forward(nn_lstm *m, const float *x, int batch);
/* BPTT of the last forward; dy has m->y's shape; dx (B, T, in) or NULL. */
void nn_lstm_backward(nn_lstm *m, const float *dy, float *dx, int batch);
/* Forward with the inference scratch, into y. */
void nn_lstm_infer(nn_lstm *m, const float *x, int batch, float *y);

#endif
