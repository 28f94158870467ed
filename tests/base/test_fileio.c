/* test_fileio: atomic replacement, streamed atomic files, mkdir -p, CRC-32. */
#include "dnt/fileio.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnt/status.h"
#include "test.h"

/* Number of entries in dir whose name contains ".tmp." (leftover temporaries). */
static int count_temporaries(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    n += strstr(e->d_name, ".tmp.") != NULL;
  closedir(d);
  return n;
}

static int file_is(const char *path, const char *want) {
  char *data = NULL;
  size_t len = 0;
  int ok = dnt_read_file(path, &data, &len) == 0 && len == strlen(want) &&
           memcmp(data, want, len) == 0 && data[len] == '\0';
  free(data);
  return ok;
}

int main(void) {
  char root[] = "/tmp/dnt_test_fileio_XXXXXX";
  CHECK(mkdtemp(root) != NULL);
  char dir[256], path[300];
  snprintf(dir, sizeof dir, "%s/a/b/c", root);

  CHECK(!dnt_path_exists(dir));
  CHECK_OK(dnt_mkdir_p(dir));
  CHECK(dnt_path_exists(dir));
  CHECK_OK(dnt_mkdir_p(dir)); /* existing folder is fine */
  CHECK(dnt_mkdir_p("") == DNT_ERR_ARG);

  /* Atomic write creates, then replaces, and leaves no temporary behind. */
  snprintf(path, sizeof path, "%s/data.txt", dir);
  CHECK_OK(dnt_write_atomic(path, "first version, longer", 21));
  CHECK(file_is(path, "first version, longer"));
  CHECK_OK(dnt_write_atomic(path, "second", 6));
  CHECK(file_is(path, "second"));
  CHECK_OK(dnt_write_atomic(path, "", 0));
  CHECK(file_is(path, ""));
  CHECK(count_temporaries(dir) == 0);

  /* A file where a folder should be. */
  CHECK(dnt_mkdir_p(path) == DNT_ERR_IO);
  CHECK(strstr(dnt_last_error(), "data.txt") != NULL);
  char under_file[400];
  snprintf(under_file, sizeof under_file, "%s/x", path);
  CHECK(dnt_write_atomic(under_file, "x", 1) == DNT_ERR_IO);
  CHECK(strstr(dnt_last_error(), "cannot create") != NULL);

  /* Streamed writer: invisible until commit; abort leaves the old file. */
  dnt_afile *af;
  CHECK_OK(dnt_afile_open(path, &af));
  fputs("streamed ", dnt_afile_stream(af));
  fprintf(dnt_afile_stream(af), "%d", 42);
  CHECK(file_is(path, "")); /* not yet visible */
  CHECK(count_temporaries(dir) == 1);
  CHECK_OK(dnt_afile_commit(af));
  CHECK(file_is(path, "streamed 42"));
  CHECK_OK(dnt_afile_open(path, &af));
  fputs("discarded", dnt_afile_stream(af));
  dnt_afile_abort(af);
  CHECK(file_is(path, "streamed 42"));
  CHECK(count_temporaries(dir) == 0);

  /* Reading: a missing file names itself; a large file comes back whole. */
  char *data = NULL;
  size_t len = 7;
  CHECK(dnt_read_file("/nonexistent/file", &data, &len) == DNT_ERR_IO);
  CHECK(data == NULL && len == 0);
  CHECK(strstr(dnt_last_error(), "/nonexistent/file") != NULL);
  size_t big_len = 300000;
  char *big = malloc(big_len);
  for (size_t i = 0; i < big_len; i++)
    big[i] = (char)('a' + i % 26);
  CHECK_OK(dnt_write_atomic(path, big, big_len));
  CHECK_OK(dnt_read_file(path, &data, &len));
  CHECK(len == big_len && data && memcmp(data, big, big_len) == 0);
  free(data);

  /* CRC-32: the standard check value, chaining, and the empty input. */
  CHECK(dnt_crc32(0, "123456789", 9) == 0xCBF43926UL);
  CHECK(dnt_crc32(dnt_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926UL);
  CHECK(dnt_crc32(0, "", 0) == 0);
  CHECK(dnt_crc32(0, "The quick brown fox jumps over the lazy dog", 43) == 0x414FA339UL);
  CHECK(dnt_crc32(0, big, big_len) != dnt_crc32(0, big, big_len - 1));
  free(big);

  unlink(path);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  CHECK(system(cmd) == 0);
  return test_done("fileio");
}
