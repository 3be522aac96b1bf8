/* report.c: Markdown report of a study file. The data come through studyfile_read (the checked schema
 * reader shared with `servesim merge`), the provenance from the root attributes, the scenario facts
 * from /config_yaml; sections are a table of writers run in order.
 * Invariant: the file is opened read-only; latency of saturated replicates never enters a figure, and
 * a point where most replicates saturated shows no latency at all. */
#include "io/report.h"

#include <errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "base/stats.h"
#include "base/yamlcfg.h"
#include "io/fleet_out.h"
#include "io/h5.h"
#include "io/studyfile.h"
#include "study/sensitivity.h"
#include "study/study.h"

typedef struct {
  FILE *out;
  const char *path, *png_dir;
  study st;
  yc_doc doc;
  sensitivity sens;
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

static const char *last_part(const char *key) {
  const char *dot = strrchr(key, '.');
  return dot ? dot + 1 : key;
}

/* "rate_per_s = 2, replicas = 4" */
static const char *point_label(const study *st, size_t p, char *buf, size_t len) {
  size_t k = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < st->n_axes && k < len; i++) {
    const study_axis *a = &st->axes[i];
    if (a->is_text)
      k += (size_t)snprintf(buf + k, len - k, "%s%s = %s", i ? ", " : "", last_part(a->key), a->text[p]);
    else
      k += (size_t)snprintf(buf + k, len - k, "%s%s = %.6g", i ? ", " : "", last_part(a->key), a->num[p]);
  }
  if (!st->n_axes) snprintf(buf, len, "single point");
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

/* Quantile prob of the finite values x[p * R + r], r < R (type 7), NAN when none. */
static double point_quantile(const double *x, size_t p, size_t R, double prob) {
  double *v = malloc((R ? R : 1) * sizeof *v), q = NAN;
  size_t n = 0;
  if (!v) return NAN;
  for (size_t i = 0; i < R; i++)
    if (isfinite(x[p * R + i])) v[n++] = x[p * R + i];
  if (n) gsl_sort(v, 1, n), q = gsl_stats_quantile_from_sorted_data(v, 1, n, prob);
  free(v);
  return q;
}

/* A provenance attribute, "?" when the file lacks it or holds something else. */
static void read_attr_text(const h5r *h, const char *name, char *buf, size_t len) {
  ss_err ignored;
  if (h5r_attr_text(h, h->file, name, buf, len, &ignored)) snprintf(buf, len, "?");
}

/* ---- sections ---- */

static void section_title(report *r) {
  fprintf(r->out, "# servesim report: %s\n\n", r->st.name);
  fprintf(r->out, "Study file `%s`, written %s by servesim %s (git %s).  \nCommand: `%s`\n\n", r->path, r->created,
          r->version, r->commit, r->command);
}

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
    {"workload.input_tokens.dist", "input length distribution"},
    {"workload.input_tokens.median", "input tokens, median"},
    {"workload.output_tokens.dist", "output length distribution"},
    {"workload.output_tokens.median", "output tokens, median"},
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
  for (size_t i = 0; i < sizeof FACTS / sizeof FACTS[0]; i++) {
    const char *v = cfg_text(r, FACTS[i].key);
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
  fprintf(out, "- Across replicates: mean, 95%% confidence interval of the mean (Student t), and the p05/p50/p95 "
               "quantiles (linear interpolation, numpy's default). A per-replicate P99 is the 99th percentile of "
               "that replicate's requests; the tables summarise it across replicates.\n");
  fprintf(out,
          "- Saturation: a replicate is saturated when its queue grew without bound or requests were left "
          "unfinished at the horizon. Its tail latency depends on the horizon, not on the system, so latency "
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
    fprintf(r->out, "| %zu | %s | %s | %s | %s | %.0f/%zu | %.0f%% |\n", p, point_label(st, p, label, sizeof label),
            mean_ci(r, p, RM_output_tok_s, c1, sizeof c1), mean_ci(r, p, RM_ttft_p99_s, c2, sizeof c2),
            mean_ci(r, p, RM_usd_per_1m_output, c3, sizeof c3), st->saturated_count[p], st->n_reps,
            100 * st->slo_met_frac[p]);
  fprintf(r->out, "\n");
}

static void section_points(report *r) {
  const study *st = &r->st;
  char label[256], ci[128], q[3][32];
  fprintf(r->out, "## Results per sweep point\n\n");
  for (size_t p = 0; p < st->n_points; p++) {
    double sat = st->saturated_count[p];
    fprintf(r->out, "### Point %zu: %s\n\n", p, point_label(st, p, label, sizeof label));
    if (sat > 0)
      fprintf(
          r->out, "**%.0f of %zu replicates saturated**: %s\n\n", sat, st->n_reps,
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
    fprintf(r->out, "| slo_met | 1 | %s | | | | %zu |\n\n", fmt(st->slo_met_frac[p], q[0], sizeof q[0]), st->n_reps);
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
    fprintf(r->out, "- Point %zu (%s): %.0f of %zu replicates saturated. ", p, point_label(st, p, label, sizeof label),
            sat, st->n_reps);
    if (study_point_saturated(st, p))
      fprintf(r->out, "The arrival rate exceeds what the deployment serves: the queue grows for as long as the run "
                      "lasts, so any tail latency would only measure the horizon. Throughput here is the capacity "
                      "ceiling.\n");
    else
      fprintf(r->out,
              "The point is at the edge of capacity: whether the queue stays bounded depends on the draw. "
              "Its latency statistics use the %.0f stable replicates only and understate the tail; do not "
              "size for this load.\n",
              (double)st->n_reps - sat);
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
    fprintf(r->out, "| %zu | %s%s | %s | %s | %s | %s |\n", p, point_label(st, p, label, sizeof label),
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
      fprintf(r->out, "| %zu | %s%s | %s | %s | %s | %s |\n", p, point_label(st, p, label, sizeof label),
              load_mark(st, p), summary_ci(&s[CA_api_usd_per_1m_output], c[0], sizeof c[0]),
              summary_ci(&s[CA_tco_over_api], c[1], sizeof c[1]),
              summary_ci(&s[CA_breakeven_utilisation], c[2], sizeof c[2]),
              summary_ci(&s[CA_breakeven_output_tok_per_month], c[3], sizeof c[3]));
    }
    fprintf(r->out, "\n");
  }
}

static void section_sensitivity(report *r) {
  const study *st = &r->st;
  const sensitivity *s = &r->sens;
  char label[256], v[8][32];
  size_t order[SC_MAX_UNCERTAIN];
  fprintf(r->out, "## Sensitivity\n\n");
  if (!s->n_inputs) {
    fprintf(r->out, "No uncertain inputs in this study (scenario key `uncertain:`), so there is nothing to rank.\n\n");
    return;
  }
  fprintf(r->out,
          "Method: at each sweep point, for one input at a time, a least-squares line of the output on the "
          "input's rank quantile u = (rank - 0.5) / n, read at u = 0.1 (low: the input at its p10) and u = 0.9 "
          "(high: at its p90); the swing is |high - low|, the tornado bar. Spearman's rho is the correlation of "
          "the ranks. Both see monotone trends, not interactions; with few replicates they are rough (n is "
          "given), and a cell needs at least %d. P99 TTFT leaves out saturated replicates.\n\n",
          SENSITIVITY_MIN_N);
  for (size_t o = 0; o < SENSITIVITY_N_OUTPUTS; o++) {
    result_metric m = sensitivity_output(o);
    fprintf(r->out, "### %s (`%s`, %s)\n\n", result_long_name(m), result_name(m), result_units(m));
    for (size_t p = 0; p < s->n_points; p++) {
      fprintf(r->out, "Point %zu (%s):\n\n", p, point_label(st, p, label, sizeof label));
      fprintf(r->out, "| input | p10 | output at p10 | p90 | output at p90 | swing | Spearman rho | n |\n"
                      "|---|---|---|---|---|---|---|---|\n");
      sensitivity_order(s, o, p, order);
      for (size_t k = 0; k < s->n_inputs; k++) {
        size_t i = order[k];
        const sensitivity_cell *c = sensitivity_at(s, o, p, i);
        const double *x = st->inputs[i].value;
        fprintf(r->out, "| `%s` | %s | %s | %s | %s | %s | %s | %zu |\n", s->input_key[i],
                fmt(point_quantile(x, p, st->n_reps, SENSITIVITY_P_LOW), v[0], 32), fmt(c->low, v[1], 32),
                fmt(point_quantile(x, p, st->n_reps, SENSITIVITY_P_HIGH), v[2], 32), fmt(c->high, v[3], 32),
                fmt(c->swing, v[4], 32), fmt(c->spearman, v[5], 32), c->n);
      }
      fprintf(r->out, "\n");
    }
  }
}

/* A changing fleet and the hour-by-hour windows (io/fleet_out), and the cheapest policy when the study
 * was planned with plan.mode: policy (recomputed from the file by study/planpolicy). */
static void section_fleet(report *r) {
  fleet_out_report_fleet(r->out, &r->st, point_label);
  fleet_out_report_pools(r->out, &r->st, point_label);
  fleet_out_report_windows(r->out, &r->st, point_label);
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

static const struct {
  const char *file, *caption;
} PLOTS[] = {
    {"cost_vs_utilisation.png", "$ per 1M output tokens against GPU busy fraction, with API prices"},
    {"throughput.png", "Output throughput against the swept parameter (95% CI band)"},
    {"latency_p99.png", "P99 TTFT and TPOT against the swept parameter (95% CI band; saturated points marked)"},
    {"tornado.png", "Tornado: effect of each uncertain input (p10 to p90) on $ per 1M output tokens and P99 TTFT"},
    {"cost_hist.png", "Distribution of $ per 1M output tokens across replicates, per sweep point"},
    {"day_load_replicas.png", "Over the day: arrivals and serving replicas per window (mean and 95% CI band)"},
    {"day_latency.png", "Over the day: P50 and P99 TTFT and TPOT per window, with the SLO"},
};

const char *report_plot_name(size_t i) { return i < sizeof PLOTS / sizeof PLOTS[0] ? PLOTS[i].file : NULL; }

static void section_plots(report *r) {
  char path[4096];
  struct stat sb;
  size_t n = 0;
  fprintf(r->out, "## Plots\n\n");
  for (size_t i = 0; r->png_dir && i < sizeof PLOTS / sizeof PLOTS[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", r->png_dir, PLOTS[i].file);
    if (stat(path, &sb) != 0 || sb.st_size == 0) continue;
    fprintf(r->out, "![%s](%s)\n\n*%s*\n\n", PLOTS[i].caption, PLOTS[i].file, PLOTS[i].caption);
    n++;
  }
  if (!n)
    fprintf(r->out,
            "No plots next to this report; draw them with `tools/plot.py %s -o DIR` (DIR = the report's "
            "directory) and run `servesim report` again to link them.\n\n",
            r->path);
}

static const section_fn SECTIONS[] = {section_title,       section_scenario,   section_method, section_overview,
                                      section_points,      section_saturation, section_cost,   section_fleet,
                                      section_sensitivity, section_plots};

/* ---- entry points ---- */

ss_status report_markdown(FILE *out, const char *h5_path, const char *png_dir, ss_err *err) {
  report r = {.out = out, .path = h5_path, .png_dir = png_dir};
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
  if ((rc = sensitivity_compute(&r.st, &r.sens, err))) goto fail;
  h5r h;
  if ((rc = h5r_open(&h, h5_path, err))) goto fail;
  read_attr_text(&h, "program_version", r.version, sizeof r.version);
  read_attr_text(&h, "git_commit", r.commit, sizeof r.commit);
  read_attr_text(&h, "created_utc", r.created, sizeof r.created);
  read_attr_text(&h, "command_line", r.command, sizeof r.command);
  h5r_close(&h);
  for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) SECTIONS[i](&r);
  rc = ferror(out) ? ss_errorf(err, SS_EIO, "writing the report failed (disk full?)") : SS_OK;
fail:
  sensitivity_free(&r.sens);
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
