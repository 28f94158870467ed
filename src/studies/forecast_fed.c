/* src/studies/forecast_fed.c: the federated methods of the forecast study on
 * a simulated clock.
 *
 * Clients are the BSs: each trains the LSTM forecaster (dnt/seq_forecast.h)
 * on its own windows from the model it is sent (fl.local_epochs epochs) and
 * returns the difference (dnt/fl_update.h); the FL engine's population
 * (dnt/fl_population.h) holds their speeds and links and trains the jobs of a
 * round on threads with each job's own stream. Speeds: BS i needs
 * LogNormal(log m_i - 0.02, 0.2) simulated seconds per job, m_i =
 * local_epochs exp(sigma N - sigma^2 / 2) (sigma = fl.speed_spread: mean 1 s
 * per local epoch across BSs); links: a fixed one-way latency l_i = fl.latency
 * exp(0.5 N - 0.125); both drawn once from DELAY 2^32 + i.
 *
 * A round of a cluster (the synchronous unit): fl.fraction of its BSs
 * (at least one, uniformly without replacement, SELECTION 2^48 + c 2^24 + r)
 * download the cluster model, train and upload; an upload later than
 * fl.deadline is a straggler, dropped (its bytes were sent) and the round
 * lasts the deadline; the others are averaged weighted by their training
 * windows (FedAvg), or in the clustered methods with fl.intra_rule = fedatt
 * by attention (dnt_forecast_fedatt). Methods:
 *   fedavg          one cluster of every BS: the global model.
 *   clustered_sync  a model per cluster (local twin); in every global round
 *                   each cluster runs a round and the round lasts as long as
 *                   the slowest cluster plus a backhaul exchange; the global
 *                   twin is the mean of the cluster models weighted by their
 *                   training windows (VH-Twin's size-weighted global model)
 *                   and is mixed back, w_c <- (1 - mu) w_c + mu w_g
 *                   (mu = fl.global_mix).
 *   clustered_sync_async  fl.sync_rounds such lockstep rounds, then each
 *                   cluster runs its rounds on its own clock: at the end of
 *                   each it uploads (when the mean squared difference to the
 *                   global exceeds fl.trigger) and the global twin mixes it
 *                   FedAsync-style, w_g <- (1 - a) w_g + a w_c,
 *                   a = alpha s(staleness) (staleness = global versions since
 *                   the cluster last pulled; dnt_staleness_weight), then the
 *                   cluster pulls, w_c <- (1 - mu) w_c + mu w_g. Events in time
 *                   order, ties by cluster index. Every cluster runs
 *                   fl.rounds rounds in all: the compute of clustered_sync.
 *   async_only      FedAsync over every BS from the start (dnt/fl_async.h,
 *                   fl.fraction x n clients in flight), fl.rounds x that many
 *                   arrivals: the local jobs of fedavg.
 * A BS forecasts with its cluster's model. After every model change the
 * changed BSs are scored: the mean validation MSE (z-scored) picks the kept
 * models (the result's errors and sim_time), the test NRMSE draws the curve.
 * Bytes: 4 d per model sent or received, BS links and backhaul alike. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_async.h"
#include "dnt/fl_population.h"
#include "dnt/interrupt.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "dnt/vec.h"
#include "forecast_study.h"

typedef struct fc_client {
  dnt_seq_model *m; /* its own net for local training */
  const dnt_seq_data *d;
  const dnt_fl_dist *compute;
} fc_client;

void dnt_forecast_fedatt(const float *deltas, int n, size_t d, double eps, double *att,
                         double *out) {
  double top = -INFINITY, z = 0;
  for (int i = 0; i < n; i++) { /* ||w_s - w_i|| = ||delta_i|| */
    att[i] = dnt_vec_norm(deltas + (size_t)i * d, d);
    if (att[i] > top) top = att[i];
  }
  for (int i = 0; i < n; i++)
    z += att[i] = exp(att[i] - top); /* softmax, shifted for range */
  for (int i = 0; i < n; i++)
    att[i] /= z;
  for (size_t j = 0; j < d; j++) {
    double s = 0;
    for (int i = 0; i < n; i++)
      s += att[i] * deltas[(size_t)i * d + j];
    out[j] = eps * s;
  }
}

/* local_train of a BS: from the global model, local epochs, the difference. */
static int client_train(void *ctx, const dnt_fl_train_args *a, dnt_fl_update *out) {
  fc_client *c = ctx;
  float *w = dnt_net_params(dnt_seq_model_net(c->m));
  memcpy(w, a->global, a->d * sizeof *w);
  dnt_seq_report rep = {0};
  int rc = dnt_seq_train(c->m, c->d, &rep);
  if (rc) return rc;
  for (size_t k = 0; k < a->d; k++)
    out->delta[k] = w[k] - a->global[k];
  out->d = a->d;
  out->n_samples = (double)c->d->per[DNT_SEQ_TRAIN];
  out->compute_time = dnt_fl_dist_sample(c->compute, a->rng);
  return 0;
}

typedef struct fed {
  const dnt_study_forecast_config *cfg;
  const fc_data *d;
  uint64_t seed;
  size_t dim; /* model parameters */
  int n, K;
  fc_client *cl;
  dnt_fl_client *clients;
  dnt_fl_dist *compute, *latency; /* (n) */
  dnt_fl_population pop;
  int *order, *start; /* BSs by cluster: order[start[c] .. start[c + 1]) */
  int *group;         /* (n) cluster of each BS */
  float *w, *next;    /* (K, dim) published cluster models, models of rounds in flight */
  float *wg;          /* (dim) the global twin */
  double *cw;         /* (K) training windows of each cluster */
  double *acc;        /* (dim) a round's weighted sum of updates */
  float *att_rows;    /* (n, dim) a round's accepted updates (FedAtt), or NULL */
  double *att;        /* (n) FedAtt's attention weights, or NULL */
  int *jobs;          /* (n) jobs each BS has run */
  int *ids, *jb, *rcs;
  dnt_fl_update *ups; /* (n) */
  dnt_seq_model *eval;
  double *val; /* (n) validation MSE of each BS's current model */
  double *cur; /* (n, n_test) current test forecasts */
  double best_val;
  fc_result *r;
} fed;

static void fed_free(fed *f) {
  if (f->cl)
    for (int i = 0; i < f->n; i++)
      dnt_seq_model_destroy(f->cl[i].m);
  if (f->ups)
    for (int i = 0; i < f->n; i++)
      dnt_fl_update_free(&f->ups[i]);
  dnt_seq_model_destroy(f->eval);
  free(f->cl);
  free(f->clients);
  free(f->compute);
  free(f->latency);
  free(f->order);
  free(f->start);
  free(f->group);
  free(f->w);
  free(f->next);
  free(f->wg);
  free(f->cw);
  free(f->acc);
  free(f->att_rows);
  free(f->att);
  free(f->jobs);
  free(f->ids);
  free(f->jb);
  free(f->rcs);
  free(f->ups);
  free(f->val);
  free(f->cur);
}

/* Clients, speeds, links, clusters (membership NULL: one), models at w0. */
static int fed_init(fed *f, const dnt_study_forecast_config *cfg, const fc_data *d,
                    const int *membership, int K, uint64_t seed, int threads, fc_result *r) {
  memset(f, 0, sizeof *f);
  f->cfg = cfg;
  f->d = d;
  f->seed = seed;
  f->n = (int)d->n_bs;
  f->K = K;
  f->r = r;
  f->best_val = INFINITY;
  size_t n = d->n_bs;
  dnt_seq_config sc = fc_seq_config(cfg, seed);
  int rc = dnt_seq_model_create(&sc, n, &f->eval); /* index n: the initial model w0 */
  if (rc) return rc;
  f->dim = dnt_net_nparams(dnt_seq_model_net(f->eval));
  sc.max_epochs = (int)cfg->local_epochs;
  sc.patience = 0;
  f->cl = calloc(n, sizeof *f->cl);
  f->clients = calloc(n, sizeof *f->clients);
  f->compute = calloc(n, sizeof *f->compute);
  f->latency = calloc(n, sizeof *f->latency);
  f->order = malloc(n * sizeof *f->order);
  f->start = calloc((size_t)K + 1, sizeof *f->start);
  f->group = malloc(n * sizeof *f->group);
  f->w = malloc((size_t)K * f->dim * sizeof *f->w);
  f->next = malloc((size_t)K * f->dim * sizeof *f->next);
  f->wg = malloc(f->dim * sizeof *f->wg);
  f->cw = calloc((size_t)K, sizeof *f->cw);
  f->acc = malloc(f->dim * sizeof *f->acc);
  if (membership && !strcmp(cfg->intra_rule, "fedatt") && /* clustered methods only */
      (!(f->att_rows = malloc(n * f->dim * sizeof *f->att_rows)) ||
       !(f->att = malloc(n * sizeof *f->att))))
    return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for FedAtt's %zu rows", n);
  f->jobs = calloc(n, sizeof *f->jobs);
  f->ids = malloc(n * sizeof *f->ids);
  f->jb = malloc(n * sizeof *f->jb);
  f->rcs = malloc(n * sizeof *f->rcs);
  f->ups = calloc(n, sizeof *f->ups);
  f->val = malloc(n * sizeof *f->val);
  f->cur = malloc(n * d->n_test * sizeof *f->cur);
  if (!f->cl || !f->clients || !f->compute || !f->latency || !f->order || !f->start || !f->group ||
      !f->w || !f->next || !f->wg || !f->cw || !f->acc || !f->jobs || !f->ids || !f->jb ||
      !f->rcs || !f->ups || !f->val || !f->cur)
    return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %zu federated clients", n);
  double sigma = cfg->speed_spread;
  for (size_t i = 0; i < n; i++) {
    dnt_rng rng;
    dnt_rng_for(&rng, seed, DNT_STREAM_DELAY, ((uint64_t)1 << 32) + i);
    double m =
        (double)cfg->local_epochs * exp(sigma * dnt_rng_normal(&rng, 0, 1) - sigma * sigma / 2);
    f->compute[i] = (dnt_fl_dist){DNT_DIST_LOGNORMAL, log(m) - 0.02, 0.2};
    f->latency[i] = (dnt_fl_dist){DNT_DIST_CONST,
                                  cfg->latency * exp(0.5 * dnt_rng_normal(&rng, 0, 1) - 0.125), 0};
    if ((rc = dnt_seq_model_create(&sc, i, &f->cl[i].m)) ||
        (rc = dnt_fl_update_init(&f->ups[i], f->dim)))
      return rc;
    f->cl[i].d = &d->bs[i];
    f->cl[i].compute = &f->compute[i];
    f->clients[i] = (dnt_fl_client){&f->cl[i], client_train};
    f->group[i] = membership ? membership[i] : 0;
    f->start[f->group[i] + 1]++;
    f->cw[f->group[i]] += (double)d->bs[i].per[DNT_SEQ_TRAIN];
  }
  for (int c = 0; c < K; c++)
    f->start[c + 1] += f->start[c];
  int *fill = calloc((size_t)K, sizeof *fill);
  if (!fill) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %d clusters", K);
  for (size_t i = 0; i < n; i++)
    f->order[f->start[f->group[i]] + fill[f->group[i]]++] = (int)i;
  free(fill);
  f->pop = dnt_fl_population_defaults(f->n, f->clients);
  f->pop.compute = f->compute;
  f->pop.latency = f->latency;
  f->pop.seed = seed;
  f->pop.threads = threads;
  const float *w0 = dnt_net_params(dnt_seq_model_net(f->eval));
  memcpy(f->wg, w0, f->dim * sizeof *f->wg);
  for (int c = 0; c < K; c++)
    memcpy(f->w + (size_t)c * f->dim, w0, f->dim * sizeof *f->w);
  return 0;
}

/* Scores BS i with model w: its validation MSE and test forecasts. */
static int score_bs(fed *f, int i, const float *w) {
  memcpy(dnt_net_params(dnt_seq_model_net(f->eval)), w, f->dim * sizeof *w);
  f->val[i] = dnt_seq_part_mse(f->eval, &f->d->bs[i], DNT_SEQ_VAL);
  return dnt_seq_predict_part(f->eval, &f->d->bs[i], DNT_SEQ_TEST,
                              f->cur + (size_t)i * f->d->n_test);
}

static int score_cluster(fed *f, int c) {
  for (int k = f->start[c]; k < f->start[c + 1]; k++) {
    int rc = score_bs(f, f->order[k], f->w + (size_t)c * f->dim);
    if (rc) return rc;
  }
  return 0;
}

/* One evaluation point at simulated time t: the curve, and the kept
 * forecasts when the mean validation MSE is the best so far. */
static int consider(fed *f, double t) {
  double v = 0;
  for (int i = 0; i < f->n; i++)
    v += f->val[i];
  v /= f->n;
  int rc = fc_result_point(f->r, t, fc_mean_nrmse(f->d, f->cur));
  if (!rc && v < f->best_val) {
    f->best_val = v;
    f->r->sim_time = t;
    memcpy(f->r->pred, f->cur, (size_t)f->n * f->d->n_test * sizeof *f->cur);
  }
  return rc;
}

/* Round `round` of cluster c from model src into dst (may be src); *dur its
 * simulated length. */
static int cluster_round(fed *f, int c, int round, const float *src, float *dst, double *dur) {
  if (dnt_interrupt_pending())
    return dnt_error(DNT_ERR_INTERRUPTED, "forecast: interrupted in round %d", round);
  int nc = f->start[c + 1] - f->start[c];
  int m = (int)lround(f->cfg->fraction * nc);
  if (m < 1) m = 1;
  for (int k = 0; k < nc; k++)
    f->ids[k] = f->order[f->start[c] + k];
  dnt_rng sel;
  dnt_rng_for(&sel, f->seed, DNT_STREAM_SELECTION,
              ((uint64_t)1 << 48) + ((uint64_t)c << 24) + (uint64_t)round);
  if (m < nc) dnt_rng_shuffle_int(&sel, f->ids, (size_t)nc);
  for (int k = 0; k < m; k++)
    f->jb[k] = f->jobs[f->ids[k]]++;
  int rc = dnt_fl_train_local(&f->pop, f->ids, f->jb, m, round, src, f->dim, f->ups, f->rcs);
  if (rc) return rc;
  double slowest = 0, wsum = 0, deadline = f->cfg->deadline;
  int late = 0, kept = 0;
  f->r->bytes_down += 4.0 * (double)f->dim * m;
  double *acc = f->acc;
  memset(acc, 0, f->dim * sizeof *acc);
  for (int k = 0; k < m; k++) {
    if (f->rcs[k] == DNT_ERR_INTERRUPTED) return dnt_error(f->rcs[k], "forecast: interrupted");
    if (f->rcs[k] || dnt_fl_update_check(&f->ups[k], f->dim)) continue; /* failed: not sent */
    f->r->bytes_up += 4.0 * (double)f->dim;
    double arrive = 2 * f->latency[f->ids[k]].a + f->ups[k].compute_time;
    if (deadline > 0 && arrive > deadline) {
      late = 1;
      continue;
    }
    if (arrive > slowest) slowest = arrive;
    for (size_t j = 0; j < f->dim; j++)
      acc[j] += f->ups[k].n_samples * f->ups[k].delta[j];
    wsum += f->ups[k].n_samples;
    if (f->att_rows)
      memcpy(f->att_rows + (size_t)kept++ * f->dim, f->ups[k].delta, f->dim * sizeof *f->att_rows);
  }
  *dur = late ? deadline : slowest;
  if (f->att_rows && kept > 0) {
    dnt_forecast_fedatt(f->att_rows, kept, f->dim, f->cfg->fedatt_eps, f->att, acc);
    wsum = 1;
  }
  if (dst != src) memcpy(dst, src, f->dim * sizeof *dst);
  if (wsum > 0)
    for (size_t j = 0; j < f->dim; j++)
      dst[j] += (float)(acc[j] / wsum);
  return 0;
}

/* The global twin: the cluster models weighted by their training windows. */
static void global_mean(fed *f) {
  double tot = 0;
  for (int c = 0; c < f->K; c++)
    tot += f->cw[c];
  for (size_t j = 0; j < f->dim; j++) {
    double s = 0;
    for (int c = 0; c < f->K; c++)
      s += f->cw[c] * f->w[(size_t)c * f->dim + j];
    f->wg[j] = (float)(s / tot);
  }
}

/* w_c <- (1 - mu) w_c + mu w_g. */
static void pull(fed *f, int c) {
  float mu = (float)f->cfg->global_mix, *w = f->w + (size_t)c * f->dim;
  for (size_t j = 0; j < f->dim; j++)
    w[j] += mu * (f->wg[j] - w[j]);
}

static void progress(const dnt_study_progress *p, dnt_forecast_method m, int done, int total) {
  dnt_study_progress_report(p, dnt_forecast_method_name(m), (uint64_t)done, (uint64_t)total);
}

/* `rounds` lockstep rounds from round r0 at time *t: every cluster one round,
 * then (K > 1) the global twin and the mix back. */
static int lockstep(fed *f, int r0, int rounds, double *t, dnt_forecast_method m,
                    const dnt_study_progress *p) {
  for (int r = r0; r < r0 + rounds; r++) {
    double slowest = 0;
    for (int c = 0; c < f->K; c++) {
      double dur;
      float *w = f->w + (size_t)c * f->dim;
      int rc = cluster_round(f, c, r, w, w, &dur);
      if (rc) return rc;
      if (dur > slowest) slowest = dur;
    }
    *t += slowest;
    if (f->K > 1) {
      *t += 2 * f->cfg->latency; /* clusters up, global twin down */
      global_mean(f);
      for (int c = 0; c < f->K; c++)
        pull(f, c);
      f->r->bytes_up += 4.0 * (double)f->dim * f->K;
      f->r->bytes_down += 4.0 * (double)f->dim * f->K;
    }
    for (int c = 0; c < f->K; c++) {
      int rc = score_cluster(f, c);
      if (rc) return rc;
    }
    int rc = consider(f, *t);
    if (rc) return rc;
    f->r->rounds = r + 1;
    progress(p, m, r + 1, (int)f->cfg->rounds);
  }
  return 0;
}

/* Mean squared difference of a cluster model and the global twin. */
static double msd(const fed *f, const float *w) {
  double s = 0;
  for (size_t j = 0; j < f->dim; j++) {
    double e = (double)w[j] - f->wg[j];
    s += e * e;
  }
  return s / (double)f->dim;
}

/* After the lockstep rounds r0 at time t0: each cluster runs its remaining
 * rounds on its own clock and exchanges with the global twin at the end of
 * each, in time order. */
static int async_phase(fed *f, int r0, double t0, dnt_forecast_method m,
                       const dnt_study_progress *p) {
  const dnt_study_forecast_config *cfg = f->cfg;
  dnt_staleness_fn sf;
  int rc = dnt_staleness_parse(cfg->staleness, &sf);
  if (rc) return rc;
  int K = f->K, R = (int)cfg->rounds, version = 0, total = K * (R - r0), done = 0;
  double *end = malloc((size_t)K * sizeof *end);
  int *round = malloc((size_t)K * sizeof *round), *pulled = calloc((size_t)K, sizeof *pulled);
  if (!end || !round || !pulled) {
    rc = dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %d clusters", K);
    goto cleanup;
  }
  for (int c = 0; c < K; c++) { /* every cluster starts its next round from its model */
    double dur;
    round[c] = r0;
    if ((rc = cluster_round(f, c, r0, f->w + (size_t)c * f->dim, f->next + (size_t)c * f->dim,
                            &dur)))
      goto cleanup;
    end[c] = t0 + dur;
  }
  while (done < total) {
    int c = -1;
    for (int k = 0; k < K; k++)
      if (round[k] < R && (c < 0 || end[k] < end[c])) c = k;
    float *w = f->w + (size_t)c * f->dim;
    memcpy(w, f->next + (size_t)c * f->dim, f->dim * sizeof *w); /* its round lands */
    double t = end[c] + cfg->latency;                            /* the upload travels */
    if (cfg->trigger <= 0 || msd(f, w) > cfg->trigger) {
      double a =
          cfg->alpha * dnt_staleness_weight(sf, version - pulled[c], cfg->stale_a, cfg->stale_b);
      for (size_t j = 0; j < f->dim; j++)
        f->wg[j] = (float)((1 - a) * f->wg[j] + a * w[j]);
      version++;
      f->r->bytes_up += 4.0 * (double)f->dim;
    }
    t += cfg->latency; /* the global twin comes back */
    pull(f, c);
    pulled[c] = version;
    f->r->bytes_down += 4.0 * (double)f->dim;
    if ((rc = score_cluster(f, c)) || (rc = consider(f, t))) goto cleanup;
    done++;
    progress(p, m, r0 + done / K, R);
    if (++round[c] < R) {
      double dur;
      if ((rc = cluster_round(f, c, round[c], w, f->next + (size_t)c * f->dim, &dur))) goto cleanup;
      end[c] = t + dur;
    }
  }
  f->r->rounds = R;
cleanup:
  free(end);
  free(round);
  free(pulled);
  return rc;
}

/* async_only: the FL engine's FedAsync over every BS, scored every
 * `concurrency` arrivals (a round's worth of jobs). */
static int async_only(fed *f, const dnt_study_progress *p) {
  const dnt_study_forecast_config *cfg = f->cfg;
  int conc = (int)lround(cfg->fraction * f->n);
  if (conc < 1) conc = 1;
  dnt_fl_async_cfg ac = dnt_fl_async_defaults(f->n, f->clients, f->dim);
  ac.pop = f->pop;
  ac.mode = DNT_ASYNC_FEDASYNC;
  ac.alpha = cfg->alpha;
  ac.stale_a = cfg->stale_a;
  ac.stale_b = cfg->stale_b;
  ac.concurrency = conc;
  dnt_fl_async *s = NULL;
  int rc = dnt_staleness_parse(cfg->staleness, &ac.staleness);
  if (rc || (rc = dnt_fl_async_create(&ac, f->wg, &s))) return rc;
  for (int r = 0; r < (int)cfg->rounds; r++) {
    for (int k = 0; k < conc; k++) {
      dnt_fl_async_metrics am;
      if (dnt_interrupt_pending()) {
        rc = dnt_error(DNT_ERR_INTERRUPTED, "forecast: interrupted in async_only");
        goto cleanup;
      }
      if ((rc = dnt_fl_async_step(s, &am))) goto cleanup;
      f->r->bytes_up += am.bytes_up;
      f->r->bytes_down += am.bytes_down;
    }
    for (int i = 0; i < f->n; i++)
      if ((rc = score_bs(f, i, dnt_fl_async_model(s)))) goto cleanup;
    if ((rc = consider(f, dnt_fl_async_time(s)))) goto cleanup;
    f->r->rounds = r + 1;
    progress(p, DNT_FC_ASYNC_ONLY, r + 1, (int)cfg->rounds);
  }
cleanup:
  dnt_fl_async_destroy(s);
  return rc;
}

int fc_federated(const dnt_study_forecast_config *cfg, const fc_data *d, dnt_forecast_method m,
                 const dnt_clustering *clusters, uint64_t seed, int threads,
                 const dnt_study_progress *p, fc_result *r) {
  int clustered = m == DNT_FC_CLUSTERED_SYNC || m == DNT_FC_CLUSTERED_SYNC_ASYNC;
  fed f;
  int rc = fed_init(&f, cfg, d, clustered ? clusters->membership : NULL,
                    clustered ? clusters->n_labels : 1, seed, threads, r);
  double t = 0;
  if (rc) goto cleanup;
  if (m == DNT_FC_ASYNC_ONLY) {
    rc = async_only(&f, p);
  } else if (m == DNT_FC_CLUSTERED_SYNC_ASYNC) {
    int s = cfg->sync_rounds < cfg->rounds ? (int)cfg->sync_rounds : (int)cfg->rounds;
    if (!(rc = lockstep(&f, 0, s, &t, m, p)) && s < cfg->rounds) rc = async_phase(&f, s, t, m, p);
  } else {
    rc = lockstep(&f, 0, (int)cfg->rounds, &t, m, p);
  }
cleanup:
  fed_free(&f);
  return rc;
}
