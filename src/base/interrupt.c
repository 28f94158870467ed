/* interrupt.c: the process-wide stop request (dnt/interrupt.h). A
 * sig_atomic_t is the one object a signal handler may write portably. */
#include "dnt/interrupt.h"

#include <signal.h>

static volatile sig_atomic_t pending;

void dnt_interrupt_request(int sig) {
  pending = sig;
}

int dnt_interrupt_pending(void) {
  return pending;
}

void dnt_interrupt_clear(void) {
  pending = 0;
}
