/* src/worlds/cellular/traffic.c: traffic matrices: storage, the wide CSV
 * format (one column per series, e.g. beam_wireless.csv), format detection,
 * and the mapping of series onto base stations. Missing values are marked
 * NAN while parsing and handled by traffic_gaps.c.
 *
 * The matrix is time-major (n_steps, n_series) because the world reads one
 * row per step for all its BSs; a forecaster that wants one series copies it
 * out with dnt_cell_traffic_series. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellular_internal.h"
#include "dnt/fileio.h"
#include "dnt/status.h"

int dnt_cell_traffic_alloc(dnt_cell_traffic *t, size_t n_steps, size_t n_series) {
  memset(t, 0, sizeof *t);
  t->dt = 3600;
  t->t0 = NAN;
  if (n_series && n_steps > SIZE_MAX / sizeof(double) / n_series)
    return dnt_error(DNT_ERR_ARG, "traffic: %zu steps x %zu series is too large", n_steps,
                     n_series);
  size_t cells = n_steps * n_series;
  t->v = calloc(cells > 0 ? cells : 1, sizeof *t->v);
  t->name = calloc(n_series ? n_series : 1, sizeof *t->name);
  if (!t->v || !t->name) {
    free(t->v);
    free(t->name);
    memset(t, 0, sizeof *t);
    return dnt_error(DNT_ERR_NOMEM, "traffic: out of memory for %zu x %zu values", n_steps,
                     n_series);
  }
  t->n_steps = n_steps;
  t->n_series = n_series;
  for (size_t j = 0; j < n_series; j++) {
    char name[32];
    snprintf(name, sizeof name, "s%zu", j);
    if (cell_traffic_set_name(t, j, name)) {
      dnt_cell_traffic_free(t);
      return DNT_ERR_NOMEM;
    }
  }
  return 0;
}

void dnt_cell_traffic_free(dnt_cell_traffic *t) {
  if (!t) return;
  for (size_t j = 0; t->name && j < t->n_series; j++)
    free(t->name[j]);
  free(t->name);
  free(t->v);
  memset(t, 0, sizeof *t);
}

int cell_traffic_set_name(dnt_cell_traffic *t, size_t j, const char *name) {
  char *copy = strdup(name);
  if (!copy) return dnt_error(DNT_ERR_NOMEM, "traffic: out of memory for series names");
  free(t->name[j]);
  t->name[j] = copy;
  return 0;
}

int cell_traffic_from_wide(const dnt_csv *t, double dt, const dnt_cell_missing *missing,
                           dnt_cell_missing_report *report, dnt_cell_traffic *out) {
  if (report) memset(report, 0, sizeof *report);
  if (t->n_rows == 0) return dnt_error(DNT_ERR_PARSE, "%s: no rows after the header", t->origin);
  size_t first = t->n_cols > 1; /* a column of time labels, unless it is the only one */
  size_t S = t->n_cols - first;
  int rc = dnt_cell_traffic_alloc(out, t->n_rows, S);
  if (rc) return rc;
  out->dt = dt;
  for (size_t j = 0; j < S && !rc; j++)
    rc = cell_traffic_set_name(out, j, t->header[j + first]);
  for (size_t r = 0; r < t->n_rows && !rc; r++)
    for (size_t j = 0; j < S && !rc; j++)
      rc = cell_traffic_value(t, r, j + first, NAN, &out->v[r * S + j]);
  if (rc) {
    dnt_cell_traffic_free(out);
    return rc;
  }
  cell_rows rows = {t->origin, "column", t->line};
  return cell_traffic_fill(out, &rows, missing, report);
}

static int check_dt(const char *path, double dt) {
  if (!(dt > 0 && isfinite(dt)))
    return dnt_error(DNT_ERR_ARG, "%s: step dt = %g s: expected seconds > 0", path, dt);
  return 0;
}

int dnt_cell_traffic_read_wide(const char *path, double dt, const dnt_cell_missing *missing,
                               dnt_cell_missing_report *report, dnt_cell_traffic *out) {
  memset(out, 0, sizeof *out);
  if (report) memset(report, 0, sizeof *report);
  int rc = check_dt(path, dt);
  if (rc) return rc;
  dnt_csv *t = NULL;
  if ((rc = dnt_csv_read(path, ',', &t))) return rc;
  rc = cell_traffic_from_wide(t, dt, missing, report, out);
  dnt_csv_free(t);
  return rc;
}

int dnt_cell_traffic_read_milan(const char *path, const char *value_col,
                                const dnt_cell_missing *missing, dnt_cell_missing_report *report,
                                dnt_cell_traffic *out) {
  memset(out, 0, sizeof *out);
  if (report) memset(report, 0, sizeof *report);
  dnt_csv *t = NULL;
  int rc = dnt_csv_read(path, ',', &t);
  if (rc) return rc;
  rc = cell_traffic_from_milan(t, value_col, missing, report, out);
  dnt_csv_free(t);
  return rc;
}

int dnt_cell_traffic_read_milan_raw(const char *path, dnt_milan_activity what,
                                    const dnt_cell_missing *missing,
                                    dnt_cell_missing_report *report, dnt_cell_traffic *out) {
  memset(out, 0, sizeof *out);
  if (report) memset(report, 0, sizeof *report);
  char *data = NULL;
  size_t len = 0;
  int rc = dnt_read_file(path, &data, &len);
  if (rc) return rc;
  rc = cell_traffic_from_milan_raw(path, data, len, what, missing, report, out);
  free(data);
  return rc;
}

static int has_col(const dnt_csv *t, const char *name) {
  for (size_t c = 0; c < t->n_cols; c++)
    if (!strcmp(t->header[c], name)) return 1;
  return 0;
}

int dnt_cell_traffic_read(const char *path, double dt, const dnt_cell_missing *missing,
                          dnt_cell_missing_report *report, dnt_cell_traffic *out) {
  memset(out, 0, sizeof *out);
  if (report) memset(report, 0, sizeof *report);
  char *data = NULL;
  size_t len = 0;
  int rc = dnt_read_file(path, &data, &len);
  if (rc) return rc;
  const char *eol = memchr(data, '\n', len);
  size_t first = eol ? (size_t)(eol - data) : len;
  if (memchr(data, '\t', first)) {
    rc = cell_traffic_from_milan_raw(path, data, len, DNT_MILAN_INTERNET, missing, report, out);
  } else {
    dnt_csv *t = NULL;
    rc = dnt_csv_parse(data, len, ',', path, &t);
    if (!rc) {
      if (has_col(t, "square_id") && has_col(t, "time_interval")) {
        rc = cell_traffic_from_milan(t, NULL, missing, report, out);
      } else if (!(rc = check_dt(path, dt))) {
        rc = cell_traffic_from_wide(t, dt, missing, report, out);
      }
      dnt_csv_free(t);
    }
  }
  free(data);
  return rc;
}

int dnt_cell_traffic_write(const char *path, const dnt_cell_traffic *t) {
  dnt_afile *f = NULL;
  int rc = dnt_afile_open(path, &f);
  if (rc) return rc;
  FILE *s = dnt_afile_stream(f);
  fputs("step", s);
  for (size_t j = 0; j < t->n_series; j++) {
    fputc(',', s);
    dnt_csv_write_field(s, t->name[j], ',');
  }
  fputc('\n', s);
  for (size_t r = 0; r < t->n_steps; r++) {
    fprintf(s, "%zu", r);
    for (size_t j = 0; j < t->n_series; j++)
      fprintf(s, ",%.17g", t->v[r * t->n_series + j]);
    fputc('\n', s);
  }
  if (ferror(s)) {
    dnt_afile_abort(f);
    return dnt_error(DNT_ERR_IO, "%s: write failed", path);
  }
  return dnt_afile_commit(f);
}

void dnt_cell_traffic_series(const dnt_cell_traffic *t, size_t j, double *out) {
  for (size_t r = 0; r < t->n_steps; r++)
    out[r] = t->v[r * t->n_series + j];
}

int dnt_cell_traffic_assign(const dnt_cell_traffic *src, size_t n_bs, size_t shift,
                            dnt_cell_traffic *out) {
  if (src->n_series == 0 || src->n_steps == 0)
    return dnt_error(DNT_ERR_ARG, "traffic: cannot assign an empty matrix (%zu x %zu) to BSs",
                     src->n_steps, src->n_series);
  int rc = dnt_cell_traffic_alloc(out, src->n_steps, n_bs);
  if (rc) return rc;
  out->dt = src->dt;
  out->t0 = src->t0;
  size_t T = src->n_steps, S = src->n_series;
  for (size_t i = 0; i < n_bs && !rc; i++) {
    size_t j = i % S, rot = (i / S) * shift % T;
    for (size_t r = 0; r < T; r++)
      out->v[r * n_bs + i] = src->v[((r + rot) % T) * S + j];
    char name[512];
    if (rot)
      snprintf(name, sizeof name, "%s@%zu", src->name[j], rot);
    else
      snprintf(name, sizeof name, "%s", src->name[j]);
    rc = cell_traffic_set_name(out, i, name);
  }
  if (rc) dnt_cell_traffic_free(out);
  return rc;
}
