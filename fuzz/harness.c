/* fuzz/harness.c: the helpers of fuzz/harness.h. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnt/fileio.h"
#include "dnt/status.h"

void fuzz_fail(const char *file, int line, const char *cond) {
  fprintf(stderr, "%s:%d: property failed: %s\n  last error: %s\n", file, line, cond,
          dnt_last_error());
  abort();
}

void fuzz_temp_file(const uint8_t *data, size_t size, char *path) {
  snprintf(path, FUZZ_PATH_MAX, "/tmp/dnt_fuzz_XXXXXX");
  int fd = mkstemp(path);
  FUZZ_ASSERT(fd >= 0);
  size_t done = 0;
  while (done < size) {
    ssize_t w = write(fd, data + done, size - done);
    FUZZ_ASSERT(w > 0);
    done += (size_t)w;
  }
  FUZZ_ASSERT(close(fd) == 0);
}

void fuzz_temp_remove(const char *path) {
  static const char *const side[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
    char p[FUZZ_PATH_MAX + 16];
    snprintf(p, sizeof p, "%s%s", path, side[i]);
    unlink(p);
  }
}

void fuzz_fix_crc(uint8_t *buf, size_t len) {
  if (len < 4) return;
  unsigned long crc = dnt_crc32(0, buf, len - 4);
  for (int k = 0; k < 4; k++)
    buf[len - 4 + (size_t)k] = (uint8_t)(crc >> (8 * k));
}

static const char *seed_dir;

int fuzz_seeds_begin(void) {
  seed_dir = getenv("DNT_FUZZ_SEEDS");
  return seed_dir && *seed_dir;
}

void fuzz_write_seed(const char *name, const void *data, size_t len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", seed_dir, name);
  FUZZ_ASSERT(dnt_write_atomic(path, data, len) == DNT_OK);
  fprintf(stderr, "seed %s: %zu bytes\n", path, len);
}

void fuzz_seeds_end(void) {
  exit(0);
}

uint8_t *fuzz_read_all(const char *path, size_t *len) {
  char *data = NULL;
  FUZZ_ASSERT(dnt_read_file(path, &data, len) == DNT_OK);
  return (uint8_t *)data;
}
