/* workload.h: traffic. Arrival processes (Poisson, gamma renewal, diurnal by thinning, closed loop,
 * offline, trace replay) and request lengths (fixed, uniform, lognormal, empirical histogram, with a
 * cap and an optional Gaussian-copula correlation between input and output).
 * Invariant: arrival times come out non-decreasing; every length is in [1, cap]; the draws depend
 * only on the key (arrivals, input lengths, output lengths and think times use separate streams). */
#ifndef SERVESIM_WORKLOAD_H
#define SERVESIM_WORKLOAD_H
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/simconfig.h"

typedef struct {
  double t_s;
  uint32_t input_tokens, output_tokens;
} wl_req;

typedef struct wl_gen wl_gen; /* opaque */

/* A generator of traffic w, its random streams keyed by key (rng_key of seed, point 0, replicate). */
ss_status wl_init(wl_gen **out, const sim_traffic *w, uint64_t key, ss_err *err);
void wl_free(wl_gen *g);

/* The next open-loop arrival (time and lengths); false when the process has no more requests
 * (offline count reached, trace exhausted, or a closed loop, whose arrivals come from completions). */
bool wl_next(wl_gen *g, wl_req *r);
/* Lengths of one request (what wl_next uses; closed-loop users call it directly). */
void wl_lengths(wl_gen *g, uint32_t *input_tokens, uint32_t *output_tokens);
/* The same distributions drawn from other streams (a conversation's later turns). */
void wl_lengths_with(wl_gen *g, gsl_rng *in_rng, gsl_rng *out_rng, uint32_t *input_tokens, uint32_t *output_tokens);
/* A closed-loop user's think time: exponential with mean think_s (0 when think_s is 0). */
double wl_think_s(wl_gen *g);
bool wl_is_closed(const wl_gen *g);

/* The mean input and output lengths of w's requests, in closed form: a trace's rows (replayed or
 * bootstrapped, the same mean), else the mean of each length distribution as wl_lengths draws it,
 * clamped to [1, max] (lognormal: E[min(max(X, 1), cap)], the rounding to whole tokens left out). */
void wl_mean_lengths(const sim_traffic *w, double *in, double *out);

#endif
