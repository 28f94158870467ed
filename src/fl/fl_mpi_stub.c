/* src/fl/fl_mpi_stub.c: the MPI transport's API when the build has no MPI
 * (see dnt/fl_mpi.h): a world of one rank, and DNT_ERR_UNSUPPORTED. */
#ifndef DNT_HAVE_MPI
#include "dnt/fl_mpi.h"
#include "dnt/status.h"

int dnt_fl_mpi_init(int *argc, char ***argv, int *rank, int *size) {
  (void)argc, (void)argv;
  *rank = 0, *size = 1;
  return 0;
}

void dnt_fl_mpi_finalize(void) {}

int dnt_fl_mpi_size(void) {
  return 1;
}

int dnt_fl_mpi_share_text(char **text) {
  (void)text;
  return dnt_error(DNT_ERR_UNSUPPORTED, "MPI transport: this build has no MPI");
}

void dnt_fl_mpi_abort(int code) {
  (void)code;
}

int dnt_fl_mpi_create(const dnt_fl_population *pop, size_t d, dnt_fl_mpi **out) {
  (void)pop, (void)d;
  *out = NULL;
  return dnt_error(DNT_ERR_UNSUPPORTED, "MPI transport: this build has no MPI (install OpenMPI "
                                        "and rebuild with -DDNT_MPI=ON)");
}

void dnt_fl_mpi_destroy(dnt_fl_mpi *t) {
  (void)t;
}

dnt_fl_exec dnt_fl_mpi_exec(dnt_fl_mpi *t) {
  (void)t;
  return (dnt_fl_exec){0, 0};
}

int dnt_fl_mpi_stop(dnt_fl_mpi *t) {
  (void)t;
  return dnt_error(DNT_ERR_UNSUPPORTED, "MPI transport: this build has no MPI");
}

int dnt_fl_mpi_serve(dnt_fl_mpi *t) {
  (void)t;
  return dnt_error(DNT_ERR_UNSUPPORTED, "MPI transport: this build has no MPI");
}
#else
/* MPI builds use fl_mpi.c; ISO C wants a translation unit to declare something. */
typedef int dnt_fl_mpi_stub_unused;
#endif
