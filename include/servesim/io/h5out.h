/* h5out.h: the HDF5 file of a study (DESIGN section 8), written from a study and read back into
 * one (for `servesim merge`). netCDF-4-compatible: dimension scales /point, /replicate, /quantile,
 * /stat; one dataset per metric; CF units and long_name on every dataset; variable-length UTF-8
 * strings; shuffle + deflate.
 * Invariant: the file appears under its final name only when it was written completely (it is
 * written to PATH.tmp and renamed); only the calling (master) thread touches HDF5. */
#ifndef SERVESIM_H5OUT_H
#define SERVESIM_H5OUT_H
#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "study/study.h"

#define H5OUT_SCHEMA_VERSION 1

/* Fails with SS_ECREATE and a clear message when PATH.tmp cannot be created (run this before a
 * long study, so that a typo in -o costs nothing). */
ss_status h5out_probe(const char *path, ss_err *err);
/* Writes st (a whole study, or one shard: then without /summary) to path; argv (argc words) is
 * recorded as the command_line attribute. */
/* The variable-length UTF-8 string type of every text dataset and attribute (close with H5Tclose). */
hid_t h5out_vstr_type(void);
/* Writes a scalar text attribute of type vstr (h5out_vstr_type). */
bool h5out_attr_text(hid_t obj, hid_t vstr, const char *name, const char *text);
/* Reads a scalar text attribute into buf; false when missing or unreadable. */
bool h5out_read_attr_text(hid_t obj, const char *name, char *buf, size_t len);

/* Closes a file written under its temporary name tmp and renames it to path (*file becomes -1):
 * the last step of every atomic HDF5 write. */
ss_status h5out_commit(hid_t *file, const char *tmp, const char *path, ss_err *err);
ss_status h5out_write(const study *st, const char *path, int argc, char *const *argv, ss_err *err);

/* The words of argv joined by spaces, single-quoted where a shell would need it (malloc'd; NULL when
 * out of memory): the command_line attribute of every servesim file. */
char *h5out_join_command_line(int argc, char *const *argv);

/* The columns of /requests (sim_request_row) or /timeseries (sim_ts_row); the first time-series
 * column (t_s) is stored as the "time" dimension scale. Shared with the reader (merge). */
enum { H5OUT_F64, H5OUT_U32 };
typedef struct {
  const char *name;
  size_t off;
  int type; /* H5OUT_F64 or H5OUT_U32 in the row; stored as float64 */
  const char *units, *long_name;
} h5out_col;
const h5out_col *h5out_log_cols(bool timeseries, size_t *n);

#endif
