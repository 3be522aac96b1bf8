/* compare_out.h: a paired comparison on a stream: the table `servesim compare` prints and the Markdown
 * `servesim report` writes for a compare file.
 * Invariant: every number printed is a field of the comparison; nothing is recomputed here. */
#ifndef SERVESIM_COMPARE_OUT_H
#define SERVESIM_COMPARE_OUT_H
#include <stdio.h>

#include "study/compare.h"

void compare_out_table(FILE *out, const compare *c);
/* The report of a compare file at path; png_dir (may be NULL) is searched for compare.png to link. */
void compare_out_markdown(FILE *out, const compare *c, const char *path, const char *png_dir);

#endif
