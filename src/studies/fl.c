/* src/studies/fl.c: the FL study's descriptor, its config rows and checks,
 * the task it builds, and the MPI split (dnt/study_fl.h): rank 0 runs the
 * study, the other ranks serve its clients. One run is in fl_run.c, the
 * rules x attacks table in fl_table.c. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/log.h"
#include "dnt/nn.h"
#include "dnt/status.h"
#include "fl_study.h"

#define DNT_CFG_STRUCT dnt_study_fl_config
static const dnt_config_field rows[] = {DNT_STUDY_FL_ROWS(DNT_CFG_ROW)};
#undef DNT_CFG_STRUCT
enum { N_ROWS = sizeof rows / sizeof rows[0] };

static const char *const headline[] = {"final_error", "detected", "false_alarms", "missed", NULL};

static const dnt_study_alias aliases[] = {
    {"task", "fl.task"}, {"clients", "fl.clients"}, {"malicious", "fl.malicious"},
    {"rule", "fl.rule"}, {"attack", "fl.attack"},   {"rounds", "fl.rounds"},
    {"dim", "fl.dim"},   {"mode", "fl.mode"},
};

DNT_STUDY_GLUE(fl)

const dnt_study dnt_study_fl = {
    .name = "fl",
    .summary = "federated learning on the quadratic task: rules x attacks, sync/async, MPI",
    .usage = "Runs the federated quadratic task: client i minimises 0.5 ||x - mu_i||^2,\n"
             "mu_i = mu + N(0, 1), noisy gradients; the server steps x <- x - 0.5 AGG(g).\n"
             "Writes summary.json (final_error = ||x - mean honest mu|| / ||mean honest mu||),\n"
             "rounds.csv, a figure and checkpoint.state (every fl.checkpoint_every rounds;\n"
             "--resume continues from it in every mode); with --rule all and/or --attack all,\n"
             "table.csv and heatmap.svg/png instead. Under mpirun -np K the clients train\n"
             "on ranks 1..K-1.\n",
    .rows = rows,
    .n_rows = N_ROWS,
    .config_size = sizeof(dnt_study_fl_config),
    .quick = "{\"fl\": {\"rounds\": 10}}",
    .aliases = aliases,
    .n_aliases = sizeof aliases / sizeof aliases[0],
    .headline = headline,
    .main_job = 0,
    .resumable = 1,
    .check = check_thunk,
    .run = run_thunk,
};

int fl_stage_params(const dnt_study_fl_config *c, dnt_agg_params *agg, dnt_attack_params *atk) {
  dnt_agg_rule rule;
  dnt_attack_kind kind;
  dnt_agg_pre pre;
  int rc;
  if ((rc = dnt_agg_rule_parse(c->rule, &rule)) || (rc = dnt_attack_parse(c->attack, &kind)) ||
      (rc = dnt_agg_pre_parse(c->pre, &pre)))
    return rc;
  int64_t f = c->f;
  if (f < 0 && !strcmp(c->mode, "fedbuff")) /* a buffer of K holds K c / n malicious on average */
    f = (int64_t)ceil((double)c->buffer_k * (double)c->malicious / (double)c->clients);
  *agg = dnt_agg_defaults(rule);
  agg->f = (int)(f >= 0 ? f : c->malicious);
  agg->pre = pre;
  *atk = dnt_attack_defaults(kind);
  atk->knowledge = strcmp(c->knowledge, "full") ? DNT_KNOW_PARTIAL : DNT_KNOW_FULL;
  atk->ipm_eps = c->ipm_eps;
  return 0;
}

int fl_make_task(const dnt_study_fl_config *c, uint64_t seed, dnt_fl_quadratic *t,
                 unsigned char **mal) {
  int n = (int)c->clients;
  *mal = calloc((size_t)n, 1);
  if (!*mal) return dnt_error(DNT_ERR_NOMEM, "fl: out of memory");
  for (int i = 0; i < c->malicious; i++)
    (*mal)[i] = 1;
  return dnt_fl_quadratic_init(t, n, (size_t)c->dim, c->hetero, c->noise, seed, *mal);
}

/* The updates a rule `agg` must be able to aggregate: `have` of them. */
static int enough(const dnt_agg_params *agg, int have, const char *what) {
  int need = dnt_agg_min_n(agg);
  if (need <= have) return 0;
  return dnt_error(DNT_ERR_CONFIG,
                   "fl config: rule '%s' with f = %d needs n >= %d updates, got %d (%s)",
                   dnt_agg_rule_name(agg->rule), agg->f, need, have, what);
}

int dnt_study_fl_check(const dnt_study_fl_config *c) {
  if (c->malicious >= c->clients)
    return dnt_error(DNT_ERR_CONFIG,
                     "fl config: fl.malicious = %" PRId64
                     ": expected fewer than fl.clients = %" PRId64,
                     c->malicious, c->clients);
  if (c->per_round > c->clients || c->groups > c->clients)
    return dnt_error(DNT_ERR_CONFIG,
                     "fl config: fl.per_round = %" PRId64 ", fl.groups = %" PRId64
                     ": expected at most fl.clients = %" PRId64,
                     c->per_round, c->groups, c->clients);
  if (!strcmp(c->rule, "all")) return 0; /* a cell a rule cannot run is recorded in the table */
  dnt_study_fl_config one = *c;
  int all_attacks = !strcmp(c->attack, "all");
  if (all_attacks) one.attack = "none";
  dnt_agg_params agg, group;
  dnt_attack_params atk;
  int rc = fl_stage_params(&one, &agg, &atk);
  if (rc) return dnt_error(DNT_ERR_CONFIG, "fl config: %s", dnt_last_error());
  if (c->groups > 1) {
    dnt_agg_rule gr;
    if ((rc = dnt_agg_rule_parse(c->group_rule, &gr)))
      return dnt_error(DNT_ERR_CONFIG, "fl config: %s", dnt_last_error());
    group = dnt_agg_defaults(gr);
    if (!strcmp(c->mode, "sync") && c->per_round == 0 &&
        (rc = enough(&group, (int)(c->clients / c->groups), "the smallest group of fl.groups")))
      return rc;
    return enough(&agg, (int)c->groups, "one per group of fl.groups");
  }
  if (!strcmp(c->mode, "fedasync")) {
    if (dnt_agg_min_n(&agg) > 1)
      return dnt_error(DNT_ERR_CONFIG,
                       "fl config: fl.mode = 'fedasync' mixes one update at a time (FedAsync); "
                       "fl.rule = '%s' needs %d (use fedbuff with fl.buffer_k >= %d)",
                       c->rule, dnt_agg_min_n(&agg), dnt_agg_min_n(&agg));
    dnt_attack_kind k = atk.kind;
    if (k != DNT_ATTACK_NONE && k != DNT_ATTACK_GAUSSIAN && k != DNT_ATTACK_SIGNFLIP &&
        k != DNT_ATTACK_SCALING)
      return dnt_error(DNT_ERR_CONFIG,
                       "fl config: fl.mode = 'fedasync' sees one update at a time (FedAsync); "
                       "fl.attack = '%s' needs benign statistics (use fedbuff)",
                       c->attack);
    return 0;
  }
  if (!strcmp(c->mode, "fedbuff"))
    return enough(&agg, (int)(c->buffer_k < c->clients ? c->buffer_k : c->clients),
                  "fl.buffer_k a buffer");
  return enough(&agg, (int)(c->per_round ? c->per_round : c->clients),
                c->per_round ? "fl.per_round a round" : "fl.clients a round");
}

/* What rank 0 tells the other ranks: "<seed> <threads>\n<config JSON>". */
static char *share_message(const dnt_study_fl_config *cfg, uint64_t seed, int threads) {
  dnt_config *c = NULL;
  if (dnt_config_from_struct(rows, N_ROWS, cfg, "fl config", &c)) return NULL;
  char *json = dnt_config_to_json(c), *msg = NULL;
  dnt_config_destroy(c);
  size_t len = json ? strlen(json) + 64 : 0;
  if (json && (msg = malloc(len))) snprintf(msg, len, "%" PRIu64 " %d\n%s", seed, threads, json);
  free(json);
  return msg;
}

/* The transport every rank builds from the same task (collective). */
static int open_transport(const dnt_fl_quadratic *t, const unsigned char *mal, uint64_t seed,
                          int threads, dnt_fl_mpi **mpi) {
  dnt_fl_population pop = dnt_fl_population_defaults(t->n_clients, t->clients);
  pop.malicious = mal;
  pop.seed = seed;
  pop.threads = threads;
  return dnt_fl_mpi_create(&pop, t->d, mpi);
}

int dnt_study_fl_run(const dnt_study_fl_config *cfg, dnt_run *run, const dnt_study_progress *p) {
  int rc = dnt_study_check_struct(&dnt_study_fl, cfg);
  if (rc) return rc;
  fl_job j = {dnt_run_seed(run), dnt_run_threads(run), NULL, run, NULL, p};
  dnt_fl_quadratic task = {0};
  unsigned char *mal = NULL;
  char *msg = NULL;
  int table = !strcmp(cfg->rule, "all") || !strcmp(cfg->attack, "all");
  if (table && dnt_run_resuming(run)) {
    rc = dnt_error(DNT_ERR_CONFIG,
                   "fl: --resume: fl.rule = '%s', fl.attack = '%s': a table (all) has no "
                   "checkpoint; resume one rule under one attack",
                   cfg->rule, cfg->attack);
    goto cleanup;
  }
  /* --threads trains clients in parallel; the aggregation's BLAS stays on
   * one thread, since OpenBLAS may sum in another order with another thread
   * count and the model must not depend on --threads */
  dnt_blas_set_threads(1);
  if ((rc = fl_make_task(cfg, j.seed, &task, &mal))) goto cleanup;
  if (dnt_fl_mpi_size() > 1) {
    if (!(msg = share_message(cfg, j.seed, j.threads))) {
      rc = dnt_error(DNT_ERR_NOMEM, "fl: cannot write the config for the MPI ranks");
      goto cleanup;
    }
    if ((rc = dnt_fl_mpi_share_text(&msg)) ||
        (rc = open_transport(&task, mal, j.seed, j.threads, &j.mpi)))
      goto cleanup;
    DNT_INFO("fl: MPI transport, clients on %d ranks", dnt_fl_mpi_size() - 1);
    if (strcmp(cfg->mode, "sync"))
      DNT_WARN("fl: the MPI transport serves the synchronous server; %s runs on rank 0", cfg->mode);
  }
  rc = table ? fl_run_table(cfg, &j, &task, mal) : fl_run_single(cfg, &j, &task, mal);
cleanup:
  if (j.mpi) dnt_fl_mpi_stop(j.mpi);
  dnt_fl_mpi_destroy(j.mpi);
  dnt_fl_quadratic_free(&task);
  free(mal);
  free(msg);
  return rc;
}

int dnt_study_fl_serve(void) {
  char *msg = NULL;
  int rc = dnt_fl_mpi_share_text(&msg);
  if (rc) return rc;
  uint64_t seed = 0;
  int threads = 1, used = 0;
  dnt_config *c = NULL;
  dnt_study_fl_config cfg;
  dnt_fl_quadratic task = {0};
  unsigned char *mal = NULL;
  dnt_fl_mpi *mpi = NULL;
  if (sscanf(msg, "%" SCNu64 " %d\n%n", &seed, &threads, &used) != 2 || used == 0) {
    rc = dnt_error(DNT_ERR_CORRUPT, "fl: MPI rank: cannot read rank 0's message");
    goto cleanup;
  }
  if ((rc = dnt_config_create(rows, N_ROWS, &c)) ||
      (rc = dnt_config_merge_text(c, msg + used, "rank 0's config")))
    goto cleanup;
  dnt_config_to_struct(c, &cfg);
  if ((rc = fl_make_task(&cfg, seed, &task, &mal)) ||
      (rc = open_transport(&task, mal, seed, threads, &mpi)))
    goto cleanup;
  rc = dnt_fl_mpi_serve(mpi);
cleanup:
  dnt_fl_mpi_destroy(mpi);
  dnt_fl_quadratic_free(&task);
  free(mal);
  dnt_config_destroy(c);
  free(msg);
  return rc;
}
