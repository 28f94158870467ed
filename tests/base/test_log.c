/* test_log: line format, level filtering; progress lines follow the level. */
#include "dnt/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnt/fileio.h"
#include "dnt/progress.h"
#include "test.h"

int main(void) {
  char path[] = "/tmp/dnt_test_log_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO); /* capture stderr in the file */

  CHECK(dnt_log_get_level() == DNT_LOG_INFO);
  DNT_DEBUG("hidden %d", 1);
  DNT_INFO("shown %d", 2);
  DNT_WARN("careful");
  dnt_log_set_level(DNT_LOG_WARN);
  DNT_INFO("hidden %d", 3);
  dnt_log(DNT_LOG_ERROR, "bad %s", "thing");
  dnt_progress p;
  dnt_progress_init(&p, "quiet loop", 10); /* level above INFO: silent */
  dnt_progress_update(&p, 10);
  dnt_progress_finish(&p);
  dnt_log_set_level(DNT_LOG_INFO);
  dnt_progress_init(&p, "loud loop", 10);
  CHECK(p.enabled == 1 && p.total == 10);
  dnt_progress_update(&p, 7);
  CHECK(p.done == 7);
  dnt_progress_finish(&p);
  dnt_log_set_level(DNT_LOG_OFF);
  dnt_log(DNT_LOG_ERROR, "hidden");

  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  char *text = NULL;
  size_t len;
  CHECK(dnt_read_file(path, &text, &len) == 0);
  unlink(path);
  if (!text) return test_done("log");
  printf("captured:\n%s", text);
  CHECK(strstr(text, "hidden") == NULL && strstr(text, "quiet loop") == NULL);
  CHECK(strstr(text, "Z info: shown 2\n") != NULL);
  CHECK(strstr(text, "Z warning: careful\n") != NULL);
  CHECK(strstr(text, "Z error: bad thing\n") != NULL);
  CHECK(strstr(text, "info: loud loop: 7 done in ") != NULL);
  /* "2026-11-26T01:02:03Z info: ..." : ISO 8601 UTC prefix. */
  CHECK(len > 21 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' &&
        text[19] == 'Z' && text[20] == ' ');
  free(text);

  double t0 = dnt_now(), t1 = dnt_now();
  CHECK(t1 >= t0 && t0 > 0);
  return test_done("log");
}
