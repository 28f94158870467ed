/* src/twin/mirror.c: last synced state, per-field staleness and history
 * (dnt/mirror.h). The history is a ring so that a long run keeps a bounded
 * window (the forecaster only needs its training window). */
#include "dnt/mirror.h"

#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"

int dnt_mirror_init(dnt_mirror *m, size_t n_fields, size_t history_rows) {
  memset(m, 0, sizeof *m);
  if (n_fields == 0 || history_rows == 0)
    return dnt_error(DNT_ERR_ARG, "mirror: n_fields = %zu, history_rows = %zu: expected >= 1",
                     n_fields, history_rows);
  m->n_fields = n_fields;
  m->capacity = history_rows;
  m->value = calloc(n_fields, sizeof *m->value);
  m->measured_at = malloc(n_fields * sizeof *m->measured_at);
  m->received_at = malloc(n_fields * sizeof *m->received_at);
  m->hist = malloc(history_rows * n_fields * sizeof *m->hist);
  m->hist_t = malloc(history_rows * sizeof *m->hist_t);
  if (!m->value || !m->measured_at || !m->received_at || !m->hist || !m->hist_t) {
    dnt_mirror_free(m);
    return dnt_error(DNT_ERR_NOMEM, "mirror: out of memory for %zu fields x %zu rows", n_fields,
                     history_rows);
  }
  dnt_mirror_clear(m);
  return 0;
}

void dnt_mirror_clear(dnt_mirror *m) {
  memset(m->value, 0, m->n_fields * sizeof *m->value);
  for (size_t i = 0; i < m->n_fields; i++)
    m->measured_at[i] = m->received_at[i] = -1;
  m->reports = 0;
  m->rows = m->head = 0;
}

void dnt_mirror_free(dnt_mirror *m) {
  free(m->value);
  free(m->measured_at);
  free(m->received_at);
  free(m->hist);
  free(m->hist_t);
  memset(m, 0, sizeof *m);
}

void dnt_mirror_ingest(dnt_mirror *m, const double *telemetry, const int *field_group, int group,
                       int64_t measured_at, int64_t now) {
  for (size_t i = 0; i < m->n_fields; i++) {
    if (group >= 0 && field_group && field_group[i] != group) continue;
    if (m->measured_at[i] > measured_at) continue; /* a newer value is already held */
    m->value[i] = telemetry[i];
    m->measured_at[i] = measured_at;
    m->received_at[i] = now;
  }
  m->reports++;
}

void dnt_mirror_record(dnt_mirror *m, int64_t now) {
  size_t slot;
  if (m->rows < m->capacity) {
    slot = (m->head + m->rows) % m->capacity;
    m->rows++;
  } else { /* full: overwrite the oldest */
    slot = m->head;
    m->head = (m->head + 1) % m->capacity;
  }
  memcpy(m->hist + slot * m->n_fields, m->value, m->n_fields * sizeof *m->value);
  m->hist_t[slot] = now;
}

int64_t dnt_mirror_staleness(const dnt_mirror *m, size_t field, int64_t now) {
  return m->measured_at[field] < 0 ? -1 : now - m->measured_at[field];
}

int64_t dnt_mirror_max_staleness(const dnt_mirror *m, int64_t now) {
  int64_t worst = 0;
  for (size_t i = 0; i < m->n_fields; i++) {
    int64_t s = dnt_mirror_staleness(m, i, now);
    if (s < 0) return -1;
    if (s > worst) worst = s;
  }
  return worst;
}

const double *dnt_mirror_row(const dnt_mirror *m, size_t r, int64_t *t) {
  size_t slot = (m->head + r) % m->capacity;
  if (t) *t = m->hist_t[slot];
  return m->hist + slot * m->n_fields;
}

size_t dnt_mirror_series(const dnt_mirror *m, size_t field, double *out, size_t n) {
  size_t k = n < m->rows ? n : m->rows, first = m->rows - k;
  for (size_t r = 0; r < k; r++)
    out[r] = dnt_mirror_row(m, first + r, NULL)[field];
  return k;
}

static void pack_i64s(dnt_pack *p, const int64_t *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    dnt_pack_i64(p, v[i]);
}

int dnt_mirror_save(const dnt_mirror *m, dnt_pack *p) {
  dnt_pack_tag(p, "mirror");
  dnt_pack_i64(p, (int64_t)m->n_fields);
  dnt_pack_i64(p, (int64_t)m->capacity);
  dnt_pack_f64s(p, m->value, m->n_fields);
  pack_i64s(p, m->measured_at, m->n_fields);
  pack_i64s(p, m->received_at, m->n_fields);
  dnt_pack_i64(p, m->reports);
  dnt_pack_i64(p, (int64_t)m->rows);
  for (size_t r = 0; r < m->rows; r++) {
    int64_t t;
    const double *row = dnt_mirror_row(m, r, &t);
    dnt_pack_i64(p, t);
    dnt_pack_f64s(p, row, m->n_fields);
  }
  return p->rc;
}

/* n steps, each >= -1. */
static void unpack_steps(dnt_unpack *u, const char *what, int64_t *v, size_t n) {
  for (size_t i = 0; i < n && !u->rc; i++) {
    dnt_unpack_i64(u, &v[i]);
    dnt_unpack_range(u, what, v[i], -1, INT64_MAX / 2);
  }
}

int dnt_mirror_load(dnt_mirror *m, dnt_unpack *u) {
  int64_t rows = 0;
  dnt_unpack_tag(u, "mirror");
  dnt_unpack_expect(u, "mirror fields", (int64_t)m->n_fields);
  dnt_unpack_expect(u, "mirror history rows", (int64_t)m->capacity);
  dnt_unpack_f64s(u, "mirror values", m->value, m->n_fields);
  unpack_steps(u, "mirror measured_at", m->measured_at, m->n_fields);
  unpack_steps(u, "mirror received_at", m->received_at, m->n_fields);
  dnt_unpack_i64(u, &m->reports);
  dnt_unpack_range(u, "mirror reports", m->reports, 0, INT64_MAX / 2);
  dnt_unpack_i64(u, &rows);
  if (dnt_unpack_range(u, "mirror rows", rows, 0, (int64_t)m->capacity)) return u->rc;
  m->head = 0;
  m->rows = 0;
  for (size_t r = 0; r < (size_t)rows && !u->rc; r++) {
    dnt_unpack_i64(u, &m->hist_t[r]);
    dnt_unpack_range(u, "mirror history step", m->hist_t[r], r ? m->hist_t[r - 1] + 1 : 0,
                     INT64_MAX / 2);
    dnt_unpack_f64s(u, "mirror history row", m->hist + r * m->n_fields, m->n_fields);
  }
  if (!u->rc) m->rows = (size_t)rows;
  return u->rc;
}
