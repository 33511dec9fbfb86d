/*
 * ms_store.c — the SQLite store: opening, schema migrations, the statement
 * cache, transactions, the data version, sources, `daily` rebuilds and
 * purges.
 *
 * Every process (a FastCGI responder, the CLI, the tests) owns one
 * struct ms_store per store file. Read-write opens create the file, switch
 * it to WAL and bring the schema up to MS_SCHEMA_VERSION with the forward
 * migrations below, all in one transaction; read-only opens check that the
 * schema is one this build can read. Prepared statements are cached per
 * connection, keyed by the address of their SQL text, and finalised at
 * close. Callers reset a statement after use (ms_store_stmt resets it when
 * handing it out again, and ms_store_release resets it at once) so that no
 * read transaction stays open: a long-lived read-only connection then sees
 * every commit of the writer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "ms_error.h"
#include "ms_log.h"
#include "ms_market.h"
#include "ms_store.h"

/* Slots of the statement cache: open addressing on the SQL pointer. */
#define STMT_SLOTS 256

struct stmt_slot {
	const char *sql;       /* key: the caller's string (not copied) */
	sqlite3_stmt *stmt;
};

struct ms_store {
	sqlite3 *db;
	enum ms_store_mode mode;
	int nstmt;
	struct stmt_slot slots[STMT_SLOTS];
};

/*
 * The forward migrations: migrations[k] brings user_version k to k + 1.
 * Never edit a migration that has shipped; append a new one and raise
 * MS_SCHEMA_VERSION.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the initial schema (see ms_store.h). */
	"CREATE TABLE sources ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT UNIQUE NOT NULL,"
	"  priority INTEGER NOT NULL,"
	"  timing TEXT NOT NULL,"
	"  synthetic INTEGER NOT NULL DEFAULT 0,"
	"  description TEXT NOT NULL);"
	"CREATE TABLE assets ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT UNIQUE NOT NULL,"
	"  symbol TEXT,"
	"  name TEXT,"
	"  categories TEXT);"
	"CREATE INDEX assets_symbol ON assets(symbol COLLATE NOCASE);"
	"CREATE TABLE bars ("
	"  asset_id INTEGER NOT NULL REFERENCES assets(id),"
	"  source_id INTEGER NOT NULL REFERENCES sources(id),"
	"  day INTEGER NOT NULL,"
	"  open REAL, high REAL, low REAL, close REAL,"
	"  volume REAL, market_cap REAL,"
	"  PRIMARY KEY (asset_id, source_id, day)) WITHOUT ROWID;"
	"CREATE INDEX bars_source ON bars(source_id, asset_id);"
	"CREATE TABLE daily ("
	"  asset_id INTEGER NOT NULL REFERENCES assets(id),"
	"  day INTEGER NOT NULL,"
	"  source_id INTEGER NOT NULL REFERENCES sources(id),"
	"  open REAL, high REAL, low REAL, close REAL,"
	"  volume REAL, market_cap REAL,"
	"  PRIMARY KEY (asset_id, day)) WITHOUT ROWID;"
	"CREATE INDEX daily_day ON daily(day);"
	"CREATE TABLE imports ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT, layout TEXT,"
	"  source_id INTEGER REFERENCES sources(id),"
	"  rows_read INTEGER, rows_inserted INTEGER, rows_updated INTEGER,"
	"  rows_skipped INTEGER, first_day INTEGER, last_day INTEGER,"
	"  finished_at TEXT,"
	"  rows_unchanged INTEGER, assets INTEGER);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
	"INSERT INTO meta(key, value) VALUES ('data_version', '0');",

	/* 1 -> 2: the daily record (see ms_record.h). */
	"CREATE TABLE runs ("
	"  day INTEGER PRIMARY KEY,"
	"  data_version INTEGER NOT NULL,"
	"  picks_k INTEGER NOT NULL,"
	"  made_at TEXT NOT NULL);"
	"CREATE TABLE pick_records ("
	"  day INTEGER NOT NULL,"
	"  rank INTEGER NOT NULL,"
	"  asset_id INTEGER NOT NULL REFERENCES assets(id),"
	"  price REAL NOT NULL, market_cap REAL, volume REAL,"
	"  trader_grade REAL, investor_grade REAL,"
	"  PRIMARY KEY (day, rank)) WITHOUT ROWID;"
	"CREATE TABLE grade_records ("
	"  day INTEGER NOT NULL,"
	"  asset_id INTEGER NOT NULL REFERENCES assets(id),"
	"  trader REAL, investor REAL,"
	"  PRIMARY KEY (day, asset_id)) WITHOUT ROWID;",

	/*
	 * 2 -> 3: the running all-time high in the served series (see
	 * ms_store_rebuild_daily), filled for existing rows.
	 */
	"ALTER TABLE daily ADD COLUMN ath REAL;"
	"ALTER TABLE daily ADD COLUMN ath_day INTEGER;"
	"UPDATE daily SET ath = w.ath, ath_day = w.ath_day FROM ("
	"  SELECT asset_id, day, ath, CASE WHEN ath IS NULL THEN NULL ELSE"
	"    min(day) OVER (PARTITION BY asset_id, ath) END AS ath_day FROM ("
	"    SELECT asset_id, day, max(coalesce(high, close)) OVER ("
	"      PARTITION BY asset_id ORDER BY day ROWS UNBOUNDED PRECEDING)"
	"      AS ath FROM daily)) w "
	"WHERE daily.asset_id = w.asset_id AND daily.day = w.day;",

	/*
	 * 3 -> 4: reference tables: company market caps (for the target
	 * analysis's comparisons) by snapshot day.
	 */
	"CREATE TABLE companies ("
	"  snapshot_day INTEGER NOT NULL,"
	"  rank INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  symbol TEXT,"
	"  market_cap REAL NOT NULL,"
	"  country TEXT,"
	"  source TEXT NOT NULL,"
	"  PRIMARY KEY (snapshot_day, rank)) WITHOUT ROWID;",

	/* 4 -> 5: the daily record of signals and forecasts (ms_record.h). */
	"CREATE TABLE signal_records ("
	"  day INTEGER NOT NULL,"
	"  asset_id INTEGER NOT NULL REFERENCES assets(id),"
	"  signal INTEGER NOT NULL,"
	"  PRIMARY KEY (day, asset_id)) WITHOUT ROWID;"
	"CREATE TABLE forecast_records ("
	"  day INTEGER NOT NULL,"
	"  asset_id INTEGER NOT NULL REFERENCES assets(id),"
	"  model TEXT NOT NULL,"
	"  horizon INTEGER NOT NULL,"
	"  used TEXT NOT NULL,"
	"  price REAL NOT NULL,"
	"  q05 REAL, q10 REAL, q25 REAL, q50 REAL, q75 REAL, q90 REAL, q95 REAL,"
	"  PRIMARY KEY (asset_id, model, horizon, day)) WITHOUT ROWID;",
};

#define MIGRATION_COUNT ((int)(sizeof(migrations) / sizeof(migrations[0])))

_Static_assert(MIGRATION_COUNT == MS_SCHEMA_VERSION,
    "one migration per schema version");

const char *
ms_store_path_default(void)
{
	const char *p = getenv(MS_STORE_ENV);

	return p != NULL && p[0] != '\0' ? p : MS_STORE_DEFAULT_PATH;
}

sqlite3 *
ms_store_db(struct ms_store *st)
{
	return st->db;
}

/* Runs SQL without results (pragmas, DDL); logs and returns on error. */
static int
exec_sql(struct ms_store *st, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		ms_log(MS_LOG_ERROR, NULL, "store: %s: %s", sql,
		    err != NULL ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ?
		    MS_ERR_BUSY : MS_ERR_STORE;
	}
	return MS_OK;
}

/*
 * The user_version of the open connection. Not logged here: the caller
 * knows what a failure means (sqlite3_errcode tells why).
 */
static int
read_user_version(struct ms_store *st, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL)
	    != SQLITE_OK)
		return MS_ERR_STORE;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_BUSY ? MS_ERR_BUSY : MS_ERR_STORE;
	}
	*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return MS_OK;
}

/*
 * Brings the schema up to MS_SCHEMA_VERSION in one IMMEDIATE transaction
 * (so two processes opening a new store at once do not both migrate).
 */
static int
migrate(struct ms_store *st, const char *path)
{
	int v, rc;
	char pragma[64];

	if ((rc = exec_sql(st, "BEGIN IMMEDIATE")) != MS_OK)
		return rc;
	if ((rc = read_user_version(st, &v)) != MS_OK) {
		ms_log(MS_LOG_ERROR, NULL, "store %s: %s", path,
		    sqlite3_errmsg(st->db));
		goto fail;
	}
	if (v > MS_SCHEMA_VERSION) {
		ms_log(MS_LOG_ERROR, NULL, "store %s: schema version %d is "
		    "newer than this build (%d); upgrade moonscope", path, v,
		    MS_SCHEMA_VERSION);
		rc = MS_ERR_SCHEMA;
		goto fail;
	}
	for (; v < MS_SCHEMA_VERSION; v++) {
		if ((rc = exec_sql(st, migrations[v])) != MS_OK)
			goto fail;
		/* PRAGMA takes no bound parameters; v + 1 is our own int. */
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    v + 1);
		if ((rc = exec_sql(st, pragma)) != MS_OK)
			goto fail;
	}
	return exec_sql(st, "COMMIT");
fail:
	(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * Opens path read-only as an immutable file (URI immutable=1): no locks,
 * no -shm/-wal. Used only when those files are missing and cannot be
 * created, i.e. for a published read-only snapshot.
 */
static int
open_immutable(struct ms_store *st, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	char uri[4200];
	size_t n = 0;
	int rc;

	memcpy(uri, "file:", 5);
	n = 5;
	for (const char *p = path; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (n + 4 >= sizeof(uri) - 16)
			return MS_ERR_TOOBIG;
		if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f) {
			uri[n++] = '%';
			uri[n++] = hex[c >> 4];
			uri[n++] = hex[c & 15];
		} else {
			uri[n++] = (char)c;
		}
	}
	memcpy(uri + n, "?immutable=1", 13);
	rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ms_log(MS_LOG_ERROR, NULL, "store %s: cannot open: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) :
		    sqlite3_errstr(rc));
		return MS_ERR_IO;
	}
	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_timeout(st->db, 5000);
	ms_log(MS_LOG_WARN, NULL, "store %s: its -shm/-wal files are missing "
	    "and cannot be created; reading it as an immutable snapshot", path);
	return MS_OK;
}

int
ms_store_open(const char *path, enum ms_store_mode mode,
    struct ms_store **out)
{
	struct ms_store *st;
	struct stat sb;
	int flags, rc, v, ec;

	if (path == NULL || path[0] == '\0')
		return MS_ERR_INVALID;
	if (mode == MS_STORE_RO && stat(path, &sb) != 0) {
		ms_log(MS_LOG_ERROR, NULL, "store %s: %s", path,
		    strerror(errno));
		return errno == ENOENT ? MS_ERR_NOTFOUND : MS_ERR_IO;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return MS_ERR_NOMEM;
	st->mode = mode;
	/*
	 * No mutex on the connection: a handle is used by one thread at a
	 * time (threads open their own), so SQLite's per-call locking would
	 * be pure cost (a quarter of a backtest's instructions).
	 */
	flags = (mode == MS_STORE_RO ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(path, &st->db, flags, NULL);
	if (rc != SQLITE_OK) {
		ms_log(MS_LOG_ERROR, NULL, "store %s: cannot open: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) :
		    sqlite3_errstr(rc));
		rc = MS_ERR_IO;
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_timeout(st->db, 5000);
	if (mode == MS_STORE_RW) {
		int one = 1;

		/* Keep -wal/-shm after close so read-only opens work. */
		(void)sqlite3_file_control(st->db, "main",
		    SQLITE_FCNTL_PERSIST_WAL, &one);
		if ((rc = exec_sql(st, "PRAGMA journal_mode=WAL")) != MS_OK ||
		    (rc = exec_sql(st, "PRAGMA synchronous=NORMAL")) != MS_OK ||
		    /* Bulk imports touch pages all over `bars`: keep them. */
		    (rc = exec_sql(st, "PRAGMA cache_size=-131072")) != MS_OK ||
		    (rc = exec_sql(st, "PRAGMA temp_store=MEMORY")) != MS_OK)
			goto fail;
	}
	if ((rc = exec_sql(st, "PRAGMA foreign_keys=ON")) != MS_OK)
		goto fail;
	if (mode == MS_STORE_RW) {
		if ((rc = migrate(st, path)) != MS_OK)
			goto fail;
	} else {
		rc = read_user_version(st, &v);
		ec = sqlite3_errcode(st->db);
		if (rc != MS_OK && (ec == SQLITE_READONLY ||
		    ec == SQLITE_CANTOPEN)) {
			/*
			 * A WAL store without its -shm/-wal files in a
			 * directory we cannot write: read it as an immutable
			 * snapshot (it cannot change under us then).
			 */
			sqlite3_close(st->db);
			st->db = NULL;
			if ((rc = open_immutable(st, path)) != MS_OK)
				goto fail;
			rc = read_user_version(st, &v);
		}
		if (rc != MS_OK) {
			/* Not a database at all, or unreadable. */
			if (sqlite3_errcode(st->db) == SQLITE_NOTADB) {
				ms_log(MS_LOG_ERROR, NULL, "store %s: not "
				    "a Moonscope store (not an SQLite file)",
				    path);
				rc = MS_ERR_SCHEMA;
			} else {
				ms_log(MS_LOG_ERROR, NULL, "store %s: %s", path,
				    sqlite3_errmsg(st->db));
				if (rc == MS_ERR_STORE)
					rc = MS_ERR_IO;
			}
			goto fail;
		}
		if (v == 0) {
			ms_log(MS_LOG_ERROR, NULL, "store %s: not initialised "
			    "(empty file or not a Moonscope store); run "
			    "`moonscope init` or import data first", path);
			rc = MS_ERR_SCHEMA;
			goto fail;
		}
		if (v > MS_SCHEMA_VERSION) {
			ms_log(MS_LOG_ERROR, NULL, "store %s: schema version "
			    "%d is newer than this build (%d); upgrade "
			    "moonscope", path, v, MS_SCHEMA_VERSION);
			rc = MS_ERR_SCHEMA;
			goto fail;
		}
		/*
		 * The read model queries the current schema, so a reader
		 * cannot use an older one; a writer migrates it.
		 */
		if (v < MS_SCHEMA_VERSION) {
			ms_log(MS_LOG_ERROR, NULL, "store %s: schema version "
			    "%d is older than this build (%d); run `moonscope "
			    "init` to upgrade it", path, v, MS_SCHEMA_VERSION);
			rc = MS_ERR_SCHEMA;
			goto fail;
		}
	}
	*out = st;
	return MS_OK;
fail:
	sqlite3_close(st->db);
	free(st);
	return rc;
}

void
ms_store_close(struct ms_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < STMT_SLOTS; i++)
		sqlite3_finalize(st->slots[i].stmt);
	if (sqlite3_close(st->db) != SQLITE_OK)
		ms_log(MS_LOG_ERROR, NULL, "store: close: %s",
		    sqlite3_errmsg(st->db));
	free(st);
}

sqlite3_stmt *
ms_store_stmt(struct ms_store *st, const char *sql)
{
	uintptr_t h = (uintptr_t)sql;
	size_t i;

	h ^= h >> 17;
	h *= UINT64_C(0x9e3779b97f4a7c15) & UINTPTR_MAX;
	i = (size_t)(h >> 8) % STMT_SLOTS;
	for (int n = 0; n < STMT_SLOTS; n++, i = (i + 1) % STMT_SLOTS) {
		struct stmt_slot *sl = &st->slots[i];

		if (sl->sql == sql) {
			sqlite3_reset(sl->stmt);
			sqlite3_clear_bindings(sl->stmt);
			return sl->stmt;
		}
		if (sl->sql == NULL) {
			if (st->nstmt >= STMT_SLOTS * 3 / 4) {
				ms_log(MS_LOG_ERROR, NULL, "store: statement "
				    "cache full (%d)", st->nstmt);
				return NULL;
			}
			if (sqlite3_prepare_v3(st->db, sql, -1,
			    SQLITE_PREPARE_PERSISTENT, &sl->stmt, NULL)
			    != SQLITE_OK) {
				ms_log(MS_LOG_ERROR, NULL, "store: prepare: "
				    "%s: %s", sqlite3_errmsg(st->db), sql);
				sqlite3_finalize(sl->stmt);
				sl->stmt = NULL;
				return NULL;
			}
			sl->sql = sql;
			st->nstmt++;
			return sl->stmt;
		}
	}
	return NULL;
}

void
ms_store_release(sqlite3_stmt *s)
{
	if (s != NULL)
		sqlite3_reset(s);
}

/* Steps a statement expected to finish without rows, then resets it. */
static int
step_done(struct ms_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return MS_OK;
	ms_log(MS_LOG_ERROR, NULL, "store: %s: %s", sqlite3_sql(s),
	    sqlite3_errmsg(st->db));
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? MS_ERR_BUSY :
	    MS_ERR_STORE;
}

/* Runs the cached statement for sql, which has no parameters. */
static int
run_sql(struct ms_store *st, const char *sql)
{
	sqlite3_stmt *s = ms_store_stmt(st, sql);

	return s == NULL ? MS_ERR_STORE : step_done(st, s);
}

/* Runs the cached statement for sql with ?1 bound to id. */
static int
run_sql_id(struct ms_store *st, const char *sql, int64_t id)
{
	sqlite3_stmt *s = ms_store_stmt(st, sql);

	if (s == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, id);
	return step_done(st, s);
}

int
ms_store_schema_version(struct ms_store *st, int *out)
{
	int rc = read_user_version(st, out);

	if (rc != MS_OK)
		ms_log(MS_LOG_ERROR, NULL, "store: user_version: %s",
		    sqlite3_errmsg(st->db));
	return rc;
}

int
ms_store_data_version(struct ms_store *st, int64_t *out)
{
	static const char sql[] =
	    "SELECT CAST(value AS INTEGER) FROM meta "
	    "WHERE key = 'data_version'";
	sqlite3_stmt *s = ms_store_stmt(st, sql);
	int rc;

	if (s == NULL)
		return MS_ERR_STORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return MS_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) {
		*out = 0;
		return MS_OK;
	}
	ms_log(MS_LOG_ERROR, NULL, "store: data_version: %s",
	    sqlite3_errmsg(st->db));
	return rc == SQLITE_BUSY ? MS_ERR_BUSY : MS_ERR_STORE;
}

int
ms_store_begin(struct ms_store *st)
{
	static const char sql[] = "BEGIN IMMEDIATE";

	return run_sql(st, sql);
}

int
ms_store_commit(struct ms_store *st)
{
	static const char sql[] = "COMMIT";

	return run_sql(st, sql);
}

double
ms_store_col_double(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(s, i);
}

void
ms_store_bind_double(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

void
ms_store_col_text(sqlite3_stmt *s, int i, char *dst, size_t dstsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t n;

	if (dstsz == 0)
		return;
	dst[0] = '\0';
	if (t == NULL)
		return;
	n = (size_t)sqlite3_column_bytes(s, i);
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, t, n);
	dst[n] = '\0';
}

int
ms_store_step_error(struct ms_store *st, sqlite3_stmt *s, const char *what)
{
	ms_log(MS_LOG_ERROR, NULL, "store query %s failed: %s", what,
	    sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return MS_ERR_STORE;
}

int
ms_store_read_begin(struct ms_store *st)
{
	static const char sql[] = "BEGIN DEFERRED";

	if (!sqlite3_get_autocommit(st->db))
		return MS_OK;
	return run_sql(st, sql);
}

void
ms_store_read_end(struct ms_store *st)
{
	static const char sql[] = "COMMIT";

	if (st != NULL && !sqlite3_get_autocommit(st->db))
		(void)run_sql(st, sql);
}

void
ms_store_rollback(struct ms_store *st)
{
	static const char sql[] = "ROLLBACK";
	sqlite3_stmt *s;

	if (sqlite3_get_autocommit(st->db))
		return;
	if ((s = ms_store_stmt(st, sql)) != NULL)
		(void)step_done(st, s);
}

int
ms_store_bump_version(struct ms_store *st)
{
	static const char sql[] =
	    "INSERT INTO meta(key, value) VALUES ('data_version', '1') "
	    "ON CONFLICT(key) DO UPDATE SET "
	    "value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)";

	return run_sql(st, sql);
}

/*
 * Steps s, a prepared and bound statement whose first column is an asset
 * id, collects every id it yields, resets it, then rebuilds `daily` for
 * each id in turn (the statement is reset before the first rebuild, so the
 * rebuilds can use the statement cache freely).
 */
static int
rebuild_listed_assets(struct ms_store *st, sqlite3_stmt *s)
{
	int64_t *ids = NULL, *tmp;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((tmp = realloc(ids, cap * sizeof(*ids))) == NULL) {
				sqlite3_reset(s);
				free(ids);
				return MS_ERR_NOMEM;
			}
			ids = tmp;
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(ids);
		return MS_ERR_STORE;
	}
	rc = MS_OK;
	for (size_t i = 0; i < n && rc == MS_OK; i++)
		rc = ms_store_rebuild_daily(st, ids[i]);
	free(ids);
	return rc;
}

/* Rebuilds `daily` for every asset that has bars from source_id. */
static int
rebuild_source_assets(struct ms_store *st, int64_t source_id)
{
	static const char sql[] =
	    "SELECT DISTINCT asset_id FROM bars WHERE source_id = ?";
	sqlite3_stmt *s = ms_store_stmt(st, sql);

	if (s == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, source_id);
	return rebuild_listed_assets(st, s);
}

/* Binds a source's fields to ?2..?5 (?1 is the caller's: name or id). */
static void
bind_source_fields(sqlite3_stmt *s, int priority, const char *timing,
    int synthetic, const char *description)
{
	sqlite3_bind_int(s, 2, priority);
	sqlite3_bind_text(s, 3, timing, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, synthetic ? 1 : 0);
	sqlite3_bind_text(s, 5, description, -1, SQLITE_STATIC);
}

int
ms_store_source_priority(struct ms_store *st, const char *name, int *out)
{
	static const char sql[] = "SELECT priority FROM sources WHERE name = ?";
	sqlite3_stmt *s = ms_store_stmt(st, sql);
	int rc;

	if (s == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return MS_OK;
	return rc == SQLITE_DONE ? MS_ERR_NOTFOUND : MS_ERR_STORE;
}

int
ms_store_source(struct ms_store *st, const char *name, int priority,
    const char *timing, int synthetic, const char *description,
    int64_t *out)
{
	static const char sel[] =
	    "SELECT id, priority FROM sources WHERE name = ?";
	static const char ins[] =
	    "INSERT INTO sources(name, priority, timing, synthetic, "
	    "description) VALUES (?, ?, ?, ?, ?)";
	static const char upd[] =
	    "UPDATE sources SET priority = ?2, timing = ?3, synthetic = ?4, "
	    "description = ?5 WHERE id = ?1 AND (priority IS NOT ?2 OR "
	    "timing IS NOT ?3 OR synthetic IS NOT ?4 OR description IS NOT ?5)";
	sqlite3_stmt *s;
	int64_t id;
	int old_prio, rc;

	if ((s = ms_store_stmt(st, sel)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		if ((s = ms_store_stmt(st, ins)) == NULL)
			return MS_ERR_STORE;
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		bind_source_fields(s, priority, timing, synthetic, description);
		if ((rc = step_done(st, s)) != MS_OK)
			return rc;
		*out = sqlite3_last_insert_rowid(st->db);
		return MS_OK;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		ms_log(MS_LOG_ERROR, NULL, "store: source %s: %s", name,
		    sqlite3_errmsg(st->db));
		return MS_ERR_STORE;
	}
	id = sqlite3_column_int64(s, 0);
	old_prio = sqlite3_column_int(s, 1);
	sqlite3_reset(s);
	if ((s = ms_store_stmt(st, upd)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, id);
	bind_source_fields(s, priority, timing, synthetic, description);
	if ((rc = step_done(st, s)) != MS_OK)
		return rc;
	if (old_prio != priority) {
		/* A new priority may change which bar `daily` serves. */
		if ((rc = rebuild_source_assets(st, id)) != MS_OK)
			return rc;
		if ((rc = ms_store_bump_version(st)) != MS_OK)
			return rc;
	}
	*out = id;
	return MS_OK;
}

int
ms_store_put_bar(struct ms_store *st, int64_t asset_id, int64_t source_id,
    const struct ms_bar *b)
{
	static const char ins[] =
	    "INSERT INTO bars(asset_id, source_id, day, open, high, low, "
	    "close, volume, market_cap) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9) ON CONFLICT(asset_id, source_id, day) DO NOTHING";
	static const char upd[] =
	    "UPDATE bars SET open = ?4, high = ?5, low = ?6, close = ?7, "
	    "volume = ?8, market_cap = ?9 "
	    "WHERE asset_id = ?1 AND source_id = ?2 AND day = ?3 AND "
	    "(open IS NOT ?4 OR high IS NOT ?5 OR low IS NOT ?6 OR "
	    "close IS NOT ?7 OR volume IS NOT ?8 OR market_cap IS NOT ?9)";
	const char *const sqls[2] = { ins, upd };
	const double v[6] = { b->open, b->high, b->low, b->close, b->volume,
		b->market_cap };

	for (int pass = 0; pass < 2; pass++) {
		sqlite3_stmt *s = ms_store_stmt(st, sqls[pass]);
		int rc;

		if (s == NULL)
			return MS_ERR_STORE;
		sqlite3_bind_int64(s, 1, asset_id);
		sqlite3_bind_int64(s, 2, source_id);
		sqlite3_bind_int(s, 3, b->day);
		for (int k = 0; k < 6; k++)
			ms_store_bind_double(s, 4 + k, v[k]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return rc == SQLITE_BUSY ? MS_ERR_BUSY : MS_ERR_STORE;
		if (sqlite3_changes(st->db) > 0)
			return pass == 0 ? MS_STORE_BAR_INSERTED :
			    MS_STORE_BAR_UPDATED;
	}
	return 0;
}

int
ms_store_rebuild_daily(struct ms_store *st, int64_t asset_id)
{
	static const char del[] = "DELETE FROM daily WHERE asset_id = ?";
	/* Lowest priority number wins; ties go to the older source. */
	/*
	 * Lowest priority number wins; ties go to the older source. The
	 * running all-time high (high, or close where high is unknown) and
	 * the first day it was reached are stored with each bar, so a read
	 * as of any day finds them in that day's row: the running maximum
	 * never decreases, so the rows sharing one value are contiguous and
	 * the earliest of them is the day it was set.
	 */
	static const char ins[] =
	    "INSERT INTO daily(asset_id, day, source_id, open, high, low, "
	    "close, volume, market_cap, ath, ath_day) "
	    "SELECT asset_id, day, source_id, open, high, low, close, volume, "
	    "market_cap, ath, CASE WHEN ath IS NULL THEN NULL ELSE "
	    "  min(day) OVER (PARTITION BY ath) END FROM ("
	    "  SELECT *, max(coalesce(high, close)) OVER (ORDER BY day "
	    "    ROWS UNBOUNDED PRECEDING) AS ath FROM ("
	    "    SELECT b.*, row_number() OVER (PARTITION BY b.day "
	    "      ORDER BY s.priority, s.id) AS rn "
	    "    FROM bars b JOIN sources s ON s.id = b.source_id "
	    "    WHERE b.asset_id = ?) WHERE rn = 1) ORDER BY day";
	int rc;

	if ((rc = run_sql_id(st, del, asset_id)) != MS_OK)
		return rc;
	return run_sql_id(st, ins, asset_id);
}

int
ms_store_purge_source(struct ms_store *st, const char *name,
    int64_t *rows_deleted)
{
	static const char sel[] = "SELECT id FROM sources WHERE name = ?";
	static const char tmp[] =
	    "CREATE TEMP TABLE IF NOT EXISTS purge_assets "
	    "(id INTEGER PRIMARY KEY)";
	static const char clr[] = "DELETE FROM temp.purge_assets";
	static const char fill[] =
	    "INSERT INTO temp.purge_assets(id) "
	    "SELECT DISTINCT asset_id FROM bars WHERE source_id = ?";
	static const char del[] = "DELETE FROM bars WHERE source_id = ?";
	static const char list[] = "SELECT id FROM temp.purge_assets";
	/*
	 * An asset left without bars goes, and with it what the daily
	 * record said about it: records of an asset whose data was removed
	 * could not be judged any more.
	 */
	static const char orphan_set[] =
	    "DELETE FROM temp.purge_assets WHERE EXISTS (SELECT 1 FROM bars b "
	    "WHERE b.asset_id = temp.purge_assets.id)";
	static const char orphan_picks[] =
	    "DELETE FROM pick_records WHERE asset_id IN "
	    "(SELECT id FROM temp.purge_assets)";
	static const char orphan_grades[] =
	    "DELETE FROM grade_records WHERE asset_id IN "
	    "(SELECT id FROM temp.purge_assets)";
	static const char orphan_signals[] =
	    "DELETE FROM signal_records WHERE asset_id IN "
	    "(SELECT id FROM temp.purge_assets)";
	static const char orphan_forecasts[] =
	    "DELETE FROM forecast_records WHERE asset_id IN "
	    "(SELECT id FROM temp.purge_assets)";
	static const char orphans[] =
	    "DELETE FROM assets WHERE id IN (SELECT id FROM temp.purge_assets)";
	sqlite3_stmt *s;
	int64_t source_id, n;
	int rc;

	if ((s = ms_store_stmt(st, sel)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE) {
			*rows_deleted = 0;
			return MS_ERR_NOTFOUND;
		}
		return MS_ERR_STORE;
	}
	source_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	/* The temp table is created outside of any caller's statements. */
	if ((rc = run_sql(st, tmp)) != MS_OK ||
	    (rc = run_sql(st, clr)) != MS_OK ||
	    (rc = run_sql_id(st, fill, source_id)) != MS_OK ||
	    (rc = run_sql_id(st, del, source_id)) != MS_OK)
		return rc;
	n = sqlite3_changes64(st->db);

	/* Rebuild what is left of each touched asset, then drop orphans. */
	if ((s = ms_store_stmt(st, list)) == NULL)
		return MS_ERR_STORE;
	if ((rc = rebuild_listed_assets(st, s)) != MS_OK)
		return rc;
	if ((rc = run_sql(st, orphan_set)) != MS_OK ||
	    (rc = run_sql(st, orphan_picks)) != MS_OK ||
	    (rc = run_sql(st, orphan_grades)) != MS_OK ||
	    (rc = run_sql(st, orphan_signals)) != MS_OK ||
	    (rc = run_sql(st, orphan_forecasts)) != MS_OK ||
	    (rc = run_sql(st, orphans)) != MS_OK)
		return rc;
	if (n > 0 && (rc = ms_store_bump_version(st)) != MS_OK)
		return rc;
	*rows_deleted = n;
	return MS_OK;
}
