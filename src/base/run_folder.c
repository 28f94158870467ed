/* run_folder.c: inspecting, emptying and cleaning a result folder.
 *
 * A result folder holds one run. Before a run opens it, the folder is either
 * absent or empty (a new run), a result folder to empty (--force: only a folder
 * holding a run's own files, so that a typo in --out cannot empty a home
 * folder), or the folder of the run being resumed. A run killed mid-write
 * leaves "<file>.tmp.<pid>" behind (dnt/fileio.h writes through such names);
 * the next open removes those whose process is gone. */
#define _XOPEN_SOURCE 700
#include "run_folder.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnt/status.h"

int run_folder_list(const char *dir, char *names, size_t len) {
  if (len) names[0] = '\0';
  DIR *d = opendir(dir);
  if (!d) {
    if (errno == ENOENT) return 0;
    return dnt_error(DNT_ERR_IO, "%s: cannot list the folder: %s", dir, strerror(errno));
  }
  int n = 0;
  size_t used = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n < 4 && used < len) {
      int w = snprintf(names + used, len - used, "%s%s", n ? ", " : "", e->d_name);
      used += w > 0 ? (size_t)w : 0;
    } else if (n == 4 && used < len) {
      int w = snprintf(names + used, len - used, ", ...");
      used += w > 0 ? (size_t)w : 0;
    }
    n++;
  }
  closedir(d);
  return n;
}

int run_folder_is_result(const char *dir) {
  static const char *const marks[] = {"config.json", "dnt.db", "summary.json"};
  char path[4096];
  struct stat st;
  for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, marks[i]);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return 1;
  }
  return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  if (ftw->level == 0) return 0; /* the folder itself stays */
  return remove(path) == 0 ? 0 : -1;
}

int run_folder_empty(const char *dir) {
  if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
    return dnt_error(DNT_ERR_IO, "%s: cannot empty the folder: %s", dir, strerror(errno));
  return DNT_OK;
}

int run_folder_pid_alive(long pid) {
  if (pid <= 0) return 0;
  return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* The pid of a name "<file>.tmp.<pid>", or 0. */
static long temp_pid(const char *name) {
  const char *tag = strstr(name, ".tmp.");
  if (!tag) return 0;
  for (const char *p; (p = strstr(tag + 1, ".tmp.")) != NULL;)
    tag = p; /* the last ".tmp." */
  char *end;
  long pid = strtol(tag + 5, &end, 10);
  return *end == '\0' && pid > 0 ? pid : 0;
}

int run_folder_remove_stale(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return errno == ENOENT ? 0 : dnt_error(DNT_ERR_IO, "%s: %s", dir, strerror(errno));
  int removed = 0, rc = 0;
  char path[4096];
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    long pid = temp_pid(e->d_name);
    if (!pid || pid == (long)getpid() || run_folder_pid_alive(pid)) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (unlink(path) == 0)
      removed++;
    else
      rc = dnt_error(DNT_ERR_IO, "%s: cannot remove a stale temp file: %s", path, strerror(errno));
  }
  closedir(d);
  return rc ? rc : removed;
}
