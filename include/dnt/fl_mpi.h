/* dnt/fl_mpi.h: the MPI transport of the synchronous server (OpenMPI).
 *
 * `mpirun -np K program`: rank 0 runs the server (dnt/fl_server.h) with the
 * executor below; ranks 1..K-1 host the clients and train them. Every rank
 * builds the same client objects (same task, same seed); job k of a round is
 * trained by rank 1 + (k mod (K - 1)) with the same random stream as in
 * process (dnt_fl_client_rng, dnt/fl_population.h), so the final model is bit-identical to an
 * in-process run with the same seed.
 * Per round: rank 0 broadcasts (round, m, d), the m client ids and the global
 * model (d floats); each job's result comes back as its metadata (status,
 * length, sample count, compute time) then its floats. A length other than d
 * arrives as sent and is rejected by the server like any bad update.
 * Rank failure: OpenMPI ends the job; the server's per-round checkpoint
 * (dnt_fl_server_cfg.checkpoint) and dnt_fl_server_resume continue the run.
 *
 * Built when CMake finds MPI (DNT_HAVE_MPI); otherwise every function but
 * dnt_fl_mpi_init returns DNT_ERR_UNSUPPORTED, and dnt_fl_mpi_init reports a
 * world of size 1. Not thread-safe: one handle, driven from one thread. */
#ifndef DNT_FL_MPI_H
#define DNT_FL_MPI_H

#include <stdint.h>

#include "dnt/fl_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Initialises MPI only when the process was started by mpirun (OpenMPI's or a
 * PMI launcher's environment); *rank and *size get the world rank and size
 * (0 and 1 otherwise). Call once, before anything else reads argv. */
int dnt_fl_mpi_init(int *argc, char ***argv, int *rank, int *size);
/* Finalises MPI if dnt_fl_mpi_init initialised it. */
void dnt_fl_mpi_finalize(void);
/* The world size: 1 unless MPI is initialised. */
int dnt_fl_mpi_size(void);
/* Collective: rank 0's *text (a C string) reaches every rank; on ranks > 0
 * *text gets a malloc'd copy (the caller frees). So a worker rank builds its
 * clients from rank 0's config without reading the command line. */
int dnt_fl_mpi_share_text(char **text);
/* Ends every rank with exit code `code` (rank 0 failed before its server ran,
 * while the others wait in a collective). Without MPI: nothing. */
void dnt_fl_mpi_abort(int code);

typedef struct dnt_fl_mpi dnt_fl_mpi;

/* The population every rank must share (the same on every rank: clients,
 * malicious flags, poisoning, seed; copied, clients borrowed) and the model
 * size. Collective: every rank calls it; ranks that disagree on n_clients or
 * d all get DNT_ERR_MISMATCH. */
int dnt_fl_mpi_create(const dnt_fl_population *pop, size_t d, dnt_fl_mpi **out);
void dnt_fl_mpi_destroy(dnt_fl_mpi *t);

/* Rank 0: the executor to give dnt_fl_server_set_exec (borrows t). */
dnt_fl_exec dnt_fl_mpi_exec(dnt_fl_mpi *t);
/* Rank 0: tells the worker ranks to return from dnt_fl_mpi_serve. */
int dnt_fl_mpi_stop(dnt_fl_mpi *t);
/* Ranks > 0: trains jobs until rank 0 calls dnt_fl_mpi_stop. */
int dnt_fl_mpi_serve(dnt_fl_mpi *t);

#ifdef __cplusplus
}
#endif
#endif
