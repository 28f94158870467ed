/* fuzz/harness.h: what the libFuzzer targets share.
 *
 * A target is one file fuzz/fuzz_<x>.c defining LLVMFuzzerTestOneInput (and,
 * when its seeds come from code, LLVMFuzzerInitialize calling
 * fuzz_seeds_begin); its seed corpus is fuzz/corpus/<x>/. Readers that take
 * a path get the input through fuzz_temp_file. Properties are checked with
 * FUZZ_ASSERT, which prints the condition, the place and dnt_last_error()
 * and aborts (libFuzzer then saves the input as a crash). */
#ifndef DNT_FUZZ_HARNESS_H
#define DNT_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { FUZZ_PATH_MAX = 64 };

/* Writes data to a new file dnt_fuzz_XXXXXX (mkstemp) in the scratch folder
 * and puts its name in path (FUZZ_PATH_MAX bytes). The scratch folder is
 * $DNT_FUZZ_TMP, else /dev/shm when it exists (a tmpfs: no disk traffic per
 * input; SQLite and dnt_write_atomic fsync), else /tmp. Aborts when the file
 * cannot be written. */
void fuzz_temp_file(const uint8_t *data, size_t size, char *path);
/* Removes the file and what SQLite may have put beside it (-wal, -shm,
 * -journal). */
void fuzz_temp_remove(const char *path);

/* Writes data to `path` (created or truncated); aborts on failure. */
void fuzz_write_file(const char *path, const void *data, size_t len);
/* Creates a new folder dnt_fuzz_XXXXXX in the scratch folder (mkdtemp), and
 * removes it with the files in it (one level: result folders are flat). */
void fuzz_temp_dir(char *path);
void fuzz_remove_dir(const char *path);

/* Rewrites the last 4 bytes of a checkpoint (dnt/checkpoint.h) as the CRC-32
 * of the bytes before them, so that mutated headers and data get past the
 * checksum to the checks behind it. No-op under 4 bytes. */
void fuzz_fix_crc(uint8_t *buf, size_t len);

/* Seeds from code: when the environment variable DNT_FUZZ_SEEDS names a
 * folder, fuzz_seeds_begin returns 1 and the target writes its seeds there
 * with fuzz_write_seed, then calls fuzz_seeds_end (which exits 0):
 *   DNT_FUZZ_SEEDS=fuzz/corpus/world build-fuzz/fuzz/fuzz_world
 * Otherwise it returns 0 and the target fuzzes. */
int fuzz_seeds_begin(void);
void fuzz_write_seed(const char *name, const void *data, size_t len);
void fuzz_seeds_end(void);
/* Reads a whole file (for a seed the library wrote to a path); aborts on error. */
uint8_t *fuzz_read_all(const char *path, size_t *len);

void fuzz_fail(const char *file, int line, const char *cond);
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

#endif
