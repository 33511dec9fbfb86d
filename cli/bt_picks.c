/*
 * bt_picks.c — `moonscope backtest picks FILE`: judge a recorded list of
 * picks (CSV, JSON, the /v1/moonshots/past response, or a vendor's list)
 * against the store's history with the cost, delisting and left rules of
 * `backtest moonshots` (backtest/ms_bt_picks.c does the work).
 *
 *   moonscope backtest picks FILE [--hold N|next] [--exit D]
 *       [--notional USD] [--capital USD] [--top K] [--spread-bps BPS]
 *       [--impact K] [--max-volume-share F] [--delist-haircut F]
 *       [--delist-days N] [--left-rule bound|zero|last]
 *       [--snapshot-source NAME] [--seed N] [--bootstrap N]
 *       [--report DIR] [--json]
 *
 * Prints the Markdown summary (or summary.json with --json); --report DIR
 * writes summary.json, picks.csv and summary.md. A file with any problem
 * is rejected whole: "FILE: REJECTED (nothing judged)" and one
 * "FILE:LINE: reason" per problem on stderr, exit 1. Exit 2: usage.
 * docs/backtest-picks.md documents every option and rule.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli.h"
#include "ms_bt.h"
#include "ms_error.h"
#include "ms_store.h"

static const char usage[] =
    "usage: moonscope backtest picks FILE [--hold N|next] [--exit D]\n"
    "           [--notional USD] [--capital USD] [--top K]\n"
    "           [--spread-bps BPS] [--impact K] [--max-volume-share F]\n"
    "           [--delist-haircut F] [--delist-days N]\n"
    "           [--left-rule bound|zero|last] [--snapshot-source NAME]\n"
    "           [--seed N] [--bootstrap N] [--report DIR] [--json]\n"
    "FILE: CSV with a header naming at least a date and an asset column\n"
    "(date,asset[,entry_price][,until][,target_usd]; a report's picks.csv\n"
    "and common vendor names work too), a JSON array of such objects, or\n"
    "the JSON of /v1/moonshots/past. Each pick is bought at the store's\n"
    "close on its date and held --hold days (28; next = until the next\n"
    "snapshot), or until its own `until`, or --exit D; $capital/top\n"
    "(10000) each unless --notional or target_usd. Costs and delisting as\n"
    "backtest moonshots (--delist-days 45 with --hold next, as there).\n"
    "See docs/backtest-picks.md.\n";

/* The replay options that mean something for recorded picks. */
static const char *const shared_opts[] = {
	"--hold", "--capital", "--top", "--spread-bps", "--impact",
	"--max-volume-share", "--delist-haircut", "--delist-days", "--seed",
	"--bootstrap", NULL,
};

static int
bad(const char *opt, const char *what)
{
	fprintf(stderr, "moonscope backtest picks: %s %s\n%s", opt, what, usage);
	return MS_CLI_USAGE;
}

static void
print_rejection(const char *file, const struct ms_bt_picks_errors *e)
{
	fprintf(stderr, "%s: REJECTED (nothing judged)\n", file);
	for (size_t i = 0; i < e->n; i++) {
		if (e->e[i].line > 0)
			fprintf(stderr, "  %s:%lu: %s\n", file, e->e[i].line,
			    e->e[i].reason);
		else
			fprintf(stderr, "  %s: %s\n", file, e->e[i].reason);
	}
	if (e->total > e->n)
		fprintf(stderr, "  ... and %zu more problems\n", e->total - e->n);
}

int
ms_cli_bt_picks(const char *db, int argc, char **argv)
{
	struct ms_bt_params p;
	struct ms_bt_picks_opts o;
	struct ms_bt_picks_file in;
	struct ms_bt_picks_result *r = NULL;
	struct ms_bt_picks_errors *errs;
	struct ms_store *st = NULL;
	const char *file = NULL, *report = NULL, *need;
	char why[160], err[512];
	int json = 0, rc, status = EXIT_SUCCESS, delist_given = 0;

	ms_bt_params_default(&p);
	o.notional = NAN;
	o.exit = -1;
	for (int i = 0; i < argc; i++) {
		const char *a = i + 1 < argc ? argv[i + 1] : NULL, *op = argv[i];

		if (strcmp(op, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strcmp(op, "--help") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		}
		if (strncmp(op, "--", 2) != 0) {
			if (file != NULL)
				return bad(op, "is one file too many");
			if (op[0] == '\0')
				return bad("FILE", "is empty");
			file = op;
			continue;
		}
		if (a == NULL)
			return bad(op, "needs a value");
		i++;
		if (strcmp(op, "--left-rule") == 0 ||
		    strcmp(op, "--snapshot-source") == 0) {
			if (ms_bt_snapshot_option(op, a, &p, &need) < 0)
				return bad(op, need);
		} else if (ms_cli_choice(op, shared_opts) >= 0) {
			if (ms_cli_bt_option(op, a, &p, &need) < 0)
				return bad(op, need);
			delist_given |= strcmp(op, "--delist-days") == 0;
		} else if (strcmp(op, "--exit") == 0) {
			if (ms_cli_day(a, &o.exit))
				return bad(op, "needs a date YYYY-MM-DD");
		} else if (strcmp(op, "--notional") == 0) {
			if (ms_cli_num(a, 1e-6, MS_BT_MAX_CAPITAL, &o.notional))
				return bad(op, "needs a number above 0, at most 1e12");
		} else if (strcmp(op, "--report") == 0) {
			if (a[0] == '\0' || strlen(a) > 3000)
				return bad(op, "needs a directory");
			report = a;
		} else {
			return bad(op, "is not an option of backtest picks");
		}
	}
	if (file == NULL)
		return bad("FILE", "is missing");
	/* Until the next snapshot: the snapshot runs' default (45 days). */
	if (p.hold_days == MS_BT_HOLD_NEXT && !delist_given)
		p.delist_days = MS_BT_SNAPSHOT_DELIST_DAYS;
	if (ms_bt_params_check(&p, why, sizeof(why)) != 0) {
		fprintf(stderr, "moonscope backtest picks: %s\n", why);
		return MS_CLI_USAGE;
	}
	if ((errs = malloc(sizeof(*errs))) == NULL) {
		fprintf(stderr, "moonscope backtest picks: out of memory\n");
		return EXIT_FAILURE;
	}
	if ((rc = ms_bt_picks_read(file, &in, errs)) != 0) {
		print_rejection(file, errs);
		free(errs);
		return EXIT_FAILURE;
	}
	if ((rc = ms_store_open(db, MS_STORE_RO, &st)) != 0) {
		fprintf(stderr, "moonscope backtest picks: cannot open %s: %s\n",
		    db, ms_strerror(rc));
		ms_bt_picks_file_free(&in);
		free(errs);
		return EXIT_FAILURE;
	}
	rc = ms_bt_picks_judge(st, &p, &o, file, &in, &r, errs);
	ms_store_close(st);
	ms_bt_picks_file_free(&in);
	if (rc == MS_ERR_INVALID || (rc == MS_ERR_RANGE && errs->n > 0)) {
		print_rejection(file, errs);
		free(errs);
		return rc == MS_ERR_RANGE ? MS_CLI_USAGE : EXIT_FAILURE;
	}
	free(errs);
	if (rc == MS_ERR_NODATA) {
		fprintf(stderr, "moonscope backtest picks: the store is empty\n");
		return EXIT_FAILURE;
	}
	if (rc != 0) {
		fprintf(stderr, "moonscope backtest picks: %s\n", ms_strerror(rc));
		return EXIT_FAILURE;
	}
	if (report != NULL &&
	    ms_bt_picks_write_report(r, report, err, sizeof(err)) != 0) {
		fprintf(stderr, "moonscope backtest picks: report: %s\n", err);
		status = EXIT_FAILURE;
	}
	if (ms_cli_print_summary(json, json ? ms_bt_picks_summary_json(r) : NULL,
	    json ? NULL : ms_bt_picks_markdown(r), status == EXIT_SUCCESS ? report : NULL,
	    "summary.json,summary.md,picks.csv") != 0)
		status = EXIT_FAILURE;
	ms_bt_picks_result_free(r);
	return status;
}
