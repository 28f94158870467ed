/* fuzz/harness.c: the helpers of fuzz/harness.h. */
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnt/fileio.h"
#include "dnt/status.h"

void fuzz_fail(const char *file, int line, const char *cond) {
  fprintf(stderr, "%s:%d: property failed: %s\n  last error: %s\n", file, line, cond,
          dnt_last_error());
  abort();
}

static const char *scratch(void) {
  static const char *dir;
  if (!dir) {
    const char *env = getenv("DNT_FUZZ_TMP");
    struct stat st;
    dir = env && *env                                         ? env
          : stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm"
                                                              : "/tmp";
  }
  return dir;
}

static void write_all(int fd, const void *data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t w = write(fd, (const char *)data + done, size - done);
    FUZZ_ASSERT(w > 0);
    done += (size_t)w;
  }
  FUZZ_ASSERT(close(fd) == 0);
}

void fuzz_temp_file(const uint8_t *data, size_t size, char *path) {
  FUZZ_ASSERT(snprintf(path, FUZZ_PATH_MAX, "%s/dnt_fuzz_XXXXXX", scratch()) < FUZZ_PATH_MAX);
  int fd = mkstemp(path);
  FUZZ_ASSERT(fd >= 0);
  write_all(fd, data, size);
}

void fuzz_write_file(const char *path, const void *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  FUZZ_ASSERT(fd >= 0);
  write_all(fd, data, len);
}

void fuzz_temp_remove(const char *path) {
  static const char *const side[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
    char p[FUZZ_PATH_MAX + 16];
    snprintf(p, sizeof p, "%s%s", path, side[i]);
    unlink(p);
  }
}

void fuzz_temp_dir(char *path) {
  FUZZ_ASSERT(snprintf(path, FUZZ_PATH_MAX, "%s/dnt_fuzz_XXXXXX", scratch()) < FUZZ_PATH_MAX);
  FUZZ_ASSERT(mkdtemp(path) != NULL);
}

void fuzz_remove_dir(const char *path) {
  DIR *d = opendir(path);
  FUZZ_ASSERT(d != NULL);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char p[FUZZ_PATH_MAX + 256];
    snprintf(p, sizeof p, "%s/%s", path, e->d_name);
    unlink(p);
  }
  closedir(d);
  FUZZ_ASSERT(rmdir(path) == 0);
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
