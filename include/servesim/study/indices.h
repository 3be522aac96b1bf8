/* indices.h: sensitivity estimators on plain arrays, with percentile-bootstrap 95% confidence
 * intervals: partial rank correlation coefficients (PRCC; Marino et al. 2008), first-order and total
 * Sobol indices on Saltelli's A, B, AB_i blocks (Saltelli et al. 2010's first-order estimator, Jansen's
 * total, their Table 2 (b) and (f)), and Morris elementary effects (mu*, mu, sigma; Campolongo et al.
 * 2007).
 * Invariant: NAN where an index cannot be estimated (too few rows, a constant column, an output with
 * no variance), never 0; a result depends only on the values, their order and the generator given. */
#ifndef SERVESIM_INDICES_H
#define SERVESIM_INDICES_H
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>

#define INDICES_CI_LEVEL 0.95

/* Average ranks (1-based; ties share the mean of their ranks) of x[0..n). false: out of memory. */
bool indices_rank(const double *x, size_t n, double *rank);

/* Spearman's rank correlation of a and b (Pearson's of their average ranks); NAN when n < 2, when
 * either is constant, or out of memory. */
double indices_spearman(const double *a, const double *b, size_t n);

/* PRCC of each column of x (n rows x k, row-major) with y, into prcc[k]: the correlation of the ranks
 * of x_i and y once the ranks of the other columns are regressed out. A constant column is NAN and
 * left out of the others' regressions; every column is NAN when fewer than k' + 3 rows remain for k'
 * varying columns, or the rank-correlation matrix is singular. false: out of memory. */
bool indices_prcc(const double *x, const double *y, size_t n, size_t k, double *prcc);

/* Sobol indices from f(A) and f(B) (n rows each) and f(AB_i) (fab[i * n + j]), k inputs, by the
 * estimators Saltelli et al. 2010 recommend: V = variance of the 2n values of f(A) and f(B);
 * first[i] = mean((f(B) - m) (f(AB_i) - f(A))) / V (Saltelli 2010, their Table 2 (b); m the mean of
 * f(A) and f(B)); total[i] = mean((f(A) - f(AB_i))^2) / 2 / V (Jansen 1999, (f)). Both are exactly 0
 * for an input with no effect when A and AB_i share everything else. NAN when V is 0 or n < 2. */
void indices_sobol(const double *fa, const double *fb, const double *fab, size_t n, size_t k, double *first,
                   double *total);

/* Morris statistics of the elementary effects ee (r trajectories x k, row-major; NAN skipped):
 * mu_star[i] = mean |ee|, mu[i] = mean ee, sigma[i] = sd of ee (n - 1); NAN with fewer than 2 effects. */
void indices_morris(const double *ee, size_t r, size_t k, double *mu_star, double *mu, double *sigma);

/* A percentile-bootstrap CI: the (1 - level)/2 and (1 + level)/2 quantiles of the finite values of
 * v[0..b) (sorted in place); NAN unless at least half of them are finite. */
void indices_percentile_ci(double *v, size_t b, double *lo, double *hi);

/* The three estimators with bootstrap CIs over rows (PRCC, Sobol) or trajectories (Morris): n_boot
 * resamples with replacement drawn from g; est, lo, hi receive k values per index in the order of the
 * estimator's outputs (prcc: 1 index; sobol: first, total; morris: mu_star, mu, sigma), laid out
 * [input][index]. lo and hi are NAN when n_boot is 0. false: out of memory. */
bool indices_prcc_ci(const double *x, const double *y, size_t n, size_t k, size_t n_boot, gsl_rng *g, double *est,
                     double *lo, double *hi);
bool indices_sobol_ci(const double *fa, const double *fb, const double *fab, size_t n, size_t k, size_t n_boot,
                      gsl_rng *g, double *est, double *lo, double *hi);
bool indices_morris_ci(const double *ee, size_t r, size_t k, size_t n_boot, gsl_rng *g, double *est, double *lo,
                       double *hi);

#endif
