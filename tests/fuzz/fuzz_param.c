/*
 * fuzz_param.c — fuzzes the pure validators (shared/ms_param.c).
 *
 * Input: the first byte picks one spec of the table below (every type,
 * with default, tight and extreme bounds); the rest is the raw value,
 * passed with its exact length and no NUL terminator, so a validator that
 * reads one byte too far is caught by the sanitizers. Checked for every
 * input: ms_param_validate and ms_param_check agree; a failure leaves
 * *out untouched and gives a NUL-terminated reason that fits its buffer
 * (however small); a success satisfies fuzz_check_value. The same bytes
 * also go through ms_param_unescape, ms_path_unescape (tight output
 * buffers) and ms_param_describe (every buffer size up to 96).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ms_error.h"
#include "ms_param.h"

static const char *const colours[] = { "red", "green", "blue", "", NULL };
static const char *const one[] = { "x", NULL };

static const struct ms_param_spec specs[] = {
	{ .name = "s", .type = MS_PARAM_STRING },
	{ .name = "s8", .type = MS_PARAM_STRING, .max_len = 8 },
	{ .name = "slug", .type = MS_PARAM_SLUG },
	{ .name = "slug3", .type = MS_PARAM_SLUG, .max_len = 3 },
	{ .name = "i", .type = MS_PARAM_INT },
	{ .name = "limit", .type = MS_PARAM_INT, .min_i = 1, .max_i = 500 },
	{ .name = "neg", .type = MS_PARAM_INT, .min_i = -5, .max_i = -1 },
	{ .name = "i64", .type = MS_PARAM_INT, .min_i = INT64_MIN,
	  .max_i = INT64_MAX },
	{ .name = "d", .type = MS_PARAM_NUMBER },
	{ .name = "cap", .type = MS_PARAM_NUMBER, .min_d = 0, .max_d = 1e15 },
	{ .name = "p", .type = MS_PARAM_NUMBER, .min_d = -1, .max_d = 1 },
	{ .name = "tiny", .type = MS_PARAM_NUMBER, .min_d = 1e-300,
	  .max_d = 2e-300 },
	{ .name = "day", .type = MS_PARAM_DATE },
	{ .name = "colour", .type = MS_PARAM_ENUM, .choices = colours },
	{ .name = "one", .type = MS_PARAM_ENUM, .choices = one },
	{ .name = "ids", .type = MS_PARAM_LIST },
	{ .name = "ids3", .type = MS_PARAM_LIST, .max_items = 3, .max_len = 5 },
	{ .name = "ids1", .type = MS_PARAM_LIST, .max_items = 1, .max_len = 1 },
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))

/* A reason buffer of exactly n bytes (heap, so overruns are seen). */
static void
check_reason(const struct ms_param_spec *spec, const char *val, size_t len,
    int want, size_t n)
{
	struct ms_param_value v;
	char *reason = malloc(n == 0 ? 1 : n);
	int rc;

	FUZZ_ASSERT(reason != NULL);
	memset(reason, 'Z', n);
	rc = ms_param_check(spec, val, len, &v, reason, n);
	FUZZ_ASSERT(rc == want);
	if (rc == MS_OK) {
		fuzz_check_value(spec, &v);
		ms_param_value_clear(&v);
	} else if (n > 0) {
		FUZZ_ASSERT(memchr(reason, '\0', n) != NULL);
		FUZZ_ASSERT(n == 1 || reason[0] != '\0');
	}
	free(reason);
}

static void
check_unescape(const char *val, size_t len)
{
	char *dst = malloc(len + 1);
	size_t n = 0, m = 0;
	int rc;

	FUZZ_ASSERT(dst != NULL);
	rc = ms_param_unescape(val, len, dst, &n);
	FUZZ_ASSERT(rc == MS_OK || rc == MS_ERR_PARSE);
	if (rc == MS_OK) {
		FUZZ_ASSERT(n <= len && dst[n] == '\0');
		FUZZ_ASSERT(ms_utf8_valid(dst, n) == 0 ||
		    ms_utf8_valid(dst, n) == 1);
	}
	/* The path decoder with an output buffer of every tight size. */
	for (size_t cap = 0; cap <= len + 1 && cap <= 8; cap++) {
		char *p = malloc(cap == 0 ? 1 : cap);

		FUZZ_ASSERT(p != NULL);
		rc = ms_path_unescape(val, len, p, cap, &m);
		FUZZ_ASSERT(rc == MS_OK || rc == MS_ERR_PARSE ||
		    rc == MS_ERR_TOOBIG);
		if (rc == MS_OK)
			FUZZ_ASSERT(m < cap && p[m] == '\0');
		free(p);
	}
	free(dst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ms_param_spec *spec;
	struct ms_param_value v, before;
	const char *val, *reason = NULL;
	size_t len;
	int rc;

	if (size == 0)
		return 0;
	spec = &specs[data[0] % NSPECS];
	val = (const char *)data + 1;
	len = size - 1;

	memset(&v, 0xa5, sizeof(v));
	before = v;
	rc = ms_param_validate(spec, val, len, &v, &reason);
	if (rc == MS_OK) {
		fuzz_check_value(spec, &v);
		FUZZ_ASSERT(v.s == val && v.len == len && !v.defaulted);
		ms_param_value_clear(&v);
	} else {
		FUZZ_ASSERT(rc < 0);
		FUZZ_ASSERT(memcmp(&v, &before, sizeof(v)) == 0);
		FUZZ_ASSERT(reason != NULL && reason[0] != '\0');
	}
	check_reason(spec, val, len, rc, 192);
	check_reason(spec, val, len, rc, 7);
	check_reason(spec, val, len, rc, 1);
	check_reason(spec, val, len, rc, 0);
	check_unescape(val, len);

	for (size_t n = 0; n <= 96; n += 1 + n / 8) {
		char *buf = malloc(n == 0 ? 1 : n);

		FUZZ_ASSERT(buf != NULL);
		FUZZ_ASSERT(ms_param_describe(spec, buf, n) < (n ? n : 1));
		free(buf);
	}
	return 0;
}
