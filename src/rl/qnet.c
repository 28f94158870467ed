/* src/rl/qnet.c: plain and dueling Q-networks over one parameter vector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qnet.h"

#include "dnt/status.h"
#include "dnt/vec.h"

void qnet_destroy(dnt_qnet *q) {
  if (!q) return;
  dnt_net_destroy(q->body);
  dnt_net_destroy(q->value);
  dnt_net_destroy(q->adv);
  free(q->params);
  free(q->grads);
  free(q->q);
  free(q->h);
  free(q->v);
  free(q->dh);
  free(q->dh2);
  free(q->dv);
  free(q->da);
  free(q);
}

/* Appends " | <arch text>" to q->desc. */
static int describe(dnt_qnet *q, const dnt_net_arch *arch) {
  size_t len = strlen(q->desc);
  if (len + 3 >= sizeof q->desc) return DNT_ERR_ARG;
  memcpy(q->desc + len, " | ", 4);
  len += 3;
  int rc = dnt_net_arch_describe(arch, q->desc + len, sizeof q->desc - len);
  return rc < 0 ? rc : 0;
}

int qnet_create(int in, int n_actions, const int *hidden, int n_hidden, int dueling, int max_batch,
                dnt_qnet **out) {
  *out = NULL;
  dnt_qnet *q = calloc(1, sizeof *q);
  if (!q) return dnt_error(DNT_ERR_NOMEM, "qnet");
  q->in = in;
  q->n_actions = n_actions;
  q->dueling = dueling;
  q->max_batch = max_batch;
  int sizes[DNT_RL_MAX_HIDDEN + 1];
  memcpy(sizes, hidden, (size_t)n_hidden * sizeof *sizes);
  dnt_net_arch body, value, adv;
  if (dueling) {
    body = dnt_mlp_arch(in, sizes, n_hidden, DNT_ACT_RELU, DNT_ACT_RELU);
    q->width = hidden[n_hidden - 1];
    int one = 1;
    value = dnt_mlp_arch(q->width, &one, 1, DNT_ACT_NONE, DNT_ACT_NONE);
    adv = dnt_mlp_arch(q->width, &n_actions, 1, DNT_ACT_NONE, DNT_ACT_NONE);
  } else {
    sizes[n_hidden] = n_actions;
    body = dnt_mlp_arch(in, sizes, n_hidden + 1, DNT_ACT_RELU, DNT_ACT_NONE);
  }
  int rc = dnt_net_arch_validate(&body);
  if (!rc && dueling && !(rc = dnt_net_arch_validate(&value))) rc = dnt_net_arch_validate(&adv);
  if (rc) {
    qnet_destroy(q);
    return rc;
  }
  snprintf(q->desc, sizeof q->desc, "dqn in=%d actions=%d dueling=%d", in, n_actions, dueling);
  size_t nb = dnt_net_arch_nparams(&body);
  size_t nv = dueling ? dnt_net_arch_nparams(&value) : 0;
  size_t na = dueling ? dnt_net_arch_nparams(&adv) : 0;
  q->n_params = nb + nv + na;
  size_t mb = (size_t)max_batch, w = (size_t)(q->width ? q->width : 1);
  q->params = calloc(q->n_params, sizeof(float));
  q->grads = calloc(q->n_params, sizeof(float));
  q->q = calloc(mb * (size_t)n_actions, sizeof(float));
  if (!q->params || !q->grads || !q->q) {
    qnet_destroy(q);
    return dnt_error(DNT_ERR_NOMEM, "qnet: %zu parameters", nb + nv + na);
  }
  if ((rc = dnt_net_create(&body, max_batch, q->params, q->grads, &q->body)) ||
      (rc = describe(q, &body))) {
    qnet_destroy(q);
    return rc;
  }
  if (dueling) {
    q->h = calloc(mb * w, sizeof(float));
    q->v = calloc(mb, sizeof(float));
    q->dh = calloc(mb * w, sizeof(float));
    q->dh2 = calloc(mb * w, sizeof(float));
    q->dv = calloc(mb, sizeof(float));
    q->da = calloc(mb * (size_t)n_actions, sizeof(float));
    if (!q->h || !q->v || !q->dh || !q->dh2 || !q->dv || !q->da) {
      qnet_destroy(q);
      return dnt_error(DNT_ERR_NOMEM, "qnet: dueling workspace");
    }
    if ((rc = dnt_net_create(&value, max_batch, q->params + nb, q->grads + nb, &q->value)) ||
        (rc = dnt_net_create(&adv, max_batch, q->params + nb + nv, q->grads + nb + nv, &q->adv)) ||
        (rc = describe(q, &value)) || (rc = describe(q, &adv))) {
      qnet_destroy(q);
      return rc;
    }
  }
  *out = q;
  return 0;
}

void qnet_init(dnt_qnet *q, dnt_rng *rng) {
  dnt_net_init(q->body, rng);
  if (q->dueling) {
    dnt_net_init(q->value, rng);
    dnt_net_init(q->adv, rng);
  }
}

/* q = v + a - mean(a), row by row; q may alias a. */
static void combine(int b, int n_actions, const float *v, const float *a, float *q) {
  for (int k = 0; k < b; k++) {
    const float *ak = a + (size_t)k * (size_t)n_actions;
    float mean = 0;
    for (int j = 0; j < n_actions; j++)
      mean += ak[j];
    mean /= (float)n_actions;
    float *qk = q + (size_t)k * (size_t)n_actions;
    for (int j = 0; j < n_actions; j++)
      qk[j] = v[k] + ak[j] - mean;
  }
}

const float *qnet_forward(dnt_qnet *q, const float *x, int b) {
  q->last_batch = b;
  if (!q->dueling) {
    const float *y = dnt_net_forward(q->body, x, b);
    memcpy(q->q, y, (size_t)b * (size_t)q->n_actions * sizeof(float));
    return q->q;
  }
  const float *h = dnt_net_forward(q->body, x, b);
  const float *v = dnt_net_forward(q->value, h, b);
  const float *a = dnt_net_forward(q->adv, h, b);
  combine(b, q->n_actions, v, a, q->q);
  return q->q;
}

void qnet_backward(dnt_qnet *q, const float *dq) {
  if (!q->dueling) {
    dnt_net_backward(q->body, dq, NULL);
    return;
  }
  int b = q->last_batch, na = q->n_actions;
  for (int k = 0; k < b; k++) {
    const float *dk = dq + (size_t)k * (size_t)na;
    float s = 0;
    for (int j = 0; j < na; j++)
      s += dk[j];
    q->dv[k] = s; /* dQ/dV = 1 for every action */
    for (int j = 0; j < na; j++)
      q->da[(size_t)k * (size_t)na + (size_t)j] = dk[j] - s / (float)na;
  }
  dnt_net_backward(q->value, q->dv, q->dh);
  dnt_net_backward(q->adv, q->da, q->dh2);
  dnt_vec_axpy(q->dh, 1.0f, q->dh2, (size_t)b * (size_t)q->width);
  dnt_net_backward(q->body, q->dh, NULL);
}

void qnet_infer(dnt_qnet *q, const float *x, int b, float *y) {
  if (!q->dueling) {
    dnt_net_infer(q->body, x, b, y);
    return;
  }
  dnt_net_infer(q->body, x, b, q->h);
  dnt_net_infer(q->value, q->h, b, q->v);
  dnt_net_infer(q->adv, q->h, b, y);
  combine(b, q->n_actions, q->v, y, y);
}
