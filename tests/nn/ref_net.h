/* tests/nn/ref_net.h: a plain double-precision forward of a dnt_net_arch, the
 * reference that the float kernels are checked against (outputs directly,
 * gradients through central finite differences). Written for clarity, one
 * sample and one step at a time, straight from the equations in dnt/nn.h; it
 * reads the same flat parameter layout as dnt_net. */
#ifndef DNT_TESTS_REF_NET_H
#define DNT_TESTS_REF_NET_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/nn.h"
#include "dnt/rng.h"
#include "dnt/vec.h"

static inline double ref_act(dnt_act a, double v) {
  switch (a) {
  case DNT_ACT_RELU:
    return v > 0 ? v : 0;
  case DNT_ACT_TANH:
    return tanh(v);
  case DNT_ACT_SIGMOID:
    return 1.0 / (1.0 + exp(-v));
  default:
    return v;
  }
}

static inline double ref_sigm(double v) {
  return 1.0 / (1.0 + exp(-v));
}

/* x: (B, steps, input) or (B, input); y: (B, output_size). */
static inline void ref_forward(const dnt_net_arch *a, const double *p, const double *x, int B,
                               double *y) {
  int seq = a->seq_len > 0, T = seq ? a->seq_len : 1, width = a->input;
  size_t cap = (size_t)width;
  for (int l = 0; l < a->n_layers; l++) {
    size_t w = (size_t)(a->layer[l].units > width ? a->layer[l].units : width);
    if (w > cap) cap = w;
    width = a->layer[l].units;
  }
  width = a->input;
  double *cur = malloc(sizeof(double) * B * T * cap);
  double *next = malloc(sizeof(double) * B * T * cap);
  memcpy(cur, x, sizeof(double) * B * T * a->input);
  for (int l = 0; l < a->n_layers; l++) {
    const dnt_layer_spec *s = &a->layer[l];
    int U = s->units, rows = B * (seq ? T : 1);
    if (s->kind == DNT_LAYER_DENSE) {
      const double *W = p, *b = p + (size_t)width * U;
      for (int r = 0; r < rows; r++)
        for (int j = 0; j < U; j++) {
          double z = b[j];
          for (int k = 0; k < width; k++)
            z += cur[(size_t)r * width + k] * W[(size_t)k * U + j];
          next[(size_t)r * U + j] = ref_act(s->act, z);
        }
      p += (size_t)width * U + U;
    } else {
      int H = U;
      double *h = malloc(sizeof(double) * H), *c = malloc(sizeof(double) * H);
      double *z = malloc(sizeof(double) * 4 * H);
      for (int k = 0; k < s->lstm_layers; k++) {
        int ni = k ? H : width;
        const double *W = p, *b = p + (size_t)(ni + H) * 4 * H;
        for (int bi = 0; bi < B; bi++) {
          for (int j = 0; j < H; j++)
            h[j] = c[j] = 0;
          for (int t = 0; t < T; t++) {
            const double *xt = cur + ((size_t)bi * T + t) * ni;
            for (int j = 0; j < 4 * H; j++) {
              double v = b[j];
              for (int q = 0; q < ni; q++)
                v += xt[q] * W[(size_t)q * 4 * H + j];
              for (int q = 0; q < H; q++)
                v += h[q] * W[(size_t)(ni + q) * 4 * H + j];
              z[j] = v;
            }
            for (int j = 0; j < H; j++) {
              double i = ref_sigm(z[j]), f = ref_sigm(z[H + j]), g = tanh(z[2 * H + j]),
                     o = ref_sigm(z[3 * H + j]);
              c[j] = f * c[j] + i * g;
              h[j] = o * tanh(c[j]);
              next[((size_t)bi * T + t) * H + j] = h[j];
            }
          }
        }
        p += (size_t)(ni + H) * 4 * H + 4 * H;
        if (k + 1 < s->lstm_layers) memcpy(cur, next, sizeof(double) * B * T * H);
      }
      free(h);
      free(c);
      free(z);
      if (!s->return_sequences) { /* keep the last step of every sample */
        for (int bi = 0; bi < B; bi++)
          memmove(next + (size_t)bi * H, next + ((size_t)bi * T + T - 1) * H, sizeof(double) * H);
        seq = 0;
      }
    }
    width = U;
    double *tmp = cur;
    cur = next;
    next = tmp;
  }
  memcpy(y, cur, sizeof(double) * B * (seq ? T : 1) * width);
  free(cur);
  free(next);
}

/* Uniform(-1, 1) floats. */
static inline void ref_fill(float *x, size_t n, dnt_rng *r) {
  for (size_t i = 0; i < n; i++)
    x[i] = (float)(2.0 * dnt_rng_uniform(r) - 1.0);
}

/* L = sum_k w_k y_k(p, x) in double. */
static inline double ref_loss(const dnt_net_arch *a, const double *p, const double *x, int B,
                              const double *w, double *y) {
  ref_forward(a, p, x, B, y);
  double L = 0;
  for (int k = 0; k < B * dnt_net_arch_output_size(a); k++)
    L += w[k] * y[k];
  return L;
}

/* dL/dv by central differences (step 1e-6), v one of the values in p or x. */
static inline double ref_central(const dnt_net_arch *a, double *p, double *x, int B,
                                 const double *w, double *y, double *v) {
  const double h = 1e-6, keep = *v;
  *v = keep + h;
  double lp = ref_loss(a, p, x, B, w, y);
  *v = keep - h;
  double lm = ref_loss(a, p, x, B, w, y);
  *v = keep;
  return (lp - lm) / (2 * h);
}

typedef struct ref_check {
  int bad;        /* coordinates outside the tolerance */
  int checked;    /* coordinates compared */
  double max_rel; /* largest |analytic - numeric| / max(|numeric|, floor) */
  double max_out; /* largest |forward float - reference double| */
} ref_check;

static inline void ref_compare(ref_check *c, double analytic, double numeric, double rtol,
                               double floor) {
  double scale = fabs(numeric) > floor ? fabs(numeric) : floor;
  double rel = fabs(analytic - numeric) / scale;
  if (rel > c->max_rel) c->max_rel = rel;
  if (rel > rtol) c->bad++;
  c->checked++;
}

/* Gradient check of a whole net: dnt's float backward (parameters and inputs)
 * against central differences (step 1e-6) of the double reference, for the
 * linear functional L = sum w_k y_k with random w, random inputs and random
 * parameters (biases included). Relative tolerance rtol, with gradients below
 * 1e-2 compared on an absolute scale of 1e-2. */
static inline ref_check ref_grad_check(const dnt_net_arch *a, int B, uint64_t seed, double rtol) {
  ref_check c = {0};
  dnt_rng r;
  dnt_rng_seed(&r, seed);
  dnt_net *net = NULL;
  if (dnt_net_create(a, B, NULL, NULL, &net) != 0) {
    c.bad = -1;
    return c;
  }
  size_t np = dnt_net_nparams(net);
  int steps = a->seq_len > 0 ? a->seq_len : 1;
  size_t nx = (size_t)B * steps * a->input, ny = (size_t)B * dnt_net_output_size(net);
  float *x = malloc(nx * sizeof(float)), *w = malloc(ny * sizeof(float));
  float *dx = malloc(nx * sizeof(float));
  double *pd = malloc(np * sizeof(double)), *xd = malloc(nx * sizeof(double));
  double *wd = malloc(ny * sizeof(double)), *yd = malloc(ny * sizeof(double));
  ref_fill(dnt_net_params(net), np, &r);
  dnt_vec_scale(dnt_net_params(net), 0.7f, np);
  ref_fill(x, nx, &r);
  ref_fill(w, ny, &r);
  for (size_t i = 0; i < np; i++)
    pd[i] = dnt_net_params(net)[i];
  for (size_t i = 0; i < nx; i++)
    xd[i] = x[i];
  for (size_t i = 0; i < ny; i++)
    wd[i] = w[i];
  const float *y = dnt_net_forward(net, x, B);
  ref_forward(a, pd, xd, B, yd);
  for (size_t k = 0; k < ny; k++) {
    double d = fabs(y[k] - yd[k]);
    if (d > c.max_out) c.max_out = d;
  }
  dnt_net_zero_grad(net);
  dnt_net_backward(net, w, dx);
  const float *g = dnt_net_grads(net);
  for (size_t i = 0; i < np; i++)
    ref_compare(&c, g[i], ref_central(a, pd, xd, B, wd, yd, pd + i), rtol, 1e-2);
  for (size_t i = 0; i < nx; i++)
    ref_compare(&c, dx[i], ref_central(a, pd, xd, B, wd, yd, xd + i), rtol, 1e-2);
  free(x), free(w), free(dx), free(pd), free(xd), free(wd), free(yd);
  dnt_net_destroy(net);
  return c;
}

#endif
