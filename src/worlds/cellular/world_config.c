/* src/worlds/cellular/world_config.c: the "cellular.*" config fields and the
 * world built from them (real sites and traffic when files are given, else
 * generated ones). */
#include <stdlib.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/status.h"

#define TYPE_REAL DNT_CFG_REAL
#define TYPE_INT DNT_CFG_INT
#define TYPE_STR DNT_CFG_STRING

/* The missing-value rows of dnt/cellular.h as plain (unbound) schema rows. */
#define PLAIN_ROW_INT(m, key, lo, hi, def, choices, help)                                          \
  {key, DNT_CFG_INT, lo, hi, def, NULL, choices, help, 0, 0},
#define PLAIN_ROW_STRING(m, key, lo, hi, def, choices, help)                                       \
  {key, DNT_CFG_STRING, lo, hi, 0, def, choices, help, 0, 0},
#define PLAIN_ROW(T, ...) PLAIN_ROW_##T(__VA_ARGS__)

const dnt_config_field dnt_cellular_schema[] = {
    {"cellular.sites", TYPE_STR, 0, 0, 0, "", NULL,
     "BS sites CSV (SITE_ID, LATITUDE, LONGITUDE, ...; docs/DATA.md); empty = generate"},
    {"cellular.traffic", TYPE_STR, 0, 0, 0, "", NULL,
     "traffic CSV (wide, Milan long or Milan raw TSV); empty = generate"},
    {"cellular.traffic_dt_s", TYPE_REAL, 1, 1e7, 3600, NULL, NULL,
     "step of a wide traffic CSV in seconds (the Milan formats carry their own)"},
    DNT_CELL_MISSING_ROWS(PLAIN_ROW){
        "cellular.n_bs", TYPE_INT, 1, 1e6, 125, NULL, NULL,
        "generated sites: number of BSs (with a traffic file but no sites: BSs to map it onto)"},
    {"cellular.process", TYPE_STR, 0, 0, 0, "matern", "poisson|matern",
     "generated sites: spatial point process"},
    {"cellular.width_m", TYPE_REAL, 1, 1e7, 2000, NULL, NULL, "generated sites: window width"},
    {"cellular.height_m", TYPE_REAL, 1, 1e7, 1400, NULL, NULL, "generated sites: window height"},
    {"cellular.parents", TYPE_INT, 1, 1e6, 12, NULL, NULL, "Matern: number of cluster centres"},
    {"cellular.cluster_radius_m", TYPE_REAL, 1, 1e7, 200, NULL, NULL,
     "Matern: radius of a cluster"},
    {"cellular.capacity_headroom", TYPE_REAL, 0.01, 1e6, 1.3, NULL, NULL,
     "derived capacity = headroom x peak demand of the BS"},
    {"cellular.backhaul_factor", TYPE_REAL, 0.01, 1e6, 1.5, NULL, NULL,
     "derived backhaul = factor x capacity"},
    {"cellular.radius_m", TYPE_REAL, 0, 1e7, 0, NULL, NULL,
     "coverage radius; 0 = 2 x mean nearest-neighbour distance"},
    {"cellular.replay_noise", TYPE_REAL, 0, 5, 0, NULL, NULL,
     "replay: sd of multiplicative log-normal noise on the replayed traffic"},
    {"cellular.replay_shift", TYPE_INT, 0, 1e9, 24, NULL, NULL,
     "replay: time rotation in steps between BSs that share a series"},
    {"cellular.fault_prob", TYPE_REAL, 0, 1, 5e-4, NULL, NULL,
     "backhaul fault probability per BS and step"},
    {"cellular.fault_len", TYPE_REAL, 1, 1e9, 24, NULL, NULL, "mean backhaul fault length, steps"},
    {"cellular.fault_depth", TYPE_REAL, 0, 1, 0.5, NULL, NULL,
     "share of backhaul left during a fault"},
    {"cellular.gen.dt_s", TYPE_REAL, 1, 1e7, 3600, NULL, NULL, "generated traffic: step, seconds"},
    {"cellular.gen.start_hour", TYPE_REAL, 0, 168, 0, NULL, NULL,
     "generated traffic: hour of the week at step 0 (0 = Monday 00:00)"},
    {"cellular.gen.mean", TYPE_REAL, 1e-9, 1e12, 1, NULL, NULL,
     "generated traffic: mean demand per BS per step"},
    {"cellular.gen.base_sd", TYPE_REAL, 0, 5, 0.5, NULL, NULL,
     "generated traffic: sd of log mean level across BSs"},
    {"cellular.gen.daily_amp", TYPE_REAL, 0, 0.999, 0.6, NULL, NULL,
     "generated traffic: amplitude of the daily cycle"},
    {"cellular.gen.peak_hour", TYPE_REAL, 0, 24, 14, NULL, NULL,
     "generated traffic: mean hour of the daily peak"},
    {"cellular.gen.peak_sd", TYPE_REAL, 0, 24, 2, NULL, NULL,
     "generated traffic: sd of the peak hour across BSs"},
    {"cellular.gen.weekend", TYPE_REAL, 0.01, 10, 0.7, NULL, NULL,
     "generated traffic: weekend multiplier"},
    {"cellular.gen.sigma", TYPE_REAL, 0, 5, 0.25, NULL, NULL,
     "generated traffic: sd of the log deviation"},
    {"cellular.gen.rho", TYPE_REAL, 0, 0.9999, 0.9, NULL, NULL,
     "generated traffic: AR(1) coefficient of the log deviation"},
    {"cellular.gen.beta", TYPE_REAL, 0, 1, 0.7, NULL, NULL,
     "generated traffic: share of the spatial factor in the innovation"},
    {"cellular.gen.factors", TYPE_INT, 0, 4096, 8, NULL, NULL,
     "generated traffic: number of spatial latent factors"},
    {"cellular.gen.corr_length_m", TYPE_REAL, 1e-3, 1e9, 500, NULL, NULL,
     "generated traffic: spatial correlation length"},
    {"cellular.gen.burst_prob", TYPE_REAL, 0, 1, 0.002, NULL, NULL,
     "generated traffic: burst start probability per BS and step"},
    {"cellular.gen.burst_len", TYPE_REAL, 1, 1e9, 3, NULL, NULL,
     "generated traffic: mean burst length, steps"},
    {"cellular.gen.burst_amp", TYPE_REAL, 1e-6, 1e6, 1, NULL, NULL,
     "generated traffic: mean extra multiple during a burst"},
};
const size_t dnt_cellular_schema_len = sizeof dnt_cellular_schema / sizeof dnt_cellular_schema[0];

int dnt_cellular_params_from_config(const dnt_config *c, dnt_cellular_params *p,
                                    dnt_cell_site_params *sp) {
  dnt_cellular_params_default(p);
  dnt_cell_traffic_params *t = &p->traffic;
  p->capacity_headroom = dnt_config_real(c, "cellular.capacity_headroom");
  p->backhaul_factor = dnt_config_real(c, "cellular.backhaul_factor");
  p->radius_m = dnt_config_real(c, "cellular.radius_m");
  p->replay_noise = dnt_config_real(c, "cellular.replay_noise");
  p->replay_shift = (size_t)dnt_config_int(c, "cellular.replay_shift");
  p->fault_prob = dnt_config_real(c, "cellular.fault_prob");
  p->fault_len = dnt_config_real(c, "cellular.fault_len");
  p->fault_depth = dnt_config_real(c, "cellular.fault_depth");
  t->dt = dnt_config_real(c, "cellular.gen.dt_s");
  t->start_hour = dnt_config_real(c, "cellular.gen.start_hour");
  t->mean = dnt_config_real(c, "cellular.gen.mean");
  t->base_sd = dnt_config_real(c, "cellular.gen.base_sd");
  t->daily_amp = dnt_config_real(c, "cellular.gen.daily_amp");
  t->peak_hour = dnt_config_real(c, "cellular.gen.peak_hour");
  t->peak_sd = dnt_config_real(c, "cellular.gen.peak_sd");
  t->weekend = dnt_config_real(c, "cellular.gen.weekend");
  t->sigma = dnt_config_real(c, "cellular.gen.sigma");
  t->rho = dnt_config_real(c, "cellular.gen.rho");
  t->beta = dnt_config_real(c, "cellular.gen.beta");
  t->n_factors = (size_t)dnt_config_int(c, "cellular.gen.factors");
  t->corr_length = dnt_config_real(c, "cellular.gen.corr_length_m");
  t->burst_prob = dnt_config_real(c, "cellular.gen.burst_prob");
  t->burst_len = dnt_config_real(c, "cellular.gen.burst_len");
  t->burst_amp = dnt_config_real(c, "cellular.gen.burst_amp");
  if (sp) {
    dnt_cell_site_params_default(sp);
    sp->process =
        dnt_config_string(c, "cellular.process")[0] == 'p' ? DNT_CELL_POISSON : DNT_CELL_MATERN;
    sp->n = (size_t)dnt_config_int(c, "cellular.n_bs");
    sp->width_m = dnt_config_real(c, "cellular.width_m");
    sp->height_m = dnt_config_real(c, "cellular.height_m");
    sp->n_parents = (size_t)dnt_config_int(c, "cellular.parents");
    sp->cluster_radius_m = dnt_config_real(c, "cellular.cluster_radius_m");
  }
  return 0;
}

int dnt_cellular_missing_from_config(const dnt_config *c, dnt_cell_missing *out) {
  return dnt_cell_missing_set(dnt_config_int(c, "data.max_gap"),
                              dnt_config_string(c, "data.missing"), out);
}

int dnt_cellular_create_from_config(const dnt_config *c, uint64_t seed,
                                    dnt_cell_missing_report *report, dnt_world **out) {
  *out = NULL;
  if (report) memset(report, 0, sizeof *report);
  dnt_cellular_params p;
  dnt_cell_site_params sp;
  dnt_cell_missing missing;
  dnt_cell_sites sites = {0};
  dnt_cell_traffic traffic = {0};
  int rc = dnt_cellular_params_from_config(c, &p, &sp);
  const char *sites_path = dnt_config_string(c, "cellular.sites");
  const char *traffic_path = dnt_config_string(c, "cellular.traffic");
  if (!rc && traffic_path[0] && !(rc = dnt_cellular_missing_from_config(c, &missing)))
    rc = dnt_cell_traffic_read(traffic_path, dnt_config_real(c, "cellular.traffic_dt_s"), &missing,
                               report, &traffic);
  if (!rc)
    rc = sites_path[0] ? dnt_cell_sites_read(sites_path, &sites)
                       : dnt_cell_sites_generate(&sp, seed, &sites);
  if (!rc) rc = dnt_cellular_create(&sites, traffic_path[0] ? &traffic : NULL, &p, seed, out);
  if (rc) dnt_cell_missing_report_free(report);
  dnt_cell_sites_free(&sites);
  dnt_cell_traffic_free(&traffic);
  return rc;
}
