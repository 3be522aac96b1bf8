/* plan_report.c: Markdown report of a plan file. The data come through planfile_read (the checked
 * reader of the plan schema); sections are a table of writers run in order.
 * Invariant: the file is opened read-only; a candidate that does not meet the SLO or does not fit is
 * listed with its reason, never priced as if it did. */
#include "io/plan_report.h"

#include <math.h>
#include <string.h>

#include "io/plan_out.h"
#include "io/planfile.h"
#include "io/report.h"

typedef struct {
  FILE *out;
  const char *path, *png_dir;
  plan p;
  planfile_meta meta;
} plan_report;

typedef void (*section_fn)(plan_report *r);

/* v in format f, "n/a" when NaN. */
static const char *cell(char *buf, size_t len, const char *f, double v) {
  if (isnan(v))
    snprintf(buf, len, "n/a");
  else
    snprintf(buf, len, f, v);
  return buf;
}

static const char *first_met(const plan *p, size_t *rank) {
  for (size_t i = 0; i < p->n_rows; i++)
    if (p->rows[i].status == PLAN_MET) return *rank = i, p->rows[i].label;
  return NULL;
}

static void section_title(plan_report *r) {
  fprintf(r->out, "# servesim plan report: %s\n\n", r->p.name);
  fprintf(r->out, "Plan file `%s`, written %s by servesim %s (git %s).  \nCommand: `%s`\n\n", r->path, r->meta.created,
          r->meta.version, r->meta.commit, r->meta.command);
}

static void section_question(plan_report *r) {
  const plan *p = &r->p;
  fprintf(r->out, "## The question\n\n");
  fprintf(r->out, "- Demand: %g requests/s (`workload.arrival.rate_per_s`).\n", p->demand_per_s);
  fprintf(r->out,
          "- SLO: P99 time to first token <= %g s and P99 time per output token <= %g s, met in at least %zu of %zu "
          "replicates (`plan.confidence` %g).\n",
          p->slo_ttft_s, p->slo_tpot_s, plan_need(p->confidence, p->n_reps), p->n_reps, p->confidence);
  fprintf(r->out, "- Candidates: %zu, the points of the sweep over", p->n_rows);
  for (size_t i = 0; i < p->n_axes; i++) fprintf(r->out, "%s `%s`", i ? "," : "", p->axis_keys[i]);
  fprintf(r->out, "%s; replica counts searched from 1 to %u (`plan.max_replicas`).\n", p->n_axes ? "" : " nothing",
          p->max_replicas);
  fprintf(r->out, "- Master seed %llu; hwdb `%s` (content hash %.12s).\n\n", (unsigned long long)p->seed, p->hwdb_dir,
          p->hwdb_sha256);
}

static void section_answer(plan_report *r) {
  const plan *p = &r->p;
  size_t k = 0;
  char c[6][48];
  fprintf(r->out, "## The answer\n\n");
  if (!first_met(p, &k)) {
    fprintf(r->out,
            "**No candidate meets the SLO** within %u replicas (or fits in memory); the reasons are in the "
            "table below. Raise `plan.max_replicas`, relax the SLO or add candidates.\n\n",
            p->max_replicas);
    return;
  }
  const plan_row *w = &p->rows[k];
  fprintf(r->out,
          "**Chosen deployment: rank %zu, `%s`**: %u replica%s x %u GPU%s = %.0f x %s (%s weights, %s, %s tier) at "
          "$%s per GPU-hour: **$%s per hour, $%s per 1M output tokens**.\n\n",
          k + 1, w->label, w->replicas, w->replicas == 1 ? "" : "s", w->tp, w->tp == 1 ? "" : "s", w->gpus, w->gpu,
          w->weights, w->engine, w->tier, cell(c[0], 48, "%.3f", w->usd_per_gpu_hour),
          cell(c[1], 48, "%.2f", w->usd_per_hour), cell(c[2], 48, "%.3f", w->usd_per_1m_output));
  fprintf(r->out,
          "- The SLO held in %s of the replicates at that count (P99 TTFT %s s, P99 TPOT %s s, means over "
          "replicates).\n",
          cell(c[0], 48, "%.0f%%", 100 * w->slo_met_frac), cell(c[1], 48, "%.3g", w->ttft_p99_s),
          cell(c[2], 48, "%.3g", w->tpot_p99_s));
  fprintf(r->out,
          "- One replica sustains %s req/s [95%% CI %s, %s] within the SLO (%s req/s in at least the confidence "
          "fraction of replicates); headroom %s, utilisation %s (demand / capacity at the SLO).\n\n",
          cell(c[0], 48, "%.3g", w->rate_mean_per_s), cell(c[1], 48, "%.3g", w->rate_ci95_lo_per_s),
          cell(c[2], 48, "%.3g", w->rate_ci95_hi_per_s), cell(c[3], 48, "%.3g", w->rate_at_confidence_per_s),
          cell(c[4], 48, "%+.0f%%", 100 * w->headroom), cell(c[5], 48, "%.2f", w->utilisation));
}

static void section_candidates(plan_report *r) {
  const plan *p = &r->p;
  char c[10][64], rate[200];
  fprintf(r->out, "## Candidates, ranked\n\nMet by $ per hour, then $ per 1M output; then not met; then not fitting "
                  "(ties in sweep order). Costs and latencies are means over the replicates at the replica count "
                  "shown; idle time is billed.\n\n");
  fprintf(r->out, "| rank | candidate | status | replicas | GPUs | $/GPU-h | $/hour | $/1M output | SLO met | "
                  "req/s per replica [95%% CI] | utilisation | headroom | P99 TTFT (s) | P99 TPOT (s) | reason |\n"
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < p->n_rows; i++) {
    const plan_row *w = &p->rows[i];
    bool met = w->status == PLAN_MET;
    snprintf(c[0], 64, met ? "%u" : "-", w->replicas);
    snprintf(rate, sizeof rate, "%s [%s, %s]", cell(c[7], 64, "%.3g", w->rate_mean_per_s),
             cell(c[8], 64, "%.3g", w->rate_ci95_lo_per_s), cell(c[9], 64, "%.3g", w->rate_ci95_hi_per_s));
    fprintf(r->out, "| %zu | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", i + 1,
            w->label, plan_out_status_name(w->status), c[0], cell(c[1], 64, "%.0f", met ? w->gpus : NAN),
            cell(c[2], 64, "%.2f", w->usd_per_gpu_hour), cell(c[3], 64, "%.2f", w->usd_per_hour),
            cell(c[4], 64, "%.3f", w->usd_per_1m_output), cell(c[5], 64, "%.2f", w->slo_met_frac), rate,
            cell(c[6], 64, "%.2f", w->utilisation), cell(c[7], 64, "%+.0f%%", 100 * w->headroom),
            cell(c[8], 64, "%.3g", w->ttft_p99_s), cell(c[9], 64, "%.3g", w->tpot_p99_s),
            w->reason[0] ? w->reason : "");
  }
  fprintf(r->out, "\n");
  if (p->notes && *p->notes) fprintf(r->out, "Notes from loading the scenario:\n\n```\n%s\n```\n\n", p->notes);
}

static void section_api(plan_report *r) {
  const plan *p = &r->p;
  char c[6][48];
  fprintf(r->out, "## API comparison\n\n");
  if (!p->n_apis) {
    fprintf(r->out, "No API comparison rows in this file (scenario key `compare_api` is empty).\n\n");
    return;
  }
  fprintf(r->out,
          "Every API of `compare_api`, priced on each replicate's own request mix (input tokens ride along, per 1M "
          "output tokens), for the candidates meeting the SLO, at their replica count; means over replicates. "
          "Break-even utilisation: the utilisation (demand / capacity at the SLO) at which the deployment's TCO per "
          "output token equals the API's price; never: the API is cheaper at any load.\n\n");
  for (size_t a = 0; a < p->n_apis; a++) {
    fprintf(r->out,
            "### %s\n\n| rank | candidate | $/1M output (self-hosted) | utilisation | API $/1M output | "
            "TCO / API | break-even utilisation | break-even output tokens / month |\n"
            "|---|---|---|---|---|---|---|---|\n",
            p->api_ids[a]);
    for (size_t i = 0; i < p->n_rows; i++) {
      const plan_row *w = &p->rows[i];
      const double *v = w->api[a];
      if (w->status != PLAN_MET) continue;
      double be = v[CA_breakeven_utilisation];
      fprintf(r->out, "| %zu | `%s` | %s | %s | %s | %s | %s | %s |\n", i + 1, w->label,
              cell(c[0], 48, "%.3f", w->usd_per_1m_output), cell(c[1], 48, "%.2f", w->utilisation),
              cell(c[2], 48, "%.3f", v[CA_api_usd_per_1m_output]), cell(c[3], 48, "%.3g", v[CA_tco_over_api]),
              be > 1 ? "never" : cell(c[4], 48, "%.3g", be),
              cell(c[5], 48, "%.3g", v[CA_breakeven_output_tok_per_month]));
    }
    fprintf(r->out, "\n");
  }
}

static void section_method(plan_report *r) {
  const plan *p = &r->p;
  fprintf(r->out,
          "## Method\n\n"
          "- A replicate passes when it is not saturated and meets both P99 objectives. Replicate k of every "
          "evaluation sees the same traffic (common random numbers).\n"
          "- Fewest replicas: exponential then binary search on the replica count, assuming more replicas never "
          "hurt; the answer's replicates give the cost, latency and SLO columns.\n"
          "- Sustainable rate of one replica: per replicate, a bisection on the arrival rate with one replica, to a "
          "relative bracket of %g; mean and 95%% CI of the mean (Student t) over %zu replicates. Capacity at the SLO "
          "= that rate x replicas (linear: pooling behind the router is not credited), utilisation = demand / "
          "capacity, headroom = 1 / utilisation - 1 at the mean rate.\n"
          "- Cost: each replicate priced at the candidate's $/GPU-hour (pricing keys, hwdb rows); the API "
          "comparison uses the TCO (operations, N+1, on-premise power) as `servesim run` does. See docs/plan.md.\n\n",
          p->rate_rel_tol, p->n_reps);
  const char *y = p->config_yaml ? p->config_yaml : "";
  fprintf(r->out,
          "<details><summary>The resolved scenario (/config_yaml: every key, defaults filled in)</summary>\n\n"
          "```yaml\n%s%s```\n\n</details>\n\n",
          y, *y && y[strlen(y) - 1] == '\n' ? "" : "\n");
}

static const report_plot PLOTS[] = {
    {"plan_cost.png", "$ per hour and $ per 1M output tokens per candidate, coloured by status"},
    {"plan_rate.png", "Arrival rate one replica sustains within the SLO, per candidate (mean, 95% CI, replicates)"},
};

static void section_plots(plan_report *r) {
  report_link_plots(r->out, r->png_dir, r->path, PLOTS, sizeof PLOTS / sizeof PLOTS[0]);
}

static const section_fn SECTIONS[] = {section_title, section_question, section_answer, section_candidates,
                                      section_api,   section_method,   section_plots};

ss_status plan_report_markdown(FILE *out, const char *h5_path, const char *png_dir, ss_err *err) {
  plan_report r = {.out = out, .path = h5_path, .png_dir = png_dir};
  ss_status rc = planfile_read(h5_path, &r.p, &r.meta, err);
  if (rc) return rc;
  for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) SECTIONS[i](&r);
  rc = ferror(out) ? ss_errorf(err, SS_EIO, "writing the report failed (disk full?)") : SS_OK;
  plan_free(&r.p);
  return rc;
}
