/* dnt/loss.h: losses, averaged over n values; each returns the loss and, if
 * grad != NULL, writes d loss / d pred (n values). */
#ifndef DNT_LOSS_H
#define DNT_LOSS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* mean (pred - target)^2 */
float dnt_loss_mse(const float *pred, const float *target, size_t n, float *grad);
/* mean Huber_delta(pred - target): 0.5 e^2 if |e| <= delta, else delta (|e| - delta/2)
 * (PyTorch's HuberLoss; SmoothL1 when delta = 1). */
float dnt_loss_huber(const float *pred, const float *target, size_t n, float delta, float *grad);

#ifdef __cplusplus
}
#endif
#endif
