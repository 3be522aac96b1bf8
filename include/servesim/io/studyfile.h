/* studyfile.h: a study as an HDF5 file and back (the schema of docs/study.md): dimension scales
 * /point, /replicate, /quantile, /stat; one dataset per metric (point, replicate); /summary for whole
 * studies; /sensitivity when there are uncertain inputs; opt-in /requests and /timeseries; the
 * resolved scenario as /config_yaml; provenance on the root.
 * Invariant: studyfile_read accepts only what studyfile_write writes: every shape is checked against
 * the point and replicate counts before it is read, so a crafted or damaged file is refused with
 * file, object, expected and found, never read out of bounds. */
#ifndef SERVESIM_STUDYFILE_H
#define SERVESIM_STUDYFILE_H
#include <stddef.h>

#include "base/err.h"
#include "study/study.h"

/* Writes st (a whole study, or one shard: then without /summary and /sensitivity) to path; argv
 * (argc words) is recorded as the command_line attribute; path may not be one of inputs. */
ss_status studyfile_write(const study *st, const char *path, int argc, char *const *argv, const char *const *inputs,
                          size_t n_inputs, ss_err *err);
/* Reads a study file (a part or a whole study) into st, without the summary. A plan file is refused
 * with a pointer to what reads it. */
ss_status studyfile_read(const char *path, study *st, ss_err *err);
/* The same from len bytes of an HDF5 file in memory (HDF5's core driver; name stands for the file). */
ss_status studyfile_read_image(const char *name, const void *image, size_t len, study *st, ss_err *err);
/* Only the attributes, the scenario echo and the shape (points, replicates, task range, part i of N):
 * what merge compares before it reads any data. st holds no data arrays; study_free it. */
ss_status studyfile_read_head(const char *path, study *st, ss_err *err);

#endif
