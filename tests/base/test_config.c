/* test_config: defaults, merging, every validation error and its message,
 * --set parsing, and the effective config reading back to the same values. */
#include "dnt/config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnt/fileio.h"
#include "dnt/status.h"
#include "test.h"

static const dnt_config_field schema[] = {
    {"seed", DNT_CFG_INT, 0, 1e12, 42, NULL, NULL, "master seed"},
    {"fl.rounds", DNT_CFG_INT, 1, 1000, 30, NULL, NULL, "FL rounds"},
    {"fl.lr", DNT_CFG_REAL, 0, 1, 0.01, NULL, NULL, "learning rate"},
    {"fl.rule", DNT_CFG_STRING, 0, 0, 0, "mean", "mean|median|krum", "aggregation rule"},
    {"fl.async.enabled", DNT_CFG_BOOL, 0, 0, 1, NULL, NULL, "asynchronous FL"},
    {"cache.weights", DNT_CFG_REAL_LIST, 0, 10, 0, "0.5, 1.5", NULL, "reward weights"},
    {"name", DNT_CFG_STRING, 0, 0, 0, "demo", NULL, "free text"},
};
enum { NF = sizeof schema / sizeof schema[0] };

/* `rc` must be `want` and the message must contain every given fragment. */
static void expect_error(int rc, int want, const char *a, const char *b) {
  CHECK_MSG(rc == want, "rc %d, want %d (%s)", rc, want, dnt_last_error());
  CHECK_MSG(strstr(dnt_last_error(), a) != NULL, "want '%s' in '%s'", a, dnt_last_error());
  if (b) CHECK_MSG(strstr(dnt_last_error(), b) != NULL, "want '%s' in '%s'", b, dnt_last_error());
}

static void check_defaults_and_merge(dnt_config *c) {
  size_t n;
  CHECK(dnt_config_int(c, "seed") == 42);
  CHECK(dnt_config_int(c, "fl.rounds") == 30);
  CHECK(dnt_config_real(c, "fl.lr") == 0.01);
  CHECK(strcmp(dnt_config_string(c, "fl.rule"), "mean") == 0);
  CHECK(dnt_config_bool(c, "fl.async.enabled") == 1);
  const double *w = dnt_config_list(c, "cache.weights", &n);
  CHECK(n == 2 && w[0] == 0.5 && w[1] == 1.5);

  CHECK_OK(dnt_config_merge_text(c,
                                 "{\"fl\": {\"rounds\": 50, \"async\": {\"enabled\": false}},"
                                 " \"cache\": {\"weights\": [1, 2.5, 3]}, \"fl.lr\": 0.5,"
                                 " \"seed\": 7.0}",
                                 "user.json"));
  CHECK(dnt_config_int(c, "fl.rounds") == 50);
  CHECK(dnt_config_bool(c, "fl.async.enabled") == 0);
  CHECK(dnt_config_real(c, "fl.lr") == 0.5); /* a dotted key works too */
  CHECK(dnt_config_int(c, "seed") == 7);     /* a whole real is an integer */
  w = dnt_config_list(c, "cache.weights", &n);
  CHECK(n == 3 && w[1] == 2.5);
  CHECK(strcmp(dnt_config_string(c, "name"), "demo") == 0); /* untouched */
}

static void check_errors(dnt_config *c) {
  const char *o = "user.json";
  expect_error(dnt_config_merge_text(c, "{\"fl\": {\"rouds\": 3}}", o), DNT_ERR_CONFIG,
               "user.json: unknown key 'fl.rouds'", "did you mean 'fl.rounds'");
  expect_error(dnt_config_merge_text(c, "{\"zzzzzzzzzzzz\": 1}", o), DNT_ERR_CONFIG,
               "unknown key 'zzzzzzzzzzzz'", NULL);
  expect_error(dnt_config_merge_text(c, "{\"fl\": {\"rounds\": \"x\"}}", o), DNT_ERR_CONFIG,
               "key 'fl.rounds' = \"x\"", "expected an integer");
  expect_error(dnt_config_merge_text(c, "{\"fl\": {\"rounds\": 2.5}}", o), DNT_ERR_CONFIG,
               "key 'fl.rounds' = 2.5", "expected an integer");
  expect_error(dnt_config_merge_text(c, "{\"fl\": 3}", o), DNT_ERR_CONFIG, "key 'fl'",
               "expected an object");
  expect_error(dnt_config_merge_text(c, "{\"fl\": {\"async\": {\"enabled\": 1}}}", o),
               DNT_ERR_CONFIG, "'fl.async.enabled' = 1", "true or false");
  expect_error(dnt_config_merge_text(c, "{\"fl\": {\"rounds\": 0}}", o), DNT_ERR_CONFIG,
               "'fl.rounds' = 0", "in [1, 1000]");
  expect_error(dnt_config_merge_text(c, "{\"fl\": {\"lr\": -0.1}}", o), DNT_ERR_CONFIG,
               "'fl.lr' = -0.1", "in [0, 1]");
  expect_error(dnt_config_merge_text(c, "{\"cache\": {\"weights\": [1, 11]}}", o), DNT_ERR_CONFIG,
               "'cache.weights' = [1, 11]", "in [0, 10]");
  expect_error(dnt_config_merge_text(c, "{\"cache\": {\"weights\": [1, \"a\"]}}", o),
               DNT_ERR_CONFIG, "'cache.weights'", "a list of numbers");
  expect_error(dnt_config_merge_text(c, "{\"fl\": {\"rule\": \"mode\"}}", o), DNT_ERR_CONFIG,
               "'fl.rule' = \"mode\"", "one of mean|median|krum");
  expect_error(dnt_config_merge_text(c, "{\"name\": null}", o), DNT_ERR_CONFIG, "'name' = null",
               "a string");
  expect_error(dnt_config_merge_text(c, "[1, 2]", o), DNT_ERR_CONFIG, "user.json",
               "JSON object at the top level");
  expect_error(dnt_config_merge_text(c, "{\n  \"fl\": {\"rounds\": 3,}\n}", o), DNT_ERR_PARSE,
               "user.json:2:22:", "malformed JSON");
  expect_error(dnt_config_merge_text(c, "{\"seed\": 1, \"seed\": 2}", o), DNT_ERR_PARSE,
               "user.json:1:", "duplicate");

  /* A failing merge changes nothing, even the keys before the bad one. */
  CHECK(dnt_config_merge_text(c, "{\"fl\": {\"rounds\": 77, \"lr\": 5}}", o) == DNT_ERR_CONFIG);
  CHECK(dnt_config_int(c, "fl.rounds") == 50);
}

static void check_set(dnt_config *c) {
  size_t n;
  CHECK_OK(dnt_config_set(c, "fl.rounds=12"));
  CHECK(dnt_config_int(c, "fl.rounds") == 12);
  CHECK_OK(dnt_config_set(c, " fl.rounds = 13"));
  CHECK(dnt_config_int(c, "fl.rounds") == 13);
  CHECK_OK(dnt_config_set(c, "fl.rounds=1e2"));
  CHECK(dnt_config_int(c, "fl.rounds") == 100);
  CHECK_OK(dnt_config_set(c, "fl.lr=1e-3"));
  CHECK(dnt_config_real(c, "fl.lr") == 1e-3);
  CHECK_OK(dnt_config_set(c, "fl.async.enabled=yes"));
  CHECK(dnt_config_bool(c, "fl.async.enabled") == 1);
  CHECK_OK(dnt_config_set(c, "fl.rule=krum"));
  CHECK(strcmp(dnt_config_string(c, "fl.rule"), "krum") == 0);
  CHECK_OK(dnt_config_set(c, "name=a=b, c"));
  CHECK(strcmp(dnt_config_string(c, "name"), "a=b, c") == 0);
  CHECK_OK(dnt_config_set(c, "cache.weights=[3, 4.5]"));
  const double *w = dnt_config_list(c, "cache.weights", &n);
  CHECK(n == 2 && w[0] == 3 && w[1] == 4.5);
  CHECK_OK(dnt_config_set(c, "cache.weights=1,2,3"));
  dnt_config_list(c, "cache.weights", &n);
  CHECK(n == 3);
  CHECK_OK(dnt_config_set(c, "cache.weights="));
  dnt_config_list(c, "cache.weights", &n);
  CHECK(n == 0);

  expect_error(dnt_config_set(c, "fl.rounds"), DNT_ERR_CONFIG, "--set 'fl.rounds'",
               "expected key=value");
  expect_error(dnt_config_set(c, "fl.rouns=3"), DNT_ERR_CONFIG,
               "command line: unknown key 'fl.rouns'", "did you mean 'fl.rounds'");
  expect_error(dnt_config_set(c, "fl.rounds=abc"), DNT_ERR_CONFIG, "'fl.rounds' = 'abc'",
               "integer in [1, 1000]");
  expect_error(dnt_config_set(c, "fl.rounds=1001"), DNT_ERR_CONFIG, "'fl.rounds' = '1001'", NULL);
  expect_error(dnt_config_set(c, "fl.lr=nan"), DNT_ERR_CONFIG, "'fl.lr' = 'nan'", "finite");
  expect_error(dnt_config_set(c, "fl.async.enabled=maybe"), DNT_ERR_CONFIG,
               "'fl.async.enabled' = 'maybe'", "true or false");
  expect_error(dnt_config_set(c, "fl.rule=bogus"), DNT_ERR_CONFIG, "'fl.rule' = 'bogus'", "one of");
  expect_error(dnt_config_set(c, "cache.weights=1,,2"), DNT_ERR_CONFIG, "'cache.weights'",
               "comma-separated");
  expect_error(dnt_config_set(c, "cache.weights=[1,2"), DNT_ERR_CONFIG, "'cache.weights'", NULL);
  CHECK(dnt_config_int(c, "fl.rounds") == 100); /* failed sets changed nothing */
}

static void check_effective_json(dnt_config *c) {
  CHECK_OK(dnt_config_set(c, "fl.lr=0.1"));
  CHECK_OK(dnt_config_set(c, "cache.weights=0.3,2"));
  char *text = dnt_config_to_json(c);
  CHECK(text != NULL);
  if (!text) return;
  CHECK(strstr(text, "\"lr\": 0.1,") != NULL); /* shortest exact digits */
  json_t *root = json_loads(text, 0, NULL);
  CHECK(json_is_object(root));
  CHECK(json_integer_value(json_object_get(json_object_get(root, "fl"), "rounds")) == 100);
  CHECK(json_is_true(
      json_object_get(json_object_get(json_object_get(root, "fl"), "async"), "enabled")));
  json_decref(root);

  dnt_config *d;
  CHECK_OK(dnt_config_create(schema, NF, &d));
  CHECK_OK(dnt_config_merge_text(d, text, "effective"));
  char *again = dnt_config_to_json(d);
  CHECK(again && strcmp(text, again) == 0);
  CHECK(dnt_config_real(d, "fl.lr") == 0.1);
  free(again);
  dnt_config_destroy(d);

  /* Through a file, as a result folder would replay it. */
  const char *path = "/tmp/dnt_test_config.json";
  CHECK_OK(dnt_write_atomic(path, text, strlen(text)));
  CHECK_OK(dnt_config_load(schema, NF, path, &d));
  if (d) CHECK(dnt_config_int(d, "fl.rounds") == 100);
  dnt_config_destroy(d);
  const char *bad = "{\"fl\":\n {\"rounds\": }}";
  CHECK_OK(dnt_write_atomic(path, bad, strlen(bad)));
  expect_error(dnt_config_load(schema, NF, path, &d), DNT_ERR_PARSE,
               "/tmp/dnt_test_config.json:2:", NULL);
  CHECK(d == NULL);
  unlink(path);
  expect_error(dnt_config_load(schema, NF, path, &d), DNT_ERR_IO, path, NULL);
  free(text);
}

static void check_schema(void) {
  dnt_config *c = NULL;
  const dnt_config_field collide[] = {{"a", DNT_CFG_INT, 0, 9, 1, NULL, NULL, ""},
                                      {"a.b", DNT_CFG_INT, 0, 9, 1, NULL, NULL, ""}};
  expect_error(dnt_config_create(collide, 2, &c), DNT_ERR_ARG, "'a' and 'a.b' collide", NULL);
  const dnt_config_field bad_default[] = {{"x", DNT_CFG_INT, 0, 9, 10, NULL, NULL, ""}};
  expect_error(dnt_config_create(bad_default, 1, &c), DNT_ERR_ARG, "schema default", "'x'");
  const dnt_config_field bad_choice[] = {{"x", DNT_CFG_STRING, 0, 0, 0, "c", "a|b", ""}};
  expect_error(dnt_config_create(bad_choice, 1, &c), DNT_ERR_ARG, "one of a|b", NULL);
  CHECK(c == NULL);

  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  dnt_config_print_schema(schema, NF, f);
  fclose(f);
  CHECK(strstr(buf, "fl.rounds (int in [1, 1000], default 30)\n    FL rounds\n") != NULL);
  CHECK(strstr(buf, "fl.rule (string: mean|median|krum, default \"mean\")") != NULL);
  free(buf);
}

int main(void) {
  dnt_config *c = NULL;
  CHECK_OK(dnt_config_create(schema, NF, &c));
  if (!c) return test_done("config");
  check_defaults_and_merge(c);
  check_errors(c);
  check_set(c);
  check_effective_json(c);
  dnt_config_destroy(c);
  check_schema();
  return test_done("config");
}
