/* dnt/dnt.h: the whole public API of libdnt, a digital network twin.
 * Link with -ldnt (pkg-config deps: openblas jansson sqlite3 [igraph]).
 * Conventions: functions return 0 or a negative dnt_status (dnt/status.h) and
 * leave a message in dnt_last_error(); no function exits the process; each
 * header says who owns what. */
#ifndef DNT_DNT_H
#define DNT_DNT_H

/* base */
#include "dnt/config.h"
#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/interrupt.h"
#include "dnt/log.h"
#include "dnt/progress.h"
#include "dnt/rng.h"
#include "dnt/run.h"
#include "dnt/stats.h"
#include "dnt/status.h"
/* nn */
#include "dnt/checkpoint.h"
#include "dnt/loss.h"
#include "dnt/nn.h"
#include "dnt/optim.h"
#include "dnt/vec.h"
/* rl */
#include "dnt/cmdp.h"
#include "dnt/dqn.h"
#include "dnt/env.h"
#include "dnt/envs.h"
#include "dnt/intervention.h"
#include "dnt/policy.h"
#include "dnt/replay.h"
#include "dnt/td3.h"
/* fl */
#include "dnt/aggregate.h"
#include "dnt/attack.h"
#include "dnt/fl_async.h"
#include "dnt/fl_hier.h"
#include "dnt/fl_mpi.h"
#include "dnt/fl_quadratic.h"
#include "dnt/fl_server.h"
#include "dnt/fl_update.h"
/* twin */
#include "dnt/forecast.h"
#include "dnt/mirror.h"
#include "dnt/monitor.h"
#include "dnt/scenario.h"
#include "dnt/twin.h"
#include "dnt/twin_store.h"
#include "dnt/whatif.h"
#include "dnt/world.h"
#include "dnt/world_check.h"
/* worlds */
#include "dnt/cellular.h"
#include "dnt/cluster.h"
#include "dnt/highway.h"
/* studies */
#include "dnt/study.h"
#include "dnt/study_cluster.h"
#include "dnt/study_nn.h"
#include "dnt/study_rl.h"
#include "dnt/study_twin.h"

#endif
