/* fuzz_sites: the BS sites reader (dnt_cell_sites_read) on arbitrary bytes.
 *
 * On failure the output is zeroed and the error says why. On success: n >= 1
 * sites with non-empty, distinct ids; geographic sites inside [-90, 90] x
 * [-180, 180] with finite projected positions; capacities, backhauls and
 * radii >= 0; and (up to 64 sites) a generated cellular world over them that
 * creates, steps, saves and loads without fault. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/status.h"
#include "harness.h"

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_sites(const dnt_cell_sites *s) {
  FUZZ_ASSERT(s->n >= 1);
  char **ids = malloc(s->n * sizeof *ids);
  FUZZ_ASSERT(ids);
  for (size_t i = 0; i < s->n; i++) {
    FUZZ_ASSERT(s->id[i] && s->id[i][0] != '\0');
    ids[i] = s->id[i];
    FUZZ_ASSERT(isfinite(s->x[i]) && isfinite(s->y[i]));
    if (!isnan(s->lat[i])) FUZZ_ASSERT(fabs(s->lat[i]) <= 90 && fabs(s->lon[i]) <= 180);
    FUZZ_ASSERT(s->capacity[i] >= 0 && s->backhaul[i] >= 0 && s->radius[i] >= 0);
  }
  qsort(ids, s->n, sizeof *ids, cmp_str);
  for (size_t i = 1; i < s->n; i++)
    FUZZ_ASSERT(strcmp(ids[i - 1], ids[i]) != 0);
  free(ids);
}

/* A world over the sites: creation may refuse them (an error, no fault). */
static void world_over(const dnt_cell_sites *s) {
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  dnt_world *w = NULL;
  if (dnt_cellular_create(s, NULL, &p, 1, &w) != DNT_OK) return;
  const dnt_world_info *info = dnt_world_get_info(w);
  double *tel = malloc(info->n_fields * sizeof *tel);
  FUZZ_ASSERT(tel);
  for (int t = 0; t < 3; t++) {
    FUZZ_ASSERT(dnt_world_step(w, NULL) == DNT_OK);
    dnt_world_observe(w, tel);
  }
  unsigned char *buf = NULL;
  size_t len = 0;
  FUZZ_ASSERT(dnt_world_save(w, &buf, &len) == DNT_OK);
  FUZZ_ASSERT(dnt_world_load(w, buf, len) == DNT_OK);
  free(buf);
  free(tel);
  dnt_world_destroy(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[FUZZ_PATH_MAX];
  fuzz_temp_file(data, size, path);
  dnt_cell_sites s;
  int rc = dnt_cell_sites_read(path, &s);
  if (rc == DNT_OK) {
    check_sites(&s);
    if (s.n <= 64) world_over(&s);
    dnt_cell_sites_free(&s);
  } else {
    FUZZ_ASSERT(rc < 0 && dnt_last_error()[0] != '\0');
    FUZZ_ASSERT(s.n == 0 && s.id == NULL && s.x == NULL);
  }
  fuzz_temp_remove(path);
  return 0;
}
