/*
 * check_progress.c — tests of ms_progress: one line per 10 % step in a
 * log, a rate-limited bar on a terminal, and the edge cases (total 0,
 * done past total, no stream). Output goes to a tmpfile() that is read
 * back; the terminal mode is forced with pg.tty = 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ms_progress.h"

/* Everything written to f, NUL-terminated, in buf (cap bytes). */
static size_t
slurp(FILE *f, char *buf, size_t cap)
{
	size_t n;

	ck_assert_int_eq(fflush(f), 0);
	rewind(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	return n;
}

static size_t
count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

START_TEST(test_lines_every_10_percent)
{
	FILE *f = tmpfile();
	struct ms_progress pg;
	char buf[4096], want[64], *line, *nl;
	int pct = 10;

	ck_assert_ptr_nonnull(f);
	ms_progress_init(&pg, f, "bt", 20);
	pg.tty = 0;
	for (size_t i = 1; i <= 20; i++)
		ms_progress_step(&pg, i, "2018-03-04");
	ms_progress_done(&pg);
	slurp(f, buf, sizeof(buf));
	fclose(f);
	/* Ten lines, 10 % .. 100 %, then the end line: 11 in all. */
	ck_assert_uint_eq(count_char(buf, '\n'), 11);
	ck_assert_uint_eq(count_char(buf, '\r'), 0);
	for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (pct <= 100) {
			snprintf(want, sizeof(want), "bt: %d %% (%d/20) 2018-03-04",
			    pct, pct / 5);
			ck_assert_str_eq(line, want);
			pct += 10;
		} else {
			ck_assert(strncmp(line, "bt: done, 20 of 20 in ", 22) == 0);
		}
	}
	ck_assert_int_eq(pct, 110);
}
END_TEST

START_TEST(test_lines_jumps)
{
	FILE *f = tmpfile();
	struct ms_progress pg;
	char buf[4096];

	ck_assert_ptr_nonnull(f);
	/* 3 items: 33 % -> "30 %", 66 % -> "60 %", then 100 %. */
	ms_progress_init(&pg, f, "x", 3);
	pg.tty = 0;
	ms_progress_step(&pg, 1, NULL);
	ms_progress_step(&pg, 1, NULL);      /* same step: nothing */
	ms_progress_step(&pg, 2, NULL);
	ms_progress_step(&pg, 3, NULL);
	slurp(f, buf, sizeof(buf));
	ck_assert_str_eq(buf, "x: 30 % (1/3)\nx: 60 % (2/3)\nx: 100 % (3/3)\n");
	fclose(f);
	/* A jump over several steps prints only the last; a control byte in
	 * what is shown as '?'. */
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	ms_progress_init(&pg, f, "y", 1000);
	pg.tty = 0;
	ms_progress_step(&pg, 740, "a\nb");
	ms_progress_step(&pg, 5000, NULL);   /* past total: clamped */
	slurp(f, buf, sizeof(buf));
	ck_assert_str_eq(buf, "y: 70 % (740/1000) a?b\ny: 100 % (1000/1000)\n");
	fclose(f);
}
END_TEST

START_TEST(test_tty_rate_limited)
{
	FILE *f = tmpfile();
	struct ms_progress pg;
	static char buf[1 << 20];
	size_t n;

	ck_assert_ptr_nonnull(f);
	ms_progress_init(&pg, f, "run", 100000);
	pg.tty = 1;
	for (size_t i = 1; i <= 100000; i++)
		ms_progress_step(&pg, i, "item");
	ms_progress_done(&pg);
	n = slurp(f, buf, sizeof(buf));
	fclose(f);
	ck_assert_uint_lt(n, sizeof(buf) - 1);
	/*
	 * 100,000 steps in far less than a second of redraw budget: the first
	 * draw, the final state and the done line's redraw, plus at most a few
	 * timed redraws — never one per step.
	 */
	ck_assert_uint_ge(count_char(buf, '\r'), 3);
	ck_assert_uint_lt(count_char(buf, '\r'), 200);
	ck_assert_ptr_nonnull(strstr(buf, "\rrun [....."));
	ck_assert_ptr_nonnull(strstr(buf,
	    "\rrun [########################] 100 % 100000/100000"));
	ck_assert_ptr_nonnull(strstr(buf, " done in "));
	ck_assert_uint_eq(count_char(buf, '\n'), 1);
	ck_assert_int_eq(buf[n - 1], '\n');
}
END_TEST

START_TEST(test_limits_edges)
{
	FILE *f = tmpfile();
	struct ms_progress pg;
	char buf[512];

	ck_assert_ptr_nonnull(f);
	/* No stream: every call is a no-op. */
	ms_progress_init(&pg, NULL, "none", 10);
	ms_progress_step(&pg, 5, "x");
	ms_progress_done(&pg);
	ms_progress_step(NULL, 1, NULL);
	ms_progress_done(NULL);
	/* total 0: no step line, only the end line. */
	ms_progress_init(&pg, f, "zero", 0);
	pg.tty = 0;
	ms_progress_step(&pg, 0, NULL);
	ms_progress_step(&pg, 3, NULL);
	ms_progress_done(&pg);
	slurp(f, buf, sizeof(buf));
	ck_assert(strncmp(buf, "zero: done, 0 of 0 in ", 22) == 0);
	ck_assert_uint_eq(count_char(buf, '\n'), 1);
	fclose(f);
	/* A long what is cut to 40 bytes. */
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	ms_progress_init(&pg, f, "w", 1);
	pg.tty = 0;
	ms_progress_step(&pg, 1, "0123456789012345678901234567890123456789XYZ");
	slurp(f, buf, sizeof(buf));
	ck_assert_str_eq(buf,
	    "w: 100 % (1/1) 0123456789012345678901234567890123456789\n");
	fclose(f);
}
END_TEST

Suite *make_progress_suite(void);

Suite *
make_progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_test(core, test_lines_every_10_percent);
	tcase_add_test(core, test_lines_jumps);
	tcase_add_test(core, test_tty_rate_limited);
	tcase_add_test(limits, test_limits_edges);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
