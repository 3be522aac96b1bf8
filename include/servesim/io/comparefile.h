/* comparefile.h: the HDF5 file of `servesim compare` (file kind "compare"), through io/h5: dimension
 * scales /point and /replicate, each scenario's resolved YAML and point labels, and one group per
 * metric with the paired statistics (point) and the paired values of A and B (point, replicate), each
 * in the metric's units.
 * Invariant: comparefile_read accepts only what comparefile_write writes, every extent checked first;
 * the file appears under its final name only when written completely. */
#ifndef SERVESIM_COMPAREFILE_H
#define SERVESIM_COMPAREFILE_H
#include <stddef.h>

#include "base/err.h"
#include "study/compare.h"

ss_status comparefile_write(const compare *c, const char *path, int argc, char *const *argv, const char *const *inputs,
                            size_t n_inputs, ss_err *err);
ss_status comparefile_read(const char *path, compare *c, ss_err *err);

#endif
