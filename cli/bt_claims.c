/*
 * bt_claims.c — `moonscope backtest claims FILE`: judge price-target
 * claims against the store and score the probabilities /v1/target gave
 * them on the day they were made (backtest/ms_bt_claims.h).
 *
 *   moonscope backtest claims FILE [--report DIR] [--json]
 *
 * FILE is CSV (header who,made,asset,target,deadline[,source]) or a JSON
 * array of objects with those keys. A bad file is rejected whole, each bad
 * line reported as FILE:LINE: reason on stderr (exit 2). Prints the
 * Markdown summary (or summary.json with --json); --report DIR also
 * writes summary.json, claims.csv, summary.md and report.html. Exit status: 0 success,
 * 1 failure (store, report), 2 usage error or a bad claims file.
 * docs/backtest-claims.md has the rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "ms_bt_claims.h"
#include "ms_buf.h"
#include "ms_error.h"
#include "ms_store.h"

static const char usage[] =
    "usage: moonscope backtest claims FILE [--report DIR] [--json]\n"
    "FILE: CSV with the header who,made,asset,target,deadline[,source]\n"
    "(dates YYYY-MM-DD, target in USD) or a JSON array of objects with\n"
    "those keys. See docs/backtest-claims.md.\n";

static int
bad(const char *opt, const char *what)
{
	fprintf(stderr, "moonscope backtest claims: %s %s\n%s", opt, what,
	    usage);
	return MS_CLI_USAGE;
}

static void
progress(size_t done, size_t total, void *arg)
{
	(void)arg;
	fprintf(stderr, "\rbacktest claims: %zu/%zu claims", done, total);
	if (done == total)
		fputc('\n', stderr);
}

int
ms_cli_bt_claims(const char *db, int argc, char **argv)
{
	const char *file = NULL, *report = NULL;
	struct ms_bt_claims_result *r = NULL;
	struct ms_bt_claim *claims = NULL;
	struct ms_store *st = NULL;
	struct ms_buf errs;
	size_t n = 0;
	char err[512];
	int json = 0, rc, status = EXIT_SUCCESS;

	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--json") == 0) {
			json = 1;
		} else if (strcmp(o, "--report") == 0) {
			if (a == NULL || a[0] == '\0' || strlen(a) > 3000)
				return bad(o, "needs a directory");
			report = a;
			i++;
		} else if (strcmp(o, "--help") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		} else if (strncmp(o, "--", 2) == 0) {
			return bad(o, "is not an option of backtest claims");
		} else if (file == NULL) {
			if (o[0] == '\0' || strlen(o) > 3000)
				return bad("FILE", "needs a file name");
			file = o;
		} else {
			return bad(o, "is one file too many");
		}
	}
	if (file == NULL)
		return bad("FILE", "is required");

	ms_buf_init(&errs, 64 * 1024);
	rc = ms_bt_claims_read(file, NULL, &claims, &n, &errs);
	if (rc != 0) {
		fprintf(stderr, "moonscope backtest claims: %s rejected:\n%s",
		    file, errs.data ? errs.data : "");
		ms_buf_free(&errs);
		return rc == MS_ERR_NOMEM ? EXIT_FAILURE : MS_CLI_USAGE;
	}
	if ((rc = ms_store_open(db, MS_STORE_RO, &st)) != 0) {
		fprintf(stderr, "moonscope backtest claims: cannot open %s: %s\n",
		    db, ms_strerror(rc));
		status = EXIT_FAILURE;
		goto done;
	}
	rc = ms_bt_claims_run(st, file, claims, n,
	    isatty(STDERR_FILENO) ? progress : NULL, NULL, &errs, &r);
	if (rc == MS_ERR_INVALID) {
		fprintf(stderr, "moonscope backtest claims: %s rejected:\n%s",
		    file, errs.data ? errs.data : "");
		status = MS_CLI_USAGE;
		goto done;
	}
	if (rc == MS_ERR_NODATA) {
		fprintf(stderr, "moonscope backtest claims: the store %s holds no "
		    "market data (moonscope import)\n", db);
		status = EXIT_FAILURE;
		goto done;
	}
	if (rc != 0) {
		fprintf(stderr, "moonscope backtest claims: %s\n", ms_strerror(rc));
		status = EXIT_FAILURE;
		goto done;
	}
	if (report != NULL &&
	    ms_bt_claims_write_report(r, report, err, sizeof(err)) != 0) {
		fprintf(stderr, "moonscope backtest claims: report: %s\n", err);
		status = EXIT_FAILURE;
	}
	if (ms_cli_print_summary(json, json ? ms_bt_claims_summary_json(r) : NULL,
	    json ? NULL : ms_bt_claims_markdown(r), status == EXIT_SUCCESS ? report : NULL,
	    "summary.json,claims.csv,summary.md,report.html") != 0)
		status = EXIT_FAILURE;
done:
	ms_bt_claims_result_free(r);
	ms_store_close(st);
	free(claims);
	ms_buf_free(&errs);
	return status;
}
