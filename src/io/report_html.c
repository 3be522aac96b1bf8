/* report_html.c: Markdown report -> HTML, plus inline SVG plots. The Markdown is the subset report.c
 * writes (headings, pipe tables, bullet lists, paragraphs, code fences, `code`, **bold**, *italic*,
 * links and images); links become plain text and the Markdown's "Plots" section (which points at PNG
 * files) is replaced by SVG charts drawn here, so the page references nothing outside itself. */
#include "io/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "io/report.h"
#include "io/studyfile.h"
#include "io/svgplot.h"
#include "study/study.h"

static const char *const STYLE =
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
    "table{border-collapse:collapse;margin:0.8em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:3px 8px;"
    "text-align:left}th{background:#f2f2f2;cursor:pointer;user-select:none}th.asc::after{content:' \\25B2'}"
    "th.desc::after{content:' \\25BC'}code,pre{background:#f6f6f6;font-size:0.9em}pre{padding:0.6em;overflow:auto}"
    "svg{display:block;margin:1em 0;max-width:100%;height:auto}.note{color:#666}";

/* Sorting a table by a clicked header: numbers (the leading number of a cell) before text. */
static const char *const SCRIPT =
    "document.querySelectorAll('table.sortable th').forEach(function(th,col){th.addEventListener('click',function(){"
    "var tb=th.closest('table').tBodies[0],rows=Array.from(tb.rows),asc=!th.classList.contains('asc');"
    "th.parentNode.querySelectorAll('th').forEach(function(h){h.classList.remove('asc','desc')});"
    "th.classList.add(asc?'asc':'desc');function key(r){var t=r.cells[col]?r.cells[col].textContent.trim():'',"
    "n=parseFloat(t.replace(/^[$]/,''));return isNaN(n)?[1,t]:[0,n]}rows.sort(function(a,b){var x=key(a),y=key(b);"
    "var c=x[0]-y[0]||(x[1]<y[1]?-1:x[1]>y[1]?1:0);return asc?c:-c});rows.forEach(function(r){tb.appendChild(r)})"
    "})});";

/* ---- inline Markdown ---- */

static const struct {
  const char *mark, *open, *close;
} SPANS[] = {{"**", "<b>", "</b>"}, {"`", "<code>", "</code>"}, {"*", "<i>", "</i>"}};

/* One line of inline Markdown: spans become tags, links and images their text (targets dropped). */
static void inline_md(FILE *out, const char *s, size_t len) {
  const char *end = s + len;
  while (s < end) {
    size_t k = 0;
    while (k < 3 && strncmp(s, SPANS[k].mark, strlen(SPANS[k].mark))) k++;
    size_t ml = k < 3 ? strlen(SPANS[k].mark) : 0;
    const char *close = k < 3 && s + ml < end ? strstr(s + ml, SPANS[k].mark) : NULL;
    if (close && close < end && close > s + ml) {
      char buf[1024];
      size_t n = (size_t)(close - s - (long)ml);
      fputs(SPANS[k].open, out);
      if (k == 1)
        snprintf(buf, sizeof buf, "%.*s", (int)n, s + ml), svgplot_escape(out, buf);
      else
        inline_md(out, s + ml, n);
      fputs(SPANS[k].close, out);
      s = close + ml;
      continue;
    }
    const char *rb = (*s == '[' || (*s == '!' && s[1] == '[')) ? memchr(s, ']', (size_t)(end - s)) : NULL;
    const char *rp = rb && rb + 1 < end && rb[1] == '(' ? memchr(rb, ')', (size_t)(end - rb)) : NULL;
    if (rp) { /* [text](target) and ![alt](target): the text only */
      const char *t = s + (*s == '!' ? 2 : 1);
      inline_md(out, t, (size_t)(rb - t));
      s = rp + 1;
      continue;
    }
    char c[2] = {*s++, '\0'};
    svgplot_escape(out, c);
  }
}

/* ---- block Markdown ---- */

typedef enum { B_NONE, B_PARA, B_LIST, B_TABLE, B_CODE } block;

typedef struct {
  FILE *out;
  block in;
  int table_row;
} conv;

static void close_block(conv *c) {
  static const char *const CLOSE[] = {"", "</p>\n", "</ul>\n", "</tbody></table>\n", "</pre>\n"};
  fputs(CLOSE[c->in], c->out);
  c->in = B_NONE;
}

static void open_block(conv *c, block b) {
  static const char *const OPEN[] = {"", "<p>", "<ul>\n", "<table class=\"sortable\"><thead>", "<pre>"};
  if (c->in == b) return;
  close_block(c);
  fputs(OPEN[b], c->out);
  c->in = b, c->table_row = 0;
}

/* A pipe-table row: the first is the header, the |---| separator opens the body. */
static void table_row(conv *c, const char *line) {
  if (c->table_row == 1 && strspn(line, "|-: ") == strlen(line)) {
    fputs("</thead><tbody>\n", c->out);
    c->table_row++;
    return;
  }
  const char *tag = c->table_row == 0 ? "th" : "td";
  fputs("<tr>", c->out);
  const char *p = line + 1;
  for (const char *bar; (bar = strchr(p, '|')); p = bar + 1) {
    const char *a = p, *b = bar;
    while (a < b && *a == ' ') a++;
    while (b > a && b[-1] == ' ') b--;
    fprintf(c->out, "<%s>", tag), inline_md(c->out, a, (size_t)(b - a)), fprintf(c->out, "</%s>", tag);
  }
  fputs("</tr>\n", c->out);
  c->table_row++;
}

/* Raw HTML the Markdown report writes (Markdown passes it through): a collapsible block. */
static bool is_raw_html(const char *line) { return !strncmp(line, "<details>", 9) || !strcmp(line, "</details>"); }

static void md_line(conv *c, const char *line) {
  size_t h = strspn(line, "#");
  if (c->in != B_CODE && is_raw_html(line)) {
    close_block(c);
    fputs(line, c->out), fputc('\n', c->out);
  } else if (!strncmp(line, "```", 3)) {
    if (c->in == B_CODE)
      close_block(c);
    else
      open_block(c, B_CODE);
  } else if (c->in == B_CODE) {
    svgplot_escape(c->out, line), fputc('\n', c->out);
  } else if (h >= 1 && h <= 6 && line[h] == ' ') {
    close_block(c);
    fprintf(c->out, "<h%zu>", h), inline_md(c->out, line + h + 1, strlen(line + h + 1)),
        fprintf(c->out, "</h%zu>\n", h);
  } else if (line[0] == '|') {
    open_block(c, B_TABLE), table_row(c, line);
  } else if (!strncmp(line, "- ", 2)) {
    open_block(c, B_LIST);
    fputs("<li>", c->out), inline_md(c->out, line + 2, strlen(line + 2)), fputs("</li>\n", c->out);
  } else if (!line[strspn(line, " ")]) {
    close_block(c);
  } else {
    if (c->in != B_PARA)
      open_block(c, B_PARA);
    else
      fputc('\n', c->out);
    inline_md(c->out, line, strlen(line));
  }
}

/* ---- plots ---- */

static const struct {
  result_metric m;
  const char *title;
} CHARTS[] = {
    {RM_output_tok_s, "Output throughput (tok/s), mean and 95% CI"},
    {RM_ttft_p99_s, "P99 time to first token (s), mean and 95% CI; saturated points left out"},
    {RM_tpot_p99_s, "P99 time per output token (s), mean and 95% CI; saturated points left out"},
    {RM_usd_per_1m_output, "$ per 1M output tokens, mean and 95% CI"},
};

typedef struct {
  double *x, *y, *lo, *hi; /* [n_points] each, per series */
  char label[160];
  size_t n;
} series_buf;

/* The label of point p on every axis but xa ("" when there is none): its series. */
static void series_label(const study *st, size_t p, size_t xa, char *buf, size_t len) {
  size_t k = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < st->n_axes && k < len; i++) {
    if (i == xa) continue;
    const study_axis *a = &st->axes[i];
    const char *key = strrchr(a->key, '.') ? strrchr(a->key, '.') + 1 : a->key;
    k += a->is_text ? (size_t)snprintf(buf + k, len - k, "%s%s=%s", k ? ", " : "", key, a->text[p])
                    : (size_t)snprintf(buf + k, len - k, "%s%s=%g", k ? ", " : "", key, a->num[p]);
  }
}

static void chart(FILE *out, const study *st, size_t xa, series_buf *sb, size_t n_series, const char *const *ticks,
                  size_t ci) {
  svgplot p = {CHARTS[ci].title,
               xa < st->n_axes ? st->axes[xa].key : "sweep point",
               result_units(CHARTS[ci].m),
               ticks,
               ticks ? st->n_points : 0,
               {{0}},
               0};
  for (size_t s = 0; s < n_series; s++) sb[s].n = 0;
  for (size_t pt = 0; pt < st->n_points; pt++) {
    char label[160];
    series_label(st, pt, xa, label, sizeof label);
    size_t s = 0;
    while (s < n_series && strcmp(sb[s].label, label)) s++;
    if (s == n_series) s = 0; /* text axes only: the one line */
    const stats_summary *sm = &st->summary[pt][CHARTS[ci].m];
    bool hide = result_is_latency(CHARTS[ci].m) && study_point_saturated(st, pt);
    series_buf *b = &sb[s];
    b->x[b->n] = xa < st->n_axes ? st->axes[xa].num[pt] : (double)pt;
    b->y[b->n] = hide ? NAN : sm->v[ST_mean];
    b->lo[b->n] = hide ? NAN : sm->v[ST_ci95_lo], b->hi[b->n] = hide ? NAN : sm->v[ST_ci95_hi];
    b->n++;
  }
  for (size_t s = 0; s < n_series && s < SVGPLOT_MAX_SERIES; s++)
    p.series[p.n_series++] = (svgplot_series){sb[s].label, sb[s].x, sb[s].y, sb[s].lo, sb[s].hi, sb[s].n};
  svgplot_write(out, &p);
}

/* Charts against the first numeric sweep axis (one line per combination of the other axes), or
 * against the point index when no axis is numeric. */
static ss_status plots(FILE *out, const study *st, ss_err *err) {
  size_t xa = 0, n_series = 0;
  while (xa < st->n_axes && st->axes[xa].is_text) xa++;
  fputs("<h2>Plots</h2>\n", out);
  if (st->n_points < 2) return fputs("<p class=\"note\">One sweep point: nothing to plot against.</p>\n", out), SS_OK;
  series_buf *sb = calloc(st->n_points, sizeof *sb);
  char(*ticks)[24] = xa < st->n_axes ? NULL : calloc(st->n_points, sizeof *ticks);
  const char **tick_ptr = ticks ? calloc(st->n_points, sizeof *tick_ptr) : NULL;
  bool ok = sb && (xa < st->n_axes || (ticks && tick_ptr));
  for (size_t p = 0; ok && p < st->n_points; p++) {
    char label[160];
    series_label(st, p, xa, label, sizeof label);
    if (ticks) snprintf(ticks[p], sizeof ticks[p], "%zu", p), tick_ptr[p] = ticks[p];
    size_t s = 0;
    while (s < n_series && strcmp(sb[s].label, label)) s++;
    if (s < n_series || (xa >= st->n_axes && n_series == 1)) continue; /* text axes only: one line over the index */
    series_buf *b = &sb[n_series++];
    snprintf(b->label, sizeof b->label, "%s", xa < st->n_axes ? label : "");
    double *mem = calloc(4 * st->n_points, sizeof *mem);
    if (!(ok = mem != NULL)) break;
    b->x = mem, b->y = mem + st->n_points, b->lo = mem + 2 * st->n_points, b->hi = mem + 3 * st->n_points;
  }
  if (ok && n_series > SVGPLOT_MAX_SERIES)
    fprintf(out, "<p class=\"note\">%zu combinations of the other sweep axes: the charts show the first %d.</p>\n",
            n_series, SVGPLOT_MAX_SERIES);
  for (size_t c = 0; ok && c < sizeof CHARTS / sizeof CHARTS[0]; c++) chart(out, st, xa, sb, n_series, tick_ptr, c);
  for (size_t s = 0; sb && s < n_series; s++) free(sb[s].x);
  free(tick_ptr), free(ticks), free(sb);
  return ok ? SS_OK : ss_errorf(err, SS_ENOMEM, "out of memory for the plots");
}

/* ---- entry points ---- */

static ss_status render(FILE *out, const char *md, const study *st, ss_err *err) {
  conv c = {out, B_NONE, 0};
  bool skipping = false;
  ss_status rc = SS_OK;
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>servesim report: ", out);
  svgplot_escape(out, st->name);
  fprintf(out, "</title><style>%s</style></head><body>\n", STYLE);
  for (const char *line = md; !rc && *line;) {
    size_t n = strcspn(line, "\n");
    char buf[8192];
    snprintf(buf, sizeof buf, "%.*s", (int)n, line);
    line += n + (line[n] == '\n');
    if (!strncmp(buf, "## ", 3)) skipping = !strcmp(buf, "## Plots");
    if (skipping && !strcmp(buf, "## Plots")) close_block(&c), rc = plots(out, st, err);
    if (!skipping) md_line(&c, buf);
  }
  close_block(&c);
  fprintf(out, "<script>%s</script>\n</body></html>\n", SCRIPT);
  return rc;
}

ss_status report_html(FILE *out, const char *h5_path, ss_err *err) {
  char *md = NULL;
  size_t len = 0;
  study st = {0};
  FILE *mem = open_memstream(&md, &len);
  if (!mem) return ss_errorf(err, SS_ENOMEM, "out of memory for the report");
  ss_status rc = report_markdown(mem, h5_path, NULL, err);
  if (fclose(mem) != 0 && !rc) rc = ss_errorf(err, SS_ENOMEM, "out of memory for the report");
  if (!rc) rc = studyfile_read(h5_path, &st, err);
  if (!rc) rc = study_summarise(&st, err);
  if (!rc) rc = render(out, md, &st, err);
  study_free(&st);
  free(md);
  return rc;
}

typedef struct {
  const char *h5_path;
} html_job;

static ss_status write_html(FILE *f, void *ctx, ss_err *err) { return report_html(f, ((html_job *)ctx)->h5_path, err); }

ss_status report_html_write(const char *h5_path, const char *html_path, ss_err *err) {
  html_job job = {h5_path};
  if (!html_path || !strcmp(html_path, "-")) return report_html(stdout, h5_path, err);
  return fio_write_text(html_path, "HTML report", &h5_path, 1, write_html, &job, err);
}
