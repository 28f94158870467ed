/* status.c: status texts and the per-thread error message.
 *
 * Each thread has its own message buffer (_Thread_local), so that a worker
 * thread failing does not overwrite the message another thread is about to
 * print. A message is formatted into a scratch buffer first: callers often wrap
 * the previous message ("loading x: %s", dnt_last_error()), and formatting
 * directly into the buffer being read would overlap. */
#include "dnt/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { MESSAGE_CAP = 2048 };

static _Thread_local char last_message[MESSAGE_CAP];

const char *dnt_strerror(int status) {
  switch (status) {
  case DNT_OK:
    return "success";
  case DNT_ERR_NOMEM:
    return "out of memory";
  case DNT_ERR_IO:
    return "input/output error";
  case DNT_ERR_PARSE:
    return "parse error";
  case DNT_ERR_CONFIG:
    return "invalid configuration";
  case DNT_ERR_ARG:
    return "invalid argument";
  case DNT_ERR_CORRUPT:
    return "corrupted data";
  case DNT_ERR_VERSION:
    return "unsupported format version";
  case DNT_ERR_MISMATCH:
    return "mismatched architecture, length or shape";
  case DNT_ERR_NUMERIC:
    return "non-finite number";
  case DNT_ERR_UNSUPPORTED:
    return "not supported in this build";
  case DNT_ERR_EXTERNAL:
    return "external library or program failed";
  case DNT_ERR_INTERRUPTED:
    return "interrupted";
  default:
    return "unknown status";
  }
}

const char *dnt_last_error(void) {
  return last_message;
}

int dnt_error(int status, const char *fmt, ...) {
  char scratch[MESSAGE_CAP];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(scratch, sizeof scratch, fmt, ap);
  va_end(ap);
  if (n < 0) {
    snprintf(scratch, sizeof scratch, "%s", dnt_strerror(status));
  } else if ((size_t)n >= sizeof scratch) {
    memcpy(scratch + sizeof scratch - 4, "...", 4); /* mark the truncation */
  }
  memcpy(last_message, scratch, sizeof scratch);
  return status;
}

void dnt_error_clear(void) {
  last_message[0] = '\0';
}
