/* backward.c: a sim-layer file that includes a study-layer header. Compiled against the sim layer's
 * include path it must fail: the build, not a convention, keeps layers calling down. */
#include "study/study.h"

int main(void) { return 0; }
