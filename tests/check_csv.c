/*
 * check_csv.c — tests of the bounded CSV reader (ingest/ms_csv.c):
 * quoting, CRLF, empty fields, blank lines, a missing final newline, a
 * byte-order mark, and every hard error (overlong line, NUL, bad UTF-8,
 * unterminated quote, stray quote, bare CR, corrupt and truncated gzip).
 * gzip and plain copies of a file must read the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "ms_csv.h"
#include "ms_error.h"
#include "testutil.h"

static char tmpdir[64];

static void
setup(void)
{
	tu_tmpdir(tmpdir, sizeof(tmpdir), "ms_csv");
}

static void
teardown(void)
{
	tu_rmtree(tmpdir);
}

/* Reads a whole file into "f1|f2\n" lines for comparison. */
static char *
flatten(const char *path, int *status)
{
	struct ms_csv *c;
	char err[128];
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	int rc;

	ck_assert_ptr_nonnull(out);
	out[0] = '\0';
	ck_assert_int_eq(ms_csv_open(path, &c, err, sizeof(err)), MS_OK);
	while ((rc = ms_csv_next(c)) == 1) {
		for (size_t i = 0; i < ms_csv_nfields(c); i++) {
			size_t fl;
			const char *f = ms_csv_field(c, i, &fl);

			while (len + fl + 32 > cap) {
				cap *= 2;
				out = realloc(out, cap);
				ck_assert_ptr_nonnull(out);
			}
			len += (size_t)snprintf(out + len, cap - len, "%s%s",
			    i ? "|" : "", f);
		}
		len += (size_t)snprintf(out + len, cap - len, "@%lu\n",
		    ms_csv_line(c));
	}
	*status = rc;
	ms_csv_close(c);
	return out;
}

START_TEST(test_quoting_crlf)
{
	char path[512];
	int st;
	char *got = flatten(tu_fixture("csv/quoting.csv", path, sizeof(path)),
	    &st);

	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(got,
	    "a|b|c@1\n"
	    "1|x,y|@2\n"
	    "he said \"hi\"||3@3\n"
	    "multi\nline|2|@5\n");
	free(got);
}
END_TEST

START_TEST(test_no_final_newline)
{
	char path[512];
	int st;
	char *got = flatten(tu_fixture("csv/nonl.csv", path, sizeof(path)),
	    &st);

	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(got, "a|b@1\n1|2@2\n");
	free(got);
}
END_TEST

START_TEST(test_empty_fields_and_bom)
{
	static const char data[] = "\xEF\xBB\xBFx,,y\n,,\n\"\",\"\",\"\"\n";
	char path[512];
	int st;
	char *got;

	tu_write_file(tmpdir, "bom.csv", data, sizeof(data) - 1, 0, path,
	    sizeof(path));
	got = flatten(path, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(got, "x||y@1\n||@2\n||@3\n");
	free(got);
}
END_TEST

START_TEST(test_gz_same_as_plain)
{
	char path[512], gzpath[512], src[512];
	FILE *f;
	char buf[4096];
	size_t n;
	int st1, st2;
	char *a, *b;

	f = fopen(tu_fixture("import/cmc2018.csv", src, sizeof(src)), "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	tu_write_file(tmpdir, "x.csv", buf, n, 0, path, sizeof(path));
	tu_write_file(tmpdir, "x.csv.gz", buf, n, 1, gzpath, sizeof(gzpath));
	a = flatten(path, &st1);
	b = flatten(gzpath, &st2);
	ck_assert_int_eq(st1, 0);
	ck_assert_int_eq(st2, 0);
	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "2018-01-03|ripple|2.46|3.28|2.44|"
	    "3.10|6635880000|95000000000@2\n"));
	free(a);
	free(b);
}
END_TEST

START_TEST(test_missing_file)
{
	struct ms_csv *c = NULL;
	char err[128];

	ck_assert_int_eq(ms_csv_open("/nonexistent/x.csv", &c, err,
	    sizeof(err)), MS_ERR_IO);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ms_csv_close(NULL);
}
END_TEST

/* Bad inputs: each must fail with code at line, message containing msg. */
static const struct {
	const char *name;
	const char *data;
	size_t len;
	int code;
	unsigned long line;
	const char *msg;
} bad[] = {
#define BAD(n, lit, code, line, msg) \
	{ n, lit, sizeof(lit) - 1, code, line, msg }
	BAD("nul", "a,b\n1,2\n3,\0\n", MS_ERR_PARSE, 3, "NUL"),
	BAD("utf8", "a,b\n1,\xC3\x28\n", MS_ERR_PARSE, 2, "UTF-8"),
	BAD("overlong_utf8", "a,b\n1,\xC0\xAF\n", MS_ERR_PARSE, 2, "UTF-8"),
	BAD("surrogate", "a\n\xED\xA0\x80\n", MS_ERR_PARSE, 2, "UTF-8"),
	BAD("cut_utf8", "a\nx\xE2\x82", MS_ERR_PARSE, 2, "UTF-8"),
	BAD("unterminated", "a,b\n1,\"abc\n2,3\n", MS_ERR_PARSE, 2,
	    "unterminated"),
	BAD("stray_quote", "a,b\n1,ab\"c\n", MS_ERR_PARSE, 2, "quote"),
	BAD("after_quote", "a,b\n1,\"ab\"c\n", MS_ERR_PARSE, 2,
	    "closing quote"),
	BAD("bare_cr", "a,b\r1,2\n", MS_ERR_PARSE, 1, "carriage"),
#undef BAD
};

START_TEST(test_bad_inputs)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[512], err[128];
		struct ms_csv *c;
		int rc;

		tu_write_file(tmpdir, bad[i].name, bad[i].data, bad[i].len,
		    i % 2, path, sizeof(path));
		ck_assert_int_eq(ms_csv_open(path, &c, err, sizeof(err)),
		    MS_OK);
		while ((rc = ms_csv_next(c)) == 1)
			;
		ck_assert_msg(rc == bad[i].code, "%s: rc %d", bad[i].name, rc);
		ck_assert_msg(ms_csv_line(c) == bad[i].line, "%s: line %lu",
		    bad[i].name, ms_csv_line(c));
		ck_assert_msg(strstr(ms_csv_error(c), bad[i].msg) != NULL,
		    "%s: %s", bad[i].name, ms_csv_error(c));
		/* The reader stays failed. */
		ck_assert_int_eq(ms_csv_next(c), bad[i].code);
		ms_csv_close(c);
	}
}
END_TEST

/* Every importer's number rule: a whole finite decimal field. */
START_TEST(test_number)
{
	static const struct {
		const char *in;
		int ok;
		double want;
	} cases[] = {
		{ "0", 1, 0 }, { "3.1966", 1, 3.1966 }, { "-2.5", 1, -2.5 },
		{ "+7", 1, 7 }, { "1e3", 1, 1000 }, { "2.5E-3", 1, 0.0025 },
		{ ".5", 1, 0.5 }, { "1e-320", 1, 1e-320 },  /* subnormal: kept */
		{ "", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 }, { "1,5", 0, 0 },
		{ "0x10", 0, 0 }, { "inf", 0, 0 }, { "nan", 0, 0 },
		{ "1e999", 0, 0 }, { "-1e999", 0, 0 }, { "1.2.3", 0, 0 },
		{ "e", 0, 0 }, { "-", 0, 0 }, { "$5", 0, 0 }, { "5%", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -99;
		int rc = ms_csv_number(cases[i].in, strlen(cases[i].in), &v);

		ck_assert_msg((rc == 0) == cases[i].ok, "'%s': rc %d",
		    cases[i].in, rc);
		if (cases[i].ok)
			ck_assert_msg(v == cases[i].want, "'%s': %.17g",
			    cases[i].in, v);
		else
			ck_assert_msg(v == -99, "'%s': output written",
			    cases[i].in);
	}
}
END_TEST

START_TEST(test_overlong_line)
{
	size_t n = MS_CSV_MAX_RECORD + 100;
	char *data = malloc(n + 16);
	char path[512], err[128];
	struct ms_csv *c;

	ck_assert_ptr_nonnull(data);
	memcpy(data, "a\n", 2);
	memset(data + 2, 'x', n);
	data[n + 2] = '\n';
	tu_write_file(tmpdir, "long.csv", data, n + 3, 0, path, sizeof(path));
	free(data);
	ck_assert_int_eq(ms_csv_open(path, &c, err, sizeof(err)), MS_OK);
	ck_assert_int_eq(ms_csv_next(c), 1);
	ck_assert_int_eq(ms_csv_next(c), MS_ERR_TOOBIG);
	ck_assert_uint_eq(ms_csv_line(c), 2);
	ck_assert_ptr_nonnull(strstr(ms_csv_error(c), "65536"));
	ms_csv_close(c);
}
END_TEST

START_TEST(test_exact_max_line)
{
	/* A record of exactly MS_CSV_MAX_RECORD bytes is accepted. */
	size_t n = MS_CSV_MAX_RECORD;
	char *data = malloc(n + 1);
	char path[512], err[128];
	struct ms_csv *c;
	size_t fl;

	ck_assert_ptr_nonnull(data);
	memset(data, 'y', n);
	data[n] = '\n';
	tu_write_file(tmpdir, "max.csv", data, n + 1, 0, path, sizeof(path));
	free(data);
	ck_assert_int_eq(ms_csv_open(path, &c, err, sizeof(err)), MS_OK);
	ck_assert_int_eq(ms_csv_next(c), 1);
	(void)ms_csv_field(c, 0, &fl);
	ck_assert_uint_eq(fl, n);
	ck_assert_int_eq(ms_csv_next(c), 0);
	ms_csv_close(c);
}
END_TEST

START_TEST(test_too_many_fields)
{
	char data[300], path[512], err[128];
	struct ms_csv *c;
	size_t n = 0;

	for (int i = 0; i < MS_CSV_MAX_FIELDS + 1; i++)
		data[n++] = ',';
	data[n++] = '\n';
	tu_write_file(tmpdir, "wide.csv", data, n, 0, path, sizeof(path));
	ck_assert_int_eq(ms_csv_open(path, &c, err, sizeof(err)), MS_OK);
	ck_assert_int_eq(ms_csv_next(c), MS_ERR_TOOBIG);
	ms_csv_close(c);
}
END_TEST

START_TEST(test_corrupt_gzip)
{
	/* A valid gzip header followed by garbage deflate data. */
	static const unsigned char garbage[] = {
		0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	char path[512], err[128];
	struct ms_csv *c;

	tu_write_file(tmpdir, "bad.csv.gz", garbage, sizeof(garbage), 0, path,
	    sizeof(path));
	ck_assert_int_eq(ms_csv_open(path, &c, err, sizeof(err)), MS_OK);
	ck_assert_int_eq(ms_csv_next(c), MS_ERR_IO);
	ck_assert_ptr_nonnull(strstr(ms_csv_error(c), "gzip"));
	ms_csv_close(c);
}
END_TEST

START_TEST(test_truncated_gzip)
{
	char path[512], cut[512], err[128], data[2000];
	FILE *f;
	long size;
	char *buf;
	struct ms_csv *c;
	int rc;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (i % 50 == 49) ? '\n' : (char)('a' + (i * 7) % 26);
	tu_write_file(tmpdir, "t.csv.gz", data, sizeof(data), 1, path,
	    sizeof(path));
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	tu_write_file(tmpdir, "cut.csv.gz", buf, (size_t)size - 12, 0, cut,
	    sizeof(cut));
	free(buf);
	ck_assert_int_eq(ms_csv_open(cut, &c, err, sizeof(err)), MS_OK);
	while ((rc = ms_csv_next(c)) == 1)
		;
	ck_assert_int_eq(rc, MS_ERR_IO);
	ck_assert_ptr_nonnull(strstr(ms_csv_error(c), "gzip"));
	ms_csv_close(c);
}
END_TEST

Suite *make_csv_suite(void);

Suite *
make_csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_add_test(core, test_quoting_crlf);
	tcase_add_test(core, test_no_final_newline);
	tcase_add_test(core, test_empty_fields_and_bom);
	tcase_add_test(core, test_gz_same_as_plain);
	tcase_add_test(core, test_missing_file);
	tcase_add_test(limits, test_bad_inputs);
	tcase_add_test(limits, test_number);
	tcase_add_test(limits, test_overlong_line);
	tcase_add_test(limits, test_exact_max_line);
	tcase_add_test(limits, test_too_many_fields);
	tcase_add_test(limits, test_corrupt_gzip);
	tcase_add_test(limits, test_truncated_gzip);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
