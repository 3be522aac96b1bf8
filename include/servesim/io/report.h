/* report.h: the Markdown report of a study file (`servesim report out.h5 [-o report.md]`):
 * scenario, method, per-point tables (mean, 95% CI, p05/p50/p95), saturation notes, cost and API
 * comparison, sensitivity (tornado and Spearman), and links to the PNGs of tools/plot.py. A plan
 * file gets the plan report instead (io/plan_report), by its file_kind.
 * Invariant: the study file is only read (HDF5, read-only), through the schema of docs/study.md;
 * tail latency of a point where replicates saturated is never shown as a stable figure. */
#ifndef SERVESIM_REPORT_H
#define SERVESIM_REPORT_H
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

/* Writes the report of the study in h5_path to out; PNGs are linked when they exist (non-empty) in
 * png_dir (NULL: not looked for), under the names report_plot_name lists. */
ss_status report_markdown(FILE *out, const char *h5_path, const char *png_dir, ss_err *err);
/* report_markdown into md_path (NULL or "-": stdout), looking for PNGs next to md_path (the
 * current directory for stdout). Written to a temporary file beside md_path and renamed on success;
 * md_path may not be the study file itself. */
ss_status report_write(const char *h5_path, const char *md_path, ss_err *err);
/* The PNG file names tools/plot.py draws for a study, i = 0, 1, ... (NULL past the last). */
const char *report_plot_name(size_t i);

/* A plot of tools/plot.py: its file name and the caption the report gives it. */
typedef struct {
  const char *file, *caption;
} report_plot;
/* The "## Plots" section: links to the plots that exist (non-empty) in png_dir (NULL: none looked
 * for), or how to draw them for h5_path. Study and plan reports share it. */
void report_link_plots(FILE *out, const char *png_dir, const char *h5_path, const report_plot *plots, size_t n);

#endif
