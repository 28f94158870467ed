/* fileio.c: atomic writes, whole-file reads, mkdir -p and CRC-32.
 *
 * Atomicity comes from the classic sequence: write a temporary file in the
 * same folder, fsync it, rename it over the target (atomic on POSIX), then
 * fsync the folder so that the rename itself survives a crash. Result files
 * (summary.json, CSV tables, checkpoints) are small, so the two fsyncs cost
 * little next to the guarantee that a reader never sees half a file. */
#include "dnt/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnt/status.h"

struct dnt_afile {
  char *path;
  char *tmp;
  FILE *stream;
};

/* "<path>.tmp.<pid>" in malloc'd memory, or NULL. */
static char *temp_name(const char *path) {
  size_t len = strlen(path) + 32;
  char *tmp = malloc(len);
  if (tmp) snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
  return tmp;
}

/* fsyncs the folder holding `path`, so that a rename into it is durable. */
static int sync_parent(const char *path) {
  const char *slash = strrchr(path, '/');
  char dir[4096];
  if (!slash) {
    strcpy(dir, ".");
  } else if (slash == path) {
    strcpy(dir, "/");
  } else {
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir) return dnt_error(DNT_ERR_IO, "%s: folder name too long", path);
    memcpy(dir, path, n);
    dir[n] = '\0';
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return dnt_error(DNT_ERR_IO, "%s: cannot open folder: %s", dir, strerror(errno));
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  /* Some file systems refuse to fsync a folder; the rename is still done. */
  if (rc != 0 && err != EINVAL && err != EROFS)
    return dnt_error(DNT_ERR_IO, "%s: cannot sync folder: %s", dir, strerror(err));
  return DNT_OK;
}

/* fsyncs the temporary file descriptor, renames it over `path`, syncs the folder. */
static int publish(int fd, const char *tmp, const char *path) {
  if (fsync(fd) != 0) return dnt_error(DNT_ERR_IO, "%s: cannot sync: %s", tmp, strerror(errno));
  if (rename(tmp, path) != 0)
    return dnt_error(DNT_ERR_IO, "%s: cannot rename into place: %s", path, strerror(errno));
  return sync_parent(path);
}

int dnt_write_atomic(const char *path, const void *data, size_t len) {
  char *tmp = temp_name(path);
  if (!tmp) return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate a file name", path);
  int rc = DNT_OK;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    rc = dnt_error(DNT_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    goto cleanup;
  }
  const char *p = data;
  size_t left = len;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      rc = dnt_error(DNT_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
      goto cleanup;
    }
    p += n;
    left -= (size_t)n;
  }
  rc = publish(fd, tmp, path);
cleanup:
  if (fd >= 0 && close(fd) != 0 && rc == DNT_OK)
    rc = dnt_error(DNT_ERR_IO, "%s: cannot close: %s", tmp, strerror(errno));
  if (rc != DNT_OK) unlink(tmp);
  free(tmp);
  return rc;
}

int dnt_read_file(const char *path, char **data, size_t *len) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return dnt_error(DNT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  int rc = DNT_OK;
  while (buf) {
    n += fread(buf + n, 1, cap - n - 1, f);
    if (n < cap - 1) break;
    char *bigger = realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  if (!buf) {
    rc = dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate %zu bytes", path, cap);
  } else if (ferror(f)) {
    rc = dnt_error(DNT_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    free(buf);
  } else {
    buf[n] = '\0';
    *data = buf;
    *len = n;
  }
  fclose(f);
  return rc;
}

int dnt_mkdir_p(const char *path) {
  size_t len = strlen(path);
  if (len == 0) return dnt_error(DNT_ERR_ARG, "cannot create a folder with an empty name");
  char *copy = malloc(len + 1);
  if (!copy) return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate a path", path);
  memcpy(copy, path, len + 1);
  int rc = DNT_OK;
  for (char *p = copy + 1; rc == DNT_OK; p++) {
    if (*p != '/' && *p != '\0') continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(copy, 0755) != 0 && errno != EEXIST)
      rc = dnt_error(DNT_ERR_IO, "%s: cannot create folder: %s", copy, strerror(errno));
    *p = saved;
    if (saved == '\0') break;
  }
  struct stat st;
  if (rc == DNT_OK && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
    rc = dnt_error(DNT_ERR_IO, "%s: exists and is not a folder", path);
  free(copy);
  return rc;
}

int dnt_path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int dnt_afile_open(const char *path, dnt_afile **out) {
  *out = NULL;
  dnt_afile *f = calloc(1, sizeof *f);
  if (!f) return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate a writer", path);
  f->path = strdup(path);
  f->tmp = temp_name(path);
  if (!f->path || !f->tmp) {
    free(f->path);
    free(f->tmp);
    free(f);
    return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate a file name", path);
  }
  f->stream = fopen(f->tmp, "wbe");
  if (!f->stream) {
    int rc = dnt_error(DNT_ERR_IO, "%s: cannot create: %s", f->tmp, strerror(errno));
    free(f->path);
    free(f->tmp);
    free(f);
    return rc;
  }
  *out = f;
  return DNT_OK;
}

FILE *dnt_afile_stream(dnt_afile *f) {
  return f->stream;
}

static void afile_free(dnt_afile *f) {
  free(f->path);
  free(f->tmp);
  free(f);
}

int dnt_afile_commit(dnt_afile *f) {
  int rc = DNT_OK;
  if (fflush(f->stream) != 0 || ferror(f->stream))
    rc = dnt_error(DNT_ERR_IO, "%s: cannot write: %s", f->tmp, strerror(errno));
  else
    rc = publish(fileno(f->stream), f->tmp, f->path);
  if (fclose(f->stream) != 0 && rc == DNT_OK)
    rc = dnt_error(DNT_ERR_IO, "%s: cannot close: %s", f->tmp, strerror(errno));
  if (rc != DNT_OK) unlink(f->tmp);
  afile_free(f);
  return rc;
}

void dnt_afile_abort(dnt_afile *f) {
  if (!f) return;
  fclose(f->stream);
  unlink(f->tmp);
  afile_free(f);
}

static unsigned long crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_table_build(void) {
  for (unsigned long n = 0; n < 256; n++) {
    unsigned long c = n;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? 0xEDB88320UL ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
}

unsigned long dnt_crc32(unsigned long crc, const void *data, size_t len) {
  pthread_once(&crc_once, crc_table_build);
  const unsigned char *p = data;
  unsigned long c = (crc ^ 0xFFFFFFFFUL) & 0xFFFFFFFFUL;
  for (size_t i = 0; i < len; i++)
    c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFUL;
}
