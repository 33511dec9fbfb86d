/*
 * testutil.c — the helpers of testutil.h, shared by the Check suites so
 * that each suite's scratch-directory, fixture and query plumbing is
 * written once. Failures are Check assertions: they end the current test.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <check.h>
#include <sqlite3.h>
#include <zlib.h>

#include "ms_error.h"
#include "testutil.h"

void
tu_tmpdir(char *dir, size_t cap, const char *prefix)
{
	int n = snprintf(dir, cap, "/tmp/%s_XXXXXX", prefix);

	ck_assert(n > 0 && (size_t)n < cap);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void
tu_rmtree(const char *dir)
{
	char cmd[320];
	int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);

	ck_assert(n > 0 && (size_t)n < sizeof(cmd));
	ck_assert_int_eq(system(cmd), 0);
}

const char *
tu_fixture(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("MS_TEST_FIXTURES");

	snprintf(buf, len, "%s/%s", dir != NULL ? dir : "tests/fixtures",
	    name);
	return buf;
}

const char *
tu_write_file(const char *dir, const char *name, const void *data, size_t n,
    int gz, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
	if (gz) {
		gzFile g = gzopen(buf, "wb");

		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(gzwrite(g, data, (unsigned)n), (int)n);
		ck_assert_int_eq(gzclose(g), Z_OK);
	} else {
		FILE *f = fopen(buf, "wb");

		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(data, 1, n, f), n);
		ck_assert_int_eq(fclose(f), 0);
	}
	return buf;
}

struct ms_store *
tu_open_store(const char *dir, const char *name)
{
	char path[320];
	struct ms_store *st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(ms_store_open(path, MS_STORE_RW, &st), MS_OK);
	return st;
}

void
tu_exec(struct ms_store *st, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(ms_store_db(st), sql, NULL, NULL, &err);

	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, err ? err : "");
	sqlite3_free(err);
}

/* The first column of sql's first row, as both types; 0 if no row. */
static int
first_value(struct ms_store *st, const char *sql, int64_t *i, double *d)
{
	sqlite3_stmt *s;
	int row;

	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st), sql, -1, &s,
	    NULL), SQLITE_OK);
	row = sqlite3_step(s) == SQLITE_ROW;
	if (row) {
		*i = sqlite3_column_int64(s, 0);
		*d = sqlite3_column_double(s, 0);
	}
	sqlite3_finalize(s);
	return row;
}

int64_t
tu_query_int(struct ms_store *st, const char *sql)
{
	int64_t i;
	double d;

	return first_value(st, sql, &i, &d) ? i : TU_NO_ROW;
}

double
tu_query_double(struct ms_store *st, const char *sql)
{
	int64_t i;
	double d;

	return first_value(st, sql, &i, &d) ? d : TU_NO_ROW;
}

int64_t
tu_data_version(struct ms_store *st)
{
	int64_t v = -1;

	ck_assert_int_eq(ms_store_data_version(st, &v), MS_OK);
	return v;
}

/* Hand-made store fixtures: one asset row, one bar row (NaN = NULL). */
void
tu_insert_asset(sqlite3 *db, int64_t id, const char *slug, const char *symbol,
    const char *name, const char *cats)
{
	sqlite3_stmt *s;

	ck_assert_int_eq(sqlite3_prepare_v2(db,
	    "INSERT INTO assets(id, slug, symbol, name, categories) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, cats, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

void
tu_insert_bar(sqlite3 *db, int64_t asset, int64_t source, int32_t day,
    double open, double high, double low, double close, double volume,
    double mcap)
{
	sqlite3_stmt *s;
	double v[6] = { open, high, low, close, volume, mcap };

	ck_assert_int_eq(sqlite3_prepare_v2(db,
	    "INSERT INTO bars(asset_id, source_id, day, open, high, low, close,"
	    " volume, market_cap) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, asset);
	sqlite3_bind_int64(s, 2, source);
	sqlite3_bind_int64(s, 3, day);
	for (int i = 0; i < 6; i++) {
		if (isnan(v[i]))
			sqlite3_bind_null(s, 4 + i);
		else
			sqlite3_bind_double(s, 4 + i, v[i]);
	}
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}
