/* src/app/cmd_fl.c: `dnt fl`, the FL study of the registry (dnt/study_fl.h)
 * through the generic study command, plus its MPI split: under `mpirun -np K`
 * rank 0 runs the command (options, config, checks, result folder, server)
 * and ranks 1..K-1 serve its clients with the config rank 0 sends them, so
 * they read no options and write nothing. */
#include "app.h"
#include "commands.h"
#include "dnt/fl_mpi.h"
#include "dnt/study_fl.h"

int cmd_fl(int argc, char **argv) {
  int rank = 0, size = 1;
  if (dnt_fl_mpi_init(&argc, &argv, &rank, &size)) return app_fail("fl");
  int rc = APP_EXIT_OK;
  if (rank > 0) {
    if (dnt_study_fl_serve()) rc = app_fail("fl");
  } else {
    rc = app_study_main(&dnt_study_fl, argc, argv);
    /* rank 0 ended before or after its server: the other ranks may still
     * wait for the config, and would wait forever */
    if (size > 1 && rc != APP_EXIT_OK) dnt_fl_mpi_abort(rc);
  }
  dnt_fl_mpi_finalize();
  return rc;
}
