/* src/nn/optim.c: Adam, SGD with momentum and gradient clipping over one flat
 * vector; each step is one fused O(n) pass. The update formulas follow PyTorch
 * 1.x's single-tensor implementations so that a step matches torch.optim to
 * float rounding (tests/nn/test_torch_fixture.c checks one Adam step). The Adam
 * loop vectorises only where the build passes -fno-math-errno (sqrtf may set
 * errno otherwise); it is about four times faster then. */
#include <math.h>
#include <stdlib.h>

#include "dnt/optim.h"
#include "dnt/status.h"
#include "dnt/vec.h"
#include "nn/nn_internal.h"

int dnt_adam_init(dnt_adam *opt, size_t n, float lr) {
  *opt = (dnt_adam){.lr = lr, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f, .n = n};
  opt->m = calloc(n ? n : 1, sizeof(float));
  opt->v = calloc(n ? n : 1, sizeof(float));
  if (!opt->m || !opt->v) {
    dnt_adam_free(opt);
    return dnt_error(DNT_ERR_NOMEM, "dnt_adam_init: %zu parameters: out of memory", n);
  }
  return DNT_OK;
}

NN_KERNEL void dnt_adam_step(dnt_adam *opt, float *params, const float *grads) {
  opt->t++;
  const float b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps;
  /* p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps) */
  const float step = (float)(opt->lr / (1.0 - pow(b1, (double)opt->t)));
  const float inv_bc2 = (float)(1.0 / sqrt(1.0 - pow(b2, (double)opt->t)));
  float *restrict m = opt->m, *restrict v = opt->v, *restrict p = params;
  const float *restrict g = grads;
  for (size_t i = 0; i < opt->n; i++) {
    m[i] = b1 * m[i] + (1.0f - b1) * g[i];
    v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
    p[i] -= step * m[i] / (sqrtf(v[i]) * inv_bc2 + eps);
  }
}

void dnt_adam_reset(dnt_adam *opt) {
  opt->t = 0;
  dnt_vec_zero(opt->m, opt->n);
  dnt_vec_zero(opt->v, opt->n);
}

void dnt_adam_free(dnt_adam *opt) {
  free(opt->m);
  free(opt->v);
  opt->m = opt->v = NULL;
}

int dnt_sgd_init(dnt_sgd *opt, size_t n, float lr, float momentum) {
  *opt = (dnt_sgd){.lr = lr, .momentum = momentum, .n = n};
  opt->buf = calloc(n ? n : 1, sizeof(float));
  if (!opt->buf) return dnt_error(DNT_ERR_NOMEM, "dnt_sgd_init: %zu parameters: out of memory", n);
  return DNT_OK;
}

NN_KERNEL void dnt_sgd_step(dnt_sgd *opt, float *params, const float *grads) {
  /* buf = mu buf + g (from zero, the first step gives buf = g as PyTorch); p -= lr buf */
  const float mu = opt->momentum, lr = opt->lr;
  float *restrict b = opt->buf, *restrict p = params;
  const float *restrict g = grads;
  for (size_t i = 0; i < opt->n; i++) {
    b[i] = mu * b[i] + g[i];
    p[i] -= lr * b[i];
  }
}

void dnt_sgd_free(dnt_sgd *opt) {
  free(opt->buf);
  opt->buf = NULL;
}

float dnt_clip_grad_norm(float *grads, size_t n, float max_norm) {
  double norm = dnt_vec_norm(grads, n);
  double coef = max_norm / (norm + 1e-6); /* PyTorch's clip_grad_norm_ */
  if (coef < 1.0) dnt_vec_scale(grads, (float)coef, n);
  return (float)norm;
}
