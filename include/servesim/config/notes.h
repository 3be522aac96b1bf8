/* notes.h: what loading a scenario tells the user: a trace cut by the horizon or replayed identically,
 * hwdb names that resolved to something other than what was written (an alias naming another entry, an
 * engine name resolved to a versioned profile), and a layout the model has not validated (pipeline stages).
 * Invariant: notes only inform; they never change a value except where they say so (a trace replayed
 * as is runs one replicate). */
#ifndef SERVESIM_NOTES_H
#define SERVESIM_NOTES_H
#include "config/scenario.h"
#include "hwdb/hwdb.h"

/* The trace's cut and identical-replicates notes (and replicates = 1 for an identical replay). */
void notes_trace(study_spec *spec);
/* Notes for names of the base point and of sweep axes that resolve to another hwdb entry or profile. */
void notes_names(study_spec *spec, const hwdb *db);
/* The EXTRAPOLATION note for pipeline stages (deployment.pp > 1 at the base point or on a sweep axis). */
void notes_pipeline(study_spec *spec);

#endif
