/* src/nn/net.c: the sequential container.
 *
 * One flat parameter vector and one gradient vector (owned, or the caller's),
 * layer views into them, and one workspace block allocated at create time for
 * max_batch samples: the input copy and every layer's training output (kept for
 * backward), two ping-pong gradient buffers and one activation-gradient buffer
 * for backward, two ping-pong buffers for infer. Forward, backward and infer
 * never allocate. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/checkpoint.h"
#include "dnt/nn.h"
#include "dnt/status.h"
#include "nn/nn_internal.h"

typedef struct net_layer {
  dnt_layer_kind kind;
  int rows; /* rows per sample seen by a dense layer: T on a sequence, else 1 */
  nn_dense dense;
  nn_lstm lstm;
} net_layer;

struct dnt_net {
  dnt_net_arch arch;
  int max_batch;
  int batch;             /* samples of the last training forward; 0 before the first */
  int in_size, out_size; /* values per sample */
  size_t nparams;
  float *params, *grads;
  int owns_storage;
  float *ws;      /* the workspace block that the buffers below point into */
  float *xin;     /* (max_batch, in_size) copy of the training input for a dense
                     first layer's backward (an LSTM keeps its own [x, h] copy) */
  float *gbuf[2]; /* (max_batch, widest) backward ping-pong */
  float *dz;      /* (max_batch, widest) dense activation gradient */
  float *ibuf[2]; /* (max_batch, widest) infer ping-pong */
  net_layer layer[DNT_NET_MAX_LAYERS];
};

/* Walks the arch and carves views and buffers (sizing pass when v == NULL). */
static int layout(dnt_net *net, nn_views *v, nn_arena *ws) {
  const dnt_net_arch *a = &net->arch;
  int width = a->input, seq = a->seq_len > 0, steps = seq ? a->seq_len : 1;
  size_t mb = (size_t)net->max_batch, widest = (size_t)steps * (size_t)width;
  net->xin = nn_arena_take(ws, a->layer[0].kind == DNT_LAYER_DENSE ? mb * widest : 0);
  for (int l = 0; l < a->n_layers; l++) {
    const dnt_layer_spec *s = &a->layer[l];
    net_layer *L = &net->layer[l];
    L->kind = s->kind;
    L->rows = seq ? steps : 1;
    if (s->kind == DNT_LAYER_DENSE) {
      nn_dense_setup(&L->dense, width, s->units, s->act, net->max_batch * L->rows, v, ws);
    } else {
      int rc = nn_lstm_setup(&L->lstm, width, steps, s, net->max_batch, v, ws);
      if (rc != DNT_OK) return rc;
      if (!s->return_sequences) seq = 0;
    }
    width = s->units;
    size_t out = (size_t)(seq ? steps : 1) * (size_t)width;
    widest = out > widest ? out : widest;
  }
  net->gbuf[0] = nn_arena_take(ws, mb * widest);
  net->gbuf[1] = nn_arena_take(ws, mb * widest);
  net->dz = nn_arena_take(ws, mb * widest);
  net->ibuf[0] = nn_arena_take(ws, mb * widest);
  net->ibuf[1] = nn_arena_take(ws, mb * widest);
  return DNT_OK;
}

int dnt_net_create(const dnt_net_arch *arch, int max_batch, float *params, float *grads,
                   dnt_net **out) {
  *out = NULL;
  int rc = dnt_net_arch_validate(arch);
  if (rc != DNT_OK) return rc;
  int steps = arch->seq_len > 0 ? arch->seq_len : 1;
  if (max_batch < 1 || max_batch > 0x7fffffff / steps)
    return dnt_error(DNT_ERR_ARG, "dnt_net_create: max_batch = %d: expected 1 to %d", max_batch,
                     0x7fffffff / steps);
  if (!params != !grads)
    return dnt_error(DNT_ERR_ARG,
                     "dnt_net_create: params and grads: expected both NULL or both set");
  nn_blas_default_threads();
  nn_arena sizing = {0}, arena = {0};
  dnt_net *net = calloc(1, sizeof *net);
  if (!net) return dnt_error(DNT_ERR_NOMEM, "dnt_net_create: out of memory");
  net->arch = *arch;
  net->max_batch = max_batch;
  net->nparams = dnt_net_arch_nparams(arch);
  net->in_size = arch->input * steps;
  net->out_size = dnt_net_arch_output_size(arch);
  net->params = params;
  net->grads = grads;
  if (!params) {
    net->owns_storage = 1;
    net->params = calloc(net->nparams, sizeof(float));
    net->grads = calloc(net->nparams, sizeof(float));
    if (!net->params || !net->grads) goto nomem;
  }
  if ((rc = layout(net, NULL, &sizing)) != DNT_OK) goto fail;
  if (sizing.used >= NN_ARENA_LIMIT) goto nomem;
  size_t bytes = sizing.used * sizeof(float);
  net->ws = aligned_alloc(64, bytes ? bytes : 64);
  if (!net->ws) goto nomem;
  memset(net->ws, 0, bytes);
  arena.base = net->ws;
  nn_views views = {.params = net->params, .grads = net->grads};
  if ((rc = layout(net, &views, &arena)) != DNT_OK) goto fail;
  assert(views.used == net->nparams && arena.used == sizing.used);
  *out = net;
  return DNT_OK;
nomem:
  rc = dnt_error(DNT_ERR_NOMEM, "dnt_net_create: %zu parameters, max_batch %d: out of memory",
                 net->nparams, max_batch);
fail:
  dnt_net_destroy(net);
  return rc;
}

void dnt_net_destroy(dnt_net *net) {
  if (!net) return;
  for (int l = 0; l < net->arch.n_layers; l++)
    if (net->layer[l].kind == DNT_LAYER_LSTM) nn_lstm_free(&net->layer[l].lstm);
  if (net->owns_storage) {
    free(net->params);
    free(net->grads);
  }
  free(net->ws);
  free(net);
}

void dnt_net_init(dnt_net *net, dnt_rng *rng) {
  for (int l = 0; l < net->arch.n_layers; l++) {
    if (net->layer[l].kind == DNT_LAYER_DENSE)
      nn_dense_init(&net->layer[l].dense, rng);
    else
      nn_lstm_init(&net->layer[l].lstm, rng);
  }
}

const float *dnt_net_forward(dnt_net *net, const float *x, int batch) {
  assert(batch >= 1 && batch <= net->max_batch);
  const float *cur = x;
  if (net->layer[0].kind == DNT_LAYER_DENSE) {
    memcpy(net->xin, x, (size_t)batch * (size_t)net->in_size * sizeof(float));
    cur = net->xin;
  }
  for (int l = 0; l < net->arch.n_layers; l++) {
    net_layer *L = &net->layer[l];
    if (L->kind == DNT_LAYER_DENSE) {
      nn_dense_forward(&L->dense, cur, batch * L->rows, L->dense.y);
      cur = L->dense.y;
    } else {
      cur = nn_lstm_forward(&L->lstm, cur, batch);
    }
  }
  net->batch = batch;
  return cur;
}

static const float *layer_output(const net_layer *L) {
  return L->kind == DNT_LAYER_DENSE ? L->dense.y : L->lstm.y;
}

void dnt_net_backward(dnt_net *net, const float *dy, float *dx) {
  assert(net->batch > 0 && "dnt_net_backward before dnt_net_forward");
  const float *g = dy;
  for (int l = net->arch.n_layers - 1; l >= 0; l--) {
    net_layer *L = &net->layer[l];
    float *gx = l ? net->gbuf[l & 1] : dx;
    const float *in = l ? layer_output(&net->layer[l - 1]) : net->xin;
    if (L->kind == DNT_LAYER_DENSE)
      nn_dense_backward(&L->dense, in, g, net->batch * L->rows, net->dz, gx);
    else
      nn_lstm_backward(&L->lstm, g, gx, net->batch);
    g = gx;
  }
}

void dnt_net_infer(dnt_net *net, const float *x, int batch, float *y) {
  assert(batch >= 1 && batch <= net->max_batch);
  const float *cur = x;
  for (int l = 0; l < net->arch.n_layers; l++) {
    net_layer *L = &net->layer[l];
    float *out = l + 1 == net->arch.n_layers ? y : net->ibuf[l & 1];
    if (L->kind == DNT_LAYER_DENSE)
      nn_dense_forward(&L->dense, cur, batch * L->rows, out);
    else
      nn_lstm_infer(&L->lstm, cur, batch, out);
    cur = out;
  }
}

void dnt_net_zero_grad(dnt_net *net) {
  memset(net->grads, 0, net->nparams * sizeof(float));
}
float *dnt_net_params(dnt_net *net) {
  return net->params;
}
float *dnt_net_grads(dnt_net *net) {
  return net->grads;
}
size_t dnt_net_nparams(const dnt_net *net) {
  return net->nparams;
}
int dnt_net_output_size(const dnt_net *net) {
  return net->out_size;
}
int dnt_net_max_batch(const dnt_net *net) {
  return net->max_batch;
}
const dnt_net_arch *dnt_net_get_arch(const dnt_net *net) {
  return &net->arch;
}

int dnt_net_save(const dnt_net *net, const char *path) {
  char desc[2048];
  int rc = dnt_net_arch_describe(&net->arch, desc, sizeof desc);
  if (rc < 0) return rc;
  return dnt_checkpoint_save(path, desc, net->params, net->nparams);
}

int dnt_net_load(dnt_net *net, const char *path) {
  char desc[2048];
  int rc = dnt_net_arch_describe(&net->arch, desc, sizeof desc);
  if (rc < 0) return rc;
  return dnt_checkpoint_load(path, desc, net->params, net->nparams);
}
