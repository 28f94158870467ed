/* fuzz_rl_state: the RL layer's state loaders (dnt/state.h, rl_state.c) on
 * arbitrary bytes: the vecenv, shield counts and agent of a DQN on the
 * masked chain (prioritised replay, dueling head) or of TD3 on Pendulum.
 *
 * First byte b: bit 1 picks TD3; with bit 0 clear the rest is a whole state
 * file (the frame's checks: magic, lengths, version, CRC, description); with
 * bit 0 set the rest is the payload, framed here with a valid CRC, so that
 * every value reaches the loaders' own checks. A load that fails says why
 * with DNT_ERR_CORRUPT or DNT_ERR_MISMATCH; one that succeeds gives objects
 * on which 20 agent steps run without a crash or a hang (a step may fail
 * with DNT_ERR_NUMERIC on NaN weights: the loaders check shapes, indices and
 * counters, not the values of floats). Seeds: a real state after 150 steps
 * of each agent, as a file and as a payload:
 *   DNT_FUZZ_SEEDS=fuzz/corpus/rl_state build-fuzz/fuzz/fuzz_rl_state */
#include <stdlib.h>
#include <string.h>

#include "dnt/dqn.h"
#include "dnt/envs.h"
#include "dnt/state.h"
#include "dnt/status.h"
#include "dnt/td3.h"
#include "harness.h"

static const char desc[] = "fuzz rl state";

typedef struct world {
  dnt_vecenv env;
  dnt_dqn *dqn;
  dnt_td3 *td3;
} world;

static void make(world *w, int td3) {
  memset(w, 0, sizeof *w);
  FUZZ_ASSERT(dnt_vecenv_init(&w->env, td3 ? &dnt_env_pendulum : &dnt_env_chain, NULL, 2, 3) ==
              DNT_OK);
  if (td3) {
    dnt_td3_config c;
    dnt_td3_config_default(&c);
    c.n_hidden = 1;
    c.hidden[0] = 8;
    c.batch = 8;
    c.buffer = 64;
    c.learning_starts = 40;
    FUZZ_ASSERT(dnt_td3_create(&c, &w->env, NULL, NULL, 3, &w->td3) == DNT_OK);
    return;
  }
  dnt_dqn_config c;
  dnt_dqn_config_default(&c);
  c.n_hidden = 1;
  c.hidden[0] = 8;
  c.batch = 8;
  c.buffer = 64;
  c.learning_starts = 40;
  c.dueling = 1;
  c.prioritized = 1;
  c.target_update = 7;
  FUZZ_ASSERT(dnt_dqn_create(&c, &w->env, NULL, NULL, 3, &w->dqn) == DNT_OK);
}

static void destroy(world *w) {
  dnt_dqn_destroy(w->dqn);
  dnt_td3_destroy(w->td3);
  dnt_vecenv_free(&w->env);
}

static void save(const world *w, dnt_pack *p) {
  dnt_vecenv_save(&w->env, p);
  dnt_hooks_save(NULL, p);
  if (w->dqn)
    dnt_dqn_save_state(w->dqn, p);
  else
    dnt_td3_save_state(w->td3, p);
}

static int load(world *w, dnt_unpack *u) {
  dnt_vecenv_load(&w->env, u);
  dnt_hooks_load(NULL, u);
  if (w->dqn)
    dnt_dqn_load_state(w->dqn, u);
  else
    dnt_td3_load_state(w->td3, u);
  return dnt_unpack_end(u);
}

static int step(world *w) {
  return w->dqn ? dnt_dqn_step(w->dqn) : dnt_td3_step(w->td3);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (!fuzz_seeds_begin()) return 0;
  for (int td3 = 0; td3 < 2; td3++) {
    world w;
    make(&w, td3);
    for (int k = 0; k < 75; k++)
      FUZZ_ASSERT(step(&w) == DNT_OK);
    dnt_pack p;
    dnt_pack_init(&p);
    save(&w, &p);
    FUZZ_ASSERT(p.rc == DNT_OK);
    unsigned char *frame;
    size_t len;
    FUZZ_ASSERT(dnt_pack_frame(&p, desc, &frame, &len) == DNT_OK);
    uint8_t *seed = malloc(len + 1 > p.len + 1 ? len + 1 : p.len + 1);
    FUZZ_ASSERT(seed);
    seed[0] = (uint8_t)(td3 << 1);
    memcpy(seed + 1, frame, len);
    fuzz_write_seed(td3 ? "td3_file.bin" : "dqn_file.bin", seed, len + 1);
    seed[0] = (uint8_t)(td3 << 1 | 1);
    memcpy(seed + 1, p.buf, p.len);
    fuzz_write_seed(td3 ? "td3_payload.bin" : "dqn_payload.bin", seed, p.len + 1);
    free(seed);
    free(frame);
    dnt_pack_free(&p);
    destroy(&w);
  }
  fuzz_seeds_end();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  int td3 = (data[0] >> 1) & 1;
  const uint8_t *rest = data + 1;
  size_t n = size - 1;
  unsigned char *frame = NULL;
  size_t len = n;
  if (data[0] & 1) {
    dnt_pack p = {(unsigned char *)rest, n, n, 0}; /* borrowed: not freed */
    FUZZ_ASSERT(dnt_pack_frame(&p, desc, &frame, &len) == DNT_OK);
  }
  world w;
  make(&w, td3);
  dnt_unpack u;
  int rc = dnt_unpack_parse(&u, frame ? frame : rest, len, "fuzz", desc);
  if (!rc) rc = load(&w, &u);
  if (rc) {
    FUZZ_ASSERT(rc == DNT_ERR_CORRUPT || rc == DNT_ERR_MISMATCH || rc == DNT_ERR_VERSION);
    FUZZ_ASSERT(dnt_last_error()[0] != '\0');
  } else {
    for (int k = 0; k < 20; k++) {
      int src = step(&w);
      FUZZ_ASSERT(src == DNT_OK || src == DNT_ERR_NUMERIC);
      if (src) break;
    }
  }
  destroy(&w);
  free(frame);
  return 0;
}
