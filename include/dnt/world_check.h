/* dnt/world_check.h: a conformance check for world implementations.
 *
 * dnt_world_check drives a world through the interface only and verifies the
 * contract of dnt/world.h that the twin relies on:
 *   1. reset is deterministic: the same seed gives the same telemetry;
 *   2. save/load restores the whole state: the future after a load equals
 *      the future after the save (the RNG is part of the state), time included;
 *   3. a copy is deep and faithful: stepping the copy leaves the original's
 *      telemetry and saved bytes unchanged, and stepping both with the same
 *      actions gives the same telemetry;
 *   4. assimilating the world's own telemetry (every group) changes nothing;
 *   5. reseed (when present) changes neither the telemetry nor the time.
 * Telemetry is compared exactly (bit for bit). A world author runs it in a
 * test (docs/WORLDS.md). The world is left reset with `seed`.
 * Returns 0, or DNT_ERR_MISMATCH naming the property, the step and the field
 * that broke it (or the world's own error). Cost: about 6 x steps world steps. */
#ifndef DNT_WORLD_CHECK_H
#define DNT_WORLD_CHECK_H

#include <stdint.h>

#include "dnt/world.h"

#ifdef __cplusplus
extern "C" {
#endif

/* steps >= 2; action: n_actions values applied at every step, or NULL. */
int dnt_world_check(dnt_world *w, uint64_t seed, int steps, const double *action);

#ifdef __cplusplus
}
#endif
#endif
