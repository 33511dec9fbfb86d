/*
 * ms_json.h — small cJSON helpers used by every route.
 *
 * Unknown values are NaN in C and null in JSON, never 0. Each add function
 * returns the added item or NULL on allocation failure; callers check the
 * final document once (cJSON tolerates NULL children being absent).
 */
#ifndef MS_JSON_H
#define MS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

/*
 * The shortest "%.Ng" form (N = 15..17) of a finite v that reads back as
 * exactly v; returns its length, or -1 when it does not fit in buf.
 */
int ms_json_format_double(double v, char *buf, size_t bufsz);

/*
 * Adds key: number (printed so it reads back as exactly v), or key: null
 * when v is NaN or infinite.
 */
cJSON *ms_json_num(cJSON *obj, const char *key, double v);
/*
 * Adds key: integer, printed exactly (beyond 15 digits it is a raw item
 * holding the digits, so read it back from the printed text).
 */
cJSON *ms_json_int(cJSON *obj, const char *key, int64_t v);
/* Adds key: "string", or null when s is NULL. */
cJSON *ms_json_str(cJSON *obj, const char *key, const char *s);
/* Adds key: "YYYY-MM-DD", or null when day < 0. */
cJSON *ms_json_date(cJSON *obj, const char *key, int32_t day);
/* Adds key: true/false. */
cJSON *ms_json_bool(cJSON *obj, const char *key, int v);

#endif
