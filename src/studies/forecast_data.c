/* src/studies/forecast_data.c: the series, the sites and the windows of the
 * forecast study.
 *
 * A traffic file gives one BS per series, in the file's column order (the
 * first data.max_bs of them when set); the sites are the first rows of a
 * sites file, or generated. Generated data plants clusters of similar daily
 * profiles (dnt_forecast_generate) so that the clustering has a known answer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fileio.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "forecast_study.h"

#define FC_AUTO_FILE "../shared/data/traffic/beam_wireless.csv"

int dnt_forecast_generate(size_t n_bs, size_t n_clusters, size_t n_steps, uint64_t seed, double *y,
                          int *plant, dnt_cell_sites *sites) {
  int rc = dnt_cell_sites_alloc(sites, n_bs);
  double *prof = malloc(4 * n_clusters * sizeof *prof); /* (K, 4): peak, amp, weekend, f */
  if (rc || !prof) {
    free(prof);
    return rc ? rc : dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %zu clusters", n_clusters);
  }
  const double two_pi = 6.283185307179586;
  dnt_rng pos, tr;
  dnt_rng_for(&pos, seed, DNT_STREAM_SITES, 0);
  dnt_rng_for(&tr, seed, DNT_STREAM_TRAFFIC, 0);
  for (size_t k = 0; k < n_clusters; k++) {
    double *p = prof + 4 * k;
    p[0] = 24.0 * (double)k / (double)n_clusters + 2 * dnt_rng_uniform(&tr) - 1;
    p[1] = 0.3 + 0.6 * dnt_rng_uniform(&tr);
    p[2] = 0.5 + 0.6 * dnt_rng_uniform(&tr);
    p[3] = 0;
  }
  double *cx = malloc(2 * n_clusters * sizeof *cx);
  if (!cx) {
    free(prof);
    return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %zu clusters", n_clusters);
  }
  for (size_t k = 0; k < n_clusters; k++) {
    cx[2 * k] = 2000 * (dnt_rng_uniform(&pos) - 0.5);
    cx[2 * k + 1] = 1400 * (dnt_rng_uniform(&pos) - 0.5);
  }
  for (size_t i = 0; i < n_bs; i++) {
    size_t k = i % n_clusters;
    plant[i] = (int)k;
    sites->x[i] = dnt_rng_normal(&pos, cx[2 * k], 150);
    sites->y[i] = dnt_rng_normal(&pos, cx[2 * k + 1], 150);
    y[i * n_steps] = exp(0.3 * dnt_rng_normal(&tr, 0, 1)); /* b_i until the loop below */
  }
  /* z_i(t) needs f_k(t) of every cluster at t first: step time outside. */
  double *z = calloc(n_bs, sizeof *z), *level = malloc(n_bs * sizeof *level);
  if (!z || !level) {
    rc = dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %zu BSs", n_bs);
    goto cleanup;
  }
  for (size_t i = 0; i < n_bs; i++)
    level[i] = y[i * n_steps];
  for (size_t t = 0; t < n_steps; t++) {
    double hour = (double)(t % 24);
    int weekend = (t / 24) % 7 >= 5;
    for (size_t k = 0; k < n_clusters; k++)
      prof[4 * k + 3] = 0.8 * prof[4 * k + 3] + 0.6 * dnt_rng_normal(&tr, 0, 1);
    for (size_t i = 0; i < n_bs; i++) {
      const double *p = prof + 4 * (i % n_clusters);
      z[i] = 0.8 * z[i] + 0.15 * (0.7 * p[3] + 0.71 * dnt_rng_normal(&tr, 0, 1));
      double day = 1 + p[1] * cos(two_pi * (hour - p[0]) / 24);
      y[i * n_steps + t] = level[i] * day * (weekend ? p[2] : 1.0) * exp(z[i]);
    }
  }
cleanup:
  free(z);
  free(level);
  free(cx);
  free(prof);
  if (rc) dnt_cell_sites_free(sites);
  return rc;
}

/* The series of a traffic file, one BS each (by BS, transposed from the
 * reader's time-major matrix). */
static int read_traffic(const dnt_study_forecast_config *cfg, const char *file, int quiet,
                        fc_data *d) {
  dnt_cell_missing policy;
  dnt_cell_traffic t = {0};
  int rc = dnt_cell_missing_set(cfg->data_max_gap, cfg->data_missing, &policy);
  if (rc) return rc;
  policy.quiet = quiet;
  if ((rc = dnt_cell_traffic_read(file, 3600, &policy, quiet ? NULL : &d->missing, &t))) return rc;
  size_t n = t.n_series;
  if (cfg->max_bs > 0 && (size_t)cfg->max_bs < n) n = (size_t)cfg->max_bs;
  d->n_bs = n;
  d->len = t.n_steps;
  d->y = malloc(n * (t.n_steps ? t.n_steps : 1) * sizeof *d->y);
  d->name = calloc(n, sizeof *d->name);
  if (!d->y || !d->name) {
    rc = dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %zu series", n);
    goto cleanup;
  }
  for (size_t j = 0; j < n; j++) {
    dnt_cell_traffic_series(&t, j, d->y + j * t.n_steps);
    d->name[j] = t.name[j];
    t.name[j] = NULL;
  }
  snprintf(d->source, sizeof d->source, "%s", file);
cleanup:
  dnt_cell_traffic_free(&t);
  return rc;
}

static int generated(const dnt_study_forecast_config *cfg, uint64_t seed, fc_data *d) {
  d->n_bs = (size_t)cfg->gen_bs;
  d->len = (size_t)cfg->gen_length;
  d->y = malloc(d->n_bs * d->len * sizeof *d->y);
  d->plant = malloc(d->n_bs * sizeof *d->plant);
  d->name = calloc(d->n_bs, sizeof *d->name);
  if (!d->y || !d->plant || !d->name)
    return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %zu generated BSs", d->n_bs);
  for (size_t i = 0; i < d->n_bs; i++) {
    char buf[32];
    snprintf(buf, sizeof buf, "bs%zu", i);
    if (!(d->name[i] = strdup(buf))) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory");
  }
  snprintf(d->source, sizeof d->source, "generated (%lld BSs, %lld planted clusters)",
           (long long)cfg->gen_bs, (long long)cfg->gen_clusters);
  return dnt_forecast_generate(d->n_bs, (size_t)cfg->gen_clusters, d->len, seed, d->y, d->plant,
                               &d->sites);
}

/* The sites of a file's series: rows 0..n-1 of sites.file, or generated. */
static int place(const dnt_study_forecast_config *cfg, uint64_t seed, fc_data *d) {
  int rc = 0;
  if (cfg->sites_file[0]) {
    dnt_cell_sites all = {0};
    if ((rc = dnt_cell_sites_read(cfg->sites_file, &all))) return rc;
    if (all.n < d->n_bs) {
      rc = dnt_error(DNT_ERR_CONFIG,
                     "%s: %zu sites for %zu series (sites.file needs a row per "
                     "series)",
                     cfg->sites_file, all.n, d->n_bs);
    } else if (!(rc = dnt_cell_sites_alloc(&d->sites, d->n_bs))) {
      for (size_t i = 0; i < d->n_bs; i++) {
        d->sites.x[i] = all.x[i];
        d->sites.y[i] = all.y[i];
        d->sites.lat[i] = all.lat[i];
        d->sites.lon[i] = all.lon[i];
        d->sites.capacity[i] = all.capacity[i];
        d->sites.backhaul[i] = all.backhaul[i];
        d->sites.radius[i] = all.radius[i];
      }
    }
    dnt_cell_sites_free(&all);
    return rc;
  }
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  sp.n = d->n_bs;
  return dnt_cell_sites_generate(&sp, seed, &d->sites);
}

/* Derived radius and backhaul for sites that give none (0): the graph's
 * overlap and backhaul terms need them. Radius = 1.5 x the mean
 * nearest-neighbour distance, backhaul 1 for every BS. */
static void resolve_sites(dnt_cell_sites *s) {
  double r = 1.5 * dnt_cell_sites_mean_nn(s);
  for (size_t i = 0; i < s->n; i++) {
    if (!(s->radius[i] > 0)) s->radius[i] = isfinite(r) && r > 0 ? r : 100;
    if (!(s->backhaul[i] > 0)) s->backhaul[i] = 1;
  }
}

int fc_data_load(const dnt_study_forecast_config *cfg, uint64_t seed, int quiet, fc_data *d) {
  memset(d, 0, sizeof *d);
  const char *file = cfg->data_file;
  int rc = 0;
  if (!strcmp(file, "auto")) file = dnt_path_exists(FC_AUTO_FILE) ? FC_AUTO_FILE : "";
  if (cfg->generated || !file[0]) {
    if ((rc = generated(cfg, seed, d))) goto fail;
  } else if ((rc = read_traffic(cfg, file, quiet, d)) || (rc = place(cfg, seed, d))) {
    goto fail;
  }
  resolve_sites(&d->sites);
  d->win = dnt_forecast_window(cfg);
  size_t lead = dnt_seq_window_lead(&d->win);
  if ((rc = dnt_seq_split_fractions(d->len, cfg->train_fraction, cfg->val_fraction, &d->split)) ||
      d->split.train_end <= lead + 1 || d->split.val_end - d->split.train_end < 1 ||
      d->split.val_end < lead || d->split.val_end < (size_t)cfg->season ||
      (size_t)cfg->season < (size_t)cfg->horizon || d->split.len <= d->split.val_end) {
    rc = dnt_error(DNT_ERR_CONFIG,
                   "%s: %zu steps are too few for model.closeness %lld, model.period %lld, "
                   "model.horizon %lld, baseline.season %lld (at least the horizon), "
                   "data.train_fraction %g and data.val_fraction %g",
                   d->source, d->len, (long long)cfg->closeness, (long long)cfg->period,
                   (long long)cfg->horizon, (long long)cfg->season, cfg->train_fraction,
                   cfg->val_fraction);
    goto fail;
  }
  return 0;
fail:
  fc_data_free(d);
  return rc;
}

int fc_data_windows(fc_data *d) {
  d->bs = calloc(d->n_bs, sizeof *d->bs);
  if (!d->bs) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %zu BSs", d->n_bs);
  for (size_t i = 0; i < d->n_bs; i++) {
    int rc = dnt_seq_data_init(&d->bs[i], &d->win, d->y + i * d->len, 1, &d->split);
    if (rc) return dnt_error(rc, "forecast: series %s: %s", d->name[i], dnt_last_error());
  }
  d->n_test = d->bs[0].per[DNT_SEQ_TEST];
  d->truth = malloc(d->n_bs * d->n_test * sizeof *d->truth);
  if (!d->truth) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for the test targets");
  for (size_t i = 0; i < d->n_bs; i++)
    for (size_t k = 0; k < d->n_test; k++) {
      size_t tau;
      dnt_seq_data_window(&d->bs[i], DNT_SEQ_TEST, k, NULL, NULL, NULL, &tau);
      d->truth[i * d->n_test + k] = d->y[i * d->len + tau];
    }
  return 0;
}

void fc_data_free(fc_data *d) {
  if (d->bs)
    for (size_t i = 0; i < d->n_bs; i++)
      dnt_seq_data_free(&d->bs[i]);
  free(d->bs);
  if (d->name)
    for (size_t i = 0; i < d->n_bs; i++)
      free(d->name[i]);
  free(d->name);
  free(d->y);
  free(d->plant);
  free(d->truth);
  dnt_cell_sites_free(&d->sites);
  dnt_cell_missing_report_free(&d->missing);
  memset(d, 0, sizeof *d);
}
