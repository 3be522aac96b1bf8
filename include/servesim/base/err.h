/* err.h: status codes (sysexits values, so main can exit with them) and an error context.
 * Library code never exits: it returns a status and, on failure, fills ss_err with a message that
 * names where (file:line, key) and why (bad value, what is allowed). */
#ifndef SERVESIM_ERR_H
#define SERVESIM_ERR_H

#define SS_STATUS_LIST(X)                   \
  X(SS_OK, 0, "ok")                         \
  X(SS_EUSAGE, 64, "bad command line")      \
  X(SS_EDATA, 65, "bad input data")         \
  X(SS_ENOINPUT, 66, "input file missing")  \
  X(SS_EINTERNAL, 70, "internal error")     \
  X(SS_ENOMEM, 71, "out of memory")         \
  X(SS_ECREATE, 73, "cannot create output") \
  X(SS_EIO, 74, "input/output error")

typedef enum {
#define X(name, code, text) name = code,
  SS_STATUS_LIST(X)
#undef X
} ss_status;

typedef struct {
  char msg[1536];
} ss_err;

#if defined(__GNUC__)
#define SS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SS_PRINTF(a, b)
#endif

/* Sets err->msg (when err is not NULL). */
void ss_err_set(ss_err *err, const char *fmt, ...) SS_PRINTF(2, 3);
/* Sets the message and evaluates to code, so callers can `return ss_errorf(...)`. A macro, so that
 * the compiler (and its static analyzer) sees the status a failure path returns. */
#define ss_errorf(err, code, ...) (ss_err_set((err), __VA_ARGS__), (ss_status)(code))
/* Prepends context ("while loading X: ") to an existing message. */
void ss_err_prefix(ss_err *err, const char *fmt, ...) SS_PRINTF(2, 3);
const char *ss_status_text(ss_status s);

#endif
