/* study.c: the parts of a study that are the same for all of them. */
#include "dnt/study.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"

void dnt_study_progress_report(const dnt_study_progress *p, const char *phase, uint64_t done,
                               uint64_t total) {
  if (p && p->fn) p->fn(p->ctx, phase, done, total);
}

const dnt_study *dnt_study_find(const char *name) {
  for (size_t i = 0; i < dnt_n_studies; i++)
    if (!strcmp(dnt_studies[i]->name, name)) return dnt_studies[i];
  return NULL;
}

int dnt_study_check_struct(const dnt_study *s, const void *cfg) {
  char origin[64];
  snprintf(origin, sizeof origin, "%s config", s->name);
  dnt_config *c = NULL;
  int rc = dnt_config_from_struct(s->rows, s->n_rows, cfg, origin, &c);
  dnt_config_destroy(c);
  if (rc == 0 && s->check) rc = s->check(cfg);
  return rc;
}

int dnt_study_run_config(const dnt_study *s, const dnt_config *c, dnt_run *run,
                         const dnt_study_progress *progress) {
  void *cfg = calloc(1, s->config_size);
  if (!cfg) return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate its config", s->name);
  dnt_config_to_struct(c, cfg);
  int rc = s->run(cfg, run, progress);
  free(cfg);
  return rc;
}
