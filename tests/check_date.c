/*
 * check_date.c — tests of ms_date: day numbers, strict parsing, formatting.
 *
 * Known values are independent: 1970-01-01 is day 0 by definition, the
 * Bitcoin genesis block (2009-01-03) is day 14247 and 2099-12-31 is day
 * 47481 (date -u -d ... +%s / 86400), and 1970-01-01 was a Thursday.
 */
#include <stdint.h>
#include <string.h>

#include <check.h>

#include "ms_date.h"
#include "ms_error.h"

static const struct {
	int y, m, d;
	int32_t day;
} known[] = {
	{ 1970, 1, 1, 0 },
	{ 1969, 12, 31, -1 },
	{ 2000, 1, 1, 10957 },
	{ 2000, 2, 29, 11016 },
	{ 2000, 3, 1, 11017 },
	{ 2009, 1, 3, 14247 },
	{ 2018, 1, 1, 17532 },
	{ 2020, 2, 29, 18321 },
	{ 2024, 12, 31, 20088 },
	{ 2099, 12, 31, 47481 },
	{ 1900, 3, 1, -25508 },
	{ 1, 1, 1, -719162 },
	{ 9999, 12, 31, 2932896 },
};

START_TEST(test_known_days)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int y, m, d;

		ck_assert_int_eq(ms_date_from_ymd(known[i].y, known[i].m,
		    known[i].d), known[i].day);
		ms_date_to_ymd(known[i].day, &y, &m, &d);
		ck_assert_int_eq(y, known[i].y);
		ck_assert_int_eq(m, known[i].m);
		ck_assert_int_eq(d, known[i].d);
	}
}
END_TEST

START_TEST(test_range_constants)
{
	/* The served range is named by its dates; the numbers must agree. */
	ck_assert_int_eq(MS_DATE_MIN, ms_date_from_ymd(2009, 1, 3));
	ck_assert_int_eq(MS_DATE_MAX, ms_date_from_ymd(2099, 12, 31));
}
END_TEST

START_TEST(test_round_trip)
{
	int32_t prev = ms_date_from_ymd(1899, 12, 31);

	/* Every day of 1900..2100 converts back and follows its predecessor. */
	for (int y = 1900; y <= 2100; y++) {
		for (int m = 1; m <= 12; m++) {
			for (int d = 1; d <= 31; d++) {
				int32_t day;
				int yy, mm, dd;

				if (!ms_date_valid_ymd(y, m, d))
					continue;
				day = ms_date_from_ymd(y, m, d);
				ck_assert_int_eq(day, prev + 1);
				ms_date_to_ymd(day, &yy, &mm, &dd);
				ck_assert(yy == y && mm == m && dd == d);
				prev = day;
			}
		}
	}
}
END_TEST

static const struct {
	int y, m, d, ok;
} validity[] = {
	{ 2019, 2, 29, 0 },
	{ 2020, 2, 29, 1 },
	{ 1900, 2, 29, 0 },   /* divisible by 100, not by 400 */
	{ 2000, 2, 29, 1 },   /* divisible by 400 */
	{ 2100, 2, 29, 0 },
	{ 2018, 2, 30, 0 },
	{ 2018, 4, 31, 0 },
	{ 2018, 4, 30, 1 },
	{ 2018, 12, 31, 1 },
	{ 2018, 13, 1, 0 },
	{ 2018, 0, 1, 0 },
	{ 2018, 1, 0, 0 },
	{ 2018, 1, 32, 0 },
	{ 0, 1, 1, 0 },
	{ 1, 1, 1, 1 },
	{ 9999, 12, 31, 1 },
	{ 10000, 1, 1, 0 },
	{ -1, 1, 1, 0 },
};

START_TEST(test_valid_ymd)
{
	for (size_t i = 0; i < sizeof(validity) / sizeof(validity[0]); i++)
		ck_assert_msg(ms_date_valid_ymd(validity[i].y, validity[i].m,
		    validity[i].d) == validity[i].ok, "case %zu: %d-%d-%d", i,
		    validity[i].y, validity[i].m, validity[i].d);
}
END_TEST

static const struct {
	const char *s;
	size_t len;      /* 0: strlen(s) */
	int rc;
	int32_t day;
} parses[] = {
	{ "2009-01-03", 0, MS_OK, 14247 },
	{ "2099-12-31", 0, MS_OK, 47481 },
	{ "2020-02-29", 0, MS_OK, 18321 },
	{ "2019-02-29", 0, MS_ERR_RANGE, 0 },
	{ "2018-02-30", 0, MS_ERR_RANGE, 0 },
	{ "1900-02-29", 0, MS_ERR_RANGE, 0 },
	{ "2000-02-29", 0, MS_OK, 11016 },
	{ "2018-13-01", 0, MS_ERR_RANGE, 0 },
	{ "2018-00-10", 0, MS_ERR_RANGE, 0 },
	{ "0000-01-01", 0, MS_ERR_RANGE, 0 },
	{ "", 0, MS_ERR_PARSE, 0 },
	{ " 2018-01-01", 0, MS_ERR_PARSE, 0 },
	{ "2018-01-01 ", 0, MS_ERR_PARSE, 0 },
	{ "2018-01-01x", 0, MS_ERR_PARSE, 0 },
	{ "2018-1-01", 0, MS_ERR_PARSE, 0 },
	{ "2018/01/01", 0, MS_ERR_PARSE, 0 },
	{ "20180101", 0, MS_ERR_PARSE, 0 },
	{ "+018-01-01", 0, MS_ERR_PARSE, 0 },
	{ "-018-01-01", 0, MS_ERR_PARSE, 0 },
	{ "2018-01-0a", 0, MS_ERR_PARSE, 0 },
	{ "2018-01- 1", 0, MS_ERR_PARSE, 0 },
	{ "2018-01-01T00:00:00Z", 0, MS_ERR_PARSE, 0 },
	{ "2018-01-01", 9, MS_ERR_PARSE, 0 },    /* length is exact */
	{ "2018\0001-01", 10, MS_ERR_PARSE, 0 }, /* embedded NUL */
};

START_TEST(test_parse)
{
	for (size_t i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		int32_t day = -12345;
		size_t len = parses[i].len ? parses[i].len : strlen(parses[i].s);
		int rc = ms_date_parse(parses[i].s, len, &day);

		ck_assert_msg(rc == parses[i].rc, "case %zu (%s): rc %d", i,
		    parses[i].s, rc);
		if (rc == MS_OK)
			ck_assert_int_eq(day, parses[i].day);
		else
			ck_assert_int_eq(day, -12345);   /* untouched on error */
	}
}
END_TEST

START_TEST(test_format)
{
	char buf[MS_DATE_LEN + 1];

	ms_date_format(0, buf);
	ck_assert_str_eq(buf, "1970-01-01");
	ms_date_format(MS_DATE_MIN, buf);
	ck_assert_str_eq(buf, "2009-01-03");
	ms_date_format(MS_DATE_MAX, buf);
	ck_assert_str_eq(buf, "2099-12-31");
	ms_date_format(18321, buf);
	ck_assert_str_eq(buf, "2020-02-29");
	/* format and parse are inverse over the whole served range */
	for (int32_t d = MS_DATE_MIN; d <= MS_DATE_MAX; d += 7) {
		int32_t back;

		ms_date_format(d, buf);
		ck_assert_int_eq(ms_date_parse(buf, strlen(buf), &back), MS_OK);
		ck_assert_int_eq(back, d);
	}
}
END_TEST

START_TEST(test_weekday)
{
	ck_assert_int_eq(ms_date_weekday(0), 3);                 /* Thu */
	ck_assert_int_eq(ms_date_weekday(MS_DATE_MIN), 5);       /* Sat 2009-01-03 */
	ck_assert_int_eq(ms_date_weekday(ms_date_from_ymd(2024, 1, 1)), 0);
	ck_assert_int_eq(ms_date_weekday(-1), 2);                /* Wed 1969-12-31 */
	ck_assert_int_eq(ms_date_weekday(-4), 6);                /* Sun 1969-12-28 */
}
END_TEST

START_TEST(test_today)
{
	int32_t t = ms_date_today();

	/* Sanity only: after this code was written, before the range ends. */
	ck_assert_int_gt(t, ms_date_from_ymd(2024, 1, 1));
	ck_assert_int_lt(t, MS_DATE_MAX);
}
END_TEST

START_TEST(test_limits_format_out_of_range)
{
	char buf[MS_DATE_LEN + 1];

	ms_date_format(ms_date_from_ymd(1, 1, 1), buf);
	ck_assert_str_eq(buf, "0001-01-01");
	ms_date_format(ms_date_from_ymd(9999, 12, 31), buf);
	ck_assert_str_eq(buf, "9999-12-31");
	/* Beyond four-digit years the output is clamped, never garbage. */
	ms_date_format(INT32_MAX, buf);
	ck_assert_int_eq((int)strlen(buf), MS_DATE_LEN);
	ms_date_format(INT32_MIN, buf);
	ck_assert_int_eq((int)strlen(buf), MS_DATE_LEN);
}
END_TEST

START_TEST(test_limits_parse_null)
{
	int32_t day = 7;

	ck_assert_int_eq(ms_date_parse(NULL, 10, &day), MS_ERR_PARSE);
	ck_assert_int_eq(ms_date_parse("2018-01-01", 0, &day), MS_ERR_PARSE);
	ck_assert_int_eq(day, 7);
}
END_TEST

Suite *make_date_suite(void);

Suite *
make_date_suite(void)
{
	Suite *s = suite_create("date");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_test(core, test_known_days);
	tcase_add_test(core, test_range_constants);
	tcase_add_test(core, test_round_trip);
	tcase_add_test(core, test_valid_ymd);
	tcase_add_test(core, test_parse);
	tcase_add_test(core, test_format);
	tcase_add_test(core, test_weekday);
	tcase_add_test(core, test_today);
	tcase_add_test(limits, test_limits_format_out_of_range);
	tcase_add_test(limits, test_limits_parse_null);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
