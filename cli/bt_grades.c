/*
 * bt_grades.c — `moonscope backtest grades`: the information coefficient
 * of the trader and investor grades and their components against forward
 * returns (backtest/ms_bt_grades.h).
 *
 *   moonscope backtest grades [--from D] [--to D] [--every N]
 *       [--horizon H] [--delist-days N] [--delist-haircut F]
 *       [--report DIR] [--json]
 *
 * Prints the Markdown summary (or summary.json with --json); --report DIR
 * also writes summary.json, ic.csv, deciles.csv, grades_returns.csv,
 * summary.md and report.html. Exit status: 0 success, 1 failure, 2 usage error.
 * docs/backtest-grades.md has the definitions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "ms_bt.h"
#include "ms_bt_grades.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_store.h"

static const char usage[] =
    "usage: moonscope backtest grades [--from D] [--to D] [--every N]\n"
    "           [--horizon H] [--delist-days N] [--delist-haircut F]\n"
    "           [--report DIR] [--json]\n"
    "defaults: from the store's first day + 30 to its last day - H, every 7\n"
    "days, horizon 28 days; a coin without a bar for 30 days after its last\n"
    "one died and is valued at its last close x (1 - 1), a total loss.\n"
    "See docs/backtest-grades.md.\n";

static int
bad(const char *opt, const char *what)
{
	fprintf(stderr, "moonscope backtest grades: %s %s\n%s", opt, what,
	    usage);
	return MS_CLI_USAGE;
}

static void
progress(size_t done, size_t total, void *arg)
{
	(void)arg;
	fprintf(stderr, "\rbacktest grades: %zu/%zu dates", done, total);
	if (done == total)
		fputc('\n', stderr);
}

int
ms_cli_bt_grades(const char *db, int argc, char **argv)
{
	struct ms_bt_grades_params p;
	struct ms_bt_grades_result *r = NULL;
	struct ms_store *st;
	const char *report = NULL;
	unsigned long long u;
	char why[160], err[512];
	int json = 0, rc, status = EXIT_SUCCESS;

	ms_bt_grades_params_default(&p);
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strcmp(o, "--help") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		}
		if (strncmp(o, "--", 2) != 0)
			return bad(o, "is not an option");
		if (a == NULL)
			return bad(o, "needs a value");
		i++;
		if (strcmp(o, "--from") == 0) {
			if (ms_cli_day(a, &p.from))
				return bad(o, "needs a date YYYY-MM-DD");
		} else if (strcmp(o, "--to") == 0) {
			if (ms_cli_day(a, &p.to))
				return bad(o, "needs a date YYYY-MM-DD");
		} else if (strcmp(o, "--every") == 0) {
			if (ms_cli_count(a, 1, MS_BT_GRADES_MAX_EVERY, &u))
				return bad(o, "needs 1..365 days");
			p.every = (int)u;
		} else if (strcmp(o, "--horizon") == 0) {
			if (ms_cli_count(a, 1, MS_BT_GRADES_MAX_HORIZON, &u))
				return bad(o, "needs 1..730 days");
			p.horizon = (int)u;
		} else if (strcmp(o, "--delist-days") == 0) {
			if (ms_cli_count(a, 1, MS_BT_MAX_DELIST_DAYS, &u))
				return bad(o, "needs 1..365 days");
			p.delist_days = (int)u;
		} else if (strcmp(o, "--delist-haircut") == 0) {
			if (ms_cli_num(a, 0, 1, &p.delist_haircut))
				return bad(o, "needs a number 0..1");
		} else if (strcmp(o, "--report") == 0) {
			if (a[0] == '\0' || strlen(a) > 3000)
				return bad(o, "needs a directory");
			report = a;
		} else {
			return bad(o, "is not an option of backtest grades");
		}
	}
	if (ms_bt_grades_params_check(&p, why, sizeof(why)) != 0) {
		fprintf(stderr, "moonscope backtest grades: %s\n", why);
		return MS_CLI_USAGE;
	}
	if ((rc = ms_store_open(db, MS_STORE_RO, &st)) != 0) {
		fprintf(stderr, "moonscope backtest grades: cannot open %s: %s\n",
		    db, ms_strerror(rc));
		return EXIT_FAILURE;
	}
	rc = ms_bt_grades_run(st, &p, isatty(STDERR_FILENO) ? progress : NULL,
	    NULL, &r);
	ms_store_close(st);
	if (rc == MS_ERR_NODATA) {
		fprintf(stderr, "moonscope backtest grades: no evaluation date in "
		    "the range (the store may be empty, or shorter than the 30-day "
		    "warm-up plus the horizon; see --from/--to/--horizon)\n");
		return EXIT_FAILURE;
	}
	if (rc == MS_ERR_RANGE) {
		fprintf(stderr, "moonscope backtest grades: more than %d dates; "
		    "use a larger --every or a shorter range\n",
		    MS_BT_GRADES_MAX_DATES);
		return MS_CLI_USAGE;
	}
	if (rc != 0) {
		fprintf(stderr, "moonscope backtest grades: %s\n", ms_strerror(rc));
		return EXIT_FAILURE;
	}
	if (report != NULL &&
	    ms_bt_grades_write_report(r, report, err, sizeof(err)) != 0) {
		fprintf(stderr, "moonscope backtest grades: report: %s\n", err);
		status = EXIT_FAILURE;
	}
	if (ms_cli_print_summary(json, json ? ms_bt_grades_summary_json(r) : NULL,
	    json ? NULL : ms_bt_grades_markdown(r), status == EXIT_SUCCESS ? report : NULL,
	    "summary.json,ic.csv,deciles.csv,grades_returns.csv,summary.md,report.html") != 0)
		status = EXIT_FAILURE;
	ms_bt_grades_result_free(r);
	return status;
}
