/* src/studies/rl_study.h: what the two files of the RL study share (internal:
 * rl.c holds the config side, rl_run.c the loop). */
#ifndef DNT_STUDIES_RL_STUDY_H
#define DNT_STUDIES_RL_STUDY_H

#include <stdint.h>

#include "dnt/study_rl.h"

/* A task's budget: its defaults for the rl.* fields left at 0, and the
 * selection return at which training stops (INFINITY: never). */
typedef struct rl_task_budget {
  const char *env;
  int64_t steps, eval_every, eval_episodes;
  double stop_return;
} rl_task_budget;

/* The budget cfg runs with: the task's, overridden by the non-zero fields. */
rl_task_budget rl_budget(const dnt_study_rl_config *cfg);

#endif
