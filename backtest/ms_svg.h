/*
 * ms_svg.h — the charts of the backtest reports, drawn by Moonscope as
 * inline SVG (no script, no network, no external font), and the one
 * self-contained HTML page (report.html) that holds them.
 *
 * Every function appends to an ms_buf and returns 0, or MS_ERR_NOMEM when
 * the buffer's maximum is reached (the buffer is then left as it was before
 * the call), or MS_ERR_RANGE when the input cannot be drawn (no finite
 * point at all, a log axis with no positive value, n too large, a size out
 * of range, a value beyond +-1e300, a log axis beyond 1e-300 .. 1e300),
 * or MS_ERR_INVALID for a NULL buffer or data pointer. ax may
 * be NULL (no titles, linear axes, default size). NaN points are gaps (a
 * line is broken there; a histogram leaves them out and says how many).
 * Text is XML-escaped (and invalid UTF-8 or control bytes replaced), so
 * every chart is well-formed XML. Output is deterministic (same input,
 * same bytes), so reports can be compared. Each chart is one
 * <svg xmlns=...> element with font-family sans-serif and no references
 * to anything outside itself.
 */
#ifndef MS_SVG_H
#define MS_SVG_H

#include <stddef.h>

struct ms_buf;

#define MS_SVG_MAX_POINTS 1000000  /* per chart */
#define MS_SVG_MAX_SERIES 16

struct ms_svg_axes {
	const char *title;        /* above the chart; may be NULL */
	const char *xlabel, *ylabel;
	int x_is_date;            /* x values are days since 1970-01-01 */
	int x_log, y_log;         /* logarithmic axis (values <= 0 are gaps) */
	int y_percent;            /* tick labels as percentages (0.1 = 10 %) */
	int width, height;        /* pixels; 0 = the default 760 x 320;
	                             else 240..4000 x 160..4000 */
	int x_percent;            /* x tick labels as percentages (added
	                             last, so older initialisers still fit) */
};

struct ms_svg_series {
	const char *name;         /* legend; NULL = "series N" */
	const double *x, *y;      /* n points; x NULL = 0, 1, ..., n - 1 */
	size_t n;
};

/* Line chart of up to MS_SVG_MAX_SERIES series, with a legend. */
int ms_svg_lines(struct ms_buf *b, const struct ms_svg_axes *ax,
    const struct ms_svg_series *s, size_t ns);

/*
 * Histogram of v[n] in `bins` bins (1..200) over the finite range of v; with
 * ax->x_log the bins are equal in log10(1 + v) (for returns, which are
 * > -1), labelled in v (with x_percent: -90%, 0%, +100%, and from ten
 * times on as multiples of 1 + v: 10x, 100x). With x_log, values <= -1
 * (a total loss) are counted in a separate bar at the left, labelled
 * -100 %. NaN and infinite values are left out and their number is
 * printed under the chart. Each bar is a
 * <rect class="bar" data-count="N"> with a tooltip, so tests and readers
 * can check the counts. The count axis is linear; ax->y_log is ignored.
 */
int ms_svg_histogram(struct ms_buf *b, const struct ms_svg_axes *ax,
    const double *v, size_t n, size_t bins);

/*
 * The same, with the values whose marked[i] != 0 (e.g. picks that died)
 * drawn as the lower part of each bar in a second colour and counted in
 * the legend: "<name> (N)" for all values and "<marked_name> (M)" for the
 * marked ones (names may be NULL: "values", "marked"). marked may be NULL
 * (then it is ms_svg_histogram with named legend entries). The marked
 * part of a bar is <rect class="bar-marked" data-count="M">.
 */
int ms_svg_histogram_marked(struct ms_buf *b, const struct ms_svg_axes *ax,
    const double *v, const int *marked, size_t n, size_t bins,
    const char *name, const char *marked_name);

/*
 * Calibration plot: for each series, points (nominal[i], observed[i]) in
 * [0, 1] x [0, 1] (x = s[k].x, y = s[k].y) with the diagonal drawn for
 * reference; axes labelled in percent. Points outside the square or NaN
 * are gaps.
 */
int ms_svg_calibration(struct ms_buf *b, const struct ms_svg_axes *ax,
    const struct ms_svg_series *s, size_t ns);

/*
 * Heat map of m[rows * cols] (row-major; NaN cells grey) with row and column
 * labels (NULL = 1, 2, ...) and a colour scale legend: a diverging scale
 * (red below 0, blue above) when the values straddle 0, else a sequential
 * one. Values are written in the cells when they fit (as percentages with
 * ax->y_percent). rows and cols 1..1000.
 */
int ms_svg_heatmap(struct ms_buf *b, const struct ms_svg_axes *ax,
    const double *m, size_t rows, size_t cols,
    const char *const *row_labels, const char *const *col_labels);

/*
 * The HTML page: ms_html_begin writes the doctype, the <head> with inline
 * CSS (and a Content-Security-Policy that forbids loading anything) and the
 * <h1> title; ms_html_h2 / ms_html_p add a heading / a paragraph of
 * escaped text; ms_html_table adds a table of escaped cells (rows x cols,
 * row-major, header row first; NULL cells are empty; cells that read as
 * numbers are right-aligned); charts are appended between them with the
 * ms_svg_* functions; ms_html_end closes the page. The page is also
 * well-formed XML (void elements are self-closed). Same return values as
 * the charts.
 */
int ms_html_begin(struct ms_buf *b, const char *title);
int ms_html_h2(struct ms_buf *b, const char *text);
int ms_html_p(struct ms_buf *b, const char *text);
int ms_html_table(struct ms_buf *b, const char *const *cells, size_t rows,
    size_t cols);
int ms_html_end(struct ms_buf *b);

#endif
