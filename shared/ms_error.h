/*
 * ms_error.h — the one error enum of Moonscope's internal functions.
 *
 * Internal functions return 0 (MS_OK) or one of these negative codes.
 * The list is append-only: never renumber or reuse a code, because codes
 * appear in logs and tests. ms_strerror() maps each to a fixed string.
 */
#ifndef MS_ERROR_H
#define MS_ERROR_H

enum ms_err {
	MS_OK = 0,
	MS_ERR_NOMEM = -1,     /* allocation failed */
	MS_ERR_IO = -2,        /* read/write/open failed */
	MS_ERR_STORE = -3,     /* SQLite reported an error */
	MS_ERR_PARSE = -4,     /* input is not in the expected syntax */
	MS_ERR_RANGE = -5,     /* a value is outside its allowed range */
	MS_ERR_NOTFOUND = -6,  /* the thing asked for does not exist */
	MS_ERR_TOOBIG = -7,    /* input exceeds a hard size limit */
	MS_ERR_INVALID = -8,   /* semantically invalid input */
	MS_ERR_SCHEMA = -9,    /* store uninitialised, or of another schema version */
	MS_ERR_BUSY = -10,     /* store locked by another writer */
	MS_ERR_AMBIGUOUS = -11,/* a key matched more than one thing */
	MS_ERR_NODATA = -12,   /* no data for the requested date/range */
	MS_ERR_INTERNAL = -13  /* "cannot happen": a bug */
};

/* Returns a static string for err; never NULL. */
const char *ms_strerror(int err);

#endif
