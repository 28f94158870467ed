/* fuzz_config: config merging and --set on arbitrary text.
 *
 * A merge that succeeds must give an effective config whose JSON, merged into
 * a fresh config, prints the same JSON again (the result-folder replay
 * guarantee). An input starting with '=' is a --set assignment (the rest of
 * it); anything else is a JSON document. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/config.h"
#include "dnt/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const dnt_config_field schema[] = {
    {"seed", DNT_CFG_INT, 0, 1e15, 42, NULL, NULL, "seed"},
    {"fl.rounds", DNT_CFG_INT, 1, 1000, 30, NULL, NULL, "rounds"},
    {"fl.lr", DNT_CFG_REAL, -1e300, 1e300, 0.01, NULL, NULL, "learning rate"},
    {"fl.rule", DNT_CFG_STRING, 0, 0, 0, "mean", "mean|median|krum", "rule"},
    {"fl.async.on", DNT_CFG_BOOL, 0, 0, 1, NULL, NULL, "async"},
    {"cache.w", DNT_CFG_REAL_LIST, -1e9, 1e9, 0, "1,2", NULL, "weights"},
    {"name", DNT_CFG_STRING, 0, 0, 0, "", NULL, "free text"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int set = size > 0 && data[0] == '=';
  char *text = malloc(size + 1);
  memcpy(text, data + set, size - (size_t)set);
  text[size - (size_t)set] = '\0';
  dnt_config *c = NULL;
  if (dnt_config_create(schema, sizeof schema / sizeof schema[0], &c) != DNT_OK) abort();
  int rc = set ? dnt_config_set(c, text) : dnt_config_merge_text(c, text, "fuzz.json");
  if (rc == DNT_OK) {
    char *json = dnt_config_to_json(c);
    dnt_config *d = NULL;
    if (!json || dnt_config_create(schema, sizeof schema / sizeof schema[0], &d) != DNT_OK) abort();
    if (dnt_config_merge_text(d, json, "effective") != DNT_OK) {
      fprintf(stderr, "effective config rejected: %s\n%s\n", dnt_last_error(), json);
      abort();
    }
    char *again = dnt_config_to_json(d);
    if (!again || strcmp(json, again) != 0) {
      fprintf(stderr, "effective config changed:\n%s\n---\n%s\n", json, again ? again : "");
      abort();
    }
    free(again);
    free(json);
    dnt_config_destroy(d);
  }
  dnt_config_destroy(c);
  free(text);
  return 0;
}
