/* src/app/commands.c: the commands of `dnt` that are not studies, in the order
 * --help lists them; the studies come from the registry (dnt/study.h). */
#include "commands.h"

const app_command app_commands[] = {
    {"run", "the main job: the pipelines' studies, then one report", cmd_run},
    {"report", "one self-contained HTML report from result folders", cmd_report},
    {"fl", NULL, cmd_fl}, /* the fl study (listed with the studies) and its MPI ranks */
};

const size_t app_n_commands = sizeof app_commands / sizeof app_commands[0];
