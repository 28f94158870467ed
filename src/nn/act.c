/* src/nn/act.c: activations, forward and backward, alone or fused with the bias.
 *
 * Backward is written through the output y (relu' = [y > 0], tanh' = 1 - y^2,
 * sigmoid' = y (1 - y)) so that layers keep only their outputs. The fused loops
 * (bias + activation; activation gradient + bias gradient) each touch the
 * (rows, cols) block once after the sgemm that produced it. */
#if defined(__GNUC__) && !defined(__clang__)
/* Lets GCC turn the selects of nn_math.h into vector blends (Clang does anyway),
 * and contract a * b + c into one FMA where the clone has it (-std=c11 turns
 * contraction off): a rounding difference, not a change of formula. */
#pragma GCC optimize("no-trapping-math", "fp-contract=fast")
#endif

#include <assert.h>
#include <string.h>

#include "dnt/nn.h"
#include "dnt/status.h"
#include "nn/nn_internal.h"
#include "nn/nn_math.h"

NN_KERNEL void dnt_act_forward(dnt_act a, float *x, size_t n) {
  switch (a) {
  case DNT_ACT_NONE:
    break;
  case DNT_ACT_RELU:
    for (size_t i = 0; i < n; i++)
      x[i] = x[i] > 0.0f ? x[i] : 0.0f;
    break;
  case DNT_ACT_TANH:
    for (size_t i = 0; i < n; i++)
      x[i] = nn_tanhf(x[i]);
    break;
  case DNT_ACT_SIGMOID:
    for (size_t i = 0; i < n; i++)
      x[i] = nn_sigmoidf(x[i]);
    break;
  }
}

NN_KERNEL void dnt_act_backward(dnt_act a, const float *y, float *dy, size_t n) {
  switch (a) {
  case DNT_ACT_NONE:
    break;
  case DNT_ACT_RELU:
    for (size_t i = 0; i < n; i++)
      dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    break;
  case DNT_ACT_TANH:
    for (size_t i = 0; i < n; i++)
      dy[i] *= 1.0f - y[i] * y[i];
    break;
  case DNT_ACT_SIGMOID:
    for (size_t i = 0; i < n; i++)
      dy[i] *= y[i] * (1.0f - y[i]);
    break;
  }
}

static const char *const act_names[] = {"none", "relu", "tanh", "sigmoid"};

const char *dnt_act_name(dnt_act a) {
  assert(a >= DNT_ACT_NONE && a <= DNT_ACT_SIGMOID);
  return act_names[a];
}

int dnt_act_parse(const char *name, dnt_act *out) {
  for (int i = 0; i < 4; i++) {
    if (name && strcmp(name, act_names[i]) == 0) {
      *out = (dnt_act)i;
      return DNT_OK;
    }
  }
  return dnt_error(DNT_ERR_ARG, "activation '%s': expected none, relu, tanh or sigmoid",
                   name ? name : "(null)");
}

NN_KERNEL void nn_bias_act(dnt_act act, float *y, const float *bias, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    float *restrict yr = y + (size_t)r * (size_t)cols;
    const float *restrict b = bias;
    switch (act) {
    case DNT_ACT_NONE:
      for (int j = 0; j < cols; j++)
        yr[j] += b[j];
      break;
    case DNT_ACT_RELU:
      for (int j = 0; j < cols; j++) {
        float v = yr[j] + b[j];
        yr[j] = v > 0.0f ? v : 0.0f;
      }
      break;
    case DNT_ACT_TANH:
      for (int j = 0; j < cols; j++)
        yr[j] = nn_tanhf(yr[j] + b[j]);
      break;
    case DNT_ACT_SIGMOID:
      for (int j = 0; j < cols; j++)
        yr[j] = nn_sigmoidf(yr[j] + b[j]);
      break;
    }
  }
}

NN_KERNEL void nn_act_grad(dnt_act act, const float *y, const float *dy, float *dz, float *db,
                           int rows, int cols) {
  assert(dz != dy);
  for (int r = 0; r < rows; r++) {
    const float *restrict yr = y + (size_t)r * (size_t)cols;
    const float *dyr = dy + (size_t)r * (size_t)cols;
    float *dzr = dz + (size_t)r * (size_t)cols;
    float *restrict b = db;
    switch (act) {
    case DNT_ACT_NONE:
      for (int j = 0; j < cols; j++)
        b[j] += dyr[j];
      break;
    case DNT_ACT_RELU:
      for (int j = 0; j < cols; j++) {
        float d = dyr[j]; /* loaded unconditionally, so the select vectorises */
        float g = yr[j] > 0.0f ? d : 0.0f;
        dzr[j] = g;
        b[j] += g;
      }
      break;
    case DNT_ACT_TANH:
      for (int j = 0; j < cols; j++) {
        float g = dyr[j] * (1.0f - yr[j] * yr[j]);
        dzr[j] = g;
        b[j] += g;
      }
      break;
    case DNT_ACT_SIGMOID:
      for (int j = 0; j < cols; j++) {
        float g = dyr[j] * yr[j] * (1.0f - yr[j]);
        dzr[j] = g;
        b[j] += g;
      }
      break;
    }
  }
}
