/* src/report/report_tables.c: a summary's metrics laid out as HTML tables,
 * whatever the study.
 *
 * Studies write their metrics as JSON of three shapes, and each has its
 * table:
 *   - scalars ("wall_seconds": 3.2) go into one key / value table;
 *   - objects of scalars ("lru": {"hit_rate": .., "max_load": ..}) with the
 *     same keys become the rows of one table, one column per key: the methods
 *     or policies of a study side by side, baselines included;
 *   - objects of such objects ("no_collision": {"krum": {"lie": ..}}) become a
 *     matrix titled by their key (rows x columns, e.g. rules x attacks).
 * Anything deeper gets a heading and the same layout one level down, up to a
 * depth where it is shown as JSON. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

enum { MAX_DEPTH = 3, MAX_COLUMNS = 64 };

static int is_scalar(const json_t *v) {
  return !json_is_object(v) && !json_is_array(v);
}

static int is_scalar_array(const json_t *v) {
  if (!json_is_array(v)) return 0;
  size_t i;
  json_t *x;
  json_array_foreach(v, i, x) if (!is_scalar(x)) return 0;
  return 1;
}

/* A row object: non-empty, every value a scalar or an array of scalars. */
static int is_row(const json_t *v) {
  if (!json_is_object(v) || !json_object_size(v)) return 0;
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)v, k, x) if (!is_scalar(x) && !is_scalar_array(x)) return 0;
  return 1;
}

/* An object whose every value is a row object. */
static int is_matrix(const json_t *v) {
  if (!json_is_object(v) || !json_object_size(v)) return 0;
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)v, k, x) if (!is_row(x)) return 0;
  return 1;
}

static void cell(FILE *f, const json_t *v) {
  char buf[64];
  if (!v || json_is_null(v)) {
    fputs("-", f);
  } else if (json_is_number(v)) {
    report_format_number(json_number_value(v), buf, sizeof buf);
    fputs(buf, f);
  } else if (json_is_string(v)) {
    report_html_escape(f, json_string_value(v));
  } else if (json_is_boolean(v)) {
    fputs(json_is_true(v) ? "true" : "false", f);
  } else if (json_is_array(v)) {
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
      if (i) fputs(", ", f);
      cell(f, x);
    }
  }
}

/* The union of the keys of the row objects `rows` (in first-seen order). */
static size_t column_union(const json_t *const *rows, size_t n, const char **cols) {
  size_t nc = 0;
  for (size_t r = 0; r < n; r++) {
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)rows[r], k, x) {
      size_t c = 0;
      while (c < nc && strcmp(cols[c], k))
        c++;
      if (c == nc && nc < MAX_COLUMNS) cols[nc++] = k;
    }
  }
  return nc;
}

/* One table: a row per (name, row object), a column per key of any row. */
static void row_table(FILE *f, const char *corner, const char *const *names,
                      const json_t *const *rows, size_t n) {
  const char *cols[MAX_COLUMNS];
  size_t nc = column_union(rows, n, cols);
  fputs("<table>\n<tr><th>", f);
  report_html_escape(f, corner);
  fputs("</th>", f);
  for (size_t c = 0; c < nc; c++) {
    fputs("<th>", f);
    report_html_escape(f, cols[c]);
    fputs("</th>", f);
  }
  fputs("</tr>\n", f);
  for (size_t r = 0; r < n; r++) {
    fputs("<tr><th>", f);
    report_html_escape(f, names[r]);
    fputs("</th>", f);
    for (size_t c = 0; c < nc; c++) {
      fputs("<td>", f);
      cell(f, json_object_get(rows[r], cols[c]));
      fputs("</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* Same key set (as a row object's keys, in order). */
static int same_keys(const json_t *a, const json_t *b) {
  if (json_object_size(a) != json_object_size(b)) return 0;
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)a, k, x) if (!json_object_get(b, k)) return 0;
  return 1;
}

static void heading(FILE *f, int depth, const char *title) {
  fprintf(f, "<h%d>", depth + 3);
  report_html_escape(f, title);
  fprintf(f, "</h%d>\n", depth + 3);
}

/* The row objects of `obj`, grouped by their key sets: one table a group. */
static void row_groups(FILE *f, const json_t *obj) {
  size_t n = json_object_size(obj);
  const char **names = calloc(n + 1, sizeof *names);
  const json_t **rows = calloc(n + 1, sizeof *rows);
  char *done = calloc(n + 1, 1);
  const json_t **all = calloc(n + 1, sizeof *all);
  const char **all_names = calloc(n + 1, sizeof *all_names);
  if (!names || !rows || !done || !all || !all_names) goto cleanup;
  size_t m = 0;
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)obj, k, x) {
    if (is_row(x) && !is_matrix(x)) {
      all[m] = x;
      all_names[m++] = k;
    }
  }
  for (size_t i = 0; i < m; i++) {
    if (done[i]) continue;
    size_t nr = 0;
    for (size_t j = i; j < m; j++)
      if (!done[j] && same_keys(all[i], all[j])) {
        done[j] = 1;
        names[nr] = all_names[j];
        rows[nr++] = all[j];
      }
    row_table(f, "", names, rows, nr);
  }
cleanup:
  free(names);
  free(rows);
  free(done);
  free(all);
  free(all_names);
}

static void scalar_table(FILE *f, const json_t *obj) {
  int any = 0;
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)obj, k, x) {
    if (!is_scalar(x) && !is_scalar_array(x)) continue;
    if (!any++) fputs("<table>\n<tr><th>metric</th><th>value</th></tr>\n", f);
    fputs("<tr><th>", f);
    report_html_escape(f, k);
    fputs("</th><td>", f);
    cell(f, x);
    fputs("</td></tr>\n", f);
  }
  if (any) fputs("</table>\n", f);
}

static void matrix_table(FILE *f, const char *title, const json_t *m, int depth) {
  size_t n = json_object_size(m);
  const char **names = calloc(n, sizeof *names);
  const json_t **rows = calloc(n, sizeof *rows);
  if (names && rows) {
    size_t r = 0;
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)m, k, x) {
      names[r] = k;
      rows[r++] = x;
    }
    heading(f, depth, title);
    row_table(f, "", names, rows, n);
  }
  free(names);
  free(rows);
}

/* What no table fits, as compact JSON. */
static void json_pre(FILE *f, const json_t *v) {
  char *text = json_dumps(v, JSON_COMPACT);
  fputs("<pre>", f);
  report_html_escape(f, text ? text : "");
  fputs("</pre>\n", f);
  free(text);
}

static void object_tables(FILE *f, const json_t *obj, int depth) {
  scalar_table(f, obj);
  row_groups(f, obj);
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)obj, k, x) {
    if (is_matrix(x)) {
      matrix_table(f, k, x, depth);
    } else if (json_is_object(x) && !is_row(x) && json_object_size(x)) {
      heading(f, depth, k);
      if (depth + 1 >= MAX_DEPTH)
        json_pre(f, x);
      else
        object_tables(f, x, depth + 1);
    } else if (json_is_array(x) && !is_scalar_array(x) && json_array_size(x)) {
      heading(f, depth, k);
      json_pre(f, x);
    }
  }
}

void report_html_metrics(FILE *f, const json_t *metrics) {
  if (json_is_object(metrics)) object_tables(f, metrics, 0);
}
