/* dnt/interrupt.h: stopping a long run cleanly.
 *
 * A command that catches SIGINT or SIGTERM calls dnt_interrupt_request() from
 * its handler (async-signal-safe: it only stores the signal number). A study
 * polls dnt_interrupt_pending() at its step boundaries (a round, an episode,
 * an epoch); when it is set, the study writes its checkpoint and returns
 * DNT_ERR_INTERRUPTED, and the command ends the run with dnt_run_interrupted()
 * (summary.json "status": "interrupted") and exits 128 + signal. The run can
 * then be resumed with --resume where the study supports it.
 *
 * The flag is process-wide, as signals are. */
#ifndef DNT_INTERRUPT_H
#define DNT_INTERRUPT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Records a stop request for signal `sig` (> 0). Async-signal-safe. */
void dnt_interrupt_request(int sig);
/* The signal of the pending request, or 0. */
int dnt_interrupt_pending(void);
/* Forgets a pending request. */
void dnt_interrupt_clear(void);

#ifdef __cplusplus
}
#endif
#endif
