/* report.c: Markdown report of a study file. The data come through studyfile_read (the checked schema
 * reader shared with `servesim merge`), the provenance from the root attributes, the scenario facts
 * from /config_yaml; sections are a table of writers run in order.
 * Invariant: the file is opened read-only; latency of saturated replicates never enters a figure, and
 * a point where most replicates saturated shows no latency at all. */
#include "io/report.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "base/stats.h"
#include "base/yamlcfg.h"
#include "io/compare_out.h"
#include "io/comparefile.h"
#include "io/fleet_out.h"
#include "io/h5.h"
#include "io/plan_report.h"
#include "io/studyfile.h"
#include "study/precision.h"
#include "study/sensitivity.h"
#include "study/study.h"

typedef struct {
  FILE *out;
  const char *path, *png_dir;
  study st;
  yc_doc doc;
  char version[64], commit[64], created[64], command[1024];
} report;

typedef void (*section_fn)(report *r);

/* ---- small helpers ---- */

static const char *fmt(double v, char *buf, size_t len) {
  if (isnan(v))
    snprintf(buf, len, "n/a");
  else if (isinf(v))
    snprintf(buf, len, v > 0 ? "never" : "-inf");
  else
    snprintf(buf, len, "%.4g", v);
  return buf;
}

static const yc_node *cfg_node(const report *r, const char *dotted) {
  char key[STUDY_KEY_LEN];
  const yc_node *n = r->doc.root;
  for (const char *s = dotted; n && *s;) {
    size_t len = strcspn(s, ".");
    snprintf(key, sizeof key, "%.*s", (int)len, s);
    n = yc_get(n, key);
    s += len + (s[len] == '.');
  }
  return n;
}

/* A scalar of the scenario, or NULL when absent, null (~) or empty. */
static const char *cfg_text(const report *r, const char *dotted) {
  const yc_node *n = cfg_node(r, dotted);
  if (!n || n->kind != YC_SCALAR || !n->text || !*n->text || !strcmp(n->text, "~") || !strcmp(n->text, "null"))
    return NULL;
  return n->text;
}

static bool is_swept(const study *st, const char *key) {
  for (size_t i = 0; i < st->n_axes; i++)
    if (!strcmp(st->axes[i].key, key)) return true;
  return false;
}

/* A provenance attribute, "?" when the file lacks it; one of another class or shape is refused. A
 * command line longer than the buffer is shown cut, with "..." (the file holds all of it). */
static ss_status read_attr_text(const h5r *h, const char *name, char *buf, size_t len, ss_err *err) {
  char *s = NULL;
  if (H5Aexists(h->file, name) <= 0) return snprintf(buf, len, "?"), SS_OK;
  ss_status rc = h5r_attr_text_dup(h, h->file, name, H5R_MAX_TEXT, &s, err);
  if (!rc) snprintf(buf, len, "%.*s%s", (int)len - 4, s, strlen(s) > len - 4 ? "..." : "");
  free(s);
  return rc;
}

/* ---- sections ---- */

static void section_title(report *r) {
  fprintf(r->out, "# servesim report: %s\n\n", r->st.name);
  fprintf(r->out, "Study file `%s`, written %s by servesim %s (git %s).  \nCommand: `%s`\n\n", r->path, r->created,
          r->version, r->commit, r->command);
}

/* A length distribution (prefix workload.input_tokens or .output_tokens) as the simulation used it:
 * the parameters of its dist only (a fixed 800 is not shown with the lognormal default median). */
static void describe_lengths(const report *r, const char *prefix, char *buf, size_t len) {
  static const struct {
    const char *dist, *format, *keys[3];
  } SHAPES[] = {
      {"fixed", "fixed, %s", {"value"}},
      {"uniform", "uniform, %s to %s", {"min", "max"}},
      {"lognormal", "lognormal, median %s, sigma %s", {"median", "sigma"}},
      {"empirical", "empirical, from %s", {"file"}},
  };
  char key[STUDY_KEY_LEN];
  const char *v[3] = {"?", "?", "?"};
  snprintf(key, sizeof key, "%s.dist", prefix);
  const char *dist = cfg_text(r, key);
  snprintf(buf, len, "%s", dist ? dist : "?");
  for (size_t i = 0; dist && i < sizeof SHAPES / sizeof SHAPES[0]; i++) {
    if (strcmp(dist, SHAPES[i].dist)) continue;
    for (size_t k = 0; k < 3 && SHAPES[i].keys[k]; k++) {
      snprintf(key, sizeof key, "%s.%s", prefix, SHAPES[i].keys[k]);
      v[k] = is_swept(&r->st, key) ? "(swept)" : cfg_text(r, key) ? cfg_text(r, key) : "?";
    }
    snprintf(buf, len, SHAPES[i].format, v[0], v[1], v[2]);
  }
  snprintf(key, sizeof key, "%s.max", prefix);
  const char *max = cfg_text(r, key);
  size_t used = strlen(buf);
  if (dist && strcmp(dist, "fixed") && strcmp(dist, "uniform") && used < len)
    snprintf(buf + used, len - used, ", at most %s", max && strcmp(max, "0") ? max : "the model's context");
}

/* Scenario facts; a key whose value is a mapping is a length distribution (describe_lengths). */
static const struct {
  const char *key, *label;
} FACTS[] = {
    {"deployment.gpu", "GPU"},
    {"deployment.tp", "GPUs per replica (tensor parallel)"},
    {"deployment.replicas", "replicas"},
    {"deployment.model", "model"},
    {"deployment.weights", "weight precision"},
    {"deployment.kv_cache", "KV-cache precision"},
    {"deployment.engine", "engine profile"},
    {"deployment.scheduler.policy", "batching policy"},
    {"deployment.scheduler.max_num_seqs", "max running sequences"},
    {"router", "router"},
    {"workload.arrival.process", "arrival process"},
    {"workload.arrival.rate_per_s", "arrival rate (requests/s)"},
    {"workload.input_tokens", "input lengths (tokens)"},
    {"workload.output_tokens", "output lengths (tokens)"},
    {"slo.ttft_p99_s", "SLO: P99 time to first token (s)"},
    {"slo.tpot_p99_s", "SLO: P99 time per output token (s)"},
    {"pricing.tier", "GPU price tier"},
    {"pricing.provider", "GPU price provider, or hwdb price row (a row id overrides the tier)"},
    {"pricing.usd_per_gpu_hour", "GPU price override (USD per GPU-hour)"},
    {"pricing.onprem", "on-premise (capex + power)"},
};

static void print_mapping_inline(FILE *out, const yc_node *n) {
  for (size_t i = 0; n && n->kind == YC_MAP && i < n->n; i++)
    if (n->items[i].kind == YC_SCALAR) fprintf(out, "%s%s %s", i ? ", " : "", n->keys[i], n->items[i].text);
}

static void section_scenario(report *r) {
  const study *st = &r->st;
  FILE *out = r->out;
  fprintf(out, "## Scenario\n\n| setting | value |\n|---|---|\n");
  char lengths[256];
  for (size_t i = 0; i < sizeof FACTS / sizeof FACTS[0]; i++) {
    const char *v = cfg_text(r, FACTS[i].key);
    const yc_node *n = cfg_node(r, FACTS[i].key);
    if (n && n->kind == YC_MAP) describe_lengths(r, FACTS[i].key, lengths, sizeof lengths), v = lengths;
    if (is_swept(st, FACTS[i].key))
      fprintf(out, "| %s | swept (see below) |\n", FACTS[i].label);
    else if (v)
      fprintf(out, "| %s | %s |\n", FACTS[i].label, v);
  }
  const yc_node *api = cfg_node(r, "compare_api");
  if (api && api->kind == YC_SEQ && api->n) {
    fprintf(out, "| compared APIs | ");
    for (size_t i = 0; i < api->n; i++)
      fprintf(out, "%s%s", i ? ", " : "", api->items[i].text ? api->items[i].text : "?");
    fprintf(out, " |\n");
  }
  fprintf(out, "\n");
  if (st->n_axes) {
    fprintf(out, "Sweep (cartesian product, the first key varies slowest):\n\n");
    for (size_t i = 0; i < st->n_axes; i++)
      fprintf(out, *st->axes[i].units ? "- `%s` (%s)\n" : "- `%s`%s\n", st->axes[i].key, st->axes[i].units);
    fprintf(out, "\n");
  }
  const yc_node *unc = cfg_node(r, "uncertain");
  if (unc && unc->kind == YC_MAP && unc->n) {
    fprintf(out, "Uncertain inputs, sampled once per replicate (the same value at every sweep point):\n\n");
    for (size_t i = 0; i < unc->n; i++) {
      fprintf(out, "- `%s`: ", unc->keys[i]);
      print_mapping_inline(out, &unc->items[i]);
      fprintf(out, "\n");
    }
    fprintf(out, "\n");
  }
  fprintf(out,
          "<details><summary>The resolved scenario (/config_yaml: every key, defaults filled in)</summary>\n\n"
          "```yaml\n%s%s```\n\n</details>\n\n",
          st->config_yaml, st->config_yaml[0] && st->config_yaml[strlen(st->config_yaml) - 1] == '\n' ? "" : "\n");
}

/* The metrics of the per-point tables, in order. */
static const result_metric MAIN[] = {
    RM_output_tok_s,
    RM_req_s,
    RM_ttft_p50_s,
    RM_ttft_p99_s,
    RM_tpot_p50_s,
    RM_tpot_p99_s,
    RM_e2e_p99_s,
    RM_queue_p99_s,
    RM_goodput_frac,
    RM_gpu_busy_frac,
    RM_kv_occupancy_mean,
    RM_preemptions,
    RM_usd_per_1m_output,
    RM_usd_per_1m_output_tco,
    RM_energy_kwh_per_1m_output,
    RM_utilisation,
    RM_capacity_req_s,
};
#define N_MAIN (sizeof MAIN / sizeof MAIN[0])

static void section_method(report *r) {
  const study *st = &r->st;
  FILE *out = r->out;
  const char *dur = cfg_text(r, "horizon.duration_s"), *warm = cfg_text(r, "horizon.warmup_s");
  fprintf(out, "## Method\n\n");
  fprintf(out, "- %zu sweep point%s x %zu replicates = %zu simulated runs; master seed %llu.\n", st->n_points,
          st->n_points == 1 ? "" : "s", st->n_reps, study_tasks(st), (unsigned long long)st->seed);
  fprintf(out,
          "- Each replicate simulates %s s of traffic; the first %s s are a warm-up and are dropped, every metric "
          "is measured over the rest (the measured window).\n",
          dur ? dur : "?", warm ? warm : "?");
  fprintf(out, "- Random streams: Philox4x32 keyed by (seed, point, replicate), one substream per purpose. Replicate k "
               "sees the same arrivals and the same uncertain inputs at every sweep point (common random numbers), "
               "so differences between points are sharper than the intervals below suggest.\n");
  if (st->n_inputs)
    fprintf(out,
            "- Uncertain inputs: %s; each replicate's quantiles go through the inputs' inverse CDFs%s. The "
            "statistics below use the design's %.0f independent draws.\n",
            design_text(&st->design), st->design.paired ? " after Iman-Conover re-pairing of the ranks" : "",
            study_summary_reps(st));
  if (st->precision.n_targets) {
    char targets[256];
    precision_describe(&st->precision, targets, sizeof targets);
    fprintf(out,
            "- Sequential precision (`--precision %s`): batches of %zu replicates until the 95%% CI half-width of "
            "each target's mean was within the stated fraction of it at every point: %s after %zu replicates "
            "(%zu rounds, cap %zu; /summary/precision_<metric> holds where each point ended).\n",
            targets, st->precision.batch, st->precision.met ? "met" : "**not met**", st->n_reps, st->precision.rounds,
            st->precision.max_replicates);
  }
  fprintf(out, "- Across replicates: mean, 95%% confidence interval of the mean (Student t), and the p05/p50/p95 "
               "quantiles (linear interpolation, numpy's default). A per-replicate P99 is the 99th percentile of "
               "that replicate's requests; the tables summarise it across replicates.\n");
  fprintf(out,
          "- Saturation: a replicate is saturated when its waiting queue grew without bound or more than 0.1%% "
          "of its requests were left unfinished after the drain. Its tail latency depends on the horizon, not "
          "on the system, so latency "
          "statistics leave saturated replicates out, and a point where most replicates saturated shows no "
          "latency at all. Throughput and cost of saturated replicates are kept: they are the capacity ceiling.\n");
  fprintf(out, "- Cost: $ per 1M output tokens bills idle GPU time (what the deployment costs over the window, over "
               "the tokens it produced); the TCO adds operations, N+1 and on-premise power/capex as configured "
               "(docs/cost.md).\n\n");
  fprintf(out, "| metric | units | meaning |\n|---|---|---|\n");
  for (size_t i = 0; i < N_MAIN; i++)
    fprintf(out, "| `%s` | %s | %s |\n", result_name(MAIN[i]), result_units(MAIN[i]), result_long_name(MAIN[i]));
  fprintf(out, "| `slo_met` | 1 | fraction of replicates not saturated and meeting both P99 SLOs |\n\n");
}

/* "mean [lo, hi]", or the reason there is none. */
static const char *summary_ci(const stats_summary *s, char *buf, size_t len);

static const char *mean_ci(const report *r, size_t p, result_metric m, char *buf, size_t len) {
  if (result_is_latency(m) && study_point_saturated(&r->st, p)) return snprintf(buf, len, "saturated: not stable"), buf;
  return summary_ci(&r->st.summary[p][m], buf, len);
}

static void section_overview(report *r) {
  const study *st = &r->st;
  char label[256], c1[96], c2[96], c3[96];
  fprintf(r->out, "## Results at a glance\n\nMean [95%% CI] across replicates; latency leaves out saturated "
                  "replicates (marked in the saturated column).\n\n");
  fprintf(r->out, "| point | setting | output tok/s | P99 TTFT (s) | $ / 1M output | saturated | SLO met |\n"
                  "|---|---|---|---|---|---|---|\n");
  for (size_t p = 0; p < st->n_points; p++)
    fprintf(r->out, "| %zu | %s | %s | %s | %s | %.0f/%.0f | %.0f%% |\n", p,
            study_point_label(st, p, label, sizeof label), mean_ci(r, p, RM_output_tok_s, c1, sizeof c1),
            mean_ci(r, p, RM_ttft_p99_s, c2, sizeof c2), mean_ci(r, p, RM_usd_per_1m_output, c3, sizeof c3),
            st->saturated_count[p], study_summary_reps(st), 100 * st->slo_met_frac[p]);
  fprintf(r->out, "\n");
}

static void section_points(report *r) {
  const study *st = &r->st;
  char label[256], ci[128], q[3][32];
  fprintf(r->out, "## Results per sweep point\n\n");
  for (size_t p = 0; p < st->n_points; p++) {
    double sat = st->saturated_count[p];
    fprintf(r->out, "### Point %zu: %s\n\n", p, study_point_label(st, p, label, sizeof label));
    if (sat > 0)
      fprintf(
          r->out, "**%.0f of %.0f replicates saturated**: %s\n\n", sat, study_summary_reps(st),
          study_point_saturated(st, p)
              ? "this load is beyond what the deployment sustains (most replicates saturated); no latency is reported."
              : "latency rows use the stable replicates only (n), which understates the tail.");
    fprintf(r->out, "| metric | units | mean [95%% CI] | p05 | p50 | p95 | n |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < N_MAIN; i++) {
      const stats_summary *s = &st->summary[p][MAIN[i]];
      bool hide = result_is_latency(MAIN[i]) && study_point_saturated(st, p);
      fprintf(r->out, "| %s | %s | %s | %s | %s | %s | %zu |\n", result_name(MAIN[i]), result_units(MAIN[i]),
              mean_ci(r, p, MAIN[i], ci, sizeof ci), hide ? "-" : fmt(s->v[ST_p05], q[0], sizeof q[0]),
              hide ? "-" : fmt(s->v[ST_p50], q[1], sizeof q[1]), hide ? "-" : fmt(s->v[ST_p95], q[2], sizeof q[2]),
              hide ? (size_t)0 : s->n);
    }
    fprintf(r->out, "| slo_met | 1 | %s | | | | %.0f |\n\n", fmt(st->slo_met_frac[p], q[0], sizeof q[0]),
            study_summary_reps(st));
  }
}

static void section_saturation(report *r) {
  const study *st = &r->st;
  char label[256];
  size_t n_sat = 0;
  for (size_t p = 0; p < st->n_points; p++) n_sat += st->saturated_count[p] > 0;
  fprintf(r->out, "## Saturated points\n\n");
  if (!n_sat) {
    fprintf(r->out, "No replicate saturated: every latency figure above comes from a stable queue.\n\n");
    return;
  }
  for (size_t p = 0; p < st->n_points; p++) {
    double sat = st->saturated_count[p];
    if (sat <= 0) continue;
    fprintf(r->out, "- Point %zu (%s): %.0f of %.0f replicates saturated. ", p,
            study_point_label(st, p, label, sizeof label), sat, study_summary_reps(st));
    if (study_point_saturated(st, p))
      fprintf(r->out, "The arrival rate exceeds what the deployment serves: the queue grows for as long as the run "
                      "lasts, so any tail latency would only measure the horizon. Throughput here is the capacity "
                      "ceiling.\n");
    else
      fprintf(r->out,
              "The point is at the edge of capacity: whether the queue stays bounded depends on the draw. "
              "Its latency statistics use the %.0f stable replicates only and understate the tail; do not "
              "size for this load.\n",
              study_summary_reps(st) - sat);
  }
  fprintf(r->out, "\n");
}

static bool any_finite(const study *st, result_metric m) {
  for (size_t p = 0; p < st->n_points; p++)
    if (isfinite(st->summary[p][m].v[ST_mean]) || isinf(st->summary[p][m].v[ST_mean])) return true;
  return false;
}

/* "mean [lo, hi]" of a summary cell. */
static const char *summary_ci(const stats_summary *s, char *buf, size_t len) {
  char a[32], b[32], c[32];
  if (isnan(s->v[ST_ci95_lo]))
    snprintf(buf, len, "%s", fmt(s->v[ST_mean], a, sizeof a));
  else
    snprintf(buf, len, "%s [%s, %s]", fmt(s->v[ST_mean], a, sizeof a), fmt(s->v[ST_ci95_lo], b, sizeof b),
             fmt(s->v[ST_ci95_hi], c, sizeof c));
  return buf;
}

/* A cost figure at a point where replicates saturated is the cost of a deployment that does not keep up:
 * the tables say so next to it. */
static const char *load_mark(const study *st, size_t p) {
  if (study_point_saturated(st, p)) return " (saturated)";
  if (st->saturated_count[p] > 0) return " (some saturated)";
  if (study_overloaded_count(st, p) > 0) return " (overloaded, transient)";
  return "";
}

static void section_cost(report *r) {
  const study *st = &r->st;
  char label[256], c[6][128];
  fprintf(r->out, "## Cost and API comparison\n\n");
  if (!any_finite(st, RM_usd_per_1m_output)) {
    fprintf(r->out, "The file holds no cost rows (all NaN).\n\n");
    return;
  }
  fprintf(r->out, "Mean [95%% CI] across replicates. Utilisation is the arrival rate over the capacity at the SLO "
                  "(docs/semantics.md). $ per 1M output tokens bills idle time; at capacity is the cost if the "
                  "deployment ran at utilisation 1. Points marked saturated did not keep up with their load.\n\n");
  fprintf(r->out, "| point | setting | utilisation | $ / 1M output | $ / 1M output at capacity | TCO $ / 1M output |\n"
                  "|---|---|---|---|---|---|\n");
  for (size_t p = 0; p < st->n_points; p++)
    fprintf(r->out, "| %zu | %s%s | %s | %s | %s | %s |\n", p, study_point_label(st, p, label, sizeof label),
            load_mark(st, p), mean_ci(r, p, RM_utilisation, c[0], sizeof c[0]),
            mean_ci(r, p, RM_usd_per_1m_output, c[1], sizeof c[1]),
            mean_ci(r, p, RM_usd_per_1m_output_at_capacity, c[2], sizeof c[2]),
            mean_ci(r, p, RM_usd_per_1m_output_tco, c[3], sizeof c[3]));
  fprintf(r->out, "\n");
  if (!st->n_apis) {
    fprintf(r->out, "No API comparison rows in this file (scenario key `compare_api` is empty).\n\n");
    return;
  }
  fprintf(r->out, "Every API of `compare_api`, priced on each replicate's own request mix (input tokens ride along, "
                  "per 1M output tokens). Break-even utilisation: the utilisation at which the TCO per output token "
                  "equals the API price (above 1: the API is cheaper at any load).\n\n");
  for (size_t a = 0; a < st->n_apis; a++) {
    fprintf(r->out,
            "### %s\n\n| point | setting | API $ / 1M output | TCO / API | break-even utilisation | "
            "break-even output tokens / month |\n|---|---|---|---|---|---|\n",
            st->api_ids[a]);
    for (size_t p = 0; p < st->n_points; p++) {
      const stats_summary *s = study_api_summary(st, p, a);
      fprintf(r->out, "| %zu | %s%s | %s | %s | %s | %s |\n", p, study_point_label(st, p, label, sizeof label),
              load_mark(st, p), summary_ci(&s[CA_api_usd_per_1m_output], c[0], sizeof c[0]),
              summary_ci(&s[CA_tco_over_api], c[1], sizeof c[1]),
              summary_ci(&s[CA_breakeven_utilisation], c[2], sizeof c[2]),
              summary_ci(&s[CA_breakeven_output_tok_per_month], c[3], sizeof c[3]));
    }
    fprintf(r->out, "\n");
  }
}

/* "0.62 [0.41, 0.78]", or "n/a". */
static const char *index_ci(const sensitivity *s, size_t p, size_t i, size_t x, char *buf, size_t len) {
  size_t c = sensitivity_at(s, p, i, x);
  char e[32], lo[32], hi[32];
  if (isnan(s->est[c])) return snprintf(buf, len, "n/a"), buf;
  if (isnan(s->lo[c])) return snprintf(buf, len, "%s", fmt(s->est[c], e, sizeof e)), buf;
  snprintf(buf, len, "%s [%s, %s]", fmt(s->est[c], e, sizeof e), fmt(s->lo[c], lo, sizeof lo),
           fmt(s->hi[c], hi, sizeof hi));
  return buf;
}

static const char *verdict(const sensitivity *s, size_t p, size_t i) {
  size_t x = sensitivity_primary(s->method);
  double e = s->est[sensitivity_at(s, p, i, x)];
  switch (sensitivity_detected(s, p, i, x)) {
  case 1: return s->method != SC_SENS_PRCC ? "effect" : e > 0 ? "effect (raises it)" : "effect (lowers it)";
  case 0: return "**no detectable effect**";
  default: return isnan(e) ? "not estimable" : "no CI";
  }
}

static void sensitivity_table(report *r, const sensitivity *s, size_t p) {
  char label[256], cell[SENSITIVITY_MAX_INDEX][128];
  size_t order[SC_MAX_UNCERTAIN];
  fprintf(r->out, "Point %zu (%s), n = %.0f:\n\n| input |", p, study_point_label(&r->st, p, label, sizeof label),
          s->n_used[p]);
  for (size_t x = 0; x < s->n_index; x++) fprintf(r->out, " `%s` [95%% CI] |", sensitivity_index_name(s->method, x));
  fprintf(r->out, " verdict |\n|---|");
  for (size_t x = 0; x <= s->n_index; x++) fprintf(r->out, "---|");
  fprintf(r->out, "\n");
  sensitivity_order(s, p, order);
  for (size_t k = 0; k < s->n_inputs; k++) {
    size_t i = order[k];
    fprintf(r->out, "| `%s` |", r->st.inputs[i].key);
    for (size_t x = 0; x < s->n_index; x++) fprintf(r->out, " %s |", index_ci(s, p, i, x, cell[x], sizeof cell[x]));
    fprintf(r->out, " %s |\n", verdict(s, p, i));
  }
  fprintf(r->out, "\n");
}

static void section_sensitivity(report *r) {
  const study *st = &r->st;
  const result_metric shown[] = {
#define X(m) RM_##m,
      SENSITIVITY_SHOWN(X)
#undef X
  };
  int method = st->design.method;
  fprintf(r->out, "## Sensitivity\n\n");
  if (!st->n_inputs) {
    fprintf(r->out, "No uncertain inputs in this study (scenario key `uncertain:`), so there is nothing to rank.\n\n");
    return;
  }
  fprintf(r->out,
          "Method (`sensitivity.method: %s`): %s. The 95%% CIs are percentile-bootstrap intervals over %u "
          "resamples of the %s; an input whose CI includes zero has **no detectable effect**: these replicates "
          "cannot tell its effect from none. Latency metrics leave out saturated replicates. The file's "
          "`/sensitivity` holds every metric; the tables show four.\n\n",
          sc_sens_method_names[method], sensitivity_method_text(method), st->design.bootstrap,
          method == SC_SENS_MORRIS ? "trajectories" : "rows");
  if (!st->design.bootstrap)
    fprintf(r->out, "`sensitivity.bootstrap` is 0: the indices have no CIs and no verdicts.\n\n");
  for (size_t o = 0; o < sizeof shown / sizeof shown[0]; o++) {
    sensitivity s;
    ss_err e = {{0}};
    fprintf(r->out, "### %s (`%s`, %s)\n\n", result_long_name(shown[o]), result_name(shown[o]), result_units(shown[o]));
    if (sensitivity_compute(st, shown[o], &s, &e)) {
      fprintf(r->out, "Not computed: %s\n\n", e.msg);
      continue;
    }
    for (size_t p = 0; p < s.n_points; p++) sensitivity_table(r, &s, p);
    sensitivity_free(&s);
  }
}

/* A changing fleet and the hour-by-hour windows (io/fleet_out), and the cheapest policy when the study
 * was planned with plan.mode: policy (recomputed from the file by study/planpolicy). */
static void section_fleet(report *r) {
  fleet_out_report_fleet(r->out, &r->st, study_point_label);
  fleet_out_report_pools(r->out, &r->st, study_point_label);
  fleet_out_report_windows(r->out, &r->st, study_point_label);
  const char *mode = cfg_text(r, "plan.mode"), *conf = cfg_text(r, "plan.confidence");
  const char *share = cfg_text(r, "plan.windows_met_frac");
  policy_plan pp;
  ss_err ignored;
  if (!mode || strcmp(mode, "policy") ||
      planpolicy_rank(&r->st, conf ? atof(conf) : 0.95, share ? atof(share) : 0, &pp, &ignored))
    return;
  fleet_out_report_policy(r->out, &pp);
  planpolicy_free(&pp);
}

static const report_plot PLOTS[] = {
    {"cost_vs_utilisation.png", "$ per 1M output tokens against utilisation (arrival rate / capacity at the SLO)"},
    {"throughput.png", "Output throughput against the swept parameter (95% CI band)"},
    {"latency_p99.png", "P99 TTFT and TPOT against the swept parameter (95% CI band; saturated points marked)"},
    {"tornado.png", "Sensitivity of $ per 1M output tokens and P99 TTFT to each uncertain input, with 95% CIs"},
    {"sobol.png", "First-order and total Sobol indices of each uncertain input, with 95% CIs"},
    {"cost_hist.png", "Distribution of $ per 1M output tokens across replicates, per sweep point"},
    {"day_load_replicas.png", "Over the day: arrivals and serving replicas per window (mean and 95% CI band)"},
    {"day_latency.png", "Over the day: P50 and P99 TTFT and TPOT per window, with the SLO"},
};

const char *report_plot_name(size_t i) { return i < sizeof PLOTS / sizeof PLOTS[0] ? PLOTS[i].file : NULL; }

void report_link_plots(FILE *out, const char *png_dir, const char *h5_path, const report_plot *plots, size_t n_plots) {
  char path[4096];
  struct stat sb;
  size_t n = 0;
  fprintf(out, "## Plots\n\n");
  for (size_t i = 0; png_dir && i < n_plots; i++) {
    snprintf(path, sizeof path, "%s/%s", png_dir, plots[i].file);
    if (stat(path, &sb) != 0 || sb.st_size == 0) continue;
    fprintf(out, "![%s](%s)\n\n*%s*\n\n", plots[i].caption, plots[i].file, plots[i].caption);
    n++;
  }
  if (!n)
    fprintf(out,
            "No plots next to this report; draw them with `tools/plot.py %s -o DIR` (DIR = the report's "
            "directory) and run `servesim report` again to link them.\n\n",
            h5_path);
}

static void section_plots(report *r) {
  report_link_plots(r->out, r->png_dir, r->path, PLOTS, sizeof PLOTS / sizeof PLOTS[0]);
}

static const section_fn SECTIONS[] = {section_title,       section_scenario,   section_method, section_overview,
                                      section_points,      section_saturation, section_cost,   section_fleet,
                                      section_sensitivity, section_plots};

/* ---- entry points ---- */

/* The file's kind ("" when it cannot be told: the study reader then says why). */
static void file_kind(const char *h5_path, char *kind, size_t len) {
  h5r h;
  ss_err ignored;
  kind[0] = '\0';
  if (h5r_open(&h, h5_path, &ignored)) return;
  if (h5r_check_kind(&h, kind, len, &ignored)) kind[0] = '\0';
  h5r_close(&h);
}

static ss_status compare_report(FILE *out, const char *path, const char *png_dir, ss_err *err) {
  compare c;
  ss_status rc = comparefile_read(path, &c, err);
  if (rc) return rc;
  compare_out_markdown(out, &c, path, png_dir);
  compare_free(&c);
  return ferror(out) ? ss_errorf(err, SS_EIO, "writing the report failed (disk full?)") : SS_OK;
}

ss_status report_markdown(FILE *out, const char *h5_path, const char *png_dir, ss_err *err) {
  report r = {.out = out, .path = h5_path, .png_dir = png_dir};
  char kind[32];
  file_kind(h5_path, kind, sizeof kind);
  if (!strcmp(kind, h5_kind_plan)) return plan_report_markdown(out, h5_path, png_dir, err);
  if (!strcmp(kind, h5_kind_compare)) return compare_report(out, h5_path, png_dir, err);
  ss_status rc = studyfile_read(h5_path, &r.st, err);
  if (rc) return rc;
  if (r.st.task_lo != 0 || r.st.task_hi != study_tasks(&r.st)) {
    rc =
        ss_errorf(err, SS_EDATA, "%s: part %u/%u of a study; join the parts first: servesim merge PART.h5... -o ALL.h5",
                  h5_path, r.st.shard_index, r.st.shard_count);
    goto fail;
  }
  if ((rc = study_summarise(&r.st, err))) goto fail;
  if ((rc = yc_load_string("/config_yaml", r.st.config_yaml, &r.doc, err))) {
    ss_err_prefix(err, "%s: ", h5_path);
    goto fail;
  }
  h5r h;
  if ((rc = h5r_open(&h, h5_path, err))) goto fail;
  if (!(rc = read_attr_text(&h, "program_version", r.version, sizeof r.version, err)) &&
      !(rc = read_attr_text(&h, "git_commit", r.commit, sizeof r.commit, err)) &&
      !(rc = read_attr_text(&h, "created_utc", r.created, sizeof r.created, err)))
    rc = read_attr_text(&h, "command_line", r.command, sizeof r.command, err);
  h5r_close(&h);
  if (rc) goto fail;
  for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) SECTIONS[i](&r);
  rc = ferror(out) ? ss_errorf(err, SS_EIO, "writing the report failed (disk full?)") : SS_OK;
fail:
  yc_free(&r.doc);
  study_free(&r.st);
  return rc;
}

ss_status report_write(const char *h5_path, const char *md_path, ss_err *err) {
  if (!md_path || !strcmp(md_path, "-")) return report_markdown(stdout, h5_path, ".", err);
  char dir[4096];
  fio_out o;
  ss_status rc = fio_out_begin(&o, md_path, "report", &h5_path, 1, err);
  if (rc) return rc;
  const char *slash = strrchr(o.path, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o.path) : 1, slash ? o.path : ".");
  if (slash == o.path) snprintf(dir, sizeof dir, "/");
  FILE *out = fopen(o.tmp, "w");
  if (!out) rc = ss_errorf(err, SS_ECREATE, "cannot write %s: %s", o.tmp, strerror(errno));
  if (!rc) rc = report_markdown(out, h5_path, dir, err);
  if (out && fclose(out) != 0 && !rc) rc = ss_errorf(err, SS_EIO, "%s: closing failed (disk full?)", o.tmp);
  if (!rc) return fio_out_commit(&o, err);
  fio_out_abort(&o);
  return rc;
}
