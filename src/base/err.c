/* err.c: formatting of error messages; the status table lives in err.h. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ss_err_set(ss_err *err, const char *fmt, ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
}

void ss_err_prefix(ss_err *err, const char *fmt, ...) {
  if (!err) return;
  char head[512], old[sizeof err->msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  size_t h = strlen(head), room = sizeof err->msg - 1;
  if (h > room) h = room;
  size_t o = strnlen(old, sizeof old);
  if (o > room - h) o = room - h;
  memcpy(err->msg, head, h);
  memcpy(err->msg + h, old, o);
  err->msg[h + o] = '\0';
}

const char *ss_status_text(ss_status s) {
  switch (s) {
#define X(name, code, text) \
  case name: return text;
    SS_STATUS_LIST(X)
#undef X
  }
  return "unknown status";
}
