/* tests/studies/test_configs.c: for every study of the registry,
 * configs/<name>.json holds exactly the embedded defaults (every key written
 * out, nothing else), its --quick preset loads, its rows and aliases are
 * well formed, and the struct binding round-trips: defaults written into the
 * config struct and read back give the defaults again. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/config.h"
#include "dnt/status.h"
#include "dnt/study.h"
#include "test.h"

static void check_file(const dnt_study *s, const dnt_config *defaults) {
  char path[1024];
  snprintf(path, sizeof path, "%s/configs/%s.json", DNT_SOURCE_DIR, s->name);
  json_error_t err;
  json_t *file = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
  CHECK_MSG(file != NULL, "%s: %s (line %d)", path, err.text, err.line);
  char *text = dnt_config_to_json(defaults);
  json_t *want = text ? json_loads(text, 0, &err) : NULL;
  /* equal as JSON: every key present with its default, no other key */
  CHECK_MSG(file && want && json_equal(file, want),
            "%s is not the embedded defaults; regenerate it with dnt %s --print-config", path,
            s->name);
  json_decref(file);
  json_decref(want);
  free(text);
}

static void check_study(const dnt_study *s) {
  dnt_config *defaults = NULL, *quick = NULL, *back = NULL;
  CHECK_OK(dnt_config_create(s->rows, s->n_rows, &defaults));
  if (!defaults) return;
  check_file(s, defaults);
  CHECK_OK(dnt_config_create(s->rows, s->n_rows, &quick));
  if (quick && s->quick) CHECK_OK(dnt_config_merge_text(quick, s->quick, s->name));
  for (size_t i = 0; i < s->n_rows; i++)
    CHECK_MSG(s->rows[i].bound && s->rows[i].offset < s->config_size && s->rows[i].help,
              "%s: row %s is not bound to a member, or has no help", s->name, s->rows[i].path);
  for (size_t i = 0; i < s->n_aliases; i++) {
    int found = 0;
    for (size_t k = 0; k < s->n_rows; k++)
      found |= !strcmp(s->rows[k].path, s->aliases[i].key);
    CHECK_MSG(found, "%s: alias --%s names no key (%s)", s->name, s->aliases[i].option,
              s->aliases[i].key);
  }
  void *cfg = calloc(1, s->config_size);
  CHECK(cfg != NULL);
  if (cfg) {
    dnt_config_to_struct(defaults, cfg);
    CHECK_OK(dnt_config_from_struct(s->rows, s->n_rows, cfg, s->name, &back));
    char *a = dnt_config_to_json(defaults), *b = back ? dnt_config_to_json(back) : NULL;
    CHECK_MSG(a && b && !strcmp(a, b), "%s: struct round trip differs", s->name);
    free(a);
    free(b);
    /* the struct defaults equal the config's */
    void *d = calloc(1, s->config_size);
    if (d) {
      dnt_config_struct_defaults(s->rows, s->n_rows, d);
      dnt_config *from_d = NULL;
      CHECK_OK(dnt_config_from_struct(s->rows, s->n_rows, d, s->name, &from_d));
      a = dnt_config_to_json(defaults);
      b = from_d ? dnt_config_to_json(from_d) : NULL;
      CHECK_MSG(a && b && !strcmp(a, b), "%s: struct defaults differ from the rows'", s->name);
      free(a);
      free(b);
      dnt_config_destroy(from_d);
      free(d);
    }
    free(cfg);
  }
  CHECK(dnt_study_find(s->name) == s);
  dnt_config_destroy(back);
  dnt_config_destroy(quick);
  dnt_config_destroy(defaults);
}

int main(void) {
  CHECK(dnt_n_studies >= 1);
  for (size_t i = 0; i < dnt_n_studies; i++) {
    check_study(dnt_studies[i]);
    for (size_t j = 0; j < i; j++)
      CHECK(strcmp(dnt_studies[i]->name, dnt_studies[j]->name));
  }
  CHECK(dnt_study_find("no-such-study") == NULL);
  return test_done("studies.configs");
}
