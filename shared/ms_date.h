/*
 * ms_date.h — calendar dates as day numbers.
 *
 * Moonscope stores and compares dates as int32 days since 1970-01-01
 * (proleptic Gregorian, UTC). A daily bar dated D covers the UTC day D; its
 * close is the value at the end of D. Parsing is strict: exactly YYYY-MM-DD,
 * with the day checked against the month (2018-02-30 is rejected).
 */
#ifndef MS_DATE_H
#define MS_DATE_H

#include <stddef.h>
#include <stdint.h>

#define MS_DATE_MIN 14247   /* 2009-01-03, the Bitcoin genesis block */
#define MS_DATE_MAX 47481   /* 2099-12-31 */
#define MS_DATE_LEN 10      /* strlen("YYYY-MM-DD") */

/* Days since 1970-01-01 for a valid y/m/d; no range check. */
int32_t ms_date_from_ymd(int y, int m, int d);
/* Inverse of ms_date_from_ymd. */
void ms_date_to_ymd(int32_t day, int *y, int *m, int *d);
/* 1 if y/m/d names a real calendar day (years 1..9999), else 0. */
int ms_date_valid_ymd(int y, int m, int d);

/*
 * Parses exactly len bytes of s as YYYY-MM-DD. Returns 0 and writes *out,
 * or MS_ERR_PARSE (syntax) / MS_ERR_RANGE (no such day). No range policy:
 * callers compare with MS_DATE_MIN/MAX as they need.
 */
int ms_date_parse(const char *s, size_t len, int32_t *out);

/* Writes "YYYY-MM-DD" and a NUL into out (at least 11 bytes). */
void ms_date_format(int32_t day, char out[MS_DATE_LEN + 1]);

/* Today's UTC date as a day number. */
int32_t ms_date_today(void);

/* 0 = Monday ... 6 = Sunday (ISO). */
int ms_date_weekday(int32_t day);

#endif
