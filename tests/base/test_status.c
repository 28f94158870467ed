/* test_status: status texts, the per-thread message, wrapping and truncation. */
#include "dnt/status.h"

#include <pthread.h>
#include <string.h>

#include "test.h"

static void *fail_in_thread(void *arg) {
  (void)arg;
  dnt_error(DNT_ERR_IO, "thread message");
  return strcmp(dnt_last_error(), "thread message") == 0 ? (void *)1 : NULL;
}

int main(void) {
  CHECK(strcmp(dnt_strerror(DNT_OK), "success") == 0);
  CHECK(strcmp(dnt_strerror(DNT_ERR_NOMEM), "out of memory") == 0);
  for (int s = DNT_ERR_INTERRUPTED; s <= DNT_OK; s++)
    CHECK(strcmp(dnt_strerror(s), "unknown status") != 0);
  CHECK(strcmp(dnt_strerror(-999), "unknown status") == 0);

  CHECK(strcmp(dnt_last_error(), "") == 0);
  CHECK(dnt_error(DNT_ERR_PARSE, "%s:%d: field '%s'", "a.csv", 3, "x") == DNT_ERR_PARSE);
  CHECK(strcmp(dnt_last_error(), "a.csv:3: field 'x'") == 0);

  /* Wrapping the previous message is safe (no overlapping copy). */
  dnt_error(DNT_ERR_CONFIG, "loading study: %s", dnt_last_error());
  CHECK(strcmp(dnt_last_error(), "loading study: a.csv:3: field 'x'") == 0);

  /* Another thread's failure does not touch this thread's message. */
  pthread_t t;
  void *ok = NULL;
  CHECK(pthread_create(&t, NULL, fail_in_thread, NULL) == 0);
  pthread_join(t, &ok);
  CHECK(ok == (void *)1);
  CHECK(strcmp(dnt_last_error(), "loading study: a.csv:3: field 'x'") == 0);

  /* Over-long messages are cut and marked. */
  char big[5000];
  memset(big, 'y', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  dnt_error(DNT_ERR_ARG, "%s", big);
  size_t len = strlen(dnt_last_error());
  CHECK(len > 1000 && len < sizeof big);
  CHECK(strcmp(dnt_last_error() + len - 3, "...") == 0);

  dnt_error_clear();
  CHECK(strcmp(dnt_last_error(), "") == 0);
  return test_done("status");
}
