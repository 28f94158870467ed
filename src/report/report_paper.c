/* src/report/report_paper.c: what the paper reports, and where our summaries
 * hold the same quantity.
 *
 * Zhang et al., "Synergizing AI and Digital Twins for Next-Generation Network
 * Optimization, Forecasting, and Security", IEEE Wireless Communications 2025:
 * Fig. 5 (edge caching, 5 BSs x 150 slots, Zipf 0.8; values read off the bars,
 * ../shared/docs/REFERENCES.md) and Fig. 6 (federated RL on the highway twin,
 * no-collision rate over 50,000 scenarios). Pipeline B's forecasting has no
 * reported number in the paper, so it has no row here. */
#include "report_internal.h"

const report_paper_value report_paper_values[] = {
    {"caching", "hit rate, rl", "rl/hit_rate", 0.82, "Fig. 5"},
    {"caching", "max BS load, rl", "rl/max_load", 0.53, "Fig. 5"},
    {"caching", "min BS load, rl", "rl/min_load", 0.08, "Fig. 5"},
    {"caching", "hit rate, rl+iv (paper: above 0.84)", "rl+iv/hit_rate", 0.84, "Fig. 5"},
    {"caching", "intervention rate, rl+iv", "rl+iv/intervention_rate", 0.35, "Fig. 5"},
    {"caching", "hit rate, rl+twin+iv", "rl+twin+iv/hit_rate", 0.88, "Fig. 5"},
    {"caching", "max BS load, rl+twin+iv", "rl+twin+iv/max_load", 0.35, "Fig. 5"},
    {"caching", "min BS load, rl+twin+iv", "rl+twin+iv/min_load", 0.12, "Fig. 5"},
    {"security", "no-collision rate, every rule, no attack (worst rule)", "no_collision/*/none",
     1.0, "Fig. 6"},
    {"security", "no-collision rate, twin_validated, worst attack", "no_collision/twin_validated/*",
     1.0, "Fig. 6"},
};

const size_t report_n_paper_values = sizeof report_paper_values / sizeof report_paper_values[0];
