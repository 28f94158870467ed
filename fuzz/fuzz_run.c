/* fuzz_run: reopening a result folder with --resume (dnt_run_open_mode in
 * DNT_RUN_RESUME) when the folder's config.json or dnt.db is arbitrary bytes.
 *
 * The folder is one that a run of study "fuzz" left (config.json, dnt.db and
 * summary.json); the first byte picks the file the rest of the input
 * replaces (bit 0 clear: config.json, set: dnt.db). A refused resume says why
 * and leaves config.json as it was. A resume that opens holds a config.json
 * equal (as JSON) to the one given, and closes. Seeds:
 * DNT_FUZZ_SEEDS=fuzz/corpus/run build-fuzz/fuzz/fuzz_run writes both files of
 * a real folder (the database vacuumed to 512-byte pages). */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/run.h"
#include "dnt/status.h"
#include "harness.h"

static const char config[] = "{\"seed\": 3, \"fl\": {\"rounds\": 5, \"rule\": \"krum\", "
                             "\"w\": [1, 2.5]}, \"name\": \"a\"}";

static uint8_t *files[3]; /* config.json, dnt.db, summary.json of a closed run */
static size_t lens[3];
static const char *const names[3] = {"config.json", "dnt.db", "summary.json"};

static void put(const char *dir, int k, const void *data, size_t len) {
  char path[FUZZ_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/%s", dir, names[k]);
  fuzz_write_file(path, data, len);
}

static uint8_t *get(const char *dir, int k, size_t *len) {
  char path[FUZZ_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/%s", dir, names[k]);
  return fuzz_read_all(path, len);
}

/* A folder a run left, its database in 512-byte pages (small seeds). */
static void make_folder(void) {
  char dir[FUZZ_PATH_MAX], path[FUZZ_PATH_MAX + 32];
  fuzz_temp_dir(dir);
  dnt_run *r = NULL;
  FUZZ_ASSERT(dnt_run_open_mode(dir, "fuzz", config, 3, DNT_RUN_NEW, &r) == DNT_OK);
  FUZZ_ASSERT(dnt_run_metric(r, "error", 1, 0.5) == DNT_OK);
  FUZZ_ASSERT(dnt_run_close(r) == DNT_OK);
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  sqlite3 *db = NULL;
  FUZZ_ASSERT(sqlite3_open(path, &db) == SQLITE_OK);
  FUZZ_ASSERT(sqlite3_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;", NULL,
                           NULL, NULL) == SQLITE_OK);
  sqlite3_close(db);
  for (int k = 0; k < 3; k++)
    files[k] = get(dir, k, &lens[k]);
  fuzz_remove_dir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  make_folder();
  if (fuzz_seeds_begin()) {
    for (int k = 0; k < 2; k++) {
      uint8_t *seed = malloc(lens[k] + 1);
      FUZZ_ASSERT(seed);
      seed[0] = (uint8_t)k;
      memcpy(seed + 1, files[k], lens[k]);
      fuzz_write_seed(names[k], seed, lens[k] + 1);
      free(seed);
    }
    fuzz_seeds_end();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  int k = data[0] & 1;
  char dir[FUZZ_PATH_MAX];
  fuzz_temp_dir(dir);
  for (int i = 0; i < 3; i++)
    if (i == k)
      put(dir, i, data + 1, size - 1);
    else
      put(dir, i, files[i], lens[i]);
  dnt_run *r = NULL;
  int rc = dnt_run_open_mode(dir, "fuzz", config, 3, DNT_RUN_RESUME, &r);
  size_t len;
  uint8_t *now = get(dir, 0, &len);
  if (rc == DNT_OK) {
    FUZZ_ASSERT(dnt_run_resuming(r));
    json_t *a = json_loadb((const char *)now, len, 0, NULL), *b = json_loads(config, 0, NULL);
    FUZZ_ASSERT(a && b && json_equal(a, b));
    json_decref(a);
    json_decref(b);
    dnt_run_close(r);
  } else {
    FUZZ_ASSERT(rc < 0 && dnt_last_error()[0] != '\0');
    const uint8_t *was = k == 0 ? data + 1 : files[0];
    size_t was_len = k == 0 ? size - 1 : lens[0];
    FUZZ_ASSERT(len == was_len && memcmp(now, was, len) == 0);
  }
  free(now);
  fuzz_remove_dir(dir);
  return 0;
}
