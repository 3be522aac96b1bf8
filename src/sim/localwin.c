/* localwin.c: the sum of what local-attention layers read over a lockstep decoding set (localwin.h).
 * A sequence's ring slot is fixed while it decodes, since its context and the step grow together. */
#include "sim/localwin.h"

#include <stdlib.h>

#include "hwdb/model.h"

ss_status lw_init(lw_tracker *w, int kind, double window, double max_ctx, ss_err *err) {
  *w = (lw_tracker){.kind = kind};
  if (!(window > 0) || window >= max_ctx) return SS_OK;
  w->window = (uint32_t)window;
  if (!(w->ring = calloc(w->window, sizeof *w->ring)))
    return ss_errorf(err, SS_ENOMEM, "out of memory for a local-attention window of %u tokens", w->window);
  return SS_OK;
}

void lw_free(lw_tracker *w) {
  free(w->ring);
  w->ring = NULL;
}

/* The ring slot of a sequence of ctx tokens at step `step`, and what a local layer reads of it. */
static uint32_t slot(const lw_tracker *w, uint64_t ctx, uint64_t step) {
  uint64_t W = w->window;
  if (w->kind == LOCAL_CHUNKED) return (uint32_t)((ctx % W + W - step % W) % W);
  return (uint32_t)((step + W - ctx) % W); /* sliding, ctx < W: the step it reaches the window */
}

static uint64_t local_ctx(const lw_tracker *w, uint64_t ctx) {
  return w->kind == LOCAL_CHUNKED ? ctx % w->window : (ctx < w->window ? ctx : w->window);
}

static void track(lw_tracker *w, uint64_t ctx, uint64_t step, int delta) {
  if (!w->window) return;
  w->n += (uint32_t)delta;
  w->sum += (uint64_t)(int64_t)delta * local_ctx(w, ctx); /* unsigned wrap-around subtracts exactly */
  if (w->kind == LOCAL_CHUNKED || ctx < w->window) w->ring[slot(w, ctx, step)] += (uint32_t)delta;
  if (w->kind != LOCAL_CHUNKED && ctx < w->window) w->short_of += (uint32_t)delta;
}

void lw_enter(lw_tracker *w, uint64_t ctx, uint64_t step) { track(w, ctx, step, +1); }
void lw_leave(lw_tracker *w, uint64_t ctx, uint64_t step) { track(w, ctx, step, -1); }

void lw_advance(lw_tracker *w, uint64_t step, uint32_t adv) {
  if (!w->window) return;
  uint64_t W = w->window;
  for (uint32_t a = 1; a <= adv; a++) {
    uint32_t s = (uint32_t)((step + a) % W);
    if (w->kind == LOCAL_CHUNKED) { /* all grow by one; those whose context reaches a chunk edge restart */
      w->sum += w->n - W * w->ring[(W - s) % W];
    } else { /* those short of the window grow by one; those that reach it stop */
      w->sum += w->short_of;
      w->short_of -= w->ring[s];
      w->ring[s] = 0;
    }
  }
}
