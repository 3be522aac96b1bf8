/* version.h: the program version and the git commit it was built from (stamped at build time, not
 * configure time, so provenance in output files names the code that really ran). */
#ifndef SERVESIM_VERSION_H
#define SERVESIM_VERSION_H

/* Short commit hash, "-dirty" when tracked files had uncommitted changes, "unknown" outside git. */
const char *servesim_git_commit(void);

#endif
