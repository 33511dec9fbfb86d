/*
 * ms_svg.c — the charts of the backtest reports as inline SVG, and the
 * small HTML page builder that holds them (contract: ms_svg.h).
 *
 * The reports must open anywhere, offline, and two runs on the same data
 * must produce the same bytes so that reports can be diffed. So every chart
 * is plain SVG text built in an ms_buf: no script, no external font, style
 * sheet or image, coordinates printed with one decimal in the C locale's
 * fixed format, and nothing that depends on the clock or on memory
 * addresses. Layout uses a fixed estimate of the width of a character
 * (sans-serif at 11 px) instead of measuring text, which keeps it
 * deterministic at the cost of a little slack around labels.
 *
 * Axes: linear axes are widened to "nice" bounds with steps of 1, 2 or 5
 * times a power of ten; logarithmic axes put ticks at 1, 2 and 5 of each
 * decade (every decade, or every k-th, when the range is wide); date axes
 * put ticks on the first of a month (every 1, 2, 3, 6, 12... months,
 * labelled YYYY-MM) or, for ranges under two months, on days
 * (YYYY-MM-DD). Labels that would overlap are thinned; grid lines stay.
 *
 * Every writer below records the first ms_buf failure in its struct svgw
 * and the public functions turn it into MS_ERR_NOMEM, after cutting the
 * buffer back to where the call started, so a caller never has half a
 * chart in its page.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_svg.h"

#define DEF_W 760
#define DEF_H 320
#define MIN_W 240
#define MAX_W 4000
#define MIN_H 160
#define MAX_H 4000
#define MAX_BINS 200
#define MAX_CELLS_SIDE 1000
#define MAX_TICKS 64
#define CHAR_W 6.6               /* estimated width of a char at 11 px */
#define TITLE_CHAR_W 7.8         /* at 13 px bold */
#define FONT 11
#define LEGEND_ROW 18.0
#define MAX_ABS 1e300            /* larger values cannot be drawn */
#define MAX_DECADE 300           /* log axes: 1e-300 .. 1e300 */

/* Okabe & Ito's colour-blind safe palette (yellow left out: too pale). */
static const char *const palette[] = { "#0072B2", "#E69F00", "#009E73",
	"#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999933" };
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

/* ---- writer ---------------------------------------------------------- */

struct svgw {
	struct ms_buf *b;
	size_t start;                /* b->len when the call began */
	int err;
};

static void
w_init(struct svgw *w, struct ms_buf *b)
{
	w->b = b;
	w->start = b->len;
	w->err = 0;
}

static void
w_puts(struct svgw *w, const char *s)
{
	if (w->err == 0 && ms_buf_puts(w->b, s) != 0)
		w->err = 1;
}

static void
w_printf(struct svgw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
w_printf(struct svgw *w, const char *fmt, ...)
{
	va_list ap;

	if (w->err != 0)
		return;
	va_start(ap, fmt);
	if (ms_buf_vprintf(w->b, fmt, ap) != 0)
		w->err = 1;
	va_end(ap);
}

/* 0, or MS_ERR_NOMEM with the buffer cut back to where the call began. */
static int
w_finish(struct svgw *w)
{
	if (w->err == 0)
		return 0;
	w->b->len = w->start;
	if (w->b->data != NULL)
		w->b->data[w->start] = '\0';
	return MS_ERR_NOMEM;
}

/*
 * Length of the valid UTF-8 sequence at p that is also an XML 1.0
 * character, or 0.
 */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned c = p[0];

	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
			return 0;
		/* U+FFFE and U+FFFF are not XML characters. */
		if (c == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/*
 * Appends s XML-escaped (& < > " ' as entities), with control bytes and
 * invalid UTF-8 replaced by U+FFFD, so the output is always well-formed.
 */
static void
w_esc(struct svgw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *run = p;

	while (*p != '\0') {
		const char *rep = NULL;
		size_t adv = 1;

		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				rep = "\xef\xbf\xbd";
			else if (*p >= 0x80 && (adv = utf8_len(p)) == 0) {
				rep = "\xef\xbf\xbd";
				adv = 1;
			}
		}
		if (rep == NULL) {
			p += adv;
			continue;
		}
		if (p > run && w->err == 0 &&
		    ms_buf_append(w->b, run, (size_t)(p - run)) != 0)
			w->err = 1;
		w_puts(w, rep);
		p += adv;
		run = p;
	}
	if (p > run && w->err == 0 &&
	    ms_buf_append(w->b, run, (size_t)(p - run)) != 0)
		w->err = 1;
}

/* Characters (code points) of s, for the layout estimate. */
static size_t
text_chars(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)(s ? s : "");
	    *p != '\0'; p++)
		if ((*p & 0xc0) != 0x80)
			n++;
	return n;
}

static double
text_w(const char *s)
{
	return (double)text_chars(s) * CHAR_W;
}

/* A coordinate with one decimal, never "-0.0". */
static void
w_num(struct svgw *w, double v)
{
	double r = round(v * 10) / 10;

	if (r == 0)
		r = 0;               /* -0.0 == 0: this stores +0.0 */
	w_printf(w, "%.1f", r);
}

/* attr="v" with a leading space. */
static void
w_attr(struct svgw *w, const char *name, double v)
{
	w_printf(w, " %s=\"", name);
	w_num(w, v);
	w_puts(w, "\"");
}

static void
w_text(struct svgw *w, double x, double y, const char *anchor,
    const char *extra, const char *s)
{
	w_puts(w, "<text");
	w_attr(w, "x", x);
	w_attr(w, "y", y);
	if (anchor != NULL)
		w_printf(w, " text-anchor=\"%s\"", anchor);
	if (extra != NULL)
		w_printf(w, " %s", extra);
	w_puts(w, ">");
	w_esc(w, s);
	w_puts(w, "</text>\n");
}

/* ---- numbers --------------------------------------------------------- */

/*
 * Formats v in the fewest decimals (0..6) that show it: tick values are
 * round numbers, so this gives "0.5", "20", "1.25". With percent v is a
 * fraction (0.1 = "10%"); plus adds "+" to positive values. Large plain
 * numbers take a suffix: 25000 = "25k", 3e6 = "3M".
 */
static void
fmt_num(char *out, size_t n, double v, int percent, int plus)
{
	const char *suf = "";
	double x = percent ? v * 100 : v, ax;
	int d;

	if (fabs(x) < 1e-12)
		x = 0;
	ax = fabs(x);
	if (!percent) {
		if (ax >= 1e12) {
			x /= 1e12;
			suf = "T";
		} else if (ax >= 1e9) {
			x /= 1e9;
			suf = "B";
		} else if (ax >= 1e6) {
			x /= 1e6;
			suf = "M";
		} else if (ax >= 1e4) {
			x /= 1e3;
			suf = "k";
		}
	}
	if (ax != 0 && ax < 1e-4 && !percent) {
		snprintf(out, n, "%.0e", x);
		return;
	}
	for (d = 0; d < 6; d++) {
		double s = pow(10, d), y = x * s;
		if (fabs(y - round(y)) <= 1e-6 * fmax(1, fabs(y)))
			break;
	}
	snprintf(out, n, "%s%.*f%s%s", plus && x > 0 ? "+" : "", d, x, suf,
	    percent ? "%" : "");
}

/* A value for a tooltip or a cell: 3 significant digits. */
static void
fmt_val(char *out, size_t n, double v, int percent)
{
	if (!isfinite(v) || !isfinite(v * 100))
		snprintf(out, n, "n/a");
	else if (percent)
		snprintf(out, n, "%.3g%%", v * 100);
	else
		snprintf(out, n, "%.3g", v);
}

/* ---- axes ------------------------------------------------------------ */

struct tick {
	double v;                    /* data value (not log10) */
	char label[40];
	int show;                    /* label drawn (not thinned) */
};

struct axis {
	int log, date, percent, plus;
	int ret1p;                   /* values are 1 + r, labels show r */
	double lo, hi;               /* range, in log10 units when log */
	struct tick t[MAX_TICKS];
	size_t nt;
};

static double
ax_tf(const struct axis *a, double v)
{
	return a->log ? log10(v) : v;
}

/* Pixel of v on an axis drawn from p0 (lo) to p1 (hi). */
static double
ax_px(const struct axis *a, double v, double p0, double p1)
{
	return p0 + (ax_tf(a, v) - a->lo) / (a->hi - a->lo) * (p1 - p0);
}

static void
add_tick(struct axis *a, double v)
{
	struct tick *t;

	if (a->nt >= MAX_TICKS)
		return;
	t = &a->t[a->nt++];
	t->v = v;
	t->show = 1;
	/* Returns from 10x up read better as multiples than as +900 %. */
	if (a->ret1p && a->percent && v >= 10 - 1e-9)
		snprintf(t->label, sizeof(t->label), v < 1e6 ? "%.0fx" : "%.0ex",
		    v);
	else if (a->ret1p)
		fmt_num(t->label, sizeof(t->label), v - 1, a->percent, 1);
	else
		fmt_num(t->label, sizeof(t->label), v, a->percent, a->plus);
}

/* A step of 1, 2 or 5 times a power of ten near raw. */
static double
nice_step(double raw)
{
	double mag = pow(10, floor(log10(raw))), f = raw / mag;

	if (f < 1.5)
		return mag;
	if (f < 3)
		return 2 * mag;
	if (f < 7)
		return 5 * mag;
	return 10 * mag;
}

/*
 * Linear ticks for [min, max] (finite, min <= max), about `target` of
 * them. expand: the range becomes the enclosing ticks; else it stays
 * [min, max] and only ticks inside are kept. MS_ERR_RANGE when the range
 * cannot be represented.
 */
static int
lin_ticks(struct axis *a, double min, double max, int target, int expand)
{
	double step, k0, k1;

	if (!(fabs(min) <= MAX_ABS && fabs(max) <= MAX_ABS))
		return MS_ERR_RANGE;
	if (max - min <= fmax(fabs(min), fabs(max)) * 1e-12) {
		/* One value: a range around it (absolute when it is ~0). */
		double d = fabs(min) * 0.1;
		if (!(d > 1e-300))
			d = 1;
		min -= d;
		max += d;
	}
	if (!isfinite(max - min))
		return MS_ERR_RANGE;
	step = nice_step((max - min) / target);
	if (!isfinite(step) || step <= 0)
		return MS_ERR_RANGE;
	k0 = floor(min / step + 1e-9);
	k1 = ceil(max / step - 1e-9);
	if (k1 - k0 > 100 || k1 < k0)
		return MS_ERR_RANGE;
	if (expand) {
		a->lo = k0 * step;
		a->hi = k1 * step;
	} else {
		a->lo = min;
		a->hi = max;
	}
	for (double k = k0; k <= k1; k++) {
		double v = k * step;
		if (v < a->lo - step * 1e-9 || v > a->hi + step * 1e-9)
			continue;
		add_tick(a, fabs(v) < step * 1e-9 ? 0 : v);
	}
	return 0;
}

/*
 * Logarithmic ticks for [min, max] (0 < min <= max): 1, 2 and 5 of each
 * decade over up to 3.5 decades, every decade up to 8, every k-th beyond.
 * expand: the range becomes the enclosing ticks.
 */
static int
log_ticks(struct axis *a, double min, double max, int expand)
{
	static const double m125[] = { 1, 2, 5 }, m1[] = { 1 };
	const double *ms;
	size_t nm;
	double lmin = log10(min), lmax = log10(max), span, lo, hi;
	int kstep = 1, k0, k1;

	if (!(lmin >= -MAX_DECADE && lmax <= MAX_DECADE))
		return MS_ERR_RANGE;
	if (lmax - lmin < 1e-9) {
		lmin -= 0.5;
		lmax += 0.5;
	}
	span = lmax - lmin;
	if (span <= 3.5) {
		ms = m125;
		nm = 3;
	} else {
		ms = m1;
		nm = 1;
		if (span > 8)
			kstep = (int)ceil(span / 8);
	}
	k0 = (int)floor(lmin) - 1;
	k1 = (int)ceil(lmax) + 1;
	k0 -= ((k0 % kstep) + kstep) % kstep;
	/* The enclosing ticks (or the data range). */
	lo = lmin;
	hi = lmax;
	if (expand) {
		lo = -HUGE_VAL;
		hi = HUGE_VAL;
		for (int k = k0; k <= k1; k += kstep)
			for (size_t i = 0; i < nm; i++) {
				double l = log10(ms[i]) + k;
				if (l <= lmin + 1e-9 && l > lo)
					lo = l;
				if (l >= lmax - 1e-9 && l < hi)
					hi = l;
			}
		if (!isfinite(lo) || !isfinite(hi))
			return MS_ERR_RANGE;
	}
	a->lo = lo;
	a->hi = hi;
	for (int k = k0; k <= k1; k += kstep)
		for (size_t i = 0; i < nm; i++) {
			double l = log10(ms[i]) + k;
			if (l >= lo - 1e-9 && l <= hi + 1e-9)
				add_tick(a, ms[i] * pow(10, k));
		}
	return 0;
}

/* Date ticks over [min, max] days, at most maxlab labels. */
static int
date_ticks(struct axis *a, double min, double max, int maxlab)
{
	static const int msteps[] = { 1, 2, 3, 6, 12, 24, 36, 60, 120, 240 };
	static const int dsteps[] = { 1, 2, 5, 7, 14, 28 };
	int32_t d0, d1;

	if (min < MS_DATE_MIN - 36600 || max > MS_DATE_MAX + 36600)
		return MS_ERR_RANGE;
	if (max - min < 1) {
		min -= 1;
		max += 1;
	}
	a->lo = min;
	a->hi = max;
	if (maxlab < 2)
		maxlab = 2;
	d0 = (int32_t)ceil(min);
	d1 = (int32_t)floor(max);
	if (max - min >= 60) {
		int y0, m0, y1, m1, dd, step = msteps[9];
		long mon0, mon1;
		ms_date_to_ymd(d0, &y0, &m0, &dd);
		ms_date_to_ymd(d1, &y1, &m1, &dd);
		mon0 = y0 * 12L + (m0 - 1);
		mon1 = y1 * 12L + (m1 - 1);
		for (size_t i = 0; i < sizeof(msteps) / sizeof(msteps[0]); i++)
			if ((mon1 - mon0) / msteps[i] + 1 <= maxlab) {
				step = msteps[i];
				break;
			}
		for (long mo = mon0; mo <= mon1 + 1; mo++) {
			int32_t day;
			if (mo % step != 0)
				continue;
			day = ms_date_from_ymd((int)(mo / 12), (int)(mo % 12) + 1, 1);
			if (day < min || day > max || a->nt >= MAX_TICKS)
				continue;
			a->t[a->nt].v = day;
			a->t[a->nt].show = 1;
			snprintf(a->t[a->nt].label, sizeof(a->t[0].label),
			    "%04d-%02d", (int)(mo / 12), (int)(mo % 12) + 1);
			a->nt++;
		}
	} else {
		int step = dsteps[5];
		for (size_t i = 0; i < sizeof(dsteps) / sizeof(dsteps[0]); i++)
			if ((d1 - d0) / dsteps[i] + 1 <= maxlab) {
				step = dsteps[i];
				break;
			}
		for (int32_t day = d0; day <= d1 && a->nt < MAX_TICKS;
		    day += step) {
			char s[MS_DATE_LEN + 1];
			ms_date_format(day, s);
			a->t[a->nt].v = day;
			a->t[a->nt].show = 1;
			memcpy(a->t[a->nt].label, s, sizeof(s));
			a->nt++;
		}
	}
	return 0;
}

static double
max_label_w(const struct axis *a)
{
	double m = 0;

	for (size_t i = 0; i < a->nt; i++)
		m = fmax(m, text_w(a->t[i].label));
	return m;
}

/*
 * Hides labels so that shown ones are at least `gap` pixels apart (centre
 * to centre), keeping every k-th label.
 */
static void
thin_labels(struct axis *a, double p0, double p1, double need)
{
	size_t k = 1;

	for (; k < a->nt; k++) {
		int ok = 1;
		for (size_t i = k; i < a->nt; i += k)
			if (fabs(ax_px(a, a->t[i].v, p0, p1) -
			    ax_px(a, a->t[i - k].v, p0, p1)) < need)
				ok = 0;
		if (ok)
			break;
	}
	for (size_t i = 0; i < a->nt; i++)
		a->t[i].show = i % k == 0;
}

/* ---- frame ----------------------------------------------------------- */

struct frame {
	int w, h;
	double x0, x1, y0, y1;       /* plot box: x0 left, y0 top */
	double legend_y;             /* first legend row's baseline */
	double title_y;
};

static int
chart_size(const struct ms_svg_axes *ax, int *w, int *h)
{
	*w = ax && ax->width ? ax->width : DEF_W;
	*h = ax && ax->height ? ax->height : DEF_H;
	if (*w < MIN_W || *w > MAX_W || *h < MIN_H || *h > MAX_H)
		return MS_ERR_RANGE;
	return 0;
}

/* Rows the legend takes for these item widths in a line of `avail` px. */
static int
legend_rows(const double *iw, size_t n, double avail)
{
	double x = 0;
	int rows = n > 0;

	for (size_t i = 0; i < n; i++) {
		if (x > 0 && x + iw[i] > avail) {
			rows++;
			x = 0;
		}
		x += iw[i];
	}
	return rows;
}

static void
svg_open(struct svgw *w, const struct frame *f, const struct ms_svg_axes *ax,
    const char *kind)
{
	w_printf(w, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart "
	    "%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "font-family=\"sans-serif\" font-size=\"%d\" role=\"img\">\n",
	    kind, f->w, f->h, f->w, f->h, FONT);
	if (ax != NULL && ax->title != NULL) {
		w_puts(w, "<title>");
		w_esc(w, ax->title);
		w_puts(w, "</title>\n");
	}
	w_printf(w, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
	    f->w, f->h);
	if (ax != NULL && ax->title != NULL)
		w_text(w, f->x0, f->title_y, NULL,
		    "font-size=\"13\" font-weight=\"bold\"", ax->title);
}

/*
 * Grid, tick labels, frame and axis labels of an x/y chart. The horizontal
 * grid lines start at yl_x (the y labels end there): f->x0, or further
 * left when the histogram puts its total-loss bar before the plot box.
 */
static void
draw_axes(struct svgw *w, const struct frame *f, const struct axis *xa,
    const struct axis *ya, const struct ms_svg_axes *ax, double yl_x)
{
	w_puts(w, "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n");
	for (size_t i = 0; i < xa->nt; i++) {
		double x = ax_px(xa, xa->t[i].v, f->x0, f->x1);
		w_puts(w, "<line");
		w_attr(w, "x1", x);
		w_attr(w, "y1", f->y0);
		w_attr(w, "x2", x);
		w_attr(w, "y2", f->y1);
		w_puts(w, "/>\n");
	}
	for (size_t i = 0; i < ya->nt; i++) {
		double y = ax_px(ya, ya->t[i].v, f->y1, f->y0);
		w_puts(w, "<line");
		w_attr(w, "x1", yl_x);
		w_attr(w, "y1", y);
		w_attr(w, "x2", f->x1);
		w_attr(w, "y2", y);
		/* The zero line of a linear axis stands out. */
		if (!ya->log && ya->t[i].v == 0 && ya->lo < 0 && ya->hi > 0)
			w_puts(w, " stroke=\"#888888\"");
		w_puts(w, "/>\n");
	}
	w_puts(w, "</g>\n<g fill=\"#333333\">\n");
	for (size_t i = 0; i < xa->nt; i++) {
		double x = ax_px(xa, xa->t[i].v, f->x0, f->x1);
		double hw = text_w(xa->t[i].label) / 2;
		/* A label that would stick out of the picture is left out. */
		if (xa->t[i].show && x - hw >= 0 && x + hw <= f->w)
			w_text(w, x, f->y1 + 15, "middle", NULL, xa->t[i].label);
	}
	for (size_t i = 0; i < ya->nt; i++)
		if (ya->t[i].show)
			w_text(w, yl_x - 5, ax_px(ya, ya->t[i].v, f->y1, f->y0) + 4,
			    "end", NULL, ya->t[i].label);
	w_puts(w, "</g>\n<rect fill=\"none\" stroke=\"#999999\"");
	w_attr(w, "x", f->x0);
	w_attr(w, "y", f->y0);
	w_attr(w, "width", f->x1 - f->x0);
	w_attr(w, "height", f->y1 - f->y0);
	w_puts(w, "/>\n");
	if (ax != NULL && ax->xlabel != NULL)
		w_text(w, (f->x0 + f->x1) / 2, f->y1 + 32, "middle", NULL,
		    ax->xlabel);
	if (ax != NULL && ax->ylabel != NULL) {
		char tr[96];
		double cy = (f->y0 + f->y1) / 2;
		snprintf(tr, sizeof(tr), "transform=\"rotate(-90 12 %.1f)\"", cy);
		w_text(w, 12, cy, "middle", tr, ax->ylabel);
	}
}

/* A legend swatch (a short line or a block) and its text, wrapped. */
struct legend {
	double x, y, xstart, xend;
};

static void
legend_item(struct svgw *w, struct legend *lg, const char *colour,
    const char *dash, int block, const char *text)
{
	double iw = 28 + text_w(text) + 14;

	if (lg->x > lg->xstart && lg->x + iw > lg->xend) {
		lg->x = lg->xstart;
		lg->y += LEGEND_ROW;
	}
	if (block) {
		w_printf(w, "<rect fill=\"%s\"", colour);
		w_attr(w, "x", lg->x);
		w_attr(w, "y", lg->y - 9);
		w_puts(w, " width=\"20\" height=\"10\"/>\n");
	} else {
		w_printf(w, "<line stroke=\"%s\" stroke-width=\"2\"%s", colour,
		    dash);
		w_attr(w, "x1", lg->x);
		w_attr(w, "y1", lg->y - 4);
		w_attr(w, "x2", lg->x + 20);
		w_attr(w, "y2", lg->y - 4);
		w_puts(w, "/>\n");
	}
	w_text(w, lg->x + 26, lg->y, NULL, NULL, text);
	lg->x += iw;
}

/* A note in grey under the plot, at the right. */
static void
draw_note(struct svgw *w, const struct frame *f, const char *text)
{
	w_text(w, f->x1, f->h - 4, "end", "fill=\"#666666\" font-size=\"10\"",
	    text);
}

/*
 * Places the plot box for a chart with these y labels (width ylw), nleg
 * legend rows, x tick labels, and a line for a note under them when note.
 */
static void
frame_layout(struct frame *f, const struct ms_svg_axes *ax, double ylw,
    int nleg, double right, int note)
{
	double top = 8;

	f->title_y = 20;
	if (ax != NULL && ax->title != NULL)
		top += 20;
	f->legend_y = top + 11;
	top += nleg * LEGEND_ROW + 6;
	f->x0 = 8 + (ax != NULL && ax->ylabel != NULL ? 18 : 0) + ylw + 8;
	f->x1 = f->w - right;
	f->y0 = top;
	f->y1 = f->h - 22 - (ax != NULL && ax->xlabel != NULL ? 16 : 0) -
	    (note ? 14 : 0);
}

static int
frame_ok(const struct frame *f)
{
	return f->x1 - f->x0 >= 40 && f->y1 - f->y0 >= 40;
}

/* ---- line charts ----------------------------------------------------- */

static double
sx(const struct ms_svg_series *s, size_t i)
{
	return s->x != NULL ? s->x[i] : (double)i;
}

/* Is the point drawable on these axes? */
static int
pt_ok(double x, double y, int xlog, int ylog)
{
	return isfinite(x) && isfinite(y) && (!xlog || x > 0) &&
	    (!ylog || y > 0);
}

static void
series_name(char *out, size_t n, const struct ms_svg_series *s, size_t k)
{
	if (s[k].name != NULL)
		snprintf(out, n, "%s", s[k].name);
	else
		snprintf(out, n, "series %zu", k + 1);
}

static const char *
series_dash(size_t k)
{
	return k >= NPALETTE ? " stroke-dasharray=\"6 3\"" : "";
}

/*
 * Draws series k: one <polyline> per run of drawable points (a NaN or a
 * value the log axis cannot show breaks the line), a small circle for a
 * run of one point. markers: a circle on every point too.
 */
static void
draw_series(struct svgw *w, const struct frame *f, const struct axis *xa,
    const struct axis *ya, const struct ms_svg_series *s, size_t k,
    int markers)
{
	const char *col = palette[k % NPALETTE];
	size_t i = 0;

	w_printf(w, "<g class=\"series\" fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"1.6\" stroke-linejoin=\"round\"%s>\n", col,
	    series_dash(k));
	while (i < s[k].n) {
		size_t j = i;
		while (j < s[k].n &&
		    pt_ok(sx(&s[k], j), s[k].y[j], xa->log, ya->log))
			j++;
		if (j - i == 1 && !markers) {
			w_printf(w, "<circle fill=\"%s\" stroke=\"none\" r=\"2\"",
			    col);
			w_attr(w, "cx", ax_px(xa, sx(&s[k], i), f->x0, f->x1));
			w_attr(w, "cy", ax_px(ya, s[k].y[i], f->y1, f->y0));
			w_puts(w, "/>\n");
		} else if (j - i > 1) {
			w_puts(w, "<polyline points=\"");
			for (size_t q = i; q < j; q++) {
				if (q > i)
					w_puts(w, " ");
				w_num(w, ax_px(xa, sx(&s[k], q), f->x0, f->x1));
				w_puts(w, ",");
				w_num(w, ax_px(ya, s[k].y[q], f->y1, f->y0));
			}
			w_puts(w, "\"/>\n");
		}
		if (markers)
			for (size_t q = i; q < j; q++) {
				w_printf(w, "<circle fill=\"%s\" r=\"3\"", col);
				w_attr(w, "cx", ax_px(xa, sx(&s[k], q), f->x0, f->x1));
				w_attr(w, "cy", ax_px(ya, s[k].y[q], f->y1, f->y0));
				w_puts(w, "/>\n");
			}
		i = j == i ? i + 1 : j;
	}
	w_puts(w, "</g>\n");
}

static int
check_series(const struct ms_svg_series *s, size_t ns)
{
	if (ns > MS_SVG_MAX_SERIES)
		return MS_ERR_RANGE;
	if (ns > 0 && s == NULL)
		return MS_ERR_INVALID;
	for (size_t k = 0; k < ns; k++) {
		if (s[k].n > MS_SVG_MAX_POINTS)
			return MS_ERR_RANGE;
		if (s[k].n > 0 && s[k].y == NULL)
			return MS_ERR_INVALID;
	}
	return 0;
}

/* Shared by lines and calibration: legend item widths and their rows. */
static int
series_legend_rows(const struct ms_svg_series *s, size_t ns, double avail,
    int extra_items, const double *extra_w)
{
	double iw[MS_SVG_MAX_SERIES + 2];
	size_t n = 0;
	char name[256];

	for (size_t k = 0; k < ns; k++) {
		series_name(name, sizeof(name), s, k);
		iw[n++] = 28 + text_w(name) + 14;
	}
	for (int e = 0; e < extra_items; e++)
		iw[n++] = extra_w[e];
	return legend_rows(iw, n, avail);
}

int
ms_svg_lines(struct ms_buf *b, const struct ms_svg_axes *ax,
    const struct ms_svg_series *s, size_t ns)
{
	struct frame f;
	struct axis xa, ya;
	struct svgw w;
	double xmin = HUGE_VAL, xmax = -HUGE_VAL, ymin = HUGE_VAL,
	    ymax = -HUGE_VAL;
	int xlog = ax && ax->x_log && !ax->x_is_date, ylog = ax && ax->y_log;
	size_t hidden = 0;
	int rc, nleg;

	if (b == NULL)
		return MS_ERR_INVALID;
	if ((rc = check_series(s, ns)) != 0)
		return rc;
	memset(&f, 0, sizeof(f));
	if ((rc = chart_size(ax, &f.w, &f.h)) != 0)
		return rc;
	for (size_t k = 0; k < ns; k++)
		for (size_t i = 0; i < s[k].n; i++) {
			double x = sx(&s[k], i), y = s[k].y[i];
			if (!pt_ok(x, y, xlog, ylog)) {
				if (isfinite(x) && isfinite(y))
					hidden++;
				continue;
			}
			xmin = fmin(xmin, x);
			xmax = fmax(xmax, x);
			ymin = fmin(ymin, y);
			ymax = fmax(ymax, y);
		}
	if (!(xmin <= xmax))
		return MS_ERR_RANGE;
	memset(&xa, 0, sizeof(xa));
	memset(&ya, 0, sizeof(ya));
	xa.log = xlog;
	xa.date = ax && ax->x_is_date;
	xa.percent = ax && ax->x_percent;
	ya.log = ylog;
	ya.percent = ax && ax->y_percent;
	rc = ylog ? log_ticks(&ya, ymin, ymax, 1) : lin_ticks(&ya, ymin, ymax,
	    5, 1);
	if (rc != 0)
		return rc;
	/* 26 px on the right: room for half a date label at the end. */
	frame_layout(&f, ax, max_label_w(&ya), 0, 26, hidden > 0);
	nleg = series_legend_rows(s, ns, f.x1 - f.x0, 0, NULL);
	frame_layout(&f, ax, max_label_w(&ya), nleg, 26, hidden > 0);
	if (!frame_ok(&f))
		return MS_ERR_RANGE;
	if (xa.date)
		rc = date_ticks(&xa, xmin, xmax, (int)((f.x1 - f.x0) / 64));
	else if (xlog)
		rc = log_ticks(&xa, xmin, xmax, 1);
	else
		rc = lin_ticks(&xa, xmin, xmax, 6, 1);
	if (rc != 0)
		return rc;
	thin_labels(&xa, f.x0, f.x1, max_label_w(&xa) + 10);
	thin_labels(&ya, f.y1, f.y0, 14);

	w_init(&w, b);
	svg_open(&w, &f, ax, "lines");
	draw_axes(&w, &f, &xa, &ya, ax, f.x0);
	for (size_t k = 0; k < ns; k++)
		draw_series(&w, &f, &xa, &ya, s, k, 0);
	if (nleg > 0) {
		struct legend lg = { f.x0, f.legend_y, f.x0, f.x1 };
		char name[256];
		w_puts(&w, "<g class=\"legend\">\n");
		for (size_t k = 0; k < ns; k++) {
			series_name(name, sizeof(name), s, k);
			legend_item(&w, &lg, palette[k % NPALETTE], series_dash(k), 0,
			    name);
		}
		w_puts(&w, "</g>\n");
	}
	if (hidden > 0) {
		char note[96];
		snprintf(note, sizeof(note), "%zu point%s at or below 0 not "
		    "drawn (log axis)", hidden, hidden == 1 ? "" : "s");
		draw_note(&w, &f, note);
	}
	w_puts(&w, "</svg>\n");
	return w_finish(&w);
}

/* ---- calibration ----------------------------------------------------- */

int
ms_svg_calibration(struct ms_buf *b, const struct ms_svg_axes *ax,
    const struct ms_svg_series *s, size_t ns)
{
	struct frame f;
	struct axis xa, ya;
	struct svgw w;
	size_t drawable = 0;
	int rc, nleg;
	double ref_w = 28 + text_w("perfect calibration") + 14;

	if (b == NULL)
		return MS_ERR_INVALID;
	if ((rc = check_series(s, ns)) != 0)
		return rc;
	memset(&f, 0, sizeof(f));
	if ((rc = chart_size(ax, &f.w, &f.h)) != 0)
		return rc;
	for (size_t k = 0; k < ns; k++)
		for (size_t i = 0; i < s[k].n; i++) {
			double x = sx(&s[k], i), y = s[k].y[i];
			if (isfinite(x) && isfinite(y) && x >= 0 && x <= 1 &&
			    y >= 0 && y <= 1)
				drawable++;
		}
	if (drawable == 0)
		return MS_ERR_RANGE;
	memset(&xa, 0, sizeof(xa));
	memset(&ya, 0, sizeof(ya));
	xa.percent = ya.percent = 1;
	xa.lo = ya.lo = 0;
	xa.hi = ya.hi = 1;
	for (int i = 0; i <= 10; i += 2) {
		add_tick(&xa, i / 10.0);
		add_tick(&ya, i / 10.0);
	}
	frame_layout(&f, ax, max_label_w(&ya), 0, 20, 0);
	nleg = series_legend_rows(s, ns, f.x1 - f.x0, 1, &ref_w);
	frame_layout(&f, ax, max_label_w(&ya), nleg, 20, 0);
	if (!frame_ok(&f))
		return MS_ERR_RANGE;

	w_init(&w, b);
	svg_open(&w, &f, ax, "calibration");
	draw_axes(&w, &f, &xa, &ya, ax, f.x0);
	w_puts(&w, "<line stroke=\"#777777\" stroke-dasharray=\"4 4\"");
	w_attr(&w, "x1", f.x0);
	w_attr(&w, "y1", f.y1);
	w_attr(&w, "x2", f.x1);
	w_attr(&w, "y2", f.y0);
	w_puts(&w, "/>\n");
	for (size_t k = 0; k < ns; k++) {
		/* Points outside the square become NaN: gaps. */
		const char *col = palette[k % NPALETTE];
		size_t i = 0;
		w_printf(&w, "<g class=\"series\" fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"1.6\"%s>\n", col, series_dash(k));
		while (i < s[k].n) {
			size_t j = i;
			for (; j < s[k].n; j++) {
				double x = sx(&s[k], j), y = s[k].y[j];
				if (!(isfinite(x) && isfinite(y) && x >= 0 && x <= 1 &&
				    y >= 0 && y <= 1))
					break;
			}
			if (j - i > 1) {
				w_puts(&w, "<polyline points=\"");
				for (size_t q = i; q < j; q++) {
					if (q > i)
						w_puts(&w, " ");
					w_num(&w, ax_px(&xa, sx(&s[k], q), f.x0, f.x1));
					w_puts(&w, ",");
					w_num(&w, ax_px(&ya, s[k].y[q], f.y1, f.y0));
				}
				w_puts(&w, "\"/>\n");
			}
			for (size_t q = i; q < j; q++) {
				char t[96], a1[32], a2[32];
				fmt_val(a1, sizeof(a1), sx(&s[k], q), 1);
				fmt_val(a2, sizeof(a2), s[k].y[q], 1);
				snprintf(t, sizeof(t), "nominal %s, observed %s", a1, a2);
				w_printf(&w, "<circle fill=\"%s\" r=\"3\"", col);
				w_attr(&w, "cx", ax_px(&xa, sx(&s[k], q), f.x0, f.x1));
				w_attr(&w, "cy", ax_px(&ya, s[k].y[q], f.y1, f.y0));
				w_puts(&w, "><title>");
				w_esc(&w, t);
				w_puts(&w, "</title></circle>\n");
			}
			i = j == i ? i + 1 : j;
		}
		w_puts(&w, "</g>\n");
	}
	{
		struct legend lg = { f.x0, f.legend_y, f.x0, f.x1 };
		char name[256];
		w_puts(&w, "<g class=\"legend\">\n");
		for (size_t k = 0; k < ns; k++) {
			series_name(name, sizeof(name), s, k);
			legend_item(&w, &lg, palette[k % NPALETTE], series_dash(k), 0,
			    name);
		}
		legend_item(&w, &lg, "#777777", " stroke-dasharray=\"4 4\"", 0,
		    "perfect calibration");
		w_puts(&w, "</g>\n");
	}
	w_puts(&w, "</svg>\n");
	return w_finish(&w);
}

/* ---- histogram ------------------------------------------------------- */

#define HIST_MAIN "#0072B2"
#define HIST_MARK "#D55E00"

int
ms_svg_histogram(struct ms_buf *b, const struct ms_svg_axes *ax,
    const double *v, size_t n, size_t bins)
{
	return ms_svg_histogram_marked(b, ax, v, NULL, n, bins, NULL, NULL);
}

/* One bar with its marked part and tooltip. */
static void
draw_bar(struct svgw *w, double x, double bw, double ybase, double yscale,
    size_t cnt, size_t mcnt, const char *range, const char *mname,
    int has_marked, int label_counts)
{
	char tip[160];

	if (has_marked)
		snprintf(tip, sizeof(tip), "%s: %zu (%s %zu)", range, cnt, mname,
		    mcnt);
	else
		snprintf(tip, sizeof(tip), "%s: %zu", range, cnt);
	w_printf(w, "<rect class=\"bar\" data-count=\"%zu\" fill=\"%s\"", cnt,
	    HIST_MAIN);
	w_attr(w, "x", x);
	w_attr(w, "y", ybase - cnt * yscale);
	w_attr(w, "width", bw);
	w_attr(w, "height", cnt * yscale);
	w_puts(w, "><title>");
	w_esc(w, tip);
	w_puts(w, "</title></rect>\n");
	if (has_marked && mcnt > 0) {
		w_printf(w, "<rect class=\"bar-marked\" data-count=\"%zu\" "
		    "fill=\"%s\"", mcnt, HIST_MARK);
		w_attr(w, "x", x);
		w_attr(w, "y", ybase - mcnt * yscale);
		w_attr(w, "width", bw);
		w_attr(w, "height", mcnt * yscale);
		w_puts(w, "><title>");
		w_esc(w, tip);
		w_puts(w, "</title></rect>\n");
	}
	if (label_counts && cnt > 0) {
		char c[24];
		snprintf(c, sizeof(c), "%zu", cnt);
		w_text(w, x + bw / 2, ybase - cnt * yscale - 3, "middle",
		    "font-size=\"9\" fill=\"#333333\"", c);
	}
}

int
ms_svg_histogram_marked(struct ms_buf *b, const struct ms_svg_axes *ax,
    const double *v, const int *marked, size_t n, size_t bins,
    const char *name, const char *marked_name)
{
	size_t count[MAX_BINS], mcount[MAX_BINS], loss = 0, mloss = 0,
	    nan = 0, total = 0, mtotal = 0, cmax = 0;
	int xlog = ax && ax->x_log, pct = ax && ax->x_percent, rc;
	double lo = HUGE_VAL, hi = -HUGE_VAL, bw, slot, yscale;
	struct frame f;
	struct axis xa, ya;
	struct svgw w;
	char lname[160], mlname[160];
	const char *nm = name ? name : "values";
	const char *mnm = marked_name ? marked_name : "marked";

	if (b == NULL || (n > 0 && v == NULL))
		return MS_ERR_INVALID;
	if (n > MS_SVG_MAX_POINTS || bins < 1 || bins > MAX_BINS)
		return MS_ERR_RANGE;
	memset(&f, 0, sizeof(f));
	if ((rc = chart_size(ax, &f.w, &f.h)) != 0)
		return rc;
	/* The binned value: v, or log10(1 + v). */
	for (size_t i = 0; i < n; i++) {
		double u;
		if (!isfinite(v[i]))
			continue;
		if (xlog && v[i] <= -1)
			continue;
		u = xlog ? log10(1 + v[i]) : v[i];
		lo = fmin(lo, u);
		hi = fmax(hi, u);
	}
	memset(count, 0, sizeof(count));
	memset(mcount, 0, sizeof(mcount));
	if (lo <= hi && hi - lo <= fmax(fabs(lo), fabs(hi)) * 1e-12) {
		/* One value: a range around it (absolute when it is ~0). */
		double d = xlog ? 0.05 : fabs(lo) * 0.05;
		if (!(d > 1e-300))
			d = 0.5;
		lo -= d;
		hi += d;
	}
	if (lo <= hi && !(fabs(lo) <= MAX_ABS && fabs(hi) <= MAX_ABS))
		return MS_ERR_RANGE;
	if (lo > hi) {
		/* Nothing to bin (only total losses, or nothing at all). */
		lo = xlog ? -0.3 : -0.5;
		hi = xlog ? 0.3 : 0.5;
	}
	bw = (hi - lo) / (double)bins;
	if (!(bw > 0) || !isfinite(bw))
		return MS_ERR_RANGE;
	for (size_t i = 0; i < n; i++) {
		int m = marked != NULL && marked[i] != 0;
		size_t k;
		if (!isfinite(v[i])) {
			nan++;
			continue;
		}
		total++;
		mtotal += (size_t)m;
		if (xlog && v[i] <= -1) {
			loss++;
			mloss += (size_t)m;
			continue;
		}
		{
			double u = xlog ? log10(1 + v[i]) : v[i];
			double q = floor((u - lo) / bw);
			k = !(q >= 0) ? 0 : q >= (double)bins ? bins - 1 : (size_t)q;
		}
		count[k]++;
		mcount[k] += (size_t)m;
	}
	if (total == 0)
		return MS_ERR_RANGE;
	for (size_t k = 0; k < bins; k++)
		if (count[k] > cmax)
			cmax = count[k];
	if (loss > cmax)
		cmax = loss;

	/* Axes: x in bin units (u), y in counts. */
	memset(&xa, 0, sizeof(xa));
	memset(&ya, 0, sizeof(ya));
	if (lin_ticks(&ya, 0, (double)(cmax < 4 ? 4 : cmax), 5, 1) != 0)
		return MS_ERR_RANGE;
	/* Counts are whole: drop fractional ticks. */
	{
		size_t o = 0;
		for (size_t i = 0; i < ya.nt; i++)
			if (ya.t[i].v == floor(ya.t[i].v))
				ya.t[o++] = ya.t[i];
		ya.nt = o;
	}
	snprintf(lname, sizeof(lname), "%s (%zu)", nm, total);
	snprintf(mlname, sizeof(mlname), "%s (%zu)", mnm, mtotal);
	{
		double iw[2] = { 28 + text_w(lname) + 14, 28 + text_w(mlname) + 14 };
		frame_layout(&f, ax, max_label_w(&ya), 0, 20, nan > 0);
		frame_layout(&f, ax, max_label_w(&ya),
		    legend_rows(iw, marked ? 2 : 1, f.x1 - f.x0), 20, nan > 0);
	}
	if (!frame_ok(&f))
		return MS_ERR_RANGE;
	/* A slot at the left for the total losses, one bar wide (>= 14 px). */
	slot = 0;
	if (loss > 0) {
		slot = fmax(14, (f.x1 - f.x0) / (double)(bins + 1));
		slot = fmin(slot, (f.x1 - f.x0) / 4);
	}
	xa.log = 0;
	xa.percent = pct;
	xa.lo = lo;
	xa.hi = hi;
	if (xlog) {
		/* Ticks on 1 + v, inside the binned range. */
		struct axis la;
		memset(&la, 0, sizeof(la));
		la.log = 1;
		la.ret1p = 1;
		la.percent = pct;
		if (log_ticks(&la, pow(10, lo), pow(10, hi), 0) != 0)
			return MS_ERR_RANGE;
		xa = la;
		xa.lo = lo;
		xa.hi = hi;
	} else if (lin_ticks(&xa, lo, hi, 6, 0) != 0) {
		return MS_ERR_RANGE;
	}
	{
		double px0 = f.x0 + (slot > 0 ? slot + 8 : 0);
		thin_labels(&xa, px0, f.x1, max_label_w(&xa) + 10);
		/* Keep clear of the -100 % label under the loss bar. */
		for (size_t i = 0; slot > 0 && i < xa.nt; i++)
			if (ax_px(&xa, xa.t[i].v, px0, f.x1) -
			    text_w(xa.t[i].label) / 2 < f.x0 + slot / 2 +
			    text_w("-100%") / 2 + 4)
				xa.t[i].show = 0;
	}

	w_init(&w, b);
	{
		/* The plot box starts after the loss slot. */
		struct frame g = f;
		g.x0 = f.x0 + (slot > 0 ? slot + 8 : 0);
		svg_open(&w, &f, ax, "histogram");
		draw_axes(&w, &g, &xa, &ya, ax, f.x0);
		yscale = (g.y1 - g.y0) / (ya.hi - ya.lo);
		if (slot > 0) {
			char lab[32];
			w_puts(&w, "<rect fill=\"none\" stroke=\"#999999\"");
			w_attr(&w, "x", f.x0);
			w_attr(&w, "y", f.y0);
			w_attr(&w, "width", slot);
			w_attr(&w, "height", f.y1 - f.y0);
			w_puts(&w, "/>\n");
			draw_bar(&w, f.x0 + 1, slot - 2, f.y1, yscale, loss, mloss,
			    "total loss (-100%)", mnm, marked != NULL, 1);
			if (pct)
				snprintf(lab, sizeof(lab), "-100%%");
			else
				snprintf(lab, sizeof(lab), "-1");
			w_text(&w, f.x0 + slot / 2, f.y1 + 15, "middle",
			    "fill=\"#333333\"", lab);
		}
		{
			double pw = (g.x1 - g.x0) / (double)bins;
			int labels = bins <= 40 && pw >= 14;
			for (size_t k = 0; k < bins; k++) {
				char a[40], c[40], range[100];
				double e0 = lo + bw * (double)k, e1 = lo + bw * (double)(k + 1);
				if (xlog) {
					fmt_val(a, sizeof(a), pow(10, e0) - 1, pct);
					fmt_val(c, sizeof(c), pow(10, e1) - 1, pct);
				} else {
					fmt_val(a, sizeof(a), e0, pct);
					fmt_val(c, sizeof(c), e1, pct);
				}
				snprintf(range, sizeof(range), "[%s, %s%c", a, c,
				    k + 1 == bins ? ']' : ')');
				if (count[k] == 0)
					continue;
				draw_bar(&w, g.x0 + pw * (double)k + (pw > 4 ? 0.5 : 0),
				    pw > 4 ? pw - 1 : pw, g.y1, yscale, count[k],
				    mcount[k], range, mnm, marked != NULL, labels);
			}
		}
		{
			struct legend lg = { f.x0, f.legend_y, f.x0, f.x1 };
			w_puts(&w, "<g class=\"legend\">\n");
			legend_item(&w, &lg, HIST_MAIN, "", 1, lname);
			if (marked != NULL)
				legend_item(&w, &lg, HIST_MARK, "", 1, mlname);
			w_puts(&w, "</g>\n");
		}
		if (nan > 0) {
			char note[96];
			snprintf(note, sizeof(note), "%zu value%s not drawn (unknown)",
			    nan, nan == 1 ? "" : "s");
			draw_note(&w, &f, note);
		}
	}
	w_puts(&w, "</svg>\n");
	return w_finish(&w);
}

/* ---- heat map -------------------------------------------------------- */

struct rgb {
	double r, g, b;
};

static struct rgb
mix(struct rgb a, struct rgb c, double t)
{
	struct rgb o = { a.r + (c.r - a.r) * t, a.g + (c.g - a.g) * t,
		a.b + (c.b - a.b) * t };
	return o;
}

/* Colour of v: diverging around 0 (red, white, blue) or sequential. */
static struct rgb
heat_colour(double v, double min, double max, int diverging)
{
	static const struct rgb seq[] = { { 68, 1, 84 }, { 59, 82, 139 },
		{ 33, 145, 140 }, { 94, 201, 98 }, { 253, 231, 37 } };
	static const struct rgb red = { 178, 24, 43 }, white = { 247, 247, 247 },
	    blue = { 33, 102, 172 };
	double t;

	if (diverging) {
		double m = fmax(fabs(min), fabs(max));
		t = m > 0 ? v / m : 0;
		return t < 0 ? mix(white, red, fmin(1, -t)) :
		    mix(white, blue, fmin(1, t));
	}
	t = max > min ? (v - min) / (max - min) : 0.5;
	t = fmin(1, fmax(0, t)) * 4;
	{
		int i = (int)floor(t);
		if (i >= 4)
			return seq[4];
		return mix(seq[i], seq[i + 1], t - i);
	}
}

static void
colour_hex(char out[8], struct rgb c)
{
	snprintf(out, 8, "#%02x%02x%02x", (unsigned)lround(c.r) & 0xff,
	    (unsigned)lround(c.g) & 0xff, (unsigned)lround(c.b) & 0xff);
}

int
ms_svg_heatmap(struct ms_buf *b, const struct ms_svg_axes *ax,
    const double *m, size_t rows, size_t cols,
    const char *const *row_labels, const char *const *col_labels)
{
	struct frame f;
	struct svgw w;
	double min = HUGE_VAL, max = -HUGE_VAL, rlw = 0, clw = 0, cw, ch,
	    bottom;
	int diverging, rc, rotate, pct = ax && ax->y_percent, any_nan = 0;
	char lab[32];

	if (b == NULL || m == NULL)
		return MS_ERR_INVALID;
	if (rows < 1 || cols < 1 || rows > MAX_CELLS_SIDE ||
	    cols > MAX_CELLS_SIDE || rows * cols > MS_SVG_MAX_POINTS)
		return MS_ERR_RANGE;
	memset(&f, 0, sizeof(f));
	if ((rc = chart_size(ax, &f.w, &f.h)) != 0)
		return rc;
	for (size_t i = 0; i < rows * cols; i++) {
		if (!isfinite(m[i])) {
			any_nan = 1;
			continue;
		}
		min = fmin(min, m[i]);
		max = fmax(max, m[i]);
	}
	if (!(min <= max) || !(fabs(min) <= MAX_ABS && fabs(max) <= MAX_ABS))
		return MS_ERR_RANGE;
	diverging = min < 0 && max > 0;
	for (size_t r = 0; r < rows; r++) {
		if (row_labels != NULL && row_labels[r] != NULL)
			rlw = fmax(rlw, text_w(row_labels[r]));
		else {
			snprintf(lab, sizeof(lab), "%zu", r + 1);
			rlw = fmax(rlw, text_w(lab));
		}
	}
	for (size_t c = 0; c < cols; c++) {
		if (col_labels != NULL && col_labels[c] != NULL)
			clw = fmax(clw, text_w(col_labels[c]));
		else {
			snprintf(lab, sizeof(lab), "%zu", c + 1);
			clw = fmax(clw, text_w(lab));
		}
	}
	f.title_y = 20;
	f.y0 = 8 + (ax != NULL && ax->title != NULL ? 22 : 4);
	f.x0 = 8 + (ax != NULL && ax->ylabel != NULL ? 18 : 0) + rlw + 8;
	f.x1 = f.w - 96;             /* room for the colour scale */
	cw = (f.x1 - f.x0) / (double)cols;
	rotate = clw > cw - 4;
	bottom = (rotate ? clw * 0.71 + 14 : 18) +
	    (ax != NULL && ax->xlabel != NULL ? 18 : 0) + 6;
	f.y1 = f.h - bottom;
	if (!frame_ok(&f))
		return MS_ERR_RANGE;
	ch = (f.y1 - f.y0) / (double)rows;

	w_init(&w, b);
	svg_open(&w, &f, ax, "heatmap");
	w_puts(&w, "<g class=\"cells\" stroke=\"#ffffff\" stroke-width=\"0.5\">\n");
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < cols; c++) {
			double val = m[r * cols + c];
			char hex[8], tip[200], vs[32];
			const char *rl = row_labels && row_labels[r] ? row_labels[r] : NULL;
			const char *cl = col_labels && col_labels[c] ? col_labels[c] : NULL;
			char rn[24], cn[24];
			if (rl == NULL) {
				snprintf(rn, sizeof(rn), "%zu", r + 1);
				rl = rn;
			}
			if (cl == NULL) {
				snprintf(cn, sizeof(cn), "%zu", c + 1);
				cl = cn;
			}
			if (isfinite(val))
				colour_hex(hex, heat_colour(val, min, max, diverging));
			else
				memcpy(hex, "#d0d0d0", 8);
			fmt_val(vs, sizeof(vs), val, pct);
			w_printf(&w, "<rect fill=\"%s\"%s", hex,
			    isfinite(val) ? "" : " class=\"nan\"");
			w_attr(&w, "x", f.x0 + cw * (double)c);
			w_attr(&w, "y", f.y0 + ch * (double)r);
			w_attr(&w, "width", cw);
			w_attr(&w, "height", ch);
			w_puts(&w, "><title>");
			w_esc(&w, rl);
			w_puts(&w, " / ");
			w_esc(&w, cl);
			snprintf(tip, sizeof(tip), ": %s", vs);
			w_esc(&w, tip);
			w_puts(&w, "</title></rect>\n");
		}
	w_puts(&w, "</g>\n");
	/* Values in the cells when they fit. */
	if (cw >= 36 && ch >= 14 && rows * cols <= 600) {
		w_puts(&w, "<g class=\"values\" font-size=\"10\" "
		    "text-anchor=\"middle\">\n");
		for (size_t r = 0; r < rows; r++)
			for (size_t c = 0; c < cols; c++) {
				double val = m[r * cols + c];
				char vs[32];
				struct rgb col;
				double lum;
				if (!isfinite(val))
					continue;
				col = heat_colour(val, min, max, diverging);
				lum = 0.299 * col.r + 0.587 * col.g + 0.114 * col.b;
				fmt_val(vs, sizeof(vs), val, pct);
				w_text(&w, f.x0 + cw * ((double)c + 0.5),
				    f.y0 + ch * ((double)r + 0.5) + 3.5, NULL,
				    lum < 128 ? "fill=\"#ffffff\"" : NULL, vs);
			}
		w_puts(&w, "</g>\n");
	}
	/* Row labels (thinned to one per 12 px) and column labels. */
	w_puts(&w, "<g fill=\"#333333\">\n");
	{
		size_t rk = ch >= 12 ? 1 : (size_t)ceil(12 / ch);
		size_t ck = rotate ? (cw >= 12 ? 1 : (size_t)ceil(12 / cw)) : 1;
		for (size_t r = 0; r < rows; r += rk) {
			const char *rl = row_labels && row_labels[r] ? row_labels[r] : NULL;
			if (rl == NULL) {
				snprintf(lab, sizeof(lab), "%zu", r + 1);
				rl = lab;
			}
			w_text(&w, f.x0 - 5, f.y0 + ch * ((double)r + 0.5) + 4, "end",
			    NULL, rl);
		}
		for (size_t c = 0; c < cols; c += ck) {
			const char *cl = col_labels && col_labels[c] ? col_labels[c] : NULL;
			double x = f.x0 + cw * ((double)c + 0.5);
			if (cl == NULL) {
				snprintf(lab, sizeof(lab), "%zu", c + 1);
				cl = lab;
			}
			if (rotate) {
				char tr[96];
				snprintf(tr, sizeof(tr), "transform=\"rotate(-45 %.1f "
				    "%.1f)\"", x, f.y1 + 12);
				w_text(&w, x, f.y1 + 12, "end", tr, cl);
			} else {
				w_text(&w, x, f.y1 + 14, "middle", NULL, cl);
			}
		}
	}
	w_puts(&w, "</g>\n");
	if (ax != NULL && ax->xlabel != NULL)
		w_text(&w, (f.x0 + f.x1) / 2, f.h - 6, "middle", NULL, ax->xlabel);
	if (ax != NULL && ax->ylabel != NULL) {
		char tr[96];
		double cy = (f.y0 + f.y1) / 2;
		snprintf(tr, sizeof(tr), "transform=\"rotate(-90 12 %.1f)\"", cy);
		w_text(&w, 12, cy, "middle", tr, ax->ylabel);
	}
	/* Colour scale: 20 steps from max (top) to min (bottom). */
	{
		double sx0 = f.x1 + 14, sh = fmin(f.y1 - f.y0, 200), step = sh / 20;
		char hex[8], a[32];
		w_puts(&w, "<g class=\"scale\">\n");
		for (int i = 0; i < 20; i++) {
			double t = max - (max - min) * (i + 0.5) / 20;
			colour_hex(hex, heat_colour(t, min, max, diverging));
			w_printf(&w, "<rect fill=\"%s\"", hex);
			w_attr(&w, "x", sx0);
			w_attr(&w, "y", f.y0 + step * i);
			w_attr(&w, "width", 14);
			w_attr(&w, "height", step + 0.2);
			w_puts(&w, "/>\n");
		}
		fmt_val(a, sizeof(a), max, pct);
		w_text(&w, sx0 + 18, f.y0 + 8, NULL, NULL, a);
		if (diverging && max > 0 && min < 0) {
			double y0 = f.y0 + sh * max / (max - min);
			w_text(&w, sx0 + 18, y0 + 4, NULL, NULL, "0");
		}
		fmt_val(a, sizeof(a), min, pct);
		w_text(&w, sx0 + 18, f.y0 + sh, NULL, NULL, a);
		if (any_nan) {
			w_puts(&w, "<rect fill=\"#d0d0d0\"");
			w_attr(&w, "x", sx0);
			w_attr(&w, "y", f.y0 + sh + 10);
			w_puts(&w, " width=\"14\" height=\"10\"/>\n");
			w_text(&w, sx0 + 18, f.y0 + sh + 19, NULL, NULL, "n/a");
		}
		w_puts(&w, "</g>\n");
	}
	w_puts(&w, "</svg>\n");
	return w_finish(&w);
}

/* ---- the HTML page --------------------------------------------------- */

static const char page_css[] =
    "body{font-family:sans-serif;color:#222;max-width:820px;"
    "margin:1.5em auto;padding:0 1em;line-height:1.45}\n"
    "h1{font-size:1.45em;margin-bottom:.3em}\n"
    "h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}\n"
    "table{border-collapse:collapse;margin:.7em 0;font-size:.9em}\n"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;"
    "vertical-align:top}\n"
    "th{background:#f2f2f2}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "svg{display:block;max-width:100%;height:auto;margin:.8em 0}\n"
    "p{margin:.6em 0}\n";

int
ms_html_begin(struct ms_buf *b, const char *title)
{
	struct svgw w;

	if (b == NULL)
		return MS_ERR_INVALID;
	w_init(&w, b);
	w_puts(&w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\"/>\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	    "'none'; style-src 'unsafe-inline'\"/>\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"/>\n<title>");
	w_esc(&w, title);
	w_puts(&w, "</title>\n<style>\n");
	w_puts(&w, page_css);
	w_puts(&w, "</style>\n</head>\n<body>\n<h1>");
	w_esc(&w, title);
	w_puts(&w, "</h1>\n");
	return w_finish(&w);
}

int
ms_html_h2(struct ms_buf *b, const char *text)
{
	struct svgw w;

	if (b == NULL)
		return MS_ERR_INVALID;
	w_init(&w, b);
	w_puts(&w, "<h2>");
	w_esc(&w, text);
	w_puts(&w, "</h2>\n");
	return w_finish(&w);
}

int
ms_html_p(struct ms_buf *b, const char *text)
{
	struct svgw w;

	if (b == NULL)
		return MS_ERR_INVALID;
	w_init(&w, b);
	w_puts(&w, "<p>");
	w_esc(&w, text);
	w_puts(&w, "</p>\n");
	return w_finish(&w);
}

/* Does the cell read as a number ("12", "-3.5%", "+1.2", "$1,000", "n/a")? */
static int
numeric_cell(const char *s)
{
	int digits = 0;

	if (strcmp(s, "n/a") == 0)
		return 1;
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '$')
		s++;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s != '.' && *s != ',' && !(*s == '%' && s[1] == '\0') &&
		    !(*s == 'x' && s[1] == '\0'))
			return 0;
	}
	return digits > 0;
}

int
ms_html_table(struct ms_buf *b, const char *const *cells, size_t rows,
    size_t cols)
{
	struct svgw w;

	if (b == NULL || (rows > 0 && cols > 0 && cells == NULL))
		return MS_ERR_INVALID;
	if (rows > MS_SVG_MAX_POINTS || cols > 1000 ||
	    (cols > 0 && rows > MS_SVG_MAX_POINTS / cols))
		return MS_ERR_RANGE;
	w_init(&w, b);
	w_puts(&w, "<table>\n");
	for (size_t r = 0; r < rows; r++) {
		w_puts(&w, "<tr>");
		for (size_t c = 0; c < cols; c++) {
			const char *s = cells[r * cols + c];
			if (s == NULL)
				s = "";
			if (r == 0)
				w_puts(&w, "<th>");
			else if (c > 0 && numeric_cell(s))
				w_puts(&w, "<td class=\"n\">");
			else
				w_puts(&w, "<td>");
			w_esc(&w, s);
			w_puts(&w, r == 0 ? "</th>" : "</td>");
		}
		w_puts(&w, "</tr>\n");
	}
	w_puts(&w, "</table>\n");
	return w_finish(&w);
}

int
ms_html_end(struct ms_buf *b)
{
	struct svgw w;

	if (b == NULL)
		return MS_ERR_INVALID;
	w_init(&w, b);
	w_puts(&w, "</body>\n</html>\n");
	return w_finish(&w);
}
