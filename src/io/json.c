/* json.c: JSON scalars. Control characters become \u00XX escapes; bytes >= 0x80 pass through
 * (servesim's text is UTF-8, checked where it enters). */
#include "io/json.h"

#include <math.h>

void json_str(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", out);
    else if (c == '\t')
      fputs("\\t", out);
    else if (c < 0x20 || c == 0x7f)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

void json_num(FILE *out, double v) {
  if (!isfinite(v))
    fputs("null", out);
  else if (v == floor(v) && fabs(v) < 1e15)
    fprintf(out, "%.0f", v);
  else
    fprintf(out, "%.17g", v);
}

void json_key(FILE *out, const char *key, int first) {
  if (!first) fputs(", ", out);
  json_str(out, key);
  fputs(": ", out);
}
