/* report_internal.h (private to src/report): the folders a report has read
 * and the lookups its writers share. */
#ifndef DNT_REPORT_INTERNAL_H
#define DNT_REPORT_INTERNAL_H

#include <jansson.h>
#include <stdio.h>

#include "dnt/report.h"

typedef struct report_entry {
  char *dir;       /* the result folder */
  json_t *summary; /* its summary.json (an object with a "study" string), owned */
  char *config;    /* config.json's text, or NULL when the folder has none */
  char **figures;  /* SVG file names in dir, in name order */
  size_t n_figures;
} report_entry;

struct dnt_report {
  report_entry *entries; /* n of them, cap allocated */
  size_t n, cap;
};

/* A number the paper reports, and where our summary holds ours: `path` is a
 * '/'-separated key path under "metrics"; a '*' step takes the minimum over
 * that object's children (a worst case, e.g. over attacks). */
typedef struct report_paper_value {
  const char *study;
  const char *label;  /* what the number is */
  const char *path;   /* ours: key path under the summary's "metrics" */
  double paper;       /* the paper's value */
  const char *source; /* where the paper reports it */
} report_paper_value;

extern const report_paper_value report_paper_values[];
extern const size_t report_n_paper_values;

/* The summary's "study" string. */
const char *report_study(const report_entry *e);

/* Looks up `path` (as report_paper_value.path) under `metrics`: 1 and *out
 * when it names a number (or the minimum of numbers for '*'), else 0. */
int report_lookup(const json_t *metrics, const char *path, double *out);

/* Prints a number the way every table of the report does: integers whole,
 * others with 4 significant digits. */
void report_format_number(double v, char *buf, size_t len);

/* Writes `s` with HTML's special characters escaped. */
void report_html_escape(FILE *f, const char *s);

/* Writes the generic tables of a summary's "metrics" object (html). */
void report_html_metrics(FILE *f, const json_t *metrics);

#endif
