/* json.h: the JSON every --json output is made of: strings escaped per RFC 8259, numbers with 17
 * significant digits (exact round trip), and null for NaN and infinities, which JSON cannot hold.
 * Invariant: everything written parses with any JSON reader. */
#ifndef SERVESIM_JSON_H
#define SERVESIM_JSON_H
#include <stdio.h>

void json_str(FILE *out, const char *s);
/* A number, or null when it is not finite. */
void json_num(FILE *out, double v);
/* "key": and the value, with a leading ", " unless first. */
void json_key(FILE *out, const char *key, int first);

#endif
