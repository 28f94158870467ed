/* tests/fl/test_workspace.c: a round allocates nothing. The program is linked
 * with -Wl,--wrap=malloc,calloc,realloc (tests/fl/extra.cmake), so every
 * allocation made by the library's objects goes through the counters below;
 * after a warm-up round, further rounds of the synchronous server (flat and
 * hierarchical) and steps of FedBuff must count zero, for every rule and the
 * attacks with scratch (LIE, Min-Max, Min-Sum, Fang's two, FTI, IPM) and a
 * pre-aggregator. (OpenBLAS's and libc's own allocations are not ours and
 * are not counted.) */
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_async.h"
#include "dnt/fl_quadratic.h"
#include "dnt/status.h"
#include "test.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t s);
void *__wrap_realloc(void *p, size_t n);
static long allocs;
void *__wrap_malloc(size_t n) {
  allocs++;
  return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t s) {
  allocs++;
  return __real_calloc(n, s);
}
void *__wrap_realloc(void *p, size_t n) {
  allocs++;
  return __real_realloc(p, n);
}

enum { N = 20, QD = 24 };
static const int GROUPS[N] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

static void sync_rounds(dnt_fl_quadratic *t, const unsigned char *mal, dnt_agg_rule rule,
                        dnt_attack_kind atk, int grouped, dnt_agg_pre pre) {
  dnt_fl_server_cfg cfg = dnt_fl_server_defaults(N, t->clients, QD);
  cfg.pop.malicious = mal;
  cfg.pop.threads = 2;
  if (grouped) cfg.pop.groups = GROUPS, cfg.pop.n_groups = 2;
  cfg.server_lr = 0.5;
  cfg.per_round = 18;
  cfg.stage.agg = dnt_agg_defaults(rule);
  cfg.stage.agg.f = grouped ? 0 : 2;
  cfg.stage.agg.pre = pre;
  cfg.stage.attack = dnt_attack_defaults(atk);
  cfg.stage.root_fn = dnt_fl_quadratic_root;
  cfg.stage.root_ctx = t;
  float w0[QD] = {0};
  dnt_fl_server *s;
  CHECK_OK(dnt_fl_server_create(&cfg, w0, &s));
  dnt_fl_server_round(s, NULL); /* warm-up (a rule may refuse a combination: not counted) */
  long before = allocs;
  int rc = dnt_fl_server_round(s, NULL);
  rc |= dnt_fl_server_round(s, NULL);
  CHECK_MSG(allocs == before, "%s / %s / %s%s: %ld allocations in 2 rounds (rc %d)",
            dnt_agg_rule_name(rule), dnt_attack_name(atk), dnt_agg_pre_name(pre),
            grouped ? " / grouped" : "", allocs - before, rc);
  dnt_fl_server_destroy(s);
}

int main(void) {
  unsigned char mal[N] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  dnt_fl_quadratic t;
  CHECK_OK(dnt_fl_quadratic_init(&t, N, QD, 1, 1, 2, mal));
  for (int r = 0; r < DNT_AGG_N_RULES; r++)
    sync_rounds(&t, mal, (dnt_agg_rule)r, DNT_ATTACK_LIE, 0, DNT_AGG_PRE_NONE);
  const dnt_attack_kind atks[] = {DNT_ATTACK_MINMAX,    DNT_ATTACK_MINSUM, DNT_ATTACK_FANG_KRUM,
                                  DNT_ATTACK_FANG_TRIM, DNT_ATTACK_FTI,    DNT_ATTACK_IPM,
                                  DNT_ATTACK_GAUSSIAN};
  for (size_t a = 0; a < sizeof atks / sizeof atks[0]; a++)
    sync_rounds(&t, mal, DNT_AGG_KRUM, atks[a], 0, DNT_AGG_PRE_NONE);
  sync_rounds(&t, mal, DNT_AGG_TRMEAN, DNT_ATTACK_MINMAX, 0, DNT_AGG_PRE_NNM);
  sync_rounds(&t, mal, DNT_AGG_GEOMED, DNT_ATTACK_LIE, 0, DNT_AGG_PRE_BUCKETING);
  sync_rounds(&t, mal, DNT_AGG_DNC, DNT_ATTACK_LIE, 1, DNT_AGG_PRE_NONE);
  sync_rounds(&t, mal, DNT_AGG_MEDIAN, DNT_ATTACK_IPM, 1, DNT_AGG_PRE_NONE);

  /* FedBuff, grouped: steps after the first allocate nothing either */
  dnt_fl_async_cfg ac = dnt_fl_async_defaults(N, t.clients, QD);
  ac.pop.malicious = mal;
  ac.pop.groups = GROUPS;
  ac.pop.n_groups = 2;
  ac.buffer_k = 8;
  ac.concurrency = 12;
  ac.stage.agg = dnt_agg_defaults(DNT_AGG_MEDIAN);
  ac.stage.attack = dnt_attack_defaults(DNT_ATTACK_IPM);
  float w0[QD] = {0};
  dnt_fl_async *as;
  CHECK_OK(dnt_fl_async_create(&ac, w0, &as));
  CHECK_OK(dnt_fl_async_step(as, NULL));
  long before = allocs;
  for (int k = 0; k < 5; k++)
    CHECK_OK(dnt_fl_async_step(as, NULL));
  CHECK_MSG(allocs == before, "FedBuff: %ld allocations in 5 steps", allocs - before);
  dnt_fl_async_destroy(as);
  /* the counter works: creating a server allocates */
  before = allocs;
  dnt_fl_server_cfg cfg = dnt_fl_server_defaults(N, t.clients, QD);
  dnt_fl_server *s;
  CHECK_OK(dnt_fl_server_create(&cfg, w0, &s));
  CHECK(allocs > before);
  dnt_fl_server_destroy(s);
  dnt_fl_quadratic_free(&t);
  return test_done("fl.workspace");
}
