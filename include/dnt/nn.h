/* dnt/nn.h: the neural-network core: dense and LSTM layers in one sequential net.
 *
 * float32, contiguous row-major arrays, every matrix product through cblas
 * (OpenBLAS). A net is a stack of layers described by a dnt_net_arch; its
 * parameters live in ONE contiguous float vector and its gradient in another of
 * the same length, and each layer holds views into them. Copying, averaging,
 * attacking, sending or checkpointing a model is therefore an operation on one
 * vector (see dnt/vec.h). Several nets can share one vector: pass external
 * storage to dnt_net_create (e.g. the trunk and heads of a dueling DQN, or an
 * actor and a critic saved together).
 *
 * Shapes. Input is (B, input) for a net whose arch has seq_len == 0, and
 * (B, seq_len, input) row-major (batch-major) for a sequence net. A dense layer
 * on a sequence applies to every time step. An LSTM layer with
 * return_sequences = 0 outputs the last hidden state (B, H) of its top layer;
 * with 1 it outputs (B, T, H).
 *
 * LSTM equations (PyTorch's gate order i, f, g, o), per layer and step t, with
 * the four gates fused in one sgemm [B x (I+H)] * [(I+H) x 4H]:
 *   z = [x_t, h_{t-1}] W + b                  W: (I+H, 4H), b: (4H)
 *   i = sigm(z_i)  f = sigm(z_f)  g = tanh(z_g)  o = sigm(z_o)
 *   c_t = f * c_{t-1} + i * g        h_t = o * tanh(c_t)     (h_0 = c_0 = 0)
 * Dense: y = act(x W + b), W: (in, out) row-major, b: (out).
 *
 * Workspace. Activations for max_batch samples are allocated at create time;
 * nothing allocates inside forward/backward/infer. dnt_net_forward caches what
 * dnt_net_backward needs; dnt_net_infer uses a separate scratch so that acting
 * (e.g. a target or online net's forward on next states) does not disturb a
 * pending backward.
 *
 * Threads: a net is not thread-safe; use one per thread. OpenBLAS's own thread
 * count is set by dnt_blas_set_threads (default 1: these matrices are small). */
#ifndef DNT_NN_H
#define DNT_NN_H

#include <stddef.h>

#include "dnt/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_act {
  DNT_ACT_NONE = 0,
  DNT_ACT_RELU = 1,
  DNT_ACT_TANH = 2,
  DNT_ACT_SIGMOID = 3
} dnt_act;

/* In place y = act(x) over n values. */
void dnt_act_forward(dnt_act a, float *x, size_t n);
/* In place dx = dy * act'(.) over n values, expressed through the output y. */
void dnt_act_backward(dnt_act a, const float *y, float *dy, size_t n);
/* "none", "relu", "tanh", "sigmoid"; parse returns DNT_ERR_ARG on other text. */
const char *dnt_act_name(dnt_act a);
int dnt_act_parse(const char *name, dnt_act *out);

typedef enum dnt_layer_kind { DNT_LAYER_DENSE = 1, DNT_LAYER_LSTM = 2 } dnt_layer_kind;

typedef struct dnt_layer_spec {
  dnt_layer_kind kind;
  int units;            /* dense: outputs; LSTM: hidden size H */
  dnt_act act;          /* dense only */
  int lstm_layers;      /* LSTM: stacked layers (>= 1) */
  int return_sequences; /* LSTM: 1 -> (B, T, H), 0 -> last hidden (B, H) */
} dnt_layer_spec;

#define DNT_NET_MAX_LAYERS 16

typedef struct dnt_net_arch {
  int input;   /* features per sample (seq_len == 0) or per time step */
  int seq_len; /* time steps of the input; 0 for plain (B, input) */
  int n_layers;
  dnt_layer_spec layer[DNT_NET_MAX_LAYERS];
} dnt_net_arch;

/* Convenience: an MLP input -> sizes[0] -> ... -> sizes[n-1], `hidden` on every
 * layer but the last, `out` on the last. */
dnt_net_arch dnt_mlp_arch(int input, const int *sizes, int n, dnt_act hidden, dnt_act out);

/* DNT_OK or DNT_ERR_ARG naming the first bad field (sizes > 0, an LSTM needs
 * seq_len > 0 and a sequence input, at most DNT_NET_MAX_LAYERS layers). */
int dnt_net_arch_validate(const dnt_net_arch *arch);
/* Number of parameters of the arch (0 if invalid). */
size_t dnt_net_arch_nparams(const dnt_net_arch *arch);
/* Canonical one-line text of the arch ("in=8 seq=24 | lstm h=64 l=2 seq=0 | dense 1 none");
 * two archs are equal iff their texts are. Returns the length, or DNT_ERR_ARG if
 * it does not fit in len. */
int dnt_net_arch_describe(const dnt_net_arch *arch, char *buf, size_t len);
/* Output values per sample. */
int dnt_net_arch_output_size(const dnt_net_arch *arch);

typedef struct dnt_net dnt_net;

/* Builds a net for batches of up to max_batch samples. `params` and `grads`
 * are NULL (the net allocates and owns both, zeroed) or both point to caller
 * storage of dnt_net_arch_nparams(arch) floats that must outlive the net.
 * Call dnt_net_init to draw initial weights. */
int dnt_net_create(const dnt_net_arch *arch, int max_batch, float *params, float *grads,
                   dnt_net **out);
void dnt_net_destroy(dnt_net *net);

/* Initial weights from `rng`: He-uniform before ReLU, Xavier-uniform otherwise;
 * dense biases 0; LSTM weights uniform(-1/sqrt(H), 1/sqrt(H)) as PyTorch,
 * biases 0 except the forget gate's, 1. */
void dnt_net_init(dnt_net *net, dnt_rng *rng);

/* Training forward over `batch` <= max_batch samples; caches activations (and
 * a copy of x, so x need not outlive the call). Returns the output (batch,
 * output_size), owned by the net, valid until the next forward. Time: about
 * 2 batch flops per weight use: batch x rows x in x out per dense layer
 * (rows = T on a sequence), batch x T x (I+H) x 4H per LSTM layer. */
const float *dnt_net_forward(dnt_net *net, const float *x, int batch);
/* Backward of the last forward: ACCUMULATES parameter gradients into the grad
 * vector (call dnt_net_zero_grad first) and, if dx != NULL, writes the input
 * gradient (same shape as x). dy has the output's shape. Time: about twice the
 * forward's (once without dx for a dense first layer). */
void dnt_net_backward(dnt_net *net, const float *dy, float *dx);
/* Forward without caching, into caller storage y (batch, output_size). */
void dnt_net_infer(dnt_net *net, const float *x, int batch, float *y);

void dnt_net_zero_grad(dnt_net *net);
float *dnt_net_params(dnt_net *net);
float *dnt_net_grads(dnt_net *net);
size_t dnt_net_nparams(const dnt_net *net);
int dnt_net_output_size(const dnt_net *net);
int dnt_net_max_batch(const dnt_net *net);
const dnt_net_arch *dnt_net_get_arch(const dnt_net *net);

/* Saves/loads the net's parameters as a checkpoint (dnt/checkpoint.h) whose
 * description is the arch text: loading into a net of another arch is
 * DNT_ERR_MISMATCH. */
int dnt_net_save(const dnt_net *net, const char *path);
int dnt_net_load(dnt_net *net, const char *path);

/* Sets OpenBLAS's thread count (n >= 1). Without a call, the first
 * dnt_net_create sets 1 thread. */
void dnt_blas_set_threads(int n);

#ifdef __cplusplus
}
#endif
#endif
