/* src/app/cmd_fl.c: `dnt fl`, a command to explore the federated-learning
 * engine on the federated quadratic task (dnt/fl_quadratic.h).
 *
 * One rule and one attack: per-round metrics (rounds.csv, dnt.db, a figure)
 * and summary.json with final_error. `--rule all` and/or `--attack all`: the
 * table of final errors (table.csv) and its heatmap. Under `mpirun -np K` the
 * synchronous server runs on rank 0 and the clients on the other ranks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/fl_async.h"
#include "dnt/fl_mpi.h"
#include "dnt/fl_quadratic.h"
#include "dnt/log.h"
#include "dnt/nn.h"
#include "dnt/stats.h"
#include "dnt/status.h"

static const dnt_config_field schema[] = {
    {"fl.task", DNT_CFG_STRING, 0, 0, 0, "quadratic", "quadratic", "federated task"},
    {"fl.clients", DNT_CFG_INT, 2, 100000, 40, NULL, NULL, "number of clients"},
    {"fl.malicious", DNT_CFG_INT, 0, 100000, 8, NULL, NULL, "malicious clients (the first ones)"},
    {"fl.dim", DNT_CFG_INT, 1, 100000000, 50, NULL, NULL, "model dimension d"},
    {"fl.rounds", DNT_CFG_INT, 1, 1000000, 30, NULL, NULL, "rounds (async: model changes)"},
    {"fl.rule", DNT_CFG_STRING, 0, 0, 0, "krum",
     "all|mean|median|trmean|krum|multikrum|bulyan|geomed|cclip|fltrust|glid|dnc",
     "aggregation rule, or all"},
    {"fl.attack", DNT_CFG_STRING, 0, 0, 0, "lie",
     "all|none|gaussian|signflip|scaling|lie|ipm|minmax|minsum|fang_krum|fang_trim|fti",
     "poisoning attack, or all"},
    {"fl.f", DNT_CFG_INT, -1, 100000, -1, NULL, NULL,
     "f assumed by the rule; -1 = malicious (fedbuff: ceil(K malicious / clients))"},
    {"fl.pre", DNT_CFG_STRING, 0, 0, 0, "none", "none|nnm|bucketing", "pre-aggregator"},
    {"fl.knowledge", DNT_CFG_STRING, 0, 0, 0, "full", "full|partial", "attacker knowledge"},
    {"fl.ipm_eps", DNT_CFG_REAL, 0, 1e6, 0.5, NULL, NULL, "IPM epsilon"},
    {"fl.server_lr", DNT_CFG_REAL, 0, 100, 0.5, NULL, NULL, "server step: x <- x + lr AGG"},
    {"fl.hetero", DNT_CFG_REAL, 0, 1e3, 1.0, NULL, NULL, "sd of the client optima around mu"},
    {"fl.noise", DNT_CFG_REAL, 0, 1e3, 1.0, NULL, NULL, "gradient noise sd"},
    {"fl.mode", DNT_CFG_STRING, 0, 0, 0, "sync", "sync|fedasync|fedbuff", "server mode"},
    {"fl.per_round", DNT_CFG_INT, 0, 100000, 0, NULL, NULL, "sync: clients per round (0 = all)"},
    {"fl.deadline", DNT_CFG_REAL, 0, 1e9, 0, NULL, NULL, "sync: round deadline (0 = none)"},
    {"fl.buffer_k", DNT_CFG_INT, 1, 100000, 10, NULL, NULL, "fedbuff: buffer size K"},
    {"fl.alpha", DNT_CFG_REAL, 0.001, 1, 0.9, NULL, NULL, "fedasync: mixing a"},
    {"fl.staleness", DNT_CFG_STRING, 0, 0, 0, "poly", "constant|poly|hinge|inv|inv_sqrt",
     "async staleness function"},
    {"fl.sync_rounds", DNT_CFG_INT, 0, 1000000, 0, NULL, NULL, "async: synchronous rounds first"},
    {"fl.seeds", DNT_CFG_INT, 1, 1000, 5, NULL, NULL,
     "--attack all: seeds per cell (seed, seed + 1, ...), mean and spread reported"},
};
static const size_t n_schema = sizeof schema / sizeof schema[0];

static const char usage[] =
    "usage: dnt fl [options]\n\n"
    "Runs the federated quadratic task: client i minimises 0.5 ||x - mu_i||^2,\n"
    "mu_i = mu + N(0, 1), noisy gradients; the server steps x <- x - 0.5 AGG(g).\n"
    "Writes summary.json (final_error = ||x - mean honest mu|| / ||mean honest mu||),\n"
    "rounds.csv and a figure; with --rule all and/or --attack all, table.csv and\n"
    "heatmap.svg/png instead. Under mpirun -np K the clients train on ranks 1..K-1.\n\n"
    "options:\n"
    "      --task NAME     quadratic\n"
    "      --clients N     clients (default 40)\n"
    "      --malicious N   malicious clients (default 8)\n"
    "      --rule NAME     mean median trmean krum multikrum bulyan geomed cclip\n"
    "                      fltrust glid dnc, or all (default krum)\n"
    "      --attack NAME   none gaussian signflip scaling lie ipm minmax minsum\n"
    "                      fang_krum fang_trim fti, or all (default lie)\n"
    "      --rounds N      rounds (default 30)\n"
    "      --dim N         model dimension (default 50)\n"
    "      --mode M        sync, fedasync or fedbuff (default sync)\n"
    "      --resume        continue from the checkpoint in --out (sync mode)\n" APP_COMMON_HELP;

typedef struct fl_job {
  const dnt_config *cfg;
  uint64_t seed;
  int threads;
  dnt_fl_mpi *mpi;  /* rank 0 executor, or NULL */
  dnt_run *run;     /* the result folder */
  int per_round;    /* 1: rounds.csv and per-round metrics */
  const char *ckpt; /* checkpoint path or NULL */
  int resume;
  const double *honest; /* sync: participation that leaves the malicious out, or NULL */
} fl_job;

typedef struct fl_outcome {
  double final_error;
  int diverged;
  int tp, fp, fn;
} fl_outcome;

static int parse_names(const dnt_config *c, dnt_agg_params *agg, dnt_attack_params *atk) {
  dnt_agg_rule rule;
  dnt_attack_kind kind;
  dnt_agg_pre pre;
  int rc = dnt_agg_rule_parse(dnt_config_string(c, "fl.rule"), &rule);
  if (!rc) rc = dnt_attack_parse(dnt_config_string(c, "fl.attack"), &kind);
  if (!rc) rc = dnt_agg_pre_parse(dnt_config_string(c, "fl.pre"), &pre);
  if (rc) return rc;
  int f = (int)dnt_config_int(c, "fl.f"), nm = (int)dnt_config_int(c, "fl.malicious");
  if (f < 0 && !strcmp(dnt_config_string(c, "fl.mode"), "fedbuff")) {
    /* a buffer of K holds K c / n malicious updates on average */
    int k = (int)dnt_config_int(c, "fl.buffer_k"), n = (int)dnt_config_int(c, "fl.clients");
    f = (int)ceil((double)k * nm / n);
  }
  *agg = dnt_agg_defaults(rule);
  agg->f = f >= 0 ? f : nm;
  agg->pre = pre;
  *atk = dnt_attack_defaults(kind);
  atk->knowledge =
      strcmp(dnt_config_string(c, "fl.knowledge"), "full") ? DNT_KNOW_PARTIAL : DNT_KNOW_FULL;
  atk->ipm_eps = dnt_config_real(c, "fl.ipm_eps");
  return 0;
}

static const char *const round_cols[] = {"round",     "error",     "participated",    "stragglers",
                                         "rejected",  "filtered",  "dropped_by_rule", "true_pos",
                                         "false_pos", "false_neg", "bytes_up",        "bytes_down",
                                         "sim_time"};
enum { N_ROUND_COLS = sizeof round_cols / sizeof round_cols[0] };

/* One round's numbers: to rounds.csv and the run database. */
static void log_round(fl_job *j, FILE *csv, const double *v) {
  if (!csv) return;
  dnt_csv_write_row(csv, v, N_ROUND_COLS);
  for (int k = 1; k < N_ROUND_COLS; k++)
    dnt_run_metric(j->run, round_cols[k], (int64_t)v[0], v[k]);
  dnt_run_commit(j->run);
}

/* Runs the task with the job's config; *out gets the outcome. */
static int run_task(fl_job *j, const dnt_fl_quadratic *t, const unsigned char *mal,
                    fl_outcome *out) {
  const dnt_config *c = j->cfg;
  memset(out, 0, sizeof *out);
  int n = (int)dnt_config_int(c, "fl.clients"), rounds = (int)dnt_config_int(c, "fl.rounds");
  size_t d = t->d;
  dnt_fl_stage_cfg stage = {0};
  int rc = parse_names(c, &stage.agg, &stage.attack);
  if (rc) return rc;
  stage.root_fn = dnt_fl_quadratic_root;
  stage.root_ctx = (void *)t;
  float *w0 = calloc(d, sizeof *w0);
  if (!w0) return dnt_error(DNT_ERR_NOMEM, "dnt fl: out of memory");
  FILE *csv = NULL;
  char path[4096];
  if (j->per_round && !dnt_run_path(j->run, "rounds.csv", path, sizeof path)) {
    csv = fopen(path, j->resume ? "a" : "w"); /* a resumed run appends its rounds */
    if (!csv) {
      free(w0);
      return dnt_error(DNT_ERR_IO, "%s: cannot write", path);
    }
    if (!j->resume) dnt_csv_write_header(csv, round_cols, N_ROUND_COLS);
  }
  const char *mode = dnt_config_string(c, "fl.mode");
  dnt_fl_server *s = NULL;
  dnt_fl_async *as = NULL;
  if (!strcmp(mode, "sync")) {
    dnt_fl_server_cfg sc = dnt_fl_server_defaults(n, t->clients, d);
    sc.server_lr = dnt_config_real(c, "fl.server_lr");
    sc.per_round = (int)dnt_config_int(c, "fl.per_round");
    sc.deadline = dnt_config_real(c, "fl.deadline");
    sc.pop.threads = j->threads;
    sc.pop.seed = j->seed;
    sc.pop.malicious = j->honest ? NULL : mal;
    sc.pop.participation = j->honest;
    if (j->honest) stage.attack = dnt_attack_defaults(DNT_ATTACK_NONE);
    sc.stage = stage;
    sc.checkpoint = j->ckpt;
    rc = dnt_fl_server_create(&sc, w0, &s);
    if (!rc && j->mpi) {
      dnt_fl_exec ex = dnt_fl_mpi_exec(j->mpi);
      dnt_fl_server_set_exec(s, &ex);
    }
    if (!rc && j->resume) rc = dnt_fl_server_resume(s, j->ckpt);
  } else {
    dnt_fl_async_cfg ac = dnt_fl_async_defaults(n, t->clients, d);
    ac.mode = strcmp(mode, "fedasync") ? DNT_ASYNC_FEDBUFF : DNT_ASYNC_FEDASYNC;
    ac.server_lr = dnt_config_real(c, "fl.server_lr");
    ac.alpha = dnt_config_real(c, "fl.alpha");
    ac.buffer_k = (int)dnt_config_int(c, "fl.buffer_k");
    ac.sync_rounds = (int)dnt_config_int(c, "fl.sync_rounds");
    if (!rc) rc = dnt_staleness_parse(dnt_config_string(c, "fl.staleness"), &ac.staleness);
    ac.pop.threads = j->threads;
    ac.pop.seed = j->seed;
    ac.pop.malicious = mal;
    ac.stage = stage;
    if (!rc) rc = dnt_fl_async_create(&ac, w0, &as);
  }
  double initial = dnt_fl_quadratic_error(t, w0);
  int r = s ? dnt_fl_server_rounds_done(s) : 0;
  for (; !rc && r < rounds; r++) {
    double v[N_ROUND_COLS] = {r};
    if (s) {
      dnt_fl_metrics m;
      rc = dnt_fl_server_round(s, &m);
      double row[] = {r,
                      0,
                      m.participated,
                      m.stragglers,
                      m.rejected,
                      m.filtered,
                      m.dropped_by_rule,
                      m.det.true_pos,
                      m.det.false_pos,
                      m.det.false_neg,
                      m.bytes_up,
                      m.bytes_down,
                      m.sim_time};
      memcpy(v, row, sizeof v);
    } else {
      dnt_fl_async_metrics m;
      rc = dnt_fl_async_step(as, &m);
      double row[] = {r,
                      0,
                      m.aggregated,
                      0,
                      m.rejected,
                      m.filtered,
                      m.dropped_by_rule,
                      m.det.true_pos,
                      m.det.false_pos,
                      m.det.false_neg,
                      m.bytes_up,
                      m.bytes_down,
                      m.time};
      memcpy(v, row, sizeof v);
    }
    v[1] = dnt_fl_quadratic_error(t, s ? dnt_fl_server_model(s) : dnt_fl_async_model(as));
    out->tp += (int)v[7], out->fp += (int)v[8], out->fn += (int)v[9];
    if (rc == DNT_ERR_NUMERIC || !isfinite(v[1])) { /* the aggregate overflowed */
      out->diverged = 1;
      rc = 0;
      break;
    }
    if (!rc) log_round(j, csv, v);
  }
  if (s || as)
    out->final_error =
        dnt_fl_quadratic_error(t, s ? dnt_fl_server_model(s) : dnt_fl_async_model(as));
  /* diverged: ended farther from the target than it started (or not finite) */
  if (!isfinite(out->final_error) || out->final_error > initial) out->diverged = 1;
  dnt_fl_server_destroy(s);
  dnt_fl_async_destroy(as);
  if (csv) fclose(csv);
  free(w0);
  return rc;
}

/* Builds the task and the malicious flags (the first `malicious` clients). */
static int make_task(const dnt_config *c, uint64_t seed, dnt_fl_quadratic *t, unsigned char **mal) {
  int n = (int)dnt_config_int(c, "fl.clients"), nm = (int)dnt_config_int(c, "fl.malicious");
  if (nm >= n)
    return dnt_error(DNT_ERR_CONFIG, "fl.malicious = %d: expected fewer than fl.clients = %d", nm,
                     n);
  *mal = calloc((size_t)n, 1);
  if (!*mal) return dnt_error(DNT_ERR_NOMEM, "dnt fl: out of memory");
  for (int i = 0; i < nm; i++)
    (*mal)[i] = 1;
  return dnt_fl_quadratic_init(t, n, (size_t)dnt_config_int(c, "fl.dim"),
                               dnt_config_real(c, "fl.hetero"), dnt_config_real(c, "fl.noise"),
                               seed, *mal);
}

/* One cell of the table: the outcome over the seeds. */
typedef struct fl_cell {
  double err[1000]; /* (seeds) final error, NaN where the run failed */
  int n, diverged;
  dnt_fl_detection det;
} fl_cell;

/* Runs one rule under one attack (or honest: the malicious left out) for
 * every seed; tasks (seeds) were built by the caller. */
static void run_cell(fl_job *j, dnt_config *cfg, const dnt_fl_quadratic *tasks, int seeds,
                     const unsigned char *mal, const double *honest, const char *rn, const char *an,
                     fl_cell *cell) {
  memset(cell, 0, sizeof *cell);
  char set[128];
  snprintf(set, sizeof set, "fl.rule=%s", rn);
  int rc = dnt_config_set(cfg, set);
  snprintf(set, sizeof set, "fl.attack=%s", honest ? "none" : an);
  if (!rc) rc = dnt_config_set(cfg, set);
  uint64_t seed0 = j->seed;
  j->honest = honest;
  for (int k = 0; k < seeds; k++) {
    fl_outcome o;
    j->seed = seed0 + (uint64_t)k;
    if (rc || run_task(j, &tasks[k], mal, &o)) {
      /* a combination the rule cannot run (e.g. n < g(f)) is recorded, not fatal */
      DNT_WARN("fl: %s x %s (seed %llu): %s", rn, an, (unsigned long long)j->seed,
               dnt_last_error());
      cell->err[cell->n++] = NAN;
      continue;
    }
    cell->err[cell->n++] = o.diverged ? INFINITY : o.final_error;
    cell->diverged += o.diverged;
    cell->det.true_pos += o.tp, cell->det.false_pos += o.fp, cell->det.false_neg += o.fn;
  }
  j->seed = seed0;
  j->honest = NULL;
}

/* A number for the CSV, or an empty field when it is not defined. */
static void csv_num(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, ",%.6g", v);
  else
    fputc(',', f);
}

/* The rules x attacks table (either may be a single name); with --attack all
 * every cell runs fl.seeds seeds, and an `honest` column (the same run with
 * the malicious clients left out) is added. */
static int run_table(fl_job *j, dnt_config *cfg, const dnt_fl_quadratic *tasks, int seeds,
                     const unsigned char *mal, const double *honest) {
  char rule0[64], atk0[64], path[4096];
  snprintf(rule0, sizeof rule0, "%s", dnt_config_string(cfg, "fl.rule"));
  snprintf(atk0, sizeof atk0, "%s", dnt_config_string(cfg, "fl.attack"));
  dnt_afile *af = NULL; /* the table appears whole or not at all */
  int rc = dnt_run_path(j->run, "table.csv", path, sizeof path);
  if (!rc) rc = dnt_afile_open(path, &af);
  if (rc) return rc;
  fl_cell *cell = malloc(sizeof *cell);
  if (!cell) {
    dnt_afile_abort(af);
    return dnt_error(DNT_ERR_NOMEM, "dnt fl: out of memory");
  }
  FILE *f = dnt_afile_stream(af);
  fprintf(f, "rule,attack,final_error,final_error_sd,seeds,diverged,precision,recall,"
             "error_reduction\n");
  for (int r = 0; r < DNT_AGG_N_RULES && !rc; r++) {
    const char *rn = dnt_agg_rule_name((dnt_agg_rule)r);
    if (strcmp(rule0, "all") && strcmp(rule0, rn)) continue;
    for (int a = 0; a <= DNT_ATTACK_N_KINDS && !rc; a++) {
      int is_honest = a == DNT_ATTACK_N_KINDS;
      const char *an = is_honest ? "honest" : dnt_attack_name((dnt_attack_kind)a);
      if (is_honest ? !honest : strcmp(atk0, "all") && strcmp(atk0, an)) continue;
      run_cell(j, cfg, tasks, seeds, mal, is_honest ? honest : NULL, rn, an, cell);
      double mean = NAN, sd = NAN;
      if (!cell->diverged) dnt_mean_sd(cell->err, (size_t)cell->n, &mean, &sd);
      /* The heatmap shows 1 - final_error (x = 0, the start, has error 1):
       * higher is better, as the red-to-green palette reads. A diverged cell
       * (some seed ended above the initial error) is marked -1, the only
       * negative value: every other cell ended at or below 1. */
      double red = cell->diverged ? -1 : 1 - mean;
      fprintf(f, "%s,%s", rn, an);
      csv_num(f, mean);
      csv_num(f, sd);
      fprintf(f, ",%d,%d", cell->n, cell->diverged);
      csv_num(f, dnt_fl_precision(&cell->det));
      csv_num(f, dnt_fl_recall(&cell->det));
      csv_num(f, red);
      fputc('\n', f);
      printf("  %-10s %-10s final_error %s%.4g +- %.2g\n", rn, an,
             cell->diverged ? "diverged " : "", mean, sd);
      char key[96];
      snprintf(key, sizeof key, "final_error.%s.%s", rn, an);
      if (isfinite(mean))
        dnt_run_summary_number(j->run, key, mean);
      else
        dnt_run_summary_string(j->run, key, cell->diverged ? "diverged" : "error");
    }
  }
  free(cell);
  if (rc) {
    dnt_afile_abort(af);
    return rc;
  }
  if ((rc = dnt_afile_commit(af))) return rc;
  dnt_figure_text text = {"Quadratic task: 1 - mean final error over the seeds (1 solved, 0 no "
                          "better than x = 0, -1 diverged)",
                          "attack", "rule", 0};
  return dnt_figure_heatmap(dnt_run_dir(j->run), "heatmap", "table.csv", "attack", "rule",
                            "error_reduction", &text);
}

static int run_single(fl_job *j, const dnt_config *cfg, const dnt_fl_quadratic *t,
                      const unsigned char *mal) {
  fl_outcome o;
  int rc = run_task(j, t, mal, &o);
  if (rc) return rc;
  if (o.diverged)
    dnt_run_summary_string(j->run, "final_error", "diverged");
  else
    dnt_run_summary_number(j->run, "final_error", o.final_error);
  dnt_run_summary_string(j->run, "rule", dnt_config_string(cfg, "fl.rule"));
  dnt_run_summary_string(j->run, "attack", dnt_config_string(cfg, "fl.attack"));
  dnt_run_summary_number(j->run, "detected", o.tp);
  dnt_run_summary_number(j->run, "false_alarms", o.fp);
  dnt_run_summary_number(j->run, "missed", o.fn);
  printf("fl: %s under %s: final_error %s%.4g (detected %d, false alarms %d, missed %d)\n",
         dnt_config_string(cfg, "fl.rule"), dnt_config_string(cfg, "fl.attack"),
         o.diverged ? "diverged " : "", o.final_error, o.tp, o.fp, o.fn);
  const char *ycols[] = {"error"};
  dnt_figure_text text = {"Quadratic task: relative error per round", "round", "error", 1};
  return dnt_figure_lines(dnt_run_dir(j->run), "error", "rounds.csv", "round", ycols, 1, &text);
}

/* The table: tasks for fl.seeds seeds with --attack all (one otherwise),
 * and the honest column's participation in the synchronous mode. */
static int table_cmd(fl_job *j, dnt_config *cfg, const dnt_fl_quadratic *task0,
                     const unsigned char *mal) {
  int all = !strcmp(dnt_config_string(cfg, "fl.attack"), "all");
  int seeds = all ? (int)dnt_config_int(cfg, "fl.seeds") : 1, n = task0->n_clients, rc = 0;
  dnt_fl_quadratic *tasks = calloc((size_t)seeds, sizeof *tasks);
  double *honest = all && !strcmp(dnt_config_string(cfg, "fl.mode"), "sync")
                       ? malloc((size_t)n * sizeof *honest)
                       : NULL;
  unsigned char *m2 = NULL;
  if (!tasks || (all && !strcmp(dnt_config_string(cfg, "fl.mode"), "sync") && !honest))
    rc = dnt_error(DNT_ERR_NOMEM, "dnt fl: out of memory");
  for (int i = 0; !rc && honest && i < n; i++)
    honest[i] = mal[i] ? 0 : 1;
  for (int k = 0; !rc && k < seeds; k++) {
    if (k == 0) {
      tasks[0] = *task0;
      continue;
    }
    free(m2);
    m2 = NULL;
    rc = make_task(cfg, j->seed + (uint64_t)k, &tasks[k], &m2);
  }
  if (!rc) rc = run_table(j, cfg, tasks, seeds, mal, honest);
  for (int k = 1; tasks && k < seeds; k++)
    dnt_fl_quadratic_free(&tasks[k]);
  free(tasks);
  free(honest);
  free(m2);
  return rc;
}

/* --resume continues one synchronous run from its checkpoint: a table has no
 * single checkpoint and the asynchronous servers write none, so both would
 * silently start again (and append a second run to rounds.csv). */
static int check_resume(const dnt_config *cfg) {
  const char *mode = dnt_config_string(cfg, "fl.mode");
  const char *rule = dnt_config_string(cfg, "fl.rule");
  const char *atk = dnt_config_string(cfg, "fl.attack");
  if (strcmp(mode, "sync"))
    return app_usage_error("fl",
                           "--resume: fl.mode = '%s': only the synchronous server "
                           "(sync) checkpoints",
                           mode);
  if (!strcmp(rule, "all") || !strcmp(atk, "all"))
    return app_usage_error("fl",
                           "--resume: fl.rule = '%s', fl.attack = '%s': a table (all) "
                           "has no checkpoint; resume one rule under one attack",
                           rule, atk);
  return 0;
}

/* Turns --name VALUE into the config assignment "fl.name=VALUE". */
static int add_set(app_opts *o, char (*buf)[160], int *nb, const char *key, const char *val) {
  if (*nb >= 16 || o->n_sets >= APP_MAX_SETS) return app_usage_error("fl", "too many options");
  snprintf(buf[*nb], sizeof buf[*nb], "fl.%s=%s", key, val);
  o->sets[o->n_sets++] = buf[(*nb)++];
  return 0;
}

int cmd_fl(int argc, char **argv) {
  static const struct option longopts[] = {APP_COMMON_LONGOPTS,
                                           {"task", required_argument, 0, 2001},
                                           {"clients", required_argument, 0, 2002},
                                           {"malicious", required_argument, 0, 2003},
                                           {"rule", required_argument, 0, 2004},
                                           {"attack", required_argument, 0, 2005},
                                           {"rounds", required_argument, 0, 2006},
                                           {"dim", required_argument, 0, 2007},
                                           {"mode", required_argument, 0, 2008},
                                           {"resume", no_argument, 0, 2009},
                                           {0, 0, 0, 0}};
  static const char *const keys[] = {"task",   "clients", "malicious", "rule",
                                     "attack", "rounds",  "dim",       "mode"};
  app_opts o;
  app_opts_init(&o);
  char sets[16][160];
  int nb = 0, resume = 0, opt, rc = 0;
  optind = 1;
  while (!rc && (opt = getopt_long(argc, argv, APP_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    if (opt >= 2001 && opt <= 2008) {
      rc = add_set(&o, sets, &nb, keys[opt - 2001], optarg);
    } else if (opt == 2009) {
      resume = 1;
    } else {
      int h = app_common_option(&o, opt, optarg, "fl", usage, schema, n_schema);
      if (h < 0)
        rc = -h;
      else if (h == 0)
        rc = app_usage_error("fl", "unknown option");
    }
  }
  if (!rc && optind < argc) rc = app_usage_error("fl", "unexpected argument '%s'", argv[optind]);
  if (!rc && resume && !o.out) rc = app_usage_error("fl", "--resume needs --out DIR of the run");
  if (rc) return rc;
  int rank = 0, size = 1;
  if (dnt_fl_mpi_init(&argc, &argv, &rank, &size)) return app_fail("fl");
  dnt_config *cfg = NULL;
  rc = app_load_config(&o, "fl", schema, n_schema, &cfg);
  dnt_fl_quadratic task = {0};
  unsigned char *mal = NULL;
  dnt_fl_mpi *mpi = NULL;
  dnt_run *run = NULL;
  if (!rc && make_task(cfg, o.seed, &task, &mal)) rc = app_fail("fl");
  if (!rc && size > 1 &&
      dnt_fl_mpi_create(&(dnt_fl_population){.n_clients = task.n_clients,
                                             .clients = task.clients,
                                             .malicious = mal,
                                             .n_groups = 1,
                                             .seed = o.seed,
                                             .threads = o.threads},
                        task.d, &mpi))
    rc = app_fail("fl");
  if (!rc && mpi && rank == 0) DNT_INFO("fl: MPI transport, clients on %d ranks", size - 1);
  if (!rc && rank > 0) { /* a client rank: train until the server is done */
    if (dnt_fl_mpi_serve(mpi)) rc = app_fail("fl");
    goto done;
  }
  if (!rc && resume) rc = check_resume(cfg);
  if (!rc) rc = app_open_run(&o, "fl", cfg, &run);
  /* --threads trains clients in parallel; the aggregation's BLAS stays on
   * one thread, since OpenBLAS may sum in another order with another thread
   * count and the model must not depend on --threads */
  dnt_blas_set_threads(1);
  if (!rc) {
    const char *rule = dnt_config_string(cfg, "fl.rule");
    const char *atk = dnt_config_string(cfg, "fl.attack");
    char ckpt[4096];
    fl_job j = {cfg, o.seed, o.threads, mpi, run, 0, NULL, resume};
    int table = !strcmp(rule, "all") || !strcmp(atk, "all");
    j.per_round = !table;
    if (!table && !dnt_run_path(run, "server.ckpt", ckpt, sizeof ckpt)) j.ckpt = ckpt;
    if (size > 1 && strcmp(dnt_config_string(cfg, "fl.mode"), "sync"))
      DNT_WARN("fl: the MPI transport serves the synchronous server; %s runs on rank 0",
               dnt_config_string(cfg, "fl.mode"));
    int st = table ? table_cmd(&j, cfg, &task, mal) : run_single(&j, cfg, &task, mal);
    if (st) {
      rc = app_fail("fl");
      dnt_run_abort(run, dnt_last_error());
    } else if (dnt_run_close(run)) {
      rc = app_fail("fl");
    }
  }
  if (mpi && rank == 0) dnt_fl_mpi_stop(mpi);
done:
  dnt_fl_mpi_destroy(mpi);
  dnt_fl_quadratic_free(&task);
  free(mal);
  dnt_config_destroy(cfg);
  dnt_fl_mpi_finalize();
  return rc;
}
