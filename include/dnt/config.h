/* dnt/config.h: JSON configuration validated against a schema.
 *
 * A schema is a static table of fields, each with a dotted key path
 * ("caching.slots"), a type, a range or a list of allowed words, a default and a
 * one-line description. Loading merges a user's JSON file over the defaults:
 * an unknown key, a wrong type or an out-of-range value is DNT_ERR_CONFIG with a
 * message naming the file, the key path and the value; a malformed file is
 * DNT_ERR_PARSE with jansson's line and column. Missing keys take the defaults.
 * The effective config (every field, defaults filled in) can be written out as
 * JSON so that every result folder records what was run.
 *
 * Ownership: the schema is borrowed (static tables) and must outlive the
 * config; a dnt_config is created by dnt_config_create/load and freed with
 * dnt_config_destroy. Getters assert on a key that is not in the schema or has
 * another type: that is a bug in the caller, not a user error. */
#ifndef DNT_CONFIG_H
#define DNT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_config_type {
  DNT_CFG_INT,      /* JSON integer within [min, max] */
  DNT_CFG_REAL,     /* JSON number (integer accepted) within [min, max], finite */
  DNT_CFG_BOOL,     /* JSON true/false */
  DNT_CFG_STRING,   /* JSON string; if `choices` is set, one of its words */
  DNT_CFG_REAL_LIST /* JSON array of numbers within [min, max] */
} dnt_config_type;

typedef struct dnt_config_field {
  const char *path; /* dotted key path, e.g. "fl.rounds" */
  dnt_config_type type;
  double min, max;     /* inclusive bounds for INT/REAL/REAL_LIST */
  double def_num;      /* default for INT/REAL/BOOL */
  const char *def_str; /* default for STRING; comma-separated for REAL_LIST */
  const char *choices; /* "a|b|c" for STRING, or NULL for free text */
  const char *help;    /* one line, shown by `dnt <study> --help-config` */
} dnt_config_field;

typedef struct dnt_config dnt_config;

/* Config with every field at its default. */
int dnt_config_create(const dnt_config_field *schema, size_t n_fields, dnt_config **out);

/* Defaults overlaid with the JSON file at `path` (validated). */
int dnt_config_load(const dnt_config_field *schema, size_t n_fields, const char *path,
                    dnt_config **out);

/* Overlays a JSON text (e.g. an embedded preset or a test string); `origin`
 * names it in error messages. On error the config is unchanged. */
int dnt_config_merge_text(dnt_config *c, const char *json_text, const char *origin);

/* Sets one field from text as given on a command line ("fl.rounds=30"): the
 * value is parsed with the field's type and validated. */
int dnt_config_set(dnt_config *c, const char *assignment);

int64_t dnt_config_int(const dnt_config *c, const char *path);
double dnt_config_real(const dnt_config *c, const char *path);
int dnt_config_bool(const dnt_config *c, const char *path);
/* Borrowed string, valid until the config changes or is destroyed. */
const char *dnt_config_string(const dnt_config *c, const char *path);
/* Borrowed array and its length. */
const double *dnt_config_list(const dnt_config *c, const char *path, size_t *n);

/* The effective config as pretty JSON (malloc'd, caller frees). */
char *dnt_config_to_json(const dnt_config *c);

/* Prints every field with type, range, default and help (for --help-config). */
void dnt_config_print_schema(const dnt_config_field *schema, size_t n_fields, void *file);

void dnt_config_destroy(dnt_config *c);

#ifdef __cplusplus
}
#endif
#endif
