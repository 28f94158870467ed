/* src/worlds/cellular/world_config.c: the world built from the "cellular.*"
 * config rows (dnt/cellular.h): real sites and traffic when files are given,
 * else generated ones. */
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/status.h"

#define DNT_CFG_STRUCT dnt_cellular_config
static const dnt_config_field rows[] = {DNT_CELLULAR_ROWS(DNT_CFG_ROW)};
#undef DNT_CFG_STRUCT

void dnt_cellular_config_defaults(dnt_cellular_config *c) {
  dnt_config_struct_defaults(rows, sizeof rows / sizeof rows[0], c);
}

void dnt_cellular_params_from(const dnt_cellular_config *c, dnt_cellular_params *p,
                              dnt_cell_site_params *sp) {
  dnt_cellular_params_default(p);
  dnt_cell_traffic_params *t = &p->traffic;
  p->capacity_headroom = c->capacity_headroom;
  p->backhaul_factor = c->backhaul_factor;
  p->radius_m = c->radius_m;
  p->replay_noise = c->replay_noise;
  p->replay_shift = (size_t)c->replay_shift;
  p->fault_prob = c->fault_prob;
  p->fault_len = c->fault_len;
  p->fault_depth = c->fault_depth;
  t->dt = c->gen_dt_s;
  t->start_hour = c->gen_start_hour;
  t->mean = c->gen_mean;
  t->base_sd = c->gen_base_sd;
  t->daily_amp = c->gen_daily_amp;
  t->peak_hour = c->gen_peak_hour;
  t->peak_sd = c->gen_peak_sd;
  t->weekend = c->gen_weekend;
  t->sigma = c->gen_sigma;
  t->rho = c->gen_rho;
  t->beta = c->gen_beta;
  t->n_factors = (size_t)c->gen_factors;
  t->corr_length = c->gen_corr_length_m;
  t->burst_prob = c->gen_burst_prob;
  t->burst_len = c->gen_burst_len;
  t->burst_amp = c->gen_burst_amp;
  if (!sp) return;
  dnt_cell_site_params_default(sp);
  sp->process = !strcmp(c->process, "poisson") ? DNT_CELL_POISSON : DNT_CELL_MATERN;
  sp->n = (size_t)c->n_bs;
  sp->width_m = c->width_m;
  sp->height_m = c->height_m;
  sp->n_parents = (size_t)c->parents;
  sp->cluster_radius_m = c->cluster_radius_m;
}

void dnt_cellular_inputs_free(dnt_cellular_inputs *in) {
  dnt_cell_sites_free(&in->sites);
  dnt_cell_traffic_free(&in->traffic);
  dnt_cell_missing_report_free(&in->missing);
}

int dnt_cellular_inputs_read(const dnt_cellular_config *c, int64_t max_gap, const char *missing,
                             int quiet, uint64_t seed, dnt_cellular_inputs *out) {
  memset(out, 0, sizeof *out);
  dnt_cellular_params p;
  dnt_cell_site_params sp;
  dnt_cellular_params_from(c, &p, &sp);
  dnt_cell_missing policy;
  int rc = dnt_cell_missing_set(max_gap, missing, &policy);
  if (rc) return rc;
  policy.quiet = quiet;
  if (c->traffic[0] && (rc = dnt_cell_traffic_read(c->traffic, c->traffic_dt_s, &policy,
                                                   &out->missing, &out->traffic)))
    return rc;
  return c->sites[0] ? dnt_cell_sites_read(c->sites, &out->sites)
                     : dnt_cell_sites_generate(&sp, seed, &out->sites);
}

int dnt_cellular_create_from(const dnt_cellular_config *c, const dnt_cellular_inputs *in,
                             uint64_t seed, dnt_world **out) {
  dnt_cellular_params p;
  dnt_cellular_params_from(c, &p, NULL);
  return dnt_cellular_create(&in->sites, in->traffic.n_steps ? &in->traffic : NULL, &p, seed, out);
}
