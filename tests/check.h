/* check.h: assertions that say what failed with both values, for tests that read like specifications.
 * CMocka's assert_true prints only the expression; these print the expression and the numbers
 * (17 significant digits), so a failure in CI can be diagnosed from the log alone. Property loops
 * count their cases and check_min_cases fails a loop that tested fewer than it claims to. */
#ifndef SERVESIM_TEST_CHECK_H
#define SERVESIM_TEST_CHECK_H
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define CHECK_CMP_(a, op, b)                                                                                        \
  do {                                                                                                              \
    double check_a_ = (double)(a), check_b_ = (double)(b);                                                          \
    if (!(check_a_ op check_b_)) fail_msg("%s %s %s failed: %.17g %s %.17g", #a, #op, #b, check_a_, #op, check_b_); \
  } while (0)

/* a <= b, a < b, a >= b, a > b, a == b as numbers (NAN fails all of them). */
#define check_le(a, b) CHECK_CMP_(a, <=, b)
#define check_lt(a, b) CHECK_CMP_(a, <, b)
#define check_ge(a, b) CHECK_CMP_(a, >=, b)
#define check_gt(a, b) CHECK_CMP_(a, >, b)
#define check_eq(a, b) CHECK_CMP_(a, ==, b)

/* |a - b| <= tol */
#define check_near(a, b, tol)                                                                    \
  do {                                                                                           \
    double check_a_ = (double)(a), check_b_ = (double)(b), check_t_ = (double)(tol);             \
    if (!(fabs(check_a_ - check_b_) <= check_t_))                                                \
      fail_msg("%s ~ %s failed: %.17g vs %.17g, |diff| %.3g > %.3g", #a, #b, check_a_, check_b_, \
               fabs(check_a_ - check_b_), check_t_);                                             \
  } while (0)

/* |a - b| < tol, strictly: for bounds written with < (a statistic within k standard errors, say). */
#define check_near_strict(a, b, tol)                                                              \
  do {                                                                                            \
    double check_a_ = (double)(a), check_b_ = (double)(b), check_t_ = (double)(tol);              \
    if (!(fabs(check_a_ - check_b_) < check_t_))                                                  \
      fail_msg("%s ~ %s failed: %.17g vs %.17g, |diff| %.3g >= %.3g", #a, #b, check_a_, check_b_, \
               fabs(check_a_ - check_b_), check_t_);                                              \
  } while (0)

/* |a - b| <= rel x |b| */
#define check_rel(a, b, rel)                                                                            \
  do {                                                                                                  \
    double check_a_ = (double)(a), check_b_ = (double)(b), check_r_ = (double)(rel);                    \
    if (!(fabs(check_a_ - check_b_) <= check_r_ * fabs(check_b_)))                                      \
      fail_msg("%s ~ %s failed: %.17g vs %.17g, relative diff %.3g > %.3g", #a, #b, check_a_, check_b_, \
               fabs(check_a_ - check_b_) / fabs(check_b_), check_r_);                                   \
  } while (0)

/* lo <= x <= hi */
#define check_within(x, lo, hi)                                                                                     \
  do {                                                                                                              \
    double check_x_ = (double)(x), check_lo_ = (double)(lo), check_hi_ = (double)(hi);                              \
    if (!(check_x_ >= check_lo_ && check_x_ <= check_hi_))                                                          \
      fail_msg("%s in [%s, %s] failed: %.17g not in [%.17g, %.17g]", #x, #lo, #hi, check_x_, check_lo_, check_hi_); \
  } while (0)

#define check_nan(x)                                                         \
  do {                                                                       \
    double check_x_ = (double)(x);                                           \
    if (!isnan(check_x_)) fail_msg("%s is NAN failed: %.17g", #x, check_x_); \
  } while (0)
#define check_finite(x)                                                            \
  do {                                                                             \
    double check_x_ = (double)(x);                                                 \
    if (!isfinite(check_x_)) fail_msg("%s is finite failed: %.17g", #x, check_x_); \
  } while (0)

/* A condition with a formatted explanation of what was seen. */
#define check_msg(cond, ...)            \
  do {                                  \
    if (!(cond)) fail_msg(__VA_ARGS__); \
  } while (0)

/* A property loop that claims to test many cases must test at least min of them. */
#define check_min_cases(n, min)                                                                               \
  do {                                                                                                        \
    size_t check_n_ = (size_t)(n), check_m_ = (size_t)(min);                                                  \
    if (check_n_ < check_m_) fail_msg("property tested on %zu cases, want at least %zu", check_n_, check_m_); \
  } while (0)

/* The frozen hwdb the unit tests read (tests/hwdb), so an edit to the live hwdb/ cannot move them. */
#define TEST_HWDB SERVESIM_TEST_DIR "/hwdb"

#endif
