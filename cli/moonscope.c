/*
 * moonscope.c — the `moonscope` command line tool: create the store,
 * import CSV files, write the synthetic demo universe, purge a source and
 * describe what the store holds.
 *
 *   moonscope [--db PATH] init
 *   moonscope [--db PATH] import [--source NAME] [--priority N]
 *             [--skip-unknown] [--as-of YYYY-MM-DD] PATH...
 *   moonscope [--db PATH] demo-data [--assets N] [--seed S] [--force]
 *   moonscope [--db PATH] purge --source NAME
 *   moonscope [--db PATH] info [--json]
 *   moonscope help | --help | --version
 *
 * A file whose header is none of the market layouts (ms_import.h) is
 * offered to the reference-table importer (ms_reference.h: company market
 * caps, asset categories); --as-of gives a company snapshot's day (and
 * then at most one company table may be in the command).
 *
 * The store is --db PATH, else $MOONSCOPE_DB, else var/moonscope.db; the
 * parent directory is created when missing. Exit status: 0 success, 1
 * failure (a rejected file, a store error), 2 usage error.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cJSON.h>

#include "ms_date.h"
#include "ms_demo.h"
#include "ms_error.h"
#include "ms_import.h"
#include "ms_log.h"
#include "ms_reference.h"
#include "cli.h"
#include "ms_store.h"

#ifndef MS_VERSION
#define MS_VERSION "0.0.0"
#endif

#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: moonscope [--db PATH] COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  init                         create or migrate the store\n"
    "  import [--source NAME] [--priority N] [--skip-unknown]\n"
    "         [--as-of YYYY-MM-DD] PATH...\n"
    "                               import CSV files (.csv, .csv.gz) or\n"
    "                               directories of them (recursive);\n"
    "                               --skip-unknown: a file whose header is\n"
    "                               no known layout is skipped, not an error;\n"
    "                               --as-of: the snapshot day of reference\n"
    "                               tables (company market caps); default:\n"
    "                               the _YYYY-MM[-DD] in the file name\n"
    "  demo-data [--assets N] [--seed S] [--force]\n"
    "                               write the SYNTHETIC demo universe\n"
    "                               (source synthetic-demo)\n"
    "  purge --source NAME          delete every bar of a source\n"
    "  info [--json]                schema, data version, sources, assets\n"
    "  daily [--as-of D | --from D1 --to D2] [--picks K]\n"
    "        [--forecast-top N] [--horizons H1,H2,...]\n"
    "                               record grades, signals, moonshot picks\n"
    "                               and forecasts (docs/cli.md)\n"
    "  backtest moonshots|picks|forecasts|claims|grades|sweep|merge|compare\n"
    "                               replay the moonshot screener with costs\n"
    "                               and benchmarks, judge pick lists,\n"
    "                               forecasts, target claims and grades,\n"
    "                               sweep parameters; regression gate\n"
    "                               (`backtest help`, docs/backtesting.md)\n"
    "  ingest [--base-url URL] [--top N] [--backfill-days D] ...\n"
    "                               pull markets and missing daily history\n"
    "                               from a CoinGecko-compatible API in one\n"
    "                               transaction (`ingest --help`,\n"
    "                               docs/ingest.md)\n"
    "  help, --help                 this text\n"
    "  --version                    print the version\n"
    "\n"
    "The store is --db PATH, else $MOONSCOPE_DB, else var/moonscope.db.\n"
    "Exit status: 0 ok, 1 failure (e.g. a rejected file), 2 usage error.\n";

static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("moonscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

/* Parses a decimal integer in [lo, hi]; 0 on success. */
static int
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || s[0] == '\0' || s[0] == ' ')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Creates each missing directory of path's parent (like mkdir -p). */
static int
make_parent_dirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "moonscope: cannot create %s: %s\n",
			    buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int
open_store(const char *path, enum ms_store_mode mode, struct ms_store **st)
{
	int rc;

	if (mode == MS_STORE_RW && make_parent_dirs(path) != 0)
		return EXIT_FAILURE;
	rc = ms_store_open(path, mode, st);
	if (rc != MS_OK) {
		fprintf(stderr, "moonscope: cannot open store %s: %s\n", path,
		    rc == MS_ERR_SCHEMA ? "not initialised, not a Moonscope "
		    "store, or of a newer schema (see the message above)" :
		    rc == MS_ERR_NOTFOUND ? "no such file (create it with "
		    "`moonscope init`, `import` or `demo-data`)" :
		    ms_strerror(rc));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int
cmd_init(const char *db)
{
	struct ms_store *st;
	int v = 0;

	if (open_store(db, MS_STORE_RW, &st) != EXIT_SUCCESS)
		return EXIT_FAILURE;
	(void)ms_store_schema_version(st, &v);
	printf("store %s: schema version %d\n", db, v);
	ms_store_close(st);
	return EXIT_SUCCESS;
}

static int
cmd_import(const char *db, int argc, char **argv)
{
	struct ms_import_opts opts = { NULL, -1, 0 };
	struct ms_reference_opts ropts = { -1, 0 };
	struct ms_import_result *r;
	struct ms_reference_result *rr;
	struct ms_store *st;
	char **files = NULL, err[512];
	size_t nfiles = 0, nok = 0, nrej = 0, nref = 0;
	unsigned long tot_read = 0, tot_ins = 0, tot_upd = 0, tot_unch = 0;
	unsigned long tot_skip = 0, tot_skips[MS_SKIP_COUNT] = { 0 };
	unsigned long tot_notes = 0;
	int i, rc, status = EXIT_SUCCESS, skip_unknown = 0;
	size_t nunknown = 0;
	double secs = 0;
	long v;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--source") == 0) {
			if (++i >= argc || argv[i][0] == '\0' ||
			    strlen(argv[i]) > 100)
				return usage_error("%s needs a name (1..100 "
				    "bytes)", "--source");
			opts.source = argv[i];
		} else if (strcmp(argv[i], "--priority") == 0) {
			if (++i >= argc || parse_long(argv[i], 0, 1000, &v))
				return usage_error("%s needs an integer "
				    "0..1000", "--priority");
			opts.priority = (int)v;
		} else if (strcmp(argv[i], "--skip-unknown") == 0) {
			skip_unknown = 1;
		} else if (strcmp(argv[i], "--as-of") == 0) {
			int32_t d;

			if (++i >= argc || ms_date_parse(argv[i],
			    strlen(argv[i]), &d) != MS_OK ||
			    d < 0 || d > MS_DATE_MAX)
				return usage_error("%s needs a date YYYY-MM-DD "
				    "(1970-01-01..2099-12-31)", "--as-of");
			ropts.as_of = d;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage_error("import: unknown option %s",
			    argv[i]);
		} else {
			break;
		}
	}
	if (i >= argc)
		return usage_error("%s: no PATH given", "import");
	for (; i < argc; i++) {
		rc = ms_import_collect(argv[i], &files, &nfiles, err,
		    sizeof(err));
		if (rc != MS_OK) {
			fprintf(stderr, "moonscope: %s\n", err);
			ms_import_free_list(files, nfiles);
			return EXIT_FAILURE;
		}
	}
	if (nfiles == 0) {
		fprintf(stderr,
		    "moonscope: no *.csv or *.csv.gz files found\n");
		ms_import_free_list(files, nfiles);
		return EXIT_FAILURE;
	}
	if (ropts.as_of >= 0) {
		/* --as-of names one snapshot: a second company table of the
		 * same command would replace the first. */
		size_t ncomp = 0;

		for (size_t f = 0; f < nfiles; f++)
			ncomp += ms_reference_file_kind(files[f]) ==
			    MS_REF_COMPANIES;
		if (ncomp > 1) {
			ms_import_free_list(files, nfiles);
			return usage_error("--as-of gives one snapshot day, but "
			    "%zu company tables were given; import them one "
			    "at a time", ncomp);
		}
	}
	if (open_store(db, MS_STORE_RW, &st) != EXIT_SUCCESS) {
		ms_import_free_list(files, nfiles);
		return EXIT_FAILURE;
	}
	r = malloc(sizeof(*r));
	rr = malloc(sizeof(*rr));
	if (r == NULL || rr == NULL) {
		free(r);
		free(rr);
		ms_store_close(st);
		ms_import_free_list(files, nfiles);
		return EXIT_FAILURE;
	}
	for (size_t f = 0; f < nfiles; f++) {
		rc = ms_import_file(st, files[f], &opts, r);
		secs += r->seconds;
		if (rc != MS_OK && r->unknown_layout) {
			/* Not market data: perhaps a reference table. */
			int rrc = ms_reference_import_file(st, files[f],
			    &ropts, rr);

			secs += rr->seconds;
			if (!rr->unknown_layout) {
				ms_reference_print(rrc == MS_OK ? stdout :
				    stderr, rr);
				fflush(stdout);
				if (rrc != MS_OK) {
					nrej++;
					status = EXIT_FAILURE;
				} else {
					nok++;
					nref++;
				}
				continue;
			}
		}
		if (rc != MS_OK && r->unknown_layout && skip_unknown) {
			printf("skipped (--skip-unknown): %s\n", r->error);
			nunknown++;
			continue;
		}
		ms_import_print(rc == MS_OK ? stdout : stderr, r);
		fflush(stdout);
		if (rc != MS_OK) {
			nrej++;
			status = EXIT_FAILURE;
			continue;
		}
		nok++;
		tot_read += r->rows_read;
		tot_ins += r->inserted;
		tot_upd += r->updated;
		tot_unch += r->unchanged;
		tot_skip += r->skipped;
		tot_notes += r->zero_as_null;
		for (int k = 0; k < MS_SKIP_COUNT; k++)
			tot_skips[k] += r->skips[k];
	}
	printf("total: %zu files imported", nok);
	if (nref > 0)
		printf(" (%zu reference tables)", nref);
	printf(", %zu rejected", nrej);
	if (nunknown > 0)
		printf(", %zu of unknown layout skipped", nunknown);
	printf("; rows read %lu, inserted %lu, updated %lu, unchanged %lu, "
	    "skipped %lu", tot_read, tot_ins, tot_upd, tot_unch, tot_skip);
	for (int k = 0; k < MS_SKIP_COUNT; k++)
		if (tot_skips[k] > 0)
			printf(" (%s %lu)", ms_import_skip_name(
			    (enum ms_import_skip)k), tot_skips[k]);
	if (tot_notes > 0)
		printf("; notes: zero_as_null %lu", tot_notes);
	printf("; %.2f s\n", secs);
	if (tot_skip > 0 || tot_notes > 0 || nrej > 0)
		printf("row policy: a skipped row is left out and its file is "
		    "still imported; a zero volume or market cap is stored as "
		    "unknown (NULL); a file with a structural error, or with "
		    "more than half of its rows skipped, is rejected whole\n");
	if (nrej > 0)
		printf("rejected files were not imported at all; fix them and "
		    "import again (re-importing the others changes "
		    "nothing)\n");
	free(r);
	free(rr);
	ms_store_close(st);
	ms_import_free_list(files, nfiles);
	return status;
}

static int
cmd_demo(const char *db, int argc, char **argv)
{
	struct ms_demo_opts opts = { MS_DEMO_DEFAULT_ASSETS,
	    MS_DEMO_DEFAULT_SEED, 0 };
	struct ms_demo_result res;
	struct ms_store *st;
	char err[512], d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1];
	long v;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--assets") == 0) {
			if (++i >= argc || parse_long(argv[i],
			    MS_DEMO_MIN_ASSETS, MS_DEMO_MAX_ASSETS, &v))
				return usage_error("%s needs an integer "
				    "12..5000", "--assets");
			opts.assets = (int)v;
		} else if (strcmp(argv[i], "--seed") == 0) {
			if (++i >= argc || parse_long(argv[i], 0, LONG_MAX,
			    &v))
				return usage_error("%s needs a non-negative "
				    "integer", "--seed");
			opts.seed = (uint64_t)v;
		} else if (strcmp(argv[i], "--force") == 0) {
			opts.force = 1;
		} else {
			return usage_error("demo-data: unknown argument %s",
			    argv[i]);
		}
	}
	if (open_store(db, MS_STORE_RW, &st) != EXIT_SUCCESS)
		return EXIT_FAILURE;
	rc = ms_demo_generate(st, &opts, &res, err, sizeof(err));
	ms_store_close(st);
	if (rc != MS_OK) {
		fprintf(stderr, "moonscope: demo-data: %s\n", err);
		return EXIT_FAILURE;
	}
	ms_date_format(res.first_day, d0);
	ms_date_format(res.last_day, d1);
	printf("demo-data: wrote SYNTHETIC data (source %s, not market data): "
	    "%ld assets (%ld die), %ld bars, %s..%s, %.2f s\n", MS_DEMO_SOURCE,
	    res.assets, res.dead, res.bars, d0, d1, res.seconds);
	return EXIT_SUCCESS;
}

static int
cmd_purge(const char *db, int argc, char **argv)
{
	const char *name = NULL;
	struct ms_store *st;
	int64_t n = 0;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--source") == 0 && i + 1 < argc &&
		    argv[i + 1][0] != '\0')
			name = argv[++i];
		else
			return usage_error("purge: bad argument %s", argv[i]);
	}
	if (name == NULL)
		return usage_error("%s: --source NAME is required", "purge");
	if (open_store(db, MS_STORE_RW, &st) != EXIT_SUCCESS)
		return EXIT_FAILURE;
	if ((rc = ms_store_begin(st)) == MS_OK) {
		rc = ms_store_purge_source(st, name, &n);
		if (rc == MS_OK)
			rc = ms_store_commit(st);
		if (rc != MS_OK)
			ms_store_rollback(st);
	}
	ms_store_close(st);
	if (rc == MS_ERR_NOTFOUND) {
		printf("purge: no source named %s; nothing to do\n", name);
		return EXIT_SUCCESS;
	}
	if (rc != MS_OK) {
		fprintf(stderr, "moonscope: purge %s: %s\n", name,
		    ms_strerror(rc));
		return EXIT_FAILURE;
	}
	printf("purge: deleted %lld bars of source %s\n", (long long)n, name);
	return EXIT_SUCCESS;
}

/* Formats a day or "-" for NULL. */
static const char *
day_text(sqlite3_stmt *s, int col, char buf[MS_DATE_LEN + 1])
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return "-";
	ms_date_format((int32_t)sqlite3_column_int(s, col), buf);
	return buf;
}

static void
json_day(cJSON *o, const char *key, sqlite3_stmt *s, int col)
{
	char buf[MS_DATE_LEN + 1];

	if (sqlite3_column_type(s, col) == SQLITE_NULL) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	ms_date_format((int32_t)sqlite3_column_int(s, col), buf);
	cJSON_AddStringToObject(o, key, buf);
}

static int
cmd_info(const char *db, int argc, char **argv)
{
	static const char sources_sql[] =
	    "SELECT s.name, s.priority, s.synthetic, s.timing, "
	    "(SELECT count(*) FROM bars b WHERE b.source_id = s.id), "
	    "(SELECT count(DISTINCT asset_id) FROM bars b "
	    "  WHERE b.source_id = s.id), "
	    "(SELECT min(day) FROM bars b WHERE b.source_id = s.id), "
	    "(SELECT max(day) FROM bars b WHERE b.source_id = s.id), "
	    "s.description "
	    "FROM sources s ORDER BY s.priority, s.name";
	static const char totals_sql[] =
	    "SELECT (SELECT count(*) FROM assets), "
	    "(SELECT count(*) FROM daily), (SELECT min(day) FROM daily), "
	    "(SELECT max(day) FROM daily), (SELECT count(*) FROM imports)";
	struct ms_store *st;
	sqlite3_stmt *s;
	cJSON *root = NULL, *arr = NULL;
	char d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1];
	int64_t dv = 0;
	int json = 0, v = 0, rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return usage_error("info: unknown argument %s",
			    argv[i]);
	}
	if (open_store(db, MS_STORE_RO, &st) != EXIT_SUCCESS)
		return EXIT_FAILURE;
	if (ms_store_schema_version(st, &v) != MS_OK ||
	    ms_store_data_version(st, &dv) != MS_OK) {
		ms_store_close(st);
		return EXIT_FAILURE;
	}
	if (json) {
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "store", db);
		cJSON_AddNumberToObject(root, "schema_version", v);
		cJSON_AddNumberToObject(root, "data_version", (double)dv);
		arr = cJSON_AddArrayToObject(root, "sources");
	} else {
		printf("store: %s\nschema version: %d\ndata version: %lld\n",
		    db, v, (long long)dv);
		printf("sources (lower priority wins):\n");
	}
	if ((s = ms_store_stmt(st, sources_sql)) == NULL) {
		cJSON_Delete(root);
		ms_store_close(st);
		return EXIT_FAILURE;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "name", name);
			cJSON_AddNumberToObject(o, "priority",
			    sqlite3_column_int(s, 1));
			cJSON_AddBoolToObject(o, "synthetic",
			    sqlite3_column_int(s, 2));
			cJSON_AddStringToObject(o, "timing",
			    (const char *)sqlite3_column_text(s, 3));
			cJSON_AddStringToObject(o, "description",
			    (const char *)sqlite3_column_text(s, 8));
			cJSON_AddNumberToObject(o, "bars",
			    (double)sqlite3_column_int64(s, 4));
			cJSON_AddNumberToObject(o, "assets",
			    (double)sqlite3_column_int64(s, 5));
			json_day(o, "first_day", s, 6);
			json_day(o, "last_day", s, 7);
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("  %-22s priority %3d%s  %9lld bars  %6lld "
			    "assets  %s..%s\n", name, sqlite3_column_int(s, 1),
			    sqlite3_column_int(s, 2) ? " SYNTHETIC" : "",
			    (long long)sqlite3_column_int64(s, 4),
			    (long long)sqlite3_column_int64(s, 5),
			    day_text(s, 6, d0), day_text(s, 7, d1));
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || (s = ms_store_stmt(st, totals_sql)) == NULL ||
	    sqlite3_step(s) != SQLITE_ROW) {
		fprintf(stderr, "moonscope: info: %s\n",
		    sqlite3_errmsg(ms_store_db(st)));
		cJSON_Delete(root);
		ms_store_close(st);
		return EXIT_FAILURE;
	}
	if (json) {
		char *txt;

		cJSON_AddNumberToObject(root, "assets",
		    (double)sqlite3_column_int64(s, 0));
		cJSON_AddNumberToObject(root, "daily_rows",
		    (double)sqlite3_column_int64(s, 1));
		json_day(root, "first_day", s, 2);
		json_day(root, "last_day", s, 3);
		cJSON_AddNumberToObject(root, "imports",
		    (double)sqlite3_column_int64(s, 4));
		txt = cJSON_Print(root);
		if (txt != NULL) {
			puts(txt);
			cJSON_free(txt);
		}
		cJSON_Delete(root);
	} else {
		printf("assets: %lld\nserved daily rows: %lld (%s..%s)\n"
		    "imports recorded: %lld\n",
		    (long long)sqlite3_column_int64(s, 0),
		    (long long)sqlite3_column_int64(s, 1), day_text(s, 2, d0),
		    day_text(s, 3, d1), (long long)sqlite3_column_int64(s, 4));
	}
	sqlite3_reset(s);
	ms_store_close(st);
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	const char *db = NULL, *cmd;
	int i = 1;

	ms_log_set_prog("moonscope");
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return usage_error("%s needs a path", "--db");
			db = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return EXIT_SUCCESS;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("moonscope %s\n", MS_VERSION);
			return EXIT_SUCCESS;
		} else {
			return usage_error("unknown option %s", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error("%s", "no command given");
	cmd = argv[i++];
	/* --db may also follow the command. */
	for (int j = i; j < argc; j++) {
		if (strcmp(argv[j], "--db") == 0) {
			if (j + 1 >= argc || argv[j + 1][0] == '\0')
				return usage_error("%s needs a path", "--db");
			db = argv[j + 1];
			memmove(&argv[j], &argv[j + 2],
			    (size_t)(argc - j - 2) * sizeof(*argv));
			argc -= 2;
			j--;
		}
	}
	if (db == NULL)
		db = ms_store_path_default();
	if (strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(cmd, "init") == 0) {
		if (i != argc)
			return usage_error("init: unexpected argument %s",
			    argv[i]);
		return cmd_init(db);
	}
	if (strcmp(cmd, "import") == 0)
		return cmd_import(db, argc - i, argv + i);
	if (strcmp(cmd, "demo-data") == 0)
		return cmd_demo(db, argc - i, argv + i);
	if (strcmp(cmd, "purge") == 0)
		return cmd_purge(db, argc - i, argv + i);
	if (strcmp(cmd, "info") == 0)
		return cmd_info(db, argc - i, argv + i);
	if (strcmp(cmd, "daily") == 0)
		return ms_cli_daily(db, argc - i, argv + i);
	if (strcmp(cmd, "backtest") == 0)
		return ms_cli_backtest(db, argc - i, argv + i);
	if (strcmp(cmd, "ingest") == 0)
		return ms_cli_ingest(db, argc - i, argv + i);
	return usage_error("unknown command %s", cmd);
}
