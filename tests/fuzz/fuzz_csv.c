/*
 * fuzz_csv.c — fuzzes the CSV reader and the importer (ingest/ms_csv.c,
 * ingest/ms_import.c) end to end: the input bytes are written to a file
 * (gzip or plain, as the bytes say: the reader sniffs the magic) and
 * imported with ms_import_file into a fresh store in a private temporary
 * directory (on /dev/shm when it is writable), removed at exit.
 *
 * Invariants: a rejected file leaves the store exactly as it was (no
 * source, asset, bar or daily row, data version 0) and says why in a
 * NUL-terminated r.error; an imported file's counters add up (rows read =
 * inserted + skipped, skipped = sum of the reasons, assets = new assets,
 * bars in the store = inserted); stored bars keep the row policy (close
 * > 0, no zero meaning unknown, days within range, first_day <= last_day);
 * and importing the same file again changes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fuzz.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_import.h"
#include "ms_store.h"

#define TODAY 20454   /* 2026-01-01: results must not depend on the clock */

static char dir[64];
static char csv_path[128], db_path[128];

static void
remove_db(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", db_path, ext[i]);
		(void)unlink(p);
	}
}

static void
cleanup(void)
{
	remove_db();
	(void)unlink(csv_path);
	(void)rmdir(dir);
}

static void
init_once(void)
{
	if (dir[0] != '\0')
		return;
	/* tmpfs when there is one: every import commits, and syncs. */
	snprintf(dir, sizeof(dir), "%s/ms_fuzz_csv_XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_ASSERT(mkdtemp(dir) != NULL);
	/* The generic layout's source name is "generic:<basename>". */
	snprintf(csv_path, sizeof(csv_path), "%s/input.csv", dir);
	snprintf(db_path, sizeof(db_path), "%s/s.db", dir);
	atexit(cleanup);
}

static int64_t
count(struct ms_store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	FUZZ_ASSERT(sqlite3_prepare_v2(ms_store_db(st), sql, -1, &s, NULL) ==
	    SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int64_t
version(struct ms_store *st)
{
	int64_t v = -1;

	FUZZ_ASSERT(ms_store_data_version(st, &v) == MS_OK);
	return v;
}

static void
check_rejected(struct ms_store *st, const struct ms_import_result *r,
    int rc)
{
	FUZZ_ASSERT(rc == MS_ERR_PARSE || rc == MS_ERR_INVALID ||
	    rc == MS_ERR_IO || rc == MS_ERR_TOOBIG);
	FUZZ_ASSERT(r->rejected == 1 && r->changed == 0);
	FUZZ_ASSERT(memchr(r->error, '\0', sizeof(r->error)) != NULL);
	FUZZ_ASSERT(r->error[0] != '\0');
	FUZZ_ASSERT(count(st, "SELECT count(*) FROM sources") == 0);
	FUZZ_ASSERT(count(st, "SELECT count(*) FROM assets") == 0);
	FUZZ_ASSERT(count(st, "SELECT count(*) FROM bars") == 0);
	FUZZ_ASSERT(count(st, "SELECT count(*) FROM daily") == 0);
	FUZZ_ASSERT(version(st) == 0);
}

static void
check_imported(struct ms_store *st, const struct ms_import_result *r)
{
	unsigned long skips = 0;

	FUZZ_ASSERT(r->rejected == 0 && r->layout != NULL);
	for (int k = 0; k < MS_SKIP_COUNT; k++)
		skips += r->skips[k];
	FUZZ_ASSERT(skips == r->skipped);
	/* A fresh store: nothing to update or leave unchanged. */
	FUZZ_ASSERT(r->updated == 0 && r->unchanged == 0);
	FUZZ_ASSERT(r->rows_read == r->inserted + r->skipped);
	FUZZ_ASSERT(r->rows_read > 0 && r->skipped * 2 <= r->rows_read);
	FUZZ_ASSERT(r->assets == r->assets_new);
	FUZZ_ASSERT(count(st, "SELECT count(*) FROM assets") ==
	    (int64_t)r->assets);
	FUZZ_ASSERT(count(st, "SELECT count(*) FROM bars") ==
	    (int64_t)r->inserted);
	FUZZ_ASSERT(count(st, "SELECT count(*) FROM daily") ==
	    (int64_t)r->inserted);
	FUZZ_ASSERT(r->changed == (r->inserted > 0));
	FUZZ_ASSERT(version(st) == (r->inserted > 0 ? 1 : 0));
	if (r->inserted > 0) {
		FUZZ_ASSERT(r->first_day >= MS_DATE_MIN &&
		    r->first_day <= r->last_day && r->last_day <= TODAY + 1);
		FUZZ_ASSERT(count(st, "SELECT min(day) FROM bars") ==
		    r->first_day);
		FUZZ_ASSERT(count(st, "SELECT max(day) FROM bars") ==
		    r->last_day);
	}
	FUZZ_ASSERT(count(st, "SELECT count(*) FROM bars WHERE "
	    "close IS NULL OR close <= 0 OR open <= 0 OR high <= 0 OR "
	    "low <= 0 OR volume <= 0 OR market_cap <= 0 OR high < low") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_import_opts o = { NULL, -1, TODAY };
	struct ms_import_result *r = malloc(sizeof(*r));
	struct ms_store *st = NULL;
	FILE *f;
	int rc;

	FUZZ_ASSERT(r != NULL);
	init_once();
	f = fopen(csv_path, "wb");
	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
	FUZZ_ASSERT(fclose(f) == 0);
	remove_db();
	FUZZ_ASSERT(ms_store_open(db_path, MS_STORE_RW, &st) == MS_OK);

	rc = ms_import_file(st, csv_path, &o, r);
	if (rc != MS_OK) {
		check_rejected(st, r, rc);
	} else {
		check_imported(st, r);
		/* Idempotent: the same file again changes nothing. */
		rc = ms_import_file(st, csv_path, &o, r);
		FUZZ_ASSERT(rc == MS_OK);
		FUZZ_ASSERT(r->inserted == 0 && r->updated == 0 &&
		    r->changed == 0);
		FUZZ_ASSERT(version(st) == (r->unchanged > 0 ? 1 : 0));
	}
	ms_store_close(st);
	free(r);
	return 0;
}
