/* src/twin/content_forecast.c: the twin's content forecaster
 * (dnt/content_forecast.h) on the nn layer's forecaster loop
 * (dnt/seq_forecast.h).
 *
 * State: a ring of the last history * block requests (so the counts over the
 * kept history are exact as requests slide out), the per-item counts over
 * it, and the (k, history) count series of the tracked items, oldest step
 * first. A fit recounts the series from the ring for the new top-K. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/content_forecast.h"
#include "dnt/seq_forecast.h"
#include "dnt/status.h"

struct dnt_content_forecast {
  dnt_content_forecast_config cfg;
  dnt_seq_model *model;
  int *ring;         /* (history * block) item ids, request r at r % cap */
  int64_t *count;    /* (n_items) requests over the ring */
  int64_t seen;      /* requests observed */
  int64_t steps;     /* completed steps */
  int len;           /* steps in the series (<= history) */
  int n_tracked;     /* 0 before the first fit */
  int *tracked;      /* (k) item ids, most requested first */
  int *slot;         /* (n_items) index into tracked, or -1 */
  double *series;    /* (k, history) per-step counts, oldest first */
  double *mean, *sd; /* (k) z-score statistics of the last fit */
  double *z;         /* (k, history) scratch: z-scored series */
  double *prob;      /* (k) forecast distribution */
  float *x, *y;      /* (batch, window, features), (batch) inference scratch */
  double loss;
};

void dnt_content_forecast_config_default(dnt_content_forecast_config *c, int n_items) {
  *c = (dnt_content_forecast_config){.n_items = n_items,
                                     .k = n_items < 150 ? n_items : 150,
                                     .block = 200,
                                     .history = 48,
                                     .window = 8,
                                     .season = 0,
                                     .hidden = 16,
                                     .batch = 64,
                                     .train_steps = 200,
                                     .refit_every = 8,
                                     .lr = 5e-3f,
                                     .val_fraction = 0.2,
                                     .seed = 1,
                                     .index = 0};
}

int dnt_content_forecast_config_check(const dnt_content_forecast_config *c) {
  const char *bad = NULL;
  if (c->n_items < 1)
    bad = "n_items";
  else if (c->k < 1 || c->k > c->n_items)
    bad = "k";
  else if (c->block < 1)
    bad = "block";
  else if (c->window < 1)
    bad = "window";
  else if (c->season < 0)
    bad = "season";
  else if (c->history <= c->window + c->season + 2)
    bad = "history";
  else if (c->hidden < 1)
    bad = "hidden";
  else if (c->batch < 1)
    bad = "batch";
  else if (c->train_steps < 1)
    bad = "train_steps";
  else if (c->refit_every < 0)
    bad = "refit_every";
  else if (!(c->lr > 0) || !isfinite(c->lr))
    bad = "lr";
  else if (!(c->val_fraction >= 0 && c->val_fraction < 0.5))
    bad = "val_fraction";
  if (bad)
    return dnt_error(DNT_ERR_ARG,
                     "content forecast: field %s out of range (n_items %d, k %d, block %d, "
                     "history %d, window %d, season %d)",
                     bad, c->n_items, c->k, c->block, c->history, c->window, c->season);
  return 0;
}

static dnt_seq_window window_of(const dnt_content_forecast_config *c) {
  return (dnt_seq_window){.window = c->window, .horizon = 1, .season = c->season};
}

void dnt_content_forecast_destroy(dnt_content_forecast *f) {
  if (!f) return;
  dnt_seq_model_destroy(f->model);
  free(f->ring);
  free(f->count);
  free(f->tracked);
  free(f->slot);
  free(f->series);
  free(f->mean);
  free(f->sd);
  free(f->z);
  free(f->prob);
  free(f->x);
  free(f->y);
  free(f);
}

int dnt_content_forecast_create(const dnt_content_forecast_config *c, dnt_content_forecast **out) {
  *out = NULL;
  int rc = dnt_content_forecast_config_check(c);
  if (rc) return rc;
  dnt_content_forecast *f = calloc(1, sizeof *f);
  if (!f) return dnt_error(DNT_ERR_NOMEM, "content forecast: out of memory");
  f->cfg = *c;
  f->loss = NAN;
  dnt_seq_config s;
  dnt_seq_config_default(&s);
  s.win = window_of(c);
  s.hidden = c->hidden;
  s.layers = 1;
  s.batch = c->batch;
  s.max_epochs = 1000; /* the step budget binds first */
  s.max_steps = c->train_steps;
  s.patience = c->val_fraction > 0 ? 5 : 0;
  s.lr = c->lr;
  s.seed = c->seed;
  rc = dnt_seq_model_create(&s, c->index, &f->model);
  if (rc) {
    dnt_content_forecast_destroy(f);
    return dnt_error(rc, "content forecast: %s", dnt_last_error());
  }
  size_t k = (size_t)c->k, h = (size_t)c->history, n = (size_t)c->n_items;
  size_t win = (size_t)c->window * (size_t)dnt_seq_window_features(&s.win);
  f->ring = malloc(h * (size_t)c->block * sizeof *f->ring);
  f->count = calloc(n, sizeof *f->count);
  f->tracked = malloc(k * sizeof *f->tracked);
  f->slot = malloc(n * sizeof *f->slot);
  f->series = calloc(k * h, sizeof *f->series);
  f->mean = calloc(k, sizeof *f->mean);
  f->sd = calloc(k, sizeof *f->sd);
  f->z = calloc(k * h, sizeof *f->z);
  f->prob = calloc(k, sizeof *f->prob);
  f->x = malloc((size_t)c->batch * win * sizeof *f->x);
  f->y = malloc((size_t)c->batch * sizeof *f->y);
  if (!f->ring || !f->count || !f->tracked || !f->slot || !f->series || !f->mean || !f->sd ||
      !f->z || !f->prob || !f->x || !f->y) {
    dnt_content_forecast_destroy(f);
    return dnt_error(DNT_ERR_NOMEM, "content forecast: out of memory for %d items", c->n_items);
  }
  for (size_t i = 0; i < n; i++)
    f->slot[i] = -1;
  *out = f;
  return 0;
}

/* Appends the counts of the step just completed (the ring's last block). */
static void append_step(dnt_content_forecast *f) {
  size_t h = (size_t)f->cfg.history, k = (size_t)f->n_tracked;
  if (f->len == f->cfg.history) {
    for (size_t i = 0; i < k; i++)
      memmove(f->series + i * h, f->series + i * h + 1, (h - 1) * sizeof *f->series);
    f->len--;
  }
  for (size_t i = 0; i < k; i++)
    f->series[i * h + (size_t)f->len] = 0;
  size_t cap = h * (size_t)f->cfg.block;
  int64_t first = f->seen - f->cfg.block;
  for (int64_t r = first; r < f->seen; r++) {
    int s = f->slot[f->ring[(size_t)r % cap]];
    if (s >= 0) f->series[(size_t)s * h + (size_t)f->len] += 1;
  }
  f->len++;
}

/* The next-step distribution from the series (one batched inference). */
static void update_forecast(dnt_content_forecast *f) {
  const dnt_content_forecast_config *c = &f->cfg;
  size_t h = (size_t)c->history, len = (size_t)f->len, k = (size_t)f->n_tracked;
  dnt_seq_window w = window_of(c);
  size_t win = (size_t)c->window * (size_t)dnt_seq_window_features(&w);
  dnt_net *net = dnt_seq_model_net(f->model);
  double total = 0;
  for (size_t i0 = 0; i0 < k; i0 += (size_t)c->batch) {
    size_t nb = k - i0 < (size_t)c->batch ? k - i0 : (size_t)c->batch;
    for (size_t b = 0; b < nb; b++) {
      size_t i = i0 + b;
      for (size_t t = 0; t < len; t++)
        f->z[i * h + t] = (f->series[i * h + t] - f->mean[i]) / f->sd[i];
      dnt_seq_window_fill(&w, f->z + i * h, len, f->x + b * win);
    }
    dnt_net_infer(net, f->x, (int)nb, f->y);
    for (size_t b = 0; b < nb; b++) {
      double v = f->y[b] * f->sd[i0 + b] + f->mean[i0 + b];
      f->prob[i0 + b] = v > 0 && isfinite(v) ? v : 0;
      total += f->prob[i0 + b];
    }
  }
  for (size_t i = 0; i < k; i++)
    f->prob[i] = total > 0 ? f->prob[i] / total : 1.0 / (double)k;
}

typedef struct ranked {
  int64_t count;
  int item;
} ranked;

static int by_count_desc(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->count != y->count) return x->count < y->count ? 1 : -1;
  return (x->item > y->item) - (x->item < y->item);
}

/* Top-K over the kept history (ties to the lower id), series recounted. */
static int retrack(dnt_content_forecast *f) {
  const dnt_content_forecast_config *c = &f->cfg;
  ranked *r = malloc((size_t)c->n_items * sizeof *r);
  if (!r) return dnt_error(DNT_ERR_NOMEM, "content forecast: out of memory ranking items");
  for (int i = 0; i < c->n_items; i++)
    r[i] = (ranked){f->count[i], i};
  qsort(r, (size_t)c->n_items, sizeof *r, by_count_desc);
  for (int s = 0; s < f->n_tracked; s++)
    f->slot[f->tracked[s]] = -1;
  f->n_tracked = c->k;
  for (int s = 0; s < c->k; s++) {
    f->tracked[s] = r[s].item;
    f->slot[r[s].item] = s;
  }
  free(r);
  size_t h = (size_t)c->history, cap = h * (size_t)c->block;
  memset(f->series, 0, (size_t)c->k * h * sizeof *f->series);
  int64_t first = f->steps * c->block - (int64_t)f->len * c->block;
  for (int64_t q = first; q < f->steps * c->block; q++) {
    int s = f->slot[f->ring[(size_t)q % cap]];
    if (s >= 0) f->series[(size_t)s * h + (size_t)((q - first) / c->block)] += 1;
  }
  return 0;
}

/* The split of the kept steps, 0 when it leaves a training window and
 * (with val_fraction > 0) a validation window. */
static int split_of(const dnt_content_forecast *f, dnt_seq_split *split) {
  dnt_seq_window w = window_of(&f->cfg);
  size_t lead = dnt_seq_window_lead(&w);
  if ((size_t)f->len < lead + 2 ||
      dnt_seq_split_fractions((size_t)f->len, 1, f->cfg.val_fraction, split))
    return DNT_ERR_ARG;
  return split->train_end > lead ? 0 : DNT_ERR_ARG;
}

int dnt_content_forecast_fit(dnt_content_forecast *f) {
  const dnt_content_forecast_config *c = &f->cfg;
  dnt_seq_window w = window_of(c);
  dnt_seq_split split;
  if (split_of(f, &split))
    return dnt_error(DNT_ERR_ARG,
                     "content forecast: %d steps kept: too few for a training window and a "
                     "validation window",
                     f->len);
  int rc = retrack(f);
  if (rc) return rc;
  size_t k = (size_t)c->k, h = (size_t)c->history, len = (size_t)f->len;
  for (size_t i = 0; i < k; i++) /* the series contiguous, (k, len) */
    memcpy(f->z + i * len, f->series + i * h, len * sizeof *f->z);
  dnt_seq_data data;
  rc = dnt_seq_data_init(&data, &w, f->z, k, &split);
  if (rc) return dnt_error(rc, "content forecast: %s", dnt_last_error());
  memcpy(f->mean, data.mean, k * sizeof *f->mean);
  memcpy(f->sd, data.sd, k * sizeof *f->sd);
  dnt_seq_report rep = {0};
  rc = dnt_seq_train(f->model, &data, &rep);
  dnt_seq_data_free(&data);
  if (rc) return dnt_error(rc, "content forecast: training: %s", dnt_last_error());
  f->loss = rep.train_mse;
  update_forecast(f);
  return 0;
}

int dnt_content_forecast_observe(dnt_content_forecast *f, int item) {
  const dnt_content_forecast_config *c = &f->cfg;
  if (item < 0 || item >= c->n_items)
    return dnt_error(DNT_ERR_ARG, "content forecast: item %d outside 0..%d", item, c->n_items - 1);
  size_t cap = (size_t)c->history * (size_t)c->block;
  size_t at = (size_t)f->seen % cap;
  if ((size_t)f->seen >= cap) f->count[f->ring[at]]--;
  f->ring[at] = item;
  f->count[item]++;
  f->seen++;
  if (f->seen % c->block) return 0;
  f->steps++;
  append_step(f);
  dnt_seq_split split;
  if (c->refit_every > 0 && f->steps % c->refit_every == 0 && !split_of(f, &split))
    return dnt_content_forecast_fit(f);
  if (f->n_tracked) update_forecast(f);
  return 0;
}

int dnt_content_forecast_ready(const dnt_content_forecast *f) {
  return f->n_tracked > 0;
}

int64_t dnt_content_forecast_steps(const dnt_content_forecast *f) {
  return f->steps;
}

int dnt_content_forecast_n_tracked(const dnt_content_forecast *f) {
  return f->n_tracked;
}

const int *dnt_content_forecast_tracked(const dnt_content_forecast *f) {
  return f->tracked;
}

double dnt_content_forecast_prob(const dnt_content_forecast *f, int item) {
  if (item < 0 || item >= f->cfg.n_items) return 0;
  int s = f->slot[item];
  return s >= 0 ? f->prob[s] : 0;
}

const double *dnt_content_forecast_probs(const dnt_content_forecast *f) {
  return f->prob;
}

void dnt_content_forecast_frequency(const dnt_content_forecast *f, double *out) {
  double total = 0;
  for (int s = 0; s < f->n_tracked; s++)
    total += (double)f->count[f->tracked[s]];
  for (int s = 0; s < f->n_tracked; s++)
    out[s] = total > 0 ? (double)f->count[f->tracked[s]] / total : 1.0 / f->n_tracked;
}

double dnt_content_forecast_loss(const dnt_content_forecast *f) {
  return f->loss;
}
