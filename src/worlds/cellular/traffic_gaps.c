/* src/worlds/cellular/traffic_gaps.c: the missing-value policy of the traffic
 * readers (dnt/cellular.h, docs/DATA.md "Missing values").
 *
 * Real exports have holes: an hourly LTE export of a year loses two or three
 * hours per cell, a collector outage leaves a 10-minute slot of the Milan grid
 * without records. The readers mark every missing value NAN while they parse
 * (one rule for what "missing" means, cell_traffic_value) and then hand the
 * matrix here, where each series is scanned once for runs of NANs: short runs
 * are filled (linear interpolation between the two neighbours, the one
 * neighbour held at the ends), a longer run fails the read or drops the
 * series. The time axis is never cut: every series of a file shares it, so
 * trimming one would shift it against the others. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cellular_internal.h"
#include "dnt/log.h"
#include "dnt/status.h"

void dnt_cell_missing_default(dnt_cell_missing *m) {
  m->max_gap = 3;
  m->drop = 0;
  m->series = NULL;
  m->quiet = 0;
}

int dnt_cell_missing_set(int64_t max_gap, const char *missing, dnt_cell_missing *out) {
  dnt_cell_missing_default(out);
  if (max_gap < 0)
    return dnt_error(DNT_ERR_ARG, "data.max_gap = %lld: expected steps >= 0", (long long)max_gap);
  if (!missing || (strcmp(missing, "interpolate") && strcmp(missing, "drop")))
    return dnt_error(DNT_ERR_ARG, "data.missing = '%s': expected interpolate or drop",
                     missing ? missing : "(null)");
  out->max_gap = (size_t)max_gap;
  out->drop = !strcmp(missing, "drop");
  return 0;
}

void dnt_cell_missing_report_free(dnt_cell_missing_report *r) {
  if (!r) return;
  for (size_t j = 0; r->name && j < r->n_series; j++)
    free(r->name[j]);
  free(r->name);
  free(r->missing);
  free(r->longest);
  free(r->dropped);
  memset(r, 0, sizeof *r);
}

/* ---- What is missing ----------------------------------------------------- */

/* The words that mark a missing value (compared without case): what pandas,
 * R, numpy, printf and spreadsheets write for one. */
static const char *const missing_words[] = {"nan", "-nan", "+nan", "na", "n/a", "#n/a", "null"};

static int is_blank(char c) {
  return c == ' ' || c == '\t';
}

/* 1 if s (blanks around it ignored) is empty, 2 if it is a missing word, else 0. */
static int missing_kind(const char *s) {
  while (is_blank(*s))
    s++;
  size_t n = strlen(s);
  while (n > 0 && is_blank(s[n - 1]))
    n--;
  if (n == 0) return 1;
  for (size_t k = 0; k < sizeof missing_words / sizeof missing_words[0]; k++)
    if (strlen(missing_words[k]) == n && !strncasecmp(s, missing_words[k], n)) return 2;
  return 0;
}

int cell_traffic_value(const dnt_csv *t, size_t row, size_t col, double empty, double *out) {
  const char *s = dnt_csv_cell(t, row, col);
  int kind = missing_kind(s);
  if (kind) return *out = kind == 1 ? empty : NAN, 0;
  char *end;
  double v = strtod(s, &end);
  while (is_blank(*end))
    end++;
  if (end == s || *end || !isfinite(v) || v < 0)
    return dnt_error(DNT_ERR_PARSE,
                     "%s:%zu: column %zu '%s' = '%s': expected traffic, a number >= 0 (or empty, "
                     "NaN or NA for a missing value)",
                     t->origin, t->line[row], col + 1, t->header[col], s);
  *out = v;
  return 0;
}

/* ---- Runs of missing steps ----------------------------------------------- */

typedef struct series_gaps {
  size_t missing;      /* missing values */
  size_t longest;      /* longest run */
  size_t bad_a, bad_b; /* first run longer than max_gap: steps [bad_a, bad_b] */
  int bad;             /* 1 if there is such a run */
} series_gaps;

static double at(const dnt_cell_traffic *t, size_t r, size_t j) {
  return t->v[r * t->n_series + j];
}

/* Scans series j for runs of NANs. O(n_steps). */
static void scan(const dnt_cell_traffic *t, size_t j, size_t max_gap, series_gaps *g) {
  memset(g, 0, sizeof *g);
  for (size_t r = 0; r < t->n_steps;) {
    if (!isnan(at(t, r, j))) {
      r++;
      continue;
    }
    size_t a = r;
    while (r < t->n_steps && isnan(at(t, r, j)))
      r++;
    size_t len = r - a;
    g->missing += len;
    if (len > g->longest) g->longest = len;
    if (len > max_gap && !g->bad) {
      g->bad = 1;
      g->bad_a = a;
      g->bad_b = r - 1;
    }
  }
}

/* Fills every run of series j (each has a neighbour: the series is not all
 * missing). Interior runs: linear between v(a) and v(b); end runs: the one
 * neighbour held. */
static void fill(dnt_cell_traffic *t, size_t j) {
  size_t T = t->n_steps, S = t->n_series;
  for (size_t r = 0; r < T;) {
    if (!isnan(t->v[r * S + j])) {
      r++;
      continue;
    }
    size_t first = r;
    while (r < T && isnan(t->v[r * S + j]))
      r++;
    /* the run is [first, r); a = first - 1 and b = r are its neighbours */
    int has_a = first > 0, has_b = r < T;
    double va = has_a ? t->v[(first - 1) * S + j] : t->v[r * S + j];
    double vb = has_b ? t->v[r * S + j] : va;
    double span = (double)(r - first + 1);
    for (size_t k = first; k < r; k++) {
      double w = has_a && has_b ? (double)(k - first + 1) / span : 0.0;
      t->v[k * S + j] = va + (vb - va) * w;
    }
  }
}

/* "lines 6-9" (wide CSV) or "steps 3-6 (time_interval A-B)" (long formats). */
static void describe(const dnt_cell_traffic *t, const cell_rows *rows, size_t a, size_t b,
                     char *buf, size_t len) {
  if (rows->line) {
    if (a == b)
      snprintf(buf, len, "line %zu", rows->line[a]);
    else
      snprintf(buf, len, "lines %zu-%zu", rows->line[a], rows->line[b]);
    return;
  }
  long long ta = llround((t->t0 + (double)a * t->dt) * 1000.0);
  long long tb = llround((t->t0 + (double)b * t->dt) * 1000.0);
  if (a == b)
    snprintf(buf, len, "step %zu (time_interval %lld)", a, ta);
  else
    snprintf(buf, len, "steps %zu-%zu (time_interval %lld-%lld)", a, b, ta, tb);
}

/* Why series j cannot be filled, into buf. */
static void why_unfilled(const dnt_cell_traffic *t, const cell_rows *rows, size_t j,
                         const series_gaps *g, size_t max_gap, char *buf, size_t len) {
  if (g->missing == t->n_steps) {
    snprintf(buf, len, "%s: %s '%s': no values (all %zu steps missing)", rows->origin, rows->series,
             t->name[j], t->n_steps);
    return;
  }
  char where[128];
  describe(t, rows, g->bad_a, g->bad_b, where, sizeof where);
  snprintf(buf, len,
           "%s: %s '%s': %zu missing value(s) in a row at %s, more than data.max_gap = %zu",
           rows->origin, rows->series, t->name[j], g->bad_b - g->bad_a + 1, where, max_gap);
}

static int report_alloc(dnt_cell_missing_report *r, const dnt_cell_traffic *t) {
  size_t S = t->n_series ? t->n_series : 1;
  r->name = calloc(S, sizeof *r->name);
  r->missing = calloc(S, sizeof *r->missing);
  r->longest = calloc(S, sizeof *r->longest);
  r->dropped = calloc(S, sizeof *r->dropped);
  if (!r->name || !r->missing || !r->longest || !r->dropped)
    return dnt_error(DNT_ERR_NOMEM, "traffic: out of memory for the report of %zu series",
                     t->n_series);
  r->n_series = t->n_series;
  for (size_t j = 0; j < t->n_series; j++)
    if (!(r->name[j] = strdup(t->name[j])))
      return dnt_error(DNT_ERR_NOMEM, "traffic: out of memory for series names");
  return 0;
}

/* Removes the dropped columns in place (the rows only move forward). */
static void compact(dnt_cell_traffic *t, const int *dropped) {
  size_t S = t->n_series, K = 0;
  for (size_t j = 0; j < S; j++)
    if (dropped[j])
      free(t->name[j]);
    else
      t->name[K++] = t->name[j];
  for (size_t r = 0; r < t->n_steps; r++)
    for (size_t j = 0, k = 0; j < S; j++)
      if (!dropped[j]) t->v[r * K + k++] = t->v[r * S + j];
  t->n_series = K;
}

/* Keeps only the series named `name` (t has at least one series): DNT_ERR_PARSE
 * naming the first and last series when there is none of that name. */
static int select_series(dnt_cell_traffic *t, const cell_rows *rows, const char *name) {
  size_t keep = t->n_series;
  for (size_t j = 0; j < t->n_series && keep == t->n_series; j++)
    if (!strcmp(t->name[j], name)) keep = j;
  if (keep == t->n_series)
    return dnt_error(DNT_ERR_PARSE, "%s: no %s '%s'; the file's %zu run from '%s' to '%s'",
                     rows->origin, rows->series, name, t->n_series, t->name[0],
                     t->name[t->n_series - 1]);
  int *drop = calloc(t->n_series, sizeof *drop);
  if (!drop) return dnt_error(DNT_ERR_NOMEM, "traffic: out of memory");
  for (size_t j = 0; j < t->n_series; j++)
    drop[j] = j != keep;
  compact(t, drop);
  free(drop);
  return 0;
}

int cell_traffic_fill(dnt_cell_traffic *t, const cell_rows *rows, const dnt_cell_missing *missing,
                      dnt_cell_missing_report *report) {
  dnt_cell_missing def;
  if (!missing) {
    dnt_cell_missing_default(&def);
    missing = &def;
  }
  dnt_cell_missing_report local = {0};
  dnt_cell_missing_report *rep = report ? report : &local;
  memset(rep, 0, sizeof *rep);
  char why[512];
  int rc = missing->series ? select_series(t, rows, missing->series) : 0;
  if (!rc) rc = report_alloc(rep, t);
  if (rc) goto cleanup;
  /* decide first, so that a failing read fills nothing and warns of nothing */
  for (size_t j = 0; j < t->n_series; j++) {
    series_gaps g;
    scan(t, j, missing->max_gap, &g);
    rep->missing[j] = g.missing;
    rep->longest[j] = g.longest;
    if (!g.bad && g.missing < t->n_steps) {
      rep->filled += g.missing;
      continue;
    }
    why_unfilled(t, rows, j, &g, missing->max_gap, why, sizeof why);
    if (!missing->drop) {
      rc = dnt_error(DNT_ERR_PARSE,
                     "%s (fill them, raise data.max_gap or set data.missing=drop to leave the "
                     "series out)",
                     why);
      goto cleanup;
    }
    rep->dropped[j] = 1;
    rep->n_dropped++;
  }
  if (rep->n_dropped == t->n_series) {
    series_gaps g;
    scan(t, 0, missing->max_gap, &g);
    why_unfilled(t, rows, 0, &g, missing->max_gap, why, sizeof why);
    rc = dnt_error(DNT_ERR_PARSE,
                   "%s: every series (%zu) was left out for missing values, nothing left to "
                   "read (the first: %s)",
                   rows->origin, t->n_series, why);
    goto cleanup;
  }
  for (size_t j = 0; j < t->n_series && !missing->quiet; j++) {
    if (rep->dropped[j]) {
      series_gaps g;
      scan(t, j, missing->max_gap, &g);
      why_unfilled(t, rows, j, &g, missing->max_gap, why, sizeof why);
      DNT_WARN("%s: series left out (data.missing=drop)", why);
    } else if (rep->missing[j]) {
      DNT_WARN("%s: %s '%s': %zu missing value(s) filled (longest run %zu step(s), data.max_gap "
               "%zu)",
               rows->origin, rows->series, t->name[j], rep->missing[j], rep->longest[j],
               missing->max_gap);
    }
  }
  for (size_t j = 0; j < t->n_series; j++)
    if (rep->missing[j] && !rep->dropped[j]) fill(t, j);
  if (rep->n_dropped) compact(t, rep->dropped);
cleanup:
  if (rc) {
    dnt_cell_traffic_free(t);
    dnt_cell_missing_report_free(rep);
  }
  dnt_cell_missing_report_free(&local);
  return rc;
}

/* ---- Into summary.json --------------------------------------------------- */

int dnt_cell_missing_summary(const dnt_cell_missing_report *r, dnt_run *run) {
  json_t *filled = json_object(), *dropped = json_array();
  char *filled_text = NULL, *dropped_text = NULL;
  int rc = 0;
  for (size_t j = 0; filled && dropped && j < r->n_series; j++) {
    if (r->dropped[j])
      json_array_append_new(dropped, json_string(r->name[j]));
    else if (r->missing[j])
      json_object_set_new(filled, r->name[j], json_integer((json_int_t)r->missing[j]));
  }
  if (filled && dropped) {
    filled_text = json_dumps(filled, JSON_COMPACT | JSON_PRESERVE_ORDER);
    dropped_text = json_dumps(dropped, JSON_COMPACT);
  }
  if (!filled_text || !dropped_text) {
    rc = dnt_error(DNT_ERR_NOMEM, "traffic: out of memory for the missing-value summary");
    goto cleanup;
  }
  if ((rc = dnt_run_summary_number(run, "data_filled", (double)r->filled))) goto cleanup;
  if ((rc = dnt_run_summary_json(run, "data_filled_series", filled_text))) goto cleanup;
  if ((rc = dnt_run_summary_number(run, "data_dropped", (double)r->n_dropped))) goto cleanup;
  rc = dnt_run_summary_json(run, "data_dropped_series", dropped_text);
cleanup:
  free(filled_text);
  free(dropped_text);
  json_decref(filled);
  json_decref(dropped);
  return rc;
}
