/* session.h: shared prompt content and multi-turn conversations. A new conversation (an open-loop
 * arrival, or a closed-loop user's next request) starts with the system prompt (with probability
 * system_frac) and a few-shot template (with probability template_frac, template j of n with
 * probability proportional to 1 / (j + 1)^zipf); its first prompt is those plus the request's new input
 * tokens. It runs a number of turns (geometric with the given mean, or fixed); after each answer and a
 * think time (exponential or lognormal) the next prompt resends the whole conversation so far plus new
 * input tokens, so its head is the previous turn's prompt and answer. A turn that would not fit the
 * model's context ends the conversation.
 * Invariant: draws use their own streams (RNG_SHARE, RNG_TURN_*), so turning conversations on never
 * changes the arrival times or first-turn lengths of the traffic. */
#ifndef SERVESIM_SESSION_H
#define SERVESIM_SESSION_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/prefix.h"
#include "sim/simconfig.h"
#include "sim/workload.h"

typedef struct session_set session_set; /* opaque */

/* Conversations of traffic w (lengths drawn through wl), prompts capped by max_context tokens. */
ss_status session_init(session_set **out, const sim_traffic *w, uint32_t max_context, wl_gen *wl, uint64_t key,
                       ss_err *err);
void session_free(session_set *ss);

/* A new conversation whose first request brings `in` new tokens: fills *ident (its session is
 * PREFIX_NONE for a single-turn one) and *prompt (the whole prompt). user: the closed-loop user, or
 * UINT32_MAX. */
ss_status session_start(session_set *ss, uint32_t in, uint32_t user, prefix_ident *ident, uint32_t *prompt,
                        ss_err *err);
/* A turn of the conversation ident->session finished (prompt and output tokens): true when another turn
 * follows after *think_s; false when the conversation ended (its slot is free, *user says whose it was). */
bool session_answered(session_set *ss, const prefix_ident *ident, uint32_t prompt, uint32_t out, double *think_s,
                      uint32_t *user);
/* The next turn of conversation slot: true with its ident, prompt and output lengths; false when it would
 * not fit the context (the conversation ends). *user is the conversation's user either way. */
bool session_turn(session_set *ss, uint32_t slot, prefix_ident *ident, uint32_t *prompt, uint32_t *out, uint32_t *user);
/* Ends conversation slot early (its request was refused, or arrivals stopped). */
void session_end(session_set *ss, uint32_t slot);
/* Session affinity: the replica the conversation's first turn went to (UINT32_MAX: none yet). */
uint32_t session_replica(const session_set *ss, uint32_t slot);
void session_set_replica(session_set *ss, uint32_t slot, uint32_t replica);

#endif
