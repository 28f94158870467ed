/* src/nn/arch.c: network architectures as plain data: building, validating,
 * counting parameters, and the canonical text that names an arch in checkpoints.
 *
 * Shapes are walked layer by layer: the width per time step and whether the
 * value is still a sequence. A dense layer keeps the sequence (it applies to
 * every step); an LSTM with return_sequences = 0 ends it. */
#include <limits.h>
#include <stdio.h>

#include "dnt/nn.h"
#include "dnt/status.h"

dnt_net_arch dnt_mlp_arch(int input, const int *sizes, int n, dnt_act hidden, dnt_act out) {
  dnt_net_arch a = {.input = input, .seq_len = 0, .n_layers = n};
  for (int l = 0; l < n && l < DNT_NET_MAX_LAYERS; l++) {
    a.layer[l].kind = DNT_LAYER_DENSE;
    a.layer[l].units = sizes[l];
    a.layer[l].act = l + 1 < n ? hidden : out;
  }
  return a;
}

static int bad(int l, const char *field, int value, const char *expected) {
  return dnt_error(DNT_ERR_ARG, "dnt_net_arch: field 'layer[%d].%s' = '%d': expected %s", l, field,
                   value, expected);
}

int dnt_net_arch_validate(const dnt_net_arch *arch) {
  if (arch->input <= 0)
    return dnt_error(DNT_ERR_ARG, "dnt_net_arch: field 'input' = '%d': expected > 0", arch->input);
  if (arch->seq_len < 0)
    return dnt_error(DNT_ERR_ARG, "dnt_net_arch: field 'seq_len' = '%d': expected >= 0",
                     arch->seq_len);
  if (arch->n_layers < 1 || arch->n_layers > DNT_NET_MAX_LAYERS)
    return dnt_error(DNT_ERR_ARG, "dnt_net_arch: field 'n_layers' = '%d': expected 1 to %d",
                     arch->n_layers, DNT_NET_MAX_LAYERS);
  long long width = arch->input, steps = arch->seq_len > 0 ? arch->seq_len : 1;
  int seq = arch->seq_len > 0;
  if (steps * width > INT_MAX) return bad(0, "input", arch->input, "seq_len * input <= INT_MAX");
  for (int l = 0; l < arch->n_layers; l++) {
    const dnt_layer_spec *s = &arch->layer[l];
    if (s->units <= 0) return bad(l, "units", s->units, "> 0");
    if (s->kind == DNT_LAYER_DENSE) {
      if (s->act < DNT_ACT_NONE || s->act > DNT_ACT_SIGMOID)
        return bad(l, "act", (int)s->act, "none, relu, tanh or sigmoid (0 to 3)");
    } else if (s->kind == DNT_LAYER_LSTM) {
      if (!seq) return bad(l, "kind", (int)s->kind, "a sequence input (seq_len > 0) for an LSTM");
      if (s->lstm_layers < 1) return bad(l, "lstm_layers", s->lstm_layers, ">= 1");
      if (s->return_sequences != 0 && s->return_sequences != 1)
        return bad(l, "return_sequences", s->return_sequences, "0 or 1");
      /* leading dimensions T (I + H) and T 4H are ints */
      long long k = (width > s->units ? width : s->units) + s->units;
      if (steps * 4 * k > INT_MAX)
        return bad(l, "units", s->units, "seq_len * 4 (input + units) <= INT_MAX");
      if (!s->return_sequences) seq = 0;
    } else {
      return bad(l, "kind", (int)s->kind, "DNT_LAYER_DENSE (1) or DNT_LAYER_LSTM (2)");
    }
    width = s->units;
    if ((seq ? steps : 1) * width > INT_MAX)
      return bad(l, "units", s->units, "seq_len * units <= INT_MAX");
  }
  return DNT_OK;
}

size_t dnt_net_arch_nparams(const dnt_net_arch *arch) {
  if (dnt_net_arch_validate(arch) != DNT_OK) return 0;
  size_t n = 0, width = (size_t)arch->input;
  for (int l = 0; l < arch->n_layers; l++) {
    const dnt_layer_spec *s = &arch->layer[l];
    size_t u = (size_t)s->units;
    if (s->kind == DNT_LAYER_DENSE) {
      n += width * u + u;
    } else {
      for (int k = 0; k < s->lstm_layers; k++)
        n += ((k ? u : width) + u) * 4 * u + 4 * u;
    }
    width = u;
  }
  return n;
}

int dnt_net_arch_describe(const dnt_net_arch *arch, char *buf, size_t len) {
  int rc = dnt_net_arch_validate(arch);
  if (rc != DNT_OK) return rc;
  size_t used = 0;
  int n = snprintf(buf, len, "in=%d seq=%d", arch->input, arch->seq_len);
  for (int l = 0; n >= 0 && l < arch->n_layers; l++) {
    used += (size_t)n;
    const dnt_layer_spec *s = &arch->layer[l];
    char *at = used < len ? buf + used : NULL;
    size_t room = used < len ? len - used : 0;
    if (s->kind == DNT_LAYER_DENSE)
      n = snprintf(at, room, " | dense %d %s", s->units, dnt_act_name(s->act));
    else
      n = snprintf(at, room, " | lstm h=%d l=%d seq=%d", s->units, s->lstm_layers,
                   s->return_sequences);
  }
  used += (size_t)n;
  if (n < 0 || used >= len || used > INT_MAX)
    return dnt_error(DNT_ERR_ARG, "dnt_net_arch_describe: text of %zu bytes does not fit in %zu",
                     used + 1, len);
  return (int)used;
}

int dnt_net_arch_output_size(const dnt_net_arch *arch) {
  if (dnt_net_arch_validate(arch) != DNT_OK) return 0;
  int seq = arch->seq_len > 0, width = arch->input;
  for (int l = 0; l < arch->n_layers; l++) {
    width = arch->layer[l].units;
    if (arch->layer[l].kind == DNT_LAYER_LSTM && !arch->layer[l].return_sequences) seq = 0;
  }
  return seq ? arch->seq_len * width : width;
}
