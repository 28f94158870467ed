/* fuzz_world: dnt_world_load of a cellular world's saved state on arbitrary
 * bytes, into a generated world and a replay world (3 BSs each).
 *
 * A load that fails leaves the world as it was (its saved state and time
 * unchanged) and says why. A load that succeeds gives a world whose saved
 * state is the input again, byte for byte, and that steps and observes
 * without fault. Seeds: DNT_FUZZ_SEEDS=fuzz/corpus/world build-fuzz/fuzz/fuzz_world
 * writes the states of both worlds after 0 and 5 steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/status.h"
#include "dnt/world.h"
#include "harness.h"

enum { N_BS = 3, N_WORLDS = 2 };

static dnt_world *worlds[N_WORLDS];
static unsigned char *initial[N_WORLDS]; /* each world's state before any input */
static size_t initial_len[N_WORLDS];

static void make_worlds(void) {
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  sp.n = N_BS;
  sp.n_parents = 2;
  dnt_cell_sites sites;
  FUZZ_ASSERT(dnt_cell_sites_generate(&sp, 7, &sites) == DNT_OK);
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  p.replay_noise = 0.1;
  dnt_cell_traffic replay;
  FUZZ_ASSERT(dnt_cell_traffic_alloc(&replay, 4, 2) == DNT_OK);
  for (size_t i = 0; i < 8; i++)
    replay.v[i] = 1.0 + (double)i;
  FUZZ_ASSERT(dnt_cellular_create(&sites, NULL, &p, 11, &worlds[0]) == DNT_OK);
  FUZZ_ASSERT(dnt_cellular_create(&sites, &replay, &p, 12, &worlds[1]) == DNT_OK);
  dnt_cell_traffic_free(&replay);
  dnt_cell_sites_free(&sites);
}

static void save(int k, unsigned char **buf, size_t *len) {
  FUZZ_ASSERT(dnt_world_save(worlds[k], buf, len) == DNT_OK);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  make_worlds();
  int seeds = fuzz_seeds_begin();
  for (int k = 0; k < N_WORLDS; k++) {
    save(k, &initial[k], &initial_len[k]);
    if (!seeds) continue;
    unsigned char *buf;
    size_t len;
    char name[32];
    snprintf(name, sizeof name, "world%d_t0.bin", k);
    fuzz_write_seed(name, initial[k], initial_len[k]);
    for (int t = 0; t < 5; t++)
      FUZZ_ASSERT(dnt_world_step(worlds[k], NULL) == DNT_OK);
    save(k, &buf, &len);
    snprintf(name, sizeof name, "world%d_t5.bin", k);
    fuzz_write_seed(name, buf, len);
    free(buf);
  }
  if (seeds) fuzz_seeds_end();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int k = 0; k < N_WORLDS; k++) {
    dnt_world *w = worlds[k];
    int64_t time = dnt_world_time(w);
    unsigned char *buf;
    size_t len;
    int rc = dnt_world_load(w, data, size);
    save(k, &buf, &len);
    if (rc == DNT_OK) {
      FUZZ_ASSERT(len == size && memcmp(buf, data, size) == 0);
      const dnt_world_info *info = dnt_world_get_info(w);
      double tel[4 * N_BS];
      FUZZ_ASSERT(info->n_fields == 4 * N_BS);
      for (int t = 0; t < 3; t++) {
        FUZZ_ASSERT(dnt_world_step(w, NULL) == DNT_OK);
        dnt_world_observe(w, tel);
      }
      FUZZ_ASSERT(dnt_world_load(w, initial[k], initial_len[k]) == DNT_OK);
    } else {
      FUZZ_ASSERT(rc < 0 && dnt_last_error()[0] != '\0');
      FUZZ_ASSERT(dnt_world_time(w) == time);
      FUZZ_ASSERT(len == initial_len[k] && memcmp(buf, initial[k], len) == 0);
    }
    free(buf);
  }
  return 0;
}
