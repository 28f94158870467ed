/* src/report/report.c: reading result folders into a report (dnt/report.h).
 *
 * A folder is read whole when it is added (summary.json parsed, config.json
 * kept as text, SVG names listed) so that writing the report cannot fail
 * half-way on a folder that changed meanwhile. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dnt/fileio.h"
#include "dnt/status.h"
#include "report_internal.h"

int dnt_report_create(dnt_report **out) {
  *out = calloc(1, sizeof **out);
  return *out ? 0 : dnt_error(DNT_ERR_NOMEM, "report: out of memory");
}

static void entry_free(report_entry *e) {
  free(e->dir);
  json_decref(e->summary);
  free(e->config);
  for (size_t i = 0; i < e->n_figures; i++)
    free(e->figures[i]);
  free(e->figures);
}

void dnt_report_destroy(dnt_report *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++)
    entry_free(&r->entries[i]);
  free(r->entries);
  free(r);
}

size_t dnt_report_count(const dnt_report *r) {
  return r->n;
}

const char *report_study(const report_entry *e) {
  return json_string_value(json_object_get(e->summary, "study"));
}

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

static int svg_filter(const struct dirent *d) {
  return has_suffix(d->d_name, ".svg");
}

static int subdir_filter(const struct dirent *d) {
  return d->d_name[0] != '.';
}

/* The SVG figures of e->dir, in name order. */
static int list_figures(report_entry *e) {
  struct dirent **names = NULL;
  int n = scandir(e->dir, &names, svg_filter, alphasort);
  if (n < 0) return dnt_error(DNT_ERR_IO, "%s: cannot list the folder", e->dir);
  int rc = 0;
  e->figures = calloc((size_t)n + 1, sizeof *e->figures);
  if (!e->figures) rc = dnt_error(DNT_ERR_NOMEM, "report: out of memory");
  for (int i = 0; i < n; i++) {
    if (!rc && !(e->figures[e->n_figures++] = strdup(names[i]->d_name)))
      rc = dnt_error(DNT_ERR_NOMEM, "report: out of memory");
    free(names[i]);
  }
  free(names);
  return rc;
}

/* Reads one study folder into e (zeroed); on error e holds what to free. */
static int read_entry(const char *dir, const char *summary_path, report_entry *e) {
  char *text = NULL;
  size_t len = 0;
  if (dnt_read_file(summary_path, &text, &len))
    return dnt_error(DNT_ERR_IO, "%s: no readable summary.json: not a result folder", dir);
  json_error_t jerr;
  e->summary = json_loadb(text, len, 0, &jerr);
  free(text);
  if (!e->summary)
    return dnt_error(DNT_ERR_PARSE, "%s:%d:%d: %s", summary_path, jerr.line, jerr.column,
                     jerr.text);
  if (!json_is_object(e->summary) || !json_is_string(json_object_get(e->summary, "study")))
    return dnt_error(DNT_ERR_PARSE, "%s: not a dnt summary (an object with a \"study\" string)",
                     summary_path);
  if (!(e->dir = strdup(dir))) return dnt_error(DNT_ERR_NOMEM, "report: out of memory");
  char path[4096];
  snprintf(path, sizeof path, "%s/config.json", dir);
  if (dnt_path_exists(path) && dnt_read_file(path, &e->config, &len))
    return dnt_error(DNT_ERR_IO, "%s: cannot read", path);
  return list_figures(e);
}

static int add_entry(dnt_report *r, const char *dir, const char *summary_path) {
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 4;
    report_entry *grown = realloc(r->entries, cap * sizeof *grown);
    if (!grown) return dnt_error(DNT_ERR_NOMEM, "report: out of memory");
    r->entries = grown;
    r->cap = cap;
  }
  report_entry e = {0};
  int rc = read_entry(dir, summary_path, &e);
  if (rc) {
    entry_free(&e);
    return rc;
  }
  r->entries[r->n++] = e;
  return 0;
}

/* The result subfolders of a `dnt run` folder, in name order. */
static int add_subfolders(dnt_report *r, const char *dir) {
  struct dirent **names = NULL;
  int n = scandir(dir, &names, subdir_filter, alphasort);
  if (n < 0) return dnt_error(DNT_ERR_IO, "%s: cannot list the folder", dir);
  size_t before = r->n;
  int rc = 0;
  for (int i = 0; i < n; i++) {
    char sub[4096], summary[4200];
    snprintf(sub, sizeof sub, "%s/%s", dir, names[i]->d_name);
    snprintf(summary, sizeof summary, "%s/summary.json", sub);
    struct stat st;
    if (!rc && !stat(sub, &st) && S_ISDIR(st.st_mode) && dnt_path_exists(summary))
      rc = add_entry(r, sub, summary);
    free(names[i]);
  }
  free(names);
  if (rc) {
    while (r->n > before)
      entry_free(&r->entries[--r->n]);
    return rc;
  }
  return 0;
}

int dnt_report_add(dnt_report *r, const char *dir) {
  struct stat st;
  if (stat(dir, &st) || !S_ISDIR(st.st_mode))
    return dnt_error(DNT_ERR_IO, "%s: no such folder", dir);
  char summary[4096];
  snprintf(summary, sizeof summary, "%s/summary.json", dir);
  int rc = add_entry(r, dir, summary);
  if (rc) return rc;
  if (strcmp(report_study(&r->entries[r->n - 1]), "run")) return 0;
  /* a `dnt run` folder: its studies are the subfolders */
  entry_free(&r->entries[--r->n]);
  return add_subfolders(r, dir);
}

int report_lookup(const json_t *metrics, const char *path, double *out) {
  const json_t *v = metrics;
  const char *p = path;
  while (*p && v) {
    size_t n = strcspn(p, "/");
    if (n == 1 && *p == '*') {
      int found = 0;
      double worst = INFINITY;
      const char *key;
      json_t *child;
      json_object_foreach((json_t *)v, key, child) {
        double x;
        if (p[1] && report_lookup(child, p + 2, &x)) {
          found = 1;
          worst = fmin(worst, x);
        } else if (!p[1] && json_is_number(child)) {
          found = 1;
          worst = fmin(worst, json_number_value(child));
        }
      }
      if (found) *out = worst;
      return found;
    }
    char key[256];
    if (n >= sizeof key) return 0;
    memcpy(key, p, n);
    key[n] = '\0';
    v = json_object_get(v, key);
    p += n + (p[n] == '/');
  }
  if (!v || !json_is_number(v)) return 0;
  *out = json_number_value(v);
  return 1;
}

void report_format_number(double v, char *buf, size_t len) {
  if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
    snprintf(buf, len, "%.0f", v);
  else
    snprintf(buf, len, "%.4g", v);
}
