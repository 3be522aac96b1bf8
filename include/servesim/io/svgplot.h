/* svgplot.h: line charts as inline SVG for self-contained HTML: series of (x, mean) points with a
 * shaded band (95% CI), linear axes with rounded ticks, a legend. No external references, no
 * namespace URLs (inline SVG in HTML5 needs none), no scripts.
 * Invariant: a NAN y leaves a gap (a point with no stable value is never drawn as a number); every
 * coordinate written is finite. */
#ifndef SERVESIM_SVGPLOT_H
#define SERVESIM_SVGPLOT_H
#include <stddef.h>
#include <stdio.h>

enum { SVGPLOT_MAX_SERIES = 16 };

typedef struct {
  const char *label;             /* legend text (may be "") */
  const double *x, *y, *lo, *hi; /* n values each; lo/hi may be NULL (no band) */
  size_t n;
} svgplot_series;

typedef struct {
  const char *title, *x_label, *y_label;
  const char *const *x_ticks; /* categorical x: one label per integer x 0..n-1 (NULL: numeric axis) */
  size_t n_x_ticks;
  svgplot_series series[SVGPLOT_MAX_SERIES];
  size_t n_series;
} svgplot;

/* Writes <svg ...>...</svg>; a chart with no finite point writes a short note instead. */
void svgplot_write(FILE *out, const svgplot *p);
/* Text with &, <, >, " escaped for HTML and SVG. */
void svgplot_escape(FILE *out, const char *s);

#endif
