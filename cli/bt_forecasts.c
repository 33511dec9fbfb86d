/*
 * bt_forecasts.c — `moonscope backtest forecasts`: walk-forward evaluation
 * of the naive, drift, ewma and garch forecasts /v1/forecasts serves, or
 * (--recorded) of the forecasts `moonscope daily` recorded in the store.
 *
 *   moonscope backtest forecasts [--from D] [--to D] [--step N]
 *       [--assets LIST] [--models LIST] [--horizons LIST] [--window N]
 *       [--recorded] [--report DIR] [--check-lookahead] [--json]
 *
 * Prints the Markdown summary (or summary.json with --json), writes the
 * report files with --report, and the run time and forecasts per second
 * on stderr. Exit status: 0 success, 1 failure (or a look-ahead check
 * found a difference), 2 usage error naming the option. The rules are in
 * backtest/ms_bt_forecasts.h and docs/backtest-forecasts.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "ms_bt_forecasts.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_progress.h"
#include "ms_store.h"

static const char usage[] =
    "usage: moonscope backtest forecasts [--from D] [--to D] [--step N]\n"
    "           [--assets LIST] [--models LIST] [--horizons LIST]\n"
    "           [--window N] [--recorded] [--report DIR]\n"
    "           [--check-lookahead] [--json]\n"
    "defaults: origins every 30 days from the store's first day + 365 to\n"
    "its last day - the longest horizon; assets BTC,ETH,XRP,LTC,DOGE (those\n"
    "the store has); models naive,drift,ewma,garch; horizons 7,30,90;\n"
    "the route's windows (365 days; garch 1000). --recorded judges the\n"
    "forecasts `moonscope daily` recorded (default: every recorded day and\n"
    "asset). See docs/backtest-forecasts.md.\n";

static int
bad(const char *opt, const char *what)
{
	fprintf(stderr, "moonscope backtest forecasts: %s %s\n%s", opt, what,
	    usage);
	return MS_CLI_USAGE;
}

/* The run's progress callback: arg is the struct ms_progress. */
static void
progress(size_t done, size_t total, void *arg)
{
	struct ms_progress *pg = arg;

	if (pg->total != total)
		pg->total = total;
	ms_progress_step(pg, done, NULL);
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* --check-lookahead: every origin of r, every asset, on a truncated copy. */
static int
check_lookahead(struct ms_store *st, struct ms_bt_fc_result *r)
{
	const char *tmp = getenv("TMPDIR");
	int64_t *ids;
	char dir[4096];
	int rc = 0;

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if ((ids = malloc(r->nassets * sizeof(*ids))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t a = 0; a < r->nassets; a++)
		ids[a] = r->assets[a].asset.id;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/moonscope-fc-lookahead-XXXXXX",
	    tmp) >= sizeof(dir) || mkdtemp(dir) == NULL) {
		fprintf(stderr, "moonscope backtest forecasts: cannot create a "
		    "directory in %s: %s\n", tmp, strerror(errno));
		free(ids);
		return MS_ERR_IO;
	}
	for (size_t o = 0; o < r->norigins; o++) {
		char d[MS_DATE_LEN + 1];
		int same = 0;

		rc = ms_bt_fc_check_lookahead(st, r->origins[o], ids, r->nassets,
		    &r->params, dir, &same);
		if (rc != 0)
			break;
		r->lookahead_checked++;
		r->lookahead_identical += same;
		if (!same) {
			ms_date_format(r->origins[o], d);
			fprintf(stderr, "moonscope backtest forecasts: LOOK-AHEAD: "
			    "the forecasts on %s differ on the store truncated "
			    "after it\n", d);
		}
	}
	rmdir(dir);
	free(ids);
	return rc;
}

/* Parses the options into p; 0 or MS_CLI_USAGE (reported). */
static int
parse(int argc, char **argv, struct ms_bt_fc_params *p, const char **report,
    int *lookahead, int *json)
{
	unsigned long long v;

	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--check-lookahead") == 0) {
			*lookahead = 1;
			continue;
		}
		if (strcmp(o, "--json") == 0) {
			*json = 1;
			continue;
		}
		if (strcmp(o, "--recorded") == 0) {
			p->recorded = 1;
			continue;
		}
		if (strncmp(o, "--", 2) != 0)
			return bad(o, "is not an option");
		if (a == NULL)
			return bad(o, "needs a value");
		i++;
		if (strcmp(o, "--from") == 0) {
			if (ms_cli_day(a, &p->from))
				return bad(o, "needs a date YYYY-MM-DD");
		} else if (strcmp(o, "--to") == 0) {
			if (ms_cli_day(a, &p->to))
				return bad(o, "needs a date YYYY-MM-DD");
		} else if (strcmp(o, "--step") == 0) {
			if (ms_cli_count(a, 1, MS_BT_FC_MAX_STEP, &v))
				return bad(o, "needs days in 1..3660");
			p->step = (int)v;
		} else if (strcmp(o, "--window") == 0) {
			if (ms_cli_count(a, 31, MS_FORECAST_MAX_WINDOW, &v))
				return bad(o, "needs days in 31..10000");
			p->window = (size_t)v;
		} else if (strcmp(o, "--assets") == 0) {
			if (ms_bt_fc_parse_assets(a, p) != 0)
				return bad(o, "needs 1..64 comma-separated asset ids "
				    "or symbols");
		} else if (strcmp(o, "--models") == 0) {
			if (ms_bt_fc_parse_models(a, p) != 0)
				return bad(o, "needs a comma-separated list of "
				    "naive, drift, ewma, garch");
		} else if (strcmp(o, "--horizons") == 0) {
			if (ms_bt_fc_parse_horizons(a, p) != 0)
				return bad(o, "needs 1..8 comma-separated horizons "
				    "in days (1..3660)");
		} else if (strcmp(o, "--report") == 0) {
			if (a[0] == '\0' || strlen(a) > 3000)
				return bad(o, "needs a directory");
			*report = a;
		} else {
			return bad(o, "is not an option of backtest forecasts");
		}
	}
	if (*lookahead && p->recorded)
		return bad("--check-lookahead", "applies to the walk-forward, "
		    "not to --recorded");
	return 0;
}

int
ms_cli_bt_forecasts(const char *db, int argc, char **argv)
{
	struct ms_bt_fc_params p;
	struct ms_bt_fc_result *r = NULL;
	struct ms_progress pg;
	struct ms_store *st;
	const char *report = NULL;
	char why[256], err[512];
	int lookahead = 0, json = 0, rc, status = EXIT_SUCCESS;
	double t0, secs;

	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		}
	ms_bt_fc_params_default(&p);
	if ((rc = parse(argc, argv, &p, &report, &lookahead, &json)) != 0)
		return rc;
	if (ms_bt_fc_params_check(&p, why, sizeof(why)) != 0) {
		fprintf(stderr, "moonscope backtest forecasts: %s\n", why);
		return MS_CLI_USAGE;
	}
	if ((rc = ms_store_open(db, MS_STORE_RO, &st)) != 0) {
		fprintf(stderr, "moonscope backtest forecasts: cannot open %s: "
		    "%s\n", db, ms_strerror(rc));
		return EXIT_FAILURE;
	}
	t0 = now();
	ms_progress_init(&pg, stderr, "backtest forecasts", 0);
	rc = ms_bt_fc_run(st, &p, progress, &pg, &r, why, sizeof(why));
	if (rc == 0)
		ms_progress_done(&pg);
	else if (pg.open)
		fputc('\n', stderr);
	secs = now() - t0;
	if (rc != 0) {
		fprintf(stderr, "moonscope backtest forecasts: %s\n",
		    why[0] ? why : ms_strerror(rc));
		ms_store_close(st);
		return EXIT_FAILURE;
	}
	fprintf(stderr, "backtest forecasts: %zu forecasts (%zu judged) in "
	    "%.2f s, %.0f forecasts/s\n", r->nrows, r->judged, secs,
	    secs > 0 ? (double)r->nrows / secs : 0.0);
	if (lookahead) {
		t0 = now();
		if ((rc = check_lookahead(st, r)) != 0) {
			fprintf(stderr, "moonscope backtest forecasts: look-ahead "
			    "check: %s\n", ms_strerror(rc));
			status = EXIT_FAILURE;
		} else if (r->lookahead_identical != r->lookahead_checked) {
			status = EXIT_FAILURE;
		}
		fprintf(stderr, "backtest forecasts: look-ahead check, %d of %d "
		    "origins identical, %.2f s\n", r->lookahead_identical,
		    r->lookahead_checked, now() - t0);
	}
	ms_store_close(st);
	if (r->sample_mismatch > 0)
		fprintf(stderr, "moonscope backtest forecasts: warning: %zu garch "
		    "samples did not reproduce the served quantiles\n",
		    r->sample_mismatch);
	if (report != NULL &&
	    ms_bt_fc_write_report(r, report, err, sizeof(err)) != 0) {
		fprintf(stderr, "moonscope backtest forecasts: report: %s\n", err);
		status = EXIT_FAILURE;
	}
	if (ms_cli_print_summary(json, json ? ms_bt_fc_summary_json(r) : NULL,
	    json ? NULL : ms_bt_fc_summary_markdown(r), status == EXIT_SUCCESS ? report : NULL,
	    "summary.json,summary.md,forecasts.csv,report.html") != 0)
		status = EXIT_FAILURE;
	ms_bt_fc_result_free(r);
	return status;
}
