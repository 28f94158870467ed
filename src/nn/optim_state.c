/* src/nn/optim_state.c: Adam's state in a state file (dnt/optim.h), so that
 * a resumed training takes the same steps as an uninterrupted one. */
#include "dnt/optim.h"

int dnt_adam_save(const dnt_adam *opt, dnt_pack *p) {
  dnt_pack_tag(p, "adam");
  dnt_pack_i64(p, opt->t);
  dnt_pack_f32s(p, opt->m, opt->n);
  return dnt_pack_f32s(p, opt->v, opt->n);
}

int dnt_adam_load(dnt_adam *opt, dnt_unpack *u) {
  dnt_unpack_tag(u, "adam");
  dnt_unpack_i64(u, &opt->t);
  dnt_unpack_f32s(u, "m", opt->m, opt->n);
  return dnt_unpack_f32s(u, "v", opt->v, opt->n);
}
