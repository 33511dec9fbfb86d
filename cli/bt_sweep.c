/*
 * bt_sweep.c — `moonscope backtest sweep` and `moonscope backtest merge`:
 * a grid over the options of `backtest moonshots`, one replay per variant
 * on parallel threads, optionally one shard of the grid per machine, and
 * the merge of the shard files into the report an unsharded run writes.
 *
 *   moonscope backtest sweep --grid KEY=V1,V2,... [--grid ...]
 *       [--grid-file FILE] [--jobs N] [--shard I/N --out FILE]
 *       [--out FILE] [--report DIR] [--heatmap KEY[,KEY]] [--json]
 *       [every option of backtest moonshots except --check-lookahead]
 *   moonscope backtest merge SHARD.json... [--report DIR]
 *       [--heatmap KEY[,KEY]] [--json]
 *
 * Without --shard (or with --shard 1/1) sweep prints the Markdown summary
 * (or sweep.json with --json) and writes the report with --report; --out
 * also keeps the run as a shard file. With --shard I/N it runs every
 * N-th variant and writes only the shard file. merge prints and writes
 * exactly what the unsharded sweep would. Exit status: 0 success, 1
 * failure (including shards that do not fit together), 2 usage error.
 * The rules are in backtest/ms_bt_sweep.h and docs/backtest-sweep.md.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ms_bt.h"
#include "ms_bt_sweep.h"
#include "ms_error.h"
#include "ms_progress.h"

static const char usage[] =
    "usage: moonscope backtest sweep --grid KEY=V1,V2,... [--grid ...]\n"
    "           [--grid-file FILE] [--jobs N] [--shard I/N] [--out FILE]\n"
    "           [--report DIR] [--heatmap KEY[,KEY]] [--json]\n"
    "           [options of backtest moonshots: --from --to --rebalance\n"
    "            --hold --top --sort --order --max-market-cap\n"
    "            --min-market-cap --min-volume --category --capital\n"
    "            --spread-bps --impact --max-volume-share --delist-haircut\n"
    "            --delist-days --benchmark --seed --bootstrap]\n"
    "       moonscope backtest merge SHARD.json... [--report DIR]\n"
    "           [--heatmap KEY[,KEY]] [--json]\n"
    "KEY is an option of backtest moonshots without the dashes (top, hold,\n"
    "max_market_cap, sort, ...). --jobs defaults to the number of CPUs;\n"
    "--shard I/N runs the variants whose index modulo N is I-1 and needs\n"
    "--out. See docs/backtest-sweep.md.\n";

static int
bad(const char *cmd, const char *opt, const char *what)
{
	fprintf(stderr, "moonscope backtest %s: %s %s\n%s", cmd, opt, what,
	    usage);
	return MS_CLI_USAGE;
}

/* ms_cli_bt_option for a canonical key ("max_market_cap"). */
static int
apply(const char *key, const char *value, struct ms_bt_params *p,
    const char **why)
{
	char o[MS_BT_SWEEP_KEY_MAX + 2];
	size_t n = strlen(key);

	if (n + 3 > sizeof(o))
		return 0;
	o[0] = o[1] = '-';
	for (size_t i = 0; i <= n; i++)
		o[i + 2] = key[i] == '_' ? '-' : key[i];
	return ms_cli_bt_option(o, value, p, why);
}

static void
progress(size_t done, size_t total, size_t v, void *arg)
{
	char what[32];

	snprintf(what, sizeof(what), "variant %zu", v);
	ms_progress_step(arg, done, what);
	(void)total;
}

/* "KEY" or "KEY,KEY" into axis indexes; -1 when not axes of the spec. */
static int
heat_axes(const struct ms_bt_sweep_spec *s, const char *arg, size_t *a,
    size_t *b)
{
	char k[2][MS_BT_SWEEP_KEY_MAX], tmp[2 * MS_BT_SWEEP_KEY_MAX + 2];
	const char *comma = strchr(arg, ',');
	size_t n = strlen(arg), idx[2] = { SIZE_MAX, SIZE_MAX };
	int nk = comma ? 2 : 1;

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, arg, n + 1);
	if (comma != NULL)
		tmp[comma - arg] = '\0';
	if (ms_bt_sweep_key(tmp, k[0], sizeof(k[0])) != 0 || (comma != NULL &&
	    ms_bt_sweep_key(tmp + (comma - arg) + 1, k[1], sizeof(k[1])) != 0))
		return -1;
	for (int j = 0; j < nk; j++)
		for (size_t i = 0; i < s->naxes; i++)
			if (strcmp(s->axes[i].key, k[j]) == 0)
				idx[j] = i;
	if (idx[0] == SIZE_MAX || (nk == 2 && idx[1] == SIZE_MAX))
		return -1;
	*a = idx[0];
	*b = nk == 2 ? idx[1] : idx[0];
	return 0;
}

/* Writes text to path once; 0 or -1 (reported). */
static int
write_text(const char *cmd, const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	size_t n = strlen(text);
	int ok;

	if (f == NULL) {
		fprintf(stderr, "moonscope backtest %s: %s: %s\n", cmd, path,
		    strerror(errno));
		return -1;
	}
	ok = fwrite(text, 1, n, f) == n;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "moonscope backtest %s: %s: write failed\n", cmd,
		    path);
	return ok ? 0 : -1;
}

/*
 * The output of a complete sweep, the same for sweep and merge: the
 * report files, then sweep.json (--json) or the Markdown summary.
 */
static int
emit(const char *cmd, const struct ms_bt_sweep *sw, const char *report,
    int json, size_t ha, size_t hb)
{
	char err[512], *txt;
	int status = EXIT_SUCCESS;

	if (report != NULL &&
	    ms_bt_sweep_write_report(sw, report, ha, hb, err, sizeof(err)) != 0) {
		fprintf(stderr, "moonscope backtest %s: report: %s\n", cmd, err);
		status = EXIT_FAILURE;
	}
	txt = json ? ms_bt_sweep_json(sw) : ms_bt_sweep_markdown(sw, ha, hb);
	if (txt == NULL) {
		fprintf(stderr, "moonscope backtest %s: out of memory\n", cmd);
		return EXIT_FAILURE;
	}
	fputs(txt, stdout);
	free(txt);
	if (!json && report != NULL && status == EXIT_SUCCESS)
		printf("\nReport: %s/{sweep.json,variants.csv,returns.csv,"
		    "summary.md,report.html}\n", report);
	return status;
}

static int
parse_shard(const char *a, size_t *i, size_t *n)
{
	const char *slash = a ? strchr(a, '/') : NULL;
	char left[24];
	unsigned long long x, y;

	if (slash == NULL || (size_t)(slash - a) >= sizeof(left))
		return -1;
	memcpy(left, a, (size_t)(slash - a));
	left[slash - a] = '\0';
	if (ms_cli_count(left, 1, MS_BT_SWEEP_MAX_SHARDS, &x) != 0 ||
	    ms_cli_count(slash + 1, 1, MS_BT_SWEEP_MAX_SHARDS, &y) != 0 ||
	    x > y)
		return -1;
	*i = (size_t)x;
	*n = (size_t)y;
	return 0;
}

static size_t
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > MS_BT_SWEEP_MAX_JOBS ? MS_BT_SWEEP_MAX_JOBS : (size_t)n;
}

static int
sweep_main(const char *db, int argc, char **argv,
    struct ms_bt_sweep_spec *spec)
{
	struct ms_bt_params p;
	struct ms_bt_sweep_opts o;
	struct ms_bt_sweep *sw = NULL;
	struct ms_progress pg;
	const char *report = NULL, *out = NULL, *heat = NULL, *need;
	char err[1024], *text = NULL, *file;
	size_t len, ha = SIZE_MAX, hb = SIZE_MAX;
	unsigned long long u;
	int json = 0, k, rc, status;

	memset(&o, 0, sizeof(o));
	o.db = db;
	o.jobs = default_jobs();
	o.shard = o.nshards = 1;
	o.apply = apply;
	ms_bt_params_default(&p);
	for (int i = 0; i < argc; i++) {
		const char *a = i + 1 < argc ? argv[i + 1] : NULL, *opt = argv[i];

		if (strcmp(opt, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		}
		if (strncmp(opt, "--", 2) != 0 || a == NULL)
			return bad("sweep", opt, a == NULL &&
			    strncmp(opt, "--", 2) == 0 ? "needs a value" :
			    "is not an option");
		i++;
		if ((k = ms_cli_bt_option(opt, a, &p, &need)) < 0)
			return bad("sweep", opt, need);
		if (k > 0) {
			if (ms_bt_sweep_spec_set(spec, opt, a, err, sizeof(err)))
				return bad("sweep", opt, "is also a grid axis, or there "
				    "are too many options");
		} else if (strcmp(opt, "--grid") == 0) {
			if (ms_bt_sweep_spec_axis(spec, a, err, sizeof(err)) != 0)
				return bad("sweep", opt, err);
		} else if (strcmp(opt, "--grid-file") == 0) {
			rc = ms_bt_sweep_read_file(a, MS_BT_SWEEP_MAX_GRID_FILE, &file,
			    &len, err, sizeof(err));
			if (rc == 0) {
				rc = ms_bt_sweep_spec_file(spec, file, len, err,
				    sizeof(err));
				free(file);
			}
			if (rc != 0)
				return bad("sweep", opt, err);
		} else if (strcmp(opt, "--jobs") == 0) {
			if (ms_cli_count(a, 1, MS_BT_SWEEP_MAX_JOBS, &u))
				return bad("sweep", opt, "needs 1..64");
			o.jobs = (size_t)u;
		} else if (strcmp(opt, "--shard") == 0) {
			if (parse_shard(a, &o.shard, &o.nshards))
				return bad("sweep", opt, "needs I/N with 1 <= I <= N "
				    "<= 10000");
		} else if (strcmp(opt, "--out") == 0) {
			if (a[0] == '\0' || strlen(a) > 3000)
				return bad("sweep", opt, "needs a file name");
			out = a;
		} else if (strcmp(opt, "--report") == 0) {
			if (a[0] == '\0' || strlen(a) > 3000)
				return bad("sweep", opt, "needs a directory");
			report = a;
		} else if (strcmp(opt, "--heatmap") == 0) {
			heat = a;
		} else {
			return bad("sweep", opt, "is not an option of backtest sweep");
		}
	}
	if (spec->naxes == 0)
		return bad("sweep", "--grid", "is needed at least once (or "
		    "--grid-file)");
	if (ms_bt_sweep_check(spec, apply, err, sizeof(err)) != 0) {
		fprintf(stderr, "moonscope backtest sweep: %s\n", err);
		return MS_CLI_USAGE;
	}
	if (heat != NULL && heat_axes(spec, heat, &ha, &hb) != 0)
		return bad("sweep", "--heatmap", "needs one or two grid keys");
	if (o.nshards > 1 && out == NULL)
		return bad("sweep", "--shard", "needs --out FILE");
	if (o.nshards > 1 && (report != NULL || json))
		return bad("sweep", "--shard", "writes a shard file only: merge the "
		    "shards for the report (--report/--json)");
	{
		size_t n = ms_bt_sweep_count(spec), mine = 0;
		for (size_t v = 0; v < n; v++)
			mine += ms_bt_sweep_in_shard(v, o.shard, o.nshards);
		ms_progress_init(&pg, stderr, "sweep", mine);
	}
	o.progress = progress;
	o.arg = &pg;
	rc = ms_bt_sweep_run(spec, &o, &text, err, sizeof(err));
	if (rc == 0)
		ms_progress_done(&pg);
	else if (pg.open)
		fputc('\n', stderr);   /* end the bar line */
	if (rc != 0) {
		fprintf(stderr, "moonscope backtest sweep: %s\n", err);
		return EXIT_FAILURE;
	}
	if (out != NULL && write_text("sweep", out, text) != 0) {
		free(text);
		return EXIT_FAILURE;
	}
	if (o.nshards > 1) {
		fprintf(stderr, "moonscope backtest sweep: shard %zu/%zu written "
		    "to %s\n", o.shard, o.nshards, out);
		free(text);
		return EXIT_SUCCESS;
	}
	status = EXIT_FAILURE;
	if ((sw = ms_bt_sweep_new()) == NULL)
		fprintf(stderr, "moonscope backtest sweep: out of memory\n");
	else if (ms_bt_sweep_load(sw, text, strlen(text), "run", err,
	    sizeof(err)) != 0 || ms_bt_sweep_complete(sw, apply, err,
	    sizeof(err)) != 0)
		fprintf(stderr, "moonscope backtest sweep: %s\n", err);
	else
		status = emit("sweep", sw, report, json, ha, hb);
	ms_bt_sweep_free(sw);
	free(text);
	return status;
}

int
ms_cli_bt_sweep(const char *db, int argc, char **argv)
{
	struct ms_bt_sweep_spec *spec = malloc(sizeof(*spec));
	int rc;

	if (spec == NULL) {
		fprintf(stderr, "moonscope backtest sweep: out of memory\n");
		return EXIT_FAILURE;
	}
	ms_bt_sweep_spec_init(spec);
	rc = sweep_main(db, argc, argv, spec);
	free(spec);
	return rc;
}

int
ms_cli_bt_merge(const char *db, int argc, char **argv)
{
	struct ms_bt_sweep *sw;
	const char *report = NULL, *heat = NULL;
	char err[1024], *text;
	size_t len, ha = SIZE_MAX, hb = SIZE_MAX, nfiles = 0;
	int json = 0, status = EXIT_FAILURE;

	(void)db;
	for (int i = 0; i < argc; i++) {
		const char *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		} else if (strcmp(argv[i], "--report") == 0 ||
		    strcmp(argv[i], "--heatmap") == 0) {
			if (a == NULL || a[0] == '\0' || strlen(a) > 3000)
				return bad("merge", argv[i], "needs a value");
			if (argv[i][2] == 'r')
				report = a;
			else
				heat = a;
			i++;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			return bad("merge", argv[i], "is not an option of backtest "
			    "merge");
		} else {
			nfiles++;
		}
	}
	if (nfiles == 0)
		return bad("merge", "SHARD.json", "is needed at least once");
	if ((sw = ms_bt_sweep_new()) == NULL) {
		fprintf(stderr, "moonscope backtest merge: out of memory\n");
		return EXIT_FAILURE;
	}
	for (int i = 0; i < argc; i++) {
		int rc;

		if (strcmp(argv[i], "--json") == 0)
			continue;
		if (strcmp(argv[i], "--report") == 0 ||
		    strcmp(argv[i], "--heatmap") == 0) {
			i++;
			continue;
		}
		rc = ms_bt_sweep_read_file(argv[i], MS_BT_SWEEP_MAX_FILE, &text,
		    &len, err, sizeof(err));
		if (rc == 0) {
			rc = ms_bt_sweep_load(sw, text, len, argv[i], err,
			    sizeof(err));
			free(text);
		}
		if (rc != 0) {
			fprintf(stderr, "moonscope backtest merge: %s\n", err);
			goto done;
		}
	}
	if (ms_bt_sweep_complete(sw, apply, err, sizeof(err)) != 0) {
		fprintf(stderr, "moonscope backtest merge: %s\n", err);
		goto done;
	}
	if (heat != NULL && heat_axes(&sw->spec, heat, &ha, &hb) != 0) {
		status = bad("merge", "--heatmap", "needs one or two grid keys");
		goto done;
	}
	status = emit("merge", sw, report, json, ha, hb);
done:
	ms_bt_sweep_free(sw);
	return status;
}
