/* src/fl/fl_stage.h: the aggregation stage shared by the synchronous and the
 * asynchronous servers: attack -> filter -> (hierarchical) rule, with its
 * workspace (the rule's, the attack's, the filter weights) allocated once, and
 * the detection counts. Private. */
#ifndef DNT_FL_STAGE_H
#define DNT_FL_STAGE_H

#include "dnt/fl_hier.h"
#include "dnt/fl_server.h"
#include "dnt/state.h"

typedef struct fl_stage {
  dnt_fl_stage_cfg cfg;
  int max_n;
  size_t d;
  uint64_t seed;
  dnt_agg *agg;       /* flat rule, or NULL when hierarchical */
  dnt_fl_hier *hier;  /* hierarchical rule, or NULL */
  dnt_attack_ws *atk; /* attack scratch, or NULL without attack */
  const int *groups;  /* (n_clients) borrowed from the owner's population, or NULL */
  double *fw;         /* (max_n) weights after the filter */
  int *map;           /* (max_n) compacted row -> input row */
  int *rgroup;        /* (max_n) group of each compacted row */
  float *kept;        /* (max_n) */
  unsigned char *mal; /* (max_n) */
  float *root;        /* (d) FLTrust root update */
} fl_stage;

/* The population's groups (borrowed; NULL = flat) choose the hierarchical
 * rule with group_rule inside the groups; seed derives the stage's streams. */
int fl_stage_init(fl_stage *st, const dnt_fl_stage_cfg *cfg, const dnt_fl_population *pop,
                  const dnt_agg_params *group_rule, int max_n, size_t d);
void fl_stage_free(fl_stage *st);

/* The owner's regroup: checks the new groups (NULL = none) against *pop
 * (the owner's copy), builds a stage for them, and only then replaces *st,
 * pop's groups (copied) and *gbytes (2 n_groups zeros: bytes down, up). On
 * error nothing changes. `who` prefixes the messages. */
int fl_stage_regroup(fl_stage *st, const dnt_fl_stage_cfg *cfg, dnt_fl_population *pop,
                     const dnt_agg_params *group_rule, int max_n, size_t d, const int *groups,
                     int n_groups, double **gbytes, const char *who);
/* Sets the CClip centre of the rules (borrowed; NULL = median). */
void fl_stage_set_center(fl_stage *st, const float *center);

/* Aggregates rows X (n, d) of clients ids (n) with weights w (n) and truth
 * mal (n, may be NULL) into out (d), as server version `round`: the attack
 * draws from DNT_STREAM_ATTACK and the rule from DNT_STREAM_SERVER, index
 * round. X is attacked and compacted in place. status (n) gets
 * DNT_FL_FILTERED / DROPPED / KEPT and kept (n) the share; det (may be NULL)
 * adds the detection counts when mal is given. */
int fl_stage_run(fl_stage *st, const float *global, int round, float *X, const int *ids,
                 const double *w, const unsigned char *mal, int n, float *out,
                 unsigned char *status, float *kept, dnt_fl_detection *det);

/* A server state's groups section (dnt/state.h): n_groups (0 = none) and,
 * with groups, every client's group. */
int fl_pack_groups(dnt_pack *p, const dnt_fl_population *pop);
/* Reads that section for a population of n_clients: *groups gets a malloc'd
 * array (NULL without groups; the caller frees) whose range the owner's
 * regroup checks. */
int fl_unpack_groups(dnt_unpack *u, int n_clients, int **groups, int *n_groups);
/* 1 when `groups` (n_groups; NULL = none) is the population's grouping. */
int fl_same_groups(const dnt_fl_population *pop, const int *groups, int n_groups);

#endif
