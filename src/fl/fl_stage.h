/* src/fl/fl_stage.h: the aggregation stage shared by the synchronous and the
 * asynchronous servers: attack -> filter -> (hierarchical) rule. Private. */
#ifndef DNT_FL_STAGE_H
#define DNT_FL_STAGE_H

#include "dnt/fl_hier.h"
#include "dnt/fl_server.h"

typedef struct fl_stage {
  dnt_fl_stage_cfg cfg;
  int max_n;
  size_t d;
  dnt_agg *agg;       /* flat rule, or NULL when hierarchical */
  dnt_fl_hier *hier;  /* hierarchical rule, or NULL */
  const int *groups;  /* (n_clients) borrowed from the owner, or NULL */
  double *fw;         /* (max_n) weights after the filter */
  int *map;           /* (max_n) compacted row -> input row */
  int *rgroup;        /* (max_n) group of each compacted row */
  float *kept;        /* (max_n) */
  unsigned char *mal; /* (max_n) */
  float *root;        /* (d) FLTrust root update */
  int has_root;
} fl_stage;

/* groups (may be NULL) is borrowed; n_groups and group_rule are used when it
 * is not NULL. */
int fl_stage_init(fl_stage *st, const dnt_fl_stage_cfg *cfg, const int *groups, int n_groups,
                  const dnt_agg_params *group_rule, int max_n, size_t d);
void fl_stage_free(fl_stage *st);
/* Sets the CClip centre of the rules (borrowed; NULL = median). */
void fl_stage_set_center(fl_stage *st, const float *center);

/* Aggregates rows X (n, d) of clients ids (n) with weights w (n) and truth
 * mal (n, may be NULL) into out (d). X is attacked and compacted in place.
 * status (n) gets DNT_FL_FILTERED / DROPPED / KEPT and kept (n) the share. */
int fl_stage_run(fl_stage *st, const float *global, int round, float *X, const int *ids,
                 const double *w, const unsigned char *mal, int n, float *out,
                 unsigned char *status, float *kept, dnt_rng *rng);

#endif
