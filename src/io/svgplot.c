/* svgplot.c: inline SVG line charts. Axis ranges come from the finite values (means and bands), ticks
 * are 1, 2 or 5 times a power of ten, about five per axis; series take colours from one palette. */
#include "io/svgplot.h"

#include <math.h>
#include <string.h>

enum { W = 720, H = 340, ML = 78, MR = 170, MT = 34, MB = 52 };
static const char *const PALETTE[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"};
#define NPAL (sizeof PALETTE / sizeof PALETTE[0])

void svgplot_escape(FILE *out, const char *s) {
  static const struct {
    char c;
    const char *ent;
  } ENT[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}};
  for (; *s; s++) {
    size_t i = 0;
    while (i < 4 && ENT[i].c != *s) i++;
    if (i < 4)
      fputs(ENT[i].ent, out);
    else
      fputc(*s, out);
  }
}

typedef struct {
  double lo, hi;
} range;

static void extend(range *r, double v) {
  if (!isfinite(v)) return;
  if (v < r->lo) r->lo = v;
  if (v > r->hi) r->hi = v;
}

/* A tick step of 1, 2 or 5 x 10^k giving about five ticks over r. */
static double tick_step(range r) {
  double raw = (r.hi - r.lo) / 5, p = pow(10, floor(log10(raw))), f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void ranges(const svgplot *p, range *x, range *y) {
  *x = *y = (range){INFINITY, -INFINITY};
  for (size_t s = 0; s < p->n_series; s++) {
    const svgplot_series *ser = &p->series[s];
    for (size_t i = 0; i < ser->n; i++) {
      extend(x, ser->x[i]); /* every chart of a study spans the same x, gaps included */
      if (!isfinite(ser->y[i])) continue;
      extend(y, ser->y[i]);
      if (ser->lo) extend(y, ser->lo[i]);
      if (ser->hi) extend(y, ser->hi[i]);
    }
  }
  if (y->lo > 0 && y->lo < 0.5 * y->hi) y->lo = 0; /* show zero when it is near */
  if (!(y->hi > y->lo)) y->lo -= fabs(y->lo) * 0.1 + 1, y->hi += fabs(y->hi) * 0.1 + 1;
  if (!(x->hi > x->lo)) x->lo -= 0.5, x->hi += 0.5;
  double st = tick_step(*y);
  y->lo = floor(y->lo / st) * st, y->hi = ceil(y->hi / st) * st;
}

static double px(range r, double v) { return ML + (v - r.lo) / (r.hi - r.lo) * (W - ML - MR); }
static double py(range r, double v) { return H - MB - (v - r.lo) / (r.hi - r.lo) * (H - MT - MB); }

static void axes(FILE *out, const svgplot *p, range x, range y) {
  double st = tick_step(y);
  fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", ML, MT,
          W - ML - MR, H - MT - MB);
  for (double v = ceil(y.lo / st - 1e-9) * st; v <= y.hi + st * 1e-9; v += st) { /* multiples of the step */
    double yy = py(y, v);
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", ML, W - MR, yy, yy);
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", ML - 6, yy + 4,
            fabs(v) < st * 1e-9 ? 0 : v);
  }
  if (p->x_ticks) {
    for (size_t i = 0; i < p->n_x_ticks; i++) {
      fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", px(x, (double)i), H - MB + 16);
      svgplot_escape(out, p->x_ticks[i]), fputs("</text>\n", out);
    }
  } else {
    double sx = tick_step(x);
    for (double v = ceil(x.lo / sx) * sx; v <= x.hi + sx * 1e-9; v += sx)
      fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.4g</text>\n", px(x, v), H - MB + 16,
              fabs(v) < sx * 1e-9 ? 0 : v);
  }
  fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (ML + W - MR) / 2, H - 12);
  svgplot_escape(out, p->x_label), fputs("</text>\n", out);
  fprintf(out, "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">", (MT + H - MB) / 2);
  svgplot_escape(out, p->y_label), fputs("</text>\n", out);
  fprintf(out, "<text x=\"%d\" y=\"20\" font-weight=\"bold\">", ML);
  svgplot_escape(out, p->title), fputs("</text>\n", out);
}

/* The band of runs of consecutive finite points, then the mean line and markers. */
static void series(FILE *out, const svgplot_series *s, const char *colour, range x, range y, size_t k) {
  for (size_t i = 0; i < s->n;) {
    if (!isfinite(s->y[i])) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < s->n && isfinite(s->y[j])) j++;
    if (s->lo && s->hi) {
      fprintf(out, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" points=\"", colour);
      for (size_t q = i; q < j; q++)
        fprintf(out, "%.1f,%.1f ", px(x, s->x[q]), py(y, isfinite(s->hi[q]) ? s->hi[q] : s->y[q]));
      for (size_t q = j; q-- > i;)
        fprintf(out, "%.1f,%.1f ", px(x, s->x[q]), py(y, isfinite(s->lo[q]) ? s->lo[q] : s->y[q]));
      fputs("\"/>\n", out);
    }
    fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
    for (size_t q = i; q < j; q++) fprintf(out, "%.1f,%.1f ", px(x, s->x[q]), py(y, s->y[q]));
    fputs("\"/>\n", out);
    for (size_t q = i; q < j; q++)
      fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%.4g</title></circle>\n", px(x, s->x[q]),
              py(y, s->y[q]), colour, s->y[q]);
    i = j;
  }
  if (s->label && *s->label) {
    double ly = MT + 14 + 18.0 * (double)k;
    fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"4\" fill=\"%s\"/>", W - MR + 12, ly - 6, colour);
    fprintf(out, "<text x=\"%d\" y=\"%.1f\">", W - MR + 30, ly), svgplot_escape(out, s->label), fputs("</text>\n", out);
  }
}

void svgplot_write(FILE *out, const svgplot *p) {
  range x, y;
  ranges(p, &x, &y);
  if (!isfinite(y.lo) || !isfinite(y.hi) || !isfinite(x.lo) || !isfinite(x.hi)) {
    fputs("<p class=\"note\">", out), svgplot_escape(out, p->title);
    fputs(": no stable value to plot (every point saturated or not measured).</p>\n", out);
    return;
  }
  fprintf(out,
          "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" font-family=\"sans-serif\" "
          "font-size=\"11\"><title>",
          W, H, W, H);
  svgplot_escape(out, p->title), fputs("</title>\n", out);
  axes(out, p, x, y);
  for (size_t s = 0; s < p->n_series; s++) series(out, &p->series[s], PALETTE[s % NPAL], x, y, s);
  fputs("</svg>\n", out);
}
