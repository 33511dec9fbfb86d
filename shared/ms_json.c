/*
 * ms_json.c — small cJSON helpers shared by every route.
 *
 * The one rule they enforce: an unknown value is null in JSON, never 0 or
 * an empty string. NaN and infinities (C's "unknown") become null, a NULL
 * string becomes null, a negative day number becomes null. Each helper
 * returns the added item (owned by obj) or NULL when obj is NULL or memory
 * ran out; a route builds the whole document and checks it once.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ms_date.h"
#include "ms_json.h"

/*
 * Writes the shortest decimal form of v (15, 16 or 17 significant digits)
 * that reads back as exactly v. cJSON's own printer accepts 15 digits when
 * they read back within a relative epsilon, which silently changes the
 * last bits of a value (0.016967910319231505 went out as
 * 0.0169679103192315); clients must get the number that was computed.
 */
int
ms_json_format_double(double v, char *buf, size_t bufsz)
{
	for (int prec = 15; prec <= 17; prec++) {
		int n = snprintf(buf, bufsz, "%.*g", prec, v);
		if (n < 0 || (size_t)n >= bufsz)
			return -1;
		if (strtod(buf, NULL) == v)
			return n;
	}
	return -1;
}

cJSON *
ms_json_num(cJSON *obj, const char *key, double v)
{
	char buf[32];

	if (!isfinite(v))
		return cJSON_AddNullToObject(obj, key);
	if (v == 0.0)
		return cJSON_AddNumberToObject(obj, key, 0.0);
	if (ms_json_format_double(v, buf, sizeof(buf)) < 0)
		return cJSON_AddNumberToObject(obj, key, v);
	return cJSON_AddRawToObject(obj, key, buf);
}

/*
 * cJSON prints numbers with 15 significant digits when that reads back
 * within a relative epsilon, which turns 2^53 into 9.00719925474099e+15.
 * Integers of 15 digits or fewer are exact that way; longer ones are
 * added as raw JSON digits so they are printed exactly.
 */
cJSON *
ms_json_int(cJSON *obj, const char *key, int64_t v)
{
	char digits[24];

	if (v > -1000000000000000LL && v < 1000000000000000LL)
		return cJSON_AddNumberToObject(obj, key, (double)v);
	snprintf(digits, sizeof(digits), "%" PRId64, v);
	return cJSON_AddRawToObject(obj, key, digits);
}

cJSON *
ms_json_str(cJSON *obj, const char *key, const char *s)
{
	if (s == NULL)
		return cJSON_AddNullToObject(obj, key);
	return cJSON_AddStringToObject(obj, key, s);
}

cJSON *
ms_json_date(cJSON *obj, const char *key, int32_t day)
{
	char buf[MS_DATE_LEN + 1];

	if (day < 0)
		return cJSON_AddNullToObject(obj, key);
	ms_date_format(day, buf);
	return cJSON_AddStringToObject(obj, key, buf);
}

cJSON *
ms_json_bool(cJSON *obj, const char *key, int v)
{
	return cJSON_AddBoolToObject(obj, key, v ? 1 : 0);
}
