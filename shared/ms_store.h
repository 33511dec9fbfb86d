/*
 * ms_store.h — the SQLite store: open, schema, migrations, data version.
 *
 * One SQLite file in WAL mode. Its path comes from $MOONSCOPE_DB, else
 * MS_STORE_DEFAULT_PATH (relative to the working directory; `make run` uses
 * var/moonscope.db). The schema is versioned with PRAGMA user_version and
 * upgraded by forward migrations when opened read-write; a read-only open of
 * an older or a newer schema fails with MS_ERR_SCHEMA (readers query the
 * current schema; `moonscope init` upgrades a store), as does a read-only open of an empty or
 * uninitialised file (user_version 0). A read-only open of a missing file
 * fails with MS_ERR_NOTFOUND. Open failures are logged with ms_log.
 *
 * Schema (version 1; version 2 adds the daily record tables of
 * ms_record.h) — see docs/store.md for the full description:
 *
 *   sources(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,
 *           priority INTEGER NOT NULL,       -- lower wins per asset-day
 *           timing TEXT NOT NULL,            -- what a bar's values mean
 *           synthetic INTEGER NOT NULL DEFAULT 0,
 *           description TEXT NOT NULL)
 *   assets(id INTEGER PRIMARY KEY, slug TEXT UNIQUE NOT NULL,  -- lower case
 *          symbol TEXT,                      -- upper case; may be NULL
 *          name TEXT, categories TEXT)       -- categories: comma-separated
 *   bars(asset_id, source_id, day INTEGER,   -- days since 1970-01-01
 *        open, high, low, close, volume, market_cap REAL  -- NULL = unknown
 *        PRIMARY KEY(asset_id, source_id, day)) WITHOUT ROWID
 *   daily(asset_id, day, source_id, open, high, low, close, volume,
 *         market_cap, PRIMARY KEY(asset_id, day)) WITHOUT ROWID
 *        -- (version 3 adds ath REAL, ath_day INTEGER: the running
 *        -- all-time high up to that day and the day it was first set)
 *        -- the served series: for each asset-day the bar of the source
 *        -- with the lowest priority number; rebuilt for the assets an
 *        -- import touched, in the import's transaction
 *   imports(id INTEGER PRIMARY KEY, path TEXT, layout TEXT, source_id,
 *           rows_read, rows_inserted, rows_updated, rows_skipped,
 *           first_day, last_day, finished_at TEXT)
 *   meta(key TEXT PRIMARY KEY, value TEXT)   -- data_version, ...
 *
 * Additions to the documented schema (same migration): imports also has
 * rows_unchanged and assets (distinct assets in the file); indexes
 * assets_symbol ON assets(symbol COLLATE NOCASE), bars_source ON
 * bars(source_id, asset_id) (purge, per-source counts) and daily_day ON
 * daily(day) (cross-sections). Foreign keys are on for every connection.
 *
 *   companies(snapshot_day, rank, name, symbol, market_cap, country,
 *             source, PRIMARY KEY(snapshot_day, rank))   -- version 4
 *        -- reference table of company market caps, one snapshot per day
 *   signal_records, forecast_records                          -- version 5
 *        -- the daily record of signals and forecasts (ms_record.h)
 *
 * data_version (in meta) is incremented by every transaction that changes
 * bars, daily or assets, and only then. Changing a source's priority
 * rebuilds `daily` for its assets and counts as a change.
 *
 * Read-only connections: a WAL database opened with SQLITE_OPEN_READONLY
 * needs its -wal and -shm files to exist or a directory it can create them
 * in. Read-write opens set SQLITE_FCNTL_PERSIST_WAL, so the files are kept
 * after the last writer closes (other tools, e.g. the sqlite3 shell, may
 * delete them). When they are missing and cannot be created, a read-only
 * open falls back to reading the file as an immutable snapshot (URI
 * immutable=1, logged as a warning): right for a published snapshot, but
 * such a connection does not see later writes. Give the web
 * server's user write access to the store's directory, or publish a
 * snapshot with its -shm/-wal files. A read-only connection sees each new
 * commit as long as it holds no read transaction open: reset every
 * statement after use (ms_store_release, or sqlite3_reset).
 */
#ifndef MS_STORE_H
#define MS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define MS_STORE_DEFAULT_PATH "var/moonscope.db"
#define MS_STORE_ENV "MOONSCOPE_DB"
#define MS_SCHEMA_VERSION 5

enum ms_store_mode {
	MS_STORE_RO,      /* read-only; the file must exist */
	MS_STORE_RW,      /* read-write; created and migrated if needed */
};

struct ms_store;

/* The configured path: $MOONSCOPE_DB if set and non-empty, else the default. */
const char *ms_store_path_default(void);

/*
 * Opens the store at path. On success returns 0 and sets *out (free with
 * ms_store_close). RW creates the file, sets WAL and runs migrations.
 * A handle is used by one thread at a time (SQLITE_OPEN_NOMUTEX): threads
 * each open their own.
 */
int ms_store_open(const char *path, enum ms_store_mode mode,
    struct ms_store **out);
/* Closes and frees; NULL is a no-op. */
void ms_store_close(struct ms_store *st);

/* The underlying connection, for prepared statements of the read model. */
sqlite3 *ms_store_db(struct ms_store *st);

/*
 * Returns a cached prepared statement for sql (the pointer identity of the
 * string literal is the cache key), reset and with bindings cleared. The
 * store owns it. NULL on error (logged).
 */
sqlite3_stmt *ms_store_stmt(struct ms_store *st, const char *sql);

/*
 * Resets s now, ending the read transaction it may hold (NULL is a no-op).
 * Call it when you stop stepping a cached statement before SQLITE_DONE.
 */
void ms_store_release(sqlite3_stmt *s);

int ms_store_schema_version(struct ms_store *st, int *out);
int ms_store_data_version(struct ms_store *st, int64_t *out);

/* Column readers shared by every query module. */
/* The column as a double, NaN when it is NULL (unknown, never 0). */
double ms_store_col_double(sqlite3_stmt *s, int i);
/* Copies the column's text into dst (truncated, NUL-terminated; "" for NULL). */
void ms_store_col_text(sqlite3_stmt *s, int i, char *dst, size_t dstsz);
/* Binds v to parameter i, NULL when v is NaN (the writers' counterpart). */
void ms_store_bind_double(sqlite3_stmt *s, int i, double v);
/* Logs a failed step of a read query, resets s, returns MS_ERR_STORE. */
int ms_store_step_error(struct ms_store *st, sqlite3_stmt *s,
    const char *what);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int ms_store_begin(struct ms_store *st);
int ms_store_commit(struct ms_store *st);
void ms_store_rollback(struct ms_store *st);

/*
 * A read transaction spanning one request: every query of the request
 * sees the same snapshot (so meta.data_version matches the data), and
 * SQLite takes its locks once instead of once per statement. begin is a
 * no-op inside a transaction; end is a no-op outside one.
 */
int ms_store_read_begin(struct ms_store *st);
void ms_store_read_end(struct ms_store *st);

/* Increments data_version; call inside the transaction that changed data. */
int ms_store_bump_version(struct ms_store *st);

/*
 * Ensures a source row exists (insert or update its priority/timing/etc.)
 * and returns its id in *out. Call inside a transaction: when the priority
 * of an existing source changes, `daily` is rebuilt for its assets and the
 * data version bumped. The strings are copied by SQLite.
 */
int ms_store_source(struct ms_store *st, const char *name, int priority,
    const char *timing, int synthetic, const char *description,
    int64_t *out);

/*
 * The priority of the source called name; MS_ERR_NOTFOUND when there is
 * no such source.
 */
int ms_store_source_priority(struct ms_store *st, const char *name, int *out);

/*
 * Stores the bar of (asset_id, source_id) on b->day from b's open, high,
 * low, close, volume and market_cap (NaN stored as NULL; b->source_id is
 * not used): inserted when there is none, updated when any value differs
 * (compared with IS NOT, so NULL = NULL is unchanged). This is the upsert
 * INSERT ... ON CONFLICT DO UPDATE ... WHERE <a value differs> split in
 * two statements (insert-or-nothing, then update-where-different),
 * because sqlite3_changes() of one upsert cannot tell an insert from an
 * update. Returns MS_STORE_BAR_INSERTED, MS_STORE_BAR_UPDATED, 0 when
 * the stored bar was the same, or MS_ERR_BUSY / MS_ERR_STORE. `daily` is
 * not touched: call ms_store_rebuild_daily for the assets that changed.
 */
#define MS_STORE_BAR_INSERTED 1
#define MS_STORE_BAR_UPDATED 2
struct ms_bar;
int ms_store_put_bar(struct ms_store *st, int64_t asset_id, int64_t source_id,
    const struct ms_bar *b);

/*
 * Rebuilds `daily` for one asset from `bars` (lowest priority number wins).
 * Call inside a transaction.
 */
int ms_store_rebuild_daily(struct ms_store *st, int64_t asset_id);

/*
 * Deletes every bar of a source, rebuilds `daily` for the assets it had and
 * deletes those assets left without bars; the source row itself stays.
 * Call inside a transaction. MS_ERR_NOTFOUND if no source has that name.
 */
int ms_store_purge_source(struct ms_store *st, const char *name,
    int64_t *rows_deleted);

#endif
