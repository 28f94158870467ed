/* src/app/cmd_twin.c: `dnt twin`, a physical cellular network and its twin
 * side by side (dnt/twin_session.h) on real or generated sites and traffic.
 *
 * The twin is a cellular world over the same sites that simulates on its own
 * between syncs. Generated traffic: it shares the physical world's structure
 * (levels, peak hours, spatial factors) but draws its own noise. Replayed
 * traffic: it replays the trace `twin.replay_lag_s` earlier (a week by
 * default), so its own prediction is "same hour last week" and only the sync
 * tells it what really happens. Divergence is measured in units of each BS's
 * capacity (traffic, capacity), backhaul (backhaul) or as is (load). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dnt/cellular.h"
#include "dnt/log.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "dnt/twin_session.h"

static const char usage[] =
    "usage: dnt twin [--world cellular] [--sites FILE --traffic FILE] [--sync-period S]\n"
    "                [--latency S] [--loss P] [--policy periodic|event|multirate] [options]\n\n"
    "Runs a physical cellular network and its digital twin side by side over a channel\n"
    "(telemetry period, uplink latency and loss), then trains an LSTM on the twin's\n"
    "mirrored traffic history and compares it with seasonal-naive and EWMA forecasts.\n"
    "Without --sites/--traffic, sites and traffic are generated. Writes fidelity.csv,\n"
    "forecast_error.csv, the figures fidelity, bytes and forecast_error, dnt.db (twin\n"
    "telemetry and forecasts) and summary.json.\n\n"
    "options:\n"
    "      --world W         world kind: cellular (the only one built in)\n"
    "      --sites FILE      BS sites CSV (SITE_ID, LATITUDE, LONGITUDE; docs/DATA.md)\n"
    "      --traffic FILE    traffic CSV (wide, Milan long or Milan raw TSV)\n"
    "      --sync-period S   seconds between telemetry reports (periodic, multirate loads)\n"
    "      --latency S       uplink latency in seconds (physical -> twin)\n"
    "      --loss P          probability that a report is lost\n"
    "      --policy P        periodic, event (threshold on divergence) or multirate\n"
    "      --threshold X     event policy: divergence, as a share of capacity\n"
    "      --steps N         steps to run\n" APP_COMMON_HELP;

/* --quick shortens what is left at its default. */
enum { DEFAULT_STEPS = 1008, QUICK_STEPS = 336, DEFAULT_TRAIN = 1500, QUICK_TRAIN = 300 };

static const dnt_config_field twin_schema[] = {
    {"twin.steps", DNT_CFG_INT, 10, 1e8, DEFAULT_STEPS, NULL, NULL,
     "steps to run (--quick: 336 unless set)"},
    {"twin.policy", DNT_CFG_STRING, 0, 0, 0, "periodic", "periodic|event|multirate", "sync policy"},
    {"twin.sync_period_s", DNT_CFG_REAL, 0, 1e9, 3600, NULL, NULL,
     "seconds between reports (periodic; multirate: fast group)"},
    {"twin.slow_period_s", DNT_CFG_REAL, 0, 1e9, 86400, NULL, NULL,
     "multirate: seconds between capacity/backhaul reports"},
    {"twin.latency_s", DNT_CFG_REAL, 0, 1e9, 0, NULL, NULL, "uplink latency, seconds"},
    {"twin.downlink_latency_s", DNT_CFG_REAL, 0, 1e9, 0, NULL, NULL, "downlink latency, seconds"},
    {"twin.loss", DNT_CFG_REAL, 0, 0.99, 0, NULL, NULL, "probability a report is lost"},
    {"twin.threshold", DNT_CFG_REAL, 0, 1e6, 0.05, NULL, NULL,
     "event: divergence that triggers a report, share of capacity"},
    {"twin.max_silence_s", DNT_CFG_REAL, 0, 1e9, 0, NULL, NULL,
     "event: heartbeat after this many silent seconds (0 = none)"},
    {"twin.replay_lag_s", DNT_CFG_REAL, 0, 1e9, 604800, NULL, NULL,
     "replayed traffic: the twin replays the trace this much earlier"},
    {"twin.horizon", DNT_CFG_INT, 1, DNT_FORECAST_MAX_K, 6, NULL, NULL,
     "forecast horizon k, steps"},
    {"twin.train_frac", DNT_CFG_REAL, 0.05, 0.95, 0.7, NULL, NULL,
     "share of the mirrored history used to train"},
    {"twin.eval_stride", DNT_CFG_INT, 1, 1e6, 6, NULL, NULL, "steps between evaluation origins"},
    {"twin.ewma_alpha", DNT_CFG_REAL, 1e-6, 1, 0.3, NULL, NULL, "EWMA smoothing"},
    {"twin.lstm.window", DNT_CFG_INT, 1, 10000, 24, NULL, NULL, "LSTM input steps"},
    {"twin.lstm.hidden", DNT_CFG_INT, 1, 4096, 32, NULL, NULL, "LSTM hidden size"},
    {"twin.lstm.train_steps", DNT_CFG_INT, 0, 1e8, DEFAULT_TRAIN, NULL, NULL,
     "LSTM minibatch updates (--quick: 300 unless set)"},
    {"twin.lstm.lr", DNT_CFG_REAL, 1e-7, 1, 3e-3, NULL, NULL, "LSTM Adam learning rate"},
    {"twin.store_every", DNT_CFG_INT, 0, 1e9, 1, NULL, NULL,
     "store telemetry every this many steps (0 = never)"},
};

enum {
  OPT_WORLD = 2001,
  OPT_SITES,
  OPT_TRAFFIC,
  OPT_PERIOD,
  OPT_LATENCY,
  OPT_LOSS,
  OPT_POLICY,
  OPT_THRESHOLD,
  OPT_STEPS,
  N_VALUE_OPTS = OPT_STEPS - OPT_SITES + 1
};

/* Config key of each value option, OPT_SITES.. in order. */
static const char *const opt_keys[N_VALUE_OPTS] = {
    "cellular.sites", "cellular.traffic", "twin.sync_period_s", "twin.latency_s",
    "twin.loss",      "twin.policy",      "twin.threshold",     "twin.steps"};

/* Seconds to whole steps (at least `min`). */
static int64_t to_steps(double seconds, double dt, int64_t min) {
  int64_t s = (int64_t)llround(seconds / dt);
  return s < min ? min : s;
}

static int sync_from_config(const dnt_config *cfg, double dt, dnt_sync_config *sc) {
  dnt_sync_config_default(sc);
  int rc = dnt_sync_policy_parse(dnt_config_string(cfg, "twin.policy"), &sc->policy);
  sc->period = to_steps(dnt_config_real(cfg, "twin.sync_period_s"), dt, 1);
  sc->group_period[0] = sc->period;
  sc->group_period[1] = to_steps(dnt_config_real(cfg, "twin.slow_period_s"), dt, 1);
  sc->channel.uplink_latency = to_steps(dnt_config_real(cfg, "twin.latency_s"), dt, 0);
  sc->channel.downlink_latency = to_steps(dnt_config_real(cfg, "twin.downlink_latency_s"), dt, 0);
  sc->channel.uplink_loss = dnt_config_real(cfg, "twin.loss");
  sc->threshold = dnt_config_real(cfg, "twin.threshold");
  sc->max_silence = to_steps(dnt_config_real(cfg, "twin.max_silence_s"), dt, 0);
  sc->history_rows = (size_t)dnt_config_int(cfg, "twin.steps");
  return rc;
}

/* The twin of a replaying world: the same sites, the trace `lag` steps earlier. */
static int replay_twin(const dnt_config *cfg, const dnt_world *phys, uint64_t seed, size_t lag,
                       dnt_world **out) {
  dnt_cell_traffic raw = {0}, seen = {0}, shifted = {0};
  dnt_cellular_params p;
  dnt_cell_site_params sp;
  dnt_cell_missing missing; /* as the physical world read it, without its warnings again */
  int rc = dnt_cellular_params_from_config(cfg, &p, &sp);
  if (!rc) rc = dnt_cellular_missing_from_config(cfg, &missing);
  missing.quiet = 1;
  if (!rc)
    rc = dnt_cell_traffic_read(dnt_config_string(cfg, "cellular.traffic"),
                               dnt_config_real(cfg, "cellular.traffic_dt_s"), &missing, NULL, &raw);
  if (!rc) rc = dnt_cellular_series(phys, raw.n_steps, &seen);
  if (!rc) rc = dnt_cell_traffic_alloc(&shifted, seen.n_steps, seen.n_series);
  if (!rc && lag % seen.n_steps == 0)
    DNT_WARN("twin: the trace has %zu steps, a divisor of the replay lag %zu: the twin replays "
             "the physical trace itself (set twin.replay_lag_s)",
             seen.n_steps, lag);
  if (!rc) {
    size_t n = seen.n_steps, m = seen.n_series;
    for (size_t t = 0; t < n; t++)
      memcpy(shifted.v + t * m, seen.v + ((t + n - lag % n) % n) * m, m * sizeof *shifted.v);
    shifted.dt = seen.dt;
    p.replay_noise = 0; /* already in the physical series */
    rc = dnt_cellular_create(dnt_cellular_sites(phys), &shifted, &p, seed, out);
  }
  dnt_cell_traffic_free(&raw);
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

static void report(const dnt_twin_session_result *r, const dnt_sync_config *sc, double dt) {
  const dnt_twin_stats *s = &r->stats;
  int k = r->lstm.k - 1;
  printf("twin: %lld steps of %.0f s, policy %s, latency %lld steps, loss %.3g\n",
         (long long)s->steps, dt, dnt_sync_policy_name(sc->policy),
         (long long)sc->channel.uplink_latency, sc->channel.uplink_loss);
  printf("      fidelity (share of capacity): mean RMSE %.4f, worst %.4f\n", s->rmse_mean,
         s->maxabs_max);
  printf("      synced %lld reports (%lld lost), %.1f kB up; stepping %.2f s\n",
         (long long)s->reports_sent, (long long)s->reports_lost, (double)s->bytes_up / 1e3,
         r->sync_seconds);
  printf("      forecast RMSE (1 / %d steps ahead, trained on %zu steps):\n", k + 1, r->train_len);
  printf("        lstm            %10.4f %10.4f\n", r->lstm.rmse[0], r->lstm.rmse[k]);
  printf("        seasonal naive  %10.4f %10.4f\n", r->snaive.rmse[0], r->snaive.rmse[k]);
  printf("        ewma            %10.4f %10.4f\n", r->ewma.rmse[0], r->ewma.rmse[k]);
}

/* Builds both worlds and runs the session into `run`. */
static int twin_run(const dnt_config *cfg, uint64_t seed, int quick, dnt_run *run) {
  dnt_world *phys = NULL, *tw = NULL;
  dnt_twin *t = NULL;
  double *scale = NULL;
  size_t *fields = NULL;
  dnt_cell_missing_report missing = {0};
  int rc = dnt_cellular_create_from_config(cfg, seed, &missing, &phys);
  double dt = rc ? 1 : dnt_world_get_info(phys)->dt;
  if (!rc && dnt_cellular_is_replay(phys))
    rc = replay_twin(cfg, phys, seed,
                     (size_t)to_steps(dnt_config_real(cfg, "twin.replay_lag_s"), dt, 0), &tw);
  else if (!rc && !(rc = dnt_cellular_create_from_config(cfg, seed, NULL, &tw))) {
    dnt_rng r; /* same structure, own noise: world instance 1 */
    dnt_rng_for(&r, seed, DNT_STREAM_WORLD, 1);
    rc = dnt_world_reset(tw, dnt_rng_u64(&r));
  }
  dnt_sync_config sc;
  if (!rc) rc = sync_from_config(cfg, dt, &sc);
  if (!rc) rc = field_scales(phys, &scale);
  if (!rc) {
    sc.field_scale = scale;
    sc.seed = seed; /* the channel's losses */
    rc = dnt_twin_create(phys, tw, &sc, &t);
    tw = NULL; /* owned by the twin now, even on failure */
  }
  dnt_twin_session_config c;
  dnt_twin_session_config_default(&c);
  size_t n = rc ? 0 : dnt_cellular_n_bs(phys);
  fields = rc ? NULL : malloc(n * sizeof *fields);
  if (!rc && !fields) rc = dnt_error(DNT_ERR_NOMEM, "twin: out of memory");
  for (size_t i = 0; i < n && fields; i++)
    fields[i] = DNT_CELL_TRAFFIC * n + i;
  c.forecast_fields = fields;
  c.n_forecast_fields = n;
  c.steps = dnt_config_int(cfg, "twin.steps");
  if (quick && c.steps == DEFAULT_STEPS) c.steps = QUICK_STEPS;
  c.horizon = (int)dnt_config_int(cfg, "twin.horizon");
  c.train_frac = dnt_config_real(cfg, "twin.train_frac");
  c.eval_stride = (size_t)dnt_config_int(cfg, "twin.eval_stride");
  c.ewma_alpha = dnt_config_real(cfg, "twin.ewma_alpha");
  c.season = (int)to_steps(86400, dt, 1);
  c.lstm.window = (int)dnt_config_int(cfg, "twin.lstm.window");
  c.lstm.hidden = (int)dnt_config_int(cfg, "twin.lstm.hidden");
  c.lstm.train_steps = (int)dnt_config_int(cfg, "twin.lstm.train_steps");
  if (quick && c.lstm.train_steps == DEFAULT_TRAIN) c.lstm.train_steps = QUICK_TRAIN;
  c.lstm.lr = (float)dnt_config_real(cfg, "twin.lstm.lr");
  c.lstm.seed = seed;
  c.store_every = dnt_config_int(cfg, "twin.store_every");
  dnt_twin_session_result res;
  if (!rc) rc = dnt_twin_session_run(t, &c, run, &res);
  if (!rc) {
    const char *sites = dnt_config_string(cfg, "cellular.sites");
    const char *traffic = dnt_config_string(cfg, "cellular.traffic");
    rc = dnt_run_summary_string(run, "world", "cellular");
    if (!rc) rc = dnt_run_summary_string(run, "sites", sites[0] ? sites : "generated");
    if (!rc) rc = dnt_run_summary_string(run, "traffic", traffic[0] ? traffic : "generated");
    if (!rc) rc = dnt_run_summary_number(run, "n_bs", (double)n);
    if (!rc) rc = dnt_run_summary_number(run, "dt_s", dt);
    if (!rc) rc = dnt_cell_missing_summary(&missing, run);
    if (!rc) report(&res, &sc, dt);
  }
  dnt_twin_destroy(t);
  dnt_world_destroy(tw);
  dnt_world_destroy(phys);
  dnt_cell_missing_report_free(&missing);
  free(scale);
  free(fields);
  return rc;
}

int cmd_twin(int argc, char **argv) {
  static const struct option longopts[] = {APP_COMMON_LONGOPTS,
                                           {"world", required_argument, 0, OPT_WORLD},
                                           {"sites", required_argument, 0, OPT_SITES},
                                           {"traffic", required_argument, 0, OPT_TRAFFIC},
                                           {"sync-period", required_argument, 0, OPT_PERIOD},
                                           {"latency", required_argument, 0, OPT_LATENCY},
                                           {"loss", required_argument, 0, OPT_LOSS},
                                           {"policy", required_argument, 0, OPT_POLICY},
                                           {"threshold", required_argument, 0, OPT_THRESHOLD},
                                           {"steps", required_argument, 0, OPT_STEPS},
                                           {0, 0, 0, 0}};
  size_t n_twin = sizeof twin_schema / sizeof twin_schema[0];
  size_t n_schema = dnt_cellular_schema_len + n_twin;
  dnt_config_field *schema = malloc(n_schema * sizeof *schema);
  if (!schema) {
    fprintf(stderr, "dnt twin: out of memory\n");
    return APP_EXIT_FAIL;
  }
  memcpy(schema, dnt_cellular_schema, dnt_cellular_schema_len * sizeof *schema);
  memcpy(schema + dnt_cellular_schema_len, twin_schema, sizeof twin_schema);
  app_opts o;
  app_opts_init(&o);
  const char *vals[N_VALUE_OPTS] = {0};
  int opt, rc = APP_EXIT_OK;
  optind = 1;
  while (rc == APP_EXIT_OK &&
         (opt = getopt_long(argc, argv, APP_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    if (opt == OPT_WORLD) {
      if (strcmp(optarg, "cellular") != 0)
        rc = app_usage_error("twin", "--world '%s': expected cellular", optarg);
    } else if (opt >= OPT_SITES && opt <= OPT_STEPS) {
      vals[opt - OPT_SITES] = optarg;
    } else {
      int h = app_common_option(&o, opt, optarg, "twin", usage, schema, n_schema);
      if (h < 0) rc = -h;
      if (h == 0) rc = app_usage_error("twin", "unknown option");
    }
  }
  if (rc == APP_EXIT_OK && optind < argc)
    rc = app_usage_error("twin", "unexpected argument '%s'", argv[optind]);
  dnt_config *cfg = NULL;
  if (rc == APP_EXIT_OK) rc = app_load_config(&o, "twin", schema, n_schema, &cfg);
  char buf[1200];
  for (int i = 0; i < N_VALUE_OPTS && rc == APP_EXIT_OK; i++) {
    if (!vals[i]) continue;
    snprintf(buf, sizeof buf, "%s=%s", opt_keys[i], vals[i]);
    if (dnt_config_set(cfg, buf)) rc = app_usage_error("twin", "%s", dnt_last_error());
  }
  dnt_run *run = NULL;
  if (rc == APP_EXIT_OK) rc = app_open_run(&o, "twin", cfg, &run);
  if (rc == APP_EXIT_OK) {
    if (twin_run(cfg, o.seed, o.quick, run)) {
      rc = app_fail("twin");
      dnt_run_abort(run, dnt_last_error());
    } else if (dnt_run_close(run)) {
      rc = app_fail("twin");
    }
  }
  dnt_config_destroy(cfg);
  free(schema);
  return rc;
}
