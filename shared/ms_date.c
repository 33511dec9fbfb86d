/*
 * ms_date.c — calendar dates as day numbers (days since 1970-01-01, UTC).
 *
 * The conversions are the closed-form proleptic Gregorian algorithms
 * (eras of 400 years, years starting in March so the leap day is last),
 * valid for every year 1..9999 and beyond; no tables, no time zone, no
 * locale. Parsing accepts exactly "YYYY-MM-DD" and nothing else: no sign,
 * no spaces, no time part, and the day must exist in that month.
 */
#include <time.h>

#include "ms_date.h"
#include "ms_error.h"

/* Floor division for a negative-capable numerator and a positive divisor. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b) != 0 && a < 0)
		q--;
	return q;
}

int32_t
ms_date_from_ymd(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2 ? 1 : 0);
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;                         /* [0, 399] */
	int64_t mp = (m + 9) % 12;                            /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;    /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */

	return (int32_t)(era * 146097 + doe - 719468);
}

void
ms_date_to_ymd(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;
	int64_t yy = yoe + era * 400 + (mm <= 2 ? 1 : 0);

	*y = (int)yy;
	*m = (int)mm;
	*d = (int)dd;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
ms_date_valid_ymd(int y, int m, int d)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int last;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	last = mdays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
	return d <= last;
}

/* Reads n ASCII digits at s; -1 if any byte is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
ms_date_parse(const char *s, size_t len, int32_t *out)
{
	int y, m, d;

	if (s == NULL || len != MS_DATE_LEN || s[4] != '-' || s[7] != '-')
		return MS_ERR_PARSE;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return MS_ERR_PARSE;
	if (!ms_date_valid_ymd(y, m, d))
		return MS_ERR_RANGE;
	*out = ms_date_from_ymd(y, m, d);
	return MS_OK;
}

void
ms_date_format(int32_t day, char out[MS_DATE_LEN + 1])
{
	int y, m, d;

	ms_date_to_ymd(day, &y, &m, &d);
	/* Years outside 0..9999 cannot be written in four digits. */
	if (y < 0 || y > 9999) {
		y = y < 0 ? 0 : 9999;
		m = y == 0 ? 1 : 12;
		d = y == 0 ? 1 : 31;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int32_t
ms_date_today(void)
{
	return (int32_t)floor_div((int64_t)time(NULL), 86400);
}

int
ms_date_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int64_t w = ((int64_t)day + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}
