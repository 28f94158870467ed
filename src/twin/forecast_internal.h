/* src/twin/forecast_internal.h: what forecast.c shares with the forecaster
 * implementations of the twin layer. */
#ifndef DNT_TWIN_FORECAST_INTERNAL_H
#define DNT_TWIN_FORECAST_INTERNAL_H

#include "dnt/forecast.h"

/* The implementation's state if f is of kind `ops`, else NULL (typed access). */
void *dnt_forecaster_self_if(dnt_forecaster *f, const dnt_forecaster_ops *ops);

#endif
