/* tests/test.h: the assertions every test program uses.
 * CHECK records a failure with file and line and goes on; the program's exit
 * code is the failure count (0 = pass); test_skip() exits 77, which CTest
 * reports as skipped. */
#ifndef DNT_TEST_H
#define DNT_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    test_checks++;                                                                                 \
    if (!(cond)) {                                                                                 \
      test_failures++;                                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                     \
    }                                                                                              \
  } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
  do {                                                                                             \
    test_checks++;                                                                                 \
    if (!(cond)) {                                                                                 \
      test_failures++;                                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);                     \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
    }                                                                                              \
  } while (0)

/* |a - b| <= tol, printed with both values when it fails. */
#define CHECK_NEAR(a, b, tol)                                                                      \
  do {                                                                                             \
    double check_a_ = (double)(a), check_b_ = (double)(b);                                         \
    CHECK_MSG(fabs(check_a_ - check_b_) <= (tol), "%.9g vs %.9g (tol %g)", check_a_, check_b_,     \
              (double)(tol));                                                                      \
  } while (0)

/* Status call must return 0; prints dnt_last_error() otherwise. */
#define CHECK_OK(call)                                                                             \
  do {                                                                                             \
    int check_rc_ = (call);                                                                        \
    CHECK_MSG(check_rc_ == 0, "returned %d: %s", check_rc_, dnt_last_error());                     \
  } while (0)

static inline int test_done(const char *name) {
  printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
  return test_failures > 255 ? 255 : test_failures;
}

static inline void test_skip(const char *why) {
  printf("SKIP: %s\n", why);
  exit(77);
}

#endif
