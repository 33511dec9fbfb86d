/*
 * testutil.h — helpers shared by the Check suites: a scratch directory per
 * test, fixture paths, writing a test file (plain or gzip), and one-value
 * SQL queries against a store. Every helper asserts with Check, so it may
 * only be called from inside a test or a checked fixture.
 */
#ifndef MS_TESTUTIL_H
#define MS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "ms_store.h"

/* Value of tu_query_int / tu_query_double when the query has no row. */
#define TU_NO_ROW (-999)

/* Creates a new directory /tmp/<prefix>_XXXXXX and writes its path into
 * dir (cap bytes). */
void tu_tmpdir(char *dir, size_t cap, const char *prefix);

/* Removes dir and everything below it. */
void tu_rmtree(const char *dir);

/* Writes the path of fixture name ($MS_TEST_FIXTURES, default
 * tests/fixtures) into buf (len bytes); returns buf. */
const char *tu_fixture(const char *name, char *buf, size_t len);

/* Writes n bytes to dir/name, gzip-compressed when gz, and its path into
 * buf (len bytes); returns buf. */
const char *tu_write_file(const char *dir, const char *name,
    const void *data, size_t n, int gz, char *buf, size_t len);

/* Opens (creating) the store dir/name read-write; the caller closes it
 * with ms_store_close. */
struct ms_store *tu_open_store(const char *dir, const char *name);

/* Runs sql (any number of statements) on the store's connection. */
void tu_exec(struct ms_store *st, const char *sql);

/* The first column of the first row of sql, or TU_NO_ROW. */
int64_t tu_query_int(struct ms_store *st, const char *sql);
double tu_query_double(struct ms_store *st, const char *sql);

/* The store's data version. */
int64_t tu_data_version(struct ms_store *st);

/* Inserts an asset row (fixture stores written by hand). */
void tu_insert_asset(sqlite3 *db, int64_t id, const char *slug,
    const char *symbol, const char *name, const char *cats);
/* Inserts a bar; NaN values are stored as NULL. */
void tu_insert_bar(sqlite3 *db, int64_t asset, int64_t source, int32_t day,
    double open, double high, double low, double close, double volume,
    double mcap);

#endif
