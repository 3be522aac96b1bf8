/* report_html.h: the study report as one self-contained HTML file (`servesim report --html`): the
 * Markdown report's text (report_markdown) rendered as HTML with sortable tables, and its plots drawn
 * as inline SVG from the study's summaries (throughput, P99 TTFT and TPOT, cost, with 95% CI bands).
 * Invariant: the page references nothing outside itself (no URLs, no external scripts, styles, fonts
 * or images: tests/report_html_e2e.sh checks), so it opens offline and can be mailed as one file. */
#ifndef SERVESIM_REPORT_HTML_H
#define SERVESIM_REPORT_HTML_H
#include <stdio.h>

#include "base/err.h"

ss_status report_html(FILE *out, const char *h5_path, ss_err *err);
/* report_html into html_path (NULL or "-": stdout), atomically. */
ss_status report_html_write(const char *h5_path, const char *html_path, ss_err *err);

#endif
