/* src/studies/fl_study.h: what the files of the FL study share (internal:
 * fl.c holds the descriptor, the checks and the MPI worker, fl_run.c one run
 * with its checkpoints, fl_table.c the rules x attacks table). */
#ifndef DNT_STUDIES_FL_STUDY_H
#define DNT_STUDIES_FL_STUDY_H

#include <stdint.h>

#include "dnt/fl_mpi.h"
#include "dnt/fl_quadratic.h"
#include "dnt/fl_server.h"
#include "dnt/study_fl.h"

/* What one run of the task needs besides its config. */
typedef struct fl_job {
  uint64_t seed;
  int threads;
  dnt_fl_mpi *mpi;      /* rank 0's transport, or NULL */
  dnt_run *run;         /* the result folder */
  const double *honest; /* sync: participation that leaves the malicious out, or NULL */
  const dnt_study_progress *progress; /* or NULL */
} fl_job;

typedef struct fl_outcome {
  int64_t rounds; /* rounds done */
  double final_error;
  int diverged; /* ended above the initial error, or not finite */
  dnt_fl_detection det;
} fl_outcome;

/* The rule and attack parameters cfg describes (fl.rule and fl.attack single
 * names); DNT_ERR_CONFIG for a name the library does not know. */
int fl_stage_params(const dnt_study_fl_config *cfg, dnt_agg_params *agg, dnt_attack_params *atk);

/* The task of `seed` and the malicious flags (the first fl.malicious clients;
 * *mal malloc'd, the caller frees it and the task). */
int fl_make_task(const dnt_study_fl_config *cfg, uint64_t seed, dnt_fl_quadratic *t,
                 unsigned char **mal);

/* Runs cfg (one rule, one attack) on task t. With `run_files` set it is the
 * study's single run: rounds.csv, per-round metrics, checkpoint.state every
 * fl.checkpoint_every rounds, at a stop request and at the end, and resuming
 * from it when the run resumes; else a table cell (nothing written). */
int fl_run_task(const dnt_study_fl_config *cfg, const fl_job *j, const dnt_fl_quadratic *t,
                const unsigned char *mal, int run_files, fl_outcome *out);

/* The study's single run: fl_run_task with its files, summary and figure. */
int fl_run_single(const dnt_study_fl_config *cfg, const fl_job *j, const dnt_fl_quadratic *t,
                  const unsigned char *mal);

/* The rules x attacks table (fl.rule and/or fl.attack "all"). */
int fl_run_table(const dnt_study_fl_config *cfg, const fl_job *j, const dnt_fl_quadratic *task0,
                 const unsigned char *mal);

#endif
