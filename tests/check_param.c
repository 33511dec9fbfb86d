/*
 * check_param.c — table-driven tests of the pure parameter validators,
 * percent-decoding and UTF-8 checking.
 *
 * Every validator gets the same hostile inputs: empty, white space,
 * trailing junk, overflow, embedded NUL, bad UTF-8, plus the edge cases of
 * its type (leap days, 1e400, -0, hex, nan/inf, list shapes).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ms_date.h"
#include "ms_error.h"
#include "ms_param.h"

static const char *const intervals[] = { "1d", "7d", "30d", NULL };

static const struct ms_param_spec spec_string = {
	.name = "q", .type = MS_PARAM_STRING, .max_len = 8,
};
static const struct ms_param_spec spec_slug = {
	.name = "id", .type = MS_PARAM_SLUG,
};
static const struct ms_param_spec spec_int = {
	.name = "limit", .type = MS_PARAM_INT, .min_i = 1, .max_i = 500,
};
static const struct ms_param_spec spec_sint = {
	.name = "offset", .type = MS_PARAM_INT, .min_i = -10, .max_i = 10,
};
static const struct ms_param_spec spec_any_int = {
	.name = "n", .type = MS_PARAM_INT,
};
static const struct ms_param_spec spec_num = {
	.name = "p", .type = MS_PARAM_NUMBER, .min_d = -1.0, .max_d = 1.0,
};
static const struct ms_param_spec spec_any_num = {
	.name = "x", .type = MS_PARAM_NUMBER,
};
static const struct ms_param_spec spec_date = {
	.name = "as_of", .type = MS_PARAM_DATE,
};
static const struct ms_param_spec spec_enum = {
	.name = "interval", .type = MS_PARAM_ENUM, .choices = intervals,
};
static const struct ms_param_spec spec_list = {
	.name = "ids", .type = MS_PARAM_LIST, .max_len = 6, .max_items = 3,
};

struct vcase {
	const struct ms_param_spec *spec;
	const char *val;
	size_t len;          /* 0: strlen(val) */
	int ok;
	const char *reason;  /* expected ms_param_check reason when !ok; NULL = any */
};

static const struct vcase cases[] = {
	/* STRING */
	{ &spec_string, "hello", 0, 1, NULL },
	{ &spec_string, "h\xc3\xa9llo", 0, 1, NULL },        /* é */
	{ &spec_string, "a b", 0, 1, NULL },
	{ &spec_string, "12345678", 0, 1, NULL },
	{ &spec_string, "123456789", 0, 0, "must be at most 8 bytes" },
	{ &spec_string, "", 0, 0, "must not be empty" },
	{ &spec_string, "a\0b", 3, 0, "must not contain NUL bytes" },
	{ &spec_string, "a\nb", 0, 0, "must not contain control characters" },
	{ &spec_string, "a\tb", 0, 0, "must not contain control characters" },
	{ &spec_string, "a\x7f", 0, 0, "must not contain control characters" },
	{ &spec_string, "a\xc2\x85", 0, 0, "must not contain control characters" },
	{ &spec_string, "\xff", 0, 0, "must be valid UTF-8" },
	{ &spec_string, "\xc3", 0, 0, "must be valid UTF-8" },
	{ &spec_string, "\xc0\xaf", 0, 0, "must be valid UTF-8" },   /* overlong */
	{ &spec_string, "\xed\xa0\x80", 0, 0, "must be valid UTF-8" }, /* surrogate */
	/* SLUG (default max 64) */
	{ &spec_slug, "bitcoin", 0, 1, NULL },
	{ &spec_slug, "BTC", 0, 1, NULL },
	{ &spec_slug, "usd-coin_v2.0", 0, 1, NULL },
	{ &spec_slug, "", 0, 0, "must not be empty" },
	{ &spec_slug, " bitcoin", 0, 0, NULL },
	{ &spec_slug, "bit coin", 0, 0, NULL },
	{ &spec_slug, "bitcoin/", 0, 0, NULL },
	{ &spec_slug, "bitc\0in", 7, 0, "must not contain NUL bytes" },
	{ &spec_slug, "b\xc3\xa9", 0, 0, NULL },
	{ &spec_slug, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    0, 1, NULL },
	{ &spec_slug, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    0, 0, "must be at most 64 bytes" },
	/* INT [1, 500] */
	{ &spec_int, "1", 0, 1, NULL },
	{ &spec_int, "500", 0, 1, NULL },
	{ &spec_int, "0500", 0, 1, NULL },
	{ &spec_int, "0", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "501", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "-1", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "", 0, 0, "must not be empty" },
	{ &spec_int, " 5", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "5 ", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "+5", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "5x", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "0x10", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "1e2", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "5.0", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "-", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "--5", 0, 0, "must be an integer between 1 and 500" },
	{ &spec_int, "5\0", 2, 0, "must not contain NUL bytes" },
	{ &spec_int, "99999999999999999999", 0, 0,
	    "must be an integer between 1 and 500" },
	{ &spec_int, "999999999999999999999", 0, 0, NULL },      /* too long */
	/* INT [-10, 10] */
	{ &spec_sint, "-0", 0, 1, NULL },
	{ &spec_sint, "-10", 0, 1, NULL },
	{ &spec_sint, "-11", 0, 0, "must be an integer between -10 and 10" },
	/* INT unbounded: all of int64, no more */
	{ &spec_any_int, "9223372036854775807", 0, 1, NULL },
	{ &spec_any_int, "-9223372036854775808", 0, 1, NULL },
	{ &spec_any_int, "9223372036854775808", 0, 0, "must be an integer" },
	{ &spec_any_int, "-9223372036854775809", 0, 0, "must be an integer" },
	/* NUMBER [-1, 1] */
	{ &spec_num, "0.5", 0, 1, NULL },
	{ &spec_num, "-1", 0, 1, NULL },
	{ &spec_num, "1e0", 0, 1, NULL },
	{ &spec_num, ".5", 0, 1, NULL },
	{ &spec_num, "-0", 0, 1, NULL },
	{ &spec_num, "1e-400", 0, 1, NULL },     /* underflows to ~0: accepted */
	{ &spec_num, "1.5", 0, 0, "must be a number between -1 and 1" },
	{ &spec_num, "1e400", 0, 0, "must be a number between -1 and 1" },
	{ &spec_num, "", 0, 0, "must not be empty" },
	{ &spec_num, " 0.5", 0, 0, NULL },
	{ &spec_num, "0.5 ", 0, 0, NULL },
	{ &spec_num, "+0.5", 0, 0, NULL },
	{ &spec_num, "nan", 0, 0, NULL },
	{ &spec_num, "NaN", 0, 0, NULL },
	{ &spec_num, "inf", 0, 0, NULL },
	{ &spec_num, "-infinity", 0, 0, NULL },
	{ &spec_num, "0x1p-2", 0, 0, NULL },
	{ &spec_num, "1e", 0, 0, NULL },
	{ &spec_num, "e1", 0, 0, NULL },
	{ &spec_num, ".", 0, 0, NULL },
	{ &spec_num, "-", 0, 0, NULL },
	{ &spec_num, "0.5x", 0, 0, NULL },
	{ &spec_num, "1,5", 0, 0, NULL },
	{ &spec_num, "0.\0", 3, 0, "must not contain NUL bytes" },
	/* NUMBER unbounded: finite only */
	{ &spec_any_num, "1e308", 0, 1, NULL },
	{ &spec_any_num, "-1e308", 0, 1, NULL },
	{ &spec_any_num, "1e309", 0, 0, "must be a finite number" },
	{ &spec_any_num, "-1e400", 0, 0, "must be a finite number" },
	/* DATE */
	{ &spec_date, "2018-01-01", 0, 1, NULL },
	{ &spec_date, "2009-01-03", 0, 1, NULL },
	{ &spec_date, "2099-12-31", 0, 1, NULL },
	{ &spec_date, "2020-02-29", 0, 1, NULL },
	{ &spec_date, "2000-02-29", 0, 0,
	    "must be a date (YYYY-MM-DD) between 2009-01-03 and 2099-12-31" },
	{ &spec_date, "2009-01-02", 0, 0,
	    "must be a date (YYYY-MM-DD) between 2009-01-03 and 2099-12-31" },
	{ &spec_date, "2100-01-01", 0, 0,
	    "must be a date (YYYY-MM-DD) between 2009-01-03 and 2099-12-31" },
	{ &spec_date, "2019-02-29", 0, 0,
	    "must be a real calendar day (YYYY-MM-DD)" },
	{ &spec_date, "2018-02-30", 0, 0,
	    "must be a real calendar day (YYYY-MM-DD)" },
	{ &spec_date, "2100-02-29", 0, 0, NULL },
	{ &spec_date, "", 0, 0, "must not be empty" },
	{ &spec_date, "2018-1-1", 0, 0, NULL },
	{ &spec_date, "2018-01-01 ", 0, 0, NULL },
	{ &spec_date, "2018-01-01T00:00", 0, 0, NULL },
	{ &spec_date, "yesterday", 0, 0, NULL },
	{ &spec_date, "2018-01\0001", 10, 0, "must not contain NUL bytes" },
	/* ENUM */
	{ &spec_enum, "7d", 0, 1, NULL },
	{ &spec_enum, "7D", 0, 0, "must be one of: 1d, 7d, 30d" },
	{ &spec_enum, "7d ", 0, 0, "must be one of: 1d, 7d, 30d" },
	{ &spec_enum, "7", 0, 0, "must be one of: 1d, 7d, 30d" },
	{ &spec_enum, "", 0, 0, "must not be empty" },
	{ &spec_enum, "7d\0", 3, 0, "must not contain NUL bytes" },
	/* LIST: up to 3 slugs of up to 6 characters */
	{ &spec_list, "btc", 0, 1, NULL },
	{ &spec_list, "btc,eth,xrp", 0, 1, NULL },
	{ &spec_list, "btc,eth,xrp,ada", 0, 0, "must have at most 3 items" },
	{ &spec_list, "btc,,eth", 0, 0, "must not contain empty list items" },
	{ &spec_list, ",btc", 0, 0, "must not contain empty list items" },
	{ &spec_list, "btc,", 0, 0, "must not contain empty list items" },
	{ &spec_list, ",", 0, 0, "must not contain empty list items" },
	{ &spec_list, "btc,bitcoin", 0, 0,
	    "must have items of at most 6 characters" },
	{ &spec_list, "btc, eth", 0, 0, NULL },
	{ &spec_list, "", 0, 0, "must not be empty" },
	{ &spec_list, "btc,e\0h", 7, 0, "must not contain NUL bytes" },
	{ &spec_list, "btc,ethereum,xrp,aaaaaaaaaa", 0, 0, NULL },
};

START_TEST(test_validators)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->val);
		struct ms_param_value v, w;
		const char *reason = NULL;
		char buf[192];
		int rc, rc2;

		memset(&v, 0x5a, sizeof(v));
		memset(&w, 0x5a, sizeof(w));
		rc = ms_param_validate(c->spec, c->val, len, &v, &reason);
		rc2 = ms_param_check(c->spec, c->val, len, &w, buf, sizeof(buf));
		ck_assert_msg((rc == MS_OK) == c->ok,
		    "case %zu (%s=\"%s\"): rc %d reason %s", i, c->spec->name,
		    c->val, rc, reason ? reason : "-");
		ck_assert_int_eq(rc, rc2);
		if (c->ok) {
			ck_assert_int_eq(v.present, 1);
			ck_assert_int_eq(v.defaulted, 0);
			ck_assert_ptr_eq(v.s, c->val);
			ck_assert_uint_eq(v.len, len);
			ms_param_value_clear(&v);
			ms_param_value_clear(&w);
			continue;
		}
		ck_assert_int_lt(rc, 0);
		ck_assert_ptr_nonnull(reason);
		ck_assert_msg(strlen(reason) > 0, "case %zu: empty reason", i);
		ck_assert_msg(c->reason == NULL || strcmp(buf, c->reason) == 0,
		    "case %zu (%s=\"%s\"): reason \"%s\", want \"%s\"", i,
		    c->spec->name, c->val, buf, c->reason);
		/* written only on success */
		ck_assert_int_eq(((unsigned char *)&v)[0], 0x5a);
		ck_assert_int_eq(((unsigned char *)&w)[0], 0x5a);
	}
}
END_TEST

START_TEST(test_typed_values)
{
	struct ms_param_value v;
	const char *reason;

	ck_assert_int_eq(ms_param_validate(&spec_int, "250", 3, &v, &reason), 0);
	ck_assert_int_eq(v.i, 250);
	ck_assert_int_eq(ms_param_validate(&spec_sint, "-0", 2, &v, &reason), 0);
	ck_assert_int_eq(v.i, 0);
	ck_assert_int_eq(ms_param_validate(&spec_any_int,
	    "-9223372036854775808", 20, &v, &reason), 0);
	ck_assert(v.i == INT64_MIN);

	ck_assert_int_eq(ms_param_validate(&spec_num, "-0.25", 5, &v, &reason), 0);
	ck_assert_double_eq(v.d, -0.25);
	ck_assert_int_eq(ms_param_validate(&spec_num, "-0", 2, &v, &reason), 0);
	ck_assert(v.d == 0.0 && !signbit(v.d));   /* never a negative zero */
	ck_assert_int_eq(ms_param_validate(&spec_num, "1e-400", 6, &v, &reason),
	    0);
	ck_assert(v.d >= 0.0 && v.d < 1e-300);

	ck_assert_int_eq(ms_param_validate(&spec_date, "2020-02-29", 10, &v,
	    &reason), 0);
	ck_assert_int_eq(v.day, 18321);

	ck_assert_int_eq(ms_param_validate(&spec_enum, "30d", 3, &v, &reason), 0);
	ck_assert_int_eq(v.choice, 2);
	ck_assert_str_eq(v.s, "30d");
}
END_TEST

START_TEST(test_list_items)
{
	struct ms_param_value v;
	const char *reason;
	const char *val = "btc,eth,xrp";

	ck_assert_int_eq(ms_param_validate(&spec_list, val, strlen(val), &v,
	    &reason), 0);
	ck_assert_uint_eq(v.nitems, 3);
	ck_assert_str_eq(v.items[0], "btc");
	ck_assert_str_eq(v.items[1], "eth");
	ck_assert_str_eq(v.items[2], "xrp");
	ck_assert_ptr_eq(v.s, val);            /* the raw text is not copied */
	ms_param_value_clear(&v);
	ck_assert_ptr_null(v.items);
	ms_param_value_clear(NULL);

	ck_assert_int_eq(ms_param_validate(&spec_list, "a", 1, &v, &reason), 0);
	ck_assert_uint_eq(v.nitems, 1);
	ck_assert_str_eq(v.items[0], "a");
	free(v.items);                         /* plain free() works too */
}
END_TEST

START_TEST(test_static_reasons)
{
	struct ms_param_value v;
	const char *r1 = NULL, *r2 = NULL;

	/* ms_param_validate gives static strings: same pointer every time. */
	ck_assert_int_lt(ms_param_validate(&spec_int, "x", 1, &v, &r1), 0);
	ck_assert_int_lt(ms_param_validate(&spec_int, "y", 1, &v, &r2), 0);
	ck_assert_ptr_eq(r1, r2);
	ck_assert_str_eq(r1, "must be an integer in the allowed range");
	ck_assert_int_lt(ms_param_validate(&spec_date, "2018-02-30", 10, &v,
	    &r1), 0);
	ck_assert_str_eq(r1, "must be a real calendar day (YYYY-MM-DD)");
	/* reason may be NULL */
	ck_assert_int_lt(ms_param_validate(&spec_int, "x", 1, &v, NULL), 0);
}
END_TEST

START_TEST(test_describe)
{
	char buf[256];

	ms_param_describe(&spec_int, buf, sizeof(buf));
	ck_assert_str_eq(buf, "an integer between 1 and 500");
	ms_param_describe(&spec_num, buf, sizeof(buf));
	ck_assert_str_eq(buf, "a number between -1 and 1");
	ms_param_describe(&spec_enum, buf, sizeof(buf));
	ck_assert_str_eq(buf, "one of: 1d, 7d, 30d");
	ms_param_describe(&spec_date, buf, sizeof(buf));
	ck_assert_str_eq(buf,
	    "a date (YYYY-MM-DD) between 2009-01-03 and 2099-12-31");
	/* cut to fit, always terminated */
	ck_assert_uint_eq(ms_param_describe(&spec_enum, buf, 12), 11);
	ck_assert_uint_eq(ms_param_describe(&spec_int, buf, 5), 4);
}
END_TEST

static const struct {
	const char *in;
	int rc;
	const char *out;
	size_t outlen;
} unescapes[] = {
	{ "abc", MS_OK, "abc", 3 },
	{ "a+b", MS_OK, "a b", 3 },
	{ "a%20b", MS_OK, "a b", 3 },
	{ "%2B", MS_OK, "+", 1 },
	{ "%2b%2C", MS_OK, "+,", 2 },
	{ "%e2%82%ac", MS_OK, "\xe2\x82\xac", 3 },
	{ "a%00b", MS_OK, "a\0b", 3 },          /* kept; validators reject it */
	{ "", MS_OK, "", 0 },
	{ "%", MS_ERR_PARSE, NULL, 0 },
	{ "%2", MS_ERR_PARSE, NULL, 0 },
	{ "a%", MS_ERR_PARSE, NULL, 0 },
	{ "%zz", MS_ERR_PARSE, NULL, 0 },
	{ "%2g", MS_ERR_PARSE, NULL, 0 },
	{ "%+1", MS_ERR_PARSE, NULL, 0 },
	{ "%-1", MS_ERR_PARSE, NULL, 0 },
};

START_TEST(test_unescape)
{
	for (size_t i = 0; i < sizeof(unescapes) / sizeof(unescapes[0]); i++) {
		const char *in = unescapes[i].in;
		char out[32];
		size_t n = 999;
		int rc = ms_param_unescape(in, strlen(in), out, &n);

		ck_assert_msg(rc == unescapes[i].rc, "case %zu (%s)", i, in);
		if (rc != MS_OK)
			continue;
		ck_assert_uint_eq(n, unescapes[i].outlen);
		ck_assert_int_eq(memcmp(out, unescapes[i].out, n), 0);
		ck_assert_int_eq(out[n], '\0');
	}
}
END_TEST

START_TEST(test_path_unescape)
{
	char out[8];
	size_t n = 0;

	ck_assert_int_eq(ms_path_unescape("/a+b%2B", 7, out, sizeof(out), &n), 0);
	ck_assert_str_eq(out, "/a+b+");
	ck_assert_uint_eq(n, 5);
	/* dstsize counts the NUL: 7 bytes decode into 8, not into 7 */
	ck_assert_int_eq(ms_path_unescape("1234567", 7, out, 8, &n), 0);
	ck_assert_int_eq(ms_path_unescape("1234567", 7, out, 7, &n),
	    MS_ERR_TOOBIG);
	/* long raw, short decoded */
	ck_assert_int_eq(ms_path_unescape("%41%41%41%41%41%41%41", 21, out, 8,
	    &n), 0);
	ck_assert_str_eq(out, "AAAAAAA");
	ck_assert_int_eq(ms_path_unescape("%4", 2, out, 8, &n), MS_ERR_PARSE);
	ck_assert_int_eq(ms_path_unescape("", 0, out, 0, &n), MS_ERR_TOOBIG);
}
END_TEST

static const struct {
	const char *s;
	int ok;
} utf8s[] = {
	{ "", 1 },
	{ "plain", 1 },
	{ "\xc3\xa9", 1 },
	{ "\xe2\x82\xac", 1 },
	{ "\xf0\x9f\x9a\x80", 1 },            /* U+1F680 */
	{ "\xf4\x8f\xbf\xbf", 1 },            /* U+10FFFF */
	{ "\xf4\x90\x80\x80", 0 },            /* > U+10FFFF */
	{ "\xc3", 0 },
	{ "\xe2\x82", 0 },
	{ "\x80", 0 },
	{ "\xc0\x80", 0 },
	{ "\xe0\x80\xaf", 0 },
	{ "\xf0\x80\x80\xaf", 0 },
	{ "\xed\xbf\xbf", 0 },
	{ "\xfe", 0 },
	{ "a\xc3(", 0 },
};

START_TEST(test_utf8)
{
	for (size_t i = 0; i < sizeof(utf8s) / sizeof(utf8s[0]); i++)
		ck_assert_msg(ms_utf8_valid(utf8s[i].s, strlen(utf8s[i].s)) ==
		    utf8s[i].ok, "case %zu", i);
}
END_TEST

START_TEST(test_limits_long_values)
{
	struct ms_param_value v;
	char reason[192];
	char *big = malloc(100001);
	const struct ms_param_spec *specs[] = {
		&spec_string, &spec_slug, &spec_int, &spec_num, &spec_date,
		&spec_enum, &spec_list,
	};

	ck_assert_ptr_nonnull(big);
	memset(big, '1', 100000);
	big[100000] = '\0';
	/* Every type refuses a huge value by length before parsing it. */
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		ck_assert_int_eq(ms_param_check(specs[i], big, 100000, &v, reason,
		    sizeof(reason)), MS_ERR_TOOBIG);
	free(big);
}
END_TEST

START_TEST(test_limits_small_reason_buffer)
{
	struct ms_param_value v;
	char reason[8];

	ck_assert_int_lt(ms_param_check(&spec_int, "0", 1, &v, reason,
	    sizeof(reason)), 0);
	ck_assert_str_eq(reason, "must be");
	ck_assert_int_lt(ms_param_check(&spec_int, "0", 1, &v, NULL, 0), 0);
}
END_TEST

START_TEST(test_limits_list_default_max_items)
{
	static const struct ms_param_spec dflt = {
		.name = "ids", .type = MS_PARAM_LIST,
	};
	struct ms_param_value v;
	char buf[400], reason[192];
	size_t n = 0;

	/* 100 items pass (the default maximum), 101 do not. */
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sa",
		    i ? "," : "");
	ck_assert_int_eq(ms_param_check(&dflt, buf, n, &v, reason,
	    sizeof(reason)), 0);
	ck_assert_uint_eq(v.nitems, 100);
	ms_param_value_clear(&v);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",a");
	ck_assert_int_lt(ms_param_check(&dflt, buf, n, &v, reason,
	    sizeof(reason)), 0);
	ck_assert_str_eq(reason, "must have at most 100 items");
}
END_TEST

Suite *make_param_suite(void);

Suite *
make_param_suite(void)
{
	Suite *s = suite_create("param");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_test(core, test_validators);
	tcase_add_test(core, test_typed_values);
	tcase_add_test(core, test_list_items);
	tcase_add_test(core, test_static_reasons);
	tcase_add_test(core, test_describe);
	tcase_add_test(core, test_unescape);
	tcase_add_test(core, test_path_unescape);
	tcase_add_test(core, test_utf8);
	tcase_add_test(limits, test_limits_long_values);
	tcase_add_test(limits, test_limits_small_reason_buffer);
	tcase_add_test(limits, test_limits_list_default_max_items);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
