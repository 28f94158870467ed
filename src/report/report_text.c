/* src/report/report_text.c: the plain-text summary of a report: per study
 * its status, seed and wall time, our numbers beside the paper's, and the
 * study's headline metrics (dnt_study.headline). */
#include <string.h>

#include "dnt/status.h"
#include "dnt/study.h"
#include "report_internal.h"

static void number_or_dash(double v, int found, char *buf, size_t len) {
  if (found)
    report_format_number(v, buf, len);
  else
    snprintf(buf, len, "-");
}

static void entry_text(FILE *f, const report_entry *e) {
  const char *study = report_study(e);
  const json_t *sum = e->summary;
  const json_t *metrics = json_object_get(sum, "metrics");
  const char *status = json_string_value(json_object_get(sum, "status"));
  double wall = json_number_value(json_object_get(sum, "wall_seconds"));
  fprintf(f, "%s (%s): %s, seed %.0f, %.1f s\n", study, e->dir, status ? status : "?",
          json_number_value(json_object_get(sum, "seed")), wall);
  const char *error = json_string_value(json_object_get(sum, "error"));
  if (error) fprintf(f, "  error: %s\n", error);
  char a[64], b[64];
  for (size_t i = 0; i < report_n_paper_values; i++) {
    const report_paper_value *p = &report_paper_values[i];
    if (strcmp(p->study, study)) continue;
    double ours = 0;
    number_or_dash(ours, report_lookup(metrics, p->path, &ours), a, sizeof a);
    report_format_number(p->paper, b, sizeof b);
    fprintf(f, "  %-56s ours %-8s paper %s (%s)\n", p->label, a, b, p->source);
  }
  const dnt_study *s = dnt_study_find(study);
  for (const char *const *h = s ? s->headline : NULL; h && *h; h++) {
    double v = 0;
    number_or_dash(v, report_lookup(metrics, *h, &v), a, sizeof a);
    fprintf(f, "  %-56s %s\n", *h, a);
  }
}

int dnt_report_write_text(const dnt_report *r, FILE *f) {
  for (size_t i = 0; i < r->n; i++)
    entry_text(f, &r->entries[i]);
  return ferror(f) ? dnt_error(DNT_ERR_IO, "report: cannot write the text summary") : 0;
}
