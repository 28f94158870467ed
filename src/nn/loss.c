/* src/nn/loss.c: mean squared error and Huber loss, summed in double.
 * Gradients are those of the mean, as PyTorch's reduction = 'mean'. O(n). */
#include <math.h>

#include "dnt/loss.h"

float dnt_loss_mse(const float *pred, const float *target, size_t n, float *grad) {
  if (n == 0) return 0.0f;
  double sum = 0.0;
  float scale = 2.0f / (float)n;
  for (size_t i = 0; i < n; i++) {
    float e = pred[i] - target[i];
    sum += (double)e * e;
    if (grad) grad[i] = scale * e;
  }
  return (float)(sum / (double)n);
}

float dnt_loss_huber(const float *pred, const float *target, size_t n, float delta, float *grad) {
  if (n == 0) return 0.0f;
  double sum = 0.0;
  float inv = 1.0f / (float)n;
  for (size_t i = 0; i < n; i++) {
    float e = pred[i] - target[i], ae = fabsf(e);
    if (ae <= delta) {
      sum += 0.5 * (double)e * e;
      if (grad) grad[i] = e * inv;
    } else {
      sum += (double)delta * (ae - 0.5 * delta);
      if (grad) grad[i] = (e > 0.0f ? delta : -delta) * inv;
    }
  }
  return (float)(sum / (double)n);
}
