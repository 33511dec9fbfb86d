/*
 * backtest.c — `moonscope backtest`: replay the moonshot screener against
 * history, and compare two backtest results as a CI regression gate.
 *
 *   moonscope backtest moonshots [--from D] [--to D]
 *       [--rebalance daily|weekly|monthly|snapshots] [--hold N|next]
 *       [--left-rule bound|zero|last] [--snapshot-source NAME] [--top K]
 *       [--sort KEY] [--order asc|desc] [--max-market-cap USD]
 *       [--min-market-cap USD] [--min-volume USD] [--category NAME]
 *       [--capital USD] [--spread-bps BPS] [--impact K]
 *       [--max-volume-share F] [--delist-haircut F] [--delist-days N]
 *       [--benchmark ASSET]
 *       [--seed N] [--bootstrap N] [--report DIR] [--check-lookahead]
 *       [--json]
 *   moonscope backtest picks FILE ...      (cli/bt_picks.c)
 *   moonscope backtest forecasts ...       (cli/bt_forecasts.c)
 *   moonscope backtest claims FILE ...     (cli/bt_claims.c)
 *   moonscope backtest grades ...          (cli/bt_grades.c)
 *   moonscope backtest sweep|merge ...     (cli/bt_sweep.c)
 *   moonscope backtest compare BASELINE.json CURRENT.json
 *       [--tolerances FILE] [--abs X] [--rel X] [--junit FILE]
 *       [--markdown FILE]
 *
 * moonshots prints the Markdown summary (or summary.json with --json) and
 * writes the report files with --report. compare prints a Markdown table
 * of what moved. Exit status: 0 success / gate passed, 1 failure / a
 * metric degraded beyond tolerance / a look-ahead check failed, 2 usage
 * error. The rules are in backtest/ms_bt.h and docs/backtesting.md.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "ms_bt.h"
#include "ms_bt_compare.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_progress.h"
#include "ms_store.h"

static const char usage[] =
    "usage: moonscope backtest moonshots [--from D] [--to D]\n"
    "           [--rebalance daily|weekly|monthly|snapshots] [--hold N|next]\n"
    "           [--left-rule bound|zero|last] [--snapshot-source NAME]\n"
    "           [--top K]\n"
    "           [--sort trader_grade|investor_grade|roi_7d|roi_30d|roi_90d|\n"
    "                   market_cap|volume] [--order asc|desc]\n"
    "           [--max-market-cap USD] [--min-market-cap USD]\n"
    "           [--min-volume USD] [--category NAME] [--capital USD]\n"
    "           [--spread-bps BPS] [--impact K] [--max-volume-share F]\n"
    "           [--delist-haircut F] [--delist-days N] [--benchmark ASSET]\n"
    "           [--seed N] [--bootstrap N] [--report DIR] [--check-lookahead]\n"
    "           [--json]\n"
    "       moonscope backtest picks FILE [--hold N|next] [--exit D]\n"
    "           [--notional USD] [cost, delisting and --left-rule options]\n"
    "           [--seed N] [--bootstrap N] [--report DIR] [--json]\n"
    "       moonscope backtest forecasts [--assets A,B] [--models M,..]\n"
    "           [--horizons H,..] [--from D] [--to D] [--step N] [--recorded]\n"
    "           [--report DIR] [--json]     walk-forward forecast evaluation\n"
    "       moonscope backtest claims FILE [--report DIR] [--json]\n"
    "                                       price-target claims, hit or miss\n"
    "       moonscope backtest grades [--every N] [--horizon H] [--report DIR]\n"
    "                                       information coefficient of grades\n"
    "       moonscope backtest sweep --grid KEY=V1,V2 ... [--jobs N]\n"
    "           [--shard I/N --out FILE] [--report DIR]   parameter grid\n"
    "       moonscope backtest merge SHARD.json... [--report DIR]\n"
    "       (each command's --help or docs/backtest-<command>.md has the rest)\n"
    "       moonscope backtest compare BASELINE.json CURRENT.json\n"
    "           [--tolerances FILE] [--abs X] [--rel X] [--junit FILE]\n"
    "           [--markdown FILE]\n"
    "defaults: weekly from the store's first day + 30 to the last date whose\n"
    "hold ends in the store; hold 28 days; top 10 by trader grade under\n"
    "$100M; capital 100000; spread 50 bps per trade; impact 0.5 x volume\n"
    "share; buys capped at 0.1 of the day's volume; delist haircut 1 (total\n"
    "loss) after 30 days without a bar (also the longest a sale may take);\n"
    "benchmark bitcoin; seed 1; 10000 bootstrap resamples.\n"
    "--rebalance snapshots: on the days the store has bars of the snapshot\n"
    "source (default cmc_top200_monthly), held until the next snapshot; a\n"
    "pick absent from it with no other price 'left' the universe and is\n"
    "valued by --left-rule (default bound: an upper bound; zero: the lower);\n"
    "--delist-days defaults to 45 there (a sale may wait for the next one).\n"
    "See docs/backtesting.md and docs/backtest-picks.md.\n";

static int
bad(const char *opt, const char *what)
{
	fprintf(stderr, "moonscope backtest: %s %s\n%s", opt, what, usage);
	return MS_CLI_USAGE;
}

/* ms_bt_run's progress callback: arg is a struct ms_progress, started on
 * the first call (the run knows the number of dates). */
static void
progress(size_t done, size_t total, void *arg)
{
	struct ms_progress *pg = arg;

	if (pg->total == 0)
		ms_progress_init(pg, stderr, "backtest", total);
	ms_progress_step(pg, done, "rebalance dates");
	if (done == total)
		ms_progress_done(pg);
}

/* Runs --check-lookahead over every rebalance date of r. */
static int
check_lookahead(struct ms_store *st, struct ms_bt_result *r)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	int rc = 0;

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/moonscope-lookahead-XXXXXX",
	    tmp) >= sizeof(dir) || mkdtemp(dir) == NULL) {
		fprintf(stderr, "moonscope backtest: cannot create a directory "
		    "in %s: %s\n", tmp, strerror(errno));
		return MS_ERR_IO;
	}
	for (size_t i = 0; i < r->ndates; i++) {
		char d[MS_DATE_LEN + 1];
		int same = 0;

		rc = ms_bt_check_lookahead(st, r->dates[i].day, &r->params.screen,
		    r->params.top, dir, &same);
		if (rc != 0)
			break;
		r->lookahead_checked++;
		r->lookahead_identical += same;
		if (!same) {
			ms_date_format(r->dates[i].day, d);
			fprintf(stderr, "moonscope backtest: LOOK-AHEAD: the "
			    "decision on %s differs on the store truncated after "
			    "it\n", d);
		}
	}
	rmdir(dir);
	return rc;
}

static int
cmd_moonshots(const char *db, int argc, char **argv)
{
	struct ms_bt_params p;
	struct ms_bt_result *r = NULL;
	struct ms_store *st;
	struct ms_progress pg;
	const char *report = NULL, *need;
	char why[160], err[512];
	int lookahead = 0, json = 0, rc, k, status = EXIT_SUCCESS;
	int hold_given = 0, delist_given = 0;

	ms_bt_params_default(&p);
	memset(&pg, 0, sizeof(pg));
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--check-lookahead") == 0) {
			lookahead = 1;
			continue;
		}
		if (strcmp(o, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strncmp(o, "--", 2) != 0 || a == NULL)
			return bad(o, a == NULL && strncmp(o, "--", 2) == 0 ?
			    "needs a value" : "is not an option");
		i++;
		if ((k = ms_cli_bt_option(o, a, &p, &need)) < 0)
			return bad(o, need);
		hold_given |= strcmp(o, "--hold") == 0;
		delist_given |= strcmp(o, "--delist-days") == 0;
		if (k > 0)
			continue;
		if (strcmp(o, "--report") == 0) {
			if (a[0] == '\0' || strlen(a) > 3000)
				return bad(o, "needs a directory");
			report = a;
		} else {
			return bad(o, "is not an option of backtest moonshots");
		}
	}
	/*
	 * A snapshot universe is held until the next snapshot, and a sale
	 * the exit day's volume cannot absorb may go on at the snapshot after
	 * it (bars are up to 31 days apart): 45 days, unless given.
	 */
	if (p.rebalance == MS_BT_SNAPSHOTS && !hold_given)
		p.hold_days = MS_BT_HOLD_NEXT;
	if (p.rebalance == MS_BT_SNAPSHOTS && !delist_given)
		p.delist_days = MS_BT_SNAPSHOT_DELIST_DAYS;
	if (ms_bt_params_check(&p, why, sizeof(why)) != 0) {
		fprintf(stderr, "moonscope backtest: %s\n", why);
		return MS_CLI_USAGE;
	}
	if ((rc = ms_store_open(db, MS_STORE_RO, &st)) != 0) {
		fprintf(stderr, "moonscope backtest: cannot open %s: %s\n", db,
		    ms_strerror(rc));
		return EXIT_FAILURE;
	}
	rc = ms_bt_run(st, &p, progress, &pg, &r);
	if (rc == MS_ERR_NODATA) {
		if (p.rebalance == MS_BT_SNAPSHOTS)
			fprintf(stderr, "moonscope backtest: no snapshot date of "
			    "source %s with a later snapshot in the range (is the "
			    "source in the store? see moonscope info)\n",
			    p.snapshot_source);
		else
			fprintf(stderr, "moonscope backtest: no rebalance date with "
			    "data in the range (the store may be empty or shorter "
			    "than the 30-day warm-up; see --from/--to)\n");
		ms_store_close(st);
		return EXIT_FAILURE;
	}
	if (rc != 0) {
		fprintf(stderr, "moonscope backtest: %s\n", ms_strerror(rc));
		ms_store_close(st);
		return EXIT_FAILURE;
	}
	/* Left holdings at an upper bound: run the lower bound too. */
	if (r->left > 0 && p.left_rule != MS_BT_LEFT_ZERO &&
	    (rc = ms_bt_left_lower_bound(st, r)) != 0) {
		fprintf(stderr, "moonscope backtest: lower bound run: %s\n",
		    ms_strerror(rc));
		ms_bt_result_free(r);
		ms_store_close(st);
		return EXIT_FAILURE;
	}
	if (lookahead) {
		if ((rc = check_lookahead(st, r)) != 0) {
			fprintf(stderr, "moonscope backtest: look-ahead check: %s\n",
			    ms_strerror(rc));
			status = EXIT_FAILURE;
		} else if (r->lookahead_identical != r->lookahead_checked) {
			status = EXIT_FAILURE;
		}
	}
	ms_store_close(st);
	if (report != NULL &&
	    ms_bt_write_report(r, report, err, sizeof(err)) != 0) {
		fprintf(stderr, "moonscope backtest: report: %s\n", err);
		status = EXIT_FAILURE;
	}
	if (ms_cli_print_summary(json, json ? ms_bt_summary_json(r) : NULL,
	    json ? NULL : ms_bt_summary_markdown(r), status == EXIT_SUCCESS ? report : NULL,
	    "summary.json,summary.md,picks.csv,periods.csv,rebalances.csv,report.html") != 0)
		status = EXIT_FAILURE;
	ms_bt_result_free(r);
	return status;
}

/* Writes text to path; 0 or -1 (reported). */
static int
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	size_t n = strlen(text);
	int ok;

	if (f == NULL) {
		fprintf(stderr, "moonscope backtest: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	ok = fwrite(text, 1, n, f) == n;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "moonscope backtest: %s: write failed\n", path);
	return ok ? 0 : -1;
}

static int
load_summary(const char *path, cJSON **out)
{
	char err[512], *text = NULL;
	size_t len = 0;
	int rc;

	rc = ms_bt_cmp_read_file(path, MS_BT_CMP_MAX_FILE, &text, &len, err,
	    sizeof(err));
	if (rc == 0)
		rc = ms_bt_cmp_parse_summary(text, len, out, err, sizeof(err));
	free(text);
	if (rc != 0)
		fprintf(stderr, "moonscope backtest compare: %s: %s\n", path, err);
	return rc;
}

static int
cmd_compare(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL }, *tolf = NULL, *junit = NULL;
	const char *mdf = NULL;
	struct ms_bt_cmp_opts o;
	struct ms_bt_cmp_result res;
	cJSON *base = NULL, *cur = NULL;
	double absv = NAN, relv = NAN;
	size_t nf = 0;
	int status = MS_CLI_USAGE;
	char *md = NULL, *xml = NULL;

	for (int i = 0; i < argc; i++) {
		const char *a = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--tolerances") == 0 && a != NULL) {
			tolf = a;
			i++;
		} else if (strcmp(argv[i], "--junit") == 0 && a != NULL) {
			junit = a;
			i++;
		} else if (strcmp(argv[i], "--markdown") == 0 && a != NULL) {
			mdf = a;
			i++;
		} else if (strcmp(argv[i], "--abs") == 0 && a != NULL) {
			if (ms_cli_num(a, 0, 1e300, &absv))
				return bad("--abs", "needs a number >= 0");
			i++;
		} else if (strcmp(argv[i], "--rel") == 0 && a != NULL) {
			if (ms_cli_num(a, 0, 1e300, &relv))
				return bad("--rel", "needs a number >= 0");
			i++;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			return bad(argv[i], "is not an option of backtest compare "
			    "(or needs a value)");
		} else if (nf < 2) {
			files[nf++] = argv[i];
		} else {
			return bad(argv[i], "is one file too many");
		}
	}
	if (nf != 2)
		return bad("compare", "needs BASELINE.json and CURRENT.json");
	ms_bt_cmp_opts_init(&o);
	if (tolf != NULL) {
		char err[512], *text = NULL;
		size_t len = 0;
		int rc = ms_bt_cmp_read_file(tolf, MS_BT_CMP_MAX_TOL_FILE, &text,
		    &len, err, sizeof(err));
		if (rc == 0)
			rc = ms_bt_cmp_parse_tolerances(text, len, &o, err,
			    sizeof(err));
		free(text);
		if (rc != 0) {
			fprintf(stderr, "moonscope backtest compare: %s\n", err);
			goto done;
		}
	}
	/* Flags win over the file's default. */
	if (!isnan(absv))
		o.abs = absv;
	if (!isnan(relv))
		o.rel = relv;
	if (load_summary(files[0], &base) != 0 ||
	    load_summary(files[1], &cur) != 0)
		goto done;
	{
		char err[512];

		if (ms_bt_cmp_same_schema(base, cur, err, sizeof(err)) != 0) {
			fprintf(stderr, "moonscope backtest compare: %s\n", err);
			goto done;
		}
	}
	if (ms_bt_cmp_run(base, cur, &o, &res) != 0) {
		fprintf(stderr, "moonscope backtest compare: out of memory or "
		    "too many metrics\n");
		status = EXIT_FAILURE;
		goto done;
	}
	md = ms_bt_cmp_markdown(&res, files[0], files[1]);
	xml = junit ? ms_bt_cmp_junit(&res) : NULL;
	status = res.degraded ? EXIT_FAILURE : EXIT_SUCCESS;
	if (md == NULL || (junit != NULL && xml == NULL)) {
		status = MS_CLI_USAGE;
	} else {
		fputs(md, stdout);
		if (mdf != NULL && write_text(mdf, md) != 0)
			status = MS_CLI_USAGE;
		if (junit != NULL && write_text(junit, xml) != 0)
			status = MS_CLI_USAGE;
	}
	ms_bt_cmp_result_free(&res);
done:
	free(md);
	free(xml);
	cJSON_Delete(base);
	cJSON_Delete(cur);
	ms_bt_cmp_opts_free(&o);
	return status;
}

/* The commands that live in their own files (cli/bt_*.c). */
static const struct {
	const char *name;
	int (*run)(const char *, int, char **);
} commands[] = {
	{ "picks", ms_cli_bt_picks },
	{ "forecasts", ms_cli_bt_forecasts },
	{ "claims", ms_cli_bt_claims },
	{ "grades", ms_cli_bt_grades },
	{ "sweep", ms_cli_bt_sweep },
	{ "merge", ms_cli_bt_merge },
};

int
ms_cli_backtest(const char *db, int argc, char **argv)
{
	if (argc < 1) {
		fputs(usage, stderr);
		return MS_CLI_USAGE;
	}
	if (strcmp(argv[0], "moonshots") == 0)
		return cmd_moonshots(db, argc - 1, argv + 1);
	if (strcmp(argv[0], "compare") == 0)
		return cmd_compare(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].run(db, argc - 1, argv + 1);
	if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0) {
		fputs(usage, stdout);
		return EXIT_SUCCESS;
	}
	fprintf(stderr, "moonscope backtest: unknown command %s\n%s", argv[0],
	    usage);
	return MS_CLI_USAGE;
}
