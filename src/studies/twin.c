/* src/studies/twin.c: a physical world and its twin side by side
 * (dnt/study_twin.h): the session on any twin, then the study on the
 * cellular world (`dnt twin`).
 *
 * The session writes as it steps (fidelity.csv, the store), so a long run
 * killed midway leaves its committed steps behind; forecasting runs once at
 * the end on the mirrored history. The study builds the two cellular worlds:
 * generated traffic gives the twin the physical world's structure and its own
 * noise; replayed traffic gives it the trace a week earlier. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/interrupt.h"
#include "dnt/log.h"
#include "dnt/progress.h"
#include "dnt/rng.h"
#include "dnt/state.h"
#include "dnt/status.h"
#include "dnt/study_twin.h"
#include "dnt/twin_store.h"

void dnt_twin_session_config_default(dnt_twin_session_config *c) {
  memset(c, 0, sizeof *c);
  c->steps = 168;
  c->train_frac = 0.7;
  c->horizon = 6;
  c->season = 24;
  c->ewma_alpha = 0.3;
  c->eval_stride = 6;
  dnt_lstm_forecaster_config_default(&c->lstm);
  c->store_every = 1;
  c->checkpoint_every = 100;
  c->label = "twin";
}

static int check(const dnt_twin_session_config *c, size_t n_fields) {
  if (c->steps < 1 || !(c->train_frac > 0 && c->train_frac < 1) || c->horizon < 1 ||
      c->horizon > DNT_FORECAST_MAX_K || c->season < 1 || c->eval_stride < 1 || c->store_every < 0)
    return dnt_error(DNT_ERR_ARG,
                     "twin session: steps = %lld, train_frac = %g, horizon = %d, "
                     "season = %d, eval_stride = %zu, store_every = %lld: out of range",
                     (long long)c->steps, c->train_frac, c->horizon, c->season, c->eval_stride,
                     (long long)c->store_every);
  for (size_t i = 0; c->forecast_fields && i < c->n_forecast_fields; i++)
    if (c->forecast_fields[i] >= n_fields)
      return dnt_error(DNT_ERR_ARG, "twin session: forecast field %zu: the world has %zu fields",
                       c->forecast_fields[i], n_fields);
  return 0;
}

static size_t field_at(const dnt_twin_session_config *c, size_t k) {
  return c->forecast_fields ? c->forecast_fields[k] : k;
}

/* The stepping loop's state besides the twin (what a checkpoint holds with
 * it). */
typedef struct stepping {
  dnt_run *run;
  dnt_twin_store *store;
  FILE *csv;     /* fidelity.csv, flushed at each checkpoint, cut back on resume */
  double *truth; /* (steps, nfc) physical value of every forecast field, row s - 1 for step s */
  size_t nfc;
  int64_t first; /* first step at which every forecast field had been synced, -1 = not yet */
  int64_t every; /* steps between checkpoints; INT64_MAX = only at 0, the end and a stop */
} stepping;

/* ---- checkpoints for --resume ----
 * checkpoint.state is written at a step boundary, after that step's
 * fidelity.csv row and store commit: at step 0, every checkpoint_every
 * steps, at a stop request and after the last step. It holds the step,
 * fidelity.csv's length, the first fully synced step, the store session, the
 * physical values of the forecast fields so far and the twin
 * (dnt_twin_save_state: both worlds, channel, policy, mirror, stats, loss
 * stream). Nothing in it depends on time, so two runs of one config write the
 * same bytes at the same step. The forecasters are made, trained and
 * evaluated after the last step from the mirror alone, so they hold no state
 * before it: a run stopped in that phase resumes from the last step's
 * checkpoint and forecasts again (the same numbers: their seeds come from
 * the config). A resume loads the checkpoint into the twin the study made
 * from the config, cuts fidelity.csv back to its length (a torn last row
 * goes), deletes the store rows of later steps (dnt_twin_store_resume) and
 * the metrics logged after it (dnt_run_resume_metrics). */
#define CHECKPOINT "checkpoint.state"

static void state_desc(const dnt_twin_session_config *c, const dnt_twin *t, size_t nfc, char *buf,
                       size_t len) {
  snprintf(buf, len, "dnt twin session: %zu fields, %zu forecast fields, %lld steps",
           dnt_world_get_info(dnt_twin_physical(t))->n_fields, nfc, (long long)c->steps);
}

static int save_checkpoint(const dnt_twin *t, const dnt_twin_session_config *c, stepping *sp) {
  char path[1024], desc[256];
  int rc = dnt_run_path(sp->run, CHECKPOINT, path, sizeof path);
  if (rc) return rc;
  /* the rows the checkpoint counts are on disk before it is */
  long bytes = -1;
  if (fflush(sp->csv) || fsync(fileno(sp->csv)) || (bytes = ftell(sp->csv)) < 0)
    return dnt_error(DNT_ERR_IO, "%s/fidelity.csv: %s", dnt_run_dir(sp->run), strerror(errno));
  int64_t now = dnt_twin_now(t);
  dnt_pack p;
  dnt_pack_init(&p);
  dnt_pack_tag(&p, "twin session");
  dnt_pack_i64(&p, now);
  dnt_pack_i64(&p, bytes);
  dnt_pack_i64(&p, sp->first);
  dnt_pack_i64(&p, dnt_twin_store_session(sp->store));
  dnt_pack_f64s(&p, sp->truth, (size_t)now * sp->nfc);
  dnt_twin_save_state(t, &p);
  state_desc(c, t, sp->nfc, desc, sizeof desc);
  rc = dnt_pack_save(&p, path, desc);
  dnt_pack_free(&p);
  return rc;
}

/* A fresh session: the store session with its fields (committed as step 0),
 * fidelity.csv's header and the checkpoint of step 0. */
static int start(dnt_twin *t, const dnt_twin_session_config *c, stepping *sp) {
  static const char *const head[] = {"step",     "rmse",         "maxabs",      "max_staleness",
                                     "bytes_up", "reports_sent", "reports_lost"};
  char path[1024];
  int rc = 0;
  if ((rc = dnt_run_path(sp->run, "dnt.db", path, sizeof path)) ||
      (rc = dnt_twin_store_open(path, c->label ? c->label : "twin", &sp->store)) ||
      (rc = dnt_twin_store_fields(sp->store, dnt_world_get_info(dnt_twin_world(t)))) ||
      (rc = dnt_twin_store_commit(sp->store, 0)) ||
      (rc = dnt_run_path(sp->run, "fidelity.csv", path, sizeof path)))
    return rc;
  if (!(sp->csv = fopen(path, "w")))
    return dnt_error(DNT_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
  dnt_csv_write_header(sp->csv, head, 7);
  return save_checkpoint(t, c, sp);
}

/* --resume: the fresh twin continues from the folder's checkpoint. */
static int resume(dnt_twin *t, const dnt_twin_session_config *c, stepping *sp) {
  char path[1024], csv[1024], db[1024], desc[256];
  int rc = 0;
  if ((rc = dnt_run_path(sp->run, CHECKPOINT, path, sizeof path)) ||
      (rc = dnt_run_path(sp->run, "fidelity.csv", csv, sizeof csv)) ||
      (rc = dnt_run_path(sp->run, "dnt.db", db, sizeof db)))
    return rc;
  if (!dnt_path_exists(path))
    return dnt_error(DNT_ERR_ARG,
                     "%s: cannot resume: no checkpoint (the run stopped before writing one)", path);
  state_desc(c, t, sp->nfc, desc, sizeof desc);
  dnt_unpack u;
  if ((rc = dnt_unpack_open(&u, path, desc))) return rc;
  int64_t now = 0, bytes = 0, session = 0, first_row = 1;
  dnt_unpack_tag(&u, "twin session");
  dnt_unpack_i64(&u, &now);
  dnt_unpack_range(&u, "step", now, 0, c->steps);
  dnt_unpack_i64(&u, &bytes);
  dnt_unpack_range(&u, "fidelity.csv bytes", bytes, 0, INT64_MAX / 2);
  dnt_unpack_i64(&u, &sp->first);
  dnt_unpack_range(&u, "first synced step", sp->first, -1, now);
  dnt_unpack_i64(&u, &session);
  dnt_unpack_range(&u, "store session", session, 1, INT64_MAX / 2);
  dnt_unpack_f64s(&u, "physical values", sp->truth, u.rc ? 0 : (size_t)now * sp->nfc);
  dnt_twin_load_state(t, &u);
  dnt_unpack_range(&u, "twin step", dnt_twin_now(t), now, now);
  if (!u.rc && dnt_twin_mirror(t)->rows) { /* a history row indexes truth by its step */
    dnt_mirror_row(dnt_twin_mirror(t), 0, &first_row);
    dnt_unpack_range(&u, "mirror first step", first_row, 1, now);
  }
  rc = dnt_unpack_end(&u);
  dnt_unpack_free(&u);
  if (rc) return rc;
  struct stat st;
  if (stat(csv, &st) != 0 || (int64_t)st.st_size < bytes)
    return dnt_error(
        DNT_ERR_CORRUPT, "%s: cannot resume: %lld bytes, the checkpoint at step %lld counts %lld",
        csv, stat(csv, &st) ? -1LL : (long long)st.st_size, (long long)now, (long long)bytes);
  if (truncate(csv, (off_t)bytes) != 0 || !(sp->csv = fopen(csv, "r+")) ||
      fseek(sp->csv, 0, SEEK_END) != 0)
    return dnt_error(DNT_ERR_IO, "%s: cannot cut back to %lld bytes: %s", csv, (long long)bytes,
                     strerror(errno));
  if ((rc = dnt_twin_store_resume(db, session, now, &sp->store))) return rc;
  DNT_INFO("twin: resuming at step %lld from %s", (long long)now, path);
  return dnt_run_resume_metrics(sp->run, now);
}

/* Stepping from the twin's step to c->steps: a fidelity.csv row and store
 * rows per step, the physical values of the forecast fields into truth, the
 * checkpoints. */
static int run_steps(dnt_twin *t, const dnt_twin_session_config *c, stepping *sp) {
  const dnt_mirror *m = dnt_twin_mirror(t);
  size_t nf = dnt_world_get_info(dnt_twin_world(t))->n_fields, nfc = sp->nfc;
  int rc = 0;
  for (int64_t s = dnt_twin_now(t) + 1; s <= c->steps; s++) {
    if (dnt_interrupt_pending()) {
      if ((rc = save_checkpoint(t, c, sp))) break;
      rc = dnt_error(DNT_ERR_INTERRUPTED,
                     "twin session: stopped after %lld of %lld steps (signal %d); checkpoint "
                     "written",
                     (long long)(s - 1), (long long)c->steps, dnt_interrupt_pending());
      break;
    }
    if ((rc = dnt_twin_step(t, NULL))) break;
    dnt_twin_stats st;
    dnt_twin_get_stats(t, &st);
    double row[7] = {(double)s,
                     st.rmse_last,
                     st.maxabs_last,
                     (double)dnt_mirror_max_staleness(m, s),
                     (double)st.bytes_up,
                     (double)st.reports_sent,
                     (double)st.reports_lost};
    dnt_csv_write_row(sp->csv, row, 7);
    const double *phys = dnt_twin_physical_telemetry(t);
    for (size_t k = 0; k < nfc; k++)
      sp->truth[(size_t)(s - 1) * nfc + k] = phys[field_at(c, k)];
    if (sp->first < 0) {
      size_t k = 0;
      while (k < nfc && m->measured_at[field_at(c, k)] >= 0)
        k++;
      if (k == nfc) sp->first = s;
    }
    if (c->store_every > 0 && s % c->store_every == 0 &&
        ((rc = dnt_twin_store_telemetry(sp->store, s, "physical", phys, nf)) ||
         (rc = dnt_twin_store_telemetry(sp->store, s, "mirror", m->value, nf)) ||
         (rc = dnt_twin_store_commit(sp->store, s))))
      break;
    if ((s % sp->every == 0 || s == c->steps) && (rc = save_checkpoint(t, c, sp))) break;
    if (s % 64 == 0 || s == c->steps)
      dnt_study_progress_report(c->progress, "twin: stepping", (uint64_t)s, (uint64_t)c->steps);
  }
  return rc;
}

/* A stop request outside the stepping loop: the last step's checkpoint is
 * on disk, so the run resumes from it. */
static int stopped(const char *where) {
  if (!dnt_interrupt_pending()) return 0;
  return dnt_error(DNT_ERR_INTERRUPTED,
                   "twin session: stopped %s (signal %d); resumes from the last step's checkpoint",
                   where, dnt_interrupt_pending());
}

/* Progress of one forecaster's evaluation, one tick per series. */
typedef struct eval_progress {
  const dnt_study_progress *p;
  char phase[64];
} eval_progress;

static void eval_tick(void *ctx, size_t done, size_t total) {
  eval_progress *e = ctx;
  dnt_study_progress_report(e->p, e->phase, done, total);
}

/* Trains on the first train_len values of each mirrored series y, evaluates
 * all three models from y against the physical series x of the same steps,
 * stores each model's final forecast. */
static int forecast(const dnt_twin_session_config *c, const double *y, const double *x, size_t nfc,
                    size_t len, dnt_twin_store *store, int64_t now, dnt_twin_session_result *out) {
  dnt_forecaster *f[3] = {NULL, NULL, NULL};
  dnt_forecast_error *err[3] = {&out->lstm, &out->snaive, &out->ewma};
  dnt_lstm_forecaster_config lc = c->lstm;
  lc.season = c->season;
  double *tr = NULL; /* (nfc, train) training part of y */
  size_t train = (size_t)(c->train_frac * (double)len);
  int rc = 0;
  if ((rc = dnt_forecaster_lstm(&lc, &f[0])) ||
      (rc = dnt_forecaster_seasonal_naive(c->season, &f[1])) ||
      (rc = dnt_forecaster_ewma(c->ewma_alpha, &f[2])))
    goto cleanup;
  size_t need = dnt_forecaster_min_history(f[0]);
  if (train <= need || train + (size_t)c->horizon > len) {
    rc = dnt_error(DNT_ERR_ARG,
                   "twin session: %zu mirrored steps (%zu for training) are too "
                   "few for a window of %zu and horizon %d: run more steps",
                   len, train, need, c->horizon);
    goto cleanup;
  }
  if (!(tr = malloc(nfc * train * sizeof *tr))) {
    rc = dnt_error(DNT_ERR_NOMEM, "twin session: out of memory");
    goto cleanup;
  }
  for (size_t k = 0; k < nfc; k++)
    memcpy(tr + k * train, y + k * len, train * sizeof *tr);
  dnt_study_progress_report(c->progress, "twin: training lstm", 0, 1);
  if ((rc = dnt_forecaster_fit(f[0], tr, nfc, train))) goto cleanup;
  dnt_study_progress_report(c->progress, "twin: training lstm", 1, 1);
  for (int i = 0; i < 3; i++) {
    eval_progress ep = {c->progress, ""};
    snprintf(ep.phase, sizeof ep.phase, "twin: evaluating %s", dnt_forecaster_name(f[i]));
    if ((rc = dnt_forecast_evaluate_ticking(f[i], y, x, nfc, len, train, c->horizon, c->eval_stride,
                                            eval_tick, &ep, err[i])))
      goto cleanup;
  }
  double pred[DNT_FORECAST_MAX_K];
  for (size_t k = 0; k < nfc; k++)
    for (int i = 0; i < 3; i++) {
      if ((rc = dnt_forecaster_predict(f[i], y + k * len, len, c->horizon, pred))) goto cleanup;
      for (int h = 0; h < c->horizon; h++)
        if ((rc = dnt_twin_store_forecast(store, now, (int)field_at(c, k), h + 1,
                                          dnt_forecaster_name(f[i]), pred[h])))
          goto cleanup;
    }
  rc = dnt_twin_store_commit(store, now);
cleanup:
  out->train_len = train;
  out->series_len = len;
  free(tr);
  for (int i = 0; i < 3; i++)
    dnt_forecaster_destroy(f[i]);
  return rc;
}

static int write_forecast_csv(dnt_run *run, const dnt_twin_session_result *r) {
  char path[1024];
  dnt_afile *af = NULL;
  int rc = 0;
  if ((rc = dnt_run_path(run, "forecast_error.csv", path, sizeof path)) ||
      (rc = dnt_afile_open(path, &af)))
    return rc;
  FILE *f = dnt_afile_stream(af);
  static const char *const head[] = {"horizon",   "lstm_rmse", "seasonal_naive_rmse",
                                     "ewma_rmse", "lstm_mae",  "seasonal_naive_mae",
                                     "ewma_mae"};
  dnt_csv_write_header(f, head, 7);
  for (int h = 0; h < r->lstm.k; h++) {
    double row[7] = {h + 1,          r->lstm.rmse[h],  r->snaive.rmse[h], r->ewma.rmse[h],
                     r->lstm.mae[h], r->snaive.mae[h], r->ewma.mae[h]};
    dnt_csv_write_row(f, row, 7);
  }
  return dnt_afile_commit(af);
}

static int figures(dnt_run *run) {
  const char *dir = dnt_run_dir(run);
  static const char *const fid[] = {"rmse", "maxabs"};
  static const char *const bytes[] = {"bytes_up"};
  static const char *const fc[] = {"lstm_rmse", "seasonal_naive_rmse", "ewma_rmse"};
  dnt_figure_text t1 = {"Twin fidelity (divergence from the physical state)", "step", "divergence",
                        0};
  dnt_figure_text t2 = {"Bytes synced, physical to twin", "step", "bytes (cumulative)", 0};
  dnt_figure_text t3 = {"Forecast error (from the mirrored history, on the physical values)",
                        "horizon (steps)", "RMSE", 0};
  int rc = 0;
  if ((rc = dnt_figure_lines(dir, "fidelity", "fidelity.csv", "step", fid, 2, &t1)) ||
      (rc = dnt_figure_lines(dir, "bytes", "fidelity.csv", "step", bytes, 1, &t2)))
    return rc;
  return dnt_figure_lines(dir, "forecast_error", "forecast_error.csv", "horizon", fc, 3, &t3);
}

static int summary(dnt_run *run, const dnt_twin *t, const dnt_twin_session_result *r) {
  const dnt_sync_config *sc = dnt_twin_config(t);
  const dnt_twin_stats *s = &r->stats;
  int k = r->lstm.k - 1;
  struct {
    const char *name;
    double v;
  } m[] = {
      {"twin.steps", (double)s->steps},
      {"twin.period_steps", (double)sc->period},
      {"twin.threshold", sc->threshold},
      {"twin.uplink_latency_steps", (double)sc->channel.uplink_latency},
      {"twin.downlink_latency_steps", (double)sc->channel.downlink_latency},
      {"twin.loss", sc->channel.uplink_loss},
      {"twin.bytes_up", (double)s->bytes_up},
      {"twin.bytes_down", (double)s->bytes_down},
      {"twin.reports_sent", (double)s->reports_sent},
      {"twin.reports_lost", (double)s->reports_lost},
      {"twin.fidelity_rmse_mean", s->rmse_mean},
      {"twin.fidelity_maxabs_max", s->maxabs_max},
      {"twin.forecast.horizon", r->lstm.k},
      {"twin.forecast.train_steps", (double)r->train_len},
      {"twin.forecast.lstm_rmse_1", r->lstm.rmse[0]},
      {"twin.forecast.lstm_rmse_k", r->lstm.rmse[k]},
      {"twin.forecast.seasonal_naive_rmse_1", r->snaive.rmse[0]},
      {"twin.forecast.seasonal_naive_rmse_k", r->snaive.rmse[k]},
      {"twin.forecast.ewma_rmse_1", r->ewma.rmse[0]},
      {"twin.forecast.ewma_rmse_k", r->ewma.rmse[k]},
      {"twin.forecast.lstm_over_naive_1", r->lstm.rmse[0] / r->snaive.rmse[0]},
      {"twin.sync_seconds", r->sync_seconds},
      {"twin.forecast_seconds", r->forecast_seconds},
  };
  int rc = dnt_run_summary_string(run, "twin.policy", dnt_sync_policy_name(sc->policy));
  for (size_t i = 0; !rc && i < sizeof m / sizeof m[0]; i++)
    rc = dnt_run_summary_number(run, m[i].name, m[i].v);
  return rc;
}

/* Names the forecast field that was never synced by the end of the run and
 * says why. */
static int never_synced(dnt_twin *t, const dnt_twin_session_config *c, size_t nfc) {
  const dnt_world_info *info = dnt_world_get_info(dnt_twin_world(t));
  dnt_twin_stats st;
  dnt_twin_get_stats(t, &st);
  size_t k = 0;
  while (k + 1 < nfc && dnt_twin_mirror(t)->measured_at[field_at(c, k)] >= 0)
    k++;
  dnt_sync_policy pol = dnt_twin_config(t)->policy;
  return dnt_error(DNT_ERR_ARG,
                   "twin session: after %lld steps field '%s' was never synced "
                   "(policy %s sent %lld reports, %lld lost): %s",
                   (long long)c->steps, info->field_names[field_at(c, k)],
                   dnt_sync_policy_name(pol), (long long)st.reports_sent,
                   (long long)st.reports_lost,
                   pol == DNT_SYNC_EVENT ? "the twin never diverged by more than the threshold; "
                                           "lower it or set a heartbeat (max_silence)"
                                         : "run more steps, sync more often or lose less");
}

int dnt_twin_session_run(dnt_twin *t, const dnt_twin_session_config *c, dnt_run *run,
                         dnt_twin_session_result *out) {
  memset(out, 0, sizeof *out);
  const dnt_world_info *info = dnt_world_get_info(dnt_twin_world(t));
  size_t nfc = c->forecast_fields ? c->n_forecast_fields : info->n_fields;
  double *x = NULL; /* (steps, nfc) physical values of the forecast fields */
  double *y = NULL; /* (2 nfc, len): mirrored series, then the physical ones (xs) */
  stepping sp = {.run = run, .nfc = nfc, .first = -1, .every = INT64_MAX};
  if (c->checkpoint_every > 0) sp.every = c->checkpoint_every;
  int rc = check(c, info->n_fields);
  if (rc) return rc;
  if (dnt_twin_now(t) != 0)
    return dnt_error(DNT_ERR_ARG,
                     "twin session: the twin has already taken %lld steps: expected a fresh twin",
                     (long long)dnt_twin_now(t));
  if (!(x = malloc((size_t)c->steps * nfc * sizeof *x)))
    return dnt_error(DNT_ERR_NOMEM, "twin session: out of memory for %lld steps of %zu fields",
                     (long long)c->steps, nfc);
  sp.truth = x;
  if ((rc = dnt_run_commit(run)) || /* our own connection writes next */
      (rc = dnt_run_resuming(run) ? resume(t, c, &sp) : start(t, c, &sp)))
    goto cleanup;
  double t0 = dnt_now();
  rc = run_steps(t, c, &sp);
  out->sync_seconds = dnt_now() - t0;
  int bad = fflush(sp.csv) || fsync(fileno(sp.csv));
  bad = fclose(sp.csv) || bad;
  sp.csv = NULL;
  if (!rc && bad)
    rc = dnt_error(DNT_ERR_IO, "%s/fidelity.csv: %s", dnt_run_dir(run), strerror(errno));
  if (rc || (rc = stopped("before forecasting"))) goto cleanup;
  dnt_twin_get_stats(t, &out->stats);
  if (sp.first < 0) { /* some field is still unsynced */
    rc = never_synced(t, c, nfc);
    goto cleanup;
  }
  /* mirrored series y and physical series xs from the first fully synced
   * step, one row per field */
  const dnt_mirror *m = dnt_twin_mirror(t);
  int64_t t_first = 0;
  dnt_mirror_row(m, 0, &t_first);
  size_t skip = sp.first > t_first ? (size_t)(sp.first - t_first) : 0;
  size_t len = m->rows > skip ? m->rows - skip : 0;
  if (!len || !(y = malloc(2 * nfc * len * sizeof *y))) {
    rc = dnt_error(DNT_ERR_NOMEM, "twin session: out of memory for series");
    goto cleanup;
  }
  double *xs = y + nfc * len;
  for (size_t r = 0; r < len; r++) {
    int64_t step;
    const double *row = dnt_mirror_row(m, skip + r, &step);
    for (size_t k = 0; k < nfc; k++) {
      y[k * len + r] = row[field_at(c, k)];
      xs[k * len + r] = x[(size_t)(step - 1) * nfc + k];
    }
  }
  t0 = dnt_now();
  rc = forecast(c, y, xs, nfc, len, sp.store, dnt_twin_now(t), out);
  out->forecast_seconds = dnt_now() - t0;
  if (rc || (rc = stopped("while forecasting"))) goto cleanup;
  rc = dnt_twin_store_close(sp.store);
  sp.store = NULL;
  if (rc || (rc = write_forecast_csv(run, out)) || (rc = figures(run))) goto cleanup;
  rc = summary(run, t, out);
cleanup:
  if (sp.csv) fclose(sp.csv);
  if (sp.store) dnt_twin_store_close(sp.store);
  free(y);
  free(x);
  return rc;
}

/* ---- the study on the cellular world ------------------------------------- */

#define DNT_CFG_STRUCT dnt_study_twin_config
static const dnt_config_field rows[] = {DNT_CELLULAR_ROWS(DNT_CELLULAR_ROW)
                                            DNT_STUDY_TWIN_ROWS(DNT_CFG_ROW)};
#undef DNT_CFG_STRUCT

static const char *const headline[] = {"twin.fidelity_rmse_mean",
                                       "twin.fidelity_maxabs_max",
                                       "twin.reports_sent",
                                       "twin.reports_lost",
                                       "twin.bytes_up",
                                       "twin.forecast.lstm_rmse_1",
                                       "twin.forecast.seasonal_naive_rmse_1",
                                       "twin.forecast.ewma_rmse_1",
                                       NULL};

static const dnt_study_alias aliases[] = {
    {"world", "twin.world"},         {"sites", "cellular.sites"},
    {"traffic", "cellular.traffic"}, {"sync-period", "twin.sync_period_s"},
    {"latency", "twin.latency_s"},   {"loss", "twin.loss"},
    {"policy", "twin.policy"},       {"threshold", "twin.threshold"},
    {"steps", "twin.steps"}};

DNT_STUDY_GLUE(twin)

const dnt_study dnt_study_twin = {
    .name = "twin",
    .summary = "run a physical cellular network and its twin side by side (sync, forecasts)",
    .usage = "Runs a physical cellular network and its digital twin side by side over a channel\n"
             "(telemetry period, uplink latency and loss), then trains an LSTM on the twin's\n"
             "mirrored traffic history and compares it with seasonal-naive and EWMA forecasts.\n"
             "Without --sites/--traffic, sites and traffic are generated. Periods and latencies\n"
             "are seconds, rounded to whole steps. Writes fidelity.csv, forecast_error.csv, the\n"
             "figures fidelity, bytes and forecast_error, dnt.db (twin telemetry and\n"
             "forecasts), summary.json and checkpoint.state (every twin.checkpoint_every\n"
             "steps, after the last one and at a stop): --resume continues a stopped run\n"
             "exactly.\n",
    .rows = rows,
    .n_rows = sizeof rows / sizeof rows[0],
    .config_size = sizeof(dnt_study_twin_config),
    .quick = "{\"twin\": {\"steps\": 336, \"lstm\": {\"train_steps\": 300}}}",
    .aliases = aliases,
    .n_aliases = sizeof aliases / sizeof aliases[0],
    .headline = headline,
    .main_job = 0,
    .resumable = 1,
    .check = check_thunk,
    .run = run_thunk,
};

/* Seconds to whole steps (at least `min`). */
static int64_t to_steps(double seconds, double dt, int64_t min) {
  int64_t s = (int64_t)llround(seconds / dt);
  return s < min ? min : s;
}

static int sync_from(const dnt_study_twin_config *c, double dt, dnt_sync_config *sc) {
  dnt_sync_config_default(sc);
  sc->period = to_steps(c->sync_period_s, dt, 1);
  sc->group_period[0] = sc->period;
  sc->group_period[1] = to_steps(c->slow_period_s, dt, 1);
  sc->channel.uplink_latency = to_steps(c->latency_s, dt, 0);
  sc->channel.downlink_latency = to_steps(c->downlink_latency_s, dt, 0);
  sc->channel.uplink_loss = c->loss;
  sc->threshold = c->threshold;
  sc->max_silence = to_steps(c->max_silence_s, dt, 0);
  sc->history_rows = (size_t)c->steps;
  return dnt_sync_policy_parse(c->policy, &sc->policy);
}

/* The twin of a replaying world: the same sites, the trace `lag` steps
 * earlier (the physical series as the world replays it, rotated). */
static int replay_twin(const dnt_study_twin_config *c, const dnt_world *phys, size_t n_steps,
                       uint64_t seed, size_t lag, dnt_world **out) {
  dnt_cell_traffic seen = {0}, shifted = {0};
  dnt_cellular_params p;
  dnt_cellular_params_from(&c->cellular, &p, NULL);
  int rc = 0;
  if ((rc = dnt_cellular_series(phys, n_steps, &seen)) ||
      (rc = dnt_cell_traffic_alloc(&shifted, seen.n_steps, seen.n_series)))
    goto cleanup;
  if (lag % seen.n_steps == 0)
    DNT_WARN("twin: the trace has %zu steps, a divisor of the replay lag %zu: the twin replays "
             "the physical trace itself (set twin.replay_lag_s)",
             seen.n_steps, lag);
  size_t n = seen.n_steps, m = seen.n_series;
  for (size_t t = 0; t < n; t++)
    memcpy(shifted.v + t * m, seen.v + ((t + n - lag % n) % n) * m, m * sizeof *shifted.v);
  shifted.dt = seen.dt;
  p.replay_noise = 0; /* already in the physical series */
  rc = dnt_cellular_create(dnt_cellular_sites(phys), &shifted, &p, seed, out);
cleanup:
  dnt_cell_traffic_free(&seen);
  dnt_cell_traffic_free(&shifted);
  return rc;
}

/* Divergence scale per field (dnt/cellular.h field layout kind * n + i). */
static int field_scales(const dnt_world *phys, double **out) {
  size_t n = dnt_cellular_n_bs(phys);
  const double *cap = dnt_cellular_capacity(phys), *bh = dnt_cellular_backhaul(phys);
  double *s = malloc(4 * n * sizeof *s);
  if (!s) return dnt_error(DNT_ERR_NOMEM, "twin: out of memory");
  for (size_t i = 0; i < n; i++) {
    s[DNT_CELL_TRAFFIC * n + i] = cap[i] > 0 ? cap[i] : 1;
    s[DNT_CELL_LOAD * n + i] = 1;
    s[DNT_CELL_CAPACITY * n + i] = cap[i] > 0 ? cap[i] : 1;
    s[DNT_CELL_BACKHAUL * n + i] = bh[i] > 0 ? bh[i] : 1;
  }
  *out = s;
  return 0;
}

int dnt_study_twin_check(const dnt_study_twin_config *c) {
  dnt_cellular_inputs in; /* readable and parsed */
  int rc = dnt_cellular_inputs_read(&c->cellular, c->data_max_gap, c->data_missing, 1, 0, &in);
  dnt_cellular_inputs_free(&in);
  return rc;
}

int dnt_study_twin_run(const dnt_study_twin_config *c, dnt_run *run, const dnt_study_progress *pr) {
  int rc = dnt_study_check_struct(&dnt_study_twin, c);
  if (rc) return rc;
  uint64_t seed = dnt_run_seed(run);
  dnt_cellular_inputs in = {0};
  dnt_world *phys = NULL, *tw = NULL;
  dnt_twin *t = NULL;
  double *scale = NULL;
  size_t *fields = NULL;
  if ((rc = dnt_cellular_inputs_read(&c->cellular, c->data_max_gap, c->data_missing, 0, seed,
                                     &in)) ||
      (rc = dnt_cellular_create_from(&c->cellular, &in, seed, &phys)))
    goto cleanup;
  double dt = dnt_world_get_info(phys)->dt;
  if (dnt_cellular_is_replay(phys)) {
    rc = replay_twin(c, phys, in.traffic.n_steps, seed, (size_t)to_steps(c->replay_lag_s, dt, 0),
                     &tw);
  } else if (!(rc = dnt_cellular_create_from(&c->cellular, &in, seed, &tw))) {
    dnt_rng r; /* same structure, own noise: world instance 1 */
    dnt_rng_for(&r, seed, DNT_STREAM_WORLD, 1);
    rc = dnt_world_reset(tw, dnt_rng_u64(&r));
  }
  dnt_sync_config sc;
  if (rc || (rc = sync_from(c, dt, &sc)) || (rc = field_scales(phys, &scale))) goto cleanup;
  sc.field_scale = scale;
  sc.seed = seed; /* the channel's losses */
  rc = dnt_twin_create(phys, tw, &sc, &t);
  tw = NULL; /* owned by the twin now, even on failure */
  if (rc) goto cleanup;
  size_t n = dnt_cellular_n_bs(phys);
  if (!(fields = malloc(n * sizeof *fields))) {
    rc = dnt_error(DNT_ERR_NOMEM, "twin: out of memory");
    goto cleanup;
  }
  for (size_t i = 0; i < n; i++)
    fields[i] = DNT_CELL_TRAFFIC * n + i;
  dnt_twin_session_config sess;
  dnt_twin_session_config_default(&sess);
  sess.forecast_fields = fields;
  sess.n_forecast_fields = n;
  sess.steps = c->steps;
  sess.horizon = (int)c->horizon;
  sess.train_frac = c->train_frac;
  sess.eval_stride = (size_t)c->eval_stride;
  sess.ewma_alpha = c->ewma_alpha;
  sess.season = (int)to_steps(86400, dt, 1);
  sess.lstm.window = (int)c->lstm_window;
  sess.lstm.hidden = (int)c->lstm_hidden;
  sess.lstm.train_steps = (int)c->lstm_train_steps;
  sess.lstm.lr = (float)c->lstm_lr;
  sess.lstm.seed = seed;
  sess.store_every = c->store_every;
  sess.checkpoint_every = c->checkpoint_every;
  sess.progress = pr;
  dnt_twin_session_result res;
  if ((rc = dnt_twin_session_run(t, &sess, run, &res)) ||
      (rc = dnt_run_summary_string(run, "world", c->world)) ||
      (rc = dnt_run_summary_string(run, "sites",
                                   c->cellular.sites[0] ? c->cellular.sites : "generated")) ||
      (rc = dnt_run_summary_string(run, "traffic",
                                   c->cellular.traffic[0] ? c->cellular.traffic : "generated")) ||
      (rc = dnt_run_summary_number(run, "n_bs", (double)n)) ||
      (rc = dnt_run_summary_number(run, "dt_s", dt)))
    goto cleanup;
  if (c->cellular.traffic[0]) rc = dnt_cell_missing_summary(&in.missing, run);
cleanup:
  dnt_twin_destroy(t);
  dnt_world_destroy(tw);
  dnt_world_destroy(phys);
  dnt_cellular_inputs_free(&in);
  free(scale);
  free(fields);
  return rc;
}
