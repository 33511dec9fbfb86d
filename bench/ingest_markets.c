/*
 * ingest_markets.c — the "/coins/markets page" figure of bench/ingest.sh:
 * how long `moonscope ingest` takes to parse one page of CoinGecko's
 * /coins/markets and store what it keeps of it (the coins' identity: an
 * asset per coin, in one transaction with its imports row), without the
 * network. Built and run by bench/ingest.sh:
 *
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ishared \
 *       -Iingest $(pkg-config --cflags libcjson) bench/ingest_markets.c \
 *       build/libmoonscope.a $(pkg-config --libs fcgi libcjson sqlite3 \
 *       zlib gsl libcurl) -lm -o build/bench-ingest/ingest_markets
 *   ingest_markets PAGE.json N DIR
 *
 * PAGE.json is one page (at most 250 coins, MS_INGEST_PAGE_MAX). Three
 * measurements, each N times (the median, p10 and p90 are printed, one
 * TSV line each: name, n, median_us, p10_us, p90_us, coins):
 *
 *   parse        ms_ingest_parse_markets on the page (the untrusted-body
 *                checks of every field included);
 *   parse+store  parse, resolve each coin as the ingester does (its slug
 *                in the store, else the curated identity table, else the
 *                id) and ms_ingest_write the batch: a new asset per coin,
 *                the source, one imports row, data_version — into a fresh
 *                store each time (created outside the timed part);
 *   parse+same   the same into a store that already has those assets (a
 *                second run of the day: nothing changes, nothing written
 *                but the imports row).
 *
 * Timing is CLOCK_MONOTONIC around the measured calls only. Memory the
 * program allocates is freed before it exits.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ms_date.h"
#include "ms_error.h"
#include "ms_identity.h"
#include "ms_ingest.h"
#include "ms_store.h"

#define PAGE_MAX_BYTES (16u * 1024u * 1024u)
#define RUNS_MAX 100000

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The whole file into a malloc'd NUL-terminated buffer (caller frees). */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((buf = malloc(PAGE_MAX_BYTES + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, PAGE_MAX_BYTES + 1, f);
	fclose(f);
	if (n > PAGE_MAX_BYTES) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *name, double *t, size_t n, size_t coins)
{
	qsort(t, n, sizeof(*t), cmp_double);
	printf("%s\t%zu\t%.1f\t%.1f\t%.1f\t%zu\n", name, n, t[n / 2],
	    t[n / 10], t[(n * 9) / 10], coins);
}

/* 1 when the store has an asset with this slug, 0 when not, < 0 error. */
static int
has_slug(struct ms_store *st, const char *slug)
{
	sqlite3_stmt *s = ms_store_stmt(st,
	    "SELECT 1 FROM assets WHERE slug = ?");
	int rc;

	if (s == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : MS_ERR_STORE;
}

/*
 * Parses the page and fills b with one item per coin, resolved as
 * ms_ingest.c's add_coin does (duplicates are not expected in the page).
 */
static int
parse_and_batch(struct ms_store *st, const char *page, size_t len,
    struct ms_ingest_coin *coins, struct ms_ingest_batch *b, int32_t today)
{
	unsigned long skipped = 0;
	size_t n = 0;
	char err[512];
	int rc;

	rc = ms_ingest_parse_markets(page, len, coins, MS_INGEST_PAGE_MAX, &n,
	    &skipped, err, sizeof(err));
	if (rc != MS_OK) {
		fprintf(stderr, "ingest_markets: %s\n", err);
		return rc;
	}
	memset(b, 0, sizeof(*b));
	if ((b->items = calloc(n ? n : 1, sizeof(*b->items))) == NULL)
		return MS_ERR_NOMEM;
	b->cap = n ? n : 1;
	for (size_t i = 0; i < n; i++) {
		const struct ms_ingest_coin *c = &coins[i];
		struct ms_ingest_item *it = &b->items[b->n++];
		const struct ms_known_asset *k = NULL;

		if ((rc = has_slug(st, c->id)) < 0)
			return rc;
		if (rc == 0 && c->symbol[0] != '\0' && c->name[0] != '\0')
			k = ms_identity_by_symbol(c->symbol, c->name, today);
		snprintf(it->id, sizeof(it->id), "%s", c->id);
		snprintf(it->slug, sizeof(it->slug), "%s",
		    k != NULL ? k->slug : c->id);
		if (k != NULL) {
			snprintf(it->symbol, sizeof(it->symbol), "%s",
			    k->canon_symbol);
			snprintf(it->name, sizeof(it->name), "%s", k->name);
		} else {
			size_t j;

			for (j = 0; c->symbol[j] != '\0' &&
			    j + 1 < sizeof(it->symbol); j++)
				it->symbol[j] = c->symbol[j] >= 'a' &&
				    c->symbol[j] <= 'z' ?
				    (char)(c->symbol[j] - 'a' + 'A') :
				    c->symbol[j];
			it->symbol[j] = '\0';
			snprintf(it->name, sizeof(it->name), "%s", c->name);
		}
	}
	return MS_OK;
}

static int
store_batch(struct ms_store *st, const struct ms_ingest_batch *b)
{
	struct ms_ingest_result *r = calloc(1, sizeof(*r));
	int rc;

	if (r == NULL)
		return MS_ERR_NOMEM;
	r->first_day = r->last_day = -1;
	rc = ms_ingest_write(st, b, "bench", NULL, r);
	if (rc != MS_OK)
		fprintf(stderr, "ingest_markets: %s\n", r->error);
	free(r);
	return rc;
}

/* One parse+store into st; the time in *us. */
static int
one_run(struct ms_store *st, const char *page, size_t len,
    struct ms_ingest_coin *coins, int32_t today, double *us, size_t *ncoins)
{
	struct ms_ingest_batch b;
	double t0 = now_us();
	int rc = parse_and_batch(st, page, len, coins, &b, today);

	if (rc == MS_OK)
		rc = store_batch(st, &b);
	*us = now_us() - t0;
	*ncoins = b.n;
	ms_ingest_batch_free(&b);
	return rc;
}

int
main(int argc, char **argv)
{
	struct ms_ingest_coin *coins = NULL;
	struct ms_store *st = NULL;
	char *page = NULL, *end, path[4096];
	double *t = NULL;
	size_t len = 0, ncoins = 0;
	long runs;
	int32_t today = ms_date_today();
	int rc = MS_OK;

	if (argc != 4) {
		fprintf(stderr, "usage: ingest_markets PAGE.json N DIR\n");
		return 2;
	}
	errno = 0;
	runs = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || runs < 1 || runs > RUNS_MAX) {
		fprintf(stderr, "ingest_markets: N must be 1..%d\n", RUNS_MAX);
		return 2;
	}
	if ((page = slurp(argv[1], &len)) == NULL) {
		fprintf(stderr, "ingest_markets: cannot read %s (at most %u "
		    "bytes)\n", argv[1], PAGE_MAX_BYTES);
		return 1;
	}
	coins = calloc(MS_INGEST_PAGE_MAX, sizeof(*coins));
	t = calloc((size_t)runs, sizeof(*t));
	if (coins == NULL || t == NULL) {
		rc = MS_ERR_NOMEM;
		goto out;
	}

	/* parse */
	for (long i = 0; i < runs && rc == MS_OK; i++) {
		unsigned long skipped = 0;
		char err[512];
		double t0 = now_us();

		rc = ms_ingest_parse_markets(page, len, coins,
		    MS_INGEST_PAGE_MAX, &ncoins, &skipped, err, sizeof(err));
		t[i] = now_us() - t0;
		if (rc != MS_OK)
			fprintf(stderr, "ingest_markets: %s\n", err);
	}
	if (rc != MS_OK)
		goto out;
	report("parse", t, (size_t)runs, ncoins);

	/* parse+store into a fresh store each time */
	for (long i = 0; i < runs && rc == MS_OK; i++) {
		snprintf(path, sizeof(path), "%s/fresh.db", argv[3]);
		(void)unlink(path);
		if ((rc = ms_store_open(path, MS_STORE_RW, &st)) != MS_OK)
			break;
		rc = one_run(st, page, len, coins, today, &t[i], &ncoins);
		ms_store_close(st);
		st = NULL;
	}
	if (rc != MS_OK)
		goto out;
	report("parse+store", t, (size_t)runs, ncoins);

	/* parse+same: the assets exist already */
	snprintf(path, sizeof(path), "%s/same.db", argv[3]);
	(void)unlink(path);
	if ((rc = ms_store_open(path, MS_STORE_RW, &st)) != MS_OK)
		goto out;
	rc = one_run(st, page, len, coins, today, &t[0], &ncoins);
	for (long i = 0; i < runs && rc == MS_OK; i++)
		rc = one_run(st, page, len, coins, today, &t[i], &ncoins);
	if (rc == MS_OK)
		report("parse+same", t, (size_t)runs, ncoins);
out:
	if (rc != MS_OK)
		fprintf(stderr, "ingest_markets: failed: %s\n", ms_strerror(rc));
	ms_store_close(st);
	free(t);
	free(coins);
	free(page);
	return rc == MS_OK ? 0 : 1;
}
