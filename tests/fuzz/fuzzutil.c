/*
 * fuzzutil.c — the invariant checks the fuzz harnesses share (fuzz.h):
 * what any value that got past a validator must look like. Written
 * independently of ms_param.c's code paths (by the rules in ms_param.h),
 * so that a validator that lets something through it should not is caught
 * here rather than trusted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ms_date.h"
#include "ms_param.h"

void
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, file,
	    line);
	abort();
}

static int
slug_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static size_t
max_len(const struct ms_param_spec *spec)
{
	return spec->max_len != 0 ? spec->max_len : 64;
}

static void
check_slug(const char *s, size_t len, size_t max)
{
	FUZZ_ASSERT(len >= 1 && len <= max);
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(slug_char(s[i]));
}

void
fuzz_check_value(const struct ms_param_spec *spec,
    const struct ms_param_value *v)
{
	char day[MS_DATE_LEN + 1];
	size_t pos;

	FUZZ_ASSERT(v->present == 1);
	FUZZ_ASSERT(v->s != NULL && v->len > 0);
	FUZZ_ASSERT(memchr(v->s, '\0', v->len) == NULL);
	FUZZ_ASSERT(ms_utf8_valid(v->s, v->len));
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->s[i];

		FUZZ_ASSERT(c >= 0x20 && c != 0x7f);
	}
	switch (spec->type) {
	case MS_PARAM_STRING:
		FUZZ_ASSERT(v->len <= max_len(spec));
		break;
	case MS_PARAM_SLUG:
		check_slug(v->s, v->len, max_len(spec));
		break;
	case MS_PARAM_INT:
		if (spec->min_i != 0 || spec->max_i != 0)
			FUZZ_ASSERT(v->i >= spec->min_i && v->i <= spec->max_i);
		break;
	case MS_PARAM_NUMBER:
		FUZZ_ASSERT(isfinite(v->d));
		FUZZ_ASSERT(!(v->d == 0 && signbit(v->d)));
		if (spec->min_d != 0 || spec->max_d != 0)
			FUZZ_ASSERT(v->d >= spec->min_d && v->d <= spec->max_d);
		break;
	case MS_PARAM_DATE:
		FUZZ_ASSERT(v->day >= MS_DATE_MIN && v->day <= MS_DATE_MAX);
		/* Strict YYYY-MM-DD: the text is the day's only spelling. */
		ms_date_format(v->day, day);
		FUZZ_ASSERT(v->len == MS_DATE_LEN &&
		    memcmp(day, v->s, MS_DATE_LEN) == 0);
		break;
	case MS_PARAM_ENUM:
		FUZZ_ASSERT(v->choice >= 0 && spec->choices != NULL);
		FUZZ_ASSERT(strlen(spec->choices[v->choice]) == v->len &&
		    memcmp(spec->choices[v->choice], v->s, v->len) == 0);
		break;
	case MS_PARAM_LIST:
		FUZZ_ASSERT(v->nitems >= 1 && v->items != NULL);
		FUZZ_ASSERT(v->nitems <=
		    (spec->max_items != 0 ? spec->max_items : 100));
		pos = 0;
		for (size_t k = 0; k < v->nitems; k++) {
			size_t n = strlen(v->items[k]);

			check_slug(v->items[k], n, max_len(spec));
			FUZZ_ASSERT(pos + n <= v->len &&
			    memcmp(v->s + pos, v->items[k], n) == 0);
			pos += n;
			if (k + 1 < v->nitems) {
				FUZZ_ASSERT(pos < v->len && v->s[pos] == ',');
				pos++;
			}
		}
		FUZZ_ASSERT(pos == v->len);
		break;
	}
}
