/* src/rl/envs/builtin.c: lookup of the built-in tasks by name. */
#include <string.h>

#include "dnt/envs.h"

const dnt_env_ops *dnt_env_builtin(const char *name) {
  static const dnt_env_ops *const all[] = {&dnt_env_cartpole, &dnt_env_pendulum, &dnt_env_chain};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (!strcmp(name, all[i]->name)) return all[i];
  return NULL;
}
