/* design.h: the sampled uncertain inputs of a study (study.design): a point of the unit hypercube per
 * replicate (random, Latin hypercube, scrambled Sobol or Halton), re-paired to a rank-correlation
 * target by Iman-Conover, mapped through each input's inverse CDF; and the replicate structure a
 * sensitivity method needs (Saltelli's A, B and AB_i blocks, Morris trajectories), with the replicate
 * whose traffic each run reuses (common random numbers inside a Sobol row or a Morris trajectory).
 * Invariant: everything is a function of (spec, n_reps, block) alone, computed serially up front, so
 * every thread, shard and rank sees the same design; replicate r's point never depends on n_reps
 * beyond its own block (sequential precision extends a design without changing its start). */
#ifndef SERVESIM_DESIGN_H
#define SERVESIM_DESIGN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "config/scenario.h"

/* Saltelli blocks of a Sobol design: replicate r = role x N + row. */
enum { DESIGN_ROLE_A = 0, DESIGN_ROLE_B = 1, DESIGN_ROLE_AB = 2 /* + input index */ };

typedef struct {
  int kind;   /* sc_design used (a Morris design records SC_DESIGN_RANDOM: its grid is its own) */
  int method; /* sc_sens_method */
  size_t n_reps, n_inputs;
  size_t block;       /* rows per Latin-hypercube stratification and Iman-Conover pairing */
  size_t samples;     /* sobol: base samples N; morris: trajectories r; prcc: n_reps */
  unsigned bootstrap; /* sensitivity.bootstrap */
  bool paired;        /* Iman-Conover re-pairing was applied */
  double *unit;       /* [n_inputs][n_reps]: each replicate's quantile of each input, in (0, 1) */
  double *value;      /* [n_inputs][n_reps]: the inputs as the tasks hold them (clamped to bounds, rounded) */
  int32_t *role;      /* [n_reps]: 0 for prcc; Saltelli block (DESIGN_ROLE_*); Morris step (0: start) */
  int32_t *group;     /* [n_reps]: Sobol row j, Morris trajectory t, or r itself */
  int64_t *traffic;   /* [n_reps]: the replicate index the simulator's random streams are keyed by */
} study_design;

/* Allocates every array (unit and value NAN, role 0, group and traffic the identity). */
ss_status design_alloc(study_design *d, size_t n_inputs, size_t n_reps, ss_err *err);
void design_free(study_design *d);
/* The design of spec for n_reps replicates, Latin-hypercube blocks of `block` rows (0: n_reps). */
ss_status design_build(const study_spec *spec, size_t n_reps, size_t block, study_design *d, ss_err *err);
/* Values of a plain (prcc) design of n replicates into values[i * n + r]; Sobol and Morris structures
 * are refused (they belong to servesim run). */
ss_status design_sample_plain(const study_spec *spec, size_t n, double *values, ss_err *err);
/* The design in one sentence, for reports. */
const char *design_text(const study_design *d);
/* Whether replicate r is an independent draw (prcc: all; sobol: blocks A and B; morris: trajectory
 * starts): the replicates summary statistics and confidence intervals are taken over. */
bool design_independent(const study_design *d, size_t r);

/* ---- the building blocks, for tests ---- */

/* Rows [0, n) of a unit design of `dim` columns into u[r * dim + i], each in (0, 1):
 * random (Philox per replicate), lhs (one stratum per row and column in each block of `block` rows),
 * sobol (GSL's sequence with point 0 first, Owen-scrambled by the seed) or halton (GSL's sequence
 * with point 0 first, a random shift modulo 1 per column). */
ss_status design_unit(int kind, uint64_t seed, size_t n, size_t dim, size_t block, double *u, ss_err *err);
/* The inverse CDF of an uncertain input's distribution at probability p in (0, 1). */
double design_quantile(const sc_uncertain *u, double p);
/* Iman-Conover: re-pairs the n rows of u (n x dim, row-major) so that the rank correlation of the
 * columns approaches target (dim x dim, row-major, positive definite); each column keeps its values.
 * false when n <= dim or the scores are degenerate (u unchanged). */
bool design_iman_conover(double *u, size_t n, size_t dim, const double *target);

#endif
