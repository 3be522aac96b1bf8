/* cmd_import.c: `servesim import-trace` and `servesim import-model` over the C API: options in,
 * one summary line out, the library's message (file, line, column or key, value) on failure. */
#include "cli/cmd_import.h"

#include <math.h>
#include <stdio.h>

#include "api/servesim.h"

static ss_status need_output(const cli_args *a, const char *what, ss_err *err) {
  ss_status rc = cli_need_inputs(a, 1, 1, err);
  if (!rc && !a->out)
    rc = ss_errorf(err, SS_EUSAGE, "%s: -o %s is required (servesim %s --help)", cli_cmd_name(a->cmd), what,
                   cli_cmd_name(a->cmd));
  return rc;
}

ss_status cmd_import_trace(const cli_args *a, const hwdb *unused, ss_err *err) {
  servesim_trace_options o = SERVESIM_TRACE_OPTIONS_INIT;
  servesim_trace_summary s;
  servesim_error e;
  (void)unused;
  ss_status rc = need_output(a, "trace.csv", err);
  if (rc) return rc;
  o.format = a->format, o.time_scale = a->time_scale, o.start_s = a->start_s, o.duration_s = a->duration_s;
  o.limit = (size_t)a->limit;
  if (servesim_import_trace(a->inputs[0], &o, a->out, &s, &e)) return ss_errorf(err, e.status, "%s", e.message);
  printf("%s trace %s: %zu requests read, %zu dropped (no input or output tokens: failed requests), %zu written "
         "spanning %.3f s (mean rate %.4g req/s)\nwrote %s\n",
         s.format, a->inputs[0], s.rows_read, s.rows_skipped, s.rows_written, s.span_s,
         s.span_s > 0 ? (double)(s.rows_written - 1) / s.span_s : NAN, a->out);
  return SS_OK;
}

ss_status cmd_import_model(const cli_args *a, const hwdb *unused, ss_err *err) {
  servesim_model_options o = SERVESIM_MODEL_OPTIONS_INIT;
  servesim_error e;
  double derived;
  (void)unused;
  ss_status rc = need_output(a, "model.yaml", err);
  if (rc) return rc;
  o.id = a->id, o.name = a->name, o.source = a->source, o.date = a->date;
  o.params_b = a->params_b, o.active_params_b = a->active_params_b;
  if (servesim_import_model(a->inputs[0], &o, a->out, &derived, &e)) return ss_errorf(err, e.status, "%s", e.message);
  printf("model %s: derived %.3f B parameters, published %.3f B (%+.2f%%)\nwrote %s (copy it into hwdb/models/ "
         "as %s.yaml)\n",
         a->id, derived, a->params_b, 100 * (derived / a->params_b - 1), a->out, a->id);
  return SS_OK;
}
