/* design.c: unit-hypercube designs (random, Latin hypercube, Owen-scrambled Sobol, shifted Halton),
 * Iman-Conover re-pairing, inverse CDFs, and the Saltelli and Morris replicate structures.
 * Invariant: every random choice comes from a Philox stream or a hash keyed by the master seed and a
 * block, column or replicate index, never from the order work is done in. Streams: random points
 * rng_key(seed, 0, r)/RNG_UNCERTAIN; Latin-hypercube block b rng_key(seed, 0, b)/RNG_DESIGN; Morris
 * trajectory t rng_key(seed, 1, t)/RNG_DESIGN; Sobol scrambling and Halton shifts hash
 * rng_key(seed, 2 or 3, column). */
#include "study/design.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"

enum { SOBOL_BITS = 30, MORRIS_LEVELS = 4 };
static const double PI = 3.14159265358979323846;
#define TWO_M30 (1.0 / 1073741824.0)
#define TWO_M53 (1.0 / 9007199254740992.0)

/* ---- allocation ---- */

ss_status design_alloc(study_design *d, size_t n_inputs, size_t n_reps, ss_err *err) {
  size_t cells = n_inputs * n_reps;
  memset(d, 0, sizeof *d);
  d->n_inputs = n_inputs, d->n_reps = n_reps, d->block = n_reps, d->samples = n_reps;
  d->unit = malloc((cells ? cells : 1) * sizeof *d->unit);
  d->value = malloc((cells ? cells : 1) * sizeof *d->value);
  d->role = calloc(n_reps ? n_reps : 1, sizeof *d->role);
  d->group = malloc((n_reps ? n_reps : 1) * sizeof *d->group);
  d->traffic = malloc((n_reps ? n_reps : 1) * sizeof *d->traffic);
  if (!d->unit || !d->value || !d->role || !d->group || !d->traffic) {
    design_free(d);
    return ss_errorf(err, SS_ENOMEM, "out of memory for a design of %zu inputs x %zu replicates", n_inputs, n_reps);
  }
  for (size_t i = 0; i < cells; i++) d->unit[i] = d->value[i] = NAN;
  for (size_t r = 0; r < n_reps; r++) d->group[r] = (int32_t)r, d->traffic[r] = (int64_t)r;
  return SS_OK;
}

void design_free(study_design *d) {
  free(d->unit), free(d->value), free(d->role), free(d->group), free(d->traffic);
  memset(d, 0, sizeof *d);
}

const char *design_text(const study_design *d) {
  static const char *const TEXT[] = {
      [SC_DESIGN_RANDOM] = "plain Monte Carlo (study.design: random): independent uniform draws per replicate",
      [SC_DESIGN_LHS] = "Latin hypercube (study.design: lhs): one draw in each of n equal-probability strata of "
                        "every input, per block of n replicates, re-paired towards the stated rank correlations "
                        "(none: independence) by Iman-Conover",
      [SC_DESIGN_SOBOL] = "scrambled Sobol points (study.design: sobol): GSL's sequence with Owen's nested "
                          "uniform scrambling keyed by the seed",
      [SC_DESIGN_HALTON] = "Halton points (study.design: halton): GSL's sequence with a random shift modulo 1 "
                           "per input, keyed by the seed",
  };
  if (d->method == SC_SENS_MORRIS)
    return "Morris trajectories (sensitivity.method: morris): a 4-level grid of quantiles, one input moved per step";
  return TEXT[d->kind];
}

bool design_independent(const study_design *d, size_t r) {
  if (!d->role) return true;
  return d->method == SC_SENS_SOBOL ? d->role[r] <= DESIGN_ROLE_B : d->role[r] == 0;
}

/* ---- unit designs ---- */

static uint64_t mix(uint64_t key, uint64_t a, uint64_t b) {
  return rng_splitmix64(key ^ rng_splitmix64(a * 0x9E3779B97F4A7C15ULL ^ rng_splitmix64(b)));
}

/* Keeps a probability strictly inside (0, 1), where every inverse CDF is finite. */
static double inside(double u) { return u <= 0 ? TWO_M53 : u >= 1 ? 1 - TWO_M53 : u; }

/* Owen's nested uniform scrambling of a 30-bit binary fraction: digit j is flipped by a random bit
 * hashed from (key, j, the digits above it), and the digits below the 30th are filled uniformly. */
static double owen(uint32_t v, uint64_t key) {
  uint32_t out = 0;
  for (int j = 0; j < SOBOL_BITS; j++) {
    int shift = SOBOL_BITS - 1 - j;
    uint32_t above = v >> (shift + 1), flip = (uint32_t)(mix(key, (uint64_t)j, above) & 1u);
    out |= (((v >> shift) & 1u) ^ flip) << shift;
  }
  double fill = ((double)(mix(key, SOBOL_BITS, v) >> 11) + 0.5) * TWO_M53;
  return inside(((double)out + fill) * TWO_M30);
}

static void unit_random(uint64_t seed, size_t n, size_t dim, double *u, gsl_rng *g) {
  for (size_t r = 0; r < n; r++) {
    rng_reset(g, rng_key(seed, 0, r), RNG_UNCERTAIN);
    for (size_t i = 0; i < dim; i++) u[r * dim + i] = gsl_rng_uniform_pos(g);
  }
}

/* One stratum per row and column inside each block: u = (permuted stratum + jitter) / rows. */
static ss_status unit_lhs(uint64_t seed, size_t n, size_t dim, size_t block, double *u, gsl_rng *g, ss_err *err) {
  size_t *perm = malloc((block ? block : 1) * sizeof *perm);
  if (!perm) return ss_errorf(err, SS_ENOMEM, "out of memory for a Latin hypercube of %zu rows", block);
  for (size_t b0 = 0, b = 0; b0 < n; b0 += block, b++) {
    size_t m = n - b0 < block ? n - b0 : block;
    rng_reset(g, rng_key(seed, 0, b), RNG_DESIGN);
    for (size_t i = 0; i < dim; i++) {
      for (size_t j = 0; j < m; j++) perm[j] = j;
      gsl_ran_shuffle(g, perm, m, sizeof *perm);
      for (size_t j = 0; j < m; j++) u[(b0 + j) * dim + i] = ((double)perm[j] + gsl_rng_uniform_pos(g)) / (double)m;
    }
  }
  free(perm);
  return SS_OK;
}

/* GSL's Sobol or Halton sequence with the all-zero point 0 first (GSL starts at point 1; without it
 * the first 2^m points would not be a net), randomised column by column. */
static ss_status unit_qrng(int kind, uint64_t seed, size_t n, size_t dim, double *u, ss_err *err) {
  const gsl_qrng_type *t = kind == SC_DESIGN_SOBOL ? gsl_qrng_sobol : gsl_qrng_halton;
  if (dim > t->max_dimension)
    return ss_errorf(err, SS_EDATA,
                     "study.design %s: %zu dimensions, GSL's sequence has at most %u; allowed: "
                     "fewer uncertain inputs, or study.design: lhs",
                     sc_design_names[kind], dim, t->max_dimension);
  gsl_qrng *q = gsl_qrng_alloc(t, (unsigned)dim);
  double *x = malloc(dim * sizeof *x), *shift = malloc(dim * sizeof *shift);
  uint64_t *key = malloc(dim * sizeof *key);
  if (!q || !x || !shift || !key) {
    if (q) gsl_qrng_free(q);
    free(x), free(shift), free(key);
    return ss_errorf(err, SS_ENOMEM, "out of memory for a %zu-dimensional sequence", dim);
  }
  for (size_t i = 0; i < dim; i++) {
    key[i] = rng_key(seed, kind == SC_DESIGN_SOBOL ? 2 : 3, i);
    shift[i] = ((double)(key[i] >> 11) + 0.5) * TWO_M53;
  }
  for (size_t r = 0; r < n; r++) {
    if (r == 0)
      memset(x, 0, dim * sizeof *x);
    else
      gsl_qrng_get(q, x);
    for (size_t i = 0; i < dim; i++) {
      if (kind == SC_DESIGN_SOBOL) { /* GSL's Sobol points are exact multiples of 2^-30 */
        u[r * dim + i] = owen((uint32_t)(x[i] / TWO_M30), key[i]);
      } else {
        double s = x[i] + shift[i];
        u[r * dim + i] = inside(s >= 1 ? s - 1 : s);
      }
    }
  }
  gsl_qrng_free(q);
  free(x), free(shift), free(key);
  return SS_OK;
}

ss_status design_unit(int kind, uint64_t seed, size_t n, size_t dim, size_t block, double *u, ss_err *err) {
  if (kind == SC_DESIGN_SOBOL || kind == SC_DESIGN_HALTON) return unit_qrng(kind, seed, n, dim, u, err);
  gsl_rng *g = rng_stream(0, RNG_DESIGN);
  if (!g) return ss_errorf(err, SS_ENOMEM, "out of memory for a random stream");
  ss_status rc = SS_OK;
  if (kind == SC_DESIGN_LHS)
    rc = unit_lhs(seed, n, dim, block ? block : n, u, g, err);
  else
    unit_random(seed, n, dim, u, g);
  gsl_rng_free(g);
  return rc;
}

/* ---- inverse CDFs ---- */

static double q_uniform(const sc_uncertain *u, double p) { return u->min + p * (u->max - u->min); }
static double q_normal(const sc_uncertain *u, double p) { return u->mean + u->sd * gsl_cdf_ugaussian_Pinv(p); }
static double q_lognormal(const sc_uncertain *u, double p) {
  return u->median * exp(u->sigma * gsl_cdf_ugaussian_Pinv(p));
}
static double q_triangular(const sc_uncertain *u, double p) {
  double a = u->min, c = u->mode, b = u->max;
  if (!(b > a)) return a;
  return p < (c - a) / (b - a) ? a + sqrt(p * (b - a) * (c - a)) : b - sqrt((1 - p) * (b - a) * (b - c));
}

typedef double (*quantile_fn)(const sc_uncertain *u, double p);
static const quantile_fn QUANTILE[] = {
    [UNC_UNIFORM] = q_uniform, [UNC_NORMAL] = q_normal, [UNC_LOGNORMAL] = q_lognormal, [UNC_TRIANGULAR] = q_triangular};

double design_quantile(const sc_uncertain *u, double p) { return QUANTILE[u->dist](u, p); }

/* ---- Iman-Conover ---- */

/* Correlation of the columns of s (n x dim). */
static void column_correlation(const gsl_matrix *s, gsl_matrix *e) {
  size_t n = s->size1, dim = s->size2;
  for (size_t a = 0; a < dim; a++)
    for (size_t b = 0; b <= a; b++) {
      double sab = 0, saa = 0, sbb = 0;
      for (size_t j = 0; j < n; j++) {
        double x = gsl_matrix_get(s, j, a), y = gsl_matrix_get(s, j, b);
        sab += x * y, saa += x * x, sbb += y * y; /* van der Waerden scores have mean 0 */
      }
      gsl_matrix_set(e, a, b, sab / sqrt(saa * sbb));
      gsl_matrix_set(e, b, a, sab / sqrt(saa * sbb));
    }
}

/* Scores s[j][i] = Phi^-1(rank / (n + 1)) by the rank of u[j][i] in its column, and the order of each
 * column of u (ascending values into sorted). */
static void scores(const double *u, size_t n, size_t dim, gsl_matrix *s, double *col, size_t *idx) {
  for (size_t i = 0; i < dim; i++) {
    for (size_t j = 0; j < n; j++) col[j] = u[j * dim + i];
    gsl_sort_index(idx, col, 1, n);
    for (size_t k = 0; k < n; k++)
      gsl_matrix_set(s, idx[k], i, gsl_cdf_ugaussian_Pinv((double)(k + 1) / (double)(n + 1)));
  }
}

typedef struct {
  gsl_matrix *s, *e, *p, *rank_corr;
  gsl_vector *row;
  double *col, *sorted;
  size_t *idx;
} ic_work;

/* Iman and Conover's pass on u (n x dim): scores of the current ranks s, t_j = P Q^-1 s_j (E = Q Q^T
 * the correlation of the scores, target = P P^T), and each column of u re-ordered to the ranks of
 * t's column. false when E or the target is not positive definite (u unchanged). */
static bool ic_pass(ic_work *w, double *u, size_t n, size_t dim, const gsl_matrix *target) {
  scores(u, n, dim, w->s, w->col, w->idx);
  column_correlation(w->s, w->e);
  gsl_matrix_memcpy(w->p, target);
  if (gsl_linalg_cholesky_decomp1(w->e) != 0 || gsl_linalg_cholesky_decomp1(w->p) != 0) return false;
  for (size_t j = 0; j < n; j++) {
    gsl_matrix_get_row(w->row, w->s, j);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, w->e, w->row);
    gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, w->p, w->row);
    gsl_matrix_set_row(w->s, j, w->row);
  }
  for (size_t i = 0; i < dim; i++) {
    for (size_t j = 0; j < n; j++) w->sorted[j] = u[j * dim + i], w->col[j] = gsl_matrix_get(w->s, j, i);
    gsl_sort(w->sorted, 1, n);
    gsl_sort_index(w->idx, w->col, 1, n);
    for (size_t k = 0; k < n; k++) u[w->idx[k] * dim + i] = w->sorted[k];
  }
  return true;
}

/* Spearman's rank correlations of the columns of u into w->rank_corr (ranks centred by column_correlation's
 * rule: ranks minus their mean). */
static void rank_correlation(ic_work *w, const double *u, size_t n, size_t dim) {
  for (size_t i = 0; i < dim; i++) {
    for (size_t j = 0; j < n; j++) w->col[j] = u[j * dim + i];
    gsl_sort_index(w->idx, w->col, 1, n);
    for (size_t k = 0; k < n; k++) gsl_matrix_set(w->s, w->idx[k], i, (double)k - (double)(n - 1) / 2);
  }
  column_correlation(w->s, w->rank_corr);
}

static double gap_to(const gsl_matrix *a, const double *target) {
  double gap = 0;
  for (size_t i = 0; i < a->size1; i++)
    for (size_t j = 0; j < i; j++) gap = fmax(gap, fabs(gsl_matrix_get(a, i, j) - target[i * a->size1 + j]));
  return gap;
}

bool design_iman_conover(double *u, size_t n, size_t dim, const double *target) {
  enum { PASSES = 12 };
  if (dim < 2 || n <= dim) return false;
  ic_work w = {gsl_matrix_alloc(n, dim),   gsl_matrix_alloc(dim, dim), gsl_matrix_alloc(dim, dim),
               gsl_matrix_alloc(dim, dim), gsl_vector_alloc(dim),      malloc(n * sizeof(double)),
               malloc(n * sizeof(double)), malloc(n * sizeof(size_t))};
  gsl_matrix *c = gsl_matrix_alloc(dim, dim);
  double *start = malloc(n * dim * sizeof *start), *best = malloc(n * dim * sizeof *best), best_gap = INFINITY;
  bool ok = w.s && w.e && w.p && w.rank_corr && w.row && w.col && w.sorted && w.idx && c && start && best;
  if (ok) memcpy(start, u, n * dim * sizeof *u);
  /* the pass aims at the correlation of normal scores 2 sin(pi rho / 6) that gives rank correlation rho
   * (normal copula); what taking ranks loses is fed back into the aim, and the pass is made again from
   * the start: the arrangement whose rank correlations come closest to the target is kept */
  for (size_t a = 0; ok && a < dim; a++)
    for (size_t b = 0; b < dim; b++) gsl_matrix_set(c, a, b, a == b ? 1 : 2 * sin(PI * target[a * dim + b] / 6));
  bool any = false;
  double step = 1;
  for (int k = 0; ok && k < PASSES && best_gap > 1e-3; k++) {
    memcpy(u, start, n * dim * sizeof *u);
    if (!ic_pass(&w, u, n, dim, c)) break;
    rank_correlation(&w, u, n, dim);
    double gap = gap_to(w.rank_corr, target);
    if (gap < best_gap) best_gap = gap, memcpy(best, u, n * dim * sizeof *best), any = true;
    for (size_t a = 0; a < dim; a++)
      for (size_t b = 0; b < dim; b++)
        if (a != b)
          gsl_matrix_set(c, a, b,
                         gsl_matrix_get(c, a, b) + step * (target[a * dim + b] - gsl_matrix_get(w.rank_corr, a, b)));
    step *= 0.7;
  }
  ok = ok && any;
  if (start) memcpy(u, ok ? best : start, n * dim * sizeof *u);
  gsl_matrix_free(w.s), gsl_matrix_free(w.e), gsl_matrix_free(w.p), gsl_matrix_free(w.rank_corr), gsl_matrix_free(c);
  gsl_vector_free(w.row), free(w.col), free(w.sorted), free(w.idx), free(start), free(best);
  return ok;
}

/* ---- replicate structures ---- */

/* The target of the re-pairing: identity, with the user's rank correlations placed by input. */
static void target_matrix(const study_spec *spec, double *t) {
  size_t k = spec->n_unc, pos[SC_MAX_UNCERTAIN];
  for (size_t a = 0; a < k * k; a++) t[a] = a % (k + 1) == 0;
  for (size_t a = 0; a < spec->corr.n; a++)
    for (size_t i = 0; i < k; i++)
      if (spec->unc[i].key == spec->corr.key[a]) pos[a] = i;
  for (size_t a = 0; a < spec->corr.n; a++)
    for (size_t b = 0; b < spec->corr.n; b++) t[pos[a] * k + pos[b]] = spec->corr.rho[a][b];
}

/* Re-pairs each block of u (n x dim) to target: always for a stated correlation (an error when a
 * block is too small), and towards independence for Latin hypercubes (chance correlations between
 * columns are what confounded one-at-a-time sensitivity). */
static ss_status pair_blocks(const study_spec *spec, study_design *d, double *u, size_t n, size_t dim,
                             const double *target, ss_err *err) {
  bool stated = spec->corr.n > 0;
  if (!stated && d->kind != SC_DESIGN_LHS) return SS_OK;
  for (size_t b0 = 0; b0 < n; b0 += d->block) {
    size_t m = n - b0 < d->block ? n - b0 : d->block;
    bool ok = design_iman_conover(u + b0 * dim, m, dim, target);
    d->paired |= ok;
    if (!ok && stated)
      return ss_errorf(err, SS_EDATA,
                       "%s:%u: key 'uncertain_correlation': %zu uncertain inputs need more than %zu "
                       "replicates (a block of %zu rows) to be paired; allowed: replicates of at least %zu",
                       spec->file, spec->corr.line, dim, dim, m, dim + 1);
  }
  return SS_OK;
}

static ss_status plain(const study_spec *spec, study_design *d, double *u, ss_err *err) {
  size_t n = d->n_reps, k = d->n_inputs;
  double target[SC_MAX_UNCERTAIN * SC_MAX_UNCERTAIN];
  ss_status rc = design_unit(d->kind, spec->base.seed, n, k, d->block, u, err);
  target_matrix(spec, target);
  if (!rc) rc = pair_blocks(spec, d, u, n, k, target, err);
  for (size_t r = 0; !rc && r < n; r++)
    for (size_t i = 0; i < k; i++) d->unit[i * n + r] = u[r * k + i];
  return rc;
}

/* Saltelli: rows j of A and B are the two halves of a 2k-column design; replicate role x N + j runs
 * A (role 0), B (1) or AB_i (2 + i: A with column i from B). A and AB_i share row j's traffic. */
static ss_status saltelli(const study_spec *spec, study_design *d, double *u, ss_err *err) {
  size_t N = d->samples, k = d->n_inputs, dim = 2 * k, n = d->n_reps;
  double target[4 * SC_MAX_UNCERTAIN * SC_MAX_UNCERTAIN];
  d->block = N;
  ss_status rc = design_unit(d->kind, spec->base.seed, N, dim, N, u, err);
  for (size_t a = 0; a < dim * dim; a++) target[a] = a % (dim + 1) == 0;
  if (!rc) rc = pair_blocks(spec, d, u, N, dim, target, err);
  for (size_t role = 0; !rc && role < k + 2; role++)
    for (size_t j = 0; j < N; j++) {
      size_t r = role * N + j;
      d->role[r] = (int32_t)role, d->group[r] = (int32_t)j,
      d->traffic[r] = (int64_t)(role == DESIGN_ROLE_B ? N + j : j);
      for (size_t i = 0; i < k; i++) {
        bool from_b = role == DESIGN_ROLE_B || role == DESIGN_ROLE_AB + i;
        d->unit[i * n + r] = u[j * dim + i + (from_b ? k : 0)];
      }
    }
  return rc;
}

/* Morris: trajectory t starts at a random level of a 4-level grid (the quantiles 1/8, 3/8, 5/8, 7/8)
 * and moves one input at a time, in a random order, by half the range (two levels). */
static ss_status morris(const study_spec *spec, study_design *d, ss_err *err) {
  size_t k = d->n_inputs, n = d->n_reps, perm[SC_MAX_UNCERTAIN];
  unsigned long level[SC_MAX_UNCERTAIN];
  gsl_rng *g = rng_stream(0, RNG_DESIGN);
  if (!g) return ss_errorf(err, SS_ENOMEM, "out of memory for a random stream");
  for (size_t t = 0; t < d->samples; t++) {
    rng_reset(g, rng_key(spec->base.seed, 1, t), RNG_DESIGN);
    for (size_t i = 0; i < k; i++) level[i] = gsl_rng_uniform_int(g, MORRIS_LEVELS), perm[i] = i;
    gsl_ran_shuffle(g, perm, k, sizeof *perm);
    for (size_t s = 0; s <= k; s++) {
      size_t r = t * (k + 1) + s;
      if (s > 0) {
        unsigned long *l = &level[perm[s - 1]];
        *l = *l < MORRIS_LEVELS / 2 ? *l + MORRIS_LEVELS / 2 : *l - MORRIS_LEVELS / 2;
      }
      d->role[r] = (int32_t)s, d->group[r] = (int32_t)t, d->traffic[r] = (int64_t)t;
      for (size_t i = 0; i < k; i++) d->unit[i * n + r] = ((double)level[i] + 0.5) / MORRIS_LEVELS;
    }
  }
  gsl_rng_free(g);
  return SS_OK;
}

/* The values the tasks hold: each quantile through its input's inverse CDF, clamped and rounded by
 * the key's table row exactly as scenario_apply_sample does on the task's point. */
static ss_status values(const study_spec *spec, study_design *d, ss_err *err) {
  sc_point *scratch = malloc(sizeof *scratch);
  if (!scratch) return ss_errorf(err, SS_ENOMEM, "out of memory for sampling uncertain inputs");
  *scratch = spec->base;
  size_t n = d->n_reps;
  for (size_t r = 0; r < n; r++)
    for (size_t i = 0; i < d->n_inputs; i++) {
      const sc_uncertain *u = &spec->unc[i];
      scenario_apply_sample(scratch, u, design_quantile(u, d->unit[i * n + r]));
      d->value[i * n + r] = scenario_get(scratch, u->key);
    }
  free(scratch);
  return SS_OK;
}

ss_status design_build(const study_spec *spec, size_t n_reps, size_t block, study_design *d, ss_err *err) {
  const sc_point *b = &spec->base;
  size_t k = spec->n_unc;
  ss_status rc = design_alloc(d, k, n_reps, err);
  if (rc) return rc;
  d->kind = b->uq.design, d->method = b->uq.method, d->bootstrap = b->uq.bootstrap;
  d->block = block && block < n_reps ? block : n_reps;
  size_t rows = d->method == SC_SENS_SOBOL ? b->uq.samples : n_reps, need = n_reps;
  if (d->method != SC_SENS_PRCC) {
    d->samples = b->uq.samples;
    need = d->samples * (k + (d->method == SC_SENS_SOBOL ? 2 : 1));
  }
  if (need != n_reps) {
    design_free(d);
    return ss_errorf(err, SS_EDATA,
                     "sensitivity.method %s with %u samples and %zu inputs runs %zu replicates, not "
                     "%zu; allowed: leave replicates unset (--replicates does not apply)",
                     sc_sens_method_names[b->uq.method], b->uq.samples, k, need, n_reps);
  }
  double *u = malloc((rows * 2 * k + 1) * sizeof *u);
  if (!u) rc = ss_errorf(err, SS_ENOMEM, "out of memory for a design of %zu rows", rows);
  if (!rc && k) {
    if (d->method == SC_SENS_SOBOL)
      rc = saltelli(spec, d, u, err);
    else if (d->method == SC_SENS_MORRIS)
      rc = morris(spec, d, err);
    else
      rc = plain(spec, d, u, err);
  }
  free(u);
  if (!rc) rc = values(spec, d, err);
  if (rc) design_free(d);
  return rc;
}

ss_status design_sample_plain(const study_spec *spec, size_t n, double *out, ss_err *err) {
  if (spec->base.uq.method != SC_SENS_PRCC)
    return ss_errorf(err, SS_EDATA,
                     "sensitivity.method %s structures the replicates of servesim run; this command "
                     "samples its replicates plainly; allowed: sensitivity.method: prcc",
                     sc_sens_method_names[spec->base.uq.method]);
  study_design d;
  ss_status rc = design_build(spec, n, n, &d, err);
  if (rc) return rc;
  memcpy(out, d.value, spec->n_unc * n * sizeof *out);
  design_free(&d);
  return SS_OK;
}
