/*
 * check_svg.c — tests of the report charts and page builder (ms_svg.h):
 * escaping, NaN gaps, log axes with values <= 0, heat-map NaN cells,
 * histogram counts against hand counts, ticks, the buffer maximum, and
 * byte-for-byte determinism.
 *
 * Counts and element numbers are read back from the SVG text: each line
 * run is one <polyline>, each lone point one <circle>, each histogram bar
 * a <rect class="bar" data-count="N">.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ms_bt.h"
#include "ms_bt_html.h"
#include "ms_buf.h"
#include "ms_error.h"
#include "ms_svg.h"
#include "testutil.h"

/* Occurrences of needle in the buffer. */
static size_t
count_str(const struct ms_buf *b, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	const char *p = b->data;

	if (p == NULL)
		return 0;
	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += k;
	}
	return n;
}

static int
has(const struct ms_buf *b, const char *needle)
{
	return b->data != NULL && strstr(b->data, needle) != NULL;
}

/* The data-count values of the elements with class cls, in order. */
static size_t
bar_counts(const struct ms_buf *b, const char *cls, long *out, size_t max)
{
	char pat[64];
	const char *p = b->data;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "class=\"%s\" data-count=\"", cls);
	while (p != NULL && (p = strstr(p, pat)) != NULL && n < max) {
		char *end;
		p += strlen(pat);
		out[n++] = strtol(p, &end, 10);
		ck_assert_int_eq(*end, '"');
	}
	return n;
}

START_TEST(test_escape)
{
	struct ms_buf b;
	double x[2] = { 0, 1 }, y[2] = { 1, 2 };
	struct ms_svg_series s = { "s<&>\"'1", x, y, 2 };
	struct ms_svg_axes ax = { .title = "T<a&b>\"q\"", .xlabel = "x&y",
		.ylabel = "<y>" };
	const char *cells[4] = { "h<1>", "h&2", "a\"b", NULL };

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_svg_lines(&b, &ax, &s, 1), 0);
	ck_assert(has(&b, "T&lt;a&amp;b&gt;&quot;q&quot;"));
	ck_assert(has(&b, "s&lt;&amp;&gt;&quot;&#39;1"));
	ck_assert(has(&b, ">x&amp;y<"));
	ck_assert(has(&b, ">&lt;y&gt;<"));
	ck_assert(!has(&b, "T<a"));
	ck_assert(!has(&b, "s<&"));
	ms_buf_reset(&b);
	ck_assert_int_eq(ms_html_begin(&b, "R<&>\""), 0);
	ck_assert_int_eq(ms_html_h2(&b, "h<2>"), 0);
	ck_assert_int_eq(ms_html_p(&b, "p & q"), 0);
	ck_assert_int_eq(ms_html_table(&b, cells, 2, 2), 0);
	ck_assert_int_eq(ms_html_end(&b), 0);
	ck_assert(has(&b, "<title>R&lt;&amp;&gt;&quot;</title>"));
	ck_assert(has(&b, "<h1>R&lt;&amp;&gt;&quot;</h1>"));
	ck_assert(has(&b, "<h2>h&lt;2&gt;</h2>"));
	ck_assert(has(&b, "<p>p &amp; q</p>"));
	ck_assert(has(&b, "<th>h&lt;1&gt;</th><th>h&amp;2</th>"));
	ck_assert(has(&b, "<td>a&quot;b</td><td></td>"));
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_escape_bytes)
{
	struct ms_buf b;

	/* A control byte, a lone continuation byte, a surrogate, U+FFFE,
	 * and valid UTF-8 (é, €, an emoji) that must pass unchanged. */
	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_html_p(&b, "a\x01" "b\x80" "c\xed\xa0\x80"
	    "d\xef\xbf\xbe" "e\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80"), 0);
	ck_assert_str_eq(b.data, "<p>a\xef\xbf\xbd" "b\xef\xbf\xbd"
	    "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "e\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80</p>\n");
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_nan_gaps)
{
	struct ms_buf b;
	double y1[5] = { 1, 2, NAN, 3, 4 }, y2[3] = { 1, NAN, 3 };
	double y3[6] = { NAN, 1, 2, 3, NAN, NAN };
	struct ms_svg_series s = { "a", NULL, y1, 5 };

	ms_buf_init(&b, 0);
	/* Two runs of two points: two polylines. */
	ck_assert_int_eq(ms_svg_lines(&b, NULL, &s, 1), 0);
	ck_assert_uint_eq(count_str(&b, "<polyline"), 2);
	ck_assert_uint_eq(count_str(&b, "<circle"), 0);
	/* Two lone points: no line, two dots. */
	ms_buf_reset(&b);
	s.y = y2;
	s.n = 3;
	ck_assert_int_eq(ms_svg_lines(&b, NULL, &s, 1), 0);
	ck_assert_uint_eq(count_str(&b, "<polyline"), 0);
	ck_assert_uint_eq(count_str(&b, "<circle"), 2);
	/* Leading and trailing NaN: one line of three points. */
	ms_buf_reset(&b);
	s.y = y3;
	s.n = 6;
	ck_assert_int_eq(ms_svg_lines(&b, NULL, &s, 1), 0);
	ck_assert_uint_eq(count_str(&b, "<polyline"), 1);
	{
		const char *p = strstr(b.data, "<polyline points=\"");
		size_t spaces = 0;
		ck_assert_ptr_nonnull(p);
		for (p += 18; *p != '"'; p++)
			spaces += *p == ' ';
		ck_assert_uint_eq(spaces, 2);     /* three points */
	}
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_log_nonpositive)
{
	struct ms_buf b;
	double y[5] = { 1, 0, -1, 10, 100 }, bad[3] = { 0, -2, NAN };
	struct ms_svg_series s = { "eq", NULL, y, 5 };
	struct ms_svg_axes ax = { .y_log = 1 };

	ms_buf_init(&b, 0);
	/* 0 and -1 cannot be drawn: the run [1] is a dot, [10, 100] a line. */
	ck_assert_int_eq(ms_svg_lines(&b, &ax, &s, 1), 0);
	ck_assert_uint_eq(count_str(&b, "<polyline"), 1);
	ck_assert_uint_eq(count_str(&b, "<circle"), 1);
	ck_assert(has(&b, "2 points at or below 0 not drawn (log axis)"));
	/* Log ticks at 1-2-5 (two decades). */
	ck_assert(has(&b, ">1</text>"));
	ck_assert(has(&b, ">2</text>"));
	ck_assert(has(&b, ">5</text>"));
	ck_assert(has(&b, ">50</text>"));
	ck_assert(has(&b, ">100</text>"));
	/* Nothing positive: nothing to draw. */
	ms_buf_reset(&b);
	s.y = bad;
	s.n = 3;
	ck_assert_int_eq(ms_svg_lines(&b, &ax, &s, 1), MS_ERR_RANGE);
	ck_assert_uint_eq(b.len, 0);
	/* The same on a log x axis. */
	ax.y_log = 0;
	ax.x_log = 1;
	s.x = bad;
	s.y = y;
	ck_assert_int_eq(ms_svg_lines(&b, &ax, &s, 1), MS_ERR_RANGE);
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_ticks)
{
	struct ms_buf b;
	double x[2], y[2] = { -0.43, 0 }, z[2] = { 0.004, 2 };
	struct ms_svg_series s = { "dd", x, y, 2 };
	struct ms_svg_axes ax = { .x_is_date = 1, .y_percent = 1 };

	ms_buf_init(&b, 0);
	x[0] = 17532;                  /* 2018-01-01 */
	x[1] = 17713;                  /* 2018-07-01 */
	ck_assert_int_eq(ms_svg_lines(&b, &ax, &s, 1), 0);
	ck_assert(has(&b, ">2018-03</text>"));
	ck_assert(has(&b, ">2018-07</text>"));
	ck_assert(!has(&b, "2018-03-"));
	ck_assert(has(&b, ">-50%</text>"));
	ck_assert(has(&b, ">-20%</text>"));
	ck_assert(has(&b, ">0%</text>"));
	ck_assert(!has(&b, "-0%"));
	/* Under two months: days. */
	ms_buf_reset(&b);
	x[1] = 17532 + 20;
	ck_assert_int_eq(ms_svg_lines(&b, &ax, &s, 1), 0);
	ck_assert(has(&b, ">2018-01-01</text>"));
	/* A wide log axis: only decades (0.001 .. 10, 4 decades). */
	ms_buf_reset(&b);
	ax.x_is_date = 0;
	ax.y_percent = 0;
	ax.y_log = 1;
	s.y = z;
	x[0] = 0;
	x[1] = 1;
	z[0] = 0.0004;
	z[1] = 2;
	ck_assert_int_eq(ms_svg_lines(&b, &ax, &s, 1), 0);
	ck_assert(has(&b, ">0.001</text>"));
	ck_assert(has(&b, ">1</text>"));
	ck_assert(!has(&b, ">0.002</text>"));
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_heatmap_nan)
{
	struct ms_buf b;
	double m[6] = { 1, NAN, -2, 0.5, NAN, 3 }, allnan[2] = { NAN, NAN };
	const char *rl[2] = { "top <5>", "top 10" }, *cl[3] = { "7", "14", "28" };
	struct ms_svg_axes ax = { .title = "Sharpe" };

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_svg_heatmap(&b, &ax, m, 2, 3, rl, cl), 0);
	/* Six cells, two of them NaN (grey) and listed in the scale. */
	ck_assert_uint_eq(count_str(&b, "<rect fill=\"#d0d0d0\" class=\"nan\""),
	    2);
	ck_assert(has(&b, ">n/a</text>"));
	ck_assert(has(&b, "top &lt;5&gt; / 14: n/a"));
	ck_assert(has(&b, "top 10 / 28: 3"));
	/* Straddles 0: a diverging scale with 0 marked. */
	ck_assert(has(&b, ">0</text>"));
	ms_buf_reset(&b);
	ck_assert_int_eq(ms_svg_heatmap(&b, &ax, allnan, 1, 2, NULL, NULL),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_heatmap(&b, &ax, m, 0, 3, NULL, NULL),
	    MS_ERR_RANGE);
	ck_assert_uint_eq(b.len, 0);
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_histogram_linear)
{
	struct ms_buf b;
	double v[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, NAN, 10 };
	long c[16];
	struct ms_svg_axes ax = { .title = "h" };

	/*
	 * Finite range [0, 10] in 5 bins of width 2:
	 *   [0,2): 0 1 -> 2   [2,4): 2 3 -> 2   [4,6): 4 5 -> 2
	 *   [6,8): 6 7 -> 2   [8,10]: 8 9 10 -> 3 (the last bin is closed)
	 * and the NaN is left out and mentioned.
	 */
	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_svg_histogram(&b, &ax, v, 12, 5), 0);
	ck_assert_uint_eq(bar_counts(&b, "bar", c, 16), 5);
	ck_assert_int_eq(c[0], 2);
	ck_assert_int_eq(c[1], 2);
	ck_assert_int_eq(c[2], 2);
	ck_assert_int_eq(c[3], 2);
	ck_assert_int_eq(c[4], 3);
	ck_assert(has(&b, "1 value not drawn (unknown)"));
	ck_assert(has(&b, "values (11)"));
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_histogram_log)
{
	struct ms_buf b;
	double v[8] = { -1, -1.5, -0.8, 0.5, 4, 99, NAN, 0.1 };
	int mk[8] = { 1, 0, 0, 0, 1, 0, 1, 1 };
	long c[16], mc[16];
	struct ms_svg_axes ax = { .x_log = 1, .x_percent = 1 };

	/*
	 * log10(1 + v): -0.8 -> -0.69897, 0.5 -> 0.17609, 4 -> 0.69897,
	 * 99 -> 2, 0.1 -> 0.04139. Range [-0.69897, 2] in 3 bins of width
	 * 0.89966: edges -0.69897, 0.20069, 1.10034, 2.
	 *   bin 0: -0.8, 0.5, 0.1 -> 3 (marked: 0.1 -> 1)
	 *   bin 1: 4 -> 1 (marked 1)
	 *   bin 2: 99 -> 1 (marked 0)
	 * -1 and -1.5 are total losses: the separate bar, 2 (marked 1),
	 * drawn first. NaN (marked) is left out: 7 values, 3 marked.
	 */
	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_svg_histogram_marked(&b, &ax, v, mk, 8, 3,
	    "picks", "died"), 0);
	ck_assert_uint_eq(bar_counts(&b, "bar", c, 16), 4);
	ck_assert_int_eq(c[0], 2);
	ck_assert_int_eq(c[1], 3);
	ck_assert_int_eq(c[2], 1);
	ck_assert_int_eq(c[3], 1);
	ck_assert_uint_eq(bar_counts(&b, "bar-marked", mc, 16), 3);
	ck_assert_int_eq(mc[0], 1);      /* loss bar */
	ck_assert_int_eq(mc[1], 1);      /* bin 0 */
	ck_assert_int_eq(mc[2], 1);      /* bin 1 */
	ck_assert(has(&b, "picks (7)"));
	ck_assert(has(&b, "died (3)"));
	ck_assert(has(&b, ">-100%</text>"));
	ck_assert(has(&b, ">0%</text>"));
	ck_assert(has(&b, ">+100%</text>"));
	ck_assert(has(&b, "1 value not drawn (unknown)"));
	ms_buf_free(&b);
}
END_TEST

/* Builds every kind of chart and a page into b. */
static int
build_all(struct ms_buf *b)
{
	static const double x[6] = { 17532, 17533, 17534, 17535, 17536, 17537 };
	static const double y[6] = { 1, 1.1, NAN, 0.9, 1.3, 2.2 };
	static const double r[6] = { -1, -0.5, 0, 0.2, 3, NAN };
	static const double m[4] = { 0.1, -0.2, NAN, 0.4 };
	static const double nom[3] = { 0.5, 0.8, 0.9 }, obs[3] = { 0.4, 0.7, 1 };
	static const char *const cells[4] = { "a", "b", "1", "-2%" };
	struct ms_svg_series s[2] = { { "one", x, y, 6 }, { "two", x, r, 6 } };
	struct ms_svg_series cal = { "model", nom, obs, 3 };
	struct ms_svg_axes ax = { .title = "t", .xlabel = "x", .ylabel = "y",
		.x_is_date = 1 };
	struct ms_svg_axes lx = { .title = "r", .x_log = 1, .x_percent = 1 };
	int rc;

	if ((rc = ms_html_begin(b, "page")) != 0 ||
	    (rc = ms_html_h2(b, "h")) != 0 ||
	    (rc = ms_html_p(b, "p")) != 0 ||
	    (rc = ms_html_table(b, cells, 2, 2)) != 0 ||
	    (rc = ms_svg_lines(b, &ax, s, 2)) != 0 ||
	    (rc = ms_svg_histogram(b, &lx, r, 6, 4)) != 0 ||
	    (rc = ms_svg_calibration(b, NULL, &cal, 1)) != 0 ||
	    (rc = ms_svg_heatmap(b, NULL, m, 2, 2, NULL, NULL)) != 0)
		return rc;
	return ms_html_end(b);
}

START_TEST(test_deterministic)
{
	struct ms_buf a, b;

	ms_buf_init(&a, 0);
	ms_buf_init(&b, 0);
	ck_assert_int_eq(build_all(&a), 0);
	ck_assert_int_eq(build_all(&b), 0);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.data, b.data, a.len), 0);
	/* Self-contained: nothing that could be fetched or run. */
	ck_assert(!has(&a, "<script"));
	ck_assert(!has(&a, "href"));
	ck_assert(!has(&a, "src="));
	ck_assert(!has(&a, "url("));
	ck_assert(!has(&a, "@import"));
	ck_assert_uint_eq(count_str(&a, "http"),
	    count_str(&a, "xmlns=\"http://www.w3.org/2000/svg\"") +
	    count_str(&a, "http-equiv"));
	ck_assert_uint_eq(count_str(&a, "<svg "), 4);
	ck_assert_uint_eq(count_str(&a, "</svg>"), 4);
	ck_assert(has(&a, "<td class=\"n\">-2%</td>"));
	ck_assert(has(&a, "Content-Security-Policy"));
	ms_buf_free(&a);
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_limits_nomem)
{
	struct ms_buf full, b;
	size_t need;

	ms_buf_init(&full, 0);
	ck_assert_int_eq(build_all(&full), 0);
	need = full.len;
	/*
	 * With every maximum below the page's size some call fails with
	 * MS_ERR_NOMEM, and what was built before it is left intact (a
	 * prefix of the full page, ending at a call boundary).
	 */
	for (size_t max = 1; max < need; max += 97) {
		ms_buf_init(&b, max);
		ck_assert_int_eq(build_all(&b), MS_ERR_NOMEM);
		ck_assert_uint_le(b.len, max);
		if (b.len > 0)
			ck_assert_int_eq(memcmp(b.data, full.data, b.len), 0);
		ms_buf_free(&b);
	}
	ms_buf_init(&b, need);
	ck_assert_int_eq(build_all(&b), 0);
	ck_assert_uint_eq(b.len, need);
	ms_buf_free(&b);
	ms_buf_free(&full);
}
END_TEST

START_TEST(test_limits_nomem_unchanged)
{
	struct ms_buf b;
	double y[3] = { 1, 2, 3 };
	struct ms_svg_series s = { "a", NULL, y, 3 };

	ms_buf_init(&b, 200);
	ck_assert_int_eq(ms_buf_puts(&b, "keep"), 0);
	ck_assert_int_eq(ms_svg_lines(&b, NULL, &s, 1), MS_ERR_NOMEM);
	ck_assert_str_eq(b.data, "keep");
	ck_assert_int_eq(ms_svg_histogram(&b, NULL, y, 3, 3), MS_ERR_NOMEM);
	ck_assert_int_eq(ms_svg_heatmap(&b, NULL, y, 1, 3, NULL, NULL),
	    MS_ERR_NOMEM);
	ck_assert_int_eq(ms_svg_calibration(&b, NULL, &s, 1), MS_ERR_NOMEM);
	ck_assert_str_eq(b.data, "keep");
	ck_assert_uint_eq(b.len, 4);
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_limits_range)
{
	struct ms_buf b;
	double y[3] = { 1, 2, 3 }, nan3[3] = { NAN, NAN, NAN };
	struct ms_svg_series s[MS_SVG_MAX_SERIES + 1];
	struct ms_svg_axes small = { .width = 100 }, big = { .height = 5000 };

	for (size_t i = 0; i <= MS_SVG_MAX_SERIES; i++)
		s[i] = (struct ms_svg_series){ "s", NULL, y, 3 };
	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_svg_lines(&b, NULL, s, MS_SVG_MAX_SERIES), 0);
	ms_buf_reset(&b);
	ck_assert_int_eq(ms_svg_lines(&b, NULL, s, MS_SVG_MAX_SERIES + 1),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_lines(&b, NULL, s, 0), MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_lines(&b, &small, s, 1), MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_lines(&b, &big, s, 1), MS_ERR_RANGE);
	s[0].n = MS_SVG_MAX_POINTS + 1;      /* refused before any read */
	ck_assert_int_eq(ms_svg_lines(&b, NULL, s, 1), MS_ERR_RANGE);
	s[0].n = 3;
	s[0].y = nan3;
	ck_assert_int_eq(ms_svg_lines(&b, NULL, s, 1), MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_calibration(&b, NULL, s, 1), MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_histogram(&b, NULL, y, 3, 0), MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_histogram(&b, NULL, y, 3, 201), MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_histogram(&b, NULL, y, 3, 200), 0);
	ms_buf_reset(&b);
	ck_assert_int_eq(ms_svg_histogram(&b, NULL, nan3, 3, 5), MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_histogram(&b, NULL, y, MS_SVG_MAX_POINTS + 1,
	    5), MS_ERR_RANGE);
	ck_assert_int_eq(ms_svg_heatmap(&b, NULL, y, 1001, 1, NULL, NULL),
	    MS_ERR_RANGE);
	/* Values beyond 1e300 cannot be placed on an axis. */
	{
		double huge[2] = { 1, 1e301 };
		struct ms_svg_series h = { "h", NULL, huge, 2 };
		struct ms_svg_axes lg = { .y_log = 1 };
		ck_assert_int_eq(ms_svg_lines(&b, NULL, &h, 1), MS_ERR_RANGE);
		ck_assert_int_eq(ms_svg_lines(&b, &lg, &h, 1), MS_ERR_RANGE);
		ck_assert_int_eq(ms_svg_histogram(&b, NULL, huge, 2, 5),
		    MS_ERR_RANGE);
		ck_assert_int_eq(ms_svg_heatmap(&b, NULL, huge, 1, 2, NULL, NULL),
		    MS_ERR_RANGE);
	}
	/* NULL pointers are programmer errors. */
	ck_assert_int_eq(ms_svg_lines(NULL, NULL, s, 1), MS_ERR_INVALID);
	ck_assert_int_eq(ms_svg_histogram(&b, NULL, NULL, 3, 5), MS_ERR_INVALID);
	ck_assert_int_eq(ms_svg_heatmap(&b, NULL, NULL, 1, 1, NULL, NULL),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_html_p(NULL, "x"), MS_ERR_INVALID);
	ck_assert_uint_eq(b.len, 0);
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_limits_one_value)
{
	struct ms_buf b;
	double one = 5, x = 17532;
	struct ms_svg_series s = { "s", &x, &one, 1 };
	struct ms_svg_axes ax = { .x_is_date = 1, .y_log = 1 };
	long c[4];

	/* A single point or a single value still draws (widened ranges). */
	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_svg_lines(&b, &ax, &s, 1), 0);
	ck_assert_uint_eq(count_str(&b, "<circle"), 1);
	ms_buf_reset(&b);
	ck_assert_int_eq(ms_svg_histogram(&b, NULL, &one, 1, 3), 0);
	ck_assert_uint_eq(bar_counts(&b, "bar", c, 4), 1);
	ck_assert_int_eq(c[0], 1);
	ms_buf_free(&b);
}
END_TEST

/*
 * A small moonshot result written by hand: 5 days, 4 picks (one held, one
 * that died at -100 %, one total loss written off, one unfilled).
 */
static void
fake_result(struct ms_bt_result *r, struct ms_bt_period *per,
    struct ms_bt_pick *pk)
{
	static const double eq[5] = { 1, 1.2, 0.9, NAN, 1.5 };
	static const double ret[4] = { 0.5, -1, -1, NAN };
	static const enum ms_bt_status st[4] = { MS_BT_HELD, MS_BT_DIED,
		MS_BT_HELD, MS_BT_UNFILLED };

	memset(r, 0, sizeof(*r));
	ms_bt_params_default(&r->params);
	r->params.from = 17532;
	r->params.to = 17536;
	r->bench_asset.id = 1;
	snprintf(r->bench_asset.slug, sizeof(r->bench_asset.slug), "bitcoin");
	snprintf(r->bench_asset.symbol, sizeof(r->bench_asset.symbol), "BTC");
	r->ntranches = 1;
	for (int i = 0; i < 5; i++) {
		memset(&per[i], 0, sizeof(per[i]));
		per[i].day = 17532 + i;
		per[i].equity = eq[i];
		per[i].drawdown = i == 2 ? 0.9 / 1.2 - 1 : i == 3 ? NAN : 0;
		per[i].bench_equity = i == 0 ? NAN : 1 + 0.1 * i;
		per[i].universe_equity = 1 - 0.05 * i;
	}
	r->periods = per;
	r->nperiods = 5;
	for (int i = 0; i < 4; i++) {
		memset(&pk[i], 0, sizeof(pk[i]));
		pk[i].day = 17532;
		pk[i].rank = (size_t)i + 1;
		snprintf(pk[i].slug, sizeof(pk[i].slug), "coin-<%d>", i);
		pk[i].ret_net = ret[i];
		pk[i].max_gain = i == 0 ? 1.5 : 0.1;
		pk[i].status = st[i];
	}
	r->picks = pk;
	r->npicks = 4;
	r->portfolio.known = r->bench.known = r->universe.known = 1;
	r->portfolio.q.sharpe = 1.234;
	r->bench.q.sharpe = NAN;
	r->pick_stats.count = 3;
	r->pick_stats.win_rate = 1.0 / 3;
	r->pick_stats.died = 1;
	r->final_equity_usd = 150000;
}

START_TEST(test_bt_html)
{
	struct ms_bt_result r;
	struct ms_bt_period per[5];
	struct ms_bt_pick pk[4];
	struct ms_buf a, b;
	char dir[256], path[512], err[256];
	long c[8];
	FILE *f;

	fake_result(&r, per, pk);
	ms_buf_init(&a, 0);
	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_bt_html(&r, &a), 0);
	ck_assert_int_eq(ms_bt_html(&r, &b), 0);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.data, b.data, a.len), 0);
	ck_assert(has(&a, "<h1>Moonshot backtest 2018-01-01 .. 2018-01-05</h1>"));
	ck_assert(has(&a, ">1.23</td>"));
	ck_assert(has(&a, "bitcoin (buy and hold)"));
	/* The histogram: 3 judged picks, two total losses (one died) in the
	 * -100 % bar, the +50 % pick in a bin of its own. */
	ck_assert(has(&a, "picks (3)"));
	ck_assert(has(&a, "died (1)"));
	ck_assert_uint_ge(bar_counts(&a, "bar", c, 8), 2);
	ck_assert_int_eq(c[0], 2);
	ck_assert_int_eq(c[1], 1);
	ck_assert(has(&a, "coin-&lt;0&gt;"));
	ck_assert(!has(&a, "coin-<"));
	ck_assert(!has(&a, "<script"));
	ck_assert_uint_eq(count_str(&a, "<svg "), 4);
	/* The buffer maximum: NOMEM, never a partial success. */
	ms_buf_free(&b);
	ms_buf_init(&b, a.len - 1);
	ck_assert_int_eq(ms_bt_html(&r, &b), MS_ERR_NOMEM);
	ms_buf_free(&b);
	/* Written once to DIR/report.html. */
	tu_tmpdir(dir, sizeof(dir), "check_svg");
	ck_assert_int_eq(ms_bt_write_html(&r, dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	{
		char *text = malloc(a.len + 1);
		ck_assert_ptr_nonnull(text);
		ck_assert_uint_eq(fread(text, 1, a.len + 1, f), a.len);
		ck_assert_int_eq(memcmp(text, a.data, a.len), 0);
		free(text);
	}
	fclose(f);
	tu_rmtree(dir);
	ck_assert_int_ne(ms_bt_write_html(&r, "/nonexistent/dir", err,
	    sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "report.html"));
	ms_buf_free(&a);
}
END_TEST

Suite *make_svg_suite(void);

Suite *
make_svg_suite(void)
{
	Suite *s = suite_create("svg");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_test(core, test_escape);
	tcase_add_test(core, test_escape_bytes);
	tcase_add_test(core, test_nan_gaps);
	tcase_add_test(core, test_log_nonpositive);
	tcase_add_test(core, test_ticks);
	tcase_add_test(core, test_heatmap_nan);
	tcase_add_test(core, test_histogram_linear);
	tcase_add_test(core, test_histogram_log);
	tcase_add_test(core, test_deterministic);
	tcase_add_test(core, test_bt_html);
	tcase_add_test(limits, test_limits_nomem);
	tcase_add_test(limits, test_limits_nomem_unchanged);
	tcase_add_test(limits, test_limits_range);
	tcase_add_test(limits, test_limits_one_value);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
