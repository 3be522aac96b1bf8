/* notes.c: the notes loading a scenario adds (notes.h): traces cut or replayed as is, hwdb names that
 * resolve to another entry or to a versioned engine profile, models whose local-attention KV is counted
 * whole, and pipeline stages as extrapolation. */
#include "config/notes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* A trace longer than the horizon is cut, and a trace replayed as is makes identical replicates: say
 * so (and run one replicate rather than N copies). */
void notes_trace(study_spec *spec) {
  const sim_config *c = &spec->base.sim;
  const sim_trace *tr = c->wl.trace;
  if (!tr || c->wl.process != ARR_TRACE) return;
  double span = tr->t_s[tr->n - 1] * c->wl.time_scale;
  if (span >= c->duration_s) {
    size_t kept = 0;
    while (kept < tr->n && tr->t_s[kept] * c->wl.time_scale < c->duration_s) kept++;
    scenario_note(spec,
                  "the trace spans %g s (time_scale %g) but the horizon is %g s: %zu of its %zu requests arrive "
                  "after it and are not simulated",
                  span, c->wl.time_scale, c->duration_s, tr->n - kept, tr->n);
  }
  if (c->wl.resample == RESAMPLE_NONE && spec->base.replicates > 1 && !spec->n_unc) {
    scenario_note(spec,
                  "the trace replays the same requests in every replicate: %u replicates would be identical, so "
                  "1 runs (workload.arrival.resample: bootstrap draws a different sequence per replicate)",
                  spec->base.replicates);
    spec->base.replicates = 1;
  }
}

/* Lowercase letters and digits of s: "H100 SXM" -> "h100sxm". */
static void squeeze(const char *s, char *out, size_t len) {
  size_t n = 0;
  for (; *s && n + 1 < len; s++)
    if (isalnum((unsigned char)*s)) out[n++] = (char)tolower((unsigned char)*s);
  out[n] = '\0';
}

/* A name that resolves through an alias naming something else (int4 -> awq) hides a choice: say so. */
static void note_alias(study_spec *spec, const hwdb *db, hwdb_cat c, const char *key, const char *name) {
  const void *e = hwdb_find(db, c, name);
  if (!e) return;
  size_t nf;
  const kt_field *tab = hwdb_cat_fields(c, &nf);
  const char *id = (const char *)e + kt_find(tab, nf, "id")->off;
  char a[96], b[96];
  squeeze(name, a, sizeof a), squeeze(id, b, sizeof b);
  if (strstr(a, b) || strstr(b, a)) return;
  scenario_note(spec, "%s '%s' is an alias of %s (write %s to say so; servesim list shows the others)", key, name, id,
                id);
}

/* A bare or versioned engine name resolves to a profile whose id carries its version: say which. */
static void note_engine(study_spec *spec, const hwdb *db, const char *name) {
  const engine_profile *e = hwdb_engine(db, name);
  if (!e || !e->family[0] || !strcmp(e->id, name)) return;
  if (hwdb_engine_beyond(db, name)) {
    char text[320];
    scenario_note(spec, "deployment.engine '%s' %s", name, engine_beyond_text(e, text, sizeof text));
    return;
  }
  scenario_note(spec, "deployment.engine '%s' is %s (%s, releases %s to %s)%s", name, e->id, e->name, e->releases_from,
                e->releases_to,
                strchr(name, '@') ? "" : ": the newest profile of its family; write FAMILY@RELEASE for another");
}

/* A model with local-attention layers: its KV cache is counted whole (docs/perf.md, local attention), which
 * understates what an engine that frees the out-of-window part holds at long contexts: say so. */
static void note_model(study_spec *spec, const hwdb *db, const char *name) {
  note_alias(spec, db, HWDB_MODELS, "deployment.model", name);
  const model_spec *m = hwdb_model(db, name);
  if (!m || !(m->local_layers > 0)) return;
  char local[128];
  model_local_describe(m, local, sizeof local);
  scenario_note(spec,
                "deployment.model %s: %s; servesim charges their attention over that window but counts their KV "
                "cache whole, so beyond %.0f tokens it may hold fewer sequences than an engine that frees the rest",
                m->id, local, m->local_window);
}

void notes_names(study_spec *spec, const hwdb *db) {
  static const struct {
    const char *key;
    hwdb_cat cat;
  } NAMES[] = {{"deployment.gpu", HWDB_GPUS},
               {"deployment.model", HWDB_MODELS},
               {"deployment.weights", HWDB_QUANT},
               {"deployment.kv_cache", HWDB_QUANT},
               {"deployment.engine", HWDB_ENGINES}};
  size_t nf;
  const kt_field *fields = scenario_fields(&nf);
  for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
    long k = scenario_key_index(NAMES[i].key);
    void (*note)(study_spec *, const hwdb *, const char *) = NAMES[i].cat == HWDB_ENGINES  ? note_engine
                                                             : NAMES[i].cat == HWDB_MODELS ? note_model
                                                                                           : NULL;
    const char *base = (const char *)&spec->base + fields[k].off;
    note ? note(spec, db, base) : note_alias(spec, db, NAMES[i].cat, NAMES[i].key, base);
    for (size_t j = 0; j < spec->n_axes; j++)
      for (size_t v = 0; spec->axes[j].key == k && v < spec->axes[j].n; v++)
        note ? note(spec, db, spec->axes[j].values[v])
             : note_alias(spec, db, NAMES[i].cat, NAMES[i].key, spec->axes[j].values[v]);
  }
}

/* Pipeline stages are the model's least validated layout: one public page measures them (two revisions of
 * TensorRT-LLM's perf overview, PP 2-8 on PCIe GPUs; docs/perf.md). Say so once. */
void notes_pipeline(study_spec *spec) {
  long k = scenario_key_index("deployment.pp");
  unsigned long most = spec->base.sim.dep.pp;
  for (size_t j = 0; j < spec->n_axes; j++)
    for (size_t v = 0; spec->axes[j].key == k && v < spec->axes[j].n; v++) {
      unsigned long pp = strtoul(spec->axes[j].values[v], NULL, 10);
      most = pp > most ? pp : most;
    }
  if (most > 1)
    scenario_note(spec,
                  "deployment.pp up to %lu: pipeline stages are EXTRAPOLATION: one public page measures them "
                  "(TensorRT-LLM's perf overview, 1.1 and 1.2, PP 2-8 on PCIe GPUs); fitted to it, its rows still "
                  "miss by up to 70%%, and held out up to 3.4x too fast (results/validation.md); throughput and "
                  "capacity at pp > 1 may be optimistic",
                  most);
}
