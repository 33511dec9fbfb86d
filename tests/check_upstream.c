/*
 * check_upstream.c — tests of the polite upstream client
 * (ingest/ms_upstream.c) that need no server: base URL and key
 * validation, key kinds, Retry-After parsing, the backoff schedule, the
 * untrusted-JSON parser, and, against a closed loopback port, the retry
 * count, the request log and the request budget. The behaviour against a
 * real (fault-injecting) server is tested by tests/ingest/run.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <cJSON.h>

#include "ms_error.h"
#include "ms_upstream.h"
#include "testutil.h"

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_defaults)
{
	struct ms_upstream_opts o;

	ms_upstream_defaults(&o);
	ck_assert_str_eq(o.base_url, "https://api.coingecko.com/api/v3");
	ck_assert_int_eq(o.per_minute, 25);
	ck_assert(o.window == 60);
	ck_assert(o.retry_after_default == 60);
	ck_assert_int_eq(o.max_retries, 5);
	ck_assert_int_eq(o.key_kind, MS_KEY_NONE);
	ck_assert_uint_eq(o.max_body, 16u * 1024u * 1024u);
}
END_TEST

static const struct {
	const char *url;
	int ok;
} urls[] = {
	{ "https://api.coingecko.com/api/v3", 1 },
	{ "http://127.0.0.1:8080/api/v3", 1 },
	{ "HTTP://127.0.0.1/", 1 },
	{ "http://[::1]:8080/api/v3", 1 },
	{ "", 0 },
	{ "ftp://example.com/api", 0 },
	{ "file:///etc/passwd", 0 },
	{ "gopher://x", 0 },
	{ "http://", 0 },
	{ "http:///api", 0 },
	{ "https://:443/x", 0 },
	{ "http://a b/api", 0 },
	{ "http://x/api?x_cg_demo_api_key=k", 0 },
	{ "http://x/api#frag", 0 },
	{ "http://x/\napi", 0 },
	{ "http://x/\x7f", 0 },
	{ " http://x/", 0 },
	{ "http://user:pw@example.com/api/v3", 0 },
	{ "http://example.com/api/v3/@x", 1 },
};

START_TEST(test_check_url)
{
	char err[256];

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		int rc = ms_upstream_check_url(urls[i].url, err, sizeof(err));

		ck_assert_msg((rc == MS_OK) == urls[i].ok, "%s: rc %d",
		    urls[i].url, rc);
	}
	ck_assert_int_eq(ms_upstream_check_url(NULL, err, sizeof(err)),
	    MS_ERR_INVALID);
}
END_TEST

START_TEST(test_check_url_long)
{
	char url[MS_UPSTREAM_URL_MAX + 2], err[128];

	memcpy(url, "http://x/", 9);
	memset(url + 9, 'a', sizeof(url) - 10);
	url[sizeof(url) - 1] = '\0';
	ck_assert_int_eq(ms_upstream_check_url(url, err, sizeof(err)),
	    MS_ERR_INVALID);
	url[MS_UPSTREAM_URL_MAX] = '\0';
	ck_assert_int_eq(ms_upstream_check_url(url, err, sizeof(err)), MS_OK);
}
END_TEST

START_TEST(test_check_key)
{
	static const struct {
		const char *key;
		int ok;
	} keys[] = {
		{ "CG-abcdef0123456789", 1 }, { "x", 1 }, { "", 0 },
		{ "a b", 0 }, { "a\r\nX-Evil: 1", 0 }, { "\t", 0 },
		{ "caf\xc3\xa9", 0 },
	};
	char err[128], big[MS_UPSTREAM_KEY_MAX + 2];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg((ms_upstream_check_key(keys[i].key, err,
		    sizeof(err)) == MS_OK) == keys[i].ok, "key %zu", i);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(ms_upstream_check_key(big, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_upstream_check_key(NULL, err, sizeof(err)),
	    MS_ERR_INVALID);
}
END_TEST

START_TEST(test_key_kind)
{
	enum ms_upstream_key_kind k = MS_KEY_NONE;

	ck_assert_int_eq(ms_upstream_key_kind_parse("demo", &k), MS_OK);
	ck_assert_int_eq(k, MS_KEY_DEMO);
	ck_assert_int_eq(ms_upstream_key_kind_parse("PRO", &k), MS_OK);
	ck_assert_int_eq(k, MS_KEY_PRO);
	ck_assert_int_eq(ms_upstream_key_kind_parse("none", &k), MS_OK);
	ck_assert_int_eq(k, MS_KEY_NONE);
	ck_assert_int_eq(ms_upstream_key_kind_parse("", &k), MS_ERR_INVALID);
	ck_assert_int_eq(ms_upstream_key_kind_parse("enterprise", &k),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_upstream_key_kind_parse(NULL, &k), MS_ERR_INVALID);
	ck_assert_str_eq(ms_upstream_key_kind_name(MS_KEY_PRO), "pro");
}
END_TEST

START_TEST(test_retry_after)
{
	static const struct {
		const char *v;
		double want;
	} cases[] = {
		{ "1", 1 }, { "0", 0 }, { " 120 ", 120 }, { "60\r", -1 },
		{ "", -1 }, { "abc", -1 }, { "-1", -1 }, { "1.5", -1 },
		{ "9999999999", -1 }, { "12abc", -1 },
	};
	/* 2015-10-21 07:28:00 GMT = 1445412480. */
	double now = 1445412480;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(ms_upstream_retry_after(cases[i].v, now) ==
		    cases[i].want, "\"%s\"", cases[i].v);
	ck_assert(ms_upstream_retry_after(NULL, now) == -1);
	ck_assert(ms_upstream_retry_after("Wed, 21 Oct 2015 07:28:30 GMT",
	    now) == 30);
	/* A date in the past means "now". */
	ck_assert(ms_upstream_retry_after("Wed, 21 Oct 2015 07:00:00 GMT",
	    now) == 0);
}
END_TEST

START_TEST(test_backoff)
{
	/* Step k is base * 2^(k-1), capped, times [0.5, 1). */
	ck_assert(ms_upstream_backoff(2, 60, 1, 0) == 1);
	ck_assert(ms_upstream_backoff(2, 60, 1, 0.999) < 2);
	ck_assert(ms_upstream_backoff(2, 60, 3, 0) == 4);
	ck_assert(ms_upstream_backoff(2, 60, 5, 0.5) == 24);
	ck_assert(ms_upstream_backoff(2, 60, 6, 0) == 30);
	ck_assert(ms_upstream_backoff(2, 60, 60, 0) == 30);
	ck_assert(ms_upstream_backoff(2, 60, 1000000, 0.999) < 60);
	ck_assert(ms_upstream_backoff(0, 0, 3, 0.5) == 0);
}
END_TEST

static const struct {
	const char *body;
	int rc;
	const char *msg;    /* part of the error, or NULL */
} jsons[] = {
	{ "{}", MS_OK, NULL },
	{ " [1, 2.5, null] \n\t", MS_OK, NULL },
	{ "\"x\"", MS_OK, NULL },
	{ "", MS_ERR_PARSE, "empty" },
	{ "   ", MS_ERR_PARSE, "truncated" },
	{ "{} x", MS_ERR_PARSE, "unexpected bytes after the value at offset 3" },
	{ "[1][2]", MS_ERR_PARSE, "unexpected bytes" },
	{ "{\"a\": [1, 2", MS_ERR_PARSE, "truncated" },
	{ "{\"a\": tru", MS_ERR_PARSE, "truncated" },
	{ "{\"abc", MS_ERR_PARSE, "truncated" },
	{ "[\"a\\\"b", MS_ERR_PARSE, "truncated" },
	{ "[1.5e", MS_ERR_PARSE, "truncated" },
	{ "[\"a\\x\"]", MS_ERR_PARSE, "syntax error" },
	{ "[1,]", MS_ERR_PARSE, "syntax error at offset 3" },
	{ "{\"a\":,}", MS_ERR_PARSE, "syntax error at offset" },
	{ "<html>", MS_ERR_PARSE, "syntax error at offset 0" },
	{ "{'a': 1}", MS_ERR_PARSE, "syntax error" },
};

START_TEST(test_parse_json)
{
	char err[256];

	for (size_t i = 0; i < sizeof(jsons) / sizeof(jsons[0]); i++) {
		cJSON *j = NULL;
		int rc;

		err[0] = '\0';
		rc = ms_upstream_parse_json(jsons[i].body,
		    strlen(jsons[i].body), &j, err, sizeof(err));
		ck_assert_msg(rc == jsons[i].rc, "%s: rc %d (%s)",
		    jsons[i].body, rc, err);
		if (rc == MS_OK)
			ck_assert_ptr_nonnull(j);
		if (jsons[i].msg != NULL)
			ck_assert_msg(strstr(err, jsons[i].msg) != NULL,
			    "%s: \"%s\" lacks \"%s\"", jsons[i].body, err,
			    jsons[i].msg);
		cJSON_Delete(j);
	}
}
END_TEST

START_TEST(test_parse_json_nul_and_depth)
{
	static const char withnul[] = "{\"a\":\"b\0c\"}";
	char err[256], *deep;
	cJSON *j = NULL;
	size_t n = 3000;

	ck_assert_int_eq(ms_upstream_parse_json(withnul, sizeof(withnul) - 1,
	    &j, err, sizeof(err)), MS_ERR_PARSE);
	ck_assert_ptr_nonnull(strstr(err, "NUL byte at offset 7"));
	/* Nesting past cJSON's limit is rejected, not a stack overflow. */
	deep = malloc(2 * n + 1);
	ck_assert_ptr_nonnull(deep);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	ck_assert_int_eq(ms_upstream_parse_json(deep, 2 * n, &j, err,
	    sizeof(err)), MS_ERR_PARSE);
	free(deep);
}
END_TEST

START_TEST(test_new_rejects)
{
	struct ms_upstream_opts o;
	struct ms_upstream *u = NULL;
	char err[256];

	ms_upstream_defaults(&o);
	o.base_url = "ftp://x";
	ck_assert_int_eq(ms_upstream_new(&o, &u, err, sizeof(err)),
	    MS_ERR_INVALID);
	ms_upstream_defaults(&o);
	o.key_kind = MS_KEY_DEMO;
	o.api_key = NULL;
	ck_assert_int_eq(ms_upstream_new(&o, &u, err, sizeof(err)),
	    MS_ERR_INVALID);
	ms_upstream_defaults(&o);
	o.per_minute = 0;
	ck_assert_int_eq(ms_upstream_new(&o, &u, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_ptr_null(u);
	ms_upstream_free(NULL);
}
END_TEST

/* A client of a loopback port nothing listens on (port 1). */
static struct ms_upstream *
closed_port_client(int per_minute, double window, int retries,
    const char *log)
{
	struct ms_upstream_opts o;
	struct ms_upstream *u = NULL;
	char err[256];

	ms_upstream_defaults(&o);
	o.base_url = "http://127.0.0.1:1/api/v3/";
	o.per_minute = per_minute;
	o.window = window;
	o.max_retries = retries;
	o.backoff_base = 0.01;
	o.backoff_max = 0.02;
	o.connect_timeout = 2;
	o.timeout = 2;
	o.request_log = log;
	o.seed = 42;
	ck_assert_int_eq(ms_upstream_new(&o, &u, err, sizeof(err)), MS_OK);
	return u;
}

START_TEST(test_refused_retries)
{
	char dir[64], log[128], line[256], err[512];
	struct ms_upstream *u;
	const struct ms_upstream_stats *s;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int n = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_upstream");
	snprintf(log, sizeof(log), "%s/req.log", dir);
	u = closed_port_client(100, 60, 2, log);
	ck_assert_int_eq(ms_upstream_get(u, "/ping", &body, &len, err,
	    sizeof(err)), MS_ERR_IO);
	ck_assert_ptr_null(body);
	ck_assert_msg(strstr(err, "GET /ping: giving up after 3 attempts: "
	    "could not connect") != NULL, "%s", err);
	s = ms_upstream_stats(u);
	ck_assert_uint_eq(s->requests, 3);
	ck_assert_uint_eq(s->retries, 2);
	ck_assert_uint_eq(s->net_errors, 3);
	ck_assert_int_eq(ms_upstream_get(u, "no-slash", &body, &len, err,
	    sizeof(err)), MS_ERR_INVALID);
	ck_assert_int_eq(ms_upstream_get(u, "/a b", &body, &len, err,
	    sizeof(err)), MS_ERR_INVALID);
	ms_upstream_free(u);
	/* One log line per attempt: epoch, monotonic, GET, path (the base
	 * URL's trailing slash is not doubled). */
	f = fopen(log, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		ck_assert_ptr_nonnull(strstr(line, " GET /ping\n"));
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 3);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_budget_window)
{
	struct ms_upstream *u = closed_port_client(2, 0.4, 0, NULL);
	char err[512], *body = NULL;
	size_t len;
	double t0 = mono(), dt;

	/* Two requests fit in the window; the third waits for it. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ms_upstream_get(u, "/x", &body, &len, err,
		    sizeof(err)), MS_ERR_IO);
	dt = mono() - t0;
	ck_assert_msg(dt >= 0.4, "3 requests at 2 per 0.4 s took %.3f s", dt);
	ck_assert_uint_eq(ms_upstream_stats(u)->requests, 3);
	ck_assert(ms_upstream_stats(u)->waited >= 0.3);
	ms_upstream_free(u);
}
END_TEST

START_TEST(test_cancel)
{
	struct ms_upstream_opts o;
	struct ms_upstream *u = NULL;
	volatile sig_atomic_t stop = 1;
	char err[256], *body = NULL;
	size_t len;

	ms_upstream_defaults(&o);
	o.base_url = "http://127.0.0.1:1";
	o.cancel = &stop;
	ck_assert_int_eq(ms_upstream_new(&o, &u, err, sizeof(err)), MS_OK);
	ck_assert_int_eq(ms_upstream_get(u, "/x", &body, &len, err,
	    sizeof(err)), MS_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "interrupted"));
	ck_assert_uint_eq(ms_upstream_stats(u)->requests, 0);
	ms_upstream_free(u);
}
END_TEST

Suite *make_upstream_suite(void);

Suite *
make_upstream_suite(void)
{
	Suite *s = suite_create("upstream");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 30);
	tcase_set_timeout(limits, 60);
	tcase_add_test(core, test_defaults);
	tcase_add_test(core, test_check_url);
	tcase_add_test(core, test_check_key);
	tcase_add_test(core, test_key_kind);
	tcase_add_test(core, test_retry_after);
	tcase_add_test(core, test_backoff);
	tcase_add_test(core, test_parse_json);
	tcase_add_test(core, test_new_rejects);
	tcase_add_test(limits, test_check_url_long);
	tcase_add_test(limits, test_parse_json_nul_and_depth);
	tcase_add_test(limits, test_refused_retries);
	tcase_add_test(limits, test_budget_window);
	tcase_add_test(limits, test_cancel);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
