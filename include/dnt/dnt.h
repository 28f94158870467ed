/* dnt/dnt.h: the whole public API of libdnt, a digital network twin.
 * Link with -ldnt (pkg-config deps: openblas jansson sqlite3 [igraph]).
 * Conventions: functions return 0 or a negative dnt_status (dnt/status.h) and
 * leave a message in dnt_last_error(); no function exits the process; each
 * header says who owns what. */
#ifndef DNT_DNT_H
#define DNT_DNT_H

/* base */
#include "dnt/status.h"
#include "dnt/log.h"
#include "dnt/rng.h"
#include "dnt/fileio.h"
#include "dnt/progress.h"
#include "dnt/config.h"
#include "dnt/csv.h"
#include "dnt/run.h"
#include "dnt/figure.h"
/* nn */
#include "dnt/vec.h"
#include "dnt/nn.h"
#include "dnt/loss.h"
#include "dnt/optim.h"
#include "dnt/checkpoint.h"
/* rl */
#include "dnt/env.h"
#include "dnt/envs.h"
#include "dnt/replay.h"
#include "dnt/policy.h"
#include "dnt/dqn.h"
#include "dnt/td3.h"
#include "dnt/cmdp.h"
#include "dnt/intervention.h"
#include "dnt/rl_task.h"
/* fl */
#include "dnt/fl_update.h"
#include "dnt/aggregate.h"
#include "dnt/attack.h"
#include "dnt/fl_server.h"
#include "dnt/fl_async.h"
#include "dnt/fl_hier.h"
#include "dnt/fl_mpi.h"
#include "dnt/fl_quadratic.h"
/* twin */
#include "dnt/world.h"
#include "dnt/world_check.h"
#include "dnt/mirror.h"
#include "dnt/twin.h"
#include "dnt/forecast.h"
#include "dnt/whatif.h"
#include "dnt/scenario.h"
#include "dnt/monitor.h"
#include "dnt/twin_store.h"
#include "dnt/twin_session.h"
/* worlds */
#include "dnt/cellular.h"
#include "dnt/cluster.h"
/* studies */
#include "dnt/study_nn.h"

#endif
