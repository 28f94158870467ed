/* tests/studies/test_configs.c: every file in configs/ loads against its study's
 * schema and equals the embedded defaults, so the shipped JSON and the
 * built-in values cannot drift apart. */
#include <stdlib.h>
#include <string.h>

#include "dnt/config.h"
#include "dnt/status.h"
#include "dnt/study_nn.h"
#include "test.h"

static void check_config_file(const char *name, const dnt_config_field *schema, size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/configs/%s", DNT_SOURCE_DIR, name);
  dnt_config *file = NULL, *defaults = NULL;
  CHECK_OK(dnt_config_load(schema, n, path, &file));
  CHECK_OK(dnt_config_create(schema, n, &defaults));
  if (file && defaults) {
    char *a = dnt_config_to_json(file), *b = dnt_config_to_json(defaults);
    CHECK_MSG(a && b && !strcmp(a, b), "%s differs from the embedded defaults:\n%s\nvs\n%s", name,
              a ? a : "(null)", b ? b : "(null)");
    free(a);
    free(b);
  }
  dnt_config_destroy(file);
  dnt_config_destroy(defaults);
}

int main(void) {
  check_config_file("nn.json", dnt_study_nn_schema, dnt_study_nn_schema_len);
  return test_done("studies.configs");
}
