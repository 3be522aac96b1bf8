/* verify.h: the verification run, XSBench style: a tiny fixed study (two sweep points, three
 * replicates, bursty traffic, an uncertain input) whose per-task results are hashed and compared with
 * a checksum pinned in the source. Any change to RNG keying, sampling, scheduling, the step-time
 * model or the metrics changes the checksum, so it cannot pass unnoticed.
 * Invariant: the checksum depends only on the code and the hwdb content (pinned for tests/hwdb,
 * whose content hash is pinned too), never on the thread count. */
#ifndef SERVESIM_VERIFY_H
#define SERVESIM_VERIFY_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/hash.h"
#include "hwdb/hwdb.h"

/* The pinned answers: the results' digest, and the hwdb it holds for (tests/hwdb). */
extern const char verify_expected_sha256[], verify_hwdb_sha256[];
/* The verification scenario (YAML). */
extern const char verify_scenario[];

typedef struct {
  size_t tasks;
  char sha256[HASH_HEX_LEN]; /* of every task's metrics, SLO flag and sampled inputs, in task order */
  bool hwdb_matches;         /* db is the hwdb the checksum was pinned for */
  bool passed;               /* hwdb_matches and sha256 == verify_expected_sha256 */
} verify_result;

ss_status verify_run(const hwdb *db, int threads, verify_result *out, ss_err *err);

#endif
