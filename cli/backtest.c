/*
 * backtest.c — `moonscope backtest`: replay the moonshot screener against
 * history, and compare two backtest results as a CI regression gate.
 *
 *   moonscope backtest moonshots [--from D] [--to D]
 *       [--rebalance daily|weekly|monthly] [--hold N|next] [--top K]
 *       [--sort KEY] [--order asc|desc] [--max-market-cap USD]
 *       [--min-market-cap USD] [--min-volume USD] [--category NAME]
 *       [--capital USD] [--spread-bps BPS] [--impact K]
 *       [--max-volume-share F] [--delist-haircut F] [--delist-days N]
 *       [--benchmark ASSET]
 *       [--seed N] [--bootstrap N] [--report DIR] [--check-lookahead]
 *       [--json]
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
#include "ms_date.h"
#include "ms_error.h"
#include "ms_store.h"
#include "../backtest/ms_bt.h"
#include "../backtest/ms_bt_compare.h"

static const char usage[] =
    "usage: moonscope backtest moonshots [--from D] [--to D]\n"
    "           [--rebalance daily|weekly|monthly] [--hold N|next] [--top K]\n"
    "           [--sort trader_grade|investor_grade|roi_7d|roi_30d|roi_90d|\n"
    "                   market_cap|volume] [--order asc|desc]\n"
    "           [--max-market-cap USD] [--min-market-cap USD]\n"
    "           [--min-volume USD] [--category NAME] [--capital USD]\n"
    "           [--spread-bps BPS] [--impact K] [--max-volume-share F]\n"
    "           [--delist-haircut F] [--delist-days N] [--benchmark ASSET]\n"
    "           [--seed N] [--bootstrap N] [--report DIR] [--check-lookahead]\n"
    "           [--json]\n"
    "       moonscope backtest compare BASELINE.json CURRENT.json\n"
    "           [--tolerances FILE] [--abs X] [--rel X] [--junit FILE]\n"
    "           [--markdown FILE]\n"
    "defaults: weekly from the store's first day + 30 to the last date whose\n"
    "hold ends in the store; hold 28 days; top 10 by trader grade under\n"
    "$100M; capital 100000; spread 50 bps per trade; impact 0.5 x volume\n"
    "share; buys capped at 0.1 of the day's volume; delist haircut 1 (total\n"
    "loss) after 30 days without a bar (also the longest a sale may take);\n"
    "benchmark bitcoin; seed 1; 10000 bootstrap resamples.\n"
    "See docs/backtesting.md.\n";

static int
bad(const char *opt, const char *what)
{
	fprintf(stderr, "moonscope backtest: %s %s\n%s", opt, what, usage);
	return MS_CLI_USAGE;
}

/* A finite number in [lo, hi] with nothing after it. */
static int
parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0' || *s == ' ' || strlen(s) > 64)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
parse_count(const char *s, unsigned long long lo, unsigned long long hi,
    unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 20)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
parse_day(const char *s, int32_t *out)
{
	return s == NULL || ms_date_parse(s, strlen(s), out) != 0 ||
	    *out < MS_DATE_MIN || *out > MS_DATE_MAX ? -1 : 0;
}

/* Index of s in the NULL-terminated list, or -1. */
static int
choice(const char *s, const char *const *list)
{
	for (int i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return i;
	return -1;
}

static void
progress(size_t done, size_t total, void *arg)
{
	(void)arg;
	fprintf(stderr, "\rbacktest: %zu/%zu rebalance dates", done, total);
	if (done == total)
		fputc('\n', stderr);
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
	static const char *const rebal[] = { "daily", "weekly", "monthly", NULL };
	static const char *const sorts[] = { "trader_grade", "investor_grade",
		"roi_7d", "roi_30d", "roi_90d", "market_cap", "volume", NULL };
	static const char *const orders[] = { "asc", "desc", NULL };
	struct ms_bt_params p;
	struct ms_bt_result *r = NULL;
	struct ms_store *st;
	const char *report = NULL;
	char why[160], err[512];
	int lookahead = 0, json = 0, rc, k, status = EXIT_SUCCESS;
	unsigned long long u;

	ms_bt_params_default(&p);
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
		if (strcmp(o, "--from") == 0) {
			if (parse_day(a, &p.from))
				return bad(o, "needs a date YYYY-MM-DD");
		} else if (strcmp(o, "--to") == 0) {
			if (parse_day(a, &p.to))
				return bad(o, "needs a date YYYY-MM-DD");
		} else if (strcmp(o, "--rebalance") == 0) {
			if ((k = choice(a, rebal)) < 0)
				return bad(o, "needs daily, weekly or monthly");
			p.rebalance = (enum ms_bt_rebalance)k;
		} else if (strcmp(o, "--hold") == 0) {
			if (strcmp(a, "next") == 0)
				p.hold_days = MS_BT_HOLD_NEXT;
			else if (parse_count(a, 1, MS_BT_MAX_HOLD, &u))
				return bad(o, "needs 1..730 days or next");
			else
				p.hold_days = (int)u;
		} else if (strcmp(o, "--top") == 0) {
			if (parse_count(a, 1, MS_BT_MAX_TOP, &u))
				return bad(o, "needs 1..500");
			p.top = (size_t)u;
		} else if (strcmp(o, "--sort") == 0) {
			if ((k = choice(a, sorts)) < 0)
				return bad(o, "needs a sort key (see usage)");
			p.screen.sort = (enum ms_screen_sort)k;
		} else if (strcmp(o, "--order") == 0) {
			if ((k = choice(a, orders)) < 0)
				return bad(o, "needs asc or desc");
			p.screen.descending = k == 1;
		} else if (strcmp(o, "--max-market-cap") == 0) {
			if (parse_num(a, 1, 1e15, &p.screen.max_market_cap))
				return bad(o, "needs a number 1..1e15");
		} else if (strcmp(o, "--min-market-cap") == 0) {
			if (parse_num(a, 0, 1e15, &p.screen.min_market_cap))
				return bad(o, "needs a number 0..1e15");
		} else if (strcmp(o, "--min-volume") == 0) {
			if (parse_num(a, 0, 1e15, &p.screen.min_volume))
				return bad(o, "needs a number 0..1e15");
		} else if (strcmp(o, "--category") == 0) {
			if (a[0] == '\0' || strlen(a) >= sizeof(p.category))
				return bad(o, "needs a name of 1..64 bytes");
			memcpy(p.category, a, strlen(a) + 1);
			p.screen.category = p.category;
		} else if (strcmp(o, "--capital") == 0) {
			if (parse_num(a, 1, MS_BT_MAX_CAPITAL, &p.capital))
				return bad(o, "needs a number 1..1e12");
		} else if (strcmp(o, "--spread-bps") == 0) {
			if (parse_num(a, 0, 10000, &p.spread_bps))
				return bad(o, "needs a number 0..10000");
		} else if (strcmp(o, "--impact") == 0) {
			if (parse_num(a, 0, 100, &p.impact))
				return bad(o, "needs a number 0..100");
		} else if (strcmp(o, "--max-volume-share") == 0) {
			if (parse_num(a, 1e-9, 1, &p.max_volume_share))
				return bad(o, "needs a number above 0, at most 1");
		} else if (strcmp(o, "--delist-haircut") == 0) {
			if (parse_num(a, 0, 1, &p.delist_haircut))
				return bad(o, "needs a number 0..1");
		} else if (strcmp(o, "--delist-days") == 0) {
			if (parse_count(a, 1, MS_BT_MAX_DELIST_DAYS, &u))
				return bad(o, "needs 1..365 days");
			p.delist_days = (int)u;
		} else if (strcmp(o, "--benchmark") == 0) {
			if (a[0] == '\0' || strlen(a) >= sizeof(p.benchmark))
				return bad(o, "needs an asset id or symbol");
			memcpy(p.benchmark, a, strlen(a) + 1);
		} else if (strcmp(o, "--seed") == 0) {
			if (parse_count(a, 0, UINT32_MAX, &u))
				return bad(o, "needs an integer 0..4294967295");
			p.seed = u;
		} else if (strcmp(o, "--bootstrap") == 0) {
			if (parse_count(a, 0, MS_BT_MAX_BOOTSTRAP, &u))
				return bad(o, "needs 0..1000000");
			p.bootstrap = (size_t)u;
		} else if (strcmp(o, "--report") == 0) {
			if (a[0] == '\0' || strlen(a) > 3000)
				return bad(o, "needs a directory");
			report = a;
		} else {
			return bad(o, "is not an option of backtest moonshots");
		}
	}
	if (ms_bt_params_check(&p, why, sizeof(why)) != 0) {
		fprintf(stderr, "moonscope backtest: %s\n", why);
		return MS_CLI_USAGE;
	}
	if ((rc = ms_store_open(db, MS_STORE_RO, &st)) != 0) {
		fprintf(stderr, "moonscope backtest: cannot open %s: %s\n", db,
		    ms_strerror(rc));
		return EXIT_FAILURE;
	}
	rc = ms_bt_run(st, &p, isatty(STDERR_FILENO) ? progress : NULL, NULL,
	    &r);
	if (rc == MS_ERR_NODATA) {
		fprintf(stderr, "moonscope backtest: no rebalance date with data "
		    "in the range (the store may be empty or shorter than the "
		    "30-day warm-up; see --from/--to)\n");
		ms_store_close(st);
		return EXIT_FAILURE;
	}
	if (rc != 0) {
		fprintf(stderr, "moonscope backtest: %s\n", ms_strerror(rc));
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
	if (json) {
		cJSON *doc = ms_bt_summary_json(r);
		char *txt = doc ? cJSON_Print(doc) : NULL;
		if (txt != NULL)
			puts(txt);
		else
			status = EXIT_FAILURE;
		cJSON_free(txt);
		cJSON_Delete(doc);
	} else {
		char *md = ms_bt_summary_markdown(r);
		if (md != NULL)
			fputs(md, stdout);
		else
			status = EXIT_FAILURE;
		free(md);
		if (report != NULL && status == EXIT_SUCCESS)
			printf("\nReport: %s/{summary.json,summary.md,picks.csv,"
			    "periods.csv,rebalances.csv}\n", report);
	}
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
			if (parse_num(a, 0, 1e300, &absv))
				return bad("--abs", "needs a number >= 0");
			i++;
		} else if (strcmp(argv[i], "--rel") == 0 && a != NULL) {
			if (parse_num(a, 0, 1e300, &relv))
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
	if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0) {
		fputs(usage, stdout);
		return EXIT_SUCCESS;
	}
	fprintf(stderr, "moonscope backtest: unknown command %s\n%s", argv[0],
	    usage);
	return MS_CLI_USAGE;
}
