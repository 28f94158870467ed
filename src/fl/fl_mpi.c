/* src/fl/fl_mpi.c: the MPI transport (dnt/fl_mpi.h). Built only with MPI.
 *
 * Messages: MPI_Bcast of a 4-int header (command, round, m, d), the m ids and
 * the d floats of the global model; then, per job k, the owner rank sends 4
 * doubles (status, length, sample count, compute time) and, when the status
 * is 0, the floats, both with tag k. Rank 0 receives the jobs in order. */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_mpi.h"
#include "dnt/status.h"

enum { CMD_TRAIN = 1, CMD_STOP = 2 };

static int we_initialised;

struct dnt_fl_mpi {
  dnt_fl_population pop; /* own copy (clients borrowed) */
  int n;
  int rank, size, max_jobs;
  size_t d;
  int *ids, *mine, *rcs; /* (n) */
  dnt_fl_update *ups;    /* (max_jobs) */
  float *buf;            /* (max_jobs, d) */
  float *global;         /* (d) */
};

int dnt_fl_mpi_init(int *argc, char ***argv, int *rank, int *size) {
  *rank = 0, *size = 1;
  int done = 0;
  MPI_Initialized(&done);
  if (!done) {
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) return 0;
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
      return dnt_error(DNT_ERR_EXTERNAL, "MPI: MPI_Init failed");
    we_initialised = 1;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return 0;
}

void dnt_fl_mpi_finalize(void) {
  if (we_initialised) MPI_Finalize();
  we_initialised = 0;
}

int dnt_fl_mpi_size(void) {
  int init = 0, size = 1;
  MPI_Initialized(&init);
  if (init) MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

int dnt_fl_mpi_share_text(char **text) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  long len = rank == 0 ? (long)strlen(*text) : 0;
  MPI_Bcast(&len, 1, MPI_LONG, 0, MPI_COMM_WORLD);
  if (rank > 0) {
    *text = malloc((size_t)len + 1);
    if (!*text) MPI_Abort(MPI_COMM_WORLD, 1); /* the others would wait forever */
    (*text)[len] = '\0';
  }
  MPI_Bcast(*text, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
  return 0;
}

void dnt_fl_mpi_abort(int code) {
  int init = 0;
  MPI_Initialized(&init);
  if (init) MPI_Abort(MPI_COMM_WORLD, code);
}

void dnt_fl_mpi_destroy(dnt_fl_mpi *t) {
  if (!t) return;
  dnt_fl_population_free(&t->pop);
  free(t->ids);
  free(t->mine);
  free(t->rcs);
  free(t->ups);
  free(t->buf);
  free(t->global);
  free(t);
}

int dnt_fl_mpi_create(const dnt_fl_population *pop, size_t d, dnt_fl_mpi **out) {
  *out = NULL;
  int n_clients = pop->n_clients;
  int init = 0;
  MPI_Initialized(&init);
  if (!init)
    return dnt_error(DNT_ERR_ARG, "MPI transport: MPI is not initialised (run under mpirun)");
  dnt_fl_mpi *t = calloc(1, sizeof *t);
  if (!t) return dnt_error(DNT_ERR_NOMEM, "MPI transport: out of memory");
  MPI_Comm_rank(MPI_COMM_WORLD, &t->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &t->size);
  if (t->size < 2) {
    int size = t->size;
    free(t);
    return dnt_error(DNT_ERR_ARG,
                     "MPI transport: needs at least 2 ranks (server + clients), "
                     "got %d",
                     size);
  }
  /* Every rank must host the same clients and model size: a worker that
   * refused a round would leave rank 0 waiting for its jobs forever. Agreed
   * here, collectively, so that every rank gets the same answer. */
  long mine[2] = {n_clients, (long)d}, lo[2], hi[2];
  MPI_Allreduce(mine, lo, 2, MPI_LONG, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(mine, hi, 2, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
  if (lo[0] != hi[0] || lo[1] != hi[1]) {
    free(t);
    return dnt_error(DNT_ERR_MISMATCH,
                     "MPI transport: the ranks disagree: clients %ld..%ld, "
                     "d %ld..%ld (every rank must build the same task)",
                     lo[0], hi[0], lo[1], hi[1]);
  }
  t->n = n_clients;
  t->d = d;
  int rc = dnt_fl_population_check(pop, "MPI transport");
  if (!rc) rc = dnt_fl_population_copy(&t->pop, pop);
  if (rc) {
    free(t);
    return rc;
  }
  t->max_jobs = (n_clients + t->size - 2) / (t->size - 1);
  size_t n = (size_t)n_clients, mj = (size_t)t->max_jobs;
  t->ids = malloc(n * sizeof *t->ids);
  t->mine = malloc(n * sizeof *t->mine);
  t->rcs = malloc(n * sizeof *t->rcs);
  t->ups = calloc(mj, sizeof *t->ups);
  t->buf = t->rank > 0 ? malloc(mj * d * sizeof *t->buf) : NULL;
  t->global = malloc(d * sizeof *t->global);
  if (!t->ids || !t->mine || !t->rcs || !t->ups || (t->rank > 0 && !t->buf) || !t->global) {
    dnt_fl_mpi_destroy(t);
    return dnt_error(DNT_ERR_NOMEM, "MPI transport: out of memory");
  }
  *out = t;
  return 0;
}

static int owner(const dnt_fl_mpi *t, int k) {
  return 1 + k % (t->size - 1);
}

static int exec_train(void *ctx, const int *ids, int m, int round, const float *global, size_t d,
                      dnt_fl_update *ups, int *rcs) {
  dnt_fl_mpi *t = ctx;
  int hdr[4] = {CMD_TRAIN, round, m, (int)d};
  MPI_Bcast(hdr, 4, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast((void *)ids, m, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast((void *)global, (int)d, MPI_FLOAT, 0, MPI_COMM_WORLD);
  for (int k = 0; k < m; k++) {
    double meta[4];
    MPI_Recv(meta, 4, MPI_DOUBLE, owner(t, k), k, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    rcs[k] = (int)meta[0];
    ups[k].client_id = ids[k];
    ups[k].base_round = round;
    ups[k].d = (size_t)meta[1];
    ups[k].n_samples = meta[2];
    ups[k].compute_time = meta[3];
    if (rcs[k] == 0) {
      int count = (int)(ups[k].d < ups[k].capacity ? ups[k].d : ups[k].capacity);
      MPI_Recv(ups[k].delta, count, MPI_FLOAT, owner(t, k), k, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
  }
  return 0;
}

dnt_fl_exec dnt_fl_mpi_exec(dnt_fl_mpi *t) {
  return (dnt_fl_exec){t, exec_train};
}

int dnt_fl_mpi_stop(dnt_fl_mpi *t) {
  int hdr[4] = {CMD_STOP, 0, 0, (int)t->d};
  MPI_Bcast(hdr, 4, MPI_INT, 0, MPI_COMM_WORLD);
  return 0;
}

int dnt_fl_mpi_serve(dnt_fl_mpi *t) {
  for (;;) {
    int hdr[4];
    MPI_Bcast(hdr, 4, MPI_INT, 0, MPI_COMM_WORLD);
    if (hdr[0] == CMD_STOP) return 0;
    int round = hdr[1], m = hdr[2];
    if ((size_t)hdr[3] != t->d || m > t->n)
      return dnt_error(DNT_ERR_MISMATCH,
                       "MPI transport: rank %d: round with m = %d, d = %d; "
                       "this rank has %d clients of d = %zu",
                       t->rank, m, hdr[3], t->n, t->d);
    MPI_Bcast(t->ids, m, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Bcast(t->global, (int)t->d, MPI_FLOAT, 0, MPI_COMM_WORLD);
    int mine = 0;
    for (int k = 0; k < m; k++)
      if (owner(t, k) == t->rank) {
        t->mine[mine] = t->ids[k];
        t->ups[mine].delta = t->buf + (size_t)mine * t->d;
        t->ups[mine].capacity = t->d;
        mine++;
      }
    dnt_fl_train_local(&t->pop, t->mine, NULL, mine, round, t->global, t->d, t->ups, t->rcs);
    for (int k = 0, j = 0; k < m; k++) {
      if (owner(t, k) != t->rank) continue;
      dnt_fl_update *u = &t->ups[j];
      size_t len = u->d < u->capacity ? u->d : u->capacity;
      double meta[4] = {t->rcs[j], (double)u->d, u->n_samples, u->compute_time};
      MPI_Send(meta, 4, MPI_DOUBLE, 0, k, MPI_COMM_WORLD);
      if (t->rcs[j] == 0) MPI_Send(u->delta, (int)len, MPI_FLOAT, 0, k, MPI_COMM_WORLD);
      j++;
    }
  }
}
