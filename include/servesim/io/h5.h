/* h5.h: the one HDF5 module. Writing: datasets the way every servesim file carries them (CF units and
 * long_name on every dataset, dimension scales attached, variable-length UTF-8 text, chunked shuffle +
 * deflate numbers), the provenance every file carries (program, versions of the code and libraries,
 * compiler, hwdb and input-file hashes, the file kind and schema version), and atomic creation (a
 * temporary file renamed on commit). Reading: every dataset's rank, extent and type and every
 * attribute's class and dataspace are checked against what the caller expects before anything is read,
 * and a dataset's values must be stored in the file (a few bytes cannot claim 2^40 values).
 * Invariant: no read sizes a buffer from the file; a mismatch is SS_EDATA naming the file, the object,
 * what was expected and what was found; text is never silently truncated. Only the calling (master)
 * thread touches HDF5. */
#ifndef SERVESIM_H5_H
#define SERVESIM_H5_H
#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/fileio.h"
#include "base/hash.h"

#define H5_SCHEMA_VERSION 3
enum { H5_MAX_INPUTS = 8, H5_MAX_RANK = 3, H5R_MAX_TEXT = 16 << 20 };

/* What a file is: study (a whole study), study_part (one shard), plan or compare (servesim compare). */
extern const char *const h5_kind_study, *const h5_kind_study_part, *const h5_kind_plan, *const h5_kind_compare;

/* Where a file's data came from (root attributes of every file). */
typedef struct {
  const char *kind; /* h5_kind_* */
  const char *title, *scenario_name;
  uint64_t seed;
  int argc; /* the command line */
  char *const *argv;
  const char *hwdb_dir, *hwdb_sha256;
  const hash_ref *inputs; /* scenario, trace, histograms, ... */
  size_t n_inputs;
} h5_provenance;

/* ---- writing ---- */

typedef struct {
  fio_out out;
  hid_t file, vstr;
  const char *failed; /* name of the object whose write failed */
} h5w;

/* Creates the temporary file of output path (fio_out_begin: inputs are refused as targets). */
ss_status h5w_create(h5w *w, const char *path, const char *const *inputs, size_t n_inputs, ss_err *err);
/* Closes the file and renames it over path; on failure removes it (exit status SS_EIO). */
ss_status h5w_commit(h5w *w, ss_err *err);
/* Closes and removes the temporary file, leaving any earlier file at path untouched. */
void h5w_abort(h5w *w);
/* SS_EIO "writing 'name' failed (disk full?)" for the object w->failed. */
ss_status h5w_failure(const h5w *w, ss_err *err);

/* Creates, fills, labels and closes one dataset (rank 0 to H5_MAX_RANK) under loc; scales[i] (< 0 or NULL: none)
 * is attached to dimension i; keep (may be NULL) receives the open dataset instead of closing it. */
bool h5w_var(h5w *w, hid_t loc, const char *name, int rank, const hsize_t *dims, hid_t mem_type, hid_t file_type,
             const void *data, const char *units, const char *long_name, const hid_t *scales, hid_t *keep);
/* Writes n rows of data (mem_type) into the open 1-D dataset ds from row offset on; name is the
 * dataset's, for h5w_failure. */
bool h5w_rows(h5w *w, hid_t ds, hsize_t offset, hsize_t n, hid_t mem_type, const void *data, const char *name);
/* A 1-D dimension scale dataset (h5w_var + H5DSset_scale), left open in *out. */
bool h5w_scale(h5w *w, hid_t loc, const char *name, hsize_t n, hid_t mem_type, hid_t file_type, const void *data,
               const char *units, const char *long_name, hid_t *out);
bool h5w_attr_text(h5w *w, hid_t obj, const char *name, const char *text);
bool h5w_attr_u64(h5w *w, hid_t obj, const char *name, uint64_t v);
bool h5w_attr_u32(h5w *w, hid_t obj, const char *name, uint32_t v);
bool h5w_provenance(h5w *w, const h5_provenance *p);

/* The words of argv joined by spaces, single-quoted where a shell would need it (malloc'd; NULL when
 * out of memory): the command_line attribute of every servesim file. */
char *h5_join_command_line(int argc, char *const *argv);

/* ---- reading ---- */

typedef struct {
  hid_t file;
  char path[4096];
} h5r;

/* Opens path read-only; SS_ENOINPUT when it is missing or not HDF5. */
ss_status h5r_open(h5r *r, const char *path, ss_err *err);
/* Opens len bytes of an HDF5 file held in memory (HDF5's core driver, no backing store); name stands
 * for the file in messages. */
ss_status h5r_open_image(h5r *r, const char *name, const void *image, size_t len, ss_err *err);
void h5r_close(h5r *r);
bool h5r_exists(const h5r *r, hid_t loc, const char *name);
/* The file's kind and schema version: SS_EDATA unless program is servesim and the schema is ours. */
ss_status h5r_check_kind(const h5r *r, char *kind, size_t len, ss_err *err);
/* A scalar text attribute into buf; longer than len - 1 bytes is SS_EDATA (never truncated). */
ss_status h5r_attr_text(const h5r *r, hid_t obj, const char *name, char *buf, size_t len, ss_err *err);
/* A scalar text attribute of at most max bytes, malloc'd into *out. */
ss_status h5r_attr_text_dup(const h5r *r, hid_t obj, const char *name, size_t max, char **out, ss_err *err);
/* A scalar unsigned integer attribute. */
ss_status h5r_attr_u64(const h5r *r, hid_t obj, const char *name, uint64_t *v, ss_err *err);
/* A scalar text attribute of a dataset (units, long_name), "" when absent. */
void h5r_dataset_attr(const h5r *r, hid_t loc, const char *dataset, const char *name, char *buf, size_t len);
/* The extent of a 1-D dataset, which must be at most max. */
ss_status h5r_extent(const h5r *r, hid_t loc, const char *name, hsize_t max, hsize_t *n, ss_err *err);
/* Checks a dataset without reading it: text (variable-length) or numbers, exactly `rank` dimensions
 * `dims`, and its values stored in the file (a sparse dataset claiming more than the file holds is
 * refused). Every h5r read checks the same first; this lets a reader check before it allocates. */
ss_status h5r_shape(const h5r *r, hid_t loc, const char *name, bool text, int rank, const hsize_t *dims, ss_err *err);
/* A numeric dataset of exactly `rank` (at most H5_MAX_RANK) dimensions `dims`, as doubles. */
ss_status h5r_f64(const h5r *r, hid_t loc, const char *name, int rank, const hsize_t *dims, double *out, ss_err *err);
/* A 1-D text dataset of exactly n strings, each copied into out[i] (a string of width bytes or more
 * is SS_EDATA, never truncated). */
ss_status h5r_text_1d(const h5r *r, hid_t loc, const char *name, hsize_t n, char *out, size_t width, ss_err *err);
/* A scalar text dataset of at most H5R_MAX_TEXT bytes, malloc'd into *out. */
ss_status h5r_text_scalar(const h5r *r, hid_t loc, const char *name, char **out, ss_err *err);
/* Whether a dataset holds text (for axes that may be text or numbers). */
bool h5r_is_text(const h5r *r, hid_t loc, const char *name);

#endif
