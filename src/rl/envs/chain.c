/* src/rl/envs/chain.c: a deterministic chain, the smallest task whose optimal
 * return is known in closed form (see dnt/envs.h), with an action mask. */
#include <stdlib.h>
#include <string.h>

#include "dnt/envs.h"
#include "dnt/status.h"

static int ch_create(const void *cfg, dnt_env_spec *spec, void **inst) {
  dnt_chain_cfg c = {.length = 10, .step_reward = -0.01f, .goal_reward = 1.0f, .max_steps = 0};
  if (cfg) c = *(const dnt_chain_cfg *)cfg;
  if (c.length < 2 || c.length > 100000)
    return dnt_error(DNT_ERR_ARG, "chain: length = %d: expected 2..100000", c.length);
  if (c.max_steps < 0)
    return dnt_error(DNT_ERR_ARG, "chain: max_steps = %d: expected >= 0", c.max_steps);
  if (c.max_steps == 0) c.max_steps = 4 * c.length;
  dnt_chain *s = calloc(1, sizeof *s);
  if (!s) return dnt_error(DNT_ERR_NOMEM, "chain: instance");
  s->cfg = c;
  spec->name = "Chain";
  spec->obs_dim = c.length;
  spec->n_actions = 2;
  spec->max_steps = c.max_steps;
  spec->has_mask = 1;
  *inst = s;
  return 0;
}

static void ch_destroy(void *inst) {
  free(inst);
}

static void observe(const dnt_chain *s, float *obs) {
  memset(obs, 0, (size_t)s->cfg.length * sizeof *obs);
  obs[s->pos] = 1.0f;
}

static int ch_reset(void *inst, dnt_rng *rng, float *obs) {
  dnt_chain *s = inst;
  s->pos = 0;
  observe(s, obs);
  return 0;
}

static int ch_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                   float *cost, int *terminated) {
  dnt_chain *s = inst;
  s->pos += a == 1 ? 1 : -1;
  if (s->pos < 0) s->pos = 0; /* only reachable if a caller ignores the mask */
  *terminated = s->pos == s->cfg.length - 1;
  *reward = *terminated ? s->cfg.goal_reward : s->cfg.step_reward;
  observe(s, obs);
  return 0;
}

static void ch_mask(const void *inst, unsigned char *mask) {
  const dnt_chain *s = inst;
  mask[0] = s->pos > 0;
  mask[1] = 1;
}

/* The state for a resumed run: the position (the rest is config); a position
 * off the chain is refused, since observe() indexes with it. */
static int ch_save(const void *inst, dnt_pack *p) {
  const dnt_chain *s = inst;
  return dnt_pack_i64(p, s->pos);
}

static int ch_load(void *inst, dnt_unpack *u) {
  dnt_chain *s = inst;
  int64_t pos;
  dnt_unpack_i64(u, &pos);
  if (dnt_unpack_range(u, "chain position", pos, 0, s->cfg.length - 1)) return u->rc;
  s->pos = (int)pos;
  return 0;
}

const dnt_env_ops dnt_env_chain = {
    .name = "chain",
    .create = ch_create,
    .destroy = ch_destroy,
    .reset = ch_reset,
    .step = ch_step,
    .mask = ch_mask,
    .save = ch_save,
    .load = ch_load,
};
