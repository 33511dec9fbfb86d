/*
 * ingest.c — `moonscope ingest`: pull the top N coins and their missing
 * daily history from a CoinGecko-compatible upstream into the store, in
 * one transaction (ingest/ms_ingest.h), politely (ingest/ms_upstream.h).
 *
 *   moonscope ingest [--base-url URL] [--api-key KEY] [--key-kind K]
 *       [--top N] [--history-top K] [--history-max K] [--ids a,b]
 *       [--backfill-days D] [--refresh-days R] [--today YYYY-MM-DD]
 *       [--categories N] [--no-list] [--no-global]
 *       [--no-history] [--budget R] [--budget-window S]
 *       [--retry-after-default S] [--max-retries N] [--backoff-base S]
 *       [--backoff-max S] [--max-time S] [--connect-timeout S]
 *       [--timeout S] [--max-body BYTES] [--request-log FILE] [--seed N]
 *
 * The base URL, key and key kind default to $MOONSCOPE_UPSTREAM,
 * $MOONSCOPE_API_KEY and $MOONSCOPE_API_KEY_KIND (none|demo|pro), then to
 * CoinGecko's public API (pro keys: its pro API). Every option is in
 * docs/ingest.md. Exit status: 0 success, 1 failure (nothing written), 2
 * usage error. SIGINT/SIGTERM stop the run cleanly (nothing written).
 *
 *   moonscope ingest --probe [--base-url URL] [--api-key KEY] ...
 *
 * only checks that the upstream answers GET /ping with a JSON object
 * (one attempt, no retry; connect and total timeouts 3 s unless given),
 * opens no store, and exits 0 (reachable) or 1 (not, with the reason).
 * `make run` uses it to decide between ingesting and the demo data.
 *
 * With MOONSCOPE_OFFLINE=1 in the environment only a loopback upstream
 * (127.0.0.1, localhost, [::1]) is contacted; any other is a usage error
 * before any network traffic. Tests set it.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_ingest.h"
#include "ms_store.h"
#include "ms_upstream.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const char usage[] =
    "usage: moonscope ingest [OPTIONS]\n"
    "  upstream:  --base-url URL  --api-key KEY  --key-kind none|demo|pro\n"
    "             (else $MOONSCOPE_UPSTREAM, $MOONSCOPE_API_KEY,\n"
    "             $MOONSCOPE_API_KEY_KIND; default " MS_UPSTREAM_DEFAULT_URL
    ")\n"
    "  universe:  --top N (250)  --ids ID,...  --no-list  --no-global\n"
    "             --categories N (25; 0 = no category requests)\n"
    "  history:   --history-top K (all)  --history-max K (no limit)\n"
    "             --backfill-days D (365)  --refresh-days R (0)\n"
    "             --no-history  --today YYYY-MM-DD\n"
    "  probe:     --probe  (GET /ping once, 3 s; exit 0 when reachable)\n"
    "  politeness: --budget R per minute (25 keyless, 30 demo, 250 pro)\n"
    "             --budget-window S (60)  --retry-after-default S (60)\n"
    "             --max-retries N (5)  --backoff-base S (2)\n"
    "             --backoff-max S (60)  --max-time S (3600)\n"
    "             --connect-timeout S (10)  --timeout S (60)\n"
    "             --max-body BYTES (16777216)  --request-log FILE\n"
    "             --seed N (jitter)\n"
    "See docs/ingest.md.\n";

static int
bad(const char *opt, const char *what)
{
	fprintf(stderr, "moonscope ingest: %s needs %s\n%s", opt, what, usage);
	return MS_CLI_USAGE;
}

static int
invalid(const char *what, const char *why)
{
	fprintf(stderr, "moonscope ingest: %s: %s\n", what, why);
	return MS_CLI_USAGE;
}

static int
parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/*
 * --probe: one GET /ping without retries. 0 when the upstream answers 200
 * with a JSON object, else 1 with the reason on stderr.
 */
static int
probe(struct ms_upstream_opts *uo)
{
	struct ms_upstream *u = NULL;
	char err[768];
	char *body = NULL;
	size_t len = 0;
	cJSON *doc = NULL;
	int rc;

	uo->max_retries = 0;
	uo->per_minute = uo->per_minute > 0 ? uo->per_minute : 1;
	if (ms_upstream_new(uo, &u, err, sizeof(err)) != MS_OK) {
		fprintf(stderr, "moonscope ingest: %s\n", err);
		return EXIT_FAILURE;
	}
	rc = ms_upstream_get(u, "/ping", &body, &len, err, sizeof(err));
	if (rc == MS_OK &&
	    (rc = ms_upstream_parse_json(body, len, &doc, err, sizeof(err))) ==
	    MS_OK && !cJSON_IsObject(doc)) {
		snprintf(err, sizeof(err), "GET /ping: not a JSON object");
		rc = MS_ERR_PARSE;
	}
	cJSON_Delete(doc);
	free(body);
	ms_upstream_free(u);
	if (rc != MS_OK) {
		fprintf(stderr, "ingest: upstream %s is not reachable: %s\n",
		    uo->base_url, err);
		return EXIT_FAILURE;
	}
	printf("ingest: upstream %s is reachable (GET /ping answered)\n",
	    uo->base_url);
	return EXIT_SUCCESS;
}

static int
parse_secs(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (s == NULL || ((*s < '0' || *s > '9') && *s != '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* 1 when url (already checked: http(s)://host...) names a loopback host. */
static int
loopback_url(const char *url)
{
	static const char *const hosts[] = { "127.0.0.1", "localhost",
	    "[::1]" };
	const char *h = strstr(url, "://");

	if (h == NULL)
		return 0;
	h += 3;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		size_t n = strlen(hosts[i]);

		if (strncasecmp(h, hosts[i], n) == 0 &&
		    (h[n] == '\0' || h[n] == ':' || h[n] == '/'))
			return 1;
	}
	return 0;
}

/* Creates the parent directory of path when missing (one level). */
static void
make_parent(const char *path)
{
	char buf[4096];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL || slash == path)
		return;
	n = (size_t)(slash - path);
	if (n >= sizeof(buf))
		return;
	memcpy(buf, path, n);
	buf[n] = '\0';
	(void)mkdir(buf, 0755);
}

int
ms_cli_ingest(const char *db, int argc, char **argv)
{
	struct ms_upstream_opts uo;
	struct ms_ingest_opts io;
	struct ms_ingest_result *r;
	struct ms_upstream *u = NULL;
	struct ms_store *st = NULL;
	struct sigaction sa;
	const char *base = getenv("MOONSCOPE_UPSTREAM");
	const char *key = getenv("MOONSCOPE_API_KEY");
	const char *kind = getenv("MOONSCOPE_API_KEY_KIND");
	const char *offline;
	char err[768];
	long budget = -1, v;
	int rc, status, probe_only = 0, timeout_set = 0, connect_set = 0;

	ms_upstream_defaults(&uo);
	ms_ingest_defaults(&io);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--no-list") == 0) {
			io.no_list = 1;
			continue;
		}
		if (strcmp(a, "--no-global") == 0) {
			io.no_global = 1;
			continue;
		}
		if (strcmp(a, "--no-history") == 0) {
			io.no_history = 1;
			continue;
		}
		if (strcmp(a, "--probe") == 0) {
			probe_only = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		}
		if (val == NULL)
			return bad(a, "a value (or is unknown)");
		i++;
		if (strcmp(a, "--base-url") == 0) {
			base = val;
		} else if (strcmp(a, "--api-key") == 0) {
			key = val;
		} else if (strcmp(a, "--key-kind") == 0) {
			kind = val;
		} else if (strcmp(a, "--top") == 0) {
			if (parse_int(val, 1, MS_INGEST_TOP_MAX, &v) != 0)
				return bad(a, "an integer 1..5000");
			io.top = (int)v;
		} else if (strcmp(a, "--history-top") == 0) {
			if (parse_int(val, 0, MS_INGEST_TOP_MAX, &v) != 0)
				return bad(a, "an integer 0..5000");
			io.history_top = (int)v;
		} else if (strcmp(a, "--history-max") == 0) {
			if (parse_int(val, 0, MS_INGEST_TOP_MAX, &v) != 0)
				return bad(a, "an integer 0..5000");
			io.history_max = (int)v;
		} else if (strcmp(a, "--categories") == 0) {
			if (parse_int(val, 0, MS_INGEST_CATEGORIES_MAX, &v) != 0)
				return bad(a, "an integer 0..1000");
			io.categories = (int)v;
		} else if (strcmp(a, "--ids") == 0) {
			if (val[0] == '\0' || strlen(val) > 40000)
				return bad(a, "a comma-separated list of ids");
			io.ids = val;
		} else if (strcmp(a, "--backfill-days") == 0) {
			if (parse_int(val, 1, MS_INGEST_BACKFILL_MAX, &v) != 0)
				return bad(a, "an integer 1..3660");
			io.backfill_days = (int)v;
		} else if (strcmp(a, "--refresh-days") == 0) {
			if (parse_int(val, 0, MS_INGEST_BACKFILL_MAX, &v) != 0)
				return bad(a, "an integer 0..3660");
			io.refresh_days = (int)v;
		} else if (strcmp(a, "--today") == 0) {
			int32_t day;

			if (ms_date_parse(val, strlen(val), &day) != MS_OK ||
			    day < MS_DATE_MIN + 2 || day > MS_DATE_MAX)
				return bad(a, "a date YYYY-MM-DD (2009..2099)");
			io.today = day;
		} else if (strcmp(a, "--budget") == 0) {
			if (parse_int(val, 1, MS_UPSTREAM_BUDGET_MAX, &budget))
				return bad(a, "an integer 1..10000 (requests "
				    "per minute)");
		} else if (strcmp(a, "--budget-window") == 0) {
			if (parse_secs(val, 0.1, 3600, &uo.window) != 0)
				return bad(a, "seconds 0.1..3600");
		} else if (strcmp(a, "--retry-after-default") == 0) {
			if (parse_secs(val, 0, 3600, &uo.retry_after_default))
				return bad(a, "seconds 0..3600");
		} else if (strcmp(a, "--max-retries") == 0) {
			if (parse_int(val, 0, 100, &v) != 0)
				return bad(a, "an integer 0..100");
			uo.max_retries = (int)v;
		} else if (strcmp(a, "--backoff-base") == 0) {
			if (parse_secs(val, 0, 600, &uo.backoff_base) != 0)
				return bad(a, "seconds 0..600");
		} else if (strcmp(a, "--backoff-max") == 0) {
			if (parse_secs(val, 0, 3600, &uo.backoff_max) != 0)
				return bad(a, "seconds 0..3600");
		} else if (strcmp(a, "--max-time") == 0) {
			if (parse_secs(val, 1, 7 * 86400, &uo.max_run_seconds))
				return bad(a, "seconds 1..604800");
		} else if (strcmp(a, "--connect-timeout") == 0) {
			if (parse_secs(val, 0.1, 600, &uo.connect_timeout) != 0)
				return bad(a, "seconds 0.1..600");
			connect_set = 1;
		} else if (strcmp(a, "--timeout") == 0) {
			if (parse_secs(val, 0.1, 3600, &uo.timeout) != 0)
				return bad(a, "seconds 0.1..3600");
			timeout_set = 1;
		} else if (strcmp(a, "--max-body") == 0) {
			if (parse_int(val, 1024, 1024L * 1024 * 1024, &v) != 0)
				return bad(a, "bytes 1024..1073741824");
			uo.max_body = (size_t)v;
		} else if (strcmp(a, "--request-log") == 0) {
			if (val[0] == '\0')
				return bad(a, "a file name");
			uo.request_log = val;
		} else if (strcmp(a, "--seed") == 0) {
			if (parse_int(val, 1, 2147483647L, &v) != 0)
				return bad(a, "an integer 1..2147483647");
			uo.seed = (uint64_t)v;
		} else {
			i--;
			fprintf(stderr, "moonscope ingest: unknown option %s\n%s",
			    a, usage);
			return MS_CLI_USAGE;
		}
	}
	if (uo.backoff_max < uo.backoff_base)
		return invalid("--backoff-max", "must be at least --backoff-base");
	if (kind != NULL && kind[0] != '\0' &&
	    ms_upstream_key_kind_parse(kind, &uo.key_kind) != MS_OK)
		return invalid("--key-kind / MOONSCOPE_API_KEY_KIND",
		    "must be none, demo or pro");
	if (key != NULL && key[0] == '\0')
		key = NULL;
	if (key != NULL && (kind == NULL || kind[0] == '\0'))
		uo.key_kind = MS_KEY_DEMO;   /* a key without a kind: demo */
	if (uo.key_kind != MS_KEY_NONE && key == NULL)
		return invalid("--key-kind demo/pro", "needs an API key "
		    "(--api-key or MOONSCOPE_API_KEY)");
	if (uo.key_kind == MS_KEY_NONE && key != NULL)
		fprintf(stderr, "moonscope ingest: key kind none: the API key "
		    "is not sent\n");
	uo.api_key = uo.key_kind != MS_KEY_NONE ? key : NULL;
	if (base != NULL && base[0] != '\0')
		uo.base_url = base;
	else if (uo.key_kind == MS_KEY_PRO)
		uo.base_url = MS_UPSTREAM_PRO_URL;
	if (uo.api_key != NULL && strncasecmp(uo.base_url, "http://", 7) == 0 &&
	    strncmp(uo.base_url + 7, "127.0.0.1", 9) != 0 &&
	    strncasecmp(uo.base_url + 7, "localhost", 9) != 0 &&
	    strncmp(uo.base_url + 7, "[::1]", 5) != 0)
		fprintf(stderr, "moonscope ingest: warning: the API key goes "
		    "over plain http to %s\n", uo.base_url);
	uo.per_minute = budget > 0 ? (int)budget :
	    uo.key_kind == MS_KEY_PRO ? 250 :
	    uo.key_kind == MS_KEY_DEMO ? 30 : 25;
	if (ms_upstream_check_url(uo.base_url, err, sizeof(err)) != MS_OK)
		return invalid("--base-url / MOONSCOPE_UPSTREAM", err);
	if ((offline = getenv("MOONSCOPE_OFFLINE")) != NULL &&
	    strcmp(offline, "1") == 0 && !loopback_url(uo.base_url))
		return invalid(uo.base_url, "MOONSCOPE_OFFLINE=1: only a "
		    "loopback upstream (127.0.0.1, localhost, [::1]) is "
		    "contacted");
	if (uo.api_key != NULL &&
	    ms_upstream_check_key(uo.api_key, err, sizeof(err)) != MS_OK)
		return invalid("--api-key / MOONSCOPE_API_KEY", err);
	if (io.refresh_days > io.backfill_days)
		return invalid("--refresh-days", "must be at most "
		    "--backfill-days");
	if (probe_only) {
		if (!connect_set)
			uo.connect_timeout = 3;
		if (!timeout_set)
			uo.timeout = 3;
		return probe(&uo);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	uo.cancel = &stop_requested;
	uo.notices = stderr;
	io.cancel = &stop_requested;
	io.progress = stderr;
	io.tty = isatty(STDERR_FILENO);

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return EXIT_FAILURE;
	make_parent(db);
	if ((rc = ms_store_open(db, MS_STORE_RW, &st)) != MS_OK) {
		fprintf(stderr, "moonscope ingest: cannot open the store %s: "
		    "%s\n", db, ms_strerror(rc));
		free(r);
		return EXIT_FAILURE;
	}
	if ((rc = ms_upstream_new(&uo, &u, err, sizeof(err))) != MS_OK) {
		fprintf(stderr, "moonscope ingest: %s\n", err);
		ms_store_close(st);
		free(r);
		return EXIT_FAILURE;
	}
	fprintf(stderr, "ingest: upstream %s (key: %s), budget %d requests "
	    "per %.0f s, store %s\n", uo.base_url,
	    ms_upstream_key_kind_name(uo.key_kind), uo.per_minute, uo.window,
	    db);
	rc = ms_ingest_run(st, u, uo.base_url, &io, r);
	if (rc == MS_OK) {
		printf("ingest: %s -> %s, source %s\n", uo.base_url, db,
		    MS_INGEST_SOURCE);
		ms_ingest_print(stdout, r, 1);
		status = EXIT_SUCCESS;
	} else {
		fprintf(stderr, "moonscope ingest: %s\n", r->error);
		ms_ingest_print(stderr, r, 0);
		status = EXIT_FAILURE;
	}
	ms_upstream_free(u);
	ms_store_close(st);
	free(r);
	return status;
}
