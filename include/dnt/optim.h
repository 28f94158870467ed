/* dnt/optim.h: optimisers over one flat parameter vector.
 *
 * Adam (Kingma and Ba 2015, Algorithm 1, with bias correction):
 *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *   p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * (PyTorch's torch.optim.Adam with weight_decay = 0.) SGD with momentum as
 * PyTorch: buf = mu buf + g; p -= lr buf.
 * The caller owns the struct; init allocates its state, free releases it. */
#ifndef DNT_OPTIM_H
#define DNT_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_adam {
  float lr, beta1, beta2, eps;
  int64_t t; /* steps taken */
  size_t n;
  float *m; /* (n) first moment */
  float *v; /* (n) second moment */
} dnt_adam;

/* beta1 0.9, beta2 0.999, eps 1e-8. */
int dnt_adam_init(dnt_adam *opt, size_t n, float lr);
void dnt_adam_step(dnt_adam *opt, float *params, const float *grads);
void dnt_adam_reset(dnt_adam *opt); /* zero moments and t */
void dnt_adam_free(dnt_adam *opt);
/* Its state (t and both moments) into a state file (dnt/state.h), and back
 * into an Adam of the same size (DNT_ERR_MISMATCH for another n). The
 * hyperparameters are the caller's config and are not saved. */
int dnt_adam_save(const dnt_adam *opt, dnt_pack *p);
int dnt_adam_load(dnt_adam *opt, dnt_unpack *u);

typedef struct dnt_sgd {
  float lr, momentum;
  size_t n;
  float *buf; /* (n) momentum buffer */
} dnt_sgd;

int dnt_sgd_init(dnt_sgd *opt, size_t n, float lr, float momentum);
void dnt_sgd_step(dnt_sgd *opt, float *params, const float *grads);
void dnt_sgd_free(dnt_sgd *opt);

/* Scales grads so that their global L2 norm is at most max_norm; returns the
 * norm before clipping (PyTorch's clip_grad_norm_). */
float dnt_clip_grad_norm(float *grads, size_t n, float max_norm);

#ifdef __cplusplus
}
#endif
#endif
