/* src/rl/policy.c: evaluation of a policy on fresh environments (dnt/policy.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rollout.h"

#include "dnt/policy.h"
#include "dnt/status.h"

/* The counters of a hooks list and of its shields, saved around an evaluation. */
typedef struct saved_counts {
  dnt_hooks_counts count;
  int64_t item[DNT_HOOKS_MAX][3]; /* checks, overrides, unsafe */
} saved_counts;

static void save_counts(const dnt_hooks *h, saved_counts *s) {
  s->count = h->count;
  for (int k = 0; k < h->n; k++) {
    s->item[k][0] = h->item[k]->checks;
    s->item[k][1] = h->item[k]->overrides;
    s->item[k][2] = h->item[k]->unsafe;
  }
}

static void restore_counts(dnt_hooks *h, const saved_counts *s) {
  h->count = s->count;
  for (int k = 0; k < h->n; k++) {
    h->item[k]->checks = s->item[k][0];
    h->item[k]->overrides = s->item[k][1];
    h->item[k]->unsafe = s->item[k][2];
  }
}

int dnt_policy_evaluate(const dnt_policy *p, const dnt_env_ops *ops, const void *cfg, int n_envs,
                        int episodes, uint64_t seed, dnt_hooks *hooks, dnt_eval_result *out) {
  memset(out, 0, sizeof *out);
  if (episodes < 1 || n_envs < 1)
    return dnt_error(DNT_ERR_ARG, "evaluate: %d episodes on %d envs: expected >= 1 each", episodes,
                     n_envs);
  if (n_envs > episodes) n_envs = episodes;
  dnt_vecenv env;
  int rc = dnt_vecenv_init(&env, ops, cfg, n_envs, seed);
  if (rc) return rc;
  saved_counts training;
  if (hooks) {
    save_counts(hooks, &training);
    dnt_hooks_reset_counts(hooks);
  }
  dnt_rollout *ro = NULL;
  double *ret = malloc((size_t)episodes * sizeof *ret);
  int *todo = malloc((size_t)n_envs * sizeof *todo);
  if (!ret || !todo) {
    rc = dnt_error(DNT_ERR_NOMEM, "evaluate: %d episodes", episodes);
    goto done;
  }
  if ((rc = rollout_create(&env, hooks, NULL, 1, &ro))) goto done;
  if (p->input_dim != ro->obs_dim) {
    rc = dnt_error(DNT_ERR_ARG,
                   "evaluate: the policy expects %d inputs, env '%s' with its hooks "
                   "gives %d",
                   p->input_dim, ops->name, ro->obs_dim);
    goto done;
  }
  for (int i = 0; i < n_envs; i++)
    todo[i] = (episodes + i) / n_envs;
  int nc = env.spec.n_costs < DNT_EVAL_MAX_COSTS ? env.spec.n_costs : DNT_EVAL_MAX_COSTS;
  double len_sum = 0;
  int got = 0;
  while (got < episodes) {
    if ((rc = p->act(p->self, ro->obs, env.spec.n_actions ? env.mask : NULL, n_envs, ro->a, ro->u)))
      goto done;
    if ((rc = rollout_step(ro, NULL))) goto done;
    for (int i = 0; i < n_envs; i++) {
      if (todo[i] == 0) continue; /* past its quota: not reported, not counted */
      out->shield.steps++;
      out->shield.intervened += ro->overridden[i];
      out->shield.unsafe += ro->unsafe[i];
      if (!dnt_vecenv_done(&env, i)) continue;
      todo[i]--;
      ret[got++] = env.last_return[i];
      len_sum += env.last_length[i];
      for (int k = 0; k < nc; k++)
        out->mean_cost[k] += env.last_cost[(size_t)i * (size_t)env.spec.n_costs + (size_t)k];
    }
  }
  double mean = 0, var = 0;
  out->min_return = out->max_return = ret[0];
  for (int e = 0; e < episodes; e++) {
    mean += ret[e];
    out->min_return = fmin(out->min_return, ret[e]);
    out->max_return = fmax(out->max_return, ret[e]);
  }
  mean /= episodes;
  for (int e = 0; e < episodes; e++)
    var += (ret[e] - mean) * (ret[e] - mean);
  out->episodes = episodes;
  out->mean_return = mean;
  out->std_return = sqrt(var / episodes);
  out->mean_length = len_sum / episodes;
  for (int k = 0; k < nc; k++)
    out->mean_cost[k] /= episodes;
done:
  if (hooks) restore_counts(hooks, &training);
  rollout_destroy(ro);
  free(ret);
  free(todo);
  dnt_vecenv_free(&env);
  return rc;
}
