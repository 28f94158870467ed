/* src/studies/forecast_lstm.c: the two non-federated LSTM references of the
 * forecast study, both through the nn layer's loop (dnt/seq_forecast.h):
 * local_only (one model per BS, no sharing: S models through one call on
 * threads) and centralized (every BS's windows pooled into one model: what
 * moving the raw data would buy). Both stop early on validation and keep the
 * best epoch; the test part only scores. */
#include <stdlib.h>

#include "dnt/status.h"
#include "forecast_study.h"

dnt_seq_config fc_seq_config(const dnt_study_forecast_config *cfg, uint64_t seed) {
  dnt_seq_config sc;
  dnt_seq_config_default(&sc);
  sc.win = dnt_forecast_window(cfg);
  sc.hidden = (int)cfg->hidden;
  sc.layers = (int)cfg->layers;
  sc.batch = (int)cfg->batch;
  sc.max_epochs = (int)cfg->epochs;
  sc.patience = (int)cfg->patience;
  sc.lr = (float)cfg->lr;
  sc.clip = (float)cfg->clip;
  sc.seed = seed;
  return sc;
}

int fc_local_only(const dnt_study_forecast_config *cfg, const fc_data *d, uint64_t seed,
                  int threads, fc_result *r) {
  dnt_seq_config sc = fc_seq_config(cfg, seed);
  dnt_seq_model **models = calloc(d->n_bs, sizeof *models);
  const dnt_seq_data **data = calloc(d->n_bs, sizeof *data);
  dnt_seq_report *rep = calloc(d->n_bs, sizeof *rep);
  int rc = 0;
  if (!models || !data || !rep) {
    rc = dnt_error(DNT_ERR_NOMEM, "local_only: no memory for %zu models", d->n_bs);
    goto cleanup;
  }
  for (size_t i = 0; i < d->n_bs; i++) {
    data[i] = &d->bs[i];
    if ((rc = dnt_seq_model_create(&sc, i, &models[i]))) goto cleanup;
  }
  if ((rc = dnt_seq_train_many(models, data, d->n_bs, threads, rep))) goto cleanup;
  double epochs = 0;
  for (size_t i = 0; i < d->n_bs; i++) {
    if ((rc = dnt_seq_predict_part(models[i], &d->bs[i], DNT_SEQ_TEST, r->pred + i * d->n_test)))
      goto cleanup;
    epochs += rep[i].epochs;
  }
  r->rounds = epochs / (double)d->n_bs; /* mean epochs run */
cleanup:
  if (models)
    for (size_t i = 0; i < d->n_bs; i++)
      dnt_seq_model_destroy(models[i]);
  free(models);
  free(data);
  free(rep);
  return rc;
}

int fc_centralized(const dnt_study_forecast_config *cfg, const fc_data *d, uint64_t seed,
                   fc_result *r) {
  dnt_seq_config sc = fc_seq_config(cfg, seed);
  dnt_seq_data all = {0};
  dnt_seq_model *m = NULL;
  dnt_seq_report rep = {0};
  int rc = dnt_seq_data_init(&all, &d->win, d->y, d->n_bs, &d->split);
  if (rc || (rc = dnt_seq_model_create(&sc, d->n_bs, &m)) || (rc = dnt_seq_train(m, &all, &rep)) ||
      (rc = dnt_seq_predict_part(m, &all, DNT_SEQ_TEST, r->pred)))
    goto cleanup;
  r->rounds = rep.epochs;
  /* the raw fitting part of every BS travels to the centre, as float32 */
  r->bytes_up = 4.0 * (double)d->n_bs * (double)d->split.val_end;
cleanup:
  dnt_seq_model_destroy(m);
  dnt_seq_data_free(&all);
  return rc;
}
