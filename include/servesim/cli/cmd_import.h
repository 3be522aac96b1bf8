/* cmd_import.h: the import commands: `servesim import-trace` (a public LLM-serving trace to servesim's
 * trace CSV) and `servesim import-model` (a Hugging Face config.json to an hwdb model entry), both
 * through the C API (api/servesim.h).
 * Invariant: each prints what it read and wrote (rows kept and dropped, derived parameter count). */
#ifndef SERVESIM_CMD_IMPORT_H
#define SERVESIM_CMD_IMPORT_H
#include "base/err.h"
#include "cli/cli.h"
#include "hwdb/hwdb.h"

ss_status cmd_import_trace(const cli_args *a, const hwdb *unused, ss_err *err);
ss_status cmd_import_model(const cli_args *a, const hwdb *unused, ss_err *err);

#endif
