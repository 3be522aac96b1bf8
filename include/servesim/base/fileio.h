/* fileio.h: input and output files, safely. Inputs are read whole: only regular files (a FIFO, a
 * device such as /dev/zero, or a directory is refused before anything is read), never more than a
 * stated size, with the content hash recorded for provenance. Outputs are written to a unique
 * temporary file beside the target and renamed over it on commit: a failed or killed run never
 * leaves a partial file under the target's name and never destroys what was there.
 * Invariant: on success buf holds exactly the file's bytes plus a terminating NUL (not counted in
 * len); an output target is a regular file (or does not exist yet) and is none of the inputs. */
#ifndef SERVESIM_FILEIO_H
#define SERVESIM_FILEIO_H
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"
#include "base/hash.h"

/* Reads path into *buf (malloc'd; free it), at most max_bytes; `what` names the file in messages
 * ("scenario", "trace"). sha256 (may be NULL) receives the content hash. */
ss_status fio_read(const char *path, size_t max_bytes, const char *what, char **buf, size_t *len,
                   char sha256[HASH_HEX_LEN], ss_err *err);

/* An output being written: its final path (a symlink resolved to its target) and the temporary file. */
typedef struct {
  char path[4096];
  char tmp[4096];
} fio_out;

/* Checks that path may be written (it does not exist, or is a regular file, or a symlink to one;
 * not a directory, device, FIFO or socket; none of the n_inputs input files), removes temporary files
 * that earlier servesim runs killed before they finished left beside it, and creates the temporary
 * file. `what` names the output in messages. */
ss_status fio_out_begin(fio_out *o, const char *path, const char *what, const char *const *inputs, size_t n_inputs,
                        ss_err *err);
/* Renames the (closed) temporary file over the target. */
ss_status fio_out_commit(fio_out *o, ss_err *err);
/* Removes the temporary file (safe to call twice, and after a commit). */
void fio_out_abort(fio_out *o);
/* Removes every temporary file of this process not yet committed or aborted: async-signal-safe, for
 * a SIGINT/SIGTERM handler that the program installs. */
void fio_out_unlink_pending(void);

/* A text output written through a stdio stream: fio_out_begin, write(f, ctx), close, then commit, or
 * abort when anything failed (write's status, a stream error, a failed close). */
typedef ss_status (*fio_text_writer)(FILE *f, void *ctx, ss_err *err);
ss_status fio_write_text(const char *path, const char *what, const char *const *inputs, size_t n_inputs,
                         fio_text_writer write, void *ctx, ss_err *err);

#endif
