/* src/rl/qnet.h: a Q-network, plain MLP or dueling (internal to the RL layer).
 *
 * Plain: Q = MLP(x), in -> hidden... (ReLU) -> n_actions (linear).
 * Dueling (Wang et al., ICML 2016, eq. 9): a trunk in -> hidden... (ReLU) and
 * two linear heads on its output, V (1) and A (n_actions), combined as
 *   Q(s, a) = V(s) + A(s, a) - mean_a' A(s, a').
 * The three nets are views into ONE parameter vector [trunk | V | A] (and one
 * gradient vector), so the optimiser, the target copy and the checkpoint see
 * a single vector either way. */
#ifndef DNT_RL_QNET_H
#define DNT_RL_QNET_H

#include <stddef.h>

#include "dnt/dqn.h"
#include "dnt/nn.h"

struct dnt_qnet {
  int in, n_actions, dueling, max_batch, width; /* width: trunk output (dueling) */
  int last_batch;                               /* rows of the last forward */
  dnt_net *body;                                /* plain: the whole MLP; dueling: the trunk */
  dnt_net *value, *adv;                         /* dueling heads, else NULL */
  size_t n_params;
  float *params, *grads; /* (n_params) owned */
  float *q;              /* (max_batch, n_actions) output of the last forward */
  float *h;              /* (max_batch, width) infer scratch */
  float *v;              /* (max_batch) value head output */
  float *dh, *dh2;       /* (max_batch, width) trunk output gradients */
  float *dv;             /* (max_batch) */
  float *da;             /* (max_batch, n_actions) */
  char desc[512];        /* architecture text, the checkpoint description */
};

int qnet_create(int in, int n_actions, const int *hidden, int n_hidden, int dueling, int max_batch,
                dnt_qnet **out);
void qnet_destroy(dnt_qnet *q);
void qnet_init(dnt_qnet *q, dnt_rng *rng);
/* Training forward of b rows; returns q->q (b, n_actions). */
const float *qnet_forward(dnt_qnet *q, const float *x, int b);
/* Accumulates the gradient of the last forward for dQ (b, n_actions). */
void qnet_backward(dnt_qnet *q, const float *dq);
/* Forward without caching into y (b, n_actions), any b <= max_batch. */
void qnet_infer(dnt_qnet *q, const float *x, int b, float *y);

#endif
