/* registry.c: the studies `dnt` knows, in the order `dnt --help` lists them.
 * Adding a study: its file, its header, and one row here. */
#include "dnt/study.h"
#include "dnt/study_cluster.h"
#include "dnt/study_fl.h"
#include "dnt/study_forecast.h"
#include "dnt/study_nn.h"
#include "dnt/study_rl.h"
#include "dnt/study_twin.h"

const dnt_study *const dnt_studies[] = {
    &dnt_study_nn,   &dnt_study_rl,      &dnt_study_fl,
    &dnt_study_twin, &dnt_study_cluster, &dnt_study_forecast,
};

const size_t dnt_n_studies = sizeof dnt_studies / sizeof dnt_studies[0];
