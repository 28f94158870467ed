/* dnt/dnt.h: the whole public API of libdnt, a digital network twin.
 * Link with -ldnt (pkg-config deps: openblas jansson sqlite3 [igraph]).
 * Conventions: functions return 0 or a negative dnt_status (dnt/status.h) and
 * leave a message in dnt_last_error(); no function exits the process; each
 * header says who owns what. */
#ifndef DNT_DNT_H
#define DNT_DNT_H

#include "dnt/status.h"
#include "dnt/log.h"
#include "dnt/rng.h"
#include "dnt/fileio.h"
#include "dnt/progress.h"
#include "dnt/config.h"
#include "dnt/csv.h"
#include "dnt/run.h"
#include "dnt/figure.h"
#include "dnt/vec.h"
#include "dnt/nn.h"
#include "dnt/loss.h"
#include "dnt/optim.h"
#include "dnt/checkpoint.h"

#endif
