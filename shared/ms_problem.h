/*
 * ms_problem.h — the registry of RFC 9457 problem types.
 *
 * Every error response Moonscope sends is application/problem+json with a
 * stable `type` URI, a fixed `title`, the `status`, a bounded `detail`
 * without CR/LF, `instance` (the request id) and, for input errors,
 * `invalid_params`: [{"name": ..., "reason": ...}, ...]. The kinds live
 * here and only here; docs/problems.md documents each. Append only.
 */
#ifndef MS_PROBLEM_H
#define MS_PROBLEM_H

enum ms_problem_kind {
	MS_PROBLEM_INVALID_PARAMS,     /* 400 */
	MS_PROBLEM_NOT_FOUND,          /* 404: no such route */
	MS_PROBLEM_ASSET_NOT_FOUND,    /* 404: no such asset */
	MS_PROBLEM_NO_DATA,            /* 404: asset exists, no data as of date */
	MS_PROBLEM_METHOD_NOT_ALLOWED, /* 405 (with Allow) */
	MS_PROBLEM_URI_TOO_LONG,       /* 414 */
	MS_PROBLEM_PAYLOAD_TOO_LARGE,  /* 413 */
	MS_PROBLEM_UNSUPPORTED_MEDIA,  /* 415 */
	MS_PROBLEM_INTERNAL,           /* 500: our bug; details only in the log */
	MS_PROBLEM_STORE_UNAVAILABLE,  /* 503: store missing/unreadable */
	MS_PROBLEM_UPSTREAM_ERROR,     /* 502 */
	MS_PROBLEM_UPSTREAM_TIMEOUT,   /* 504 */
	MS_PROBLEM__COUNT
};

struct ms_problem_type {
	enum ms_problem_kind kind;
	int status;
	const char *slug;   /* "invalid-parameters"; type URI = MS_PROBLEM_BASE slug */
	const char *title;  /* fixed, human-readable */
};

#define MS_PROBLEM_BASE "https://moonscope.dev/problems/"

/* Returns the registry entry for kind; never NULL for a valid kind. */
const struct ms_problem_type *ms_problem_type(enum ms_problem_kind kind);

#endif
