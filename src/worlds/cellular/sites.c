/* src/worlds/cellular/sites.c: base-station sites: storage, the CSV reader
 * and the projection of latitude/longitude to metres.
 *
 * Site files are small (hundreds to a few thousand rows), so the reader is a
 * straight pass over the CSV table; the only global work is the centroid for
 * the projection and the duplicate-id check (sorted copy, O(n log n)). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnt/cellular.h"
#include "dnt/csv.h"
#include "dnt/status.h"
#include "kdtree_internal.h"

#define EARTH_RADIUS_M 6371008.8 /* IUGG mean Earth radius */
#define DEG (M_PI / 180.0)

int dnt_cell_sites_alloc(dnt_cell_sites *s, size_t n) {
  memset(s, 0, sizeof *s);
  s->lat0 = s->lon0 = NAN;
  s->id = calloc(n ? n : 1, sizeof *s->id);
  double *block = calloc(n ? 7 * n : 1, sizeof *block); /* x y lat lon cap bh radius */
  if (!s->id || !block) {
    free(s->id);
    free(block);
    memset(s, 0, sizeof *s);
    return dnt_error(DNT_ERR_NOMEM, "sites: out of memory for %zu sites", n);
  }
  s->n = n;
  s->x = block;
  s->y = block + n;
  s->lat = block + 2 * n;
  s->lon = block + 3 * n;
  s->capacity = block + 4 * n;
  s->backhaul = block + 5 * n;
  s->radius = block + 6 * n;
  for (size_t i = 0; i < n; i++) {
    char name[32];
    snprintf(name, sizeof name, "bs%zu", i);
    s->lat[i] = s->lon[i] = NAN;
    if (!(s->id[i] = strdup(name))) {
      dnt_cell_sites_free(s);
      return dnt_error(DNT_ERR_NOMEM, "sites: out of memory for site ids");
    }
  }
  return 0;
}

void dnt_cell_sites_free(dnt_cell_sites *s) {
  if (!s) return;
  for (size_t i = 0; s->id && i < s->n; i++)
    free(s->id[i]);
  free(s->id);
  free(s->x); /* the block of every number array */
  memset(s, 0, sizeof *s);
}

int dnt_cell_sites_copy(const dnt_cell_sites *src, dnt_cell_sites *dst) {
  int rc = dnt_cell_sites_alloc(dst, src->n);
  if (rc) return rc;
  memcpy(dst->x, src->x, src->n * sizeof *src->x);
  memcpy(dst->y, src->y, src->n * sizeof *src->y);
  memcpy(dst->lat, src->lat, src->n * sizeof *src->lat);
  memcpy(dst->lon, src->lon, src->n * sizeof *src->lon);
  memcpy(dst->capacity, src->capacity, src->n * sizeof *src->capacity);
  memcpy(dst->backhaul, src->backhaul, src->n * sizeof *src->backhaul);
  memcpy(dst->radius, src->radius, src->n * sizeof *src->radius);
  dst->lat0 = src->lat0;
  dst->lon0 = src->lon0;
  for (size_t i = 0; i < src->n; i++) {
    free(dst->id[i]);
    if (!(dst->id[i] = strdup(src->id[i]))) {
      dnt_cell_sites_free(dst);
      return dnt_error(DNT_ERR_NOMEM, "sites: out of memory copying site ids");
    }
  }
  return 0;
}

/* Optional column lookup: unlike dnt_csv_column, absence is not an error. */
static int find_col(const dnt_csv *t, const char *name, size_t *col) {
  for (size_t c = 0; c < t->n_cols; c++)
    if (!strcasecmp(t->header[c], name)) {
      *col = c;
      return 1;
    }
  return 0;
}

/* Reads column `col` of row r as a number in [lo, hi]; empty gives `empty`
 * (NAN = an empty cell is an error). */
static int read_num(const dnt_csv *t, size_t r, size_t col, double lo, double hi, double empty,
                    double *out) {
  int rc = isnan(empty) ? dnt_csv_double(t, r, col, out) : dnt_csv_double_or(t, r, col, empty, out);
  if (rc) return rc;
  if (!(*out >= lo && *out <= hi))
    return dnt_error(DNT_ERR_PARSE, "%s:%zu: column '%s' = '%s': expected a number in [%g, %g]",
                     t->origin, t->line[r], t->header[col], dnt_csv_cell(t, r, col), lo, hi);
  return 0;
}

typedef struct id_ref {
  const char *id;
  size_t row;
} id_ref;

static int cmp_id(const void *a, const void *b) {
  const id_ref *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  return c ? c : (x->row > y->row) - (x->row < y->row);
}

static int check_unique_ids(const dnt_csv *t, const dnt_cell_sites *s, size_t col) {
  id_ref *refs = malloc(s->n * sizeof *refs);
  if (!refs) return dnt_error(DNT_ERR_NOMEM, "sites: out of memory");
  for (size_t i = 0; i < s->n; i++)
    refs[i] = (id_ref){s->id[i], i};
  qsort(refs, s->n, sizeof *refs, cmp_id);
  int rc = 0;
  for (size_t i = 1; i < s->n && !rc; i++)
    if (!strcmp(refs[i].id, refs[i - 1].id))
      rc = dnt_error(DNT_ERR_PARSE,
                     "%s:%zu: column '%s' = '%s': duplicate site id (first at line %zu)", t->origin,
                     t->line[refs[i].row], t->header[col], refs[i].id, t->line[refs[i - 1].row]);
  free(refs);
  return rc;
}

/* Equirectangular projection around the centroid (see cellular.h). */
static void project(dnt_cell_sites *s) {
  double lat0 = 0, lon0 = 0;
  for (size_t i = 0; i < s->n; i++) {
    lat0 += s->lat[i];
    lon0 += s->lon[i];
  }
  lat0 /= (double)s->n;
  lon0 /= (double)s->n;
  s->lat0 = lat0;
  s->lon0 = lon0;
  double kx = EARTH_RADIUS_M * DEG * cos(lat0 * DEG), ky = EARTH_RADIUS_M * DEG;
  for (size_t i = 0; i < s->n; i++) {
    s->x[i] = kx * (s->lon[i] - lon0);
    s->y[i] = ky * (s->lat[i] - lat0);
  }
}

static int read_rows(const dnt_csv *t, dnt_cell_sites *s) {
  size_t c_id = 0, c_a, c_b, c_cap = 0, c_bh = 0, c_rad = 0;
  int has_id = find_col(t, "SITE_ID", &c_id);
  int geo = find_col(t, "LATITUDE", &c_a) && find_col(t, "LONGITUDE", &c_b);
  if (!geo && !(find_col(t, "X_M", &c_a) && find_col(t, "Y_M", &c_b)))
    return dnt_error(DNT_ERR_PARSE,
                     "%s:1: header: expected columns LATITUDE and LONGITUDE (or X_M and Y_M)",
                     t->origin);
  int has_cap = find_col(t, "CAPACITY", &c_cap), has_bh = find_col(t, "BACKHAUL", &c_bh);
  int has_rad = find_col(t, "RADIUS_M", &c_rad);
  for (size_t r = 0; r < t->n_rows; r++) {
    int rc = 0;
    if (geo) {
      rc = read_num(t, r, c_a, -90, 90, NAN, &s->lat[r]);
      if (!rc) rc = read_num(t, r, c_b, -180, 180, NAN, &s->lon[r]);
    } else {
      rc = read_num(t, r, c_a, -HUGE_VAL, HUGE_VAL, NAN, &s->x[r]);
      if (!rc) rc = read_num(t, r, c_b, -HUGE_VAL, HUGE_VAL, NAN, &s->y[r]);
    }
    if (!rc && has_cap) rc = read_num(t, r, c_cap, 0, HUGE_VAL, 0, &s->capacity[r]);
    if (!rc && has_bh) rc = read_num(t, r, c_bh, 0, HUGE_VAL, 0, &s->backhaul[r]);
    if (!rc && has_rad) rc = read_num(t, r, c_rad, 0, HUGE_VAL, 0, &s->radius[r]);
    if (rc) return rc;
    if (has_id) {
      const char *id = dnt_csv_cell(t, r, c_id);
      if (!*id)
        return dnt_error(DNT_ERR_PARSE, "%s:%zu: column '%s' is empty: expected a site id",
                         t->origin, t->line[r], t->header[c_id]);
      free(s->id[r]);
      if (!(s->id[r] = strdup(id))) return dnt_error(DNT_ERR_NOMEM, "sites: out of memory");
    }
  }
  if (geo) project(s);
  return has_id ? check_unique_ids(t, s, c_id) : 0;
}

int dnt_cell_sites_read(const char *path, dnt_cell_sites *out) {
  memset(out, 0, sizeof *out);
  dnt_csv *t = NULL;
  int rc = dnt_csv_read(path, ',', &t);
  if (rc) return rc;
  if (t->n_rows == 0) {
    rc = dnt_error(DNT_ERR_PARSE, "%s: no site rows after the header", path);
  } else if (!(rc = dnt_cell_sites_alloc(out, t->n_rows))) {
    rc = read_rows(t, out);
    if (rc) dnt_cell_sites_free(out);
  }
  dnt_csv_free(t);
  return rc;
}

double dnt_cell_sites_mean_nn(const dnt_cell_sites *s) {
  if (s->n < 2) return 0;
  cell_kdtree t;
  if (cell_kdtree_build(s->x, s->y, s->n, &t)) return NAN;
  double sum = 0;
  for (size_t i = 0; i < s->n; i++) {
    size_t nb;
    double d2;
    cell_kdtree_knn(&t, i, 1, &nb, &d2);
    sum += sqrt(d2);
  }
  cell_kdtree_free(&t);
  return sum / (double)s->n;
}

double dnt_cell_coverage_overlap(double d, double r1, double r2) {
  double rmin = fmin(r1, r2), rmax = fmax(r1, r2);
  if (!(rmin > 0) || d >= r1 + r2) return 0;
  if (d <= rmax - rmin) return 1; /* the smaller disc lies inside the larger */
  /* Lens area of two intersecting circles (e.g. Weisstein, MathWorld
   * "Circle-Circle Intersection", eq. 14). */
  double a1 = acos(fmax(-1, fmin(1, (d * d + r1 * r1 - r2 * r2) / (2 * d * r1))));
  double a2 = acos(fmax(-1, fmin(1, (d * d + r2 * r2 - r1 * r1) / (2 * d * r2))));
  double k = (-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2);
  double lens = r1 * r1 * a1 + r2 * r2 * a2 - 0.5 * sqrt(fmax(0, k));
  double share = lens / (M_PI * rmin * rmin);
  return fmax(0, fmin(1, share));
}
