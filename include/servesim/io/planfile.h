/* planfile.h: the answers of `servesim plan` as an HDF5 file (io/h5's conventions: a /candidate
 * dimension scale, units and long_name on every dataset, variable-length UTF-8 strings, the resolved
 * scenario as /config_yaml, provenance attributes, file_kind "plan").
 * Invariant: the file appears under its final name only when written completely. */
#ifndef SERVESIM_PLANFILE_H
#define SERVESIM_PLANFILE_H
#include <stddef.h>

#include "base/err.h"
#include "study/plan.h"

/* Writes p to path; argv (argc words) is recorded as the command_line attribute; path may not be one
 * of inputs. */
ss_status planfile_write(const plan *p, const char *path, int argc, char *const *argv, const char *const *inputs,
                         size_t n_inputs, ss_err *err);

#endif
