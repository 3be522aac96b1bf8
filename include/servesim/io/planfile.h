/* planfile.h: the answers of `servesim plan` as an HDF5 file (io/h5's conventions: a /candidate
 * dimension scale, units and long_name on every dataset, variable-length UTF-8 strings, the resolved
 * scenario as /config_yaml, provenance attributes, file_kind "plan"), and its checked reader.
 * Invariant: the file appears under its final name only when written completely; planfile_read
 * accepts only what planfile_write writes (shapes, types, whole numbers and statuses checked before
 * use), so a crafted or damaged file is refused naming the file, the dataset, expected and found. */
#ifndef SERVESIM_PLANFILE_H
#define SERVESIM_PLANFILE_H
#include <stddef.h>

#include "base/err.h"
#include "study/plan.h"

/* Writes p to path; argv (argc words) is recorded as the command_line attribute; path may not be one
 * of inputs. */
ss_status planfile_write(const plan *p, const char *path, int argc, char *const *argv, const char *const *inputs,
                         size_t n_inputs, ss_err *err);

/* How a file was made (root attributes; "?" for any the file lacks). */
typedef struct {
  char version[64], commit[64], created[64], command[1024];
} planfile_meta;

/* Reads a plan file into p (free it with plan_free) and meta (may be NULL). The rows come back in the
 * file's rank order; /utilisation and the compare_api rows (/api) are optional (plan files written
 * before they existed): NaN and no APIs. */
ss_status planfile_read(const char *path, plan *p, planfile_meta *meta, ss_err *err);

#endif
