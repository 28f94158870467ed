/* src/app/app_common.c: the options, config loading and result folder that
 * every subcommand shares. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "dnt/fileio.h"
#include "dnt/interrupt.h"
#include "dnt/log.h"
#include "dnt/nn.h"
#include "dnt/progress.h"
#include "dnt/status.h"

void app_opts_init(app_opts *o) {
  memset(o, 0, sizeof *o);
  o->seed = 1;
  o->threads = 1;
  o->started = dnt_now();
}

int app_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "dnt %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see dnt %s --help)\n", cmd);
  return APP_EXIT_USAGE;
}

int app_fail(const char *cmd) {
  fprintf(stderr, "dnt %s: %s\n", cmd, dnt_last_error());
  return APP_EXIT_FAIL;
}

/* The first SIGINT/SIGTERM asks the run to stop at its next step boundary;
 * a second one ends the process at once, as the user then expects. */
static void on_stop_signal(int sig) {
  if (dnt_interrupt_pending()) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  dnt_interrupt_request(sig);
}

void app_catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int app_fail_status(const char *cmd, int rc, int input) {
  fprintf(stderr, "dnt %s: %s\n", cmd, dnt_last_error());
  switch (rc) {
  case DNT_ERR_CONFIG:
  case DNT_ERR_ARG:
    return APP_EXIT_USAGE;
  case DNT_ERR_PARSE:
  case DNT_ERR_CORRUPT:
  case DNT_ERR_VERSION:
  case DNT_ERR_MISMATCH:
    return APP_EXIT_DATA;
  case DNT_ERR_IO:
  case DNT_ERR_NUMERIC:
    return input ? APP_EXIT_DATA : APP_EXIT_FAIL;
  default:
    return APP_EXIT_FAIL;
  }
}

int app_parse_long(const char *cmd, const char *opt, const char *arg, long min, long max,
                   long *out) {
  char *end;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (errno || end == arg || *end || v < min || v > max)
    return app_usage_error(cmd, "option --%s: '%s' is not an integer in [%ld, %ld]", opt, arg, min,
                           max);
  *out = v;
  return 0;
}

int app_parse_double(const char *cmd, const char *opt, const char *arg, double min, double max,
                     double *out) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end);
  if (errno || end == arg || *end || !(v >= min && v <= max))
    return app_usage_error(cmd, "option --%s: '%s' is not a number in [%g, %g]", opt, arg, min,
                           max);
  *out = v;
  return 0;
}

int app_common_option(app_opts *o, int opt, const char *arg, const char *cmd, const char *usage,
                      const dnt_config_field *schema, size_t n_schema) {
  long v = 0;
  switch (opt) {
  case 'h':
    fputs(usage, stdout);
    exit(APP_EXIT_OK);
  case 1004:
    if (!schema) {
      printf("dnt %s takes no config file\n", cmd);
    } else {
      dnt_config_print_schema(schema, n_schema, stdout);
    }
    exit(APP_EXIT_OK);
  case 'c':
    if (o->n_configs == APP_MAX_SETS)
      return -app_usage_error(cmd, "too many --config options (at most %d)", APP_MAX_SETS);
    o->configs[o->n_configs++] = arg;
    o->config = arg;
    return 1;
  case 's': {
    char *end;
    errno = 0;
    unsigned long long s = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-')
      return -app_usage_error(cmd, "option --seed: '%s' is not a non-negative integer", arg);
    o->seed = s;
    return 1;
  }
  case 'o':
    o->out = arg;
    return 1;
  case 'q':
    o->quick = 1;
    return 1;
  case 't':
    if (app_parse_long(cmd, "threads", arg, 1, 256, &v)) return -APP_EXIT_USAGE;
    o->threads = (int)v;
    return 1;
  case 1001:
    o->quiet = 1;
    return 1;
  case 1002:
    o->verbose = 1;
    return 1;
  case 1003:
    if (o->n_sets == APP_MAX_SETS)
      return -app_usage_error(cmd, "too many --set options (at most %d)", APP_MAX_SETS);
    o->sets[o->n_sets++] = arg;
    return 1;
  case '?':
    return -app_usage_error(cmd, "bad option");
  default:
    return 0;
  }
}

int app_parse_common(int argc, char **argv, const char *cmd, const char *usage,
                     const dnt_config_field *schema, size_t n_schema, app_opts *o) {
  static const struct option longopts[] = {APP_COMMON_LONGOPTS, {0, 0, 0, 0}};
  app_opts_init(o);
  int opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, APP_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    int h = app_common_option(o, opt, optarg, cmd, usage, schema, n_schema);
    if (h < 0) return -h;
    if (h == 0) return app_usage_error(cmd, "unknown option");
  }
  if (optind < argc) return app_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
  return 0;
}

int app_load_config_preset(const app_opts *o, const char *cmd, const dnt_config_field *schema,
                           size_t n_schema, const char *preset, dnt_config **out) {
  dnt_config *cfg = NULL;
  if (dnt_config_create(schema, n_schema, &cfg)) return app_fail(cmd);
  if (preset && dnt_config_merge_text(cfg, preset, "the --quick preset")) {
    dnt_config_destroy(cfg);
    return app_fail(cmd); /* a bug in the preset: the configs test loads every one */
  }
  for (int i = 0; i < o->n_configs; i++) {
    char *text = NULL;
    size_t len;
    int rc = dnt_read_file(o->configs[i], &text, &len);
    if (!rc) rc = dnt_config_merge_text(cfg, text, o->configs[i]);
    free(text);
    if (rc) {
      dnt_config_destroy(cfg);
      return app_fail(cmd);
    }
  }
  for (int i = 0; i < o->n_sets; i++) {
    size_t klen = strcspn(o->sets[i], "=");
    for (int j = 0; j < i; j++)
      if (strcspn(o->sets[j], "=") == klen && !strncmp(o->sets[i], o->sets[j], klen))
        DNT_WARN("%s: --set %.*s given twice: '%s', then '%s' (the last one counts)", cmd,
                 (int)klen, o->sets[i], o->sets[j] + klen + (o->sets[j][klen] == '='),
                 o->sets[i] + klen + (o->sets[i][klen] == '='));
    if (dnt_config_set(cfg, o->sets[i])) {
      fprintf(stderr, "dnt %s: --set %s: %s\n", cmd, o->sets[i], dnt_last_error());
      dnt_config_destroy(cfg);
      return APP_EXIT_USAGE;
    }
  }
  *out = cfg;
  return APP_EXIT_OK;
}

int app_load_config(const app_opts *o, const char *cmd, const dnt_config_field *schema,
                    size_t n_schema, dnt_config **out) {
  return app_load_config_preset(o, cmd, schema, n_schema, NULL, out);
}

/* Opens the run in the folder o->out, or results/<study>-<UTC time>[-k]. */
static int open_run(const app_opts *o, const char *study, const dnt_config *cfg, dnt_run_mode mode,
                    dnt_run **out) {
  dnt_log_set_level(o->quiet ? DNT_LOG_WARN : o->verbose ? DNT_LOG_DEBUG : DNT_LOG_INFO);
  dnt_blas_set_threads(o->threads);
  char dir[512];
  if (o->out) {
    snprintf(dir, sizeof dir, "%s", o->out);
  } else {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(dir, sizeof dir, "results/%s-%s", study, stamp);
    for (int k = 2; mode == DNT_RUN_NEW && dnt_path_exists(dir) && k < 1000; k++)
      snprintf(dir, sizeof dir, "results/%s-%s-%d", study, stamp, k);
  }
  char *json = cfg ? dnt_config_to_json(cfg) : NULL;
  int rc = dnt_run_open_mode(dir, study, json, o->seed, mode, out);
  free(json);
  if (rc) return app_fail_status(study, rc, 0);
  dnt_run_set_start(*out, o->started);
  DNT_INFO("%s: results in %s", study, dir);
  return APP_EXIT_OK;
}

int app_open_run(const app_opts *o, const char *study, const dnt_config *cfg, dnt_run **out) {
  return open_run(o, study, cfg, DNT_RUN_SHARE, out);
}

int app_open_run_mode(const app_opts *o, const char *study, const dnt_config *cfg, dnt_run **out) {
  dnt_run_mode mode = o->resume ? DNT_RUN_RESUME : o->force ? DNT_RUN_FORCE : DNT_RUN_NEW;
  return open_run(o, study, cfg, mode, out);
}
