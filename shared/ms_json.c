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

#include "ms_date.h"
#include "ms_json.h"

cJSON *
ms_json_num(cJSON *obj, const char *key, double v)
{
	if (!isfinite(v))
		return cJSON_AddNullToObject(obj, key);
	return cJSON_AddNumberToObject(obj, key, v == 0.0 ? 0.0 : v);
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
