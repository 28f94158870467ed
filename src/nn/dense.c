/* src/nn/dense.c: the fully connected layer y = act(x W + b).
 *
 * x: (rows, in), W: (in, out) row-major, y: (rows, out). Rows are samples, or
 * samples times time steps when the layer follows a sequence. Forward is one
 * sgemm and one fused bias + activation pass; backward is the activation
 * gradient fused with the bias gradient, then two sgemms:
 *   dW += x^T dz,  db += colsum dz,  dx = dz W^T.
 * Cost: 2 rows in out flops forward, 4 rows in out backward (2 without dx). */
#include <math.h>

#include "nn/nn_internal.h"

void nn_dense_setup(nn_dense *d, int in, int out, dnt_act act, int max_rows, nn_views *v,
                    nn_arena *ws) {
  d->in = in;
  d->out = out;
  d->act = act;
  if (v) {
    nn_views_take(v, (size_t)in * (size_t)out, &d->w, &d->dw);
    nn_views_take(v, (size_t)out, &d->b, &d->db);
  }
  d->y = nn_arena_take(ws, (size_t)max_rows * (size_t)out);
}

void nn_dense_init(nn_dense *d, dnt_rng *rng) {
  /* He-uniform (Kaiming, a = 0) before a ReLU, else Xavier/Glorot-uniform */
  double limit = d->act == DNT_ACT_RELU ? sqrt(6.0 / d->in) : sqrt(6.0 / (d->in + d->out));
  nn_fill_uniform(d->w, (size_t)d->in * (size_t)d->out, (float)limit, rng);
  for (int j = 0; j < d->out; j++)
    d->b[j] = 0.0f;
}

void nn_dense_forward(const nn_dense *d, const float *x, int rows, float *y) {
  nn_sgemm(CblasNoTrans, CblasNoTrans, rows, d->out, d->in, x, d->in, d->w, d->out, 0.0f, y,
           d->out);
  nn_bias_act(d->act, y, d->b, rows, d->out);
}

void nn_dense_backward(nn_dense *d, const float *x, const float *dy, int rows, float *dz,
                       float *dx) {
  nn_act_grad(d->act, d->y, dy, dz, d->db, rows, d->out);
  const float *g = d->act == DNT_ACT_NONE ? dy : dz;
  nn_sgemm(CblasTrans, CblasNoTrans, d->in, d->out, rows, x, d->in, g, d->out, 1.0f, d->dw, d->out);
  if (dx)
    nn_sgemm(CblasNoTrans, CblasTrans, rows, d->in, d->out, g, d->out, d->w, d->out, 0.0f, dx,
             d->in);
}
