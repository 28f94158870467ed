/* dnt/fileio.h: atomic writes and folders.
 *
 * dnt_write_atomic writes to "<path>.tmp.<pid>", fsyncs it, renames it over
 * `path` and fsyncs the folder, so that a reader sees either the old file or the
 * whole new one, never a torn write. */
#ifndef DNT_FILEIO_H
#define DNT_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

int dnt_write_atomic(const char *path, const void *data, size_t len);

/* Reads a whole file into a NUL-terminated malloc'd buffer (caller frees);
 * *len gets the size without the NUL. */
int dnt_read_file(const char *path, char **data, size_t *len);

/* Creates a folder and its parents (like mkdir -p); an existing folder is fine. */
int dnt_mkdir_p(const char *path);

/* 1 if the path exists (any type), else 0. */
int dnt_path_exists(const char *path);

/* Atomic file writer for streamed output (CSV tables, scripts): writes go to a
 * temporary file; dnt_afile_commit fsyncs and renames it into place,
 * dnt_afile_abort removes it. Exactly one of the two must be called. */
typedef struct dnt_afile dnt_afile;
int dnt_afile_open(const char *path, dnt_afile **out);
/* The stdio stream to write to; owned by the dnt_afile. */
FILE *dnt_afile_stream(dnt_afile *f);
int dnt_afile_commit(dnt_afile *f);
void dnt_afile_abort(dnt_afile *f);

/* CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320); chain with crc = previous. */
unsigned long dnt_crc32(unsigned long crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
