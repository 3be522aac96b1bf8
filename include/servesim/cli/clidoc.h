/* clidoc.h: documentation generated from the tables the command line itself parses with: manual
 * pages (`servesim man [COMMAND]`, roff for man(1)) and shell completion scripts (`servesim completion
 * bash|zsh`: commands, options per command, scenario keys for --set, hwdb ids for --gpu, --model,
 * --weights, --kv and --engine, trace formats for --format).
 * Invariant: nothing here is written by hand per option or key: a new table row appears in the man
 * pages and the completions without an edit here. */
#ifndef SERVESIM_CLIDOC_H
#define SERVESIM_CLIDOC_H
#include "base/err.h"
#include "cli/cli.h"
#include "hwdb/hwdb.h"

ss_status clidoc_man(const cli_args *a, const hwdb *unused, ss_err *err);
ss_status clidoc_completion(const cli_args *a, const hwdb *unused, ss_err *err);

#endif
