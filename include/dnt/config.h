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

#include <stddef.h> /* offsetof, used by DNT_CFG_ROW */
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
  size_t offset;       /* bound rows: offset of the member in the config struct */
  int bound;           /* 1 for rows made by DNT_CFG_ROW (a struct member), else 0 */
} dnt_config_field;

/* ---- Fields declared once: row lists bound to a config struct -------------
 *
 * A study declares each field once, in a row-list macro:
 *   #define DNT_STUDY_FOO_ROWS(X) \
 *     X(INT, rounds, "foo.rounds", 1, 1e6, 30, NULL, "rounds") \
 *     X(STRING, rule, "foo.rule", 0, 0, "krum", "mean|krum", "aggregation rule")
 * X(type, member, key, min, max, default, choices, help); the default is a
 * number for INT/REAL/BOOL and a string literal for STRING and REAL_LIST
 * ("1, 2, 3"). That list makes both the struct
 *   typedef struct foo_config { DNT_CFG_MEMBERS(DNT_STUDY_FOO_ROWS) } foo_config;
 * and the schema table, in the study's .c file:
 *   #define DNT_CFG_STRUCT foo_config
 *   static const dnt_config_field rows[] = {DNT_STUDY_FOO_ROWS(DNT_CFG_ROW)};
 * Members: INT int64_t, REAL double, BOOL int, STRING const char * (borrowed:
 * from the dnt_config it was filled from, or from the caller), REAL_LIST a
 * dnt_config_reals (at most DNT_CFG_LIST_MAX values). Row lists compose: a list
 * may include another's rows (shared data.* rows, say). */
#define DNT_CFG_LIST_MAX 16
typedef struct dnt_config_reals {
  double v[DNT_CFG_LIST_MAX];
  size_t n;
} dnt_config_reals;

#define DNT_CFG_MEMBER_INT(m) int64_t m;
#define DNT_CFG_MEMBER_REAL(m) double m;
#define DNT_CFG_MEMBER_BOOL(m) int m;
#define DNT_CFG_MEMBER_STRING(m) const char *m;
#define DNT_CFG_MEMBER_REAL_LIST(m) dnt_config_reals m;
#define DNT_CFG_MEMBER(T, m, key, lo, hi, def, choices, help) DNT_CFG_MEMBER_##T(m)
#define DNT_CFG_MEMBERS(ROWS) ROWS(DNT_CFG_MEMBER)

#define DNT_CFG_ROW_NUM_(S, T, m, key, lo, hi, def, ch, help)                                      \
  {key, T, lo, hi, def, NULL, ch, help, offsetof(S, m), 1},
#define DNT_CFG_ROW_TEXT_(S, T, m, key, lo, hi, def, ch, help)                                     \
  {key, T, lo, hi, 0, def, ch, help, offsetof(S, m), 1},
#define DNT_CFG_ROW_INT(S, ...) DNT_CFG_ROW_NUM_(S, DNT_CFG_INT, __VA_ARGS__)
#define DNT_CFG_ROW_REAL(S, ...) DNT_CFG_ROW_NUM_(S, DNT_CFG_REAL, __VA_ARGS__)
#define DNT_CFG_ROW_BOOL(S, ...) DNT_CFG_ROW_NUM_(S, DNT_CFG_BOOL, __VA_ARGS__)
#define DNT_CFG_ROW_STRING(S, ...) DNT_CFG_ROW_TEXT_(S, DNT_CFG_STRING, __VA_ARGS__)
#define DNT_CFG_ROW_REAL_LIST(S, ...) DNT_CFG_ROW_TEXT_(S, DNT_CFG_REAL_LIST, __VA_ARGS__)
#define DNT_CFG_ROW_(S, T, ...) DNT_CFG_ROW_##T(S, __VA_ARGS__)
/* Expands one row for the struct named by DNT_CFG_STRUCT (define it first). */
#define DNT_CFG_ROW(T, ...) DNT_CFG_ROW_(DNT_CFG_STRUCT, T, __VA_ARGS__)

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

/* ---- Bound structs (every row of the schema bound, see above) ----------- */

/* Writes every row's default into the struct `out` (strings point at the
 * schema's literals). The schema's defaults are valid by construction (a
 * test creates a dnt_config from every study's rows). */
void dnt_config_struct_defaults(const dnt_config_field *schema, size_t n_fields, void *out);

/* Writes the config's values into the struct `out`; strings are borrowed from
 * `c` (valid until it changes or is destroyed). */
void dnt_config_to_struct(const dnt_config *c, void *out);

/* The config a filled struct describes, validated like a file (range,
 * choices, UTF-8; a NULL string is an error): DNT_ERR_CONFIG naming `origin`,
 * the key and the value. Caller destroys *out. */
int dnt_config_from_struct(const dnt_config_field *schema, size_t n_fields, const void *in,
                           const char *origin, dnt_config **out);

#ifdef __cplusplus
}
#endif
#endif
