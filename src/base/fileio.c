/* fileio.c: whole-file reads and atomic outputs. A read opens the file non-blocking (so a FIFO without
 * a writer cannot hang the open), checks with fstat that it is a regular file no larger than the cap,
 * then reads it; a file that grows past the cap while being read is refused too. An output goes to
 * a mkstemp file beside the target, renamed over it on commit. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "base/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

ss_status fio_read(const char *path, size_t max_bytes, const char *what, char **buf, size_t *len,
                   char sha256[HASH_HEX_LEN], ss_err *err) {
  struct stat sb;
  ss_status rc = SS_OK;
  char *data = NULL;
  size_t n = 0;
  *buf = NULL, *len = 0;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return ss_errorf(err, errno == ENOENT || errno == ENOTDIR ? SS_ENOINPUT : SS_EIO, "%s: cannot open the %s: %s",
                     path, what, strerror(errno));
  if (fstat(fd, &sb) != 0) {
    rc = ss_errorf(err, SS_EIO, "%s: cannot stat the %s: %s", path, what, strerror(errno));
    goto done;
  }
  if (!S_ISREG(sb.st_mode)) {
    rc = ss_errorf(err, SS_ENOINPUT, "%s: the %s is %s; allowed: a regular file", path, what, kind_of(sb.st_mode));
    goto done;
  }
  if ((unsigned long long)sb.st_size > max_bytes) {
    rc = ss_errorf(err, SS_EDATA, "%s: the %s is %lld bytes; allowed: at most %zu bytes", path, what,
                   (long long)sb.st_size, max_bytes);
    goto done;
  }
  (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  size_t cap = (size_t)sb.st_size + 1;
  if (!(data = malloc(cap + 1))) {
    rc = ss_errorf(err, SS_ENOMEM, "%s: out of memory for a %zu-byte %s", path, cap, what);
    goto done;
  }
  for (;;) { /* read until EOF; one byte of room past st_size detects a file that grew */
    ssize_t got = read(fd, data + n, cap - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      rc = ss_errorf(err, SS_EIO, "%s: cannot read the %s: %s", path, what, strerror(errno));
      goto done;
    }
    if (got == 0) break;
    n += (size_t)got;
    if (n == cap) {
      rc = ss_errorf(err, SS_EDATA, "%s: the %s grew while it was read; allowed: a file that does not change", path,
                     what);
      goto done;
    }
  }
  data[n] = '\0';
  if (sha256) hash_hex(data, n, sha256);
  *buf = data, *len = n;
  data = NULL;
done:
  free(data);
  close(fd);
  return rc;
}

/* ---- outputs ---- */

/* Temporary files not yet committed, for fio_out_unlink_pending (a signal handler gets no context,
 * so this is the one piece of module state; only the main thread begins and ends outputs). */
enum { MAX_PENDING = 8 };
static char pending[MAX_PENDING][4096];
static volatile sig_atomic_t pending_used[MAX_PENDING];

static void pending_add(const char *tmp) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (!pending_used[i]) {
      snprintf(pending[i], sizeof pending[i], "%s", tmp);
      pending_used[i] = 1;
      return;
    }
}

static void pending_remove(const char *tmp) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (pending_used[i] && !strcmp(pending[i], tmp)) pending_used[i] = 0;
}

void fio_out_unlink_pending(void) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (pending_used[i]) unlink(pending[i]);
}

/* The permission bits a new file gets (0666 less the umask), read without changing the umask. */
static mode_t new_file_mode(void) {
  mode_t mask = 022;
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "Umask:", 6)) mask = (mode_t)strtoul(line + 6, NULL, 8);
  if (f) fclose(f);
  return 0666 & ~mask;
}

/* Temporary names are ".<base>.servesim-<pid>-XXXXXX" beside the target: removes those whose process
 * no longer runs (a run killed before it could clean up). */
static void remove_stale(const char *dir, const char *base) {
  char prefix[4200];
  int plen = snprintf(prefix, sizeof prefix, ".%s.servesim-", base);
  DIR *d = opendir(dir);
  if (!d || plen <= 0 || (size_t)plen >= sizeof prefix) {
    if (d) closedir(d);
    return;
  }
  for (struct dirent *e; (e = readdir(d));) {
    if (strncmp(e->d_name, prefix, (size_t)plen)) continue;
    long pid = strtol(e->d_name + plen, NULL, 10);
    if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
      char p[4096];
      if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < sizeof p) unlink(p);
    }
  }
  closedir(d);
}

ss_status fio_out_begin(fio_out *o, const char *path, const char *what, const char *const *inputs, size_t n_inputs,
                        ss_err *err) {
  struct stat sb, in;
  memset(o, 0, sizeof *o);
  if (!path || !*path) return ss_errorf(err, SS_EUSAGE, "the %s path is empty; allowed: a file path", what);
  if ((size_t)snprintf(o->path, sizeof o->path, "%s", path) >= sizeof o->path)
    return ss_errorf(err, SS_ECREATE, "%s: path too long", path);
  if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) { /* write the link's target, keep the link */
    char *real = realpath(path, NULL);
    if (real) snprintf(o->path, sizeof o->path, "%s", real);
    free(real);
  }
  if (stat(o->path, &sb) == 0) {
    if (!S_ISREG(sb.st_mode))
      return ss_errorf(err, SS_ECREATE, "%s: the %s path is %s; allowed: a regular file (or a new path)", path, what,
                       kind_of(sb.st_mode));
    for (size_t i = 0; i < n_inputs; i++)
      if (inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == sb.st_dev && in.st_ino == sb.st_ino)
        return ss_errorf(err, SS_EUSAGE, "%s: the %s would overwrite the input %s; allowed: another path", path, what,
                         inputs[i]);
  }
  char dir[4096], base[4096];
  const char *slash = strrchr(o->path, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o->path) : 1, slash ? o->path : ".");
  if (slash == o->path) snprintf(dir, sizeof dir, "/");
  snprintf(base, sizeof base, "%s", slash ? slash + 1 : o->path);
  if (!*base) return ss_errorf(err, SS_ECREATE, "%s: the %s path names a directory; allowed: a file path", path, what);
  remove_stale(dir, base);
  if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s/.%s.servesim-%ld-XXXXXX", dir, base, (long)getpid()) >= sizeof o->tmp)
    return ss_errorf(err, SS_ECREATE, "%s: path too long", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    ss_status rc = ss_errorf(err, SS_ECREATE,
                             "cannot create the %s in %s: %s (check that the directory exists and is "
                             "writable)",
                             what, dir, strerror(errno));
    o->tmp[0] = '\0';
    return rc;
  }
  (void)fchmod(fd, new_file_mode());
  close(fd);
  pending_add(o->tmp);
  return SS_OK;
}

ss_status fio_out_commit(fio_out *o, ss_err *err) {
  if (rename(o->tmp, o->path) != 0) {
    ss_status rc = ss_errorf(err, SS_ECREATE, "cannot rename %s to %s: %s", o->tmp, o->path, strerror(errno));
    fio_out_abort(o);
    return rc;
  }
  pending_remove(o->tmp);
  o->tmp[0] = '\0';
  return SS_OK;
}

void fio_out_abort(fio_out *o) {
  if (!o->tmp[0]) return;
  unlink(o->tmp);
  pending_remove(o->tmp);
  o->tmp[0] = '\0';
}

ss_status fio_write_text(const char *path, const char *what, const char *const *inputs, size_t n_inputs,
                         fio_text_writer write, void *ctx, ss_err *err) {
  fio_out o;
  ss_status rc = fio_out_begin(&o, path, what, inputs, n_inputs, err);
  if (rc) return rc;
  FILE *f = fopen(o.tmp, "w");
  if (!f) rc = ss_errorf(err, SS_ECREATE, "cannot write %s: %s", o.tmp, strerror(errno));
  if (!rc) rc = write(f, ctx, err);
  if (!rc && ferror(f)) rc = ss_errorf(err, SS_EIO, "%s: writing the %s failed (disk full?)", path, what);
  if (f && fclose(f) != 0 && !rc) rc = ss_errorf(err, SS_EIO, "%s: closing the %s failed (disk full?)", path, what);
  if (!rc) return fio_out_commit(&o, err);
  fio_out_abort(&o);
  return rc;
}
