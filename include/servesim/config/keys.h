/* keys.h: the scenario key table (every key's name, type, default, bounds, flags, unit and help), in
 * its own translation unit so that code reading it sees a table, not its contents (gcc -fanalyzer
 * would otherwise walk every row through every check). Read it through config/scenario.
 * Invariant: keys_count <= SC_MAX_KEYS. */
#ifndef SERVESIM_KEYS_H
#define SERVESIM_KEYS_H
#include <stddef.h>

#include "base/keytab.h"
#include "config/scenario.h"

extern const kt_field keys_table[];
extern const size_t keys_count;

#endif
