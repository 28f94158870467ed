/* fuzz_resume: the FL server's resume path (dnt_fl_server_resume) on
 * arbitrary checkpoint files and on a real checkpoint cut at any byte or
 * corrupted.
 *
 * First byte b: with bit 0 clear the rest is the file; with bit 0 set the rest
 * says how to damage the server's own checkpoint after 3 rounds (4 clients of
 * the quadratic task, d = 6): its first 4 bytes the length to cut it to
 * (mod its length + 1), the next 2 a byte to flip (mod the kept length) and
 * the one after the bits to flip it with. With bit 7 set the harness rewrites
 * the CRC, so that damage inside the header and the data reaches the checks
 * behind the checksum. A resume that fails leaves the server as it was (model
 * and round count) and says why; one that succeeds gives a server that runs
 * its next round without fault. Seeds: DNT_FUZZ_SEEDS=fuzz/corpus/resume
 * build-fuzz/fuzz/fuzz_resume writes the checkpoint and a few damage recipes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_quadratic.h"
#include "dnt/fl_server.h"
#include "dnt/status.h"
#include "harness.h"

enum { N_CLIENTS = 4, D = 6, ROUNDS = 3 };

static dnt_fl_quadratic task;
static uint8_t *ckpt; /* the server's checkpoint after ROUNDS rounds */
static size_t ckpt_len;

static dnt_fl_server *make_server(const char *checkpoint) {
  dnt_fl_server_cfg cfg = dnt_fl_server_defaults(N_CLIENTS, task.clients, D);
  cfg.server_lr = 0.5;
  cfg.pop.seed = 5;
  cfg.stage.agg = dnt_agg_defaults(DNT_AGG_MEDIAN);
  cfg.checkpoint = checkpoint;
  float w0[D] = {0};
  dnt_fl_server *s = NULL;
  FUZZ_ASSERT(dnt_fl_server_create(&cfg, w0, &s) == DNT_OK);
  return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  FUZZ_ASSERT(dnt_fl_quadratic_init(&task, N_CLIENTS, D, 1.0, 0.5, 9, NULL) == DNT_OK);
  char path[FUZZ_PATH_MAX];
  fuzz_temp_file(NULL, 0, path);
  dnt_fl_server *s = make_server(path);
  for (int r = 0; r < ROUNDS; r++)
    FUZZ_ASSERT(dnt_fl_server_round(s, NULL) == DNT_OK);
  dnt_fl_server_destroy(s);
  ckpt = fuzz_read_all(path, &ckpt_len);
  fuzz_temp_remove(path);
  if (fuzz_seeds_begin()) {
    uint8_t *seed = malloc(ckpt_len + 1);
    FUZZ_ASSERT(seed);
    seed[0] = 0;
    memcpy(seed + 1, ckpt, ckpt_len);
    fuzz_write_seed("server.ckpt", seed, ckpt_len + 1);
    /* recipes: whole, cut in the data, cut in the header, a flipped count */
    static const uint8_t recipes[][8] = {{1, 0xff, 0xff, 0xff, 0x7f},
                                         {1, 60, 0, 0, 0},
                                         {1, 10, 0, 0, 0},
                                         {0x81, 0xff, 0xff, 0xff, 0x7f, 20, 0, 1}};
    for (size_t k = 0; k < sizeof recipes / sizeof recipes[0]; k++) {
      char name[32];
      snprintf(name, sizeof name, "recipe%zu.bin", k);
      fuzz_write_seed(name, recipes[k], 8);
    }
    free(seed);
    fuzz_seeds_end();
  }
  return 0;
}

/* The file to resume from: the input itself, or the damaged checkpoint. */
static uint8_t *file_of(const uint8_t *data, size_t size, size_t *len) {
  const uint8_t *rest = data + 1;
  size_t n = size - 1;
  uint8_t *f;
  if (data[0] & 1) {
    uint32_t cut = 0;
    memcpy(&cut, rest, n < 4 ? n : 4);
    *len = cut % (ckpt_len + 1);
    f = malloc(*len + 1);
    FUZZ_ASSERT(f);
    memcpy(f, ckpt, *len);
    if (n >= 7 && *len > 0) f[(rest[4] | (size_t)rest[5] << 8) % *len] ^= rest[6];
  } else {
    *len = n;
    f = malloc(n + 1);
    FUZZ_ASSERT(f);
    memcpy(f, rest, n);
  }
  if (data[0] & 0x80) fuzz_fix_crc(f, *len);
  return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  size_t len;
  uint8_t *file = file_of(data, size, &len);
  char path[FUZZ_PATH_MAX];
  fuzz_temp_file(file, len, path);
  dnt_fl_server *s = make_server(NULL);
  float before[D];
  memcpy(before, dnt_fl_server_model(s), sizeof before);
  int rc = dnt_fl_server_resume(s, path);
  if (rc == DNT_OK) {
    FUZZ_ASSERT(dnt_fl_server_rounds_done(s) >= 0);
    int done = dnt_fl_server_rounds_done(s);
    if (dnt_fl_server_round(s, NULL) == DNT_OK)
      FUZZ_ASSERT(dnt_fl_server_rounds_done(s) == done + 1);
  } else {
    FUZZ_ASSERT(rc < 0 && dnt_last_error()[0] != '\0');
    FUZZ_ASSERT(dnt_fl_server_rounds_done(s) == 0);
    FUZZ_ASSERT(memcmp(before, dnt_fl_server_model(s), sizeof before) == 0);
  }
  dnt_fl_server_destroy(s);
  fuzz_temp_remove(path);
  free(file);
  return 0;
}
