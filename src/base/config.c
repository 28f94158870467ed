/* config.c: JSON configuration checked against a static schema.
 *
 * Values live in one array parallel to the schema (field i, value i); lookups
 * by path are linear scans, which is plenty for a few dozen fields read once
 * at start-up. Merging a JSON document walks its objects, building each key's
 * dotted path: a path that names a field is validated and stored; a path that
 * prefixes some field's path must be an object and is walked; anything else is
 * an unknown key, reported with its full path and the closest known path.
 * Merges work on a copy of the values that replaces the original only when the
 * whole document is valid, so a failed merge changes nothing. */
#include "dnt/config.h"

#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fileio.h"
#include "dnt/status.h"
#include "json_dump.h"

typedef union value {
  int64_t i;
  double r;
  int b;
  char *s;
  struct {
    double *v;
    size_t n;
  } list;
} value;

struct dnt_config {
  const dnt_config_field *schema;
  size_t n;
  value *vals; /* (n) value of schema[i] */
};

static void value_free(dnt_config_type t, value *v) {
  if (t == DNT_CFG_STRING) free(v->s);
  if (t == DNT_CFG_REAL_LIST) free(v->list.v);
}

static void values_free(const dnt_config_field *schema, size_t n, value *vals) {
  if (!vals) return;
  for (size_t i = 0; i < n; i++)
    value_free(schema[i].type, &vals[i]);
  free(vals);
}

static int value_copy(dnt_config_type t, const value *from, value *to) {
  *to = *from;
  if (t == DNT_CFG_STRING) {
    to->s = strdup(from->s);
    if (!to->s) return DNT_ERR_NOMEM;
  } else if (t == DNT_CFG_REAL_LIST && from->list.n) {
    to->list.v = malloc(from->list.n * sizeof *to->list.v);
    if (!to->list.v) return DNT_ERR_NOMEM;
    memcpy(to->list.v, from->list.v, from->list.n * sizeof *to->list.v);
  }
  return DNT_OK;
}

static int find_field(const dnt_config_field *schema, size_t n, const char *path) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(schema[i].path, path) == 0) return (int)i;
  return -1;
}

/* 1 if some field's path continues `path` with a dot ("fl" for "fl.rounds"). */
static int is_section(const dnt_config *c, const char *path) {
  size_t len = strlen(path);
  for (size_t i = 0; i < c->n; i++)
    if (strncmp(c->schema[i].path, path, len) == 0 && c->schema[i].path[len] == '.') return 1;
  return 0;
}

/* Levenshtein distance, for "did you mean" hints on short keys. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 127 || lb > 127) return (size_t)-1;
  size_t row[128];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static int unknown_key(const dnt_config *c, const char *origin, const char *path) {
  size_t best = (size_t)-1;
  const char *hint = NULL;
  for (size_t i = 0; i < c->n; i++) {
    size_t d = edit_distance(path, c->schema[i].path);
    if (d < best) best = d, hint = c->schema[i].path;
  }
  if (hint && best <= 3)
    return dnt_error(DNT_ERR_CONFIG, "%s: unknown key '%s' (did you mean '%s'?)", origin, path,
                     hint);
  return dnt_error(DNT_ERR_CONFIG, "%s: unknown key '%s' (see --help-config for the keys)", origin,
                   path);
}

static int bad_value(const char *origin, const dnt_config_field *f, const char *shown,
                     const char *expected) {
  return dnt_error(DNT_ERR_CONFIG, "%s: key '%s' = %s: expected %s", origin, f->path, shown,
                   expected);
}

/* Range check for INT/REAL values and list items; `shown` is the value as written. */
static int check_range(const dnt_config_field *f, double x, const char *origin, const char *shown) {
  if (isfinite(x) && x >= f->min && x <= f->max) return DNT_OK;
  char expected[128];
  const char *what = f->type == DNT_CFG_INT ? "an integer" : "a finite number";
  snprintf(expected, sizeof expected, "%s in [%.15g, %.15g]", what, f->min, f->max);
  return bad_value(origin, f, shown, expected);
}

static int check_choice(const dnt_config_field *f, const char *s, const char *origin,
                        const char *shown) {
  if (!f->choices) return DNT_OK;
  size_t len = strlen(s);
  for (const char *w = f->choices; *w;) {
    size_t wl = strcspn(w, "|");
    if (wl == len && strncmp(w, s, len) == 0) return DNT_OK;
    w += wl + (w[wl] == '|');
  }
  char expected[256];
  snprintf(expected, sizeof expected, "one of %s", f->choices);
  return bad_value(origin, f, shown, expected);
}

/* A bound list holds at most DNT_CFG_LIST_MAX values (its struct member). */
static int list_too_long(const dnt_config_field *f, size_t n, const char *origin) {
  char shown[64], expected[64];
  snprintf(shown, sizeof shown, "a list of %zu values", n);
  snprintf(expected, sizeof expected, "at most %d values", DNT_CFG_LIST_MAX);
  return bad_value(origin, f, shown, expected);
}

/* Parses "1, 2.5, 3" or "[1, 2.5, 3]" into a list (items range-checked). */
static int list_from_text(const dnt_config_field *f, const char *text, const char *origin,
                          const char *shown, value *out) {
  out->list.v = NULL;
  out->list.n = 0;
  const char *p = text + strspn(text, " \t");
  int bracket = *p == '[';
  p += bracket;
  size_t cap = 0;
  for (;;) {
    p += strspn(p, " \t");
    if (*p == '\0' || (bracket && *p == ']')) {
      if (out->list.n == 0) break; /* empty list */
      goto bad;
    }
    char *end;
    double x = strtod(p, &end);
    if (end == p) goto bad;
    if (check_range(f, x, origin, shown)) goto fail;
    if (out->list.n == cap) {
      cap = cap ? 2 * cap : 8;
      double *grown = realloc(out->list.v, cap * sizeof *grown);
      if (!grown) {
        free(out->list.v);
        return dnt_error(DNT_ERR_NOMEM, "%s: key '%s': out of memory", origin, f->path);
      }
      out->list.v = grown;
    }
    out->list.v[out->list.n++] = x;
    p = end + strspn(end, " \t");
    if (*p == ',') {
      p++;
      continue;
    }
    break;
  }
  if (bracket && *p++ != ']') goto bad;
  if (p[strspn(p, " \t")] != '\0') goto bad;
  if (f->bound && out->list.n > DNT_CFG_LIST_MAX) {
    list_too_long(f, out->list.n, origin);
    goto fail;
  }
  return DNT_OK;
bad:
  bad_value(origin, f, shown, "a comma-separated list of numbers");
fail:
  free(out->list.v);
  out->list.v = NULL;
  return DNT_ERR_CONFIG;
}

/* Parses command-line text for field f. */
static int value_from_text(const dnt_config_field *f, const char *text, const char *origin,
                           value *out) {
  char shown[160];
  snprintf(shown, sizeof shown, "'%s'", text);
  char *end;
  switch (f->type) {
  case DNT_CFG_INT: {
    errno = 0;
    long long i = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE) {
      double x = strtod(text, &end); /* "1e6" is an integer too */
      if (end == text || *end != '\0' || x != floor(x) || fabs(x) >= 0x1p63)
        return check_range(f, NAN, origin, shown);
      i = (long long)x;
    }
    out->i = i;
    return check_range(f, (double)i, origin, shown);
  }
  case DNT_CFG_REAL:
    out->r = strtod(text, &end);
    if (end == text || *end != '\0') return check_range(f, NAN, origin, shown);
    return check_range(f, out->r, origin, shown);
  case DNT_CFG_BOOL:
    if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes") || !strcmp(text, "on"))
      return out->b = 1, DNT_OK;
    if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no") || !strcmp(text, "off"))
      return out->b = 0, DNT_OK;
    return bad_value(origin, f, shown, "true or false");
  case DNT_CFG_STRING: {
    json_t *utf8 = json_string(text); /* NULL unless valid UTF-8, as JSON needs */
    if (!utf8) return bad_value(origin, f, shown, "UTF-8 text");
    json_decref(utf8);
    int rc = check_choice(f, text, origin, shown);
    if (rc) return rc;
    out->s = strdup(text);
    return out->s ? DNT_OK : dnt_error(DNT_ERR_NOMEM, "%s: out of memory", origin);
  }
  case DNT_CFG_REAL_LIST:
    return list_from_text(f, text, origin, shown, out);
  }
  return DNT_ERR_CONFIG;
}

/* Validates a JSON value for field f and converts it. */
static int value_from_json(const dnt_config_field *f, const json_t *j, const char *origin,
                           value *out) {
  char shown[160];
  char *dump = json_dumps(j, JSON_ENCODE_ANY);
  snprintf(shown, sizeof shown, "%s", dump ? dump : "?");
  free(dump);
  switch (f->type) {
  case DNT_CFG_INT:
    if (json_is_integer(j)) {
      out->i = json_integer_value(j);
    } else if (json_is_real(j) && json_real_value(j) == floor(json_real_value(j)) &&
               fabs(json_real_value(j)) < 0x1p63) {
      out->i = (int64_t)json_real_value(j);
    } else {
      return bad_value(origin, f, shown, "an integer");
    }
    return check_range(f, (double)out->i, origin, shown);
  case DNT_CFG_REAL:
    if (!json_is_number(j)) return bad_value(origin, f, shown, "a number");
    out->r = json_number_value(j);
    return check_range(f, out->r, origin, shown);
  case DNT_CFG_BOOL:
    if (!json_is_boolean(j)) return bad_value(origin, f, shown, "true or false");
    out->b = json_is_true(j);
    return DNT_OK;
  case DNT_CFG_STRING: {
    if (!json_is_string(j)) return bad_value(origin, f, shown, "a string");
    int rc = check_choice(f, json_string_value(j), origin, shown);
    if (rc) return rc;
    out->s = strdup(json_string_value(j));
    return out->s ? DNT_OK : dnt_error(DNT_ERR_NOMEM, "%s: out of memory", origin);
  }
  case DNT_CFG_REAL_LIST: {
    if (!json_is_array(j)) return bad_value(origin, f, shown, "a list of numbers");
    size_t n = json_array_size(j), i;
    if (f->bound && n > DNT_CFG_LIST_MAX) return list_too_long(f, n, origin);
    out->list.n = n;
    out->list.v = n ? malloc(n * sizeof *out->list.v) : NULL;
    if (n && !out->list.v) return dnt_error(DNT_ERR_NOMEM, "%s: out of memory", origin);
    const json_t *item;
    json_array_foreach(j, i, item) {
      int rc = json_is_number(item) ? check_range(f, json_number_value(item), origin, shown)
                                    : bad_value(origin, f, shown, "a list of numbers");
      if (rc) {
        free(out->list.v);
        return rc;
      }
      out->list.v[i] = json_number_value(item);
    }
    return DNT_OK;
  }
  }
  return DNT_ERR_CONFIG;
}

/* Walks a JSON object whose keys continue `prefix`, storing into vals. */
static int walk(const dnt_config *c, value *vals, const json_t *obj, const char *prefix,
                const char *origin) {
  const char *key;
  const json_t *item;
  json_object_foreach((json_t *)obj, key, item) {
    size_t len = strlen(prefix) + strlen(key) + 2;
    char *path = malloc(len);
    if (!path) return dnt_error(DNT_ERR_NOMEM, "%s: out of memory", origin);
    snprintf(path, len, "%s%s%s", prefix, *prefix ? "." : "", key);
    int rc, i = find_field(c->schema, c->n, path);
    if (i >= 0) {
      value v;
      rc = value_from_json(&c->schema[i], item, origin, &v);
      if (rc == DNT_OK) {
        value_free(c->schema[i].type, &vals[i]);
        vals[i] = v;
      }
    } else if (is_section(c, path)) {
      rc = json_is_object(item) ? walk(c, vals, item, path, origin)
                                : dnt_error(DNT_ERR_CONFIG,
                                            "%s: key '%s': expected an object (a section of "
                                            "the config)",
                                            origin, path);
    } else {
      rc = unknown_key(c, origin, path);
    }
    free(path);
    if (rc) return rc;
  }
  return DNT_OK;
}

static int default_value(const dnt_config_field *f, value *out) {
  char shown[64];
  snprintf(shown, sizeof shown, "%.17g", f->def_num);
  switch (f->type) {
  case DNT_CFG_INT:
    if (!(fabs(f->def_num) < 0x1p63) || f->def_num != floor(f->def_num))
      return bad_value("schema default", f, shown, "an integer");
    out->i = (int64_t)f->def_num;
    return check_range(f, f->def_num, "schema default", shown);
  case DNT_CFG_REAL:
    out->r = f->def_num;
    return check_range(f, f->def_num, "schema default", shown);
  case DNT_CFG_BOOL:
    out->b = f->def_num != 0.0;
    return DNT_OK;
  default:
    return value_from_text(f, f->def_str ? f->def_str : "", "schema default", out);
  }
}

int dnt_config_create(const dnt_config_field *schema, size_t n_fields, dnt_config **out) {
  *out = NULL;
  for (size_t i = 0; i < n_fields; i++) {
    const char *p = schema[i].path;
    if (!p || !*p || p[0] == '.' || p[strlen(p) - 1] == '.' || strstr(p, ".."))
      return dnt_error(DNT_ERR_ARG, "config schema: field %zu has a malformed path '%s'", i,
                       p ? p : "(null)");
    for (size_t j = 0; j < i; j++) {
      size_t lj = strlen(schema[j].path), li = strlen(p);
      size_t m = lj < li ? lj : li;
      if (strncmp(p, schema[j].path, m) == 0 &&
          (li == lj || (li > lj ? p : schema[j].path)[m] == '.'))
        return dnt_error(DNT_ERR_ARG, "config schema: paths '%s' and '%s' collide", schema[j].path,
                         p);
    }
  }
  dnt_config *c = calloc(1, sizeof *c);
  value *vals = calloc(n_fields ? n_fields : 1, sizeof *vals);
  if (!c || !vals) {
    free(c);
    free(vals);
    return dnt_error(DNT_ERR_NOMEM, "config: cannot allocate %zu fields", n_fields);
  }
  c->schema = schema;
  c->n = n_fields;
  c->vals = vals;
  for (size_t i = 0; i < n_fields; i++) {
    int rc = default_value(&schema[i], &vals[i]);
    if (rc) {
      rc = dnt_error(DNT_ERR_ARG, "config %s", dnt_last_error()); /* a schema bug */
      dnt_config_destroy(c); /* values past i are still zero, which frees as nothing */
      return rc;
    }
  }
  *out = c;
  return DNT_OK;
}

int dnt_config_merge_text(dnt_config *c, const char *json_text, const char *origin) {
  if (!origin) origin = "<config>";
  json_error_t err;
  json_t *root = json_loads(json_text, JSON_REJECT_DUPLICATES, &err);
  if (!root)
    return dnt_error(DNT_ERR_PARSE, "%s:%d:%d: malformed JSON: %s", origin, err.line, err.column,
                     err.text);
  int rc = DNT_OK;
  value *copy = NULL;
  if (!json_is_object(root)) {
    rc = dnt_error(DNT_ERR_CONFIG, "%s: expected a JSON object at the top level", origin);
    goto cleanup;
  }
  copy = calloc(c->n ? c->n : 1, sizeof *copy);
  if (!copy) {
    rc = dnt_error(DNT_ERR_NOMEM, "%s: out of memory", origin);
    goto cleanup;
  }
  for (size_t i = 0; i < c->n; i++) {
    if (value_copy(c->schema[i].type, &c->vals[i], &copy[i])) {
      values_free(c->schema, i, copy);
      copy = NULL;
      rc = dnt_error(DNT_ERR_NOMEM, "%s: out of memory", origin);
      goto cleanup;
    }
  }
  rc = walk(c, copy, root, "", origin);
  if (rc == DNT_OK) {
    values_free(c->schema, c->n, c->vals);
    c->vals = copy;
    copy = NULL;
  }
cleanup:
  values_free(c->schema, c->n, copy);
  json_decref(root);
  return rc;
}

int dnt_config_load(const dnt_config_field *schema, size_t n_fields, const char *path,
                    dnt_config **out) {
  *out = NULL;
  char *text;
  size_t len;
  int rc = dnt_read_file(path, &text, &len);
  if (rc) return rc;
  dnt_config *c = NULL;
  rc = dnt_config_create(schema, n_fields, &c);
  if (rc == DNT_OK) rc = dnt_config_merge_text(c, text, path);
  free(text);
  if (rc) {
    dnt_config_destroy(c);
    return rc;
  }
  *out = c;
  return DNT_OK;
}

int dnt_config_set(dnt_config *c, const char *assignment) {
  const char *eq = strchr(assignment, '=');
  if (!eq)
    return dnt_error(DNT_ERR_CONFIG, "--set '%s': expected key=value (e.g. fl.rounds=30)",
                     assignment);
  const char *k = assignment + strspn(assignment, " \t");
  size_t klen = (size_t)(eq - k);
  while (klen > 0 && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
    klen--;
  char key[256];
  if (klen == 0 || klen >= sizeof key)
    return dnt_error(DNT_ERR_CONFIG, "--set '%s': expected key=value (e.g. fl.rounds=30)",
                     assignment);
  memcpy(key, k, klen);
  key[klen] = '\0';
  int i = find_field(c->schema, c->n, key);
  if (i < 0) return unknown_key(c, "command line", key);
  value v;
  int rc = value_from_text(&c->schema[i], eq + 1, "command line", &v);
  if (rc) return rc;
  value_free(c->schema[i].type, &c->vals[i]);
  c->vals[i] = v;
  return DNT_OK;
}

/* The value of `path`, asserting that it exists with type t (a caller bug otherwise). */
static const value *lookup(const dnt_config *c, const char *path, dnt_config_type t) {
  int i = find_field(c->schema, c->n, path);
  assert(i >= 0 && "config key not in the schema");
  assert(c->schema[i].type == t && "config key read with the wrong type");
  if (i < 0 || c->schema[i].type != t) return NULL;
  return &c->vals[i];
}

int64_t dnt_config_int(const dnt_config *c, const char *path) {
  const value *v = lookup(c, path, DNT_CFG_INT);
  return v ? v->i : 0;
}

double dnt_config_real(const dnt_config *c, const char *path) {
  const value *v = lookup(c, path, DNT_CFG_REAL);
  return v ? v->r : 0.0;
}

int dnt_config_bool(const dnt_config *c, const char *path) {
  const value *v = lookup(c, path, DNT_CFG_BOOL);
  return v ? v->b : 0;
}

const char *dnt_config_string(const dnt_config *c, const char *path) {
  const value *v = lookup(c, path, DNT_CFG_STRING);
  return v ? v->s : "";
}

const double *dnt_config_list(const dnt_config *c, const char *path, size_t *n) {
  const value *v = lookup(c, path, DNT_CFG_REAL_LIST);
  *n = v ? v->list.n : 0;
  return v ? v->list.v : NULL;
}

static json_t *value_to_json(dnt_config_type t, const value *v) {
  switch (t) {
  case DNT_CFG_INT:
    return json_integer(v->i);
  case DNT_CFG_REAL:
    return json_real(v->r);
  case DNT_CFG_BOOL:
    return json_boolean(v->b);
  case DNT_CFG_STRING:
    return json_string(v->s);
  case DNT_CFG_REAL_LIST: {
    json_t *a = json_array();
    for (size_t i = 0; a && i < v->list.n; i++)
      json_array_append_new(a, json_real(v->list.v[i]));
    return a;
  }
  }
  return NULL;
}

char *dnt_config_to_json(const dnt_config *c) {
  json_t *root = json_object();
  for (size_t i = 0; root && i < c->n; i++) {
    /* Descend through (creating) one object per dotted segment. */
    json_t *obj = root;
    char seg[256];
    const char *p = c->schema[i].path;
    for (const char *dot; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
      size_t len = (size_t)(dot - p) < sizeof seg ? (size_t)(dot - p) : sizeof seg - 1;
      memcpy(seg, p, len);
      seg[len] = '\0';
      json_t *next = json_object_get(obj, seg);
      if (!next) {
        next = json_object();
        json_object_set_new(obj, seg, next);
      }
      obj = next;
    }
    json_object_set_new(obj, p, value_to_json(c->schema[i].type, &c->vals[i]));
  }
  char *text = root ? dnt_json_dump_exact(root) : NULL;
  json_decref(root);
  if (!text) dnt_error(DNT_ERR_NOMEM, "config: cannot format the effective config");
  return text;
}

void dnt_config_print_schema(const dnt_config_field *schema, size_t n_fields, void *file) {
  FILE *f = file;
  static const char *names[] = {"int", "real", "bool", "string", "real list"};
  for (size_t i = 0; i < n_fields; i++) {
    const dnt_config_field *x = &schema[i];
    fprintf(f, "%s (%s", x->path, names[x->type]);
    if (x->type == DNT_CFG_INT || x->type == DNT_CFG_REAL || x->type == DNT_CFG_REAL_LIST)
      fprintf(f, " in [%.15g, %.15g]", x->min, x->max);
    if (x->type == DNT_CFG_STRING && x->choices) fprintf(f, ": %s", x->choices);
    if (x->type == DNT_CFG_STRING || x->type == DNT_CFG_REAL_LIST)
      fprintf(f, ", default \"%s\")\n", x->def_str ? x->def_str : "");
    else if (x->type == DNT_CFG_BOOL)
      fprintf(f, ", default %s)\n", x->def_num != 0.0 ? "true" : "false");
    else
      fprintf(f, ", default %.15g)\n", x->def_num);
    if (x->help) fprintf(f, "    %s\n", x->help);
  }
}

void dnt_config_destroy(dnt_config *c) {
  if (!c) return;
  values_free(c->schema, c->n, c->vals);
  free(c);
}

/* The member of bound field f in struct s. */
static void *member(const dnt_config_field *f, const void *s) {
  assert(f->bound && "config row not bound to a struct member");
  return (char *)(uintptr_t)s + f->offset;
}

/* Stores value v of field f into its member of struct s (strings borrowed). */
static void value_to_member(const dnt_config_field *f, const value *v, void *s) {
  void *m = member(f, s);
  switch (f->type) {
  case DNT_CFG_INT:
    *(int64_t *)m = v->i;
    break;
  case DNT_CFG_REAL:
    *(double *)m = v->r;
    break;
  case DNT_CFG_BOOL:
    *(int *)m = v->b;
    break;
  case DNT_CFG_STRING:
    *(const char **)m = v->s;
    break;
  case DNT_CFG_REAL_LIST: {
    dnt_config_reals *l = m;
    assert(v->list.n <= DNT_CFG_LIST_MAX && "list longer than DNT_CFG_LIST_MAX");
    l->n = v->list.n < DNT_CFG_LIST_MAX ? v->list.n : DNT_CFG_LIST_MAX;
    if (l->n) memcpy(l->v, v->list.v, l->n * sizeof *l->v);
    break;
  }
  }
}

void dnt_config_struct_defaults(const dnt_config_field *schema, size_t n_fields, void *out) {
  for (size_t i = 0; i < n_fields; i++) {
    const dnt_config_field *f = &schema[i];
    value v = {0};
    if (f->type == DNT_CFG_STRING) {
      *(const char **)member(f, out) = f->def_str ? f->def_str : "";
      continue;
    }
    int rc = default_value(f, &v);
    assert(rc == DNT_OK && "invalid schema default");
    (void)rc;
    value_to_member(f, &v, out);
    value_free(f->type, &v);
  }
}

void dnt_config_to_struct(const dnt_config *c, void *out) {
  for (size_t i = 0; i < c->n; i++)
    value_to_member(&c->schema[i], &c->vals[i], out);
}

/* Reads field f's member of struct s into v (strings and lists copied) and
 * validates it as a value written in a file would be. */
static int value_from_member(const dnt_config_field *f, const void *s, const char *origin,
                             value *v) {
  const void *m = member(f, s);
  char shown[160];
  switch (f->type) {
  case DNT_CFG_INT:
    v->i = *(const int64_t *)m;
    snprintf(shown, sizeof shown, "%lld", (long long)v->i);
    return check_range(f, (double)v->i, origin, shown);
  case DNT_CFG_REAL:
    v->r = *(const double *)m;
    snprintf(shown, sizeof shown, "%.17g", v->r);
    return check_range(f, v->r, origin, shown);
  case DNT_CFG_BOOL:
    v->b = *(const int *)m != 0;
    return DNT_OK;
  case DNT_CFG_STRING: {
    const char *text = *(const char *const *)m;
    if (!text) return bad_value(origin, f, "NULL", "a string");
    return value_from_text(f, text, origin, v);
  }
  case DNT_CFG_REAL_LIST: {
    const dnt_config_reals *l = m;
    if (l->n > DNT_CFG_LIST_MAX) return list_too_long(f, l->n, origin);
    v->list.n = l->n;
    v->list.v = l->n ? malloc(l->n * sizeof *v->list.v) : NULL;
    if (l->n && !v->list.v) return dnt_error(DNT_ERR_NOMEM, "%s: out of memory", origin);
    for (size_t k = 0; k < l->n; k++) {
      snprintf(shown, sizeof shown, "%.17g (item %zu)", l->v[k], k);
      int rc = check_range(f, l->v[k], origin, shown);
      if (rc) {
        free(v->list.v);
        v->list.v = NULL;
        return rc;
      }
      v->list.v[k] = l->v[k];
    }
    return DNT_OK;
  }
  }
  return DNT_ERR_CONFIG;
}

int dnt_config_from_struct(const dnt_config_field *schema, size_t n_fields, const void *in,
                           const char *origin, dnt_config **out) {
  dnt_config *c = NULL;
  int rc = dnt_config_create(schema, n_fields, &c);
  if (rc) return rc;
  for (size_t i = 0; i < n_fields; i++) {
    value v = {0};
    if ((rc = value_from_member(&schema[i], in, origin, &v))) {
      dnt_config_destroy(c);
      return rc;
    }
    value_free(schema[i].type, &c->vals[i]);
    c->vals[i] = v;
  }
  *out = c;
  return DNT_OK;
}
