/* src/studies/fl_run.c: one run of the FL study (one rule under one attack)
 * with its per-round results and its exact resume (dnt/study_fl.h).
 *
 * Checkpoint and result files are one consistent state: before
 * checkpoint.state is written, rounds.csv is flushed and synced and the
 * metrics are committed, and the checkpoint records how many rounds were
 * done and how long rounds.csv was then. A run killed after that point left
 * rows and metrics of rounds the checkpoint does not hold (a torn last line
 * among them): a resume cuts rounds.csv back to the recorded length and
 * deletes those metrics (dnt_run_resume_metrics), then continues from the
 * servers' saved state, so that every result file ends as the uninterrupted
 * run's. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fl_async.h"
#include "dnt/interrupt.h"
#include "dnt/state.h"
#include "dnt/status.h"
#include "fl_study.h"

#define STATE_DESC "dnt fl study v1"

static const char *const round_cols[] = {"round",     "error",     "participated",    "stragglers",
                                         "rejected",  "filtered",  "dropped_by_rule", "true_pos",
                                         "false_pos", "false_neg", "bytes_up",        "bytes_down",
                                         "sim_time"};
enum { N_ROUND_COLS = sizeof round_cols / sizeof round_cols[0] };

/* One of the two servers behind a common face. */
typedef struct server {
  dnt_fl_server *s;
  dnt_fl_async *as;
} server;

static int server_create(const dnt_study_fl_config *c, const fl_job *j, const dnt_fl_quadratic *t,
                         const unsigned char *mal, const float *w0, server *sv) {
  int n = (int)c->clients, n_groups = (int)c->groups, rc;
  dnt_fl_stage_cfg stage = {0};
  dnt_agg_rule gr;
  if ((rc = fl_stage_params(c, &stage.agg, &stage.attack)) ||
      (rc = dnt_agg_rule_parse(c->group_rule, &gr)))
    return rc;
  stage.root_fn = dnt_fl_quadratic_root;
  stage.root_ctx = (void *)t;
  int *groups = NULL; /* client i in group i mod fl.groups */
  if (n_groups > 1) {
    if (!(groups = malloc((size_t)n * sizeof *groups)))
      return dnt_error(DNT_ERR_NOMEM, "fl: out of memory");
    for (int i = 0; i < n; i++)
      groups[i] = i % n_groups;
  }
  dnt_fl_population pop = dnt_fl_population_defaults(n, t->clients);
  pop.threads = j->threads;
  pop.seed = j->seed;
  pop.malicious = mal;
  pop.groups = groups;
  pop.n_groups = n_groups;
  if (!strcmp(c->mode, "sync")) {
    dnt_fl_server_cfg sc = dnt_fl_server_defaults(n, t->clients, t->d);
    sc.pop = pop;
    sc.server_lr = c->server_lr;
    sc.per_round = (int)c->per_round;
    sc.deadline = c->deadline;
    if (j->honest) { /* the honest column: the malicious clients offline */
      sc.pop.malicious = NULL;
      sc.pop.participation = j->honest;
      stage.attack = dnt_attack_defaults(DNT_ATTACK_NONE);
    }
    sc.group_agg = dnt_agg_defaults(gr);
    sc.stage = stage;
    rc = dnt_fl_server_create(&sc, w0, &sv->s);
    if (!rc && j->mpi) {
      dnt_fl_exec ex = dnt_fl_mpi_exec(j->mpi);
      dnt_fl_server_set_exec(sv->s, &ex);
    }
  } else {
    dnt_fl_async_cfg ac = dnt_fl_async_defaults(n, t->clients, t->d);
    ac.pop = pop;
    ac.mode = strcmp(c->mode, "fedasync") ? DNT_ASYNC_FEDBUFF : DNT_ASYNC_FEDASYNC;
    ac.server_lr = c->server_lr;
    ac.alpha = c->alpha;
    ac.buffer_k = (int)c->buffer_k;
    ac.sync_rounds = (int)c->sync_rounds;
    ac.group_agg = dnt_agg_defaults(gr);
    ac.stage = stage;
    rc = dnt_staleness_parse(c->staleness, &ac.staleness);
    if (!rc) rc = dnt_fl_async_create(&ac, w0, &sv->as);
  }
  free(groups);
  return rc;
}

static void server_destroy(server *sv) {
  dnt_fl_server_destroy(sv->s);
  dnt_fl_async_destroy(sv->as);
}

static const float *server_model(const server *sv) {
  return sv->s ? dnt_fl_server_model(sv->s) : dnt_fl_async_model(sv->as);
}

/* A round's row of rounds.csv but its error (filled by the caller). */
static void fill_row(double *v, int r, int participated, int stragglers, int rejected, int filtered,
                     int dropped, const dnt_fl_detection *det, double up, double down,
                     double time) {
  double row[N_ROUND_COLS] = {r,        0,       participated,  stragglers,     rejected,
                              filtered, dropped, det->true_pos, det->false_pos, det->false_neg,
                              up,       down,    time};
  memcpy(v, row, sizeof row);
}

/* One round (a model change when asynchronous); v (N_ROUND_COLS) gets its
 * row but the error. */
static int server_step(server *sv, int r, double *v) {
  int rc;
  if (sv->s) {
    dnt_fl_metrics m;
    rc = dnt_fl_server_round(sv->s, &m);
    fill_row(v, r, m.participated, m.stragglers, m.rejected, m.filtered, m.dropped_by_rule, &m.det,
             m.bytes_up, m.bytes_down, m.sim_time);
  } else {
    dnt_fl_async_metrics m;
    rc = dnt_fl_async_step(sv->as, &m);
    fill_row(v, r, m.aggregated, 0, m.rejected, m.filtered, m.dropped_by_rule, &m.det, m.bytes_up,
             m.bytes_down, m.time);
  }
  return rc;
}

/* Where the run stands: what a checkpoint records besides the server. */
typedef struct fl_mark {
  int64_t round;     /* rounds done (rows in rounds.csv) */
  int64_t csv_bytes; /* length of rounds.csv with those rows */
  int64_t finished;  /* 1: the loop ended (all rounds, or diverged) */
  int64_t diverged;  /* 1: a round overflowed */
  dnt_fl_detection det;
} fl_mark;

/* The single run's files. */
typedef struct fl_files {
  dnt_run *run;
  FILE *csv;             /* rounds.csv */
  char csv_path[4096];   /* its path */
  char state_path[4096]; /* checkpoint.state */
} fl_files;

/* Makes rounds.csv and the metrics durable, then writes checkpoint.state
 * atomically with the mark and the server's state. */
static int checkpoint(const server *sv, fl_files *f, fl_mark mk) {
  if (fflush(f->csv) || fsync(fileno(f->csv)))
    return dnt_error(DNT_ERR_IO, "%s: cannot flush", f->csv_path);
  long pos = ftell(f->csv);
  if (pos < 0) return dnt_error(DNT_ERR_IO, "%s: cannot tell its length", f->csv_path);
  mk.csv_bytes = pos;
  int rc = dnt_run_commit(f->run);
  if (rc) return rc;
  dnt_pack p;
  dnt_pack_init(&p);
  dnt_pack_tag(&p, "fl study");
  int64_t v[] = {mk.round,        mk.csv_bytes,     mk.finished,     mk.diverged,
                 mk.det.true_pos, mk.det.false_pos, mk.det.false_neg};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
    dnt_pack_i64(&p, v[k]);
  if (sv->s)
    dnt_fl_server_save_state(sv->s, &p);
  else
    dnt_fl_async_save_state(sv->as, &p);
  rc = dnt_pack_save(&p, f->state_path, STATE_DESC);
  dnt_pack_free(&p);
  return rc;
}

/* Reads checkpoint.state into the server and *mk; DNT_ERR_CORRUPT for a
 * value no run writes. */
static int load_checkpoint(server *sv, const fl_files *f, int64_t rounds, fl_mark *mk) {
  dnt_unpack u;
  int rc = dnt_unpack_open(&u, f->state_path, STATE_DESC);
  if (rc == DNT_ERR_IO)
    return dnt_error(DNT_ERR_IO,
                     "%s: --resume: no checkpoint (the run stopped before its first; start it "
                     "again with --force): %s",
                     f->state_path, dnt_last_error());
  if (rc) return rc;
  int64_t v[7] = {0};
  dnt_unpack_tag(&u, "fl study");
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
    dnt_unpack_i64(&u, &v[k]);
  if (!u.rc && (v[0] < 0 || v[0] > rounds || v[1] < 0 || (v[2] | v[3]) >> 1 || v[4] < 0 ||
                v[5] < 0 || v[6] < 0 || v[4] > INT32_MAX || v[5] > INT32_MAX || v[6] > INT32_MAX))
    u.rc = dnt_error(DNT_ERR_CORRUPT,
                     "%s: round %" PRId64 " of fl.rounds = %" PRId64 ", rounds.csv length %" PRId64
                     ", flags %" PRId64 " %" PRId64 ", counts %" PRId64 " %" PRId64 " %" PRId64
                     ": not a state this run writes",
                     f->state_path, v[0], rounds, v[1], v[2], v[3], v[4], v[5], v[6]);
  if (!u.rc) {
    if (sv->s)
      dnt_fl_server_load_state(sv->s, &u);
    else
      dnt_fl_async_load_state(sv->as, &u);
  }
  rc = dnt_unpack_end(&u);
  dnt_unpack_free(&u);
  if (rc) return rc;
  *mk = (fl_mark){v[0], v[1], v[2], v[3], {(int)v[4], (int)v[5], (int)v[6]}};
  if (sv->s && !mk->finished && dnt_fl_server_rounds_done(sv->s) != mk->round)
    return dnt_error(DNT_ERR_CORRUPT, "%s: the study is at round %" PRId64 ", its server at %d",
                     f->state_path, mk->round, dnt_fl_server_rounds_done(sv->s));
  return 0;
}

/* Opens rounds.csv: new with its header, or, resuming, cut back to the
 * checkpoint's length (the rows after it, torn or whole, are redone). */
static int open_rounds(fl_files *f, const fl_mark *mk, int resuming) {
  if (!resuming) {
    if (!(f->csv = fopen(f->csv_path, "w")))
      return dnt_error(DNT_ERR_IO, "%s: cannot write", f->csv_path);
    dnt_csv_write_header(f->csv, round_cols, N_ROUND_COLS);
    return 0;
  }
  if (!(f->csv = fopen(f->csv_path, "r+")))
    return dnt_error(DNT_ERR_CORRUPT,
                     "%s: cannot open it, and the checkpoint at round %" PRId64 " holds rows of it",
                     f->csv_path, mk->round);
  long len = fseek(f->csv, 0, SEEK_END) ? -1 : ftell(f->csv);
  if (len < mk->csv_bytes)
    return dnt_error(DNT_ERR_CORRUPT,
                     "%s: %ld bytes, the checkpoint at round %" PRId64 " wrote %" PRId64
                     " (not the file of this run)",
                     f->csv_path, len, mk->round, mk->csv_bytes);
  if (fflush(f->csv) || ftruncate(fileno(f->csv), (off_t)mk->csv_bytes) ||
      fseek(f->csv, (long)mk->csv_bytes, SEEK_SET))
    return dnt_error(DNT_ERR_IO, "%s: cannot cut it to %" PRId64 " bytes", f->csv_path,
                     mk->csv_bytes);
  /* the metrics logged after the checkpoint (steps >= its round) are redone */
  return dnt_run_resume_metrics(f->run, mk->round - 1);
}

/* One round's numbers: to rounds.csv and the run database. */
static int log_round(fl_files *f, const double *v) {
  dnt_csv_write_row(f->csv, v, N_ROUND_COLS);
  int rc = 0;
  for (int k = 1; k < N_ROUND_COLS && !rc; k++)
    rc = dnt_run_metric(f->run, round_cols[k], (int64_t)v[0], v[k]);
  return rc;
}

int fl_run_task(const dnt_study_fl_config *c, const fl_job *j, const dnt_fl_quadratic *t,
                const unsigned char *mal, int run_files, fl_outcome *out) {
  memset(out, 0, sizeof *out);
  server sv = {0};
  fl_files files = {j->run, NULL, "", ""};
  fl_files *f = run_files ? &files : NULL;
  fl_mark mk = {0};
  int resuming = f && dnt_run_resuming(j->run), rc = 0;
  float *w0 = calloc(t->d, sizeof *w0);
  if (!w0) return dnt_error(DNT_ERR_NOMEM, "fl: out of memory");
  if ((rc = server_create(c, j, t, mal, w0, &sv))) goto cleanup;
  if (f && ((rc = dnt_run_path(j->run, "rounds.csv", f->csv_path, sizeof f->csv_path)) ||
            (rc = dnt_run_path(j->run, "checkpoint.state", f->state_path, sizeof f->state_path)) ||
            (resuming && (rc = load_checkpoint(&sv, f, c->rounds, &mk))) ||
            (rc = open_rounds(f, &mk, resuming))))
    goto cleanup;
  double initial = dnt_fl_quadratic_error(t, w0);
  while (!mk.finished && mk.round < c->rounds) {
    int sig = f ? dnt_interrupt_pending() : 0;
    if (sig) {
      if (!(rc = checkpoint(&sv, f, mk)))
        rc = dnt_error(DNT_ERR_INTERRUPTED,
                       "fl: stopped after %" PRId64 " of %" PRId64 " rounds (signal %d)", mk.round,
                       c->rounds, sig);
      goto cleanup;
    }
    double v[N_ROUND_COLS];
    int st = server_step(&sv, (int)mk.round, v);
    v[1] = dnt_fl_quadratic_error(t, server_model(&sv));
    mk.det.true_pos += (int)v[7], mk.det.false_pos += (int)v[8], mk.det.false_neg += (int)v[9];
    if (st == DNT_ERR_NUMERIC || !isfinite(v[1])) { /* the aggregate overflowed */
      mk.diverged = 1;
      break;
    }
    if ((rc = st)) goto cleanup;
    mk.round++;
    if (!f) continue;
    if ((rc = log_round(f, v))) goto cleanup;
    dnt_study_progress_report(j->progress, "fl: rounds", (uint64_t)mk.round, (uint64_t)c->rounds);
    if (c->checkpoint_every > 0 && mk.round % c->checkpoint_every == 0 && mk.round < c->rounds &&
        (rc = checkpoint(&sv, f, mk)))
      goto cleanup;
  }
  mk.finished = 1;
  if (f && (rc = checkpoint(&sv, f, mk))) goto cleanup;
  out->final_error = dnt_fl_quadratic_error(t, server_model(&sv));
  /* diverged: ended farther from the target than it started (or not finite) */
  out->diverged = mk.diverged || !isfinite(out->final_error) || out->final_error > initial;
  out->det = mk.det;
  out->rounds = mk.round;
cleanup:
  server_destroy(&sv);
  if (files.csv) fclose(files.csv);
  free(w0);
  return rc;
}

int fl_run_single(const dnt_study_fl_config *c, const fl_job *j, const dnt_fl_quadratic *t,
                  const unsigned char *mal) {
  fl_outcome o;
  int rc = fl_run_task(c, j, t, mal, 1, &o);
  if (rc) return rc;
  dnt_run *run = j->run;
  const dnt_fl_detection *det = &o.det;
  if ((rc = o.diverged ? dnt_run_summary_string(run, "final_error", "diverged")
                       : dnt_run_summary_number(run, "final_error", o.final_error)) ||
      (rc = dnt_run_summary_string(run, "rule", c->rule)) ||
      (rc = dnt_run_summary_string(run, "attack", c->attack)) ||
      (rc = dnt_run_summary_string(run, "mode", c->mode)) ||
      (rc = dnt_run_summary_number(run, "rounds", (double)o.rounds)) ||
      (rc = dnt_run_summary_number(run, "detected", det->true_pos)) ||
      (rc = dnt_run_summary_number(run, "false_alarms", det->false_pos)) ||
      (rc = dnt_run_summary_number(run, "missed", det->false_neg)))
    return rc;
  const char *ycols[] = {"error"};
  dnt_figure_text text = {"Quadratic task: relative error per round", "round", "error", 1};
  return dnt_figure_lines(dnt_run_dir(run), "error", "rounds.csv", "round", ycols, 1, &text);
}
