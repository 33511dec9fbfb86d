/*
 * check_buf.c — tests of ms_buf: growth, the hard maximum, printf, steal.
 *
 * The property that matters most is that an append past `max` fails with
 * MS_ERR_TOOBIG and leaves the contents exactly as they were.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ms_buf.h"
#include "ms_error.h"

START_TEST(test_empty)
{
	struct ms_buf b;

	ms_buf_init(&b, 0);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_null(ms_buf_steal(&b));
	ms_buf_free(&b);
	ms_buf_free(&b);     /* twice is fine */
	ms_buf_free(NULL);   /* NULL is a no-op */
}
END_TEST

START_TEST(test_append_grow)
{
	struct ms_buf b;
	char expect[5000];

	ms_buf_init(&b, 0);
	for (int i = 0; i < 5000; i++) {
		expect[i] = (char)('a' + i % 26);
		ck_assert_int_eq(ms_buf_putc(&b, expect[i]), MS_OK);
		ck_assert_uint_eq(b.len, (size_t)i + 1);
		ck_assert_int_eq(b.data[b.len], '\0');
	}
	ck_assert_int_eq(memcmp(b.data, expect, 5000), 0);
	ck_assert_uint_ge(b.cap, b.len + 1);
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_append_binary)
{
	struct ms_buf b;

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_buf_append(&b, "a\0b", 3), MS_OK);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_int_eq(memcmp(b.data, "a\0b", 4), 0);
	ck_assert_int_eq(ms_buf_append(&b, NULL, 0), MS_OK);
	ck_assert_uint_eq(b.len, 3);
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_empty_append_terminates)
{
	struct ms_buf b;

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_buf_puts(&b, ""), MS_OK);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, "");
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_printf)
{
	struct ms_buf b;
	size_t big = 3000;

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_buf_printf(&b, "%d-%s-%zu", 42, "x", big), MS_OK);
	ck_assert_str_eq(b.data, "42-x-3000");
	/* A format longer than the free space forces the grow-and-retry path. */
	ck_assert_int_eq(ms_buf_printf(&b, "%*s|", 3000, "y"), MS_OK);
	ck_assert_uint_eq(b.len, 9 + 3001);
	ck_assert_int_eq(b.data[b.len - 1], '|');
	ck_assert_int_eq(b.data[b.len - 2], 'y');
	ck_assert_int_eq(b.data[b.len], '\0');
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_reset_keeps_allocation)
{
	struct ms_buf b;
	char *p;

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_buf_puts(&b, "hello"), MS_OK);
	p = b.data;
	ms_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_eq(b.data, p);
	ck_assert_str_eq(b.data, "");
	ck_assert_int_eq(ms_buf_puts(&b, "x"), MS_OK);
	ck_assert_str_eq(b.data, "x");
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_steal)
{
	struct ms_buf b;
	char *s;

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_buf_puts(&b, "owned"), MS_OK);
	s = ms_buf_steal(&b);
	ck_assert_str_eq(s, "owned");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	free(s);
	/* still usable */
	ck_assert_int_eq(ms_buf_puts(&b, "again"), MS_OK);
	ck_assert_str_eq(b.data, "again");
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_limits_max)
{
	struct ms_buf b;

	ms_buf_init(&b, 10);
	ck_assert_int_eq(ms_buf_puts(&b, "0123456789"), MS_OK);   /* exactly max */
	ck_assert_int_eq(ms_buf_putc(&b, 'x'), MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_buf_puts(&b, "x"), MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_buf_printf(&b, "%d", 1), MS_ERR_TOOBIG);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_str_eq(b.data, "0123456789");
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_limits_unchanged_on_overflow)
{
	struct ms_buf b;

	ms_buf_init(&b, 16);
	ck_assert_int_eq(ms_buf_puts(&b, "abc"), MS_OK);
	ck_assert_int_eq(ms_buf_puts(&b, "0123456789abcdef"), MS_ERR_TOOBIG);
	ck_assert_str_eq(b.data, "abc");
	/* printf that fits in the allocation but passes max is undone too */
	ck_assert_int_eq(ms_buf_printf(&b, "%s", "0123456789abcdef"),
	    MS_ERR_TOOBIG);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_str_eq(b.data, "abc");
	ck_assert_int_eq(ms_buf_printf(&b, "%013d", 7), MS_OK);   /* 16 bytes */
	ck_assert_uint_eq(b.len, 16);
	ms_buf_free(&b);
}
END_TEST

START_TEST(test_limits_huge_length)
{
	struct ms_buf b;

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_buf_puts(&b, "a"), MS_OK);
	/* A length that would overflow size_t arithmetic is refused. */
	ck_assert_int_eq(ms_buf_append(&b, "", (size_t)-1), MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_buf_append(&b, "", MS_BUF_DEFAULT_MAX), MS_ERR_TOOBIG);
	ck_assert_str_eq(b.data, "a");
	ms_buf_free(&b);
}
END_TEST

Suite *make_buf_suite(void);

Suite *
make_buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_test(core, test_empty);
	tcase_add_test(core, test_append_grow);
	tcase_add_test(core, test_append_binary);
	tcase_add_test(core, test_empty_append_terminates);
	tcase_add_test(core, test_printf);
	tcase_add_test(core, test_reset_keeps_allocation);
	tcase_add_test(core, test_steal);
	tcase_add_test(limits, test_limits_max);
	tcase_add_test(limits, test_limits_unchanged_on_overflow);
	tcase_add_test(limits, test_limits_huge_length);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
