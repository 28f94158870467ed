/* fuzz_store: the telemetry reader of the twin store
 * (dnt_twin_store_read_telemetry) on arbitrary databases.
 *
 * The first byte b picks the case. Even b: the rest is a database file (seeds:
 * a store the twin wrote, vacuumed to 512-byte pages), read at step b/2 % 4
 * with n = b/8 % 8 values. Odd b: a twin_telemetry table holding one row for
 * session 1, step 0, source 'physical', whose data is the rest of the input
 * stored as a blob, text, integer, real or NULL (b/2 % 5), read with
 * n = rest / 8 (or b/16 % 4 for the non-blob kinds). A read that fails leaves
 * `out` untouched and says why (no row: DNT_ERR_ARG; another size:
 * DNT_ERR_MISMATCH; an unreadable file: DNT_ERR_EXTERNAL). A blob read back
 * gives its own bytes as little-endian doubles. Seeds:
 * DNT_FUZZ_SEEDS=fuzz/corpus/store build-fuzz/fuzz/fuzz_store. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "dnt/twin_store.h"
#include "dnt/world.h"
#include "harness.h"

enum { MAX_N = 64 };

static void exec(sqlite3 *db, const char *sql) {
  FUZZ_ASSERT(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
}

/* A table of one row whose data column is `kind` (0 blob, 1 text, 2 integer,
 * 3 real, 4 null) made of bytes p[0..len). */
static void one_row(const char *path, int kind, const uint8_t *p, size_t len) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  FUZZ_ASSERT(sqlite3_open(path, &db) == SQLITE_OK);
  exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"); /* no fsync per input */
  exec(db, "CREATE TABLE twin_telemetry(session INTEGER, step INTEGER, source TEXT,"
           " n INTEGER, data BLOB)");
  FUZZ_ASSERT(sqlite3_prepare_v2(db, "INSERT INTO twin_telemetry VALUES(1, 0, 'physical', 0, ?1)",
                                 -1, &st, NULL) == SQLITE_OK);
  int64_t i = 0;
  double d = 0;
  memcpy(&i, p, len < 8 ? len : 8);
  memcpy(&d, p, len < 8 ? len : 8);
  if (kind == 0) sqlite3_bind_blob(st, 1, len ? p : (const void *)"", (int)len, SQLITE_STATIC);
  if (kind == 1) sqlite3_bind_text(st, 1, (const char *)p, (int)len, SQLITE_STATIC);
  if (kind == 2) sqlite3_bind_int64(st, 1, i);
  if (kind == 3) sqlite3_bind_double(st, 1, d);
  if (kind == 4) sqlite3_bind_null(st, 1);
  FUZZ_ASSERT(sqlite3_step(st) == SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void write_seed(void) {
  char path[FUZZ_PATH_MAX];
  fuzz_temp_file(NULL, 0, path);
  dnt_twin_store *s = NULL;
  FUZZ_ASSERT(dnt_twin_store_open(path, "fuzz", &s) == DNT_OK);
  static const char *const names[] = {"traffic.a", "traffic.b", "load.a", "load.b"};
  static const int groups[] = {0, 0, 1, 1};
  dnt_world_info info = {4, 0, names, groups, 2, 60};
  FUZZ_ASSERT(dnt_twin_store_fields(s, &info) == DNT_OK);
  for (int t = 0; t < 2; t++) {
    double v[4] = {1.5 * t, -0.0, 1e300, 0.25};
    FUZZ_ASSERT(dnt_twin_store_telemetry(s, t, "physical", v, 4) == DNT_OK);
    FUZZ_ASSERT(dnt_twin_store_telemetry(s, t, "twin", v, 2) == DNT_OK);
    FUZZ_ASSERT(dnt_twin_store_commit(s, t) == DNT_OK);
  }
  FUZZ_ASSERT(dnt_twin_store_close(s) == DNT_OK);
  sqlite3 *db = NULL;
  FUZZ_ASSERT(sqlite3_open(path, &db) == SQLITE_OK);
  exec(db, "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;");
  sqlite3_close(db);
  size_t len;
  uint8_t *file = fuzz_read_all(path, &len), *seed = malloc(len + 1);
  FUZZ_ASSERT(seed);
  seed[0] = 4 << 3; /* even: a database file; step 0, n = 4 */
  memcpy(seed + 1, file, len);
  fuzz_write_seed("store.db", seed, len + 1);
  static const uint8_t rows[][9] = {{1, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f},
                                    {3, '1', '.', '5'},
                                    {5, 7},
                                    {7, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f},
                                    {9}};
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
    char name[32];
    snprintf(name, sizeof name, "row%zu.bin", k);
    fuzz_write_seed(name, rows[k], k == 1 ? 4 : 9);
  }
  free(seed);
  free(file);
  fuzz_temp_remove(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (fuzz_seeds_begin()) {
    write_seed();
    fuzz_seeds_end();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const uint8_t b = data[0], *rest = data + 1;
  size_t len = size - 1, n;
  int64_t step = 0;
  int blob = 0;
  char path[FUZZ_PATH_MAX];
  if (b % 2 == 0) {
    fuzz_temp_file(rest, len, path);
    step = b / 2 % 4;
    n = b / 8 % 8;
  } else {
    int kind = b / 2 % 5;
    fuzz_temp_file(NULL, 0, path);
    one_row(path, kind, rest, len);
    blob = kind == 0 && len % 8 == 0;
    n = kind == 0 ? len / 8 : (size_t)(b / 16 % 4);
    if (n > MAX_N) n = MAX_N;
  }
  double out[MAX_N + 1];
  for (size_t i = 0; i <= MAX_N; i++)
    out[i] = (double)i + 0.5;
  int rc = dnt_twin_store_read_telemetry(path, 1, step, "physical", out, n);
  if (rc == DNT_OK) {
    if (blob) FUZZ_ASSERT(memcmp(out, rest, n * 8) == 0);
    for (size_t i = n; i <= MAX_N; i++)
      FUZZ_ASSERT(out[i] == (double)i + 0.5);
  } else {
    FUZZ_ASSERT(rc == DNT_ERR_ARG || rc == DNT_ERR_MISMATCH || rc == DNT_ERR_EXTERNAL);
    FUZZ_ASSERT(dnt_last_error()[0] != '\0');
    for (size_t i = 0; i <= MAX_N; i++)
      FUZZ_ASSERT(out[i] == (double)i + 0.5);
  }
  fuzz_temp_remove(path);
  return 0;
}
