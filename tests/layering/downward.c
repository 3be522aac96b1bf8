/* downward.c: the control of backward.c: a sim-layer file including sim, physics, hwdb and base
 * headers compiles against the same include path. */
#include "base/err.h"
#include "hwdb/hwdb.h"
#include "physics/perf.h"
#include "sim/sim.h"

int main(void) { return 0; }
