/* src/fl/aggregate.c: the aggregator object: parameters, names, the n >= g(f)
 * requirement of each rule, workspace allocation, and the dispatch
 * pre-aggregator -> rule. The rules themselves live in agg_*.c.
 *
 * Workload: one call per round (synchronous) or per buffer flush
 * (asynchronous), n from 2 to a few hundred, d up to millions; every buffer is
 * allocated once at create so that a run allocates nothing per round. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agg_internal.h"
#include "dnt/status.h"
#include "dnt/vec.h"

static const char *const rule_names[DNT_AGG_N_RULES] = {"mean",      "median", "trmean", "krum",
                                                        "multikrum", "bulyan", "geomed", "cclip",
                                                        "fltrust",   "glid",   "dnc"};
static const char *const pre_names[DNT_AGG_N_PRE] = {"none", "nnm", "bucketing"};

dnt_agg_params dnt_agg_defaults(dnt_agg_rule rule) {
  dnt_agg_params p;
  memset(&p, 0, sizeof p);
  p.rule = rule;
  p.bucket_size = 2;
  p.geomed_iters = 100;
  p.geomed_tol = 1e-6;
  p.geomed_nu = 1e-6;
  p.cclip_iters = 3;
  p.glid_lo = -1; /* the band follows f */
  p.glid_hi = -1;
  p.dnc_iters = 5;
  p.dnc_subdim = 10000;
  p.dnc_c = 1.0;
  return p;
}

const char *dnt_agg_rule_name(dnt_agg_rule rule) {
  return (unsigned)rule < DNT_AGG_N_RULES ? rule_names[rule] : "?";
}

const char *dnt_agg_pre_name(dnt_agg_pre pre) {
  return (unsigned)pre < DNT_AGG_N_PRE ? pre_names[pre] : "?";
}

int dnt_agg_rule_parse(const char *name, dnt_agg_rule *out) {
  for (int i = 0; i < DNT_AGG_N_RULES; i++)
    if (!strcmp(name, rule_names[i])) return *out = (dnt_agg_rule)i, 0;
  if (!strcmp(name, "fedavg")) return *out = DNT_AGG_MEAN, 0;
  if (!strcmp(name, "trimmed_mean")) return *out = DNT_AGG_TRMEAN, 0;
  return dnt_error(DNT_ERR_ARG,
                   "aggregation rule '%s': expected mean, median, trmean, krum, multikrum, "
                   "bulyan, geomed, cclip, fltrust, glid or dnc",
                   name);
}

int dnt_agg_pre_parse(const char *name, dnt_agg_pre *out) {
  for (int i = 0; i < DNT_AGG_N_PRE; i++)
    if (!strcmp(name, pre_names[i])) return *out = (dnt_agg_pre)i, 0;
  return dnt_error(DNT_ERR_ARG, "pre-aggregator '%s': expected none, nnm or bucketing", name);
}

/* n >= g(f) of the rule alone. */
static int rule_min_n(const dnt_agg_params *p) {
  int f = p->f;
  switch (p->rule) {
  case DNT_AGG_MEDIAN:
  case DNT_AGG_TRMEAN:
  case DNT_AGG_GEOMED:
  case DNT_AGG_CCLIP:
    return 2 * f + 1;
  case DNT_AGG_KRUM:
  case DNT_AGG_MULTIKRUM:
    return 2 * f + 3;
  case DNT_AGG_BULYAN:
    return 4 * f + 3;
  case DNT_AGG_DNC:
    return (int)floor(p->dnc_c * f) + 1;
  default:
    return 1;
  }
}

int dnt_agg_min_n(const dnt_agg_params *p) {
  int m = rule_min_n(p);
  if (p->pre == DNT_AGG_PRE_NNM) return m > 2 * p->f + 1 ? m : 2 * p->f + 1;
  if (p->pre == DNT_AGG_PRE_BUCKETING) return (m - 1) * p->bucket_size + 1;
  return m;
}

static int check_params(const dnt_agg_params *p, int max_n, size_t d) {
  if ((unsigned)p->rule >= DNT_AGG_N_RULES)
    return dnt_error(DNT_ERR_ARG, "aggregation: field 'rule' = %d: unknown rule", (int)p->rule);
  if ((unsigned)p->pre >= DNT_AGG_N_PRE)
    return dnt_error(DNT_ERR_ARG, "aggregation: field 'pre' = %d: unknown pre-aggregator",
                     (int)p->pre);
  if (p->f < 0) return dnt_error(DNT_ERR_ARG, "aggregation: field 'f' = %d: expected >= 0", p->f);
  if (max_n < 1 || d < 1)
    return dnt_error(DNT_ERR_ARG, "aggregation: max_n = %d, d = %zu: expected >= 1", max_n, d);
  if (p->pre == DNT_AGG_PRE_BUCKETING && p->bucket_size < 1)
    return dnt_error(DNT_ERR_ARG, "aggregation: field 'bucket_size' = %d: expected >= 1",
                     p->bucket_size);
  if (p->multikrum_m < 0)
    return dnt_error(DNT_ERR_ARG, "aggregation: field 'multikrum_m' = %d: expected >= 0",
                     p->multikrum_m);
  if (p->geomed_iters < 1 || !(p->geomed_nu > 0) || !(p->geomed_tol >= 0))
    return dnt_error(DNT_ERR_ARG,
                     "aggregation: geomed_iters = %d, geomed_nu = %g, geomed_tol = "
                     "%g: expected iters >= 1, nu > 0, tol >= 0",
                     p->geomed_iters, p->geomed_nu, p->geomed_tol);
  if (p->cclip_iters < 1 || !(p->cclip_tau >= 0))
    return dnt_error(DNT_ERR_ARG,
                     "aggregation: cclip_iters = %d, cclip_tau = %g: expected "
                     "iters >= 1, tau >= 0",
                     p->cclip_iters, p->cclip_tau);
  if (!(p->glid_lo < 0 || (p->glid_lo <= p->glid_hi && p->glid_hi <= 100)))
    return dnt_error(DNT_ERR_ARG,
                     "aggregation: glid band [%g, %g]: expected lo < 0 (follow f) or "
                     "0 <= lo <= hi <= 100",
                     p->glid_lo, p->glid_hi);
  if (p->dnc_iters < 1 || p->dnc_subdim < 1 || !(p->dnc_c > 0))
    return dnt_error(DNT_ERR_ARG,
                     "aggregation: dnc_iters = %d, dnc_subdim = %d, dnc_c = %g: "
                     "expected >= 1, >= 1, > 0",
                     p->dnc_iters, p->dnc_subdim, p->dnc_c);
  return 0;
}

void dnt_agg_destroy(dnt_agg *a) {
  if (!a) return;
  free(a->gram);
  free(a->D);
  free(a->score);
  free(a->dtmp);
  free(a->dtmp2);
  free(a->idx);
  free(a->idx2);
  free(a->bucket_of);
  free(a->wf);
  free(a->rowsq);
  free(a->kept2);
  free(a->kept3);
  free(a->pre);
  free(a->prew);
  free(a->mix);
  free(a->colbuf);
  free(a->band);
  free(a->net);
  free(a->work);
  free(a->tmp);
  free(a->tmp2);
  free(a->sub);
  free(a->coords);
  free(a->eigval);
  free(a->eigwork);
  free(a->eigiwork);
  free(a->isuppz);
  free(a);
}

int dnt_agg_create(const dnt_agg_params *p, int max_n, size_t d, dnt_agg **out) {
  *out = NULL;
  int rc = check_params(p, max_n, d);
  if (rc) return rc;
  dnt_agg *a = calloc(1, sizeof *a);
  if (!a) return dnt_error(DNT_ERR_NOMEM, "aggregation: out of memory");
  a->p = *p;
  a->max_n = max_n;
  a->d = d;
  size_t n = (size_t)max_n, nn = n * n;
  size_t sub = (size_t)p->dnc_subdim < d ? (size_t)p->dnc_subdim : d;
  int need_pre = p->pre != DNT_AGG_PRE_NONE;
  int need_dnc = p->rule == DNT_AGG_DNC;
  a->gram = malloc(dnt_agg_dist_scratch(max_n) * sizeof *a->gram);
  a->D = malloc(nn * sizeof *a->D);
  a->score = malloc(n * sizeof *a->score);
  a->dtmp = malloc((n + 1) * sizeof *a->dtmp);
  a->dtmp2 = malloc(n * sizeof *a->dtmp2);
  a->idx = malloc(n * sizeof *a->idx);
  a->idx2 = malloc(n * sizeof *a->idx2);
  a->bucket_of = malloc(n * sizeof *a->bucket_of);
  a->wf = malloc(n * sizeof *a->wf);
  a->rowsq = malloc(n * sizeof *a->rowsq);
  a->kept2 = malloc(n * sizeof *a->kept2);
  a->kept3 = malloc(n * sizeof *a->kept3);
  a->prew = malloc(n * sizeof *a->prew);
  a->mix = malloc(nn * sizeof *a->mix);
  a->colbuf = malloc((size_t)AGG_BLOCK * n * sizeof *a->colbuf);
  a->band = malloc(2 * AGG_BLOCK * sizeof *a->band);
  a->net = malloc(2 * agg_batcher_capacity(max_n) * sizeof *a->net);
  a->work = malloc(n * sizeof *a->work);
  a->tmp = malloc(d * sizeof *a->tmp);
  a->tmp2 = malloc(d * sizeof *a->tmp2);
  a->pre = need_pre ? malloc(n * d * sizeof *a->pre) : NULL;
  a->sub = need_dnc ? malloc(n * sub * sizeof *a->sub) : NULL;
  a->coords = need_dnc ? malloc(d * sizeof *a->coords) : NULL;
  a->eigval = need_dnc ? malloc(n * sizeof *a->eigval) : NULL;
  a->eigwork = need_dnc ? malloc(26 * n * sizeof *a->eigwork) : NULL;
  a->eigiwork = need_dnc ? malloc(10 * n * sizeof *a->eigiwork) : NULL;
  a->isuppz = need_dnc ? malloc(2 * n * sizeof *a->isuppz) : NULL;
  if (!a->gram || !a->D || !a->score || !a->dtmp || !a->dtmp2 || !a->idx || !a->idx2 ||
      !a->bucket_of || !a->wf || !a->rowsq || !a->kept2 || !a->kept3 || !a->prew || !a->mix ||
      !a->colbuf || !a->band || !a->net || !a->work || !a->tmp || !a->tmp2 ||
      (need_pre && !a->pre) ||
      (need_dnc &&
       (!a->sub || !a->coords || !a->eigval || !a->eigwork || !a->eigiwork || !a->isuppz))) {
    dnt_agg_destroy(a);
    return dnt_error(DNT_ERR_NOMEM, "aggregation: out of memory for %d rows of %zu floats", max_n,
                     d);
  }
  *out = a;
  return 0;
}

void dnt_agg_set_root(dnt_agg *a, const float *root) {
  a->p.root = root;
}
void dnt_agg_set_center(dnt_agg *a, const float *center) {
  a->p.center = center;
}
const dnt_agg_params *dnt_agg_get_params(const dnt_agg *a) {
  return &a->p;
}

void agg_combine(const float *X, int n, size_t d, const float *c, float *out) {
  cblas_sgemv(CblasRowMajor, CblasTrans, n, (int)d, 1.0f, X, (int)d, c, 1, 0.0f, out, 1);
}

static void agg_mean(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept) {
  double sum = 0;
  for (int i = 0; i < n; i++)
    sum += w ? w[i] : 1.0;
  for (int i = 0; i < n; i++)
    a->wf[i] = (float)((w ? w[i] : 1.0) / sum);
  agg_combine(X, n, a->d, a->wf, out);
  if (kept)
    for (int i = 0; i < n; i++)
      kept[i] = 1.0f;
}

static int run_rule(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept,
                    dnt_rng *rng) {
  switch (a->p.rule) {
  case DNT_AGG_MEAN:
    agg_mean(a, X, w, n, out, kept);
    return 0;
  case DNT_AGG_MEDIAN:
    agg_median(a, X, NULL, n, out, kept);
    return 0;
  case DNT_AGG_TRMEAN:
    return agg_trmean(a, X, n, out, kept);
  case DNT_AGG_KRUM:
    return agg_krum(a, X, w, n, 0, out, kept);
  case DNT_AGG_MULTIKRUM:
    return agg_krum(a, X, w, n, 1, out, kept);
  case DNT_AGG_BULYAN:
    return agg_bulyan(a, X, n, out, kept);
  case DNT_AGG_GEOMED:
    return agg_geomed(a, X, w, n, out, kept);
  case DNT_AGG_CCLIP:
    return agg_cclip(a, X, w, n, out, kept);
  case DNT_AGG_FLTRUST:
    return agg_fltrust(a, X, n, out, kept);
  case DNT_AGG_GLID:
    return agg_glid(a, X, n, out, kept);
  case DNT_AGG_DNC:
    return agg_dnc(a, X, w, n, out, kept, rng);
  default:
    return dnt_error(DNT_ERR_ARG, "aggregation: unknown rule %d", (int)a->p.rule);
  }
}

int dnt_agg_run(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept,
                dnt_rng *rng) {
  const dnt_agg_params *p = &a->p;
  if (n < 1 || n > a->max_n)
    return dnt_error(DNT_ERR_ARG, "aggregation: n = %d rows: expected 1..%d", n, a->max_n);
  int need = dnt_agg_min_n(p);
  if (n < need)
    return dnt_error(DNT_ERR_ARG,
                     "aggregation rule '%s' (pre '%s') with f = %d needs n >= %d updates, got %d",
                     dnt_agg_rule_name(p->rule), dnt_agg_pre_name(p->pre), p->f, need, n);
  if (p->rule == DNT_AGG_FLTRUST && !p->root)
    return dnt_error(DNT_ERR_ARG, "aggregation rule 'fltrust': no root update (field 'root')");
  if ((p->pre == DNT_AGG_PRE_BUCKETING || p->rule == DNT_AGG_DNC) && !rng)
    return dnt_error(DNT_ERR_ARG, "aggregation: rule '%s' / pre '%s' needs an rng",
                     dnt_agg_rule_name(p->rule), dnt_agg_pre_name(p->pre));
  int rc;
  if (p->pre == DNT_AGG_PRE_NONE) {
    rc = run_rule(a, X, w, n, out, kept, rng);
  } else {
    int m = p->pre == DNT_AGG_PRE_NNM ? agg_nnm(a, X, w, n) : agg_bucketing(a, X, w, n, rng);
    rc = run_rule(a, a->pre, a->prew, m, out, kept ? a->kept2 : NULL, rng);
    if (!rc && kept) {
      /* map the pre-aggregated rows' shares back to the input rows */
      for (int i = 0; i < n; i++)
        kept[i] = p->pre == DNT_AGG_PRE_NNM ? a->kept2[i] : a->kept2[a->bucket_of[i]];
    }
  }
  if (rc) return rc;
  if (!dnt_vec_all_finite(out, a->d))
    return dnt_error(DNT_ERR_NUMERIC, "aggregation rule '%s': result is not finite",
                     dnt_agg_rule_name(p->rule));
  return 0;
}
