/* import_model.h: a Hugging Face config.json (dense, grouped-query attention or mixture of experts)
 * read into an hwdb model entry (hwdb/models/<id>.yaml), its parameter count derived by the same
 * formulas hwdb uses (hwdb/model) and checked against the published total the user gives.
 * Invariant: nothing is written unless every shape key was found (or has its documented default),
 * the architecture is one the step-time model represents, and the derived total is within
 * import_model_opts.tolerance of the published one. */
#ifndef SERVESIM_IMPORT_MODEL_H
#define SERVESIM_IMPORT_MODEL_H
#include "base/err.h"
#include "hwdb/model.h"

typedef struct {
  const char *id;         /* hwdb id (required): letters, digits, '.', '-', '_' */
  const char *name;       /* display name; NULL: the id */
  const char *source;     /* where the config came from (required), e.g. "HF config.json of org/model @rev" */
  const char *date;       /* date of the source, YYYY-MM-DD (required) */
  double params_b;        /* the published total, billions (required, > 0) */
  double active_params_b; /* published active per token, billions; NAN: the total (dense models only) */
  double tolerance;       /* largest |derived/published - 1| accepted; 0: 0.03 */
} import_model_opts;

/* Reads config_path into *m (the shape and what o says), checks the derived total against
 * o->params_b. Writes nothing. */
ss_status import_model_read(const char *config_path, const import_model_opts *o, model_spec *m, ss_err *err);
/* import_model_read, then writes the entry to out_yaml atomically. */
ss_status import_model(const char *config_path, const import_model_opts *o, const char *out_yaml, model_spec *m,
                       ss_err *err);

#endif
