/* fuzz_datafile.c: any bytes as a trace CSV (FUZZ_HIST undefined) or a length histogram CSV
 * (FUZZ_HIST defined): the CSV reader, headers, row checks and the histogram's normalisation.
 * Invariant: every input is loaded or refused with a message; a loaded file obeys datafile.h. */
#include <math.h>

#include "config/datafile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  datafile f;
  ss_err err = {{0}};
#ifdef FUZZ_HIST
  ss_status rc = datafile_parse_hist("fuzz.csv", data, size, &f, &err);
  for (size_t i = 0; !rc && i < f.hist.n; i++) /* cumulative weights in [0, 1], ending at 1 */
    if (!(f.hist.cum[i] >= 0 && f.hist.cum[i] <= 1 + 1e-12) || f.hist.tokens[i] < 1) abort();
#else
  ss_status rc = datafile_parse_trace("fuzz.csv", data, size, &f, &err);
  for (size_t i = 1; !rc && i < f.trace.n; i++) /* rows in time order, lengths >= 1 */
    if (f.trace.t_s[i] < f.trace.t_s[i - 1] || f.trace.in[i] < 1 || f.trace.out[i] < 1) abort();
#endif
  fuzz_check(rc, &err);
  if (!rc) datafile_free(&f);
  return 0;
}
