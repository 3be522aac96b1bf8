/* version.h: the program version and what the build was made from, stamped at build time (not
 * configure time), so provenance in output files names the code that really ran.
 * Invariant: every function returns a constant string (or flag) of this build. */
#ifndef SERVESIM_VERSION_H
#define SERVESIM_VERSION_H
#include <stdbool.h>

/* Short commit hash, "-dirty" when tracked files had uncommitted changes, "unknown" outside git. */
const char *servesim_git_commit(void);
bool servesim_git_dirty(void);
/* Compiler id and version, and the C flags of the build type. */
const char *servesim_compiler(void);
const char *servesim_build_flags(void);
/* Debian package version of librandom123-dev (Random123 has no version macro), or "unknown". */
const char *servesim_random123_version(void);
/* hwdb_load's content hash of the source tree's hwdb/ when the binary was built. */
const char *servesim_hwdb_build_sha256(void);

#endif
