/* src/rl/intervention.c: the state, action and reward hooks (dnt/intervention.h). */
#include <string.h>

#include "dnt/intervention.h"
#include "dnt/log.h"
#include "dnt/status.h"

dnt_intervention dnt_intervention_state(const char *name, int extra_dim, dnt_state_fn augment,
                                        void *user) {
  dnt_intervention iv = {.kind = DNT_INTERVENE_STATE,
                         .name = name,
                         .user = user,
                         .extra_dim = extra_dim,
                         .augment = augment};
  return iv;
}

dnt_intervention dnt_intervention_shield(const char *name, dnt_safe_fn is_safe,
                                         dnt_backup_fn backup, void *user, float penalty,
                                         dnt_shield_learn learn) {
  dnt_intervention iv = {.kind = DNT_INTERVENE_ACTION,
                         .name = name,
                         .user = user,
                         .is_safe = is_safe,
                         .backup = backup,
                         .penalty = penalty,
                         .learn = learn};
  return iv;
}

dnt_intervention dnt_intervention_reward(const char *name, dnt_reward_fn reshape, void *user) {
  dnt_intervention iv = {
      .kind = DNT_INTERVENE_REWARD, .name = name, .user = user, .reshape = reshape};
  return iv;
}

void dnt_hooks_init(dnt_hooks *h) {
  memset(h, 0, sizeof *h);
}

int dnt_hooks_add(dnt_hooks *h, dnt_intervention *iv) {
  const char *name = iv->name ? iv->name : "(unnamed)";
  if (h->n == DNT_HOOKS_MAX)
    return dnt_error(DNT_ERR_ARG, "hooks: cannot add '%s': already %d interventions", name,
                     DNT_HOOKS_MAX);
  int ok = 0;
  switch (iv->kind) {
  case DNT_INTERVENE_STATE:
    ok = iv->augment && iv->extra_dim > 0;
    break;
  case DNT_INTERVENE_ACTION:
    ok = iv->is_safe && iv->backup && iv->penalty >= 0;
    break;
  case DNT_INTERVENE_REWARD:
    ok = iv->reshape != NULL;
    break;
  }
  if (!ok)
    return dnt_error(DNT_ERR_ARG,
                     "hooks: intervention '%s' (kind %d) is incomplete: a state hook needs "
                     "augment and extra_dim > 0, a shield is_safe, backup and penalty >= 0, a "
                     "reward hook reshape",
                     name, (int)iv->kind);
  h->item[h->n++] = iv;
  return 0;
}

int dnt_hooks_extra_dim(const dnt_hooks *h) {
  int d = 0;
  for (int k = 0; h && k < h->n; k++)
    if (h->item[k]->kind == DNT_INTERVENE_STATE) d += h->item[k]->extra_dim;
  return d;
}

double dnt_intervention_rate(const dnt_intervention *iv) {
  return iv->checks ? (double)iv->overrides / (double)iv->checks : 0.0;
}

double dnt_hooks_intervention_rate(const dnt_hooks *h) {
  return h && h->count.steps ? (double)h->count.intervened / (double)h->count.steps : 0.0;
}

void dnt_hooks_reset_counts(dnt_hooks *h) {
  if (!h) return;
  memset(&h->count, 0, sizeof h->count);
  for (int k = 0; k < h->n; k++)
    h->item[k]->checks = h->item[k]->overrides = h->item[k]->unsafe = 0;
}

int dnt_hooks_observe(dnt_hooks *h, const dnt_vecenv *env, int i, const float *obs,
                      float *obs_aug) {
  int d = env->spec.obs_dim;
  memcpy(obs_aug, obs, (size_t)d * sizeof *obs);
  for (int k = 0; h && k < h->n; k++) {
    dnt_intervention *iv = h->item[k];
    if (iv->kind != DNT_INTERVENE_STATE) continue;
    int rc = iv->augment(iv->user, env, i, obs, obs_aug + d);
    if (rc) return rc;
    d += iv->extra_dim;
  }
  return 0;
}

int dnt_hooks_act(dnt_hooks *h, const dnt_vecenv *env, int i, const float *obs_aug, int *a,
                  float *u, int *overridden, int *store_proposed, int *unsafe, float *penalty) {
  *overridden = *store_proposed = *unsafe = 0;
  *penalty = 0;
  int shields = 0;
  for (int k = 0; h && k < h->n; k++) {
    dnt_intervention *iv = h->item[k];
    if (iv->kind != DNT_INTERVENE_ACTION) continue;
    shields = 1;
    int safe = 0, rc = iv->is_safe(iv->user, env, i, obs_aug, *a, u, &safe);
    if (rc) return rc;
    iv->checks++;
    if (safe) continue;
    if ((rc = iv->backup(iv->user, env, i, obs_aug, a, u))) return rc;
    iv->overrides++;
    *overridden = 1;
    *penalty += iv->penalty;
    if (iv->learn == DNT_SHIELD_LEARN_PROPOSED) *store_proposed = 1;
    /* the backup answers to the same predicate */
    if ((rc = iv->is_safe(iv->user, env, i, obs_aug, *a, u, &safe))) return rc;
    if (safe) continue;
    iv->unsafe++;
    if (!iv->warned) {
      iv->warned = 1;
      DNT_WARN("shield '%s': instance %d: the backup action is flagged too; executed and counted "
               "as unsafe (warned once per shield)",
               iv->name ? iv->name : "(unnamed)", i);
    }
    *unsafe = 1;
  }
  if (shields) {
    h->count.steps++;
    h->count.intervened += *overridden;
    h->count.unsafe += *unsafe;
  }
  return 0;
}

int dnt_hooks_reward(dnt_hooks *h, const dnt_vecenv *env, int i, const dnt_step_view *s,
                     float *reward) {
  for (int k = 0; h && k < h->n; k++) {
    dnt_intervention *iv = h->item[k];
    if (iv->kind != DNT_INTERVENE_REWARD) continue;
    int rc = iv->reshape(iv->user, env, i, s, reward);
    if (rc) return rc;
  }
  return 0;
}
