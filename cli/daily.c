/*
 * daily.c — `moonscope daily`: record grades and moonshot picks for one
 * day or a range of days (see shared/ms_record.h).
 *
 *   moonscope daily [--as-of D | --from D1 --to D2] [--picks K]
 *
 * Without a date, the last day in the store is recorded. Each day is its
 * own transaction and is idempotent: recording it again replaces it with
 * the same computation. Replaying a range builds the point-in-time history
 * that /v1/moonshots/past judges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_market.h"
#include "ms_record.h"
#include "ms_store.h"

static int
parse_day(const char *opt, const char *s, int32_t *out)
{
	if (s == NULL || ms_date_parse(s, strlen(s), out) != 0 ||
	    *out < MS_DATE_MIN || *out > MS_DATE_MAX) {
		fprintf(stderr, "moonscope daily: %s needs a date YYYY-MM-DD "
		    "between 2009-01-03 and 2099-12-31\n", opt);
		return -1;
	}
	return 0;
}

int
ms_cli_daily(const char *db, int argc, char **argv)
{
	int32_t from = -1, to = -1, as_of = -1;
	long k = MS_RECORD_DEFAULT_K;
	struct ms_store *st;
	int rc, failed = 0;

	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--as-of") == 0) {
			if (parse_day("--as-of", v, &as_of) != 0)
				return MS_CLI_USAGE;
			i++;
		} else if (strcmp(argv[i], "--from") == 0) {
			if (parse_day("--from", v, &from) != 0)
				return MS_CLI_USAGE;
			i++;
		} else if (strcmp(argv[i], "--to") == 0) {
			if (parse_day("--to", v, &to) != 0)
				return MS_CLI_USAGE;
			i++;
		} else if (strcmp(argv[i], "--picks") == 0) {
			char *end;
			errno = 0;
			k = v ? strtol(v, &end, 10) : 0;
			if (v == NULL || errno != 0 || *end != '\0' || k < 1 || k > 500) {
				fputs("moonscope daily: --picks needs 1..500\n", stderr);
				return MS_CLI_USAGE;
			}
			i++;
		} else {
			fprintf(stderr, "moonscope daily: unknown option %s\n"
			    "usage: moonscope daily [--as-of D | --from D1 --to D2]"
			    " [--picks K]\n", argv[i]);
			return MS_CLI_USAGE;
		}
	}
	if ((from >= 0) != (to >= 0) || (as_of >= 0 && from >= 0) ||
	    (from >= 0 && from > to)) {
		fputs("moonscope daily: give --as-of D, or --from D1 --to D2 "
		    "with D1 <= D2\n", stderr);
		return MS_CLI_USAGE;
	}
	if ((rc = ms_store_open(db, MS_STORE_RW, &st)) != 0) {
		fprintf(stderr, "moonscope daily: cannot open %s: %s\n", db,
		    ms_strerror(rc));
		return EXIT_FAILURE;
	}
	if (from < 0) {
		if (as_of < 0 && (rc = ms_market_latest_day(st, -1, &as_of)) != 0) {
			fprintf(stderr, "moonscope daily: the store has no data\n");
			ms_store_close(st);
			return EXIT_FAILURE;
		}
		from = to = as_of;
	}
	for (int32_t d = from; d <= to; d++) {
		struct ms_record_summary sum;
		char date[MS_DATE_LEN + 1];

		ms_date_format(d, date);
		rc = ms_record_day(st, d, (size_t)k, &sum);
		if (rc == MS_ERR_NODATA) {
			printf("%s: no data on or before this day, nothing recorded\n", date);
			continue;
		}
		if (rc != 0) {
			fprintf(stderr, "moonscope daily: %s: %s\n", date,
			    ms_strerror(rc));
			failed = 1;
			break;
		}
		printf("%s: universe %zu, graded %zu, picks %zu recorded\n",
		    date, sum.universe, sum.graded, sum.picks);
	}
	ms_store_close(st);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
