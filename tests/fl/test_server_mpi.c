/* tests/fl/test_server_mpi.c: the MPI transport gives the same model as the
 * in-process server, bit for bit (sampling, stragglers, a wrong-length update,
 * an attack and a robust rule included). Run by CTest as fl.server_mpi_np4
 * under `mpirun --oversubscribe -np 4` (tests/fl/extra.cmake); started alone
 * (one rank) it checks that the transport refuses to start without MPI. */
#include <string.h>

#include "dnt/fl_mpi.h"
#include "dnt/fl_quadratic.h"
#include "dnt/status.h"
#include "test.h"

enum { N = 10, D = 30, ROUNDS = 8 };

static dnt_fl_train_fn quad_train;

/* Client 3 sends one float too few. */
static int short_train(void *ctx, const dnt_fl_train_args *a, dnt_fl_update *u) {
  int rc = quad_train(ctx, a, u);
  u->d = a->d - 1;
  return rc;
}

int main(int argc, char **argv) {
  int rank, size;
  if (dnt_fl_mpi_init(&argc, &argv, &rank, &size)) {
    fprintf(stderr, "%s\n", dnt_last_error());
    return 1;
  }
  unsigned char mal[N] = {1, 1};
  dnt_fl_quadratic t;
  CHECK_OK(dnt_fl_quadratic_init(&t, N, D, 1, 1, 5, mal));
  quad_train = t.clients[3].local_train;
  t.clients[3].local_train = short_train;
  dnt_fl_server_cfg cfg = dnt_fl_server_defaults(N, t.clients, D);
  cfg.pop.seed = 9;
  cfg.pop.malicious = mal;
  dnt_fl_mpi *mpi = NULL;
  int rc = dnt_fl_mpi_create(&cfg.pop, D, &mpi);
  if (size == 1) {
    CHECK(rc == DNT_ERR_ARG);
    dnt_fl_quadratic_free(&t);
    return test_done("fl.server_mpi (one rank)");
  }
  CHECK_OK(rc);
  /* ranks that build different tasks are refused on every rank, not left
   * waiting on each other */
  dnt_fl_mpi *bad = NULL;
  CHECK(dnt_fl_mpi_create(&cfg.pop, rank == 1 ? D - 1 : D, &bad) == DNT_ERR_MISMATCH);
  CHECK(bad == NULL);
  if (rank > 0) {
    CHECK_OK(dnt_fl_mpi_serve(mpi));
  } else {
    cfg.server_lr = 0.5;
    cfg.per_round = 8;
    cfg.deadline = 1.5;
    cfg.stage.agg = dnt_agg_defaults(DNT_AGG_TRMEAN);
    cfg.stage.agg.f = 2;
    cfg.stage.attack = dnt_attack_defaults(DNT_ATTACK_LIE);
    float w0[D] = {0};
    dnt_fl_server *a, *b;
    CHECK_OK(dnt_fl_server_create(&cfg, w0, &a));
    CHECK_OK(dnt_fl_server_create(&cfg, w0, &b));
    dnt_fl_exec ex = dnt_fl_mpi_exec(mpi);
    dnt_fl_server_set_exec(a, &ex);
    int rejected = 0, stragglers = 0;
    for (int r = 0; r < ROUNDS; r++) {
      dnt_fl_metrics ma, mb;
      int ra = dnt_fl_server_round(a, &ma), rb = dnt_fl_server_round(b, &mb);
      CHECK(ra == rb);
      CHECK(ma.participated == mb.participated && ma.rejected == mb.rejected &&
            ma.stragglers == mb.stragglers && ma.bytes_up == mb.bytes_up);
      rejected += ma.rejected;
      stragglers += ma.stragglers;
    }
    CHECK(rejected > 0 && stragglers > 0); /* the bad cases did happen */
    CHECK(memcmp(dnt_fl_server_model(a), dnt_fl_server_model(b), sizeof(float) * D) == 0);
    CHECK(dnt_fl_quadratic_error(&t, dnt_fl_server_model(a)) < 0.9); /* it did learn (from 1) */
    CHECK_OK(dnt_fl_mpi_stop(mpi));
    dnt_fl_server_destroy(a);
    dnt_fl_server_destroy(b);
  }
  dnt_fl_mpi_destroy(mpi);
  dnt_fl_quadratic_free(&t);
  dnt_fl_mpi_finalize();
  return rank == 0 ? test_done("fl.server_mpi") : (test_failures ? 1 : 0);
}
