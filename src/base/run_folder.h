/* src/base/run_folder.h: what a result folder holds before a run opens it
 * (private to src/base/run.c). */
#ifndef DNT_RUN_FOLDER_H
#define DNT_RUN_FOLDER_H

#include <stddef.h>

/* Writes up to `len` bytes of a comma-separated list of the entries of `dir`
 * (at most a few names, then "..."); returns the number of entries (0 when
 * `dir` does not exist), or a negative status. */
int run_folder_list(const char *dir, char *names, size_t len);

/* 1 if `dir` holds a file a dnt run writes (config.json, dnt.db, summary.json). */
int run_folder_is_result(const char *dir);

/* Removes everything inside `dir` (not `dir` itself), without following links. */
int run_folder_empty(const char *dir);

/* Removes the temp files "<name>.tmp.<pid>" of processes that no longer run
 * (a killed run's unfinished atomic writes); returns how many, or a status. */
int run_folder_remove_stale(const char *dir);

/* 1 if process `pid` exists (it may belong to another user). */
int run_folder_pid_alive(long pid);

#endif
